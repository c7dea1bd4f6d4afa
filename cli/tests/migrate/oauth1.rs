//! `gdauth migrate oauth1` against the library's emulator, started in-process: an OAuth 1.0
//! access token from the dance, exchanged for an OAuth 2.0 grant printed as JSON; a refused
//! exchange is an `error:` line, and the OAuth 1.0 token keeps working either way.

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::{
    AccessToken, Callback, OAuth1Authorizer, OAuth1Client, RequestTokenOptions,
};
use gdata_auth::transport::{BlockingTransport, HttpRequest, ReqwestBlockingTransport};
use gdata_auth::{Request, Scope};

use crate::support::gdauth_with_stdin;

const FEED: &str = "/calendar/feeds/default/private/full";

fn dance(emulator: &Emulator) -> (OAuth1Client<ReqwestBlockingTransport>, AccessToken) {
    let endpoints = Endpoints::at(emulator.base_url()).unwrap();
    let client = OAuth1Client::new(
        OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret"),
        ReqwestBlockingTransport::new().unwrap(),
    )
    .with_endpoints(endpoints.clone());
    let options = RequestTokenOptions::new(
        [Scope::new("http://www.google.com/calendar/feeds/").unwrap()],
        Callback::Oob,
    );
    let token = client.request_token(&options).blocking().unwrap();
    // The consent page first, for its csrf_token, as a browser shows it.
    let consent = client
        .http()
        .send(HttpRequest::get(format!(
            "{}?oauth_token={}",
            endpoints.oauth1_authorize_token(),
            gdata_auth::encoding::percent_encode(token.token())
        )))
        .unwrap();
    let csrf = gdata_auth::emulator::csrf_token_of(consent.body_text().unwrap()).unwrap();
    let page = client
        .http()
        .send(HttpRequest::post_form(
            endpoints.oauth1_authorize_token(),
            &[
                ("oauth_token", token.token()),
                ("Email", "user@example.com"),
                ("Passwd", "password"),
                ("csrf_token", &csrf),
                ("action", "approve"),
            ],
        ))
        .unwrap();
    let html = page.body_text().unwrap().to_owned();
    let start = html.find("id=\"verifier\">").unwrap() + "id=\"verifier\">".len();
    let verifier = &html[start..start + html[start..].find('<').unwrap()];
    let access = client
        .access_token(&token.with_verifier(verifier).unwrap())
        .blocking()
        .unwrap();
    (client, access)
}

fn feed_status(
    emulator: &Emulator,
    client: &OAuth1Client<ReqwestBlockingTransport>,
    access: &AccessToken,
) -> u16 {
    let feed = Request::new("GET", &format!("{}{FEED}", emulator.base_url())).unwrap();
    client.fetch(access, &feed).blocking().unwrap().status
}

#[test]
fn migrates_and_prints_the_new_token() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .add_hmac_consumer("example.com", "consumer-secret")
            .add_oauth2_client("cid.apps.googleusercontent.com", "client-secret"),
    )
    .unwrap();
    let (client, access) = dance(&emulator);
    let args = |client_secret: &str| {
        vec![
            "migrate".to_owned(),
            "oauth1".into(),
            "--consumer-key".into(),
            "example.com".into(),
            "--consumer-secret".into(),
            "consumer-secret".into(),
            "--token".into(),
            access.token().to_owned(),
            "--token-secret".into(),
            access.secret().secret().to_owned(),
            "--client-id".into(),
            "cid.apps.googleusercontent.com".into(),
            "--client-secret".into(),
            client_secret.to_owned(),
            "--endpoint".into(),
            emulator.base_url().to_owned(),
        ]
    };
    // Refused first: the OAuth 1.0 token is untouched.
    let (code, stdout, stderr) = gdauth_with_stdin(&args("wrong"), "");
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("error: ") && stderr.contains("invalid_client"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("consumer-secret") && !stderr.contains(access.token()),
        "{stderr}"
    );
    assert_eq!(feed_status(&emulator, &client, &access), 200);

    let (code, stdout, stderr) = gdauth_with_stdin(&args("client-secret"), "");
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["kind"], "oauth2");
    assert_eq!(v["client_id"], "cid.apps.googleusercontent.com");
    assert!(v["refresh_token"].as_str().unwrap().starts_with("1//"));
    assert_eq!(v["scopes"][0], "http://www.google.com/calendar/feeds/");
    // The bearer token reads the feed; the OAuth 1.0 token still does too.
    let bearer = v["access_token"].as_str().unwrap();
    let resp = ReqwestBlockingTransport::new()
        .unwrap()
        .send(
            HttpRequest::get(format!("{}{FEED}", emulator.base_url()))
                .header("Authorization", format!("Bearer {bearer}")),
        )
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(feed_status(&emulator, &client, &access), 200);
}

#[test]
fn consumer_secret_and_rsa_key_exclude_each_other() {
    let (code, _, stderr) = gdauth_with_stdin(
        &[
            "migrate",
            "oauth1",
            "--consumer-key",
            "k",
            "--token",
            "t",
            "--token-secret",
            "s",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
        "",
    );
    assert_eq!(code, Some(2), "{stderr}");
    // Neither: one of them is required.
    assert!(
        stderr.contains("required arguments were not provided"),
        "{stderr}"
    );
    let (code, _, stderr) = gdauth_with_stdin(
        &[
            "migrate",
            "oauth1",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "x",
            "--rsa-key",
            "k.pem",
            "--token",
            "t",
            "--token-secret",
            "s",
            "--client-id",
            "c",
            "--client-secret",
            "s",
        ],
        "",
    );
    // Both: refused as a conflict, not for some other usage error.
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("'--consumer-secret <S>' cannot be used with '--rsa-key <PEM_FILE>'"),
        "{stderr}"
    );
}
