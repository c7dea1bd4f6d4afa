//! OAuth 2.0, as far as a program moving off the legacy protocols needs it: the bearer
//! [`BearerAuthorizer`] (RFC 6750), the token endpoint's refresh and revocation (RFC 6749
//! §6, RFC 7009), Google's token size limits and error classes (seed 001, SECURITY.md §4),
//! and a shared, persisted [`TokenSource`].
//!
//! * [`types`]: tokens and client credentials as secret types, [`TokenResponse`],
//!   [`OAuth2Token`] (what a store keeps).
//! * [`response`] (feature `serde`): the JSON answers, sizes and fields checked.
//! * [`flow`] (feature `serde`): `prepare_*` / `parse_*` pairs and their [`crate::Call`]s.
//! * [`migration`] (feature `serde`): the OAuth 1.0 → 2.0 token exchange.
//! * The flows that obtain new grants, each replacing a legacy protocol (MIGRATION.md):
//!   [`authorize`] (web server and installed app: the authorization URL, the redirect
//!   with its `state`, the code exchange) with [`pkce`] and the installed app's
//!   [`loopback`] redirect; [`device`] (limited-input devices); [`service_account`]
//!   (features `rsa`, `serde`: JWT assertions, replacing two-legged OAuth 1.0).
//! * [`scopes`]: the legacy feed scopes per service and the OAuth 2.0 scope to request
//!   today, with sources.
//! * [`TokenSource`] (features `serde` and `http`): refresh before expiry, one at a time.
//!
//! Hand-written rather than over the `oauth2` crate: see the README's "OAuth 2.0" section.

#[cfg(feature = "serde")]
pub mod authorize;
mod authorizer;
#[cfg(feature = "serde")]
pub mod device;
mod error;
#[cfg(feature = "serde")]
pub mod flow;
#[cfg(feature = "serde")]
pub mod loopback;
#[cfg(feature = "serde")]
pub mod migration;
pub mod pkce;
#[cfg(feature = "serde")]
pub mod response;
pub mod scopes;
#[cfg(all(feature = "rsa", feature = "serde"))]
pub mod service_account;
#[cfg(all(feature = "serde", feature = "http"))]
mod source;
pub mod types;

#[cfg(feature = "serde")]
pub use authorize::{AccessType, AuthState, AuthorizationRequest, PendingAuthorization, Prompt};
pub use authorizer::BearerAuthorizer;
#[cfg(feature = "serde")]
pub use device::{DeviceAuthorization, DeviceCode, DevicePoll, DevicePoller};
#[cfg(all(feature = "rsa", feature = "serde"))]
pub use error::ServiceAccountError;
pub use error::{
    EndpointError, ErrorCode, InputError, ListenerError, Malformed, OAuth2Error, TokenKind,
};
#[cfg(feature = "serde")]
pub use flow::{refresh, revoke, Revocable};
#[cfg(feature = "serde")]
pub use loopback::{open_browser, LoopbackRedirect};
#[cfg(feature = "serde")]
pub use migration::{migrate, MIGRATION_GRANT_TYPE};
pub use pkce::{PkceChallenge, PkceVerifier};
#[cfg(feature = "serde")]
pub use response::{parse_token_response, MAX_RESPONSE_BYTES};
#[cfg(all(feature = "rsa", feature = "serde"))]
pub use service_account::{AssertionRequest, ServiceAccountKey};
#[cfg(all(feature = "serde", feature = "http"))]
pub use source::{SourceError, TokenSource, DEFAULT_MARGIN};
pub use types::{
    check_token, AccessToken, AuthorizationCode, ClientAuth, ClientCredentials, ClientSecret,
    OAuth2Token, RefreshToken, TokenResponse, MAX_ACCESS_TOKEN_BYTES, MAX_AUTHORIZATION_CODE_BYTES,
    MAX_REFRESH_TOKEN_BYTES,
};
