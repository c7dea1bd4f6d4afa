//! From a legacy token to this crate's credentials: a [`LegacyToken`] read from a blob
//! becomes the authorizer its protocol uses here (or, for `2o`, an [`OAuth2Token`] and its
//! client for a [`crate::oauth2::TokenSource`]), so a Python application's stored tokens
//! sign requests and can be migrated without asking any user again.
//!
//! Only tokens that can authorize a request are imported: an OAuth 1.0 token must be an
//! access token (PY2 `auth_state` 3); request tokens stored mid-dance are refused with
//! [`ImportError::NotAnAccessToken`] rather than signed with.

use thiserror::Error;

use super::blob::{AuthState, LegacyToken};
use crate::authorizer::Authorizer;
use crate::authsub::{AuthSubAuthorizer, Security, SessionToken};
use crate::clientlogin::{AuthToken, ClientLoginAuthorizer};
use crate::oauth1::OAuth1Authorizer;
use crate::oauth2::{
    AccessToken, BearerAuthorizer, ClientCredentials, ClientSecret, OAuth2Token, RefreshToken,
};
use crate::secret::SecretString;

/// Why a legacy token could not be imported.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A field the credential needs is empty in the blob.
    #[error("the {marker} token has no {field}")]
    Missing {
        /// The blob's marker.
        marker: &'static str,
        /// The PY2 field name.
        field: &'static str,
    },
    /// An OAuth 1.0 token stored before the dance ended (`auth_state` 1 or 2).
    #[error("the OAuth 1.0 token is not an access token (auth_state {0}); finish the dance first")]
    NotAnAccessToken(i64),
    /// The stored RSA private key could not be read.
    #[cfg(feature = "rsa")]
    #[error("the stored RSA private key: {0}")]
    Key(#[from] crate::KeyError),
    /// The token holds an RSA key, and this build has no `rsa` feature.
    #[error("the token signs with RSA-SHA1; build with the `rsa` feature")]
    RsaUnavailable,
    /// The token cannot go into an `Authorization` header.
    #[error("the stored {marker} token cannot be sent: {reason}")]
    BadToken {
        /// The blob's marker.
        marker: &'static str,
        /// Why, from the protocol's own check.
        reason: String,
    },
}

/// What a legacy token becomes here.
#[derive(Debug)]
#[non_exhaustive]
pub enum Imported {
    /// `1h`, `1r`: an OAuth 1.0 consumer with its access token.
    OAuth1(OAuth1Authorizer),
    /// `1htl`, `1rtl`: a consumer alone, and the user requests act for (sign with
    /// [`crate::oauth1::OAuth1Client::two_legged`] or `xoauth_requestor_id` in the URL).
    TwoLegged {
        /// The consumer.
        authorizer: OAuth1Authorizer,
        /// `requestor_id`, when stored.
        requestor_id: Option<String>,
    },
    /// `1a`, `1s`: a session token, plain or secure.
    AuthSub(AuthSubAuthorizer),
    /// `1c`: a ClientLogin `Auth` token.
    ClientLogin(ClientLoginAuthorizer),
    /// `2o`: the grant and, when the blob kept its secret, the client it belongs to.
    OAuth2 {
        /// The grant (access token, refresh token, scopes).
        token: OAuth2Token,
        /// The client, when both its ID and secret were stored.
        client: Option<ClientCredentials>,
    },
}

impl Imported {
    /// The authorizer for a request now: every kind but an OAuth 2.0 grant with no
    /// access token (refresh it first with a [`crate::oauth2::TokenSource`]).
    pub fn authorizer(&self) -> Option<Box<dyn Authorizer>> {
        match self {
            Self::OAuth1(a) => Some(Box::new(a.clone())),
            Self::TwoLegged { authorizer, .. } => Some(Box::new(authorizer.clone())),
            Self::AuthSub(a) => Some(Box::new(a.clone())),
            Self::ClientLogin(a) => Some(Box::new(a.clone())),
            Self::OAuth2 { token, .. } => {
                let access = token.access_token.clone()?;
                BearerAuthorizer::new(access)
                    .ok()
                    .map(|a| Box::new(a) as Box<dyn Authorizer>)
            }
        }
    }
}

