//! JSON Schema pieces the OpenAPI document shares, so that a rule every crate's validation
//! enforces on text is stated in one place.

use utoipa::openapi::schema::{Array, ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

/// Printable text with something besides white space: no control character (Unicode `Cc`,
/// what `char::is_control` finds) anywhere, and one character that is neither control nor
/// white space. Names and versions of models follow it.
pub const PRINTABLE_TEXT: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// Text with something besides white space (JSON Schema patterns are searched, not anchored).
pub const NOT_BLANK: &str = r"\S";

/// A string of `min..=max` characters, matching `pattern` when one is given.
pub fn text(min: usize, max: usize, pattern: Option<&str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(pattern)
        .build()
}

/// One of these strings.
pub fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// A list of at most `max_items` strings of `min..=max` characters each.
pub fn text_list(
    max_items: usize,
    min: usize,
    max: usize,
    pattern: Option<&str>,
) -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(text(min, max, pattern))
        .max_items(Some(max_items))
        .build()
}

/// `schema_type` that also takes `null`.
fn with_null(schema_type: &SchemaType) -> SchemaType {
    match schema_type {
        SchemaType::Type(t) => SchemaType::Array(vec![t.clone(), Type::Null]),
        SchemaType::Array(types) if !types.contains(&Type::Null) => {
            SchemaType::Array(types.iter().cloned().chain([Type::Null]).collect())
        }
        other => other.clone(),
    }
}

/// The same schema, or `null` (an `Option` field).
pub fn or_null(mut schema: Object) -> Object {
    schema.schema_type = with_null(&schema.schema_type);
    schema
}

/// The same list schema, or `null`.
pub fn list_or_null(mut schema: Array) -> Array {
    schema.schema_type = with_null(&schema.schema_type);
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_states_its_bounds() {
        let json = serde_json::to_value(text(1, 200, Some(PRINTABLE_TEXT))).expect("json");
        assert_eq!(json["type"], "string");
        assert_eq!(json["minLength"], 1);
        assert_eq!(json["maxLength"], 200);
        assert_eq!(json["pattern"], PRINTABLE_TEXT);
        let list = serde_json::to_value(text_list(50, 1, 64, Some(NOT_BLANK))).expect("json");
        assert_eq!(list["maxItems"], 50);
        assert_eq!(list["items"]["maxLength"], 64);
        let json = serde_json::to_value(or_null(text(0, 5, None))).expect("json");
        assert_eq!(json["type"], serde_json::json!(["string", "null"]));
        let json = serde_json::to_value(list_or_null(text_list(1, 0, 5, None))).expect("json");
        assert_eq!(json["type"], serde_json::json!(["array", "null"]));
    }
}
