//! Where Google Accounts lives: every legacy endpoint URL as one [`Endpoints`] value.
//!
//! Google's servers for these protocols are gone, so the same value points either at the
//! historical `https://www.google.com/accounts/…` URLs ([`Endpoints::google`]) or at any
//! other host serving the same paths, such as the local emulator ([`Endpoints::at`]).
//! Protocol code takes an `&Endpoints` and never spells a URL itself, so moving a whole
//! program from one host to another is one value.

use url::Url;

use crate::request::RequestError;

/// The historical origin of Google Accounts.
pub const GOOGLE_BASE_URL: &str = "https://www.google.com";

/// Paths below the base URL, as Google served them (PROTOCOLS.md §2.1, §2.3, §3.1).
const OAUTH1_REQUEST_TOKEN_PATH: &str = "/accounts/OAuthGetRequestToken";
const OAUTH1_AUTHORIZE_TOKEN_PATH: &str = "/accounts/OAuthAuthorizeToken";
const OAUTH1_ACCESS_TOKEN_PATH: &str = "/accounts/OAuthGetAccessToken";
const AUTHSUB_REQUEST_PATH: &str = "/accounts/AuthSubRequest";
const AUTHSUB_SESSION_TOKEN_PATH: &str = "/accounts/AuthSubSessionToken";
const AUTHSUB_REVOKE_TOKEN_PATH: &str = "/accounts/AuthSubRevokeToken";
/// PROTOCOLS.md §1.1.
const CLIENTLOGIN_PATH: &str = "/accounts/ClientLogin";
/// PROTOCOLS.md §1.5: relative `CaptchaUrl`s resolve against this prefix.
const ACCOUNTS_BASE_PATH: &str = "/accounts/";
const AUTHSUB_TOKEN_INFO_PATH: &str = "/accounts/AuthSubTokenInfo";
/// OAuth 2.0's token and revocation endpoints (PROTOCOLS.md §5, PY2 `OAuth2Token`), on
/// `accounts.google.com` at Google, under the base URL elsewhere.
const OAUTH2_TOKEN_PATH: &str = "/o/oauth2/token";
const OAUTH2_REVOKE_PATH: &str = "/o/oauth2/revoke";
/// OAuth 2.0's authorization endpoint (the consent page) and device authorization endpoint
/// (RFC 8628 §3.1), on the same host.
const OAUTH2_AUTH_PATH: &str = "/o/oauth2/auth";
const OAUTH2_DEVICE_CODE_PATH: &str = "/o/oauth2/device/code";
/// Google's OAuth 2.0 host (PROTOCOLS.md §5).
pub const GOOGLE_OAUTH2_BASE_URL: &str = "https://accounts.google.com";

/// The URLs of Google Accounts' legacy endpoints, configured as a whole.
///
/// Later protocols (ClientLogin, OAuth 2.0) add their URLs here, which is why the
/// fields are private and the struct is `#[non_exhaustive]`. Every URL is absolute,
/// `http` or `https`, without query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    base: String,
    oauth1_request_token: String,
    oauth1_authorize_token: String,
    oauth1_access_token: String,
    authsub_request: String,
    authsub_session_token: String,
    authsub_revoke_token: String,
    clientlogin: String,
    accounts_base: String,
    authsub_token_info: String,
    oauth2_token: String,
    oauth2_revoke: String,
    oauth2_auth: String,
    oauth2_device_code: String,
}

impl Endpoints {
    /// The historical Google URLs (`https://www.google.com/accounts/OAuthGetRequestToken`, …).
    pub fn google() -> Self {
        let mut e = Self::joined(GOOGLE_BASE_URL);
        e.oauth2_token = format!("{GOOGLE_OAUTH2_BASE_URL}{OAUTH2_TOKEN_PATH}");
        e.oauth2_revoke = format!("{GOOGLE_OAUTH2_BASE_URL}{OAUTH2_REVOKE_PATH}");
        e.oauth2_auth = format!("{GOOGLE_OAUTH2_BASE_URL}{OAUTH2_AUTH_PATH}");
        e.oauth2_device_code = format!("{GOOGLE_OAUTH2_BASE_URL}{OAUTH2_DEVICE_CODE_PATH}");
        e
    }

