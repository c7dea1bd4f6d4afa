//! The client side of Google's three-legged OAuth 1.0a dance, plus two-legged and signed
//! feed requests (PROTOCOLS.md §3).
//!
//! Each step is a pure pair: `prepare_*` builds the [`HttpRequest`] to send and `parse_*`
//! reads the [`HttpResponse`] into a typed value or a [`FlowError`]. The async functions
//! ([`request_token`], [`access_token`], [`revoke`], [`send_signed`]) and their twins in
//! [`blocking`] are only glue: `parse(transport.send(prepare(..)?)?)`.
//!
//! ```text
//! prepare_request_token ─► parse_request_token ─► RequestToken
//!                                                   │ authorize_url → user approves
//!                          parse_callback / RequestToken::with_verifier
//!                                                   ▼
//!                                        AuthorizedRequestToken
//! prepare_access_token ─► parse_access_token ─► AccessToken ─► prepare_signed / prepare_revoke
//! ```
//!
//! Responses are read strictly: at most [`MAX_RESPONSE_BYTES`], UTF-8, strict form
//! encoding (a trailing newline tolerated), no repeated protocol parameter, and
//! `oauth_callback_confirmed=true` required from the request-token step (OAuth 1.0a; a 1.0
//! provider is refused, SECURITY.md §2 "session fixation").

use thiserror::Error;
use zeroize::Zeroize;

use super::types::{AccessToken, AuthorizedRequestToken, Callback, RequestToken, Scope};
use super::{OAuth1Authorizer, OAuth1Error};
use crate::authorizer::Authorizer;
use crate::encoding::{self, parse_form};
use crate::endpoints::Endpoints;
use crate::error::Error;
use crate::request::{Context, Request, RequestError};
use crate::secret::TokenSecret;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// The largest response body the parsers read: token answers are a few hundred bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The longest `oauth_problem` value reported in [`FlowError::Http`].
const MAX_PROBLEM_LEN: usize = 64;

/// Why a step of the OAuth 1.0 dance failed. Never carries a secret or a response body.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The request-token answer lacks `oauth_callback_confirmed=true`: an OAuth 1.0 (not
    /// 1.0a) provider, open to session fixation, so it is refused.
    #[error("the provider did not confirm the callback (oauth_callback_confirmed=true missing); OAuth 1.0 providers are refused")]
    CallbackNotConfirmed,
    /// The callback names a different `oauth_token` than the one this flow started with.
    #[error("the callback's oauth_token is not the request token this flow started with")]
    TokenMismatch,
    /// The callback (or the pasted text) carries no `oauth_verifier`.
    #[error("no oauth_verifier in the callback")]
    MissingVerifier,
    /// A required parameter is absent from a response or callback.
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    /// A protocol parameter appears more than once.
    #[error("parameter {0} appears more than once")]
    DuplicateParameter(String),
    /// The provider answered with a non-2xx status.
    #[error(
        "the provider answered HTTP {status}{}",
        .problem.as_deref().map(|p| format!(" (oauth_problem={p})")).unwrap_or_default()
    )]
    Http {
        /// The HTTP status.
        status: u16,
        /// `oauth_problem` from the answer, when it gave one (body or `WWW-Authenticate`).
        problem: Option<String>,
    },
    /// A response or callback is not in the expected format.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
    /// The response body exceeds [`MAX_RESPONSE_BYTES`].
    #[error("response body exceeds {} bytes", MAX_RESPONSE_BYTES)]
    ResponseTooLarge,
    /// Sending the request failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Signing the request failed.
    #[error(transparent)]
    Sign(#[from] OAuth1Error),
    /// The request could not be described (bad URL or method).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A scope list is empty or a scope is malformed.
    #[error("invalid scope: {0}")]
    InvalidScope(&'static str),
    /// The callback is neither `oob` nor a usable absolute URL.
    #[error("invalid callback: {0}")]
    InvalidCallback(&'static str),
}

/// What to ask for at the request-token step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestTokenOptions {
    /// The scopes (one or more), sent space-separated as `scope` in the query, so signed.
    pub scopes: Vec<Scope>,
    /// `oauth_callback`: a URL, or `oob` for installed applications.
    pub callback: Callback,
    /// `xoauth_displayname`: the name Google showed for an unregistered application.
    pub display_name: Option<String>,
}

impl RequestTokenOptions {
    /// Options for `scopes` and `callback`, without a display name.
    pub fn new(scopes: impl IntoIterator<Item = Scope>, callback: Callback) -> Self {
        Self {
            scopes: scopes.into_iter().collect(),
            callback,
            display_name: None,
        }
    }

    /// Sets `xoauth_displayname`.
    pub fn with_display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }
}

