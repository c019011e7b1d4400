//! Turns a response into the declared type, or into a typed error naming what
//! was wrong.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::error::{ApiError, DecodeError};
use crate::transport::Response;
use crate::{Error, Result};

/// Decodes a 2xx body as `T`; any other status is an [`Error::Api`].
pub(crate) fn json<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<T> {
    check_status(response)?;
    // The fast path decodes without tracking where it is; only a failure pays
    // for a second pass that finds the failing field's path.
    serde_json::from_slice(response.body()).map_err(|_| locate_error::<T>(response))
}

/// Decodes a 2xx list envelope `{"objectType":"list","data":[...]}`.
pub(crate) fn list<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<Vec<T>> {
    json::<ListEnvelope<T>>(response).map(|envelope| envelope.data)
}

pub(crate) fn check_status(response: &Response<Bytes>) -> Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    Err(Error::Api(Box::new(ApiError::from_response(response))))
}

fn locate_error<T: DeserializeOwned>(response: &Response<Bytes>) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(response.body());
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(error) => {
            let path = error.path().to_string();
            let path = if path == "." { String::new() } else { path };
            (path, error.into_inner().to_string())
        }
        Ok(_) => match deserializer.end() {
            Err(error) => (String::new(), error.to_string()),
            Ok(()) => (String::new(), "the body did not decode".to_owned()),
        },
    };
    let message = if response.body().is_empty() { "the body is empty".to_owned() } else { message };
    invalid(response, path, message)
}

/// A decode error naming where in the body of `response` it was wrong
/// (empty for the body as a whole) and what was wrong there.
pub(crate) fn invalid(response: &Response<Bytes>, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status(),
        path: path.into(),
        message: message.into(),
        request_id: response.request_id().map(str::to_owned),
        attempts: response.attempts(),
    }))
}

/// `{"objectType":"list","data":[...]}`; other fields are ignored. Written by
/// hand so that only an object is accepted (derived structs also accept
/// arrays, which would give a confusing error).
struct ListEnvelope<T> {
    data: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListEnvelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
            type Value = ListEnvelope<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list envelope object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut tagged = false;
                let mut data = None;
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::ObjectType => {
                            map.next_value::<ListTag>()?;
                            tagged = true;
                        }
                        Field::Data => data = Some(map.next_value()?),
                        Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if !tagged {
                    return Err(de::Error::missing_field("objectType"));
                }
                let data = data.ok_or_else(|| de::Error::missing_field("data"))?;
                Ok(ListEnvelope { data })
            }
        }

        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "camelCase")]
        enum Field {
            ObjectType,
            Data,
            #[serde(other)]
            Other,
        }

        deserializer.deserialize_map(EnvelopeVisitor(PhantomData))
    }
}

/// The `objectType` of a list envelope: accepts only the string `"list"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListTag;

impl serde::Serialize for ListTag {
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
