//! Every input-size limit, at its edge: the input at exactly the limit passes the size check,
//! one past it is refused with the documented error (issue 15 §3). This file is the index:
//! a limit tested at its edge elsewhere is named here with the test that covers it.
//!
//! | Limit | Value | Where | Test |
//! |---|---|---|---|
//! | `encoding::MAX_LINES_BYTES` (also `authsub::flow::MAX_RESPONSE_BYTES`) | 64 KiB | `src/encoding.rs` | [`key_value_line_bodies`] |
//! | `clientlogin::MAX_RESPONSE_BYTES` | 64 KiB | `src/clientlogin/error.rs` | past: `tests/clientlogin/errors.rs` "oversize" row; at: the lines reader above |
//! | `oauth1::MAX_RESPONSE_BYTES` | 64 KiB | `src/oauth1/error.rs` | `tests/oauth1/flow_pure.rs` `exactly_the_cap_is_accepted` + `bad_token_answers` |
//! | `oauth1::header::MAX_HEADER_LEN` | 8 KiB | `src/oauth1/header.rs` | [`oauth1_header`] |
//! | `oauth1::header::MAX_HEADER_PARAMS` | 64 | `src/oauth1/header.rs` | [`oauth1_header`] |
//! | `authsub::header::MAX_HEADER_LEN` | 8 KiB | `src/authsub/header.rs` | [`authsub_header`] |
//! | `authsub::header::MAX_TOKEN_LEN` | 512 | `src/authsub/header.rs` | `tests/authsub/header.rs` `every_malformed_header_is_refused_with_its_reason` |
//! | `authsub::header::MAX_TIMESTAMP_DIGITS` | 20 | `src/authsub/header.rs` | [`authsub_header`] |
//! | `oauth2::MAX_{AUTHORIZATION_CODE,ACCESS_TOKEN,REFRESH_TOKEN}_BYTES` | 256 / 2048 / 512 | `src/oauth2/types.rs` | [`oauth2_token_sizes`] (also `tests/oauth2/responses.rs` `size_limits_at_and_over_the_edge`) |
//! | `oauth2::MAX_RESPONSE_BYTES` | 64 KiB | `src/oauth2/response.rs` | [`oauth2_answers`] |
//! | `expires_in` digits (`MAX_EXPIRES_IN_DIGITS`, private) | 12 | `src/oauth2/response.rs` | [`oauth2_answers`] |
//! | device `device_code` / `user_code` / verification URL (private consts) | 512 / 64 / 2048 | `src/oauth2/device.rs` | [`oauth2_device_answers`] |
//! | device interval digits (`MAX_SECONDS_DIGITS`, private) | 6 | `src/oauth2/device.rs` | [`oauth2_device_answers`] |
//! | `oauth2::loopback` `MAX_HEAD_BYTES` (private) | 16 KiB | `src/oauth2/loopback.rs` | `a_head_is_read_to_its_limit_and_refused_one_past` (unit test there: a raw head of 16,384 and 16,385 bytes) |
//! | `rsa_sha1::MAX_KEY_FILE_BYTES` | 64 KiB | `src/rsa_sha1.rs` | [`key_files`] |
//! | `rsa_sha1::MIN_RSA_BITS` / `MAX_RSA_BITS` | 1024 / 8192 | `src/rsa_sha1.rs` | [`key_files`]: 1024 accepted, 512 refused (fixtures); `public_key_sizes_at_and_past_both_edges` (unit test in `src/rsa_sha1.rs`): public keys of 1023, 1024, 8192 and 8193 bits |
//! | `store::FileStore::DEFAULT_MAX_BYTES` | 1 MiB | `src/store.rs` | [`file_store`] via `with_max_bytes` |
//! | `transport::TransportConfig::DEFAULT_MAX_RESPONSE_BYTES` | 1 MiB | `src/transport/mod.rs` | `tests/shared/transport.rs` `body_cap_is_enforced_while_reading` (1000/1001 with `with_max_response_bytes`) |
//! | `gadgets::MAX_SPEC_BYTES` | 256 KiB | `src/gadgets/spec.rs` | [`gadget_inputs`] |
//! | `gadgets::MAX_ANSWER_BYTES` | 2 MiB | `src/gadgets/make_request.rs` | [`gadget_inputs`] |
//! | gadget spec `MAX_DEPTH` / `MAX_SERVICES`, signed-fetch `MAX_ID_LEN` (private) | 64 / 64 / 512 | `src/gadgets/` | unit tests there: `nesting_is_accepted_to_its_limit_and_refused_one_past`, `services_are_accepted_to_their_limit_and_refused_one_past`, `ids_are_accepted_to_their_limit_and_refused_one_past` |
//! | `emulator::MAX_HEADER_BYTES` | 32 KiB | `src/emulator/http.rs` | [`emulator_request_sizes`] |
//! | `emulator::MAX_BODY_BYTES` | 64 KiB | `src/emulator/http.rs` | [`emulator_request_sizes`] |
//! | emulator `MAX_DRAIN_BYTES`, `MAX_HOST_LEN`, scope/URL/`next`/source/form caps (private) | various | `src/emulator/` | past only: `tests/shared/emulator_robustness.rs` (lying `Content-Length`, 200 KiB body) |
//!
//! Bounded tables (tokens, codes, nonces per user or client) are capacity caps, not input
//! sizes; their unit tests sit next to them in `src/emulator/*/state.rs`.

