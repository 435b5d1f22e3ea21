//! `OverrideRequestStore` on the database: four-eyes override requests in `override_requests`,
//! each change of their state made in one transaction that holds the history's append lock
//! and appends the change's row to the hash chain. An approval deploys through the same
//! `deploy_model!` as `DeploymentStore::deploy`, inside that transaction, so that two
//! approvals of one request are serialised and only the first finds it pending.

use crate::convert::{from_db, from_json, to_count, to_db, to_json, to_offset};
use crate::deploy::model_ref;
use crate::error::{corrupt, query_error};
use crate::models::ModelRow;
use crate::schema::{models, override_requests};
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::webhooks::event::OutboxEvent;
use driftguard_app::{
    DecideOverride, DeployCommand, NewOverrideRequest, OverrideAction, OverrideDecided,
    OverrideFilter, OverrideRequest, OverrideRequestStore, OverrideStatus,
};
use driftguard_audit::{NewDeployment, Outcome};
use driftguard_core::{
    DeploymentId, DomainError, DomainResult, EvaluationId, ModelId, OverrideRequestId, Page,
    Timestamp, UserId,
};
use driftguard_governance::PolicyRef;
use driftguard_registry::{Model, ModelStatus};
use serde_json::{Value, json};

/// A stored request.
#[derive(Queryable, Selectable)]
#[diesel(table_name = override_requests)]
struct RequestRow {
    id: i64,
    model_id: i64,
    environment: String,
    evaluation_id: Option<i64>,
    policy_versions: String,
    governance_result: String,
    justification: String,
    notes: Option<String>,
    artifact_digest: Option<String>,
    requested_by: i64,
    requested_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    status: String,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    decision_note: Option<String>,
    deployment_id: Option<i64>,
}

/// A new request's row.
#[derive(Insertable)]
#[diesel(table_name = override_requests)]
struct RequestInsert {
    model_id: i64,
    environment: String,
    evaluation_id: Option<i64>,
    policy_versions: String,
    governance_result: String,
    justification: String,
    notes: Option<String>,
    artifact_digest: Option<String>,
    requested_by: i64,
    requested_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    status: String,
}

impl RequestRow {
    /// The request as read at `now`: a pending one past its expiry reads as expired.
    fn into_request(self, now: Timestamp) -> DomainResult<OverrideRequest> {
        let expires_at = from_db(self.expires_at);
        let stored: OverrideStatus = self
            .status
            .parse()
            .map_err(|e| corrupt("override request status", e))?;
        let status = match stored {
            OverrideStatus::Pending if expires_at <= now => OverrideStatus::Expired,
            other => other,
        };
        Ok(OverrideRequest {
            id: OverrideRequestId(self.id),
            model_id: ModelId(self.model_id),
            environment: self.environment,
            evaluation_id: self.evaluation_id.map(EvaluationId),
            policy_versions: from_json("override policy versions", &self.policy_versions)?,
            governance_result: from_json("override governance result", &self.governance_result)?,
            justification: self.justification,
            notes: self.notes,
            artifact_digest: self
                .artifact_digest
                .map(|d| d.parse())
                .transpose()
                .map_err(|e| corrupt("artifact digest", e))?,
            requested_by: UserId(self.requested_by),
            requested_at: from_db(self.requested_at),
            expires_at,
            status,
            decided_by: self.decided_by.map(UserId),
            decided_at: self.decided_at.map(from_db),
            decision_note: self.decision_note,
            deployment_id: self.deployment_id.map(DeploymentId),
        })
    }
}

fn value<T: serde::Serialize>(what: &str, v: &T) -> DomainResult<Value> {
    serde_json::to_value(v).map_err(|e| DomainError::internal_caused(format!("bad {what}"), e))
}

/// The history row of a step of `request` (requested, rejected, expired, voided) taken by
/// `by` at `at`, with `notes`, on a model whose status stays `model_status`.
fn step_row(
    request: &OverrideRequest,
    model_status: ModelStatus,
    outcome: Outcome,
    by: UserId,
    at: Timestamp,
    notes: Option<String>,
) -> DomainResult<NewDeployment> {
    Ok(NewDeployment {
        model_id: request.model_id,
        deployed_at: at,
        deployed_by: by,
        environment: request.environment.clone(),
        previous_status: model_status.as_str().to_owned(),
        new_status: model_status.as_str().to_owned(),
        outcome,
        governance_result: value("governance result", &request.governance_result)?,
        override_used: false,
        // The justification is the request's own row's; later steps say why in `notes`.
        override_reason: (outcome == Outcome::OverrideRequested)
            .then(|| request.justification.clone()),
        notes,
        policy_versions: value("policy versions", &request.policy_versions)?,
        artifact_digest: request.artifact_digest.clone(),
        override_request_id: Some(request.id),
        override_requested_by: Some(request.requested_by),
    })
}

