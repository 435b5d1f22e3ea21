//! The `driftguard` binary: parses the command line and runs the chosen subcommand —
//! the server (default), migrations, or user administration.

use clap::Parser;
use driftguard::cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match cli::run(cli::Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
