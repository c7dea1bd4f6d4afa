//! The OAuth 2.0 grants: one per migration, code exchange, device approval or service-account
//! assertion, with its refresh token (when the grant has one) and access tokens, bounded;
//! revoking the refresh token ends the grant. Test users and clients script failures (see
//! the module above).
//!
//! With a state store (`gdauth serve --state`), the grants are written through: each
//! operation's changes are written before its lock is released and its answer sent
//! ([`crate::emulator::durable`]); a write that fails undoes them and answers
//! [`Refusal::Unavailable`]. Only the grants are stored: the token indexes and the id
//! counter are rebuilt from them at start.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::clock::random_hex;
use crate::emulator::bounds::oldest_over_cap;
use crate::emulator::durable::{write_locked, Journal, Journaled, StateError, Table, Tables};

/// How long an access token lives, in seconds (Google's: one hour).
pub const ACCESS_TOKEN_LIFETIME: u64 = 3600;

/// The most grants kept at once.
const MAX_GRANTS: usize = 10_000;
/// The most live access tokens per grant; the oldest goes first.
const MAX_ACCESS_PER_GRANT: usize = 20;
/// Refresh tokens per user and client: seed 001 ("a limit of 50 refresh tokens per Google
/// Account per OAuth 2.0 client ID … creating a new refresh token automatically invalidates
/// the oldest"). It also keeps repeated migrations from filling [`MAX_GRANTS`].
pub const MAX_GRANTS_PER_USER_AND_CLIENT: usize = 50;

/// The stored table of grants.
const GRANTS_TABLE: &str = "oauth2_grants";

/// Why a token request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown refresh token.
    UnknownGrant,
    /// Revoked (or a `revoked-` test user's grant).
    Revoked,
    /// A `rapt-` test user: session control.
    SessionControl,
    /// An `admin-` test user.
    AdminPolicy,
    /// The refresh token belongs to another client.
    WrongClient,
    /// No room for another grant.
    Full,
    /// The state store could not be written; the operation was undone.
    Unavailable,
}

/// Identifies a grant, in issue order (so also its age).
pub type GrantId = u64;

/// A token answer.
pub struct Issued {
    /// The grant the tokens belong to.
    pub grant: GrantId,
    pub client_id: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

/// What an access token opens.
#[derive(Debug, Clone)]
pub struct Access {
    pub user: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Clone, Serialize, Deserialize)]
struct GrantRecord {
    /// `None` for a grant without one (online access, service accounts).
    refresh: Option<String>,
    client_id: String,
    user: String,
    scopes: Vec<String>,
    /// Live access tokens, oldest first, with their expiry.
    access: Vec<(String, u64)>,
}

struct Grants {
    /// The last grant id issued: derived at start (see [`Store::open`]), not stored.
    next: u64,
    grants: Table<GrantId, GrantRecord>,
    /// Derived from `grants`: not stored, rebuilt at start and after a rollback.
    by_refresh: HashMap<String, GrantId>,
    /// Derived from `grants`: not stored, rebuilt at start and after a rollback.
    by_access: HashMap<String, GrantId>,
}

impl Grants {
    /// Rebuilds both token indexes from the grants.
    fn reindex(&mut self) {
        self.by_refresh.clear();
        self.by_access.clear();
        for (id, rec) in self.grants.iter() {
            if let Some(r) = &rec.refresh {
                self.by_refresh.insert(r.clone(), *id);
            }
            for (a, _) in &rec.access {
                self.by_access.insert(a.clone(), *id);
            }
        }
    }
}

impl Tables for Grants {
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
        f(&mut self.grants);
    }

    fn rederive(&mut self) {
        // The indexes follow the table; `next` may stay ahead (an unused id is harmless).
        self.reindex();
    }
}

/// The grants. Every method locks once. `Debug` shows no token.
///
/// With a state store (`gdauth serve --state`) every change is written through before the
/// method returns; a write that fails undoes it and answers [`Refusal::Unavailable`].
pub struct Store {
    inner: Mutex<Grants>,
    journal: Journal,
}