impl LegacyToken {
    /// This token as a credential of this crate ([`Imported`]).
    pub fn import(&self) -> Result<Imported, ImportError> {
        let marker = self.marker();
        // Borrowed, never copied: each secret goes straight into a type that wipes it (or,
        // for a PEM, is only read), so no plain copy is left in freed memory.
        fn need<'a>(
            v: Option<&'a SecretString>,
            marker: &'static str,
            field: &'static str,
        ) -> Result<&'a str, ImportError> {
            v.map(SecretString::secret)
                .filter(|s| !s.is_empty())
                .ok_or(ImportError::Missing { marker, field })
        }
        let need_plain = |v: &Option<String>, field| -> Result<String, ImportError> {
            v.clone()
                .filter(|s| !s.is_empty())
                .ok_or(ImportError::Missing { marker, field })
        };
        let bad = |reason: String| ImportError::BadToken { marker, reason };
        Ok(match self {
            Self::ClientLogin { token } => {
                let auth = AuthToken::new(need(token.as_ref(), marker, "token_string")?);
                Imported::ClientLogin(
                    ClientLoginAuthorizer::new(auth).map_err(|e| bad(e.to_string()))?,
                )
            }
            Self::AuthSub { token, .. } => {
                let session = SessionToken::new(need(token.as_ref(), marker, "token_string")?);
                Imported::AuthSub(
                    AuthSubAuthorizer::new(&session, Security::NonSecure)
                        .map_err(|e| bad(e.to_string()))?,
                )
            }
            Self::SecureAuthSub {
                token,
                rsa_private_key,
                ..
            } => {
                let session = SessionToken::new(need(token.as_ref(), marker, "token_string")?);
                let key = rsa_key(need(rsa_private_key.as_ref(), marker, "rsa_private_key")?)?;
                Imported::AuthSub(
                    AuthSubAuthorizer::new(&session, secure(key)?)
                        .map_err(|e| bad(e.to_string()))?,
                )
            }
            Self::TwoLeggedHmac {
                consumer_key,
                consumer_secret,
                requestor_id,
            } => Imported::TwoLegged {
                authorizer: OAuth1Authorizer::hmac_sha1(
                    need_plain(consumer_key, "consumer_key")?,
                    need(consumer_secret.as_ref(), marker, "consumer_secret")?,
                ),
                requestor_id: requestor_id.clone().filter(|s| !s.is_empty()),
            },
            Self::TwoLeggedRsa {
                consumer_key,
                rsa_private_key,
                requestor_id,
            } => Imported::TwoLegged {
                authorizer: rsa_consumer(
                    need_plain(consumer_key, "consumer_key")?,
                    rsa_key(need(rsa_private_key.as_ref(), marker, "rsa_private_key")?)?,
                )?,
                requestor_id: requestor_id.clone().filter(|s| !s.is_empty()),
            },
            Self::OAuthHmac {
                consumer_key,
                consumer_secret,
                token,
                token_secret,
                auth_state,
                ..
            } => {
                access_state(*auth_state)?;
                Imported::OAuth1(
                    OAuth1Authorizer::hmac_sha1(
                        need_plain(consumer_key, "consumer_key")?,
                        need(consumer_secret.as_ref(), marker, "consumer_secret")?,
                    )
                    .with_token(
                        need_plain(token, "token")?,
                        need(token_secret.as_ref(), marker, "token_secret")?,
                    ),
                )
            }
            Self::OAuthRsa {
                consumer_key,
                rsa_private_key,
                token,
                token_secret,
                auth_state,
                ..
            } => {
                access_state(*auth_state)?;
                // RFC 5849 §3.4.3: RSA-SHA1 ignores the token secret; an empty one is fine.
                let secret = token_secret.as_ref().map_or("", SecretString::secret);
                Imported::OAuth1(
                    rsa_consumer(
                        need_plain(consumer_key, "consumer_key")?,
                        rsa_key(need(rsa_private_key.as_ref(), marker, "rsa_private_key")?)?,
                    )?
                    .with_token(need_plain(token, "token")?, secret),
                )
            }
            Self::OAuth2 {
                client_id,
                client_secret,
                scope,
                access_token,
                refresh_token,
                ..
            } => {
                let id = need_plain(client_id, "client_id")?;
                let access = access_token
                    .as_ref()
                    .filter(|s| !s.secret().is_empty())
                    .map(|s| AccessToken::new(s.secret()));
                let refresh = refresh_token
                    .as_ref()
                    .filter(|s| !s.secret().is_empty())
                    .map(|s| RefreshToken::new(s.secret()));
                if access.is_none() && refresh.is_none() {
                    return Err(ImportError::Missing {
                        marker,
                        field: "access_token or refresh_token",
                    });
                }
                let token = OAuth2Token {
                    client_id: id.clone(),
                    access_token: access,
                    refresh_token: refresh,
                    expires_at: None,
                    scopes: scope
                        .as_deref()
                        .unwrap_or("")
                        .split(' ')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                };
                let client = client_secret
                    .as_ref()
                    .filter(|s| !s.secret().is_empty())
                    .map(|s| ClientCredentials::new(id, ClientSecret::new(s.secret())));
                Imported::OAuth2 { token, client }
            }
        })
    }
}

/// PY2 only signs with an access token (`auth_state` 3).
fn access_state(state: AuthState) -> Result<(), ImportError> {
    if state == AuthState::ACCESS_TOKEN {
        Ok(())
    } else {
        Err(ImportError::NotAnAccessToken(state.0))
    }
}

#[cfg(feature = "rsa")]
type RsaKey = crate::RsaSigningKey;
#[cfg(not(feature = "rsa"))]
type RsaKey = core::convert::Infallible;

#[cfg(feature = "rsa")]
fn rsa_key(pem: &str) -> Result<RsaKey, ImportError> {
    Ok(crate::RsaSigningKey::from_pem(pem)?)
}

#[cfg(not(feature = "rsa"))]
fn rsa_key(_pem: &str) -> Result<RsaKey, ImportError> {
    Err(ImportError::RsaUnavailable)
}

#[cfg(feature = "rsa")]
fn rsa_consumer(key: String, rsa: RsaKey) -> Result<OAuth1Authorizer, ImportError> {
    Ok(OAuth1Authorizer::rsa_sha1(key, rsa))
}

#[cfg(not(feature = "rsa"))]
fn rsa_consumer(_key: String, rsa: RsaKey) -> Result<OAuth1Authorizer, ImportError> {
    match rsa {}
}

#[cfg(feature = "rsa")]
fn secure(key: RsaKey) -> Result<Security, ImportError> {
    Ok(Security::secure(key))
}

#[cfg(not(feature = "rsa"))]
fn secure(key: RsaKey) -> Result<Security, ImportError> {
    match key {}
}
