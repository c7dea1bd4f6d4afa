//! Provider-side OAuth 1.0 verification (RFC 5849 §3.2): the checks a strict service provider
//! runs on a received request before trusting it. The emulator uses it for every signed call.
//!
//! One [`Verifier`] is shared by all request threads: [`Verifier::verify`] takes `&self`, and the
//! replay store sits behind a mutex.
//!
//! # Order of checks
//! Cheap shape checks come first, then the clock, then credential lookups, then the signature,
//! and the replay store last, so malformed or unsigned traffic costs little and never reaches
//! the store:
//!
//! 1. Parse the `Authorization: OAuth` header strictly (no comma or whitespace inside values)
//!    → [`VerifyError::MalformedHeader`]; the URL, query and form body → [`VerifyError::BadRequest`].
//!    A header with another scheme (`Bearer`, `AuthSub`, …) is not ours and is ignored.
//! 2. Placement, by [`Profile`]: under [`Profile::OauthlibStrict`], `oauth_*` parameters in
//!    more than one of header, query and form body → [`VerifyError::ParamsInMultipleLocations`]
//!    (RFC 5849 §3.5); under [`Profile::GoogleCompat`] they may be spread over the three, as
//!    Google's servers accepted. Under both, any of them twice, in one place or across two
//!    → [`VerifyError::DuplicateProtocolParam`].
//! 3. `oauth_consumer_key`, `oauth_signature_method`, `oauth_signature` → [`VerifyError::MissingParam`].
//! 4. The method is one we verify → [`VerifyError::UnsupportedSignatureMethod`]; PLAINTEXT only
//!    over https → [`VerifyError::InsecureTransport`].
//! 5. `oauth_version`, when present, is `1.0` (or `1.0a` under [`Profile::GoogleCompat`])
//!    → [`VerifyError::UnsupportedVersion`].
//! 6. `oauth_timestamp` and `oauth_nonce` (PLAINTEXT may omit both) → [`VerifyError::MissingParam`].
//! 7. Shapes under the [`Profile`]: [`VerifyError::BadTimestamp`], [`VerifyError::BadNonce`],
//!    [`VerifyError::BadConsumerKey`], [`VerifyError::BadToken`].
//! 8. `oauth_body_hash` with a form body → [`VerifyError::BodyHashNotAllowed`].
//! 9. The timestamp window → [`VerifyError::TimestampOutOfWindow`].
//! 10. Consumer lookup; the method is registered for it → [`VerifyError::SignatureMethodNotAllowed`];
//!     token lookup.
//! 11. The signature, computed with dummy credentials when the consumer or token is unknown so
//!     that both paths do the same work; then, in this precedence,
//!     [`VerifyError::InvalidConsumer`], [`VerifyError::InvalidToken`], [`VerifyError::BadSignature`].
//! 12. `oauth_body_hash` against the raw body → [`VerifyError::BodyHashMismatch`].
//! 13. The replay store, one bounded part per consumer: [`VerifyError::NonceReused`], or
//!     [`VerifyError::TimestampForgotten`] when that consumer's full part has forgotten
//!     requests as new as this one; otherwise the request's (consumer, token, timestamp,
//!     nonce) is recorded, until the timestamp leaves the window.
//!
//! # A second chance for the signature
//! A provider serving a legacy client while it is fixed may give the verifier a
//! [`SignatureFallback`] ([`Verifier::with_signature_fallback`]). It is asked only at step 11,
//! only when the RFC 5849 signature failed for a registered consumer and a live (or absent)
//! token, and it gets the key material the verifier looked up. When it names a variant under
//! which the signature verifies, the request goes on through steps 12 and 13 like any other,
//! and [`Verified::signature_fallback`] carries that name. The verifier knows nothing of the
//! variants themselves: `conformance::quirks::QuirkFallback` is one such fallback (the
//! dependency runs from `conformance` to `oauth1`, never back).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};
use thiserror::Error;
use url::Url;

use super::base_string::base_string;
use super::header::parse_header;
use super::signature::{signing_key, verify_hmac, verify_plaintext};
use super::{HeaderError, SignatureMethod};
use crate::clock::{check_window, Clock};
use crate::encoding::{clip, parse_form};
use crate::request::{Request, RequestError};
use crate::secret::{ct_eq, ConsumerSecret, TokenSecret};

#[cfg(feature = "rsa")]
use crate::rsa_sha1::RsaVerifyingKey;

const CONSUMER_KEY: &str = "oauth_consumer_key";
const SIGNATURE_METHOD: &str = "oauth_signature_method";
const SIGNATURE: &str = "oauth_signature";
const TIMESTAMP: &str = "oauth_timestamp";
const NONCE: &str = "oauth_nonce";
const TOKEN: &str = "oauth_token";
const VERSION: &str = "oauth_version";
const CALLBACK: &str = "oauth_callback";
const VERIFIER: &str = "oauth_verifier";
const BODY_HASH: &str = "oauth_body_hash";

/// Stand-in consumer secret for unknown consumer keys: the signature is still computed, so an
/// unknown key costs the same as a known one (oauthlib's "dummy client"). Its value is
/// irrelevant: a request that matches it is refused as `InvalidConsumer` all the same.
const DUMMY_CONSUMER_SECRET: &str = "dummy-consumer-secret-0000";
/// Stand-in token secret for unknown tokens (same reasoning).
const DUMMY_TOKEN_SECRET: &str = "dummy-token-secret-000000";

/// A fixed 2048-bit RSA public key (its private half was discarded) for the dummy RSA-SHA1
/// verification of unknown consumers.
#[cfg(feature = "rsa")]
const DUMMY_RSA_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmxwF8zjFuKrQOFk8wiIm
6Qpa9A0zJ9a7HQrianc/4VWFksUjT2XSNLrqfiWBS443BqBEs1UMM+89rB4PZ0LC
tQFEuNXqE9xufyuULNRovTcspzlUuOrUClz7UCMLj4p8TzUY2jpf0u+Jw48T+pva
qrsyLRtxddq5vSt8O762hUtPK4vu6rf1/uJ1o/dxnmH2t4bMHs3LiggCi/lnznA2
oL9+2PUe5lVsy5GcgsQXFyM9XFATU8HshI/iExvKiAheKNDmZzmEy22nN1WXcC6H
BSak/Oh7cw4mTR2yeGQZTHFHbHMGEGejgWihRZ7mOTPFQdfDXtYMBXIo4ViedQA0
wwIDAQAB
-----END PUBLIC KEY-----
";

/// The dummy RSA key, parsed once on first use.
#[cfg(feature = "rsa")]
fn dummy_rsa_key() -> Option<&'static RsaVerifyingKey> {
    static KEY: std::sync::OnceLock<Option<RsaVerifyingKey>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| RsaVerifyingKey::from_pem(DUMMY_RSA_PUBLIC_PEM).ok())
        .as_ref()
}

