//! The AuthSub calls a token's holder makes (PROTOCOLS.md §2.3): the single-use → session
//! upgrade (`AuthSubSessionToken`), revocation (`AuthSubRevokeToken`) and token info
//! (`AuthSubTokenInfo`).
//!
//! Each is a pure pair: `prepare_*` builds the [`HttpRequest`] (a `GET` carrying the
//! token's `Authorization: AuthSub` header, signed when secure) and `parse_*` reads the
//! [`HttpResponse`] into a typed value or a [`FlowError`]. [`session_token`], [`revoke`]
//! and [`token_info`] join each pair into a [`Call`], sent over an async or a blocking
//! transport alike.
//!
//! ```text
//! parse_reply ─► SingleUseToken ─► session_token ─► Session ─► AuthSubAuthorizer
//!                                                               ├─► token_info ─► TokenInfo
//!                                                               └─► revoke
//! ```
//!
//! Answers are `key=value` lines read by the crate's one line reader
//! ([`KeyValueLines`]: LF or CRLF, split at the first `=`, a repeated key refused, at most
//! [`MAX_RESPONSE_BYTES`]).

use super::authorizer::{AuthSubAuthorizer, Security};
use super::error::{AuthSubError, FlowError, Malformed};
use super::header::check_token;
use super::types::{Session, SessionToken, SingleUseToken, TokenInfo};
use crate::call::Call;
use crate::encoding::{EncodingError, KeyValueLines};
use crate::endpoints::Endpoints;
use crate::request::{Context, Request};
use crate::scope::Scope;
use crate::signed::prepare_signed;
use crate::transport::{HttpRequest, HttpResponse};

pub use super::error::MAX_RESPONSE_BYTES;

// ---------------------------------------------------------------------------------------
// Session upgrade.

/// Builds the `AuthSubSessionToken` call: a `GET` authorized by the single-use token,
/// signed when `security` is secure (JAVA signed the upgrade like any request).
pub fn prepare_session_token(
    endpoints: &Endpoints,
    token: &SingleUseToken,
    security: &Security,
    ctx: &Context,
) -> Result<HttpRequest, AuthSubError> {
    let auth = AuthSubAuthorizer::for_token(token.secret(), security.clone())?;
    prepare_get(endpoints.authsub_session_token(), &auth, ctx)
}

/// Reads the upgrade's answer: a `Token=` line (required, a usable token) and an optional
/// `Expiration=` line; other lines are ignored.
pub fn parse_session_token(response: &HttpResponse) -> Result<Session, FlowError> {
    let lines = success_lines(response)?;
    let token = lines
        .get("Token")
        .ok_or(FlowError::MissingParameter("Token"))?;
    check_token(token).map_err(FlowError::BadToken)?;
    let expiration = lines.get("Expiration").map(str::to_owned);
    Ok(Session::new(SessionToken::new(token), expiration))
}

/// The upgrade as a [`Call`]: [`prepare_session_token`], then [`parse_session_token`].
/// Consumes the single-use token: it is spent whatever the answer.
pub fn session_token(
    endpoints: &Endpoints,
    token: SingleUseToken,
    security: &Security,
    ctx: &Context,
) -> Call<Session, AuthSubError> {
    let request = prepare_session_token(endpoints, &token, security, ctx);
    Call::new(request, |response| Ok(parse_session_token(&response)?))
}

// ---------------------------------------------------------------------------------------
// Revocation.

/// Builds the `AuthSubRevokeToken` call, authorized (and when secure, signed) by the token
/// to revoke.
pub fn prepare_revoke(
    endpoints: &Endpoints,
    auth: &AuthSubAuthorizer,
    ctx: &Context,
) -> Result<HttpRequest, AuthSubError> {
    prepare_get(endpoints.authsub_revoke_token(), auth, ctx)
}

/// Reads the revocation answer: any 2xx is success (Google answered 200 with an empty
/// body); the body is not interpreted.
pub fn parse_revoke(response: &HttpResponse) -> Result<(), FlowError> {
    check_status(response)
}

/// Revocation as a [`Call`]: [`prepare_revoke`], then [`parse_revoke`].
pub fn revoke(
    endpoints: &Endpoints,
    auth: &AuthSubAuthorizer,
    ctx: &Context,
) -> Call<(), AuthSubError> {
    Call::new(prepare_revoke(endpoints, auth, ctx), |response| {
        Ok(parse_revoke(&response)?)
    })
}

// ---------------------------------------------------------------------------------------
// Token info.

/// Builds the `AuthSubTokenInfo` call, authorized (and when secure, signed) by the token
/// asked about.
pub fn prepare_token_info(
    endpoints: &Endpoints,
    auth: &AuthSubAuthorizer,
    ctx: &Context,
) -> Result<HttpRequest, AuthSubError> {
    prepare_get(endpoints.authsub_token_info(), auth, ctx)
}

/// Reads the token-info answer: `Target=`, `Scope=` (one or more scopes, space-separated)
/// and `Secure=` (`true` or `false`, in any case, as Java's `Boolean.parseBoolean` read it)
/// lines, all three required; other lines are ignored.
pub fn parse_token_info(response: &HttpResponse) -> Result<TokenInfo, FlowError> {
    let lines = success_lines(response)?;
    let required = |key: &'static str| lines.get(key).ok_or(FlowError::MissingParameter(key));
    let target = required("Target")?;
    let scopes = match Scope::parse_list(required("Scope")?) {
        Ok(scopes) if !scopes.is_empty() => scopes,
        _ => return Err(FlowError::Malformed(Malformed::BadScope)),
    };
    let secure = match required("Secure")? {
        s if s.eq_ignore_ascii_case("true") => true,
        s if s.eq_ignore_ascii_case("false") => false,
        _ => return Err(FlowError::Malformed(Malformed::BadSecureFlag)),
    };
    Ok(TokenInfo::new(target, scopes, secure))
}

/// Token info as a [`Call`]: [`prepare_token_info`], then [`parse_token_info`].
pub fn token_info(
    endpoints: &Endpoints,
    auth: &AuthSubAuthorizer,
    ctx: &Context,
) -> Call<TokenInfo, AuthSubError> {
    Call::new(prepare_token_info(endpoints, auth, ctx), |response| {
        Ok(parse_token_info(&response)?)
    })
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// A `GET` of `url` with `auth`'s header.
fn prepare_get(
    url: &str,
    auth: &AuthSubAuthorizer,
    ctx: &Context,
) -> Result<HttpRequest, AuthSubError> {
    let request = Request::new("GET", url)?;
    Ok(prepare_signed(auth, &request, ctx)?)
}

/// Refuses a non-2xx answer and an oversize body.
fn check_status(response: &HttpResponse) -> Result<(), FlowError> {
    if !response.is_success() {
        return Err(FlowError::Http {
            status: response.status,
        });
    }
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(FlowError::ResponseTooLarge);
    }
    Ok(())
}

/// The `key=value` lines of a 2xx answer.
fn success_lines(response: &HttpResponse) -> Result<KeyValueLines, FlowError> {
    check_status(response)?;
    KeyValueLines::parse(&response.body).map_err(|e| match e {
        EncodingError::TooLarge { .. } => FlowError::ResponseTooLarge,
        EncodingError::InvalidUtf8 => FlowError::Malformed(Malformed::NotUtf8),
        EncodingError::Duplicate(key) => FlowError::DuplicateParameter(key),
        _ => FlowError::Malformed(Malformed::NotKeyValueLines),
    })
}