/// Google's extensions to the authorization URL (PROTOCOLS.md §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizeOptions {
    /// `hd`: the Google Apps domain to sign in with; `default` is sent when `None`.
    pub hd: Option<String>,
    /// `hl`: the language of the approval page (an ISO 639 code).
    pub hl: Option<String>,
    /// `btmpl=mobile`: the page laid out for phones.
    pub mobile: bool,
}

impl AuthorizeOptions {
    /// No domain, no language, desktop layout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `hd`.
    pub fn with_hd(mut self, domain: impl Into<String>) -> Self {
        self.hd = Some(domain.into());
        self
    }

    /// Sets `hl`.
    pub fn with_hl(mut self, language: impl Into<String>) -> Self {
        self.hl = Some(language.into());
        self
    }

    /// Asks for the mobile page (`btmpl=mobile`).
    pub fn with_mobile(mut self, mobile: bool) -> Self {
        self.mobile = mobile;
        self
    }
}

// ---------------------------------------------------------------------------------------
// Step 1: request token.

/// Builds the `OAuthGetRequestToken` call: a `POST` with `Content-Length: 0`, `scope` (and
/// `xoauth_displayname`) in the query, the OAuth parameters, `oauth_callback` included, in
/// the `Authorization` header, as PY2 sent it (PROTOCOLS.md §3.1, §3.2). Query parameters
/// are in the signature base string (RFC 5849 §3.4.1.3.1).
///
/// `consumer` is the plain consumer (HMAC-SHA1, RSA-SHA1, or
/// [`OAuth1Authorizer::anonymous`]); any token, callback or verifier it holds is dropped
/// for this call ([`OAuth1Authorizer::consumer_only`]).
pub fn prepare_request_token(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    options: &RequestTokenOptions,
    ctx: &Context,
) -> Result<HttpRequest, FlowError> {
    if options.scopes.is_empty() {
        // Google required `scope` (PROTOCOLS.md §3.2).
        return Err(FlowError::InvalidScope("at least one scope is required"));
    }
    options.callback.check()?;
    let scope = Scope::join(&options.scopes);
    let mut query: Vec<(&str, &str)> = vec![("scope", &scope)];
    if let Some(name) = &options.display_name {
        query.push(("xoauth_displayname", name));
    }
    let url = with_query(endpoints.oauth1_request_token(), &query);
    let request = Request::new("POST", &url)?;
    let signer = consumer
        .consumer_only()
        .with_callback(options.callback.as_str());
    let signed = signer.sign(&request, ctx)?;
    Ok(empty_post(&request).with_authorization(&signed.authorization))
}

/// Reads the `OAuthGetRequestToken` answer: `oauth_callback_confirmed=true` required, then
/// `oauth_token` and `oauth_token_secret`. The scopes and callback come from `options`.
pub fn parse_request_token(
    options: &RequestTokenOptions,
    response: &HttpResponse,
) -> Result<RequestToken, FlowError> {
    let form = success_form(response)?;
    check_unique(
        &form,
        &[
            "oauth_token",
            "oauth_token_secret",
            "oauth_callback_confirmed",
        ],
    )?;
    // RFC 5849 §2.1: a 1.0a provider MUST answer oauth_callback_confirmed=true.
    if value(&form, "oauth_callback_confirmed") != Some("true") {
        return Err(FlowError::CallbackNotConfirmed);
    }
    let (token, secret) = token_pair(&form)?;
    Ok(RequestToken::new(
        token,
        secret,
        options.scopes.clone(),
        options.callback.clone(),
    ))
}