/// Why a request failed verification. Carries what a caller needs to answer, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The `Authorization: OAuth` header did not parse.
    #[error("malformed OAuth Authorization header: {0}")]
    MalformedHeader(HeaderError),
    /// The URL, its query or the form body is malformed.
    #[error("bad request: {0}")]
    BadRequest(RequestError),
    /// RFC 5849 §3.1: a protocol parameter appeared more than once.
    #[error("protocol parameter {0:?} appears more than once (RFC 5849 §3.1)")]
    DuplicateProtocolParam(String),
    /// RFC 5849 §3.5: protocol parameters must come from exactly one place (enforced under
    /// [`Profile::OauthlibStrict`] only).
    #[error("oauth_* parameters found in more than one of header, query and body (RFC 5849 §3.5)")]
    ParamsInMultipleLocations,
    /// A required protocol parameter is absent.
    #[error("missing required parameter {0}")]
    MissingParam(&'static str),
    /// `oauth_version` is present and not `1.0`.
    #[error("unsupported oauth_version (only 1.0 is accepted)")]
    UnsupportedVersion,
    /// `oauth_signature_method` names a method this verifier does not implement.
    #[error("unsupported oauth_signature_method")]
    UnsupportedSignatureMethod,
    /// The method is not registered for this consumer.
    #[error("signature method not allowed for this consumer")]
    SignatureMethodNotAllowed,
    /// RFC 5849 §3.4.4: PLAINTEXT over a non-TLS URL.
    #[error("PLAINTEXT is only accepted over https (RFC 5849 §3.4.4)")]
    InsecureTransport,
    /// `oauth_timestamp` is not a decimal number of seconds that fits the profile.
    #[error("malformed oauth_timestamp")]
    BadTimestamp,
    /// The timestamp is too far from the provider's clock.
    #[error("oauth_timestamp is {skew} s from the provider clock, outside the accepted window")]
    TimestampOutOfWindow {
        /// Provider time minus request timestamp, in seconds (positive: the request is
        /// older than now), saturated to the `i64` range.
        skew: i64,
    },
    /// `oauth_nonce` has a length or characters the profile refuses.
    #[error("malformed oauth_nonce")]
    BadNonce,
    /// `oauth_consumer_key` has a length or characters the profile refuses.
    #[error("malformed oauth_consumer_key")]
    BadConsumerKey,
    /// `oauth_token` has a length or characters the profile refuses.
    #[error("malformed oauth_token")]
    BadToken,
    /// The body-hash extension forbids `oauth_body_hash` on form-encoded bodies.
    #[error("oauth_body_hash is not allowed on form-encoded bodies")]
    BodyHashNotAllowed,
    /// The consumer key is not registered.
    #[error("unknown consumer key")]
    InvalidConsumer,
    /// The token is not known for this consumer.
    #[error("unknown or revoked token")]
    InvalidToken,
    /// The signature does not verify.
    #[error("signature invalid")]
    BadSignature,
    /// `oauth_body_hash` does not match the body.
    #[error("oauth_body_hash does not match the request body")]
    BodyHashMismatch,
    /// RFC 5849 §3.3: this (consumer, token, timestamp, nonce) was already used.
    #[error("nonce already used")]
    NonceReused,
    /// RFC 5849 §4.10: the bounded replay store is full of live entries; the request is
    /// refused rather than forgetting nonces that could still be replayed. (The store now
    /// makes room per consumer and refuses old timestamps instead,
    /// [`VerifyError::TimestampForgotten`]; a store of the caller's own may still answer
    /// this.)
    #[error("replay store full; retry later")]
    ReplayStoreFull,
    /// The consumer's part of the replay store, full, has forgotten requests as new as this
    /// one's timestamp, so a replay could no longer be told apart: send a fresh timestamp
    /// (RFC 5849 §4.10, the bounded store).
    #[error("timestamp older than the replay store remembers for this consumer")]
    TimestampForgotten,
    /// The [`NonceStore`] could not record the request (a durable store's write failed):
    /// the request is refused, since a replay of it could not be told apart later. Retry
    /// with a fresh nonce.
    #[error("the replay store could not record the request: {0}")]
    ReplayStoreUnavailable(String),
}

impl VerifyError {
    /// The OAuth Problem Reporting extension's `oauth_problem` value for this error.
    pub fn oauth_problem(&self) -> &'static str {
        match self {
            Self::MalformedHeader(_)
            | Self::BadRequest(_)
            | Self::DuplicateProtocolParam(_)
            | Self::ParamsInMultipleLocations
            | Self::BadNonce
            | Self::BodyHashNotAllowed => "parameter_rejected",
            Self::MissingParam(_) => "parameter_absent",
            Self::UnsupportedVersion => "version_rejected",
            Self::UnsupportedSignatureMethod
            | Self::SignatureMethodNotAllowed
            | Self::InsecureTransport => "signature_method_rejected",
            Self::BadTimestamp | Self::TimestampOutOfWindow { .. } | Self::TimestampForgotten => {
                "timestamp_refused"
            }
            Self::BadConsumerKey | Self::InvalidConsumer => "consumer_key_unknown",
            Self::BadToken | Self::InvalidToken => "token_rejected",
            Self::BadSignature | Self::BodyHashMismatch => "signature_invalid",
            // A full store asks the client to come back with a fresh nonce later.
            Self::NonceReused | Self::ReplayStoreFull | Self::ReplayStoreUnavailable(_) => {
                "nonce_used"
            }
        }
    }

    /// The HTTP status RFC 5849 §3.2 prescribes: 400 for a malformed or unsupported request,
    /// 401 for bad credentials, signature or nonce; 503 for a full replay store.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MalformedHeader(_)
            | Self::BadRequest(_)
            | Self::DuplicateProtocolParam(_)
            | Self::ParamsInMultipleLocations
            | Self::MissingParam(_)
            | Self::UnsupportedVersion
            | Self::UnsupportedSignatureMethod
            | Self::SignatureMethodNotAllowed
            | Self::InsecureTransport
            | Self::BadTimestamp
            | Self::BodyHashNotAllowed => 400,
            Self::TimestampOutOfWindow { .. }
            | Self::TimestampForgotten
            | Self::BadNonce
            | Self::BadConsumerKey
            | Self::BadToken
            | Self::InvalidConsumer
            | Self::InvalidToken
            | Self::BadSignature
            | Self::BodyHashMismatch
            | Self::NonceReused => 401,
            Self::ReplayStoreFull | Self::ReplayStoreUnavailable(_) => 503,
        }
    }
}

/// What a provider accepts beyond the signature itself: where the protocol parameters may
/// sit, and the shapes of nonce, consumer key, token and timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// What Google's servers accepted, so that clients written against them verify:
    /// * protocol parameters spread over the header, the query and the form body (libgdata
    ///   sent `oauth_callback` and `oauth_verifier` in the body beside a header; Google
    ///   answered 200), each name at most once across all three;
    /// * key, token and nonce of 1 to 256 characters from `[A-Za-z0-9._~/+=:@-]` (consumer
    ///   keys are domain names, tokens look like `1/abc…`); timestamp 1 to 20 digits;
    /// * `oauth_version` `1.0`, or `1.0a` in any case.
    #[default]
    GoogleCompat,
    /// oauthlib's provider defaults, for checking a client against the letter of RFC 5849:
    /// * protocol parameters in exactly one of header, query and form body (§3.5);
    /// * `[A-Za-z0-9]` only, 20 to 30 characters; timestamp exactly 10 digits;
    /// * `oauth_version` exactly `1.0`.
    OauthlibStrict,
}

