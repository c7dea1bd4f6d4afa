//! The OAuth 1.0a three-legged dance, async, as a GData client does it, with
//! `OAuth1Client` (endpoints, consumer and transport in one value).
//!
//! With no argument it starts an in-process emulator (auto-approving) and runs against it;
//! given a base URL it talks to that server instead (for example one started with
//! `gdauth serve --addr 127.0.0.1:8080 --auto-approve`), as Google's anonymous consumer.
//!
//! ```sh
//! cargo run --example three_legged --features emulator
//! cargo run --example three_legged --features emulator -- http://127.0.0.1:8080
//! ```

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::{
    AuthorizeOptions, Callback, OAuth1Authorizer, OAuth1Client, RequestTokenOptions,
};
use gdata_auth::transport::{HttpRequest, ReqwestTransport, Transport as _};
use gdata_auth::{Request, Scope};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(std::env::args().nth(1)).await
}

/// The whole example, against `base` or (`None`) an in-process emulator; the test suite
/// runs it this way.
pub async fn run(base: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    // Keep the emulator alive for the whole run when we started one.
    let (base, _emulator) = match base {
        Some(base) => (base, None),
        None => {
            let emulator = Emulator::start(EmulatorConfig::new().with_auto_approve(true))?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let client = OAuth1Client::new(OAuth1Authorizer::anonymous(), ReqwestTransport::new()?)
        .with_endpoints(Endpoints::at(&base)?);

    // 1. A request token for the calendar feeds; the user will come back to our callback.
    let options = RequestTokenOptions::new(
        [Scope::new("https://www.google.com/calendar/feeds/")?],
        Callback::Url("https://app.example.com/callback".into()),
    );
    let token = client.request_token(&options).await?;
    println!("request token: {}", token.token());

    // 2. Send the user to the consent page. The emulator (auto-approving) redirects at once
    //    to the callback; a browser would follow that redirect to our web application.
    let url = client.authorize_url(&token, &AuthorizeOptions::new());
    let redirect = client.http().send(HttpRequest::get(url)).await?;
    let callback = redirect
        .header("location")
        .ok_or("no redirect: is the server auto-approving?")?;
    let authorized = client.parse_callback(token, callback)?;
    println!("approved; verifier received");

    // 3. The access token.
    let access = client.access_token(&authorized).await?;
    println!("access token: {}", access.token());

    // 4. A signed feed request; a refusal becomes an error by the caller's choice.
    let feed = Request::new(
        "GET",
        &format!("{base}/calendar/feeds/default/private/full"),
    )?;
    let resp = client.fetch(&access, &feed).await?.error_for_status()?;
    println!(
        "feed: HTTP {} ({} bytes of Atom)",
        resp.status,
        resp.body.len()
    );

    // 5. Done with it: revoke.
    client.revoke(&access).await?;
    println!("revoked");
    Ok(())
}
