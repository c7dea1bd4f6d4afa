//! The OAuth 2.0 device flow, for devices without a browser or keyboard: ask for a device
//! code, show the user the verification URL and the short user code, and poll the token
//! endpoint at the server's interval until the user approves on another device. Here the
//! "other device" is a thread that opens the verification page with the code.
//!
//! With no argument it starts an in-process emulator that approves at once (polling every
//! second); given a base URL it uses that server (`gdauth serve --auto-approve
//! --device-interval 1 --oauth2-client tv.apps.googleusercontent.com:tv-secret`).
//!
//! ```sh
//! cargo run --example oauth2_device --features emulator
//! ```

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::encoding::url_with_query;
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::device::{self, request_device_code};
use gdata_auth::oauth2::{ClientCredentials, ClientSecret};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};

const CLIENT_ID: &str = "tv.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "tv-secret";

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
                .with_auto_approve(true)
                .with_device_interval(1);
            let emulator = Emulator::start(config)?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestBlockingTransport::new()?;
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));

    let scopes = ["https://www.googleapis.com/auth/youtube.readonly".to_owned()];
    let auth = request_device_code(&endpoints, CLIENT_ID, &scopes).send_blocking(&http)?;
    println!(
        "on another device, open {} and enter {} (polling every {:?})",
        auth.verification_url, auth.user_code, auth.interval
    );

    // The user, on a phone: the verification page with the code.
    let page = url_with_query(&auth.verification_url, &[("user_code", &auth.user_code)]);
    let approved = http.send(HttpRequest::get(page))?;
    println!("verification page: HTTP {}", approved.status);

    let granted = device::wait_blocking(&http, &endpoints, &client, &auth, std::thread::sleep)?;
    println!(
        "approved: access token for {:?}, refresh token {}",
        granted.scope.clone().unwrap_or_default(),
        if granted.refresh_token.is_some() {
            "kept"
        } else {
            "absent"
        }
    );
    if granted.refresh_token.is_none() {
        return Err("a device grant must carry a refresh token".into());
    }
    Ok(())
}
