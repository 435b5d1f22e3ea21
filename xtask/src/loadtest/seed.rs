//! Seeding through the real API, a few requests in flight: register each model, upload its
//! reference data, evaluate its current data; then deploy every 25th model, overriding
//! every other blocked one, so that the deployment figures of the dashboards are not zero.

use super::api::{Api, json_of, status_and_json};
use super::data::ModelSpec;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::task::JoinSet;

/// Every `DEPLOY_EVERY`-th model is deployed: 400 of 10,000.
const DEPLOY_EVERY: u64 = 25;

/// What seeding produced.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Evaluation statuses (`pass`, `warn`, `fail`) and deploy outcomes (`deployed`,
    /// `blocked`, `overridden`), counted.
    pub counts: BTreeMap<String, u64>,
}

/// Models already in the database (`pagination.total` of `GET /models`).
pub async fn existing_models(api: &Api) -> anyhow::Result<u64> {
    let body = json_of(api.get("/models?limit=1"), "GET /models").await?;
    body.pointer("/pagination/total")
        .and_then(Value::as_u64)
        .context("GET /models answered without pagination.total")
}

/// Seeds models 0..`models` with `concurrency` requests in flight.
pub async fn seed(api: Arc<Api>, models: u64, concurrency: usize) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (api, next) = (api.clone(), next.clone());
        workers.spawn(async move {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= models {
                    return anyhow::Ok(counts);
                }
                for outcome in seed_one(&api, &ModelSpec::new(index)).await? {
                    *counts.entry(outcome).or_default() += 1;
                }
                if (index + 1).is_multiple_of(1000) {
                    eprintln!(
                        "  {} models seeded ({:.0} s)",
                        index + 1,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        });
    }
    let mut seeded = Seeded::default();
    while let Some(worker) = workers.join_next().await {
        for (key, n) in worker?? {
            *seeded.counts.entry(key).or_default() += n;
        }
    }
    Ok(seeded)
}

/// Registers, uploads, evaluates and maybe deploys one model; the evaluation status and
/// the deploy outcomes.
async fn seed_one(api: &Api, spec: &ModelSpec) -> anyhow::Result<Vec<String>> {
    let model = json_of(
        api.post_json("/models", &spec.registration()),
        "POST /models",
    )
    .await?;
    let id = model
        .get("id")
        .and_then(Value::as_i64)
        .context("POST /models answered without an id")?;
    json_of(
        api.send_csv(
            true,
            &format!("/models/{id}/reference"),
            spec.reference_csv(),
        ),
        "PUT /models/{id}/reference",
    )
    .await?;
    let evaluation = json_of(
        api.send_csv(
            false,
            &format!("/models/{id}/evaluations"),
            spec.current_csv(),
        ),
        "POST /models/{id}/evaluations",
    )
    .await?;
    let status = evaluation
        .get("status")
        .and_then(Value::as_str)
        .context("the evaluation has no status")?;
    let mut outcomes = vec![status.to_owned()];
    if spec.index.is_multiple_of(DEPLOY_EVERY) {
        // Every other blocked deploy is overridden, as an approver (the admin) would.
        let overriding = spec.index.is_multiple_of(2 * DEPLOY_EVERY);
        outcomes.extend(deploy(api, id, overriding).await?);
    }
    Ok(outcomes)
}

/// Deploys model `id`; on a 409 and when `overriding`, deploys again with an override.
async fn deploy(api: &Api, id: i64, overriding: bool) -> anyhow::Result<Vec<String>> {
    let path = format!("/models/{id}/deploy");
    let what = "POST /models/{id}/deploy";
    let plain = json!({"environment": "production"});
    let (status, body) = status_and_json(api.post_json(&path, &plain), what).await?;
    match status.as_u16() {
        200 => return Ok(vec!["deployed".into()]),
        409 => {}
        _ => bail!("{what} answered {status}: {body}"),
    }
    if !overriding {
        return Ok(vec!["blocked".into()]);
    }
    let forced = json!({
        "environment": "production",
        "override": true,
        "justification": "load test: risk accepted by the board, ticket LT-1",
    });
    json_of(api.post_json(&path, &forced), what).await?;
    Ok(vec!["blocked".into(), "overridden".into()])
}
