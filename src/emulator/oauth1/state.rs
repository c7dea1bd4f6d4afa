//! OAuth 1.0a's token state: request tokens, access tokens and revocations, in one struct
//! behind one `Mutex`, plus the [`CredentialLookup`] the shared verifier reads. The rules are
//! the "State rules" of the emulator's module documentation (PROTOCOLS.md §9).
//!
//! Every operation takes the lock once, checks everything it needs and changes state only
//! when it succeeds, so a refused request never loses an issued token and two concurrent
//! exchanges of the same request token cannot both win. No lock is ever held across an
//! `.await`: handlers call these synchronous methods between awaits.
//!
//! A refusal is a [`Refused`], a domain outcome; [`super::wire`] words it as an OAuth
//! Problem Reporting answer.
//!
//! With a state store (`gdauth serve --state`), each operation's changes are written
//! before its lock is released and its answer sent ([`super::super::durable`]); a write
//! that fails undoes them and answers [`Refused::Unavailable`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::clock::random_hex;
use crate::emulator::bounds::oldest_over_cap;
use crate::emulator::durable::{write_locked, Journal, Journaled, StateError, Table, Tables};
use crate::oauth1::verifier::{ConsumerCredential, CredentialLookup};
use crate::oauth1::Callback;
use crate::secret::{ct_eq, SecretString, TokenSecret};

/// Seconds a request token stays valid after it is issued (Google: "valid for only one
/// hour"; PROTOCOLS.md §9).
pub const REQUEST_TOKEN_LIFETIME: u64 = 3600;
/// Outstanding access tokens allowed per (user, consumer) (PROTOCOLS.md §9: "no more than
/// ten access tokens per user and application").
pub const MAX_ACCESS_TOKENS_PER_GRANT: usize = 10;
/// Request tokens kept at most at once; beyond that (once tokens past their retention are
/// forgotten) the request-token call answers 503. Bounds memory against a client that asks
/// for tokens in a loop (RFC 5849 §4.10). A live token is never evicted to make room: a
/// user may be on its consent page (issue 15 §1).
const MAX_REQUEST_TOKENS: usize = 10_000;
/// Request tokens one consumer may hold at once. At the cap its own dead tokens (expired,
/// used, denied) are forgotten; if it still holds the cap in live ones, the call is refused
/// (503 with `Retry-After`, [`Refused::ConsumerBusy`]) and no token is evicted: a client
/// asking in a loop (the `anonymous` secret is public) is refused, and the users who are
/// approving tokens already issued, its own or another consumer's, keep them (issue 15 §1).
pub const MAX_REQUEST_TOKENS_PER_CONSUMER: usize = 1_000;
/// Revoked access tokens remembered (to answer `token_revoked`); the oldest are forgotten
/// first, after which such a token is simply unknown (`token_rejected`): refused either way.
const MAX_REVOKED_REMEMBERED: usize = 10_000;
/// Random bytes in every token, secret and verifier: 160 bits (SECURITY.md §2).
const TOKEN_BYTES: usize = 20;

/// Which kind of token a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A request token (`4/…`), before the exchange.
    Request,
    /// An access token (`1/…`).
    Access,
}

/// Why the store refused an operation. Nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such token of the kind the operation needs.
    Unknown(TokenKind),
    /// The token was issued to another consumer.
    WrongConsumer(TokenKind),
    /// An access token (live or revoked) was offered for exchange: it was exchanged already.
    ExchangeOfAccessToken,
    /// A request token was offered for revocation: only access tokens are revoked.
    RevocationOfRequestToken,
    /// A request token was offered to read data.
    AccessWithRequestToken,
    /// The consent page was asked about a request token already approved or exchanged.
    AlreadyAuthorized,
    /// The request token was exchanged already (single use).
    Used,
    /// The user denied the request token (exchange).
    Denied,
    /// The consent page was asked about a request token the user already denied.
    AlreadyDenied,
    /// The request token is older than [`REQUEST_TOKEN_LIFETIME`].
    Expired,
    /// The user has not answered the consent page yet.
    NotYetAuthorized,
    /// The exchange carries no `oauth_verifier`.
    MissingVerifier,
    /// The `oauth_verifier` is not the one bound to this request token.
    WrongVerifier,
    /// The access token was revoked (data access).
    Revoked,
    /// The access token was revoked before (a second revocation).
    AlreadyRevoked,
    /// The request-token table is full; retry later.
    Busy,
    /// The consumer holds [`MAX_REQUEST_TOKENS_PER_CONSUMER`] live request tokens; retry
    /// once some are approved, denied or expired.
    ConsumerBusy,
    /// The state store could not be written; the operation was undone.
    Unavailable,
}

