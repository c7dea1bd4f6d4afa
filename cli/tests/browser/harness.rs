//! Headless Chromium under chromedriver (WebDriver), driven with fantoccini, behind a small
//! blocking API for the browser tests: [`Browser::start`] spawns `/usr/bin/chromedriver` on a
//! free loopback port and opens a session with a fresh profile; [`Browser::goto`],
//! [`Browser::fill`], [`Browser::click`] and [`Browser::wait_for_url`] drive a page. Dropping
//! the [`Browser`] ends the session (Chromium quits) and kills chromedriver's process group,
//! so a failing test leaves no browser behind.
//!
//! When `/usr/bin/chromedriver` or `/usr/bin/chromium` is missing, [`Browser::start`] prints
//! that the test was skipped and how to install them, and returns `None`, so the README's
//! test command works on a machine without a browser; where the browser tests must run
//! (`.ci/run` sets `GDAUTH_REQUIRE_BROWSER=1`, and so does any `CI`), it fails the test
//! instead. `GDAUTH_SKIP_BROWSER=1` skips them even there.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::runtime::Runtime;

/// The longest any step waits: chromedriver starting, a page loading, a URL being reached.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// How often a wait checks again.
const POLL: Duration = Duration::from_millis(50);

/// The chromedriver and Chromium that Debian's `chromium-driver` and `chromium` install.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The environment variable that turns a missing Chromium into a skip instead of a failure.
pub const SKIP_VAR: &str = "GDAUTH_SKIP_BROWSER";
/// Set (to `1`) where a missing browser must fail the tests: `.ci/run` sets it.
pub const REQUIRE_VAR: &str = "GDAUTH_REQUIRE_BROWSER";

/// Chromium's flags: headless, no sandbox (CI runs as root in a container), no GPU, /tmp
/// instead of a small /dev/shm, and none of the background traffic a fresh profile starts
/// (component updates, sync, first-run pages). The profile directory is added per session.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// One headless Chromium session; ended, and chromedriver killed, on drop.
pub struct Browser {
    runtime: Runtime,
    client: Option<Client>,
    /// chromedriver, leader of its own process group (Chromium joins it).
    driver: Child,
    /// The fresh profile (`profile/`, Chromium's `--user-data-dir`) and chromedriver's log
    /// (`chromedriver.log`), deleted after the browser is gone.
    dir: tempfile::TempDir,
}

impl Browser {
    /// Spawns chromedriver and opens a Chromium session, or `None` when Chromium is not
    /// installed (a line on stderr says so). Panics with how to install Chromium when it is
    /// missing where it is required (`GDAUTH_REQUIRE_BROWSER=1` or `CI`, unless
    /// `GDAUTH_SKIP_BROWSER=1`).
    pub fn start() -> Option<Browser> {
        let missing: Vec<&str> = [CHROMEDRIVER, CHROMIUM]
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            let required = std::env::var(REQUIRE_VAR).as_deref() == Ok("1")
                || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
            if !required || std::env::var(SKIP_VAR).as_deref() == Ok("1") {
                eprintln!(
                    "browser test skipped: {} not installed (apt-get install -y \
                     --no-install-recommends chromium chromium-driver, or run .ci/run)",
                    missing.join(" and ")
                );
                return None;
            }
            panic!(
                "{} not installed: the browser tests need Debian's chromium and \
                 chromium-driver packages. Run .ci/run (it installs them), or \
                 `apt-get install -y --no-install-recommends chromium chromium-driver`; \
                 set {SKIP_VAR}=1 to skip these tests instead.",
                missing.join(" and ")
            );
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime for fantoccini");
        let dir = tempfile::tempdir().expect("a temporary directory for Chromium's profile");
        let log = dir.path().join("chromedriver.log");
        let (driver, port) = spawn_chromedriver(&log);
        let mut browser = Browser {
            runtime,
            client: None,
            driver,
            dir,
        };
        let profile = browser.dir.path().join("profile");
        let client = browser.runtime.block_on(async {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities(&profile))
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
        });
        match client {
            Ok(client) => browser.client = Some(client),
            // `browser` drops on the way out and kills chromedriver.
            Err(e) => panic!(
                "open a Chromium session: {e}\nchromedriver's log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        }
        Some(browser)
    }

    fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the session is open until drop")
    }

    /// Navigates to `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.runtime
            .block_on(self.client().goto(url))
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The URL of the current page.
    pub fn url(&self) -> String {
        self.runtime
            .block_on(self.client().current_url())
            .unwrap_or_else(|e| panic!("read the current URL: {e}"))
            .into()
    }

