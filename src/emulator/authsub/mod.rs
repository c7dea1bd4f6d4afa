//! AuthSub as Google served it (PROTOCOLS.md §2): the routes for `/accounts/AuthSubRequest`,
//! `/accounts/AuthSubSessionToken`, `/accounts/AuthSubTokenInfo` and
//! `/accounts/AuthSubRevokeToken` (which it owns, handing OAuth-signed requests to OAuth
//! 1.0's revocation); the protocol's state ([`AuthSub`]: the token store, and the registered
//! domains, read from OAuth 1.0's consumers); and its answer to the feeds' one question.
//!
//! * [`authorize`]: the `AuthSubRequest` consent page, in the shared frame.
//! * [`endpoints`]: the upgrade, token info and revocation.
//! * [`state`]: the token store, whose refusals are domain outcomes ([`state::Refused`]).
//! * [`wire`]: the `key=value` lines every answer, and every refusal, is written in.
//!
//! With a state store (`gdauth serve --state`), the tokens and the secure nonces are
//! written through: each change is stored before its answer is sent, and a restart
//! carries on with them (a nonce seen inside its window stays a replay).

mod authorize;
mod endpoints;
mod state;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use axum::routing::any;
use axum::Router;

use crate::authsub::header::parse_header;
use crate::authsub::HeaderError;
use crate::clock::Clock;
use crate::oauth1::verifier::ConsumerCredential;
use crate::secret::SecretString;

use super::durable::Journal;
use super::feeds::{CredentialGrant, Description, FeedRefusal, Grant};
use super::http::{Incoming, WireError};
use super::oauth1::ANONYMOUS_CONSUMER;
use super::{App, EmulatorError};
use state::{Kind, Refused, Store, TokenView};
use wire::Answer;

pub use state::{MAX_SESSION_TOKENS_PER_GRANT, SINGLE_USE_LIFETIME};

const REQUEST_PATH: &str = "/accounts/AuthSubRequest";
const SESSION_TOKEN_PATH: &str = "/accounts/AuthSubSessionToken";
const TOKEN_INFO_PATH: &str = "/accounts/AuthSubTokenInfo";
const REVOKE_PATH: &str = "/accounts/AuthSubRevokeToken";

/// AuthSub's routes (including `AuthSubRevokeToken`, shared with OAuth 1.0).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(REQUEST_PATH, any(authorize::request))
        .route(SESSION_TOKEN_PATH, any(endpoints::session_token))
        .route(TOKEN_INFO_PATH, any(endpoints::token_info))
        .route(REVOKE_PATH, any(endpoints::revoke))
}

/// Why an AuthSub credential was refused: the domain outcome [`wire`] words as a 401.
#[derive(Debug)]
pub enum Denied {
    /// No `Authorization` header.
    NoHeader,
    /// The `Authorization: AuthSub` header does not parse.
    Header(HeaderError),
    /// The store refused the token (unknown, revoked, spent, expired, replayed nonce), or
    /// could not write a nonce (a full table, a state store that failed).
    Token(Refused),
    /// A secure token's request failed the signature check (unsigned, data string for
    /// another method or URL, stale timestamp, bad signature).
    #[cfg(feature = "rsa")]
    Signature(crate::authsub::VerifyError),
    /// A secure token whose web application has no certificate to check it with (never
    /// issued so; and without the `rsa` feature no secure request can be checked).
    NoKey,
    /// A single-use token offered to read data.
    SingleUseForData,
}

impl From<Refused> for Denied {
    fn from(r: Refused) -> Self {
        Self::Token(r)
    }
}

/// What a web application (a `next` host) is to the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Not registered.
    None,
    /// A registered domain without a certificate (an HMAC consumer): non-secure tokens.
    Plain,
    /// A registered domain with its certificate (an RSA consumer): secure tokens too.
    WithCertificate,
}

/// A request's credential, checked.
struct Authenticated {
    token: SecretString,
    view: TokenView,
}

/// AuthSub's state: the tokens, the registered domains (OAuth 1.0's consumers, shared), the
/// clock and the timestamp window of secure requests.
pub struct AuthSub {
    store: Store,
    domains: Arc<HashMap<String, ConsumerCredential>>,
    clock: Arc<dyn Clock>,
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))] // Secure requests need `rsa`.
    window: u64,
}

impl AuthSub {
    /// AuthSub over the registered `domains` (as at Google, one registration serves OAuth
    /// 1.0 and AuthSub: the consumer key is the domain); `window` is the OAuth 1.0
    /// verifier's timestamp window, used for secure requests too.
    ///
    /// The tokens and the secure nonces are kept in `journal` when there is one (read back
    /// now, written through before each answer).
    pub fn new(
        domains: Arc<HashMap<String, ConsumerCredential>>,
        clock: Arc<dyn Clock>,
        window: u64,
        journal: &Journal,
    ) -> Result<Self, EmulatorError> {
        Ok(Self {
            store: Store::open(journal.clone())?,
            domains,
            clock,
            window,
        })
    }

