//! OAuth 1.0a as Google served it (RFC 5849; PROTOCOLS.md §3): the routes for
//! `/accounts/OAuthGetRequestToken`, `/accounts/OAuthAuthorizeToken`,
//! `/accounts/OAuthGetAccessToken` and `/accounts/AuthSubRevokeToken`; the protocol's state
//! ([`OAuth1`]: the registered consumers, the shared verifier, the token store); and its
//! answer to the feeds' one question, which user and scopes an OAuth-signed request grants
//! (three-legged with an access token, or two-legged with `xoauth_requestor_id`).
//!
//! * [`endpoints`]: the signed token endpoints.
//! * [`authorize`]: the consent page, in the shared frame of [`super::consent`].
//! * [`state`]: the token store, whose refusals are domain outcomes ([`state::Refused`]).
//! * [`wire`]: OAuth Problem Reporting, the wire format of every refusal here.
//!
//! `/accounts/AuthSubRevokeToken` is shared with AuthSub, whose module owns the route (axum
//! refuses a path routed twice): it answers `Authorization: AuthSub token="…"` itself and
//! hands every other request, OAuth-signed revocation, to [`revoke`] here.

mod authorize;
mod endpoints;
mod state;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use axum::routing::any;
use axum::Router;

use crate::clock::Clock;
use crate::conformance::quirks::{QuirkFallback, QuirkProfile};
use crate::oauth1::verifier::{ConsumerCredential, Verified, Verifier, VerifierConfig};
use crate::oauth1::SignatureMethod;
use crate::secret::ConsumerSecret;

use super::durable::{commit, DurableNonces, Journal, Journaled, StateError, Table, Tables};
use super::feeds::{CredentialGrant, Description, FeedRefusal, Grant};
use super::http::Incoming;
use super::{App, EmulatorError, LogTarget};
use state::Lookup;
use wire::Problem;

pub use endpoints::revoke;
pub use state::{Granted, Store, MAX_ACCESS_TOKENS_PER_GRANT, REQUEST_TOKEN_LIFETIME};

/// The consumer registered when none is configured: Google's `anonymous` (secret
/// `anonymous`, HMAC-SHA1) for installed and unregistered applications.
pub const ANONYMOUS_CONSUMER: &str = "anonymous";

const REQUEST_TOKEN_PATH: &str = "/accounts/OAuthGetRequestToken";
const AUTHORIZE_PATH: &str = "/accounts/OAuthAuthorizeToken";
const ACCESS_TOKEN_PATH: &str = "/accounts/OAuthGetAccessToken";
const REVOKE_PATH: &str = "/accounts/AuthSubRevokeToken";

/// OAuth 1.0a's routes (`AuthSubRevokeToken` is routed by AuthSub, which hands OAuth's
/// requests to [`revoke`]).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(REQUEST_TOKEN_PATH, any(endpoints::request_token))
        .route(AUTHORIZE_PATH, any(authorize::authorize))
        .route(ACCESS_TOKEN_PATH, any(endpoints::access_token))
}

/// A consumer as the state file keeps it: its shared secret or RSA public key, and the
/// methods it may use.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct StoredConsumer {
    secret: Option<ConsumerSecret>,
    rsa_public_key_pem: Option<String>,
    methods: Vec<String>,
}

impl StoredConsumer {
    fn of(c: &ConsumerCredential) -> Result<Self, EmulatorError> {
        #[cfg(feature = "rsa")]
        let rsa_public_key_pem = match &c.rsa_key {
            Some(k) => Some(
                k.to_pem()
                    .map_err(|e| EmulatorError::InvalidConfig(e.to_string()))?,
            ),
            None => None,
        };
        #[cfg(not(feature = "rsa"))]
        let rsa_public_key_pem = None;
        Ok(Self {
            secret: c.secret.clone(),
            rsa_public_key_pem,
            methods: c
                .allowed_methods
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
        })
    }

