//! The ClientLogin steps without a network: the prepare/parse pairs through closure
//! transports (blocking and async), the one retry with a CAPTCHA answer (and no second one),
//! backoff after `ServiceUnavailable` honouring `Retry-After`, the `GoogleLogin` header, and
//! a feed's 401 leading to a re-login only when the caller kept the credentials.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gdata_auth::clientlogin::flow::{feed, login, login_with_captcha, parse_feed_response};
use gdata_auth::clientlogin::{
    AuthToken, ClientLoginAuthorizer, ClientLoginError, ErrorDetails, InputError, LoginTokens,
    TokenRejection,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::{FnTransport, HttpRequest, HttpResponse, TransportError};
use gdata_auth::{Authorizer, Backoff, Context, Request};

use crate::{answer, credentials, field, scripted, PASSWORD};

const SUCCESS: &str = "SID=DQAAAGgA7Zg8CTN\r\nLSID=DQAAAGsAlk8BBbG\r\nAuth=DQAAAGgAdk3fA5N";
const CAPTCHA: &str = "Url=http://www.google.com/login/captcha\nError=CaptchaRequired\n\
                       CaptchaToken=DQAAAGgA...dkI1LK9\nCaptchaUrl=Captcha?ctoken=HiteT4bVoP6\n";
const BUSY: &str = "Error=ServiceUnavailable\n";

fn feed_request() -> Request {
    Request::new(
        "GET",
        "https://www.google.com/calendar/feeds/default/private/full",
    )
    .unwrap()
}

#[test]
fn login_blocking_reads_tokens() {
    let (google, sent) = scripted(vec![Ok(answer(200, SUCCESS))]);
    let tokens = login(&Endpoints::google(), &credentials())
        .send_blocking(&google)
        .unwrap();
    assert_eq!(tokens.auth().secret(), "DQAAAGgAdk3fA5N");
    assert_eq!(tokens.sid().unwrap().secret(), "DQAAAGgA7Zg8CTN");
    assert_eq!(tokens.lsid().unwrap().secret(), "DQAAAGsAlk8BBbG");
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(field(&sent[0], "Passwd").as_deref(), Some(PASSWORD));
    // Without SID and LSID, Auth alone is a success.
    let (google, _) = scripted(vec![Ok(answer(200, "Auth=abc\n"))]);
    let tokens = login(&Endpoints::google(), &credentials())
        .send_blocking(&google)
        .unwrap();
    assert_eq!((tokens.sid(), tokens.lsid()), (None, None));
}

#[tokio::test]
async fn login_async_reads_tokens() {
    let seen = Arc::new(Mutex::new(Vec::<HttpRequest>::new()));
    let log = Arc::clone(&seen);
    let google = FnTransport(move |req: HttpRequest| {
        log.lock().unwrap().push(req);
        async { Ok(answer(200, SUCCESS)) }
    });
    let tokens = login(&Endpoints::google(), &credentials())
        .send(&google)
        .await
        .unwrap();
    assert_eq!(tokens.auth().secret(), "DQAAAGgAdk3fA5N");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn captcha_then_one_retry_with_the_answer() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    let (google, sent) = scripted(vec![Ok(answer(403, CAPTCHA)), Ok(answer(200, SUCCESS))]);
    let Err(ClientLoginError::CaptchaRequired(challenge)) =
        login(&endpoints, &creds).send_blocking(&google)
    else {
        panic!("no CAPTCHA challenge");
    };
    assert_eq!(
        challenge.image_url(),
        "https://www.google.com/accounts/Captcha?ctoken=HiteT4bVoP6"
    );
    assert_eq!(challenge.url(), Some("http://www.google.com/login/captcha"));
    let tokens = login_with_captcha(&endpoints, &creds, &challenge, "x7Gh2")
        .send_blocking(&google)
        .unwrap();
    assert_eq!(tokens.auth().secret(), "DQAAAGgAdk3fA5N");
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(field(&sent[0], "logintoken"), None);
    assert_eq!(
        field(&sent[1], "logintoken").as_deref(),
        Some("DQAAAGgA...dkI1LK9")
    );
    assert_eq!(field(&sent[1], "logincaptcha").as_deref(), Some("x7Gh2"));
    assert_eq!(field(&sent[1], "Passwd").as_deref(), Some(PASSWORD));
}

#[test]
fn a_second_captcha_is_returned_not_retried() {
    let endpoints = Endpoints::google();
    let (google, sent) = scripted(vec![Ok(answer(403, CAPTCHA)), Ok(answer(403, CAPTCHA))]);
    let Err(ClientLoginError::CaptchaRequired(first)) =
        login(&endpoints, &credentials()).send_blocking(&google)
    else {
        panic!("no CAPTCHA challenge");
    };
    let again =
        login_with_captcha(&endpoints, &credentials(), &first, "wrong").send_blocking(&google);
    assert!(matches!(again, Err(ClientLoginError::CaptchaRequired(_))));
    assert!(!again.unwrap_err().is_retryable());
    assert_eq!(
        sent.lock().unwrap().len(),
        2,
        "one login, one retry, nothing more"
    );
}

#[test]
fn backoff_after_service_unavailable_honours_retry_after() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    let (google, sent) = scripted(vec![
        Ok(answer(403, BUSY)),
        Ok(answer(503, BUSY).with_header("Retry-After", "2")),
        Ok(answer(200, SUCCESS)),
    ]);
    let mut sleeps = Vec::new();
    let mut backoff = Backoff::new().with_randomization(0.0);
    let tokens = backoff
        .send_blocking(&google, || login(&endpoints, &creds), |d| sleeps.push(d))
        .unwrap();
    assert_eq!(tokens.auth().secret(), "DQAAAGgAdk3fA5N");
    // 500 ms, then the server's 2 s over the 750 ms interval.
    assert_eq!(sleeps, [Duration::from_millis(500), Duration::from_secs(2)]);
    assert_eq!(backoff.retries(), 2);
    assert_eq!(sent.lock().unwrap().len(), 3);
}

