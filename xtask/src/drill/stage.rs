//! What a drill stands on: DriftGuard replicas of the release binary started on loopback
//! against the drill's own database (and Redis), sharing the secrets that replicas must share
//! (the JWT secret, so that a token works everywhere; the audit key, so that every replica
//! signs the chain's checkpoints alike); and the models and the policy its traffic works on,
//! made through the API.

use super::traffic::{Model, Target, drill_policy};
use crate::loadtest::api::{Api, json_of};
use crate::loadtest::data::ModelSpec;
use crate::server::{self, ADMIN_EMAIL, ADMIN_PASSWORD, Launch, Server};
use anyhow::Context;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The JWT secret every replica of a drill shares (a drill's databases are thrown away).
const JWT_SECRET: &str = "drill jwt secret, the same on every replica";
/// The audit key every replica of a drill shares.
const AUDIT_KEY: &str = "drill audit key, the same on every replica";

/// Where the replicas keep their data.
#[derive(Debug, Clone, Default)]
pub struct Backing {
    /// PostgreSQL (`None`: each replica's own SQLite file, for a single replica).
    pub database_url: Option<String>,
    /// Redis for the cache (and the rate limiter, when `settings` say so).
    pub redis_url: Option<String>,
    /// More `DRIFTGUARD_*` settings.
    pub settings: Vec<(&'static str, String)>,
}

/// Starts one replica of `binary` on `backing`, on `port` or a free one.
pub async fn replica(
    binary: &Path,
    backing: &Backing,
    port: Option<u16>,
) -> anyhow::Result<Server> {
    let mut settings = vec![
        ("DRIFTGUARD_JWT_SECRET", JWT_SECRET.to_owned()),
        ("DRIFTGUARD_AUDIT_KEY", AUDIT_KEY.to_owned()),
        // The drills' traffic evaluates from many clients at once; the bound on concurrent
        // uploads (one per core, then a fast 503) is not what they rehearse.
        ("DRIFTGUARD_LIMITS__MAX_CONCURRENT_UPLOADS", "64".to_owned()),
    ];
    settings.extend(backing.settings.iter().cloned());
    let launch = Launch {
        reuse_data: None,
        database_url: backing.database_url.as_deref(),
        redis_url: backing.redis_url.as_deref(),
        settings,
        port,
    };
    server::start(binary, &launch)
        .await
        .context("a replica failed to start")
}

/// Starts `n` replicas one after the other (the first migrates the database and creates the
/// admin), each signed in.
pub async fn replicas(
    binary: &Path,
    backing: &Backing,
    n: usize,
) -> anyhow::Result<(Vec<Server>, Vec<Arc<Api>>)> {
    let mut servers = Vec::with_capacity(n);
    let mut apis = Vec::with_capacity(n);
    for _ in 0..n {
        let server = replica(binary, backing, None).await?;
        apis.push(Arc::new(sign_in(&server).await?));
        servers.push(server);
    }
    Ok((servers, apis))
}

/// Signs in to `server` as the admin the chores bootstrap.
pub async fn sign_in(server: &Server) -> anyhow::Result<Api> {
    Api::login(&server.base, ADMIN_EMAIL, ADMIN_PASSWORD).await
}

/// How the drill's models are named.
#[derive(Debug, Clone, Copy)]
pub enum Names {
    /// Each model a name of its own (the load test's).
    Distinct,
    /// Every model a version of this one name.
    VersionsOf(&'static str),
}

/// Registers `count` models through `api`, uploads their reference data, evaluates each once,
/// and creates the drill's policy: what the traffic works on.
pub async fn prepare(
    api: &Api,
    count: u64,
    names: Names,
    override_deploys: bool,
) -> anyhow::Result<Target> {
    let mut models = Vec::new();
    for index in 0..count {
        let spec = ModelSpec::new(index);
        let mut registration = spec.registration();
        if let Names::VersionsOf(name) = names {
            registration["name"] = Value::from(name);
            registration["version"] = Value::from(format!("1.{index}.0"));
        }
        let id = id_of(json_of(api.post_json("/models", &registration), "POST /models").await?)?;
        let reference = format!("/models/{id}/reference");
        json_of(
            api.send_csv(true, &reference, spec.reference_csv()),
            "PUT reference",
        )
        .await?;
        let current_csv = spec.current_csv();
        let evaluations = format!("/models/{id}/evaluations");
        json_of(
            api.send_csv(false, &evaluations, current_csv.clone()),
            "POST evaluation",
        )
        .await?;
        models.push(Model { id, current_csv });
    }
    let policy = json_of(
        api.post_json("/policies", &drill_policy(90.0)),
        "POST /policies",
    )
    .await?;
    Ok(Target {
        models,
        policy_id: id_of(policy)?,
        override_deploys,
    })
}

fn id_of(body: Value) -> anyhow::Result<i64> {
    body.get("id")
        .and_then(Value::as_i64)
        .with_context(|| format!("an answer without an id: {body}"))
}
