//! `driftguard demo`: loads a realistic sample — accounts, model versions, reference data,
//! four weeks of drifting evaluations, deployments (one blocked, one overridden) and a second
//! policy — through the same use cases the API calls, so that a first start has something to
//! show. See docs/demo.md.

mod accounts;
mod data;
mod sample;
mod story;

pub use accounts::DemoAccount;
pub use story::{DEMO_TAG, SECOND_POLICY};

use anyhow::Context;
use chrono::TimeDelta;
use driftguard_app::audit::Outcome;
use driftguard_app::{
    Actor, DataFormat, DeployOutcome, DeployRequestBody, EvaluateOptions, Services,
};
use driftguard_core::{ModelId, Page, Role, now};
use driftguard_governance::Status;
use driftguard_registry::{Model, ModelQuery};
use sample::Sampler;
use secrecy::SecretString;
use std::collections::BTreeMap;
use story::{CURRENT_ROWS, DeployPlan, History, REFERENCE_ROWS, Scenario};

/// What `driftguard demo` was asked for.
#[derive(Debug, Default)]
pub struct DemoOptions {
    /// Load even though the database has models, replacing earlier demo models.
    pub force: bool,
    /// The password of the accounts the demo creates; a random one each when unset.
    pub password: Option<SecretString>,
}

/// The database already has models and `--force` was not given; nothing was changed.
#[derive(Debug)]
pub struct Refused {
    /// How many models it has.
    pub models: u64,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the database already has {} model(s); nothing was loaded. Run `driftguard demo \
             --force` to load the demo beside them (earlier demo models are replaced)",
            self.models
        )
    }
}

impl std::error::Error for Refused {}

/// What one model version of the demo ended as.
#[derive(Debug, Clone)]
pub struct ModelReport {
    /// The model as it now is.
    pub model: Model,
    /// How many evaluations it got.
    pub evaluations: u32,
    /// The latest one's status.
    pub latest: Option<Status>,
    /// The outcome of each deploy request, in order.
    pub deploys: Vec<Outcome>,
}

/// What the demo loaded.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// The accounts to sign in with.
    pub accounts: Vec<DemoAccount>,
    /// The model versions.
    pub models: Vec<ModelReport>,
    /// Demo models of an earlier run that were replaced (`--force`).
    pub replaced: usize,
}

/// The seed of one data set: the scenario's number and the stream (0: the reference data,
/// k + 1: evaluation k).
fn seed(scenario: usize, stream: u32) -> u64 {
    0x5EED_D21F_0000_0000 ^ ((scenario as u64) << 16) ^ u64::from(stream)
}

/// Loads the demo through `services`. Refuses (with [`Refused`], changing nothing) a database
/// that has models unless `options.force`; then replaces earlier demo models (those tagged
/// [`DEMO_TAG`]) and fails before any change if a model without the tag holds a demo name and
/// version.
pub async fn load(services: &Services, options: &DemoOptions) -> anyhow::Result<DemoReport> {
    let (_, models) = services
        .models
        .list(&ModelQuery::default(), page(0, 1)?)
        .await?;
    if models > 0 && !options.force {
        return Err(Refused { models }.into());
    }
    let scenarios = story::scenarios();
    let earlier = earlier_demo_models(services, &scenarios).await?;
    let accounts = accounts::ensure(&services.auth, options.password.as_ref()).await?;
    let engineer = accounts::with_role(&accounts, Role::Engineer)?;
    let approver = accounts::with_role(&accounts, Role::Approver)?;
    let admin = accounts::with_role(&accounts, Role::Admin)?;
    for id in &earlier {
        services.models.delete(*id, &admin).await?;
    }
    ensure_second_policy(services, &admin).await?;
    let people = People {
        engineer,
        approver,
        second_approver: admin,
    };
    let mut reports = Vec::with_capacity(scenarios.len());
    for (index, scenario) in scenarios.into_iter().enumerate() {
        let name = format!("{} {}", scenario.model.name, scenario.model.version);
        let report = load_scenario(services, index, scenario, people)
            .await
            .with_context(|| format!("loading the demo model {name}"))?;
        reports.push(report);
    }
    Ok(DemoReport {
        accounts,
        models: reports,
        replaced: earlier.len(),
    })
}

fn page(skip: u64, limit: u64) -> anyhow::Result<Page> {
    Page::new(skip, limit).map_err(anyhow::Error::msg)
}

