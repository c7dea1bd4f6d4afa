//! The `Authorization: AuthSub` header as tables (PROTOCOLS.md §2.4, §2.5; SECURITY.md §3):
//! every layout Google's clients sent parses, the builder writes the JAVA layout, every
//! malformed header and every unusable token is refused with its reason, and the data
//! string splits back into its four fields.

use gdata_auth::authsub::header::{
    build_header, build_secure_header, check_nonce, check_token, data_string, parse_data,
    parse_header, ParsedHeader, MAX_HEADER_LEN, MAX_TOKEN_LEN,
};
use gdata_auth::authsub::{DataError, HeaderError, HeaderParam, TokenError};
use proptest::prelude::*;

const DATA: &str =
    "GET https://www.google.com/calendar/feeds/default/private/full?x=1 1700000000 8413";
const SIG: &str = "c2lnbmF0dXJl+/==";

/// A parsed header's token, and its secure data and sig.
type Parts<'a> = (&'a str, Option<(&'a str, &'a str)>);

/// (token, secure data and sig) of a parsed header.
fn parts(h: &ParsedHeader) -> Parts<'_> {
    (
        h.token.secret(),
        h.secure.as_ref().map(|s| (s.data.as_str(), s.sig.as_str())),
    )
}

#[test]
fn every_layout_google_sent_parses() {
    let secure = Some((DATA, SIG));
    let rows: Vec<(&str, String, Parts)> = vec![
        // PY1 / PY2 non-secure: `AuthSub token=tval` (AUTHSUB_AUTH_LABEL), unquoted.
        ("PY unquoted", "AuthSub token=tval".into(), ("tval", None)),
        // JAVA / NET / ZEND non-secure: quoted.
        (
            "JAVA quoted",
            "AuthSub token=\"tval\"".into(),
            ("tval", None),
        ),
        // JAVA / NET / ZEND / PY1 secure: token, data, sig, sigalg.
        (
            "JAVA secure",
            format!("AuthSub token=\"t1\" data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\""),
            ("t1", secure),
        ),
        // PY2 `SecureAuthSubToken.modify_request`: token unquoted, sigalg before data.
        (
            "PY2 secure",
            format!("AuthSub token=t1 sigalg=\"rsa-sha1\" data=\"{DATA}\" sig=\"{SIG}\""),
            ("t1", secure),
        ),
        // Order and whitespace are free; the scheme is case-insensitive (RFC 9110 §11.1).
        (
            "any order, tabs",
            format!("authsub\tsig=\"{SIG}\"  data=\"{DATA}\"\tsigalg=\"RSA-SHA1\" token=t1 "),
            ("t1", secure),
        ),
        // PY1 `TokenFromUrl` test token `=tokenCKF50YzIH=` (PROTOCOLS.md §2.2), unquoted:
        // the value runs to the next space, `=` included.
        (
            "token with =",
            "AuthSub token==tokenCKF50YzIH=".into(),
            ("=tokenCKF50YzIH=", None),
        ),
        (
            "token of every allowed kind",
            "AuthSub token=\"1/aZ09-._~!#$%&'()*+,/:;<=>?@[]^`{|}\"".into(),
            ("1/aZ09-._~!#$%&'()*+,/:;<=>?@[]^`{|}", None),
        ),
    ];
    for (what, header, want) in rows {
        let parsed = parse_header(&header).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(parts(&parsed), want, "{what}");
    }
}