impl Profile {
    /// The protocol parameters of a request whose header, query and form-body parameters are
    /// `sources` (in that order), under this profile's placement rule.
    ///
    /// * [`Profile::OauthlibStrict`] keeps RFC 5849 §3.5: "the protocol parameters … MUST
    ///   be transmitted" in one of the three places, so any two of them carrying `oauth_*`
    ///   names is [`VerifyError::ParamsInMultipleLocations`].
    /// * [`Profile::GoogleCompat`] takes them from all three, as Google's servers did: GNOME
    ///   libgdata signed with the header and sent `oauth_callback` and `oauth_verifier` in the
    ///   form body, and www.google.com answered 200 (its July 2013 recordings, copied to
    ///   `fixtures/recordings/`). Every location is signed either way (§3.4.1.3.1), so the
    ///   spread changes nothing the signature covers.
    ///
    /// Under both, a name given twice, in one place or across two, is
    /// [`VerifyError::DuplicateProtocolParam`]: two values for one parameter are never
    /// resolved by picking one.
    fn protocol_params(
        self,
        sources: [&[(String, String)]; 3],
    ) -> Result<Vec<(&str, &str)>, VerifyError> {
        if self == Self::OauthlibStrict
            && sources
                .iter()
                .filter(|ps| ps.iter().any(|(n, _)| is_protocol(n)))
                .count()
                > 1
        {
            return Err(VerifyError::ParamsInMultipleLocations);
        }
        let protocol: Vec<(&str, &str)> = sources
            .into_iter()
            .flatten()
            .filter(|(n, _)| is_protocol(n))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut names = HashSet::with_capacity(protocol.len());
        for (name, _) in &protocol {
            if !names.insert(*name) {
                return Err(VerifyError::DuplicateProtocolParam(clip(name)));
            }
        }
        Ok(protocol)
    }

    /// Whether a nonce, consumer key or token has an accepted shape.
    fn identifier_ok(self, s: &str) -> bool {
        match self {
            Self::GoogleCompat => {
                (1..=256).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._~/+=-:@".contains(&b))
            }
            Self::OauthlibStrict => {
                (20..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            }
        }
    }

    /// Parses a timestamp: ASCII digits only, a length the profile accepts, fits `u64`.
    fn timestamp(self, s: &str) -> Result<u64, VerifyError> {
        let len_ok = match self {
            // u64::MAX has 20 digits; longer strings cannot be a valid timestamp.
            Self::GoogleCompat => (1..=20).contains(&s.len()),
            Self::OauthlibStrict => s.len() == 10,
        };
        if !len_ok || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VerifyError::BadTimestamp);
        }
        s.parse::<u64>().map_err(|_| VerifyError::BadTimestamp)
    }
}

/// How strict the verifier is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Largest accepted |now − oauth_timestamp|, in seconds (default 600, as oauthlib).
    pub timestamp_window: u64,
    /// Most (consumer, token, timestamp, nonce) entries the replay store holds.
    pub max_nonces: usize,
    /// Accepted shapes of nonce, key, token and timestamp.
    pub profile: Profile,
    /// Accepts PLAINTEXT over plain `http://`. Only for loopback test servers: the secrets
    /// travel in the clear (RFC 5849 §3.4.4 requires TLS).
    pub dangerous_allow_insecure_plaintext: bool,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            timestamp_window: 600,
            max_nonces: 100_000,
            profile: Profile::GoogleCompat,
            dangerous_allow_insecure_plaintext: false,
        }
    }
}

/// What the provider knows about one consumer.
#[derive(Debug, Clone)]
pub struct ConsumerCredential {
    /// The shared secret (HMAC methods and PLAINTEXT).
    pub secret: Option<ConsumerSecret>,
    /// The registered RSA public key (RSA-SHA1); never taken from the request.
    #[cfg(feature = "rsa")]
    pub rsa_key: Option<RsaVerifyingKey>,
    /// The methods this consumer may sign with (pinned, so a client cannot pick a weaker one).
    pub allowed_methods: Vec<SignatureMethod>,
}

impl ConsumerCredential {
    /// A shared-secret consumer allowed HMAC-SHA1, HMAC-SHA256 and PLAINTEXT.
    pub fn hmac(secret: ConsumerSecret) -> Self {
        Self {
            secret: Some(secret),
            #[cfg(feature = "rsa")]
            rsa_key: None,
            allowed_methods: vec![
                SignatureMethod::HmacSha1,
                SignatureMethod::HmacSha256,
                SignatureMethod::Plaintext,
            ],
        }
    }

    /// An RSA consumer allowed RSA-SHA1 only.
    #[cfg(feature = "rsa")]
    pub fn rsa(key: RsaVerifyingKey) -> Self {
        Self {
            secret: None,
            rsa_key: Some(key),
            allowed_methods: vec![SignatureMethod::RsaSha1],
        }
    }

    /// Replaces the allowed methods.
    pub fn with_allowed_methods(
        mut self,
        methods: impl IntoIterator<Item = SignatureMethod>,
    ) -> Self {
        self.allowed_methods = methods.into_iter().collect();
        self
    }

    /// Whether `method` is allowed and the key material it needs is present.
    pub fn allows(&self, method: SignatureMethod) -> bool {
        if !self.allowed_methods.contains(&method) {
            return false;
        }
        match method {
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha1 => self.rsa_key.is_some(),
            #[cfg(not(feature = "rsa"))]
            SignatureMethod::RsaSha1 => false,
            SignatureMethod::HmacSha1
            | SignatureMethod::HmacSha256
            | SignatureMethod::Plaintext => self.secret.is_some(),
        }
    }
}

/// The provider's credential store, as the verifier reads it.
pub trait CredentialLookup: Send + Sync {
    /// The consumer registered under `consumer_key`, if any.
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential>;
    /// The secret of `token` issued to `consumer_key` (request or access token), if it is
    /// live.
    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret>;
}

impl<T: CredentialLookup + ?Sized> CredentialLookup for Arc<T> {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        (**self).consumer(consumer_key)
    }
    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        (**self).token_secret(consumer_key, token)
    }
}

impl<T: CredentialLookup + ?Sized> CredentialLookup for &T {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        (**self).consumer(consumer_key)
    }
    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        (**self).token_secret(consumer_key, token)
    }
}

