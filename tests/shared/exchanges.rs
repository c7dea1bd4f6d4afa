//! The conformance kit's recordings (issue 14): the checker passes every recording in
//! `fixtures/exchanges/` with the secrets of `fixtures/exchange-secrets.json`, rejects
//! tampered ones with the right reason, and the recorder never writes a registered secret.
//!
//! `rerecord` (ignored) rewrites `fixtures/exchanges/emulator/` and the `emulator.*`
//! entries of the secrets file: `cargo test --all-features --test shared -- --ignored
//! rerecord`. Clocks and nonces are pinned; the emulator's tokens are random, so a
//! re-recording changes the token values and nothing else of substance.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gdata_auth::authsub::{self, AuthSubRequestOptions, NextUrl, Security};
use gdata_auth::clientlogin::flow::{prepare_feed, prepare_login, prepare_login_with_captcha};
use gdata_auth::clientlogin::{
    parse_login, ClientLoginError, Credentials as Login, Password, Service,
};
use gdata_auth::clock::{FixedClock, NonceSource};
use gdata_auth::conformance::exchange::{
    Body, Credentials, Protocol, Recording, Secrets, Source, SourceKind,
};
use gdata_auth::conformance::recorder::{Recorder, RecordingTransport};
use gdata_auth::conformance::replay::{check_dir, check_recording, Status};
use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::verifier::VerifierConfig;
use gdata_auth::oauth1::{
    flow, AccessToken, Callback, OAuth1Authorizer, RequestToken, RequestTokenOptions, Scope,
    SignatureMethod,
};
use gdata_auth::oauth2::authorize::prepare_code_exchange;
use gdata_auth::oauth2::device::{
    parse_device_code, parse_device_poll, prepare_device_code, prepare_device_poll,
};
use gdata_auth::oauth2::migration::{parse_migration, prepare_migration};
use gdata_auth::oauth2::{
    flow as oauth2_flow, parse_token_response, AssertionRequest, AuthState, AuthorizationRequest,
    BearerAuthorizer, ClientCredentials, ClientSecret, DevicePoll, PkceVerifier, Revocable,
    ServiceAccountKey,
};
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, HttpResponse, ReqwestBlockingTransport,
};
use gdata_auth::{ConsumerSecret, Context, Request, RsaSigningKey, RsaVerifyingKey};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn exchanges_dir() -> PathBuf {
    root().join("fixtures/exchanges")
}

fn secrets_file() -> PathBuf {
    root().join("fixtures/exchange-secrets.json")
}

#[test]
fn every_recording_passes_the_checker() {
    let secrets = Secrets::read(secrets_file()).unwrap();
    let report = check_dir(exchanges_dir(), &secrets).unwrap();
    let lines: Vec<String> = report.outcomes.iter().map(ToString::to_string).collect();
    assert!(report.outcomes.len() >= 40, "{lines:#?}");
    for o in &report.outcomes {
        assert!(matches!(o.status, Status::Ok(_)), "{o}\n{lines:#?}");
    }
    // Only the libgdata requests whose token secret Google's traces never showed go
    // unchecked, and they say so.
    let unchecked: Vec<&String> = lines.iter().filter(|l| l.contains("not checked")).collect();
    assert_eq!(unchecked.len(), 3, "{unchecked:#?}");
    assert!(report.passed());
}

#[test]
fn without_secrets_signed_requests_are_skipped_not_failed() {
    let report = check_dir(exchanges_dir(), &Secrets::new()).unwrap();
    assert!(report.passed(), "{}", report.summary());
    let (ok, skipped, _) = report.counts();
    assert!(skipped > 10 && ok > 10, "{}", report.summary());
    assert!(report
        .outcomes
        .iter()
        .filter_map(|o| match &o.status {
            Status::Skipped(why) => Some(why),
            _ => None,
        })
        .all(|why| why.starts_with("needs secret ")));
}

fn read(rel: &str) -> Recording {
    Recording::read(exchanges_dir().join(rel)).unwrap()
}

fn only_failure(rec: &Recording, secrets: &Secrets) -> String {
    let failed: Vec<String> = check_recording(rec, secrets)
        .into_iter()
        .filter(|o| matches!(o.status, Status::Failed(_)))
        .map(|o| o.to_string())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    failed[0].clone()
}

/// Changes one byte of the value of `param` (in the header or the body) of exchange `i`.
fn tamper_param(rec: &mut Recording, i: usize, param: &str) {
    let req = &mut rec.exchanges[i].request;
    let change = |s: &mut String| -> bool {
        let Some(at) = s.find(&format!("{param}=")) else {
            return false;
        };
        let mut start = at + param.len() + 1;
        if s.as_bytes()[start] == b'"' {
            start += 1;
        }
        let old = s.as_bytes()[start];
        let new = if old == b'x' { "y" } else { "x" };
        s.replace_range(start..start + 1, new);
        true
    };
    for (_, v) in &mut req.headers {
        if change(v) {
            return;
        }
    }
    if let Body::Text(t) = &mut req.body {
        if change(t) {
            return;
        }
    }
    assert!(change(&mut req.url), "{param} not found");
}

