//! The answers of the session upgrade, token info and revocation as tables (PROTOCOLS.md
//! §2.3), and the crate's one `key=value` line reader they share with ClientLogin: every
//! layout Google's libraries read is accepted, and every malformed, oversize or repeated
//! case is refused with its reason (SECURITY.md §5.1 rows 28, 30).

use gdata_auth::authsub::{
    parse_revoke, parse_session_token, parse_token_info, FlowError, Malformed, TokenError,
};
use gdata_auth::encoding::{parse_lines, EncodingError, KeyValueLines, MAX_LINES_BYTES};
use gdata_auth::transport::HttpResponse;
use gdata_auth::Scope;

fn ok(body: impl Into<Vec<u8>>) -> HttpResponse {
    HttpResponse::new(200, body)
}

/// A 200 answer one byte over the cap.
fn oversize() -> HttpResponse {
    ok(format!("Token=a\n{}", "x".repeat(MAX_LINES_BYTES)))
}

/// A body and the pairs read from it.
type LinesRow<'a> = (&'a [u8], &'a [(&'a str, &'a str)]);

#[test]
fn the_line_reader_is_liberal_in_layout() {
    let rows: [LinesRow; 9] = [
        (b"", &[]),
        (b"\n\r\n\n", &[]),
        (
            b"SID=a\r\nLSID=b\r\nAuth=c",
            &[("SID", "a"), ("LSID", "b"), ("Auth", "c")],
        ),
        (
            b"SID=a\nLSID=b\nAuth=c\n",
            &[("SID", "a"), ("LSID", "b"), ("Auth", "c")],
        ),
        (b"SID=a\r\nAuth=c\n", &[("SID", "a"), ("Auth", "c")]),
        // Split at the first `=`; a value may be empty or hold more.
        (b"Token==a=b=\nEmpty=", &[("Token", "=a=b="), ("Empty", "")]),
        // A line without `=` carries no pair (PY2's upgrade test starts with `Something`).
        (b"Something\nToken=x", &[("Token", "x")]),
        // Spaces are kept: the token check, not the reader, decides.
        (b"Token= x \n", &[("Token", " x ")]),
        (
            "Info=d\u{e9}j\u{e0} vu".as_bytes(),
            &[("Info", "d\u{e9}j\u{e0} vu")],
        ),
    ];
    for (body, want) in rows {
        let got = parse_lines(body).unwrap();
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(body));
    }
    let lines = KeyValueLines::parse(b"Token=a\nEXPIRATION=b").unwrap();
    assert_eq!(
        (lines.get("token"), lines.get("Expiration")),
        (Some("a"), Some("b"))
    );
    assert_eq!(
        (lines.len(), lines.is_empty(), lines.get("SID")),
        (2, false, None)
    );
    assert_eq!(lines.pairs()[0], ("Token".to_owned(), "a".to_owned()));
    let exactly_at_cap = vec![b'a'; MAX_LINES_BYTES];
    assert!(parse_lines(&exactly_at_cap).unwrap().is_empty());
}

