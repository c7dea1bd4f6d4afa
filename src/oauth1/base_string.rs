//! The RFC 5849 §3.4.1 signature base string, built from a [`Request`] and the protocol
//! parameters.
//!
//! `METHOD & enc(base-string-URI) & enc(normalized-parameters)`, where the parameters are
//! the query, the form body and the protocol parameters (`realm` and `oauth_signature`
//! excluded), each percent-encoded, sorted by encoded name then encoded value (duplicates
//! kept), and joined as `name=value` with `&` (§3.4.1.3.2).
//!
//! The request's own parameters were encoded and sorted when it was described, so signing
//! encodes only the handful of protocol parameters and merges two sorted lists: linear in
//! the number of parameters.

use crate::encoding::{encode_into, percent_encode};
use crate::request::Request;

/// Builds the base string for `request` with the protocol parameters `oauth` (decoded
/// `(name, value)` pairs; `realm` and `oauth_signature` are skipped if present).
pub fn base_string(request: &Request, oauth: &[(&str, &str)]) -> String {
    let mut out = String::new();
    write_base_string(&mut out, request, oauth);
    out
}

/// Appends the base string to `out`; see [`base_string`].
pub fn write_base_string(out: &mut String, request: &Request, oauth: &[(&str, &str)]) {
    // Encode the protocol parameters into one buffer, remembering the spans.
    let mut buf = String::with_capacity(256);
    let mut spans: Vec<(usize, usize, usize)> = Vec::with_capacity(oauth.len());
    for (name, value) in oauth {
        // RFC 5849 §3.4.1.3.1: `realm` and `oauth_signature` are not signed.
        if *name == "realm" || *name == "oauth_signature" {
            continue;
        }
        let start = buf.len();
        encode_into(&mut buf, name);
        let mid = buf.len();
        encode_into(&mut buf, value);
        spans.push((start, mid, buf.len()));
    }
    let span_str = |&(s, m, e): &(usize, usize, usize)| {
        (
            buf.get(s..m).unwrap_or_default(),
            buf.get(m..e).unwrap_or_default(),
        )
    };
    let mut protocol: Vec<(&str, &str)> = spans.iter().map(span_str).collect();
    protocol.sort_unstable();

    let params = request.encoded_params();
    let estimate = request.method().len()
        + request.base_uri().len() * 3 / 2
        + params
            .iter()
            .map(|(n, v)| n.len() + v.len() + 8)
            .sum::<usize>()
        + buf.len() * 2
        + protocol.len() * 8
        + 8;
    out.reserve(estimate);

    for c in request.method().chars() {
        out.push(c.to_ascii_uppercase());
    }
    out.push('&');
    encode_into(out, request.base_uri());
    out.push('&');

    // Merge the two sorted lists; each element is written as enc(name) %3D enc(value),
    // separated by %26 (the second encoding of `=` and `&`).
    let mut a = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .peekable();
    let mut b = protocol.iter().copied().peekable();
    let mut first = true;
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => {
                if x <= y {
                    a.next()
                } else {
                    b.next()
                }
            }
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => None,
        };
        let Some((name, value)) = next else { break };
        if !first {
            out.push_str("%26");
        }
        first = false;
        reencode_into(out, name);
        out.push_str("%3D");
        reencode_into(out, value);
    }
}

/// Encodes an already-encoded component a second time. Its bytes are unreserved or `%XX`,
/// so only `%` changes (to `%25`).
fn reencode_into(out: &mut String, encoded: &str) {
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push_str("%25");
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// The RFC 5849 §3.4.1.3.2 normalized parameter string for decoded pairs: encode, sort by
/// (name, value), join. Exposed for table tests and the diagnosis tools.
pub fn normalize_parameters<N: AsRef<str>, V: AsRef<str>>(params: &[(N, V)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(n, v)| (percent_encode(n.as_ref()), percent_encode(v.as_ref())))
        .collect();
    encoded.sort_unstable();
    let mut out = String::new();
    for (i, (n, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(n);
        out.push('=');
        out.push_str(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_3_4_1_1_example() {
        // RFC 5849 §3.4.1.1: query, form body and header parameters together.
        let req = Request::new(
            "POST",
            "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        )
        .unwrap()
        .with_form_body("c2&a3=2+q")
        .unwrap();
        let oauth = [
            ("realm", "Example"),
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("oauth_signature", "djosJKDKJSD8743243/jdk33klY="),
        ];
        assert_eq!(
            base_string(&req, &oauth),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
    }

    #[test]
    fn duplicates_sort_by_value() {
        assert_eq!(
            normalize_parameters(&[("a", "2"), ("a", "1"), ("A", "x")]),
            "A=x&a=1&a=2"
        );
    }
}
