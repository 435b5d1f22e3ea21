//! After the traffic: what the database holds, read back through the API, against what was
//! acknowledged. Every acknowledged write must be there once (none lost, none doubled), no
//! write half-applied (a model's status is what its last history row says; a policy's
//! current version is its newest), the audit chain verifies over every row, and at most one
//! version of a name is deployed.

use super::report::Report;
use super::traffic::{Ack, Op, Record, Target};
use crate::loadtest::api::{Api, json_of};
use crate::loadtest::stats::Outcome;
use anyhow::Context;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A page of the lists read back.
const PAGE: usize = 100;

/// Every row of a paginated list (`GET path?skip=…&limit=100`, the array under `items`).
pub async fn every(api: &Api, path: &str, items: &str) -> anyhow::Result<Vec<Value>> {
    let mut rows = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    loop {
        let url = format!("{path}{separator}skip={}&limit={PAGE}", rows.len());
        let body = json_of(api.get(&url), &format!("GET {path}")).await?;
        let page = body
            .get(items)
            .and_then(Value::as_array)
            .with_context(|| format!("GET {path} answered without `{items}`"))?;
        rows.extend(page.iter().cloned());
        let total = body
            .pointer("/pagination/total")
            .and_then(Value::as_u64)
            .context("no pagination.total")?;
        if page.is_empty() || rows.len() as u64 >= total {
            return Ok(rows);
        }
    }
}

/// The whole deployment history, oldest first.
pub async fn history(api: &Api) -> anyhow::Result<Vec<Value>> {
    let mut rows = every(api, "/deployments", "deployments").await?;
    rows.sort_by_key(|r| r.get("id").and_then(Value::as_i64));
    Ok(rows)
}

/// A check's verdict: whether it held, and what was seen.
pub type Verdict = (bool, String);

/// Every check of this module but `one_deployed_per_name`, each a promise of `report`, the
/// reads spread over the replicas `apis`; the history read, for more checks.
pub async fn check_writes(
    report: &mut Report,
    apis: &[Arc<Api>],
    target: &Target,
    records: &[Record],
) -> anyhow::Result<Vec<Value>> {
    let api = |i: usize| &apis[i % apis.len()];
    let history = history(api(0)).await?;
    let (held, seen) = deploys_kept(records, &history);
    report.promise(
        "every acknowledged deploy attempt recorded once",
        held,
        seen,
    );
    let (held, seen) = evaluations_kept(api(1), records).await?;
    report.promise("every acknowledged evaluation kept", held, seen);
    let (held, seen) = policy_versions_kept(api(2), target.policy_id, records).await?;
    report.promise("every acknowledged policy version kept", held, seen);
    let ids: Vec<i64> = target.models.iter().map(|m| m.id).collect();
    let (held, seen) = statuses_match_history(api(3), &ids, &history).await?;
    report.promise("no deploy half-applied", held, seen);
    let (held, seen) = chain_verifies(api(4), history.len()).await?;
    report.promise("the audit chain verifies", held, seen);
    Ok(history)
}

/// Every acknowledged deploy attempt is in the history exactly once; also says how many
/// unacknowledged attempts (a 503 or a cut connection: their fate unknown to the client)
/// were committed after all.
pub fn deploys_kept(records: &[Record], history: &[Value]) -> Verdict {
    let mut in_history: HashMap<&str, usize> = HashMap::new();
    for row in history {
        if let Some(note) = row.get("notes").and_then(Value::as_str) {
            *in_history.entry(note).or_default() += 1;
        }
    }
    let acked: Vec<&str> = records
        .iter()
        .filter_map(|r| match &r.ack {
            Some(Ack::Deployment(note)) => Some(note.as_str()),
            _ => None,
        })
        .collect();
    let lost = acked
        .iter()
        .filter(|n| !in_history.contains_key(*n))
        .count();
    let doubled = in_history.values().filter(|&&n| n > 1).count();
    let in_doubt: Vec<&str> = records
        .iter()
        .filter(|r| r.op == Op::Deploy && r.ack.is_none() && in_doubt(r.outcome))
        .filter_map(|r| r.note.as_deref())
        .collect();
    let committed_anyway = in_doubt
        .iter()
        .filter(|n| in_history.contains_key(*n))
        .count();
    (
        lost == 0 && doubled == 0,
        format!(
            "{} acknowledged, {lost} missing, {doubled} recorded twice; {committed_anyway} of {} \
             unanswered or 5xx attempts committed",
            acked.len(),
            in_doubt.len()
        ),
    )
}

