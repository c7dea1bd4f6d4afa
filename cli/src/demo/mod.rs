//! `gdauth demo`: starts the embedded Google Accounts emulator on a free loopback port and
//! walks every protocol the crate supports against it, over real HTTP, printing each step:
//! what was sent, what came back, and what it means.
//!
//! This module is the runner: it starts the emulator with what every [`Section`] registers,
//! runs the sections in [`SECTIONS`] order with one [`Demo`] printer (steps and headings are
//! numbered across sections), and prints the summary line. Each protocol is one file with one
//! section: [`oauth1`], [`authsub`], [`clientlogin`], [`oauth2`] (the migration), [`oauth2_login`] (new users' flows) and [`gadgets`] (the container's OAuth Proxy and signed fetch). A new protocol adds its file and one entry in [`SECTIONS`].

use std::fmt::Write as _;

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, HttpResponse, ReqwestBlockingTransport,
};
use gdata_auth::{Authorizer, Context, Request};

use crate::CliError;

/// `println!` that ignores a closed stdout (`gdauth demo | head`) instead of panicking.
/// Defined before the section modules, so they can use it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod authsub;
mod clientlogin;
mod gadgets;
mod oauth1;
mod oauth2;
mod oauth2_login;

/// The emulator's one user, who signs in on the consent pages of every protocol.
const USER: &str = "user@example.com";
const PASSWORD: &str = "demo-password";

/// One protocol's part of the demo.
struct Section {
    /// Registers what the steps need (consumers, keys) on the emulator before it starts.
    register: fn(EmulatorConfig) -> Result<EmulatorConfig, CliError>,
    /// Runs the steps in order, under one or more [`Demo::heading`]s.
    run: fn(&mut Demo<'_>) -> Result<(), CliError>,
}

/// The demo, protocol by protocol, in the order it runs.
const SECTIONS: [Section; 6] = [
    oauth1::SECTION,
    authsub::SECTION,
    clientlogin::SECTION,
    oauth2::SECTION,
    oauth2_login::SECTION,
    gadgets::SECTION,
];

/// Runs the demo; returns the closing summary line.
pub(crate) fn run() -> Result<String, CliError> {
    let mut config = EmulatorConfig::new()
        .add_user(USER, PASSWORD)
        .with_log(LogTarget::Custom(std::sync::Arc::new(|line: &str| {
            say!("      [emulator] {line}");
        })));
    for section in &SECTIONS {
        config = (section.register)(config)?;
    }
    let emulator = Emulator::start(config).map_err(|e| failed("starting the emulator", e))?;
    let base = emulator.base_url().to_owned();
    let endpoints = Endpoints::at(&base).map_err(|e| failed("emulator URL", e))?;
    let http = ReqwestBlockingTransport::new().map_err(|e| failed("HTTP client", e))?;
    let mut demo = Demo {
        http: &http,
        endpoints: &endpoints,
        base: &base,
        headings: 0,
        steps: 0,
    };

    say!("gdauth demo: the Google Accounts emulator is listening on {base}");
    say!("Every step below is a real HTTP exchange with it.\n");
    for section in &SECTIONS {
        (section.run)(&mut demo)?;
    }

    drop(emulator);
    Ok(format!(
        "\ndemo complete: {} steps, every outcome as expected; the emulator has stopped.",
        demo.steps
    ))
}

/// The printer every section writes through, and what it talks to.
struct Demo<'a> {
    /// The HTTP client every exchange goes through.
    http: &'a ReqwestBlockingTransport,
    /// The emulator's endpoints.
    endpoints: &'a Endpoints,
    /// The emulator's base URL (`http://127.0.0.1:PORT`), for feed URLs.
    base: &'a str,
    /// Headings printed so far, across sections.
    headings: usize,
    /// Steps taken so far, across sections.
    steps: usize,
}

