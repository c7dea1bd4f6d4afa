//! The emulator's ClientLogin over real loopback HTTP: the library's `clientlogin::flow`
//! calls sent with `ReqwestTransport` to `Emulator::start`, checked against the answers
//! documented in `gdata_auth::emulator`: success, every `Error=` code through the test
//! accounts, the CAPTCHA rules, the image, the feeds, and backoff on `ServiceUnavailable`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gdata_auth::clientlogin::flow::{self, login, login_with_captcha, parse_feed_response};
use gdata_auth::clientlogin::{
    CaptchaChallenge, ClientLoginError, Credentials, LoginTokens, Password, Service, TokenRejection,
};
use gdata_auth::emulator::{EmulatorConfig, AUTH_TOKEN_LIFETIME, UNAVAILABLE_STREAK};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::retry::Backoff;
use gdata_auth::transport::{HttpRequest, HttpResponse};
use gdata_auth::Request;

use crate::support::*;

const JO: &str = "jo@example.com";
const PW: &str = "CANARY-pw-north23AZ";
const ANSWER: &str = "w0rd";

fn config() -> EmulatorConfig {
    let mut c = EmulatorConfig::new()
        .add_user(JO, PW)
        .with_captcha_answer(ANSWER);
    for prefix in [
        "disabled-",
        "deleted-",
        "unverified-",
        "tos-",
        "2sv-",
        "noservice-",
        "unavailable-",
        "migrated-",
    ] {
        c = c.add_user(format!("{prefix}jo@example.com"), PW);
    }
    c
}

fn creds(email: &str, password: &str, service: Service) -> Credentials {
    Credentials::new(email, Password::new(password), service).with_source("test-emulator-1")
}

fn endpoints(fx: &Fixture) -> Endpoints {
    Endpoints::at(fx.emu.base_url()).unwrap()
}

async fn log_in(fx: &Fixture, c: &Credentials) -> Result<LoginTokens, ClientLoginError> {
    login(&endpoints(fx), c).send(&fx.http).await
}

async fn raw_login(fx: &Fixture, fields: &[(&str, &str)]) -> HttpResponse {
    fx.send(HttpRequest::post_form(
        fx.url("/accounts/ClientLogin"),
        fields,
    ))
    .await
}

async fn feed(fx: &Fixture, tokens: &LoginTokens, path: &str) -> HttpResponse {
    let req = Request::new("GET", &fx.url(path)).unwrap();
    fx.send(flow::prepare_feed(&tokens.authorizer(), &req))
        .await
}

/// The first line of an answer.
fn first_line(resp: &HttpResponse) -> &str {
    text(resp).lines().next().unwrap_or_default()
}

/// No password, token or answer in the log.
fn assert_log_clean(fx: &Fixture, secrets: &[&str]) {
    for line in fx.log.lines() {
        for s in secrets {
            assert!(!line.contains(s), "secret in log line {line:?}");
        }
    }
}

#[tokio::test]
async fn success_answers_sid_lsid_auth_and_opens_the_calendar() {
    let fx = Fixture::new(config());
    let c = creds(JO, PW, Service::Calendar);
    let resp = fx
        .send(flow::prepare_login(&endpoints(&fx), &c).unwrap())
        .await;
    assert_eq!(resp.status, 200, "{}", text(&resp));
    assert_eq!(resp.header("Content-Type"), Some("text/plain"));
    let keys: Vec<&str> = text(&resp)
        .lines()
        .map(|l| l.split_once('=').unwrap().0)
        .collect();
    assert_eq!(keys, ["SID", "LSID", "Auth"]);
    let tokens = gdata_auth::clientlogin::parse_login(&endpoints(&fx), &resp).unwrap();
    let auth = tokens.auth().secret().to_owned();
    assert_eq!(auth.len(), 64);
    assert!(auth.bytes().all(|b| b.is_ascii_hexdigit()));

    let ok = feed(&fx, &tokens, CALENDAR_FEED).await;
    assert_eq!(ok.status, 200, "{}", text(&ok));
    let xml = text(&ok);
    assert!(xml.contains("<email>jo@example.com</email>"), "{xml}");
    assert!(xml.contains("ClientLogin"), "{xml}");
    assert_log_clean(&fx, &[PW, &auth]);
}