#[test]
fn a_tampered_oauth1_parameter_is_rejected_as_a_bad_signature() {
    let secrets = Secrets::read(secrets_file()).unwrap();
    for (file, i, param) in [
        ("emulator/oauth1-hmac-three-legged.json", 0, "scope"),
        (
            "emulator/oauth1-hmac-three-legged.json",
            1,
            "oauth_verifier",
        ),
        ("emulator/oauth1-rsa-oob.json", 0, "oauth_nonce"),
        ("emulator/oauth1-plaintext.json", 2, "oauth_signature"),
        ("emulator/oauth1-two-legged.json", 0, "xoauth_requestor_id"),
        (
            "google/libgdata-oauth1-authorizer-data-authenticated.json",
            1,
            "oauth%5Fverifier",
        ),
    ] {
        let mut rec = read(file);
        tamper_param(&mut rec, i, param);
        let line = only_failure(&rec, &secrets);
        assert!(
            line.contains("OAuth 1.0 signature") && line.contains(&rec.exchanges[i].name),
            "{file} {param}: {line}"
        );
    }
}

#[test]
fn a_tampered_secure_authsub_request_or_jwt_is_rejected() {
    let secrets = Secrets::read(secrets_file()).unwrap();
    let mut rec = read("emulator/authsub-secure.json");
    let url = rec.exchanges[1].request.url.clone();
    rec.exchanges[1].request.url = url.replace("/full", "/fulL");
    let line = only_failure(&rec, &secrets);
    assert!(line.contains("secure AuthSub signature"), "{line}");

    let mut rec = read("emulator/oauth2-jwt-bearer.json");
    let Body::Text(body) = &mut rec.exchanges[0].request.body else {
        panic!("text body")
    };
    // One byte of the signature part (the assertion's last segment).
    let at = body.rfind('.').unwrap() + 5;
    let old = body.as_bytes()[at];
    body.replace_range(at..at + 1, if old == b'A' { "B" } else { "A" });
    let line = only_failure(&rec, &secrets);
    assert!(line.contains("JWT assertion"), "{line}");
}

#[test]
fn a_response_missing_a_documented_field_is_rejected() {
    let secrets = Secrets::read(secrets_file()).unwrap();
    let cases: [(&str, usize, &str, &str, &str); 6] = [
        (
            "emulator/oauth1-hmac-three-legged.json",
            0,
            "&oauth_callback_confirmed=true",
            "",
            "oauth_callback_confirmed",
        ),
        (
            "emulator/oauth1-hmac-three-legged.json",
            1,
            "oauth_token_secret",
            "oauth_token_sekret",
            "no oauth_token_secret",
        ),
        (
            "google/libgdata-client-login-authorizer-authenticate-sync.json",
            0,
            "LSID=",
            "LSIX=",
            "SID=, LSID=, Auth=",
        ),
        (
            "emulator/clientlogin-captcha.json",
            3,
            "CaptchaUrl=",
            "CaptchaURI=",
            "without CaptchaUrl=",
        ),
        (
            "emulator/authsub-plain.json",
            2,
            "Secure=",
            "Secured=",
            "no Secure= line",
        ),
        (
            "emulator/oauth2-authorization-code-pkce.json",
            0,
            "\"token_type\"",
            "\"token_kind\"",
            "no token_type",
        ),
    ];
    for (file, i, from, to, reason) in cases {
        let mut rec = read(file);
        let Body::Text(body) = &mut rec.exchanges[i].response.body else {
            panic!("text body")
        };
        assert!(body.contains(from), "{file}: {from} not in {body}");
        *body = body.replacen(from, to, 1);
        let line = only_failure(&rec, &secrets);
        assert!(line.contains(reason), "{file}: {line}");
    }
    // ClientLogin's documented content type.
    let mut rec = read("emulator/clientlogin-success.json");
    for (n, v) in &mut rec.exchanges[0].response.headers {
        if n.eq_ignore_ascii_case("content-type") {
            *v = "text/html".into();
        }
    }
    assert!(only_failure(&rec, &secrets).contains("not text/plain"));
}

#[test]
fn a_missing_secret_skips_with_its_name() {
    let mut secrets = Secrets::read(secrets_file()).unwrap();
    let rec = read("emulator/oauth1-hmac-three-legged.json");
    let name = rec.exchanges[1].credentials.token_secret.clone().unwrap();
    let mut kept = Secrets::new();
    for n in secrets.names().filter(|n| *n != name) {
        kept.insert(n, secrets.get(n).unwrap());
    }
    secrets = kept;
    let outcomes = check_recording(&rec, &secrets);
    assert_eq!(
        outcomes[1].to_string(),
        format!("skip oauth1-hmac-three-legged/access-token: needs secret {name} (token_secret)")
    );
}

/// The recorder, over a real emulator: no registered or detected secret reaches the file.
#[test]
fn the_recorder_never_writes_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = record_all(dir.path()).unwrap();
    let mut all = String::new();
    for entry in std::fs::read_dir(dir.path().join("emulator")).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(out.len() > 20);
    for name in out.names() {
        let value = out.get(name).unwrap();
        assert!(!all.contains(value), "secret {name} written in a recording");
    }
    for fixed in [
        PASSWORD,
        HMAC_SECRET,
        PLAIN_SECRET,
        CLIENT_SECRET,
        CAPTCHA_ANSWER,
    ] {
        assert!(!all.contains(fixed), "{fixed}");
    }
    // And what was recorded checks.
    let report = check_dir(dir.path().join("emulator"), &out).unwrap();
    let lines: Vec<String> = report.outcomes.iter().map(ToString::to_string).collect();
    assert!(report.passed() && report.counts().1 == 0, "{lines:#?}");
}

