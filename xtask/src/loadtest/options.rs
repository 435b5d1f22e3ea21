//! The command line of `cargo xtask loadtest`.

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::time::Duration;

/// Usage, printed in xtask's help and on a bad option.
pub const USAGE: &str = "\
cargo xtask loadtest [--models N] [--rate R] [--duration S] [--warmup S] [--concurrency C]
                     [--ramp] [--database-url URL] [--redis-url URL] [--reuse-data DIR]
                     [--kill-redis-after S [--restart-redis-after S]] [--interval S] [--check]
                     [--binary PATH]
Durations are seconds, or a number with a unit: 90s, 30m, 1h.";

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Models to seed (default 10,000).
    pub models: u64,
    /// Requests per second of the load phase (default 1,000).
    pub rate: f64,
    /// Measured time (default 30 s).
    pub duration: Duration,
    /// Load before the measurement, not measured (default 5 s): connections, caches, JIT-free
    /// but still cold pages.
    pub warmup: Duration,
    /// Whether the warm-up's rate rises linearly from 0 instead of starting at full rate.
    pub ramp: bool,
    /// Seeding requests in flight (default 8).
    pub concurrency: usize,
    /// PostgreSQL instead of SQLite: an empty database, or one seeded by an earlier run.
    pub database_url: Option<String>,
    /// Redis for the server's cache.
    pub redis_url: Option<String>,
    /// Keep the SQLite data here (created when missing) and reuse it on the next run.
    pub reuse_data: Option<PathBuf>,
    /// Run a throw-away redis-server for the cache and SIGKILL it this long into the
    /// measured phase: the outage scenario of issue #6.
    pub kill_redis_after: Option<Duration>,
    /// Start a new redis-server on the same port this long after the kill.
    pub restart_redis_after: Option<Duration>,
    /// Length of each interval of the per-interval table (p95 and the server's memory over
    /// time); by default a tenth of the measured time, between 1 s and 60 s.
    pub interval: Option<Duration>,
    /// Fail when a target is missed.
    pub check: bool,
    /// Serve this build instead of building the release binary.
    pub binary: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            models: 10_000,
            rate: 1000.0,
            duration: Duration::from_secs(30),
            warmup: Duration::from_secs(5),
            ramp: false,
            concurrency: 8,
            database_url: None,
            redis_url: None,
            reuse_data: None,
            kill_redis_after: None,
            restart_redis_after: None,
            interval: None,
            check: false,
            binary: None,
        }
    }
}

impl Options {
    /// Parses `args` (after the chore's name).
    pub fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut o = Self::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))
            };
            match flag.as_str() {
                "--models" => o.models = number(flag, value()?)?,
                "--rate" => o.rate = number(flag, value()?)?,
                "--duration" => o.duration = duration(flag, value()?)?,
                "--warmup" => o.warmup = duration(flag, value()?)?,
                "--interval" => o.interval = Some(duration(flag, value()?)?),
                "--concurrency" => o.concurrency = number(flag, value()?)?,
                "--database-url" => o.database_url = Some(value()?.clone()),
                "--redis-url" => o.redis_url = Some(value()?.clone()),
                "--reuse-data" => o.reuse_data = Some(PathBuf::from(value()?)),
                "--binary" => o.binary = Some(PathBuf::from(value()?)),
                "--kill-redis-after" => o.kill_redis_after = Some(duration(flag, value()?)?),
                "--restart-redis-after" => {
                    o.restart_redis_after = Some(duration(flag, value()?)?);
                }
                "--ramp" => o.ramp = true,
                "--check" => o.check = true,
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        if o.models == 0 || o.concurrency == 0 || o.duration.is_zero() {
            bail!("--models, --concurrency and --duration must be positive");
        }
        if o.interval.is_some_and(|i| i.is_zero() || i > o.duration) {
            bail!("--interval must be positive and at most --duration");
        }
        if !(o.rate.is_finite() && o.rate > 0.0) {
            bail!("--rate must be a positive number");
        }
        if o.database_url.is_some() && o.reuse_data.is_some() {
            bail!("--reuse-data keeps SQLite data; with --database-url the database is kept");
        }
        if o.kill_redis_after.is_some() && o.redis_url.is_some() {
            bail!(
                "--kill-redis-after starts and kills a redis-server of its own; it cannot kill \
                 the Redis of --redis-url: pass one or the other"
            );
        }
        if o.restart_redis_after.is_some() && o.kill_redis_after.is_none() {
            bail!("--restart-redis-after needs --kill-redis-after");
        }
        // Each window must lie in the measured phase, or its figures would be empty.
        let outage_end =
            o.kill_redis_after.unwrap_or_default() + o.restart_redis_after.unwrap_or_default();
        if o.kill_redis_after.is_some() && outage_end >= o.duration {
            bail!("--kill-redis-after (plus --restart-redis-after) must end before --duration");
        }
        Ok(o)
    }
}

