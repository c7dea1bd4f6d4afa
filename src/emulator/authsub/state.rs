//! AuthSub's token state: single-use tokens (issued on approval), session tokens (issued by
//! the upgrade), the tokens that died (spent, revoked, expired) and each web application's
//! replay set of secure nonces, in one struct behind one `Mutex`. The rules are the "State rules"
//! of the AuthSub section of the emulator's module documentation (PROTOCOLS.md §9).
//!
//! Every operation takes the lock once and changes state only when it succeeds. A refusal
//! is a [`Refused`], a domain outcome that [`super::wire`] words. `Debug` never shows a
//! token: the tokens are the maps' keys.
//!
//! With a state store (`gdauth serve --state`), each operation's changes (tokens issued,
//! spent, revoked or buried, and the secure nonces) are written before its lock is
//! released and its answer sent ([`crate::emulator::durable`]); a write that fails undoes
//! them and answers [`Refused::Unavailable`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::clock::random_hex;
use crate::emulator::bounds::oldest_over_cap;
use crate::emulator::durable::{write_locked, Journal, Journaled, StateError, Table, Tables};

/// Seconds a single-use token stays valid after it is issued (as OAuth 1.0's request
/// tokens: one hour, PROTOCOLS.md §9).
pub const SINGLE_USE_LIFETIME: u64 = 3600;
/// Valid session tokens allowed per (user, web application) (PROTOCOLS.md §9: "no more than
/// ten valid tokens per user, per web application"); the eleventh revokes the oldest.
pub const MAX_SESSION_TOKENS_PER_GRANT: usize = 10;
/// Seconds after which a session token expires (the `Expiration=` of the upgrade).
pub const SESSION_LIFETIME: u64 = 365 * 86_400;
/// Unexpired single-use tokens one web application (`next` host) may hold at once; at the
/// cap its oldest goes, so a page reloaded in a loop churns only its own tokens.
const MAX_SINGLE_USE_PER_TARGET: usize = 1_000;
/// Unexpired single-use tokens one user may hold at once, over all web applications; at the
/// cap the user's oldest goes, so one user (the default test user's password is on the
/// consent page) cannot fill the table for everyone by varying `next` hosts.
const MAX_SINGLE_USE_PER_USER: usize = 1_000;
/// Session tokens one user may hold over all web applications; the next revokes the
/// user's oldest (as the per-application rule does), for the same reason.
const MAX_SESSION_TOKENS_PER_USER: usize = 100;
/// Single-use tokens kept at most at once, over all hosts; beyond that the page answers 503.
const MAX_SINGLE_USE: usize = 10_000;
/// Session tokens kept at most at once (loopback hosts are many); beyond that, 503.
const MAX_SESSION_TOKENS: usize = 10_000;
/// Dead tokens remembered to name the reason of a refusal; the oldest are forgotten first,
/// after which such a token is simply unknown: refused either way.
const MAX_DEAD_REMEMBERED: usize = 10_000;
/// Secure nonces remembered per web application within the timestamp window.
#[cfg_attr(not(feature = "rsa"), allow(dead_code))] // Secure requests need `rsa`.
const MAX_NONCES_PER_TARGET: usize = 10_000;
/// Random bytes in every token: 160 bits (SECURITY.md §2), written as hex, so every token is
/// URL-safe and survives a client that decodes `+` as a space.
const TOKEN_BYTES: usize = 20;

/// Which kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// From the redirect to `next`: good for the upgrade only, once.
    SingleUse,
    /// From `AuthSubSessionToken`: good for data until revoked or expired.
    Session,
}