/// The async side: a `Transport` wrapped the same way, a detected token kept out.
#[tokio::test]
async fn the_async_recorder_records_and_redacts() {
    use gdata_auth::transport::{FnTransport, Transport};
    let server = FnTransport(|req: HttpRequest| async move {
        assert_eq!(req.method, "POST");
        Ok(HttpResponse::new(
            200,
            r#"{"access_token":"ya29.secret-access","token_type":"Bearer","expires_in":3600}"#,
        )
        .with_header("Content-Type", "application/json"))
    });
    let rec = Recorder::new("async");
    rec.secret("client_secret", "s3cr3t-client");
    let http = rec.wrap(server);
    rec.name_next("refresh");
    let req = HttpRequest::post_form(
        "https://accounts.google.com/o/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "id"),
            ("client_secret", "s3cr3t-client"),
            ("refresh_token", "1//refresh-value"),
        ],
    );
    let resp = Transport::send(&http, req).await.unwrap();
    assert_eq!(resp.status, 200);
    let source = Source {
        kind: SourceKind::Emulator,
        description: "a closure".into(),
        repo: None,
        path: None,
        commit: None,
        sha256: None,
    };
    let recording = rec.recording("async", Protocol::OAuth2, source);
    let json = recording.to_json();
    for secret in ["s3cr3t-client", "1//refresh-value", "ya29.secret-access"] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(json.contains("${secret:async.access_token}"), "{json}");
    let outcomes = check_recording(&recording, &rec.secrets());
    assert_eq!(outcomes[0].to_string(), "ok async/refresh");
}

/// Rewrites `fixtures/exchanges/emulator/` and the `emulator.*` secrets.
#[test]
#[ignore = "rewrites fixtures/exchanges/emulator/; run by hand to re-record"]
fn rerecord() {
    let dir = exchanges_dir();
    let fresh = record_all(&dir).unwrap();
    let old = Secrets::read(secrets_file()).unwrap_or_default();
    let mut merged = Secrets::new();
    for n in old.names().filter(|n| !n.starts_with("emulator.")) {
        merged.insert(n, old.get(n).unwrap());
    }
    for n in fresh.names() {
        merged.insert(n, fresh.get(n).unwrap());
    }
    // The key files are named, not copied.
    let mut json: serde_json::Value = serde_json::from_str(&merged.to_json()).unwrap();
    json["emulator.rsa_public_key"] = serde_json::json!({"file": "keys/rsa2048_cert.pem"});
    json["emulator.service_account_key"] = serde_json::json!({"file": "keys/service_account.json"});
    let mut text = serde_json::to_string_pretty(&json).unwrap();
    text.push('\n');
    std::fs::write(secrets_file(), text).unwrap();
}

/// What a client reads of the emulator's ClientLogin answers is what www.google.com sent
/// in libgdata's traces: status, headers that steer clients and caches, the body's lines.
#[test]
fn the_emulator_answers_clientlogin_as_google_did() {
    let google_ok = read("google/libgdata-client-login-authorizer-authenticate-sync.json");
    let google_bad =
        read("google/libgdata-client-login-authorizer-authenticate-sync-bad-password.json");
    let emu_ok = read("emulator/clientlogin-success.json");
    let emu_bad = read("emulator/clientlogin-bad-authentication.json");
    let keys = |r: &Recording| -> Vec<String> {
        r.exchanges[0]
            .response
            .body
            .text()
            .unwrap()
            .lines()
            .map(|l| l.split('=').next().unwrap().to_owned())
            .collect()
    };
    for (google, emu) in [(&google_ok, &emu_ok), (&google_bad, &emu_bad)] {
        let (g, e) = (&google.exchanges[0].response, &emu.exchanges[0].response);
        assert_eq!(g.status, e.status);
        for h in [
            "Content-Type",
            "Cache-Control",
            "Pragma",
            "Expires",
            "X-Content-Type-Options",
        ] {
            assert_eq!(
                gdata_auth::conformance::exchange::header(&g.headers, h),
                gdata_auth::conformance::exchange::header(&e.headers, h),
                "{h}"
            );
        }
        assert_eq!(keys(google), keys(emu));
        assert!(e.body.text().unwrap().ends_with('\n'));
    }
    assert_eq!(
        emu_bad.exchanges[0].response.body,
        google_bad.exchanges[0].response.body
    );
}

// ---- the recordings ---------------------------------------------------------------------

const T0: u64 = 1_289_861_432;
const USER: &str = "user@example.com";
const OTHER_USER: &str = "other@example.com";
const PASSWORD: &str = "emulator-password";
const HMAC_KEY: &str = "hmac.example.com";
const HMAC_SECRET: &str = "emulator-hmac-consumer-secret";
const RSA_KEY: &str = "rsa.example.com";
const PLAIN_KEY: &str = "plain.example.com";
const PLAIN_SECRET: &str = "emulator-plaintext-consumer-secret";
const AUTHSUB_DOMAIN: &str = "authsub.example.com";
const CLIENT_ID: &str = "emulator.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "emulator-oauth2-client-secret";
const CAPTCHA_ANSWER: &str = "Kz7Qw3Recorded";
const CALENDAR: &str = "https://www.google.com/calendar/feeds/";
const CONTACTS: &str = "https://www.google.com/m8/feeds/";
const CALENDAR_FEED: &str = "/calendar/feeds/default/private/full";
const CONTACTS_FEED: &str = "/m8/feeds/contacts/default/full";

fn key_path(name: &str) -> PathBuf {
    root().join("fixtures/keys").join(name)
}

/// Sequential nonces: deterministic, never repeated.
struct Counter(AtomicU64);

impl NonceSource for Counter {
    fn nonce(&self) -> String {
        format!("nonce{:06}", self.0.fetch_add(1, Ordering::Relaxed))
    }
}

/// The un-recorded transport, as a closure the recorder can own.
type Raw = Box<
    dyn Fn(HttpRequest) -> std::result::Result<HttpResponse, gdata_auth::transport::TransportError>
        + Send
        + Sync,
