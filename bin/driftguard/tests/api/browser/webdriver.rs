//! A W3C WebDriver client for the few commands the browser tests use, over the reqwest the
//! API tests already use, and the chromedriver process it talks to.
//!
//! Why not fantoccini or thirtyfour: fantoccini rests on Mozilla's `webdriver` crate
//! (MPL-2.0, outside deny.toml's licences), and thirtyfour turns on serde_json's
//! `preserve_order` for the whole test build, which changes the API's JSON key order under
//! test. The protocol needed here is a dozen JSON calls.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

/// WebDriver's code of the Tab key.
pub const TAB: &str = "\u{E004}";
/// WebDriver's code of the Enter key.
pub const ENTER: &str = "\u{E007}";
/// WebDriver's code of the space bar.
pub const SPACE: &str = "\u{E00D}";

/// The key under which WebDriver names an element.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The flags of the brief: no GPU, no sandbox (containers), and nothing that reaches the
/// network on its own (updates, sync, background fetches).
const CHROME_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1024",
];

/// A WebDriver error: the command, and what the driver answered.
#[derive(Debug)]
pub struct DriverError(pub String);

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, DriverError>;

/// An element of the current page, as the driver names it.
#[derive(Clone, Debug)]
pub struct Element(String);

/// A chromedriver process and one Chrome session in it, with a profile folder of its own.
/// Dropping it ends the session and the process, also when a test panics.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`.
    session: String,
    port: u16,
    session_id: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromedriver` on a port it picks, then a headless Chrome (`chromium`) with a
    /// fresh profile.
    pub async fn start(chromedriver: &Path, chromium: &Path) -> Result<Browser> {
        let (driver, port) = start_driver(chromedriver)?;
        let profile =
            tempfile::tempdir().map_err(|e| DriverError(format!("profile folder: {e}")))?;
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let http = reqwest::Client::new();
        let mut browser = Browser {
            http,
            session: String::new(),
            port,
            session_id: String::new(),
            driver,
            _profile: profile,
        };
        let base = format!("http://127.0.0.1:{port}");
        let created = browser
            .call(
                reqwest::Method::POST,
                &format!("{base}/session"),
                Some(capabilities),
            )
            .await?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| DriverError(format!("no session id in {created}")))?;
        browser.session_id = id.to_owned();
        browser.session = format!("{base}/session/{id}");
        browser
            .post(
                "/timeouts",
                json!({"script": 30_000, "pageLoad": 30_000, "implicit": 0}),
            )
            .await?;
        Ok(browser)
    }

    /// One command: the answer's `value`, or the driver's error.
    async fn call(&self, method: reqwest::Method, url: &str, body: Option<Value>) -> Result<Value> {
        let what = format!("{method} {url}");
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| DriverError(format!("{what}: {e}")))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| DriverError(format!("{what}: {e}")))?;
        if !status.is_success() {
            return Err(DriverError(format!("{what}: {status} {}", body["value"])));
        }
        Ok(body["value"].clone())
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.call(
            reqwest::Method::GET,
            &format!("{}{path}", self.session),
            None,
        )
        .await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.call(
            reqwest::Method::POST,
            &format!("{}{path}", self.session),
            Some(body),
        )
        .await
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    /// The address of the page now shown.
    pub async fn current_url(&self) -> Result<String> {
        let url = self.get("/url").await?;
        Ok(url.as_str().unwrap_or_default().to_owned())
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        let found = found.map_err(|e| DriverError(format!("no `{css}` on the page: {e}")))?;
        element(&found)
    }

    /// Every element matching a CSS selector, in document order.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let found = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await?;
        found
            .as_array()
            .map(|all| all.iter().map(element).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &Element) -> Result<String> {
        let text = self.get(&format!("/element/{}/text", element.0)).await?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Types into a field (after what it holds).
    pub async fn type_into(&self, element: &Element, text: &str) -> Result<()> {
        self.post(
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        )
        .await
        .map(drop)
    }

    /// Clicks an element (and waits for a navigation it starts).
    pub async fn click(&self, element: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await
            .map(drop)
    }

    /// Presses `keys` one after another on the keyboard (WebDriver key actions: each key
    /// down, then up), into whatever has the focus; then releases everything. A key is a
    /// character or one of WebDriver's codes ([`TAB`], [`ENTER`], [`SPACE`]).
    pub async fn press(&self, keys: &str) -> Result<()> {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        let sequence = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.post("/actions", sequence).await?;
        self.call(
            reqwest::Method::DELETE,
            &format!("{}/actions", self.session),
            None,
        )
        .await
        .map(drop)
    }

    /// Runs a script in the page: its return value.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Runs a script that answers by calling its last argument (a callback).
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Resizes the window (in headless Chrome, the viewport).
    pub async fn set_window_size(&self, width: u64, height: u64) -> Result<()> {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await
            .map(drop)
    }

    /// A PNG of the whole viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        let encoded = self.get("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .map_err(|e| DriverError(format!("screenshot: {e}")))
    }
}

fn element(found: &Value) -> Result<Element> {
    found[ELEMENT_KEY]
        .as_str()
        .map(|id| Element(id.to_owned()))
        .ok_or_else(|| DriverError(format!("not an element: {found}")))
}

/// Starts chromedriver on port 0 and reads the port it chose from its first lines.
fn start_driver(chromedriver: &Path) -> Result<(Child, u16)> {
    let mut child = Command::new(chromedriver)
        .args(["--port=0", "--log-level=WARNING"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| DriverError(format!("{}: {e}", chromedriver.display())))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| DriverError("chromedriver's output".into()))?;
    let mut lines = BufReader::new(stdout).lines();
    // "ChromeDriver was started successfully on port 44797."
    let port = lines
        .by_ref()
        .take(10)
        .map_while(std::result::Result::ok)
        .find_map(|line| {
            let (_, rest) = line.split_once("started successfully on port ")?;
            rest.trim_end_matches('.').trim().parse::<u16>().ok()
        });
    // Keep reading so that chromedriver never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    match port {
        Some(port) => Ok((child, port)),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(DriverError("chromedriver did not say its port".into()))
        }
    }
}

impl Drop for Browser {
    /// Ends the session (which closes Chrome) with a plain blocking request, since a drop
    /// cannot await, then stops chromedriver.
    fn drop(&mut self) {
        if !self.session_id.is_empty()
            && let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port))
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                self.session_id, self.port
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
