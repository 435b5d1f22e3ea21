//! Data uploads (reference data, current data for an evaluation): a CSV or Parquet body with
//! options in the query string (the body goes to the use case as it arrives), or a JSON
//! envelope `{"data": <dataset>, ...options}`, read whole. The envelope's `data` is taken as
//! raw text, so a large upload is not copied into a JSON tree.

use crate::body::parse_json;
use crate::error::ApiError;
use actix_web::web::Bytes;
use driftguard_app::EvaluateOptions;
use driftguard_governance::EvaluationOptions;
use driftguard_registry::ModelColumns;
use driftguard_stats::ColumnKind;
use driftguard_stats::drift::DriftMethod;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use utoipa::IntoParams;

/// `a:x,b:y` as pairs, for options in a query string.
fn pairs<T: std::str::FromStr>(field: &str, text: &str) -> Result<BTreeMap<String, T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (k, v) = pair
                .split_once(':')
                .ok_or_else(|| ApiError::invalid(field, format!("`{pair}` is not column:value")))?;
            let value = v
                .trim()
                .parse::<T>()
                .map_err(|e| ApiError::invalid(field, format!("`{pair}`: {e}")))?;
            Ok((k.trim().to_owned(), value))
        })
        .collect()
}

fn list(text: Option<&str>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// Reference data sent in the JSON envelope, and its column kinds.
pub struct ReferenceUpload {
    /// The envelope's `data`, as JSON text: a slice of the body, not a copy.
    pub data: Bytes,
    /// Forced column kinds.
    pub kinds: BTreeMap<String, ColumnKind>,
}

/// Query options of a CSV reference upload: `?kinds=zip:categorical,age:numeric`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferenceQuery {
    /// CSV and Parquet only: kinds forced by column, `column:numeric` or `column:categorical`, separated
    /// by commas.
    kinds: Option<String>,
}

/// `data` is borrowed: serde_json hands a borrowed raw value out as a slice of its input, so
/// that it can be cut from the body's buffer (`Bytes::slice_ref`) instead of copied.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceEnvelope<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
    #[serde(default)]
    kinds: BTreeMap<String, ColumnKind>,
}

/// Splits a reference upload's JSON envelope into the dataset and its kinds.
pub fn reference_envelope(body: &Bytes) -> Result<ReferenceUpload, ApiError> {
    let envelope: ReferenceEnvelope = parse_json(body)?;
    Ok(ReferenceUpload {
        data: body.slice_ref(envelope.data.get().as_bytes()),
        kinds: envelope.kinds,
    })
}

/// The column kinds of a CSV or Parquet reference upload, from its query.
pub fn reference_kinds(query: &ReferenceQuery) -> Result<BTreeMap<String, ColumnKind>, ApiError> {
    Ok(query
        .kinds
        .as_deref()
        .map(|k| pairs("kinds", k))
        .transpose()?
        .unwrap_or_default())
}

/// Query options of a CSV evaluation upload (a JSON upload has them in its envelope).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// CSV and Parquet only: the drift method of every column.
    #[param(schema_with = drift_method)]
    drift_method: Option<DriftMethod>,
    /// CSV and Parquet only: the drift threshold of every column (≥ 0).
    #[param(minimum = 0)]
    drift_threshold: Option<f64>,
    /// CSV and Parquet only: methods by column, `column:method` separated by commas.
    column_methods: Option<String>,
    /// CSV and Parquet only: the prediction column, when it differs from the model's.
    prediction: Option<String>,
    /// CSV and Parquet only: the label column, when it differs from the model's.
    label: Option<String>,
    /// CSV and Parquet only: the score column, when it differs from the model's.
    score: Option<String>,
    /// CSV and Parquet only: the sensitive columns, separated by commas.
    sensitive: Option<String>,
    /// CSV and Parquet only: the columns to leave out, separated by commas.
    ignore: Option<String>,
}

