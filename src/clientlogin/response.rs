//! Reading ClientLogin's answers: `Key=Value` lines (PROTOCOLS.md §1.2, §1.4) into
//! [`LoginTokens`] or the error their `Error=` code names, and a `CaptchaUrl` resolved
//! against the accounts base or refused (§1.5, SECURITY.md §3).
//!
//! Liberal where Google's libraries were (CRLF or LF, a missing last line ending, blank
//! lines), strict where safety is at stake: at most [`MAX_RESPONSE_BYTES`], UTF-8, no
//! control character inside a line, no key read here given twice, tokens that can go into a
//! header as they are, and a CAPTCHA image only from below the accounts base.

use super::error::{CaptchaUrlError, ClientLoginError, ErrorDetails, Field, ProtocolError};
use super::types::{is_token, AuthToken, CaptchaChallenge, CaptchaToken, LoginTokens};
use crate::endpoints::Endpoints;
use crate::retry::parse_retry_after;
use crate::secret::SecretString;
use crate::transport::HttpResponse;

pub use super::error::MAX_RESPONSE_BYTES;

/// The longest unknown `Error=` code repeated in [`ProtocolError::UnknownErrorCode`].
const MAX_CODE_LEN: usize = 64;

/// Splits a body into `(key, value)` lines: the `Key=Value` line format ClientLogin shares
/// with AuthSub's answers (`Token=…`, token info), to be merged into one reader in
/// `encoding` with AuthSub's.
///
/// Lines end with LF or CRLF; the last may have no ending, and blank lines are skipped (the
/// Java client trimmed the body, Python split lines). Each line is split at its **first**
/// `=` (Java, Zend, rietveld's `split("=", 1)`), so a value may hold `=` (base64 padding).
/// A line without `=` or with nothing before it, or a control character left inside a line
/// (a lone CR, NUL, …), makes the body malformed.
fn key_value_lines(body: &str) -> Result<Vec<(&str, &str)>, ProtocolError> {
    let mut out = Vec::new();
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.chars().any(char::is_control) {
            return Err(ProtocolError::ControlCharacter);
        }
        match line.split_once('=') {
            Some((key, value)) if !key.is_empty() => out.push((key, value)),
            _ => return Err(ProtocolError::NotKeyValue),
        }
    }
    Ok(out)
}

/// The lines of one answer, read by [`Field`].
struct Answer<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Answer<'a> {
    /// Size, UTF-8 and line format checked; an empty body is [`ProtocolError::Empty`].
    fn read(response: &'a HttpResponse) -> Result<Self, ProtocolError> {
        if response.body.len() > MAX_RESPONSE_BYTES {
            return Err(ProtocolError::TooLarge);
        }
        let text = core::str::from_utf8(&response.body).map_err(|_| ProtocolError::NotUtf8)?;
        let lines = key_value_lines(text)?;
        if lines.is_empty() {
            return Err(ProtocolError::Empty);
        }
        Ok(Self(lines))
    }

    /// The value of `field`, which may appear at most once.
    fn get(&self, field: Field) -> Result<Option<&'a str>, ProtocolError> {
        let mut values = self.0.iter().filter(|(k, _)| *k == field.as_str());
        let first = values.next().map(|(_, v)| *v);
        if values.next().is_some() {
            return Err(ProtocolError::Duplicate(field));
        }
        Ok(first)
    }

    /// The value of a token `field`, checked ([`ProtocolError::BadToken`]), when present.
    fn token(&self, field: Field) -> Result<Option<&'a str>, ProtocolError> {
        match self.get(field)? {
            Some(v) if is_token(v) => Ok(Some(v)),
            Some(_) => Err(ProtocolError::BadToken(field)),
            None => Ok(None),
        }
    }

    fn details(&self) -> Result<ErrorDetails, ProtocolError> {
        let mut details = ErrorDetails::new();
        if let Some(url) = self.get(Field::Url)? {
            details = details.with_url(url);
        }
        if let Some(info) = self.get(Field::Info)? {
            details = details.with_info(info);
        }
        Ok(details)
    }
}

/// Reads the answer to a login: [`LoginTokens`] from a 200, or the error its `Error=` line
/// names, with a CAPTCHA's image resolved against `endpoints`' accounts base.
///
/// * A 200 or a 403 (ClientLogin's own statuses) must be a well-formed answer: empty,
///   oversize or malformed bodies are [`ClientLoginError::Protocol`], and so is a 200
///   without `Auth` or a 403 without `Error` (GNOME libgdata's table).
/// * Another status with an `Error=` line is read the same way (a 503 that says
///   `Error=ServiceUnavailable`); without one it is [`ClientLoginError::Http`] (a proxy's
///   page, a redirect from a wrong URL), retryable when 5xx or 429.
/// * An `Error=` line wins over `Auth` (the Java client refused a login without `Auth`
///   whatever the status).
///
/// Unlike GNOME libgdata, a body whose last line has no line ending is read: Python, Java
/// and Zend all read it, and the published success vector has none (PROTOCOLS.md §7.9).
pub fn parse_login(
    endpoints: &Endpoints,
    response: &HttpResponse,
) -> Result<LoginTokens, ClientLoginError> {
    let retry_after = response.header("Retry-After").and_then(parse_retry_after);
    let own_status = matches!(response.status, 200 | 403);
    let other = || ClientLoginError::Http {
        status: response.status,
        retry_after,
    };
    let answer = match Answer::read(response) {
        Ok(answer) => answer,
        Err(e) if own_status => return Err(ClientLoginError::Protocol(e)),
        Err(_) => return Err(other()),
    };
    let code = answer
        .get(Field::Error)
        .map_err(ClientLoginError::Protocol)?;
    if let Some(code) = code {
        return Err(error_for(code, &answer, endpoints, retry_after)
            .unwrap_or_else(ClientLoginError::Protocol));
    }
    match response.status {
        200 => tokens(&answer).map_err(ClientLoginError::Protocol),
        403 => Err(ClientLoginError::Protocol(ProtocolError::MissingError)),
        _ => Err(other()),
    }
}