>;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Rig {
    emu: Emulator,
    clock: Arc<FixedClock>,
    nonces: Counter,
    raw: Arc<ReqwestBlockingTransport>,
    endpoints: Endpoints,
    out: PathBuf,
    secrets: Secrets,
    commit: String,
}

impl Rig {
    fn ctx(&self) -> Context {
        Context::draw(self.clock.as_ref(), &self.nonces)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    fn recorder(&self, name: &str) -> (Recorder, RecordingTransport<Raw>) {
        let rec = Recorder::new(format!("emulator.{name}")).with_clock(self.clock.clone());
        for (n, v) in [
            ("emulator.password", PASSWORD),
            ("emulator.hmac_consumer_secret", HMAC_SECRET),
            ("emulator.plaintext_consumer_secret", PLAIN_SECRET),
            ("emulator.oauth2_client_secret", CLIENT_SECRET),
            ("emulator.captcha_answer", CAPTCHA_ANSWER),
        ] {
            rec.secret(n, v);
        }
        let raw = self.raw.clone();
        let http = rec.wrap(Box::new(move |req| raw.send(req)) as Raw);
        (rec, http)
    }

    fn save(&mut self, rec: &Recorder, name: &str, protocol: Protocol, how: &str) -> Result<()> {
        let source = Source {
            kind: SourceKind::Emulator,
            description: format!(
                "gdata-auth's emulator, in-process, FixedClock at {T0}, sequential nonces; \
                 recorded by tests/shared/exchanges.rs ({how})"
            ),
            repo: None,
            path: None,
            commit: Some(self.commit.clone()),
            sha256: None,
        };
        let recording = rec.recording(name, protocol, source);
        std::fs::create_dir_all(self.out.join("emulator"))?;
        recording.write(self.out.join("emulator").join(format!("{name}.json")))?;
        let s = rec.secrets();
        for n in s.names() {
            if n.starts_with("emulator.") {
                self.secrets.insert(n, s.get(n).unwrap_or_default());
            }
        }
        Ok(())
    }
}

fn oauth1_creds(rec: &Recorder, consumer: &str, token_secret: Option<&str>) -> Credentials {
    Credentials {
        consumer_secret: Some(consumer.to_owned()),
        token_secret: token_secret.and_then(|t| rec.secret_name(t)),
        ..Credentials::default()
    }
}

fn rsa_creds() -> Credentials {
    Credentials {
        rsa_public_key: Some("emulator.rsa_public_key".into()),
        ..Credentials::default()
    }
}

/// Records every flow into `out/emulator/*.json`; returns the secrets.
fn record_all(out: &Path) -> Result<Secrets> {
    let clock = Arc::new(FixedClock::new(T0));
    let cert = RsaVerifyingKey::from_pem_file(key_path("rsa2048_cert.pem"))?;
    let sa = ServiceAccountKey::from_file(key_path("service_account.json"))?;
    let config = EmulatorConfig::new()
        .with_clock(clock.clone())
        .add_user(USER, PASSWORD)
        .add_user(OTHER_USER, PASSWORD)
        .add_hmac_consumer(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET))
        .add_rsa_consumer(RSA_KEY, cert.clone())
        .add_rsa_consumer(AUTHSUB_DOMAIN, cert)
        .add_oauth2_client(CLIENT_ID, CLIENT_SECRET)
        .add_service_account(sa)
        .with_captcha_answer(CAPTCHA_ANSWER)
        .with_device_interval(1);
    let emu = Emulator::start(config)?;
    let endpoints = Endpoints::at(emu.base_url())?;
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let mut secrets = Secrets::new();
    secrets.insert(
        "emulator.rsa_public_key",
        std::fs::read_to_string(key_path("rsa2048_cert.pem"))?,
    );
    secrets.insert(
        "emulator.service_account_key",
        std::fs::read_to_string(key_path("service_account.json"))?,
    );
    let mut rig = Rig {
        emu,
        clock,
        nonces: Counter(AtomicU64::new(1)),
        raw: Arc::new(ReqwestBlockingTransport::new()?),
        endpoints,
        out: out.to_owned(),
        secrets,
        commit,
    };
    oauth1_hmac(&mut rig)?;
    oauth1_rsa(&mut rig)?;
    oauth1_plaintext(&mut rig)?;
    oauth1_two_legged(&mut rig)?;
    authsub_flow(&mut rig, false)?;
    authsub_flow(&mut rig, true)?;
    clientlogin_success(&mut rig)?;
    clientlogin_bad(&mut rig)?;
    clientlogin_captcha(&mut rig)?;
    oauth2_migration(&mut rig)?;
    oauth2_code(&mut rig)?;
    oauth2_device(&mut rig)?;
    oauth2_jwt(&mut rig)?;
    Ok(core::mem::take(&mut rig.secrets))
}

fn scope(url: &str) -> Scope {
    Scope::new(url).unwrap()
}

/// A consent page answered as a browser does: GET `page` (its URL with the request's
/// parameters), then POST `fields` and the page's CSRF token to `post_url`.
fn answer_consent(
    rig: &Rig,
    page: &str,
    post_url: &str,
    fields: &[(&str, &str)],
) -> Result<HttpResponse> {
    let shown = rig.raw.send(HttpRequest::get(page))?;
    let csrf = gdata_auth::emulator::csrf_token_of(shown.body_text()?).ok_or("no CSRF token")?;
    let mut form = fields.to_vec();
    form.push((gdata_auth::emulator::CSRF_FIELD, csrf.as_str()));
    Ok(rig.raw.send(HttpRequest::post_form(post_url, &form))?)
}

