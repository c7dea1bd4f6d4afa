//! The RFC 5849 §3.4.1 signature base string, built from a [`Request`] and the protocol
//! parameters.
//!
//! `METHOD & enc(base-string-URI) & enc(normalized-parameters)`, where the parameters are
//! the query, the form body and the protocol parameters (`realm` and `oauth_signature`
//! excluded), each percent-encoded, sorted by encoded name then encoded value (duplicates
//! kept), and joined as `name=value` with `&` (§3.4.1.3.2).
//!
//! The request's own parameters were encoded (once and twice) and sorted when it was
//! described, so signing encodes only the handful of protocol parameters and merges two
//! sorted lists: linear in the number of parameters.

use crate::encoding::{encode_into, encode_twice_into, percent_encode};
use crate::request::{pair_cmp, Request};

/// A parameter a credential sends with every request (consumer key, token, method, …),
/// encoded once (`name`, `value`: what the header carries) and twice (the base string's
/// form, [`EncodedParam::twice`]) when the credential is built, not on every signature.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct EncodedParam {
    /// `enc(name)`.
    pub(crate) name: String,
    /// `enc(value)`.
    pub(crate) value: String,
    /// `%26`, `enc(enc(name))`, `%3D`, `enc(enc(value))`: the pair as the base string writes
    /// it after another pair, so the writer pushes one piece per parameter.
    separated: String,
    /// Where `enc(enc(value))` starts in `separated`.
    value_start: usize,
}

/// The name only: the value may be a verifier.
impl core::fmt::Debug for EncodedParam {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncodedParam")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The value may be an `oauth_verifier` (a secret): wiped with the credential.
impl Drop for EncodedParam {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
        zeroize::Zeroize::zeroize(&mut self.separated);
    }
}

impl EncodedParam {
    /// Encodes a decoded `(name, value)` pair once and twice.
    pub(crate) fn new(name: &str, value: &str) -> Self {
        let mut separated = String::with_capacity(name.len() + value.len() * 2 + 12);
        separated.push_str(SEPARATOR);
        encode_twice_into(&mut separated, name);
        separated.push_str(EQUALS);
        let value_start = separated.len();
        encode_twice_into(&mut separated, value);
        Self {
            name: percent_encode(name),
            value: percent_encode(value),
            separated,
            value_start,
        }
    }

    /// `enc(enc(name))` and `enc(enc(value))`, the merge's sort keys.
    fn twice(&self) -> (&str, &str) {
        let name_end = self.value_start - EQUALS.len();
        match (
            self.separated.get(SEPARATOR.len()..name_end),
            self.separated.get(self.value_start..),
        ) {
            (Some(name), Some(value)) => (name, value),
            _ => unreachable!("the offsets are recorded by EncodedParam::new"),
        }
    }

    /// The pair, preceded by `%26` unless it comes first.
    fn piece(&self, first: bool) -> &str {
        if first {
            self.separated
                .strip_prefix(SEPARATOR)
                .unwrap_or_else(|| unreachable!("`separated` starts with the separator"))
        } else {
            &self.separated
        }
    }
}

/// `&` between two pairs, as the base string writes it (encoded a second time).
const SEPARATOR: &str = "%26";
/// `=` between a name and its value, as the base string writes it.
const EQUALS: &str = "%3D";

/// Builds the base string for `request` with the protocol parameters `oauth` (decoded
/// `(name, value)` pairs; `realm` and `oauth_signature` are skipped if present).
pub fn base_string(request: &Request, oauth: &[(&str, &str)]) -> String {
    let mut out = String::new();
    write_base_string(&mut out, request, oauth);
    out
}

/// Appends the base string to `out`; see [`base_string`].
pub fn write_base_string(out: &mut String, request: &Request, oauth: &[(&str, &str)]) {
    let mut encoded: Vec<(String, String)> = oauth
        .iter()
        // RFC 5849 §3.4.1.3.1: `realm` and `oauth_signature` are not signed.
        .filter(|(name, _)| *name != "realm" && *name != "oauth_signature")
        .map(|(n, v)| {
            let (mut name, mut value) = (String::new(), String::new());
            encode_twice_into(&mut name, n);
            encode_twice_into(&mut value, v);
            (name, value)
        })
        .collect();
    encoded.sort_unstable();
    let pairs: Vec<ProtocolParam<'_>> = encoded
        .iter()
        .map(|(n, v)| ProtocolParam::new(n, v))
        .collect();
    write_base_string_encoded(out, request, &pairs);
}

