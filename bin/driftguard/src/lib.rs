//! The `driftguard` binary's library half: settings, wiring and the subcommands, so that the
//! API tests start exactly the server that `driftguard serve` starts.

pub mod attest;
pub mod backup;
pub mod check;
pub mod cli;
pub mod demo;
pub mod secret;
pub mod serve;
pub mod settings;
pub mod webhooks;
pub mod wiring;
