//! The OAuth 1.0a three-legged dance with the blocking API and the out-of-band (`oob`)
//! verifier an installed application uses: the user approves in a browser and pastes the
//! verifier back.
//!
//! With no argument it starts an in-process emulator and approves through its real consent
//! form; given a base URL (e.g. `gdauth serve --addr 127.0.0.1:8080`) it uses that server,
//! signing in as its default user `user@example.com` / `password`.
//!
//! ```sh
//! cargo run --example three_legged_blocking
//! cargo run --example three_legged_blocking -- http://127.0.0.1:8080
//! ```

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{Callback, OAuth1Authorizer, RequestTokenOptions, Scope};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Context, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, _emulator) = match std::env::args().nth(1) {
        Some(base) => (base, None),
        None => {
            let emulator = Emulator::start(EmulatorConfig::new().with_log(LogTarget::Off))?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestBlockingTransport::new()?;
    let consumer = OAuth1Authorizer::anonymous();

    let options = RequestTokenOptions::new(
        [Scope::new("https://www.google.com/m8/feeds/")?],
        Callback::Oob,
    );
    let token = flow::request_token(&endpoints, &consumer, &options, &Context::now())
        .send_blocking(&http)?;
    println!("request token: {}", token.token());

    // The user signs in and approves; with `oob` the page shows the verifier.
    let page = http.send(HttpRequest::post_form(
        endpoints.oauth1_authorize_token(),
        &[
            ("oauth_token", token.token()),
            ("Email", "user@example.com"),
            ("Passwd", "password"),
            ("action", "approve"),
        ],
    ))?;
    let html = page.body_text()?;
    let verifier = html
        .split("id=\"verifier\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .ok_or("no verifier on the page")?
        .trim()
        .to_owned();
    println!("the user pastes the verifier: {verifier}");

    let authorized = token.with_verifier(&verifier)?;
    let access = flow::access_token(&endpoints, &consumer, &authorized, &Context::now())
        .send_blocking(&http)?;
    println!("access token: {}", access.token());

    let feed = Request::new("GET", &format!("{base}/m8/feeds/contacts/default/full"))?;
    let resp = gdata_auth::signed::signed(&access.authorizer(&consumer), &feed, &Context::now())
        .send_blocking(&http)?;
    println!(
        "feed: HTTP {} ({} bytes of Atom)",
        resp.status,
        resp.body.len()
    );
    Ok(())
}
