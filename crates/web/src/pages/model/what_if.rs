//! What-if (engineers and above): one scenario — a column, an operation (shift, scale,
//! missing rate, move between categories) and one value or a list to sweep — run through the
//! same simulation as `POST /simulation/drift`, answered with the simulated status, risk
//! breakdown and drift table, or a sweep's chart with its tipping point. Nothing is stored,
//! so the form is a GET and its address can be shared.

use actix_web::web;
use driftguard_app::simulate::{DriftSimulation, DriftSimulationRequest, SimulatedOutcome, Sweep};
use driftguard_auth::Action;
use driftguard_core::{DomainError, FieldError, ModelId};
use driftguard_governance::simulation::{Move, Scenario, Values};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::evaluation;
use crate::charts::{self, SweepPoint};
use crate::errors::UiError;
use crate::fields::{Field, error_summary};
use crate::layout::{self, Nav};
use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{fixed, status_badge};

/// The operations a scenario can apply, as the API names them, with their labels.
const OPERATIONS: [(&str, &str); 4] = [
    ("shift", "shift (reference standard deviations added)"),
    ("scale", "scale (spread around the mean multiplied)"),
    ("missing_rate", "missing rate (share of rows made missing)"),
    ("move", "move (share of a category's rows relabelled)"),
];

/// The form's fields, as the query string carries them.
#[derive(Debug, Default, Deserialize)]
pub struct WhatIfQuery {
    #[serde(default)]
    column: String,
    #[serde(default)]
    operation: String,
    /// One number, or several separated by commas (a sweep).
    #[serde(default)]
    values: String,
    /// `move`: the category rows leave.
    #[serde(default)]
    from: String,
    /// `move`: the category they join.
    #[serde(default)]
    to: String,
    /// Rows to draw; empty for the reference's count. Text, so that an empty field (a form
    /// sends every field) and a bad number are the page's to explain, not the extractor's.
    #[serde(default)]
    rows: String,
    /// The generator's seed; empty for the default.
    #[serde(default)]
    seed: String,
}

/// An optional whole number typed into `field`: empty is none.
fn optional_number(field: &str, text: &str) -> Result<Option<u64>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| FieldError::new(field, "a whole number, or empty"))
}

impl WhatIfQuery {
    /// The scenario the form says, or the errors of what cannot be read (named as the API
    /// names them).
    fn scenario(&self) -> Result<Scenario, Vec<FieldError>> {
        let field = |name: &str| format!("scenarios[0].{name}");
        let numbers: Result<Vec<f64>, _> = self
            .values
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect();
        let values = match numbers {
            Ok(list) if self.values.contains(',') => Values::Many(list),
            Ok(mut one) if one.len() == 1 => Values::One(one.remove(0)),
            _ => {
                return Err(vec![FieldError::new(
                    "values",
                    "a number, or numbers separated by commas to sweep",
                )]);
            }
        };
        let mut scenario = Scenario {
            column: self.column.trim().to_owned(),
            shift: None,
            scale: None,
            missing_rate: None,
            relabel: None,
        };
        match self.operation.as_str() {
            "shift" => scenario.shift = Some(values),
            "scale" => scenario.scale = Some(values),
            "missing_rate" => scenario.missing_rate = Some(values),
            "move" => {
                scenario.relabel = Some(Move {
                    from: self.from.clone(),
                    to: self.to.clone(),
                    fraction: values,
                })
            }
            _ => {
                return Err(vec![FieldError::new(
                    field("operation"),
                    "choose an operation",
                )]);
            }
        }
        Ok(scenario)
    }
}

/// The form's field an error names, by the API's name of it.
fn field_id(field: &str) -> Option<&'static str> {
    let name = field.strip_prefix("scenarios[0].").unwrap_or(field);
    Some(match name {
        "column" | "scenarios" => "whatif-column",
        "operation" => "whatif-operation",
        "values" | "shift" | "scale" | "missing_rate" | "move.fraction" => "whatif-values",
        "move.from" | "move" => "whatif-from",
        "move.to" => "whatif-to",
        "rows" => "whatif-rows",
        "seed" => "whatif-seed",
        _ => return None,
    })
}

