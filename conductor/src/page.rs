//! [`CursorPage`]: Conductor's list envelope, the one type every list
//! answer decodes through.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One page of a list:
/// `{"objectType":"list","data":[...],"nextCursor":...,"hasMore":...,"remainingCount":...}`.
///
/// Every list answer decodes through it: a `list_of` endpoint returns its
/// `data`, a `pages_of` endpoint the whole page. Only a JSON object whose
/// `objectType` is `"list"` and that has `data` is accepted.
///
/// Fetch the next page by sending the same parameters with `cursor` set to
/// [`next_cursor`](CursorPage::next_cursor) within 10 seconds, or let the
/// endpoint's stream (`list_all`) do it as a
/// [`CursorStream`](crate::CursorStream).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CursorPage<T> {
    object_type: ListTag,
    /// The records of this page.
    pub data: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether more records follow this page.
    pub has_more: bool,
    /// How many records follow this page.
    pub remaining_count: Option<i64>,
    /// The endpoint this list came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl<T> CursorPage<T> {
    /// A page from its parts, as a test double or a sandbox would answer.
    pub fn new(data: Vec<T>, next_cursor: Option<String>, remaining_count: i64) -> Self {
        CursorPage {
            object_type: ListTag,
            data,
            has_more: next_cursor.is_some(),
            next_cursor,
            remaining_count: Some(remaining_count),
            url: None,
        }
    }

    /// The cursor to send for the next page, when there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        if self.has_more { self.next_cursor.as_deref() } else { None }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for CursorPage<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Written by hand so that only an object is accepted: a derived
        // struct also accepts an array, which gives a confusing error.
        deserializer.deserialize_map(PageVisitor(PhantomData))
    }
}

struct PageVisitor<T>(PhantomData<T>);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    ObjectType,
    Data,
    NextCursor,
    HasMore,
    RemainingCount,
    Url,
    #[serde(other)]
    Other,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
    type Value = CursorPage<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list envelope object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut tagged = false;
        let mut data = None;
        let mut next_cursor = None;
        let mut has_more = false;
        let mut remaining_count = None;
        let mut url = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::ObjectType => {
                    map.next_value::<ListTag>()?;
                    tagged = true;
                }
                Field::Data => data = Some(map.next_value()?),
                Field::NextCursor => next_cursor = map.next_value()?,
                Field::HasMore => has_more = map.next_value::<Option<bool>>()?.unwrap_or(false),
                Field::RemainingCount => remaining_count = map.next_value::<Option<Count>>()?.map(|count| count.0),
                Field::Url => url = map.next_value()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !tagged {
            return Err(de::Error::missing_field("objectType"));
        }
        let data = data.ok_or_else(|| de::Error::missing_field("data"))?;
        Ok(CursorPage { object_type: ListTag, data, next_cursor, has_more, remaining_count, url })
    }
}

/// A count, which the description types as a JSON `number`: a whole
/// number sent as `3.0` is 3, and a fraction is rounded down rather than
/// losing the page it came with. What no `i64` holds is refused.
struct Count(i64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;

        impl Visitor<'_> for CountVisitor {
            type Value = Count;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of records")
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Count, E> {
                Ok(Count(n))
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Count, E> {
                i64::try_from(n).map(Count).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
            }

            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Count, E> {
                // `as` saturates; the range check refuses what it cannot hold.
                if !(-9.0e18..9.0e18).contains(&n) {
                    return Err(E::invalid_value(de::Unexpected::Float(n), &self));
                }
                Ok(Count(n.floor() as i64))
            }
        }

        deserializer.deserialize_any(CountVisitor)
    }
}

/// The `objectType` of a list envelope: accepts only the string `"list"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ListTag;

impl Serialize for ListTag {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("list")
    }
}

impl<'de> Deserialize<'de> for ListTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagVisitor;
        impl Visitor<'_> for TagVisitor {
            type Value = ListTag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the string \"list\"")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<ListTag, E> {
                if value == "list" {
                    Ok(ListTag)
                } else {
                    Err(E::custom(format_args!(
                        "expected a list envelope with objectType \"list\", found objectType {value:?}"
                    )))
                }
            }
        }
        deserializer.deserialize_str(TagVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_tagged_object_with_data_is_a_page() {
        let page: CursorPage<u8> = serde_json::from_value(json!({
            "objectType": "list", "url": "/v1/x", "data": [1, 2], "nextCursor": "c", "hasMore": true,
            "remainingCount": 3, "extra": {"ignored": true}
        }))
        .unwrap();
        assert_eq!((page.data.as_slice(), page.next_cursor(), page.remaining_count), (&[1, 2][..], Some("c"), Some(3)));
        let minimal: CursorPage<u8> = serde_json::from_value(json!({"objectType": "list", "data": []})).unwrap();
        assert_eq!((minimal.has_more, minimal.next_cursor()), (false, None));
        let nulls: CursorPage<u8> = serde_json::from_value(json!({
            "objectType": "list", "data": [], "nextCursor": null, "hasMore": null, "remainingCount": null, "url": null
        }))
        .unwrap();
        assert_eq!(nulls.next_cursor, None);

        for (bad, message) in [
            (json!([1, 2]), "invalid type: sequence, expected a list envelope object"),
            (json!({"data": []}), "missing field `objectType`"),
            (json!({"objectType": "list"}), "missing field `data`"),
            (json!({"objectType": "end_user", "data": []}), "found objectType \"end_user\""),
        ] {
            let error = serde_json::from_value::<CursorPage<u8>>(bad).unwrap_err().to_string();
            assert!(error.contains(message), "{error}");
        }
    }

    #[test]
    fn remaining_count_is_read_from_any_number() {
        let count = |value: serde_json::Value| {
            serde_json::from_value::<CursorPage<u8>>(json!({"objectType": "list", "data": [], "remainingCount": value}))
                .map(|page| page.remaining_count)
                .map_err(|e| e.to_string())
        };
        assert_eq!(count(json!(3)), Ok(Some(3)));
        assert_eq!(count(json!(3.0)), Ok(Some(3)));
        assert_eq!(count(json!(2.75)), Ok(Some(2)));
        assert_eq!(count(json!(-1)), Ok(Some(-1)));
        assert_eq!(count(json!(null)), Ok(None));
        for bad in [json!(1e300), json!(u64::MAX), json!("3")] {
            let error = count(bad.clone()).unwrap_err();
            assert!(error.contains("expected a number of records"), "{bad}: {error}");
        }
    }

    #[test]
    fn a_page_serializes_as_the_envelope() {
        let page = CursorPage::new(vec![1u8], Some("c".into()), 4);
        assert_eq!(
            serde_json::to_value(&page).unwrap(),
            json!({"objectType": "list", "data": [1], "nextCursor": "c", "hasMore": true, "remainingCount": 4})
        );
    }
}
