//! RFC 3986 percent-encoding and `application/x-www-form-urlencoded` decoding, written once
//! and used by every protocol module.
//!
//! Encoding follows RFC 5849 §3.6: UTF-8 first, then every octet outside the unreserved set
//! `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex. Decoding is strict: a `%` not
//! followed by two hex digits, or bytes that are not UTF-8, are errors, never guesses.

use thiserror::Error;

/// Why a percent-encoded or form-encoded string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncodingError {
    /// A `%` not followed by two hexadecimal digits.
    #[error("malformed percent-encoding at byte {position}")]
    BadPercentEncoding {
        /// Byte offset of the offending `%` in the input.
        position: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error("percent-decoded bytes are not valid UTF-8")]
    InvalidUtf8,
    /// A parameter that may appear once appears more than once ([`Form::single`]).
    #[error("parameter {0} appears more than once")]
    Duplicate(String),
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 §2.3 unreserved characters, as a lookup table (encoding is on the signing path).
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' || b == b'~';
        i += 1;
    }
    t
};

/// RFC 3986 §2.3 unreserved characters: the only bytes left as they are.
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Percent-encodes `input` per RFC 5849 §3.6.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    encode_into(&mut out, input);
    out
}

/// `input[from..to]`, for a non-empty run of ASCII bytes the encoders found themselves (or
/// the tail from an ASCII byte's successor): in range and on character boundaries.
#[inline]
fn run(input: &str, from: usize, to: usize) -> &str {
    input
        .get(from..to)
        .unwrap_or_else(|| unreachable!("offsets of ASCII bytes are character boundaries"))
}

/// Appends the RFC 5849 §3.6 encoding of `input` to `out`.
pub fn encode_into(out: &mut String, input: &str) {
    let bytes = input.as_bytes();
    // Most protocol values (keys, tokens, nonces, timestamps) need no escaping at all.
    let Some(first) = bytes.iter().position(|&b| !is_unreserved(b)) else {
        out.push_str(input);
        return;
    };
    out.reserve(bytes.len() + 8);
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        if is_unreserved(b) {
            continue;
        }
        // Runs of unreserved bytes are pushed as one slice. A run is ASCII, so a non-empty
        // one starts and ends on character boundaries; between the bytes of one multi-byte
        // character the run is empty and skipped.
        if start < i {
            out.push_str(run(input, start, i));
        }
        push_escaped(out, b);
        start = i + 1;
    }
    out.push_str(run(input, start, bytes.len()));
}

/// Bytes Python 2's `urllib.quote_plus` leaves as they are: `A-Z a-z 0-9 _ . -`
/// (PROTOCOLS.md §0; `~` is escaped, unlike RFC 3986).
const FORM_SAFE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_';
        i += 1;
    }
    t
};

/// Appends `input` encoded as an `application/x-www-form-urlencoded` component the way the
/// gdata-python-client encoded form bodies (`urllib.quote_plus`, PROTOCOLS.md §0): a space
/// becomes `+`, every byte outside `A-Z a-z 0-9 _ . -` becomes `%XX` with upper-case hex.
/// Used where a published vector pins that spelling (ClientLogin bodies, §7.9); every form
/// decoder reads it back.
pub fn encode_form_into(out: &mut String, input: &str) {
    for &b in input.as_bytes() {
        if FORM_SAFE[usize::from(b)] {
            // A safe byte is ASCII: one whole character.
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            push_escaped(out, b);
        }
    }
}

#[inline]
fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
}

/// Encodes an already-encoded string a second time. Its bytes are unreserved or `%XX`, so
/// only `%` changes (to `%25`).
pub fn reencode_into(out: &mut String, encoded: &str) {
    let mut start = 0;
    // A byte scan: these strings are short, where `str::find` costs more than it saves.
    for (i, b) in encoded.bytes().enumerate() {
        if b == b'%' {
            out.push_str(run(encoded, start, i));
            out.push_str("%25");
            start = i + 1;
        }
    }
    out.push_str(run(encoded, start, encoded.len()));
}

/// Decodes `%XX` escapes; `+` stays a plus sign (this is URI decoding, not form decoding).
pub fn percent_decode(input: &str) -> Result<String, EncodingError> {
    decode(input, false)
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, then `%XX`.
pub fn form_decode(input: &str) -> Result<String, EncodingError> {
    decode(input, true)
}

fn decode(input: &str, plus_is_space: bool) -> Result<String, EncodingError> {
    let bytes = input.as_bytes();
    if !bytes
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'))
    {
        return Ok(input.to_owned());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(EncodingError::BadPercentEncoding { position: i }),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| EncodingError::InvalidUtf8)
}

/// Checks that every `%` in `input` starts a well-formed `%XX` escape.
pub fn check_escapes(input: &str) -> Result<(), EncodingError> {
    let bytes = input.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(EncodingError::BadPercentEncoding { position: i });
        }
    }
    Ok(())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses an `application/x-www-form-urlencoded` string (a form body or a URL query) into
