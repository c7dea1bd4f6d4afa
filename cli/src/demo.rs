//! `gdauth demo`: starts the embedded Google Accounts emulator on a free loopback port and
//! walks every protocol the crate supports against it, over real HTTP, printing each step:
//! what was sent, what came back, and what it means.
//!
//! Today that is OAuth 1.0a: the three-legged dance with HMAC-SHA1 (callback URL, consent
//! form) and with RSA-SHA1 (`oob`, verifier pasted back), a signed feed fetch, a scope the
//! token does not cover, a two-legged request, a replayed request the emulator refuses, and
//! revocation. Later protocols add their own sections here.

use std::fmt::Write as _;

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{
    AccessToken, AuthorizeOptions, Callback, OAuth1Authorizer, RequestToken, RequestTokenOptions,
    Scope,
};
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, HttpResponse, ReqwestBlockingTransport,
};
use gdata_auth::{ConsumerSecret, Context, Request};
use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

use crate::CliError;

/// `println!` that ignores a closed stdout (`gdauth demo | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// The demo's HMAC consumer (a registered web application).
const HMAC_KEY: &str = "demo.example.com";
const HMAC_SECRET: &str = "demo-consumer-secret";
/// The demo's RSA-SHA1 consumer; its key pair is the project's published test key.
const RSA_KEY: &str = "rsa-demo.example.com";
const RSA_PEM: &str = include_str!("../../fixtures/keys/rsa2048_pkcs1.pem");
const RSA_CERT: &str = include_str!("../../fixtures/keys/rsa2048_cert.pem");
const USER: &str = "user@example.com";
const PASSWORD: &str = "demo-password";
const CALENDAR: &str = "https://www.google.com/calendar/feeds/";
const CONTACTS: &str = "https://www.google.com/m8/feeds/";
const CALLBACK: &str = "https://app.example.com/oauth/callback?session=42";

/// Runs the demo; returns the closing summary line.
pub(crate) fn run() -> Result<String, CliError> {
    let rsa_key = RsaSigningKey::from_pem(RSA_PEM).map_err(|e| failed("demo RSA key", e))?;
    let rsa_cert =
        RsaVerifyingKey::from_pem(RSA_CERT).map_err(|e| failed("demo RSA certificate", e))?;
    let config = EmulatorConfig::new()
        .add_hmac_consumer(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET))
        .add_rsa_consumer(RSA_KEY, rsa_cert)
        .add_user(USER, PASSWORD)
        .with_log(LogTarget::Custom(std::sync::Arc::new(|line: &str| {
            say!("      [emulator] {line}");
        })));
    let emulator = Emulator::start(config).map_err(|e| failed("starting the emulator", e))?;
    let base = emulator.base_url().to_owned();
    let endpoints = Endpoints::at(&base).map_err(|e| failed("emulator URL", e))?;
    let http = ReqwestBlockingTransport::new();
    let mut demo = Demo {
        http: &http,
        endpoints: &endpoints,
        base: &base,
        steps: 0,
    };

    say!("gdauth demo: the Google Accounts emulator is listening on {base}");
    say!("Every step below is a real HTTP exchange with it.\n");

    let hmac = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    section("1. OAuth 1.0a three-legged dance, HMAC-SHA1, callback URL");
    let access = demo.dance_with_callback(&hmac)?;
    section("2. Signed feed requests with the access token");
    demo.feeds(&hmac, &access)?;
    section("3. A replayed request is refused");
    demo.replay(&hmac, &access)?;
    section("4. OAuth 1.0a three-legged dance, RSA-SHA1, out-of-band (oob) verifier");
    let rsa = OAuth1Authorizer::rsa_sha1(RSA_KEY, rsa_key);
    let rsa_access = demo.dance_oob(&rsa)?;
    demo.fetch(
        "Fetch the contacts feed, RSA-SHA1 signed",
        &rsa_access.authorizer(&rsa),
        &format!("{base}/m8/feeds/contacts/default/full"),
        200,
    )?;
    section("5. Two-legged OAuth (xoauth_requestor_id, no token)");
    demo.two_legged(&hmac)?;
    section("6. Revocation");
    demo.revoke(&hmac, &access)?;

    drop(emulator);
    Ok(format!(
        "\ndemo complete: {} steps, every outcome as expected; the emulator has stopped.",
        demo.steps
    ))
}

struct Demo<'a> {
    http: &'a ReqwestBlockingTransport,
    endpoints: &'a Endpoints,
    base: &'a str,
    steps: usize,
}