/// Where a request token stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum RequestState {
    /// Issued, waiting for the user.
    Pending,
    /// Approved by `user`; exchangeable once with `verifier`.
    Authorized {
        user: String,
        verifier: SecretString,
    },
    /// The user declined.
    Denied,
    /// Exchanged for an access token (single use).
    Exchanged,
}

/// An issued request token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RequestToken {
    consumer_key: String,
    secret: TokenSecret,
    callback: Callback,
    scopes: Vec<String>,
    display_name: Option<String>,
    issued_at: u64,
    state: RequestState,
}

/// An issued, live access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessToken {
    consumer_key: String,
    secret: TokenSecret,
    user: String,
    scopes: Vec<String>,
    /// Issue order, to find the oldest when the ten-token limit is reached.
    seq: u64,
}

/// A revoked access token, remembered so it can be refused by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Revoked {
    consumer_key: String,
    secret: TokenSecret,
    /// Revocation order, to forget the oldest first (and to rebuild that order at start).
    seq: u64,
}

/// All mutable state.
#[derive(Debug)]
struct Tokens {
    request: Table<String, RequestToken>,
    access: Table<String, AccessToken>,
    revoked: Table<String, Revoked>,
    /// Derived from `revoked` (by `seq`): not stored.
    revoked_order: VecDeque<String>,
    /// The last issue or revocation number: derived from the tables at start.
    seq: u64,
}

impl Tables for Tokens {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.request);
        f(&mut self.access);
        f(&mut self.revoked);
    }

    fn rederive(&mut self) {
        // The order follows the table: entries put back or taken out are re-sorted.
        self.revoked_order = self.revoked.keys_by_seq(|r| Some(r.seq));
    }
}

impl Tokens {
    /// How many request tokens `consumer_key` holds, in any state.
    fn request_tokens_of(&self, consumer_key: &str) -> usize {
        self.request
            .values()
            .filter(|r| r.consumer_key == consumer_key)
            .count()
    }

    /// The tables read back from `journal` (empty without one).
    fn open(journal: &Journal) -> Result<Self, StateError> {
        let mut t = Self {
            request: Table::open("oauth1_request_tokens", journal)?,
            access: Table::open("oauth1_access_tokens", journal)?,
            revoked: Table::open("oauth1_revoked_tokens", journal)?,
            revoked_order: VecDeque::new(),
            seq: 0,
        };
        t.seq = t
            .access
            .values()
            .map(|a| a.seq)
            .chain(t.revoked.values().map(|r| r.seq))
            .max()
            .unwrap_or(0);
        t.rederive();
        Ok(t)
    }

    fn remember_revoked(&mut self, token: String, t: AccessToken) {
        self.seq += 1;
        let seq = self.seq;
        self.revoked.insert(
            token.clone(),
            Revoked {
                consumer_key: t.consumer_key,
                secret: t.secret,
                seq,
            },
        );
        self.revoked_order.push_back(token);
        while self.revoked_order.len() > MAX_REVOKED_REMEMBERED {
            if let Some(old) = self.revoked_order.pop_front() {
                self.revoked.remove(&old);
            }
        }
    }
}

/// What the consent page shows about a pending request token.
#[derive(Debug, Clone)]
pub struct PendingView {
    /// The consumer that asked.
    pub consumer_key: String,
    /// `xoauth_displayname`, if the consumer sent one.
    pub display_name: Option<String>,
    /// The requested scopes.
    pub scopes: Vec<String>,
    /// Where the user goes afterwards.
    pub callback: Callback,
}

