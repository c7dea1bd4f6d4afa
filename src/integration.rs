//! Signing the request types of the `http` and `reqwest` crates in place (feature `http`):
//! describe them as a [`Request`], authorize with any [`Authorizer`], set the header.
//!
//! * [`Request::from_http`] and [`Request::from_reqwest`] read the method, the absolute URL
//!   and, for an `application/x-www-form-urlencoded` body, its parameters (read once,
//!   straight into the description);
//! * [`sign_http`] and [`sign_reqwest`] set `Authorization` on the request itself;
//! * [`RequestBuilderExt::authorize_with`] does it for a `reqwest::RequestBuilder` (async and
//!   blocking): build, sign, hand back a builder to send.
//!
//! Errors keep their cause: [`SignError`] wraps the description, the authorizer and the
//! builder's own error as `source()`, never as flattened text. Streaming bodies cannot be
//! read without consuming them, so a form request must carry its body in memory.

use thiserror::Error;

use crate::authorizer::{AuthorizeError, Authorizer};
use crate::encoding::EncodingError;
use crate::request::{Authorization, Context, Request, RequestError};

/// Why a request of another crate could not be signed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignError {
    /// The request could not be described (method, URL or form body).
    #[error(transparent)]
    Describe(#[from] RequestError),
    /// The authorizer refused.
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// The request builder could not build its request; the builder's error is the source.
    #[error("the request could not be built")]
    Build(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A form body that is a stream: it cannot be read without consuming it.
    #[error("a form-encoded body must be in memory to be signed, not a stream")]
    StreamingBody,
    /// The header value holds bytes HTTP does not allow in a header (never, for this
    /// crate's authorizers).
    #[error("the Authorization value is not a valid header value")]
    HeaderValue,
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded` (RFC 5849
/// §3.4.1.3.1 signs only those bodies), parameters such as `charset` allowed.
fn is_form(content_type: Option<&http::HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The form body a request carries, when its `Content-Type` says form: `body` is `None` for
/// no body, `Some(None)` for a stream.
fn form_of<'a>(
    headers: &http::HeaderMap,
    body: Option<Option<&'a [u8]>>,
) -> Result<Option<&'a [u8]>, SignError> {
    if !is_form(headers.get(http::header::CONTENT_TYPE)) {
        return Ok(None);
    }
    match body {
        Some(Some(bytes)) => Ok(Some(bytes)),
        Some(None) => Err(SignError::StreamingBody),
        None => Ok(Some(&[])),
    }
}

/// The description of `method` `url` with an optional form body.
fn describe(method: &str, url: &str, form: Option<&[u8]>) -> Result<Request, RequestError> {
    let request = Request::new(method, url)?;
    match form {
        Some(body) => {
            let body = core::str::from_utf8(body).map_err(|_| RequestError::BadEncoding {
                part: "form body",
                source: EncodingError::InvalidUtf8,
            })?;
            request.with_form_body(body)
        }
        None => Ok(request),
    }
}

/// Authorizes `described` and sets `Authorization` in `headers`, marked sensitive.
fn set_authorization(
    headers: &mut http::HeaderMap,
    described: &Request,
    authorizer: &dyn Authorizer,
    ctx: &Context,
) -> Result<(), SignError> {
    let authorization: Authorization = authorizer.authorize(described, ctx)?;
    let mut value = http::HeaderValue::from_str(authorization.header_value())
        .map_err(|_| SignError::HeaderValue)?;
    value.set_sensitive(true);
    headers.insert(http::header::AUTHORIZATION, value);
    Ok(())
}

impl Request {
    /// Describes an `http::Request` whose URI is absolute: its method, URI, and its body's
    /// parameters when `Content-Type` is `application/x-www-form-urlencoded`.
    pub fn from_http<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, RequestError> {
        let uri = request.uri();
        if uri.scheme().is_none() || uri.authority().is_none() {
            return Err(RequestError::BadUrl(
                "an http::Request to sign needs an absolute URI".to_owned(),
            ));
        }
        let form = is_form(request.headers().get(http::header::CONTENT_TYPE))
            .then(|| request.body().as_ref());
        describe(request.method().as_str(), &uri.to_string(), form)
    }

    /// Describes a `reqwest::Request`: its method, URL, and its body's parameters when
    /// `Content-Type` is `application/x-www-form-urlencoded`.
    pub fn from_reqwest(request: &reqwest::Request) -> Result<Self, SignError> {
        let form = form_of(request.headers(), request.body().map(|b| b.as_bytes()))?;
        Ok(describe(
            request.method().as_str(),
            request.url().as_str(),
            form,
        )?)
    }
}

/// Signs an `http::Request` in place: describes it ([`Request::from_http`]), authorizes it
/// with `ctx`, and sets `Authorization` (marked sensitive).
pub fn sign_http<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    authorizer: &dyn Authorizer,
    ctx: &Context,
) -> Result<(), SignError> {
    let described = Request::from_http(request)?;
    set_authorization(request.headers_mut(), &described, authorizer, ctx)
}

/// Signs a `reqwest::Request` in place, as [`sign_http`] does.
pub fn sign_reqwest(
    request: &mut reqwest::Request,
    authorizer: &dyn Authorizer,
    ctx: &Context,
) -> Result<(), SignError> {
    let described = Request::from_reqwest(request)?;
    set_authorization(request.headers_mut(), &described, authorizer, ctx)
}

/// Signs what a reqwest `RequestBuilder` builds, with any [`Authorizer`]: the request is
/// built, described, authorized, and handed back as a builder ready to `send`.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use gdata_auth::integration::RequestBuilderExt as _;
/// use gdata_auth::oauth1::OAuth1Authorizer;
/// let auth = OAuth1Authorizer::anonymous();
/// let response = reqwest::Client::new()
///     .post("https://www.google.com/m8/feeds/contacts/default/full")
///     .form(&[("q", "meeting notes")])
///     .authorize_with(&auth)?
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
pub trait RequestBuilderExt: Sized {
    /// Signs with a fresh timestamp and nonce ([`Context::now`]).
    fn authorize_with(self, authorizer: &dyn Authorizer) -> Result<Self, SignError> {
        self.authorize_with_context(authorizer, &Context::now())
    }

    /// Signs with the given timestamp and nonce.
    fn authorize_with_context(
        self,
        authorizer: &dyn Authorizer,
        ctx: &Context,
    ) -> Result<Self, SignError>;
}

impl RequestBuilderExt for reqwest::RequestBuilder {
    fn authorize_with_context(
        self,
        authorizer: &dyn Authorizer,
        ctx: &Context,
    ) -> Result<Self, SignError> {
        let (client, request) = self.build_split();
        let mut request = request.map_err(|e| SignError::Build(Box::new(e.without_url())))?;
        sign_reqwest(&mut request, authorizer, ctx)?;
        Ok(Self::from_parts(client, request))
    }
}

impl RequestBuilderExt for reqwest::blocking::RequestBuilder {
    fn authorize_with_context(
        self,
        authorizer: &dyn Authorizer,
        ctx: &Context,
    ) -> Result<Self, SignError> {
        let (client, request) = self.build_split();
        let mut request = request.map_err(|e| SignError::Build(Box::new(e.without_url())))?;
        let form = form_of(request.headers(), request.body().map(|b| b.as_bytes()))?;
        let described = describe(request.method().as_str(), request.url().as_str(), form)?;
        set_authorization(request.headers_mut(), &described, authorizer, ctx)?;
        Ok(Self::from_parts(client, request))
    }
}

impl<L: crate::oauth1::verifier::CredentialLookup> crate::oauth1::verifier::Verifier<L> {
    /// [`Verifier::verify`](crate::oauth1::verifier::Verifier::verify) for an
    /// `http::Request` whose URI is absolute (as a server framework rebuilds it).
    pub fn verify_http<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<crate::oauth1::verifier::Verified, crate::oauth1::VerifyError> {
        self.received_http(request, |v, r| v.verify(r))
    }

    /// [`Verifier::check`](crate::oauth1::verifier::Verifier::check) for an
    /// `http::Request`: every check, nothing recorded.
    pub fn check_http<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<crate::oauth1::verifier::Verified, crate::oauth1::VerifyError> {
        self.received_http(request, |v, r| v.check(r))
    }

    fn received_http<B: AsRef<[u8]>, T>(
        &self,
        request: &http::Request<B>,
        run: impl FnOnce(&Self, &crate::oauth1::verifier::ReceivedRequest<'_>) -> T,
    ) -> T {
        use crate::oauth1::verifier::ReceivedRequest;
        let url = request.uri().to_string();
        let mut received = ReceivedRequest::new(request.method().as_str(), &url);
        received.authorization = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let body = request.body().as_ref();
        let form = is_form(request.headers().get(http::header::CONTENT_TYPE));
        match core::str::from_utf8(body) {
            Ok(text) if form => received.form_body = Some(text),
            _ if !body.is_empty() => received.body = Some(body),
            _ => {}
        }
        run(self, &received)
    }
}
