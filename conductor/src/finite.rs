//! A check that a value holds no NaN or infinity before it is put on the
//! wire: JSON cannot carry them, and serde_json would write `null` (or a
//! query would drop the parameter) without a word.

use std::fmt;

use serde::ser::{self, Serialize};

/// Where a non-finite number was found, as a field path (`lines[2].quantity`).
#[derive(Debug)]
pub(crate) struct NonFinite(String);

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_str() {
            "" => f.write_str("a number is NaN or infinite, which JSON cannot carry"),
            path => write!(f, "`{path}` is NaN or infinite, which JSON cannot carry"),
        }
    }
}

impl std::error::Error for NonFinite {}

impl ser::Error for NonFinite {
    fn custom<T: fmt::Display>(_: T) -> Self {
        // Any other failure is serde_json's to report, when it encodes.
        NonFinite(String::from("\u{0}"))
    }
}

impl NonFinite {
    /// Prefixes the path with the field or index it was found under.
    fn under(self, segment: fmt::Arguments<'_>) -> Self {
        let inner = self.0;
        let joined = match inner.as_str() {
            "" => segment.to_string(),
            rest if rest.starts_with('[') => format!("{segment}{rest}"),
            rest => format!("{segment}.{rest}"),
        };
        NonFinite(joined)
    }

    fn other(&self) -> bool {
        self.0.contains('\u{0}')
    }
}

/// Fails when `value` holds a NaN or an infinite number, naming where.
/// Other serialization failures are left for the encoder to report.
pub(crate) fn check<T: Serialize + ?Sized>(value: &T) -> Result<(), NonFinite> {
    match value.serialize(Probe) {
        Err(error) if !error.other() => Err(error),
        _ => Ok(()),
    }
}

/// A serializer that writes nothing and only looks at numbers.
#[derive(Clone, Copy)]
struct Probe;

/// The same probe, for the parts of a list, map or struct.
struct Parts {
    index: usize,
    key: Option<String>,
}

type Out = Result<(), NonFinite>;

impl ser::Serializer for Probe {
    type Ok = ();
    type Error = NonFinite;
    type SerializeSeq = Parts;
    type SerializeTuple = Parts;
    type SerializeTupleStruct = Parts;
    type SerializeTupleVariant = Parts;
    type SerializeMap = Parts;
    type SerializeStruct = Parts;
    type SerializeStructVariant = Parts;

    fn serialize_f32(self, v: f32) -> Out {
        if v.is_finite() { Ok(()) } else { Err(NonFinite(String::new())) }
    }
    fn serialize_f64(self, v: f64) -> Out {
        if v.is_finite() { Ok(()) } else { Err(NonFinite(String::new())) }
    }
    fn serialize_bool(self, _: bool) -> Out {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Out {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Out {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Out {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Out {
        Ok(())
    }
    fn serialize_i128(self, _: i128) -> Out {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Out {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Out {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Out {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Out {
        Ok(())
    }
    fn serialize_u128(self, _: u128) -> Out {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Out {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Out {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Out {
        Ok(())
    }
    fn serialize_none(self) -> Out {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Out {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Out {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Out {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Out {
        value.serialize(self).map_err(|e| e.under(format_args!("{variant}")))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Parts, NonFinite> {
        Ok(Parts { index: 0, key: None })
    }
    fn serialize_tuple(self, _: usize) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Parts, NonFinite> {
        self.serialize_seq(None)
    }
}

impl Parts {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        let index = self.index;
        self.index += 1;
        value.serialize(Probe).map_err(|e| e.under(format_args!("[{index}]")))
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Out {
        value.serialize(Probe).map_err(|e| e.under(format_args!("{key}")))
    }
}

impl ser::SerializeSeq for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        self.element(value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeTuple for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        self.element(value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        self.element(value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        self.element(value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeMap for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Out {
        // A key is named in the path when it is text.
        self.key = serde_json::to_value(key).ok().and_then(|key| key.as_str().map(str::to_owned));
        key.serialize(Probe)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Out {
        let key = self.key.take().unwrap_or_default();
        self.field(&key, value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeStruct for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Out {
        self.field(key, value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Parts {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Out {
        self.field(key, value)
    }
    fn end(self) -> Out {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Line {
        quantity: Option<f64>,
    }

    #[derive(serde::Serialize)]
    struct Body {
        lines: Vec<Line>,
        rates: BTreeMap<String, f32>,
    }

    #[test]
    fn a_non_finite_number_is_found_and_named() {
        let body = |quantity: f64, rate: f32| Body {
            lines: vec![Line { quantity: Some(1.5) }, Line { quantity: Some(quantity) }],
            rates: BTreeMap::from([("a".to_owned(), rate)]),
        };
        assert!(check(&body(2.0, 0.5)).is_ok());
        assert_eq!(
            check(&body(f64::NAN, 0.5)).unwrap_err().to_string(),
            "`lines[1].quantity` is NaN or infinite, which JSON cannot carry"
        );
        assert_eq!(
            check(&body(1.0, f32::INFINITY)).unwrap_err().to_string(),
            "`rates.a` is NaN or infinite, which JSON cannot carry"
        );
        assert_eq!(
            check(&f64::NEG_INFINITY).unwrap_err().to_string(),
            "a number is NaN or infinite, which JSON cannot carry"
        );
        assert!(check(&[1.0, f64::MAX, f64::MIN_POSITIVE]).is_ok());
    }
}