    /// How `host` is registered. Google's `anonymous` consumer is no domain.
    pub fn registration(&self, host: &str) -> Registration {
        if host == ANONYMOUS_CONSUMER {
            return Registration::None;
        }
        match self.domains.get(host) {
            None => Registration::None,
            #[cfg(feature = "rsa")]
            Some(c) if c.rsa_key.is_some() => Registration::WithCertificate,
            Some(_) => Registration::Plain,
        }
    }

    /// Checks the request's `Authorization: AuthSub` credential: the token is live, and for
    /// a secure token the request is signed for this very method and URL, within the
    /// window, with an unused nonce (PROTOCOLS.md §2.5). A non-secure token is a bearer
    /// credential: a signature sent with it is not checked.
    fn authenticate(&self, incoming: &Incoming) -> Result<Authenticated, Denied> {
        let value = incoming.authorization.as_deref().ok_or(Denied::NoHeader)?;
        let parsed = parse_header(value).map_err(Denied::Header)?;
        let now = self.clock.now_unix();
        let view = self.store.check(parsed.token.secret(), now)?;
        if view.approved.secure {
            self.check_signature(incoming, value, &parsed.token, &view)?;
        }
        Ok(Authenticated {
            token: parsed.token,
            view,
        })
    }

    /// The secure check with the library's provider-side verifier, then the replay record.
    #[cfg(feature = "rsa")]
    fn check_signature(
        &self,
        incoming: &Incoming,
        authorization: &str,
        token: &SecretString,
        view: &TokenView,
    ) -> Result<(), Denied> {
        let key = self
            .domains
            .get(&view.approved.target)
            .and_then(|c| c.rsa_key.as_ref())
            .ok_or(Denied::NoKey)?;
        // The URL is rebuilt from `Host` and the request target, exactly as OAuth 1.0's
        // verifier rebuilds it (`Incoming::url`).
        let verified = crate::authsub::verifier::verify(
            incoming.method.as_str(),
            &incoming.url,
            authorization,
            key,
            self.clock.as_ref(),
            self.window,
        )
        .map_err(Denied::Signature)?;
        self.store.record_nonce(
            token.secret(),
            verified.timestamp,
            &verified.nonce,
            self.window,
            self.clock.now_unix(),
        )?;
        Ok(())
    }

    /// Without the `rsa` feature no secure token is ever issued, and none can be checked.
    #[cfg(not(feature = "rsa"))]
    fn check_signature(
        &self,
        _: &Incoming,
        _: &str,
        _: &SecretString,
        _: &TokenView,
    ) -> Result<(), Denied> {
        Err(Denied::NoKey)
    }

    /// What an AuthSub session token may read.
    fn feed_grant(&self, incoming: &Incoming) -> Result<Grant, Denied> {
        let a = self.authenticate(incoming)?;
        if a.view.kind != Kind::Session {
            return Err(Denied::SingleUseForData);
        }
        let approved = a.view.approved;
        Ok(Grant {
            user: approved.user,
            scopes: Some(approved.scopes),
            client: format!("web application {}", approved.target),
            how: if approved.secure {
                "secure"
            } else {
                "non-secure"
            },
            protocol: "AuthSub",
        })
    }
}

/// Whether an `Authorization` header value has the `AuthSub` scheme (case-insensitive).
fn is_authsub(authorization: Option<&str>) -> bool {
    authorization
        .and_then(|v| v.trim_start().split([' ', '\t']).next())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("AuthSub"))
}

impl CredentialGrant for AuthSub {
    fn grant(&self, _: &App, incoming: &Incoming) -> Option<Result<Grant, Response>> {
        if !is_authsub(incoming.authorization.as_deref()) {
            return None;
        }
        Some(
            self.feed_grant(incoming)
                .map_err(|d| Answer::from(d).into_response_with_realm(&incoming.base)),
        )
    }

    fn refuse(&self, why: FeedRefusal, realm: &str) -> Response {
        match why {
            FeedRefusal::Unreadable(e) => Answer::from(e),
            FeedRefusal::NoCredential => Answer::from(Denied::NoHeader),
            FeedRefusal::WrongScope => Answer::wrong_scope(),
        }
        .into_response_with_realm(realm)
    }

    fn describe(&self) -> Description {
        let mut domains: Vec<String> = self
            .domains
            .keys()
            .filter(|k| self.registration(k) != Registration::None)
            .cloned()
            .collect();
        domains.sort();
        Description {
            name: "AuthSub",
            endpoints: &[
                REQUEST_PATH,
                SESSION_TOKEN_PATH,
                TOKEN_INFO_PATH,
                REVOKE_PATH,
            ],
            clients: "Registered domains",
            client_ids: domains,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_decides() {
        assert!(is_authsub(Some("AuthSub token=\"x\"")));
        assert!(is_authsub(Some("authsub token=x")));
        assert!(!is_authsub(Some("OAuth oauth_token=\"x\"")));
        assert!(!is_authsub(Some("AuthSubX token=x")));
        assert!(!is_authsub(None));
    }
}
