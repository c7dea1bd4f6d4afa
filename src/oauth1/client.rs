//! [`OAuth1Client`]: the endpoints, the consumer's credentials and the transport in one
//! value, so each step of the dance is one call: `client.request_token(&options).await` (or
//! `.blocking()` over a blocking transport), in the manner of oauth2-rs's
//! `client.exchange_code(code).request_async(&http)`.
//!
//! The client draws each step's timestamp and nonce from its clock and nonce source (the
//! system clock and the OS CSPRNG unless set), and runs the pure `prepare_*` / `parse_*`
//! pairs of [`super::flow`], which stay public for callers who bring their own I/O.

use std::sync::Arc;

use super::flow::{self, AuthorizeOptions, RequestTokenOptions};
use super::types::{AccessToken, AuthorizedRequestToken, RequestToken};
use super::{FlowError, OAuth1Authorizer, OAuth1Error};
use crate::call::{Call, Pending};
use crate::clock::{Clock, NonceSource, OsNonce, SystemClock};
use crate::endpoints::Endpoints;
use crate::request::{Context, Request};
use crate::transport::HttpResponse;

/// An OAuth 1.0a consumer talking to Google Accounts (or the emulator) over `H`, an async
/// [`crate::transport::Transport`] or a [`crate::transport::BlockingTransport`].
///
/// ```
/// # #[cfg(all(feature = "emulator", feature = "http"))]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use gdata_auth::emulator::{Emulator, EmulatorConfig};
/// use gdata_auth::endpoints::Endpoints;
/// use gdata_auth::oauth1::{Callback, OAuth1Authorizer, OAuth1Client, RequestTokenOptions};
/// use gdata_auth::transport::ReqwestBlockingTransport;
/// use gdata_auth::Scope;
///
/// let emulator = Emulator::start(EmulatorConfig::new().with_auto_approve(true))?;
/// let client = OAuth1Client::new(OAuth1Authorizer::anonymous(), ReqwestBlockingTransport::new()?)
///     .with_endpoints(Endpoints::at(emulator.base_url())?);
/// let options = RequestTokenOptions::new(
///     [Scope::new("https://www.google.com/m8/feeds/")?],
///     Callback::Oob,
/// );
/// let token = client.request_token(&options).blocking()?;
/// assert!(token.token().starts_with("4/"));
/// # Ok(()) }
/// # #[cfg(not(all(feature = "emulator", feature = "http")))]
/// # fn main() {}
/// ```
#[derive(Clone)]
pub struct OAuth1Client<H> {
    endpoints: Endpoints,
    consumer: OAuth1Authorizer,
    http: H,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl<H> core::fmt::Debug for OAuth1Client<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OAuth1Client")
            .field("endpoints", &self.endpoints)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl<H> OAuth1Client<H> {
    /// A client for `consumer` (the plain consumer: key and secret or RSA key) over `http`,
    /// against Google's historical endpoints ([`Endpoints::google`]).
    pub fn new(consumer: OAuth1Authorizer, http: H) -> Self {
        Self {
            endpoints: Endpoints::google(),
            consumer: consumer.consumer_only(),
            http,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(OsNonce),
        }
    }

    /// Uses other endpoints (the emulator's, a proxy's).
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// Uses another clock for timestamps (tests pin it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses another nonce source (tests pin it).
    pub fn with_nonces(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The consumer.
    pub fn consumer(&self) -> &OAuth1Authorizer {
        &self.consumer
    }

    /// The transport.
    pub fn http(&self) -> &H {
        &self.http
    }

    /// A fresh timestamp and nonce.
    fn ctx(&self) -> Context {
        Context::draw(self.clock.as_ref(), self.nonces.as_ref())
    }

    fn pending<T>(&self, call: Call<T, OAuth1Error>) -> Pending<'_, H, T, OAuth1Error> {
        Pending::new(call, &self.http)
    }

    /// Step 1: a request token for `options` ([`flow::request_token`]).
    pub fn request_token(
        &self,
        options: &RequestTokenOptions,
    ) -> Pending<'_, H, RequestToken, OAuth1Error> {
        self.pending(flow::request_token(
            &self.endpoints,
            &self.consumer,
            options,
            &self.ctx(),
        ))
    }

    /// Step 2: where to send the user ([`flow::authorize_url`]).
    pub fn authorize_url(&self, token: &RequestToken, options: &AuthorizeOptions) -> String {
        flow::authorize_url(&self.endpoints, token, options)
    }

    /// Step 2, coming back: the callback the provider redirected to, checked against the
    /// request token ([`flow::parse_callback`]).
    pub fn parse_callback(
        &self,
        token: RequestToken,
        callback_url_or_query: &str,
    ) -> Result<AuthorizedRequestToken, FlowError> {
        flow::parse_callback(token, callback_url_or_query)
    }

    /// Step 3: the access token for an approved request token ([`flow::access_token`]).
    pub fn access_token(
        &self,
        authorized: &AuthorizedRequestToken,
    ) -> Pending<'_, H, AccessToken, OAuth1Error> {
        self.pending(flow::access_token(
            &self.endpoints,
            &self.consumer,
            authorized,
            &self.ctx(),
        ))
    }

    /// Revokes an access token ([`flow::revoke`]).
    pub fn revoke(&self, token: &AccessToken) -> Pending<'_, H, (), OAuth1Error> {
        self.pending(flow::revoke(
            &self.endpoints,
            &self.consumer,
            token,
            &self.ctx(),
        ))
    }

    /// `request` signed with `token`; the answer comes back as it came, whatever its status
    /// (see [`HttpResponse::error_for_status`]).
    pub fn fetch(
        &self,
        token: &AccessToken,
        request: &Request,
    ) -> Pending<'_, H, HttpResponse, OAuth1Error> {
        let signed =
            crate::signed::prepare_signed(&token.authorizer(&self.consumer), request, &self.ctx())
                .map_err(OAuth1Error::from);
        self.pending(Call::new(signed, Ok))
    }

    /// A two-legged request on behalf of `requestor_id` ([`flow::prepare_two_legged`]); the
    /// answer comes back as it came.
    pub fn two_legged(
        &self,
        method: &str,
        url: &str,
        requestor_id: &str,
    ) -> Pending<'_, H, HttpResponse, OAuth1Error> {
        let request =
            flow::prepare_two_legged(&self.consumer, method, url, requestor_id, &self.ctx());
        self.pending(Call::new(request, Ok))
    }
}