/// A protocol parameter on the signing path, encoded twice (as the base string writes it; the
/// sort keys too, since a second encoding keeps the order of the first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProtocolParam<'a> {
    name: &'a str,
    value: &'a str,
    /// The whole piece, when the credential computed it.
    piece: Option<&'a EncodedParam>,
}

impl<'a> ProtocolParam<'a> {
    /// A parameter from its twice-encoded name and value.
    pub(crate) fn new(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            value,
            piece: None,
        }
    }

    /// A parameter whose encodings the credential computed when it was built.
    pub(crate) fn precomputed(p: &'a EncodedParam) -> Self {
        let (name, value) = p.twice();
        Self {
            name,
            value,
            piece: Some(p),
        }
    }
}

/// Appends the base string to `out`, given protocol parameters sorted by (name, value). The
/// signing hot path: the request's parameters were encoded twice and sorted when it was
/// described, so this merges two sorted lists and copies slices.
pub(crate) fn write_base_string_encoded(
    out: &mut String,
    request: &Request,
    protocol: &[ProtocolParam<'_>],
) {
    out.reserve(request.base_string_estimate() + protocol.len() * 48);

    // RFC 5849 §3.4.1.1: the method upper-cased (the request keeps it so), and encoded
    // (§3.6) since a custom method may hold reserved characters (`A&B` must not add a third
    // `&`).
    encode_into(out, request.method());
    out.push('&');
    out.push_str(request.base_uri_encoded());
    out.push('&');

    // Merge the two sorted lists; each element is written encoded a second time, separated
    // by %26 (the second encoding of `&`).
    let mut a = request.params_twice().peekable();
    let mut b = protocol.iter().peekable();
    let mut first = true;
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some((n, v, _)), Some(p)) => {
                pair_cmp((n, v), (p.name, p.value)) != core::cmp::Ordering::Greater
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let separator = if first { "" } else { SEPARATOR };
        if take_a {
            if let Some((_, _, pair)) = a.next() {
                out.push_str(separator);
                out.push_str(pair);
            }
        } else if let Some(p) = b.next() {
            match p.piece {
                Some(e) => out.push_str(e.piece(first)),
                None => {
                    out.push_str(separator);
                    out.push_str(p.name);
                    out.push_str(EQUALS);
                    out.push_str(p.value);
                }
            }
        }
        first = false;
    }
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

/// Percent-encodes `value` into a fresh string unless it needs no escaping.
pub(crate) fn encode_cow(value: &str) -> std::borrow::Cow<'_, str> {
    if value.bytes().all(crate::encoding::is_unreserved) {
        std::borrow::Cow::Borrowed(value)
    } else {
        let mut s = String::with_capacity(value.len() + 8);
        encode_into(&mut s, value);
        std::borrow::Cow::Owned(s)
    }
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
    fn custom_methods_are_encoded() {
        let req = Request::new("a&b", "http://h/").unwrap();
        assert_eq!(base_string(&req, &[]), "A%26B&http%3A%2F%2Fh%2F&");
    }

    #[test]
    fn duplicates_sort_by_value() {
        assert_eq!(
            normalize_parameters(&[("a", "2"), ("a", "1"), ("A", "x")]),
            "A=x&a=1&a=2"
        );
    }

    #[test]
    fn protocol_params_merge_with_request_params() {
        let req = Request::new("GET", "http://h/?oauth_z=1&a=2").unwrap();
        assert_eq!(
            base_string(&req, &[("oauth_a", "x y"), ("b", "")]),
            "GET&http%3A%2F%2Fh%2F&a%3D2%26b%3D%26oauth_a%3Dx%2520y%26oauth_z%3D1"
        );
    }
}
