//! ClientLogin ("Authentication for Installed Applications", PROTOCOLS.md §1): an e-mail
//! address and password exchanged for an `Auth` token, over plain data.
//!
//! * [`types`]: [`Credentials`] (the non-`Clone` [`Password`], [`Service`],
//!   [`AccountType`]), [`LoginTokens`] and the [`CaptchaChallenge`].
//! * [`flow`]: `prepare_login` / `parse_login` and their [`crate::Call`]s, the one retry
//!   after a CAPTCHA, and a feed's 401 read as [`ClientLoginError::TokenRejected`].
//! * [`response`]: the `Key=Value` answers, every `Error=` code, CAPTCHA URL resolution.
//! * [`ClientLoginAuthorizer`]: the [`crate::Authorizer`] for `GoogleLogin auth=…`.
//!
//! Retrying after `ServiceUnavailable` or a 5xx is the caller's, with
//! [`crate::retry::Backoff`]; authentication errors are final.

mod authorizer;
mod captcha;
mod error;
pub mod flow;
pub mod response;
pub mod types;

pub use authorizer::ClientLoginAuthorizer;
pub use error::{
    CaptchaUrlError, ClientLoginError, ErrorDetails, Field, InputError, ProtocolError,
    TokenRejection,
};
pub use flow::{login, login_with_captcha, parse_feed_response};
pub use response::{parse_login, resolve_captcha_url, MAX_RESPONSE_BYTES};
pub use types::{
    AccountType, AuthToken, CaptchaChallenge, CaptchaToken, Credentials, LoginTokens, Password,
    Service, DEFAULT_SOURCE,
};
