//! Data from the browser (engineers and above): upload a model's reference data, and run an
//! evaluation on a file of current data with the column roles shown and editable, through
//! the same use cases as `PUT /models/{id}/reference` and `POST /models/{id}/evaluations`.
//! The forms are multipart (a file input, last): the text fields before the file are read
//! and checked first (the CSRF token, the roles), then the file goes to the use case as it
//! arrives, up to the upload limit and no further, as a body does through the API. A small
//! script shows the upload's progress; without it the forms work the same.

use actix_multipart::{Field as Part, Multipart};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use driftguard_app::incoming::{self, BodyError, Refusal};
use driftguard_app::{DataFormat, EvaluateOptions};
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, ModelId};
use driftguard_governance::EvaluationOptions;
use driftguard_registry::{Model, ModelColumns};
use driftguard_stats::drift::DriftMethod;
use futures_util::TryStreamExt;
use maud::{Markup, html};
use std::collections::BTreeMap;

use crate::assets::upload_script_path;
use crate::errors::UiError;
use crate::fields::{Field, error_summary};
use crate::layout::{self, Nav};
use crate::notice::Done;
use crate::respond;
use crate::session::{CSRF_FIELD, Viewer};
use crate::state::Ui;

/// The most a text field of these forms may hold.
const MAX_TEXT_FIELD: usize = 64 * 1024;

/// Which form was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Upload {
    Reference,
    Evaluation,
}

impl Upload {
    fn prefix(self) -> &'static str {
        match self {
            Upload::Reference => "reference",
            Upload::Evaluation => "evaluation",
        }
    }
}

/// The text fields a form sent before its file.
#[derive(Debug, Default)]
struct Sent {
    fields: BTreeMap<String, String>,
}

impl Sent {
    fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }

    fn column(&self, name: &str) -> Option<String> {
        Some(self.text(name).to_owned()).filter(|c| !c.is_empty())
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.text(name)
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// Reads the multipart body's text fields (up to [`MAX_TEXT_FIELD`] each) up to its file,
/// which it answers unread. The forms put the file last, so that what the file is read with
/// is known first; fields after it are not read.
async fn read_up_to_file(body: &mut Multipart) -> Result<(Sent, Option<Part>), UiError> {
    let mut sent = Sent::default();
    while let Some(mut field) = body.try_next().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            return Ok((sent, Some(field)));
        }
        let bytes = match field.bytes(MAX_TEXT_FIELD).await {
            Ok(bytes) => bytes.map_err(malformed)?,
            Err(_) => return Err(UiError::Invalid(format!("The field {name} is too long."))),
        };
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| UiError::Invalid(format!("The field {name} is not text.")))?;
        sent.fields.insert(name, text);
    }
    Ok((sent, None))
}

fn malformed(e: impl std::fmt::Display) -> UiError {
    UiError::Invalid(format!("The form could not be read: {e}."))
}

/// The file's format: by its name's extension, else by the type the browser declared.
fn format_of(name: &str, declared: Option<&str>) -> Option<DataFormat> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        Some(DataFormat::Csv)
    } else if lower.ends_with(".json") {
        Some(DataFormat::Json)
    } else if lower.ends_with(".parquet") {
        Some(DataFormat::Parquet)
    } else {
        declared.and_then(DataFormat::from_content_type)
    }
}

/// `GET /ui/models/{id}/data`.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
) -> Result<Markup, UiError> {
    let model = ui.services.models.get(id.into_inner()).await?;
    Ok(page(&viewer, &model, None, &[], None))
}

/// `POST /ui/models/{id}/reference`.
pub async fn upload_reference(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    body: Multipart,
) -> Result<HttpResponse, UiError> {
    submit(viewer, ui, id.into_inner(), body, Upload::Reference).await
}

/// `POST /ui/models/{id}/evaluate`.
pub async fn evaluate(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    body: Multipart,
) -> Result<HttpResponse, UiError> {
    submit(viewer, ui, id.into_inner(), body, Upload::Evaluation).await
}

