//! Percent and form decoding (src/encoding.rs): decode ∘ encode is the identity, encoded
//! text holds only unreserved characters and upper-case escapes, form pairs survive
//! serialization, the strict readers agree with each other, and `key=value` line bodies
//! obey their documented rules.

use gdata_auth::encoding::{
    check_escapes, form_decode, form_encode, percent_decode, percent_encode, query_has_param,
    EncodingError, Form, KeyValueLines,
};
use gdata_auth::Request;

fn encoded_charset_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |x: u8| x.is_ascii_digit() || (b'A'..=b'F').contains(&x);
                if !(i + 2 < b.len() && hex(b[i + 1]) && hex(b[i + 2])) {
                    return false;
                }
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || b"-._~".contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

pub fn check(data: &[u8]) {
    let s = crate::common::text(data);

    // Encoding any text: only unreserved characters and upper-case escapes, and it decodes
    // back both ways.
    let enc = percent_encode(&s);
    assert!(encoded_charset_ok(&enc), "{enc:?}");
    assert_eq!(percent_decode(&enc).as_deref(), Ok(s.as_str()));
    assert_eq!(form_decode(&enc).as_deref(), Ok(s.as_str()));

    // Decoding: what decodes re-encodes to something that decodes to the same; a malformed
    // escape is exactly what `check_escapes` refuses.
    let pd = percent_decode(&s);
    match &pd {
        Ok(d) => assert_eq!(percent_decode(&percent_encode(d)).as_ref(), Ok(d)),
        Err(EncodingError::BadPercentEncoding { position }) => {
            assert_eq!(s.as_bytes().get(*position), Some(&b'%'));
        }
        Err(e) => assert_eq!(e, &EncodingError::InvalidUtf8),
    }
    assert_eq!(
        check_escapes(&s).is_ok(),
        !matches!(pd, Err(EncodingError::BadPercentEncoding { .. }))
    );
    if !s.contains('+') {
        assert_eq!(form_decode(&s), pd);
    }

    // Form bodies and queries.
    let form = Form::parse(&s);
    // The request description reads a form body with the same strictness.
    let described = Request::new("POST", "https://example.com/")
        .expect("a plain URL")
        .with_form_body(&s);
    assert_eq!(form.is_ok(), described.is_ok(), "{s:?}");
    if let Ok(form) = form {
        let again = Form::parse(&form_encode(form.pairs())).expect("an encoded form parses");
        // Encoding drops nothing but the empty pairs `a=1&&b` never had.
        assert_eq!(again.pairs(), form.pairs());
        for (name, _) in form.pairs() {
            assert!(form.contains(name));
            assert!(query_has_param(&s, name), "{name:?} in {s:?}");
            let count = form.pairs().iter().filter(|(n, _)| n == name).count();
            assert_eq!(form.single(name).is_err(), count > 1);
        }
    }

    // `key=value` lines, on the raw bytes.
    if let Ok(lines) = KeyValueLines::parse(data) {
        let mut keys = std::collections::HashSet::new();
        let mut body = String::new();
        for (k, v) in lines.pairs() {
            assert!(!k.is_empty());
            assert!(!k.contains('='));
            assert!(!k.chars().chain(v.chars()).any(char::is_control));
            assert!(keys.insert(k.to_ascii_lowercase()), "duplicate key {k:?}");
            assert_eq!(lines.get(&k.to_ascii_uppercase()), Some(v.as_str()));
            body.push_str(k);
            body.push('=');
            body.push_str(v);
            body.push_str("\r\n");
        }
        let again = KeyValueLines::parse(body.as_bytes()).expect("written lines parse");
        assert_eq!(again.pairs(), lines.pairs());
    }
}
