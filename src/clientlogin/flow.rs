//! The client side of ClientLogin (PROTOCOLS.md §1): log in, answer a CAPTCHA once, and
//! notice when a feed no longer accepts the token.
//!
//! Each step is a pure pair: `prepare_*` builds the [`HttpRequest`] and `parse_*` reads the
//! [`HttpResponse`]. [`login`] and [`login_with_captcha`] join a pair into a [`Call`], sent
//! over an async or a blocking transport alike; retries after `ServiceUnavailable` are the
//! caller's, with [`crate::retry::Backoff`].
//!
//! ```text
//! prepare_login ─► parse_login ─► LoginTokens ─► ClientLoginAuthorizer ─► feeds
//!                      │                                                   │ 401
//!                      └ Err(CaptchaRequired(challenge))                    ▼
//!                          user reads challenge.image_url()    parse_feed_response:
//!                          login_with_captcha(challenge, answer)   Err(TokenRejected) → log in again
//! ```
//!
//! The request body is built once, in memory that is zeroized when the request is dropped
//! ([`HttpRequest`] wipes its body): the password is copied nowhere else.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::authorizer::ClientLoginAuthorizer;
use super::error::{ClientLoginError, InputError, TokenRejection};
use super::response::{parse_login, MAX_RESPONSE_BYTES};
use super::types::{is_token, CaptchaChallenge, Credentials, LoginTokens};
use crate::call::Call;
use crate::encoding::encode_form_into;
use crate::endpoints::Endpoints;
use crate::request::Request;
use crate::transport::{HttpRequest, HttpResponse};

/// Builds the login: a `POST` of the form fields `accountType`, `Email`, `Passwd`,
/// `service`, `source` to `…/accounts/ClientLogin` (PROTOCOLS.md §1.1, Zend's field order),
/// each encoded as the Python client did (space as `+`, §7.9).
pub fn prepare_login(
    endpoints: &Endpoints,
    credentials: &Credentials,
) -> Result<HttpRequest, ClientLoginError> {
    build(endpoints, credentials, None)
}

/// Builds the login once more with the answer to `challenge`: the same fields plus
/// `logintoken` (the challenge's token) and `logincaptcha` (the answer, trimmed of the
/// whitespace copying adds). Both are always sent together, as PY2 and Zend required.
pub fn prepare_login_with_captcha(
    endpoints: &Endpoints,
    credentials: &Credentials,
    challenge: &CaptchaChallenge,
    answer: &str,
) -> Result<HttpRequest, ClientLoginError> {
    build(endpoints, credentials, Some((challenge, answer)))
}

/// A login as a [`Call`]: [`prepare_login`], then [`parse_login`].
pub fn login(
    endpoints: &Endpoints,
    credentials: &Credentials,
) -> Call<LoginTokens, ClientLoginError> {
    call(endpoints, prepare_login(endpoints, credentials))
}

/// The one retry after a CAPTCHA, as a [`Call`]: [`prepare_login_with_captcha`], then
/// [`parse_login`]. A second `CaptchaRequired` is the caller's to show; nothing here loops.
pub fn login_with_captcha(
    endpoints: &Endpoints,
    credentials: &Credentials,
    challenge: &CaptchaChallenge,
    answer: &str,
) -> Call<LoginTokens, ClientLoginError> {
    call(
        endpoints,
        prepare_login_with_captcha(endpoints, credentials, challenge, answer),
    )
}

/// A prepared login and its reader. The reader holds the endpoints (for the CAPTCHA
/// base), never the credentials.
pub(crate) fn call(
    endpoints: &Endpoints,
    request: Result<HttpRequest, ClientLoginError>,
) -> Call<LoginTokens, ClientLoginError> {
    let endpoints = endpoints.clone();
    Call::new(request, move |response| parse_login(&endpoints, &response))
}