impl Demo<'_> {
    /// Starts a numbered heading (`== 3. …`).
    fn heading(&mut self, title: &str) {
        self.headings += 1;
        say!("\n== {}. {title}", self.headings);
    }

    /// Starts a numbered step (`[7] …`).
    fn step(&mut self, title: &str) {
        self.steps += 1;
        say!("\n  [{}] {title}", self.steps);
    }

    /// Says what the last answer means.
    fn meaning(&self, text: &str) {
        say!("      => {text}");
    }

    /// One step of one request: prints what went out and what came back.
    fn exchange(&mut self, title: &str, req: HttpRequest) -> Result<HttpResponse, CliError> {
        self.exchange_shown(title, req, str::to_owned)
    }

    /// [`Demo::exchange`], every printed URL, header and body line passed through `show`
    /// (which shortens the tokens a section must not print whole).
    fn exchange_shown(
        &mut self,
        title: &str,
        req: HttpRequest,
        show: fn(&str) -> String,
    ) -> Result<HttpResponse, CliError> {
        self.step(title);
        say!("   -> {} {}", req.method, shorten(&show(&req.url), 150));
        if let Some(auth) = req.header_value("authorization") {
            say!("      Authorization: {}", shorten(&show(auth), 150));
        }
        let resp = self
            .http
            .send(req)
            .map_err(|e| CliError::Failed(format!("request failed: {e}")))?;
        let body = resp.body_text().unwrap_or("<binary>");
        say!(
            "   <- {} {}",
            resp.status,
            shorten(&show(&first_line(body)), 150)
        );
        if let Some(location) = resp.header("location") {
            say!("      Location: {}", shorten(&show(location), 150));
        }
        Ok(resp)
    }

    /// Checks the answer's status: 200 is accepted, anything else the refusal the step
    /// expects. Another status means the emulator and the demo disagree: the demo fails.
    fn expect(&self, resp: HttpResponse, want: u16) -> Result<(), CliError> {
        if resp.status == want {
            let what = match want {
                200 => "accepted",
                _ => "refused, as it should be",
            };
            self.meaning(what);
            Ok(())
        } else {
            Err(CliError::Failed(format!(
                "expected HTTP {want}, got {}: the emulator disagrees with the demo",
                resp.status
            )))
        }
    }

    /// One step: GETs `url` authorized by `auth` (any protocol's credential) and expects
    /// `want`.
    fn fetch(
        &mut self,
        title: &str,
        auth: &dyn Authorizer,
        url: &str,
        want: u16,
    ) -> Result<(), CliError> {
        self.fetch_shown(title, auth, url, want, str::to_owned)
    }

    /// [`Demo::fetch`], printed through `show` as [`Demo::exchange_shown`] does.
    fn fetch_shown(
        &mut self,
        title: &str,
        auth: &dyn Authorizer,
        url: &str,
        want: u16,
        show: fn(&str) -> String,
    ) -> Result<(), CliError> {
        let req = Request::new("GET", url).map_err(|e| failed("feed URL", e))?;
        let signed =
            prepare_signed(auth, &req, &Context::now()).map_err(|e| failed("signing", e))?;
        let resp = self.exchange_shown(title, signed, show)?;
        self.expect(resp, want)
    }
}

/// A demo failure: `what` failed with `e`.
fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Failed(format!("demo: {what}: {e}"))
}

/// The `csrf_token` of the consent page at `url` (fetched quietly, as the browser shows it
/// before the user answers): the emulator refuses an answer without the page's token.
fn consent_csrf(demo: &Demo<'_>, url: &str) -> Result<String, CliError> {
    let page = demo
        .http
        .send(HttpRequest::get(url))
        .map_err(|e| failed("consent page", e))?;
    page.body_text()
        .ok()
        .and_then(gdata_auth::emulator::csrf_token_of)
        .ok_or_else(|| failed("consent page", "no consent form on the page"))
}

/// The first non-blank line of a body, with ` …` when more follow.
fn first_line(body: &str) -> String {
    let line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out = String::new();
    let _ = write!(out, "{}", line.trim());
    if body.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        out.push_str(" …");
    }
    out
}

/// `s` cut to `max` characters, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
