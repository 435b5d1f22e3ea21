//! The drills' traffic: workers that send writes (deploys, evaluations, policy edits) and
//! reads to the replicas in a closed loop until told to stop, as a busy team of clients
//! would. Each request is recorded with when it started, how long it took and how it ended;
//! an acknowledged write keeps what identifies it, so that the drill can look for it
//! afterwards (`ledger`). Every deploy attempt carries a note of its own, which the history
//! row it writes keeps.

use crate::loadtest::api::Api;
use crate::loadtest::drive::kind;
use crate::loadtest::rng::SplitMix64;
use crate::loadtest::stats::Outcome;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long a worker waits after a failed request before its next one, as a client backing
/// off would (and so that an outage does not turn the generator into a busy loop).
const BACKOFF: Duration = Duration::from_millis(50);

/// The kind of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `POST /models/{id}/deploy`.
    Deploy,
    /// `POST /models/{id}/evaluations`.
    Evaluate,
    /// `PUT /policies/{id}`.
    EditPolicy,
    /// A `GET`: a model, the history, a dashboard, the policies.
    Read,
    /// `PUT /models/{id}/reference` (not in the mix: the disk-full drill sends large ones).
    Upload,
}

impl Op {
    /// Every kind, in table order.
    pub const ALL: [Op; 5] = [
        Op::Deploy,
        Op::Evaluate,
        Op::EditPolicy,
        Op::Read,
        Op::Upload,
    ];

    /// Its name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Op::Deploy => "deploy",
            Op::Evaluate => "evaluate",
            Op::EditPolicy => "edit policy",
            Op::Read => "read",
            Op::Upload => "upload",
        }
    }

    /// Whether `status` is an answer this request may get when all is well: a deploy may be
    /// blocked by governance or refused because its judgement went stale (409).
    pub fn expects(self, status: u16) -> bool {
        match self {
            Op::Deploy => matches!(status, 200 | 409),
            Op::Evaluate => status == 201,
            Op::EditPolicy | Op::Read | Op::Upload => status == 200,
        }
    }
}

/// A write the server acknowledged, by what identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// A deploy attempt recorded in the history (deployed, overridden or blocked): its note.
    Deployment(String),
    /// A stored evaluation: its id.
    Evaluation(i64),
    /// A new version of the drill's policy.
    PolicyVersion(i64),
}

/// One request.
#[derive(Debug, Clone)]
pub struct Record {
    /// What it was.
    pub op: Op,
    /// Which replica it went to.
    pub replica: usize,
    /// When it started, from the traffic's start.
    pub started: Duration,
    /// How long until the whole answer (or the error).
    pub took: Duration,
    /// Status or transport error.
    pub outcome: Outcome,
    /// The `code` of a JSON error body.
    pub code: Option<String>,
    /// The acknowledged write, if it was one.
    pub ack: Option<Ack>,
    /// A deploy attempt's note, acknowledged or not.
    pub note: Option<String>,
    /// How many replicas refused the connection before one took the request.
    pub failovers: usize,
}

impl Record {
    /// Whether it got an answer its kind expects.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Status(s) if self.op.expects(s))
    }
}

/// The share of each kind of request, as weights.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    /// Deploy attempts.
    pub deploy: u64,
    /// Evaluations.
    pub evaluate: u64,
    /// Policy edits.
    pub edit_policy: u64,
    /// Reads.
    pub read: u64,
}

impl Mix {
    fn pick(&self, rng: &mut SplitMix64) -> Op {
        let total = self.deploy + self.evaluate + self.edit_policy + self.read;
        let mut n = rng.below(total.max(1));
        for (op, weight) in [
            (Op::Deploy, self.deploy),
            (Op::Evaluate, self.evaluate),
            (Op::EditPolicy, self.edit_policy),
        ] {
            if n < weight {
                return op;
            }
            n -= weight;
        }
        Op::Read
    }
}

/// How much traffic, of what kind.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// The kinds of request.
    pub mix: Mix,
    /// Workers, each with one request in flight.
    pub workers: usize,
    /// Whether a refused connection is retried on the next replica, as a load balancer does.
    pub failover: bool,
}

/// A model the traffic works on.
#[derive(Debug, Clone)]
pub struct Model {
    /// Its id.
    pub id: i64,
    /// Current data for its evaluations.
    pub current_csv: String,
}