    /// The current page's title.
    pub fn title(&self) -> String {
        self.runtime
            .block_on(self.client().title())
            .unwrap_or_else(|e| panic!("read the page title: {e}"))
    }

    /// The current page's HTML, as the browser serializes its DOM.
    pub fn source(&self) -> String {
        self.runtime
            .block_on(self.client().source())
            .unwrap_or_else(|e| panic!("read the page source: {e}"))
    }

    /// Replaces the value of the form field named `name` with `value`, typed as a user would.
    pub fn fill(&self, name: &str, value: &str) {
        let selector = format!("[name=\"{name}\"]");
        self.runtime
            .block_on(async {
                let field = self.client().find(Locator::Css(&selector)).await?;
                field.clear().await?;
                field.send_keys(value).await
            })
            .unwrap_or_else(|e| panic!("fill field {name:?} on {}: {e}", self.url()));
    }

    /// Clicks the element matching the CSS `selector` (a button submits its form).
    pub fn click(&self, selector: &str) {
        self.runtime
            .block_on(async {
                self.client()
                    .find(Locator::Css(selector))
                    .await?
                    .click()
                    .await
            })
            .unwrap_or_else(|e| panic!("click {selector:?} on {}: {e}", self.url()));
    }

    /// The text of the element matching the CSS `selector`.
    pub fn text(&self, selector: &str) -> String {
        self.runtime
            .block_on(async {
                self.client()
                    .find(Locator::Css(selector))
                    .await?
                    .text()
                    .await
            })
            .unwrap_or_else(|e| panic!("read the text of {selector:?} on {}: {e}", self.url()))
    }

    /// The value of attribute `name` of the element matching the CSS `selector`.
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.runtime
            .block_on(async {
                self.client()
                    .find(Locator::Css(selector))
                    .await?
                    .attr(name)
                    .await
            })
            .unwrap_or_else(|e| panic!("read {name} of {selector:?} on {}: {e}", self.url()))
    }

    /// Whether an element matches the CSS `selector` on the current page.
    pub fn exists(&self, selector: &str) -> bool {
        self.runtime
            .block_on(self.client().find_all(Locator::Css(selector)))
            .map(|found| !found.is_empty())
            .unwrap_or_else(|e| panic!("look for {selector:?} on {}: {e}", self.url()))
    }

    /// Waits (up to [`TIMEOUT`]) until an element matches the CSS `selector`: after a click
    /// that reloads the same URL, the new page is known by what it shows, not by its URL.
    pub fn wait_for(&self, selector: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.exists(selector) {
            if Instant::now() >= deadline {
                let head: String = self.source().chars().take(2000).collect();
                panic!(
                    "no {selector:?} within {TIMEOUT:?} at {}\n{head}",
                    self.url()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Waits up to [`TIMEOUT`] until the current URL starts with `prefix`, and returns it.
    /// On timeout, panics with the URL and page reached. A prefix the page before the click
    /// already matches proves nothing: use [`Self::wait_for`] then.
    pub fn wait_for_url(&self, prefix: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let url = self.url();
            if url.starts_with(prefix) {
                return url;
            }
            if Instant::now() >= deadline {
                let source = self.source();
                let head: String = source.chars().take(2000).collect();
                panic!("the browser did not reach {prefix} within {TIMEOUT:?}: at {url}\n{head}");
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session makes chromedriver quit Chromium; then chromedriver goes.
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), client.close()).await
            });
        }
        // Whatever is left of chromedriver and Chromium (after a failed or timed-out close):
        // the process group that chromedriver leads.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The session's capabilities: Chromium's binary, its flags and a fresh profile in `profile`.
fn capabilities(profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|&a| a.to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({ "binary": CHROMIUM, "args": args }),
    );
    caps
}

/// Starts chromedriver, logging to `log`, in a process group of its own on a free loopback
/// port, and waits until its `/status` says ready: (the process, the port). Tries another
/// port if the chosen one was taken meanwhile.
fn spawn_chromedriver(log: &Path) -> (Child, u16) {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let port = free_port();
        let mut child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {CHROMEDRIVER}: {e}"));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if status_ready(port) {
                return (child, port);
            }
            if let Ok(Some(status)) = child.try_wait() {
                failures.push(format!("port {port}: chromedriver exited ({status})"));
                break;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromedriver on port {port} not ready within {TIMEOUT:?}");
            }
            thread::sleep(POLL);
        }
    }
    panic!("chromedriver did not start: {failures:?}");
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free loopback port")
        .port()
}

/// Whether chromedriver on `port` answers `GET /status` with `"ready": true`.
fn status_ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") && response.contains("\"ready\":true")
}
