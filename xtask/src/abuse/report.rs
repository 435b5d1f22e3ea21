//! The outcome of each case, the rules it is held to, and the table.

use super::cases::{Case, Params};
use super::http::Answer;
use serde_json::Value;
use std::fmt::Write;
use std::time::Duration;

/// The server's resident memory around one case, in bytes (`None`: the process was gone).
#[derive(Clone, Copy)]
pub struct Memory {
    /// Just after start-up, before the set-up's sign-ins.
    pub at_start: Option<u64>,
    /// After the set-up, just before the hostile request.
    pub before: Option<u64>,
    /// The peak while the request was served.
    pub peak: Option<u64>,
}

/// What one case got.
pub struct Outcome {
    name: &'static str,
    expected: &'static [u16],
    status: Option<u16>,
    seconds: Option<f64>,
    memory: Memory,
    /// What the answer said, shortened.
    said: String,
    /// The rules the case broke, each said in words.
    pub broken: Vec<String>,
}

impl Outcome {
    /// A case not judged yet, with the server's memory around it.
    pub fn new(case: &Case, memory: Memory) -> Self {
        Self {
            name: case.name,
            expected: case.expected,
            status: None,
            seconds: None,
            memory,
            said: String::new(),
            broken: Vec::new(),
        }
    }

    /// Holds `answer` to the case's statuses, its check, and `within`.
    pub fn judge(&mut self, case: &Case, answer: &Answer, within: Duration) {
        self.status = Some(answer.status);
        self.seconds = Some(answer.elapsed.as_secs_f64());
        self.said = summary(answer);
        if !case.expected.contains(&answer.status) && answer.status != 503 {
            self.broken.push(format!(
                "status {} where {} was expected",
                answer.status,
                statuses(case.expected)
            ));
        }
        if answer.elapsed > within {
            self.broken.push(format!(
                "answered after {:.1} s, more than {} s",
                answer.elapsed.as_secs_f64(),
                within.as_secs()
            ));
        }
        if let Some(problem) = case.check.and_then(|check| check(answer)) {
            self.broken.push(problem);
        }
    }

    /// Holds the peak to stay under `bound`.
    pub fn judge_memory(&mut self, bound: u64) {
        let Memory {
            at_start,
            before,
            peak,
        } = self.memory;
        if let Some(peak) = peak.filter(|&p| p >= bound) {
            self.broken.push(format!(
                "peak RSS {} MiB, not under {} MiB (twice the upload limit); {} MiB before the \
                 request, {} MiB at start-up",
                mib(Some(peak)),
                mib(Some(bound)),
                mib(before),
                mib(at_start)
            ));
        }
    }
}

fn statuses(list: &[u16]) -> String {
    list.iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

/// The error's code and detail (and the first field error), or a few fields of a success.
fn summary(answer: &Answer) -> String {
    let json = answer.json();
    let text = match (json.get("code"), json.get("detail")) {
        (Some(code), Some(detail)) => {
            let detail = detail.as_str().unwrap_or("?");
            // A 422's field error, unless the detail already says it.
            let field = json
                .pointer("/errors/0/message")
                .and_then(Value::as_str)
                .filter(|m| !detail.contains(m))
                .map(|m| format!(" [{m}]"))
                .unwrap_or_default();
            format!("{}: {detail}{field}", code.as_str().unwrap_or("?"))
        }
        _ if json.is_object() => ["status", "rows", "risk"]
            .iter()
            .filter_map(|key| Some(format!("{key}={}", brief(json.get(*key)?))))
            .collect::<Vec<_>>()
            .join(" "),
        _ if answer.body.is_empty() => "(no body)".into(),
        _ => answer.text(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(140) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// A JSON value in a few characters: a number, a string, or an object's `score`.
fn brief(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => map
            .get("score")
            .map_or_else(|| "{…}".into(), Value::to_string),
        other => other.to_string(),
    }
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "-".into(),
        |b| format!("{:.1}", b as f64 / f64::from(1 << 20)),
    )
}

/// The table, the answers, the broken rules.
pub fn render(
    outcomes: &[Outcome],
    params: &Params,
    bound: u64,
    load_before: &str,
    load_after: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nupload limit {} MiB (peak RSS must stay under {} MiB), JSON limit {} KiB; \
         exact-KS columns {}; load average before {load_before}, after {load_after}\n",
        params.upload_limit >> 20,
        bound >> 20,
        params.json_limit >> 10,
        params.ks_columns,
    );
    let _ = writeln!(
        out,
        "{:<17} {:>11} {:>6} {:>8} {:>9} {:>10} {:>9}  verdict",
        "case", "expected", "status", "time s", "start MiB", "before MiB", "peak MiB"
    );
    for o in outcomes {
        let _ = writeln!(
            out,
            "{:<17} {:>11} {:>6} {:>8} {:>9} {:>10} {:>9}  {}",
            o.name,
            statuses(o.expected),
            o.status.map_or_else(|| "-".into(), |s| s.to_string()),
            o.seconds.map_or_else(|| "-".into(), |s| format!("{s:.3}")),
            mib(o.memory.at_start),
            mib(o.memory.before),
            mib(o.memory.peak),
            if o.broken.is_empty() { "ok" } else { "BROKEN" },
        );
    }
    let _ = writeln!(out, "\nanswers:");
    for o in outcomes {
        let _ = writeln!(out, "  {:<17} {}", o.name, o.said);
    }
    for o in outcomes.iter().filter(|o| !o.broken.is_empty()) {
        let _ = writeln!(out, "\n{} broke a rule: {}", o.name, o.broken.join("; "));
    }
    out
}
