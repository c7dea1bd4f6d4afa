//! The OAuth 1.0a three-legged dance with the blocking API and the out-of-band (`oob`)
//! verifier an installed application uses: the user approves in a browser and pastes the
//! verifier back.
//!
//! With no argument it starts an in-process emulator and approves through its real consent
//! form; given a base URL (e.g. `gdauth serve --addr 127.0.0.1:8080`) it uses that server,
//! signing in as its default user `user@example.com` / `password`.
//!
//! ```sh
//! cargo run --example three_legged_blocking --features emulator
//! cargo run --example three_legged_blocking --features emulator -- http://127.0.0.1:8080
//! ```

use gdata_auth::emulator::{csrf_token_of, Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::{Callback, OAuth1Authorizer, OAuth1Client, RequestTokenOptions};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Request, Scope};

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
    let client = OAuth1Client::new(
        OAuth1Authorizer::anonymous(),
        ReqwestBlockingTransport::new()?,
    )
    .with_endpoints(endpoints.clone());

    let options = RequestTokenOptions::new(
        [Scope::new("https://www.google.com/m8/feeds/")?],
        Callback::Oob,
    );
    let token = client.request_token(&options).blocking()?;
    println!("request token: {}", token.token());

    // The user opens the consent page, signs in and approves (the form carries the page's
    // `csrf_token`, which the emulator checks); with `oob` the page shows the verifier.
    let authorize_url = format!(
        "{}?oauth_token={}",
        endpoints.oauth1_authorize_token(),
        gdata_auth::encoding::percent_encode(token.token())
    );
    let consent = client.http().send(HttpRequest::get(authorize_url))?;
    let csrf = csrf_token_of(consent.body_text()?).ok_or("no consent form")?;
    let page = client.http().send(HttpRequest::post_form(
        endpoints.oauth1_authorize_token(),
        &[
            ("oauth_token", token.token()),
            ("Email", "user@example.com"),
            ("Passwd", "password"),
            ("csrf_token", &csrf),
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
    let access = client.access_token(&authorized).blocking()?;
    println!("access token: {}", access.token());

    let feed = Request::new("GET", &format!("{base}/m8/feeds/contacts/default/full"))?;
    let resp = client
        .fetch(&access, &feed)
        .blocking()?
        .error_for_status()?;
    println!(
        "feed: HTTP {} ({} bytes of Atom)",
        resp.status,
        resp.body.len()
    );
    Ok(())
}