fn approve(rig: &Rig, endpoints: &Endpoints, token: &RequestToken) -> Result<HttpResponse> {
    let fields = [
        ("oauth_token", token.token()),
        ("Email", USER),
        ("Passwd", PASSWORD),
        ("action", "approve"),
    ];
    let page = gdata_auth::encoding::url_with_query(
        endpoints.oauth1_authorize_token(),
        &[("oauth_token", token.token())],
    );
    answer_consent(rig, &page, endpoints.oauth1_authorize_token(), &fields)
}

fn verifier_from_page(html: &str) -> Option<String> {
    let start = html.find("id=\"verifier\"")?;
    let rest = &html[start..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(rest[..rest.find('<')?].trim().to_owned())
}

/// The dance, each token step recorded; the consent page sent around the recorder.
fn dance(
    rig: &Rig,
    endpoints: &Endpoints,
    rec: &Recorder,
    http: &dyn BlockingTransport,
    consumer: &OAuth1Authorizer,
    creds: &dyn Fn(&Recorder, Option<&str>) -> Credentials,
    callback: Callback,
) -> Result<AccessToken> {
    let oob = matches!(callback, Callback::Oob);
    let options = RequestTokenOptions::new([scope(CALENDAR), scope(CONTACTS)], callback)
        .with_display_name("gdata-auth recordings");
    rec.name_next("request-token");
    rec.credentials_next(creds(rec, None));
    let req = flow::prepare_request_token(endpoints, consumer, &options, &rig.ctx())?;
    let resp = http.send(req)?;
    let token = flow::parse_request_token(&options, &resp)?;
    let page = approve(rig, endpoints, &token)?;
    let authorized = if oob {
        let verifier = verifier_from_page(page.body_text()?).ok_or("no verifier")?;
        token.with_verifier(&verifier)?
    } else {
        let location = page.header("location").ok_or("no redirect")?.to_owned();
        flow::parse_callback(token, &location)?
    };
    rec.name_next("access-token");
    rec.credentials_next(creds(rec, Some(authorized.secret().secret())));
    let req = flow::prepare_access_token(endpoints, consumer, &authorized, &rig.ctx())?;
    let resp = http.send(req)?;
    Ok(flow::parse_access_token(consumer, &authorized, &resp)?)
}

// The recording's name, credentials and expected status travel with the request.
#[allow(clippy::too_many_arguments)]
fn signed_get(
    rig: &Rig,
    rec: &Recorder,
    http: &dyn BlockingTransport,
    name: &str,
    creds: Credentials,
    auth: &dyn gdata_auth::Authorizer,
    url: &str,
    want: u16,
) -> Result<()> {
    rec.name_next(name);
    rec.credentials_next(creds);
    let req = prepare_signed(auth, &Request::new("GET", url)?, &rig.ctx())?;
    let resp = http.send(req)?;
    assert_eq!(resp.status, want, "{name}");
    Ok(())
}

fn oauth1_hmac(rig: &mut Rig) -> Result<()> {
    let name = "oauth1-hmac-three-legged";
    let (rec, http) = rig.recorder(name);
    let consumer = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    let creds =
        |r: &Recorder, ts: Option<&str>| oauth1_creds(r, "emulator.hmac_consumer_secret", ts);
    let endpoints = rig.endpoints.clone();
    let access = dance(
        rig,
        &endpoints,
        &rec,
        &http,
        &consumer,
        &creds,
        Callback::Url("https://app.example.com/oauth/callback?session=42".into()),
    )?;
    let ts = access.secret().secret().to_owned();
    signed_get(
        rig,
        &rec,
        &http,
        "calendar-feed",
        creds(&rec, Some(&ts)),
        &access.authorizer(&consumer),
        &format!("{}?max-results=5", rig.url(CALENDAR_FEED)),
        200,
    )?;
    rec.name_next("revoke");
    rec.credentials_next(creds(&rec, Some(&ts)));
    let req = flow::prepare_revoke(&endpoints, &consumer, &access, &rig.ctx())?;
    flow::parse_revoke(&http.send(req)?)?;
    signed_get(
        rig,
        &rec,
        &http,
        "revoked-token-refused",
        creds(&rec, Some(&ts)),
        &access.authorizer(&consumer),
        &rig.url(CALENDAR_FEED),
        401,
    )?;
    rig.save(
        &rec,
        name,
        Protocol::OAuth1,
        "HMAC-SHA1, callback URL: request token, consent approved outside the recording, \
         access token, a signed feed read, AuthSubRevokeToken, the revoked token refused",
    )
}

fn oauth1_rsa(rig: &mut Rig) -> Result<()> {
    let name = "oauth1-rsa-oob";
    let (rec, http) = rig.recorder(name);
    let key = RsaSigningKey::from_pem_file(key_path("rsa2048_pkcs1.pem"))?;
    let consumer = OAuth1Authorizer::rsa_sha1(RSA_KEY, key);
    let creds = |_: &Recorder, _: Option<&str>| rsa_creds();
    let endpoints = rig.endpoints.clone();
    let access = dance(
        rig,
        &endpoints,
        &rec,
        &http,
        &consumer,
        &creds,
        Callback::Oob,
    )?;
    signed_get(
        rig,
        &rec,
        &http,
        "contacts-feed",
        rsa_creds(),
        &access.authorizer(&consumer),
        &rig.url(CONTACTS_FEED),
        200,
    )?;
    rig.save(
        &rec,
        name,
        Protocol::OAuth1,
        "RSA-SHA1 (fixtures/keys/rsa2048_pkcs1.pem, registered as rsa2048_cert.pem), \
         oauth_callback=oob, the verifier read off the approval page",
    )
}

fn oauth1_plaintext(rig: &mut Rig) -> Result<()> {
    // A second emulator that accepts PLAINTEXT over http (loopback only).
    let config = EmulatorConfig::new()
        .with_clock(rig.clock.clone())
        .add_user(USER, PASSWORD)
        .add_hmac_consumer(PLAIN_KEY, ConsumerSecret::new(PLAIN_SECRET))
        .with_verifier_config(VerifierConfig {
            dangerous_allow_insecure_plaintext: true,
            ..VerifierConfig::default()
        });
    let emu = Emulator::start(config)?;
    let endpoints = Endpoints::at(emu.base_url())?;
    let name = "oauth1-plaintext";
    let (rec, http) = rig.recorder(name);
    let consumer = OAuth1Authorizer::with_secret(
        PLAIN_KEY,
        ConsumerSecret::new(PLAIN_SECRET),
        SignatureMethod::Plaintext,
    )?
    .dangerous_allow_insecure_plaintext();
    let creds =
        |r: &Recorder, ts: Option<&str>| oauth1_creds(r, "emulator.plaintext_consumer_secret", ts);
    let access = dance(
        rig,
        &endpoints,
        &rec,
        &http,
        &consumer,
        &creds,
        Callback::Oob,
    )?;
    let ts = access.secret().secret().to_owned();
    signed_get(
        rig,
        &rec,
        &http,
        "calendar-feed",
        creds(&rec, Some(&ts)),
        &access.authorizer(&consumer),
        &format!("{}{CALENDAR_FEED}", emu.base_url()),
        200,
    )?;
    rig.save(
        &rec,
        name,
        Protocol::OAuth1,
        "PLAINTEXT over http, which the emulator refuses by default: a second emulator with \
         VerifierConfig::dangerous_allow_insecure_plaintext; the signature is the two \
         secrets, so it is stored as references",
    )
}

fn oauth1_two_legged(rig: &mut Rig) -> Result<()> {
    let name = "oauth1-two-legged";
    let (rec, http) = rig.recorder(name);
    let consumer = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    rec.name_next("calendar-feed-for-user");
    rec.credentials_next(oauth1_creds(&rec, "emulator.hmac_consumer_secret", None));
    let req =
        flow::prepare_two_legged(&consumer, "GET", &rig.url(CALENDAR_FEED), USER, &rig.ctx())?;
    assert_eq!(http.send(req)?.status, 200);
    rig.save(
        &rec,
        name,
        Protocol::OAuth1,
        "HMAC-SHA1, no token, xoauth_requestor_id",
    )
}

fn authsub_flow(rig: &mut Rig, secure: bool) -> Result<()> {
    let name = if secure {
        "authsub-secure"
    } else {
        "authsub-plain"
    };
    let (rec, http) = rig.recorder(name);
    let next = format!("https://{AUTHSUB_DOMAIN}/authsub/return?page=calendar");
    let security = if secure {
        Security::secure(RsaSigningKey::from_pem_file(key_path("rsa2048_pkcs1.pem"))?)
    } else {
        Security::NonSecure
    };
    let options =
        AuthSubRequestOptions::new(NextUrl::new(&next)?, [scope(CALENDAR)]).with_secure(secure);
    let flag = |on: bool| if on { "1" } else { "0" };
    let request = [
        ("next", next.as_str()),
        ("scope", CALENDAR),
        ("secure", flag(options.secure)),
        ("session", flag(options.session)),
    ];
    let page = gdata_auth::encoding::url_with_query(rig.endpoints.authsub_request(), &request);
    let mut fields = request.to_vec();
    fields.extend([("Email", USER), ("Passwd", PASSWORD), ("action", "approve")]);
    let redirect = answer_consent(rig, &page, rig.endpoints.authsub_request(), &fields)?;
    let single = authsub::parse_reply(redirect.header("location").ok_or("no redirect")?)?;
    rec.secret(format!("emulator.{name}.single_use_token"), single.secret());
    let creds = if secure {
        rsa_creds()
    } else {
        Credentials::default()
    };
    rec.name_next("session-token");
    rec.credentials_next(creds.clone());
    let req = authsub::flow::prepare_session_token(&rig.endpoints, &single, &security, &rig.ctx())?;
    let session = authsub::flow::parse_session_token(&http.send(req)?)?;
    rec.secret(
        format!("emulator.{name}.session_token"),
        session.token().secret(),
    );
    let auth = session.authorizer(security)?;
    signed_get(
        rig,
        &rec,
        &http,
        "calendar-feed",
        creds.clone(),
        &auth,
        &rig.url(CALENDAR_FEED),
        200,
    )?;
    rec.name_next("token-info");
    rec.credentials_next(creds.clone());
    let req = authsub::flow::prepare_token_info(&rig.endpoints, &auth, &rig.ctx())?;
    authsub::flow::parse_token_info(&http.send(req)?)?;
    rec.name_next("revoke");
    rec.credentials_next(creds.clone());
    let req = authsub::flow::prepare_revoke(&rig.endpoints, &auth, &rig.ctx())?;
    authsub::flow::parse_revoke(&http.send(req)?)?;
    signed_get(
        rig,
        &rec,
        &http,
        "revoked-token-refused",
        creds,
        &auth,
        &rig.url(CALENDAR_FEED),
        401,
    )?;
    let how = if secure {
        "secure=1, requests signed with fixtures/keys/rsa2048_pkcs1.pem: session upgrade, \
         a signed feed read, AuthSubTokenInfo, AuthSubRevokeToken, the revoked token refused"
    } else {
        "secure=0: session upgrade, a feed read, AuthSubTokenInfo, AuthSubRevokeToken, the \
         revoked token refused"
    };
    rig.save(&rec, name, Protocol::AuthSub, how)
}

fn login(user: &str, password: &str) -> Login {
    Login::new(user, Password::new(password), Service::Calendar)
        .with_source("gdata-auth-recordings-1")
}

fn clientlogin_success(rig: &mut Rig) -> Result<()> {
    let name = "clientlogin-success";
    let (rec, http) = rig.recorder(name);
    rec.name_next("login");
    let resp = http.send(prepare_login(&rig.endpoints, &login(USER, PASSWORD))?)?;
    let tokens = parse_login(&rig.endpoints, &resp)?;
    rec.name_next("calendar-feed");
    let feed = prepare_feed(
        &tokens.authorizer(),
        &Request::new("GET", &rig.url(CALENDAR_FEED))?,
    );
    assert_eq!(http.send(feed)?.status, 200);
    rig.save(
        &rec,
        name,
        Protocol::ClientLogin,
        "service cl: the login, then a feed read with GoogleLogin auth=",
    )
}

fn clientlogin_bad(rig: &mut Rig) -> Result<()> {
    let name = "clientlogin-bad-authentication";
    let (rec, http) = rig.recorder(name);
    rec.secret("emulator.wrong_password", "not-the-password");
    rec.name_next("login-wrong-password");
    let resp = http.send(prepare_login(
        &rig.endpoints,
        &login(OTHER_USER, "not-the-password"),
    )?)?;
    assert!(matches!(
        parse_login(&rig.endpoints, &resp),
        Err(ClientLoginError::BadAuthentication(_))
    ));
    rig.save(
        &rec,
        name,
        Protocol::ClientLogin,
        "one wrong password: 403 Error=BadAuthentication",
    )
}

fn clientlogin_captcha(rig: &mut Rig) -> Result<()> {
    let name = "clientlogin-captcha";
    let (rec, http) = rig.recorder(name);
    rec.secret("emulator.wrong_password", "not-the-password");
    for i in 1..=3 {
        rec.name_next(format!("wrong-password-{i}"));
        let resp = http.send(prepare_login(
            &rig.endpoints,
            &login(USER, "not-the-password"),
        )?)?;
        assert!(matches!(
            parse_login(&rig.endpoints, &resp),
            Err(ClientLoginError::BadAuthentication(_))
        ));
    }
    rec.name_next("captcha-required");
    let resp = http.send(prepare_login(&rig.endpoints, &login(USER, PASSWORD))?)?;
    let Err(ClientLoginError::CaptchaRequired(challenge)) = parse_login(&rig.endpoints, &resp)
    else {
        return Err("no CAPTCHA".into());
    };
    rec.name_next("captcha-answered");
    let req = prepare_login_with_captcha(
        &rig.endpoints,
        &login(USER, PASSWORD),
        &challenge,
        CAPTCHA_ANSWER,
    )?;
    parse_login(&rig.endpoints, &http.send(req)?)?;
    rig.save(
        &rec,
        name,
        Protocol::ClientLogin,
        "three wrong passwords, then the right one answered Error=CaptchaRequired, then the \
         retry with logintoken and logincaptcha (the answer is the emulator's --captcha-answer, kept in the secrets file)",
    )
}

fn oauth2_migration(rig: &mut Rig) -> Result<()> {
    let name = "oauth2-migration";
    let (rec, http) = rig.recorder(name);
    let consumer = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));
    // The OAuth 1.0 grant, outside the recording (oauth1-hmac-three-legged shows it).
    let options = RequestTokenOptions::new([scope(CALENDAR)], Callback::Oob);
    let token = flow::request_token(&rig.endpoints, &consumer, &options, &rig.ctx())
        .send_blocking(rig.raw.as_ref())?;
    let page = approve(rig, &rig.endpoints, &token)?;
    let verifier = verifier_from_page(page.body_text()?).ok_or("no verifier")?;
    let authorized = token.with_verifier(&verifier)?;
    let access = flow::access_token(&rig.endpoints, &consumer, &authorized, &rig.ctx())
        .send_blocking(rig.raw.as_ref())?;
    rec.secret(
        format!("emulator.{name}.oauth1_token_secret"),
        access.secret().secret(),
    );
    let old = access.authorizer(&consumer);

    rec.name_next("migration-grant");
    rec.credentials_next(oauth1_creds(
        &rec,
        "emulator.hmac_consumer_secret",
        Some(access.secret().secret()),
    ));
    let req = prepare_migration(&rig.endpoints, &client, &old, &[], &rig.ctx())?;
    let grant = parse_migration(http.send(req)?, CLIENT_ID, T0)?;
    let refresh = grant.refresh_token.clone().ok_or("no refresh token")?;
    rec.name_next("refresh");
    let req = oauth2_flow::prepare_refresh(&rig.endpoints, &client, &refresh)?;
    let fresh = oauth2_flow::parse_refresh(http.send(req)?)?;
    let bearer = BearerAuthorizer::new(fresh.access_token.clone())?;
    rec.name_next("calendar-feed");
    assert_eq!(
        http.send(
            HttpRequest::get(rig.url(CALENDAR_FEED)).with_authorization(&bearer.authorization())
        )?
        .status,
        200
    );
    rec.name_next("revoke");
    let req = oauth2_flow::prepare_revoke(&rig.endpoints, Revocable::Refresh(&refresh))?;
    oauth2_flow::parse_revoke(http.send(req)?)?;
    rec.name_next("refresh-after-revoke");
    let req = oauth2_flow::prepare_refresh(&rig.endpoints, &client, &refresh)?;
    assert_eq!(http.send(req)?.status, 400);
    rig.save(
        &rec,
        name,
        Protocol::OAuth2,
        "an OAuth 1.0 access token (obtained outside the recording) exchanged with the \
         migration grant (signed with HMAC-SHA1), the refresh token used, a bearer feed read, \
         the refresh token revoked and then refused (invalid_grant)",
    )
}