    fn credential(&self) -> Result<ConsumerCredential, String> {
        let mut c = ConsumerCredential::hmac(ConsumerSecret::new(""));
        c.secret = self.secret.clone();
        c.allowed_methods = self
            .methods
            .iter()
            .map(|m| SignatureMethod::parse(m).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        match &self.rsa_public_key_pem {
            #[cfg(feature = "rsa")]
            Some(pem) => {
                c.rsa_key = Some(
                    crate::rsa_sha1::RsaVerifyingKey::from_pem(pem).map_err(|e| e.to_string())?,
                );
            }
            #[cfg(not(feature = "rsa"))]
            Some(_) => return Err("an RSA consumer needs the rsa feature".into()),
            None => {}
        }
        Ok(c)
    }
}

/// The consumers to register: with a state store, those it kept from earlier runs plus
/// `configured` (a configured key replaces a kept one, and is written), so a restart
/// without the same flags still knows who its tokens were issued to. `anonymous` is never
/// kept (its secret is public); to forget a kept consumer, start on a new state file.
fn registered_consumers(
    configured: Vec<(String, ConsumerCredential)>,
    journal: &Journal,
) -> Result<Vec<(String, ConsumerCredential)>, EmulatorError> {
    if journal.is_none() {
        return Ok(configured);
    }
    struct Consumers(Table<String, StoredConsumer>);
    impl Tables for Consumers {
        fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
            f(&mut self.0);
        }
    }

    const CONSUMERS_TABLE: &str = "oauth1_consumers";
    let mut table = Consumers(Table::open(CONSUMERS_TABLE, journal)?);
    let mut all: Vec<(String, ConsumerCredential)> = Vec::new();
    for (key, stored) in table.0.iter() {
        if key == ANONYMOUS_CONSUMER || configured.iter().any(|(k, _)| k == key) {
            continue;
        }
        let credential = stored.credential().map_err(|reason| StateError::Corrupt {
            table: CONSUMERS_TABLE,
            reason,
        })?;
        all.push((key.clone(), credential));
    }
    for (key, credential) in &configured {
        // Google's `anonymous` consumer is registered by default and its secret is public:
        // kept, it would stay registered in a later run that names its own consumers.
        if key == ANONYMOUS_CONSUMER {
            table.0.remove(key.as_str());
            continue;
        }
        table.0.insert(key.clone(), StoredConsumer::of(credential)?);
    }
    commit(&mut table, journal)?;
    all.extend(configured);
    Ok(all)
}

/// OAuth 1.0a's state: the consumers (fixed at start), the verifier (with its replay store)
/// and the tokens.
pub struct OAuth1 {
    verifier: Verifier<Lookup>,
    /// The verifier's replay set when it is kept in a state store: every answer waits for
    /// its batch ([`DurableNonces::settled`], in the request log's middleware).
    durable_nonces: Option<Arc<DurableNonces>>,
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// Where a request let through under a quirk profile is logged (see
    /// [`OAuth1::with_quirks`]).
    log: LogTarget,
}

