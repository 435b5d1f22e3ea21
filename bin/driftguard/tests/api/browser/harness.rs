//! The browser tests' fixture: the real server on port 0 with the demo loaded, a headless
//! Chromium driven through chromedriver, and the checks every page gets (a screenshot, and
//! axe-core with no serious or critical violation).
//!
//! Without `chromium`, `chromedriver` or the npm-installed axe-core the tests print why and
//! skip; with `DRIFTGUARD_TEST_REQUIRE_SERVICES=1` (CI) they fail instead.

use std::path::{Path, PathBuf};
use std::time::Duration;

use driftguard::demo::{self, DemoOptions};
use driftguard_test_kit::{Backend, services_required};
use secrecy::SecretString;
use serde_json::Value;

use super::axe;
use super::webdriver::{Browser, Element};
use crate::helpers::{TestApp, spawn_app};

/// True once the page that replaced a marked one has loaded.
const NEW_PAGE_LOADED: &str =
    "return window.driftguardOldPage === undefined && document.readyState === 'complete';";

/// The window's height that shows the whole page: the content's, plus what the window's
/// frame takes (headless Chrome keeps one).
const PAGE_HEIGHT: &str = "return document.documentElement.scrollHeight \
    + window.outerHeight - window.innerHeight;";

/// The width of the screenshots, and the range of their heights.
const WINDOW_WIDTH: u64 = 1280;
const MIN_HEIGHT: u64 = 400;
const MAX_HEIGHT: u64 = 8000;

/// The password of the demo accounts in these tests.
pub const PASSWORD: &str = "browser-tests-demo-password";

/// What the browser tests need from the machine.
struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
    axe: String,
}

/// The folder of the npm package.json that installs axe-core.
fn npm_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/api/browser")
}

/// The first executable of this name on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|file| file.is_file())
}

/// The tools, or `None` after saying what is missing (a skip); a panic when CI requires them.
fn tools() -> Option<Tools> {
    let axe_file = npm_folder().join("node_modules/axe-core/axe.min.js");
    let found = (
        on_path("chromedriver"),
        on_path("chromium"),
        std::fs::read_to_string(&axe_file),
    );
    let missing = match found {
        (Some(chromedriver), Some(chromium), Ok(axe)) => {
            return Some(Tools {
                chromedriver,
                chromium,
                axe,
            });
        }
        (None, _, _) => "chromedriver is not on PATH (apt-get install chromium-driver)".to_owned(),
        (_, None, _) => "chromium is not on PATH (apt-get install chromium)".to_owned(),
        (_, _, Err(e)) => format!(
            "{}: {e} (run `npm ci` in {})",
            axe_file.display(),
            npm_folder().display()
        ),
    };
    assert!(!services_required(), "browser tests: {missing}");
    eprintln!("skipping the browser test: {missing}");
    None
}

/// One browser test's world: the server with the demo loaded and a browser.
pub struct Session {
    pub app: TestApp,
    pub browser: Browser,
    backend: Backend,
    axe: String,
}

/// Runs `test` in a fresh session on `backend`; returns without running it when the backend
/// or the browser is not set up (a skip, unless services are required). The constructor of
/// the browser tests' `per_backend!`.
pub async fn with_browser(backend: Backend, test: impl AsyncFnOnce(Session)) {
    let Some(tools) = tools() else { return };
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let options = DemoOptions {
        force: false,
        password: Some(SecretString::from(PASSWORD)),
    };
    demo::load(&app.services, &options)
        .await
        .expect("the demo loads");
    let browser = start(&tools).await;
    test(Session {
        app,
        browser,
        backend,
        axe: tools.axe,
    })
    .await;
}

async fn start(tools: &Tools) -> Browser {
    Browser::start(&tools.chromedriver, &tools.chromium)
        .await
        .unwrap_or_else(|e| panic!("starting Chromium: {e}"))
}

/// A browser with no server, and axe's source: for pages from files. `None` (after saying
/// why) when the tools are missing and not required.
pub async fn browser_alone() -> Option<(Browser, String)> {
    let tools = tools()?;
    Some((start(&tools).await, tools.axe))
}

