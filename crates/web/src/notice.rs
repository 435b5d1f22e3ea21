//! The one status message every action of the UI ends with. A form's target does its work,
//! then sends the browser (303) to the page to land on with `?done=<kind>-<id>`: the record
//! the action left (an evaluation, a reference upload, a role change, a policy version, a
//! row of the deployment history). That page reads the record and says what was done, with
//! the record itself (for the deployment history, its audit row and a link to it in the audit
//! log). Nothing from the address is echoed: a forged link can only show a real record.

use driftguard_app::audit::{DeploymentRecord, Outcome};
use driftguard_auth::Action;
use driftguard_core::{
    DeploymentId, DomainError, DomainResult, EvaluationId, ModelId, Page, PolicyId, UserId,
};
use driftguard_governance::GovernanceResult;
use maud::{Markup, html};

use crate::session::Viewer;
use crate::state::Ui;
use crate::widgets::{link, risk_badge, status_badge, when};

/// What an action left, named in the address of the page it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// An evaluation was run.
    Evaluation(EvaluationId),
    /// A model's reference data was uploaded (the newest upload is the record).
    Reference(ModelId),
    /// A user's role was changed (their newest role change is the record).
    RoleChange(UserId),
    /// A policy version was written.
    PolicyVersion(PolicyId, i32),
    /// A row of the deployment history was written: a deploy, a blocked attempt, an
    /// override, an override request or its approval or rejection, a retirement.
    History(DeploymentId),
}

/// The query parameter that carries it.
pub const PARAM: &str = "done";

impl Done {
    /// The record a `done` parameter names; anything else is none.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, rest) = text.split_once('-')?;
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        match kind {
            "evaluation" => number(rest).map(|n| Done::Evaluation(EvaluationId(n))),
            "reference" => number(rest).map(|n| Done::Reference(ModelId(n))),
            "role" => number(rest).map(|n| Done::RoleChange(UserId(n))),
            "history" => number(rest).map(|n| Done::History(DeploymentId(n))),
            "policy" => {
                let (id, version) = rest.split_once('-')?;
                let version = i32::try_from(number(version)?).ok()?;
                number(id).map(|id| Done::PolicyVersion(PolicyId(id), version))
            }
            _ => None,
        }
    }

    /// The parameter's value.
    pub fn value(self) -> String {
        match self {
            Done::Evaluation(id) => format!("evaluation-{id}"),
            Done::Reference(id) => format!("reference-{id}"),
            Done::RoleChange(id) => format!("role-{id}"),
            Done::PolicyVersion(id, version) => format!("policy-{id}-{version}"),
            Done::History(id) => format!("history-{id}"),
        }
    }

    /// `page` with this record and the other `pairs` in its query string.
    pub fn link(self, page: &str, pairs: &[(&str, String)]) -> String {
        let mut all = pairs.to_vec();
        all.push((PARAM, self.value()));
        link(page, &all)
    }
}

/// The status message for the `done` parameter of a page's address: nothing when there is
/// none, when it names no record kind, or when the record is not there.
pub async fn message(ui: &Ui, viewer: &Viewer, done: Option<&str>) -> DomainResult<Markup> {
    let Some(done) = done.and_then(Done::parse) else {
        return Ok(html! {});
    };
    let shown = match done {
        Done::Evaluation(id) => evaluation(ui, id).await,
        Done::Reference(id) => reference(ui, id).await,
        Done::RoleChange(id) => role_change(ui, id).await,
        Done::PolicyVersion(id, version) => policy_version(ui, id, version).await,
        Done::History(id) => history(ui, viewer, id).await,
    };
    match shown {
        Ok(markup) => Ok(markup.unwrap_or_else(|| html! {})),
        // A record that is not there (a stale or made-up link) says nothing.
        Err(DomainError::NotFound(_)) => Ok(html! {}),
        Err(e) => Err(e),
    }
}

type Shown = Result<Option<Markup>, DomainError>;

/// A status message: `role="status"`, or `role="alert"` for what went against the user (a
/// blocked deploy).
fn status(alert: bool, headline: Markup, record: Markup) -> Markup {
    html! {
        div #notice.notice.alert[alert] role=(if alert { "alert" } else { "status" }) {
            p.headline { (headline) }
            (record)
        }
    }
}

/// "you", or the user's number.
fn who(viewer: &Viewer, user: UserId) -> Markup {
    html! { @if user == viewer.user.id { "you" } @else { "user " (user) } }
}

async fn evaluation(ui: &Ui, id: EvaluationId) -> Shown {
    let e = ui.services.evaluations.get_evaluation(id).await?;
    let risk = crate::pages::model::risk(&e);
    Ok(Some(status(
        false,
        html! {
            "Evaluation " (e.id) " recorded: " (status_badge(e.status().map(|s| s.as_str())))
            " " (risk_badge(risk)) ", at " (when(e.created_at)) "."
        },
        html! {},
    )))
}

async fn reference(ui: &Ui, model: ModelId) -> Shown {
    let uploads = ui.services.references.reference_uploads(model).await?;
    Ok(uploads.last().map(|u| {
        status(
            false,
            html! { "Reference data uploaded; evaluations now compare with it." },
            html! {
                p { (u.rows) " rows, SHA-256 " code.hash { (u.sha256) } ", uploaded by user "
                    (u.uploaded_by) " at " (when(u.uploaded_at)) "." }
            },
        )
    }))
}