/// What the traffic works on.
#[derive(Debug, Clone)]
pub struct Target {
    /// The models deployed and evaluated.
    pub models: Vec<Model>,
    /// The policy edited (a `warn`-only policy of the drill's own, so that edits do not
    /// change which deploys are blocked).
    pub policy_id: i64,
    /// Whether every deploy overrides (signed in as an admin, so it is allowed): then each
    /// attempt deploys, whatever the evaluation says.
    pub override_deploys: bool,
}

/// Running traffic; [`Traffic::stop`] ends it and hands back the records.
pub struct Traffic {
    stop: Arc<AtomicBool>,
    workers: JoinSet<Vec<Record>>,
}

impl Traffic {
    /// Starts the workers of `load` over `replicas` (worker `w` starts on replica `w mod n`
    /// and moves to the next one each request); times are taken from `t0`.
    pub fn start(replicas: &[Arc<Api>], target: Arc<Target>, load: Load, t0: Instant) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut set = JoinSet::new();
        for w in 0..load.workers {
            let worker = Worker {
                id: w,
                replicas: replicas.to_vec(),
                target: target.clone(),
                load,
                t0,
                stop: stop.clone(),
            };
            set.spawn(worker.run());
        }
        Self { stop, workers: set }
    }

    /// Asks every worker to stop after its request in flight, and returns every record.
    pub async fn stop(mut self) -> Vec<Record> {
        self.stop.store(true, Ordering::Relaxed);
        let mut records = Vec::new();
        while let Some(done) = self.workers.join_next().await {
            records.extend(done.unwrap_or_default());
        }
        records.sort_by_key(|r| r.started);
        records
    }
}

struct Worker {
    id: usize,
    replicas: Vec<Arc<Api>>,
    target: Arc<Target>,
    load: Load,
    t0: Instant,
    stop: Arc<AtomicBool>,
}

impl Worker {
    async fn run(self) -> Vec<Record> {
        let mut rng = SplitMix64::new(0xD211_1000 + self.id as u64);
        let mut records = Vec::new();
        let mut n = 0_usize;
        while !self.stop.load(Ordering::Relaxed) {
            let op = self.load.mix.pick(&mut rng);
            let model = &self.target.models[rng.below(self.target.models.len() as u64) as usize];
            let note = (op == Op::Deploy).then(|| format!("drill-w{}-{n}", self.id));
            let started = self.t0.elapsed();
            let mut failovers = 0;
            let (replica, outcome, body) = loop {
                let replica = (self.id + n + failovers) % self.replicas.len();
                let api = &self.replicas[replica];
                let request = self.request(op, api, model, note.as_deref(), n);
                let (outcome, body) = exchange(request).await;
                let refused = matches!(outcome, Outcome::Error("connect" | NO_ANSWER));
                if self.load.failover && refused && failovers + 1 < self.replicas.len() {
                    failovers += 1;
                    continue;
                }
                break (replica, outcome, body);
            };
            let record = Record {
                op,
                replica,
                started,
                took: self.t0.elapsed().saturating_sub(started),
                code: body
                    .as_ref()
                    .and_then(|b| b.get("code"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                ack: acknowledged(op, outcome, body.as_ref(), note.as_deref()),
                outcome,
                note,
                failovers,
            };
            if !record.ok() {
                tokio::time::sleep(BACKOFF).await;
            }
            records.push(record);
            n += 1;
        }
        records
    }

    fn request(
        &self,
        op: Op,
        api: &Api,
        model: &Model,
        note: Option<&str>,
        n: usize,
    ) -> RequestBuilder {
        match op {
            Op::Deploy => {
                let mut body = json!({"environment": "production", "notes": note});
                if self.target.override_deploys {
                    body["override"] = json!(true);
                    body["justification"] = json!("drill: the risk is accepted for the exercise");
                }
                api.post_json(&format!("/models/{}/deploy", model.id), &body)
            }
            Op::Evaluate => api.send_csv(
                false,
                &format!("/models/{}/evaluations", model.id),
                model.current_csv.clone(),
            ),
            Op::EditPolicy => api.put_json(
                &format!("/policies/{}", self.target.policy_id),
                &drill_policy(90.0 + (n % 10) as f64),
            ),
            Op::Upload => api.send_csv(
                true,
                &format!("/models/{}/reference", model.id),
                model.current_csv.clone(),
            ),
            Op::Read => api.get(&match n % 4 {
                0 => format!("/models/{}", model.id),
                1 => "/deployments?limit=10".to_owned(),
                2 => "/dashboard/summary".to_owned(),
                _ => "/policies".to_owned(),
            }),
        }
    }
}

/// The drill's policy: one `warn` rule on the risk score, at `threshold`.
pub fn drill_policy(threshold: f64) -> Value {
    json!({
        "name": "drill policy",
        "description": "edited over and over by a drill",
        "active": true,
        "applies_to": {"risk_tiers": []},
        "rules": [{"metric": "risk.score", "op": "<=", "threshold": threshold, "severity": "warn"}],
    })
}

/// The acknowledged write of an answer, if it is one.
fn acknowledged(op: Op, outcome: Outcome, body: Option<&Value>, note: Option<&str>) -> Option<Ack> {
    let Outcome::Status(status) = outcome else {
        return None;
    };
    let code = body.and_then(|b| b.get("code")).and_then(Value::as_str);
    let id = |field: &str| body.and_then(|b| b.get(field)).and_then(Value::as_i64);
    match (op, status) {
        // A blocked attempt is recorded too; a stale judgement (`conflict`) is not.
        (Op::Deploy, 200) => note.map(|n| Ack::Deployment(n.to_owned())),
        (Op::Deploy, 409) if code == Some("governance_blocked") => {
            note.map(|n| Ack::Deployment(n.to_owned()))
        }
        (Op::Evaluate, 201) => id("id").map(Ack::Evaluation),
        (Op::EditPolicy, 200) => id("version").map(Ack::PolicyVersion),
        _ => None,
    }
}

/// Sends `request`: its outcome and its JSON body, if it had one.
pub async fn exchange(request: RequestBuilder) -> (Outcome, Option<Value>) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(bytes) => (Outcome::Status(status), serde_json::from_slice(&bytes).ok()),
                Err(e) => (Outcome::Error(kind(&e)), None),
            }
        }
        // No answer at all: a balancer may send the request elsewhere (see `NO_ANSWER`).
        Err(e) if kind(&e) == "transport" => (Outcome::Error(NO_ANSWER), None),
        Err(e) => (Outcome::Error(kind(&e)), None),
    }
}