impl Session {
    /// Opens a path of the server.
    pub async fn open(&self, path: &str) {
        let url = self.app.url(path);
        self.browser
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// The first element matching `css`, which must be on the page.
    pub async fn find(&self, css: &str) -> Element {
        match self.browser.find(css).await {
            Ok(element) => element,
            Err(e) => panic!("{}: {e}", self.url().await),
        }
    }

    /// Every element matching `css`.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.browser
            .find_all(css)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.browser
            .text(&element)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// Clicks the first element matching `css`, a link or a button that loads a page, and
    /// waits for the new page: the old one is marked first, so that nothing found next can
    /// belong to it.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.script("window.driftguardOldPage = true;").await;
        self.browser
            .click(&element)
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        self.wait_for_new_page(&format!("clicking {css}")).await;
    }

    /// Waits until the page marked old has been replaced by a loaded one.
    async fn wait_for_new_page(&self, what: &str) {
        for _ in 0..300 {
            if self.script(NEW_PAGE_LOADED).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what} on {} loaded no new page in 15 s", self.path().await);
    }

    /// Presses `keys` on the keyboard (no pointer anywhere): characters, or
    /// [`webdriver::TAB`](super::webdriver::TAB) and the other codes.
    pub async fn press(&self, keys: &str) {
        self.browser
            .press(keys)
            .await
            .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
    }

    /// Presses `key` (Enter or Space) on the focused control, which loads a page, and waits
    /// for the new page as [`Session::click`] does.
    pub async fn press_to_load(&self, key: &str) {
        self.script("window.driftguardOldPage = true;").await;
        self.press(key).await;
        self.wait_for_new_page(&format!("pressing {key:?}")).await;
    }

    /// Presses Tab until the focused element matches `css`; fails after 150 presses.
    pub async fn tab_to(&self, css: &str) {
        let probe = format!("return document.activeElement.matches({css:?});");
        for _ in 0..150 {
            self.press(super::webdriver::TAB).await;
            if self.script(&probe).await == Value::Bool(true) {
                return;
            }
        }
        panic!("Tab never reached {css} on {}", self.path().await);
    }

    /// Clicks the first element matching `css` and waits until an element matching
    /// `expected` is on the page: for a form whose script writes the server's answer into the
    /// same window (a new page cannot be told from the old by the window's marks).
    pub async fn click_then_find(&self, css: &str, expected: &str) {
        let element = self.find(css).await;
        self.browser
            .click(&element)
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        let probe = format!("return document.querySelector({expected:?}) !== null;");
        for _ in 0..300 {
            if self.script(&probe).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "clicking {css} on {} showed no {expected} in 15 s",
            self.path().await
        );
    }

    /// Runs a script in the page: its value.
    pub async fn script(&self, script: &str) -> Value {
        self.browser
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Types into the first field matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.browser
            .type_into(&element, text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The page's address.
    pub async fn url(&self) -> String {
        self.browser
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("current url: {e}"))
    }

    /// The page's address without the server's.
    pub async fn path(&self) -> String {
        let url = self.url().await;
        url.strip_prefix(&self.app.address)
            .unwrap_or(&url)
            .to_owned()
    }

    /// Signs in through the form as the demo account with this email.
    pub async fn sign_in(&self, email: &str) {
        self.open("/ui/sign-in").await;
        self.type_into("#email", email).await;
        self.type_into("#password", PASSWORD).await;
        self.click("form button[type=submit]").await;
        let path = self.path().await;
        assert!(
            !path.starts_with("/ui/sign-in"),
            "{email} is still on {path}: {}",
            self.text("main").await
        );
    }

    /// The checks every page gets: a screenshot `target/browser-screenshots/{backend}-{name}.png`
    /// and axe-core without a serious or critical violation.
    pub async fn check_page(&self, name: &str) {
        // The whole page in one picture: the window takes the page's height, measured in a
        // short window (a page is never shorter than its window).
        self.resize(name, MIN_HEIGHT).await;
        let height = self.script(PAGE_HEIGHT).await.as_u64().unwrap_or(0);
        self.resize(name, height.clamp(MIN_HEIGHT, MAX_HEIGHT))
            .await;
        let png = self
            .browser
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let backend = format!("{:?}", self.backend).to_lowercase();
        let file = screenshot_folder().join(format!("{backend}-{name}.png"));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        axe::assert_accessible(&self.browser, &self.axe, name).await;
    }

    async fn resize(&self, name: &str, height: u64) {
        let resized = self.browser.set_window_size(WINDOW_WIDTH, height).await;
        resized.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// `target/browser-screenshots/` (or under `CARGO_TARGET_DIR`), made when missing.
fn screenshot_folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let folder = target.join("browser-screenshots");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
    folder
}
