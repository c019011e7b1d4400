//! The sandbox's table (`conductor-sandbox/src/table.rs`): each QuickBooks
//! Desktop operation with its inputs as Conductor checks them (read from the
//! description's request schemas: types, `required`, `enum`, `maxLength`,
//! `minItems`, `minimum`, `maximum`, formats, closed objects), the
//! references of its body, and the shape of each type the sandbox answers
//! with. It names no type of the SDK: the sandbox checks inputs by what the
//! description says, not by what a Rust type would accept.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Api, Shape as ResponseShape, Struct, Ty};
use crate::references;
use crate::render::HEADER;

pub(crate) const PATH: &str = "conductor-sandbox/src/table.rs";

pub(crate) fn table(api: &Api, spec: &Value) -> Result<String, String> {
    let mut nodes = Nodes { spec, rendered: HashMap::new(), order: Vec::new() };
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! Each QuickBooks Desktop operation the sandbox serves, with its inputs\n\
         //! as the description states them, and the shape of each type it answers\n\
         //! with: what the sandbox checks and fills.\n\n\
         use crate::schema::{Field, Format, Kind, Member, Node, Op, OpKind, Shape};\n\n\
         pub(crate) static OPERATIONS: &[Op] = &[\n",
    );
    let targets = references::targets(api);
    for resource in &api.resources {
        let slug = references::slug(resource);
        for operation in &resource.operations {
            let raw = &spec["paths"][&operation.path][&operation.method];
            let kind = match (&operation.shape, operation.rust_method.as_str()) {
                (ResponseShape::Page { .. }, _) => "Page",
                (ResponseShape::List { more: true, .. }, _) => "WholeWithMore",
                (ResponseShape::List { .. }, _) => "Whole",
                (_, "create") => "Create",
                (_, "update") => "Update",
                (_, "retrieve") if operation.path_args.is_empty() => "Singleton",
                (_, "retrieve") => "Retrieve",
                (_, "delete") => "Delete",
                (_, "void") => "Void",
                _ if resource.module == "reports" => "Report",
                _ => "Singleton",
            };
            let record = match &operation.shape {
                ResponseShape::Page { item } | ResponseShape::List { item, .. } => type_name(api, item),
                ResponseShape::One => type_name(api, &operation.response),
            };
            let body = match raw["requestBody"]["content"]["application/json"].get("schema") {
                Some(schema) => format!("Some(&{})", nodes.node(schema, "")?),
                None => "None".to_owned(),
            };
            let query = match nodes.query(raw)? {
                Some(name) => format!("Some(&{name})"),
                None => "None".to_owned(),
            };
            let refs: Vec<String> = (operation.body.iter())
                .flat_map(|body| references::of_body(api, *body, &slug, &targets))
                .map(|reference| format!("({:?}, &{:?})", reference.path, reference.resources))
                .collect();
            let _ = writeln!(
                out,
                "Op {{ method: {:?}, path: {:?}, kind: OpKind::{kind}, record: {record:?}, item: {:?}, query: {query}, body: {body}, references: &[{}] }},",
                operation.method.to_uppercase(),
                operation.path,
                resource.singular,
                refs.join(", "),
            );
        }
    }
    out.push_str("];\n\n");
    shapes(api, &mut out);
    out.push_str("\n// What each input may be, each written once.\n");
    for (name, expression) in &nodes.order {
        let _ = writeln!(out, "static {name}: Node = {expression};");
    }
    Ok(out)
}

/// The name of a response type, as the shapes name it.
fn type_name(api: &Api, ty: &Ty) -> String {
    match ty {
        Ty::Struct(index) => api.structs[*index].name.clone(),
        Ty::Union(index) => api.unions[*index].name.clone(),
        Ty::Enum(index) => api.enums[*index].name.clone(),
        Ty::Vec(inner) => type_name(api, inner),
        other => format!("{other:?}"),
    }
}

