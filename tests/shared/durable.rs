//! The in-process emulator on a state file (`EmulatorConfig::with_state_file`, issue 15
//! §5): stopped and started again on the same file, in the same process, it carries on —
//! the file's lock is released when the emulator stops, the access token still reads its
//! feed, a spent request token stays spent, and a served nonce is still a replay.

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::OAuth1Authorizer;

use crate::support::emulator::{
    form, get, signed_request, text, Fixture, Placement, CALENDAR_SCOPE,
};

fn consumer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret")
}

fn config(state: &std::path::Path) -> EmulatorConfig {
    EmulatorConfig::new()
        .add_hmac_consumer("example.com", "consumer-secret")
        .add_user("user@example.com", "password")
        .with_state_file(state)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_emulator_carries_on_from_its_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");

    let fx = Fixture::new(config(&state));
    let (rt, rs) = fx.request_token(&consumer(), CALENDAR_SCOPE, "oob").await;
    let verifier = fx.approve(&rt).await;
    let exchanged = fx.exchange(&consumer(), &rt, &rs, &verifier).await;
    assert_eq!(exchanged.status, 200, "{}", text(&exchanged));
    let f = form(&exchanged);
    let (token, secret) = (
        get(&f, "oauth_token").unwrap().to_owned(),
        get(&f, "oauth_token_secret").unwrap().to_owned(),
    );
    let reader = consumer().with_token(
        token.as_str(),
        gdata_auth::TokenSecret::new(secret.as_str()),
    );
    let path = "/calendar/feeds/default/private/full";
    let read = signed_request(
        &reader,
        "GET",
        &fx.url(path),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    assert_eq!(fx.send(read.clone()).await.status, 200);
    drop(fx);

    // The same file, a new emulator (on another port).
    let fx = Fixture::new(config(&state));
    let fresh = fx
        .signed(&reader, "GET", path, &[], Placement::Header)
        .await;
    assert_eq!(fresh.status, 200, "{}", text(&fresh));
    let again = fx.exchange(&consumer(), &rt, &rs, &verifier).await;
    assert_eq!(again.status, 401, "{}", text(&again));
    assert!(text(&again).contains("token_used"), "{}", text(&again));
    // The first run's read, sent again with its nonce and timestamp: a replay. (Its URL
    // names the old port; the nonce check comes after the signature, so the request is
    // re-signed here with the same nonce and timestamp for the new URL.)
    let ctx = gdata_auth::Context::fixed(fx.ctx().timestamp.unwrap(), read_nonce(&read));
    let replay = signed_request(&reader, "GET", &fx.url(path), &[], Placement::Header, &ctx);
    let replay = fx.send(replay).await;
    assert_eq!(replay.status, 401, "{}", text(&replay));
    assert!(text(&replay).contains("nonce_used"), "{}", text(&replay));
}

/// The `oauth_nonce` of a signed request's `Authorization` header.
fn read_nonce(req: &gdata_auth::transport::HttpRequest) -> String {
    let header = req.header_value("authorization").unwrap();
    let parsed = gdata_auth::oauth1::header::parse_header(header).unwrap();
    parsed
        .params
        .iter()
        .find(|(n, _)| n == "oauth_nonce")
        .map(|(_, v)| v.clone())
        .unwrap()
}
