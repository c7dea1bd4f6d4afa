//! RFC 3986 percent-encoding, `application/x-www-form-urlencoded` decoding ([`Form`]) and
//! Google's `key=value` line bodies ([`KeyValueLines`]), written once and used by every
//! protocol module.
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
    /// A parameter that may appear once appears more than once ([`Form::single`]), or a
    /// key repeats in a `key=value` line body ([`KeyValueLines`]).
    #[error("parameter {0} appears more than once")]
    Duplicate(String),
    /// A `key=value` line body is larger than the reader's cap ([`MAX_LINES_BYTES`]).
    #[error("body exceeds {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A control character (a lone CR, NUL, tab, …) inside a line of a `key=value` body.
    #[error("control character in line {line}")]
    ControlCharacter {
        /// The line, counted from 1.
        line: usize,
    },
    /// A line of a `key=value` body starts with `=`: a value without a key.
    #[error("line {line} has an empty key")]
    EmptyKey {
        /// The line, counted from 1.
        line: usize,
    },
}

/// RFC 3986 §2.3 unreserved characters, as a lookup table (encoding is on the signing path).
// Built at compile time: every index is below 256.
#[allow(clippy::indexing_slicing)]
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
// A `u8` always indexes a 256-entry table.
#[allow(clippy::indexing_slicing)]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Percent-encodes `input` per RFC 5849 §3.6.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    encode_into(&mut out, input);
    out
}

/// Appends the RFC 5849 §3.6 encoding of `input` to `out`.
pub fn encode_into(out: &mut String, input: &str) {
    escape_into(out, input, &ESCAPED);
}

/// Appends `input` encoded twice (RFC 5849 §3.6, then again as the base string does with
/// every parameter, §3.4.1.1): in one pass, each escape `%XX` written as `%25XX`.
pub fn encode_twice_into(out: &mut String, input: &str) {
    escape_into(out, input, &ESCAPED_TWICE);
}

/// `%XX` for every byte, upper-case hex (RFC 5849 §3.6).
static ESCAPED: [&str; 256] = [
    "%00", "%01", "%02", "%03", "%04", "%05", "%06", "%07", "%08", "%09", "%0A", "%0B", "%0C",
    "%0D", "%0E", "%0F", "%10", "%11", "%12", "%13", "%14", "%15", "%16", "%17", "%18", "%19",
    "%1A", "%1B", "%1C", "%1D", "%1E", "%1F", "%20", "%21", "%22", "%23", "%24", "%25", "%26",
    "%27", "%28", "%29", "%2A", "%2B", "%2C", "%2D", "%2E", "%2F", "%30", "%31", "%32", "%33",
    "%34", "%35", "%36", "%37", "%38", "%39", "%3A", "%3B", "%3C", "%3D", "%3E", "%3F", "%40",
    "%41", "%42", "%43", "%44", "%45", "%46", "%47", "%48", "%49", "%4A", "%4B", "%4C", "%4D",
    "%4E", "%4F", "%50", "%51", "%52", "%53", "%54", "%55", "%56", "%57", "%58", "%59", "%5A",
    "%5B", "%5C", "%5D", "%5E", "%5F", "%60", "%61", "%62", "%63", "%64", "%65", "%66", "%67",
    "%68", "%69", "%6A", "%6B", "%6C", "%6D", "%6E", "%6F", "%70", "%71", "%72", "%73", "%74",
    "%75", "%76", "%77", "%78", "%79", "%7A", "%7B", "%7C", "%7D", "%7E", "%7F", "%80", "%81",
    "%82", "%83", "%84", "%85", "%86", "%87", "%88", "%89", "%8A", "%8B", "%8C", "%8D", "%8E",
    "%8F", "%90", "%91", "%92", "%93", "%94", "%95", "%96", "%97", "%98", "%99", "%9A", "%9B",
    "%9C", "%9D", "%9E", "%9F", "%A0", "%A1", "%A2", "%A3", "%A4", "%A5", "%A6", "%A7", "%A8",
    "%A9", "%AA", "%AB", "%AC", "%AD", "%AE", "%AF", "%B0", "%B1", "%B2", "%B3", "%B4", "%B5",
    "%B6", "%B7", "%B8", "%B9", "%BA", "%BB", "%BC", "%BD", "%BE", "%BF", "%C0", "%C1", "%C2",
    "%C3", "%C4", "%C5", "%C6", "%C7", "%C8", "%C9", "%CA", "%CB", "%CC", "%CD", "%CE", "%CF",
    "%D0", "%D1", "%D2", "%D3", "%D4", "%D5", "%D6", "%D7", "%D8", "%D9", "%DA", "%DB", "%DC",
    "%DD", "%DE", "%DF", "%E0", "%E1", "%E2", "%E3", "%E4", "%E5", "%E6", "%E7", "%E8", "%E9",
    "%EA", "%EB", "%EC", "%ED", "%EE", "%EF", "%F0", "%F1", "%F2", "%F3", "%F4", "%F5", "%F6",
    "%F7", "%F8", "%F9", "%FA", "%FB", "%FC", "%FD", "%FE", "%FF",
];