// ---------------------------------------------------------------------------------------
// Step 2: the user approves.

/// The `OAuthAuthorizeToken` URL to send the user to: `oauth_token`, then `hd` (always;
/// `default` when none is given, as PY2 did), `hl` and `btmpl=mobile` when asked for
/// (PROTOCOLS.md §3.3). The callback was given at the request-token step (OAuth 1.0a), so
/// it is not repeated here.
pub fn authorize_url(
    endpoints: &Endpoints,
    token: &RequestToken,
    options: &AuthorizeOptions,
) -> String {
    let mut query: Vec<(&str, &str)> = vec![
        ("oauth_token", token.token()),
        ("hd", options.hd.as_deref().unwrap_or("default")),
    ];
    if let Some(hl) = &options.hl {
        query.push(("hl", hl));
    }
    if options.mobile {
        query.push(("btmpl", "mobile"));
    }
    with_query(endpoints.oauth1_authorize_token(), &query)
}

/// Reads the callback the provider redirected the user to: a full URL, or just its query
/// (with or without the leading `?`). `oauth_token` must equal `request`'s token exactly
/// (OAuth 1.0a session-fixation defence) and `oauth_verifier` must be present; either
/// appearing twice is refused. The application's own query parameters are ignored.
pub fn parse_callback(
    request: &RequestToken,
    callback_url_or_query: &str,
) -> Result<AuthorizedRequestToken, FlowError> {
    let input = callback_url_or_query.trim();
    let input = input.split_once('#').map_or(input, |(before, _)| before);
    let query = match input.split_once('?') {
        Some((_, query)) => query,
        // A URL without a query carries no parameters; anything else is a bare query.
        None if input.contains("://") => "",
        None => input,
    };
    let form = parse_form_zeroizing(query)
        .map_err(|_| FlowError::Malformed("callback query is not valid form encoding"))?;
    check_unique(&form, &["oauth_token", "oauth_verifier"])?;
    let token = match value(&form, "oauth_token") {
        Some(t) if !t.is_empty() => t,
        _ => return Err(FlowError::MissingParameter("oauth_token")),
    };
    // Tokens are public values, so no constant-time comparison is needed; exactness is.
    if token != request.token() {
        return Err(FlowError::TokenMismatch);
    }
    let verifier = match value(&form, "oauth_verifier") {
        Some(v) if !v.is_empty() => v,
        _ => return Err(FlowError::MissingVerifier),
    };
    check_no_controls(verifier, "the verifier contains a control character")?;
    Ok(AuthorizedRequestToken::new(request.clone(), verifier))
}

// ---------------------------------------------------------------------------------------
// Step 3: access token.

/// Builds the `OAuthGetAccessToken` call: a `POST` with `Content-Length: 0`, signed with
/// the request token, its secret and `oauth_verifier` (PROTOCOLS.md §3.4).
pub fn prepare_access_token(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    authorized: &AuthorizedRequestToken,
    ctx: &Context,
) -> Result<HttpRequest, FlowError> {
    let request = Request::new("POST", endpoints.oauth1_access_token())?;
    let signer = consumer
        .consumer_only()
        .with_token(authorized.token(), authorized.secret().clone())
        .with_verifier(authorized.verifier());
    let signed = signer.sign(&request, ctx)?;
    Ok(empty_post(&request).with_authorization(&signed.authorization))
}