/// A successful exchange.
#[derive(Debug)]
pub struct Exchanged {
    /// The new access token.
    pub token: String,
    /// Its secret.
    pub secret: TokenSecret,
    /// The access token revoked to stay within the ten-token limit, if any.
    pub revoked_oldest: Option<String>,
}

/// What an access token may read.
#[derive(Debug, Clone)]
pub struct Granted {
    /// The user whose data it is.
    pub user: String,
    /// The scopes the user granted.
    pub scopes: Vec<String>,
}

/// The token store. Cheap to share (`Arc`); every method locks once.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Tokens>,
    journal: Journal,
}

impl Default for Store {
    /// In memory only: nothing is read or copied.
    fn default() -> Self {
        Self::open(None).unwrap_or_else(|_| unreachable!("without a journal nothing is read"))
    }
}

fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", random_hex(TOKEN_BYTES))
}

fn expired(issued_at: u64, now: u64) -> bool {
    now.saturating_sub(issued_at) >= REQUEST_TOKEN_LIFETIME
}

impl Store {
    /// The store kept in `journal` (read back now), or in memory for `None`.
    pub fn open(journal: Journal) -> Result<Self, StateError> {
        Ok(Self {
            inner: Mutex::new(Tokens::open(&journal)?),
            journal,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Tokens> {
        // A panic while holding the lock cannot leave a half-made change: every method
        // mutates only after all its checks passed. So a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one changing operation under the lock, then writes what it changed (refused or
    /// not: some refusals spend a token) before answering; a failed write undoes it all.
    fn write<R>(&self, f: impl FnOnce(&mut Tokens) -> Result<R, Refused>) -> Result<R, Refused> {
        write_locked(&self.inner, &self.journal, Refused::Unavailable, f)
    }

    /// Issues a request token (`4/…`, as Google's looked) for `consumer_key`.
    pub fn issue_request_token(
        &self,
        consumer_key: &str,
        callback: Callback,
        scopes: Vec<String>,
        display_name: Option<String>,
        now: u64,
    ) -> Result<(String, TokenSecret), Refused> {
        self.write(|t| {
            if t.request_tokens_of(consumer_key) >= MAX_REQUEST_TOKENS_PER_CONSUMER {
                t.request.retain(|_, r| {
                    r.consumer_key != consumer_key
                        || (matches!(
                            r.state,
                            RequestState::Pending | RequestState::Authorized { .. }
                        ) && now.saturating_sub(r.issued_at) < REQUEST_TOKEN_LIFETIME)
                });
                if t.request_tokens_of(consumer_key) >= MAX_REQUEST_TOKENS_PER_CONSUMER {
                    // Refuse the caller rather than evict a live token: whoever holds it may be
                    // on its consent page right now.
                    return Err(Refused::ConsumerBusy);
                }
            }
            if t.request.len() >= MAX_REQUEST_TOKENS {
                // Only dead tokens (expired, used, denied: kept to name a refusal) make room.
                t.request.retain(|_, r| {
                    matches!(
                        r.state,
                        RequestState::Pending | RequestState::Authorized { .. }
                    ) && !expired(r.issued_at, now)
                });
            }
            if t.request.len() >= MAX_REQUEST_TOKENS {
                return Err(Refused::Busy);
            }
            let token = new_token("4/");
            let secret = TokenSecret::new(random_hex(TOKEN_BYTES));
            t.request.insert(
                token.clone(),
                RequestToken {
                    consumer_key: consumer_key.to_owned(),
                    secret: secret.clone(),
                    callback,
                    scopes,
                    display_name,
                    issued_at: now,
                    state: RequestState::Pending,
                },
            );
            Ok((token, secret))
        })
    }

    /// The consent page's view of a request token that can still be approved.
    pub fn pending(&self, token: &str, now: u64) -> Result<PendingView, Refused> {
        let t = self.lock();
        let r = pending_token(&t, token, now)?;
        Ok(PendingView {
            consumer_key: r.consumer_key.clone(),
            display_name: r.display_name.clone(),
            scopes: r.scopes.clone(),
            callback: r.callback.clone(),
        })
    }

    /// The user approved: binds a fresh verifier to the token. Returns the callback and the
    /// verifier.
    pub fn approve(
        &self,
        token: &str,
        user: &str,
        now: u64,
    ) -> Result<(Callback, SecretString), Refused> {
        self.write(|t| {
            pending_token(t, token, now)?;
            let verifier = SecretString::new(random_hex(TOKEN_BYTES));
            let r = t
                .request
                .get_mut(token)
                .ok_or(Refused::Unknown(TokenKind::Request))?;
            r.state = RequestState::Authorized {
                user: user.to_owned(),
                verifier: verifier.clone(),
            };
            Ok((r.callback.clone(), verifier))
        })
    }

    /// The user declined: the token can never be exchanged. Returns the callback.
    pub fn deny(&self, token: &str, now: u64) -> Result<Callback, Refused> {
        self.write(|t| {
            pending_token(t, token, now)?;
            let r = t
                .request
                .get_mut(token)
                .ok_or(Refused::Unknown(TokenKind::Request))?;
            r.state = RequestState::Denied;
            Ok(r.callback.clone())
        })
    }

    /// OAuthGetAccessToken: exchanges an authorized request token, once, for an access
    /// token. Enforces the ten-token limit by revoking the oldest outstanding access token
    /// of the same (user, consumer).
    pub fn exchange(
        &self,
        consumer_key: &str,
        token: &str,
        verifier: Option<&str>,
        now: u64,
    ) -> Result<Exchanged, Refused> {
        self.write(|t| {
            let Some(r) = t.request.get(token) else {
                return Err(
                    if t.access.contains_key(token) || t.revoked.contains_key(token) {
                        Refused::ExchangeOfAccessToken
                    } else {
                        Refused::Unknown(TokenKind::Request)
                    },
                );
            };
            if r.consumer_key != consumer_key {
                return Err(Refused::WrongConsumer(TokenKind::Request));
            }
            let (user, expected) = match &r.state {
                RequestState::Exchanged => return Err(Refused::Used),
                RequestState::Denied => return Err(Refused::Denied),
                _ if expired(r.issued_at, now) => return Err(Refused::Expired),
                RequestState::Pending => return Err(Refused::NotYetAuthorized),
                RequestState::Authorized { user, verifier } => (user.clone(), verifier),
            };
            let Some(given) = verifier else {
                return Err(Refused::MissingVerifier);
            };
            if !ct_eq(given.as_bytes(), expected.secret().as_bytes()) {
                return Err(Refused::WrongVerifier);
            }
            let scopes = r.scopes.clone();

            // Every check passed: from here on the state changes.
            if let Some(r) = t.request.get_mut(token) {
                r.state = RequestState::Exchanged;
            }
            let revoked_oldest = enforce_limit(t, &user, consumer_key);
            t.seq += 1;
            let seq = t.seq;
            let access = new_token("1/");
            let secret = TokenSecret::new(random_hex(TOKEN_BYTES));
            t.access.insert(
                access.clone(),
                AccessToken {
                    consumer_key: consumer_key.to_owned(),
                    secret: secret.clone(),
                    user,
                    scopes,
                    seq,
                },
            );
            Ok(Exchanged {
                token: access,
                secret,
                revoked_oldest,
            })
        })
    }

    /// AuthSubRevokeToken: revokes an access token of `consumer_key`.
    pub fn revoke(&self, consumer_key: &str, token: &str) -> Result<(), Refused> {
        self.write(|t| match t.access.get(token) {
            Some(a) if a.consumer_key == consumer_key => {
                if let Some(a) = t.access.remove(token) {
                    t.remember_revoked(token.to_owned(), a);
                }
                Ok(())
            }
            Some(_) => Err(Refused::WrongConsumer(TokenKind::Access)),
            None if t.revoked.contains_key(token) => Err(Refused::AlreadyRevoked),
            None if t.request.contains_key(token) => Err(Refused::RevocationOfRequestToken),
            None => Err(Refused::Unknown(TokenKind::Access)),
        })
    }

    /// What `token` lets `consumer_key` read (three-legged access): the user and the scopes.
    pub fn grant(&self, consumer_key: &str, token: &str) -> Result<Granted, Refused> {
        let t = self.lock();
        match t.access.get(token) {
            Some(a) if a.consumer_key == consumer_key => Ok(Granted {
                user: a.user.clone(),
                scopes: a.scopes.clone(),
            }),
            Some(_) => Err(Refused::WrongConsumer(TokenKind::Access)),
            None if t.revoked.contains_key(token) => Err(Refused::Revoked),
            None if t.request.contains_key(token) => Err(Refused::AccessWithRequestToken),
            None => Err(Refused::Unknown(TokenKind::Access)),
        }
    }

    /// The live access tokens of (`user`, `consumer_key`), oldest first.
    pub fn access_tokens(&self, user: &str, consumer_key: &str) -> Vec<String> {
        let t = self.lock();
        let mut live: Vec<(u64, String)> = t
            .access
            .iter()
            .filter(|(_, a)| a.user.eq_ignore_ascii_case(user) && a.consumer_key == consumer_key)
            .map(|(k, a)| (a.seq, k.clone()))
            .collect();
        live.sort_unstable();
        live.into_iter().map(|(_, k)| k).collect()
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        let t = self.lock();
        // Tokens stay known after use, expiry or revocation (for a while) so the handler,
        // once the signature is proven, can say precisely why it refuses them.
        if let Some(r) = t.request.get(token) {
            return (r.consumer_key == consumer_key).then(|| r.secret.clone());
        }
        if let Some(a) = t.access.get(token) {
            return (a.consumer_key == consumer_key).then(|| a.secret.clone());
        }
        t.revoked
            .get(token)
            .filter(|r| r.consumer_key == consumer_key)
            .map(|r| r.secret.clone())
    }
}

/// The request token, if it can still be approved or denied.
fn pending_token<'a>(t: &'a Tokens, token: &str, now: u64) -> Result<&'a RequestToken, Refused> {
    let Some(r) = t.request.get(token) else {
        return Err(Refused::Unknown(TokenKind::Request));
    };
    match r.state {
        RequestState::Pending if expired(r.issued_at, now) => Err(Refused::Expired),
        RequestState::Pending => Ok(r),
        RequestState::Authorized { .. } | RequestState::Exchanged => {
            Err(Refused::AlreadyAuthorized)
        }
        RequestState::Denied => Err(Refused::AlreadyDenied),
    }
}

/// Makes room for one more access token of (`user`, `consumer_key`): while ten or more are
/// outstanding, the oldest is revoked. Returns the last one revoked.
fn enforce_limit(t: &mut Tokens, user: &str, consumer_key: &str) -> Option<String> {
    let oldest = oldest_over_cap(t.access.as_map(), MAX_ACCESS_TOKENS_PER_GRANT, |_, a| {
        (a.user == user && a.consumer_key == consumer_key).then_some(a.seq)
    });
    let mut revoked = None;
    for token in oldest {
        if let Some(a) = t.access.remove(&token) {
            t.remember_revoked(token.clone(), a);
        }
        revoked = Some(token);
    }
    revoked
}

/// The verifier's view of the registered consumers and the live tokens.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Registered consumers, fixed at start.
    pub consumers: Arc<HashMap<String, ConsumerCredential>>,
    /// The token store.
    pub store: Arc<Store>,
}

impl CredentialLookup for Lookup {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        self.consumers.get(consumer_key).cloned()
    }

