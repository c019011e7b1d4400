//! The size of what a request asks for, checked before any of it is built:
//! an array of a body (`lines`, `applyToTransactions`, ...) may hold at most
//! so many items, so that the work a request makes, and the memory its
//! records take, is bounded by its size.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::failure::Failure;

/// Conductor's 400 for a body with an array longer than `limit`, naming
/// where; `Ok` for any other body, JSON or not (what is not JSON is refused
/// where it is read).
pub(crate) fn check(body: &[u8], limit: usize) -> Result<(), Failure> {
    if body.is_empty() {
        return Ok(());
    }
    let mut path = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match (Walk { limit, path: &mut path }).deserialize(&mut deserializer) {
        Err(error) if error.to_string().starts_with(TOO_LONG) => Err(Failure::invalid_parameters(&format!(
            "`{}`: Array must contain at most {limit} element(s)",
            if path.is_empty() { "body".to_owned() } else { path.join(".") }
        ))),
        _ => Ok(()),
    }
}

const TOO_LONG: &str = "array too long";

/// Walks a JSON value without building it, failing at the first array over
/// the limit; `path` is left naming where it is.
struct Walk<'a> {
    limit: usize,
    path: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut count = 0usize;
        loop {
            if count == self.limit {
                // One more item is one too many.
                return match seq.next_element::<IgnoredAny>()? {
                    Some(_) => Err(de::Error::custom(TOO_LONG)),
                    None => Ok(()),
                };
            }
            if seq.next_element_seed(Walk { limit: self.limit, path: &mut *self.path })?.is_none() {
                return Ok(());
            }
            count += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.path.push(key);
            map.next_value_seed(Walk { limit: self.limit, path: &mut *self.path })?;
            self.path.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> Option<String> {
        check(body.as_bytes(), 3).err().map(|failure| failure.message)
    }

    #[test]
    fn an_array_over_the_limit_is_refused_and_named() {
        assert_eq!(message(r#"{"lines":[{},{},{}]}"#), None);
        let refused = message(r#"{"memo":"x","lines":[{"a":[1,2,3]},{},{},{}]}"#).unwrap();
        assert!(
            refused.contains("Invalid request parameter: `lines`: Array must contain at most 3 element(s)"),
            "{refused}"
        );
        let nested = message(r#"{"lines":[{"links":[1,2,3,4]}]}"#).unwrap();
        assert!(nested.contains("`lines.links`"), "{nested}");
        assert_eq!(message("not json"), None);
        assert_eq!(message(""), None);
    }
}
