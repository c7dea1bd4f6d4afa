//! Reading the token endpoint's JSON (RFC 6749 §5.1 and §5.2): a token answer checked
//! against Google's size limits (seed 001 "Token size"), `expires_in` and `token_type`
//! validated, unknown fields ignored; an error answer classified ([`OAuth2Error::classify`]).

use serde::Deserialize;
use serde_json::Value;

use super::error::{printable, EndpointError, ErrorCode, Malformed, OAuth2Error, TokenKind};
use super::types::{check_token, AccessToken, RefreshToken, TokenResponse};
use crate::transport::HttpResponse;

/// The largest token endpoint answer read, in bytes: the largest tokens and an ID token
/// fit many times over.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The longest `expires_in` accepted: ten years. Google's are an hour.
const MAX_EXPIRES_IN: u64 = 10 * 365 * 24 * 3600;
/// Longest string of digits read as `expires_in` (ten years is 9; leading zeros allowed).
const MAX_EXPIRES_IN_DIGITS: usize = 12;

/// The fields of a token answer (a refresh or a migration); serde refuses a field given
/// twice, and ignores unknown ones.
#[derive(Deserialize)]
pub(super) struct Raw {
    pub(super) access_token: Option<AccessToken>,
    pub(super) token_type: Option<String>,
    pub(super) expires_in: Option<Value>,
    pub(super) refresh_token: Option<RefreshToken>,
    pub(super) scope: Option<String>,
}

/// A 200 token answer's fields: a non-200 is its classified error, a body over
/// [`MAX_RESPONSE_BYTES`] or not JSON is [`Malformed`].
pub(super) fn read_raw(response: &HttpResponse) -> Result<Raw, OAuth2Error> {
    if response.status != 200 {
        return Err(parse_error_response(response));
    }
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(OAuth2Error::Malformed(Malformed::TooLarge));
    }
    // serde_json's messages may quote the input (a token): keep none of it.
    serde_json::from_slice(&response.body).map_err(|_| OAuth2Error::Malformed(Malformed::NotJson))
}

#[derive(Deserialize)]
struct RawError {
    error: Option<String>,
    error_subtype: Option<String>,
    error_description: Option<String>,
}

/// A count of seconds as servers send it: a JSON whole number, or a string of at most
/// `max_digits` digits (some servers quote it); `None` for anything else.
pub(super) fn whole_seconds(value: &Value, max_digits: usize) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s)
            if !s.is_empty() && s.len() <= max_digits && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    }
}

/// `expires_in`: [`whole_seconds`], at most ten years.
fn expires_in(value: &Value) -> Result<u64, OAuth2Error> {
    whole_seconds(value, MAX_EXPIRES_IN_DIGITS)
        .filter(|s| *s <= MAX_EXPIRES_IN)
        .ok_or(OAuth2Error::Malformed(Malformed::BadExpiresIn))
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, the rule for a scope
/// sent and a scope granted alike.
pub(super) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

pub(super) fn scope_list(scope: &str) -> Result<Vec<String>, OAuth2Error> {
    let list: Vec<String> = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if list.iter().all(|s| is_scope_token(s)) {
        Ok(list)
    } else {
        Err(OAuth2Error::Malformed(Malformed::BadScope))
    }
}

/// Reads a token endpoint answer: a 200 is a [`TokenResponse`], anything else an error
/// ([`parse_error_response`]).
///
/// A 200 must carry `access_token` (≤ 2048 bytes) and `token_type` `Bearer`; a
/// `refresh_token` beyond 512 bytes is [`OAuth2Error::TokenTooLarge`], never truncated;
/// `expires_in` must be a whole number of seconds; `scope` is the granted list.
pub fn parse_token_response(response: HttpResponse) -> Result<TokenResponse, OAuth2Error> {
    let raw = read_raw(&response)?;
    let (access_token, expires_in) =
        check_access(raw.access_token, raw.token_type.as_deref(), raw.expires_in)?;
    if let Some(refresh) = &raw.refresh_token {
        check_token(TokenKind::RefreshToken, refresh.secret())?;
    }
    let scope = raw.scope.as_deref().map(scope_list).transpose()?;
    Ok(TokenResponse {
        access_token,
        expires_in,
        refresh_token: raw.refresh_token,
        scope,
    })
}

/// The access-token part of a token answer (RFC 6749 §5.1): `access_token` present and
/// within Google's limit, `token_type` present and `Bearer` (§7.1: case-insensitive),
/// `expires_in`, when given, whole seconds.
pub(crate) fn check_access(
    access_token: Option<AccessToken>,
    token_type: Option<&str>,
    expires: Option<Value>,
) -> Result<(AccessToken, Option<u64>), OAuth2Error> {
    let access_token = access_token.ok_or(OAuth2Error::Malformed(Malformed::MissingField(
        "access_token",
    )))?;
    check_token(TokenKind::AccessToken, access_token.secret())?;
    match token_type {
        None => {
            return Err(OAuth2Error::Malformed(Malformed::MissingField(
                "token_type",
            )))
        }
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err(OAuth2Error::Malformed(Malformed::UnsupportedTokenType)),
    }
    let expires_in = match expires {
        None | Some(Value::Null) => None,
        Some(v) => Some(expires_in(&v)?),
    };
    Ok((access_token, expires_in))
}

/// The most characters of a server's description or subtype kept ([`EndpointError`]).
pub(super) const MAX_DESCRIPTION_CHARS: usize = 200;

/// A description or subtype as shown ([`printable`], at most [`MAX_DESCRIPTION_CHARS`]).
pub(super) fn description(text: &str) -> String {
    printable(text, MAX_DESCRIPTION_CHARS)
}

/// Reads a non-200 answer as an [`OAuth2Error`]: Google's JSON error classified
/// ([`OAuth2Error::classify`]), or [`OAuth2Error::Http`] when the body is not one.
pub fn parse_error_response(response: &HttpResponse) -> OAuth2Error {
    let retry_after = response
        .header("Retry-After")
        .and_then(crate::retry::parse_retry_after);
    let http = OAuth2Error::Http {
        status: response.status,
        retry_after,
    };
    if response.body.len() > MAX_RESPONSE_BYTES {
        return http;
    }
    let Ok(raw) = serde_json::from_slice::<RawError>(&response.body) else {
        return http;
    };
    let Some(code) = raw.error else {
        return http;
    };
    OAuth2Error::classify(EndpointError {
        code: ErrorCode::parse(&code),
        subtype: raw.error_subtype.as_deref().map(description),
        description: raw.error_description.as_deref().map(description),
        status: response.status,
        retry_after,
    })
}