use gdata_auth::encoding::{parse_lines, EncodingError, MAX_LINES_BYTES};
use gdata_auth::transport::HttpResponse;

/// `len` bytes of `k=vvv…\n`.
fn lines_body(len: usize) -> Vec<u8> {
    let mut body = b"k=".to_vec();
    body.resize(len - 1, b'v');
    body.push(b'\n');
    body
}

#[test]
fn key_value_line_bodies() {
    let at = lines_body(MAX_LINES_BYTES);
    assert_eq!(at.len(), MAX_LINES_BYTES);
    assert_eq!(parse_lines(&at).unwrap().len(), 1);
    assert_eq!(
        parse_lines(&lines_body(MAX_LINES_BYTES + 1)),
        Err(EncodingError::TooLarge {
            limit: MAX_LINES_BYTES
        })
    );
    assert_eq!(
        gdata_auth::authsub::flow::MAX_RESPONSE_BYTES,
        MAX_LINES_BYTES,
        "AuthSub reads its answers with the lines reader"
    );
}

#[test]
fn oauth1_header() {
    use gdata_auth::oauth1::header::{parse_header, MAX_HEADER_LEN, MAX_HEADER_PARAMS};
    use gdata_auth::oauth1::HeaderError;

    // Length: one parameter padded to the exact size.
    let sized = |len: usize| {
        let head = "OAuth a=\"";
        format!("{head}{}\"", "x".repeat(len - head.len() - 1))
    };
    assert_eq!(sized(MAX_HEADER_LEN).len(), MAX_HEADER_LEN);
    assert!(parse_header(&sized(MAX_HEADER_LEN)).is_ok());
    assert_eq!(
        parse_header(&sized(MAX_HEADER_LEN + 1)),
        Err(HeaderError::TooLong)
    );

    // Parameter count.
    let params = |n: usize| {
        let list: Vec<String> = (0..n).map(|i| format!("p{i}=\"v\"")).collect();
        format!("OAuth {}", list.join(", "))
    };
    assert_eq!(
        parse_header(&params(MAX_HEADER_PARAMS))
            .unwrap()
            .params
            .len(),
        MAX_HEADER_PARAMS
    );
    assert_eq!(
        parse_header(&params(MAX_HEADER_PARAMS + 1)),
        Err(HeaderError::TooManyParameters)
    );
}

#[test]
fn authsub_header() {
    use gdata_auth::authsub::header::{
        parse_data, parse_header, MAX_HEADER_LEN, MAX_TIMESTAMP_DIGITS,
    };
    use gdata_auth::authsub::{DataError, HeaderError};

    let sized = |len: usize| {
        let head = "AuthSub token=\"a\"";
        format!("{head}{}", " ".repeat(len - head.len()))
    };
    assert_eq!(sized(MAX_HEADER_LEN).len(), MAX_HEADER_LEN);
    assert_ne!(
        parse_header(&sized(MAX_HEADER_LEN)),
        Err(HeaderError::TooLong)
    );
    assert_eq!(
        parse_header(&sized(MAX_HEADER_LEN + 1)),
        Err(HeaderError::TooLong)
    );

    let data = |digits: usize| format!("GET http://x/ 1{} n", "0".repeat(digits - 1));
    // 10^19 is the largest power of ten a u64 holds, 20 digits.
    assert_eq!(
        parse_data(&data(MAX_TIMESTAMP_DIGITS)).unwrap().timestamp,
        10_000_000_000_000_000_000
    );
    assert_eq!(
        parse_data(&data(MAX_TIMESTAMP_DIGITS + 1)).err(),
        Some(DataError::BadTimestamp)
    );
}

