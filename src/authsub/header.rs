//! The `Authorization: AuthSub …` header (PROTOCOLS.md §2.4, §2.5): the token check, the
//! secure data string, building, and a parser for every layout Google's clients sent.
//!
//! Built headers are the JAVA / NET / ZEND layouts: `AuthSub token="…"`, and when secure
//! `AuthSub token="…" data="METHOD URL TIMESTAMP NONCE" sig="BASE64" sigalg="rsa-sha1"`.
//! The parser is liberal where those clients were (the token quoted or not, `sigalg` before
//! or after `data`: PY1 and PY2 sent `token=…` unquoted, PY2 put `sigalg` first) and strict
//! where safety is at stake: bounded size, no control characters or escapes, no unknown or
//! repeated parameter, and tokens holding a quote, a backslash, whitespace, a control or a
//! non-ASCII character refused (SECURITY.md §3). Signing and checking live in
//! [`super::AuthSubAuthorizer`] and [`super::verifier`].

use super::error::{DataError, HeaderError, HeaderParam, TokenError};
use crate::secret::SecretString;

/// Largest header value the parser accepts, in bytes (a secure header with an 8192-bit
/// signature and a long URL fits).
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// Longest token accepted, in bytes (SECURITY.md §5.1 row 30).
pub const MAX_TOKEN_LEN: usize = 512;
/// Longest signed-data timestamp, in digits: `u64::MAX` has 20.
pub const MAX_TIMESTAMP_DIGITS: usize = 20;
/// The one `sigalg` accepted: RSA PKCS#1 v1.5 over SHA-1 (PROTOCOLS.md §2.5).
pub const SIGALG_RSA_SHA1: &str = "rsa-sha1";

/// Whether `c` may stand in a token or a nonce (printable ASCII other than space, `"` and
/// `\`), and the reason when it may not.
fn check_char(c: char) -> Result<(), TokenError> {
    match c {
        '"' => Err(TokenError::Quote),
        '\\' => Err(TokenError::Backslash),
        ' ' => Err(TokenError::Whitespace),
        c if c.is_ascii_control() => Err(TokenError::ControlCharacter),
        c if !c.is_ascii() => Err(TokenError::NonAscii),
        _ => Ok(()),
    }
}

/// Checks that `token` can be written into a header, quoted or not: 1 to
/// [`MAX_TOKEN_LEN`] bytes of printable ASCII without space, `"` or `\`.
pub fn check_token(token: &str) -> Result<(), TokenError> {
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLong);
    }
    token.chars().try_for_each(check_char)
}

/// Whether `nonce` can be the last field of the data string: non-empty printable ASCII
/// without space, `"` or `\`. Any such string is a nonce: Google's libraries sent decimal
/// numbers of different lengths (PROTOCOLS.md §0), and the data string carries it as given.
pub fn check_nonce(nonce: &str) -> bool {
    !nonce.is_empty() && nonce.chars().all(|c| check_char(c).is_ok())
}

/// The non-secure header value `AuthSub token="…"` (JAVA, NET and ZEND quote the token).
pub fn build_header(token: &str) -> Result<String, TokenError> {
    check_token(token)?;
    let mut out = String::with_capacity(token.len() + 16);
    out.push_str("AuthSub token=\"");
    out.push_str(token);
    out.push('"');
    Ok(out)
}

/// The secure header value `AuthSub token="…" data="…" sig="…" sigalg="rsa-sha1"` (the JAVA
/// / NET / ZEND layout) from a data string and its Base64 signature.
pub fn build_secure_header(token: &str, data: &str, sig: &str) -> Result<String, HeaderError> {
    let mut out = build_header(token).map_err(HeaderError::BadToken)?;
    append_secure(&mut out, data, sig)?;
    Ok(out)
}

/// Whether `value` can be written between the quotes of a header value as it is: non-empty,
/// without `"`, `\` or a control character.
pub(crate) fn quotable(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| matches!(c, '"' | '\\') || c.is_control())
}