#[test]
fn backoff_stops_on_final_errors_and_spent_budgets() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    // An authentication error is final: one try, no sleep.
    let (google, sent) = scripted(vec![Ok(answer(403, "Error=BadAuthentication\n"))]);
    let mut sleeps = Vec::new();
    let got =
        Backoff::new().send_blocking(&google, || login(&endpoints, &creds), |d| sleeps.push(d));
    assert_eq!(
        got,
        Err(ClientLoginError::BadAuthentication(ErrorDetails::new()))
    );
    assert!(sleeps.is_empty());
    assert_eq!(sent.lock().unwrap().len(), 1);
    // Busy every time: 500 + 750 ms fit in 2 s, the next 1125 ms does not.
    let (google, sent) = scripted(vec![
        Ok(answer(403, BUSY)),
        Ok(answer(403, BUSY)),
        Ok(answer(403, BUSY)),
    ]);
    let mut sleeps = Vec::new();
    let got = Backoff::new()
        .with_randomization(0.0)
        .with_max_elapsed(Duration::from_secs(2))
        .send_blocking(&google, || login(&endpoints, &creds), |d| sleeps.push(d));
    assert!(matches!(
        got,
        Err(ClientLoginError::ServiceUnavailable { .. })
    ));
    assert_eq!(
        sleeps,
        [Duration::from_millis(500), Duration::from_millis(750)]
    );
    assert_eq!(sent.lock().unwrap().len(), 3);
    // A refused input is not retried either.
    let empty = gdata_auth::clientlogin::Credentials::new(
        "",
        gdata_auth::clientlogin::Password::new("x"),
        gdata_auth::clientlogin::Service::Calendar,
    );
    let (google, sent) = scripted(vec![]);
    let got = Backoff::new().send_blocking(&google, || login(&endpoints, &empty), |_| ());
    assert_eq!(
        got.err(),
        Some(ClientLoginError::InvalidInput(InputError::EmptyEmail))
    );
    assert!(sent.lock().unwrap().is_empty());
}

#[test]
fn backoff_retries_a_timeout_and_a_5xx() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    let (google, sent) = scripted(vec![
        Err(TransportError::Timeout),
        Ok(answer(502, "<html>bad gateway</html>")),
        Ok(answer(200, SUCCESS)),
    ]);
    let mut n = 0;
    let got = Backoff::new().send_blocking(&google, || login(&endpoints, &creds), |_| n += 1);
    assert!(got.is_ok());
    assert_eq!((n, sent.lock().unwrap().len()), (2, 3));
}

#[tokio::test]
async fn backoff_async_with_an_injected_sleep() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    let answers = Arc::new(Mutex::new(vec![answer(200, SUCCESS), answer(403, BUSY)]));
    let google = FnTransport(move |_req: HttpRequest| {
        let next = answers.lock().unwrap().pop().unwrap();
        async move { Ok::<HttpResponse, TransportError>(next) }
    });
    let slept = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&slept);
    let tokens = Backoff::new()
        .with_randomization(0.0)
        .send(
            &google,
            || login(&endpoints, &creds),
            |d| {
                record.lock().unwrap().push(d);
                async {}
            },
        )
        .await
        .unwrap();
    assert_eq!(tokens.auth().secret(), "DQAAAGgAdk3fA5N");
    assert_eq!(*slept.lock().unwrap(), [Duration::from_millis(500)]);
}