impl Options {
    /// The length of each interval of the per-interval table.
    pub fn interval(&self) -> Duration {
        self.interval.unwrap_or_else(|| {
            (self.duration / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
        })
    }
}

/// A duration: whole seconds, or a whole number with a unit `s`, `m` or `h`.
fn duration(flag: &str, value: &str) -> anyhow::Result<Duration> {
    let (digits, unit) = match value.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => value.split_at(at),
        None => (value, "s"),
    };
    let seconds_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => bail!("{flag}: `{value}` has an unknown unit (s, m or h)"),
    };
    let n: u64 = number(flag, digits)?;
    n.checked_mul(seconds_per)
        .map(Duration::from_secs)
        .with_context(|| format!("{flag}: `{value}` is too long"))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> anyhow::Result<T> {
    value
        .replace('_', "")
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag}: `{value}` is not a valid number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Options> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_are_the_issue_targets() {
        let o = parse(&[]).expect("defaults");
        assert_eq!(o, Options::default());
        assert_eq!((o.models, o.rate), (10_000, 1000.0));
        assert_eq!(o.duration, Duration::from_secs(30));
    }

    #[test]
    fn every_option_is_read() {
        let o = parse(&[
            "--models",
            "1_000",
            "--rate",
            "250",
            "--duration",
            "10",
            "--warmup",
            "2",
            "--concurrency",
            "4",
            "--redis-url",
            "redis://x",
            "--reuse-data",
            "/tmp/d",
            "--ramp",
            "--check",
        ])
        .expect("options");
        assert_eq!((o.models, o.rate, o.concurrency), (1000, 250.0, 4));
        assert_eq!(
            (o.duration, o.warmup),
            (Duration::from_secs(10), Duration::from_secs(2))
        );
        assert_eq!(o.redis_url.as_deref(), Some("redis://x"));
        assert_eq!(o.reuse_data, Some(PathBuf::from("/tmp/d")));
        assert!(o.check && o.ramp);
    }

    #[test]
    fn durations_take_a_unit() {
        let o =
            parse(&["--duration", "30m", "--warmup", "90s", "--interval", "1m"]).expect("units");
        assert_eq!(o.duration, Duration::from_secs(1800));
        assert_eq!(o.warmup, Duration::from_secs(90));
        assert_eq!(o.interval(), Duration::from_secs(60));
        assert_eq!(
            parse(&["--duration", "1h"]).expect("hours").duration,
            Duration::from_secs(3600)
        );
        assert_eq!(
            parse(&["--duration", "45"]).expect("bare").duration,
            Duration::from_secs(45)
        );
        for bad in ["30x", "m", "-5m", "1.5m", "30mm"] {
            assert!(parse(&["--duration", bad]).is_err(), "{bad}");
        }
        assert!(parse(&["--duration", "10", "--interval", "11"]).is_err());
    }

    #[test]
    fn the_default_interval_is_a_tenth_within_bounds() {
        let interval = |d: &str| parse(&["--duration", d]).expect("duration").interval();
        assert_eq!(interval("30"), Duration::from_secs(3));
        assert_eq!(interval("5"), Duration::from_secs(1));
        assert_eq!(interval("30m"), Duration::from_secs(60));
    }

    #[test]
    fn bad_options_are_refused() {
        assert!(parse(&["--models"]).is_err());
        assert!(parse(&["--models", "many"]).is_err());
        assert!(parse(&["--rate", "0"]).is_err());
        assert!(parse(&["--fast"]).is_err());
        assert!(parse(&["--database-url", "postgres://x", "--reuse-data", "d"]).is_err());
    }

    #[test]
    fn killing_redis_needs_a_redis_of_its_own_within_the_measured_phase() {
        let o = parse(&["--kill-redis-after", "10", "--restart-redis-after", "5"]).expect("kill");
        assert_eq!(o.kill_redis_after, Some(Duration::from_secs(10)));
        assert_eq!(o.restart_redis_after, Some(Duration::from_secs(5)));
        let refused = parse(&["--kill-redis-after", "10", "--redis-url", "redis://x"]);
        assert!(refused.is_err_and(|e| e.to_string().contains("--redis-url")));
        assert!(parse(&["--restart-redis-after", "5"]).is_err());
        assert!(parse(&["--kill-redis-after", "30"]).is_err());
        assert!(parse(&["--kill-redis-after", "20", "--restart-redis-after", "10"]).is_err());
    }
}