fn oauth2_code(rig: &mut Rig) -> Result<()> {
    let name = "oauth2-authorization-code-pkce";
    let (rec, http) = rig.recorder(name);
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));
    let redirect_uri = "http://127.0.0.1:8765/";
    let verifier = PkceVerifier::checked("recorded-pkce-verifier-0123456789abcdefghijklmnopq")?;
    rec.secret(format!("emulator.{name}.code_verifier"), verifier.secret());
    let (url, pending) = AuthorizationRequest::new(
        CLIENT_ID,
        redirect_uri,
        ["https://www.googleapis.com/auth/calendar"],
    )
    .offline()
    .start_with(
        &rig.endpoints,
        AuthState::new("recorded-state"),
        Some(PkceVerifier::checked(verifier.secret())?),
    )?;
    let approved = answer_consent(
        rig,
        &url,
        &url,
        &[("Email", USER), ("Passwd", PASSWORD), ("action", "approve")],
    )?;
    let location = approved.header("location").ok_or("no redirect")?.to_owned();
    let code = pending.read_redirect(&location)?;
    rec.secret(format!("emulator.{name}.code"), code.secret());
    rec.name_next("code-exchange");
    let req = prepare_code_exchange(
        &rig.endpoints,
        &client,
        &code,
        pending.redirect_uri(),
        Some(&verifier),
    )?;
    let granted = parse_token_response(http.send(req)?)?;
    let bearer = BearerAuthorizer::new(granted.access_token.clone())?;
    rec.name_next("calendar-feed");
    assert_eq!(
        http.send(
            HttpRequest::get(rig.url(CALENDAR_FEED)).with_authorization(&bearer.authorization())
        )?
        .status,
        200
    );
    rec.name_next("code-replayed");
    let req = prepare_code_exchange(
        &rig.endpoints,
        &client,
        &code,
        pending.redirect_uri(),
        Some(&verifier),
    )?;
    assert_eq!(http.send(req)?.status, 400);
    rig.save(
        &rec,
        name,
        Protocol::OAuth2,
        "installed-app flow: consent approved outside the recording (PKCE S256, loopback \
         redirect_uri), the code exchanged with its code_verifier, a bearer feed read, the \
         spent code refused",
    )
}