impl Default for Store {
    /// In memory only: nothing is read or copied.
    fn default() -> Self {
        Self::open(None, 0).unwrap_or_else(|_| unreachable!("without a journal nothing is read"))
    }
}

impl core::fmt::Debug for Store {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("grants", &self.lock().grants.len())
            .finish()
    }
}

/// A fresh token: `prefix` and 128 random bits, or for an `oversize-` test client one byte
/// over Google's `limit` for its kind (seed 001: access 2048, refresh 512).
fn new_token(client_id: &str, prefix: &str, limit: usize) -> String {
    if !client_id.starts_with("oversize-") {
        return format!("{prefix}{}", random_hex(32));
    }
    let mut t = String::from(prefix);
    while t.len() <= limit {
        t.push_str(&random_hex(20));
    }
    t.truncate(limit + 1);
    t
}

fn local_part_starts(user: &str, prefix: &str) -> bool {
    user.to_ascii_lowercase().starts_with(prefix)
}

impl Store {
    /// The grants kept in `journal` (read back now), or in memory for `None`.
    ///
    /// Grant ids continue after the largest of the grants read back and `floor`: the
    /// largest id the authorization codes still name (a reused code ends the grant it
    /// issued, so an id an ended grant had must not be issued again after a restart).
    pub fn open(journal: Journal, floor: GrantId) -> Result<Self, StateError> {
        let grants = Table::open(GRANTS_TABLE, &journal)?;
        let next = grants.iter().map(|(id, _)| *id).fold(floor, u64::max);
        let mut g = Grants {
            next,
            grants,
            by_refresh: HashMap::new(),
            by_access: HashMap::new(),
        };
        g.reindex();
        Ok(Self {
            inner: Mutex::new(g),
            journal,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Grants> {
        // Each method leaves the maps consistent before it can panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one changing operation under the lock, then writes what it changed (refused or
    /// not) before answering; a failed write undoes it all ([`Refusal::Unavailable`]).
    fn write<R>(&self, f: impl FnOnce(&mut Grants) -> Result<R, Refusal>) -> Result<R, Refusal> {
        write_locked(&self.inner, &self.journal, Refusal::Unavailable, f)
    }

    /// Ends a grant: its refresh token and every access token stop working.
    fn end_grant(g: &mut Grants, id: u64) {
        if let Some(rec) = g.grants.remove(&id) {
            if let Some(r) = &rec.refresh {
                g.by_refresh.remove(r);
            }
            for (a, _) in rec.access {
                g.by_access.remove(&a);
            }
        }
    }

    fn new_access(g: &mut Grants, id: u64, client_id: &str, now: u64) -> String {
        let token = new_token(client_id, "ya29.", 2048);
        g.by_access.insert(token.clone(), id);
        if let Some(rec) = g.grants.get_mut(&id) {
            rec.access
                .push((token.clone(), now.saturating_add(ACCESS_TOKEN_LIFETIME)));
            if rec.access.len() > MAX_ACCESS_PER_GRANT {
                let (old, _) = rec.access.remove(0);
                g.by_access.remove(&old);
            }
        }
        token
    }

    /// A new grant for `user` from an OAuth 1.0 token of `consumer`: a refresh token and
    /// an access token carrying `scopes`.
    pub fn migrate(
        &self,
        client_id: &str,
        user: &str,
        _consumer: &str,
        scopes: Vec<String>,
        now: u64,
    ) -> Result<Issued, Refusal> {
        self.grant(client_id, user, scopes, true, now)
    }

    /// A new grant of `scopes` by `user` to `client_id`: an access token, and a refresh
    /// token when `with_refresh` (offline access).
    pub fn grant(
        &self,
        client_id: &str,
        user: &str,
        scopes: Vec<String>,
        with_refresh: bool,
        now: u64,
    ) -> Result<Issued, Refusal> {
        self.write(|g| {
            // Over the per-user, per-client limit the oldest grant ends, silently (seed
            // 001). Grant ids are issued in order, so the id is the age.
            let oldest = oldest_over_cap(
                g.grants.as_map(),
                MAX_GRANTS_PER_USER_AND_CLIENT,
                |id, r| (r.client_id == client_id && r.user == user).then_some(*id),
            );
            for id in oldest {
                Self::end_grant(g, id);
            }
            if g.grants.len() >= MAX_GRANTS {
                // A grant without a refresh token whose access tokens have all expired can
                // never be used again (online access, service accounts): make room with
                // those.
                let dead: Vec<GrantId> = g
                    .grants
                    .iter()
                    .filter(|(_, r)| {
                        r.refresh.is_none() && r.access.iter().all(|(_, exp)| *exp <= now)
                    })
                    .map(|(id, _)| *id)
                    .collect();
                for id in dead {
                    Self::end_grant(g, id);
                }
            }
            if g.grants.len() >= MAX_GRANTS {
                return Err(Refusal::Full);
            }
            let refresh = with_refresh.then(|| new_token(client_id, "1//", 512));
            g.next += 1;
            let id = g.next;
            g.grants.insert(
                id,
                GrantRecord {
                    refresh: refresh.clone(),
                    client_id: client_id.to_owned(),
                    user: user.to_owned(),
                    scopes: scopes.clone(),
                    access: Vec::new(),
                },
            );
            if let Some(r) = &refresh {
                g.by_refresh.insert(r.clone(), id);
            }
            let access_token = Self::new_access(g, id, client_id, now);
            Ok(Issued {
                grant: id,
                client_id: client_id.to_owned(),
                access_token,
                refresh_token: refresh,
                scopes,
            })
        })
    }

    /// Ends grant `id` with its tokens (RFC 6749 §4.1.2: a reused code revokes what it
    /// issued); nothing when it has already ended.
    pub fn end(&self, id: GrantId) -> Result<(), Refusal> {
        self.write(|g| {
            Self::end_grant(g, id);
            Ok(())
        })
    }

    /// Every scope `user` holds in a live grant to `client_id`, each once, oldest grant
    /// first: what incremental authorization (`include_granted_scopes`) adds.
    pub fn granted_scopes(&self, client_id: &str, user: &str) -> Vec<String> {
        let g = self.lock();
        let mut ids: Vec<&GrantId> = g
            .grants
            .iter()
            .filter(|(_, r)| r.client_id == client_id && r.user == user)
            .map(|(id, _)| id)
            .collect();
        ids.sort_unstable();
        let mut out: Vec<String> = Vec::new();
        for rec in ids.into_iter().filter_map(|id| g.grants.get(id)) {
            for s in &rec.scopes {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// A new access token for `refresh_token` (the refresh token itself is kept).
    pub fn refresh(
        &self,
        client_id: &str,
        refresh_token: &str,
        now: u64,
    ) -> Result<Issued, Refusal> {
        self.write(|g| {
            let id = *g
                .by_refresh
                .get(refresh_token)
                .ok_or(Refusal::UnknownGrant)?;
            let rec = g.grants.get(&id).ok_or(Refusal::UnknownGrant)?;
            if rec.client_id != client_id {
                return Err(Refusal::WrongClient);
            }
            let local = rec.user.as_str();
            if local_part_starts(local, "revoked-") {
                return Err(Refusal::Revoked);
            }
            if local_part_starts(local, "rapt-") {
                return Err(Refusal::SessionControl);
            }
            if local_part_starts(local, "admin-") {
                return Err(Refusal::AdminPolicy);
            }
            let scopes = rec.scopes.clone();
            let access_token = Self::new_access(g, id, client_id, now);
            Ok(Issued {
                grant: id,
                client_id: client_id.to_owned(),
                access_token,
                refresh_token: None,
                scopes,
            })
        })
    }

    /// Revokes an access token, or a refresh token and its whole grant; `false` when
    /// `token` is neither.
    pub fn revoke(&self, token: &str) -> Result<bool, Refusal> {
        self.write(|g| {
            if let Some(id) = g.by_refresh.get(token).copied() {
                Self::end_grant(g, id);
                return Ok(true);
            }
            if let Some(id) = g.by_access.remove(token) {
                if let Some(rec) = g.grants.get_mut(&id) {
                    rec.access.retain(|(a, _)| a != token);
                }
                return Ok(true);
            }
            Ok(false)
        })
    }

    /// What a live access token opens.
    pub fn access(&self, token: &str, now: u64) -> Result<Access, Refusal> {
        let g = self.lock();
        let id = g.by_access.get(token).ok_or(Refusal::UnknownGrant)?;
        let rec = g.grants.get(id).ok_or(Refusal::UnknownGrant)?;
        let live = rec.access.iter().any(|(a, exp)| a == token && now < *exp);
        if !live {
            return Err(Refusal::Revoked);
        }
        Ok(Access {
            user: rec.user.clone(),
            client_id: rec.client_id.clone(),
            scopes: rec.scopes.clone(),
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::sync::Arc;

    /// A state store whose writes fail on demand (a full disk, a lost volume).
    pub(in crate::emulator::oauth2) use crate::emulator::durable::testing::MemoryStateStore as FailingStore;

    /// (grants, refresh index, access index, access tokens of every grant) sizes.
    fn sizes(s: &Store) -> (usize, usize, usize, usize) {
        let g = s.lock();
        let tokens = g.grants.values().map(|r| r.access.len()).sum();
        (
            g.grants.len(),
            g.by_refresh.len(),
            g.by_access.len(),
            tokens,
        )
    }

    #[test]
    fn a_failed_write_answers_unavailable_and_changes_no_grant() {
        let (disk, journal) = FailingStore::journal();
        let s = Store::open(journal, 0).unwrap();
        let i = s
            .grant("cid", "jo@example.com", vec!["email".into()], true, 0)
            .unwrap();
        let refresh = i.refresh_token.unwrap();
        let before = sizes(&s);

        disk.fail(true);
        let new = s.grant("cid", "al@example.com", vec!["email".into()], true, 0);
        assert_eq!(new.err(), Some(Refusal::Unavailable));
        assert_eq!(
            s.refresh("cid", &refresh, 1).err(),
            Some(Refusal::Unavailable)
        );
        assert_eq!(s.revoke(&refresh), Err(Refusal::Unavailable));
        assert_eq!(s.revoke(&i.access_token), Err(Refusal::Unavailable));
        assert_eq!(s.end(i.grant), Err(Refusal::Unavailable));
        assert_eq!(sizes(&s), before);
        // A refusal that changes nothing writes nothing, so it is answered as ever.
        assert_eq!(
            s.refresh("cid", "1//nope", 1).err(),
            Some(Refusal::UnknownGrant)
        );
        // Reading needs no write: the grant is still live.
        assert_eq!(s.access(&i.access_token, 1).unwrap().user, "jo@example.com");

        disk.fail(false);
        assert!(s.refresh("cid", &refresh, 1).is_ok());
        assert_eq!(s.revoke(&refresh), Ok(true));
        assert!(s.access(&i.access_token, 1).is_err());
    }

    #[test]
    fn spent_grants_without_a_refresh_token_make_room_when_the_table_is_full() {
        let s = Store::default();
        for i in 0..MAX_GRANTS {
            let user = format!("u{i}@example.com");
            s.grant("cid", &user, vec!["s".into()], i % 2 == 0, 0)
                .unwrap();
        }
        // Still within the access tokens' hour: nothing can go.
        assert_eq!(
            s.grant("cid", "new@example.com", vec!["s".into()], false, 10)
                .err(),
            Some(Refusal::Full)
        );
        // After it, the online grants (odd users) are gone; the offline ones stay.
        let later = ACCESS_TOKEN_LIFETIME + 1;
        assert!(s
            .grant("cid", "new@example.com", vec!["s".into()], false, later)
            .is_ok());
        assert_eq!(s.lock().grants.len(), MAX_GRANTS / 2 + 1);
    }

    #[test]
    fn the_oldest_grant_ends_at_the_per_user_and_client_limit() {
        let s = Store::default();
        let grant = |user: &str, client: &str| {
            s.migrate(
                client,
                user,
                "example.com",
                vec!["http://a/feeds/".into()],
                0,
            )
            .unwrap()
            .refresh_token
            .unwrap()
        };
        let first = grant("jo@example.com", "cid");
        let other_user = grant("al@example.com", "cid");
        let other_client = grant("jo@example.com", "cid2");
        for _ in 1..MAX_GRANTS_PER_USER_AND_CLIENT {
            grant("jo@example.com", "cid");
        }
        // Still 50: the first works.
        assert!(s.refresh("cid", &first, 1).is_ok());
        // The 51st ends the first, and only it.
        let newest = grant("jo@example.com", "cid");
        assert_eq!(
            s.refresh("cid", &first, 1).err(),
            Some(Refusal::UnknownGrant)
        );
        assert!(s.refresh("cid", &newest, 1).is_ok());
        assert!(s.refresh("cid", &other_user, 1).is_ok());
        assert!(s.refresh("cid2", &other_client, 1).is_ok());
        // However many migrations one user repeats, the table holds 50 of theirs.
        for _ in 0..500 {
            grant("jo@example.com", "cid");
        }
        assert_eq!(s.lock().grants.len(), MAX_GRANTS_PER_USER_AND_CLIENT + 2);
    }

    #[cfg(feature = "durable")]
    #[test]
    fn grants_survive_a_restart_and_their_ids_are_not_issued_again() {
        use crate::emulator::SqliteStore;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let open = |floor| {
            let journal: Journal = Some(Arc::new(SqliteStore::open(&path).unwrap()));
            Store::open(journal, floor).unwrap()
        };
        let s = open(0);
        let offline = s
            .grant("cid", "jo@example.com", vec!["email".into()], true, 0)
            .unwrap();
        let refreshed = s
            .refresh("cid", offline.refresh_token.as_deref().unwrap(), 10)
            .unwrap();
        let online = s
            .grant("cid", "jo@example.com", vec!["profile".into()], false, 0)
            .unwrap();
        let ended = s
            .grant("cid", "al@example.com", vec!["email".into()], true, 0)
            .unwrap();
        assert_eq!(s.revoke(ended.refresh_token.as_deref().unwrap()), Ok(true));
        assert_eq!(s.revoke(&refreshed.access_token), Ok(true));
        drop(s);

        let s = open(0);
        let refresh = offline.refresh_token.as_deref().unwrap();
        assert_eq!(s.refresh("cid", refresh, 20).unwrap().grant, offline.grant);
        assert_eq!(
            s.refresh("cid2", refresh, 20).err(),
            Some(Refusal::WrongClient)
        );
        let a = s.access(&offline.access_token, 20).unwrap();
        assert_eq!(
            (a.user.as_str(), a.client_id.as_str()),
            ("jo@example.com", "cid")
        );
        assert_eq!(a.scopes, ["email"]);
        assert!(s.access(&online.access_token, 20).is_ok());
        // Still expires when it did.
        assert_eq!(
            s.access(&online.access_token, ACCESS_TOKEN_LIFETIME).err(),
            Some(Refusal::Revoked)
        );
        // What was revoked stays revoked.
        assert!(s.access(&refreshed.access_token, 20).is_err());
        let gone = ended.refresh_token.as_deref().unwrap();
        assert_eq!(
            s.refresh("cid", gone, 20).err(),
            Some(Refusal::UnknownGrant)
        );
        assert!(s.access(&ended.access_token, 20).is_err());
        assert_eq!(
            s.granted_scopes("cid", "jo@example.com"),
            ["email", "profile"]
        );
        // Ids continue after the stored ones...
        let next = s
            .grant("cid", "jo@example.com", vec!["email".into()], false, 20)
            .unwrap();
        assert!(next.grant > online.grant);
        drop(s);
        // ...and after the floor the codes give (the id of an ended grant a code names).
        let s = open(ended.grant + 100);
        let later = s
            .grant("cid", "jo@example.com", vec!["email".into()], false, 20)
            .unwrap();
        assert_eq!(later.grant, ended.grant + 101);
    }
}
