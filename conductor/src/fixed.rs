//! Fields the description fixes to one value, such as an invoice's
//! `objectType: "qbd_invoice"`: written when a record is serialized, so a
//! record re-encoded says what it is, and checked when one is decoded, so
//! a customer is never read as an invoice.

use std::fmt;
use std::marker::PhantomData;

/// A value a [`Fixed`] field always has.
pub(crate) trait FixedValue {
    /// The value, as sent on the wire.
    const VALUE: &'static str;
}

/// A field whose value the description fixes to `V::VALUE`. It takes no
/// room; serializing writes the value, and decoding accepts that value or
/// no value at all (a record stored before the field was kept), and refuses
/// any other.
pub(crate) struct Fixed<V>(PhantomData<fn() -> V>);

impl<V> Default for Fixed<V> {
    fn default() -> Self {
        Fixed(PhantomData)
    }
}

impl<V> Clone for Fixed<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Fixed<V> {}

impl<V> PartialEq for Fixed<V> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<V> Eq for Fixed<V> {}

impl<V: FixedValue> fmt::Debug for Fixed<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(V::VALUE, f)
    }
}

impl<V: FixedValue> serde::Serialize for Fixed<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(V::VALUE)
    }
}

impl<'de, V: FixedValue> serde::Deserialize<'de> for Fixed<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expected(&'static str);

        impl serde::de::Expected for Expected {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }

        struct FixedVisitor<V>(PhantomData<fn() -> V>);

        impl<V: FixedValue> serde::de::Visitor<'_> for FixedVisitor<V> {
            type Value = Fixed<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", V::VALUE)
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Fixed<V>, E> {
                match value == V::VALUE {
                    true => Ok(Fixed::default()),
                    false => Err(E::invalid_value(serde::de::Unexpected::Str(value), &Expected(V::VALUE))),
                }
            }
        }

        deserializer.deserialize_str(FixedVisitor(PhantomData))
    }
}

/// Declares marker types for fixed values: `Name = "value"` becomes a type
/// `Name` whose [`FixedValue::VALUE`] is `"value"`.
macro_rules! fixed_values {
    ($( $name:ident = $value:literal, )*) => {$(
        #[derive(Debug)]
        pub(crate) struct $name;

        impl $crate::fixed::FixedValue for $name {
            const VALUE: &'static str = $value;
        }
    )*};
}
pub(crate) use fixed_values;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    fixed_values! {
        QbdInvoice = "qbd_invoice",
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Record {
        #[serde(default)]
        object_type: Fixed<QbdInvoice>,
        id: String,
    }

    #[test]
    fn the_fixed_value_is_written_and_checked() {
        let record = Record { id: "1".into(), ..Default::default() };
        assert_eq!(serde_json::to_string(&record).unwrap(), r#"{"objectType":"qbd_invoice","id":"1"}"#);
        assert_eq!(serde_json::from_str::<Record>(r#"{"objectType":"qbd_invoice","id":"1"}"#).unwrap(), record);
        // Absent is accepted.
        assert_eq!(serde_json::from_str::<Record>(r#"{"id":"1"}"#).unwrap(), record);
        let mut decoder = serde_json::Deserializer::from_str(r#"{"objectType":"qbd_customer","id":"1"}"#);
        let error = serde_path_to_error::deserialize::<_, Record>(&mut decoder).unwrap_err();
        assert_eq!(error.path().to_string(), "objectType");
        assert!(
            error.to_string().contains(r#"invalid value: string "qbd_customer", expected "qbd_invoice""#),
            "{error}"
        );
        assert_eq!(format!("{:?}", record), r#"Record { object_type: "qbd_invoice", id: "1" }"#);
    }
}