/// An in-memory credential table: consumers by key, token secrets by (consumer, token).
///
/// ```
/// use gdata_auth::oauth1::verifier::{MemoryCredentials, ReceivedRequest, Verifier};
/// use gdata_auth::oauth1::OAuth1Authorizer;
/// use gdata_auth::{Authorizer, Request};
///
/// let credentials = MemoryCredentials::new()
///     .with_hmac_consumer("example.com", "consumer-secret")
///     .with_token("example.com", "1/token", "token-secret");
/// let verifier = Verifier::builder(credentials).build(); // the system clock, a 600 s window
///
/// // What a client sent…
/// let client = OAuth1Authorizer::hmac_sha1("example.com", "consumer-secret")
///     .with_token("1/token", "token-secret");
/// let url = "https://www.example.com/feeds/x?alt=json";
/// let header = client.authorize_now(&Request::new("GET", url)?)?;
///
/// // …and what the provider received.
/// let received = ReceivedRequest::new("GET", url).with_authorization(header.header_value());
/// let verified = verifier.verify(&received)?;
/// assert_eq!(verified.token.as_deref(), Some("1/token"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryCredentials {
    consumers: std::collections::HashMap<String, ConsumerCredential>,
    tokens: std::collections::HashMap<(String, String), TokenSecret>,
}

impl MemoryCredentials {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a consumer (replacing one of the same key).
    pub fn with_consumer(mut self, key: impl Into<String>, credential: ConsumerCredential) -> Self {
        self.consumers.insert(key.into(), credential);
        self
    }

    /// Registers a shared-secret consumer ([`ConsumerCredential::hmac`]).
    pub fn with_hmac_consumer(
        self,
        key: impl Into<String>,
        secret: impl Into<ConsumerSecret>,
    ) -> Self {
        self.with_consumer(key, ConsumerCredential::hmac(secret.into()))
    }

    /// Registers a live token of `consumer` and its secret.
    pub fn with_token(
        mut self,
        consumer: impl Into<String>,
        token: impl Into<String>,
        secret: impl Into<TokenSecret>,
    ) -> Self {
        self.tokens
            .insert((consumer.into(), token.into()), secret.into());
        self
    }

    /// Forgets a token (revocation).
    pub fn remove_token(&mut self, consumer: &str, token: &str) -> bool {
        self.tokens
            .remove(&(consumer.to_owned(), token.to_owned()))
            .is_some()
    }
}

impl CredentialLookup for MemoryCredentials {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        self.consumers.get(consumer_key).cloned()
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        self.tokens
            .get(&(consumer_key.to_owned(), token.to_owned()))
            .cloned()
    }
}

/// Builds a [`Verifier`]: the system clock and [`VerifierConfig::default`] unless set.
pub struct VerifierBuilder<L: CredentialLookup> {
    lookup: L,
    clock: Option<Arc<dyn Clock>>,
    config: VerifierConfig,
}

impl<L: CredentialLookup> core::fmt::Debug for VerifierBuilder<L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<L: CredentialLookup> VerifierBuilder<L> {
    /// Reads time from `clock` (a `FixedClock` in tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The largest accepted |now − oauth_timestamp|, in seconds.
    pub fn timestamp_window(mut self, seconds: u64) -> Self {
        self.config.timestamp_window = seconds;
        self
    }

    /// The accepted placement and shapes ([`Profile`]).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.config.profile = profile;
        self
    }

    /// The whole configuration.
    pub fn config(mut self, config: VerifierConfig) -> Self {
        self.config = config;
        self
    }

    /// The verifier.
    pub fn build(self) -> Verifier<L> {
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(crate::clock::SystemClock));
        Verifier::new(self.lookup, clock, self.config)
    }
}

/// The key material the verifier looked up for a request, as a [`SignatureFallback`] gets
/// it. No `Debug`: it holds secrets.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct SignatureKeys<'a> {
    /// `oauth_consumer_key` (a registered consumer).
    pub consumer_key: &'a str,
    /// The request's signature method (allowed for the consumer).
    pub method: SignatureMethod,
    /// The consumer's shared secret, if it has one.
    pub consumer_secret: Option<&'a str>,
    /// The token's secret; empty when the request carries no token.
    pub token_secret: &'a str,
    /// The consumer's registered RSA public key, if it has one.
    #[cfg(feature = "rsa")]
    pub rsa_key: Option<&'a RsaVerifyingKey>,
}

/// A provider's second chance for a signature that fails RFC 5849 (see the module
/// documentation): given the received request and the key material, the name of the variant
/// under which the signature verifies, or `None`.
///
/// Only the signature is reconsidered: every other check (timestamp window, nonce replay,
/// token, body hash) runs as usual.
pub trait SignatureFallback: Send + Sync {
    /// The name of the variant under which `request`'s signature verifies with `keys`, or
    /// `None` to refuse it as [`VerifyError::BadSignature`].
    fn accept(&self, request: &ReceivedRequest<'_>, keys: &SignatureKeys<'_>) -> Option<String>;
}

/// A request as the provider received it.
#[derive(Clone, Copy, Default)]
pub struct ReceivedRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The full URL as the provider is reached (its external scheme, host and port), query
    /// included.
    pub url: &'a str,
    /// The `Authorization` header value, if any.
    pub authorization: Option<&'a str>,
    /// The body, only when `Content-Type` is `application/x-www-form-urlencoded`
    /// (RFC 5849 §3.4.1.3.1 signs only those bodies).
    pub form_body: Option<&'a str>,
    /// Any other body, raw; only read to check `oauth_body_hash`.
    pub body: Option<&'a [u8]>,
}

impl<'a> ReceivedRequest<'a> {
    /// A request with no `Authorization` header and no body.
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Self {
            method,
            url,
            ..Self::default()
        }
    }

    /// Sets the `Authorization` header value.
    pub fn with_authorization(mut self, value: &'a str) -> Self {
        self.authorization = Some(value);
        self
    }

    /// Sets a form-encoded body.
    pub fn with_form_body(mut self, body: &'a str) -> Self {
        self.form_body = Some(body);
        self
    }

    /// Sets a non-form body.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }
}

impl<'a> From<&'a crate::transport::HttpRequest> for ReceivedRequest<'a> {
    /// The request as a provider receives it: method, URL, `Authorization`, and the body,
    /// as a form body when `Content-Type` says so and it is UTF-8.
    fn from(req: &'a crate::transport::HttpRequest) -> Self {
        let is_form = req.header_value("Content-Type").is_some_and(|t| {
            t.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
        let mut received = Self::new(&req.method, &req.url);
        received.authorization = req.header_value("Authorization");
        match core::str::from_utf8(&req.body) {
            Ok(text) if is_form => received.form_body = Some(text),
            _ if !req.body.is_empty() => received.body = Some(&req.body),
            _ => {}
        }
        received
    }
}

impl core::fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The header, query and bodies may carry a PLAINTEXT signature (the secrets
        // themselves) or tokens: show only their presence and size.
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("url", &path)
            .field("has_query", &self.url.contains('?'))
            .field("authorization", &self.authorization.map(|_| "[redacted]"))
            .field("form_body_len", &self.form_body.map(str::len))
            .field("body_len", &self.body.map(<[u8]>::len))
            .finish()
    }
}

