//! The OAuth 2.0 installed-app flow, which replaces ClientLogin: PKCE (S256) and a loopback
//! redirect listener on `127.0.0.1` at a free port, which answers the browser with a short
//! page and stops listening. A real program opens the system browser
//! (`oauth2::open_browser`); here a thread plays the browser, following the consent page's
//! redirect to the listener.
//!
//! With no argument it starts an in-process emulator that approves at once; given a base
//! URL it uses that server (`gdauth serve --auto-approve --oauth2-client
//! installed.apps.googleusercontent.com:installed-secret`).
//!
//! ```sh
//! cargo run --example oauth2_installed_app --features emulator
//! ```

use std::time::Duration;

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::{
    AuthorizationRequest, ClientCredentials, ClientSecret, LoopbackRedirect, OAuth2Token,
};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};

const CLIENT_ID: &str = "installed.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "installed-secret";

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
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));

    let listener = LoopbackRedirect::bind()?;
    let (url, pending) = AuthorizationRequest::new(
        CLIENT_ID,
        listener.redirect_uri(),
        ["https://www.googleapis.com/auth/drive.file"],
    )
    .offline()
    .start(&endpoints)?;
    println!("open in the browser: {url}");

    // The browser: the consent page redirects (302) to the loopback listener.
    let browser = std::thread::spawn(move || -> Result<u16, String> {
        let http = ReqwestBlockingTransport::new().map_err(|e| e.to_string())?;
        let consent = http
            .send(HttpRequest::get(url))
            .map_err(|e| e.to_string())?;
        let location = consent
            .header("location")
            .ok_or("the consent page did not redirect")?
            .to_owned();
        let page = http
            .send(HttpRequest::get(location))
            .map_err(|e| e.to_string())?;
        Ok(page.status)
    });
    let code = listener.wait(&pending, Duration::from_secs(30))?;
    let shown = browser
        .join()
        .map_err(|_| "the browser thread panicked")??;
    println!("the listener answered the browser with HTTP {shown} and stopped");

    let http = ReqwestBlockingTransport::new()?;
    let granted = pending
        .exchange(&endpoints, &client, code)
        .send_blocking(&http)?;
    let now = gdata_auth::clock::Clock::now_unix(&gdata_auth::clock::SystemClock);
    let token: OAuth2Token = granted.into_token(CLIENT_ID, None, now);
    println!(
        "signed in: scopes {:?}, refresh token {}",
        token.scopes,
        if token.refresh_token.is_some() {
            "stored"
        } else {
            "absent"
        }
    );
    if token.refresh_token.is_none() {
        return Err("an offline installed-app grant must carry a refresh token".into());
    }
    Ok(())
}
