//! The rules for valid model fields, collected as field errors so that a client learns every
//! problem of a request at once.

use crate::model::{ModelColumns, ModelPatch, NewModel};
use driftguard_core::{ArtifactDigest, DomainError, FieldError};

/// Longest name, in characters as sent.
pub const MAX_NAME: usize = 200;
/// Longest version, in characters as sent.
pub const MAX_VERSION: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 10_000;
/// Longest framework name, in characters.
pub const MAX_FRAMEWORK: usize = 100;
/// Most tags on one model.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 64;
/// Longest column name, in characters.
pub const MAX_COLUMN: usize = 256;
/// Most names in a column-role list (`sensitive`, `ignore`).
pub const MAX_COLUMN_LIST: usize = 1_000;

/// Names and versions: any printable text (`Crédit scoring — retail`, `信用评分`), as
/// registries such as MLflow take them: at most `max` characters as sent, no control
/// characters, and something besides white space. `value` is as sent; the caller stores it
/// trimmed. The OpenAPI document states the same rule
/// (`driftguard_core::schema::PRINTABLE_TEXT`, in [`crate::schema`]).
fn identifier(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() || value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be 1 to {max} characters, not all white space"),
        ));
    } else if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
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

fn column_name_ok(name: &str) -> bool {
    (1..=MAX_COLUMN).contains(&name.chars().count())
}

fn columns(columns: &ModelColumns, errors: &mut Vec<FieldError>) {
    let single = [
        ("columns.prediction", &columns.prediction),
        ("columns.label", &columns.label),
        ("columns.score", &columns.score),
    ];
    for (field, name) in single {
        if name.as_deref().is_some_and(|n| !column_name_ok(n)) {
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
        if list.len() > MAX_COLUMN_LIST || !list.iter().all(|n| column_name_ok(n)) {
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

/// Checks an artefact digest and writes it in its one spelling (lower-case hex).
fn artifact_digest(digest: &mut Option<String>, errors: &mut Vec<FieldError>) {
    let Some(text) = digest.as_mut() else {
        return;
    };
    match text.parse::<ArtifactDigest>() {
        Ok(parsed) => *text = parsed.to_string(),
        Err(message) => errors.push(FieldError::new("artifact_digest", message)),
    }
}

fn finish(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::invalid_fields(errors))
    }
}

/// Checks a new model, then trims its name and version.
pub fn new_model(model: &mut NewModel) -> Result<(), DomainError> {
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
    artifact_digest(&mut model.artifact_digest, &mut errors);
    finish(errors)?;
    model.name = model.name.trim().to_owned();
    model.version = model.version.trim().to_owned();
    Ok(())
}

/// Checks a patch, then writes its artefact digest in lower case.
pub fn patch(patch: &mut ModelPatch) -> Result<(), DomainError> {
    let mut errors = Vec::new();
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
    if let Some(digest) = &mut patch.artifact_digest {
        artifact_digest(digest, &mut errors);
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
        let mut m = model("", " \u{3000} ");
        assert_eq!(fields(new_model(&mut m)), ["name", "version"]);
        let mut m = model("a\u{7}b", &"9".repeat(101));
        assert_eq!(fields(new_model(&mut m)), ["name", "version"]);
        let mut m = model(&"é".repeat(201), "1\n");
        assert_eq!(fields(new_model(&mut m)), ["name", "version"]);
    }

    #[test]
    fn names_and_versions_are_any_printable_text() {
        for (name, version) in [
            ("Crédit scoring — retail", "v2 (β)"),
            ("信用评分", "版本一"),
            ("fraud_v2%", "1.0.0\\x"),
        ] {
            let mut m = model(&format!("  {name}\u{a0}"), version);
            assert!(new_model(&mut m).is_ok(), "{name}");
            assert_eq!(m.name, name);
            assert_eq!(m.version, version);
        }
        let mut m = model(&"é".repeat(200), &"9".repeat(100));
        assert!(new_model(&mut m).is_ok());
    }

    #[test]
    fn column_names_are_counted_in_characters() {
        let mut m = model("m", "1");
        m.columns.sensitive = vec!["é".repeat(256)];
        assert!(new_model(&mut m).is_ok());
        m.columns.sensitive = vec!["é".repeat(257)];
        assert_eq!(fields(new_model(&mut m)), ["columns.sensitive"]);
    }

    #[test]
    fn one_role_per_column() {
        let mut m = model("m", "1");
        m.columns.label = Some("y".into());
        m.columns.prediction = Some("y".into());
        assert_eq!(fields(new_model(&mut m)), ["columns"]);
    }

    #[test]
    fn empty_patch_is_valid() {
        assert!(patch(&mut ModelPatch::default()).is_ok());
        let mut tags_only = ModelPatch {
            tags: Some(vec!["prod".into()]),
            ..ModelPatch::default()
        };
        assert!(patch(&mut tags_only).is_ok());
    }

    #[test]
    fn artifact_digests_are_checked_and_lower_cased() {
        let hex = "AB".repeat(32);
        let mut m = model("m", "1");
        m.artifact_digest = Some(format!("sha256:{hex}"));
        assert!(new_model(&mut m).is_ok());
        assert_eq!(
            m.artifact_digest,
            Some(format!("sha256:{}", hex.to_lowercase()))
        );
        m.artifact_digest = Some(format!("sha512:{hex}"));
        assert_eq!(fields(new_model(&mut m)), ["artifact_digest"]);

        let mut change = ModelPatch {
            artifact_digest: Some(Some(format!("sha256:{hex}"))),
            ..ModelPatch::default()
        };
        assert!(!change.is_empty());
        assert!(patch(&mut change).is_ok());
        assert_eq!(
            change.artifact_digest,
            Some(Some(format!("sha256:{}", hex.to_lowercase())))
        );
        let mut cleared = ModelPatch {
            artifact_digest: Some(None),
            ..ModelPatch::default()
        };
        assert!(patch(&mut cleared).is_ok());
        let mut bad = ModelPatch {
            artifact_digest: Some(Some("sha256:00".into())),
            ..ModelPatch::default()
        };
        assert_eq!(fields(patch(&mut bad)), ["artifact_digest"]);
    }
}