/// Appends ` data="…" sig="…" sigalg="rsa-sha1"` to a non-secure header.
pub(crate) fn append_secure(out: &mut String, data: &str, sig: &str) -> Result<(), HeaderError> {
    if !quotable(data) {
        return Err(HeaderError::BadValue(HeaderParam::Data));
    }
    if !quotable(sig) {
        return Err(HeaderError::BadValue(HeaderParam::Sig));
    }
    out.reserve(data.len() + sig.len() + 40);
    out.push_str(" data=\"");
    out.push_str(data);
    out.push_str("\" sig=\"");
    out.push_str(sig);
    out.push_str("\" sigalg=\"");
    out.push_str(SIGALG_RSA_SHA1);
    out.push('"');
    Ok(())
}

/// The secure data string `METHOD URL TIMESTAMP NONCE`: four fields, single spaces
/// (PROTOCOLS.md §2.5). The URL is the one sent, query included; the method and nonce go in
/// as given.
pub fn data_string(method: &str, url: &str, timestamp: u64, nonce: &str) -> String {
    let timestamp = timestamp.to_string();
    let mut out =
        String::with_capacity(method.len() + url.len() + timestamp.len() + nonce.len() + 3);
    for (i, field) in [method, url, &timestamp, nonce].into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(field);
    }
    out
}

/// The fields of a data string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    /// The signed method.
    pub method: &'a str,
    /// The signed URL, query included.
    pub url: &'a str,
    /// The signed timestamp, seconds since the Unix epoch.
    pub timestamp: u64,
    /// The signed nonce, as given.
    pub nonce: &'a str,
}

/// Splits a data string into its four fields: the method up to the first space, the nonce
/// after the last, the timestamp before it, the URL in between.
pub fn parse_data(data: &str) -> Result<Data<'_>, DataError> {
    let (method, rest) = data.split_once(' ').ok_or(DataError::NotFourFields)?;
    let (rest, nonce) = rest.rsplit_once(' ').ok_or(DataError::NotFourFields)?;
    let (url, timestamp) = rest.rsplit_once(' ').ok_or(DataError::NotFourFields)?;
    // Exactly four fields separated by single spaces (PROTOCOLS.md §2.5): an empty field
    // (a doubled space) or whitespace or a control character inside the URL would let two
    // different strings pass as one signed request.
    if [method, url, timestamp, nonce].iter().any(|f| f.is_empty())
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(DataError::NotFourFields);
    }
    // u64::MAX has 20 digits; the digit check keeps `+1` out, which `parse` would take, and
    // a leading zero out, which would sign one number two ways.
    if timestamp.len() > MAX_TIMESTAMP_DIGITS
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
        || (timestamp.len() > 1 && timestamp.starts_with('0'))
    {
        return Err(DataError::BadTimestamp);
    }
    let timestamp = timestamp
        .parse::<u64>()
        .map_err(|_| DataError::BadTimestamp)?;
    Ok(Data {
        method,
        url,
        timestamp,
        nonce,
    })
}

/// A parsed `Authorization: AuthSub` header. `Debug` redacts the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHeader {
    /// The token (a credential).
    pub token: SecretString,
    /// The signed parts, when the header is secure (`sigalg` is then `rsa-sha1`).
    pub secure: Option<SecureParts>,
}

/// The signed parts of a secure header. `Debug` shows neither the data string (its URL's
/// query may carry tokens) nor the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SecureParts {
    /// `data`: `METHOD URL TIMESTAMP NONCE`, as received ([`parse_data`] splits it).
    pub data: String,
    /// `sig`: the Base64 RSA-SHA1 signature of `data`.
    pub sig: String,
}

impl core::fmt::Debug for SecureParts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureParts")
            .field(
                "data",
                &format_args!("[redacted, {} bytes]", self.data.len()),
            )
            .field("sig", &format_args!("[{} bytes]", self.sig.len()))
            .finish()
    }
}