/// Reads the `OAuthGetAccessToken` answer (`oauth_token`, `oauth_token_secret`) into an
/// [`AccessToken`] for `consumer`, with the scopes the request token asked for.
pub fn parse_access_token(
    consumer: &OAuth1Authorizer,
    authorized: &AuthorizedRequestToken,
    response: &HttpResponse,
) -> Result<AccessToken, FlowError> {
    let form = success_form(response)?;
    check_unique(&form, &["oauth_token", "oauth_token_secret"])?;
    let (token, secret) = token_pair(&form)?;
    Ok(AccessToken::new(
        consumer.consumer_key(),
        token,
        secret,
        authorized.scopes().to_vec(),
    ))
}

// ---------------------------------------------------------------------------------------
// Revocation, two-legged and signed requests.

/// Builds the revocation call: an OAuth-signed `GET` of `AuthSubRevokeToken`, which Google
/// accepted for OAuth tokens too (PROTOCOLS.md §3.1).
pub fn prepare_revoke(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    token: &AccessToken,
    ctx: &Context,
) -> Result<HttpRequest, FlowError> {
    let request = Request::new("GET", endpoints.authsub_revoke_token())?;
    let signed = token.authorizer(consumer).sign(&request, ctx)?;
    Ok(HttpRequest::from_request(&request).with_authorization(&signed.authorization))
}

/// Reads the revocation answer: any 2xx is success; the body is not interpreted.
pub fn parse_revoke(response: &HttpResponse) -> Result<(), FlowError> {
    check_status(response)?;
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(FlowError::ResponseTooLarge);
    }
    Ok(())
}

/// Describes a two-legged request: `xoauth_requestor_id=<requestor_id>` appended to the
/// URL's query, so it is signed (PROTOCOLS.md §3.7). Appended with `&` when the URL
/// already has a query (the .NET library always used `?`, breaking such URLs). Sign the
/// result with a token-less consumer ([`prepare_two_legged`] does both).
pub fn two_legged_request(
    method: &str,
    url: &str,
    requestor_id: &str,
) -> Result<Request, FlowError> {
    let mut parsed = url::Url::parse(url).map_err(|e| RequestError::BadUrl(e.to_string()))?;
    let existing = parsed.query().unwrap_or("");
    let params = parse_form(existing).map_err(|source| RequestError::BadEncoding {
        part: "query",
        source,
    })?;
    if params.iter().any(|(n, _)| n == "xoauth_requestor_id") {
        return Err(FlowError::DuplicateParameter(
            "xoauth_requestor_id".to_owned(),
        ));
    }
    let mut query = existing.to_owned();
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("xoauth_requestor_id=");
    encoding::encode_into(&mut query, requestor_id);
    parsed.set_query(Some(&query));
    // A fragment is never sent, so it is not part of the request.
    parsed.set_fragment(None);
    Ok(Request::from_url(method, parsed)?)
}

/// A two-legged request signed by `consumer` without a token, ready to send.
pub fn prepare_two_legged(
    consumer: &OAuth1Authorizer,
    method: &str,
    url: &str,
    requestor_id: &str,
    ctx: &Context,
) -> Result<HttpRequest, FlowError> {
    let request = two_legged_request(method, url, requestor_id)?;
    let signed = consumer.consumer_only().sign(&request, ctx)?;
    Ok(HttpRequest::from_request(&request).with_authorization(&signed.authorization))
}

/// Any request (a feed fetch, say) authorized by any scheme, ready to send: its method,
/// URL, form body if any, and `Authorization` header.
pub fn prepare_signed(
    authorizer: &dyn Authorizer,
    request: &Request,
    ctx: &Context,
) -> Result<HttpRequest, Error> {
    let authorization = authorizer.authorize(request, ctx)?;
    Ok(HttpRequest::from_request(request).with_authorization(&authorization))
}

// ---------------------------------------------------------------------------------------
// Async glue.

/// Step 1 over `transport`: [`prepare_request_token`], send, [`parse_request_token`].
pub async fn request_token(
    transport: &dyn Transport,
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    options: &RequestTokenOptions,
    ctx: &Context,
) -> Result<RequestToken, FlowError> {
    let req = prepare_request_token(endpoints, consumer, options, ctx)?;
    parse_request_token(options, &transport.send(req).await?)
}