async fn submit(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: ModelId,
    mut body: Multipart,
    upload: Upload,
) -> Result<HttpResponse, UiError> {
    let actor = viewer.actor();
    actor.require(Action::EditModels)?;
    let model = ui.services.models.get(id).await?;
    let max_bytes = ui.services.references.limits().max_bytes;
    let (sent, file) = read_up_to_file(&mut body).await?;
    viewer.check_csrf(sent.text(CSRF_FIELD))?;
    let refuse = |errors: &[FieldError], status: StatusCode| -> Result<HttpResponse, UiError> {
        Ok(refused(
            &viewer,
            &model,
            upload,
            errors,
            Some(&sent),
            status,
        ))
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    // A file input left empty sends a part without a file name.
    let named = file.map(|file| {
        let name = file
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        (file, name)
    });
    let Some((file, name)) = named.filter(|(_, name)| !name.is_empty()) else {
        let errors = [FieldError::new("file", "choose a file with data in it")];
        return refuse(&errors, unprocessable);
    };
    let declared = file.content_type().map(|m| m.essence_str().to_owned());
    let Some(format) = format_of(&name, declared.as_deref()) else {
        let errors = [FieldError::new(
            "file",
            "choose a CSV, JSON or Parquet file (its name ending in .csv, .json or .parquet)",
        )];
        return refuse(&errors, unprocessable);
    };
    let model_page = format!("{}/models/{id}", crate::BASE);
    let (services, actor, model_page) = (&ui.services, &actor, model_page.as_str());
    let answer = match upload {
        Upload::Reference => {
            incoming::streamed(file, None, max_bytes, |data| async move {
                let profile = services
                    .references
                    .upload_reference(id, data, format, BTreeMap::new(), actor)
                    .await?;
                tracing::info!(model_id = id.0, rows = profile.rows, "reference.uploaded");
                Ok::<_, DomainError>(Done::Reference(id).link(model_page, &[]))
            })
            .await
        }
        Upload::Evaluation => {
            let options = match options(&sent) {
                Ok(options) => options,
                Err(errors) => return refuse(&errors, unprocessable),
            };
            incoming::streamed(file, None, max_bytes, |data| async move {
                let evaluation = services
                    .evaluations
                    .evaluate(id, data, format, options, actor)
                    .await?;
                tracing::info!(
                    model_id = id.0,
                    evaluation_id = evaluation.id.0,
                    "evaluation.completed"
                );
                Ok::<_, DomainError>(Done::Evaluation(evaluation.id).link(model_page, &[]))
            })
            .await
        }
    };
    let e = match answer {
        Ok(location) => return Ok(respond::see_other(&location)),
        Err(Refusal::Body(BodyError::TooLarge { limit })) => {
            let message = format!("The file is larger than the limit of {limit} bytes.");
            return refuse(
                &[FieldError::new("file", message)],
                StatusCode::PAYLOAD_TOO_LARGE,
            );
        }
        Err(Refusal::Body(BodyError::Stalled)) => {
            let message = format!(
                "The file stopped arriving: nothing came for {} s. Try again.",
                incoming::IDLE_LIMIT.as_secs()
            );
            return refuse(
                &[FieldError::new("file", message)],
                StatusCode::REQUEST_TIMEOUT,
            );
        }
        Err(Refusal::Body(BodyError::Broken(how))) => return Err(malformed(how)),
        Err(Refusal::UseCase(e)) => e,
    };
    match e {
        DomainError::Invalid { .. } | DomainError::TooLarge(_) | DomainError::Conflict(_) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(unprocessable);
            let errors = match e {
                DomainError::Invalid { errors, message } if errors.is_empty() => {
                    vec![FieldError::new("file", message)]
                }
                DomainError::Invalid { errors, .. } => errors,
                other => vec![FieldError::new("file", other.to_string())],
            };
            refuse(&errors, status)
        }
        e => Err(e.into()),
    }
}

