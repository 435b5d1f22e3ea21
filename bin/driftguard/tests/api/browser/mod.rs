//! The dashboard UI in a real browser: Debian's Chromium, headless, driven through
//! chromedriver against the real server on port 0 with the demo loaded, on both backends.
//! Every page is screenshotted into `target/browser-screenshots/` and checked with axe-core.

mod axe;
mod charts;
mod harness;
mod overrides;
mod reading;
mod safety;
mod webdriver;
