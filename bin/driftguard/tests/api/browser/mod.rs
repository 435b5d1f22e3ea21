//! The dashboard UI in a real browser: Debian's Chromium, headless, driven through
//! chromedriver against the real server on port 0 with the demo loaded, on both backends.
//! Every page is screenshotted into `target/browser-screenshots/` and checked with axe-core.

mod axe;
mod charts;
mod data;
mod deploys;
mod harness;
mod overrides;
mod policies;
mod reading;
mod roles;
mod safety;
mod webdriver;
mod what_if;