/// Whether an answer leaves the client unsure if the write happened.
fn in_doubt(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Error(_) | Outcome::Status(500..))
}

/// Every acknowledged evaluation can be read back.
pub async fn evaluations_kept(api: &Api, records: &[Record]) -> anyhow::Result<Verdict> {
    let ids: Vec<i64> = records
        .iter()
        .filter_map(|r| match r.ack {
            Some(Ack::Evaluation(id)) => Some(id),
            _ => None,
        })
        .collect();
    let mut missing = 0;
    for id in &ids {
        let status = api
            .get(&format!("/evaluations/{id}"))
            .send()
            .await?
            .status();
        if status.as_u16() != 200 {
            missing += 1;
        }
    }
    Ok((
        missing == 0,
        format!("{} acknowledged, {missing} missing", ids.len()),
    ))
}

/// Every acknowledged version of the policy is there, versions run 1, 2, 3… without a gap,
/// and the policy's current version is the newest.
pub async fn policy_versions_kept(
    api: &Api,
    policy_id: i64,
    records: &[Record],
) -> anyhow::Result<Verdict> {
    let body = json_of(
        api.get(&format!("/policies/{policy_id}/versions")),
        "GET /policies/{id}/versions",
    )
    .await?;
    let versions: BTreeSet<i64> = body
        .get("versions")
        .and_then(Value::as_array)
        .context("no versions")?
        .iter()
        .filter_map(|v| v.get("version").and_then(Value::as_i64))
        .collect();
    let current = json_of(
        api.get(&format!("/policies/{policy_id}")),
        "GET /policies/{id}",
    )
    .await?
    .get("version")
    .and_then(Value::as_i64);
    let acked: Vec<i64> = records
        .iter()
        .filter_map(|r| match r.ack {
            Some(Ack::PolicyVersion(v)) => Some(v),
            _ => None,
        })
        .collect();
    let missing = acked.iter().filter(|v| !versions.contains(v)).count();
    let newest = versions.last().copied();
    let gapless = versions.iter().copied().eq(1..=newest.unwrap_or(0));
    Ok((
        missing == 0 && gapless && current == newest,
        format!(
            "{} acknowledged, {missing} missing; versions 1–{} {}; current {}",
            acked.len(),
            newest.unwrap_or(0),
            if gapless {
                "without a gap"
            } else {
                "WITH GAPS"
            },
            current.map_or("none".into(), |v| v.to_string())
        ),
    ))
}

/// Each model's status is the `new_status` of its last history row that changed a status
/// (a deploy, a supersession, a retirement; blocked attempts change nothing), or
/// `registered` without one: a deploy applied to one table and not the other shows here.
pub async fn statuses_match_history(
    api: &Api,
    model_ids: &[i64],
    history: &[Value],
) -> anyhow::Result<Verdict> {
    let expected = expected_statuses(history);
    let mut mismatches = Vec::new();
    for id in model_ids {
        let model = json_of(api.get(&format!("/models/{id}")), "GET /models/{id}").await?;
        let status = model.get("status").and_then(Value::as_str).unwrap_or("");
        let wanted = expected.get(id).map_or("registered", String::as_str);
        if status != wanted {
            mismatches.push(format!("model {id} is {status}, its history says {wanted}"));
        }
    }
    Ok((
        mismatches.is_empty(),
        if mismatches.is_empty() {
            format!("{} models agree with their history", model_ids.len())
        } else {
            mismatches.join("; ")
        },
    ))
}

