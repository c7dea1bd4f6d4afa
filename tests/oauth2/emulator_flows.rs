//! The emulator's OAuth 2.0 flows over loopback, driven with raw HTTP: the authorization
//! endpoint (consent page, auto-approve, deny, refused redirects, errors sent back), the
//! code exchange (client auth by Basic and body, PKCE, single use, expiry, offline access,
//! incremental authorization), the device flow (pending, slow_down, approve, deny, expiry),
//! the service-account JWT bearer grant (every audience, every refused claim), and Bearer
//! access to the feeds with each grant's token.

use base64::Engine as _;
use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::encoding::url_with_query;
use gdata_auth::oauth2::pkce::s256_challenge;
use gdata_auth::oauth2::service_account::Claims;
use gdata_auth::oauth2::ServiceAccountKey;
use gdata_auth::transport::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::support::emulator::{text, Fixture, CALENDAR_FEED, CALENDAR_SCOPE, CONTACTS_FEED, T0};

const CID: &str = "123.apps.googleusercontent.com";
const CSECRET: &str = "client-secret";
const REDIRECT: &str = "http://127.0.0.1:9004/callback";
const CAL: &str = "https://www.googleapis.com/auth/calendar";
const CONTACTS: &str = "https://www.googleapis.com/auth/contacts";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const ROBOT: &str = "robot@gdata-auth-test.iam.gserviceaccount.com";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn key(file: &str) -> ServiceAccountKey {
    ServiceAccountKey::from_file(format!(
        "{}/fixtures/keys/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn config() -> EmulatorConfig {
    EmulatorConfig::new()
        .add_user("alice@example.com", "alice-pw")
        .add_user("bob@example.org", "bob-pw")
        .add_oauth2_client(CID, CSECRET)
        .add_oauth2_client("other-client", "other-secret")
        .add_service_account(key("service_account.json"))
}

fn fixture() -> Fixture {
    Fixture::new(config())
}

fn auto() -> Fixture {
    Fixture::new(config().with_auto_approve(true))
}

fn auth_params<'a>(scope: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", CID),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "xyz"),
    ];
    p.extend_from_slice(extra);
    p
}

async fn auth_get(fx: &Fixture, params: &[(&str, &str)]) -> HttpResponse {
    fx.send(HttpRequest::get(url_with_query(
        &fx.url("/o/oauth2/auth"),
        params,
    )))
    .await
}

/// The query of a 302's `Location`, which must start with `REDIRECT` when `ours`.
fn location(resp: &HttpResponse) -> Vec<(String, String)> {
    assert_eq!(resp.status, 302, "{}", text(resp));
    let loc = url::Url::parse(resp.header("Location").unwrap()).unwrap();
    assert_eq!(&loc[..url::Position::AfterPath], REDIRECT);
    loc.query_pairs().into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A code from the auto-approving endpoint.
async fn code(fx: &Fixture, scope: &str, extra: &[(&str, &str)]) -> String {
    let resp = auth_get(fx, &auth_params(scope, extra)).await;
    let q = location(&resp);
    assert_eq!(param(&q, "state"), Some("xyz"));
    param(&q, "code").unwrap().to_owned()
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

async fn token(fx: &Fixture, form: &[(&str, &str)]) -> (u16, Value) {
    token_with(fx, form, None).await
}

async fn token_with(fx: &Fixture, form: &[(&str, &str)], auth: Option<String>) -> (u16, Value) {
    let mut req = HttpRequest::post_form(fx.url("/o/oauth2/token"), form);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = fx.send(req).await;
    (resp.status, serde_json::from_str(text(&resp)).unwrap())
}

/// Exchanges `code` with the client in the body, plus `extra`.
async fn exchange(fx: &Fixture, code: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", CID),
        ("client_secret", CSECRET),
    ];
    form.extend_from_slice(extra);
    token(fx, &form).await
}

fn error_of(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or("<none>"))
}

async fn feed(fx: &Fixture, token: &Value, path: &str) -> HttpResponse {
    let t = token["access_token"].as_str().unwrap();
    fx.send(HttpRequest::get(fx.url(path)).header("Authorization", format!("Bearer {t}")))
        .await
}