#[test]
fn oauth2_token_sizes() {
    use gdata_auth::oauth2::OAuth2Error;
    use gdata_auth::oauth2::{
        check_token, TokenKind, MAX_ACCESS_TOKEN_BYTES, MAX_AUTHORIZATION_CODE_BYTES,
        MAX_REFRESH_TOKEN_BYTES,
    };

    let rows = [
        (TokenKind::AuthorizationCode, MAX_AUTHORIZATION_CODE_BYTES),
        (TokenKind::AccessToken, MAX_ACCESS_TOKEN_BYTES),
        (TokenKind::RefreshToken, MAX_REFRESH_TOKEN_BYTES),
    ];
    for (kind, limit) in rows {
        assert_eq!(kind.limit(), limit, "{kind:?}");
        assert_eq!(check_token(kind, &"t".repeat(limit)), Ok(()), "{kind:?}");
        assert_eq!(
            check_token(kind, &"t".repeat(limit + 1)),
            Err(OAuth2Error::TokenTooLarge {
                kind,
                len: limit + 1,
                limit
            }),
            "{kind:?}"
        );
    }
}

/// `{json}` padded with trailing spaces to `len` bytes.
fn padded(json: &str, len: usize) -> Vec<u8> {
    let mut body = json.as_bytes().to_vec();
    body.resize(len, b' ');
    body
}

#[test]
fn oauth2_answers() {
    use gdata_auth::oauth2::{parse_token_response, Malformed, OAuth2Error, MAX_RESPONSE_BYTES};

    let json = r#"{"access_token":"a","token_type":"Bearer","expires_in":3600}"#;
    let at = padded(json, MAX_RESPONSE_BYTES);
    assert!(parse_token_response(HttpResponse::new(200, at)).is_ok());
    assert_eq!(
        parse_token_response(HttpResponse::new(200, padded(json, MAX_RESPONSE_BYTES + 1))).err(),
        Some(OAuth2Error::Malformed(Malformed::TooLarge))
    );

    // `expires_in` as a string of digits: 12 at most, leading zeros allowed.
    let expiring = |digits: usize| {
        let quoted = format!("{:0>digits$}", 3600);
        HttpResponse::new(
            200,
            format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":"{quoted}"}}"#),
        )
    };
    assert!(parse_token_response(expiring(12)).is_ok());
    assert_eq!(
        parse_token_response(expiring(13)).err(),
        Some(OAuth2Error::Malformed(Malformed::BadExpiresIn))
    );
}

#[test]
fn oauth2_device_answers() {
    use gdata_auth::oauth2::device::parse_device_code;
    use gdata_auth::oauth2::{Malformed, OAuth2Error};

    let answer = |device: usize, user: usize, url: usize, interval_digits: usize| {
        let base = "https://www.google.com/device?";
        let url = format!("{base}{}", "q".repeat(url - base.len()));
        let interval = format!("{:0>interval_digits$}", 5);
        let json = serde_json::json!({
            "device_code": "d".repeat(device),
            "user_code": "U".repeat(user),
            "verification_url": url,
            "expires_in": 1800,
            "interval": interval,
        });
        parse_device_code(HttpResponse::new(200, json.to_string()))
    };
    let missing = |f| Some(OAuth2Error::Malformed(Malformed::MissingField(f)));
    assert!(answer(512, 64, 2048, 6).is_ok());
    assert_eq!(answer(513, 64, 2048, 6).err(), missing("device_code"));
    assert_eq!(answer(512, 65, 2048, 6).err(), missing("user_code"));
    assert_eq!(answer(512, 64, 2049, 6).err(), missing("verification_url"));
    assert!(answer(512, 64, 2048, 7).is_err(), "a 7-digit interval");
}