/// Why the store refused an operation. Nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such token (never issued, or forgotten).
    Unknown,
    /// The token was revoked (by `AuthSubRevokeToken` or the ten-token limit).
    Revoked,
    /// The single-use token was upgraded already.
    Spent,
    /// The token is older than its lifetime.
    Expired,
    /// A session token was offered for the upgrade.
    NotSingleUse,
    /// The single-use token was asked for with `session=0`: it cannot be upgraded.
    NotUpgradable,
    /// The secure request's (timestamp, nonce) was seen before with this token.
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))] // Secure requests need `rsa`.
    Replayed,
    /// A bounded table is full; retry later.
    Busy,
    /// The state store could not be written; the operation was undone.
    Unavailable,
}

/// What the user approved on the `AuthSubRequest` page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Approved {
    /// The user who approved.
    pub user: String,
    /// The web application: the `next` URL's host.
    pub target: String,
    /// The scopes, as requested.
    pub scopes: Vec<String>,
    /// Whether requests must be signed (`secure=1`).
    pub secure: bool,
    /// Whether the token may be upgraded (`session=1`).
    pub session: bool,
}

/// A live token, as a check sees it.
#[derive(Debug, Clone)]
pub struct TokenView {
    /// Single-use or session.
    pub kind: Kind,
    /// What the user approved.
    pub approved: Approved,
}

/// A successful upgrade.
pub struct Upgraded {
    /// The new session token.
    pub token: String,
    /// When it expires, seconds since the Unix epoch.
    pub expires_at: u64,
    /// The session token revoked to stay within the ten-token limit, if any.
    pub revoked_oldest: Option<String>,
}

/// A live token.
#[derive(Clone, Serialize, Deserialize)]
struct Token {
    kind: Kind,
    approved: Approved,
    issued_at: u64,
    /// Issue order, to find the oldest at the ten-token limit.
    seq: u64,
}

impl Token {
    fn expired(&self, now: u64) -> bool {
        let lifetime = match self.kind {
            Kind::SingleUse => SINGLE_USE_LIFETIME,
            Kind::Session => SESSION_LIFETIME,
        };
        now.saturating_sub(self.issued_at) >= lifetime
    }
}

/// Why a dead token died.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum Dead {
    Spent,
    Revoked,
    Expired,
}

/// A dead token, remembered to name why it is refused.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Buried {
    why: Dead,
    /// Burial order, to forget the oldest first (and to rebuild that order at start).
    seq: u64,
}

/// A secure request's (timestamp, nonce) seen with a web application's token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct NonceKey {
    /// The web application (the `next` host).
    app: String,
    ts: u64,
    nonce: String,
}

const LIVE_TABLE: &str = "authsub_live_tokens";
const DEAD_TABLE: &str = "authsub_dead_tokens";
const NONCE_TABLE: &str = "authsub_nonces";

/// All mutable state.
struct Tokens {
    live: Table<String, Token>,
    dead: Table<String, Buried>,
    /// Derived from `dead` (by `seq`): not stored.
    dead_order: VecDeque<String>,
    /// The last issue or burial number: derived from the tables at start.
    seq: u64,
    /// Secure (timestamp, nonce) pairs seen within the window, per web application (the
    /// `next` host whose key signs): the signed data does not name the token, so a set per
    /// token would let one signature be replayed with each of the application's tokens.
    /// Only registered RSA domains get secure tokens, so the applications are few. Pairs
    /// past the window stay until the application's count reaches the cap (they are then
    /// purged) and are not replays: one table, bounded per application, and stored.
    nonces: Table<NonceKey, ()>,
    /// Entries of `nonces` per web application: derived, not stored.
    nonce_counts: HashMap<String, usize>,
}

impl Tables for Tokens {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.live);
        f(&mut self.dead);
        f(&mut self.nonces);
    }

    fn rederive(&mut self) {
        self.derive();
    }
}

impl Tokens {
    /// The tables read back from `journal` (empty, and copying nothing, without one).
    fn open(journal: &Journal) -> Result<Self, StateError> {
        let mut t = Self {
            live: Table::open(LIVE_TABLE, journal)?,
            dead: Table::open(DEAD_TABLE, journal)?,
            dead_order: VecDeque::new(),
            seq: 0,
            nonces: Table::open(NONCE_TABLE, journal)?,
            nonce_counts: HashMap::new(),
        };
        t.seq = t
            .live
            .values()
            .map(|l| l.seq)
            .chain(t.dead.values().map(|d| d.seq))
            .max()
            .unwrap_or(0);
        t.derive();
        Ok(t)
    }