#[test]
fn the_builder_writes_the_java_layout() {
    assert_eq!(build_header("tval").unwrap(), "AuthSub token=\"tval\"");
    assert_eq!(
        build_secure_header("t1", DATA, SIG).unwrap(),
        format!("AuthSub token=\"t1\" data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\"")
    );
    let rows: [(&str, &str, &str, HeaderError); 6] = [
        ("a\"b", DATA, SIG, HeaderError::BadToken(TokenError::Quote)),
        (
            "t",
            "GET \"x\" 1 n",
            SIG,
            HeaderError::BadValue(HeaderParam::Data),
        ),
        (
            "t",
            "GET x\\ 1 n",
            SIG,
            HeaderError::BadValue(HeaderParam::Data),
        ),
        ("t", "", SIG, HeaderError::BadValue(HeaderParam::Data)),
        // PY1's `base64.encodestring` wrapped signatures at 76 characters (§2.5).
        (
            "t",
            DATA,
            "abc\ndef",
            HeaderError::BadValue(HeaderParam::Sig),
        ),
        ("t", DATA, "", HeaderError::BadValue(HeaderParam::Sig)),
    ];
    for (token, data, sig, want) in rows {
        assert_eq!(
            build_secure_header(token, data, sig),
            Err(want),
            "{token:?} {data:?} {sig:?}"
        );
    }
}

#[test]
fn every_malformed_header_is_refused_with_its_reason() {
    use HeaderError as E;
    use HeaderParam as P;
    let secure = |token: &str| {
        format!("AuthSub token={token} data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\"")
    };
    let rows: Vec<(String, HeaderError)> = vec![
        (
            format!("AuthSub token=\"{}\"", "a".repeat(MAX_HEADER_LEN)),
            E::TooLong,
        ),
        (
            "AuthSub token=\"a\r\nX-Evil: 1\"".into(),
            E::ControlCharacter,
        ),
        ("AuthSub token=\"a\0\"".into(), E::ControlCharacter),
        (
            format!("AuthSub token=t data=\"{DATA}\" sig=\"abc\ndef\" sigalg=\"rsa-sha1\""),
            E::ControlCharacter,
        ),
        ("AuthSub token=\"a\x7f\"".into(), E::ControlCharacter),
        ("Bearer tval".into(), E::NotAuthSub),
        ("OAuth token=\"tval\"".into(), E::NotAuthSub),
        ("AuthSubtoken=tval".into(), E::NotAuthSub),
        ("".into(), E::NotAuthSub),
        ("AuthSub token".into(), E::MissingEquals),
        ("AuthSub token=t realm=\"x\"".into(), E::UnknownParameter),
        ("AuthSub Token=t".into(), E::UnknownParameter),
        ("AuthSub token =t".into(), E::UnknownParameter),
        ("AuthSub token=\"abc".into(), E::Unterminated),
        ("AuthSub token=\"a\\\"b\"".into(), E::Escape),
        (
            "AuthSub token=\"a\" data=\"x\\y\" sig=\"s\" sigalg=\"rsa-sha1\"".into(),
            E::Escape,
        ),
        (
            "AuthSub token=\"a\"sigalg=\"rsa-sha1\"".into(),
            E::MissingSpace,
        ),
        ("AuthSub token=\"a\",sig=\"s\"".into(), E::MissingSpace),
        (
            format!("AuthSub token=t data=GET sig=\"{SIG}\" sigalg=\"rsa-sha1\""),
            E::Unquoted(P::Data),
        ),
        (
            format!("AuthSub token=t data=\"{DATA}\" sig={SIG} sigalg=\"rsa-sha1\""),
            E::Unquoted(P::Sig),
        ),
        (
            format!("AuthSub token=t data=\"{DATA}\" sig=\"{SIG}\" sigalg=rsa-sha1"),
            E::Unquoted(P::Sigalg),
        ),
        (
            "AuthSub token=a token=b".into(),
            E::DuplicateParameter(P::Token),
        ),
        (
            "AuthSub token=\"a\" token=\"a\"".into(),
            E::DuplicateParameter(P::Token),
        ),
        (
            format!("{} data=\"x\"", secure("t")),
            E::DuplicateParameter(P::Data),
        ),
        (
            format!("{} sig=\"x\"", secure("t")),
            E::DuplicateParameter(P::Sig),
        ),
        (
            format!("{} sigalg=\"rsa-sha1\"", secure("t")),
            E::DuplicateParameter(P::Sigalg),
        ),
        ("AuthSub".into(), E::MissingParameter(P::Token)),
        ("AuthSub   ".into(), E::MissingParameter(P::Token)),
        (
            format!("AuthSub data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"rsa-sha1\""),
            E::MissingParameter(P::Token),
        ),
        (
            format!("AuthSub token=t sig=\"{SIG}\" sigalg=\"rsa-sha1\""),
            E::MissingParameter(P::Data),
        ),
        (
            format!("AuthSub token=t data=\"{DATA}\" sigalg=\"rsa-sha1\""),
            E::MissingParameter(P::Sig),
        ),
        (
            format!("AuthSub token=t data=\"{DATA}\" sig=\"{SIG}\""),
            E::MissingParameter(P::Sigalg),
        ),
        (
            "AuthSub token=t sigalg=\"rsa-sha1\"".into(),
            E::MissingParameter(P::Data),
        ),
        // JAVA and NET also signed with DSA keys (`dsa-sha1`); only RSA is accepted.
        (
            format!("AuthSub token=t data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"dsa-sha1\""),
            E::UnsupportedSigalg,
        ),
        (
            format!("AuthSub token=t data=\"{DATA}\" sig=\"{SIG}\" sigalg=\"\""),
            E::UnsupportedSigalg,
        ),
        // Tokens that could not be carried (SECURITY.md §3, §5.1 row 30).
        ("AuthSub token=".into(), E::BadToken(TokenError::Empty)),
        ("AuthSub token=\"\"".into(), E::BadToken(TokenError::Empty)),
        ("AuthSub token=a\"b".into(), E::BadToken(TokenError::Quote)),
        (
            "AuthSub token=a\\b".into(),
            E::BadToken(TokenError::Backslash),
        ),
        (
            "AuthSub token=\"a b\"".into(),
            E::BadToken(TokenError::Whitespace),
        ),
        (
            "AuthSub token=\"a\tb\"".into(),
            E::BadToken(TokenError::ControlCharacter),
        ),
        (
            "AuthSub token=\"caf\u{e9}\"".into(),
            E::BadToken(TokenError::NonAscii),
        ),
        (
            format!("AuthSub token={}", "a".repeat(MAX_TOKEN_LEN + 1)),
            E::BadToken(TokenError::TooLong),
        ),
        (secure("\"a b\""), E::BadToken(TokenError::Whitespace)),
    ];
    for (header, want) in rows {
        assert_eq!(parse_header(&header), Err(want), "{header:?}");
    }
    // The limits themselves are accepted.
    let longest = format!("AuthSub token={}", "a".repeat(MAX_TOKEN_LEN));
    assert!(parse_header(&longest).is_ok());
}

