//! AuthSub against the emulator over real loopback HTTP: the `AuthSubRequest` page (consent
//! form and auto-approve), the upgrade, token info, revocation and feed reads with the
//! library's `authsub::flow` calls, non-secure and secure, and each refusal the emulator
//! documents (every refused credential is 401 with a named reason, never a redirect).

use crate::support::*;
use crate::{certificate, signing_key};
use gdata_auth::authsub::{
    self, flow, AuthSubAuthorizer, AuthSubRequestOptions, NextUrl, Security, Session,
    SingleUseToken,
};
use gdata_auth::emulator::{EmulatorConfig, MAX_SESSION_TOKENS_PER_GRANT};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::Scope;
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::{HttpRequest, HttpResponse};
use gdata_auth::{Context, Request, RsaSigningKey};

/// A domain registered with its certificate: secure tokens.
const SECURE_DOMAIN: &str = "secure.example.com";
const SECURE_NEXT: &str = "https://secure.example.com/authsub/return?session=7";
/// A domain registered without a certificate (an HMAC consumer): non-secure tokens.
const PLAIN_DOMAIN: &str = "plain.example.com";
/// A loopback `next`: plain http accepted, for tests.
const LOOPBACK_NEXT: &str = "http://127.0.0.1:9/return?x=1";

fn config() -> EmulatorConfig {
    EmulatorConfig::new()
        .add_rsa_consumer(SECURE_DOMAIN, certificate())
        .add_hmac_consumer(PLAIN_DOMAIN, "plain-secret")
}

fn auto() -> Fixture {
    Fixture::new(config().with_auto_approve(true))
}

fn endpoints(fx: &Fixture) -> Endpoints {
    Endpoints::at(fx.emu.base_url()).unwrap()
}

fn secure() -> Security {
    Security::secure(signing_key())
}

fn next(url: &str) -> NextUrl {
    NextUrl::dangerous_allow_http(url).unwrap()
}

fn options(next_url: &str, scope: &str, secure: bool) -> AuthSubRequestOptions {
    AuthSubRequestOptions::new(next(next_url), [Scope::new(scope).unwrap()]).with_secure(secure)
}

/// The `AuthSubRequest` URL for `options`, as raw text (for `next` URLs the library refuses).
fn request_url(fx: &Fixture, options: &AuthSubRequestOptions) -> String {
    authsub::request_url(&endpoints(fx), options).unwrap()
}

/// Auto-approves and reads the single-use token from the redirect.
async fn single_use(fx: &Fixture, options: &AuthSubRequestOptions) -> SingleUseToken {
    let resp = fx.send(HttpRequest::get(request_url(fx, options))).await;
    assert_eq!(resp.status, 302, "{}", text(&resp));
    let location = resp.header("Location").unwrap();
    assert!(location.starts_with(options.next.as_str()), "{location}");
    authsub::parse_reply(location).unwrap()
}