/// Parses an `Authorization` header value with the `AuthSub` scheme (case-insensitive):
/// `token` required, quoted or not; `data`, `sig` and `sigalg` quoted, all three or none,
/// in any order; parameters separated by whitespace.
pub fn parse_header(value: &str) -> Result<ParsedHeader, HeaderError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(HeaderError::TooLong);
    }
    if value.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f) {
        return Err(HeaderError::ControlCharacter);
    }
    let value = value.trim_matches([' ', '\t']);
    let (scheme, mut rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("AuthSub") {
        return Err(HeaderError::NotAuthSub);
    }
    let (mut token, mut data, mut sig, mut sigalg) = (None, None, None, None);
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let (name, after) = rest.split_once('=').ok_or(HeaderError::MissingEquals)?;
        let param = match name {
            "token" => HeaderParam::Token,
            "data" => HeaderParam::Data,
            "sig" => HeaderParam::Sig,
            "sigalg" => HeaderParam::Sigalg,
            _ => return Err(HeaderError::UnknownParameter),
        };
        let (raw, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let (raw, after) = quoted.split_once('"').ok_or(HeaderError::Unterminated)?;
                if raw.contains('\\') {
                    return Err(HeaderError::Escape);
                }
                if !(after.is_empty() || after.starts_with([' ', '\t'])) {
                    return Err(HeaderError::MissingSpace);
                }
                (raw, after)
            }
            // PY1 and PY2 sent the token unquoted; nothing else ever was.
            None if param == HeaderParam::Token => {
                after.split_at(after.find([' ', '\t']).unwrap_or(after.len()))
            }
            None => return Err(HeaderError::Unquoted(param)),
        };
        let slot = match param {
            HeaderParam::Token => &mut token,
            HeaderParam::Data => &mut data,
            HeaderParam::Sig => &mut sig,
            HeaderParam::Sigalg => &mut sigalg,
        };
        if slot.is_some() {
            return Err(HeaderError::DuplicateParameter(param));
        }
        *slot = Some(raw);
        rest = after;
    }
    let token = token.ok_or(HeaderError::MissingParameter(HeaderParam::Token))?;
    check_token(token).map_err(HeaderError::BadToken)?;
    let secure = match (data, sig, sigalg) {
        (None, None, None) => None,
        (Some(data), Some(sig), Some(sigalg)) => {
            if !sigalg.eq_ignore_ascii_case(SIGALG_RSA_SHA1) {
                return Err(HeaderError::UnsupportedSigalg);
            }
            Some(SecureParts {
                data: data.to_owned(),
                sig: sig.to_owned(),
            })
        }
        (None, _, _) => return Err(HeaderError::MissingParameter(HeaderParam::Data)),
        (_, None, _) => return Err(HeaderError::MissingParameter(HeaderParam::Sig)),
        (_, _, None) => return Err(HeaderError::MissingParameter(HeaderParam::Sigalg)),
    };
    Ok(ParsedHeader {
        token: SecretString::new(token),
        secure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses_the_java_layout() {
        let h = build_secure_header("tok", "GET https://h/ 1 2", "c2ln").unwrap();
        assert_eq!(
            h,
            "AuthSub token=\"tok\" data=\"GET https://h/ 1 2\" sig=\"c2ln\" sigalg=\"rsa-sha1\""
        );
        let p = parse_header(&h).unwrap();
        assert_eq!(p.token.secret(), "tok");
        let s = p.secure.unwrap();
        assert_eq!(
            (s.data.as_str(), s.sig.as_str()),
            ("GET https://h/ 1 2", "c2ln")
        );
    }

    #[test]
    fn data_strings_round_trip() {
        let d = data_string("PUT", "http://example.com/foo?a=1", 1234567890, "mynonce");
        assert_eq!(d, "PUT http://example.com/foo?a=1 1234567890 mynonce");
        let p = parse_data(&d).unwrap();
        assert_eq!(p.url, "http://example.com/foo?a=1");
        assert_eq!(p.timestamp, 1234567890);
        assert_eq!(parse_data("GET  1 n"), Err(DataError::NotFourFields));
        assert_eq!(parse_data("GET u +1 n"), Err(DataError::BadTimestamp));
    }
}