/// A request whose connection closed before any byte of an answer: how a request sent on a
/// kept-alive connection fails when a draining replica closes that idle connection at the
/// same instant. The replica never read it (it answers what it has read before closing), so
/// a balancer retries it on another replica, as one does a refused connection (HAProxy's
/// `retry-on conn-failure empty-response`); the drills' ledgers would catch a write that
/// was applied twice.
pub const NO_ANSWER: &str = "no answer";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_follows_its_weights() {
        let mix = Mix {
            deploy: 1,
            evaluate: 1,
            edit_policy: 0,
            read: 2,
        };
        let mut rng = SplitMix64::new(7);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..4000 {
            *counts.entry(mix.pick(&mut rng)).or_insert(0) += 1;
        }
        assert!(!counts.contains_key(&Op::EditPolicy));
        assert!((800..1200).contains(&counts[&Op::Deploy]), "{counts:?}");
        assert!((1800..2200).contains(&counts[&Op::Read]), "{counts:?}");
    }

    #[test]
    fn only_recorded_writes_are_acknowledged() {
        let s = Outcome::Status;
        let note = Some("drill-w0-1");
        let blocked = json!({"code": "governance_blocked"});
        let stale = json!({"code": "conflict"});
        let deployed = Some(Ack::Deployment("drill-w0-1".into()));
        assert_eq!(acknowledged(Op::Deploy, s(200), None, note), deployed);
        assert_eq!(
            acknowledged(Op::Deploy, s(409), Some(&blocked), note),
            deployed
        );
        assert_eq!(acknowledged(Op::Deploy, s(409), Some(&stale), note), None);
        assert_eq!(acknowledged(Op::Deploy, s(503), None, note), None);
        assert_eq!(
            acknowledged(Op::Deploy, Outcome::Error("connect"), None, note),
            None
        );
        let evaluation = json!({"id": 42});
        assert_eq!(
            acknowledged(Op::Evaluate, s(201), Some(&evaluation), None),
            Some(Ack::Evaluation(42))
        );
        let policy = json!({"version": 7});
        assert_eq!(
            acknowledged(Op::EditPolicy, s(200), Some(&policy), None),
            Some(Ack::PolicyVersion(7))
        );
        assert_eq!(acknowledged(Op::Read, s(200), None, None), None);
    }

    #[test]
    fn expected_answers_by_kind() {
        assert!(Op::Deploy.expects(409) && !Op::Deploy.expects(503));
        assert!(Op::Evaluate.expects(201) && !Op::Evaluate.expects(200));
        assert!(Op::Read.expects(200) && !Op::Read.expects(500));
    }
}