/// `%25XX` for every byte: the escape encoded again.
static ESCAPED_TWICE: [&str; 256] = [
    "%2500", "%2501", "%2502", "%2503", "%2504", "%2505", "%2506", "%2507", "%2508", "%2509",
    "%250A", "%250B", "%250C", "%250D", "%250E", "%250F", "%2510", "%2511", "%2512", "%2513",
    "%2514", "%2515", "%2516", "%2517", "%2518", "%2519", "%251A", "%251B", "%251C", "%251D",
    "%251E", "%251F", "%2520", "%2521", "%2522", "%2523", "%2524", "%2525", "%2526", "%2527",
    "%2528", "%2529", "%252A", "%252B", "%252C", "%252D", "%252E", "%252F", "%2530", "%2531",
    "%2532", "%2533", "%2534", "%2535", "%2536", "%2537", "%2538", "%2539", "%253A", "%253B",
    "%253C", "%253D", "%253E", "%253F", "%2540", "%2541", "%2542", "%2543", "%2544", "%2545",
    "%2546", "%2547", "%2548", "%2549", "%254A", "%254B", "%254C", "%254D", "%254E", "%254F",
    "%2550", "%2551", "%2552", "%2553", "%2554", "%2555", "%2556", "%2557", "%2558", "%2559",
    "%255A", "%255B", "%255C", "%255D", "%255E", "%255F", "%2560", "%2561", "%2562", "%2563",
    "%2564", "%2565", "%2566", "%2567", "%2568", "%2569", "%256A", "%256B", "%256C", "%256D",
    "%256E", "%256F", "%2570", "%2571", "%2572", "%2573", "%2574", "%2575", "%2576", "%2577",
    "%2578", "%2579", "%257A", "%257B", "%257C", "%257D", "%257E", "%257F", "%2580", "%2581",
    "%2582", "%2583", "%2584", "%2585", "%2586", "%2587", "%2588", "%2589", "%258A", "%258B",
    "%258C", "%258D", "%258E", "%258F", "%2590", "%2591", "%2592", "%2593", "%2594", "%2595",
    "%2596", "%2597", "%2598", "%2599", "%259A", "%259B", "%259C", "%259D", "%259E", "%259F",
    "%25A0", "%25A1", "%25A2", "%25A3", "%25A4", "%25A5", "%25A6", "%25A7", "%25A8", "%25A9",
    "%25AA", "%25AB", "%25AC", "%25AD", "%25AE", "%25AF", "%25B0", "%25B1", "%25B2", "%25B3",
    "%25B4", "%25B5", "%25B6", "%25B7", "%25B8", "%25B9", "%25BA", "%25BB", "%25BC", "%25BD",
    "%25BE", "%25BF", "%25C0", "%25C1", "%25C2", "%25C3", "%25C4", "%25C5", "%25C6", "%25C7",
    "%25C8", "%25C9", "%25CA", "%25CB", "%25CC", "%25CD", "%25CE", "%25CF", "%25D0", "%25D1",
    "%25D2", "%25D3", "%25D4", "%25D5", "%25D6", "%25D7", "%25D8", "%25D9", "%25DA", "%25DB",
    "%25DC", "%25DD", "%25DE", "%25DF", "%25E0", "%25E1", "%25E2", "%25E3", "%25E4", "%25E5",
    "%25E6", "%25E7", "%25E8", "%25E9", "%25EA", "%25EB", "%25EC", "%25ED", "%25EE", "%25EF",
    "%25F0", "%25F1", "%25F2", "%25F3", "%25F4", "%25F5", "%25F6", "%25F7", "%25F8", "%25F9",
    "%25FA", "%25FB", "%25FC", "%25FD", "%25FE", "%25FF",
];

