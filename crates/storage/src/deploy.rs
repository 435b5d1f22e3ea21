//! `DeploymentStore` on the database: deploy, block and retire, each in one transaction
//! that holds the history's append lock from its first statement, so that status changes
//! and history rows of concurrent commands never interleave. A blocked or overridden deploy
//! writes its webhook outbox rows in the same transaction.

use crate::convert::to_db;
use crate::models::ModelRow;
use crate::schema::models;
use crate::store::Store;
use crate::tx::TxError;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use driftguard_app::webhooks::event::{ModelRef, OutboxEvent};
use driftguard_app::{DeployCommand, DeploymentStore, RetireCommand};
use driftguard_audit::{DeploymentRecord, NewDeployment, Outcome};
use driftguard_core::{DomainError, DomainResult, ModelId};
use driftguard_governance::PolicyRef;
use driftguard_registry::{Model, ModelStatus};
use serde_json::json;

/// The model as a webhook event names it.
pub(crate) fn model_ref(model: &Model) -> ModelRef<'_> {
    ModelRef {
        id: model.id,
        name: &model.name,
        version: &model.version,
    }
}

/// The refusal of a retired model's deploy.
pub(crate) fn retired(id: ModelId) -> TxError {
    TxError::Domain(DomainError::Conflict(format!(
        "model {id} is retired; register a new version to deploy it again"
    )))
}

/// Reads the model inside the transaction, refusing a missing or retired one.
macro_rules! live_model {
    ($conn:ident, $id:expr) => {{
        let id: ModelId = $id;
        let model: Model = models::table
            .find(id.0)
            .select(ModelRow::as_select())
            .first($conn)
            .await
            .optional()?
            .ok_or_else(|| TxError::Domain(id.not_found()))?
            .into_model()?;
        if model.status == ModelStatus::Retired {
            return Err($crate::deploy::retired(id));
        }
        model
    }};
}

/// Sets a model's status inside the transaction and evaluates to the model as it now is.
macro_rules! set_status {
    ($conn:ident, $id:expr, $status:expr, $at:expr) => {
        diesel::update(models::table.find(ModelId::from($id).0))
            .set((
                models::status.eq($status.as_str()),
                models::updated_at.eq($at),
            ))
            .returning(ModelRow::as_returning())
            .get_result::<ModelRow>($conn)
            .await?
            .into_model()?
    };
}

/// Why the judgement a deploy or an override request was decided on no longer holds for
/// `$model` (read in the transaction): `Some(reason)` when its latest evaluation is not
/// `$evaluation` or the active policies of its tier are not `$judged`.
macro_rules! stale_judgement {
    ($conn:ident, $model:expr, $evaluation:expr, $judged:expr) => {{
        let model: &Model = $model;
        let evaluation: Option<driftguard_core::EvaluationId> = $evaluation;
        let judged: &[PolicyRef] = $judged;
        if model.latest_evaluation.as_ref().map(|e| e.id) != evaluation {
            Some(format!("model {} was evaluated again", model.id))
        } else if judging_now!($conn, model.risk_tier) != judged {
            Some("the policies that judge its tier changed".to_owned())
        } else {
            None
        }
    }};
}