    /// The same paths under another base URL, e.g. the emulator's `http://127.0.0.1:PORT`.
    ///
    /// The base may carry a path prefix (`https://proxy.example/google`), and a trailing
    /// `/` is ignored. It must be an absolute `http` or `https` URL with a host, and without
    /// credentials, query or fragment.
    pub fn at(base_url: &str) -> Result<Self, RequestError> {
        let base = Url::parse(base_url).map_err(|e| RequestError::BadUrl(e.to_string()))?;
        let scheme = base.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(RequestError::UnsupportedScheme(scheme.to_owned()));
        }
        if base.host_str().is_none() {
            return Err(RequestError::BadUrl("base URL has no host".to_owned()));
        }
        if base.port() == Some(0) {
            return Err(RequestError::BadPort);
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(RequestError::BadUrl(
                "base URL must not have a query or a fragment".to_owned(),
            ));
        }
        if !base.username().is_empty() || base.password().is_some() {
            // Credentials in a URL end up in logs; this crate never sends them that way.
            return Err(RequestError::BadUrl(
                "base URL must not carry a user name or password".to_owned(),
            ));
        }
        // The `url` crate has normalized scheme and host case and dropped a default port;
        // a path suffix appended to its serialization stays a valid URL.
        Ok(Self::joined(base.as_str().trim_end_matches('/')))
    }

    /// These endpoints with OAuth 1.0's three URLs replaced: a service that is not at
    /// Google's paths, such as one a gadget spec's `<OAuth><Service>` names
    /// ([`crate::gadgets::OAuthService::endpoints`]). The URLs are taken as given (a query
    /// they carry is kept; the flow appends its parameters after it).
    pub fn with_oauth1(
        mut self,
        request_token: impl Into<String>,
        authorize_token: impl Into<String>,
        access_token: impl Into<String>,
    ) -> Self {
        self.oauth1_request_token = request_token.into();
        self.oauth1_authorize_token = authorize_token.into();
        self.oauth1_access_token = access_token.into();
        self
    }

    /// Appends the fixed paths to an already validated base without a trailing `/`.
    fn joined(prefix: &str) -> Self {
        let join = |path: &str| format!("{prefix}{path}");
        Self {
            base: prefix.to_owned(),
            oauth1_request_token: join(OAUTH1_REQUEST_TOKEN_PATH),
            oauth1_authorize_token: join(OAUTH1_AUTHORIZE_TOKEN_PATH),
            oauth1_access_token: join(OAUTH1_ACCESS_TOKEN_PATH),
            authsub_request: join(AUTHSUB_REQUEST_PATH),
            authsub_session_token: join(AUTHSUB_SESSION_TOKEN_PATH),
            authsub_revoke_token: join(AUTHSUB_REVOKE_TOKEN_PATH),
            clientlogin: join(CLIENTLOGIN_PATH),
            accounts_base: join(ACCOUNTS_BASE_PATH),
            authsub_token_info: join(AUTHSUB_TOKEN_INFO_PATH),
            oauth2_token: join(OAUTH2_TOKEN_PATH),
            oauth2_revoke: join(OAUTH2_REVOKE_PATH),
            oauth2_auth: join(OAUTH2_AUTH_PATH),
            oauth2_device_code: join(OAUTH2_DEVICE_CODE_PATH),
        }
    }

    /// The base URL these endpoints were built from, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// OAuth 1.0 temporary-credential request: `…/accounts/OAuthGetRequestToken`.
    pub fn oauth1_request_token(&self) -> &str {
        &self.oauth1_request_token
    }

    /// OAuth 1.0 resource-owner authorization page: `…/accounts/OAuthAuthorizeToken`.
    pub fn oauth1_authorize_token(&self) -> &str {
        &self.oauth1_authorize_token
    }

    /// OAuth 1.0 token request: `…/accounts/OAuthGetAccessToken`.
    pub fn oauth1_access_token(&self) -> &str {
        &self.oauth1_access_token
    }

    /// The AuthSub approval page the user is sent to: `…/accounts/AuthSubRequest`.
    pub fn authsub_request(&self) -> &str {
        &self.authsub_request
    }

    /// AuthSub single-use → session token upgrade: `…/accounts/AuthSubSessionToken`.
    pub fn authsub_session_token(&self) -> &str {
        &self.authsub_session_token
    }

    /// Token revocation, for AuthSub and OAuth 1.0 tokens alike: `…/accounts/AuthSubRevokeToken`.
    pub fn authsub_revoke_token(&self) -> &str {
        &self.authsub_revoke_token
    }

    /// ClientLogin: `…/accounts/ClientLogin` (PROTOCOLS.md §1.1).
    pub fn clientlogin(&self) -> &str {
        &self.clientlogin
    }

    /// The Google Accounts prefix, `…/accounts/` with its trailing `/`: a ClientLogin
    /// `CaptchaUrl` is relative to it (PROTOCOLS.md §1.5).
    pub fn accounts_base(&self) -> &str {
        &self.accounts_base
    }

    /// What an AuthSub token grants (target, scope, secure): `…/accounts/AuthSubTokenInfo`.
    pub fn authsub_token_info(&self) -> &str {
        &self.authsub_token_info
    }

    /// OAuth 2.0 token endpoint (refresh, the OAuth 1.0 migration grant):
    /// `https://accounts.google.com/o/oauth2/token` at Google, `…/o/oauth2/token` elsewhere.
    pub fn oauth2_token(&self) -> &str {
        &self.oauth2_token
    }

    /// OAuth 2.0 revocation endpoint: `https://accounts.google.com/o/oauth2/revoke` at
    /// Google, `…/o/oauth2/revoke` elsewhere.
    pub fn oauth2_revoke(&self) -> &str {
        &self.oauth2_revoke
    }

    /// OAuth 2.0 authorization endpoint (the consent page):
    /// `https://accounts.google.com/o/oauth2/auth` at Google, `…/o/oauth2/auth` elsewhere.
    pub fn oauth2_auth(&self) -> &str {
        &self.oauth2_auth
    }

    /// OAuth 2.0 device authorization endpoint (RFC 8628 §3.1):
    /// `https://accounts.google.com/o/oauth2/device/code` at Google,
    /// `…/o/oauth2/device/code` elsewhere.
    pub fn oauth2_device_code(&self) -> &str {
        &self.oauth2_device_code
    }
}