fn oauth2_device(rig: &mut Rig) -> Result<()> {
    let name = "oauth2-device";
    let (rec, http) = rig.recorder(name);
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));
    rec.name_next("device-code");
    let req = prepare_device_code(
        &rig.endpoints,
        CLIENT_ID,
        &["https://www.googleapis.com/auth/calendar".to_owned()],
    )?;
    let auth = parse_device_code(http.send(req)?)?;
    rec.name_next("poll-pending");
    let req = prepare_device_poll(&rig.endpoints, &client, &auth.device_code)?;
    assert_eq!(parse_device_poll(http.send(req)?)?, DevicePoll::Pending);
    let page = gdata_auth::encoding::url_with_query(
        &auth.verification_url,
        &[("user_code", &auth.user_code)],
    );
    let approved = answer_consent(
        rig,
        &page,
        &page,
        &[("Email", USER), ("Passwd", PASSWORD), ("action", "approve")],
    )?;
    assert_eq!(approved.status, 200);
    rig.clock.advance(auth.interval.as_secs().max(1));
    rec.name_next("poll-granted");
    let req = prepare_device_poll(&rig.endpoints, &client, &auth.device_code)?;
    let DevicePoll::Granted(_) = parse_device_poll(http.send(req)?)? else {
        return Err("not granted".into());
    };
    rig.save(
        &rec,
        name,
        Protocol::OAuth2,
        "device flow: the device code, a pending poll (428 authorization_pending), the user's \
         approval outside the recording, the clock advanced by the interval, the granting poll",
    )
}