/// Step 3 over `transport`: [`prepare_access_token`], send, [`parse_access_token`].
pub async fn access_token(
    transport: &dyn Transport,
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    authorized: &AuthorizedRequestToken,
    ctx: &Context,
) -> Result<AccessToken, FlowError> {
    let req = prepare_access_token(endpoints, consumer, authorized, ctx)?;
    parse_access_token(consumer, authorized, &transport.send(req).await?)
}

/// Revocation over `transport`: [`prepare_revoke`], send, [`parse_revoke`].
pub async fn revoke(
    transport: &dyn Transport,
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    token: &AccessToken,
    ctx: &Context,
) -> Result<(), FlowError> {
    let req = prepare_revoke(endpoints, consumer, token, ctx)?;
    parse_revoke(&transport.send(req).await?)
}

/// A signed request over `transport` ([`prepare_signed`], send); the response is returned
/// as it came, whatever its status.
pub async fn send_signed(
    transport: &dyn Transport,
    authorizer: &dyn Authorizer,
    request: &Request,
    ctx: &Context,
) -> Result<HttpResponse, Error> {
    let req = prepare_signed(authorizer, request, ctx)?;
    Ok(transport.send(req).await?)
}

/// The same glue over a [`crate::transport::BlockingTransport`].
pub mod blocking {
    use super::*;
    use crate::transport::BlockingTransport;

    /// Step 1: [`prepare_request_token`], send, [`parse_request_token`].
    pub fn request_token(
        transport: &dyn BlockingTransport,
        endpoints: &Endpoints,
        consumer: &OAuth1Authorizer,
        options: &RequestTokenOptions,
        ctx: &Context,
    ) -> Result<RequestToken, FlowError> {
        let req = prepare_request_token(endpoints, consumer, options, ctx)?;
        parse_request_token(options, &transport.send(req)?)
    }

    /// Step 3: [`prepare_access_token`], send, [`parse_access_token`].
    pub fn access_token(
        transport: &dyn BlockingTransport,
        endpoints: &Endpoints,
        consumer: &OAuth1Authorizer,
        authorized: &AuthorizedRequestToken,
        ctx: &Context,
    ) -> Result<AccessToken, FlowError> {
        let req = prepare_access_token(endpoints, consumer, authorized, ctx)?;
        parse_access_token(consumer, authorized, &transport.send(req)?)
    }

    /// Revocation: [`prepare_revoke`], send, [`parse_revoke`].
    pub fn revoke(
        transport: &dyn BlockingTransport,
        endpoints: &Endpoints,
        consumer: &OAuth1Authorizer,
        token: &AccessToken,
        ctx: &Context,
    ) -> Result<(), FlowError> {
        let req = prepare_revoke(endpoints, consumer, token, ctx)?;
        parse_revoke(&transport.send(req)?)
    }