    /// Rebuilds what is derived from the tables (at start, and after a rollback put entries
    /// back or took them out): the burial order and the nonce counts.
    fn derive(&mut self) {
        self.dead_order = self.dead.keys_by_seq(|d| Some(d.seq));
        self.nonce_counts.clear();
        for key in self.nonces.iter().map(|(k, ())| k) {
            *self.nonce_counts.entry(key.app.clone()).or_default() += 1;
        }
    }

    fn bury(&mut self, token: String, why: Dead) {
        self.live.remove(&token);
        self.seq += 1;
        let seq = self.seq;
        self.dead.insert(token.clone(), Buried { why, seq });
        self.dead_order.push_back(token);
        while self.dead_order.len() > MAX_DEAD_REMEMBERED {
            if let Some(old) = self.dead_order.pop_front() {
                self.dead.remove(&old);
            }
        }
    }

    fn count(&self, f: impl Fn(&Token) -> bool) -> usize {
        self.live.values().filter(|t| f(t)).count()
    }

    /// Room for one more token matching `f` under `cap`: the expired buried first, then
    /// the oldest, for `why`. The last token buried for room, if any.
    fn make_room(
        &mut self,
        now: u64,
        f: impl Fn(&Token) -> bool,
        cap: usize,
        why: Dead,
    ) -> Option<String> {
        if self.count(&f) < cap {
            return None;
        }
        self.bury_expired(now);
        let mut last = None;
        for old in oldest_over_cap(self.live.as_map(), cap, |_, t| f(t).then_some(t.seq)) {
            self.bury(old.clone(), why);
            last = Some(old);
        }
        last
    }

    /// Whether one more token matching `f` fits under the global `cap`, once the expired
    /// are buried.
    fn has_room(&mut self, now: u64, f: impl Fn(&Token) -> bool, cap: usize) -> bool {
        if self.count(&f) >= cap {
            self.bury_expired(now);
        }
        self.count(&f) < cap
    }

    /// Buries every expired token.
    fn bury_expired(&mut self, now: u64) {
        let expired: Vec<String> = self
            .live
            .iter()
            .filter(|(_, t)| t.expired(now))
            .map(|(k, _)| k.clone())
            .collect();
        for token in expired {
            self.bury(token, Dead::Expired);
        }
    }

    fn insert(&mut self, prefix: &str, kind: Kind, approved: Approved, now: u64) -> String {
        self.seq += 1;
        let token = format!("{prefix}{}", random_hex(TOKEN_BYTES));
        self.live.insert(
            token.clone(),
            Token {
                kind,
                approved,
                issued_at: now,
                seq: self.seq,
            },
        );
        token
    }

    /// The live, unexpired token, or why not.
    fn get(&self, token: &str, now: u64) -> Result<&Token, Refused> {
        match self.live.get(token) {
            Some(t) if t.expired(now) => Err(Refused::Expired),
            Some(t) => Ok(t),
            None => Err(match self.dead.get(token).map(|d| d.why) {
                Some(Dead::Spent) => Refused::Spent,
                Some(Dead::Revoked) => Refused::Revoked,
                Some(Dead::Expired) => Refused::Expired,
                None => Refused::Unknown,
            }),
        }
    }
}

/// The token store; every method locks once.
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

impl core::fmt::Debug for Store {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
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
        // Every method mutates only after its checks passed, so a poisoned lock is still
        // consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one changing operation under the lock, then writes what it changed (refused or
    /// not: making room buries tokens even when the issue is then refused) before
    /// answering; a failed write undoes it all.
    fn write<R>(&self, f: impl FnOnce(&mut Tokens) -> Result<R, Refused>) -> Result<R, Refused> {
        write_locked(&self.inner, &self.journal, Refused::Unavailable, f)
    }