/// `GET /ui/models/{id}/what-if`: the form, and the simulation's answer once it is filled.
pub async fn handler(
    viewer: Viewer,
    ui: web::Data<Ui>,
    id: web::Path<ModelId>,
    query: web::Query<WhatIfQuery>,
) -> Result<Markup, UiError> {
    let model_id = id.into_inner();
    let actor = viewer.actor();
    actor.require(Action::EditModels)?;
    let model = ui.services.models.get(model_id).await?;
    let query = query.into_inner();
    let filled = !query.column.is_empty() || !query.values.is_empty();
    let (answer, errors, problem) = if !filled {
        (None, Vec::new(), None)
    } else {
        let rows = optional_number("rows", &query.rows);
        let seed = optional_number("seed", &query.seed);
        match (query.scenario(), rows, seed) {
            (Err(errors), _, _) => (None, errors, None),
            (_, Err(error), _) | (_, _, Err(error)) => (None, vec![error], None),
            (Ok(scenario), Ok(rows), Ok(seed)) => {
                let request = DriftSimulationRequest {
                    model_id,
                    rows,
                    seed,
                    scenarios: vec![scenario],
                };
                match ui.services.simulation.drift(request, &actor).await {
                    Ok(answer) => (Some(answer), Vec::new(), None),
                    Err(DomainError::Invalid { errors, .. }) => (None, errors, None),
                    Err(DomainError::Conflict(message)) => (None, Vec::new(), Some(message)),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    };
    let title = format!("What if: {} {}", model.name, model.version);
    Ok(layout::page(
        &viewer,
        Nav::Models,
        &title,
        html! {
            nav aria-label="Breadcrumb" {
                a href={ (crate::BASE) "/models" } { "Models" } " / "
                a href={ (crate::BASE) "/models/" (model_id) } { (model.name) " " (model.version) } " / What if"
            }
            h1 { (title) }
            p { "Rows are drawn from the model's reference data, changed by the scenario, evaluated and judged by the policies active now. Nothing is stored." }
            @if let Some(problem) = problem { p #whatif-problem.alert role="alert" { (problem) } }
            (error_summary("The simulation did not run", &located(&errors)))
            (form(&viewer, model_id, &query, &errors))
            @if let Some(answer) = &answer { (result(answer)) }
        },
    ))
}

/// The summary's rows: each error, with the field it links to when it names one.
fn located(errors: &[FieldError]) -> Vec<(Option<String>, String)> {
    errors
        .iter()
        .map(|e| {
            let id = field_id(&e.field).map(str::to_owned);
            (id, format!("{}: {}", e.field, e.message))
        })
        .collect()
}

/// The what-if form, posting (GET) to the what-if page; on the model page too. Disabled,
/// with the reason, for a role that may not simulate.
pub fn form(
    viewer: &Viewer,
    model_id: ModelId,
    query: &WhatIfQuery,
    errors: &[FieldError],
) -> Markup {
    let allowed = viewer.actor().require(Action::EditModels).is_ok();
    let at = |id: &str| -> Vec<&str> {
        errors
            .iter()
            .filter(|e| field_id(&e.field) == Some(id))
            .map(|e| e.message.as_str())
            .collect()
    };
    let field = |id: &'static str, name: &str, label: &str, value: &str| {
        Field {
            id,
            name,
            label,
            hidden_label: false,
            errors: &at(id),
        }
        .text(value)
    };
    html! {
        form #what-if.stack method="get" action={ (crate::BASE) "/models/" (model_id) "/what-if" } {
            fieldset disabled[!allowed] aria-describedby=[(!allowed).then_some("whatif-why")] {
                legend { "Scenario" }
                @if !allowed {
                    p #whatif-why { "Engineers, approvers and admins can run what-if simulations; you are signed in as "
                        (viewer.user.role.as_str()) "." }
                }
                (field("whatif-column", "column", "Column (of the reference data)", &query.column))
                label for="whatif-operation" { "Operation" }
                select #whatif-operation name="operation" {
                    @for (value, label) in OPERATIONS {
                        option value=(value) selected[query.operation == value] { (label) }
                    }
                }
                (field("whatif-values", "values", "Value, or values to sweep (1.5; or 0, 0.5, 1, 1.5, 2)", &query.values))
                (field("whatif-from", "from", "Move only: from category", &query.from))
                (field("whatif-to", "to", "Move only: to category", &query.to))
                (field("whatif-rows", "rows", "Rows to draw (empty: the reference's count)", &query.rows))
                (field("whatif-seed", "seed", "Seed (empty: the default; the same seed draws the same rows)", &query.seed))
                button #run-what-if type="submit" { "Simulate" }
            }
        }
    }
}

fn result(answer: &DriftSimulation) -> Markup {
    html! {
        section #what-if-result aria-labelledby="what-if-answer" role="status" {
            h2 #what-if-answer { "Simulated on " (answer.rows) " rows (seed " (answer.seed) ")" }
            @match &answer.outcome {
                SimulatedOutcome::One(result) => (evaluation::result_sections(result)),
                SimulatedOutcome::Sweep(sweep) => (sweep_result(sweep)),
            }
        }
    }
}

fn sweep_result(sweep: &Sweep) -> Markup {
    let points: Vec<SweepPoint> = sweep
        .results
        .iter()
        .map(|r| SweepPoint {
            value: r.value,
            risk: r.result.risk.score,
            status: r.result.judgement.status.as_str().to_owned(),
        })
        .collect();
    let tipping = sweep.tipping_point.as_ref().map(|t| t.index);
    let chart = charts::sweep(
        "what-if-sweep",
        &format!(
            "Risk score as {} of {} varies",
            sweep.sweep.parameter, sweep.sweep.column
        ),
        &sweep.sweep.parameter,
        &points,
        tipping,
    );
    // The details shown are those at the tipping point, or at the last value tried.
    let shown = tipping.or(sweep.results.len().checked_sub(1));
    html! {
        p #tipping-point {
            @match &sweep.tipping_point {
                Some(t) => { "The status tips from " (status_badge(Some(t.from.as_str()))) " to "
                    (status_badge(Some(t.to.as_str()))) " at " (sweep.sweep.parameter) " = " strong { (fixed(t.value, 3)) } "." },
                None => { "The status does not change over the values tried." },
            }
        }
        (PreEscaped(chart.html()))
        @if let Some(i) = shown {
            h3 { "Details at " (sweep.sweep.parameter) " = " (fixed(sweep.results[i].value, 3)) }
            (evaluation::result_sections(&sweep.results[i].result))
        }
    }
}
