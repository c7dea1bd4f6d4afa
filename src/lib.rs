//! # gdata-auth
//!
//! Google's legacy Google Data (GData) authentication protocols, spoken byte-exactly, and the
//! road from them to OAuth 2.0.
//!
//! ## In scope
//! * OAuth 1.0 / 1.0a (RFC 5849) signing: HMAC-SHA1, RSA-SHA1, PLAINTEXT (and HMAC-SHA256),
//!   the `Authorization: OAuth` header, two-legged requests with `xoauth_requestor_id`.
//! * Provider-side OAuth 1.0 verification, strict by default ([`oauth1::verifier`]).
//! * Google's three-legged dance as pure `prepare_*` / `parse_*` pairs with async and
//!   blocking glue ([`oauth1::flow`]), against [`endpoints::Endpoints::google`] or any host.
//! * ClientLogin ([`clientlogin`]): the login as a `prepare_*` / `parse_*` pair, every
//!   `Error=` code as its own error, a CAPTCHA challenge as data answered once, the
//!   `GoogleLogin` [`clientlogin::ClientLoginAuthorizer`], and a feed's 401 read as a
//!   token to renew; retries after `ServiceUnavailable` driven by the caller ([`retry`]).
//! * An HTTP [`transport`] trait (reqwest with rustls behind the `http` feature, or any
//!   closure) and a [`store::TokenStore`] with an atomic 0600 file store.
//! * A local emulator of Google Accounts (feature `emulator`), used by the tests, the
//!   examples and `gdauth demo`.
//! * One [`Authorizer`] trait for every scheme, so call sites migrate one at a time.
//!
//! ## Layout
//! Data flows one way: describe a [`Request`], authorize it (pure, over a [`Context`] drawn
//! from an injected [`Clock`] and [`NonceSource`]), send it through a [`transport`] (the only
//! I/O), interpret the answer with a pure `parse_*`. Each protocol module has that shape.
//!
//! ## Out of scope
//! * Talking to Google: its legacy endpoints are gone. The emulator stands in for them.
//! * AuthSub and the OAuth 2.0 bridge: later phases, each a module of its own behind the
//!   same [`Authorizer`] and [`transport`]. The emulator does not serve ClientLogin yet.
//! * Logging in again, or retrying, behind the caller's back: a CAPTCHA is answered once by
//!   the caller, and a backoff runs only when asked to.
//! * Non-form request bodies in signatures (RFC 5849 §3.4.1.3.1 signs form bodies only).
//! * Reproducing legacy clients' signing quirks: the signer is RFC 5849 exactly.
//!
//! ## Quick start (OAuth 1.0)
//! ```
//! use gdata_auth::{oauth1::OAuth1Authorizer, Authorizer, Context, ConsumerSecret, Request, TokenSecret};
//! let auth = OAuth1Authorizer::hmac_sha1("example.com", ConsumerSecret::new("kd94hf93k423kf44"))
//!     .with_token("1/abc", TokenSecret::new("pfkkdhi9sl3r4s00"));
//! let req = Request::new("GET", "https://www.google.com/calendar/feeds/default/private/full")?;
//! let header = auth.authorize(&req, &Context::now())?;
//! assert!(header.header_value().starts_with("OAuth "));
//! # Ok::<(), gdata_auth::Error>(())
//! ```
//!
//! ## Quick start (ClientLogin)
//! ```
//! use gdata_auth::clientlogin::{flow, Credentials, Password, Service};
//! use gdata_auth::endpoints::Endpoints;
//! use gdata_auth::transport::{HttpRequest, HttpResponse, TransportError};
//! use gdata_auth::{Authorizer, Context, Request};
//! // Any `Fn(HttpRequest) -> Result<HttpResponse, TransportError>` is a blocking transport;
//! // this one answers as Google did (PROTOCOLS.md §1.2).
//! let google = |_: HttpRequest| -> Result<HttpResponse, TransportError> {
//!     Ok(HttpResponse::new(200, "SID=DQAAAGgA7Zg8CTN\nLSID=DQAAAGsAlk8BBbG\nAuth=DQAAAGgAdk3fA5N\n"))
//! };
//! let credentials = Credentials::new("jo@gmail.com", Password::new("north23AZ"), Service::Calendar);
//! let tokens = flow::login(&Endpoints::google(), &credentials).send_blocking(&google)?;
//! drop(credentials); // the password is wiped here; nothing else kept it
//! let auth = tokens.authorizer();
//! let req = Request::new("GET", "https://www.google.com/calendar/feeds/default/private/full")?;
//! let header = auth.authorize(&req, &Context::now())?;
//! assert_eq!(header.header_value(), "GoogleLogin auth=DQAAAGgAdk3fA5N");
//! # Ok::<(), gdata_auth::Error>(())
//! ```
//! A refused login is a [`clientlogin::ClientLoginError`]: `CaptchaRequired(challenge)`
//! carries the image to show, and [`clientlogin::flow::login_with_captcha`] sends the answer.
//!
//! ## Security
//! Secrets are newtypes with redacted `Debug`, no `Display`, zeroized on drop and compared in
//! constant time. Nonces carry 128 bits from the OS CSPRNG. PLAINTEXT over `http://` needs a
//! `dangerous_`-named opt-in. RSA signing is blinded. A ClientLogin password lives only in
//! its [`clientlogin::Credentials`] and in the request body, both wiped on drop; an
//! authorizer keeps it only when the caller opts in to logging in again.

#![forbid(unsafe_code)]
#![deny(unused_must_use, missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod authorizer;
pub mod call;
pub mod clientlogin;
pub mod clock;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod encoding;
pub mod endpoints;
pub mod error;
#[cfg(feature = "http")]
pub mod integration;
pub mod oauth1;
pub mod request;
pub mod retry;
#[cfg(feature = "rsa")]
pub mod rsa_sha1;
pub mod scope;
pub mod secret;
pub mod signed;
pub mod store;
pub mod transport;

pub use authorizer::{AuthorizeError, Authorizer, Scheme};
pub use call::Call;
pub use clock::{Clock, FixedClock, FixedNonce, NonceSource, OsNonce, SystemClock};
pub use error::Error;
pub use request::{Authorization, Context, Request, RequestError};
pub use retry::{Backoff, Retryable};
#[cfg(feature = "rsa")]
pub use rsa_sha1::{KeyError, RsaSigningKey, RsaVerifyingKey};
pub use scope::Scope;
pub use secret::{ConsumerSecret, SecretString, TokenSecret};