    /// Issues a single-use token (Google's looked like `CKF50YzIH…`) for an approval.
    pub fn issue(&self, approved: Approved, now: u64) -> Result<String, Refused> {
        self.write(|t| {
            let single_of = |tok: &Token, target: &str| {
                tok.kind == Kind::SingleUse && tok.approved.target == target
            };
            let users =
                |tok: &Token, user: &str| tok.kind == Kind::SingleUse && tok.approved.user == user;
            let target = |tok: &Token| single_of(tok, &approved.target);
            t.make_room(now, target, MAX_SINGLE_USE_PER_TARGET, Dead::Expired);
            let user = |tok: &Token| users(tok, &approved.user);
            t.make_room(now, user, MAX_SINGLE_USE_PER_USER, Dead::Expired);
            if !t.has_room(now, |tok| tok.kind == Kind::SingleUse, MAX_SINGLE_USE) {
                return Err(Refused::Busy);
            }
            Ok(t.insert("CK", Kind::SingleUse, approved, now))
        })
    }

    /// The live token, or why it is refused.
    pub fn check(&self, token: &str, now: u64) -> Result<TokenView, Refused> {
        let t = self.lock();
        let tok = t.get(token, now)?;
        Ok(TokenView {
            kind: tok.kind,
            approved: tok.approved.clone(),
        })
    }