impl OAuth1 {
    /// Registers `consumers` (Google's `anonymous` when there are none); each key must be
    /// non-empty visible ASCII.
    pub fn new(
        mut consumers: Vec<(String, ConsumerCredential)>,
        clock: Arc<dyn Clock>,
        config: VerifierConfig,
        journal: &Journal,
    ) -> Result<Self, EmulatorError> {
        if consumers.is_empty() {
            consumers.push((
                ANONYMOUS_CONSUMER.to_owned(),
                ConsumerCredential::hmac(ConsumerSecret::new(ANONYMOUS_CONSUMER)),
            ));
        }
        for (key, _) in &consumers {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(EmulatorError::InvalidConfig(format!(
                    "consumer key {key:?} must be non-empty visible ASCII"
                )));
            }
        }
        let consumers = registered_consumers(consumers, journal)?;
        let store = Arc::new(Store::open(journal.clone())?);
        let lookup = Lookup {
            consumers: Arc::new(consumers.into_iter().collect::<HashMap<_, _>>()),
            store: store.clone(),
        };
        let (window, max) = (config.timestamp_window, config.max_nonces);
        let mut verifier = Verifier::new(lookup, clock.clone(), config);
        let mut durable_nonces = None;
        if let Some(state) = journal {
            // The nonce window is written through too, so a restart inside it accepts no
            // replay of what the last run served.
            let nonces = Arc::new(DurableNonces::open(
                state.clone(),
                clock.now_unix(),
                window,
                max,
            )?);
            verifier = verifier.with_nonce_store(nonces.clone());
            durable_nonces = Some(nonces);
        }
        Ok(Self {
            verifier,
            durable_nonces,
            store,
            clock,
            log: LogTarget::Off,
        })
    }

    /// Accepts each `(consumer, profile)` of `quirks`: the consumer's requests whose
    /// signature fails RFC 5849 but verifies under the profile are let through, and logged
    /// to `log` naming it. The verifier gets a [`QuirkFallback`] as its signature fallback,
    /// so every other check still runs; the consumers must be registered.
    pub fn with_quirks(
        mut self,
        quirks: &[(String, QuirkProfile)],
        log: LogTarget,
    ) -> Result<Self, EmulatorError> {
        if quirks.is_empty() {
            return Ok(self);
        }
        let mut fallback = QuirkFallback::new();
        for (consumer, profile) in quirks {
            if !self.consumers().contains_key(consumer) {
                return Err(EmulatorError::InvalidConfig(format!(
                    "quirk {profile} is accepted for consumer {consumer:?}, which is not registered"
                )));
            }
            fallback = fallback.accept(consumer.clone(), *profile);
        }
        self.verifier = self.verifier.with_signature_fallback(Arc::new(fallback));
        self.log = log;
        Ok(self)
    }

    /// The durable replay set, when there is one.
    pub fn durable_nonces(&self) -> Option<&Arc<DurableNonces>> {
        self.durable_nonces.as_ref()
    }

    /// The token store (shared with [`super::Emulator::access_tokens`]).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The registered consumers (fixed at start): as at Google, a consumer key is a domain,
    /// and AuthSub reads its registered domains from here.
    pub fn consumers(&self) -> &Arc<HashMap<String, ConsumerCredential>> {
        &self.verifier.lookup().consumers
    }

    /// Runs the shared verifier, mapping a refusal to its Problem answer.
    fn verify(&self, incoming: &Incoming) -> Result<Verified, Problem> {
        let v = self
            .verifier
            .verify(&wire::received(incoming))
            .map_err(|e| {
                Problem::from_verify(
                    &e,
                    self.clock.now_unix(),
                    self.verifier.config().timestamp_window,
                    incoming,
                )
            })?;
        if let Some(quirk) = &v.signature_fallback {
            self.log.line(&format!(
                "{} {}: consumer {} accepted under quirk {quirk} (its signature fails RFC 5849)",
                incoming.method, incoming.path, v.consumer_key
            ));
        }
        Ok(v)
    }

    /// [`OAuth1::verify`] for a request that goes on to change state: with a durable nonce
    /// window its nonce is written now, before the change, so a refusal (503) changes
    /// nothing, and an answered change never has its nonce lost.
    fn verify_to_change(&self, incoming: &Incoming) -> Result<Verified, Problem> {
        let v = self.verify(incoming)?;
        if let Some(nonces) = &self.durable_nonces {
            // The same answer as a token table that cannot be written: 503, Retry-After.
            nonces
                .settle_now()
                .map_err(|_| Problem::from(state::Refused::Unavailable))?;
        }
        Ok(v)
    }

    /// Verifies a request signed with an access token (the OAuth 2.0 migration grant,
    /// PROTOCOLS.md §4): the consumer key and what the token grants, or the problem code
    /// and advice of the refusal. Nothing changes: the token keeps working.
    pub(crate) fn verify_access(
        &self,
        incoming: &Incoming,
    ) -> Result<(String, Granted), (&'static str, String)> {
        let v = self
            .verify_to_change(incoming)
            .map_err(|p| (p.problem, p.advice))?;
        let token = v.token.as_deref().ok_or((
            "parameter_absent",
            "the request is not signed with an access token".to_owned(),
        ))?;
        let granted = self.store.grant(&v.consumer_key, token).map_err(|r| {
            let p = Problem::from(r);
            (p.problem, p.advice)
        })?;
        Ok((v.consumer_key.clone(), granted))
    }

    /// What an OAuth-signed request may read; `None` when it carries no OAuth credential.
    fn oauth_grant(&self, app: &App, incoming: &Incoming) -> Result<Option<Grant>, Problem> {
        // An OAuth credential travels in the `Authorization` header or as `oauth_*`
        // parameters of the query or form body (RFC 5849 §3.5). Any `Authorization` header
        // counts: the verifier refuses a scheme other than `OAuth`. A protocol with its own
        // scheme (AuthSub, ClientLogin) is asked before this one.
        let carries = incoming.authorization.is_some()
            || incoming
                .plain_params()?
                .pairs()
                .iter()
                .any(|(n, _)| n.starts_with("oauth_"));
        if !carries {
            return Ok(None);
        }
        let v = self.verify(incoming)?;
        let client = format!("consumer {}", v.consumer_key);
        if let Some(token) = v.token.as_deref() {
            let granted = self.store.grant(&v.consumer_key, token)?;
            return Ok(Some(Grant {
                user: granted.user,
                scopes: Some(granted.scopes),
                client,
                how: "three-legged",
                protocol: "OAuth",
            }));
        }
        // Two-legged: Google reserved it for registered (Google Apps) consumers; the
        // `anonymous` secret is public.
        if v.consumer_key == ANONYMOUS_CONSUMER {
            return Err(Problem::unauthorized(
                "permission_denied",
                "two-legged access needs a registered consumer; the anonymous consumer's secret is public",
            ));
        }
        let requestor = v
            .param("xoauth_requestor_id")
            .ok_or_else(|| Problem::absent("xoauth_requestor_id"))?;
        let user = app.accounts.find(requestor).ok_or_else(|| {
            Problem::unauthorized(
                "permission_denied",
                "xoauth_requestor_id names no account on this emulator",
            )
        })?;
        Ok(Some(Grant {
            user: user.email.clone(),
            scopes: None,
            client,
            how: "two-legged",
            protocol: "OAuth",
        }))
    }
}

