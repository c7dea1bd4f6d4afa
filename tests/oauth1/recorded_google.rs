//! What Google's own servers accepted, from recordings: GNOME libgdata's OAuth 1.0 traces of
//! 2013-07-29 (`fixtures/recordings/libgdata_oauth1.json`, source in `fixtures/SOURCES.md`).
//!
//! libgdata signed with the `Authorization` header but sent `oauth_callback` (request token)
//! and `oauth_verifier` (access token) in the form body, and www.google.com answered 200.
//! These tests hold the signer to every recorded signature, the verifier (Google profile) to
//! accepting every recorded request (the CLI package holds `gdauth oauth1 verify` to it), the strict profile to refusing
//! the split placement, and the emulator to completing the dance with a libgdata-shaped
//! client and answering a wrong verifier with Google's status code.

use std::sync::Arc;

use gdata_auth::clock::{FixedClock, SystemClock};
use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::encoding::parse_form;
use gdata_auth::oauth1::header::parse_header;
use gdata_auth::oauth1::verifier::{
    ConsumerCredential, CredentialLookup, Profile, ReceivedRequest, Verifier, VerifierConfig,
    VerifyError,
};
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport};
use gdata_auth::{ConsumerSecret, Context, Request, TokenSecret};

use crate::support::recordings::{fully_known, recordings, Recorded};

fn signer_for(r: &Recorded) -> OAuth1Authorizer {
    let anonymous = OAuth1Authorizer::anonymous();
    match (&r.token, &r.token_secret) {
        (Some(t), Some(s)) => anonymous.with_token(t.clone(), TokenSecret::new(s.clone())),
        _ => anonymous,
    }
}

#[test]
fn the_signer_reproduces_every_recorded_signature() {
    let rows = recordings();
    for r in fully_known(&rows) {
        let request = Request::new("POST", &r.url)
            .unwrap()
            .with_form_body(&r.body)
            .unwrap();
        let signed = signer_for(r)
            .sign(&request, &Context::fixed(r.timestamp, r.nonce.clone()))
            .unwrap();
        assert_eq!(signed.signature, r.signature, "{}", r.trace);
        // The body parameters were signed, not put in our header: the header carries the
        // same protocol parameters libgdata's did.
        let ours = parse_header(signed.authorization.header_value())
            .unwrap()
            .params;
        let theirs = parse_header(&r.authorization).unwrap().params;
        let mut ours: Vec<_> = ours.into_iter().collect();
        let mut theirs: Vec<_> = theirs.into_iter().collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{}", r.trace);
    }
}

/// The anonymous consumer, plus every token whose secret the recording gives.
struct Recorded1Lookup(Vec<(String, String)>);

impl CredentialLookup for Recorded1Lookup {
    fn consumer(&self, key: &str) -> Option<ConsumerCredential> {
        (key == "anonymous").then(|| ConsumerCredential::hmac(ConsumerSecret::new("anonymous")))
    }
    fn token_secret(&self, _: &str, token: &str) -> Option<TokenSecret> {
        self.0
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, s)| TokenSecret::new(s.clone()))
    }
}

fn verifier_at(rows: &[Recorded], now: u64, profile: Profile) -> Verifier<Recorded1Lookup> {
    let tokens = rows
        .iter()
        .filter_map(|r| Some((r.token.clone()?, r.token_secret.clone()?)))
        .collect();
    Verifier::new(
        Recorded1Lookup(tokens),
        Arc::new(FixedClock::new(now)),
        VerifierConfig {
            profile,
            ..VerifierConfig::default()
        },
    )
}

fn received(r: &Recorded) -> ReceivedRequest<'_> {
    ReceivedRequest::new("POST", &r.url)
        .with_authorization(&r.authorization)
        .with_form_body(&r.body)
}

#[test]
fn the_google_profile_accepts_every_recorded_request() {
    let rows = recordings();
    for r in &rows {
        let v = verifier_at(&rows, r.sent_at, Profile::GoogleCompat);
        let got = v.verify(&received(r));
        if r.token.is_some() && r.token_secret.is_none() {
            // Past every placement and shape check; only the token is unknown to us.
            assert_eq!(got.unwrap_err(), VerifyError::InvalidToken, "{}", r.trace);
            continue;
        }
        let ok = got.unwrap_or_else(|e| panic!("{}: {e:?}", r.trace));
        assert_eq!(ok.consumer_key, "anonymous");
        // The body's protocol parameters were read as protocol parameters.
        if r.url.ends_with("OAuthGetRequestToken") {
            assert_eq!(ok.callback.as_deref(), Some("oob"), "{}", r.trace);
            assert!(ok.param("scope").is_some());
            assert_eq!(ok.param("xoauth_displayname"), Some("Application name"));
        } else {
            assert!(ok.verifier.is_some(), "{}", r.trace);
        }
        // Replaying it at once is refused.
        assert_eq!(
            v.verify(&received(r)).unwrap_err(),
            VerifyError::NonceReused
        );
    }
}

