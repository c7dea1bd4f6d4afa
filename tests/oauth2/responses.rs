//! Token responses, table-driven: Google's size limits (seed 001 "Token size") at and one
//! byte over the edge, `expires_in` and `token_type` validation, missing and unknown fields.

use gdata_auth::oauth2::{parse_token_response, Malformed, OAuth2Error, TokenKind};
use gdata_auth::Scope;

use super::json;

fn body(access: &str, refresh: Option<&str>) -> String {
    match refresh {
        Some(r) => format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3599,"refresh_token":"{r}"}}"#
        ),
        None => format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3599}}"#),
    }
}

#[test]
fn size_limits_at_and_over_the_edge() {
    let a = |n: usize| "a".repeat(n);
    type Want = Result<(), (TokenKind, usize)>;
    let rows: Vec<(String, Option<String>, Want)> = vec![
        (a(2048), None, Ok(())),
        (a(2049), None, Err((TokenKind::AccessToken, 2049))),
        (a(10), Some(a(512)), Ok(())),
        (a(10), Some(a(513)), Err((TokenKind::RefreshToken, 513))),
        (a(2048), Some(a(512)), Ok(())),
        (a(1), Some(a(1)), Ok(())),
    ];
    for (access, refresh, want) in rows {
        let got = parse_token_response(json(&body(&access, refresh.as_deref())));
        match want {
            Ok(()) => {
                let t = got.unwrap_or_else(|e| {
                    panic!(
                        "{} {:?}: {e}",
                        access.len(),
                        refresh.as_ref().map(String::len)
                    )
                });
                // Never truncated.
                assert_eq!(t.access_token.secret(), access);
                assert_eq!(
                    t.refresh_token.as_ref().map(|r| r.secret().to_owned()),
                    refresh
                );
            }
            Err((kind, len)) => assert_eq!(
                got.unwrap_err(),
                OAuth2Error::TokenTooLarge {
                    kind,
                    len,
                    limit: kind.limit()
                }
            ),
        }
    }
    assert_eq!(TokenKind::AuthorizationCode.limit(), 256);
    assert!(gdata_auth::oauth2::AuthorizationCode::checked("c".repeat(256)).is_ok());
    assert_eq!(
        gdata_auth::oauth2::AuthorizationCode::checked("c".repeat(257)).unwrap_err(),
        OAuth2Error::TokenTooLarge {
            kind: TokenKind::AuthorizationCode,
            len: 257,
            limit: 256
        }
    );
}

