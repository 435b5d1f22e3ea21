//! DriftGuard's dashboard UI: server-rendered pages under `/ui` and the SVG charts they draw,
//! on top of the same `app::Services` use cases as the HTTP API (SPEC §6).

pub mod charts;
