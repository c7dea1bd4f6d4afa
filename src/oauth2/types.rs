//! The OAuth 2.0 values: tokens and client credentials as secret types, checked against
//! Google's size limits (seed 001 "Token size", SECURITY.md §4), how the client
//! authenticates (RFC 6749 §2.3.1), and a token as a store keeps it.

use crate::scope::Scope;
use crate::secret::secret_string;
use crate::store::{StoreError, StoredToken};

use super::error::{InputError, OAuth2Error, TokenKind};

secret_string!(
    /// An OAuth 2.0 access token, sent as `Authorization: Bearer …` (RFC 6750 §2.1).
    #[derive(Clone)]
    AccessToken
);
secret_string!(
    /// An OAuth 2.0 refresh token (RFC 6749 §1.5): long-lived, exchanged for access tokens.
    #[derive(Clone)]
    RefreshToken
);
secret_string!(
    /// An OAuth 2.0 authorization code (RFC 6749 §4.1.2): single use, so not `Clone`.
    AuthorizationCode
);
secret_string!(
    /// An OAuth 2.0 client secret (RFC 6749 §2.3.1).
    #[derive(Clone)]
    ClientSecret
);

/// Google's largest authorization code, in bytes (seed 001 "Token size").
pub const MAX_AUTHORIZATION_CODE_BYTES: usize = 256;
/// Google's largest access token, in bytes (seed 001 "Token size").
pub const MAX_ACCESS_TOKEN_BYTES: usize = 2048;
/// Google's largest refresh token, in bytes (seed 001 "Token size").
pub const MAX_REFRESH_TOKEN_BYTES: usize = 512;

impl TokenKind {
    /// Google's largest token of this kind, in bytes (seed 001 "Token size": codes 256,
    /// access tokens 2048, refresh tokens 512). "Google reserves the right to change token
    /// size within these limits": accept up to the limit, refuse beyond, never truncate.
    pub const fn limit(self) -> usize {
        match self {
            Self::AuthorizationCode => MAX_AUTHORIZATION_CODE_BYTES,
            Self::AccessToken => MAX_ACCESS_TOKEN_BYTES,
            Self::RefreshToken => MAX_REFRESH_TOKEN_BYTES,
        }
    }
}

/// Checks a token of `kind`: non-empty, at most [`TokenKind::limit`] bytes, and RFC 6750
/// §2.1 `b64token` characters only (`A-Z a-z 0-9 - . _ ~ + /`, trailing `=`), so it cannot
/// split or inject into a header or a form.
pub fn check_token(kind: TokenKind, value: &str) -> Result<(), OAuth2Error> {
    if value.len() > kind.limit() {
        return Err(OAuth2Error::TokenTooLarge {
            kind,
            len: value.len(),
            limit: kind.limit(),
        });
    }
    let body = value.trim_end_matches('=');
    let ok = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(OAuth2Error::InvalidInput(InputError::BadToken(kind)))
    }
}

impl AccessToken {
    /// An access token, checked with [`check_token`].
    pub fn checked(value: impl Into<String>) -> Result<Self, OAuth2Error> {
        let token = Self::new(value);
        check_token(TokenKind::AccessToken, token.secret())?;
        Ok(token)
    }
}

impl RefreshToken {
    /// A refresh token, checked with [`check_token`].
    pub fn checked(value: impl Into<String>) -> Result<Self, OAuth2Error> {
        let token = Self::new(value);
        check_token(TokenKind::RefreshToken, token.secret())?;
        Ok(token)
    }
}

impl AuthorizationCode {
    /// An authorization code, checked with [`check_token`].
    pub fn checked(value: impl Into<String>) -> Result<Self, OAuth2Error> {
        let code = Self::new(value);
        check_token(TokenKind::AuthorizationCode, code.secret())?;
        Ok(code)
    }
}

/// How the client authenticates to the token endpoint: both ways RFC 6749 §2.3.1 allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749
    /// §2.3.1, which the server MUST support).
    Basic,
    /// `client_id` and `client_secret` in the form body, as Google's own libraries sent
    /// them (PROTOCOLS.md §5).
    #[default]
    Body,
}

/// An OAuth 2.0 client: its ID, its secret and how it authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    id: String,
    secret: ClientSecret,
    auth: ClientAuth,
}

impl ClientCredentials {
    /// A client authenticating with `client_id`/`client_secret` in the body.
    pub fn new(id: impl Into<String>, secret: ClientSecret) -> Self {
        Self {
            id: id.into(),
            secret,
            auth: ClientAuth::Body,
        }
    }