/// The rows matching a filter read at `$now`, as a boxed query for either backend.
macro_rules! matching {
    ($filter:expr, $now:expr) => {{
        use crate::schema::override_requests as r;
        let filter: &OverrideFilter = $filter;
        let now: NaiveDateTime = $now;
        let mut q = r::table.into_boxed();
        if let Some(id) = filter.model_id {
            q = q.filter(r::model_id.eq(id.0));
        }
        let pending = OverrideStatus::Pending.as_str();
        match filter.status {
            None => {}
            Some(OverrideStatus::Pending) => {
                q = q
                    .filter(r::status.eq(pending))
                    .filter(r::expires_at.gt(now));
            }
            Some(OverrideStatus::Expired) => {
                q = q.filter(
                    r::status
                        .eq(OverrideStatus::Expired.as_str())
                        .or(r::status.eq(pending).and(r::expires_at.le(now))),
                );
            }
            Some(other) => q = q.filter(r::status.eq(other.as_str())),
        }
        q
    }};
}

/// Inside the transaction: marks `$request` lapsed (`$status`, expired or voided, with
/// `$reason`), appends its row and evaluates to the `Lapsed` answer.
macro_rules! lapse {
    ($store:expr, $conn:ident, $request:expr, $model_status:expr, $status:expr, $by:expr, $at:expr, $reason:expr) => {{
        let request: OverrideRequest = $request;
        let reason: String = $reason;
        let (status, outcome) = match $status {
            OverrideStatus::Expired => (OverrideStatus::Expired, Outcome::OverrideExpired),
            _ => (OverrideStatus::Voided, Outcome::OverrideVoided),
        };
        let entry = step_row(
            &request,
            $model_status,
            outcome,
            $by,
            $at,
            Some(reason.clone()),
        )?;
        let row = append!($conn, $store.chain_key(), entry);
        let updated: RequestRow = diesel::update(override_requests::table.find(request.id.0))
            .set((
                override_requests::status.eq(status.as_str()),
                override_requests::decided_by.eq($by.0),
                override_requests::decided_at.eq(to_db($at)),
                override_requests::decision_note.eq(&reason),
            ))
            .returning(RequestRow::as_returning())
            .get_result($conn)
            .await?;
        Ok(OverrideDecided::Lapsed {
            request: updated.into_request($at)?,
            row,
            reason,
        })
    }};
}

#[async_trait]
impl OverrideRequestStore for Store {
    async fn request_override(
        &self,
        r: NewOverrideRequest,
    ) -> DomainResult<(OverrideRequest, driftguard_audit::DeploymentRecord)> {
        let insert = RequestInsert {
            model_id: r.model_id.0,
            environment: r.environment.clone(),
            evaluation_id: r.governance_result.evaluation_id.map(|id| id.0),
            policy_versions: to_json(&r.governance_result.policy_versions)?,
            governance_result: to_json(&r.governance_result)?,
            justification: r.justification.clone(),
            notes: r.notes.clone(),
            artifact_digest: r.artifact_digest.as_ref().map(|d| d.as_str().to_owned()),
            requested_by: r.requested_by.0,
            requested_at: to_db(r.requested_at),
            expires_at: to_db(r.expires_at),
            status: OverrideStatus::Pending.as_str().to_owned(),
        };
        let at = r.requested_at;
        transaction!(self, true, |conn| {
            let model = live_model!(conn, r.model_id);
            let result = &r.governance_result;
            if let Some(stale) =
                stale_judgement!(conn, &model, result.evaluation_id, &result.policy_versions)
            {
                return Err(TxError::Domain(DomainError::Conflict(format!(
                    "{stale} while the override was decided; retry"
                ))));
            }
            let open: Vec<(i64, Option<i64>, String)> = override_requests::table
                .filter(override_requests::model_id.eq(model.id.0))
                .filter(override_requests::environment.eq(&r.environment))
                .filter(override_requests::status.eq(OverrideStatus::Pending.as_str()))
                .filter(override_requests::expires_at.gt(to_db(at)))
                .select((
                    override_requests::id,
                    override_requests::evaluation_id,
                    override_requests::policy_versions,
                ))
                .load(conn)
                .await?;
            for (id, evaluation, versions) in open {
                let versions: Vec<PolicyRef> = from_json("override policy versions", &versions)?;
                if evaluation == insert.evaluation_id && versions == result.policy_versions {
                    return Err(TxError::Domain(DomainError::Conflict(format!(
                        "override request {id} for this model and environment is already \
                         pending on the same evaluation; approve or reject it"
                    ))));
                }
            }
            let request = diesel::insert_into(override_requests::table)
                .values(&insert)
                .returning(RequestRow::as_returning())
                .get_result::<RequestRow>(conn)
                .await?
                .into_request(at)?;
            let entry = step_row(
                &request,
                model.status,
                Outcome::OverrideRequested,
                r.requested_by,
                at,
                r.notes.clone(),
            )?;
            let row = append!(conn, self.chain_key(), entry);
            let event = OutboxEvent::override_requested(
                request.id.0,
                model_ref(&model),
                r.requested_by,
                &r.environment,
                &r.justification,
                r.expires_at,
            );
            let _ = enqueue!(conn, event);
            Ok((request, row))
        })
    }

