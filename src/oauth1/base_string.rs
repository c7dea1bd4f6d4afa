//! The RFC 5849 §3.4.1 signature base string, built from a [`Request`] and the protocol
//! parameters.
//!
//! `METHOD & enc(base-string-URI) & enc(normalized-parameters)`, where the parameters are
//! the query, the form body and the protocol parameters (`realm` and `oauth_signature`
//! excluded), each percent-encoded, sorted by encoded name then encoded value (duplicates
//! kept), and joined as `name=value` with `&` (§3.4.1.3.2).
//!
//! The request's own head and parameters were written as the base string needs them (encoded
//! twice, each with its `%26`) and sorted when it was described, and a credential joins its
//! protocol parameters when it is built, so signing copies slices: the request's parameters
//! that sort before `oauth_…`, the protocol stretch with the nonce and timestamp, the rest
//! (or, when a request parameter sorts among the protocol ones, a merge of the two sorted
//! lists): linear in the number of parameters. The writer is a `BaseSink`: a `String`, or
//! the HMAC-SHA1 itself, which then never needs the string.

use crate::encoding::{encode_into, encode_twice_into, percent_encode};
use crate::request::{pair_cmp, sort_key, Request, TwiceParam, EQUALS, SEPARATOR};

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
    /// The [`sort_key`] of `enc(enc(name))`.
    key: u64,
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
        let mut this = Self {
            name: percent_encode(name),
            value: percent_encode(value),
            separated,
            value_start,
            key: 0,
        };
        this.key = sort_key(this.twice().0.as_bytes());
        this
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
        separated(&self.separated, first)
    }
}

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
    write_base_string_encoded(out, request, &pairs, None);
}

/// A protocol parameter on the signing path, encoded twice (as the base string writes it; the
/// sort keys too, since a second encoding keeps the order of the first). No `Debug`: the
/// value may be an `oauth_verifier`.
#[derive(Clone, Copy)]
pub(crate) struct ProtocolParam<'a> {
    name: &'a str,
    value: &'a str,
    /// The name's [`sort_key`].
    key: u64,
    /// How the writer writes it.
    piece: Piece<'a>,
}

/// How a protocol parameter is written into the base string.
#[derive(Clone, Copy)]
enum Piece<'a> {
    /// Name and value apart, joined by the writer.
    Parts,
    /// The whole piece, computed by the credential when it was built.
    Precomputed(&'a EncodedParam),
    /// `%26name%3D` (a constant for the per-request parameters), then the value.
    Lead(&'static str),
}

impl<'a> ProtocolParam<'a> {
    /// A parameter from its twice-encoded name and value.
    pub(crate) fn new(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            value,
            key: sort_key(name.as_bytes()),
            piece: Piece::Parts,
        }
    }

    /// A parameter whose encodings the credential computed when it was built.
    pub(crate) fn precomputed(p: &'a EncodedParam) -> Self {
        let (name, value) = p.twice();
        Self {
            name,
            value,
            key: p.key,
            piece: Piece::Precomputed(p),
        }
    }

    /// `oauth_nonce`, its value encoded twice.
    pub(crate) fn nonce(value: &'a str) -> Self {
        Self::lead("oauth_nonce", "%26oauth_nonce%3D", value)
    }

    /// `oauth_timestamp` (decimal digits: the same encoded twice).
    pub(crate) fn timestamp(value: &'a str) -> Self {
        Self::lead("oauth_timestamp", "%26oauth_timestamp%3D", value)
    }

    fn lead(name: &'static str, lead: &'static str, value: &'a str) -> Self {
        Self {
            name,
            value,
            key: sort_key(name.as_bytes()),
            piece: Piece::Lead(lead),
        }
    }

    /// Appends the parameter, preceded by `%26` unless it comes `first`.
    fn write(&self, out: &mut impl BaseSink, first: bool) {
        let separator = if first { "" } else { SEPARATOR };
        match self.piece {
            Piece::Precomputed(e) => out.put(e.piece(first)),
            Piece::Lead(lead) => {
                out.put(separated(lead, first));
                out.put(self.value);
            }
            Piece::Parts => {
                out.put(separator);
                out.put(self.name);
                out.put(EQUALS);
                out.put(self.value);
            }
        }
    }
}

/// A credential's protocol parameters for a request with a timestamp and a nonce, as the
/// base string writes them: three constant runs around the two values that change. The
/// parameters' names sort in the order they are sent (`oauth_callback` … `oauth_version`),
/// so when no request parameter sorts among them, they are one stretch of the base string.
#[derive(Clone, Default)]
pub(crate) struct ProtocolRuns {
    /// `%26[oauth_callback%3D…%26]oauth_consumer_key%3D…%26oauth_nonce%3D`.
    lead: String,
    /// `%26oauth_signature_method%3D…%26oauth_timestamp%3D`.
    mid: String,
    /// `[%26oauth_token%3D…][%26oauth_verifier%3D…][%26oauth_version%3D1.0]`.
    tail: String,
}

