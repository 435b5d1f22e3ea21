//! The rules for valid model fields, collected as field errors so that a client learns every
//! problem of a request at once.

use crate::model::{ModelColumns, ModelPatch, NewModel};
use driftguard_core::{DomainError, FieldError};

const MAX_NAME: usize = 200;
const MAX_VERSION: usize = 100;
const MAX_DESCRIPTION: usize = 10_000;
const MAX_FRAMEWORK: usize = 100;
const MAX_TAGS: usize = 50;
const MAX_TAG: usize = 64;
const MAX_COLUMN: usize = 256;
const MAX_COLUMN_LIST: usize = 1_000;

/// Names and versions: letters, digits and `._-`, starting with a letter or digit, so that
/// they are safe in URLs, file names and logs.
fn identifier(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let ok_start = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if value.is_empty() || value.len() > max {
        errors.push(FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ));
    } else if !ok_chars || !ok_start {
        errors.push(FieldError::new(
            field,
            "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit",
        ));
    }
}

fn text(field: &str, value: Option<&str>, max: usize, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
}

fn tags(tags: &[String], errors: &mut Vec<FieldError>) {
    if tags.len() > MAX_TAGS {
        errors.push(FieldError::new("tags", format!("at most {MAX_TAGS} tags")));
    }
    if tags
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > MAX_TAG)
    {
        errors.push(FieldError::new(
            "tags",
            format!("each tag must be 1 to {MAX_TAG} characters"),
        ));
    }
}

fn columns(columns: &ModelColumns, errors: &mut Vec<FieldError>) {
    let single = [
        ("columns.prediction", &columns.prediction),
        ("columns.label", &columns.label),
        ("columns.score", &columns.score),
    ];
    for (field, name) in single {
        if name
            .as_deref()
            .is_some_and(|n| n.is_empty() || n.len() > MAX_COLUMN)
        {
            errors.push(FieldError::new(
                field,
                format!("must be 1 to {MAX_COLUMN} characters"),
            ));
        }
    }
    for (field, list) in [
        ("columns.sensitive", &columns.sensitive),
        ("columns.ignore", &columns.ignore),
    ] {
        if list.len() > MAX_COLUMN_LIST || list.iter().any(|n| n.is_empty() || n.len() > MAX_COLUMN)
        {
            errors.push(FieldError::new(
                field,
                format!("at most {MAX_COLUMN_LIST} names of 1 to {MAX_COLUMN} characters"),
            ));
        }
    }
    // A column plays one role: a label that is also a feature to ignore is a mistake.
    let mut roles: Vec<&str> = single
        .iter()
        .filter_map(|(_, n)| n.as_deref())
        .chain(columns.sensitive.iter().map(String::as_str))
        .collect();
    let before = roles.len();
    roles.sort_unstable();
    roles.dedup();
    if roles.len() != before {
        errors.push(FieldError::new(
            "columns",
            "a column can have only one role among prediction, label, score and sensitive",
        ));
    }
}

fn finish(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::invalid_fields(errors))
    }
}

/// Checks a new model; trims its free-text fields first.
pub fn new_model(model: &mut NewModel) -> Result<(), DomainError> {
    model.name = model.name.trim().to_owned();
    model.version = model.version.trim().to_owned();
    let mut errors = Vec::new();
    identifier("name", &model.name, MAX_NAME, &mut errors);
    identifier("version", &model.version, MAX_VERSION, &mut errors);
    text(
        "description",
        model.description.as_deref(),
        MAX_DESCRIPTION,
        &mut errors,
    );
    text(
        "framework",
        model.framework.as_deref(),
        MAX_FRAMEWORK,
        &mut errors,
    );
    tags(&model.tags, &mut errors);
    columns(&model.columns, &mut errors);
    finish(errors)
}

/// Checks a patch.
pub fn patch(patch: &ModelPatch) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if patch.is_empty() {
        errors.push(FieldError::new("body", "names no field to change"));
    }
    text(
        "description",
        patch.description.as_ref().and_then(|d| d.as_deref()),
        MAX_DESCRIPTION,
        &mut errors,
    );
    text(
        "framework",
        patch.framework.as_ref().and_then(|d| d.as_deref()),
        MAX_FRAMEWORK,
        &mut errors,
    );
    if let Some(t) = &patch.tags {
        tags(t, &mut errors);
    }
    if let Some(c) = &patch.columns {
        columns(c, &mut errors);
    }
    finish(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftguard_core::{RiskTier, Task};

    fn model(name: &str, version: &str) -> NewModel {
        NewModel::new(name, version, Task::BinaryClassification, RiskTier::High)
    }

    fn fields(result: Result<(), DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Invalid { errors, .. }) => {
                errors.into_iter().map(|e| e.field).collect()
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn good_model_passes_and_is_trimmed() {
        let mut m = model("  credit-risk ", "1.0.0");
        assert!(new_model(&mut m).is_ok());
        assert_eq!(m.name, "credit-risk");
    }

    #[test]
    fn bad_identifiers_are_named() {
        let mut m = model("", "a b");
        assert_eq!(fields(new_model(&mut m)), ["name", "version"]);
        let mut m = model("-x", &"9".repeat(101));
        assert_eq!(fields(new_model(&mut m)), ["name", "version"]);
    }

    #[test]
    fn one_role_per_column() {
        let mut m = model("m", "1");
        m.columns.label = Some("y".into());
        m.columns.prediction = Some("y".into());
        assert_eq!(fields(new_model(&mut m)), ["columns"]);
    }

    #[test]
    fn empty_patch_is_refused() {
        assert_eq!(fields(patch(&ModelPatch::default())), ["body"]);
        let tags_only = ModelPatch {
            tags: Some(vec!["prod".into()]),
            ..ModelPatch::default()
        };
        assert!(patch(&tags_only).is_ok());
    }
}
