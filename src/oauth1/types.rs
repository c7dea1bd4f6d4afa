//! The nouns of Google's three-legged OAuth 1.0a dance, as types: [`Scope`], [`Callback`],
//! and the three token states [`RequestToken`] → [`AuthorizedRequestToken`] →
//! [`AccessToken`].
//!
//! The states are a typestate: the access-token step takes an `AuthorizedRequestToken`,
//! which only exists once the user's approval (the verifier) has been checked against the
//! request token it answers ([`crate::oauth1::flow::parse_callback`]) or pasted by the user
//! for `oob` ([`RequestToken::with_verifier`]). Every token type has serde support (feature
//! `serde`) so a web application can keep it between requests, and a `Debug` that redacts
//! token secrets and verifiers.

use super::flow::FlowError;
use super::OAuth1Authorizer;
use crate::secret::{SecretString, TokenSecret};
use crate::store::StoredToken;

/// One Google Data scope: a feed URL prefix such as `https://www.google.com/calendar/feeds/`.
///
/// Google took the request-token `scope` as a space-separated list (PROTOCOLS.md §3.2), so
/// a scope is non-empty and holds no whitespace or control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Scope(String);

impl Scope {
    /// A scope, checked: non-empty, no whitespace, no control characters.
    pub fn new(scope: impl Into<String>) -> Result<Self, FlowError> {
        let scope = scope.into();
        if scope.is_empty() {
            return Err(FlowError::InvalidScope("a scope is empty"));
        }
        if scope.chars().any(|c| c.is_whitespace() || c.is_control()) {
            // A space would split one scope into two on the provider's side.
            return Err(FlowError::InvalidScope(
                "a scope contains whitespace or a control character",
            ));
        }
        Ok(Self(scope))
    }

    /// Splits a space-separated list (the wire form of `scope`) into scopes.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, FlowError> {
        list.split_ascii_whitespace().map(Self::new).collect()
    }

    /// Joins scopes with single spaces: the value of the request-token `scope` parameter.
    pub fn join(scopes: &[Self]) -> String {
        let mut out = String::with_capacity(scopes.iter().map(|s| s.0.len() + 1).sum());
        for (i, scope) in scopes.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&scope.0);
        }
        out
    }

    /// The scope as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for Scope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Scope {
    type Err = FlowError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Scope {
    type Error = FlowError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> Self {
        scope.0
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

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
            return Err(FlowError::InvalidCallback(
                "the callback URL contains whitespace or a control character",
            ));
        }
        url::Url::parse(url).map(|_| ()).map_err(|_| {
            FlowError::InvalidCallback("the callback is neither `oob` nor an absolute URL")
        })
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
            return Err(FlowError::Malformed(
                "the verifier contains a control character",
            ));
        }
        Ok(AuthorizedRequestToken::new(self, verifier))
    }
}

/// A request token the user approved, with its `oauth_verifier` (OAuth 1.0a).
///
/// Made only by [`crate::oauth1::flow::parse_callback`] (which checks that the callback
/// names the token we started with: the session-fixation defence of OAuth 1.0a) or
/// [`RequestToken::with_verifier`]. Deserializing one grants nothing those two do not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AuthorizedRequestToken {
    #[cfg_attr(feature = "serde", serde(flatten))]
    request: RequestToken,
    verifier: SecretString,
}

impl AuthorizedRequestToken {
    pub(crate) fn new(request: RequestToken, verifier: &str) -> Self {
        Self {
            request,
            verifier: SecretString::new(verifier),
        }
    }

    /// The request token (`oauth_token`).
    pub fn token(&self) -> &str {
        &self.request.token
    }

    /// The request token's shared secret.
    pub fn secret(&self) -> &TokenSecret {
        &self.request.secret
    }

    /// The verifier (`oauth_verifier`): single use, so treated as a secret.
    pub fn verifier(&self) -> &str {
        self.verifier.secret()
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

impl From<&AccessToken> for StoredToken {
    fn from(token: &AccessToken) -> Self {
        StoredToken::OAuth1Access {
            consumer_key: token.consumer_key.clone(),
            token: token.token.clone(),
            token_secret: token.secret.clone(),
            scopes: token.scopes.iter().map(|s| s.0.clone()).collect(),
        }
    }
}

impl From<AccessToken> for StoredToken {
    fn from(token: AccessToken) -> Self {
        StoredToken::from(&token)
    }
}

impl TryFrom<&StoredToken> for AccessToken {
    type Error = FlowError;

    /// An OAuth 1.0 access token back from a store; other kinds, or scopes that no longer
    /// pass [`Scope::new`], are refused.
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
                    .collect::<Result<_, _>>()?,
            }),
            _ => Err(FlowError::Malformed(
                "the stored token is not an OAuth 1.0 access token",
            )),
        }
    }
}

impl TryFrom<StoredToken> for AccessToken {
    type Error = FlowError;
    fn try_from(stored: StoredToken) -> Result<Self, Self::Error> {
        Self::try_from(&stored)
    }
}