/// The evaluation's options from the form: the roles as typed (the model's when left as
/// shown), and a drift method for every column if one was chosen.
fn options(sent: &Sent) -> Result<EvaluateOptions, Vec<FieldError>> {
    let method = match sent.text("drift_method") {
        "" => None,
        name => Some(
            name.parse::<DriftMethod>()
                .map_err(|e| vec![FieldError::new("drift_method", e.to_string())])?,
        ),
    };
    Ok(EvaluateOptions {
        drift: EvaluationOptions {
            drift_method: method,
            ..EvaluationOptions::default()
        },
        columns: Some(ModelColumns {
            prediction: sent.column("prediction"),
            label: sent.column("label"),
            score: sent.column("score"),
            sensitive: sent.list("sensitive"),
            ignore: sent.list("ignore"),
        }),
    })
}

fn refused(
    viewer: &Viewer,
    model: &Model,
    upload: Upload,
    errors: &[FieldError],
    sent: Option<&Sent>,
    status: StatusCode,
) -> HttpResponse {
    respond::page(status, page(viewer, model, Some(upload), errors, sent))
}

/// The field of `upload`'s form an error names: a role's field, else the file's (what the
/// data gets wrong is about the file).
fn field_id(upload: Upload, field: &str) -> String {
    let prefix = upload.prefix();
    for role in [
        "prediction",
        "label",
        "score",
        "sensitive",
        "ignore",
        "drift_method",
    ] {
        if upload == Upload::Evaluation && field.contains(role) {
            return format!("{prefix}-{role}");
        }
    }
    format!("{prefix}-file")
}

/// The data page: both forms, with `errors` at the top and at the fields of the form that
/// was sent (`failed`), which keeps what was typed.
fn page(
    viewer: &Viewer,
    model: &Model,
    failed: Option<Upload>,
    errors: &[FieldError],
    sent: Option<&Sent>,
) -> Markup {
    let title = format!("Data: {} {}", model.name, model.version);
    let allowed = viewer.actor().require(Action::EditModels).is_ok();
    let located: Vec<(String, &FieldError)> = match failed {
        Some(upload) => errors
            .iter()
            .map(|e| (field_id(upload, &e.field), e))
            .collect(),
        None => Vec::new(),
    };
    let at = |id: &str| -> Vec<&str> {
        located
            .iter()
            .filter(|(at, _)| at == id)
            .map(|(_, e)| e.message.as_str())
            .collect()
    };
    let kept = |upload: Upload, name: &str, shown: Option<&str>| -> String {
        match sent.filter(|_| failed == Some(upload)) {
            Some(sent) => sent.text(name).to_owned(),
            None => shown.unwrap_or_default().to_owned(),
        }
    };
    let c = &model.columns;
    let sensitive = c.sensitive.join(", ");
    let ignore = c.ignore.join(", ");
    layout::page(
        viewer,
        Nav::Models,
        &title,
        html! {
            (super::breadcrumb(model, "Data"))
            h1 { (title) }
            @if !allowed {
                p #data-why.alert { "Engineers, approvers and admins can upload data and run evaluations; you are signed in as "
                    (viewer.user.role.as_str()) "." }
            }
            (error_summary("Nothing was stored", &located.iter().map(|(id, e)| (Some(id.clone()), e.message.clone())).collect::<Vec<_>>()))
            section aria-labelledby="reference-title" {
                h2 #reference-title { "Reference data" }
                p { @if model.has_reference { "Uploading replaces the reference data; the replacement is recorded." }
                    @else { "The data the model was trained or validated on: evaluations compare current data with it." } }
                form #reference-form.stack method="post" enctype="multipart/form-data"
                  action={ (crate::BASE) "/models/" (model.id) "/reference" } data-progress="reference-progress" {
                    fieldset disabled[!allowed] {
                        legend.visually-hidden { "Reference data" }
                        input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                        (file_field("reference-file", &at("reference-file")))
                        progress #reference-progress hidden max="100" value="0" { "0%" }
                        button #upload-reference type="submit" { "Upload reference data" }
                    }
                }
            }
            section aria-labelledby="evaluation-title" {
                h2 #evaluation-title { "Evaluate current data" }
                @if !model.has_reference { p.muted { "Upload reference data first: an evaluation compares with it." } }
                form #evaluation-form.stack method="post" enctype="multipart/form-data"
                  action={ (crate::BASE) "/models/" (model.id) "/evaluate" } data-progress="evaluation-progress" {
                    fieldset disabled[!allowed] {
                        legend { "Column roles (the model's, as registered; change them for this evaluation)" }
                        input type="hidden" name=(CSRF_FIELD) value=(viewer.csrf);
                        (text_field("evaluation-prediction", "prediction", "Prediction column", &kept(Upload::Evaluation, "prediction", c.prediction.as_deref()), &at("evaluation-prediction")))
                        (text_field("evaluation-label", "label", "Label column", &kept(Upload::Evaluation, "label", c.label.as_deref()), &at("evaluation-label")))
                        (text_field("evaluation-score", "score", "Score column", &kept(Upload::Evaluation, "score", c.score.as_deref()), &at("evaluation-score")))
                        (text_field("evaluation-sensitive", "sensitive", "Sensitive columns (comma-separated)", &kept(Upload::Evaluation, "sensitive", Some(&sensitive)), &at("evaluation-sensitive")))
                        (text_field("evaluation-ignore", "ignore", "Columns to leave out (comma-separated)", &kept(Upload::Evaluation, "ignore", Some(&ignore)), &at("evaluation-ignore")))
                        label for="evaluation-drift_method" { "Drift method" }
                        select #evaluation-drift_method name="drift_method" {
                            option value="" { "each column's default (as Evidently chooses)" }
                            @for m in DriftMethod::ALL {
                                option value=(m.as_str()) selected[kept(Upload::Evaluation, "drift_method", None) == m.as_str()] { (m.as_str()) }
                            }
                        }
                        // Last: the text fields before it are read first (see `read_up_to_file`).
                        (file_field("evaluation-file", &at("evaluation-file")))
                        progress #evaluation-progress hidden max="100" value="0" { "0%" }
                        button #run-evaluation type="submit" { "Evaluate" }
                    }
                }
            }
            script src=(upload_script_path()) defer {}
        },
    )
}

