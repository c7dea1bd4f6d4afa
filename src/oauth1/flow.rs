//! The client side of Google's three-legged OAuth 1.0a dance, plus two-legged and signed
//! feed requests (PROTOCOLS.md §3).
//!
//! Each step is a pure pair: `prepare_*` builds the [`HttpRequest`] to send and `parse_*`
//! reads the [`HttpResponse`] into a typed value or a [`FlowError`]. [`request_token`],
//! [`access_token`] and [`revoke`] join each pair into a [`Call`], sent over an async or a
//! blocking transport alike (`.send(&http).await`, `.send_blocking(&http)`).
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

use super::error::{FlowError, Malformed, OAuth1Error};
use super::types::{AccessToken, AuthorizedRequestToken, Callback, RequestToken};
use super::OAuth1Authorizer;
use crate::call::Call;
use crate::encoding::{self, EncodingError, Form};
use crate::endpoints::Endpoints;
use crate::request::{Context, Request, RequestError};
use crate::scope::{Scope, ScopeError};
use crate::secret::TokenSecret;
use crate::transport::{HttpRequest, HttpResponse};

pub use super::error::MAX_RESPONSE_BYTES;

/// The longest `oauth_problem` value reported in [`FlowError::Http`].
const MAX_PROBLEM_LEN: usize = 64;

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
) -> Result<HttpRequest, OAuth1Error> {
    if options.scopes.is_empty() {
        // Google required `scope` (PROTOCOLS.md §3.2).
        return Err(ScopeError::NoScopes.into());
    }
    options.callback.check()?;
    let scope = Scope::join(&options.scopes);
    let mut query: Vec<(&str, &str)> = vec![("scope", &scope)];
    if let Some(name) = &options.display_name {
        query.push(("xoauth_displayname", name));
    }
    let url = encoding::url_with_query(endpoints.oauth1_request_token(), &query);
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
    // RFC 5849 §2.1: a 1.0a provider MUST answer oauth_callback_confirmed=true.
    if single(&form, "oauth_callback_confirmed")? != Some("true") {
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

/// Step 1 as a [`Call`]: [`prepare_request_token`], then [`parse_request_token`].
pub fn request_token(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    options: &RequestTokenOptions,
    ctx: &Context,
) -> Call<RequestToken, OAuth1Error> {
    let request = prepare_request_token(endpoints, consumer, options, ctx);
    let options = options.clone();
    Call::new(request, move |response| {
        Ok(parse_request_token(&options, &response)?)
    })
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
    encoding::url_with_query(endpoints.oauth1_authorize_token(), &query)
}

/// Reads the callback the provider redirected the user to: a full URL, or just its query
/// (with or without the leading `?`). `oauth_token` must equal `request`'s token exactly
/// (OAuth 1.0a session-fixation defence) and `oauth_verifier` must be present; either
/// appearing twice is refused. The application's own query parameters are ignored.
///
/// Consumes the request token: it is answered now, and only the
/// [`AuthorizedRequestToken`] goes on to the access-token step.
pub fn parse_callback(
    request: RequestToken,
    callback_url_or_query: &str,
) -> Result<AuthorizedRequestToken, FlowError> {
    let query = encoding::query_part(callback_url_or_query);
    let form = Form::parse(query).map_err(|_| FlowError::Malformed(Malformed::NotFormEncoded))?;
    let token = match single(&form, "oauth_token")? {
        Some(t) if !t.is_empty() => t,
        _ => return Err(FlowError::MissingParameter("oauth_token")),
    };
    // Tokens are public values, so no constant-time comparison is needed; exactness is.
    if token != request.token() {
        return Err(FlowError::TokenMismatch);
    }
    let verifier = match single(&form, "oauth_verifier")? {
        Some(v) if !v.is_empty() => v,
        _ => return Err(FlowError::MissingVerifier),
    };
    check_no_controls(verifier, "oauth_verifier")?;
    Ok(AuthorizedRequestToken::new(
        request,
        super::types::OAuthVerifier::new(verifier),
    ))
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
) -> Result<HttpRequest, OAuth1Error> {
    let request = Request::new("POST", endpoints.oauth1_access_token())?;
    let signer = consumer
        .consumer_only()
        .with_token(authorized.token(), authorized.secret().clone())
        .with_verifier(authorized.verifier().secret());
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
    access_token_from(consumer.consumer_key(), authorized.scopes(), response)
}

fn access_token_from(
    consumer_key: &str,
    scopes: &[Scope],
    response: &HttpResponse,
) -> Result<AccessToken, FlowError> {
    let form = success_form(response)?;
    let (token, secret) = token_pair(&form)?;
    Ok(AccessToken::new(
        consumer_key,
        token,
        secret,
        scopes.to_vec(),
    ))
}

/// Step 3 as a [`Call`]: [`prepare_access_token`], then [`parse_access_token`].
pub fn access_token(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    authorized: &AuthorizedRequestToken,
    ctx: &Context,
) -> Call<AccessToken, OAuth1Error> {
    let request = prepare_access_token(endpoints, consumer, authorized, ctx);
    let consumer_key = consumer.consumer_key().to_owned();
    let scopes = authorized.scopes().to_vec();
    Call::new(request, move |response| {
        Ok(access_token_from(&consumer_key, &scopes, &response)?)
    })
}

// ---------------------------------------------------------------------------------------
// Revocation and two-legged requests.

/// Builds the revocation call: an OAuth-signed `GET` of `AuthSubRevokeToken`, which Google
/// accepted for OAuth tokens too (PROTOCOLS.md §3.1).
pub fn prepare_revoke(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    token: &AccessToken,
    ctx: &Context,
) -> Result<HttpRequest, OAuth1Error> {
    let request = Request::new("GET", endpoints.authsub_revoke_token())?;
    Ok(crate::signed::prepare_signed(
        &token.authorizer(consumer),
        &request,
        ctx,
    )?)
}

/// Reads the revocation answer: any 2xx is success; the body is not interpreted.
pub fn parse_revoke(response: &HttpResponse) -> Result<(), FlowError> {
    check_status(response)?;
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(FlowError::ResponseTooLarge);
    }
    Ok(())
}

/// Revocation as a [`Call`]: [`prepare_revoke`], then [`parse_revoke`].
pub fn revoke(
    endpoints: &Endpoints,
    consumer: &OAuth1Authorizer,
    token: &AccessToken,
    ctx: &Context,
) -> Call<(), OAuth1Error> {
    Call::new(
        prepare_revoke(endpoints, consumer, token, ctx),
        |response| Ok(parse_revoke(&response)?),
    )
}

/// Describes a two-legged request: `xoauth_requestor_id=<requestor_id>` appended to the
/// URL's query, so it is signed (PROTOCOLS.md §3.7). Appended with `&` when the URL
/// already has a query (the .NET library always used `?`, breaking such URLs). Sign the
/// result with a token-less consumer ([`prepare_two_legged`] does both).
pub fn two_legged_request(
    method: &str,
    url: &str,
    requestor_id: &str,
) -> Result<Request, OAuth1Error> {
    let mut parsed = url::Url::parse(url).map_err(|e| RequestError::BadUrl(e.to_string()))?;
    let existing = parsed.query().unwrap_or("");
    let params = Form::parse(existing).map_err(|source| RequestError::BadEncoding {
        part: "query",
        source,
    })?;
    if params.contains("xoauth_requestor_id") {
        return Err(FlowError::DuplicateParameter("xoauth_requestor_id".to_owned()).into());
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
) -> Result<HttpRequest, OAuth1Error> {
    let request = two_legged_request(method, url, requestor_id)?;
    Ok(crate::signed::prepare_signed(
        &consumer.consumer_only(),
        &request,
        ctx,
    )?)
}

// ---------------------------------------------------------------------------------------
// Helpers.

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
        let form = Form::parse(strip_newline(text)).ok()?;
        form.single("oauth_problem").ok()?.map(str::to_owned)
    };
    let from_header = || {
        let header = response.header("WWW-Authenticate")?;
        let parsed = super::header::parse_header(header).ok()?;
        let form = Form::from(parsed.params);
        form.single("oauth_problem").ok()?.map(str::to_owned)
    };
    from_body()
        .filter(|p| is_token(p))
        .or_else(|| from_header().filter(|p| is_token(p)))
}