/// decoded `(name, value)` pairs, order and duplicates kept.
///
/// RFC 5849 §3.4.1.3.1: a pair without `=` is a name with an empty value; empty segments
/// (`a=1&&b=2`) carry no parameter and are skipped.
pub fn parse_form(input: &str) -> Result<Vec<(String, String)>, EncodingError> {
    let mut out = Vec::new();
    for pair in input.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((form_decode(name)?, form_decode(value)?));
    }
    Ok(out)
}

/// Decoded `application/x-www-form-urlencoded` pairs, read strictly ([`parse_form`]) and
/// zeroized when dropped: token answers and callbacks carry secrets
/// (`oauth_token_secret`, `oauth_verifier`). `Debug` shows the names only.
///
/// The one reader of key/value answers for every protocol module, the emulator and the CLI:
/// [`Form::single`] refuses a repeated name, so a provider (or whoever edits a callback URL)
/// cannot choose which copy a parser reads.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// Parses a form body or query strictly; see [`parse_form`].
    pub fn parse(input: &str) -> Result<Self, EncodingError> {
        parse_form(input).map(Self)
    }

    /// The pairs, decoded, in order, duplicates kept.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The value of the first `name` parameter.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, which may appear at most once.
    pub fn single(&self, name: &str) -> Result<Option<&str>, EncodingError> {
        let mut values = self.0.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(EncodingError::Duplicate(name.to_owned()));
        }
        Ok(first)
    }

    /// Whether any parameter is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<(String, String)>> for Form {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

impl Drop for Form {
    fn drop(&mut self) {
        for (n, v) in &mut self.0 {
            zeroize::Zeroize::zeroize(n);
            zeroize::Zeroize::zeroize(v);
        }
    }
}

impl core::fmt::Debug for Form {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

/// Serializes `(name, value)` pairs as a form body or query, with RFC 3986 encoding
/// (a space becomes `%20`, which every form decoder accepts).
pub fn form_encode<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, name.as_ref());
        out.push('=');
        encode_into(&mut out, value.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_table() {
        let rows = [
            ("abcABC123", "abcABC123"),
            ("-._~", "-._~"),
            ("%", "%25"),
            ("+", "%2B"),
            (" ", "%20"),
            ("&=*", "%26%3D%2A"),
            ("\u{80}", "%C2%80"),
            ("\u{3001}", "%E3%80%81"),
            ("/", "%2F"),
        ];
        for (input, expected) in rows {
            assert_eq!(percent_encode(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn form_encodes_as_quote_plus() {
        // PROTOCOLS.md §0 and §7.9: Python 2 `quote_plus`.
        let rows = [
            ("jo@gmail.com", "jo%40gmail.com"),
            ("test service", "test+service"),
            ("gdata.auth test", "gdata.auth+test"),
            ("a-b_c.d", "a-b_c.d"),
            ("~*+&=", "%7E%2A%2B%26%3D"),
            ("\u{e9}", "%C3%A9"),
        ];
        for (input, expected) in rows {
            let mut out = String::new();
            encode_form_into(&mut out, input);
            assert_eq!(out, expected, "input {input:?}");
            assert_eq!(form_decode(&out).as_deref(), Ok(input));
        }
    }

    #[test]
    fn decodes_table() {
        assert_eq!(percent_decode("a%20b+c").as_deref(), Ok("a b+c"));
        assert_eq!(form_decode("a%20b+c").as_deref(), Ok("a b c"));
        assert_eq!(percent_decode("%7e%7E").as_deref(), Ok("~~"));
        assert_eq!(
            percent_decode("ab%zz"),
            Err(EncodingError::BadPercentEncoding { position: 2 })
        );
        assert_eq!(
            percent_decode("%"),
            Err(EncodingError::BadPercentEncoding { position: 0 })
        );
        assert_eq!(
            percent_decode("%4"),
            Err(EncodingError::BadPercentEncoding { position: 0 })
        );
        assert_eq!(percent_decode("%FF"), Err(EncodingError::InvalidUtf8));
    }

    #[test]
    fn parses_forms() {
        let got = parse_form("c2&a3=2+q&&b=%3D%253D").unwrap();
        let want = [("c2", ""), ("a3", "2 q"), ("b", "=%3D")];
        assert_eq!(got.len(), want.len());
        for ((n, v), (wn, wv)) in got.iter().zip(want) {
            assert_eq!((n.as_str(), v.as_str()), (wn, wv));
        }
        assert!(parse_form("a=%zz").is_err());
        assert_eq!(form_encode(&[("a b", "c&d")]), "a%20b=c%26d");
    }

    #[test]
    fn form_reads_single_values_strictly() {
        let f = Form::parse("a=1&b=2&a=3").unwrap();
        assert_eq!(f.first("a"), Some("1"));
        assert_eq!(f.single("b"), Ok(Some("2")));
        assert_eq!(f.single("c"), Ok(None));
        assert_eq!(f.single("a"), Err(EncodingError::Duplicate("a".into())));
        assert!(format!("{f:?}").contains('a') && !format!("{f:?}").contains('3'));
    }
}