/// Single-use token, then the upgrade with the library's call.
async fn session(fx: &Fixture, options: &AuthSubRequestOptions, security: &Security) -> Session {
    let single = single_use(fx, options).await;
    flow::session_token(&endpoints(fx), single, security, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap()
}

/// GETs `path` authorized by `auth`, with `ctx`.
async fn fetch_with(
    fx: &Fixture,
    auth: &AuthSubAuthorizer,
    path: &str,
    ctx: &Context,
) -> HttpResponse {
    let req = Request::new("GET", &fx.url(path)).unwrap();
    fx.send(prepare_signed(auth, &req, ctx).unwrap()).await
}

async fn fetch(fx: &Fixture, auth: &AuthSubAuthorizer, path: &str) -> HttpResponse {
    fetch_with(fx, auth, path, &fx.ctx()).await
}

/// The `Error=` code of a refusal, checking it is a plain-text 401 with a challenge.
fn refused(resp: &HttpResponse) -> String {
    assert_eq!(resp.status, 401, "{}", text(resp));
    assert!(resp.header("Location").is_none());
    assert!(resp
        .header("Content-Type")
        .unwrap()
        .starts_with("text/plain"));
    assert!(resp
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("AuthSub realm="));
    let body = text(resp);
    let code = body
        .lines()
        .find_map(|l| l.strip_prefix("Error="))
        .unwrap_or_else(|| panic!("no Error= line in {body:?}"));
    assert!(body.lines().any(|l| l.starts_with("Info=")), "{body}");
    code.to_owned()
}

#[tokio::test]
async fn non_secure_flow_over_the_consent_form() {
    let fx = Fixture::new(config());
    let opts = options(LOOPBACK_NEXT, CALENDAR_SCOPE, false);
    let page = fx.send(HttpRequest::get(request_url(&fx, &opts))).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("X-Frame-Options"), Some("DENY"));
    let html = text(&page);
    for needle in [
        CALENDAR_SCOPE,
        "127.0.0.1",
        "name=\"Passwd\"",
        "value=\"approve\"",
        "value=\"deny\"",
        "not registered",
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    let csrf = gdata_auth::emulator::csrf_token_of(html).expect("csrf_token");
    let form = |action: &str, password: &str| {
        HttpRequest::post_form(
            fx.url("/accounts/AuthSubRequest"),
            &[
                ("next", LOOPBACK_NEXT),
                ("scope", CALENDAR_SCOPE),
                ("secure", "0"),
                ("session", "1"),
                ("Email", "user@example.com"),
                ("Passwd", password),
                ("csrf_token", &csrf),
                ("action", action),
            ],
        )
    };
    let wrong = fx.send(form("approve", "nope")).await;
    assert_eq!(wrong.status, 401);
    assert!(text(&wrong).contains("incorrect"));

    let resp = fx.send(form("approve", "password")).await;
    assert_eq!(resp.status, 302);
    let location = resp.header("Location").unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:9/return?x=1&token="),
        "the next URL's own query is kept: {location}"
    );
    let single = authsub::parse_reply(location).unwrap();
    assert!(single
        .secret()
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));

    let ep = endpoints(&fx);
    let session = flow::session_token(&ep, single, &Security::NonSecure, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    assert!(session.expiration().is_some_and(|e| e.ends_with('Z')));
    let auth = session.authorizer(Security::NonSecure).unwrap();

    let info = flow::token_info(&ep, &auth, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    assert_eq!(info.target(), "127.0.0.1");
    assert_eq!(info.scopes()[0].as_str(), CALENDAR_SCOPE);
    assert!(!info.secure());

    let feed = fetch(&fx, &auth, CALENDAR_FEED).await;
    assert_eq!(feed.status, 200, "{}", text(&feed));
    assert!(text(&feed).contains("non-secure AuthSub"));

    flow::revoke(&ep, &auth, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    assert_eq!(
        refused(&fetch(&fx, &auth, CALENDAR_FEED).await),
        "token_revoked"
    );
    let again = flow::token_info(&ep, &auth, &fx.ctx()).send(&fx.http).await;
    assert!(again.is_err());
    // No token in the log.
    assert!(fx
        .log
        .lines()
        .iter()
        .all(|l| !l.contains(session.token().secret())));
}

#[tokio::test]
async fn deny_redirects_without_a_token() {
    let fx = Fixture::new(config());
    let csrf = fx
        .csrf(&format!(
            "/accounts/AuthSubRequest?next={}&scope={}",
            gdata_auth::encoding::percent_encode(LOOPBACK_NEXT),
            gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
        ))
        .await;
    let resp = fx
        .send(HttpRequest::post_form(
            fx.url("/accounts/AuthSubRequest"),
            &[
                ("next", LOOPBACK_NEXT),
                ("scope", CALENDAR_SCOPE),
                ("csrf_token", &csrf),
                ("action", "deny"),
            ],
        ))
        .await;
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("Location"), Some(LOOPBACK_NEXT));
}

#[tokio::test]
async fn secure_flow_signs_every_call() {
    let fx = auto();
    let opts = options(SECURE_NEXT, CALENDAR_SCOPE, true);
    let session = session(&fx, &opts, &secure()).await;
    let auth = session.authorizer(secure()).unwrap();
    let ep = endpoints(&fx);

    let info = flow::token_info(&ep, &auth, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    assert_eq!(info.target(), SECURE_DOMAIN);
    assert!(info.secure());

    let feed = fetch(&fx, &auth, CALENDAR_FEED).await;
    assert_eq!(feed.status, 200, "{}", text(&feed));
    assert!(text(&feed).contains("secure AuthSub"));
    assert_eq!(refused(&fetch(&fx, &auth, DOCS_FEED).await), "wrong_scope");

    flow::revoke(&ep, &auth, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    assert_eq!(
        refused(&fetch(&fx, &auth, CALENDAR_FEED).await),
        "token_revoked"
    );
}

#[tokio::test]
async fn a_secure_single_use_token_upgrades_only_signed() {
    let fx = auto();
    let opts = options(SECURE_NEXT, CALENDAR_SCOPE, true);
    let single = single_use(&fx, &opts).await;
    let req =
        flow::prepare_session_token(&endpoints(&fx), &single, &Security::NonSecure, &fx.ctx())
            .unwrap();
    assert_eq!(refused(&fx.send(req).await), "signature_absent");
    // The refusal spent nothing.
    let ok = flow::session_token(&endpoints(&fx), single, &secure(), &fx.ctx())
        .send(&fx.http)
        .await;
    assert!(ok.is_ok());
}

#[tokio::test]
async fn secure_requests_are_refused_when_the_check_fails() {
    let fx = auto();
    let opts = options(SECURE_NEXT, CALENDAR_SCOPE, true);
    let session = session(&fx, &opts, &secure()).await;
    let auth = session.authorizer(secure()).unwrap();

    // Unsigned.
    let bearer = session.authorizer(Security::NonSecure).unwrap();
    assert_eq!(
        refused(&fetch(&fx, &bearer, CALENDAR_FEED).await),
        "signature_absent"
    );

    // Signed by another key.
    let other =
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa1024_other.pem")).unwrap();
    let forged = session.authorizer(Security::secure(other)).unwrap();
    assert_eq!(
        refused(&fetch(&fx, &forged, CALENDAR_FEED).await),
        "signature_invalid"
    );

    // A replayed nonce.
    let ctx = fx.ctx();
    assert_eq!(
        fetch_with(&fx, &auth, CALENDAR_FEED, &ctx).await.status,
        200
    );
    assert_eq!(
        refused(&fetch_with(&fx, &auth, CALENDAR_FEED, &ctx).await),
        "nonce_used"
    );

    // A stale timestamp (outside ±600 s), and one from the future.
    for ts in [T0 - 601, T0 + 601] {
        let ctx = Context::fixed(ts, format!("n{ts}"));
        assert_eq!(
            refused(&fetch_with(&fx, &auth, CALENDAR_FEED, &ctx).await),
            "timestamp_refused"
        );
    }
    let edge = Context::fixed(T0 - 600, "edge");
    assert_eq!(
        fetch_with(&fx, &auth, CALENDAR_FEED, &edge).await.status,
        200
    );

    // A data string for another URL (and for another method) sent with this one.
    for (method, path) in [("GET", CONTACTS_FEED), ("POST", CALENDAR_FEED)] {
        let elsewhere = Request::new(method, &fx.url(path)).unwrap();
        let signed = auth.sign(&elsewhere, &fx.ctx()).unwrap();
        let req = HttpRequest::get(fx.url(CALENDAR_FEED)).with_authorization(&signed.authorization);
        assert_eq!(
            refused(&fx.send(req).await),
            "data_mismatch",
            "{method} {path}"
        );
    }

    // A data string with another query.
    let signed = auth
        .sign(
            &Request::new("GET", &fx.url(&format!("{CALENDAR_FEED}?max-results=1"))).unwrap(),
            &fx.ctx(),
        )
        .unwrap();
    let req = HttpRequest::get(fx.url(&format!("{CALENDAR_FEED}?max-results=99")))
        .with_authorization(&signed.authorization);
    assert_eq!(refused(&fx.send(req).await), "data_mismatch");

    // A well-signed request still passes: nothing above changed the token.
    assert_eq!(fetch(&fx, &auth, CALENDAR_FEED).await.status, 200);
}

#[tokio::test]
async fn single_use_tokens_are_for_the_upgrade_only_and_only_once() {
    let fx = auto();
    let ep = endpoints(&fx);
    let opts = options(LOOPBACK_NEXT, CALENDAR_SCOPE, false);
    let single = single_use(&fx, &opts).await;
    let raw = single.secret().to_owned();
    let as_data = AuthSubAuthorizer::new(
        &gdata_auth::authsub::SessionToken::new(raw.clone()),
        Security::NonSecure,
    )
    .unwrap();
    assert_eq!(
        refused(&fetch(&fx, &as_data, CALENDAR_FEED).await),
        "single_use"
    );

    flow::session_token(&ep, single, &Security::NonSecure, &fx.ctx())
        .send(&fx.http)
        .await
        .unwrap();
    let spent = flow::prepare_session_token(
        &ep,
        &SingleUseToken::new(raw),
        &Security::NonSecure,
        &fx.ctx(),
    )
    .unwrap();
    assert_eq!(refused(&fx.send(spent).await), "token_used");

    // A session token is not upgraded again.
    let session = session(&fx, &opts, &Security::NonSecure).await;
    let again = flow::prepare_session_token(
        &ep,
        &SingleUseToken::new(session.token().secret()),
        &Security::NonSecure,
        &fx.ctx(),
    )
    .unwrap();
    assert_eq!(refused(&fx.send(again).await), "not_single_use");

    // session=0 tokens cannot be upgraded.
    let once = single_use(&fx, &opts.clone().with_session(false)).await;
    let req = flow::prepare_session_token(&ep, &once, &Security::NonSecure, &fx.ctx()).unwrap();
    assert_eq!(refused(&fx.send(req).await), "not_upgradable");
}

#[tokio::test]
async fn single_use_tokens_expire_after_an_hour() {
    let fx = auto();
    let single = single_use(&fx, &options(LOOPBACK_NEXT, CALENDAR_SCOPE, false)).await;
    fx.clock.advance(gdata_auth::emulator::SINGLE_USE_LIFETIME);
    let req =
        flow::prepare_session_token(&endpoints(&fx), &single, &Security::NonSecure, &fx.ctx())
            .unwrap();
    assert_eq!(refused(&fx.send(req).await), "token_expired");
}

#[tokio::test]
async fn unknown_and_malformed_credentials_are_401() {
    let fx = auto();
    let unknown = AuthSubAuthorizer::new(
        &gdata_auth::authsub::SessionToken::new("DQAAnothing"),
        Security::NonSecure,
    )
    .unwrap();
    assert_eq!(
        refused(&fetch(&fx, &unknown, CALENDAR_FEED).await),
        "token_unknown"
    );
    for path in [
        "/accounts/AuthSubSessionToken",
        "/accounts/AuthSubTokenInfo",
        "/accounts/AuthSubRevokeToken",
    ] {
        let req = HttpRequest::get(fx.url(path)).header("Authorization", "AuthSub tok=\"x\"");
        assert_eq!(refused(&fx.send(req).await), "bad_header", "{path}");
        let req = HttpRequest::get(fx.url(path)).header("Authorization", "AuthSub token=\"DQAAx\"");
        assert_eq!(refused(&fx.send(req).await), "token_unknown", "{path}");
    }
    let none = fx
        .send(HttpRequest::get(fx.url("/accounts/AuthSubTokenInfo")))
        .await;
    assert_eq!(refused(&none), "token_absent");
}

#[tokio::test]
async fn the_next_url_must_be_a_registered_domain_over_https() {
    let fx = auto();
    let refused_page = |resp: &HttpResponse| {
        assert_eq!(resp.status, 400, "{}", text(resp));
        assert!(resp.header("Location").is_none());
        assert!(resp
            .header("Content-Type")
            .unwrap()
            .starts_with("text/html"));
    };
    for (next_url, secure) in [
        // Unregistered.
        ("https://unregistered.example.com/r", true),
        ("https://unregistered.example.com/r", false),
        // Plain http to a registered domain.
        ("http://secure.example.com/r", true),
        ("http://plain.example.com/r", false),
        // Secure for a domain without a certificate, and for loopback.
        ("https://plain.example.com/r", true),
        (LOOPBACK_NEXT, true),
        // A suffix or prefix of a registered domain is not it.
        ("https://evilsecure.example.com/r", false),
        ("https://secure.example.com.evil.test/r", true),
    ] {
        let resp = fx
            .send(HttpRequest::get(request_url(
                &fx,
                &options(next_url, CALENDAR_SCOPE, secure),
            )))
            .await;
        refused_page(&resp);
    }
    // What the library itself refuses is refused here too.
    for raw in [
        "javascript:alert(1)",
        "https://secure.example.com@evil.test/",
        "https://secure.example.com/r#frag",
        "https://secure.example.com/r?token=planted",
    ] {
        let url = format!(
            "{}?next={}&scope={}&secure=1&session=1",
            endpoints(&fx).authsub_request(),
            gdata_auth::encoding::percent_encode(raw),
            gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
        );
        refused_page(&fx.send(HttpRequest::get(url)).await);
    }
    // A registered domain without a certificate gets non-secure tokens over https.
    let ok = fx
        .send(HttpRequest::get(request_url(
            &fx,
            &options("https://plain.example.com/r", CALENDAR_SCOPE, false),
        )))
        .await;
    assert_eq!(ok.status, 302);
}

/// SECURITY.md §5.1 row 31: `next` over `http://`, with userinfo (`https://good@evil`), on
/// another host with the good one in its path, on a host that merely starts with the good
/// one, or `javascript:`: the library refuses what it can see (`NextUrlError`), and the
/// emulator refuses all five with a page, never a redirect; nothing lost: a session token
/// granted before still reads the feed.
#[tokio::test]
async fn row_31_bad_next_urls_are_refused_without_redirect() {
    let fx = auto();
    let before = session(
        &fx,
        &options("https://plain.example.com/r", CALENDAR_SCOPE, false),
        &Security::NonSecure,
    )
    .await;
    let auth = AuthSubAuthorizer::new(before.token(), Security::NonSecure).unwrap();
    for (raw, library) in [
        (
            "http://plain.example.com/r",
            Err(authsub::NextUrlError::PlainHttp),
        ),
        (
            "https://plain.example.com@evil.test/r",
            Err(authsub::NextUrlError::UserInfo),
        ),
        ("https://evil.test/plain.example.com", Ok("evil.test")),
        (
            "https://plain.example.com.evil.test/r",
            Ok("plain.example.com.evil.test"),
        ),
        ("javascript:alert(1)", Err(authsub::NextUrlError::NotHttps)),
    ] {
        let checked = NextUrl::new(raw);
        assert_eq!(
            checked.as_ref().map(|n| n.host()).map_err(|e| *e),
            library,
            "{raw}"
        );
        let url = format!(
            "{}?next={}&scope={}&secure=0&session=1",
            endpoints(&fx).authsub_request(),
            gdata_auth::encoding::percent_encode(raw),
            gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
        );
        let resp = fx.send(HttpRequest::get(url)).await;
        assert_eq!(resp.status, 400, "{raw}: {}", text(&resp));
        assert!(resp.header("Location").is_none(), "{raw}: redirected");
        assert!(!text(&resp).contains("token="), "{raw}: a token was issued");
    }
    let feed = fetch(&fx, &auth, CALENDAR_FEED).await;
    assert_eq!(feed.status, 200, "{}", text(&feed));
}

#[tokio::test]
async fn the_eleventh_session_token_revokes_the_oldest() {
    let fx = auto();
    let ep = endpoints(&fx);
    let opts = options(LOOPBACK_NEXT, CALENDAR_SCOPE, false);
    let mut sessions = Vec::new();
    for _ in 0..MAX_SESSION_TOKENS_PER_GRANT {
        let single = single_use(&fx, &opts).await;
        let req =
            flow::prepare_session_token(&ep, &single, &Security::NonSecure, &fx.ctx()).unwrap();
        let resp = fx.send(req).await;
        assert!(resp.header("X-Emulator-Revoked-Token").is_none());
        sessions.push(flow::parse_session_token(&resp).unwrap());
    }
    let single = single_use(&fx, &opts).await;
    let req = flow::prepare_session_token(&ep, &single, &Security::NonSecure, &fx.ctx()).unwrap();
    let resp = fx.send(req).await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("X-Emulator-Revoked-Token"),
        Some(sessions[0].token().secret())
    );
    let eleventh = flow::parse_session_token(&resp).unwrap();
    let auth = |s: &Session| s.authorizer(Security::NonSecure).unwrap();
    assert_eq!(
        refused(&fetch(&fx, &auth(&sessions[0]), CALENDAR_FEED).await),
        "token_revoked"
    );
    assert_eq!(
        fetch(&fx, &auth(&sessions[1]), CALENDAR_FEED).await.status,
        200
    );
    assert_eq!(
        fetch(&fx, &auth(&eleventh), CALENDAR_FEED).await.status,
        200
    );

    // Another web application of the same user has its own ten.
    let other = session(
        &fx,
        &options("http://localhost:9/r", CALENDAR_SCOPE, false),
        &Security::NonSecure,
    )
    .await;
    assert_eq!(fetch(&fx, &auth(&other), CALENDAR_FEED).await.status, 200);
    assert_eq!(
        fetch(&fx, &auth(&sessions[1]), CALENDAR_FEED).await.status,
        200
    );
}

#[tokio::test]
async fn oauth_revocation_still_answers_the_shared_path() {
    let fx = Fixture::new(
        config()
            .add_hmac_consumer("example.com", "s3cret")
            .with_auto_approve(true),
    );
    let consumer = gdata_auth::oauth1::OAuth1Authorizer::hmac_sha1(
        "example.com",
        gdata_auth::ConsumerSecret::new("s3cret"),
    );
    let (token, secret) = fx.dance(&consumer, CALENDAR_SCOPE).await;
    let auth = consumer.with_token(token, gdata_auth::TokenSecret::new(secret));
    // Revoked once (200), then refused in OAuth's own words (401 token_revoked).
    for want in [200, 401] {
        let resp = fx
            .signed(
                &auth,
                "GET",
                "/accounts/AuthSubRevokeToken",
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!(resp.status, want, "{}", text(&resp));
        if want == 401 {
            assert!(problem(&resp).starts_with("token_"));
        }
    }
}