fn drift_method() -> utoipa::openapi::Object {
    driftguard_core::schema::one_of(DriftMethod::ALL.iter().map(|m| m.as_str()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationEnvelope<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
    #[serde(default)]
    drift_method: Option<DriftMethod>,
    #[serde(default)]
    drift_threshold: Option<f64>,
    #[serde(default)]
    column_methods: BTreeMap<String, DriftMethod>,
    #[serde(default, deserialize_with = "driftguard_core::object::option")]
    columns: Option<ModelColumns>,
}

/// Splits an evaluation upload's JSON envelope into the current data (as JSON text) and
/// the evaluation options.
pub fn evaluation_envelope(body: &Bytes) -> Result<(Bytes, EvaluateOptions), ApiError> {
    let envelope: EvaluationEnvelope = parse_json(body)?;
    let options = EvaluateOptions {
        drift: EvaluationOptions {
            drift_method: envelope.drift_method,
            drift_threshold: envelope.drift_threshold,
            column_methods: envelope.column_methods,
        },
        columns: envelope.columns,
    };
    let data = body.slice_ref(envelope.data.get().as_bytes());
    Ok((data, checked(options)?))
}

/// The evaluation options of a CSV or Parquet upload, from its query (the body is the data).
pub fn evaluation_options(query: &EvaluationQuery) -> Result<EvaluateOptions, ApiError> {
    let roles_given = query.prediction.is_some()
        || query.label.is_some()
        || query.score.is_some()
        || query.sensitive.is_some()
        || query.ignore.is_some();
    checked(EvaluateOptions {
        drift: EvaluationOptions {
            drift_method: query.drift_method,
            drift_threshold: query.drift_threshold,
            column_methods: query
                .column_methods
                .as_deref()
                .map(|m| pairs("column_methods", m))
                .transpose()?
                .unwrap_or_default(),
        },
        columns: roles_given.then(|| ModelColumns {
            prediction: query.prediction.clone(),
            label: query.label.clone(),
            score: query.score.clone(),
            sensitive: list(query.sensitive.as_deref()),
            ignore: list(query.ignore.as_deref()),
        }),
    })
}

/// `options`, unless their drift threshold is not a finite number ≥ 0.
fn checked(options: EvaluateOptions) -> Result<EvaluateOptions, ApiError> {
    if options
        .drift
        .drift_threshold
        .is_some_and(|t| !t.is_finite() || t < 0.0)
    {
        return Err(ApiError::invalid(
            "drift_threshold",
            "must be a finite number ≥ 0",
        ));
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_envelope_keeps_data_as_text() {
        let body = br#"{"data": {"columns": {"a": [1, 2]}}, "kinds": {"a": "categorical"}}"#;
        let upload = reference_envelope(&Bytes::from_static(body)).expect("ok");
        assert_eq!(upload.data, &br#"{"columns": {"a": [1, 2]}}"#[..]);
        assert_eq!(upload.kinds["a"], ColumnKind::Categorical);
        let envelope = |text: &'static [u8]| Bytes::from_static(text);
        assert!(reference_envelope(&envelope(b"{\"kinds\": {}}")).is_err());
        assert!(reference_envelope(&envelope(b"{not json")).is_err());
        let (data, options) = evaluation_envelope(&envelope(
            br#"{"data": [{"a": 1}], "drift_threshold": 0.2}"#,
        ))
        .expect("ok");
        assert_eq!(data, &br#"[{"a": 1}]"#[..]);
        assert_eq!(options.drift.drift_threshold, Some(0.2));
        let negative = envelope(br#"{"data": [], "drift_threshold": -1}"#);
        assert!(evaluation_envelope(&negative).is_err());
    }

    #[test]
    fn csv_options_come_from_the_query() {
        let query = EvaluationQuery {
            drift_method: Some(DriftMethod::Psi),
            column_methods: Some("a:ks, b:psi".into()),
            sensitive: Some("g,h".into()),
            ..EvaluationQuery::default()
        };
        let options = evaluation_options(&query).expect("ok");
        assert_eq!(options.drift.drift_method, Some(DriftMethod::Psi));
        assert_eq!(options.drift.column_methods.len(), 2);
        assert_eq!(options.columns.expect("roles").sensitive, ["g", "h"]);
        let bad = EvaluationQuery {
            column_methods: Some("a=ks".into()),
            ..EvaluationQuery::default()
        };
        assert!(evaluation_options(&bad).is_err());
        let kinds = ReferenceQuery {
            kinds: Some("zip:categorical".into()),
        };
        assert_eq!(
            reference_kinds(&kinds).expect("ok")["zip"],
            ColumnKind::Categorical
        );
    }
}