/// The shapes of the types the sandbox answers with, sorted by name.
fn shapes(api: &Api, out: &mut String) {
    out.push_str("/// Sorted by name.\npub(crate) static SHAPES: &[Shape] = &[\n");
    let mut shapes: Vec<&Struct> = api.structs.iter().filter(|s| !s.input || s.query).collect();
    shapes.sort_by(|a, b| a.name.cmp(&b.name));
    for shape in shapes {
        let _ = writeln!(out, "Shape {{ name: {:?}, consts: &{:?}, fields: &[", shape.name, shape.consts);
        for field in &shape.fields {
            let example = match (&field.example, field.optional(), &field.ty) {
                (
                    Some(example),
                    false,
                    Ty::Str | Ty::Amount | Ty::Date | Ty::DateTime | Ty::Int | Ty::Float | Ty::Bool | Ty::Enum(_),
                ) => {
                    format!("Some({:?})", serde_json::to_string(example).unwrap_or_default())
                }
                _ => "None".to_owned(),
            };
            let _ = writeln!(
                out,
                "Field {{ wire: {:?}, kind: {}, required: {}, nullable: {}, example: {example} }},",
                field.wire,
                kind(api, &field.ty),
                field.required,
                field.nullable
            );
        }
        out.push_str("] },\n");
    }
    out.push_str("];\n");
}

/// The sandbox's `Kind` of a response type.
fn kind(api: &Api, ty: &Ty) -> String {
    match ty {
        Ty::Str => "Kind::Str".into(),
        Ty::Amount => "Kind::Amount".into(),
        Ty::Date => "Kind::Date".into(),
        Ty::DateTime => "Kind::DateTime".into(),
        Ty::Bool => "Kind::Bool".into(),
        Ty::Int => "Kind::Int".into(),
        Ty::Float => "Kind::Float".into(),
        Ty::Json => "Kind::Json".into(),
        Ty::Map => "Kind::Map".into(),
        Ty::Vec(inner) => format!("Kind::Vec(&{})", kind(api, inner)),
        Ty::Struct(index) => format!("Kind::Struct({:?})", api.structs[*index].name),
        Ty::Enum(index) => format!("Kind::Enum(&{:?})", api.enums[*index].values),
        Ty::Union(index) => {
            let union = &api.unions[*index];
            let variants: Vec<(String, String)> =
                union.variants.iter().map(|(tag, s)| (tag.clone(), api.structs[*s].name.clone())).collect();
            format!("Kind::Union({:?}, &{variants:?})", union.tag)
        }
    }
}

/// The input nodes written so far, each once.
struct Nodes<'a> {
    spec: &'a Value,
    /// Node name by its expression.
    rendered: HashMap<String, String>,
    /// Names and expressions, in the order written.
    order: Vec<(String, String)>,
}