#[test]
fn fields_and_expires_in() {
    use Malformed::*;
    let rows: &[(&str, Result<Option<u64>, Malformed>)] = &[
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#,
            Ok(Some(3600)),
        ),
        (
            r#"{"access_token":"t","token_type":"bearer","expires_in":0}"#,
            Ok(Some(0)),
        ),
        (r#"{"access_token":"t","token_type":"BEARER"}"#, Ok(None)),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":null}"#,
            Ok(None),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":"3600"}"#,
            Ok(Some(3600)),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":1,"id_token":"x.y.z","extra":{"n":[1,2]},"refresh_token_expires_in":604799}"#,
            Ok(Some(1)),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":-1}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":3600.5}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":"1h"}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":""}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":true}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":99999999999}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","expires_in":1e3}"#,
            Err(BadExpiresIn),
        ),
        (
            r#"{"token_type":"Bearer","expires_in":3600}"#,
            Err(MissingField("access_token")),
        ),
        (
            r#"{"access_token":"t","expires_in":3600}"#,
            Err(MissingField("token_type")),
        ),
        (
            r#"{"access_token":"t","token_type":"MAC"}"#,
            Err(UnsupportedTokenType),
        ),
        (
            r#"{"access_token":"t","token_type":"Bearer","access_token":"u"}"#,
            Err(NotJson),
        ),
        (r#"{"access_token":7,"token_type":"Bearer"}"#, Err(NotJson)),
        (r#"["access_token"]"#, Err(NotJson)),
        ("", Err(NotJson)),
        ("access_token=t&token_type=Bearer", Err(NotJson)),
        (
            r#"{"access_token":"t","token_type":"Bearer","scope":"a\"b"}"#,
            Err(BadScope),
        ),
    ];
    for (body, want) in rows {
        let got = parse_token_response(json(body)).map(|t| t.expires_in);
        match want {
            Ok(e) => assert_eq!(got.as_ref().ok(), Some(e), "{body}: {got:?}"),
            Err(m) => assert_eq!(got, Err(OAuth2Error::Malformed(*m)), "{body}"),
        }
    }
    let bad_chars = parse_token_response(json(r#"{"access_token":"t t","token_type":"Bearer"}"#));
    assert!(matches!(bad_chars, Err(OAuth2Error::InvalidInput(_))));
    let huge = format!(
        r#"{{"access_token":"t","token_type":"Bearer","x":"{}"}}"#,
        "x".repeat(70_000)
    );
    assert_eq!(
        parse_token_response(json(&huge)),
        Err(OAuth2Error::Malformed(Malformed::TooLarge))
    );
}

#[test]
fn granted_scopes_are_compared_with_the_requested() {
    let requested = [
        Scope::new("https://www.googleapis.com/auth/calendar").unwrap(),
        Scope::new("https://www.google.com/m8/feeds/").unwrap(),
    ];
    let t = parse_token_response(json(
        r#"{"access_token":"t","token_type":"Bearer","scope":"https://www.googleapis.com/auth/calendar  openid"}"#,
    ))
    .unwrap();
    assert_eq!(t.missing_scopes(&requested), vec![&requested[1]]);
    let all = parse_token_response(json(r#"{"access_token":"t","token_type":"Bearer"}"#)).unwrap();
    assert!(
        all.missing_scopes(&requested).is_empty(),
        "no scope: as requested (RFC 6749 §5.1)"
    );
}

#[test]
fn a_service_scope_grants_its_legacy_feed() {
    // Seed 001: an app that asked for the contacts feed and was granted
    // `…/auth/contacts` has what it asked for; a calendar grant does not give it.
    let requested = [Scope::new("https://www.google.com/m8/feeds/").unwrap()];
    let contacts = parse_token_response(json(
        r#"{"access_token":"t","token_type":"Bearer","scope":"https://www.googleapis.com/auth/contacts"}"#,
    ))
    .unwrap();
    assert!(contacts.missing_scopes(&requested).is_empty());
    let calendar = parse_token_response(json(
        r#"{"access_token":"t","token_type":"Bearer","scope":"https://www.googleapis.com/auth/calendar"}"#,
    ))
    .unwrap();
    assert_eq!(calendar.missing_scopes(&requested), vec![&requested[0]]);
}

#[test]
fn no_token_in_errors_or_debug() {
    let t = parse_token_response(json(
        r#"{"access_token":"CANARYaccess","token_type":"Bearer","refresh_token":"CANARYrefresh"}"#,
    ))
    .unwrap();
    assert!(!format!("{t:?}").contains("CANARY"));
    let e = parse_token_response(json(
        r#"{"access_token":"CANARY","token_type":"Bearer","access_token":"CANARY"}"#,
    ))
    .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("CANARY"));
}

#[test]
fn migration_answers() {
    use gdata_auth::oauth2::migration::parse_migration;
    let parse = |body: &str| parse_migration(json(body), "cid", 1000);
    // sms-backup-plus's reading (PROTOCOLS.md §4): a refresh token only.
    let only =
        parse(r#"{"refresh_token":"1//r","scope":"https://www.google.com/m8/feeds"}"#).unwrap();
    assert_eq!(only.access_token, None);
    assert_eq!(only.scopes, ["https://www.google.com/m8/feeds"]);
    let both = parse(
        r#"{"refresh_token":"1//r","access_token":"ya29.a","token_type":"Bearer","expires_in":10}"#,
    )
    .unwrap();
    assert_eq!(both.expires_at, Some(1010));
    assert_eq!(
        parse(r#"{"access_token":"ya29.a","token_type":"Bearer"}"#),
        Err(OAuth2Error::Malformed(Malformed::MissingField(
            "refresh_token"
        )))
    );
    assert_eq!(
        parse(&format!(r#"{{"refresh_token":"{}"}}"#, "r".repeat(513))),
        Err(OAuth2Error::TokenTooLarge {
            kind: TokenKind::RefreshToken,
            len: 513,
            limit: 512
        })
    );
    assert_eq!(
        parse(r#"{"refresh_token":"1//r","access_token":"ya29.a"}"#),
        Err(OAuth2Error::Malformed(Malformed::MissingField(
            "token_type"
        )))
    );
    assert!(matches!(
        parse_migration(
            gdata_auth::transport::HttpResponse::new(400, r#"{"error":"invalid_grant"}"#),
            "cid",
            0
        ),
        Err(OAuth2Error::ReconsentRequired(_))
    ));
}