#[tokio::test]
async fn every_error_code_through_the_test_accounts() {
    let fx = Fixture::new(config());
    type Check = fn(&ClientLoginError) -> bool;
    let rows: [(&str, &str, Check); 8] = [
        ("disabled-", "AccountDisabled", |e| {
            matches!(e, ClientLoginError::AccountDisabled(_))
        }),
        ("deleted-", "AccountDeleted", |e| {
            matches!(e, ClientLoginError::AccountDeleted(_))
        }),
        ("unverified-", "NotVerified", |e| {
            matches!(e, ClientLoginError::NotVerified(_))
        }),
        ("tos-", "TermsNotAgreed", |e| {
            matches!(e, ClientLoginError::TermsNotAgreed(_))
        }),
        (
            "2sv-",
            "BadAuthentication",
            |e| matches!(e, ClientLoginError::BadAuthentication(d) if d.needs_application_password()),
        ),
        ("noservice-", "ServiceDisabled", |e| {
            matches!(e, ClientLoginError::ServiceDisabled(_))
        }),
        ("migrated-", "AccountMigrated", |e| {
            matches!(e, ClientLoginError::AccountMigrated(_))
        }),
        ("unavailable-", "ServiceUnavailable", |e| {
            matches!(e, ClientLoginError::ServiceUnavailable { retry_after: Some(d), .. }
                if *d == Duration::from_secs(1))
        }),
    ];
    for (prefix, code, check) in rows {
        let c = creds(&format!("{prefix}{JO}"), PW, Service::Calendar);
        let resp = fx
            .send(flow::prepare_login(&endpoints(&fx), &c).unwrap())
            .await;
        assert_eq!(resp.status, 403, "{prefix}");
        assert_eq!(first_line(&resp), format!("Error={code}"), "{prefix}");
        let e = gdata_auth::clientlogin::parse_login(&endpoints(&fx), &resp).unwrap_err();
        assert!(check(&e), "{prefix}: {e:?}");
        assert_eq!(e.is_retryable(), prefix == "unavailable-", "{prefix}");
    }
    // A wrong password, an unknown email: BadAuthentication without Info.
    for c in [
        creds(JO, "wrong", Service::Calendar),
        creds("nobody@example.com", PW, Service::Calendar),
        creds("disabled-jo@example.com", "wrong", Service::Calendar),
    ] {
        match log_in(&fx, &c).await {
            Err(ClientLoginError::BadAuthentication(d)) => assert_eq!(d.info(), None),
            other => panic!("{other:?}"),
        }
    }
    // An unknown service code.
    match log_in(&fx, &creds(JO, PW, Service::from_code("nosuch"))).await {
        Err(ClientLoginError::Unknown(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_log_clean(&fx, &[PW]);
}

#[tokio::test]
async fn bad_requests_answer_403_bad_authentication_or_unknown() {
    let fx = Fixture::new(config());
    let base = [("accountType", "HOSTED_OR_GOOGLE"), ("source", "t")];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("Passwd", PW), ("service", "cl")], "BadAuthentication"),
        (vec![("Email", JO), ("service", "cl")], "BadAuthentication"),
        (
            vec![("Email", JO), ("Passwd", ""), ("service", "cl")],
            "BadAuthentication",
        ),
        (vec![("Email", JO), ("Passwd", PW)], "Unknown"),
        (
            vec![
                ("Email", JO),
                ("Passwd", PW),
                ("service", "cl"),
                ("logintoken", "x"),
            ],
            "Unknown",
        ),
        (
            vec![
                ("Email", JO),
                ("Passwd", PW),
                ("service", "cl"),
                ("service", "cp"),
            ],
            "Unknown",
        ),
        (
            vec![
                ("Email", JO),
                ("Passwd", PW),
                ("service", "cl"),
                ("accountType", "X"),
            ],
            "Unknown",
        ),
    ];
    for (fields, code) in cases {
        let all: Vec<(&str, &str)> = base
            .iter()
            .copied()
            .filter(|(n, _)| !fields.iter().any(|(f, _)| f == n))
            .chain(fields.iter().copied())
            .collect();
        let resp = raw_login(&fx, &all).await;
        assert_eq!(resp.status, 403, "{fields:?}");
        assert_eq!(first_line(&resp), format!("Error={code}"), "{fields:?}");
    }
    // No form body: a GET, or JSON.
    let get = fx
        .send(HttpRequest::get(fx.url("/accounts/ClientLogin")))
        .await;
    assert_eq!((get.status, first_line(&get)), (403, "Error=Unknown"));
    let json = fx
        .send(
            HttpRequest::new("POST", fx.url("/accounts/ClientLogin"))
                .header("Content-Type", "application/json")
                .with_body(b"{}".to_vec()),
        )
        .await;
    assert_eq!((json.status, first_line(&json)), (403, "Error=Unknown"));
}