    async fn decide_override(&self, d: DecideOverride) -> DomainResult<OverrideDecided> {
        let at = d.at;
        transaction!(self, true, |conn| {
            let stored: RequestRow = override_requests::table
                .find(d.id.0)
                .select(RequestRow::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| TxError::Domain(d.id.not_found()))?;
            let was_pending = stored.status == OverrideStatus::Pending.as_str();
            let request = stored.into_request(at)?;
            // The model outlives none of its requests (they go with it).
            let model: Model = models::table
                .find(request.model_id.0)
                .select(ModelRow::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| TxError::Domain(request.model_id.not_found()))?
                .into_model()?;
            match request.status {
                OverrideStatus::Pending => {}
                OverrideStatus::Expired if was_pending => {
                    let reason = format!(
                        "override request {} expired at {}; ask for the override again",
                        request.id,
                        request.expires_at.to_rfc3339()
                    );
                    return lapse!(
                        self,
                        conn,
                        request,
                        model.status,
                        OverrideStatus::Expired,
                        d.by,
                        at,
                        reason
                    );
                }
                done => {
                    return Err(TxError::Domain(DomainError::Conflict(format!(
                        "override request {} is already {}",
                        request.id,
                        done.as_str()
                    ))));
                }
            }
            match d.action {
                OverrideAction::Reject { reason } => {
                    let entry = step_row(
                        &request,
                        model.status,
                        Outcome::OverrideRejected,
                        d.by,
                        at,
                        Some(reason.clone()),
                    )?;
                    let row = append!(conn, self.chain_key(), entry);
                    let updated: RequestRow =
                        diesel::update(override_requests::table.find(request.id.0))
                            .set((
                                override_requests::status.eq(OverrideStatus::Rejected.as_str()),
                                override_requests::decided_by.eq(d.by.0),
                                override_requests::decided_at.eq(to_db(at)),
                                override_requests::decision_note.eq(&reason),
                            ))
                            .returning(RequestRow::as_returning())
                            .get_result(conn)
                            .await?;
                    Ok(OverrideDecided::Rejected {
                        request: updated.into_request(at)?,
                        row,
                    })
                }
                OverrideAction::Approve { note } => {
                    let stale = if model.status == ModelStatus::Retired {
                        Some(format!("model {} was retired", model.id))
                    } else {
                        stale_judgement!(
                            conn,
                            &model,
                            request.evaluation_id,
                            &request.policy_versions
                        )
                    };
                    if let Some(stale) = stale {
                        let reason = format!(
                            "override request {} is void: {stale} since it was requested; \
                             ask for the override again on the current result",
                            request.id
                        );
                        return lapse!(
                            self,
                            conn,
                            request,
                            model.status,
                            OverrideStatus::Voided,
                            d.by,
                            at,
                            reason
                        );
                    }
                    let command = DeployCommand {
                        model_id: model.id,
                        deployed_at: at,
                        deployed_by: d.by,
                        environment: request.environment.clone(),
                        outcome: Outcome::Overridden,
                        governance_result: value("governance result", &request.governance_result)?,
                        override_reason: Some(request.justification.clone()),
                        notes: note.clone(),
                        policy_versions: value("policy versions", &request.policy_versions)?,
                        judged_evaluation_id: request.evaluation_id,
                        artifact_digest: request.artifact_digest.clone(),
                        override_request_id: Some(request.id),
                        override_requested_by: Some(request.requested_by),
                    };
                    let (model, rows) = deploy_model!(self, conn, model, command);
                    let deployment_id = rows.as_slice().first().map(|row| row.id.0);
                    let updated: RequestRow =
                        diesel::update(override_requests::table.find(request.id.0))
                            .set((
                                override_requests::status.eq(OverrideStatus::Approved.as_str()),
                                override_requests::decided_by.eq(d.by.0),
                                override_requests::decided_at.eq(to_db(at)),
                                override_requests::decision_note.eq(&note),
                                override_requests::deployment_id.eq(deployment_id),
                            ))
                            .returning(RequestRow::as_returning())
                            .get_result(conn)
                            .await?;
                    Ok(OverrideDecided::Approved {
                        request: updated.into_request(at)?,
                        model,
                        rows,
                    })
                }
            }
        })
    }

