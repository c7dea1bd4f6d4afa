//! [`TokenSource`]: a grant shared by every task of a program. It hands out a fresh access
//! token, refreshing explicitly or before expiry (with a safety margin), one refresh at a
//! time however many callers wait (a `tokio::sync::Mutex` held across the refresh), saves
//! each new token through a [`TokenStore`], and answers a resource's 401 `invalid_token`
//! with one refresh and one retry, never a loop (SECURITY.md §4).
//!
//! A final refusal (re-consent, session control, an administrator's policy, a wrong
//! client) is kept: later callers get the same error without asking the server again.
//! Transient failures are returned, not retried behind the caller's back; retry them with
//! [`crate::retry::Backoff`] ([`OAuth2Error`] is [`crate::Retryable`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use super::authorizer::BearerAuthorizer;
use super::error::{InputError, OAuth2Error};
use super::flow;
#[cfg(feature = "rsa")]
use super::service_account::{AssertionRequest, ServiceAccountKey};
use super::types::{AccessToken, ClientCredentials, OAuth2Token};
use crate::clock::{Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::store::{StoreError, TokenStore};
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// The default safety margin: refresh when the access token has a minute or less left.
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(60);

/// Why a [`TokenSource`] could not hand out a token.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The token endpoint or a resource refused, or the transport failed.
    #[error(transparent)]
    OAuth2(#[from] OAuth2Error),
    /// The refreshed token could not be saved; it is kept in memory and used.
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct State {
    token: OAuth2Token,
    /// The margin for this token: the source's, or half the token's lifetime when that is
    /// shorter, so a token issued with `expires_in` under the margin is used, not refreshed
    /// again by every caller.
    margin: u64,
    /// A final refusal, kept so waiting callers do not ask again.
    failed: Option<OAuth2Error>,
}

/// How a source gets its next access token.
enum Renewal {
    /// The refresh token, sent by this client (RFC 6749 §6).
    Refresh(ClientCredentials),
    /// A new service-account assertion (RFC 7523): service accounts have no refresh token.
    #[cfg(feature = "rsa")]
    ServiceAccount(Box<ServiceAccountGrant>),
}

/// A service account's key and what its assertions ask for.
#[cfg(feature = "rsa")]
struct ServiceAccountGrant {
    key: ServiceAccountKey,
    request: AssertionRequest,
}

impl core::fmt::Debug for Renewal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Refresh(client) => f.debug_tuple("Refresh").field(client).finish(),
            #[cfg(feature = "rsa")]
            Self::ServiceAccount(g) => f
                .debug_tuple("ServiceAccount")
                .field(&g.key.client_email())
                .finish(),
        }
    }
}

/// An OAuth 2.0 grant shared across tasks (`Arc<TokenSource<H>>`), over an async
/// [`Transport`] `H`: renewed with its refresh token, or for a service account with a new
/// assertion ([`TokenSource::service_account`]).
pub struct TokenSource<H> {
    endpoints: Endpoints,
    renewal: Renewal,
    http: H,
    clock: Arc<dyn Clock>,
    margin: Duration,
    store: Option<(Arc<dyn TokenStore>, String)>,
    state: tokio::sync::Mutex<State>,
    refreshes: AtomicU64,
}

impl<H> core::fmt::Debug for TokenSource<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenSource")
            .field("endpoints", &self.endpoints)
            .field("renewal", &self.renewal)
            .field("margin", &self.margin)
            .field("refreshes", &self.refreshes())
            .finish_non_exhaustive()
    }
}

impl<H> TokenSource<H> {
    /// A source for `token`, refreshed at `endpoints` by `client` over `http`.
    pub fn new(
        endpoints: Endpoints,
        client: ClientCredentials,
        token: OAuth2Token,
        http: H,
    ) -> Self {
        Self::with_renewal(endpoints, Renewal::Refresh(client), token, http)
    }

    /// A source for a service account: the first call signs an assertion for `request`
    /// and exchanges it at `endpoints`' token URL, and so does every renewal, near expiry
    /// as for any grant (the answer is cached until then).
    #[cfg(feature = "rsa")]
    pub fn service_account(
        endpoints: Endpoints,
        key: ServiceAccountKey,
        request: AssertionRequest,
        http: H,
    ) -> Self {
        let client_id = key.client_email().to_owned();
        let token = OAuth2Token {
            client_id,
            access_token: None,
            refresh_token: None,
            expires_at: None,
            scopes: request.scopes.clone(),
        };
        let grant = ServiceAccountGrant { key, request };
        Self::with_renewal(
            endpoints,
            Renewal::ServiceAccount(Box::new(grant)),
            token,
            http,
        )
    }

    fn with_renewal(endpoints: Endpoints, renewal: Renewal, token: OAuth2Token, http: H) -> Self {
        Self {
            endpoints,
            renewal,
            http,
            clock: Arc::new(SystemClock),
            margin: DEFAULT_MARGIN,
            store: None,
            state: tokio::sync::Mutex::new(State {
                token,
                margin: DEFAULT_MARGIN.as_secs(),
                failed: None,
            }),
            refreshes: AtomicU64::new(0),
        }
    }

    /// A source for the grant saved in `store` under `name`, which it keeps saving there;
    /// `Ok(None)` when nothing is saved under that name, [`StoreError::WrongKind`] when
    /// another kind of token is.
    pub fn from_store(
        endpoints: Endpoints,
        client: ClientCredentials,
        http: H,
        store: Arc<dyn TokenStore>,
        name: impl Into<String>,
    ) -> Result<Option<Self>, StoreError> {
        let name = name.into();
        let Some(stored) = store.load(&name)? else {
            return Ok(None);
        };
        let token = OAuth2Token::from_stored(&stored)?;
        Ok(Some(
            Self::new(endpoints, client, token, http).with_store(store, name),
        ))
    }