/// Three wrong passwords, then a CAPTCHA challenge for the right one.
async fn locked(fx: &Fixture) -> CaptchaChallenge {
    for _ in 0..3 {
        assert!(matches!(
            log_in(fx, &creds(JO, "wrong", Service::Calendar)).await,
            Err(ClientLoginError::BadAuthentication(_))
        ));
    }
    match log_in(fx, &creds(JO, PW, Service::Calendar)).await {
        Err(ClientLoginError::CaptchaRequired(ch)) => ch,
        other => panic!("{other:?}"),
    }
}

async fn answer(
    fx: &Fixture,
    password: &str,
    ch: &CaptchaChallenge,
    word: &str,
) -> Result<LoginTokens, ClientLoginError> {
    let c = creds(JO, password, Service::Calendar);
    login_with_captcha(&endpoints(fx), &c, ch, word)
        .send(&fx.http)
        .await
}

fn challenge_of(r: Result<LoginTokens, ClientLoginError>) -> CaptchaChallenge {
    match r {
        Err(ClientLoginError::CaptchaRequired(ch)) => ch,
        other => panic!("expected a CAPTCHA, got {other:?}"),
    }
}

#[tokio::test]
async fn captcha_after_three_failures_then_the_right_answer() {
    let fx = Fixture::new(config());
    let first = locked(&fx).await;
    assert!(
        first
            .image_url()
            .starts_with(&format!("{}/accounts/Captcha?ctoken=", fx.emu.base_url())),
        "{}",
        first.image_url()
    );
    // Without a token the account is still challenged; each answer is a fresh token.
    let second = challenge_of(log_in(&fx, &creds(JO, PW, Service::Calendar)).await);
    assert_ne!(first.token(), second.token());
    // A wrong answer: a fresh challenge.
    let third = challenge_of(answer(&fx, PW, &second, "nope").await);
    assert_ne!(third.token(), second.token());
    // The spent token with the right answer: refused, a fresh challenge.
    let fourth = challenge_of(answer(&fx, PW, &second, ANSWER).await);
    assert_ne!(fourth.token(), third.token());
    // The right answer, upper-cased and padded, on a live token: signed in.
    let tokens = answer(&fx, PW, &fourth, " W0RD ").await.unwrap();
    assert_eq!(feed(&fx, &tokens, CALENDAR_FEED).await.status, 200);
    assert_log_clean(&fx, &[PW, ANSWER, tokens.auth().secret()]);
}

#[tokio::test]
async fn the_right_answer_with_a_wrong_password_keeps_the_captcha() {
    let fx = Fixture::new(config());
    let ch = locked(&fx).await;
    assert!(matches!(
        answer(&fx, "wrong", &ch, ANSWER).await,
        Err(ClientLoginError::BadAuthentication(_))
    ));
    let ch = challenge_of(log_in(&fx, &creds(JO, PW, Service::Calendar)).await);
    // Still challenged; the next right answer signs in.
    assert!(answer(&fx, PW, &ch, ANSWER).await.is_ok());
}

#[tokio::test]
async fn success_clears_the_failures_and_challenges() {
    let fx = Fixture::new(config());
    let ch = locked(&fx).await;
    let spare = challenge_of(log_in(&fx, &creds(JO, PW, Service::Calendar)).await);
    answer(&fx, PW, &ch, ANSWER).await.unwrap();
    // The spare challenge died with the success: its image is gone.
    let img = fx.send(HttpRequest::get(spare.image_url())).await;
    assert_eq!(img.status, 404);
    // Two failures are not three: no CAPTCHA.
    for _ in 0..2 {
        assert!(matches!(
            log_in(&fx, &creds(JO, "wrong", Service::Calendar)).await,
            Err(ClientLoginError::BadAuthentication(_))
        ));
    }
    log_in(&fx, &creds(JO, PW, Service::Calendar))
        .await
        .unwrap();
    // Only three in a row bring it back.
    locked(&fx).await;
}