#[test]
fn token_and_nonce_checks() {
    let tokens: [(&str, Result<(), TokenError>); 10] = [
        ("CKF50YzIHxCTKMAg", Ok(())),
        ("1/ab3cd9j4ks73hf7g=", Ok(())),
        ("", Err(TokenError::Empty)),
        ("a\"", Err(TokenError::Quote)),
        ("a\\", Err(TokenError::Backslash)),
        ("a b", Err(TokenError::Whitespace)),
        ("a\r\nb", Err(TokenError::ControlCharacter)),
        ("a\0", Err(TokenError::ControlCharacter)),
        ("\u{2028}", Err(TokenError::NonAscii)),
        ("\u{ff02}", Err(TokenError::NonAscii)),
    ];
    for (token, want) in tokens {
        assert_eq!(check_token(token), want, "{token:?}");
        assert_eq!(build_header(token).map(|_| ()), want, "{token:?}");
    }
    assert_eq!(
        check_token(&"x".repeat(MAX_TOKEN_LEN + 1)),
        Err(TokenError::TooLong)
    );
    // Nonces as Google's libraries made them (PROTOCOLS.md §0): 15 digits (PY2), an
    // unsigned 64-bit number (PY1, JAVA), up to 9 digits (ZEND), 32 hex digits (ours).
    for nonce in [
        "802571289103468",
        "18446744073709551615",
        "7",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    ] {
        assert!(check_nonce(nonce), "{nonce}");
    }
    for nonce in ["", "a b", "a\"", "a\\", "a\n", "\u{e9}"] {
        assert!(!check_nonce(nonce), "{nonce:?}");
    }
}

