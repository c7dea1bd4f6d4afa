//! [`BearerAuthorizer`]: the [`Authorizer`] that sends `Authorization: Bearer <token>`
//! (RFC 6750 §2.1), never a query parameter (RFC 6750 §2.3 says SHOULD NOT; Google stopped
//! accepting `access_token` in URLs in 2021, SECURITY.md §4).

use super::error::OAuth2Error;
use super::types::AccessToken;
use crate::authorizer::{AuthorizeError, Authorizer, Scheme};
use crate::encoding::{query_has_param, query_part};
use crate::request::{Authorization, Context, Request};

/// PY2 `OAUTH2_AUTH_LABEL` (PROTOCOLS.md §5).
const LABEL: &str = "Bearer ";

/// Authorizes requests with an OAuth 2.0 access token. The header is the same for every
/// request, so the [`Context`] is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerAuthorizer {
    token: AccessToken,
}

impl BearerAuthorizer {
    /// An authorizer for `token`, checked with [`super::check_token`] (size limit and
    /// RFC 6750 §2.1 characters).
    pub fn new(token: AccessToken) -> Result<Self, OAuth2Error> {
        super::types::check_token(super::TokenKind::AccessToken, token.secret())?;
        Ok(Self { token })
    }

    /// The token.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// `Bearer <token>`, marked sensitive (zeroized on drop).
    pub fn authorization(&self) -> Authorization {
        let token = self.token.secret();
        let mut value = String::with_capacity(LABEL.len() + token.len());
        value.push_str(LABEL);
        value.push_str(token);
        Authorization::new(value)
    }
}

impl Authorizer for BearerAuthorizer {
    /// The header; a request whose URL already carries `access_token=` is refused
    /// ([`AuthorizeError::TokenInUrl`]), since the token would be logged with the URL.
    fn authorize(
        &self,
        request: &Request,
        _ctx: &Context,
    ) -> Result<Authorization, AuthorizeError> {
        if query_has_param(query_part(request.url()), "access_token") {
            return Err(AuthorizeError::TokenInUrl);
        }
        Ok(self.authorization())
    }

    fn scheme(&self) -> Scheme {
        Scheme::Bearer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_bearer_and_debug_redacted() {
        let auth = BearerAuthorizer::new(AccessToken::new("accessToken")).unwrap();
        let req = Request::new("GET", "https://www.google.com/calendar/feeds/default").unwrap();
        // PROTOCOLS.md §7.8: `Authorization: Bearer accessToken`.
        assert_eq!(
            auth.authorize_now(&req).unwrap().header_value(),
            "Bearer accessToken"
        );
        assert_eq!(auth.scheme(), Scheme::Bearer);
        assert!(!format!("{auth:?}").contains("accessToken"));
    }

    #[test]
    fn a_token_in_the_url_is_refused() {
        let auth = BearerAuthorizer::new(AccessToken::new("ya29.a")).unwrap();
        let req = Request::new("GET", "https://h/feeds?alt=json&access_token=x").unwrap();
        assert_eq!(auth.authorize_now(&req), Err(AuthorizeError::TokenInUrl));
        // Its name escaped is the same parameter to the server.
        let escaped = Request::new("GET", "https://h/feeds?access%5Ftoken=x").unwrap();
        assert_eq!(
            auth.authorize_now(&escaped),
            Err(AuthorizeError::TokenInUrl)
        );
        let ok = Request::new("GET", "https://h/feeds?my_access_token=x").unwrap();
        assert!(auth.authorize_now(&ok).is_ok());
    }

    #[test]
    fn bad_tokens_are_refused() {
        for bad in ["", "a b", "a\r\nX: y", "a\"", "===", "é"] {
            assert!(
                BearerAuthorizer::new(AccessToken::new(bad)).is_err(),
                "{bad:?}"
            );
        }
        assert!(BearerAuthorizer::new(AccessToken::new("ya29.A-b_c~d+e/f==")).is_ok());
    }
}