#[tokio::test]
async fn the_image_is_an_svg_of_the_answer_for_live_tokens_only() {
    let fx = Fixture::new(config());
    let ch = locked(&fx).await;
    let img = fx.send(HttpRequest::get(ch.image_url())).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.header("Content-Type"), Some("image/svg+xml"));
    let svg = text(&img);
    assert!(svg.starts_with("<svg"));
    for c in ANSWER.chars() {
        assert!(svg.contains(&format!(">{c}</text>")), "{c} not drawn");
    }
    for bad in ["?ctoken=nosuch", "", "?ctoken="] {
        let resp = fx
            .send(HttpRequest::get(fx.url(&format!("/accounts/Captcha{bad}"))))
            .await;
        assert_eq!(resp.status, 404, "{bad}");
    }
    // Spent by a wrong answer: gone.
    challenge_of(answer(&fx, PW, &ch, "nope").await);
    assert_eq!(fx.send(HttpRequest::get(ch.image_url())).await.status, 404);
}

#[tokio::test]
async fn feeds_take_the_services_scopes_only() {
    let fx = Fixture::new(config());
    let cal = log_in(&fx, &creds(JO, PW, Service::Calendar))
        .await
        .unwrap();
    let contacts = log_in(&fx, &creds(JO, PW, Service::Contacts))
        .await
        .unwrap();
    let docs = log_in(&fx, &creds(JO, PW, Service::DocumentsList))
        .await
        .unwrap();
    let blogger = log_in(&fx, &creds(JO, PW, Service::Blogger)).await.unwrap();
    for (tokens, ok, refused) in [
        (&cal, CALENDAR_FEED, CONTACTS_FEED),
        (&contacts, CONTACTS_FEED, DOCS_FEED),
        (&docs, DOCS_FEED, CALENDAR_FEED),
        (&blogger, "/feeds/default/blogs", CALENDAR_FEED),
    ] {
        if tokens.auth() != blogger.auth() {
            assert_eq!(feed(&fx, tokens, ok).await.status, 200, "{ok}");
        }
        let out = feed(&fx, tokens, refused).await;
        assert_eq!(out.status, 401, "{refused}");
        assert_eq!(out.header("Content-Type"), Some("text/plain"));
        assert!(matches!(
            parse_feed_response(out),
            Err(ClientLoginError::TokenRejected(TokenRejection::Invalid))
        ));
    }
    // An unknown token: 401 "Token invalid" with a GoogleLogin challenge.
    let forged = LoginTokens::new(
        gdata_auth::clientlogin::AuthToken::new("forged"),
        None,
        None,
    )
    .unwrap();
    let resp = feed(&fx, &forged, CALENDAR_FEED).await;
    assert_eq!((resp.status, text(&resp)), (401, "Token invalid\n"));
    assert!(resp
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("GoogleLogin realm="));
    // A header without a token.
    let bare = fx
        .send(HttpRequest::get(fx.url(CALENDAR_FEED)).header("Authorization", "GoogleLogin"))
        .await;
    assert_eq!(bare.status, 401);
    // Two weeks later: "Token expired".
    fx.clock.advance(AUTH_TOKEN_LIFETIME);
    assert!(matches!(
        parse_feed_response(feed(&fx, &cal, CALENDAR_FEED).await),
        Err(ClientLoginError::TokenRejected(TokenRejection::Expired))
    ));
}

#[tokio::test]
async fn backoff_honours_retry_after_on_service_unavailable() {
    let fx = Fixture::new(config());
    let e = endpoints(&fx);
    let c = creds("unavailable-jo@example.com", PW, Service::Calendar);
    let slept: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let record = slept.clone();
    let tokens = Backoff::new()
        .send(
            &fx.http,
            || login(&e, &c),
            move |d| {
                record.lock().unwrap().push(d);
                async {}
            },
        )
        .await
        .unwrap();
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), UNAVAILABLE_STREAK as usize);
    assert!(
        slept.iter().all(|d| *d >= Duration::from_secs(1)),
        "{slept:?}"
    );
    assert_eq!(feed(&fx, &tokens, CALENDAR_FEED).await.status, 200);
}