/// A request that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_token`; `None` when absent or empty (RFC 5849 App. A allows either spelling).
    pub token: Option<String>,
    /// The signature method used.
    pub signature_method: SignatureMethod,
    /// `oauth_callback`, decoded.
    pub callback: Option<String>,
    /// `oauth_verifier`, decoded.
    pub verifier: Option<String>,
    /// The header's `realm`.
    pub realm: Option<String>,
    /// `oauth_timestamp` (absent only for PLAINTEXT).
    pub timestamp: Option<u64>,
    /// `oauth_nonce` (absent only for PLAINTEXT).
    pub nonce: Option<String>,
    /// Every non-protocol parameter, decoded, in order: query, form body, then any extra
    /// header parameters (all of them signed).
    pub params: Vec<(String, String)>,
    /// The name the [`SignatureFallback`] gave when the signature verified only through it
    /// (it fails RFC 5849); `None` for an RFC 5849 signature.
    pub signature_fallback: Option<String>,
}

impl Verified {
    /// The first value of the non-protocol parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl core::fmt::Debug for Verified {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // oauth_verifier is a one-time credential; parameter values may hold anything.
        f.debug_struct("Verified")
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .field("signature_method", &self.signature_method)
            .field("callback", &self.callback)
            .field("verifier", &self.verifier.as_ref().map(|_| "[redacted]"))
            .field("realm", &self.realm)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("signature_fallback", &self.signature_fallback)
            .field(
                "params",
                &self.params.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// One consumer's used (timestamp, token or "", nonce) tuples. Timestamp first, so the
/// ordered set yields the oldest entries first.
type ReplayKey = (u64, String, String);

/// One consumer's part of the replay store: at most [`VerifierConfig::max_nonces`] live
/// entries. When it is full the oldest entry is forgotten and `floor` rises to its
/// timestamp: a request no newer than the floor can no longer be checked for replay, so it
/// is refused ([`VerifyError::TimestampForgotten`]) while the consumer's fresh requests
/// go on being accepted. A flood thus costs only its sender (SECURITY.md §5, issue 15).
#[derive(Debug, Default)]
struct Partition {
    seen: BTreeSet<ReplayKey>,
    floor: Option<u64>,
}

/// The replay store: a [`Partition`] per consumer key, so no consumer's traffic can crowd
/// out another's (at most `max_nonces` entries per registered consumer in all).
#[derive(Debug, Default)]
struct ReplayStore {
    partitions: HashMap<String, Partition>,
}

impl ReplayStore {
    /// Whether `consumer` already used `key`.
    fn contains(&self, consumer: &str, key: &ReplayKey) -> bool {
        self.partitions
            .get(consumer)
            .is_some_and(|p| p.seen.contains(key))
    }

    /// Refuses a seen tuple, or one no newer than what the consumer's partition forgot;
    /// otherwise drops the partition's expired entries, makes room by forgetting its oldest
    /// ones, and records the tuple.
    ///
    /// RFC 5849 §3.3: a tuple must be remembered as long as its timestamp is accepted, i.e.
    /// until `timestamp + window` (a later replay fails the window check). So an entry
    /// lives exactly that long: a timestamp ahead of the clock buys no more than the window
    /// beyond itself.
    fn check_and_record(
        &mut self,
        consumer: &str,
        key: ReplayKey,
        now: u64,
        window: u64,
        max: usize,
        forgotten: &mut Vec<ReplayKey>,
    ) -> Result<(), VerifyError> {
        // The consumer key is copied only for a consumer's first request, not on every one
        // (this runs for each verified request).
        if !self.partitions.contains_key(consumer) {
            self.partitions
                .insert(consumer.to_owned(), Partition::default());
        }
        let p = self
            .partitions
            .get_mut(consumer)
            .unwrap_or_else(|| unreachable!("the partition was just made"));
        if p.seen.contains(&key) {
            return Err(VerifyError::NonceReused);
        }
        while p
            .seen
            .first()
            .is_some_and(|first| first.0.saturating_add(window) < now)
        {
            p.seen.pop_first();
        }
        if p.floor.is_some_and(|f| f.saturating_add(window) < now) {
            // Everything the floor stood for has left the window.
            p.floor = None;
        }
        if p.floor.is_some_and(|f| key.0 <= f) {
            return Err(VerifyError::TimestampForgotten);
        }
        let max = max.max(1);
        if p.seen.len() >= max && p.seen.first().is_some_and(|oldest| oldest.0 >= key.0) {
            // Full of entries at least as new: this one would be the first forgotten, so
            // it is refused, and nothing is forgotten for it.
            return Err(VerifyError::TimestampForgotten);
        }
        while p.seen.len() >= max {
            if let Some(old) = p.seen.pop_first() {
                p.floor = Some(p.floor.map_or(old.0, |f| f.max(old.0)));
                forgotten.push(old);
            }
        }
        p.seen.insert(key);
        Ok(())
    }

    /// Raises `consumer`'s floor to `timestamp` (a floor kept by a durable store).
    fn forget_through(&mut self, consumer: &str, timestamp: u64) {
        let p = self.partitions.entry(consumer.to_owned()).or_default();
        p.floor = Some(p.floor.map_or(timestamp, |f| f.max(timestamp)));
    }

    /// Entries held, in all partitions.
    fn len(&self) -> usize {
        self.partitions.values().map(|p| p.seen.len()).sum()
    }
}

/// One used (timestamp, token, nonce) tuple of a consumer, as a [`NonceStore`] gets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NonceEntry<'a> {
    /// `oauth_consumer_key`.
    pub consumer: &'a str,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// `oauth_token`, or `""` for a request without one.
    pub token: &'a str,
    /// `oauth_nonce`.
    pub nonce: &'a str,
}

impl<'a> NonceEntry<'a> {
    /// The memory store's key for this entry (the consumer picks the partition).
    fn key(&self) -> ReplayKey {
        (self.timestamp, self.token.to_owned(), self.nonce.to_owned())
    }

    /// An entry (for a store of the caller's own, and its tests).
    pub fn new(consumer: &'a str, timestamp: u64, token: &'a str, nonce: &'a str) -> Self {
        Self {
            consumer,
            timestamp,
            token,
            nonce,
        }
    }
}

/// Where a [`Verifier`] remembers the (consumer, timestamp, token, nonce) tuples it accepted
/// (RFC 5849 §3.3), so a replay inside the timestamp window is refused.
///
/// [`MemoryNonceStore`] is the default. A provider running several instances behind one
/// name must share this set, or a request replayed to another instance passes: back it
/// with a shared store whose insert is atomic and expires by itself. With Redis, for
/// example, `check_and_record` is `SET nonce:{consumer}:{timestamp}:{token}:{nonce} 1 NX
/// EXAT {timestamp + window}` (a `nil` answer is [`VerifyError::NonceReused`]; a failed
/// call [`VerifyError::ReplayStoreUnavailable`]), and `contains` is `EXISTS` on that key.
/// A per-consumer quota (the memory store's `max` per consumer) then becomes a counter per
/// consumer and window, so one consumer's flood cannot crowd out the others (issue 15).
pub trait NonceStore: Send + Sync {
    /// Refuses an entry already recorded ([`VerifyError::NonceReused`]), or one the store can
    /// no longer tell apart from a replay ([`VerifyError::TimestampForgotten`]); otherwise
    /// records it until `timestamp + window` has passed. `max` is the verifier's
    /// [`VerifierConfig::max_nonces`], the most entries to keep per consumer.
    fn check_and_record(
        &self,
        entry: NonceEntry<'_>,
        now: u64,
        window: u64,
        max: usize,
    ) -> Result<(), VerifyError>;

