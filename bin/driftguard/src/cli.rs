//! The command line: `serve` (the default), `migrate`, `user create`, `demo`, `check`,
//! `attest verify`, `backup` and `restore`.

use crate::attest::{self, AttestCommand};
use crate::backup::{self, RestoreReport};
use crate::check::{self, CheckArgs};
use crate::demo::{self, DemoOptions, DemoReport};
use crate::settings::Settings;
use crate::{serve, wiring};
use anyhow::Context;
use clap::{Parser, Subcommand};
use driftguard_core::Role;
use driftguard_storage::runtime_role;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

/// DriftGuard: the governance gate between trained models and production.
///
/// Settings come from embedded defaults, then `driftguard.toml` (or --config), then
/// DRIFTGUARD_* environment variables; see the README for the table.
#[derive(Debug, Parser)]
#[command(name = "driftguard", version, about, long_about)]
pub struct Cli {
    /// A TOML settings file (default: ./driftguard.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server and dashboard (the default when no command is given).
    ///
    /// Migrates the database first, creates the bootstrap admin on an empty database when
    /// DRIFTGUARD_BOOTSTRAP_ADMIN_EMAIL and _PASSWORD are set, then serves on `bind`.
    Serve,
    /// Apply pending database migrations and exit.
    ///
    /// Safe to run while other replicas start: PostgreSQL migrations hold an advisory lock.
    Migrate {
        /// PostgreSQL: also create this role (NOLOGIN) if it is missing and grant it what
        /// the server needs on every table, but only SELECT and INSERT on the audit trail
        /// (deployment_history, audit_checkpoints). Run it again after every upgrade; see
        /// docs/operations.md for running the server as that role.
        #[arg(long, value_name = "NAME")]
        runtime_role: Option<String>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load a sample for a first look: demo accounts (one per role), six model versions with
    /// reference data and four weeks of drifting evaluations, deployments (one blocked, one
    /// overridden) and a second policy. Prints the accounts' emails and passwords.
    ///
    /// Refuses a database that already has models unless --force. The accounts get
    /// DRIFTGUARD_DEMO_PASSWORD (the `demo_password` setting) when it is set, else a random
    /// password each. Not in production (DRIFTGUARD_ENVIRONMENT=production).
    Demo {
        /// Load even though the database has models; earlier demo models (tagged `demo`)
        /// are replaced, others are left alone.
        #[arg(long)]
        force: bool,
    },
    /// The offline gate for CI pipelines: judge current data against reference data and
    /// policies with no server and no database.
    ///
    /// Prints the same evaluation as the API (a table, `--format json`, or `--format junit`: a
    /// JUnit XML report with a test case per policy rule) and exits 0 on pass (and on warn
    /// unless `--fail-on warn`), 1 on fail, 2 on a usage or input error. `--report
    /// FORMAT=FILE` also writes a report to a file (docs/ci.md).
    ///
    /// Example: `driftguard check --reference ref.csv --current cur.csv --label label
    /// --prediction prediction --score score --sensitive group --risk-tier high`
    // Boxed: the check's many flags would make every other command as large.
    Check(Box<CheckArgs>),
    /// Signed gate attestations (docs/attestations.md).
    #[command(subcommand)]
    Attest(AttestCommand),
    /// Back up the configured database to one file while the server keeps serving.
    ///
    /// SQLite: a consistent copy through VACUUM INTO. PostgreSQL: pg_dump in custom format
    /// (the PostgreSQL client tools must be on the PATH), of the same snapshot in which the
    /// audit trail's head is read. The file starts with a manifest (backend, migration
    /// version, the audit trail's head, row counts, SHA-256 of the rest) that restore checks.
    /// The audit key is not in the backup: keep it separately (docs/operations.md).
    Backup {
        /// The backup file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Restore a backup into the configured database, which must hold no data.
    ///
    /// Refuses a file that is not a backup, is damaged, is of the other backend or of a newer
    /// DriftGuard, and a database with users, models or audit trail rows, before changing
    /// anything. An older backup is migrated forward. Then verifies the audit trail with the
    /// configured audit key and compares its head with the backup's: exits 0 when both hold,
    /// 1 when the data is restored but verification disagrees, 2 when nothing was restored.
    /// PostgreSQL: run it as the tables' owner, not the runtime role.
    Restore {
        /// The backup file, as `driftguard backup` wrote it.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (one line).
    ///
    /// Example: `echo 'a-long-password' | driftguard user create --email a@example.com --role admin`
    Create {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// viewer, engineer, approver or admin.
        #[arg(long, default_value = "viewer")]
        role: Role,
        /// Display name.
        #[arg(long)]
        full_name: Option<String>,
    },
}

/// Runs the parsed command; the exit code is 0 on success.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Loaded per command: `check` needs no settings (nor a database).
    let settings = || Settings::load(cli.config.as_deref());
    match cli.command.unwrap_or(Command::Serve) {
        Command::Check(args) => return check::run(*args),
        // Needs only the files it is given: no settings, no database.
        Command::Attest(command) => return attest::run(command),
        Command::Serve => serve::serve(settings()?).await?,
        Command::Migrate { runtime_role } => {
            let settings = settings()?;
            let applied = wiring::migrate(&settings).await?;
            println!("{} migration(s) applied", applied.len());
            if let Some(role) = runtime_role {
                runtime_role::grant_runtime_role(&settings.database().url, &role)
                    .await
                    .context("setting up the runtime role")?;
                println!("role {role}: every table, but only SELECT and INSERT on the audit trail");
            }
        }
        Command::User(UserCommand::Create {
            email,
            role,
            full_name,
        }) => {
            let password = read_password()?;
            let wired = wiring::wire(&settings()?, true).await?;
            let user = wired
                .services
                .auth
                .create_user(&email, &password, full_name, role)
                .await
                .context("creating the user")?;
            println!(
                "created user {} ({}) with role {}",
                user.id, user.email, user.role
            );
        }
        Command::Backup { out, force } => {
            let manifest = backup::backup(&settings()?, &out, force).await?;
            println!(
                "backed up to {} ({} database at migration {}, {} bytes)",
                out.display(),
                manifest.backend,
                manifest.migration_version,
                manifest.payload_bytes
            );
            println!(
                "audit trail head: row {} hash {}",
                manifest.head.last_id, manifest.head.hash
            );
            println!("the audit key is not in the backup: keep it separately");
        }
        Command::Restore { file } => {
            let report = backup::restore(&settings()?, &file).await?;
            return Ok(print_restore(&report));
        }
        Command::Demo { force } => {
            let settings = settings()?;
            anyhow::ensure!(
                !settings.is_production(),
                "the demo loads sample models and accounts; it is not for production"
            );
            let wired = wiring::wire(&settings, true).await?;
            let options = DemoOptions {
                force,
                password: settings.auth.demo_password.clone(),
            };
            // Its writes go through the use cases, which announce them to the answer cache: a
            // server on the same (Redis) cache does not answer from before.
            let report = demo::load(&wired.services, &options).await?;
            print_demo(&report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_demo(report: &DemoReport) {
    if report.replaced > 0 {
        println!("replaced {} earlier demo model(s)", report.replaced);
    }
    println!("models:");
    for m in &report.models {
        let latest = m.latest.map_or("not evaluated", |s| s.as_str());
        let deploys: Vec<_> = m.deploys.iter().map(|o| o.as_str()).collect();
        println!(
            "  {:<16} {:<6} {:<9} {:>2} evaluation(s), latest {latest:<13} deploy: {}",
            m.model.name,
            m.model.version,
            m.model.risk_tier.as_str(),
            m.evaluations,
            if deploys.is_empty() {
                "-".to_owned()
            } else {
                deploys.join(", ")
            }
        );
    }
    println!("accounts (sign in with POST /auth/login):");
    for a in &report.accounts {
        let password = a
            .password
            .as_deref()
            .unwrap_or("(existing account, password unchanged)");
        println!("  {:<9} {:<28} {password}", a.actor.role.as_str(), a.email);
    }
}

/// Prints what the restore did and found; the exit code says whether verification agrees.
fn print_restore(report: &RestoreReport) -> ExitCode {
    let (manifest, verify) = (&report.restored.manifest, &report.verify);
    println!(
        "restored the backup of {} ({} database at migration {})",
        manifest.created_at.to_rfc3339(),
        manifest.backend,
        manifest.migration_version
    );
    if !report.restored.migrated.is_empty() {
        println!("migrated forward: {}", report.restored.migrated.join(", "));
    }
    println!(
        "audit trail: {} row(s) checked, head {} (the backup recorded {})",
        verify.rows_checked, verify.head_hash, manifest.head.hash
    );
    if report.ok() {
        println!("audit trail verifies with the configured audit key");
        return ExitCode::SUCCESS;
    }
    let reason = verify
        .reason
        .map_or("a head other than the backup's".to_owned(), |r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        });
    let row = verify
        .first_invalid_id
        .map_or(String::new(), |id| format!(" at row {id}"));
    eprintln!(
        "warning: the audit trail does not verify ({reason}{row}); the data is restored. \
         unknown_key means the configured audit key is not the one the backed-up server \
         signed with: configure that key and check again with GET /audit/verify \
         (docs/operations.md, \"Backup and restore\")"
    );
    ExitCode::from(1)
}

fn read_password() -> anyhow::Result<String> {
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
