//! How a [`CursorStream`](crate::CursorStream) tells a list that goes on
//! from one that never ends, and a page's new records from repeats.
//!
//! Progress is judged by the records a page brings: a page with a record not
//! seen before is progress, whatever `remainingCount` does, so records added
//! or removed while a list is read never end it. Records are known by their
//! `id`, or by their whole content when they have none, and a record seen
//! before is not yielded again.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, Hasher, RandomState};

use bytes::Bytes;
use serde::Deserializer;
use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::decode;
use crate::page::CursorPage;
use crate::{Response, Result};

/// How many pages in a row may bring nothing new, while `remainingCount`
/// does not fall (or is absent), before the list is given up as stuck.
pub(crate) const MAX_STALLED_PAGES: u32 = 10;
/// How many pages in a row may bring nothing new while `remainingCount`
/// falls on each (records removed while the list is read) before the list
/// is given up: a count that falls by one per empty page from a huge number
/// must not keep a stream going forever.
pub(crate) const MAX_DRAINING_PAGES: u32 = 100;

/// What a stream has seen of a list so far.
#[derive(Default)]
pub(crate) struct Progress {
    /// The identities of the records yielded so far.
    seen: HashSet<u64>,
    hasher: RandomState,
    /// Pages in a row with nothing new and no fall in `remainingCount`.
    stalled: u32,
    /// Pages in a row with nothing new while `remainingCount` fell.
    draining: u32,
    /// The lowest `remainingCount` so far.
    lowest_remaining: Option<i64>,
}

/// What to do with a page: which of its records to yield, and the cursor of
/// the page after it.
pub(crate) struct Step {
    /// One entry per record of the page: whether it is new.
    pub(crate) fresh: Vec<bool>,
    /// The cursor to send next; `None` at the end of the list.
    pub(crate) next: Option<String>,
}

impl Progress {
    /// Reads the page in `raw` (without building its records), and says what
    /// follows it; an error when the envelope contradicts itself or the list
    /// does not progress.
    pub(crate) fn step(&mut self, raw: &Response<Bytes>) -> Result<Step> {
        let page = decode::body::<CursorPage<Identity>>(raw)?;
        let invalid = |path: &str, message: String| Err(decode::invalid(raw, path, message));
        let cursor = page.next_cursor.filter(|cursor| !cursor.is_empty());
        let fresh: Vec<bool> = page.data.iter().map(|record| self.seen.insert(record.key(&self.hasher))).collect();
        let cursor = match (page.has_more, cursor) {
            (false, None) => return Ok(Step { fresh, next: None }),
            // The cursor is the list's one cursor, still shown on its last
            // page; `remainingCount: 0` leaves no doubt that this is the end.
            (false, Some(_)) if page.remaining_count == Some(0) => return Ok(Step { fresh, next: None }),
            (true, Some(cursor)) => cursor,
            (true, None) => {
                return invalid(
                    "nextCursor",
                    "`hasMore` is true but there is no `nextCursor`, so the rest of the list cannot be fetched".into(),
                );
            }
            (false, Some(_)) => {
                return invalid(
                    "hasMore",
                    "`hasMore` is not true but `nextCursor` is set and `remainingCount` is not 0: the page does \
                     not say whether the list goes on, and ending here could cut it"
                        .into(),
                );
            }
        };
        let fell = matches!((self.lowest_remaining, page.remaining_count), (Some(low), Some(now)) if now < low);
        if let Some(now) = page.remaining_count {
            self.lowest_remaining = Some(self.lowest_remaining.map_or(now, |low| low.min(now)));
        }
        if fresh.contains(&true) {
            (self.stalled, self.draining) = (0, 0);
        } else if fell {
            self.draining += 1;
        } else {
            self.stalled += 1;
        }
        if self.stalled >= MAX_STALLED_PAGES || self.draining >= MAX_DRAINING_PAGES {
            let pages = self.stalled.max(self.draining);
            return invalid(
                "data",
                format!(
                    "{pages} pages in a row brought no record not seen before while claiming more; the list \
                     does not progress, and following it could repeat pages forever"
                ),
            );
        }
        Ok(Step { fresh, next: Some(cursor) })
    }
}

/// A record reduced to what tells it apart: a hash of its `id`, or of its
/// whole content when it has no `id`. Read without building the record.
pub(crate) struct Identity {
    id: Option<u64>,
    content: u64,
}

impl Identity {
    fn key(&self, hasher: &RandomState) -> u64 {
        match self.id {
            Some(id) => hasher.hash_one((0u8, id)),
            None => hasher.hash_one((1u8, self.content)),
        }
    }
}

