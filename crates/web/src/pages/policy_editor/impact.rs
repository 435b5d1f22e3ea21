//! The preview of a draft's impact: what `POST /simulation/policy` answers, as a summary by
//! transition and the models whose status would change.

use driftguard_app::simulate::PolicySimulation;
use maud::{Markup, html};

use crate::widgets::status_badge;

/// The preview section.
pub fn render(simulation: &PolicySimulation) -> Markup {
    let changed: Vec<_> = simulation
        .models
        .iter()
        .filter(|m| m.current_status != m.proposed_status)
        .collect();
    html! {
        section #impact aria-labelledby="impact-title" role="status" {
            h2 #impact-title { "Impact if saved (nothing stored yet)" }
            p #impact-summary {
                (simulation.changed) " of " (simulation.models_evaluated)
                " evaluated models would change status."
            }
            @if !simulation.by_transition.is_empty() {
                table #impact-transitions {
                    caption { "Changes by transition" }
                    thead { tr { th scope="col" { "From → to" } th scope="col" { "Models" } } }
                    tbody { @for (transition, count) in &simulation.by_transition {
                        tr { th scope="row" { (transition.replace("->", " → ")) } td.num { (count) } }
                    } }
                }
                table #impact-models {
                    caption { "Models whose status would change" }
                    thead { tr { th scope="col" { "Model" } th scope="col" { "Risk tier" } th scope="col" { "Now" } th scope="col" { "With the draft" } } }
                    tbody { @for m in &changed {
                        tr {
                            th scope="row" { a href={ (crate::BASE) "/models/" (m.model_id) } { (m.name) " " (m.version) } }
                            td { (m.risk_tier.as_str()) }
                            td { (status_badge(Some(m.current_status.as_str()))) }
                            td { (status_badge(Some(m.proposed_status.as_str()))) }
                        }
                    } }
                }
            }
        }
    }
}
