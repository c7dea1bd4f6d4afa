//! Error answers, table-driven: each class of seed 001 / SECURITY.md §4 and what follows
//! from it (final or retryable).

use std::time::Duration;

use gdata_auth::oauth2::{parse_token_response, ErrorCode, OAuth2Error};
use gdata_auth::retry::Backoff;
use gdata_auth::transport::HttpResponse;

#[derive(Debug, PartialEq)]
enum Class {
    Reconsent,
    Reauth,
    Admin,
    Client,
    Refused(ErrorCode),
    Http,
}

fn class(e: &OAuth2Error) -> Class {
    match e {
        OAuth2Error::ReconsentRequired(_) => Class::Reconsent,
        OAuth2Error::ReauthRequired(_) => Class::Reauth,
        OAuth2Error::AdminPolicyEnforced(_) => Class::Admin,
        OAuth2Error::InvalidClient(_) => Class::Client,
        OAuth2Error::Refused(e) => Class::Refused(e.code.clone()),
        OAuth2Error::Http { .. } => Class::Http,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn classification_table() {
    let rows: &[(u16, &str, Class, bool)] = &[
        (
            400,
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
            Class::Reconsent,
            false,
        ),
        (
            400,
            r#"{"error":"invalid_grant","error_subtype":"invalid_rapt","error_description":"reauth related error (invalid_rapt)"}"#,
            Class::Reauth,
            false,
        ),
        (
            401,
            r#"{"error":"invalid_token","error_subtype":"invalid_rapt"}"#,
            Class::Reauth,
            false,
        ),
        (
            400,
            r#"{"error":"invalid_grant","error_subtype":""}"#,
            Class::Reconsent,
            false,
        ),
        (
            400,
            r#"{"error":"admin_policy_enforced"}"#,
            Class::Admin,
            false,
        ),
        (
            401,
            r#"{"error":"invalid_client","error_description":"Unauthorized"}"#,
            Class::Client,
            false,
        ),
        (
            400,
            r#"{"error":"invalid_request"}"#,
            Class::Refused(ErrorCode::InvalidRequest),
            false,
        ),
        (
            400,
            r#"{"error":"unsupported_grant_type"}"#,
            Class::Refused(ErrorCode::UnsupportedGrantType),
            false,
        ),
        (
            400,
            r#"{"error":"invalid_scope"}"#,
            Class::Refused(ErrorCode::InvalidScope),
            false,
        ),
        (
            400,
            r#"{"error":"something_new","x":1}"#,
            Class::Refused(ErrorCode::Other("something_new".into())),
            false,
        ),
        (
            503,
            r#"{"error":"temporarily_unavailable"}"#,
            Class::Refused(ErrorCode::TemporarilyUnavailable),
            true,
        ),
        (
            500,
            r#"{"error":"server_error"}"#,
            Class::Refused(ErrorCode::ServerError),
            true,
        ),
        (502, "<html>Bad Gateway</html>", Class::Http, true),
        (503, "", Class::Http, true),
        (429, "", Class::Http, true),
        (404, "Not Found", Class::Http, false),
        (
            400,
            r#"{"error_description":"no code"}"#,
            Class::Http,
            false,
        ),
    ];
    for (status, body, want, retryable) in rows {
        let e = parse_token_response(HttpResponse::new(*status, body.to_string())).unwrap_err();
        assert_eq!(&class(&e), want, "{status} {body}");
        assert_eq!(e.is_retryable(), *retryable, "{status} {body}");
        // Final exactly for the four classes the token source keeps.
        let final_class = matches!(
            want,
            Class::Reconsent | Class::Reauth | Class::Admin | Class::Client
        );
        assert_eq!(e.is_final(), final_class, "{status} {body}");
    }
}

#[test]
fn details_are_kept_and_retry_after_read() {
    let e = parse_token_response(HttpResponse::new(
        400,
        r#"{"error":"invalid_grant","error_subtype":"invalid_rapt","error_description":"reauth"}"#,
    ))
    .unwrap_err();
    let d = e.endpoint_error().unwrap();
    assert_eq!(d.subtype.as_deref(), Some("invalid_rapt"));
    assert_eq!(d.description.as_deref(), Some("reauth"));
    assert!(e.to_string().contains("sign in again"), "{e}");

    let busy = parse_token_response(HttpResponse::new(503, "").with_header("Retry-After", "7"))
        .unwrap_err();
    assert_eq!(busy.retry_after(), Some(Duration::from_secs(7)));
    // The crate's backoff honours it, and stops at once on a final error.
    let mut b = Backoff::new();
    assert!(b.next_delay_with(&busy, 0.5).unwrap() >= Duration::from_secs(7));
    let revoked =
        parse_token_response(HttpResponse::new(400, r#"{"error":"invalid_grant"}"#)).unwrap_err();
    assert_eq!(b.next_delay_with(&revoked, 0.5), None);
}

/// Found by the `oauth2_response` fuzz target: an unknown `error` code reached the error's
/// text with its control characters (a NUL, a tab, an escape sequence), although the
/// description and subtype were already cleaned.
#[test]
fn fuzz_unknown_error_code_shows_no_control_characters() {
    let body = "{\"error\":\"x\\u001b[2J\\u0000\\t\\ny\"}";
    let e = parse_token_response(HttpResponse::new(400, body)).unwrap_err();
    let shown = e.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(
        shown.contains("error=x\u{FFFD}[2J\u{FFFD}\u{FFFD}\u{FFFD}y"),
        "{shown:?}"
    );
    assert!(matches!(
        ErrorCode::parse("a\u{7}b"),
        ErrorCode::Other(s) if s == "a\u{FFFD}b"
    ));
}