    /// A signed request ([`prepare_signed`], send); the response is returned as it came.
    pub fn send_signed(
        transport: &dyn BlockingTransport,
        authorizer: &dyn Authorizer,
        request: &Request,
        ctx: &Context,
    ) -> Result<HttpResponse, Error> {
        let req = prepare_signed(authorizer, request, ctx)?;
        Ok(transport.send(req)?)
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// `base` with `pairs` appended to its query (`?` or `&` as needed), RFC 3986-encoded.
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::from(base);
    if !pairs.is_empty() {
        out.push(if base.contains('?') { '&' } else { '?' });
        out.push_str(&encoding::form_encode(pairs));
    }
    out
}

/// A body-less `POST` as PY2 sent it: `Content-Length: 0` said explicitly.
fn empty_post(request: &Request) -> HttpRequest {
    HttpRequest::from_request(request).header("Content-Length", "0")
}

/// Refuses a non-2xx answer, reporting `oauth_problem` when the provider gave one.
fn check_status(response: &HttpResponse) -> Result<(), FlowError> {
    if response.is_success() {
        Ok(())
    } else {
        Err(FlowError::Http {
            status: response.status,
            problem: problem_of(response),
        })
    }
}

/// `oauth_problem` (OAuth Problem Reporting) from a form body or a `WWW-Authenticate:
/// OAuth` header, only when it is a short token (`signature_invalid`, `token_rejected`):
/// never free text from the body.
fn problem_of(response: &HttpResponse) -> Option<String> {
    let is_token = |p: &str| {
        !p.is_empty()
            && p.len() <= MAX_PROBLEM_LEN
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    };
    let from_body = || {
        if response.body.len() > MAX_RESPONSE_BYTES {
            return None;
        }
        let text = core::str::from_utf8(&response.body).ok()?;
        let form = parse_form_zeroizing(strip_newline(text)).ok()?;
        let mut problems = form.iter().filter(|(n, _)| n == "oauth_problem");
        let (_, problem) = problems.next()?;
        problems.next().is_none().then(|| problem.clone())
    };
    let from_header = || {
        let header = response.header("WWW-Authenticate")?;
        let parsed = super::header::parse_header(header).ok()?;
        let mut problems = parsed.params.iter().filter(|(n, _)| n == "oauth_problem");
        let (_, problem) = problems.next()?;
        problems.next().is_none().then(|| problem.clone())
    };
    from_body()
        .filter(|p| is_token(p))
        .or_else(|| from_header().filter(|p| is_token(p)))
}

/// Decoded form pairs, zeroized on drop: token answers carry `oauth_token_secret`.
struct Form(Vec<(String, String)>);

impl Drop for Form {
    fn drop(&mut self) {
        for (n, v) in &mut self.0 {
            n.zeroize();
            v.zeroize();
        }
    }
}

impl core::ops::Deref for Form {
    type Target = [(String, String)];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// Parses a form strictly into a zeroizing [`Form`].
fn parse_form_zeroizing(text: &str) -> Result<Form, crate::encoding::EncodingError> {
    parse_form(text).map(Form)
}

/// The decoded form of a 2xx answer: status, size, UTF-8 and encoding checked.
fn success_form(response: &HttpResponse) -> Result<Form, FlowError> {
    check_status(response)?;
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(FlowError::ResponseTooLarge);
    }
    let text = core::str::from_utf8(&response.body)
        .map_err(|_| FlowError::Malformed("response body is not valid UTF-8"))?;
    parse_form_zeroizing(strip_newline(text))
        .map_err(|_| FlowError::Malformed("response body is not valid form encoding"))
}

/// Drops one trailing line ending: some providers end form answers with one.
fn strip_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// Refuses a repeated `names` parameter (a provider, or an attacker editing a callback,
/// could otherwise choose which copy a parser reads).
fn check_unique(form: &[(String, String)], names: &[&'static str]) -> Result<(), FlowError> {
    for name in names {
        if form.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(FlowError::DuplicateParameter((*name).to_owned()));
        }
    }
    Ok(())
}

/// The value of the first `name` parameter.
fn value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `oauth_token` (non-empty) and `oauth_token_secret` (present; RSA-SHA1 providers may
/// leave it empty), neither holding control characters.
fn token_pair(form: &[(String, String)]) -> Result<(String, TokenSecret), FlowError> {
    let token = match value(form, "oauth_token") {
        Some(t) if !t.is_empty() => t,
        _ => return Err(FlowError::MissingParameter("oauth_token")),
    };
    let secret = value(form, "oauth_token_secret")
        .ok_or(FlowError::MissingParameter("oauth_token_secret"))?;
    check_no_controls(token, "oauth_token contains a control character")?;
    check_no_controls(secret, "oauth_token_secret contains a control character")?;
    Ok((token.to_owned(), TokenSecret::new(secret)))
}

fn check_no_controls(value: &str, what: &'static str) -> Result<(), FlowError> {
    if value.chars().any(char::is_control) {
        Err(FlowError::Malformed(what))
    } else {
        Ok(())
    }
}
