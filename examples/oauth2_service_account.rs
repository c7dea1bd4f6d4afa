//! A service account, which replaces two-legged OAuth 1.0: read the Google service-account
//! JSON key, sign an RS256 assertion acting as a user of the domain (`sub`, domain-wide
//! delegation), exchange it, and let a `TokenSource` cache the token until it nears expiry
//! (a second call sends nothing).
//!
//! With no argument it starts an in-process emulator that knows the test key
//! (`fixtures/keys/service_account.json`); given a base URL and a key file it uses that
//! server (`gdauth serve --service-account KEY_FILE --user jo@example.com:pw`).
//!
//! ```sh
//! cargo run --example oauth2_service_account --features emulator
//! ```

use std::sync::Arc;

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::{AssertionRequest, ServiceAccountKey, TokenSource};
use gdata_auth::transport::{HttpRequest, ReqwestTransport};

/// The test key shipped in `fixtures/` (it protects nothing).
const TEST_KEY: &str = include_str!("../fixtures/keys/service_account.json");
const USER: &str = "jo@example.com";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match (args.next(), args.next()) {
        (Some(base), Some(key_file)) => {
            run_with(Some(base), ServiceAccountKey::from_file(key_file)?).await
        }
        _ => run(None).await,
    }
}

/// The whole example against (`None`) an in-process emulator with the test key; the test
/// suite runs it this way.
pub async fn run(base: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    run_with(base, ServiceAccountKey::from_json(TEST_KEY)?).await
}

async fn run_with(
    base: Option<String>,
    key: ServiceAccountKey,
) -> Result<(), Box<dyn std::error::Error>> {
    let (base, _emulator) = match base {
        Some(base) => (base, None),
        None => {
            let config = EmulatorConfig::new()
                .add_user(USER, "pw")
                .add_service_account(key.clone());
            let emulator = Emulator::start(config)?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    println!("service account {}", key.client_email());

    // Was: two-legged OAuth 1.0 with xoauth_requestor_id=jo@example.com.
    let ask =
        AssertionRequest::new(["https://www.googleapis.com/auth/calendar"]).with_subject(USER);
    let source = Arc::new(TokenSource::service_account(
        endpoints,
        key,
        ask,
        ReqwestTransport::new()?,
    ));
    let first = source.access_token().await?;
    let again = source.access_token().await?;
    println!(
        "{} assertion(s) exchanged for two calls; same token: {}",
        source.refreshes(),
        first == again
    );
    if source.refreshes() != 1 || first != again {
        return Err("the token must be cached until it nears expiry".into());
    }

    // The feed, as the delegated user, with one retry on a 401 built in.
    let feed = HttpRequest::get(format!("{base}/calendar/feeds/default/private/full"));
    let resp = source.send(feed).await?;
    println!("calendar feed as {USER}: HTTP {}", resp.status);
    if resp.status != 200 {
        return Err(format!("the delegated token got HTTP {}", resp.status).into());
    }
    Ok(())
}
