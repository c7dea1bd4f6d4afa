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
//! * AuthSub, plain and secure ([`authsub`]): the `AuthSubRequest` URL with a validated
//!   `next`, the single-use token from the reply, the `Authorization: AuthSub` header (built
//!   in the JAVA layout, parsed in every layout Google's clients sent; secure requests
//!   signed RSA-SHA1), the session upgrade, revocation and token info, and the provider's
//!   check of a secure request.
//! * OAuth 2.0 as far as a migration needs it ([`oauth2`]): the bearer
//!   [`oauth2::BearerAuthorizer`] (header only, never a query parameter), refresh and
//!   revocation as `prepare_*` / `parse_*` pairs, a token response reader holding Google's
//!   size limits (code 256, access 2048, refresh 512 bytes), errors classified by what to
//!   do next (re-consent, re-authentication under session control, an administrator's
//!   policy, retry later), and a shared [`oauth2::TokenSource`] that refreshes once however
//!   many tasks wait, before expiry, and once on a 401; the OAuth 1.0 → 2.0 migration
//!   grant ([`oauth2::migration`]), and the legacy feed scopes mapped to today's OAuth 2.0
//!   scopes ([`oauth2::scopes`]). MIGRATION.md walks each legacy protocol over.
//! * The OAuth 2.0 flows that replace each legacy protocol, as pure pairs too: the web-server
//!   and installed-app authorization code flow with `state` and PKCE
//!   ([`oauth2::authorize`], [`oauth2::pkce`]) and the installed app's loopback redirect
//!   ([`oauth2::loopback`]), the device flow ([`oauth2::device`]), and service accounts
//!   (`oauth2::service_account`, features `rsa` and `serde`: Google's key file, RS256
//!   assertions through `jsonwebtoken`), all ending in the same [`oauth2::TokenSource`].
//! * A conformance kit ([`conformance`]): legacy clients' base-string quirks by name and a
//!   diagnosis of a failing signature, the recorded-exchange format, a recording transport
//!   and a replay checker.
//! * Gadgets ([`gadgets`], feature `gadgets`): the `<OAuth>` section of gadget specs,
//!   Shindig's makeRequest answer, and signed fetch signed and verified.
//! * Tokens stored by gdata-python-client ([`legacy`]): the eight token blob kinds read
//!   and written, every field kept, and imported as this crate's authorizers
//!   ([`legacy::LegacyToken::import`]).
//! * An HTTP [`transport`] trait (reqwest with rustls behind the `http` feature, or any
//!   closure) and a [`store::TokenStore`] with an atomic 0600 file store.
//! * A local emulator of Google Accounts (feature `emulator`), used by the tests, the
//!   examples and `gdauth demo`.
//! * One [`Authorizer`] trait for every scheme, so call sites migrate one at a time.
//!
//! ## Layout
//! Data flows one way: describe a [`Request`], authorize it (pure, over a [`Context`] drawn
//! from an injected [`Clock`] and [`NonceSource`]), send it through a [`transport`] (the only
//! I/O), interpret the answer with a pure `parse_*`. Each protocol module has that shape,
//! and a client object per protocol ([`oauth1::OAuth1Client`]) holds the endpoints, the
//! credentials and the transport so each step is one call.
//!
//! Four request types, one job each:
//! * [`Request`]: a request **to sign** (method, URL, form parameters), described once.
//! * [`transport::HttpRequest`]: a request **to send** through a [`transport::Transport`].
//! * [`oauth1::verifier::ReceivedRequest`]: a request **to verify**, as a provider received
//!   it (borrowed; `From<&HttpRequest>`).
//! * `http::Request` / `reqwest::Request`: **your own** (feature `http`): signed in place by
//!   [`integration`] ([`Request::from_http`], [`integration::sign_http`],
//!   [`integration::RequestBuilderExt`]).
//!
//! ## Features
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rsa` | yes | RSA-SHA1 signing (blinded) and verification ([`rsa_sha1`]); RustCrypto `rsa`, no OpenSSL |
//! | `http` | yes | the reqwest 0.12 transports (rustls), signing `http` 1.x / reqwest requests in place |
//! | `serde` | yes | serde for every token type, and the JSON [`store::FileStore`] |
//! | `emulator` | no | the local Google Accounts emulator (axum and hyper on tokio), for tests that start it in-process; turns on `gadgets` |
//! | `gadgets` | no | gadget spec parsing (quick-xml) and signed fetch |
//! | `durable` | no | the emulator's state kept in SQLite (`rusqlite`, bundled), so `gdauth serve --state` survives restarts; turns on `emulator` |
//!
//! The defaults are the client side only: a library that signs requests compiles no server.
//! The core (encoding, signing, verification, the pure protocol steps) builds with no
//! features at all.
//!
//! ## Out of scope
//! * Talking to Google: its legacy endpoints are gone. The emulator stands in for them.
//! * OpenID Connect (ID tokens, `response_type=id_token`) and OAuth 2.0's implicit flow.
//! * Logging in again, or retrying, behind the caller's back: a CAPTCHA is answered once by
//!   the caller, and a backoff runs only when asked to.
//! * Non-form request bodies in signatures (RFC 5849 §3.4.1.3.1 signs form bodies only).
//! * Signing with legacy clients' quirks: the signer is RFC 5849 exactly; the quirk
//!   profiles only diagnose a signature and, in a provider that opts in, accept one.
//!
//! ## Quick start: signing (OAuth 1.0, HMAC-SHA1)
//! ```
//! use gdata_auth::{oauth1::OAuth1Authorizer, Authorizer, Request};
//! let auth = OAuth1Authorizer::hmac_sha1("example.com", "kd94hf93k423kf44")
//!     .with_token("1/abc", "pfkkdhi9sl3r4s00");
//! let req = Request::new("post", "https://www.google.com/calendar/feeds/default/private/full")?
//!     .with_form([("q", "meeting notes")]);
//! let header = auth.authorize_now(&req)?; // a fresh timestamp and nonce
//! assert!(header.header_value().starts_with("OAuth "));
//! assert_eq!(req.method(), "POST"); // signed and sent upper-case
//! # Ok::<(), gdata_auth::Error>(())
//! ```
//!
//! ## Quick start: RSA-SHA1 from a PEM file
//! ```
//! # #[cfg(feature = "rsa")]
//! # fn main() -> Result<(), gdata_auth::Error> {
//! use gdata_auth::oauth1::{OAuth1Authorizer, RsaSigningKey};
//! use gdata_auth::{Authorizer, Context, Request};
//! // PKCS#1 or PKCS#8 PEM, read with a 64 KiB cap.
//! let key = RsaSigningKey::from_pem_file(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/fixtures/keys/rsa2048_pkcs1.pem"
//! ))?;
//! let public = key.verifying_key();
//! let auth = OAuth1Authorizer::rsa_sha1("example.com", key);
//! let req = Request::new("GET", "https://www.google.com/m8/feeds/contacts/default/full")?;
//! let signed = auth.sign(&req, &Context::fixed(1_300_000_000, "n"))?;
//! assert!(public.verify(signed.base_string.as_bytes(), &signed.signature));
//! # Ok(()) }
//! # #[cfg(not(feature = "rsa"))]
//! # fn main() {}
//! ```
//!
//! ## Quick start: the three-legged dance against the emulator
//! [`oauth1::OAuth1Client`] runs each step over an async transport (`.await`) or a blocking
//! one (`.blocking()`); its documentation shows the dance, and `examples/three_legged.rs`
//! and `examples/three_legged_blocking.rs` run it whole. The emulator
//! ([`emulator::Emulator::start`], feature `emulator`) serves it in-process on a loopback
//! port, quiet unless given a log target.
//!
//! ## Quick start: verifying (provider side)
//! [`oauth1::verifier::MemoryCredentials`] and [`oauth1::verifier::Verifier::builder`] set a
//! verifier up in a few lines; its documentation has the example. `verify` records the
//! nonce, `check` runs every check and records nothing.
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
//! ## Quick start (OAuth 2.0)
//! Refresh a grant and authorize a feed request with the new access token: the call site
//! changes nothing but the authorizer. A closure stands in for Google's token endpoint.
//! ```
//! # #[cfg(feature = "serde")]
//! # fn main() -> Result<(), gdata_auth::Error> {
//! use gdata_auth::endpoints::Endpoints;
//! use gdata_auth::oauth2::{self, BearerAuthorizer, ClientCredentials, ClientSecret, RefreshToken};
//! use gdata_auth::transport::{HttpRequest, HttpResponse, TransportError};
//! use gdata_auth::{Authorizer, Request};
//! let google = |_: HttpRequest| -> Result<HttpResponse, TransportError> {
//!     Ok(HttpResponse::new(200, r#"{"access_token":"ya29.a0Af","token_type":"Bearer","expires_in":3599}"#))
//! };
//! let client = ClientCredentials::new("123.apps.googleusercontent.com", ClientSecret::new("s3cret"));
//! let answer = oauth2::refresh(&Endpoints::google(), &client, &RefreshToken::new("1//0gRf"))
//!     .send_blocking(&google)?;
//! assert_eq!(answer.expires_in, Some(3599));
//! let auth = BearerAuthorizer::new(answer.access_token)?;
//! let feed = Request::new("GET", "https://www.google.com/calendar/feeds/default/private/full")?;
//! assert_eq!(auth.authorize_now(&feed)?.header_value(), "Bearer ya29.a0Af");
//! # Ok(()) }
//! # #[cfg(not(feature = "serde"))]
//! # fn main() {}
//! ```
//! A refusal is an [`oauth2::OAuth2Error`]: `ReconsentRequired` (`invalid_grant`),
//! `ReauthRequired` (session control, `invalid_rapt`), `AdminPolicyEnforced`, or a
//! retryable 5xx for [`retry::Backoff`].
//!
//! ## Security
//! Secrets are newtypes with redacted `Debug`, no `Display`, zeroized on drop and compared in
//! constant time. Nonces carry 128 bits from the OS CSPRNG. PLAINTEXT over `http://` needs a
//! `dangerous_`-named opt-in. RSA signing is blinded. A ClientLogin password lives only in
//! its [`clientlogin::Credentials`] and in the request body, both wiped on drop; an
//! authorizer keeps it only when the caller opts in to logging in again.
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
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
#![deny(unused_must_use, missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod authorizer;
pub mod authsub;
pub mod call;
pub mod clientlogin;
pub mod clock;
pub mod conformance;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod encoding;
pub mod endpoints;
pub mod error;
#[cfg(feature = "gadgets")]
pub mod gadgets;
#[cfg(feature = "http")]
pub mod integration;
pub mod legacy;
pub mod oauth1;
pub mod oauth2;
pub mod request;
pub mod retry;
#[cfg(feature = "rsa")]
pub mod rsa_sha1;
pub mod scope;
pub mod secret;
pub mod signed;
pub mod store;
pub mod transport;

/// MIGRATION.md's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../MIGRATION.md")]
mod migration_guide {}

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