    /// Saves every refreshed token in `store` under `name`.
    pub fn with_store(mut self, store: Arc<dyn TokenStore>, name: impl Into<String>) -> Self {
        self.store = Some((store, name.into()));
        self
    }

    /// Refreshes when the access token has `margin` or less left ([`DEFAULT_MARGIN`]).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self.state.get_mut().margin = margin.as_secs();
        self
    }

    /// Reads the time from `clock` (tests pin it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How many refreshes this source has sent.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// The grant as it stands (tokens redacted in `Debug`).
    pub async fn token(&self) -> OAuth2Token {
        self.state.lock().await.token.clone()
    }
}

impl<H: Transport> TokenSource<H> {
    /// A fresh access token: the current one while it has more than the margin left,
    /// otherwise a new one from a refresh (one at a time: callers that waited on it get
    /// its token).
    pub async fn access_token(&self) -> Result<AccessToken, SourceError> {
        let mut state = self.state.lock().await;
        if let Some(e) = &state.failed {
            return Err(e.clone().into());
        }
        let now = self.clock.now_unix();
        if state.token.is_fresh(now, state.margin) {
            if let Some(token) = &state.token.access_token {
                return Ok(token.clone());
            }
        }
        self.refresh_locked(&mut state).await
    }

    /// A [`BearerAuthorizer`] for a fresh access token.
    pub async fn authorizer(&self) -> Result<BearerAuthorizer, SourceError> {
        Ok(BearerAuthorizer::new(self.access_token().await?)?)
    }

    /// Refreshes now, whatever the expiry says.
    pub async fn refresh(&self) -> Result<AccessToken, SourceError> {
        let mut state = self.state.lock().await;
        self.refresh_locked(&mut state).await
    }

    /// Refreshes because a resource refused `rejected`, unless another caller already
    /// replaced it: however many callers saw the same 401, the grant is refreshed once.
    pub async fn refresh_rejected(
        &self,
        rejected: &AccessToken,
    ) -> Result<AccessToken, SourceError> {
        let mut state = self.state.lock().await;
        match &state.token.access_token {
            Some(current) if current != rejected && state.failed.is_none() => Ok(current.clone()),
            _ => self.refresh_locked(&mut state).await,
        }
    }

    /// Sends a resource request with `Authorization: Bearer …`; on a 401 `invalid_token`
    /// ([`flow::is_invalid_token`]) refreshes once and sends it once more. A second such
    /// 401 is [`OAuth2Error::TokenRejected`]. Other answers are returned as they are.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SourceError> {
        let token = self.access_token().await?;
        let first = self.send_with(&request, &token).await?;
        if !flow::is_invalid_token(&first) {
            return Ok(first);
        }
        let token = self.refresh_rejected(&token).await?;
        let second = self.send_with(&request, &token).await?;
        if flow::is_invalid_token(&second) {
            return Err(OAuth2Error::TokenRejected.into());
        }
        Ok(second)
    }

    async fn send_with(
        &self,
        request: &HttpRequest,
        token: &AccessToken,
    ) -> Result<HttpResponse, SourceError> {
        let auth = BearerAuthorizer::new(token.clone())?.authorization();
        let request = request.clone().with_authorization(&auth);
        Ok(self.http.send(request).await.map_err(OAuth2Error::from)?)
    }

    /// Refreshes with the lock held; a final refusal is kept for later callers.
    async fn refresh_locked(&self, state: &mut State) -> Result<AccessToken, SourceError> {
        if let Some(e) = &state.failed {
            return Err(e.clone().into());
        }
        let call = match &self.renewal {
            Renewal::Refresh(client) => {
                let refresh_token = state
                    .token
                    .refresh_token
                    .clone()
                    .ok_or(OAuth2Error::InvalidInput(InputError::NoRefreshToken))?;
                flow::refresh(&self.endpoints, client, &refresh_token)
            }
            #[cfg(feature = "rsa")]
            Renewal::ServiceAccount(g) => super::service_account::jwt_grant(
                self.endpoints.oauth2_token(),
                &g.key,
                &g.request,
                self.clock.now_unix(),
            ),
        };
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let answer = call.send(&self.http).await;
        let response = match answer {
            Ok(response) => response,
            Err(e) => {
                if e.is_final() {
                    state.failed = Some(e.clone());
                }
                return Err(e.into());
            }
        };
        let access = response.access_token.clone();
        let client_id = state.token.client_id.clone();
        let now = self.clock.now_unix();
        state.token = response.into_token(&client_id, Some(&state.token), now);
        state.margin = effective_margin(self.margin.as_secs(), state.token.expires_at, now);
        if let Some((store, name)) = &self.store {
            store.save(name, &state.token.to_stored())?;
        }
        Ok(access)
    }
}

/// The margin for a token issued at `now` that expires at `expires_at`: `margin`, or half the
/// lifetime when the lifetime is `margin` or less (else every call would refresh again).
fn effective_margin(margin: u64, expires_at: Option<u64>, now: u64) -> u64 {
    match expires_at.map(|at| at.saturating_sub(now)) {
        Some(lifetime) if lifetime <= margin => lifetime / 2,
        _ => margin,
    }
}