    /// Authenticates the other way.
    pub fn with_auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The client ID (public).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client secret.
    pub fn secret(&self) -> &ClientSecret {
        &self.secret
    }

    /// How the client authenticates.
    pub fn auth(&self) -> ClientAuth {
        self.auth
    }
}

/// What the token endpoint granted (RFC 6749 §5.1), read by
/// [`super::response::parse_token_response`] (feature `serde`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: AccessToken,
    /// `expires_in`, in seconds, when given.
    pub expires_in: Option<u64>,
    /// `refresh_token`, when given (a refresh may omit it: keep the old one).
    pub refresh_token: Option<RefreshToken>,
    /// `scope`, space-separated; when absent, RFC 6749 §5.1 says it equals the request's.
    pub scope: Option<Vec<String>>,
}

impl TokenResponse {
    /// The requested scopes the answer does not grant (seed 001, step 3: "Disable whatever
    /// features of your app unable to function without access"), read through the scope
    /// map ([`super::scopes::grants`]: a legacy feed is granted by its service's OAuth 2.0
    /// scope and the other way round). Empty when the answer has no `scope` (RFC 6749
    /// §5.1: then it is the requested one).
    pub fn missing_scopes<'a>(&self, requested: &'a [Scope]) -> Vec<&'a Scope> {
        let Some(granted) = &self.scope else {
            return Vec::new();
        };
        requested
            .iter()
            .filter(|s| !granted.iter().any(|g| super::scopes::grants(g, s.as_str())))
            .collect()
    }

    /// The token to keep: this answer's values, the previous refresh token when the answer
    /// brings none, the expiry as a Unix time from `now`.
    pub fn into_token(
        self,
        client_id: &str,
        previous: Option<&OAuth2Token>,
        now: u64,
    ) -> OAuth2Token {
        let refresh_token = self
            .refresh_token
            .or_else(|| previous.and_then(|p| p.refresh_token.clone()));
        let scopes = self
            .scope
            .or_else(|| previous.map(|p| p.scopes.clone()))
            .unwrap_or_default();
        OAuth2Token {
            client_id: client_id.to_owned(),
            access_token: Some(self.access_token),
            refresh_token,
            expires_at: self.expires_in.map(|s| now.saturating_add(s)),
            scopes,
        }
    }
}

/// An OAuth 2.0 grant as a program keeps it: the client it belongs to, the current access
/// token and its expiry, the refresh token and the granted scopes. `Debug` redacts tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuth2Token {
    /// The client ID the grant belongs to.
    pub client_id: String,
    /// The current access token, if any.
    pub access_token: Option<AccessToken>,
    /// The refresh token, if any.
    pub refresh_token: Option<RefreshToken>,
    /// When the access token expires, in seconds since the Unix epoch, if known.
    pub expires_at: Option<u64>,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

impl OAuth2Token {
    /// A grant known only by its refresh token (a migrated or imported one).
    pub fn from_refresh_token(client_id: impl Into<String>, refresh_token: RefreshToken) -> Self {
        Self {
            client_id: client_id.into(),
            access_token: None,
            refresh_token: Some(refresh_token),
            expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// Sets the scopes.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the access token and its expiry.
    pub fn with_access_token(mut self, token: AccessToken, expires_at: Option<u64>) -> Self {
        self.access_token = Some(token);
        self.expires_at = expires_at;
        self
    }

    /// Whether the access token can be used at `now` with `margin` seconds to spare: there
    /// is one, and its expiry (when known) is more than `margin` away.
    pub fn is_fresh(&self, now: u64, margin: u64) -> bool {
        self.access_token.is_some()
            && self
                .expires_at
                .is_none_or(|at| now.saturating_add(margin) < at)
    }

    /// The token as a [`crate::store::TokenStore`] keeps it.
    pub fn to_stored(&self) -> StoredToken {
        StoredToken::OAuth2 {
            client_id: self.client_id.clone(),
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_at: self.expires_at,
            scopes: self.scopes.clone(),
        }
    }

    /// An OAuth 2.0 grant back from a store; another kind is [`StoreError::WrongKind`].
    pub fn from_stored(stored: &StoredToken) -> Result<Self, StoreError> {
        match stored {
            StoredToken::OAuth2 {
                client_id,
                access_token,
                refresh_token,
                expires_at,
                scopes,
            } => Ok(Self {
                client_id: client_id.clone(),
                access_token: access_token.clone(),
                refresh_token: refresh_token.clone(),
                expires_at: *expires_at,
                scopes: scopes.clone(),
            }),
            other => Err(StoreError::WrongKind {
                expected: "oauth2",
                found: other.kind(),
            }),
        }
    }
}