fn file_field(id: &str, errors: &[&str]) -> Markup {
    let field = Field {
        id,
        name: "file",
        label: "File (CSV, JSON or Parquet)",
        hidden_label: false,
        errors,
    };
    html! {
        label for=(id) { (field.label) }
        input id=(id) type="file" name="file" required
          accept=".csv,.json,.parquet,text/csv,application/json,application/vnd.apache.parquet"
          aria-invalid=[(!errors.is_empty()).then_some("true")]
          aria-describedby=[(!errors.is_empty()).then(|| format!("{id}-error"))];
        (field.errors())
    }
}

/// A visible text field of the evaluation form.
fn text_field(id: &str, name: &str, label: &str, value: &str, errors: &[&str]) -> Markup {
    Field {
        id,
        name,
        label,
        hidden_label: false,
        errors,
    }
    .text(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_name_then_the_declared_type() {
        assert_eq!(format_of("Data.CSV", None), Some(DataFormat::Csv));
        assert_eq!(
            format_of("x.parquet", Some("text/csv")),
            Some(DataFormat::Parquet)
        );
        assert_eq!(
            format_of("blob", Some("application/json")),
            Some(DataFormat::Json)
        );
        assert_eq!(format_of("notes.txt", Some("text/plain")), None);
    }

    #[test]
    fn errors_land_at_the_role_they_name_else_at_the_file() {
        assert_eq!(
            field_id(Upload::Evaluation, "columns.prediction"),
            "evaluation-prediction"
        );
        assert_eq!(field_id(Upload::Evaluation, "data"), "evaluation-file");
        assert_eq!(field_id(Upload::Reference, "prediction"), "reference-file");
    }
}