/// The token reads the calendar feed (inside its scope) and not the contacts feed.
async fn reads_calendar_only(fx: &Fixture, token: &Value) -> String {
    let inside = feed(fx, token, CALENDAR_FEED).await;
    assert_eq!(inside.status, 200, "{}", text(&inside));
    assert_eq!(feed(fx, token, CONTACTS_FEED).await.status, 403);
    text(&inside).to_owned()
}

#[tokio::test]
async fn auto_approve_redirects_with_code_and_state_and_the_code_reads_its_feeds() {
    let fx = auto();
    let c = code(&fx, CAL, &[]).await;
    assert!(c.starts_with("4/") && c.len() <= 256);
    let answer = exchange(&fx, &c, &[]).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["scope"], CAL);
    assert_eq!(answer.1["token_type"], "Bearer");
    assert_eq!(answer.1["expires_in"], 3600);
    let atom = reads_calendar_only(&fx, &answer.1).await;
    assert!(atom.contains("alice@example.com"));
    // Never in the URL.
    let t = answer.1["access_token"].as_str().unwrap();
    let q = fx
        .send(HttpRequest::get(
            fx.url(&format!("{CALENDAR_FEED}?access_token={t}")),
        ))
        .await;
    assert_eq!(q.status, 401);
}

#[tokio::test]
async fn the_consent_page_signs_in_and_approves() {
    let fx = fixture();
    let params = auth_params(
        CALENDAR_SCOPE,
        &[
            ("login_hint", "bob@example.org"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ],
    );
    let page = auth_get(&fx, &params).await;
    assert_eq!(page.status, 200);
    let html = text(&page);
    for needle in [
        "name=\"Email\" value=\"bob@example.org\"",
        "name=\"Passwd\"",
        "name=\"action\" value=\"approve\"",
        "name=\"action\" value=\"deny\"",
        "action=\"/o/oauth2/auth\"",
        "name=\"code_challenge\" value=\"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\"",
        "name=\"redirect_uri\" value=\"http://127.0.0.1:9004/callback\"",
        CALENDAR_SCOPE,
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    let csrf = gdata_auth::emulator::csrf_token_of(html).expect("csrf_token");
    let submit = |email: &'static str, pw: &'static str, action: &'static str| {
        let mut form = params.clone();
        form.extend([
            ("Email", email),
            ("Passwd", pw),
            ("csrf_token", csrf.as_str()),
            ("action", action),
        ]);
        HttpRequest::post_form(fx.url("/o/oauth2/auth"), &form)
    };
    // A wrong password shows the page again; nothing is issued.
    let wrong = fx.send(submit("bob@example.org", "nope", "approve")).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("Location").is_none());
    let ok = fx
        .send(submit("bob@example.org", "bob-pw", "approve"))
        .await;
    let q = location(&ok);
    assert_eq!(param(&q, "state"), Some("xyz"));
    let answer = exchange(
        &fx,
        param(&q, "code").unwrap(),
        &[("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let atom = reads_calendar_only(&fx, &answer.1).await;
    assert!(atom.contains("bob@example.org"));
    // Deny needs no password and sends access_denied with the state.
    let denied = fx.send(submit("", "", "deny")).await;
    let q = location(&denied);
    assert_eq!(param(&q, "error"), Some("access_denied"));
    assert_eq!(param(&q, "state"), Some("xyz"));
    assert_eq!(param(&q, "code"), None);
}

#[tokio::test]
async fn untrusted_clients_and_redirects_get_a_page_not_a_redirect() {
    let fx = auto();
    for (client, redirect) in [
        (CID, "https://evil.example/cb"),
        (CID, "http://127.0.0.1.evil.example:80/cb"),
        (CID, "urn:ietf:wg:oauth:2.0:oob"),
        (CID, "not a url"),
        ("unknown-client", REDIRECT),
    ] {
        let resp = auth_get(
            &fx,
            &[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect),
                ("scope", CAL),
            ],
        )
        .await;
        assert_eq!(resp.status, 400, "{client} {redirect}");
        assert!(resp.header("Location").is_none());
        assert!(text(&resp).contains("Error 40"), "{}", text(&resp));
    }
    let missing = auth_get(&fx, &[("response_type", "code"), ("client_id", CID)]).await;
    assert_eq!(missing.status, 400);
    assert!(missing.header("Location").is_none());
    // localhost and [::1] are loopback too.
    for r in ["http://localhost:5000/cb", "http://[::1]:5000/cb"] {
        let resp = auth_get(
            &fx,
            &[
                ("response_type", "code"),
                ("client_id", CID),
                ("redirect_uri", r),
                ("scope", CAL),
            ],
        )
        .await;
        assert_eq!(resp.status, 302);
        assert!(resp.header("Location").unwrap().starts_with(r));
    }
}

#[tokio::test]
async fn errors_after_a_good_redirect_are_sent_back_with_the_state() {
    let fx = auto();
    for (params, error) in [
        (
            vec![("response_type", "token"), ("scope", CAL)],
            "unsupported_response_type",
        ),
        (vec![("response_type", "code")], "invalid_scope"),
        (
            vec![
                ("response_type", "code"),
                ("scope", CAL),
                ("code_challenge", VERIFIER),
                ("code_challenge_method", "S512"),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("response_type", "code"),
                ("scope", CAL),
                ("access_type", "sometimes"),
            ],
            "invalid_request",
        ),
    ] {
        let mut all = vec![
            ("client_id", CID),
            ("redirect_uri", REDIRECT),
            ("state", "s1"),
        ];
        all.extend(params);
        let q = location(&auth_get(&fx, &all).await);
        assert_eq!(param(&q, "error"), Some(error));
        assert_eq!(param(&q, "state"), Some("s1"));
        assert_eq!(param(&q, "code"), None);
    }
}

#[tokio::test]
async fn the_code_exchange_authenticates_the_client_by_basic_or_body() {
    let fx = auto();
    let c = code(&fx, CAL, &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", c.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let wrong = token_with(&fx, &form, Some(basic(CID, "wrong"))).await;
    assert_eq!(error_of(&wrong), (401, "invalid_client"));
    let ok = token_with(&fx, &form, Some(basic(CID, CSECRET))).await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    assert_eq!(ok.1["scope"], CAL);
    let by_body = exchange(&fx, &code(&fx, CAL, &[]).await, &[]).await;
    assert_eq!(by_body.0, 200, "{}", by_body.1);
    // Another client, or another redirect_uri, cannot use the code.
    let c = code(&fx, CAL, &[]).await;
    let theirs = token(
        &fx,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
            ("client_id", "other-client"),
            ("client_secret", "other-secret"),
        ],
    )
    .await;
    assert_eq!(error_of(&theirs), (400, "invalid_grant"));
    let c = code(&fx, CAL, &[]).await;
    let elsewhere = token(
        &fx,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", "http://127.0.0.1:9004/other"),
            ("client_id", CID),
            ("client_secret", CSECRET),
        ],
    )
    .await;
    assert_eq!(error_of(&elsewhere), (400, "invalid_grant"));
}

#[tokio::test]
async fn pkce_is_verified() {
    let fx = auto();
    let challenge = s256_challenge(VERIFIER);
    let s256 = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let right = exchange(
        &fx,
        &code(&fx, CAL, &s256).await,
        &[("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(right.0, 200, "{}", right.1);
    let other_verifier = VERIFIER.replace('d', "e");
    let wrong = exchange(
        &fx,
        &code(&fx, CAL, &s256).await,
        &[("code_verifier", &other_verifier)],
    )
    .await;
    assert_eq!(error_of(&wrong), (400, "invalid_grant"));
    let missing = exchange(&fx, &code(&fx, CAL, &s256).await, &[]).await;
    assert_eq!(error_of(&missing), (400, "invalid_grant"));
    // plain (RFC 7636 §4.2): the challenge is the verifier.
    let plain = [
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let ok = exchange(
        &fx,
        &code(&fx, CAL, &plain).await,
        &[("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    // A wrong verifier spends the code: the right one cannot follow.
    let c = code(&fx, CAL, &s256).await;
    let _ = exchange(&fx, &c, &[("code_verifier", &other_verifier)]).await;
    let after = exchange(&fx, &c, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(error_of(&after), (400, "invalid_grant"));
}

#[tokio::test]
async fn a_code_is_single_use_and_its_reuse_revokes_the_grant() {
    let fx = auto();
    let c = code(&fx, CAL, &[]).await;
    let first = exchange(&fx, &c, &[]).await;
    assert_eq!(first.0, 200);
    assert_eq!(feed(&fx, &first.1, CALENDAR_FEED).await.status, 200);
    let again = exchange(&fx, &c, &[]).await;
    assert_eq!(error_of(&again), (400, "invalid_grant"));
    // RFC 6749 §4.1.2: what the code issued is revoked.
    assert_eq!(feed(&fx, &first.1, CALENDAR_FEED).await.status, 401);
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let fx = auto();
    let c = code(&fx, CAL, &[]).await;
    fx.clock.set(T0 + 600);
    let late = exchange(&fx, &c, &[]).await;
    assert_eq!(error_of(&late), (400, "invalid_grant"));
    let c = code(&fx, CAL, &[]).await;
    fx.clock.set(T0 + 600 + 599);
    assert_eq!(exchange(&fx, &c, &[]).await.0, 200);
}

#[tokio::test]
async fn offline_access_gets_a_refresh_token_and_online_does_not() {
    let fx = auto();
    let online = exchange(
        &fx,
        &code(&fx, CAL, &[("access_type", "online")]).await,
        &[],
    )
    .await;
    assert_eq!(online.0, 200);
    assert!(online.1.get("refresh_token").is_none(), "{}", online.1);
    let default = exchange(&fx, &code(&fx, CAL, &[]).await, &[]).await;
    assert!(default.1.get("refresh_token").is_none());
    let offline = exchange(
        &fx,
        &code(&fx, CAL, &[("access_type", "offline")]).await,
        &[],
    )
    .await;
    assert_eq!(offline.0, 200);
    let refresh = offline.1["refresh_token"].as_str().unwrap();
    let fresh = token(
        &fx,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CID),
            ("client_secret", CSECRET),
        ],
    )
    .await;
    assert_eq!(fresh.0, 200, "{}", fresh.1);
    assert_eq!(fresh.1["scope"], CAL);
    reads_calendar_only(&fx, &fresh.1).await;
}

#[tokio::test]
async fn include_granted_scopes_merges_earlier_grants() {
    let fx = auto();
    let first = exchange(&fx, &code(&fx, CAL, &[]).await, &[]).await;
    assert_eq!(first.0, 200);
    let without = exchange(&fx, &code(&fx, CONTACTS, &[]).await, &[]).await;
    assert_eq!(without.1["scope"], CONTACTS);
    let merged = exchange(
        &fx,
        &code(&fx, CONTACTS, &[("include_granted_scopes", "true")]).await,
        &[],
    )
    .await;
    let mut scopes: Vec<&str> = merged.1["scope"].as_str().unwrap().split(' ').collect();
    scopes.sort_unstable();
    assert_eq!(scopes, [CAL, CONTACTS]);
    assert_eq!(feed(&fx, &merged.1, CALENDAR_FEED).await.status, 200);
    assert_eq!(feed(&fx, &merged.1, CONTACTS_FEED).await.status, 200);
}

async fn device_code(fx: &Fixture, form: &[(&str, &str)], auth: Option<String>) -> (u16, Value) {
    let mut req = HttpRequest::post_form(fx.url("/o/oauth2/device/code"), form);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = fx.send(req).await;
    (resp.status, serde_json::from_str(text(&resp)).unwrap())
}

async fn poll(fx: &Fixture, device: &str) -> (u16, Value) {
    token_with(
        fx,
        &[("grant_type", DEVICE_GRANT), ("device_code", device)],
        Some(basic(CID, CSECRET)),
    )
    .await
}

#[tokio::test]
async fn the_device_flow_pending_slow_down_approve_token() {
    let fx = fixture();
    let (status, d) = device_code(&fx, &[("client_id", CID), ("scope", CAL)], None).await;
    assert_eq!(status, 200, "{d}");
    let user_code = d["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert_eq!(d["verification_url"], fx.url("/device"));
    assert_eq!(d["expires_in"], 1800);
    assert_eq!(d["interval"], 5);
    let device = d["device_code"].as_str().unwrap();
    assert_eq!(
        error_of(&poll(&fx, device).await),
        (428, "authorization_pending")
    );
    assert_eq!(error_of(&poll(&fx, device).await), (403, "slow_down"));
    fx.clock.advance(5);
    assert_eq!(
        error_of(&poll(&fx, device).await),
        (428, "authorization_pending")
    );

    // The verification page: the entry form, then the consent page for the code typed in
    // lower case without the dash.
    let entry = fx.send(HttpRequest::get(fx.url("/device"))).await;
    assert_eq!(entry.status, 200);
    assert!(text(&entry).contains("name=\"user_code\" id=\"user_code\""));
    let typed = user_code.replace('-', "").to_ascii_lowercase();
    let page = fx
        .send(HttpRequest::get(
            fx.url(&format!("/device?user_code={typed}")),
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(text(&page).contains("name=\"Passwd\""));
    assert!(text(&page).contains(CAL));
    let csrf = gdata_auth::emulator::csrf_token_of(text(&page)).expect("csrf_token");
    let approved = fx
        .send(HttpRequest::post_form(
            fx.url("/device"),
            &[
                ("user_code", user_code),
                ("Email", "alice@example.com"),
                ("Passwd", "alice-pw"),
                ("csrf_token", &csrf),
                ("action", "approve"),
            ],
        ))
        .await;
    assert_eq!(approved.status, 200, "{}", text(&approved));
    assert!(text(&approved).contains("Device approved"));
    fx.clock.advance(5);
    let tokens = poll(&fx, device).await;
    assert_eq!(tokens.0, 200, "{}", tokens.1);
    assert_eq!(tokens.1["scope"], CAL);
    assert!(tokens.1["refresh_token"].is_string());
    reads_calendar_only(&fx, &tokens.1).await;
    fx.clock.advance(5);
    assert_eq!(error_of(&poll(&fx, device).await), (400, "invalid_grant"));
}

#[tokio::test]
async fn device_code_requests_name_a_known_client_and_a_scope() {
    let fx = fixture();
    let unknown = device_code(&fx, &[("client_id", "nobody"), ("scope", CAL)], None).await;
    assert_eq!(error_of(&unknown), (401, "invalid_client"));
    let wrong_secret = device_code(
        &fx,
        &[
            ("client_id", CID),
            ("client_secret", "nope"),
            ("scope", CAL),
        ],
        None,
    )
    .await;
    assert_eq!(error_of(&wrong_secret), (401, "invalid_client"));
    let no_scope = device_code(&fx, &[("client_id", CID)], None).await;
    assert_eq!(error_of(&no_scope), (400, "invalid_scope"));
    let by_basic = device_code(&fx, &[("scope", CAL)], Some(basic(CID, CSECRET))).await;
    assert_eq!(by_basic.0, 200, "{}", by_basic.1);
    let with_secret = device_code(
        &fx,
        &[
            ("client_id", CID),
            ("client_secret", CSECRET),
            ("scope", CAL),
        ],
        None,
    )
    .await;
    assert_eq!(with_secret.0, 200);
}

#[tokio::test]
async fn a_denied_device_gets_access_denied() {
    let fx = fixture();
    let (_, d) = device_code(&fx, &[("client_id", CID), ("scope", CAL)], None).await;
    let user_code = d["user_code"].as_str().unwrap();
    let csrf = fx.csrf(&format!("/device?user_code={user_code}")).await;
    let denied = fx
        .send(HttpRequest::post_form(
            fx.url("/device"),
            &[
                ("user_code", user_code),
                ("csrf_token", &csrf),
                ("action", "deny"),
            ],
        ))
        .await;
    assert_eq!(denied.status, 200);
    let device = d["device_code"].as_str().unwrap();
    assert_eq!(error_of(&poll(&fx, device).await), (403, "access_denied"));
}

#[tokio::test]
async fn an_expired_device_code_is_expired_token() {
    let fx = Fixture::new(
        config()
            .with_device_code_lifetime(1)
            .with_device_interval(1),
    );
    let (_, d) = device_code(&fx, &[("client_id", CID), ("scope", CAL)], None).await;
    assert_eq!(d["expires_in"], 1);
    assert_eq!(d["interval"], 1);
    let device = d["device_code"].as_str().unwrap();
    assert_eq!(
        error_of(&poll(&fx, device).await),
        (428, "authorization_pending")
    );
    fx.clock.advance(1);
    assert_eq!(error_of(&poll(&fx, device).await), (400, "expired_token"));
    let late = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/device?user_code={}",
            d["user_code"].as_str().unwrap()
        ))))
        .await;
    assert_eq!(late.status, 400);
}

#[tokio::test]
async fn auto_approve_approves_a_device_at_once() {
    let fx = auto();
    let (_, d) = device_code(&fx, &[("client_id", CID), ("scope", CAL)], None).await;
    let page = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/device?user_code={}",
            d["user_code"].as_str().unwrap()
        ))))
        .await;
    assert_eq!(page.status, 200);
    assert!(text(&page).contains("Device approved, you may close this page"));
    let tokens = poll(&fx, d["device_code"].as_str().unwrap()).await;
    assert_eq!(tokens.0, 200, "{}", tokens.1);
    assert!(reads_calendar_only(&fx, &tokens.1)
        .await
        .contains("alice@example.com"));
}

fn claims(aud: &str) -> Claims {
    Claims {
        iss: ROBOT.into(),
        scope: CAL.into(),
        aud: aud.into(),
        iat: T0,
        exp: T0 + 3600,
        sub: None,
    }
}

async fn jwt(fx: &Fixture, signer: &ServiceAccountKey, claims: &Claims) -> (u16, Value) {
    let assertion = signer.sign(claims).unwrap();
    token(
        fx,
        &[("grant_type", JWT_GRANT), ("assertion", assertion.secret())],
    )
    .await
}

#[tokio::test]
async fn a_service_account_assertion_for_each_audience() {
    let fx = fixture();
    let robot = key("service_account.json");
    let own = fx.url("/o/oauth2/token");
    for aud in [
        "https://oauth2.googleapis.com/token",
        "https://accounts.google.com/o/oauth2/token",
        "https://www.googleapis.com/oauth2/v4/token",
        own.as_str(),
    ] {
        let answer = jwt(&fx, &robot, &claims(aud)).await;
        assert_eq!(answer.0, 200, "{aud}: {}", answer.1);
        assert_eq!(answer.1["scope"], CAL);
        assert_eq!(answer.1["token_type"], "Bearer");
        assert!(answer.1.get("refresh_token").is_none());
        // Acting as itself.
        assert!(reads_calendar_only(&fx, &answer.1).await.contains(ROBOT));
    }
    // Acting as a user (domain-wide delegation).
    let mut as_bob = claims("https://oauth2.googleapis.com/token");
    as_bob.sub = Some("bob@example.org".into());
    let answer = jwt(&fx, &robot, &as_bob).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let atom = reads_calendar_only(&fx, &answer.1).await;
    assert!(atom.contains("bob@example.org"));
    // The same assertion again: Google accepts a replay until exp, and so does this.
    assert_eq!(jwt(&fx, &robot, &as_bob).await.0, 200);
}

#[tokio::test]
async fn refused_assertions_are_invalid_grant() {
    let fx = fixture();
    let robot = key("service_account.json");
    let intruder = key("service_account_other.json");
    let good = claims("https://oauth2.googleapis.com/token");
    let with = |f: &dyn Fn(&mut Claims)| {
        let mut c = good.clone();
        f(&mut c);
        c
    };
    let cases: Vec<(&str, &ServiceAccountKey, Claims)> = vec![
        ("bad signature", &intruder, good.clone()),
        (
            "unknown iss",
            &intruder,
            with(&|c| c.iss = intruder.client_email().into()),
        ),
        (
            "wrong aud",
            &robot,
            with(&|c| c.aud = "https://example.com/token".into()),
        ),
        (
            "expired",
            &robot,
            with(&|c| {
                c.iat = T0 - 7200;
                c.exp = T0 - 3600;
            }),
        ),
        (
            "iat in the future",
            &robot,
            with(&|c| {
                c.iat = T0 + 600;
                c.exp = T0 + 1200;
            }),
        ),
        ("over an hour", &robot, with(&|c| c.exp = T0 + 3601)),
        (
            "sub not a user",
            &robot,
            with(&|c| c.sub = Some("mallory@example.com".into())),
        ),
        ("no scope", &robot, with(&|c| c.scope = String::new())),
    ];
    for (what, signer, c) in cases {
        let answer = jwt(&fx, signer, &c).await;
        assert_eq!(
            error_of(&answer),
            (400, "invalid_grant"),
            "{what}: {}",
            answer.1
        );
        assert!(answer.1["error_description"].as_str().unwrap().len() > 10);
    }
    // Within the skew, iat may be a little ahead.
    let skewed = with(&|c| {
        c.iat = T0 + 200;
        c.exp = T0 + 1200;
    });
    assert_eq!(jwt(&fx, &robot, &skewed).await.0, 200);
}
