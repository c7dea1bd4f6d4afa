//! AuthSub for a web application, with the blocking API: send the user to the
//! `AuthSubRequest` page, read the single-use token from the redirect back to `next`,
//! upgrade it to a session token, read a feed, ask for token info, and revoke.
//!
//! With no argument it starts an in-process emulator; given a base URL (e.g.
//! `gdauth serve --addr 127.0.0.1:8080`) it uses that server, signing in as its default
//! user `user@example.com` / `password`. The `next` URL is a loopback address, the one
//! place the emulator accepts plain `http` and an unregistered host (non-secure tokens
//! only); a real application uses an `https` URL on its registered domain.
//!
//! ```sh
//! cargo run --example authsub_session --features emulator
//! cargo run --example authsub_session --features emulator -- http://127.0.0.1:8080
//! ```

use gdata_auth::authsub::{self, flow, AuthSubRequestOptions, NextUrl, Security};
use gdata_auth::emulator::{csrf_token_of, Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Context, Request, Scope};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(std::env::args().nth(1))
}

/// The whole example, against `base` or (`None`) an in-process emulator; the test suite
/// runs it this way.
pub fn run(base: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let (base, _emulator) = match base {
        Some(base) => (base, None),
        None => {
            let emulator = Emulator::start(EmulatorConfig::new())?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestBlockingTransport::new()?;

    // Where the user comes back: nothing listens there, the token is read off the redirect.
    let next = NextUrl::dangerous_allow_http("http://localhost:8000/authsub/return")?;
    let calendar = "https://www.google.com/calendar/feeds/";
    let options = AuthSubRequestOptions::new(next.clone(), [Scope::new(calendar)?]);
    println!(
        "send the user to: {}",
        authsub::request_url(&endpoints, &options)?
    );

    // The user opens the page, signs in and approves (the form carries the page's
    // `csrf_token`); the page redirects to `next` with `token=…`.
    let consent = http.send(HttpRequest::get(authsub::request_url(
        &endpoints, &options,
    )?))?;
    let csrf = csrf_token_of(consent.body_text()?).ok_or("no consent form")?;
    let approved = http.send(HttpRequest::post_form(
        endpoints.authsub_request(),
        &[
            ("next", next.as_str()),
            ("scope", calendar),
            ("session", "1"),
            ("Email", "user@example.com"),
            ("Passwd", "password"),
            ("csrf_token", &csrf),
            ("action", "approve"),
        ],
    ))?;
    let location = approved
        .header("location")
        .ok_or("the approval did not redirect")?;
    let single_use = authsub::parse_reply(location)?;

    // Upgrade at once: the single-use token sat in a URL.
    let security = Security::NonSecure;
    let session = flow::session_token(&endpoints, single_use, &security, &Context::now())
        .send_blocking(&http)?;
    println!(
        "session token expires {}",
        session.expiration().unwrap_or("never")
    );
    let auth = session.authorizer(security)?;

    let feed = Request::new(
        "GET",
        &format!("{base}/calendar/feeds/default/private/full"),
    )?;
    let resp = http
        .send(prepare_signed(&auth, &feed, &Context::now())?)?
        .error_for_status()?;
    println!("calendar feed: HTTP {}", resp.status);

    let info = flow::token_info(&endpoints, &auth, &Context::now()).send_blocking(&http)?;
    println!(
        "token info: target {}, {} scope(s), secure={}",
        info.target(),
        info.scopes().len(),
        info.secure()
    );

    flow::revoke(&endpoints, &auth, &Context::now()).send_blocking(&http)?;
    let resp = http.send(prepare_signed(&auth, &feed, &Context::now())?)?;
    println!("after revocation: HTTP {}", resp.status);
    // A revoked token must be refused (PROTOCOLS.md §2.3).
    if resp.status != 401 {
        return Err(format!("the revoked token still got HTTP {}", resp.status).into());
    }
    Ok(())
}