/// Every item of a paged list.
async fn all<T, F, Fut>(mut fetch: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = driftguard_core::DomainResult<(Vec<T>, u64)>>,
{
    let mut items = Vec::new();
    loop {
        let (batch, total) = fetch(page(items.len() as u64, 100)?).await?;
        let done = batch.is_empty();
        items.extend(batch);
        if done || items.len() as u64 >= total {
            return Ok(items);
        }
    }
}

/// The ids of the models that hold a demo name and version: demo models of an earlier run,
/// to replace. A model without the demo tag there is the user's own: an error.
async fn earlier_demo_models(
    services: &Services,
    scenarios: &[Scenario],
) -> anyhow::Result<Vec<ModelId>> {
    let mut ids = Vec::new();
    for scenario in scenarios {
        let query = ModelQuery {
            name_contains: Some(scenario.model.name.clone()),
            ..ModelQuery::default()
        };
        let found = all(|p| services.models.list(&query, p)).await?;
        for model in found {
            if model.name != scenario.model.name || model.version != scenario.model.version {
                continue;
            }
            anyhow::ensure!(
                model.tags.iter().any(|t| t == DEMO_TAG),
                "model {} {} (id {}) is not a demo model; the demo will not replace it",
                model.name,
                model.version,
                model.id
            );
            ids.push(model.id);
        }
    }
    Ok(ids)
}

/// Creates the second policy unless a policy of its name exists (a forced reload).
async fn ensure_second_policy(services: &Services, admin: &Actor) -> anyhow::Result<()> {
    let policies = all(|p| services.policies.list(p)).await?;
    if !policies.iter().any(|p| p.name == SECOND_POLICY) {
        services
            .policies
            .create(story::second_policy(), admin)
            .await?;
    }
    Ok(())
}

/// Who presses the buttons of the demo.
#[derive(Debug, Clone, Copy)]
struct People {
    /// Registers, evaluates and deploys.
    engineer: Actor,
    /// Overrides.
    approver: Actor,
    /// Approves an override that needs four eyes.
    second_approver: Actor,
}

async fn load_scenario(
    services: &Services,
    index: usize,
    scenario: Scenario,
    people: People,
) -> anyhow::Result<ModelReport> {
    let engineer = people.engineer;
    let model = services.models.register(scenario.model, &engineer).await?;
    let (evaluations, latest) = match scenario.history {
        Some(history) => evaluate_history(services, index, model.id, history, &engineer).await?,
        None => (0, None),
    };
    let deploys = deploy(services, model.id, scenario.deploy, people).await?;
    Ok(ModelReport {
        model: services.models.get(model.id).await?,
        evaluations,
        latest,
        deploys,
    })
}

/// Uploads the reference data and runs the evaluations, each backdated to its day (an hour
/// apart per model, so that the models do not all share one instant).
async fn evaluate_history(
    services: &Services,
    index: usize,
    model_id: ModelId,
    history: History,
    engineer: &Actor,
) -> anyhow::Result<(u32, Option<Status>)> {
    let trained = data::World {
        drift: history.trained_on,
        trained_on: history.trained_on,
    };
    let reference = (history.generator)(&mut Sampler::new(seed(index, 0)), REFERENCE_ROWS, trained);
    services
        .references
        .upload_reference(
            model_id,
            reference.into_bytes(),
            DataFormat::Csv,
            BTreeMap::new(),
            engineer,
        )
        .await?;
    let today = now() - TimeDelta::hours(index as i64 + 1);
    let mut latest = None;
    for k in 0..history.evaluations {
        let world = data::World {
            drift: history.drift_at(k),
            trained_on: history.trained_on,
        };
        let current =
            (history.generator)(&mut Sampler::new(seed(index, k + 1)), CURRENT_ROWS, world);
        let at = today - TimeDelta::days(i64::from(history.days_ago(k)));
        let evaluation = services
            .evaluations
            .evaluate_at(
                model_id,
                current.into_bytes(),
                DataFormat::Csv,
                EvaluateOptions::default(),
                at,
                engineer,
            )
            .await?;
        latest = evaluation.status();
    }
    Ok((history.evaluations, latest))
}

/// Presses the deploy button as the plan says; the outcome of each request (an override the
/// model's tier makes a four-eyes request is approved by `second_approver`).
async fn deploy(
    services: &Services,
    model_id: ModelId,
    plan: DeployPlan,
    people: People,
) -> anyhow::Result<Vec<Outcome>> {
    let People {
        engineer,
        approver,
        second_approver,
    } = people;
    let mut outcomes = Vec::new();
    if plan == DeployPlan::Leave {
        return Ok(outcomes);
    }
    let request = DeployRequestBody {
        notes: Some("Loaded by driftguard demo.".to_owned()),
        ..DeployRequestBody::default()
    };
    outcomes.push(outcome(
        &services
            .deployments
            .deploy(model_id, request.clone(), &engineer)
            .await?,
    ));
    if let DeployPlan::Override(justification) = plan
        && outcomes.last() == Some(&Outcome::Blocked)
    {
        let overriding = DeployRequestBody {
            override_requested: true,
            justification: Some(justification.to_owned()),
            ..request
        };
        let asked = services
            .deployments
            .deploy(model_id, overriding, &approver)
            .await?;
        outcomes.push(outcome(&asked));
        // A tier that needs four eyes: the admin is the second approver.
        if let DeployOutcome::OverrideRequested { request, .. } = asked {
            let approved = services
                .overrides
                .approve(
                    request.id,
                    Some("Second approval, loaded by driftguard demo.".to_owned()),
                    &second_approver,
                )
                .await?;
            outcomes.push(approved.deployment.entry.outcome);
        }
    }
    Ok(outcomes)
}

fn outcome(outcome: &DeployOutcome) -> Outcome {
    match outcome {
        DeployOutcome::Deployed { deployment, .. }
        | DeployOutcome::Blocked { deployment, .. }
        | DeployOutcome::OverrideRequested { deployment, .. } => deployment.entry.outcome,
    }
}
