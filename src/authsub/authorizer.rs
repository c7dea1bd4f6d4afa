//! [`AuthSubAuthorizer`]: an AuthSub token that authorizes requests, non-secure (the token
//! alone, a bearer credential) or secure (each request's data string signed with the
//! registered RSA key), chosen by [`Security`].

#[cfg(feature = "rsa")]
use std::sync::Arc;

use zeroize::Zeroizing;

use super::error::TokenError;
use super::header::build_header;
#[cfg(feature = "rsa")]
use super::header::{append_secure, check_nonce, data_string, quotable};
use super::types::{Session, SessionToken};
use crate::authorizer::{AuthorizeError, Authorizer, Scheme};
use crate::request::{Authorization, Context, Request};

#[cfg(feature = "rsa")]
use crate::rsa_sha1::RsaSigningKey;

/// How an AuthSub token is used: alone, or with a signature over each request.
///
/// A token is secure when it was asked for with `secure=1` (PROTOCOLS.md §2.1) by a
/// registered domain that uploaded its certificate; Google then refuses it unsigned.
/// SECURITY.md §3: a non-secure token is a bearer credential, so prefer secure.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Security {
    /// `AuthSub token="…"` (PROTOCOLS.md §2.4).
    #[default]
    NonSecure,
    /// `AuthSub token="…" data="…" sig="…" sigalg="rsa-sha1"`, signed with the registered
    /// domain's private key (PROTOCOLS.md §2.5).
    #[cfg(feature = "rsa")]
    Secure(Arc<RsaSigningKey>),
}

impl Security {
    /// Secure AuthSub with `key`.
    #[cfg(feature = "rsa")]
    pub fn secure(key: RsaSigningKey) -> Self {
        Self::Secure(Arc::new(key))
    }

    /// Whether requests are signed.
    pub fn is_secure(&self) -> bool {
        !matches!(self, Self::NonSecure)
    }
}

/// The result of authorizing one request, for tools that show their work
/// (`gdauth authsub sign --json`).
///
/// `Debug` is redacted and the data string is zeroized on drop: it holds the request's URL,
/// whose query may carry secrets, as [`crate::oauth1::Signed`] treats its base string.
#[derive(Clone)]
pub struct Signed {
    /// The signed data string `METHOD URL TIMESTAMP NONCE`; `None` when non-secure.
    pub data: Option<String>,
    /// The Base64 RSA-SHA1 signature of `data`; `None` when non-secure.
    pub signature: Option<String>,
    /// The `Authorization` header value.
    pub authorization: Authorization,
}

impl Drop for Signed {
    fn drop(&mut self) {
        if let Some(data) = &mut self.data {
            zeroize::Zeroize::zeroize(data);
        }
    }
}

impl core::fmt::Debug for Signed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signed")
            .field(
                "data",
                &self
                    .data
                    .as_ref()
                    .map(|d| format!("[redacted, {} bytes]", d.len())),
            )
            .field("signature", &self.signature.as_ref().map(|_| "[redacted]"))
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// An AuthSub token (single-use or session) that authorizes requests; see [`Security`].
///
/// The token is checked once, when the authorizer is built (SECURITY.md §3: no quote,
/// backslash, whitespace, control or non-ASCII character can reach the header), so
/// authorizing cannot fail for it. `Debug` shows whether it is secure, never the token.
#[derive(Clone)]
pub struct AuthSubAuthorizer {
    /// `AuthSub token="…"`: the whole non-secure header, the head of the secure one.
    head: Zeroizing<String>,
    security: Security,
}

impl core::fmt::Debug for AuthSubAuthorizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthSubAuthorizer")
            .field("token", &"[redacted]")
            .field("secure", &self.security.is_secure())
            .finish()
    }
}

impl Session {
    /// The authorizer that uses this session token, non-secure or secure.
    pub fn authorizer(&self, security: Security) -> Result<AuthSubAuthorizer, TokenError> {
        AuthSubAuthorizer::new(self.token(), security)
    }
}

impl AuthSubAuthorizer {
    /// An authorizer for a session token; fails when the token cannot go into a header.
    pub fn new(token: &SessionToken, security: Security) -> Result<Self, TokenError> {
        Self::for_token(token.secret(), security)
    }

    /// An authorizer for any token: the single-use token's one call, or a token from
    /// elsewhere (`gdauth authsub sign --token`).
    pub(crate) fn for_token(token: &str, security: Security) -> Result<Self, TokenError> {
        Ok(Self {
            head: Zeroizing::new(build_header(token)?),
            security,
        })
    }

    /// Whether requests are signed (secure AuthSub).
    pub fn is_secure(&self) -> bool {
        self.security.is_secure()
    }

    /// How the token is used.
    pub fn security(&self) -> &Security {
        &self.security
    }

    /// Authorizes `request`: the header, and when secure the data string and signature.
    /// Secure AuthSub signs `METHOD URL TIMESTAMP NONCE` from the request's (upper-cased)
    /// method and URL as sent and `ctx`'s timestamp and nonce, which it requires.
    #[cfg_attr(not(feature = "rsa"), allow(unused_variables))]
    pub fn sign(&self, request: &Request, ctx: &Context) -> Result<Signed, AuthorizeError> {
        match &self.security {
            Security::NonSecure => Ok(Signed {
                data: None,
                signature: None,
                authorization: Authorization::new(self.head.as_str()),
            }),
            #[cfg(feature = "rsa")]
            Security::Secure(key) => {
                let (Some(timestamp), Some(nonce)) = (ctx.timestamp, ctx.nonce.as_deref()) else {
                    return Err(AuthorizeError::MissingTimestampOrNonce);
                };
                if !check_nonce(nonce) {
                    return Err(AuthorizeError::BadNonce);
                }
                // Both URL parsers escape spaces, quotes and control characters, but the URL
                // Standard leaves a `\` in a query as it is.
                if !quotable(request.url()) {
                    return Err(AuthorizeError::UnquotableUrl);
                }
                let data = data_string(request.method(), request.url(), timestamp, nonce);
                let signature = key.sign(data.as_bytes())?;
                // Room for the whole header at once: growing it later would free a buffer
                // holding the token without wiping it.
                let mut header =
                    String::with_capacity(self.head.len() + data.len() + signature.len() + 48);
                header.push_str(self.head.as_str());
                // The method is a token, the timestamp digits, the nonce and URL were checked,
                // and Base64 needs no escape: the builder's own check cannot fail here.
                append_secure(&mut header, &data, &signature)
                    .map_err(|_| AuthorizeError::UnquotableUrl)?;
                Ok(Signed {
                    data: Some(data),
                    signature: Some(signature),
                    authorization: Authorization::new(header),
                })
            }
        }
    }
}

impl Authorizer for AuthSubAuthorizer {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        self.sign(request, ctx).map(|s| s.authorization.clone())
    }

    fn scheme(&self) -> Scheme {
        Scheme::AuthSub
    }
}
