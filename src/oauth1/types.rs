//! The nouns of Google's three-legged OAuth 1.0a dance, as types: [`Callback`], the
//! single-use [`OAuthVerifier`], and the three token states [`RequestToken`] →
//! [`AuthorizedRequestToken`] → [`AccessToken`]. Scopes are the crate's shared
//! [`Scope`].
//!
//! The states are a typestate: the access-token step takes an `AuthorizedRequestToken`,
//! which only exists once the user's approval (the verifier) has been checked against the
//! request token it answers ([`crate::oauth1::flow::parse_callback`]) or pasted by the user
//! for `oob` ([`RequestToken::with_verifier`]). Every token type has serde support (feature
//! `serde`) so a web application can keep it between requests, and a `Debug` that redacts
//! token secrets and verifiers.

use super::error::{CallbackError, FlowError, Malformed};
use super::OAuth1Authorizer;
use crate::scope::{Scope, ScopeError};
use crate::secret::{secret_string, TokenSecret};
use crate::store::{StoreError, StoredToken};

secret_string!(
    /// An `oauth_verifier`: the user's single-use proof of approval (OAuth 1.0a). Not
    /// `Clone`, so it is not copied around; it is consumed by the access-token step.
    OAuthVerifier
);

/// Where the provider sends the user after approval (`oauth_callback`, RFC 5849 §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "String", into = "String")
)]
pub enum Callback {
    /// Redirect to this absolute URL with `oauth_token` and `oauth_verifier` in its query.
    Url(String),
    /// Out of band (wire value `oob`): the provider shows the verifier and the user pastes
    /// it into the application. Google's default for installed applications.
    Oob,
}

impl Callback {
    /// The wire value of `oauth_callback`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Url(url) => url,
            Self::Oob => "oob",
        }
    }

    /// Reads a wire value: `oob` is [`Callback::Oob`], anything else a URL (unchecked; see
    /// [`Callback::check`]).
    pub fn parse(value: &str) -> Self {
        if value == "oob" {
            Self::Oob
        } else {
            Self::Url(value.to_owned())
        }
    }

    /// Checks that a URL callback is an absolute URL without whitespace or control
    /// characters (RFC 5849 §2.1). Custom schemes (`myapp://done`) are allowed: installed
    /// applications used them.
    pub fn check(&self) -> Result<(), FlowError> {
        let Self::Url(url) = self else {
            return Ok(());
        };
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FlowError::InvalidCallback(CallbackError::Whitespace));
        }
        url::Url::parse(url)
            .map(|_| ())
            .map_err(|_| FlowError::InvalidCallback(CallbackError::NotAbsolute))
    }
}

impl core::fmt::Display for Callback {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Callback {
    fn from(value: String) -> Self {
        if value == "oob" {
            Self::Oob
        } else {
            Self::Url(value)
        }
    }
}

impl From<Callback> for String {
    fn from(callback: Callback) -> Self {
        match callback {
            Callback::Url(url) => url,
            Callback::Oob => "oob".to_owned(),
        }
    }
}

/// Temporary credentials from `OAuthGetRequestToken`, not yet approved by the user.
///
/// Keep it (serde) until the user comes back: the callback is checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RequestToken {
    token: String,
    secret: TokenSecret,
    scopes: Vec<Scope>,
    callback: Callback,
}

impl RequestToken {
    /// Rebuilds a request token from its parts (normally [`crate::oauth1::flow::parse_request_token`]
    /// makes it).
    pub fn new(
        token: impl Into<String>,
        secret: TokenSecret,
        scopes: Vec<Scope>,
        callback: Callback,
    ) -> Self {
        Self {
            token: token.into(),
            secret,
            scopes,
            callback,
        }
    }

    /// The request token (`oauth_token`); public, it travels in the authorization URL.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The request token's shared secret.
    pub fn secret(&self) -> &TokenSecret {
        &self.secret
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The callback sent with the request (a URL or `oob`).
    pub fn callback(&self) -> &Callback {
        &self.callback
    }

    /// Marks the token approved with a verifier the user pasted (the `oob` flow, where no
    /// callback brings it back). For callback URLs use
    /// [`crate::oauth1::flow::parse_callback`], which also checks the returned token.
    ///
    /// Leading and trailing whitespace, which copy and paste adds, is dropped.
    pub fn with_verifier(self, verifier: &str) -> Result<AuthorizedRequestToken, FlowError> {
        let verifier = verifier.trim();
        if verifier.is_empty() {
            return Err(FlowError::MissingVerifier);
        }
        if verifier.chars().any(char::is_control) {
            return Err(FlowError::Malformed(Malformed::ControlCharacter(
                "oauth_verifier",
            )));
        }
        Ok(AuthorizedRequestToken::new(
            self,
            OAuthVerifier::new(verifier),
        ))
    }
}

/// A request token the user approved, with its `oauth_verifier` (OAuth 1.0a).
///
/// Made only by [`crate::oauth1::flow::parse_callback`] (which checks that the callback
/// names the token we started with: the session-fixation defence of OAuth 1.0a) or
/// [`RequestToken::with_verifier`]. Deserializing one grants nothing those two do not.
///
/// Not `Clone`: its verifier is single use, and the access-token step consumes it.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AuthorizedRequestToken {
    #[cfg_attr(feature = "serde", serde(flatten))]
    request: RequestToken,
    verifier: OAuthVerifier,
}

