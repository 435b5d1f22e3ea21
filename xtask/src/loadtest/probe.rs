//! Side readings around the measured window: the cache counters of `GET /metrics`, the
//! CPU time of the server and of the generator (they share the two cores, so both matter),
//! and the server's resident memory.

use super::api::Api;
use std::collections::BTreeMap;

/// `cache_hits_total` and `cache_misses_total` of a Prometheus exposition, summed per
/// `key_class` label: (hits, misses) by class.
pub type CacheCounters = BTreeMap<String, (f64, f64)>;

/// Reads the cache counters from `GET /metrics`; empty when the endpoint or the counters
/// are missing (the figures are informative, the run goes on).
pub async fn cache_counters(api: &Api) -> CacheCounters {
    let Ok(response) = api.get("/metrics").send().await else {
        return CacheCounters::new();
    };
    match response.text().await {
        Ok(text) => parse_cache_counters(&text),
        Err(_) => CacheCounters::new(),
    }
}

/// The cache counters of exposition `text`.
pub fn parse_cache_counters(text: &str) -> CacheCounters {
    let mut counters = CacheCounters::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = match line.rsplit_once(' ') {
            Some((s, v)) => (s.trim(), v.trim()),
            None => continue,
        };
        let (name, labels) = series.split_once('{').unwrap_or((series, ""));
        let hit = match name {
            "cache_hits_total" => true,
            "cache_misses_total" => false,
            _ => continue,
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let class = labels
            .split(',')
            .find_map(|l| l.trim().strip_prefix("key_class="))
            .map_or("", |c| c.trim_end_matches('}').trim_matches('"'))
            .to_owned();
        let entry = counters.entry(class).or_default();
        if hit {
            entry.0 += value;
        } else {
            entry.1 += value;
        }
    }
    counters
}

/// Hits and misses counted between two readings, by class, then in total.
pub fn cache_delta(before: &CacheCounters, after: &CacheCounters) -> Vec<(String, f64, f64)> {
    let mut rows: Vec<(String, f64, f64)> = after
        .iter()
        .map(|(class, (h, m))| {
            let (h0, m0) = before.get(class).copied().unwrap_or_default();
            (class.clone(), h - h0, m - m0)
        })
        .filter(|(_, h, m)| *h != 0.0 || *m != 0.0)
        .collect();
    let (h, m) = rows.iter().fold((0.0, 0.0), |(h, m), r| (h + r.1, m + r.2));
    rows.push(("total".to_owned(), h, m));
    rows
}

/// Seconds of CPU (user + system) process `pid` has used, from `/proc/<pid>/stat`; `None`
/// off Linux. The ticks are USER_HZ, which Linux fixes at 100 for this file.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state (field 3).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Resident memory of process `pid` in bytes (`VmRSS` of `/proc/<pid>/status`); `None` off
/// Linux or once the process is gone.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPOSITION: &str = r#"# HELP cache_hits_total Cache hits
# TYPE cache_hits_total counter
cache_hits_total{key_class="dashboard_summary"} 90
cache_hits_total{key_class="policies"} 5
# TYPE cache_misses_total counter
cache_misses_total{key_class="dashboard_summary"} 10
app_requests_total{method="GET",endpoint="/models",status="200"} 1000
"#;

    #[test]
    fn reads_the_cache_counters_by_class() {
        let c = parse_cache_counters(EXPOSITION);
        assert_eq!(c.get("dashboard_summary"), Some(&(90.0, 10.0)));
        assert_eq!(c.get("policies"), Some(&(5.0, 0.0)));
        assert_eq!(c.len(), 2);
        assert!(parse_cache_counters("no metrics here").is_empty());
    }

    #[test]
    fn the_delta_keeps_changed_classes_and_a_total() {
        let before = parse_cache_counters(EXPOSITION);
        let after = parse_cache_counters(
            &EXPOSITION
                .replace("} 90", "} 190")
                .replace("} 10\n", "} 12\n"),
        );
        assert_eq!(
            cache_delta(&before, &after),
            vec![
                ("dashboard_summary".to_owned(), 100.0, 2.0),
                ("total".to_owned(), 100.0, 2.0)
            ]
        );
    }

    #[test]
    fn reads_this_process_resident_memory() {
        if cfg!(target_os = "linux") {
            assert!(rss_bytes(std::process::id()).is_some_and(|b| b > 0));
        }
        assert_eq!(rss_bytes(u32::MAX), None);
    }

    #[test]
    fn reads_this_process_cpu_time() {
        if cfg!(target_os = "linux") {
            assert!(cpu_seconds(std::process::id()).is_some_and(|s| s >= 0.0));
        }
    }
}