impl Default for Endpoints {
    /// Google's historical URLs.
    fn default() -> Self {
        Self::google()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_urls_are_the_historical_ones() {
        let e = Endpoints::google();
        assert_eq!(
            e.oauth1_request_token(),
            "https://www.google.com/accounts/OAuthGetRequestToken"
        );
        assert_eq!(
            e.oauth1_authorize_token(),
            "https://www.google.com/accounts/OAuthAuthorizeToken"
        );
        assert_eq!(
            e.oauth1_access_token(),
            "https://www.google.com/accounts/OAuthGetAccessToken"
        );
        assert_eq!(
            e.authsub_revoke_token(),
            "https://www.google.com/accounts/AuthSubRevokeToken"
        );
        assert_eq!(
            e.clientlogin(),
            "https://www.google.com/accounts/ClientLogin"
        );
        assert_eq!(e.accounts_base(), "https://www.google.com/accounts/");
        let local = Endpoints::at("http://127.0.0.1:8080/").unwrap();
        assert_eq!(local.accounts_base(), "http://127.0.0.1:8080/accounts/");
        assert_eq!(
            e.authsub_request(),
            "https://www.google.com/accounts/AuthSubRequest"
        );
        assert_eq!(
            e.authsub_session_token(),
            "https://www.google.com/accounts/AuthSubSessionToken"
        );
        assert_eq!(
            e.authsub_token_info(),
            "https://www.google.com/accounts/AuthSubTokenInfo"
        );
    }

    #[test]
    fn at_joins_paths_under_any_base() {
        let rows = [
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/accounts/OAuthGetAccessToken",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080/accounts/OAuthGetAccessToken",
            ),
            (
                "https://proxy.example/google/",
                "https://proxy.example/google/accounts/OAuthGetAccessToken",
            ),
            (
                "http://[::1]:9/",
                "http://[::1]:9/accounts/OAuthGetAccessToken",
            ),
        ];
        for (base, want) in rows {
            let e = Endpoints::at(base).unwrap();
            assert_eq!(e.oauth1_access_token(), want, "base {base}");
        }
        assert_eq!(
            Endpoints::at(GOOGLE_BASE_URL)
                .unwrap()
                .oauth1_access_token(),
            Endpoints::google().oauth1_access_token()
        );
        let local = Endpoints::at("http://127.0.0.1:8080/").unwrap();
        assert_eq!(local.oauth2_token(), "http://127.0.0.1:8080/o/oauth2/token");
        assert_eq!(
            local.oauth2_revoke(),
            "http://127.0.0.1:8080/o/oauth2/revoke"
        );
        assert_eq!(
            Endpoints::google().oauth2_token(),
            "https://accounts.google.com/o/oauth2/token"
        );
    }

    #[test]
    fn at_refuses_unusable_bases() {
        for base in [
            "",
            "127.0.0.1:8080",
            "ftp://h/",
            "http://h/?a=1",
            "http://h/#x",
            "http://u:p@h/",
            "http://h:0/",
            "/accounts",
        ] {
            assert!(Endpoints::at(base).is_err(), "accepted {base:?}");
        }
    }
}