#[test]
fn key_files() {
    use gdata_auth::rsa_sha1::{KeyError, MAX_KEY_FILE_BYTES, MIN_RSA_BITS};
    use gdata_auth::RsaSigningKey;

    let dir = tempfile::tempdir().unwrap();
    let pem = include_str!("../../fixtures/keys/rsa2048_pkcs1.pem");
    let write = |name: &str, len: u64| {
        let path = dir.path().join(name);
        let mut bytes = pem.as_bytes().to_vec();
        bytes.resize(usize::try_from(len).unwrap(), b'\n');
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let at = write("at.pem", MAX_KEY_FILE_BYTES);
    // Trailing padding makes the PEM itself unreadable; what matters is that the size check
    // lets the file through to the parser.
    assert_ne!(
        RsaSigningKey::from_pem_file(&at).err(),
        Some(KeyError::FileTooLarge)
    );
    let past = write("past.pem", MAX_KEY_FILE_BYTES + 1);
    assert_eq!(
        RsaSigningKey::from_pem_file(&past).err(),
        Some(KeyError::FileTooLarge)
    );

    // Modulus size: the smallest accepted, and a smaller one (the fixtures hold no 1023-bit
    // or 8193-bit key).
    let small =
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa1024_other.pem")).unwrap();
    assert_eq!(small.bits(), MIN_RSA_BITS);
    assert!(matches!(
        RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa512.pem")),
        Err(KeyError::Size { bits: 512 })
    ));
}

#[test]
fn file_store() {
    use gdata_auth::store::{FileStore, StoreError, StoredToken, TokenStore};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let token = StoredToken::OAuth1Access {
        consumer_key: "example.com".to_owned(),
        token: "1/t".to_owned(),
        token_secret: gdata_auth::TokenSecret::new("s"),
        scopes: vec![],
    };
    FileStore::new(&path).save("a", &token).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(FileStore::new(&path)
        .with_max_bytes(size)
        .load("a")
        .unwrap()
        .is_some());
    assert!(matches!(
        FileStore::new(&path).with_max_bytes(size - 1).load("a"),
        Err(StoreError::TooLarge { limit, .. }) if limit == size - 1
    ));
    assert_eq!(FileStore::DEFAULT_MAX_BYTES, 1024 * 1024);
}

#[test]
fn gadget_inputs() {
    use gdata_auth::gadgets::{
        GadgetSpec, MakeRequestError, MakeRequestResponse, SpecError, MAX_ANSWER_BYTES,
        MAX_SPEC_BYTES,
    };

    let spec = |len: usize| {
        let (head, tail) = ("<Module>", "</Module>");
        format!("{head}{}{tail}", " ".repeat(len - head.len() - tail.len()))
    };
    assert_eq!(spec(MAX_SPEC_BYTES).len(), MAX_SPEC_BYTES);
    assert!(!matches!(
        GadgetSpec::parse(&spec(MAX_SPEC_BYTES)),
        Err(SpecError::TooLarge { .. })
    ));
    assert!(matches!(
        GadgetSpec::parse(&spec(MAX_SPEC_BYTES + 1)),
        Err(SpecError::TooLarge { .. })
    ));

    let answer = |len: usize| " ".repeat(len);
    assert_ne!(
        MakeRequestResponse::parse(&answer(MAX_ANSWER_BYTES), "u").err(),
        Some(MakeRequestError::TooLarge)
    );
    assert_eq!(
        MakeRequestResponse::parse(&answer(MAX_ANSWER_BYTES + 1), "u").err(),
        Some(MakeRequestError::TooLarge)
    );
}

#[test]
fn emulator_request_sizes() {
    use crate::support::emulator::{quiet, raw, status_line};
    use gdata_auth::emulator::{Emulator, MAX_BODY_BYTES, MAX_HEADER_BYTES};

    let emu = Emulator::start(quiet()).unwrap();
    let addr = emu.local_addr();

    // Header fields count as name + value + 4 (": " and CRLF).
    let headers = |total: usize| {
        let fixed = "Host: x\r\nConnection: close\r\n";
        let fixed_counted = (4 + 1 + 4) + (10 + 5 + 4);
        let pad = total - fixed_counted - (5 + 4);
        format!(
            "GET /nothing/here HTTP/1.1\r\n{fixed}X-Pad: {}\r\n\r\n",
            "p".repeat(pad)
        )
    };
    let resp = raw(addr, headers(MAX_HEADER_BYTES).as_bytes());
    assert_eq!(status_line(&resp).get(..12), Some("HTTP/1.1 404"), "{resp}");
    let resp = raw(addr, headers(MAX_HEADER_BYTES + 1).as_bytes());
    assert_eq!(status_line(&resp).get(..12), Some("HTTP/1.1 431"), "{resp}");

    let body = |len: usize| {
        let mut r = format!(
            "POST /accounts/OAuthGetAccessToken HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len}\r\n\r\n"
        )
        .into_bytes();
        r.resize(r.len() + len, b'a');
        r
    };
    // At the cap the request is read and refused for what it says (unsigned), past it for
    // its size.
    let resp = raw(addr, &body(MAX_BODY_BYTES));
    assert_eq!(status_line(&resp).get(..12), Some("HTTP/1.1 400"), "{resp}");
    let resp = raw(addr, &body(MAX_BODY_BYTES + 1));
    assert_eq!(status_line(&resp).get(..12), Some("HTTP/1.1 413"), "{resp}");
}
