//! The OAuth 2.0 web-server flow, which replaces AuthSub and OAuth 1.0 web applications:
//! the authorization URL with `state`, PKCE, `access_type=offline` and
//! `include_granted_scopes=true`; the redirect read back with its `state` checked; the
//! code exchanged; the granted scopes compared with the requested ones; a feed read with
//! the bearer token.
//!
//! With no argument it starts an in-process emulator that approves at once; given a base
//! URL it uses that server, which must run with `--auto-approve` and
//! `--oauth2-client web.apps.googleusercontent.com:web-secret`. The redirect URI is a
//! loopback address, which the emulator allows for any client; nothing listens there: the
//! example reads the code off the redirect, as a web server's handler would.
//!
//! ```sh
//! cargo run --example oauth2_web_server --features emulator
//! ```

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::{AuthorizationRequest, BearerAuthorizer, ClientCredentials, ClientSecret};
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Context, Request, Scope};

const CLIENT_ID: &str = "web.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "web-secret";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(std::env::args().nth(1))
}

/// The whole example, against `base` or (`None`) an in-process emulator; the test suite
/// runs it this way.
pub fn run(base: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let (base, _emulator) = match base {
        Some(base) => (base, None),
        None => {
            let config = EmulatorConfig::new()
                .add_oauth2_client(CLIENT_ID, CLIENT_SECRET)
                .with_auto_approve(true);
            let emulator = Emulator::start(config)?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestBlockingTransport::new()?;
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));

    // Was: AuthSubRequest?next=…&scope=…&session=1.
    let calendar = "https://www.googleapis.com/auth/calendar";
    let (url, pending) = AuthorizationRequest::new(
        CLIENT_ID,
        "http://localhost:8000/oauth2callback",
        [calendar],
    )
    .offline()
    .include_granted_scopes()
    .with_login_hint("user@example.com")
    .start(&endpoints)?;
    println!("send the user to: {url}");

    // The user approves; the consent page redirects to the redirect URI.
    let consent = http.send(HttpRequest::get(url))?;
    let location = consent
        .header("location")
        .ok_or("the consent page did not redirect")?;
    // The handler at /oauth2callback: `state` first, then the code.
    let code = pending.read_redirect(location)?;
    let granted = pending
        .exchange(&endpoints, &client, code)
        .send_blocking(&http)?;
    let asked = [Scope::new(calendar)?];
    let missing = granted.missing_scopes(&asked);
    println!(
        "granted: refresh token {}, {} requested scope(s) missing",
        if granted.refresh_token.is_some() {
            "kept"
        } else {
            "absent"
        },
        missing.len()
    );
    if granted.refresh_token.is_none() || !missing.is_empty() {
        return Err("access_type=offline must bring a refresh token and every scope".into());
    }

    // The same call site as with AuthSub: only the authorizer changed.
    let bearer = BearerAuthorizer::new(granted.access_token)?;
    let feed = Request::new(
        "GET",
        &format!("{base}/calendar/feeds/default/private/full"),
    )?;
    let resp = http
        .send(prepare_signed(&bearer, &feed, &Context::now())?)?
        .error_for_status()?;
    println!("calendar feed: HTTP {}", resp.status);
    Ok(())
}
