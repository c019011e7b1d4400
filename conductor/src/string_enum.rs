//! Enums of string values that stay decodable when Conductor adds a value:
//! an unknown value becomes `Unknown(String)` instead of a decode error.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Declares a string enum with an `Unknown(String)` variant, `as_str`,
/// `Display`, `FromStr`, `Serialize` and `Deserialize`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of the crate does not know yet, kept as
            /// sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(value) => value,
                }
            }

            /// Every value this version knows, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[$( $value, )*];

            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $( $value => ::std::option::Option::Some(Self::$variant), )*
                    _ => ::std::option::Option::None,
                }
            }

            fn from_wire(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::string_enum::deserialize(deserializer, stringify!($name), Self::known, Self::Unknown)
            }
        }
    };
}
pub(crate) use string_enum;

/// The shared part of every string enum's `Deserialize`, kept out of the
/// macro so each enum adds little code.
pub(crate) fn deserialize<'de, D, T>(
    deserializer: D,
    name: &'static str,
    known: fn(&str) -> Option<T>,
    unknown: fn(String) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct StrVisitor<T> {
        name: &'static str,
        known: fn(&str) -> Option<T>,
        unknown: fn(String) -> T,
    }

    impl<T> Visitor<'_> for StrVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a string value of {}", self.name)
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            match (self.known)(value) {
                Some(known) => Ok(known),
                None => Ok((self.unknown)(value.to_owned())),
            }
        }
    }

    deserializer.deserialize_str(StrVisitor { name, known, unknown })
}
