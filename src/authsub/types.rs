//! The nouns of AuthSub, as types: the [`SingleUseToken`] Google appends to the `next` URL,
//! the [`SessionToken`] it is upgraded to (with its [`Session`] expiry), and the
//! [`TokenInfo`] a token's holder can ask for (PROTOCOLS.md §2.2, §2.3).
//!
//! Both tokens are credentials: secret newtypes with a redacted `Debug`, no `Display`,
//! zeroized on drop. The single-use token is not `Clone` and the upgrade consumes it, so it
//! is not copied around or used twice by accident. Whether a token is secure (its requests
//! signed) is the caller's knowledge, given as a [`super::Security`] where it is used.

use crate::scope::Scope;
use crate::secret::secret_string;

secret_string!(
    /// The single-use token from Google's redirect to `next` (`?token=…`, PROTOCOLS.md
    /// §2.2). Not `Clone`: it is good for one call, and the session upgrade
    /// ([`super::flow::session_token`]) consumes it.
    SingleUseToken
);

secret_string!(
    /// A session token: the long-lived credential `AuthSubSessionToken` returns, used for
    /// every later request until it is revoked.
    #[derive(Clone)]
    SessionToken
);

/// The answer of the session upgrade: the session token and, when Google gave one, its
/// expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Session {
    token: SessionToken,
    #[cfg_attr(feature = "serde", serde(default))]
    expiration: Option<String>,
}

impl Session {
    /// A session from its parts (normally [`super::flow::parse_session_token`] makes it).
    pub fn new(token: SessionToken, expiration: Option<String>) -> Self {
        Self { token, expiration }
    }

    /// The session token.
    pub fn token(&self) -> &SessionToken {
        &self.token
    }

    /// `Expiration=` as Google sent it (`20061004T123456Z`: ISO 8601 basic, UTC), if any.
    pub fn expiration(&self) -> Option<&str> {
        self.expiration.as_deref()
    }
}

/// What `AuthSubTokenInfo` says about a token (PROTOCOLS.md §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenInfo {
    target: String,
    scopes: Vec<Scope>,
    secure: bool,
}

impl TokenInfo {
    /// Token info from its parts (normally [`super::flow::parse_token_info`] makes it).
    pub fn new(target: impl Into<String>, scopes: Vec<Scope>, secure: bool) -> Self {
        Self {
            target: target.into(),
            scopes,
            secure,
        }
    }

    /// `Target=`: the registered domain (or `next` URL) the token was issued to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// `Scope=`: the scopes the token grants.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// `Secure=`: whether requests with the token must be signed.
    pub fn secure(&self) -> bool {
        self.secure
    }
}