fn build(
    endpoints: &Endpoints,
    credentials: &Credentials,
    captcha: Option<(&CaptchaChallenge, &str)>,
) -> Result<HttpRequest, ClientLoginError> {
    let refuse = |e| Err(ClientLoginError::InvalidInput(e));
    let password = credentials.password().secret();
    let service = credentials.service().code();
    if credentials.email().is_empty() {
        return refuse(InputError::EmptyEmail);
    }
    if password.is_empty() {
        return refuse(InputError::EmptyPassword);
    }
    if service.is_empty() {
        return refuse(InputError::EmptyService);
    }
    if credentials.source().is_empty() {
        return refuse(InputError::EmptySource);
    }
    let mut fields: Vec<(&str, &str)> = vec![
        ("accountType", credentials.account_type().as_str()),
        ("Email", credentials.email()),
        ("Passwd", password),
        ("service", service),
        ("source", credentials.source()),
    ];
    if let Some((challenge, answer)) = captcha {
        let answer = answer.trim();
        if answer.is_empty() {
            return refuse(InputError::EmptyCaptchaAnswer);
        }
        let token = challenge.token().secret();
        if !is_token(token) {
            return refuse(InputError::BadCaptchaToken);
        }
        fields.push(("logintoken", token));
        fields.push(("logincaptcha", answer));
    }
    // Sized for the worst case (every byte escaped), so the buffer never grows: growing
    // would leave a copy of the password in freed memory.
    let capacity = fields
        .iter()
        .map(|(name, value)| name.len() + 2 + 3 * value.len())
        .sum();
    let mut body = Zeroizing::new(String::with_capacity(capacity));
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            body.push('&');
        }
        body.push_str(name);
        body.push('=');
        encode_form_into(&mut body, value);
    }
    // Moved, not copied: from here the request owns the bytes and wipes them on drop.
    let bytes = core::mem::take(&mut *body).into_bytes();
    Ok(HttpRequest::new("POST", endpoints.clientlogin())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(bytes))
}

/// Reads a feed's answer to a request authorized with a ClientLogin token: a 401 is
/// [`ClientLoginError::TokenRejected`] (`Expired` when the answer says `Token expired`, as
/// the Java client read it, PROTOCOLS.md §1.3), so the caller can log in again; any other
/// answer is handed back as it came, for the caller to read.
pub fn parse_feed_response(response: HttpResponse) -> Result<HttpResponse, ClientLoginError> {
    if response.status != 401 {
        return Ok(response);
    }
    let body = response
        .body
        .get(..MAX_RESPONSE_BYTES)
        .unwrap_or(&response.body);
    let said = |text: &[u8]| {
        text.windows(b"Token expired".len())
            .any(|w| w.eq_ignore_ascii_case(b"Token expired"))
    };
    let header = response.header("WWW-Authenticate").unwrap_or("").as_bytes();
    Err(ClientLoginError::TokenRejected(
        if said(body) || said(header) {
            TokenRejection::Expired
        } else {
            TokenRejection::Invalid
        },
    ))
}

/// `request` with `Authorization: GoogleLogin auth=…`, ready to send.
pub fn prepare_feed(authorizer: &ClientLoginAuthorizer, request: &Request) -> HttpRequest {
    HttpRequest::from_request(request).with_authorization(&authorizer.authorization())
}

/// A feed request as a [`Call`]: [`prepare_feed`], then [`parse_feed_response`].
pub fn feed(
    authorizer: &ClientLoginAuthorizer,
    request: &Request,
) -> Call<HttpResponse, ClientLoginError> {
    Call::new(Ok(prepare_feed(authorizer, request)), parse_feed_response)
}

/// Logging in again is a login: it lives with the login steps, so the authorizer's module
/// needs nothing from this one (the flow uses the authorizer, never the other way round).
impl ClientLoginAuthorizer {
    /// Logs in again with the kept credentials, for after a feed refused the token; `None`
    /// without [`ClientLoginAuthorizer::with_relogin`]. The answer is a new authorizer that
    /// keeps the same credentials; on failure this one is unchanged, and a CAPTCHA is
    /// answered with [`ClientLoginAuthorizer::relogin_with_captcha`].
    pub fn relogin(&self, endpoints: &Endpoints) -> Option<Call<Self, ClientLoginError>> {
        let credentials = self.relogin_credentials()?;
        Some(Self::renewed(
            endpoints,
            credentials,
            prepare_login(endpoints, credentials),
        ))
    }

    /// [`ClientLoginAuthorizer::relogin`] with the answer to its CAPTCHA, once.
    pub fn relogin_with_captcha(
        &self,
        endpoints: &Endpoints,
        challenge: &CaptchaChallenge,
        answer: &str,
    ) -> Option<Call<Self, ClientLoginError>> {
        let credentials = self.relogin_credentials()?;
        Some(Self::renewed(
            endpoints,
            credentials,
            prepare_login_with_captcha(endpoints, credentials, challenge, answer),
        ))
    }

    fn renewed(
        endpoints: &Endpoints,
        credentials: &Arc<Credentials>,
        request: Result<HttpRequest, ClientLoginError>,
    ) -> Call<Self, ClientLoginError> {
        let credentials = Arc::clone(credentials);
        let (request, parse) = call(endpoints, request).into_parts();
        Call::new(request, move |response| {
            let tokens: LoginTokens = parse(response)?;
            Ok(tokens.authorizer().with_relogin_shared(credentials))
        })
    }
}