impl Demo<'_> {
    fn dance_with_callback(
        &mut self,
        consumer: &OAuth1Authorizer,
    ) -> Result<AccessToken, CliError> {
        let options = RequestTokenOptions::new(
            [scope(CALENDAR)?, scope(CONTACTS)?],
            Callback::Url(CALLBACK.to_owned()),
        )
        .with_display_name("gdauth demo");
        let req = flow::prepare_request_token(self.endpoints, consumer, &options, &Context::now())
            .map_err(|e| failed("request token", e))?;
        let resp = self.exchange(
            "Ask for a request token (scopes calendar + contacts, callback URL)",
            req,
        )?;
        let request_token =
            flow::parse_request_token(&options, &resp).map_err(|e| failed("request token", e))?;
        self.meaning(&format!(
            "request token {} issued; oauth_callback_confirmed=true, so this is OAuth 1.0a",
            request_token.token()
        ));

        let url = flow::authorize_url(
            self.endpoints,
            &request_token,
            &AuthorizeOptions::new().with_hl("en"),
        );
        let page = self.exchange(
            "Open the consent page the user would see",
            HttpRequest::get(url.clone()),
        )?;
        let html = page.body_text().unwrap_or_default();
        self.meaning(&format!(
            "an HTML page with Approve / Deny ({} bytes); open {url} in a browser to see it",
            html.len()
        ));

        let form = self.approve_form(&request_token);
        let redirect = self.exchange("The user signs in and clicks Approve", form)?;
        let location = redirect
            .header("location")
            .ok_or_else(|| CliError::Failed("the approval did not redirect".into()))?
            .to_owned();
        let authorized =
            flow::parse_callback(request_token, &location).map_err(|e| failed("callback", e))?;
        self.meaning(
            "redirected to the application's callback with oauth_token (checked: the one we \
             started with) and a single-use oauth_verifier",
        );

        let req =
            flow::prepare_access_token(self.endpoints, consumer, &authorized, &Context::now())
                .map_err(|e| failed("access token", e))?;
        let resp = self.exchange("Exchange the authorized request token", req)?;
        let access = flow::parse_access_token(consumer, &authorized, &resp)
            .map_err(|e| failed("access token", e))?;
        self.meaning(&format!(
            "access token {} for {} scopes; the request token is now spent",
            access.token(),
            access.scopes().len()
        ));
        Ok(access)
    }

    fn dance_oob(&mut self, consumer: &OAuth1Authorizer) -> Result<AccessToken, CliError> {
        let options = RequestTokenOptions::new([scope(CONTACTS)?], Callback::Oob);
        self.step("Ask for a request token with oauth_callback=oob (RSA-SHA1 signed)");
        let token = flow::request_token(self.endpoints, consumer, &options, &Context::now())
            .send_blocking(self.http)
            .map_err(|e| failed("request token", e))?;
        self.meaning(&format!("request token {}", token.token()));
        let page = self.exchange(
            "The user approves; with oob the page shows the verifier",
            self.approve_form(&token),
        )?;
        let verifier = extract_verifier(page.body_text().unwrap_or_default())
            .ok_or_else(|| CliError::Failed("no verifier on the oob page".into()))?;
        self.meaning(&format!(
            "the user copies the verifier {verifier:?} into the application"
        ));
        let authorized = token
            .with_verifier(&verifier)
            .map_err(|e| failed("verifier", e))?;
        self.step("Exchange it for an access token");
        let access = flow::access_token(self.endpoints, consumer, &authorized, &Context::now())
            .send_blocking(self.http)
            .map_err(|e| failed("access token", e))?;
        self.meaning(&format!("access token {}", access.token()));
        Ok(access)
    }

    fn feeds(&mut self, consumer: &OAuth1Authorizer, access: &AccessToken) -> Result<(), CliError> {
        let auth = access.authorizer(consumer);
        self.fetch(
            "Fetch the calendar feed (in scope)",
            &auth,
            &format!(
                "{}/calendar/feeds/default/private/full?max-results=5",
                self.base
            ),
            200,
        )?;
        self.fetch(
            "Fetch the documents feed (not in the token's scopes)",
            &auth,
            &format!("{}/feeds/documents/private/full", self.base),
            401,
        )
    }

    fn replay(
        &mut self,
        consumer: &OAuth1Authorizer,
        access: &AccessToken,
    ) -> Result<(), CliError> {
        let url = format!("{}/calendar/feeds/default/private/full", self.base);
        let req = Request::new("GET", &url).map_err(|e| failed("feed URL", e))?;
        let signed = prepare_signed(&access.authorizer(consumer), &req, &Context::now())
            .map_err(|e| failed("signing", e))?;
        let first = self.exchange("Send a signed request", signed.clone())?;
        self.expect(first, 200)?;
        let again = self.exchange("Send the very same bytes again (a replay)", signed)?;
        self.expect(again, 401)?;
        self.meaning(
            "refused: the (consumer, token, timestamp, nonce) tuple was already used \
             (RFC 5849 §3.3)",
        );
        Ok(())
    }

    fn two_legged(&mut self, consumer: &OAuth1Authorizer) -> Result<(), CliError> {
        let url = format!("{}/calendar/feeds/default/private/full", self.base);
        let req = flow::prepare_two_legged(consumer, "GET", &url, USER, &Context::now())
            .map_err(|e| failed("two-legged request", e))?;
        let resp = self.exchange(
            "Read a user's feed as the consumer alone, naming the user in xoauth_requestor_id",
            req,
        )?;
        self.expect(resp, 200)?;
        self.meaning("a registered consumer may act for its domain's users without a token");
        Ok(())
    }

    fn revoke(
        &mut self,
        consumer: &OAuth1Authorizer,
        access: &AccessToken,
    ) -> Result<(), CliError> {
        let req = flow::prepare_revoke(self.endpoints, consumer, access, &Context::now())
            .map_err(|e| failed("revoke", e))?;
        let resp = self.exchange("Revoke the HMAC access token (AuthSubRevokeToken)", req)?;
        flow::parse_revoke(&resp).map_err(|e| failed("revoke", e))?;
        self.meaning("revoked");
        self.fetch(
            "Use the revoked token",
            &access.authorizer(consumer),
            &format!("{}/calendar/feeds/default/private/full", self.base),
            401,
        )
    }

    fn fetch(
        &mut self,
        title: &str,
        auth: &OAuth1Authorizer,
        url: &str,
        want: u16,
    ) -> Result<(), CliError> {
        let req = Request::new("GET", url).map_err(|e| failed("feed URL", e))?;
        let signed =
            prepare_signed(auth, &req, &Context::now()).map_err(|e| failed("signing", e))?;
        let resp = self.exchange(title, signed)?;
        self.expect(resp, want)
    }

    fn approve_form(&self, token: &RequestToken) -> HttpRequest {
        HttpRequest::post_form(
            self.endpoints.oauth1_authorize_token(),
            &[
                ("oauth_token", token.token()),
                ("Email", USER),
                ("Passwd", PASSWORD),
                ("action", "approve"),
            ],
        )
    }

    /// Sends one request, printing what went out and what came back.
    fn exchange(&mut self, title: &str, req: HttpRequest) -> Result<HttpResponse, CliError> {
        self.step(title);
        say!("   -> {} {}", req.method, shorten(&req.url, 150));
        if let Some(auth) = req.header_value("authorization") {
            say!("      Authorization: {}", shorten(auth, 150));
        }
        let resp = self
            .http
            .send(req)
            .map_err(|e| CliError::Failed(format!("request failed: {e}")))?;
        let body = resp.body_text().unwrap_or("<binary>");
        say!("   <- {} {}", resp.status, shorten(&first_line(body), 150));
        if let Some(location) = resp.header("location") {
            say!("      Location: {}", shorten(location, 150));
        }
        Ok(resp)
    }

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

    fn step(&mut self, title: &str) {
        self.steps += 1;
        say!("\n  [{}] {title}", self.steps);
    }

    fn meaning(&self, text: &str) {
        say!("      => {text}");
    }
}

fn section(title: &str) {
    say!("\n== {title}");
}

fn scope(url: &str) -> Result<Scope, CliError> {
    Scope::new(url).map_err(|e| failed("scope", e))
}

fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Failed(format!("demo: {what}: {e}"))
}

/// The verifier from the oob page: the text of the element with `id="verifier"`.
fn extract_verifier(html: &str) -> Option<String> {
    let start = html.find("id=\"verifier\"")?;
    let rest = html.get(start..)?;
    let open = rest.find('>')?;
    let rest = rest.get(open + 1..)?;
    let close = rest.find('<')?;
    let v = rest.get(..close)?.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn first_line(body: &str) -> String {
    let line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out = String::new();
    let _ = write!(out, "{}", line.trim());
    if body.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        out.push_str(" …");
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