#[test]
fn the_line_reader_is_strict_where_safety_is_at_stake() {
    let big = vec![b'a'; MAX_LINES_BYTES + 1];
    let rows: [(&[u8], EncodingError); 11] = [
        (
            &big,
            EncodingError::TooLarge {
                limit: MAX_LINES_BYTES,
            },
        ),
        // A CR alone ends no line, even the last.
        (
            b"SID=a\r\nAuth=b\r",
            EncodingError::ControlCharacter { line: 2 },
        ),
        (b"Auth=a\xff", EncodingError::InvalidUtf8),
        (b"Auth=a\nAuth=b", EncodingError::Duplicate("Auth".into())),
        (b"Auth=a\nauth=a", EncodingError::Duplicate("auth".into())),
        (
            b"Auth=a\r\nSID=b\r\nAUTH=c",
            EncodingError::Duplicate("AUTH".into()),
        ),
        (
            b"Auth=a\rSID=b",
            EncodingError::ControlCharacter { line: 1 },
        ),
        (
            b"SID=b\nAuth=a\r\r\n",
            EncodingError::ControlCharacter { line: 2 },
        ),
        (b"Auth=a\tb", EncodingError::ControlCharacter { line: 1 }),
        (b"Auth=a\0", EncodingError::ControlCharacter { line: 1 }),
        (b"SID=a\n\n=b", EncodingError::EmptyKey { line: 3 }),
    ];
    for (body, want) in rows {
        assert_eq!(
            parse_lines(body),
            Err(want.clone()),
            "{:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(KeyValueLines::parse(body), Err(want));
    }
    // Many lines cost no more than their length (duplicates are found through a set).
    let many: String = (0..5_000).map(|i| format!("k{i}=v\n")).collect();
    assert!(many.len() <= MAX_LINES_BYTES);
    assert_eq!(parse_lines(many.as_bytes()).unwrap().len(), 5_000);
}

#[test]
fn session_answers_give_the_token() {
    let rows: [(&str, &str, Option<&str>); 5] = [
        // PY2 `gauth_test.py` (PROTOCOLS.md §2.3): a leading line without `=`.
        (
            "Something\nToken=DQAA...7DCTN\nExpiration=20061004T123456Z\n",
            "DQAA...7DCTN",
            Some("20061004T123456Z"),
        ),
        // PY1 (the vector `authsub-token-from-body`): CRLF, no final line ending.
        (
            "Token=DQAA...7DCTN\r\nExpiration=20061004T123456Z",
            "DQAA...7DCTN",
            Some("20061004T123456Z"),
        ),
        // PY2 `_upgrade_token('Token=456def')` (PROTOCOLS.md §7.2): no expiry.
        ("Token=456def", "456def", None),
        // JAVA lower-cased the keys, so it read any case.
        ("token=456def\nexpiration=x", "456def", Some("x")),
        ("Token=1/a=b\nOther=ignored", "1/a=b", None),
    ];
    for (body, token, expiration) in rows {
        let session = parse_session_token(&ok(body)).unwrap_or_else(|e| panic!("{body:?}: {e}"));
        assert_eq!(session.token().secret(), token, "{body:?}");
        assert_eq!(session.expiration(), expiration, "{body:?}");
    }
    for status in [200, 201, 204] {
        assert!(parse_session_token(&HttpResponse::new(status, "Token=a")).is_ok());
    }
}

#[test]
fn session_answers_are_refused_with_their_reason() {
    let long = format!("Token={}", "t".repeat(513));
    let rows: Vec<(HttpResponse, FlowError)> = vec![
        (
            HttpResponse::new(403, "Token=a"),
            FlowError::Http { status: 403 },
        ),
        (
            HttpResponse::new(401, "Error=TokenInvalid"),
            FlowError::Http { status: 401 },
        ),
        (HttpResponse::new(302, ""), FlowError::Http { status: 302 }),
        (HttpResponse::new(500, ""), FlowError::Http { status: 500 }),
        (oversize(), FlowError::ResponseTooLarge),
        (
            ok(b"Token=a\xff".to_vec()),
            FlowError::Malformed(Malformed::NotUtf8),
        ),
        (
            ok("Token=a\rb"),
            FlowError::Malformed(Malformed::NotKeyValueLines),
        ),
        (
            ok("=a\nToken=b"),
            FlowError::Malformed(Malformed::NotKeyValueLines),
        ),
        (
            ok("Token=a\nToken=b"),
            FlowError::DuplicateParameter("Token".into()),
        ),
        (
            ok("Token=a\ntoken=a"),
            FlowError::DuplicateParameter("token".into()),
        ),
        (
            ok("Token=a\nExpiration=x\nExpiration=y"),
            FlowError::DuplicateParameter("Expiration".into()),
        ),
        (ok(""), FlowError::MissingParameter("Token")),
        (
            ok("<html>Sign in</html>"),
            FlowError::MissingParameter("Token"),
        ),
        (
            ok("Auth=DQAAAGgAdk3fA5N"),
            FlowError::MissingParameter("Token"),
        ),
        (ok("Token="), FlowError::BadToken(TokenError::Empty)),
        (ok("Token=a b"), FlowError::BadToken(TokenError::Whitespace)),
        (ok("Token=a\"b"), FlowError::BadToken(TokenError::Quote)),
        (ok("Token=a\\b"), FlowError::BadToken(TokenError::Backslash)),
        (
            ok("Token=caf\u{e9}"),
            FlowError::BadToken(TokenError::NonAscii),
        ),
        (ok(long), FlowError::BadToken(TokenError::TooLong)),
    ];
    for (response, want) in rows {
        let what = format!("{response:?}");
        assert_eq!(parse_session_token(&response), Err(want), "{what}");
    }
}

#[test]
fn token_info_answers() {
    // ZEND `AuthSubTest.php` token-info body (PROTOCOLS.md §2.3).
    let info = parse_token_info(&ok(
        "Target=http://example.com\nScope=http://example.com\nSecure=false",
    ))
    .unwrap();
    assert_eq!(info.target(), "http://example.com");
    assert_eq!(info.scopes(), [Scope::new("http://example.com").unwrap()]);
    assert!(!info.secure());
    let info = parse_token_info(&ok(
        "Target=app.example.com\r\nScope=http://www.google.com/calendar/feeds/ https://docs.google.com/feeds/\r\nSecure=TRUE\r\n",
    ))
    .unwrap();
    assert_eq!(info.scopes().len(), 2);
    assert!(info.secure());

    // The good body with the `drop` line left out and `extra` appended.
    let base = |drop: &str, extra: Option<&str>| {
        let lines: Vec<String> = ["Target=t", "Scope=http://s/", "Secure=true"]
            .iter()
            .filter(|l| drop.is_empty() || !l.starts_with(drop))
            .map(|l| l.to_string())
            .chain(extra.map(str::to_owned))
            .collect();
        ok(lines.join("\n"))
    };
    let rows: Vec<(HttpResponse, FlowError)> = vec![
        (base("Target", None), FlowError::MissingParameter("Target")),
        (base("Scope", None), FlowError::MissingParameter("Scope")),
        (base("Secure", None), FlowError::MissingParameter("Secure")),
        (
            base("Secure", Some("Secure=yes")),
            FlowError::Malformed(Malformed::BadSecureFlag),
        ),
        (
            base("Secure", Some("Secure=")),
            FlowError::Malformed(Malformed::BadSecureFlag),
        ),
        (
            base("Secure", Some("Secure=1")),
            FlowError::Malformed(Malformed::BadSecureFlag),
        ),
        (
            base("Scope", Some("Scope=")),
            FlowError::Malformed(Malformed::BadScope),
        ),
        (
            base("Scope", Some("Scope=   ")),
            FlowError::Malformed(Malformed::BadScope),
        ),
        (
            base("", Some("Scope=http://other/")),
            FlowError::DuplicateParameter("Scope".into()),
        ),
        (
            base("", Some("target=t")),
            FlowError::DuplicateParameter("target".into()),
        ),
        (
            HttpResponse::new(401, "Target=t"),
            FlowError::Http { status: 401 },
        ),
        (oversize(), FlowError::ResponseTooLarge),
        (
            ok(b"Target=\xc3".to_vec()),
            FlowError::Malformed(Malformed::NotUtf8),
        ),
    ];
    for (response, want) in rows {
        let what = String::from_utf8_lossy(&response.body).into_owned();
        assert_eq!(parse_token_info(&response), Err(want), "{what:?}");
    }
}

#[test]
fn revoke_answers() {
    assert_eq!(parse_revoke(&ok("")), Ok(()));
    assert_eq!(parse_revoke(&ok("anything at all")), Ok(()));
    assert_eq!(parse_revoke(&HttpResponse::new(204, "")), Ok(()));
    assert_eq!(
        parse_revoke(&HttpResponse::new(403, "Token invalid")),
        Err(FlowError::Http { status: 403 })
    );
    assert_eq!(parse_revoke(&oversize()), Err(FlowError::ResponseTooLarge));
}