/// Bytes Python 2's `urllib.quote_plus` leaves as they are: `A-Z a-z 0-9 _ . -`
/// (PROTOCOLS.md §0; `~` is escaped, unlike RFC 3986).
// Built at compile time: every index is below 256.
#[allow(clippy::indexing_slicing)]
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
// A `u8` always indexes a 256-entry table.
#[allow(clippy::indexing_slicing)]
pub fn encode_form_into(out: &mut String, input: &str) {
    for &b in input.as_bytes() {
        if FORM_SAFE[usize::from(b)] {
            // A safe byte is ASCII: one whole character.
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(ESCAPED[usize::from(b)]);
        }
    }
}

/// Keeps unreserved bytes and writes every other byte as its entry in `escapes`.
///
/// A byte at a time: the runs between escapes are short in URLs and parameters, where a
/// copy per run costs more than the bytes themselves.
#[inline]
// A `u8` always indexes a 256-entry table.
#[allow(clippy::indexing_slicing)]
fn escape_into(out: &mut String, input: &str, escapes: &[&str; 256]) {
    out.reserve(input.len() + 8);
    for &b in input.as_bytes() {
        if is_unreserved(b) {
            // Unreserved bytes are ASCII: the mask only tells the compiler so (a one-byte
            // character, no UTF-8 branch).
            out.push(char::from(b & 0x7f));
        } else {
            out.push_str(escapes[usize::from(b)]);
        }
    }
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
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Form(Pairs);

/// Decoded `(name, value)` pairs, zeroized when dropped, whose `Debug` shows the names
/// only: what [`Form`] and [`KeyValueLines`] hold.
#[derive(Clone, Default, PartialEq, Eq)]
struct Pairs(Vec<(String, String)>);

impl core::ops::Deref for Pairs {
    type Target = Vec<(String, String)>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Drop for Pairs {
    fn drop(&mut self) {
        for (n, v) in &mut self.0 {
            zeroize::Zeroize::zeroize(n);
            zeroize::Zeroize::zeroize(v);
        }
    }
}

impl core::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

impl Form {
    /// Parses a form body or query strictly; see [`parse_form`].
    pub fn parse(input: &str) -> Result<Self, EncodingError> {
        parse_form(input).map(|pairs| Self(Pairs(pairs)))
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
            return Err(EncodingError::Duplicate(clip(name)));
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
        Self(Pairs(pairs))
    }
}

/// The query of a URL, or a bare query (with or without its leading `?`): what follows the
/// first `?`, the fragment dropped. A URL without a query (`scheme://…`) has an empty one.
/// Callbacks and AuthSub replies are read from either form, since users paste both.
pub fn query_part(url_or_query: &str) -> &str {
    let input = url_or_query.trim();
    let input = input.split_once('#').map_or(input, |(before, _)| before);
    match input.split_once('?') {
        Some((_, query)) => query,
        // A URL without a query carries no parameters; anything else is a bare query.
        None if input.contains("://") => "",
        None => input,
    }
}

/// Whether a bare query (no `?`; [`query_part`] finds a URL's) carries a parameter `name`,
/// its name read as a server reads it: form-decoded, so `access%5Ftoken` is
/// `access_token`. A name that does not decode is not `name`.
pub fn query_has_param(query: &str, name: &str) -> bool {
    query.split('&').any(|pair| {
        let raw = pair.split_once('=').map_or(pair, |(n, _)| n);
        raw == name || form_decode(raw).is_ok_and(|n| n == name)
    })
}

/// `base` with `pairs` appended to its query (`?` or `&` as needed), RFC 3986-encoded
/// ([`form_encode`]).
pub fn url_with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::from(base);
    if !pairs.is_empty() {
        out.push(if base.contains('?') { '&' } else { '?' });
        out.push_str(&form_encode(pairs));
    }
    out
}

/// The largest `key=value` line body [`KeyValueLines::parse`] reads: Google's answers
/// (ClientLogin, AuthSub) are a few hundred bytes (SECURITY.md §5.1 row 28: 64 KiB cap).
pub const MAX_LINES_BYTES: usize = 64 * 1024;

/// A `text/plain` body of `key=value` lines, as ClientLogin and AuthSub answered
/// (PROTOCOLS.md §1.2, §2.3): `Token=…\nExpiration=…`, `SID=…\r\nLSID=…\r\nAuth=…`.
/// Zeroized when dropped (the values are tokens); `Debug` shows the keys only.
///
/// Read liberally where Google's libraries were, strictly where safety is at stake:
/// * lines end in LF or CRLF, the last one optionally (a CR alone ends nothing); empty
///   lines are skipped;
/// * each line splits at its first `=` (a value may hold more); a line without `=` carries
///   no pair and is skipped (PY2's own upgrade test body starts with one, `Something`);
/// * keys compare ASCII case-insensitively (JAVA lower-cased them), so a key repeated in any
///   case is an error ([`EncodingError::Duplicate`]): the sender cannot choose which copy a
///   reader sees;
/// * at most [`MAX_LINES_BYTES`], UTF-8, no control character inside a line (a lone CR
///   included), no empty key.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct KeyValueLines(Pairs);

impl KeyValueLines {
    /// Reads a body; see the type's documentation for the rules.
    pub fn parse(body: &[u8]) -> Result<Self, EncodingError> {
        parse_lines(body).map(|pairs| Self(Pairs(pairs)))
    }

    /// The value of `key` (ASCII case-insensitive; keys are unique).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
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

/// Reads a `key=value` line body into its pairs, in order; the rules are
/// [`KeyValueLines`]'s, which wraps the result so that it is zeroized.
pub fn parse_lines(body: &[u8]) -> Result<Vec<(String, String)>, EncodingError> {
    if body.len() > MAX_LINES_BYTES {
        return Err(EncodingError::TooLarge {
            limit: MAX_LINES_BYTES,
        });
    }
    let text = core::str::from_utf8(body).map_err(|_| EncodingError::InvalidUtf8)?;
    let mut out: Vec<(String, String)> = Vec::new();
    // Lower-cased keys seen so far: a set, so a body of many short lines costs no more than
    // its length.
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        // LF or CRLF; a CR not followed by LF stays, and is refused below.
        let line = line
            .strip_suffix("\r\n")
            .or_else(|| line.strip_suffix('\n'))
            .unwrap_or(line);
        if line.chars().any(char::is_control) {
            return Err(EncodingError::ControlCharacter { line: line_no });
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.is_empty() {
            return Err(EncodingError::EmptyKey { line: line_no });
        }
        if !seen.insert(key.to_ascii_lowercase()) {
            return Err(EncodingError::Duplicate(clip(key)));
        }
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// Text from the other side as an error or log line repeats it (a parameter name, a
/// scope): at most 64 characters of it, marked when cut.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_owned(),
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
        // A long name from the other side is repeated cut short.
        let long = "k".repeat(70_000);
        let e = Form::parse(&format!("{long}=1&{long}=2"))
            .unwrap()
            .single(&long)
            .unwrap_err();
        assert!(e.to_string().len() < 200, "{} bytes", e.to_string().len());
        assert!(format!("{f:?}").contains('a') && !format!("{f:?}").contains('3'));
    }

    #[test]
    fn query_part_reads_urls_and_bare_queries() {
        let rows = [
            ("https://h/cb?token=a&x=1#frag", "token=a&x=1"),
            ("  ?token=a\n", "token=a"),
            ("token=a", "token=a"),
            ("https://h/cb", ""),
            ("https://h/cb#token=a", ""),
        ];
        for (input, want) in rows {
            assert_eq!(query_part(input), want, "{input:?}");
        }
        assert_eq!(
            url_with_query("https://h/p", &[("a", "1 2")]),
            "https://h/p?a=1%202"
        );
        assert_eq!(
            url_with_query("https://h/p?x", &[("a", "1")]),
            "https://h/p?x&a=1"
        );
        assert_eq!(url_with_query("https://h/p", &[]), "https://h/p");
    }

    #[test]
    fn key_value_lines_read_liberally_and_strictly() {
        let l = KeyValueLines::parse(b"Something\nToken=DQ=A\r\n\nexpiration=x\n").unwrap();
        assert_eq!(l.get("token"), Some("DQ=A"));
        assert_eq!(l.get("Expiration"), Some("x"));
        assert_eq!(l.len(), 2);
        assert!(!format!("{l:?}").contains("DQ"));
        let rows: [(&[u8], EncodingError); 5] = [
            (
                b"Token=a\nTOKEN=b",
                EncodingError::Duplicate("TOKEN".into()),
            ),
            (b"Token=a\rb", EncodingError::ControlCharacter { line: 1 }),
            (b"A=1\n=b", EncodingError::EmptyKey { line: 2 }),
            (b"Token=\xff", EncodingError::InvalidUtf8),
            (
                &[b'a'; MAX_LINES_BYTES + 1],
                EncodingError::TooLarge {
                    limit: MAX_LINES_BYTES,
                },
            ),
        ];
        for (body, want) in rows {
            assert_eq!(KeyValueLines::parse(body), Err(want));
        }
    }
}
