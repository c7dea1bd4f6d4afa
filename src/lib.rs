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
//! * AuthSub, plain and secure ([`authsub`]): the `AuthSubRequest` URL with a validated
//!   `next`, the single-use token from the reply, the `Authorization: AuthSub` header (built
//!   in the JAVA layout, parsed in every layout Google's clients sent; secure requests
//!   signed RSA-SHA1), the session upgrade, revocation and token info, and the provider's
//!   check of a secure request.
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
//! * ClientLogin and the OAuth 2.0 bridge: later phases, each a module of its own behind
//!   the same [`Authorizer`] and [`transport`]; the emulator's AuthSub endpoints.
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
//! ## Quick start (AuthSub)
//! Send the user to Google, read the single-use token from the redirect back, upgrade it to
//! a session token, and authorize requests with it. A closure stands in for HTTP here; any
//! [`transport`] does.
//! ```
//! use gdata_auth::authsub::{self, AuthSubRequestOptions, NextUrl, Security};
//! use gdata_auth::transport::{HttpRequest, HttpResponse, TransportError};
//! use gdata_auth::{endpoints::Endpoints, Authorizer, Context, Request, Scope};
//! let google = Endpoints::google();
//! let next = NextUrl::new("https://app.example.com/authsub")?;
//! let calendar = Scope::new("https://www.google.com/calendar/feeds/")?;
//! let url = authsub::request_url(&google, &AuthSubRequestOptions::new(next, [calendar]))?;
//! assert!(url.starts_with("https://www.google.com/accounts/AuthSubRequest?next=https%3A%2F%2F"));
//!
//! // Google sends the user back to `next` with `token=…`; exchange it at once.
//! let single_use = authsub::parse_reply("https://app.example.com/authsub?token=CKF50YzIH")?;
//! let google_answers = |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
//!     Ok(HttpResponse::new(200, "Token=DQAAAGgA7Zg8CTN\nExpiration=20061004T123456Z\n"))
//! };
//! let session = authsub::session_token(&google, single_use, &Security::NonSecure, &Context::now())
//!     .send_blocking(&google_answers)?;
//!
//! let auth = session.authorizer(Security::NonSecure)?;
//! let feed = Request::new("GET", "https://www.google.com/calendar/feeds/default/private/full")?;
//! let header = auth.authorize(&feed, &Context::now())?;
//! assert_eq!(header.header_value(), "AuthSub token=\"DQAAAGgA7Zg8CTN\"");
//! # Ok::<(), gdata_auth::Error>(())
//! ```
//! Secure AuthSub is the same with `Security::secure(RsaSigningKey::from_pem_file(…)?)`:
//! each request's `METHOD URL TIMESTAMP NONCE` is then signed with the registered key.
//!
//! ## Security
//! Secrets are newtypes with redacted `Debug`, no `Display`, zeroized on drop and compared in
//! constant time. Nonces carry 128 bits from the OS CSPRNG. PLAINTEXT over `http://`, and an
//! AuthSub `next` over `http://`, need a `dangerous_`-named opt-in. RSA signing is blinded.

#![forbid(unsafe_code)]
#![deny(unused_must_use, missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod authorizer;
pub mod authsub;
pub mod call;
pub mod clock;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod encoding;
pub mod endpoints;
pub mod error;
pub mod oauth1;
pub mod request;
#[cfg(feature = "rsa")]
pub mod rsa_sha1;
pub mod scope;
pub mod secret;
pub mod signed;
pub mod store;
pub mod transport;

pub use authorizer::{AuthorizeError, Authorizer};
pub use call::Call;
pub use clock::{Clock, FixedClock, FixedNonce, NonceSource, OsNonce, SystemClock};
pub use error::Error;
pub use request::{Authorization, Context, Request, RequestError};
#[cfg(feature = "rsa")]
pub use rsa_sha1::{KeyError, RsaSigningKey, RsaVerifyingKey};
pub use scope::Scope;
pub use secret::{ConsumerSecret, SecretString, TokenSecret};