impl AuthorizedRequestToken {
    pub(crate) fn new(request: RequestToken, verifier: OAuthVerifier) -> Self {
        Self { request, verifier }
    }

    /// The request token (`oauth_token`).
    pub fn token(&self) -> &str {
        &self.request.token
    }

    /// The request token's shared secret.
    pub fn secret(&self) -> &TokenSecret {
        &self.request.secret
    }

    /// The verifier (`oauth_verifier`): single use, so held as a secret.
    pub fn verifier(&self) -> &OAuthVerifier {
        &self.verifier
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[Scope] {
        &self.request.scopes
    }

    /// The request token this approval answers.
    pub fn request_token(&self) -> &RequestToken {
        &self.request
    }
}

/// Token credentials from `OAuthGetAccessToken`: what signs requests for the user's data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccessToken {
    consumer_key: String,
    token: String,
    secret: TokenSecret,
    #[cfg_attr(feature = "serde", serde(default))]
    scopes: Vec<Scope>,
}

impl AccessToken {
    /// An access token from its parts (one kept elsewhere, or issued out of band).
    pub fn new(
        consumer_key: impl Into<String>,
        token: impl Into<String>,
        secret: TokenSecret,
        scopes: Vec<Scope>,
    ) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            token: token.into(),
            secret,
            scopes,
        }
    }

    /// The consumer key the token was issued to.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The access token (`oauth_token`).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The token's shared secret.
    pub fn secret(&self) -> &TokenSecret {
        &self.secret
    }

    /// The scopes the token was requested for.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The authorizer that signs requests with this token: `consumer` (its key and secret
    /// or RSA key) plus this token and secret. `consumer` should be the plain consumer the
    /// token was issued to (see [`AccessToken::consumer_key`]), without a callback or
    /// verifier set.
    pub fn authorizer(&self, consumer: &OAuth1Authorizer) -> OAuth1Authorizer {
        consumer
            .consumer_only()
            .with_token(self.token.clone(), self.secret.clone())
    }
}

impl AccessToken {
    /// The token as a [`crate::store::TokenStore`] keeps it.
    pub fn to_stored(&self) -> StoredToken {
        StoredToken::from(self)
    }

    /// An OAuth 1.0 access token back from a store; another kind of token is
    /// [`StoreError::WrongKind`], a scope that no longer passes [`Scope::new`]
    /// [`StoreError::BadScope`].
    pub fn from_stored(stored: &StoredToken) -> Result<Self, StoreError> {
        Self::try_from(stored)
    }
}

impl From<&AccessToken> for StoredToken {
    fn from(token: &AccessToken) -> Self {
        StoredToken::OAuth1Access {
            consumer_key: token.consumer_key.clone(),
            token: token.token.clone(),
            token_secret: token.secret.clone(),
            scopes: token.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

impl From<AccessToken> for StoredToken {
    fn from(token: AccessToken) -> Self {
        StoredToken::from(&token)
    }
}

impl TryFrom<&StoredToken> for AccessToken {
    type Error = StoreError;

    /// An OAuth 1.0 access token back from a store; other kinds
    /// ([`StoreError::WrongKind`]), or scopes that no longer pass [`Scope::new`]
    /// ([`StoreError::BadScope`]), are refused.
    fn try_from(stored: &StoredToken) -> Result<Self, Self::Error> {
        #[allow(unreachable_patterns)] // `StoredToken` will gain other kinds.
        match stored {
            StoredToken::OAuth1Access {
                consumer_key,
                token,
                token_secret,
                scopes,
            } => Ok(Self {
                consumer_key: consumer_key.clone(),
                token: token.clone(),
                secret: token_secret.clone(),
                scopes: scopes
                    .iter()
                    .map(|s| Scope::new(s.as_str()))
                    .collect::<Result<_, ScopeError>>()
                    .map_err(StoreError::BadScope)?,
            }),
            other => Err(StoreError::WrongKind {
                expected: "oauth1_access",
                found: other.kind(),
            }),
        }
    }
}

impl TryFrom<StoredToken> for AccessToken {
    type Error = StoreError;
    fn try_from(stored: StoredToken) -> Result<Self, Self::Error> {
        Self::try_from(&stored)
    }
}