/// Inside a transaction that began with the chain lock, for a live `$model`: appends the
/// deploy's row, a `superseded` row for every other deployed version of the name (setting
/// them `superseded`), sets the model `deployed`, and evaluates to the model and the rows.
macro_rules! deploy_model {
    ($store:expr, $conn:ident, $model:expr, $c:expr) => {{
        let model: Model = $model;
        let c: DeployCommand = $c;
        let at = to_db(c.deployed_at);
        let others: Vec<i64> = models::table
            .filter(models::name.eq(&model.name))
            .filter(models::status.eq(ModelStatus::Deployed.as_str()))
            .filter(models::id.ne(model.id.0))
            .select(models::id)
            .load($conn)
            .await?;
        let overridden = c.outcome == Outcome::Overridden;
        let row = NewDeployment {
            model_id: model.id,
            deployed_at: c.deployed_at,
            deployed_by: c.deployed_by,
            environment: c.environment.clone(),
            previous_status: model.status.as_str().to_owned(),
            new_status: ModelStatus::Deployed.as_str().to_owned(),
            outcome: c.outcome,
            governance_result: c.governance_result,
            override_used: overridden,
            override_reason: c.override_reason,
            notes: c.notes,
            policy_versions: c.policy_versions.clone(),
            artifact_digest: c.artifact_digest,
            override_request_id: c.override_request_id,
            override_requested_by: c.override_requested_by,
        };
        let mut rows = vec![append!($conn, $store.chain_key(), row)];
        if let Some(event) = OutboxEvent::deployment_decided(&rows[0], model_ref(&model)) {
            let _ = enqueue!($conn, event);
        }
        for other in others {
            let row = NewDeployment {
                model_id: ModelId(other),
                deployed_at: c.deployed_at,
                deployed_by: c.deployed_by,
                environment: c.environment.clone(),
                previous_status: ModelStatus::Deployed.as_str().to_owned(),
                new_status: ModelStatus::Superseded.as_str().to_owned(),
                outcome: Outcome::Superseded,
                governance_result: json!({ "superseded_by": model.id }),
                override_used: false,
                override_reason: None,
                notes: None,
                policy_versions: c.policy_versions.clone(),
                artifact_digest: None,
                override_request_id: None,
                override_requested_by: None,
            };
            rows.push(append!($conn, $store.chain_key(), row));
            let _ = set_status!($conn, other, ModelStatus::Superseded, at);
        }
        let model = set_status!($conn, model.id, ModelStatus::Deployed, at);
        (model, rows)
    }};
}

#[async_trait]
impl DeploymentStore for Store {
    async fn deploy(&self, c: DeployCommand) -> DomainResult<(Model, Vec<DeploymentRecord>)> {
        if !matches!(c.outcome, Outcome::Deployed | Outcome::Overridden) {
            return Err(DomainError::internal(format!(
                "a deploy cannot record the outcome {}",
                c.outcome.as_str()
            )));
        }
        transaction!(self, true, |conn| {
            let model = live_model!(conn, c.model_id);
            let judged: Vec<PolicyRef> = serde_json::from_value(c.policy_versions.clone())
                .map_err(|e| DomainError::internal_caused("bad policy versions", e))?;
            if let Some(stale) = stale_judgement!(conn, &model, c.judged_evaluation_id, &judged) {
                return Err(TxError::Domain(DomainError::Conflict(format!(
                    "{stale} while the deploy was decided; retry"
                ))));
            }
            Ok(deploy_model!(self, conn, model, c))
        })
    }

    async fn record_blocked(&self, entry: NewDeployment) -> DomainResult<DeploymentRecord> {
        transaction!(self, true, |conn| {
            let named: Option<(String, String)> = models::table
                .find(entry.model_id.0)
                .select((models::name, models::version))
                .first(conn)
                .await
                .optional()?;
            let record = append!(conn, self.chain_key(), entry);
            if let Some((name, version)) = &named {
                let model = ModelRef {
                    id: record.entry.model_id,
                    name,
                    version,
                };
                if let Some(event) = OutboxEvent::deployment_decided(&record, model) {
                    let _ = enqueue!(conn, event);
                }
            }
            Ok(record)
        })
    }

    async fn retire(&self, c: RetireCommand) -> DomainResult<(Model, DeploymentRecord)> {
        let at = to_db(c.retired_at);
        transaction!(self, true, |conn| {
            let model = live_model!(conn, c.model_id);
            let row = NewDeployment {
                model_id: model.id,
                deployed_at: c.retired_at,
                deployed_by: c.retired_by,
                environment: c.environment,
                previous_status: model.status.as_str().to_owned(),
                new_status: ModelStatus::Retired.as_str().to_owned(),
                outcome: Outcome::Retired,
                governance_result: serde_json::Value::Null,
                override_used: false,
                override_reason: None,
                notes: c.notes,
                policy_versions: json!([]),
                artifact_digest: None,
                override_request_id: None,
                override_requested_by: None,
            };
            let record = append!(conn, self.chain_key(), row);
            let model = set_status!(conn, model.id, ModelStatus::Retired, at);
            Ok((model, record))
        })
    }
}
