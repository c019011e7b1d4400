//! Looking things up in the generated table: operations by path and by
//! resource, and the shapes of the types answered.

use crate::failure::Failure;
use crate::schema::{Op, OpKind, Shape};
use crate::table::{OPERATIONS, SHAPES};

/// The operations of one resource's path segment.
pub(crate) fn ops_of(slug: &str) -> impl Iterator<Item = &'static Op> + '_ {
    OPERATIONS.iter().filter(move |op| op.slug() == slug)
}

/// The operation of a resource of a kind, when the description has one.
pub(crate) fn op_of(slug: &str, kind: OpKind) -> Option<&'static Op> {
    ops_of(slug).find(|op| op.kind == kind)
}

/// The type of the records of a resource: `customers` → `Customer`.
pub(crate) fn record_type_of(slug: &str) -> &'static str {
    ops_of(slug).next().map_or("", |op| op.item)
}

/// The operation a QuickBooks Desktop request is for, and the id its path
/// names (empty when none): Conductor's 404 for a path it does not serve,
/// 405 for a method a path does not take.
pub(crate) fn operation(method: &str, segments: &[String]) -> Result<(&'static Op, String), Failure> {
    let mut path_found = false;
    for op in OPERATIONS {
        if let Some(id) = path_id(op.path, segments) {
            path_found = true;
            if op.method == method {
                return Ok((op, id.to_owned()));
            }
        }
    }
    Err(if path_found { Failure::method_missing() } else { Failure::route_missing() })
}

/// The id `segments` give a path template's `{id}` (empty when it has
/// none), if they fit the template.
fn path_id<'a>(path: &str, segments: &'a [String]) -> Option<&'a str> {
    let template = path.trim_start_matches('/').split('/');
    if template.clone().count() != segments.len() {
        return None;
    }
    let mut id = "";
    for (want, got) in template.zip(segments) {
        let fits = match want.starts_with('{') {
            true => {
                id = got.as_str();
                !got.is_empty()
            }
            false => want == got,
        };
        if !fits {
            return None;
        }
    }
    Some(id)
}

/// The shape named `name`.
pub(crate) fn shape(name: &str) -> Option<&'static Shape> {
    SHAPES.binary_search_by(|shape| shape.name.cmp(name)).ok().map(|index| &SHAPES[index])
}

/// The references of an operation's body that the sandbox checks, as
/// QuickBooks does: each field holding an id, with the resources its
/// records may come from.
pub(crate) fn references(method: &str, path: &str) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    (OPERATIONS.iter())
        .filter(move |op| op.method.eq_ignore_ascii_case(method) && op.path == path)
        .flat_map(|op| op.references.iter().copied())
        .filter(|(_, resources)| !resources.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_sorted_for_the_search() {
        assert!(SHAPES.windows(2).all(|pair| pair[0].name < pair[1].name));
        assert!(shape("Invoice").is_some() && shape("NoSuchType").is_none());
    }

    #[test]
    fn operations_are_found_by_path_and_method() {
        let segments = |path: &str| path.split('/').map(str::to_owned).collect::<Vec<_>>();
        let (op, id) = operation("POST", &segments("quickbooks-desktop/invoices/I-1/void")).unwrap();
        assert_eq!((op.kind, id.as_str()), (OpKind::Void, "I-1"));
        assert_eq!(operation("PUT", &segments("quickbooks-desktop/invoices")).unwrap_err().status, 405);
        assert_eq!(operation("GET", &segments("quickbooks-desktop/nothing")).unwrap_err().status, 404);
        assert_eq!(record_type_of("customers"), "Customer");
    }
}