impl Nodes<'_> {
    /// The name of the node for `schema`, written when new. `doc` is the
    /// description of the property that holds it, where the schema has none.
    fn node(&mut self, schema: &Value, doc: &str) -> Result<String, String> {
        let expression = self.expression(schema, doc)?;
        Ok(self.intern(expression))
    }

    fn intern(&mut self, expression: String) -> String {
        if let Some(name) = self.rendered.get(&expression) {
            return name.clone();
        }
        let name = format!("N{}", self.order.len());
        self.rendered.insert(expression.clone(), name.clone());
        self.order.push((name.clone(), expression));
        name
    }

    fn expression(&mut self, schema: &Value, doc: &str) -> Result<String, String> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or_default();
            let target = &self.spec["components"]["schemas"][name];
            return self.expression(target, doc);
        }
        if let Some(variants) = schema["anyOf"].as_array().or_else(|| schema["oneOf"].as_array()) {
            let real: Vec<&Value> = variants.iter().filter(|v| v["type"] != "null").collect();
            let inner = match real.as_slice() {
                [one] => self.node(one, doc)?,
                _ => return Ok("Node::Any".into()),
            };
            return Ok(format!("Node::Nullable(&{inner})"));
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let nullable = types.contains(&"null");
        let doc = schema["description"].as_str().unwrap_or(doc);
        let plain = match types.iter().copied().find(|t| *t != "null") {
            _ if schema["enum"].is_array() => {
                let values: Vec<&str> =
                    schema["enum"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                format!("Node::OneOf(&{values:?})")
            }
            Some("string") => format!(
                "Node::Text {{ max_length: {:?}, format: Format::{} }}",
                schema["maxLength"].as_u64(),
                format_of(schema, doc)
            ),
            Some("integer") => format!(
                "Node::Integer {{ minimum: {:?}, maximum: {:?} }}",
                schema["minimum"].as_i64(),
                schema["maximum"].as_i64()
            ),
            Some("number") => "Node::Number".into(),
            Some("boolean") => "Node::Boolean".into(),
            Some("array") => {
                let items = self.node(&schema["items"], doc)?;
                format!("Node::List {{ items: &{items}, min_items: {} }}", schema["minItems"].as_u64().unwrap_or(0))
            }
            Some("object") if schema.get("properties").is_some() => self.object(schema)?,
            _ => "Node::Any".into(),
        };
        Ok(if nullable { format!("Node::Nullable(&{})", self.intern(plain)) } else { plain })
    }

    fn object(&mut self, schema: &Value) -> Result<String, String> {
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut members = Vec::new();
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let node = self.node(property, "")?;
            let default = property.get("default").map(Value::to_string);
            members.push(format!(
                "Member {{ name: {name:?}, node: &{node}, required: {}, default: {default:?} }}",
                required.contains(&name.as_str())
            ));
        }
        Ok(format!(
            "Node::Object {{ members: &[{}], closed: {}, min_members: {} }}",
            members.join(", "),
            schema["additionalProperties"] == false,
            schema["minProperties"].as_u64().unwrap_or(0)
        ))
    }

    /// The node of an operation's query parameters: one closed object, as
    /// Conductor refuses a parameter it does not know.
    fn query(&mut self, operation: &Value) -> Result<Option<String>, String> {
        let params: Vec<&Value> =
            operation["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query").collect();
        if params.is_empty() {
            return Ok(None);
        }
        let mut members = Vec::new();
        for param in params {
            let name = param["name"].as_str().ok_or("a query parameter without a name")?;
            let node = self.node(&param["schema"], param["description"].as_str().unwrap_or(""))?;
            let default = param["schema"].get("default").map(Value::to_string);
            members.push(format!(
                "Member {{ name: {name:?}, node: &{node}, required: {}, default: {default:?} }}",
                param["required"] == true
            ));
        }
        let expression = format!("Node::Object {{ members: &[{}], closed: true, min_members: 0 }}", members.join(", "));
        Ok(Some(self.intern(expression)))
    }
}

/// What a string holds, by its `format` or what its description says.
fn format_of(schema: &Value, doc: &str) -> &'static str {
    let lower = doc.to_ascii_lowercase();
    match schema["format"].as_str() {
        Some("date") => "Date",
        Some("date-time") => "DateTime",
        Some("uuid") => "Uuid",
        Some("uri") => "Uri",
        _ if doc.contains("exactly 2 decimal places") => "Money",
        _ if doc.contains("up to 5 decimal places") => "Price",
        _ if doc.contains("decimal string") => "Decimal",
        _ if lower.contains("yyyy-mm-ddthh:mm:ss") || lower.starts_with("the date and time") => "DateTime",
        _ if doc.contains("(YYYY-MM-DD)") => "Date",
        _ => "Plain",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inputs_keep_what_conductor_checks() {
        let spec = json!({});
        let mut nodes = Nodes { spec: &spec, rendered: HashMap::new(), order: Vec::new() };
        let schema = json!({"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 41},
            "rate": {"type": "string", "description": "Decimal string format: up to 5 decimal places and up to 10 digits"},
            "lines": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "date"}},
        }});
        let name = nodes.node(&schema, "").unwrap();
        let named = |expression: &str| nodes.order.iter().find(|(_, e)| e == expression).map(|(n, _)| n.clone());
        let text = named("Node::Text { max_length: Some(41), format: Format::Plain }").expect("the name's node");
        assert!(named("Node::Text { max_length: None, format: Format::Price }").is_some());
        let date = named("Node::Text { max_length: None, format: Format::Date }").expect("the lines' items");
        assert!(named(&format!("Node::List {{ items: &{date}, min_items: 1 }}")).is_some());
        let (_, object) = nodes.order.iter().find(|(n, _)| *n == name).unwrap();
        assert!(object.contains("closed: true"), "{object}");
        assert!(object.contains(&format!("name: \"name\", node: &{text}, required: true, default: None")), "{object}");
        // The same node is written once.
        assert_eq!(nodes.node(&json!({"type": "string", "maxLength": 41}), "").unwrap(), text);
    }
}