    async fn override_request(
        &self,
        id: OverrideRequestId,
        now: Timestamp,
    ) -> DomainResult<Option<OverrideRequest>> {
        let row: Option<RequestRow> = with_conn!(self.database(), |conn| {
            override_requests::table
                .find(id.0)
                .select(RequestRow::as_select())
                .first(conn)
                .await
                .optional()
                .map_err(query_error)?
        });
        row.map(|r| r.into_request(now)).transpose()
    }

    async fn override_requests(
        &self,
        filter: &OverrideFilter,
        now: Timestamp,
        page: Page,
    ) -> DomainResult<(Vec<OverrideRequest>, u64)> {
        let at = to_db(now);
        let (rows, total): (Vec<RequestRow>, i64) = with_conn!(self.database(), |conn| {
            let total: i64 = matching!(filter, at)
                .count()
                .get_result(conn)
                .await
                .map_err(query_error)?;
            let rows = matching!(filter, at)
                .order(override_requests::id.desc())
                .offset(to_offset(page.skip()))
                .limit(to_offset(page.limit()))
                .select(RequestRow::as_select())
                .load(conn)
                .await
                .map_err(query_error)?;
            (rows, total)
        });
        let requests = rows
            .into_iter()
            .map(|r| r.into_request(now))
            .collect::<DomainResult<_>>()?;
        Ok((requests, to_count(total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_row_names_the_request_and_keeps_the_model_status() {
        let request = OverrideRequest {
            id: OverrideRequestId(4),
            model_id: ModelId(2),
            environment: "production".to_owned(),
            evaluation_id: Some(EvaluationId(9)),
            policy_versions: Vec::new(),
            governance_result: serde_json::from_value(json!({
                "status": "fail", "risk_score": 80.0, "violations": [],
                "policy_versions": [], "evaluation_id": 9
            }))
            .expect("a governance result"),
            justification: "accepted by the risk board, ticket RISK-42".to_owned(),
            notes: None,
            artifact_digest: None,
            requested_by: UserId(5),
            requested_at: driftguard_core::now(),
            expires_at: driftguard_core::now(),
            status: OverrideStatus::Pending,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            deployment_id: None,
        };
        let at = driftguard_core::now();
        let asked = step_row(
            &request,
            ModelStatus::Registered,
            Outcome::OverrideRequested,
            UserId(5),
            at,
            None,
        )
        .expect("a row");
        assert_eq!(
            asked.override_reason.as_deref(),
            Some(request.justification.as_str())
        );
        assert_eq!(
            (asked.previous_status.as_str(), asked.new_status.as_str()),
            ("registered", "registered")
        );
        assert_eq!(asked.override_request_id, Some(OverrideRequestId(4)));
        let rejected = step_row(
            &request,
            ModelStatus::Registered,
            Outcome::OverrideRejected,
            UserId(6),
            at,
            Some("not acceptable".to_owned()),
        )
        .expect("a row");
        assert_eq!(rejected.override_reason, None);
        assert_eq!(rejected.override_requested_by, Some(UserId(5)));
        assert_eq!(rejected.deployed_by, UserId(6));
    }
}
