//! [`ClientLoginAuthorizer`]: the [`Authorizer`] that sends `Authorization: GoogleLogin
//! auth=<Auth>` (PROTOCOLS.md §1.3), and, only when the caller opts in, the credentials to
//! log in again when a feed refuses the token.

use std::sync::Arc;

use super::error::{ClientLoginError, InputError};
use super::types::{is_token, AuthToken, Credentials};
use crate::authorizer::{AuthorizeError, Authorizer, Scheme};
use crate::request::{Authorization, Context, Request};

/// The header label, a single space and no quotes (PY2 `PROGRAMMATIC_AUTH_LABEL`).
const LABEL: &str = "GoogleLogin auth=";

/// Authorizes requests with a ClientLogin `Auth` token. The header is the same for every
/// request, so the [`Context`] is not used.
///
/// By default it holds the token only. [`ClientLoginAuthorizer::with_relogin`] also keeps
/// the [`Credentials`], password included, for [`ClientLoginAuthorizer::relogin`] after a
/// feed answers [`ClientLoginError::TokenRejected`], as the Java client did on session
/// expiry; the password then lives (zeroized on drop) as long as the authorizer and its
/// clones (SECURITY.md §3).
#[derive(Clone)]
pub struct ClientLoginAuthorizer {
    auth: AuthToken,
    relogin: Option<Arc<Credentials>>,
}

impl core::fmt::Debug for ClientLoginAuthorizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientLoginAuthorizer")
            .field("auth", &self.auth)
            .field("relogin", &self.relogin.is_some())
            .finish()
    }
}

impl ClientLoginAuthorizer {
    /// An authorizer for an `Auth` token kept from an earlier login. The token must be
    /// non-empty visible ASCII without `"`, `\` or `,`, so the header cannot be split or
    /// injected into.
    pub fn new(auth: AuthToken) -> Result<Self, ClientLoginError> {
        if !is_token(auth.secret()) {
            return Err(ClientLoginError::InvalidInput(InputError::BadAuthToken));
        }
        Ok(Self::checked(auth))
    }

    /// An authorizer for a token the response reader checked.
    pub(crate) fn checked(auth: AuthToken) -> Self {
        Self {
            auth,
            relogin: None,
        }
    }

    /// Keeps `credentials` to log in again with [`ClientLoginAuthorizer::relogin`]: an
    /// explicit opt-in, since it keeps the password in memory.
    pub fn with_relogin(mut self, credentials: Credentials) -> Self {
        self.relogin = Some(Arc::new(credentials));
        self
    }

    /// The token.
    pub fn auth(&self) -> &AuthToken {
        &self.auth
    }

    /// Whether credentials were kept for [`ClientLoginAuthorizer::relogin`].
    pub fn can_relogin(&self) -> bool {
        self.relogin.is_some()
    }

    /// `GoogleLogin auth=<Auth>`, marked sensitive (zeroized on drop).
    pub fn authorization(&self) -> Authorization {
        let token = self.auth.secret();
        // Sized once: the token is not left behind in a grown buffer.
        let mut value = String::with_capacity(LABEL.len() + token.len());
        value.push_str(LABEL);
        value.push_str(token);
        Authorization::new(value)
    }

    /// The credentials kept for [`ClientLoginAuthorizer::relogin`] (which `flow` builds).
    pub(super) fn relogin_credentials(&self) -> Option<&Arc<Credentials>> {
        self.relogin.as_ref()
    }

    pub(super) fn with_relogin_shared(mut self, credentials: Arc<Credentials>) -> Self {
        self.relogin = Some(credentials);
        self
    }
}

impl Authorizer for ClientLoginAuthorizer {
    fn authorize(
        &self,
        _request: &Request,
        _ctx: &Context,
    ) -> Result<Authorization, AuthorizeError> {
        Ok(self.authorization())
    }

    fn scheme(&self) -> Scheme {
        Scheme::ClientLogin
    }
}