/// A fixed hasher for the content of one record: the stream's own
/// `RandomState` keys the final set, so this one need not be random.
fn content_hasher() -> std::hash::DefaultHasher {
    std::hash::DefaultHasher::new()
}

impl<'de> Deserialize<'de> for Identity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let mut content = content_hasher();
        let mut id = None;
        deserializer.deserialize_any(Hashing { hasher: &mut content, id: Some(&mut id) })?;
        Ok(Identity { id, content: content.finish() })
    }
}

/// Feeds every part of a JSON value to a hasher; at the top of a record, it
/// also hashes the `id` on its own.
struct Hashing<'a> {
    hasher: &'a mut std::hash::DefaultHasher,
    /// Where the record's `id` goes, for the record itself (not for values
    /// nested in it).
    id: Option<&'a mut Option<u64>>,
}

impl<'de> DeserializeSeed<'de> for Hashing<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Tags that keep `"1"` and `1`, or `[]` and `{}`, apart in the hash.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Tag {
    Null,
    Bool,
    Integer,
    Unsigned,
    Float,
    Text,
    List,
    Object,
    End,
}

impl Hashing<'_> {
    fn tag(&mut self, tag: Tag) {
        self.hasher.write_u8(tag as u8);
    }
}

impl<'de> Visitor<'de> for Hashing<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(mut self) -> std::result::Result<(), E> {
        self.tag(Tag::Null);
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(mut self, v: bool) -> std::result::Result<(), E> {
        self.tag(Tag::Bool);
        self.hasher.write_u8(v.into());
        Ok(())
    }

    fn visit_i64<E: de::Error>(mut self, v: i64) -> std::result::Result<(), E> {
        self.tag(Tag::Integer);
        self.hasher.write_i64(v);
        Ok(())
    }

    fn visit_u64<E: de::Error>(mut self, v: u64) -> std::result::Result<(), E> {
        self.tag(Tag::Unsigned);
        self.hasher.write_u64(v);
        Ok(())
    }

    fn visit_f64<E: de::Error>(mut self, v: f64) -> std::result::Result<(), E> {
        self.tag(Tag::Float);
        self.hasher.write_u64(v.to_bits());
        Ok(())
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> std::result::Result<(), E> {
        self.tag(Tag::Text);
        self.hasher.write(v.as_bytes());
        self.hasher.write_u8(0xff);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> std::result::Result<(), A::Error> {
        self.tag(Tag::List);
        while seq.next_element_seed(Hashing { hasher: &mut *self.hasher, id: None })?.is_some() {}
        self.tag(Tag::End);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> std::result::Result<(), A::Error> {
        self.tag(Tag::Object);
        while let Some(is_id) = map.next_key_seed(Key { hasher: &mut *self.hasher })? {
            match (&mut self.id, is_id) {
                (Some(id), true) => {
                    let mut own = content_hasher();
                    map.next_value_seed(Hashing { hasher: &mut own, id: None })?;
                    let hash = own.finish();
                    **id = Some(hash);
                    self.hasher.write_u64(hash);
                }
                _ => map.next_value_seed(Hashing { hasher: &mut *self.hasher, id: None })?,
            }
        }
        self.tag(Tag::End);
        Ok(())
    }
}

/// An object's key, hashed; says whether it is `id`.
struct Key<'a> {
    hasher: &'a mut std::hash::DefaultHasher,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<bool, E> {
        self.hasher.write(v.as_bytes());
        self.hasher.write_u8(0xfe);
        Ok(v == "id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_known_by_their_id_else_by_their_content() {
        let id = |json: &str| serde_json::from_str::<Identity>(json).unwrap().id;
        assert_eq!(id(r#"{"id":"a","x":1}"#), id(r#"{"x":2,"id":"a"}"#));
        assert_ne!(id(r#"{"id":"a"}"#), id(r#"{"id":"b"}"#));
        assert_eq!(id(r#"{"lines":[{"id":"a"}]}"#), None, "only the record's own id");
        let content = |json: &str| serde_json::from_str::<Identity>(json).unwrap().content;
        assert_eq!(content(r#"{"x":[1,{"y":null}]}"#), content(r#"{"x":[1,{"y":null}]}"#));
        for (a, b) in [(r#"{"x":1}"#, r#"{"x":"1"}"#), (r#"{"x":[]}"#, r#"{"x":{}}"#), (r#"[1,2]"#, r#"[[1],2]"#)] {
            assert_ne!(content(a), content(b), "{a} {b}");
        }
    }
}
