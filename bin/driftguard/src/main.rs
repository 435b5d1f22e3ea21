//! The `driftguard` binary: parses the command line and runs the chosen subcommand —
//! the server (default), migrations, or user administration.

use clap::Parser;
use driftguard::cli;

/// mimalloc returns freed memory to the system. glibc's malloc raises its mmap threshold when a
/// large block is freed, so every later Argon2 hash (19 MiB each) came from its heap and stayed
/// resident: five sign-ins took the server from 36 to 132 MiB, thirty to 290 MiB, for good
/// (docs/abuse-benchmark.md). Built without transparent huge pages (`no_thp`): mimalloc asks
/// for them on its arenas, and a few kilobytes touched per thread then held 2 MiB each, 45 of
/// the 62 MiB an idle server had resident.
///
/// Built with `override`, so that `malloc` and `free` are mimalloc's too: the bundled SQLite
/// allocates with them, and under glibc its statements and page caches spread over one arena
/// per blocking-pool thread (up to 16 here), each keeping what was freed; a 30-minute soak grew
/// by 0.4 MiB a minute that way (docs/performance.md, "Soak").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