/// The tail may hold the verifier (a secret): wiped with the credential.
impl Drop for ProtocolRuns {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.tail);
        zeroize::Zeroize::zeroize(&mut self.lead);
    }
}

impl ProtocolRuns {
    /// The runs around the nonce and the timestamp for these parameters, in sorted order:
    /// those before `oauth_nonce`, `method`, and those after `oauth_timestamp`.
    pub(crate) fn new(
        before: &[&EncodedParam],
        method: &EncodedParam,
        after: &[&EncodedParam],
    ) -> Self {
        let mut lead = String::new();
        for p in before {
            lead.push_str(&p.separated);
        }
        lead.push_str("%26oauth_nonce%3D");
        let mut mid = method.separated.clone();
        mid.push_str("%26oauth_timestamp%3D");
        let mut tail = String::new();
        for p in after {
            tail.push_str(&p.separated);
        }
        Self { lead, mid, tail }
    }
}

/// The per-request values [`ProtocolRuns`] are written around, encoded twice.
#[derive(Clone, Copy)]
pub(crate) struct RunValues<'a> {
    /// `enc(enc(nonce))`.
    pub(crate) nonce: &'a str,
    /// The timestamp's decimal digits.
    pub(crate) timestamp: &'a str,
}

/// Orders a request parameter against a protocol parameter (§3.4.1.3.2).
fn request_vs_protocol(r: &TwiceParam<'_>, p: &ProtocolParam<'_>) -> core::cmp::Ordering {
    r.key
        .cmp(&p.key)
        .then_with(|| pair_cmp(r.pair(), (p.name, p.value)))
}

/// Where a base string is written: a `String`, or straight into a MAC (the signing hot path
/// needs the signature, not the string).
pub(crate) trait BaseSink {
    /// Appends one piece.
    fn put(&mut self, piece: &str);
    /// Room for `additional` more bytes, where the sink keeps them.
    fn reserve(&mut self, _additional: usize) {}
}

impl BaseSink for String {
    #[inline]
    fn put(&mut self, piece: &str) {
        self.push_str(piece);
    }

    fn reserve(&mut self, additional: usize) {
        String::reserve(self, additional);
    }
}

/// Writes the base string to `out`, given protocol parameters sorted by (name, value). The
/// signing hot path: the request's head and parameters were written as the base string
/// needs them, and sorted, when it was described, so this merges two sorted lists and
/// copies one slice per parameter. With `runs` (the same protocol parameters, joined when
/// the credential was built) and no request parameter sorting among them, the protocol
/// parameters are written as the five pieces of one stretch.
pub(crate) fn write_base_string_encoded(
    out: &mut impl BaseSink,
    request: &Request,
    protocol: &[ProtocolParam<'_>],
    runs: Option<(&ProtocolRuns, RunValues<'_>)>,
) {
    out.reserve(request.base_string_len() + protocol.len() * 48);
    out.put(request.base_string_head());
    if let (Some((runs, values)), Some(first), Some(last)) =
        (runs, protocol.first(), protocol.last())
    {
        // The request's parameters up to the first protocol one (the request's first on a
        // tie: equal pairs are the same bytes), then the rest must all follow the last.
        let before = request
            .params_twice()
            .take_while(|r| request_vs_protocol(r, first).is_le())
            .count();
        let mut after = request.params_twice().skip(before).peekable();
        if after
            .peek()
            .is_none_or(|r| request_vs_protocol(r, last).is_gt())
        {
            for (i, r) in request.params_twice().take(before).enumerate() {
                out.put(separated(r.separated, i == 0));
            }
            out.put(separated(&runs.lead, before == 0));
            out.put(values.nonce);
            out.put(&runs.mid);
            out.put(values.timestamp);
            out.put(&runs.tail);
            for r in after {
                out.put(r.separated);
            }
            return;
        }
    }

    // Merge the two sorted lists one parameter at a time (the request's first on a tie).
    let mut a = request.params_twice().peekable();
    let mut b = protocol.iter().peekable();
    let mut first = true;
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(r), Some(p)) => request_vs_protocol(r, p).is_le(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_a {
            if let Some(r) = a.next() {
                out.put(separated(r.separated, first));
            }
        } else if let Some(p) = b.next() {
            p.write(out, first);
        }
        first = false;
    }
}

/// `piece` (which starts with `%26`) as the base string writes it: without that separator
/// when it is the `first` pair.
fn separated(piece: &str, first: bool) -> &str {
    if first {
        piece
            .strip_prefix(SEPARATOR)
            .unwrap_or_else(|| unreachable!("every piece starts with the separator"))
    } else {
        piece
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
