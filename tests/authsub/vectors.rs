//! The AuthSub entries of `fixtures/vectors/gdata.json` (a copy of the shared vector table,
//! see `fixtures/SOURCES.md`), each run through the public API. Every entry carries its own
//! `source` (google/gdata-python-client's `gauth_test.py` and `auth_test.py`); failures
//! print the entry's id and that source, and the rows are counted so none is skipped.

use gdata_auth::authsub::header::{data_string, parse_data, parse_header};
use gdata_auth::authsub::verifier::verify;
use gdata_auth::authsub::{
    parse_reply, parse_session_token, request_url, AuthSubAuthorizer, AuthSubRequestOptions,
    NextUrl, NextUrlError, Security, SessionToken,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::HttpResponse;
use gdata_auth::{Context, FixedClock, Request, Scope};
use serde_json::Value;

const GDATA_JSON: &str = include_str!("../../fixtures/vectors/gdata.json");

/// The AuthSub kinds and how many entries of each the file holds.
const INVENTORY: &[(&str, usize)] = &[
    ("authsub_data", 1),
    ("authsub_token_from_url", 1),
    ("authsub_token_from_body", 1),
    ("authsub_request_url", 1),
];

/// The rows of `kind`, their count checked against [`INVENTORY`].
fn rows(kind: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(GDATA_JSON).unwrap();
    let rows: Vec<Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == kind)
        .cloned()
        .collect();
    let want = INVENTORY.iter().find(|(k, _)| *k == kind).unwrap().1;
    assert_eq!(rows.len(), want, "{kind}: row count changed");
    for row in &rows {
        assert_eq!(row["conformance"], "required", "{}", label(row));
    }
    rows
}

fn label(row: &Value) -> String {
    format!("[gdata.json/{}] (source: {})", row["id"], row["source"])
}

fn input<'a>(row: &'a Value, key: &str) -> &'a str {
    row["input"][key].as_str().unwrap()
}

fn expected<'a>(row: &'a Value, key: &str) -> &'a str {
    row["expected"][key].as_str().unwrap()
}

#[test]
fn every_authsub_kind_is_run() {
    let all: Value = serde_json::from_str(GDATA_JSON).unwrap();
    let kinds: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["kind"].as_str())
        .filter(|k| k.starts_with("authsub"))
        .collect();
    assert_eq!(kinds.len(), INVENTORY.iter().map(|(_, n)| n).sum::<usize>());
    for kind in kinds {
        assert!(INVENTORY.iter().any(|(k, _)| *k == kind), "{kind} not run");
    }
}

/// PY2 `SecureAuthSubTest.test_build_data`: the data string, built directly and by the
/// secure authorizer, whose signature then verifies with the public key.
#[test]
fn authsub_data_vectors() {
    for row in rows("authsub_data") {
        let (method, url, nonce) = (
            input(&row, "method"),
            input(&row, "url"),
            input(&row, "nonce"),
        );
        let timestamp: u64 = input(&row, "timestamp").parse().unwrap();
        let want = expected(&row, "data");
        assert_eq!(
            data_string(method, url, timestamp, nonce),
            want,
            "{}",
            label(&row)
        );
        let parsed = parse_data(want).unwrap();
        assert_eq!(
            (parsed.method, parsed.url, parsed.timestamp, parsed.nonce),
            (method, url, timestamp, nonce),
            "{}",
            label(&row)
        );

        let auth = AuthSubAuthorizer::new(
            &SessionToken::new("CKF50YzIHxCTKMAg"),
            Security::secure(crate::signing_key()),
        )
        .unwrap();
        let request = Request::new(method, url).unwrap();
        let signed = auth
            .sign(&request, &Context::fixed(timestamp, nonce))
            .unwrap();
        assert_eq!(signed.data.as_deref(), Some(want), "{}", label(&row));
        let header = signed.authorization.header_value();
        let clock = FixedClock::new(timestamp);
        let verified = verify(method, url, header, &crate::certificate(), &clock, 600).unwrap();
        assert_eq!(verified.nonce, nonce, "{}", label(&row));
    }
}

/// PY2 `AuthSubTest.test_from_url`: the token from the redirect; the expected header is PY's
/// unquoted layout, which parses to the same token as the quoted one the builder writes
/// (PROTOCOLS.md §2.4).
#[test]
fn authsub_token_from_url_vectors() {
    for row in rows("authsub_token_from_url") {
        let token = parse_reply(input(&row, "url")).unwrap();
        assert_eq!(token.secret(), expected(&row, "token"), "{}", label(&row));
        check_header(&row, token.secret());
    }
}

/// PY1 `ExtractAuthSubTokensTest` / PY2 `test_from_http_body`: the session token from the
/// upgrade's CRLF body.
#[test]
fn authsub_token_from_body_vectors() {
    for row in rows("authsub_token_from_body") {
        let body = input(&row, "body").as_bytes().to_vec();
        let session = parse_session_token(&HttpResponse::new(200, body)).unwrap();
        assert_eq!(
            session.token().secret(),
            expected(&row, "token"),
            "{}",
            label(&row)
        );
        assert_eq!(session.expiration(), Some("20061004T123456Z"));
        check_header(&row, session.token().secret());
    }
}

/// The vector's header parses to `token`, and so does the one the library builds.
fn check_header(row: &Value, token: &str) {
    let theirs = parse_header(expected(row, "authorization_header")).unwrap();
    assert_eq!(theirs.token.secret(), token, "{}", label(row));
    assert!(theirs.secure.is_none());
    let auth = AuthSubAuthorizer::new(&SessionToken::new(token), Security::NonSecure).unwrap();
    let ours = auth
        .sign(&Request::new("GET", "https://h/").unwrap(), &Context::now())
        .unwrap();
    assert_eq!(
        ours.authorization.header_value(),
        format!("AuthSub token=\"{token}\""),
        "{}",
        label(row)
    );
    assert_eq!(
        parse_header(ours.authorization.header_value()).unwrap(),
        theirs
    );
}

/// PY1 `GenerateAuthSubUrlTest.testDefaultParameters`: the request URL holds each expected
/// substring. Its `next` is plain http, which takes the dangerous opt-in here.
#[test]
fn authsub_request_url_vectors() {
    for row in rows("authsub_request_url") {
        let next = input(&row, "next");
        assert_eq!(
            NextUrl::new(next),
            Err(NextUrlError::PlainHttp),
            "{}",
            label(&row)
        );
        let options = AuthSubRequestOptions::new(
            NextUrl::dangerous_allow_http(next).unwrap(),
            [Scope::new(input(&row, "scope")).unwrap()],
        )
        .with_secure(row["input"]["secure"].as_bool().unwrap())
        .with_session(row["input"]["session"].as_bool().unwrap());
        let url = request_url(&Endpoints::google(), &options).unwrap();
        assert!(url.starts_with("https://www.google.com/accounts/AuthSubRequest?"));
        for want in row["expected"]["contains"].as_array().unwrap() {
            let want = want.as_str().unwrap();
            assert!(
                url.contains(want),
                "{}: {want} missing from {url}",
                label(&row)
            );
        }
    }
}