#[test]
fn the_header_is_googlelogin_auth() {
    // PROTOCOLS.md §1.3 and §7.9: no quotes, one space.
    let auth = ClientLoginAuthorizer::new(AuthToken::new("DQAAAGgAdk3fA5N")).unwrap();
    let header = auth.authorize(&feed_request(), &Context::now()).unwrap();
    assert_eq!(header.header_value(), "GoogleLogin auth=DQAAAGgAdk3fA5N");
    assert_eq!(header.scheme(), "GoogleLogin");
    assert_eq!(auth.authorization(), header);
    // Through the shared glue, as for any scheme.
    let req = gdata_auth::signed::prepare_signed(&auth, &feed_request(), &Context::now()).unwrap();
    assert_eq!(
        req.header_value("Authorization"),
        Some("GoogleLogin auth=DQAAAGgAdk3fA5N")
    );
    // A token that could split or inject into the header is refused.
    for bad in [
        "",
        "a b",
        "a\r\nX-Evil: 1",
        "a\"b",
        "a\\b",
        "a,b",
        "caf\u{e9}",
    ] {
        assert_eq!(
            ClientLoginAuthorizer::new(AuthToken::new(bad)).unwrap_err(),
            ClientLoginError::InvalidInput(InputError::BadAuthToken),
            "{bad:?}"
        );
        assert!(
            LoginTokens::new(AuthToken::new(bad), None, None).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn feed_401_is_token_rejected() {
    let rows = [
        (
            answer(401, "<HTML><TITLE>Token expired</TITLE></HTML>"),
            Err(TokenRejection::Expired),
        ),
        (answer(401, "token EXPIRED"), Err(TokenRejection::Expired)),
        (
            answer(401, "").with_header(
                "WWW-Authenticate",
                "GoogleLogin realm=\"x\", error=\"Token expired\"",
            ),
            Err(TokenRejection::Expired),
        ),
        (answer(401, "Token invalid"), Err(TokenRejection::Invalid)),
        (answer(401, ""), Err(TokenRejection::Invalid)),
        (answer(200, "<feed/>"), Ok(200)),
        (answer(403, "Forbidden"), Ok(403)),
        (answer(500, "Token expired"), Ok(500)),
    ];
    for (response, want) in rows {
        let got = parse_feed_response(response)
            .map(|r| r.status)
            .map_err(|e| match e {
                ClientLoginError::TokenRejected(r) => r,
                other => panic!("{other:?}"),
            });
        assert_eq!(got, want);
    }
}

#[test]
fn relogin_after_a_401_only_when_credentials_were_kept() {
    let endpoints = Endpoints::google();
    let tokens = LoginTokens::new(AuthToken::new("old"), None, None).unwrap();
    assert!(tokens.authorizer().relogin(&endpoints).is_none());
    assert!(!tokens.authorizer().can_relogin());

    let auth = tokens.authorizer().with_relogin(credentials());
    let (feeds, seen) = scripted(vec![Ok(answer(401, "Token expired"))]);
    let got = feed(&auth, &feed_request()).send_blocking(&feeds);
    assert_eq!(
        got.err(),
        Some(ClientLoginError::TokenRejected(TokenRejection::Expired))
    );
    assert_eq!(
        seen.lock().unwrap()[0].header_value("Authorization"),
        Some("GoogleLogin auth=old")
    );

    let (google, sent) = scripted(vec![
        Ok(answer(403, CAPTCHA)),
        Ok(answer(200, "Auth=new\n")),
    ]);
    let Some(Err(ClientLoginError::CaptchaRequired(challenge))) =
        auth.relogin(&endpoints).map(|c| c.send_blocking(&google))
    else {
        panic!("no CAPTCHA");
    };
    let renewed = auth
        .relogin_with_captcha(&endpoints, &challenge, "answer")
        .unwrap()
        .send_blocking(&google)
        .unwrap();
    assert_eq!(renewed.auth().secret(), "new");
    assert!(renewed.can_relogin());
    assert_eq!(
        auth.auth().secret(),
        "old",
        "the old authorizer is unchanged"
    );
    let sent = sent.lock().unwrap();
    assert_eq!(field(&sent[1], "Passwd").as_deref(), Some(PASSWORD));
    assert_eq!(field(&sent[1], "logincaptcha").as_deref(), Some("answer"));

    let (feeds, _) = scripted(vec![Ok(answer(200, "<feed/>"))]);
    let ok = feed(&renewed, &feed_request())
        .send_blocking(&feeds)
        .unwrap();
    assert_eq!(ok.status, 200);
}
