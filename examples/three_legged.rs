//! The OAuth 1.0a three-legged dance, async, as a GData client does it.
//!
//! With no argument it starts an in-process emulator (auto-approving) and runs against it;
//! given a base URL it talks to that server instead (for example one started with
//! `gdauth serve --addr 127.0.0.1:8080 --auto-approve`), as Google's anonymous consumer.
//!
//! ```sh
//! cargo run --example three_legged
//! cargo run --example three_legged -- http://127.0.0.1:8080
//! ```

use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{
    AuthorizeOptions, Callback, OAuth1Authorizer, RequestTokenOptions, Scope,
};
use gdata_auth::transport::{HttpRequest, ReqwestTransport, Transport};
use gdata_auth::{Context, Request};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the emulator alive for the whole run when we started one.
    let (base, _emulator) = match std::env::args().nth(1) {
        Some(base) => (base, None),
        None => {
            let mut config = EmulatorConfig::new().with_log(LogTarget::Off);
            config.auto_approve = true;
            let emulator = Emulator::start(config)?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestTransport::new()?;
    let consumer = OAuth1Authorizer::anonymous();

    // 1. A request token for the calendar feeds; the user will come back to our callback.
    let options = RequestTokenOptions::new(
        [Scope::new("https://www.google.com/calendar/feeds/")?],
        Callback::Url("https://app.example.com/callback".into()),
    );
    let token = flow::request_token(&endpoints, &consumer, &options, &Context::now())
        .send(&http)
        .await?;
    println!("request token: {}", token.token());

    // 2. Send the user to the consent page. The emulator (auto-approving) redirects at once
    //    to the callback; a browser would follow that redirect to our web application.
    let url = flow::authorize_url(&endpoints, &token, &AuthorizeOptions::new());
    let redirect = http.send(HttpRequest::get(url)).await?;
    let callback = redirect
        .header("location")
        .ok_or("no redirect: is the server auto-approving?")?;
    let authorized = flow::parse_callback(token, callback)?;
    println!("approved; verifier received");

    // 3. The access token.
    let access = flow::access_token(&endpoints, &consumer, &authorized, &Context::now())
        .send(&http)
        .await?;
    println!("access token: {}", access.token());

    // 4. A signed feed request.
    let feed = Request::new(
        "GET",
        &format!("{base}/calendar/feeds/default/private/full"),
    )?;
    let resp = gdata_auth::signed::signed(&access.authorizer(&consumer), &feed, &Context::now())
        .send(&http)
        .await?;
    println!(
        "feed: HTTP {} ({} bytes of Atom)",
        resp.status,
        resp.body.len()
    );

    // 5. Done with it: revoke.
    flow::revoke(&endpoints, &consumer, &access, &Context::now())
        .send(&http)
        .await?;
    println!("revoked");
    Ok(())
}