/// The decoded form of a 2xx answer: status, size, UTF-8 and encoding checked.
fn success_form(response: &HttpResponse) -> Result<Form, FlowError> {
    check_status(response)?;
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(FlowError::ResponseTooLarge);
    }
    let text = core::str::from_utf8(&response.body)
        .map_err(|_| FlowError::Malformed(Malformed::NotUtf8))?;
    Form::parse(strip_newline(text)).map_err(|_| FlowError::Malformed(Malformed::NotFormEncoded))
}

/// Drops one trailing line ending: some providers end form answers with one.
fn strip_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// The single value of `name`: a repeat is refused (a provider, or an attacker editing a
/// callback, could otherwise choose which copy a parser reads).
fn single<'f>(form: &'f Form, name: &'static str) -> Result<Option<&'f str>, FlowError> {
    form.single(name).map_err(|e| match e {
        EncodingError::Duplicate(n) => FlowError::DuplicateParameter(n),
        _ => FlowError::Malformed(Malformed::NotFormEncoded),
    })
}

/// `oauth_token` (non-empty) and `oauth_token_secret` (present; RSA-SHA1 providers may
/// leave it empty), neither repeated nor holding control characters.
fn token_pair(form: &Form) -> Result<(String, TokenSecret), FlowError> {
    let token = match single(form, "oauth_token")? {
        Some(t) if !t.is_empty() => t,
        _ => return Err(FlowError::MissingParameter("oauth_token")),
    };
    let secret = single(form, "oauth_token_secret")?
        .ok_or(FlowError::MissingParameter("oauth_token_secret"))?;
    check_no_controls(token, "oauth_token")?;
    check_no_controls(secret, "oauth_token_secret")?;
    Ok((token.to_owned(), TokenSecret::new(secret)))
}

fn check_no_controls(value: &str, name: &'static str) -> Result<(), FlowError> {
    if value.chars().any(char::is_control) {
        Err(FlowError::Malformed(Malformed::ControlCharacter(name)))
    } else {
        Ok(())
    }
}
