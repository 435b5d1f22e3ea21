//! `cargo xtask <chore>`: small, dependency-light development chores, in Rust so that they
//! run wherever Cargo does.

mod abuse;
mod bench_api;
mod bench_compare;
mod bench_data;
mod ci;
mod contract;
mod drill;
mod fuzz;
mod loadtest;
mod redis_server;
mod server;

use anyhow::bail;

const HELP: &str = "\
cargo xtask <chore>

chores:
  ci             formatting, clippy (-D warnings), licences, then every test (what .ci/run runs
                 once PostgreSQL and Redis are up)
  schema-check   check that crates/storage/src/schema.rs matches the migrations, on SQLite and
                 (when DRIFTGUARD_TEST_DATABASE_URL is set) PostgreSQL
  bench-data [SIZES]
                 generate the benchmark data sets (default 100k,1m) into bench-data/ with
                 testdata/reference/gen.py (installs numpy and pandas when missing); a size
                 <rows>x<columns> (10mx20, 100kx1000) is a numeric table made in Rust
  bench-api [--size 1m] [--runs N] [--binary PATH] [--database-url URL]
                 the bench-data pair over HTTP on loopback with the release server, a fresh
                 one a run: PUT /models/{id}/reference and POST /models/{id}/evaluations,
                 each timed, the server's peak RSS during each and over both; medians
                 (docs/performance.md, The reference prepared once)
  bench-compare [--shapes 100kx20,1mx20,100kx100,356kx100] [--tools driftguard,evidently,nannyml]
                [--runs N] [--binary PATH]
                 DriftGuard (`driftguard check`, release) beside Evidently 0.7.23 and NannyML
                 0.13.1 (each installed from PyPI into a virtualenv of its own under
                 target/bench-compare/) on the same generated files: median time and peak
                 memory of whole processes, ratios, and the largest difference between the
                 drift scores (docs/performance.md, Side by side)
  contract [--binary PATH] [--max-examples N] [--seed N]
                 build and start the release server, run schemathesis against /openapi.json
                 with every check and phase (.ci/schemathesis.toml says the exceptions and
                 why); fails on any failure
  loadtest [OPTIONS]
                 build and start the release server, seed 10,000 models through the API, drive
                 the dashboards and GET /models at 1,000 requests/s and print p50/p95/p99 and
                 the cache hit rate (docs/performance.md); options:
                 --models N --rate R --duration S --warmup S --ramp (warm-up rising from 0)
                 --concurrency C --check --interval S (the per-interval table: p95 and the
                 server's RSS over time; durations take s, m or h: --duration 30m; a measured
                 phase of 10 min or more is a soak, which also checks RSS growth < 5% after the
                 first interval and a stable p95)
                 --database-url URL (an empty PostgreSQL database) --redis-url URL
                 --reuse-data DIR (keep the seeded SQLite data there, reuse it next time)
                 --kill-redis-after S (cache in a redis-server of its own, SIGKILL it S s
                 into the measured phase; not with --redis-url) --restart-redis-after S (start
                 it again, empty, S s after the kill); then also per window before/during/after
  drill <pg-restart | redis-kill | replica-storm | rolling-restart | disk-full | all>
        [--short] [--binary PATH]
                 build the release server and rehearse a fault on loopback, with a PostgreSQL
                 cluster, redis-server and replicas of the drill's own (never the machine's):
                 PostgreSQL stopped -m immediate and started; Redis SIGKILLed and restarted;
                 three replicas deploying versions of one name; SIGTERM to a replica under
                 load; SQLite on a full tmpfs (root). Prints tables and promises; fails when a
                 promise breaks. --short: seconds each, for CI (docs/operations.md, Drills)
  abuse [--binary PATH] [--upload-limit BYTES] [--only NAME,...] [--ks-columns N]
                 build the release server and send it the catalogue of hostile requests (huge
                 header and row, 10^5 columns, gzip bomb, deep JSON, 10^6 categories, similar
                 and long labels, exact KS over N columns (default 50), over-limit bodies), a
                 fresh server each; print status, time and peak RSS of each; fail unless each
                 is answered as expected within 10 s with a peak under twice the upload limit
                 (default 256 MiB, the server's) and the server still live
                 (docs/abuse-benchmark.md)
  fuzz [--seconds N] [--only NAME,...]
                 run every cargo-fuzz target of fuzz/ (CSV and JSON readers, policy drafts, a
                 whole evaluation) for N seconds each (default 60), from fuzz/seeds; installs
                 cargo-fuzz when missing; fails on any crash, naming its input (fuzz/README.md)
";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci::all(),
        Some("schema-check") => ci::schema_check(),
        Some("bench-compare") => bench_compare::run(&args[1..]),
        Some("bench-data") => bench_data::run(args.get(1).map_or("100k,1m", String::as_str)),
        Some("loadtest") => loadtest::run(&args[1..]),
        Some("contract") => contract::run(&args[1..]),
        Some("abuse") => abuse::run(&args[1..]),
        Some("bench-api") => bench_api::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("drill") => drill::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown chore `{other}`\n\n{HELP}"),
    }
}