    fn token_secret(&self, consumer_key: &str, token: &str) -> Option<TokenSecret> {
        self.store.token_secret(consumer_key, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::oauth1::wire::Problem;

    fn issue(s: &Store, now: u64) -> String {
        s.issue_request_token(
            "c",
            Callback::Oob,
            vec!["http://x/feeds/".into()],
            None,
            now,
        )
        .map(|(t, _)| t)
        .unwrap()
    }

    #[test]
    fn a_request_token_flood_is_refused_and_evicts_no_pending_token() {
        let s = Store::default();
        let other = s
            .issue_request_token(
                "other",
                Callback::Oob,
                vec!["http://x/feeds/".into()],
                None,
                0,
            )
            .unwrap()
            .0;
        let first = issue(&s, 0);
        for i in 1..MAX_REQUEST_TOKENS_PER_CONSUMER {
            issue(&s, i as u64 / 100);
        }
        // At the cap the flooder is refused; nobody's live token is gone, its own included.
        let more = s.issue_request_token("c", Callback::Oob, vec!["http://x/".into()], None, 20);
        assert_eq!(more.err(), Some(Refused::ConsumerBusy));
        assert!(s.pending(&first, 20).is_ok());
        assert!(s.pending(&other, 20).is_ok());
        // Another consumer still gets tokens.
        assert!(s
            .issue_request_token("other", Callback::Oob, vec!["http://x/".into()], None, 20)
            .is_ok());
        // Once its tokens expire, the consumer is served again (the dead ones make room).
        assert!(s
            .issue_request_token(
                "c",
                Callback::Oob,
                vec!["http://x/".into()],
                None,
                REQUEST_TOKEN_LIFETIME + 20
            )
            .is_ok());
        let t = s.lock();
        let mine = t.request.values().filter(|r| r.consumer_key == "c").count();
        assert!(mine <= MAX_REQUEST_TOKENS_PER_CONSUMER);
    }

    fn durable() -> (
        Arc<crate::emulator::durable::testing::MemoryStateStore>,
        Journal,
    ) {
        let store = Arc::new(crate::emulator::durable::testing::MemoryStateStore::default());
        let journal: Journal = Some(store.clone());
        (store, journal)
    }

    #[test]
    fn every_token_answers_the_same_after_a_restart() {
        let (_, journal) = durable();
        let s = Store::open(journal.clone()).unwrap();
        let pending = issue(&s, 0);
        let approved = issue(&s, 0);
        let (_, verifier) = s.approve(&approved, "u", 0).unwrap();
        let denied = issue(&s, 0);
        s.deny(&denied, 0).unwrap();
        let mut access = Vec::new();
        for _ in 0..11 {
            let t = issue(&s, 0);
            let (_, v) = s.approve(&t, "u", 0).unwrap();
            access.push(s.exchange("c", &t, Some(v.secret()), 0).unwrap().token);
        }
        s.revoke("c", &access[10]).unwrap();
        let before_live = s.access_tokens("u", "c");
        drop(s);

        let s = Store::open(journal).unwrap();
        assert!(s.pending(&pending, 1).is_ok());
        assert_eq!(
            s.exchange("c", &denied, None, 1).err(),
            Some(Refused::Denied)
        );
        assert!(s
            .exchange("c", &approved, Some(verifier.secret()), 1)
            .is_ok());
        assert_eq!(
            s.exchange("c", &approved, Some(verifier.secret()), 1).err(),
            Some(Refused::Used)
        );
        // The one revoked by the ten-token limit and the one revoked by hand stay revoked.
        assert_eq!(s.grant("c", &access[0]).err(), Some(Refused::Revoked));
        assert_eq!(s.grant("c", &access[10]).err(), Some(Refused::Revoked));
        assert_eq!(
            s.grant("c", &access[5]).map(|g| g.user).ok().as_deref(),
            Some("u")
        );
        assert!(s.token_secret("c", &access[5]).is_some());
        // The issue order came back: with ten live again, one more exchange revokes the
        // oldest from before the restart.
        assert_eq!(before_live.len(), 9);
        assert_eq!(s.access_tokens("u", "c").len(), 10);
        let t = issue(&s, 1);
        let (_, v) = s.approve(&t, "u", 1).unwrap();
        let e = s.exchange("c", &t, Some(v.secret()), 1).unwrap();
        assert_eq!(e.revoked_oldest.as_ref(), Some(&before_live[0]));
        let after_live = s.access_tokens("u", "c");
        assert_eq!(after_live[..8], before_live[1..]);
    }

    #[test]
    fn a_write_that_fails_answers_unavailable_and_changes_nothing() {
        let (store, journal) = durable();
        let s = Store::open(journal.clone()).unwrap();
        let t = issue(&s, 0);
        let (_, v) = s.approve(&t, "u", 0).unwrap();
        store.fail.store(true, std::sync::atomic::Ordering::SeqCst);
        let err = s.exchange("c", &t, Some(v.secret()), 0).unwrap_err();
        assert_eq!(err, Refused::Unavailable);
        let p = Problem::from(err);
        assert_eq!(p.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
        let refused = s.issue_request_token("c", Callback::Oob, vec!["http://x/".into()], None, 0);
        assert_eq!(refused.err(), Some(Refused::Unavailable));
        assert!(s.access_tokens("u", "c").is_empty());
        store.fail.store(false, std::sync::atomic::Ordering::SeqCst);
        // The request token was not spent: the client's retry succeeds, and a restart
        // sees exactly that.
        let e = s.exchange("c", &t, Some(v.secret()), 0).unwrap();
        drop(s);
        let s = Store::open(journal).unwrap();
        assert!(s.grant("c", &e.token).is_ok());
        assert_eq!(s.lock().request.len(), 1);
    }

    #[test]
    fn tokens_carry_160_bits_and_google_prefixes() {
        let s = Store::default();
        let t = issue(&s, 0);
        assert!(t.starts_with("4/"));
        assert_eq!(t.len(), 2 + 40);
        let (_, v) = s.approve(&t, "u@example.com", 0).unwrap();
        assert_eq!(v.secret().len(), 40);
        let e = s.exchange("c", &t, Some(v.secret()), 0).unwrap();
        assert!(e.token.starts_with("1/"));
        assert_eq!(e.secret.secret().len(), 40);
    }

    #[test]
    fn failed_exchange_changes_nothing() {
        let s = Store::default();
        let t = issue(&s, 0);
        let (_, v) = s.approve(&t, "u@example.com", 0).unwrap();
        let err = s.exchange("c", &t, Some("wrong"), 0).unwrap_err();
        assert_eq!(err, Refused::WrongVerifier);
        assert_eq!(Problem::from(err).problem, "parameter_rejected");
        let err = s.exchange("other", &t, Some(v.secret()), 0).unwrap_err();
        assert_eq!(err, Refused::WrongConsumer(TokenKind::Request));
        assert_eq!(Problem::from(err).problem, "token_rejected");
        assert!(s.exchange("c", &t, Some(v.secret()), 0).is_ok());
        let err = s.exchange("c", &t, Some(v.secret()), 0).unwrap_err();
        assert_eq!(err, Refused::Used);
        assert_eq!(Problem::from(err).problem, "token_used");
    }

    #[test]
    fn expiry_is_one_hour() {
        let s = Store::default();
        let t = issue(&s, 1000);
        let (_, v) = s
            .approve(&t, "u", 1000 + REQUEST_TOKEN_LIFETIME - 1)
            .unwrap();
        let err = s
            .exchange("c", &t, Some(v.secret()), 1000 + REQUEST_TOKEN_LIFETIME)
            .unwrap_err();
        assert_eq!(err, Refused::Expired);
        assert_eq!(Problem::from(err).problem, "token_expired");
    }

    #[test]
    fn eleventh_token_revokes_the_oldest() {
        let s = Store::default();
        let mut issued = Vec::new();
        for _ in 0..11 {
            let t = issue(&s, 0);
            let (_, v) = s.approve(&t, "u", 0).unwrap();
            let e = s.exchange("c", &t, Some(v.secret()), 0).unwrap();
            issued.push((e.token, e.revoked_oldest));
        }
        assert!(issued.iter().take(10).all(|(_, r)| r.is_none()));
        assert_eq!(issued[10].1.as_deref(), Some(issued[0].0.as_str()));
        let live = s.access_tokens("u", "c");
        assert_eq!(live.len(), 10);
        assert_eq!(live[0], issued[1].0);
        let err = s.grant("c", &issued[0].0).unwrap_err();
        assert_eq!(err, Refused::Revoked);
        assert_eq!(Problem::from(err).problem, "token_revoked");
    }
}