fn oauth2_jwt(rig: &mut Rig) -> Result<()> {
    let name = "oauth2-jwt-bearer";
    let (rec, http) = rig.recorder(name);
    let key = ServiceAccountKey::from_file(key_path("service_account.json"))?;
    let ask =
        AssertionRequest::new(["https://www.googleapis.com/auth/calendar"]).with_subject(USER);
    rec.name_next("jwt-grant");
    rec.credentials_next(Credentials {
        service_account_key: Some("emulator.service_account_key".into()),
        ..Credentials::default()
    });
    let now = gdata_auth::clock::Clock::now_unix(rig.clock.as_ref());
    let token_url = rig.endpoints.oauth2_token().to_owned();
    let call = gdata_auth::oauth2::service_account::jwt_grant(&token_url, &key, &ask, now);
    let granted = call.send_blocking(&http)?;
    let bearer = BearerAuthorizer::new(granted.access_token.clone())?;
    rec.name_next("calendar-feed");
    assert_eq!(
        http.send(
            HttpRequest::get(rig.url(CALENDAR_FEED)).with_authorization(&bearer.authorization())
        )?
        .status,
        200
    );
    rig.save(
        &rec,
        name,
        Protocol::OAuth2,
        "service account fixtures/keys/service_account.json acting for user@example.com: the \
         RS256 JWT-bearer grant (the assertion is kept; the private key never is), a bearer \
         feed read",
    )
}
