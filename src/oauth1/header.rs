//! The `Authorization: OAuth …` header (RFC 5849 §3.5.1): building, and a strict parser.
//!
//! Built headers are `OAuth realm="…", name="value", …` with names and values
//! percent-encoded and the realm as a plain quoted-string. The parser is strict where safety
//! is at stake: quoted values only, no escapes, no control characters, bounded size and
//! parameter count; duplicates are returned as they came so the verifier can name them.

use super::HeaderError;
use crate::encoding::{encode_into, percent_decode};

/// Largest header value the parser accepts, in bytes.
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// Most parameters the parser accepts in one header.
pub const MAX_HEADER_PARAMS: usize = 64;

/// Builds `OAuth [realm="…", ]k="v", …` from decoded pairs, in the order given.
pub fn build_header(realm: Option<&str>, params: &[(&str, &str)]) -> Result<String, HeaderError> {
    let mut out = String::with_capacity(
        16 + params
            .iter()
            .map(|(n, v)| n.len() + v.len() * 2 + 5)
            .sum::<usize>(),
    );
    write_header(&mut out, realm, params)?;
    Ok(out)
}

/// Appends the header value to `out`; see [`build_header`].
pub fn write_header(
    out: &mut String,
    realm: Option<&str>,
    params: &[(&str, &str)],
) -> Result<(), HeaderError> {
    out.push_str("OAuth ");
    let mut first = true;
    if let Some(realm) = realm {
        check_realm(realm)?;
        out.push_str("realm=\"");
        out.push_str(realm);
        out.push('"');
        first = false;
    }
    for (name, value) in params {
        // The realm has its own argument: a parameter named `realm` would be read back as it.
        if *name == "realm" {
            return Err(HeaderError::DuplicateParameter("realm".into()));
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        encode_into(out, name);
        out.push_str("=\"");
        encode_into(out, value);
        out.push('"');
    }
    Ok(())
}

/// RFC 2617 quoted-string content, restricted to what can be written without escapes:
/// printable ASCII except `"` and `\`.
pub fn check_realm(realm: &str) -> Result<(), HeaderError> {
    if realm
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        Ok(())
    } else {
        Err(HeaderError::BadRealm)
    }
}

/// A parsed `Authorization: OAuth` header. `Debug` shows parameter names only: a PLAINTEXT
/// signature is the secrets themselves.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ParsedHeader {
    /// The realm, if present (not percent-decoded: it is a plain quoted-string).
    pub realm: Option<String>,
    /// Every other parameter, decoded, in order, duplicates kept.
    pub params: Vec<(String, String)>,
}

impl core::fmt::Debug for ParsedHeader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ParsedHeader")
            .field("realm", &self.realm)
            .field(
                "params",
                &self.params.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Parses an `Authorization` header value with the `OAuth` scheme (case-insensitive).
pub fn parse_header(value: &str) -> Result<ParsedHeader, HeaderError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(HeaderError::TooLong);
    }
    if value.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
        return Err(HeaderError::ControlCharacter);
    }
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let (scheme, mut rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return Err(HeaderError::NotOAuth);
    }
    let mut out = ParsedHeader::default();
    let mut count = 0usize;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADER_PARAMS {
            return Err(HeaderError::TooManyParameters);
        }
        let (name, after) = rest.split_once('=').ok_or(HeaderError::MissingEquals)?;
        let name = name.trim_end_matches([' ', '\t']);
        if name.is_empty() || name.bytes().any(|b| b == b',' || b == b'"' || b == b' ') {
            return Err(HeaderError::BadName);
        }
        let after = after.trim_start_matches([' ', '\t']);
        let after = after.strip_prefix('"').ok_or(HeaderError::Unquoted)?;
        let (raw, after_quote) = after.split_once('"').ok_or(HeaderError::Unterminated)?;
        if raw.contains('\\') {
            return Err(HeaderError::Escape);
        }
        rest = after_quote.trim_start_matches([' ', '\t']);
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.is_empty() {
            return Err(HeaderError::MissingComma);
        }
        // Decode the name before recognising `realm`: `%72ealm` is `realm` too, and must not
        // pass as an ordinary parameter (which would then be unsigned yet reported).
        let name = percent_decode(name).map_err(|_| HeaderError::BadEncoding)?;
        if name == "realm" {
            if out.realm.is_some() {
                return Err(HeaderError::DuplicateParameter("realm".into()));
            }
            out.realm = Some(raw.to_owned());
            continue;
        }
        let value = percent_decode(raw).map_err(|_| HeaderError::BadEncoding)?;
        out.params.push((name, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_3_5_1_header() {
        let h = build_header(
            Some("http://sp.example.com/"),
            &[
                ("oauth_consumer_key", "0685bd9184jfhq22"),
                ("oauth_signature", "wOJIO9A2W5mFwDgiDvZbTSMK/PY="),
            ],
        )
        .unwrap();
        assert_eq!(
            h,
            "OAuth realm=\"http://sp.example.com/\", oauth_consumer_key=\"0685bd9184jfhq22\", \
             oauth_signature=\"wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D\""
        );
        let p = parse_header(&h).unwrap();
        assert_eq!(p.realm.as_deref(), Some("http://sp.example.com/"));
        assert_eq!(p.params[1].1, "wOJIO9A2W5mFwDgiDvZbTSMK/PY=");
    }

    #[test]
    fn parser_rejects_malformed() {
        let rows = [
            "Basic abc",
            "OAuth oauth_nonce=abc",
            "OAuth oauth_nonce=\"abc",
            "OAuth oauth_nonce=\"a\\\"b\"",
            "OAuth oauth_nonce=\"a\"\r\n, x=\"y\"",
            "OAuth oauth_nonce=\"a\0\"",
            "OAuth oauth_nonce=\"a\" oauth_token=\"b\"",
            "OAuth oauth_nonce=\"%zz\"",
            "OAuth =\"x\"",
        ];
        for row in rows {
            assert!(parse_header(row).is_err(), "{row:?} parsed");
        }
        let big = format!("OAuth a=\"{}\"", "x".repeat(MAX_HEADER_LEN));
        assert!(parse_header(&big).is_err());
        let many = (0..65)
            .map(|i| format!("p{i}=\"v\""))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(parse_header(&format!("OAuth {many}")).is_err());
    }

    #[test]
    fn an_encoded_realm_name_is_the_realm() {
        let p = parse_header("OAuth %72ealm=\"X\", oauth_nonce=\"n\"").unwrap();
        assert_eq!(p.realm.as_deref(), Some("X"));
        assert_eq!(p.params, [("oauth_nonce".to_owned(), "n".to_owned())]);
        assert!(parse_header("OAuth realm=\"a\", %72ealm=\"b\"").is_err());
    }

    #[test]
    fn debug_shows_names_only() {
        let p = parse_header("OAuth oauth_signature=\"cs%26ts\"").unwrap();
        let dbg = format!("{p:?}");
        assert!(
            dbg.contains("oauth_signature") && !dbg.contains("cs&ts"),
            "{dbg}"
        );
    }

    #[test]
    fn parser_is_liberal_in_whitespace_and_scheme_case() {
        let p = parse_header("oauth  a=\"1\",b=\"2\" ,  c = \"3\"").unwrap();
        assert_eq!(p.params.len(), 3);
        assert_eq!(p.params[2], ("c".into(), "3".into()));
        assert_eq!(parse_header("OAuth").unwrap().params.len(), 0);
    }
}