    /// Records a secure request's (timestamp, nonce) with its token's web application; a
    /// pair seen before with any of that application's tokens is a replay. Pairs older than
    /// `window` seconds are forgotten: the timestamp check refuses them anyway.
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))] // Secure requests need `rsa`.
    pub fn record_nonce(
        &self,
        token: &str,
        timestamp: u64,
        nonce: &str,
        window: u64,
        now: u64,
    ) -> Result<(), Refused> {
        self.write(|t| {
            let app = t.get(token, now)?.approved.target.clone();
            let oldest_valid = now.saturating_sub(window);
            let key = NonceKey {
                app,
                ts: timestamp,
                nonce: nonce.to_owned(),
            };
            if t.nonces.contains_key(&key) {
                if timestamp >= oldest_valid {
                    return Err(Refused::Replayed);
                }
                // Seen, but out of the window since: forgotten, so accepted again (the
                // timestamp check refuses it anyway). The entry stays as it is.
                return Ok(());
            }
            let count = |t: &Tokens| t.nonce_counts.get(&key.app).copied().unwrap_or(0);
            if count(t) >= MAX_NONCES_PER_TARGET {
                // At the cap, the application's pairs past the window make room.
                t.nonces
                    .retain(|k, ()| k.app != key.app || k.ts >= oldest_valid);
                let left = t.nonces.iter().filter(|(k, ())| k.app == key.app).count();
                t.nonce_counts.insert(key.app.clone(), left);
                if left >= MAX_NONCES_PER_TARGET {
                    return Err(Refused::Busy);
                }
            }
            *t.nonce_counts.entry(key.app.clone()).or_default() += 1;
            t.nonces.insert(key, ());
            Ok(())
        })
    }

    /// AuthSubSessionToken: spends a single-use token, once, for a session token. Enforces
    /// the ten-token limit by revoking the oldest session token of the same (user, web
    /// application).
    pub fn upgrade(&self, token: &str, now: u64) -> Result<Upgraded, Refused> {
        self.write(|t| {
            let tok = t.get(token, now)?;
            if tok.kind != Kind::SingleUse {
                return Err(Refused::NotSingleUse);
            }
            if !tok.approved.session {
                return Err(Refused::NotUpgradable);
            }
            let approved = tok.approved.clone();
            if !t.has_room(now, |s| s.kind == Kind::Session, MAX_SESSION_TOKENS) {
                return Err(Refused::Busy);
            }

            // Every check passed: from here on the state changes.
            t.bury(token.to_owned(), Dead::Spent);
            let same_grant = |s: &Token| {
                s.kind == Kind::Session
                    && s.approved.user == approved.user
                    && s.approved.target == approved.target
                    && !s.expired(now)
            };
            let same_user = |s: &Token| {
                s.kind == Kind::Session && s.approved.user == approved.user && !s.expired(now)
            };
            let by_grant =
                t.make_room(now, same_grant, MAX_SESSION_TOKENS_PER_GRANT, Dead::Revoked);
            let by_user = t.make_room(now, same_user, MAX_SESSION_TOKENS_PER_USER, Dead::Revoked);
            let revoked_oldest = by_user.or(by_grant);
            let token = t.insert("DQAA", Kind::Session, approved, now);
            Ok(Upgraded {
                token,
                expires_at: now.saturating_add(SESSION_LIFETIME),
                revoked_oldest,
            })
        })
    }

    /// AuthSubRevokeToken: revokes a live token, single-use or session.
    pub fn revoke(&self, token: &str, now: u64) -> Result<(), Refused> {
        self.write(|t| {
            t.get(token, now)?;
            t.bury(token.to_owned(), Dead::Revoked);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approved(session: bool) -> Approved {
        Approved {
            user: "u@example.com".into(),
            target: "app.example.com".into(),
            scopes: vec!["http://x/feeds/".into()],
            secure: false,
            session,
        }
    }

    /// `approved(true)` for `user` at `next` host `target`.
    fn at(user: &str, target: String) -> Approved {
        let mut a = approved(true);
        a.user = user.into();
        a.target = target;
        a
    }

    #[test]
    fn one_user_cannot_fill_the_tables_by_varying_hosts() {
        let s = Store::default();
        let first = s.issue(at("u@x", "h0.example".into()), 0).unwrap();
        for i in 0..MAX_SINGLE_USE_PER_USER + 200 {
            s.issue(at("u@x", format!("h{i}.example")), 0).unwrap();
        }
        assert_eq!(s.check(&first, 1).err(), Some(Refused::Expired));
        let single = |user: &str| {
            s.lock()
                .count(|t| t.kind == Kind::SingleUse && t.approved.user == user)
        };
        assert_eq!(single("u@x"), MAX_SINGLE_USE_PER_USER);
        // Another user is unaffected.
        assert!(s.issue(at("v@x", "h0.example".into()), 0).is_ok());
        assert_eq!(single("v@x"), 1);

        // Session tokens: at most 100 per user over all hosts, the oldest revoked.
        let first = s
            .upgrade(&s.issue(at("w@x", "a.example".into()), 0).unwrap(), 0)
            .unwrap()
            .token;
        for i in 0..MAX_SESSION_TOKENS_PER_USER + 50 {
            let single = s.issue(at("w@x", format!("s{i}.example")), 0).unwrap();
            s.upgrade(&single, 0).unwrap();
        }
        assert_eq!(s.check(&first, 1).err(), Some(Refused::Revoked));
        let t = s.lock();
        assert_eq!(
            t.count(|t| t.kind == Kind::Session && t.approved.user == "w@x"),
            MAX_SESSION_TOKENS_PER_USER
        );
    }

    #[test]
    fn tokens_are_url_safe_and_carry_160_bits() {
        let s = Store::default();
        let single = s.issue(approved(true), 0).unwrap();
        assert!(single.starts_with("CK") && single.len() == 42);
        let session = s.upgrade(&single, 0).unwrap().token;
        assert!(session.starts_with("DQAA") && session.len() == 44);
        for tok in [&single, &session] {
            assert!(tok
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        }
    }

    #[test]
    fn single_use_tokens_upgrade_once_within_an_hour() {
        let s = Store::default();
        let a = s.issue(approved(true), 0).unwrap();
        let session = s.upgrade(&a, 10).unwrap().token;
        assert_eq!(s.upgrade(&a, 10).err(), Some(Refused::Spent));
        assert_eq!(s.upgrade(&session, 10).err(), Some(Refused::NotSingleUse));
        let b = s.issue(approved(true), 0).unwrap();
        assert_eq!(
            s.upgrade(&b, SINGLE_USE_LIFETIME).err(),
            Some(Refused::Expired)
        );
        let c = s.issue(approved(false), 0).unwrap();
        assert_eq!(s.upgrade(&c, 0).err(), Some(Refused::NotUpgradable));
        assert!(s.check(&c, 0).is_ok(), "a refused upgrade spends nothing");
    }

    #[test]
    fn nonces_are_remembered_per_web_application_within_the_window() {
        let s = Store::default();
        let a = s
            .upgrade(&s.issue(approved(true), 0).unwrap(), 0)
            .unwrap()
            .token;
        let b = s
            .upgrade(&s.issue(approved(true), 0).unwrap(), 0)
            .unwrap()
            .token;
        assert!(s.record_nonce(&a, 100, "n", 600, 100).is_ok());
        assert_eq!(
            s.record_nonce(&a, 100, "n", 600, 100),
            Err(Refused::Replayed)
        );
        // Another token of the same application: the same signed data is a replay.
        assert_eq!(
            s.record_nonce(&b, 100, "n", 600, 100),
            Err(Refused::Replayed)
        );
        assert!(s.record_nonce(&a, 101, "n", 600, 100).is_ok());
        // Another application's token: its own set.
        let mut other = approved(true);
        other.target = "other.example.com".into();
        let c = s.upgrade(&s.issue(other, 0).unwrap(), 0).unwrap().token;
        assert!(s.record_nonce(&c, 100, "n", 600, 100).is_ok());
        // Out of the window: forgotten (the timestamp check refuses it anyway).
        assert!(s.record_nonce(&a, 100, "n", 600, 701).is_ok());
    }

    #[test]
    fn a_page_reloaded_in_a_loop_churns_its_own_tokens() {
        let s = Store::default();
        let first = s.issue(approved(true), 0).unwrap();
        for _ in 0..MAX_SINGLE_USE_PER_TARGET {
            s.issue(approved(true), 1).unwrap();
        }
        assert_eq!(s.check(&first, 2).err(), Some(Refused::Expired));
        let t = s.lock();
        assert_eq!(
            t.count(|t| t.kind == Kind::SingleUse),
            MAX_SINGLE_USE_PER_TARGET
        );
    }

    #[test]
    fn nonces_stay_within_the_per_application_cap() {
        let s = Store::default();
        let a = s
            .upgrade(&s.issue(approved(true), 0).unwrap(), 0)
            .unwrap()
            .token;
        for i in 0..MAX_NONCES_PER_TARGET {
            s.record_nonce(&a, 100, &i.to_string(), 600, 100).unwrap();
        }
        // Full of pairs inside the window: refused, nothing forgotten.
        assert_eq!(s.record_nonce(&a, 100, "x", 600, 100), Err(Refused::Busy));
        assert_eq!(
            s.record_nonce(&a, 100, "0", 600, 100),
            Err(Refused::Replayed)
        );
        // Once they are past the window they make room, and only the new pair is kept.
        assert!(s.record_nonce(&a, 800, "x", 600, 800).is_ok());
        let t = s.lock();
        assert_eq!(t.nonces.len(), 1);
        assert_eq!(t.nonce_counts.get("app.example.com"), Some(&1));
    }

    /// A state store whose writes fail on demand (a full disk, a lost volume).
    use crate::emulator::durable::testing::MemoryStateStore as FailingStore;

    #[test]
    fn a_failed_write_answers_unavailable_and_changes_nothing() {
        use crate::emulator::http::WireError as _;
        let disk = std::sync::Arc::new(FailingStore::default());
        let s = Store::open(Some(disk.clone())).unwrap();
        let single = s.issue(approved(true), 0).unwrap();
        let to_revoke = s.issue(approved(true), 0).unwrap();
        let session = s
            .upgrade(&s.issue(approved(true), 0).unwrap(), 0)
            .unwrap()
            .token;
        let live_before = s.lock().live.len();
        let dead_before = s.lock().dead.len();

        disk.fail(true);
        assert_eq!(s.issue(approved(true), 0).err(), Some(Refused::Unavailable));
        assert_eq!(s.upgrade(&single, 0).err(), Some(Refused::Unavailable));
        assert_eq!(s.revoke(&to_revoke, 0).err(), Some(Refused::Unavailable));
        assert_eq!(
            s.record_nonce(&session, 100, "n", 600, 100),
            Err(Refused::Unavailable)
        );
        {
            let t = s.lock();
            assert_eq!(t.live.len(), live_before, "nothing issued");
            assert_eq!(t.dead.len(), dead_before, "nothing spent or revoked");
            assert_eq!(t.dead_order.len(), dead_before);
            assert_eq!(t.nonces.len(), 0, "no nonce recorded");
            assert!(t.nonce_counts.values().all(|n| *n == 0));
        }
        let answer = super::super::wire::Answer::from(Refused::Unavailable);
        let resp = answer.into_response_with_realm("http://127.0.0.1");
        assert_eq!(resp.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(resp.headers().contains_key(axum::http::header::RETRY_AFTER));

        // Once the store is back, everything answers as if the failed calls never came.
        disk.fail(false);
        assert_eq!(s.check(&single, 0).unwrap().kind, Kind::SingleUse);
        assert!(s.check(&to_revoke, 0).is_ok());
        assert!(s.record_nonce(&session, 100, "n", 600, 100).is_ok());
        assert!(s.upgrade(&single, 0).is_ok());
        assert!(s.revoke(&to_revoke, 0).is_ok());
    }

    #[cfg(feature = "durable")]
    #[test]
    fn a_restart_keeps_tokens_deaths_and_nonces() {
        use crate::emulator::SqliteStore;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let mut secure = approved(true);
        secure.secure = true;
        let (single, session, spent, revoked, seq) = {
            let disk = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
            let s = Store::open(Some(disk)).unwrap();
            let single = s.issue(approved(true), 0).unwrap();
            let spent = s.issue(secure.clone(), 0).unwrap();
            let session = s.upgrade(&spent, 0).unwrap().token;
            let revoked = s.issue(approved(false), 0).unwrap();
            s.revoke(&revoked, 0).unwrap();
            s.record_nonce(&session, 100, "n", 600, 100).unwrap();
            let seq = s.lock().seq;
            (single, session, spent, revoked, seq)
        };

        let disk = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        let s = Store::open(Some(disk)).unwrap();
        assert_eq!(s.check(&single, 1).unwrap().kind, Kind::SingleUse);
        let view = s.check(&session, 1).unwrap();
        assert_eq!(view.kind, Kind::Session);
        assert!(view.approved.secure);
        assert_eq!(view.approved.target, "app.example.com");
        assert_eq!(s.check(&spent, 1).err(), Some(Refused::Spent));
        assert_eq!(s.check(&revoked, 1).err(), Some(Refused::Revoked));
        // Inside its window the nonce is still a replay; a new one is not.
        assert_eq!(
            s.record_nonce(&session, 100, "n", 600, 101),
            Err(Refused::Replayed)
        );
        assert!(s.record_nonce(&session, 101, "n", 600, 101).is_ok());
        {
            let t = s.lock();
            assert_eq!(t.seq, seq, "the issue counter carries on");
            assert_eq!(t.dead_order.len(), 2);
            assert_eq!(t.nonce_counts.get("app.example.com"), Some(&2));
        }
        // The single-use token still upgrades, once.
        assert!(s.upgrade(&single, 2).is_ok());
        assert_eq!(s.upgrade(&single, 2).err(), Some(Refused::Spent));
    }
}