async fn role_change(ui: &Ui, user: UserId) -> Shown {
    let first = Page::new(0, 1).map_err(DomainError::internal)?;
    let (changes, _) = ui.services.auth.role_changes(user, first).await?;
    let (Some(change), Some(who)) = (
        changes.into_iter().next(),
        ui.services.auth.user_by_id(user).await?,
    ) else {
        return Ok(None);
    };
    Ok(Some(status(
        false,
        html! {
            (who.email) " is now " strong { (change.to_role.as_str()) }
            " (was " (change.from_role.as_str()) "). Recorded as role change "
            (change.id) " by user " (change.changed_by) " at " (when(change.changed_at)) "."
        },
        html! {},
    )))
}

async fn policy_version(ui: &Ui, id: PolicyId, version: i32) -> Shown {
    let versions = ui.services.policies.versions(id).await?;
    Ok(versions.iter().find(|p| p.version == version).map(|p| {
        status(
            false,
            html! {
                "Version " (p.version) " saved: " @if p.active { "active" } @else { "inactive" }
                ". It is recorded below with what changed."
            },
            html! {},
        )
    }))
}

async fn history(ui: &Ui, viewer: &Viewer, id: DeploymentId) -> Shown {
    let row = ui.services.audit.get(id).await?;
    let e = &row.entry;
    let model = match ui.services.models.get(e.model_id).await {
        Ok(m) => html! { a href={ (crate::BASE) "/models/" (m.id) } { (m.name) " " (m.version) } },
        Err(DomainError::NotFound(_)) => html! { "model " (e.model_id) },
        Err(other) => return Err(other),
    };
    let request = e.override_request_id;
    let headline = html! {
        @match e.outcome {
            Outcome::Deployed => { (model) " deployed to " strong { (e.environment) } " by " (who(viewer, e.deployed_by)) "." },
            Outcome::Blocked => { "The deploy of " (model) " to " strong { (e.environment) } " was blocked: its governance result is fail. Nothing was deployed." },
            Outcome::Overridden => { (model) " deployed to " strong { (e.environment) } " by " (who(viewer, e.deployed_by))
                ", overriding its failing governance result"
                @if let (Some(r), Some(asker)) = (request, e.override_requested_by) { " (override request " (r) ", asked by " (who(viewer, asker)) ")" } "." },
            Outcome::OverrideRequested => { "Override request " (request.map(|r| r.0).unwrap_or_default()) " for " (model) " to "
                strong { (e.environment) } " is waiting for a second approver: nothing is deployed until one approves it." },
            Outcome::OverrideRejected => { "Override request " (request.map(|r| r.0).unwrap_or_default()) " for " (model)
                " was rejected by " (who(viewer, e.deployed_by)) "; nothing was deployed." },
            Outcome::Retired => { (model) " retired by " (who(viewer, e.deployed_by)) "." },
            other => { "Recorded for " (model) ": " (other.as_str()) "." },
        }
    };
    let result = serde_json::from_value::<GovernanceResult>(e.governance_result.clone()).ok();
    let record = html! {
        @if e.outcome == Outcome::Blocked {
            @if let Some(result) = &result { (crate::violations::result("blocked-violations", result)) }
            @if viewer.actor().may(Action::OverrideDeploy) {
                p { a #override-blocked href=(link(&format!("{}/models/{}/override", crate::BASE, e.model_id), &[("environment", e.environment.clone())])) {
                    "Override this result…" } " (you will confirm it on the next page)" }
            }
        }
        @if let (Outcome::OverrideRequested, Some(r)) = (e.outcome, request) {
            p { a #pending-request href={ (crate::BASE) "/models/" (e.model_id) "#override-request-" (r) } { "See override request " (r) } }
        }
        (audit_row(&row))
    };
    Ok(Some(status(
        e.outcome == Outcome::Blocked,
        headline,
        record,
    )))
}

/// The history row an action wrote, and where it is in the audit log.
fn audit_row(row: &DeploymentRecord) -> Markup {
    let href = link(
        &format!("{}/audit", crate::BASE),
        &[("model_id", row.entry.model_id.to_string())],
    ) + &format!("#audit-row-{}", row.id);
    html! {
        (crate::pages::audit::table("notice-audit-row", &format!("Audit log row {} (append-only, hash-chained)", row.id), std::slice::from_ref(row)))
        p { a #notice-audit-link href=(href) { "See row " (row.id) " in the audit log" } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_from_its_parameter() {
        for done in [
            Done::Evaluation(EvaluationId(4)),
            Done::Reference(ModelId(2)),
            Done::RoleChange(UserId(9)),
            Done::PolicyVersion(PolicyId(3), 12),
            Done::History(DeploymentId(77)),
        ] {
            assert_eq!(Done::parse(&done.value()), Some(done));
        }
    }

    #[test]
    fn anything_else_is_no_record() {
        for text in [
            "",
            "approved",
            "history-",
            "history-x",
            "history-0",
            "history--3",
            "policy-3",
            "policy-3-99999999999",
            "<script>-1",
        ] {
            assert_eq!(Done::parse(text), None, "{text}");
        }
    }

    #[test]
    fn the_link_keeps_the_other_pairs() {
        assert_eq!(
            Done::RoleChange(UserId(7)).link("/ui/users", &[("skip", "10".into())]),
            "/ui/users?skip=10&done=role-7"
        );
    }
}