    /// Whether the entry was recorded (for [`Verifier::check`], which records nothing).
    fn contains(&self, entry: NonceEntry<'_>) -> bool;

    /// How many entries are held, in all (diagnostics).
    fn len(&self) -> usize;

    /// Whether none is held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The default [`NonceStore`]: in memory, one bounded part per consumer (a full part forgets
/// its own oldest entries and refuses requests as old as those), so no consumer's traffic
/// can crowd out another's.
#[derive(Debug, Default)]
pub struct MemoryNonceStore {
    inner: Mutex<ReplayStore>,
}

impl MemoryNonceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ReplayStore> {
        // Each call leaves the store consistent before it can panic; a poisoned lock is fine.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl MemoryNonceStore {
    /// [`NonceStore::check_and_record`], also telling which of the consumer's tuples were
    /// forgotten to make room (its part was full): a store that mirrors this one drops them
    /// and keeps the consumer's floor, the newest timestamp forgotten, instead
    /// ([`MemoryNonceStore::forget_through`]).
    pub fn check_and_record_forgetting(
        &self,
        entry: NonceEntry<'_>,
        now: u64,
        window: u64,
        max: usize,
        forgotten: &mut Vec<(u64, String, String)>,
    ) -> Result<(), VerifyError> {
        self.lock()
            .check_and_record(entry.consumer, entry.key(), now, window, max, forgotten)
    }

    /// Refuses `consumer`'s requests with timestamps up to `timestamp` as forgotten
    /// ([`VerifyError::TimestampForgotten`]) until it leaves the window: a floor kept by a
    /// store that mirrors this one, read back at start.
    pub fn forget_through(&self, consumer: &str, timestamp: u64) {
        self.lock().forget_through(consumer, timestamp);
    }
}

impl NonceStore for MemoryNonceStore {
    fn check_and_record(
        &self,
        entry: NonceEntry<'_>,
        now: u64,
        window: u64,
        max: usize,
    ) -> Result<(), VerifyError> {
        self.check_and_record_forgetting(entry, now, window, max, &mut Vec::new())
    }

    fn contains(&self, entry: NonceEntry<'_>) -> bool {
        self.lock().contains(entry.consumer, &entry.key())
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// A strict OAuth 1.0 provider-side verifier; see the module documentation for its checks.
pub struct Verifier<L: CredentialLookup> {
    lookup: L,
    clock: Arc<dyn Clock>,
    config: VerifierConfig,
    nonces: Arc<dyn NonceStore>,
    fallback: Option<Arc<dyn SignatureFallback>>,
}

impl<L: CredentialLookup> core::fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verifier")
            .field("config", &self.config)
            .field("nonces_stored", &self.nonces_stored())
            .field("signature_fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}

/// RFC 5849 §3.5: protocol parameters are those whose names begin with `oauth_`
/// (case-sensitive: `OAUTH_SIGNATURE` is an ordinary parameter).
fn is_protocol(name: &str) -> bool {
    name.starts_with("oauth_")
}

/// Whether an `Authorization` value uses the OAuth scheme (case-insensitive, RFC 9110 §11.1).
fn is_oauth_scheme(value: &str) -> bool {
    value
        .trim_start_matches([' ', '\t'])
        .as_bytes()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case(b"OAuth"))
}

/// RFC 5849 §3.5.1 says header values are percent-encoded (§3.6). A raw reserved character
/// such as `/` or `=` decodes to itself, so it is accepted (clients that skip encoding it
/// still interoperate); a raw comma or whitespace inside the quotes is refused, since it makes
/// the parameter boundaries ambiguous to other parsers (SECURITY.md §5.1 row 24).
fn check_header_encoding(value: &str) -> Result<(), VerifyError> {
    let mut pieces = value.split('"');
    let mut outside = pieces.next().unwrap_or_default();
    while let Some(inside) = pieces.next() {
        let name = outside
            .trim_end_matches([' ', '\t'])
            .strip_suffix('=')
            .unwrap_or(outside)
            .trim_end_matches([' ', '\t'])
            .rsplit([',', ' ', '\t'])
            .next()
            .unwrap_or_default();
        if name != "realm" && inside.bytes().any(|b| b == b',' || b.is_ascii_whitespace()) {
            return Err(VerifyError::MalformedHeader(HeaderError::CommaOrWhitespace));
        }
        outside = pieces.next().unwrap_or_default();
    }
    Ok(())
}

fn header_error(e: HeaderError) -> VerifyError {
    match e {
        HeaderError::DuplicateParameter(name) => VerifyError::DuplicateProtocolParam(clip(&name)),
        other => VerifyError::MalformedHeader(other),
    }
}

/// `oauth_body_hash`: Base64 of SHA-1 over the raw body, compared in constant time.
fn body_hash_matches(given: &str, body: &[u8]) -> bool {
    let expected = STANDARD.encode(Sha1::digest(body));
    ct_eq(expected.as_bytes(), given.as_bytes())
}

/// A received request taken apart: step 1 of [`Verifier::verify`], shared with
/// [`received_base_string`] so diagnostics show exactly the base string that was checked.
struct Received {
    realm: Option<String>,
    header: Vec<(String, String)>,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    request: Request,
    https: bool,
}

impl Received {
    fn parse(req: &ReceivedRequest<'_>) -> Result<Self, VerifyError> {
        let (realm, header) = match req.authorization {
            Some(value) if is_oauth_scheme(value) => {
                let parsed = parse_header(value).map_err(header_error)?;
                check_header_encoding(value)?;
                (parsed.realm, parsed.params)
            }
            _ => (None, Vec::new()),
        };
        let mut url = Url::parse(req.url)
            .map_err(|e| VerifyError::BadRequest(RequestError::BadUrl(e.to_string())))?;
        let query = parse_form(url.query().unwrap_or_default()).map_err(|source| {
            VerifyError::BadRequest(RequestError::BadEncoding {
                part: "query",
                source,
            })
        })?;
        let form = match req.form_body {
            Some(body) => parse_form(body).map_err(|source| {
                VerifyError::BadRequest(RequestError::BadEncoding {
                    part: "form body",
                    source,
                })
            })?,
            None => Vec::new(),
        };
        // The query goes in through `with_form` below, so that the received
        // `oauth_signature` can be left out of the base string wherever it was
        // (RFC 5849 §3.4.1.3.1); the base string URI has no query anyway (§3.4.1.2).
        url.set_query(None);
        url.set_fragment(None);
        let https = url.scheme() == "https";
        let request = Request::from_url(req.method, url)
            .map_err(VerifyError::BadRequest)?
            .with_form(
                query
                    .iter()
                    .chain(&form)
                    .filter(|(n, _)| n != SIGNATURE)
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            );
        Ok(Self {
            realm,
            header,
            query,
            form,
            request,
            https,
        })
    }

    /// The RFC 5849 §3.4.1 base string over the request and the header's parameters.
    fn base_string(&self) -> String {
        let header: Vec<(&str, &str)> = self
            .header
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        base_string(&self.request, &header)
    }
}

/// The base string a verifier computes for `req`, for diagnostics (the emulator's
/// `signature_invalid` answers, `gdauth oauth1 verify --json`); `None` when the request
/// does not parse far enough to have one.
pub fn received_base_string(req: &ReceivedRequest<'_>) -> Option<String> {
    Received::parse(req).ok().map(|r| r.base_string())
}

impl<L: CredentialLookup> Verifier<L> {
    /// A builder over `lookup`: the system clock and the default configuration unless set.
    pub fn builder(lookup: L) -> VerifierBuilder<L> {
        VerifierBuilder {
            lookup,
            clock: None,
            config: VerifierConfig::default(),
        }
    }

    /// A verifier over `lookup`, reading time from `clock`.
    pub fn new(lookup: L, clock: Arc<dyn Clock>, config: VerifierConfig) -> Self {
        // Parse the dummy RSA key now, so the first unknown consumer is not slower.
        #[cfg(feature = "rsa")]
        let _ = dummy_rsa_key();
        Self {
            lookup,
            clock,
            config,
            nonces: Arc::new(MemoryNonceStore::new()),
            fallback: None,
        }
    }

    /// Gives a signature that fails RFC 5849 a second chance through `fallback` (see the
    /// module documentation); every other check still applies.
    pub fn with_signature_fallback(mut self, fallback: Arc<dyn SignatureFallback>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    /// Keeps the replay set in `store` instead of the default [`MemoryNonceStore`] (a
    /// durable one, or one shared by several instances: see [`NonceStore`]).
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonces = store;
        self
    }

    /// The credential store.
    pub fn lookup(&self) -> &L {
        &self.lookup
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// How many (consumer, token, timestamp, nonce) entries the replay store holds.
    pub fn nonces_stored(&self) -> usize {
        self.nonces.len()
    }

    /// Runs every check on `req` and records its nonce; see the module documentation for
    /// the order of the checks.
    pub fn verify(&self, req: &ReceivedRequest<'_>) -> Result<Verified, VerifyError> {
        self.run(req, true)
    }

    /// Runs every check on `req` but records nothing: a replayed nonce is still refused,
    /// and checking the same request again answers the same. For diagnostics and for a
    /// provider that records nonces in a store of its own.
    pub fn check(&self, req: &ReceivedRequest<'_>) -> Result<Verified, VerifyError> {
        self.run(req, false)
    }

    fn run(&self, req: &ReceivedRequest<'_>, record: bool) -> Result<Verified, VerifyError> {
        let profile = self.config.profile;

        // 1. Parse header, URL, query and form body.
        let received = Received::parse(req)?;
        let Received {
            realm,
            header,
            query,
            form,
            https,
            ..
        } = &received;
        let https = *https;

        // 2. Where the protocol parameters may come from (see `Profile`), and RFC 5849 §3.1:
        // no protocol parameter twice, wherever the copies sit.
        let protocol = profile.protocol_params([header, query, form])?;
        let get = |name: &str| protocol.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);

        // 3. Required parameters.
        let consumer_key = get(CONSUMER_KEY).ok_or(VerifyError::MissingParam(CONSUMER_KEY))?;
        let method_name =
            get(SIGNATURE_METHOD).ok_or(VerifyError::MissingParam(SIGNATURE_METHOD))?;
        let signature = get(SIGNATURE).ok_or(VerifyError::MissingParam(SIGNATURE))?;

        // 4. Method, and TLS for PLAINTEXT.
        let method = SignatureMethod::parse(method_name)
            .map_err(|_| VerifyError::UnsupportedSignatureMethod)?;
        #[cfg(not(feature = "rsa"))]
        if method == SignatureMethod::RsaSha1 {
            return Err(VerifyError::UnsupportedSignatureMethod);
        }
        if method == SignatureMethod::Plaintext
            && !https
            && !self.config.dangerous_allow_insecure_plaintext
        {
            return Err(VerifyError::InsecureTransport);
        }

        // 5. RFC 5849 §3.1: oauth_version, if present, MUST be "1.0". Under GoogleCompat a
        // "1.0a" in any case is accepted too: clients such as Node's `oauth` send it for the
        // 1.0a flow, and the value is signed like any other parameter.
        let version_ok = |v: &str| {
            v == "1.0" || (profile == Profile::GoogleCompat && v.eq_ignore_ascii_case("1.0a"))
        };
        if get(VERSION).is_some_and(|v| !version_ok(v)) {
            return Err(VerifyError::UnsupportedVersion);
        }

        // 6. RFC 5849 §3.1: timestamp and nonce MAY be omitted for PLAINTEXT only; we take
        // both or neither, so a nonce is never checked without its timestamp.
        let timestamp_raw = get(TIMESTAMP);
        let nonce = get(NONCE);
        match (timestamp_raw, nonce) {
            (Some(_), Some(_)) => {}
            (None, None) if method == SignatureMethod::Plaintext => {}
            (None, _) => return Err(VerifyError::MissingParam(TIMESTAMP)),
            (Some(_), None) => return Err(VerifyError::MissingParam(NONCE)),
        }

        // 7. Shapes under the profile. An empty oauth_token means "no token" (RFC 5849 App. A).
        let timestamp = timestamp_raw.map(|t| profile.timestamp(t)).transpose()?;
        if nonce.is_some_and(|n| !profile.identifier_ok(n)) {
            return Err(VerifyError::BadNonce);
        }
        if !profile.identifier_ok(consumer_key) {
            return Err(VerifyError::BadConsumerKey);
        }
        let token = get(TOKEN).filter(|t| !t.is_empty());
        if token.is_some_and(|t| !profile.identifier_ok(t)) {
            return Err(VerifyError::BadToken);
        }

        // 8. The body-hash extension forbids oauth_body_hash on form-encoded bodies.
        let body_hash = get(BODY_HASH);
        if body_hash.is_some() && req.form_body.is_some() {
            return Err(VerifyError::BodyHashNotAllowed);
        }

        // 9. The timestamp window.
        let now = self.clock.now_unix();
        if let Some(ts) = timestamp {
            check_window(now, ts, self.config.timestamp_window)
                .map_err(|skew| VerifyError::TimestampOutOfWindow { skew })?;
        }

        // 10. Lookups. Unknown consumer or token: remember, and verify with dummies.
        let credential = self.lookup.consumer(consumer_key);
        if let Some(c) = &credential {
            if !c.allows(method) {
                return Err(VerifyError::SignatureMethodNotAllowed);
            }
        }
        let token_secret = token.map(|t| self.lookup.token_secret(consumer_key, t));
        let token_known = !matches!(token_secret, Some(None));

        // 11. The signature, same work whether or not the credentials are known.
        let valid = match method {
            SignatureMethod::HmacSha1
            | SignatureMethod::HmacSha256
            | SignatureMethod::Plaintext => {
                let cs = credential
                    .as_ref()
                    .and_then(|c| c.secret.as_ref())
                    .map_or(DUMMY_CONSUMER_SECRET, ConsumerSecret::secret);
                let ts = match &token_secret {
                    None => "",
                    Some(Some(s)) => s.secret(),
                    Some(None) => DUMMY_TOKEN_SECRET,
                };
                let key = signing_key(cs, ts);
                if method == SignatureMethod::Plaintext {
                    verify_plaintext(&key, signature)
                } else {
                    let base = received.base_string();
                    verify_hmac(method, key.as_bytes(), base.as_bytes(), signature)
                }
            }
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha1 => {
                let base = received.base_string();
                let key: Option<&RsaVerifyingKey> =
                    match credential.as_ref().and_then(|c| c.rsa_key.as_ref()) {
                        Some(k) => Some(k),
                        None => dummy_rsa_key(),
                    };
                key.is_some_and(|k| k.verify(base.as_bytes(), signature))
            }
            #[cfg(not(feature = "rsa"))]
            SignatureMethod::RsaSha1 => false,
        };
        if credential.is_none() {
            return Err(VerifyError::InvalidConsumer);
        }
        if !token_known {
            return Err(VerifyError::InvalidToken);
        }
        // A second chance, only for a registered consumer and a live (or absent) token.
        let mut signature_fallback = None;
        if !valid {
            let keys = credential
                .as_ref()
                .zip(self.fallback.as_ref())
                .map(|(c, f)| {
                    let keys = SignatureKeys {
                        consumer_key,
                        method,
                        consumer_secret: c.secret.as_ref().map(ConsumerSecret::secret),
                        token_secret: match &token_secret {
                            Some(Some(s)) => s.secret(),
                            _ => "",
                        },
                        #[cfg(feature = "rsa")]
                        rsa_key: c.rsa_key.as_ref(),
                    };
                    f.accept(req, &keys)
                });
            signature_fallback = keys.flatten().ok_or(VerifyError::BadSignature).map(Some)?;
        }

        // 12. oauth_body_hash covers a body the signature does not (RFC 5849 §4.12).
        if let Some(given) = body_hash {
            if !body_hash_matches(given, req.body.unwrap_or_default()) {
                return Err(VerifyError::BodyHashMismatch);
            }
        }

        // 13. Replay, recorded only now that the request is known to be genuine.
        if let (Some(ts), Some(n)) = (timestamp, nonce) {
            let entry = NonceEntry::new(consumer_key, ts, token.unwrap_or_default(), n);
            if record {
                self.nonces.check_and_record(
                    entry,
                    now,
                    self.config.timestamp_window,
                    self.config.max_nonces,
                )?;
            } else if self.nonces.contains(entry) {
                return Err(VerifyError::NonceReused);
            }
        }

        let params = query
            .iter()
            .chain(form)
            .chain(header)
            .filter(|(n, _)| !is_protocol(n))
            .cloned()
            .collect();
        Ok(Verified {
            consumer_key: consumer_key.to_owned(),
            token: token.map(str::to_owned),
            signature_method: method,
            callback: get(CALLBACK).map(str::to_owned),
            verifier: get(VERIFIER).map(str::to_owned),
            realm: realm.clone(),
            timestamp,
            nonce: nonce.map(str::to_owned),
            params,
            signature_fallback,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_encoding_check() {
        assert!(check_header_encoding("OAuth realm=\"a b/c\", oauth_nonce=\"a%2Cb\"").is_ok());
        assert!(check_header_encoding("OAuth oauth_nonce=\"a,b\"").is_err());
        assert!(check_header_encoding("OAuth a=\"1\",oauth_nonce = \"x y\"").is_err());
        assert!(check_header_encoding("OAuth oauth_signature=\"ab/=\"").is_ok());
    }

    #[test]
    fn replay_store_partitions_forget_the_oldest_and_refuse_what_they_forgot() {
        let mut s = ReplayStore::default();
        let k = |ts: u64, n: &str| (ts, String::new(), n.to_owned());
        fn rec(s: &mut ReplayStore, c: &str, key: ReplayKey, now: u64) -> Result<(), VerifyError> {
            s.check_and_record(c, key, now, 10, 2, &mut Vec::new())
        }
        assert_eq!(rec(&mut s, "c", k(100, "a"), 100), Ok(()));
        assert_eq!(
            rec(&mut s, "c", k(100, "a"), 100),
            Err(VerifyError::NonceReused)
        );
        assert_eq!(rec(&mut s, "c", k(101, "b"), 101), Ok(()));
        // Full: the oldest (100) is forgotten and a fresh request goes in.
        assert_eq!(rec(&mut s, "c", k(102, "c"), 102), Ok(()));
        // What it forgot, and anything as old, can no longer be checked: refused.
        assert_eq!(
            rec(&mut s, "c", k(100, "a"), 102),
            Err(VerifyError::TimestampForgotten)
        );
        assert_eq!(
            rec(&mut s, "c", k(100, "n"), 102),
            Err(VerifyError::TimestampForgotten)
        );
        // Full of newer entries: an older request is refused without forgetting any.
        assert_eq!(
            rec(&mut s, "c", k(101, "z"), 102),
            Err(VerifyError::TimestampForgotten)
        );
        assert_eq!(s.len(), 2);
        // Another consumer is untouched by the first one's flood.
        assert_eq!(rec(&mut s, "d", k(100, "a"), 102), Ok(()));
        // Entries live until their timestamp leaves the window: at 112 the one from 101
        // goes (101 + 10 < 112), and the floor (100) with it.
        assert_eq!(rec(&mut s, "c", k(112, "e"), 112), Ok(()));
        assert_eq!(s.partitions.get("c").map(|p| p.seen.len()), Some(2));
        assert_eq!(s.partitions.get("c").and_then(|p| p.floor), None);
        // A timestamp ahead of the clock stays its window beyond itself, no longer.
        assert_eq!(rec(&mut s, "f", k(130, "x"), 120), Ok(()));
        assert_eq!(
            rec(&mut s, "f", k(130, "x"), 140),
            Err(VerifyError::NonceReused)
        );
        assert_eq!(rec(&mut s, "f", k(141, "y"), 141), Ok(()));
        assert!(!s.contains("f", &k(130, "x")));
    }

    #[test]
    fn clip_marks_cuts() {
        assert_eq!(clip("abc"), "abc");
        let long = "x".repeat(100);
        assert_eq!(clip(&long).chars().count(), 65);
    }

    #[test]
    fn dummy_key_parses() {
        #[cfg(feature = "rsa")]
        assert!(dummy_rsa_key().is_some());
    }
}