/// The status each model's history leaves it in (rows oldest first).
fn expected_statuses(history: &[Value]) -> BTreeMap<i64, String> {
    let mut status = BTreeMap::new();
    for row in history {
        let outcome = row.get("outcome").and_then(Value::as_str);
        if outcome == Some("blocked") {
            continue;
        }
        if let (Some(model), Some(new)) = (
            row.get("model_id").and_then(Value::as_i64),
            row.get("new_status").and_then(Value::as_str),
        ) {
            status.insert(model, new.to_owned());
        }
    }
    status
}

/// `GET /audit/verify` says `ok` and checked every row of the history.
pub async fn chain_verifies(api: &Api, history_rows: usize) -> anyhow::Result<Verdict> {
    let body = json_of(api.get("/audit/verify"), "GET /audit/verify").await?;
    let ok = body.get("ok").and_then(Value::as_bool) == Some(true);
    let checked = body.get("rows_checked").and_then(Value::as_u64);
    Ok((
        ok && checked == Some(history_rows as u64),
        format!(
            "ok {ok}, {} rows checked of {history_rows}, first invalid {}",
            checked.map_or("?".into(), |c| c.to_string()),
            body.get("first_invalid_id").unwrap_or(&Value::Null)
        ),
    ))
}

/// No name has two deployed versions.
pub async fn one_deployed_per_name(api: &Api) -> anyhow::Result<Verdict> {
    let deployed = every(api, "/models?status=deployed", "models").await?;
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for model in &deployed {
        if let Some(name) = model.get("name").and_then(Value::as_str) {
            *by_name.entry(name).or_default() += 1;
        }
    }
    let doubled: Vec<String> = by_name
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(name, n)| format!("{name} × {n}"))
        .collect();
    Ok((
        doubled.is_empty(),
        if doubled.is_empty() {
            format!("{} deployed, one per name", deployed.len())
        } else {
            format!("deployed more than once: {}", doubled.join(", "))
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn deploy(note: &str, outcome: Outcome, ack: bool) -> Record {
        Record {
            op: Op::Deploy,
            replica: 0,
            started: Duration::ZERO,
            took: Duration::ZERO,
            outcome,
            code: None,
            ack: ack.then(|| Ack::Deployment(note.to_owned())),
            note: Some(note.to_owned()),
            failovers: 0,
        }
    }

    #[test]
    fn an_acknowledged_deploy_missing_or_doubled_breaks_the_promise() {
        let history = vec![
            json!({"id": 1, "notes": "a"}),
            json!({"id": 2, "notes": "b"}),
            json!({"id": 3, "notes": "c"}),
        ];
        let records = vec![
            deploy("a", Outcome::Status(200), true),
            deploy("b", Outcome::Status(409), true),
            deploy("c", Outcome::Status(503), false),
            deploy("d", Outcome::Error("transport"), false),
        ];
        let (held, seen) = deploys_kept(&records, &history);
        assert!(held, "{seen}");
        assert!(
            seen.contains("1 of 2 unanswered or 5xx attempts committed"),
            "{seen}"
        );
        let (held, seen) = deploys_kept(&records, &history[1..]);
        assert!(!held && seen.contains("1 missing"), "{seen}");
        let doubled = [history.clone(), vec![json!({"id": 4, "notes": "a"})]].concat();
        assert!(!deploys_kept(&records, &doubled).0);
    }

    #[test]
    fn the_last_status_changing_row_decides() {
        let history = vec![
            json!({"model_id": 1, "outcome": "deployed", "new_status": "deployed"}),
            json!({"model_id": 2, "outcome": "overridden", "new_status": "deployed"}),
            json!({"model_id": 1, "outcome": "superseded", "new_status": "superseded"}),
            json!({"model_id": 1, "outcome": "blocked", "new_status": "whatever"}),
        ];
        let expected = expected_statuses(&history);
        assert_eq!(expected[&1], "superseded");
        assert_eq!(expected[&2], "deployed");
        assert!(!expected.contains_key(&3));
    }
}
