//! The HTTP API, tested over real HTTP against the real server on port 0, on SQLite always
//! and on PostgreSQL when `DRIFTGUARD_TEST_DATABASE_URL` is set.

mod helpers;

mod attestation;
mod audit_trail;
mod auth;
mod backup;
mod backup_refusals;
mod browser;
mod contract;
mod dashboard;
mod demo;
mod errors;
mod governance;
mod hardening;
mod hostile;
mod models;
mod openapi;
mod outage;
mod overrides;
mod rbac;
mod reference_uploads;
mod simulation;
mod ui;
mod ui_actions;
mod ui_browser;
mod webhooks;