impl CredentialGrant for OAuth1 {
    fn grant(&self, app: &App, incoming: &Incoming) -> Option<Result<Grant, Response>> {
        self.oauth_grant(app, incoming)
            .map_err(|p| p.into_response_with_realm(&incoming.base))
            .transpose()
    }

    fn refuse(&self, why: FeedRefusal, realm: &str) -> Response {
        match why {
            FeedRefusal::Unreadable(e) => Problem::from(e),
            FeedRefusal::NoCredential => Problem::unauthorized(
                "parameter_absent",
                "this feed needs an OAuth Authorization (three-legged or two-legged)",
            )
            .with("oauth_parameters_absent", "oauth_consumer_key"),
            // Google's own words for a token whose scopes do not cover the feed.
            FeedRefusal::WrongScope => Problem::unauthorized(
                "permission_denied",
                "Token invalid - AuthSub token has wrong scope",
            ),
        }
        .into_response_with_realm(realm)
    }

    fn describe(&self) -> Description {
        let mut consumers: Vec<String> = self.verifier.lookup().consumers.keys().cloned().collect();
        consumers.sort();
        Description {
            name: "OAuth 1.0a",
            endpoints: &[
                REQUEST_TOKEN_PATH,
                AUTHORIZE_PATH,
                ACCESS_TOKEN_PATH,
                REVOKE_PATH,
            ],
            clients: "Consumers",
            client_ids: consumers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac(secret: &str) -> ConsumerCredential {
        ConsumerCredential::hmac(ConsumerSecret::new(secret))
    }

    fn keys(consumers: &[(String, ConsumerCredential)]) -> Vec<&str> {
        let mut keys: Vec<&str> = consumers.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn consumers_are_kept_across_runs_except_anonymous() {
        let (_, journal) = crate::emulator::durable::testing::MemoryStateStore::journal();
        let first = vec![
            (ANONYMOUS_CONSUMER.to_owned(), hmac(ANONYMOUS_CONSUMER)),
            ("a.example.com".to_owned(), hmac("old")),
        ];
        assert_eq!(
            keys(&registered_consumers(first, &journal).unwrap()),
            ["a.example.com", "anonymous"]
        );
        // A later run naming only its own consumer still knows the first run's, but not
        // `anonymous`, whose secret is public; a configured key replaces a kept one.
        let second = vec![
            ("b.example.com".to_owned(), hmac("b")),
            ("a.example.com".to_owned(), hmac("new")),
        ];
        let all = registered_consumers(second, &journal).unwrap();
        assert_eq!(keys(&all), ["a.example.com", "b.example.com"]);
        let a = all.iter().find(|(k, _)| k == "a.example.com").unwrap();
        assert_eq!(a.1.secret.as_ref().map(|s| s.secret()), Some("new"));
        let third = registered_consumers(Vec::new(), &journal).unwrap();
        assert_eq!(keys(&third), ["a.example.com", "b.example.com"]);
    }
}