#[test]
fn the_strict_profile_refuses_the_split_placement() {
    let rows = recordings();
    for r in &rows {
        let v = verifier_at(&rows, r.sent_at, Profile::OauthlibStrict);
        assert_eq!(
            v.verify(&received(r)).unwrap_err(),
            VerifyError::ParamsInMultipleLocations,
            "{}",
            r.trace
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A libgdata-shaped client against the emulator.

/// libsoup's form encoding, as in the recorded bodies: letters and digits kept, a space as
/// `+`, every other byte (`_`, `.`, `-` included) as `%XX`.
fn soup_form_encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b' ' => "+".to_owned(),
                b if b.is_ascii_alphanumeric() => char::from(b).to_string(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", enc(n), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// libgdata's header: the protocol parameters joined by bare commas, the signature in the
/// middle, as in the recording.
fn soup_header(ours: &str) -> String {
    let params = parse_header(ours).unwrap().params;
    let order = [
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_timestamp",
        "oauth_nonce",
        "oauth_version",
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|name| {
            let (_, v) = params.iter().find(|(n, _)| n == name)?;
            Some(format!(
                "{name}=\"{}\"",
                gdata_auth::encoding::percent_encode(v)
            ))
        })
        .collect();
    assert_eq!(parts.len(), params.len(), "every parameter placed");
    format!("OAuth {}", parts.join(","))
}

/// Signs `form` into a header (the body parameters signed but left in the body) and posts it
/// with libsoup's body encoding.
async fn post_like_libgdata(
    http: &ReqwestTransport,
    auth: &OAuth1Authorizer,
    url: &str,
    form: &[(&str, &str)],
) -> HttpResponse {
    let request = Request::new("POST", url)
        .unwrap()
        .with_form(form.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    let ctx = Context::draw(&SystemClock, &gdata_auth::clock::OsNonce);
    let signed = auth.sign(&request, &ctx).unwrap();
    let header = soup_header(signed.authorization.header_value());
    let req = HttpRequest::new("POST", url)
        .header("Authorization", &header)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(soup_form_encode(form).into_bytes());
    http.send(req).await.unwrap()
}

fn form_value(resp: &HttpResponse, name: &str) -> String {
    let f = parse_form(resp.body_text().unwrap()).unwrap();
    f.into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", resp.body_text()))
        .1
}

#[tokio::test]
async fn a_libgdata_shaped_client_completes_the_dance() {
    let rows = recordings();
    let google_refusal = rows.iter().find(|r| r.status != 200).unwrap().status;
    let emu = Emulator::start(
        EmulatorConfig::new()
            .with_auto_approve(true)
            .with_log(LogTarget::Off),
    )
    .unwrap();
    let base = emu.base_url().to_owned();
    let http = ReqwestTransport::new().unwrap();
    let consumer = OAuth1Authorizer::anonymous();

    // 1. Request token: `oauth_callback=oob` in the body beside the header, as recorded.
    let resp = post_like_libgdata(
        &http,
        &consumer,
        &format!("{base}/accounts/OAuthGetRequestToken"),
        &[
            ("xoauth_displayname", "Application name"),
            ("scope", "https://www.google.com/m8/feeds/"),
            ("oauth_callback", "oob"),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{:?}", resp.body_text());
    assert_eq!(form_value(&resp, "oauth_callback_confirmed"), "true");
    let token = form_value(&resp, "oauth_token");
    let secret = TokenSecret::new(form_value(&resp, "oauth_token_secret"));

    // 2. Approval (auto-approve, oob): the verifier is on the page.
    let page = http
        .send(HttpRequest::new(
            "GET",
            format!(
                "{base}/accounts/OAuthAuthorizeToken?oauth_token={}",
                gdata_auth::encoding::percent_encode(&token)
            ),
        ))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    let html = page.body_text().unwrap();
    let start = html.find("id=\"verifier\">").unwrap() + "id=\"verifier\">".len();
    let verifier = html[start..start + html[start..].find('<').unwrap()].to_owned();

    let with_request_token = consumer.clone().with_token(token.clone(), secret);
    let access_url = format!("{base}/accounts/OAuthGetAccessToken");

    // 3a. A wrong verifier in the body: Google's status code, and nothing burnt.
    let resp = post_like_libgdata(
        &http,
        &with_request_token,
        &access_url,
        &[("oauth_verifier", "test")],
    )
    .await;
    assert_eq!(u64::from(resp.status), google_refusal);
    assert!(resp
        .header("Content-Type")
        .unwrap()
        .starts_with("text/plain"));

    // 3b. The right verifier in the body.
    let resp = post_like_libgdata(
        &http,
        &with_request_token,
        &access_url,
        &[("oauth_verifier", &verifier)],
    )
    .await;
    assert_eq!(resp.status, 200, "{:?}", resp.body_text());
    let access = form_value(&resp, "oauth_token");
    assert!(access.starts_with("1/"));
    let access_secret = TokenSecret::new(form_value(&resp, "oauth_token_secret"));

    // 4. The access token reads the contacts feed it was granted.
    let reader = consumer.with_token(access, access_secret);
    let feed = format!("{base}/m8/feeds/contacts/default/full");
    let request = Request::new("GET", &feed).unwrap();
    let ctx = Context::draw(&SystemClock, &gdata_auth::clock::OsNonce);
    let header = soup_header(
        reader
            .sign(&request, &ctx)
            .unwrap()
            .authorization
            .header_value(),
    );
    let resp = http
        .send(HttpRequest::new("GET", &feed).header("Authorization", &header))
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "{:?}", resp.body_text());
    assert!(resp.body_text().unwrap().contains("<feed"));
}

#[tokio::test]
async fn a_strict_emulator_refuses_the_libgdata_placement() {
    let emu = Emulator::start(
        EmulatorConfig::new()
            .with_auto_approve(true)
            .with_log(LogTarget::Off)
            .with_verifier_config(VerifierConfig {
                profile: Profile::OauthlibStrict,
                ..VerifierConfig::default()
            }),
    )
    .unwrap();
    let http = ReqwestTransport::new().unwrap();
    let resp = post_like_libgdata(
        &http,
        &OAuth1Authorizer::anonymous(),
        &format!("{}/accounts/OAuthGetRequestToken", emu.base_url()),
        &[
            ("scope", "https://www.google.com/m8/feeds/"),
            ("oauth_callback", "oob"),
        ],
    )
    .await;
    assert_eq!(resp.status, 400);
    assert_eq!(form_value(&resp, "oauth_problem"), "parameter_rejected");
}
