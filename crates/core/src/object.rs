//! Struct fields that take JSON objects only. serde's derive also builds a struct from an
//! array of its fields in order (`[null, []]`), which no client of this API means and the
//! OpenAPI document does not allow; these helpers refuse it while keeping the error paths
//! (`rules[2].metric`) that callers report, since the map is read in place.
//!
//! Use as `#[serde(deserialize_with = "driftguard_core::object::one")]`, `…::option` for an
//! `Option`, `…::list` for a `Vec` of structs; [`Object`] wraps a whole body.

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de};
use std::fmt;
use std::marker::PhantomData;

/// A `T` read from a JSON object only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        one(de).map(Object)
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ObjectVisitor<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<T, D::Error> {
        de.deserialize_map(self)
    }
}

/// A struct from a JSON object.
pub fn one<'de, D: Deserializer<'de>, T: Deserialize<'de>>(de: D) -> Result<T, D::Error> {
    de.deserialize_map(ObjectVisitor(PhantomData))
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        one(de).map(Some)
    }
}

/// An optional struct from a JSON object or `null`.
pub fn option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    de: D,
) -> Result<Option<T>, D::Error> {
    de.deserialize_option(OptionVisitor(PhantomData))
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of JSON objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The hint is the sender's word: bounded, so that it cannot reserve much.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(ObjectVisitor(PhantomData))? {
            items.push(item);
        }
        Ok(items)
    }
}

/// A list of structs, each from a JSON object.
pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(de: D) -> Result<Vec<T>, D::Error> {
    de.deserialize_seq(ListVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u8,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        #[serde(deserialize_with = "one")]
        one: Inner,
        #[serde(default, deserialize_with = "option")]
        maybe: Option<Inner>,
        #[serde(default, deserialize_with = "list")]
        many: Vec<Inner>,
    }

    fn parse(text: &str) -> Result<Outer, String> {
        serde_json::from_str::<Object<Outer>>(text)
            .map(|o| o.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn objects_are_taken() {
        let outer = parse(r#"{"one": {"a": 1}, "maybe": null, "many": [{"a": 2}]}"#).expect("ok");
        assert_eq!(outer.one, Inner { a: 1 });
        assert_eq!(outer.maybe, None);
        assert_eq!(outer.many, [Inner { a: 2 }]);
        let outer = parse(r#"{"one": {"a": 1}, "maybe": {"a": 3}}"#).expect("ok");
        assert_eq!(outer.maybe, Some(Inner { a: 3 }));
    }

    #[test]
    fn arrays_for_structs_are_refused() {
        for text in [
            r#"[{"a": 1}]"#,
            r#"{"one": [1]}"#,
            r#"{"one": {"a": 1}, "maybe": [1]}"#,
            r#"{"one": {"a": 1}, "many": [[2]]}"#,
        ] {
            let error = parse(text).expect_err(text);
            assert!(error.contains("JSON object"), "{text}: {error}");
        }
    }

    #[test]
    fn paths_reach_inside() {
        let mut de = serde_json::Deserializer::from_str(
            r#"{"one": {"a": 1}, "many": [{"a": 1}, {"b": 2}]}"#,
        );
        let error = serde_path_to_error::deserialize::<_, Object<Outer>>(&mut de).expect_err("b");
        assert_eq!(error.path().to_string(), "many[1].b");
        assert!(error.inner().to_string().contains("unknown field `b`"));
    }
}