#[test]
fn data_strings_split_into_four_fields() {
    // The vector `authsub-data-put` (PY2 `SecureAuthSubTest.test_build_data`).
    let data = data_string("PUT", "http://example.com/foo?a=1", 1234567890, "mynonce");
    assert_eq!(data, "PUT http://example.com/foo?a=1 1234567890 mynonce");
    let ok = parse_data(&data).unwrap();
    assert_eq!(
        (ok.method, ok.url, ok.timestamp, ok.nonce),
        ("PUT", "http://example.com/foo?a=1", 1234567890, "mynonce")
    );
    // Exactly four fields, single spaces: a space, tab or control character inside the URL,
    // or a doubled space anywhere, would let two strings pass as one signed request.
    for ambiguous in [
        "GET a b 1 n",
        "GET  https://h/x 1 n",
        "GET https://h/x  1 n",
        "GET https://h/x\ty 1 n",
        "GET https://h/x\u{a0}y 1 n",
    ] {
        assert_eq!(
            parse_data(ambiguous),
            Err(DataError::NotFourFields),
            "{ambiguous:?}"
        );
    }
    // One number, one spelling.
    assert_eq!(
        parse_data("GET https://h/x 0100 n"),
        Err(DataError::BadTimestamp)
    );
    assert_eq!(parse_data("GET https://h/x 0 n").unwrap().timestamp, 0);
    assert_eq!(
        parse_data(&format!("GET u {} n", u64::MAX))
            .unwrap()
            .timestamp,
        u64::MAX
    );
    let rows: [(&str, DataError); 11] = [
        ("", DataError::NotFourFields),
        ("GET", DataError::NotFourFields),
        ("GET https://h/", DataError::NotFourFields),
        ("GET https://h/ 1", DataError::NotFourFields),
        ("GET  1 n", DataError::NotFourFields),
        (" https://h/ 1 n", DataError::NotFourFields),
        ("GET https://h/ 1 ", DataError::NotFourFields),
        ("GET https://h/ 1a n", DataError::BadTimestamp),
        ("GET https://h/ -1 n", DataError::BadTimestamp),
        ("GET https://h/ +1 n", DataError::BadTimestamp),
        (
            "GET https://h/ 18446744073709551616 n",
            DataError::BadTimestamp,
        ),
    ];
    for (data, want) in rows {
        assert_eq!(parse_data(data), Err(want), "{data:?}");
    }
}

#[test]
fn parsed_headers_redact_the_token() {
    let parsed = parse_header("AuthSub token=\"CANARY-token\"").unwrap();
    assert!(!format!("{parsed:?}").contains("CANARY"));
}

/// Printable ASCII other than space, `"` and `\`: the token charset.
fn token_strategy() -> impl Strategy<Value = String> {
    "[!#-\\[\\]-~]{1,64}"
}

proptest! {
    /// SECURITY.md §5.3: header build → parse round-trips for any token-charset value.
    #[test]
    fn build_then_parse_round_trips(token in token_strategy(), nonce in token_strategy(), ts: u64) {
        let plain = build_header(&token).unwrap();
        let parsed = parse_header(&plain).unwrap();
        prop_assert_eq!(parts(&parsed), (token.as_str(), None));
        let data = data_string("GET", "https://h/p?q=1", ts, &nonce);
        let secure = build_secure_header(&token, &data, "c2ln").unwrap();
        let parsed = parse_header(&secure).unwrap();
        prop_assert_eq!(parts(&parsed), (token.as_str(), Some((data.as_str(), "c2ln"))));
        let fields = parse_data(&data).unwrap();
        prop_assert_eq!((fields.timestamp, fields.nonce), (ts, nonce.as_str()));
    }

    /// The parser never panics, whatever it is given.
    #[test]
    fn parse_never_panics(header in "AuthSub[ -~\t\r\n\u{e9}]{0,80}") {
        let _ = parse_header(&header);
    }
}
