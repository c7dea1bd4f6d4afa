//! The session upgrade, token info and revocation without a network: each `prepare_*`
//! checked on the wire (method, URL, header, no body; secure requests verified with the
//! public key as a provider would), and the async and blocking glue ([`gdata_auth::Call`])
//! through closure transports that answer as Google did (PROTOCOLS.md §2.3).

use std::sync::{Arc, Mutex};

use gdata_auth::authsub::header::parse_header;
use gdata_auth::authsub::verifier::verify;
use gdata_auth::authsub::{
    self, parse_reply, prepare_revoke, prepare_session_token, prepare_token_info, request_url,
    AuthSubAuthorizer, AuthSubError, AuthSubRequestOptions, FlowError, NextUrl, Security, Session,
    SessionToken, SingleUseToken, TokenError,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::{FnTransport, HttpRequest, HttpResponse, TransportError};
use gdata_auth::{AuthorizeError, Context, Request, Scope, SystemClock};

use crate::{certificate, signing_key};

const SINGLE_USE: &str = "CKF50YzIHxCTKMAg";
const SESSION: &str = "DQAAAGgA7Zg8CTN";
const CALENDAR: &str = "http://www.google.com/calendar/feeds/";
const FEED: &str = "/calendar/feeds/default/private/full";

fn endpoints() -> Endpoints {
    Endpoints::at("http://127.0.0.1:1").unwrap()
}

/// Google in a closure: checks each call's header (and, for a secure token, its signature
/// against the registered certificate), answers as Google did, and records what it saw.
#[derive(Clone)]
struct FakeGoogle {
    secure: bool,
    seen: Arc<Mutex<Vec<String>>>,
}

impl FakeGoogle {
    fn new(secure: bool) -> Self {
        Self {
            secure,
            seen: Arc::default(),
        }
    }

    fn answer(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = url::Url::parse(&req.url).unwrap().path().to_owned();
        self.seen.lock().unwrap().push(path.clone());
        assert_eq!(req.method, "GET");
        assert!(req.body.is_empty());
        let header = req
            .header_value("Authorization")
            .expect("no Authorization header");
        let token = parse_header(header).unwrap().token.secret().to_owned();
        if self.secure {
            let window = 600;
            if verify(
                &req.method,
                &req.url,
                header,
                &certificate(),
                &SystemClock,
                window,
            )
            .is_err()
            {
                return Ok(HttpResponse::new(401, "Token invalid"));
            }
        } else {
            assert!(parse_header(header).unwrap().secure.is_none());
        }
        let answer = |want: &str, body: String| {
            Ok(if token == want {
                HttpResponse::new(200, body)
            } else {
                HttpResponse::new(403, format!("Invalid token {token}"))
            })
        };
        match path.as_str() {
            "/accounts/AuthSubSessionToken" => answer(
                SINGLE_USE,
                format!("Token={SESSION}\nExpiration=20061004T123456Z\n"),
            ),
            "/accounts/AuthSubTokenInfo" => answer(
                SESSION,
                format!(
                    "Target=app.example.com\nScope={CALENDAR}\nSecure={}\n",
                    self.secure
                ),
            ),
            "/accounts/AuthSubRevokeToken" => answer(SESSION, String::new()),
            FEED => answer(
                SESSION,
                "<feed xmlns='http://www.w3.org/2005/Atom'/>".into(),
            ),
            _ => Ok(HttpResponse::new(404, "Not Found")),
        }
    }

    fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// The user approves: Google redirects to `next` with the single-use token.
fn approve(url: &str) -> String {
    assert!(
        url.contains("next=https%3A%2F%2Fapp.example.com%2Fauthsub"),
        "{url}"
    );
    format!("https://app.example.com/authsub?token={SINGLE_USE}")
}

fn request_options(secure: bool) -> AuthSubRequestOptions {
    AuthSubRequestOptions::new(
        NextUrl::new("https://app.example.com/authsub").unwrap(),
        [Scope::new(CALENDAR).unwrap()],
    )
    .with_secure(secure)
}

#[test]
fn prepared_calls_are_gets_carrying_the_header() {
    let e = Endpoints::google();
    let ctx = Context::fixed(1_700_000_000, "8413");
    let single = SingleUseToken::new(SINGLE_USE);
    let plain = AuthSubAuthorizer::new(&SessionToken::new(SESSION), Security::NonSecure).unwrap();
    let rows = [
        (
            prepare_session_token(&e, &single, &Security::NonSecure, &ctx).unwrap(),
            "https://www.google.com/accounts/AuthSubSessionToken",
            SINGLE_USE,
        ),
        (
            prepare_token_info(&e, &plain, &ctx).unwrap(),
            "https://www.google.com/accounts/AuthSubTokenInfo",
            SESSION,
        ),
        (
            prepare_revoke(&e, &plain, &ctx).unwrap(),
            "https://www.google.com/accounts/AuthSubRevokeToken",
            SESSION,
        ),
    ];
    for (req, url, token) in rows {
        assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", url));
        assert_eq!(
            req.header_value("Authorization"),
            Some(format!("AuthSub token=\"{token}\"").as_str())
        );
        assert!(req.body.is_empty() && req.header_value("Content-Type").is_none());
    }

    // Secure: the same calls, each signed over its own URL (JAVA signed the upgrade too).
    let security = Security::secure(signing_key());
    let secure = AuthSubAuthorizer::new(&SessionToken::new(SESSION), security.clone()).unwrap();
    let signed = [
        prepare_session_token(&e, &single, &security, &ctx).unwrap(),
        prepare_token_info(&e, &secure, &ctx).unwrap(),
        prepare_revoke(&e, &secure, &ctx).unwrap(),
    ];
    for req in signed {
        let header = req.header_value("Authorization").unwrap();
        let clock = gdata_auth::FixedClock::new(1_700_000_000);
        let v = verify("GET", &req.url, header, &certificate(), &clock, 0).unwrap();
        assert_eq!(v.data, format!("GET {} 1700000000 8413", req.url));
    }
    // A secure call cannot be prepared without a timestamp and nonce.
    let bare = Context {
        timestamp: None,
        nonce: None,
    };
    assert_eq!(
        prepare_revoke(&e, &secure, &bare).unwrap_err(),
        AuthSubError::Authorize(AuthorizeError::MissingTimestampOrNonce)
    );
}

#[tokio::test]
async fn async_non_secure_flow_through_a_closure_transport() {
    let google = FakeGoogle::new(false);
    let g = google.clone();
    let transport = FnTransport(move |req| {
        let g = g.clone();
        async move { g.answer(req) }
    });
    let e = endpoints();

    let url = request_url(&e, &request_options(false)).unwrap();
    let single = parse_reply(&approve(&url)).unwrap();
    let session = authsub::session_token(&e, single, &Security::NonSecure, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(
        session,
        Session::new(SessionToken::new(SESSION), Some("20061004T123456Z".into()))
    );

    let auth = session.authorizer(Security::NonSecure).unwrap();
    let info = authsub::token_info(&e, &auth, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!((info.target(), info.secure()), ("app.example.com", false));
    assert_eq!(info.scopes(), [Scope::new(CALENDAR).unwrap()]);

    let feed = Request::new("GET", &format!("http://127.0.0.1:1{FEED}")).unwrap();
    let resp = gdata_auth::signed::signed(&auth, &feed, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(resp.status, 200);

    authsub::revoke(&e, &auth, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(
        google.paths(),
        [
            "/accounts/AuthSubSessionToken",
            "/accounts/AuthSubTokenInfo",
            FEED,
            "/accounts/AuthSubRevokeToken"
        ]
    );

    // Google's refusals come back typed, without the body (which echoes the token).
    let wrong = AuthSubAuthorizer::new(&SessionToken::new("1/other"), Security::NonSecure).unwrap();
    let err = authsub::token_info(&e, &wrong, &Context::now())
        .send(&transport)
        .await
        .unwrap_err();
    assert_eq!(err, AuthSubError::Flow(FlowError::Http { status: 403 }));
    assert!(!err.to_string().contains("1/other"));
}

#[tokio::test]
async fn async_glue_reports_transport_errors() {
    let transport = FnTransport(|_req| async { Err(TransportError::Timeout) });
    let auth = AuthSubAuthorizer::new(&SessionToken::new(SESSION), Security::NonSecure).unwrap();
    let err = authsub::revoke(&endpoints(), &auth, &Context::now())
        .send(&transport)
        .await
        .unwrap_err();
    assert_eq!(err, AuthSubError::Transport(TransportError::Timeout));
}

#[test]
fn blocking_secure_flow_through_a_closure_transport() {
    let google = FakeGoogle::new(true);
    let g = google.clone();
    let transport = move |req: HttpRequest| g.answer(req);
    let e = endpoints();
    let security = Security::secure(signing_key());

    let url = request_url(&e, &request_options(true)).unwrap();
    assert!(url.contains("&secure=1&session=1"));
    let single = parse_reply(&approve(&url)).unwrap();
    let session = authsub::session_token(&e, single, &security, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(session.token().secret(), SESSION);

    let auth = session.authorizer(security.clone()).unwrap();
    assert!(auth.is_secure());
    let info = authsub::token_info(&e, &auth, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert!(info.secure());
    let feed = Request::new("GET", &format!("http://127.0.0.1:1{FEED}?max-results=5")).unwrap();
    let resp = gdata_auth::signed::signed(&auth, &feed, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(resp.status, 200);
    authsub::revoke(&e, &auth, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(google.paths().len(), 4);

    // The same token unsigned, or signed at a stale time, is refused by the provider.
    let unsigned = session.authorizer(Security::NonSecure).unwrap();
    assert_eq!(
        authsub::revoke(&e, &unsigned, &Context::now()).send_blocking(&transport),
        Err(AuthSubError::Flow(FlowError::Http { status: 401 }))
    );
    assert_eq!(
        authsub::revoke(&e, &auth, &Context::fixed(1_000_000_000, "1")).send_blocking(&transport),
        Err(AuthSubError::Flow(FlowError::Http { status: 401 }))
    );
}

#[test]
fn a_call_that_cannot_be_prepared_sends_nothing() {
    let sent = Arc::new(Mutex::new(0));
    let s = sent.clone();
    let transport = move |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
        *s.lock().unwrap() += 1;
        Ok(HttpResponse::new(200, "Token=x"))
    };
    // A single-use token that cannot go into a header (built by hand, not by parse_reply).
    let call = authsub::session_token(
        &endpoints(),
        SingleUseToken::new("a\"b"),
        &Security::NonSecure,
        &Context::now(),
    );
    assert_eq!(
        call.request().unwrap_err(),
        &AuthSubError::Token(TokenError::Quote)
    );
    assert_eq!(
        call.send_blocking(&transport),
        Err(AuthSubError::Token(TokenError::Quote))
    );
    let failing = |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
        Err(TransportError::Connect("refused".into()))
    };
    assert_eq!(
        authsub::session_token(
            &endpoints(),
            SingleUseToken::new(SINGLE_USE),
            &Security::NonSecure,
            &Context::now()
        )
        .send_blocking(&failing),
        Err(AuthSubError::Transport(TransportError::Connect(
            "refused".into()
        )))
    );
    assert_eq!(*sent.lock().unwrap(), 0);
}

#[cfg(feature = "serde")]
#[test]
fn sessions_and_token_info_round_trip_through_serde() {
    let session = Session::new(SessionToken::new(SESSION), Some("20061004T123456Z".into()));
    let json = serde_json::to_value(&session).unwrap();
    assert_eq!(json["token"], SESSION);
    assert_eq!(serde_json::from_value::<Session>(json).unwrap(), session);
    let bare: Session = serde_json::from_str(&format!("{{\"token\":\"{SESSION}\"}}")).unwrap();
    assert_eq!(bare.expiration(), None);
    let info = authsub::TokenInfo::new("t", vec![Scope::new(CALENDAR).unwrap()], true);
    let json = serde_json::to_string(&info).unwrap();
    assert_eq!(
        serde_json::from_str::<authsub::TokenInfo>(&json).unwrap(),
        info
    );
}
