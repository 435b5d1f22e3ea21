//! The OpenAPI schemas of the model fields whose rules [`crate::validate`] enforces, built from
//! the same limits so that the document and the server cannot disagree.

use crate::validate::{
    MAX_COLUMN, MAX_COLUMN_LIST, MAX_DESCRIPTION, MAX_FRAMEWORK, MAX_NAME, MAX_TAG, MAX_TAGS,
    MAX_VERSION,
};
use driftguard_core::schema::{NOT_BLANK, PRINTABLE_TEXT, list_or_null, or_null, text, text_list};
use utoipa::openapi::schema::{Array, Object};

/// `name`: printable text, 1 to 200 characters.
pub fn name() -> Object {
    text(1, MAX_NAME, Some(PRINTABLE_TEXT))
}

/// `version`: printable text, 1 to 100 characters.
pub fn version() -> Object {
    text(1, MAX_VERSION, Some(PRINTABLE_TEXT))
}

/// `description`: at most 10,000 characters, or `null`.
pub fn description() -> Object {
    or_null(text(0, MAX_DESCRIPTION, None))
}

/// `framework`: at most 100 characters, or `null`.
pub fn framework() -> Object {
    or_null(text(0, MAX_FRAMEWORK, None))
}

/// `tags`: at most 50, each 1 to 64 characters and not blank.
pub fn tags() -> Array {
    text_list(MAX_TAGS, 1, MAX_TAG, Some(NOT_BLANK))
}

/// `tags` of a patch: as [`tags`], or `null` for no change.
pub fn tags_or_null() -> Array {
    list_or_null(tags())
}

/// A column name: 1 to 256 characters, or `null`.
pub fn column() -> Object {
    or_null(text(1, MAX_COLUMN, None))
}

/// A list of column names: at most 1,000 of 1 to 256 characters.
pub fn columns() -> Array {
    text_list(MAX_COLUMN_LIST, 1, MAX_COLUMN, None)
}