/// `Auth` (required), `SID` and `LSID` of a success.
fn tokens(answer: &Answer<'_>) -> Result<LoginTokens, ProtocolError> {
    let auth = AuthToken::new(
        answer
            .token(Field::Auth)?
            .ok_or(ProtocolError::MissingAuth)?,
    );
    let sid = answer.token(Field::Sid)?.map(SecretString::new);
    let lsid = answer.token(Field::Lsid)?.map(SecretString::new);
    Ok(LoginTokens::checked(auth, sid, lsid))
}

/// The error an `Error=<code>` answer names (PROTOCOLS.md §1.4), or why it cannot be read.
fn error_for(
    code: &str,
    answer: &Answer<'_>,
    endpoints: &Endpoints,
    retry_after: Option<std::time::Duration>,
) -> Result<ClientLoginError, ProtocolError> {
    let details = answer.details()?;
    Ok(match code {
        "BadAuthentication" => ClientLoginError::BadAuthentication(details),
        "NotVerified" => ClientLoginError::NotVerified(details),
        "TermsNotAgreed" => ClientLoginError::TermsNotAgreed(details),
        "CaptchaRequired" => ClientLoginError::CaptchaRequired(challenge(answer, endpoints)?),
        "Unknown" => ClientLoginError::Unknown(details),
        "AccountDeleted" => ClientLoginError::AccountDeleted(details),
        "AccountDisabled" => ClientLoginError::AccountDisabled(details),
        "AccountMigrated" => ClientLoginError::AccountMigrated(details),
        "ServiceDisabled" => ClientLoginError::ServiceDisabled(details),
        "ServiceUnavailable" => ClientLoginError::ServiceUnavailable {
            details,
            retry_after,
        },
        "" => return Err(ProtocolError::EmptyErrorCode),
        other => {
            // Repeat the code only when it is a short word, never free text from the body.
            let word =
                other.len() <= MAX_CODE_LEN && other.bytes().all(|b| b.is_ascii_alphanumeric());
            return Err(ProtocolError::UnknownErrorCode(
                word.then(|| other.to_owned()),
            ));
        }
    })
}

/// `CaptchaToken` and `CaptchaUrl` (both required), the image resolved.
fn challenge(
    answer: &Answer<'_>,
    endpoints: &Endpoints,
) -> Result<CaptchaChallenge, ProtocolError> {
    let token = answer
        .token(Field::CaptchaToken)?
        .ok_or(ProtocolError::MissingCaptchaField(Field::CaptchaToken))?;
    let url = answer
        .get(Field::CaptchaUrl)?
        .ok_or(ProtocolError::MissingCaptchaField(Field::CaptchaUrl))?;
    let image_url = resolve_captcha_url(endpoints.accounts_base(), url)
        .map_err(ProtocolError::BadCaptchaUrl)?;
    Ok(CaptchaChallenge::new(CaptchaToken::new(token), image_url)
        .with_url(answer.get(Field::Url)?.map(str::to_owned)))
}

/// Resolves a `CaptchaUrl` (`Captcha?ctoken=…`) against `base`, the accounts base with its
/// trailing `/` (PROTOCOLS.md §1.5: `https://www.google.com/accounts/` by default).
///
/// Only a relative path below the base is accepted, so the image always comes from the
/// configured Google Accounts host (SECURITY.md §3, §5.1 row 29): refused are absolute
/// URLs (any scheme), `//host`, a leading `/`, `.` and `..` segments (also as `%2e`, which
/// URL parsers read as a dot), backslashes (browsers read them as `/`), whitespace and
/// control characters (CR, LF). The result is checked once more after joining.
pub fn resolve_captcha_url(base: &str, captcha_url: &str) -> Result<String, CaptchaUrlError> {
    if captcha_url.is_empty() {
        return Err(CaptchaUrlError::Empty);
    }
    if captcha_url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(CaptchaUrlError::ControlOrWhitespace);
    }
    if captcha_url.contains('\\') {
        return Err(CaptchaUrlError::Backslash);
    }
    if captcha_url.starts_with("//") {
        return Err(CaptchaUrlError::NetworkPath);
    }
    if captcha_url.starts_with('/') {
        return Err(CaptchaUrlError::RootPath);
    }
    let path_end = captcha_url.find(['?', '#']).unwrap_or(captcha_url.len());
    let path = captcha_url.get(..path_end).unwrap_or(captcha_url);
    // RFC 3986 §4.2: a colon in the first segment makes the reference absolute.
    if path
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        return Err(CaptchaUrlError::Absolute);
    }
    let is_dot = |segment: &str| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        lower == "." || lower == ".."
    };
    if path.split('/').any(is_dot) {
        return Err(CaptchaUrlError::DotSegment);
    }
    let base_url = url::Url::parse(base).map_err(|_| CaptchaUrlError::OutsideBase)?;
    let joined = base_url
        .join(captcha_url)
        .map_err(|_| CaptchaUrlError::OutsideBase)?;
    let below = joined.scheme() == base_url.scheme()
        && joined.host_str() == base_url.host_str()
        && joined.port_or_known_default() == base_url.port_or_known_default()
        && joined.path().starts_with(base_url.path());
    if below {
        Ok(joined.into())
    } else {
        Err(CaptchaUrlError::OutsideBase)
    }
}
