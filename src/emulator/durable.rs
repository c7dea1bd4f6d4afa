//! Durable state (issue 15 §5): where the emulator keeps what it issues when it runs with
//! `--state PATH`, so a restart, or a `kill -9` under load, loses no grant it acknowledged
//! and accepts no nonce again inside its window.
//!
//! Each protocol keeps its tables in memory as before; a [`Table`] also remembers what it
//! had before each change, and the protocol's store commits those changes to a
//! [`StateStore`] **before it answers** (one atomic batch per operation: all of it or
//! none). A write that fails rolls the tables back, and the request is answered 503, so
//! memory never holds what the file does not. At start every table is read back. Without
//! a state store nothing is remembered and nothing is copied: the in-memory emulator costs
//! what it did.
//!
//! The nonce window is a [`NonceStore`] of its own ([`DurableNonces`]): the verifier's
//! in-memory partitions, each accepted tuple written through before the request is served.
//!
//! # Several instances
//! The emulator is one process: its tables are read at start and written through, so two
//! emulators on one state file would not see each other's tokens. A provider running
//! several instances of its own verifier shares the two things the library verifier asks
//! for: the credentials ([`CredentialLookup`](crate::oauth1::verifier::CredentialLookup),
//! backed by the shared database every instance reads) and the replay set
//! ([`NonceStore`], backed by an atomic insert with an expiry, e.g. Redis `SET NX EXAT`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

use crate::oauth1::verifier::{MemoryNonceStore, NonceEntry, NonceStore, VerifyError};

/// The state format this build reads and writes; a file of another version is refused at
/// start rather than misread.
pub const STATE_VERSION: u32 = 1;

/// Why state could not be read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StateError {
    /// The store could not be opened, read or written (the reason from SQLite or the OS).
    #[error("state store: {0}")]
    Io(String),
    /// A stored row does not read back as the entry it was written from.
    #[error("state store: table {table}, an entry does not read back: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What failed.
        reason: String,
    },
    /// The file was written by another state format.
    #[error("state store: format version {found}, this build reads {STATE_VERSION}")]
    Version {
        /// The version found.
        found: String,
    },
}

/// One change to a stored table: its whole new entry, or its removal. Keys and values are
/// JSON text.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// The entry of `key` is now `value`.
    Put {
        /// The table.
        table: &'static str,
        /// The entry's key.
        key: String,
        /// The entry.
        value: String,
    },
    /// The entry of `key` is gone.
    Delete {
        /// The table.
        table: &'static str,
        /// The entry's key.
        key: String,
    },
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values hold token secrets and verifiers: only where the change goes is shown.
        match self {
            Self::Put { table, value, .. } => {
                write!(f, "Put {{ table: {table}, {} bytes }}", value.len())
            }
            Self::Delete { table, .. } => write!(f, "Delete {{ table: {table} }}"),
        }
    }
}

/// Where the emulator's tables are kept: a journal of entries written through on every
/// change and read back at start ([`SqliteStore`](super::SqliteStore) with feature
/// `durable`).
pub trait StateStore: Send + Sync + fmt::Debug {
    /// Applies every change of one operation, atomically and durably (it survives the
    /// process being killed once this returns), or none of them.
    fn apply(&self, changes: &[Change]) -> Result<(), StateError>;

    /// Every entry of `table`, as written.
    fn load(&self, table: &str) -> Result<Vec<(String, String)>, StateError>;

    /// Removes the entries of `table` whose expiry, given at [`StateStore::put_expiring`],
    /// is before `now` (the nonce window).
    fn purge(&self, table: &str, now: u64) -> Result<(), StateError>;

    /// Writes one entry that [`StateStore::purge`] removes after `expires`.
    fn put_expiring(
        &self,
        table: &str,
        key: &str,
        value: &str,
        expires: u64,
    ) -> Result<(), StateError>;
}

/// A protocol's handle on the state store: `None` in memory.
pub type Journal = Option<Arc<dyn StateStore>>;

/// A keyed table kept in memory and, when journaled, in the [`StateStore`]: a `HashMap`
/// that remembers each changed entry's previous value until the next
/// [`Table::take_changes`] (to write) or [`Table::rollback`] (when the write failed).
#[derive(Debug)]
pub struct Table<K, V> {
    name: &'static str,
    map: HashMap<K, V>,
    /// Previous values of the entries changed since the last commit (`None`: absent).
    /// `None` for a table in memory only, which then copies nothing.
    before: Option<HashMap<K, Option<V>>>,
}

impl<K, V> Table<K, V>
where
    K: Eq + Hash + Clone + Serialize + DeserializeOwned,
    V: Clone + Serialize + DeserializeOwned,
{
    /// The table `name`, read back from `journal` when there is one.
    pub fn open(name: &'static str, journal: &Journal) -> Result<Self, StateError> {
        let Some(store) = journal else {
            return Ok(Self {
                name,
                map: HashMap::new(),
                before: None,
            });
        };
        let mut map = HashMap::new();
        for (k, v) in store.load(name)? {
            let corrupt = |e: serde_json::Error| StateError::Corrupt {
                table: name,
                reason: e.to_string(),
            };
            map.insert(
                serde_json::from_str(&k).map_err(corrupt)?,
                serde_json::from_str(&v).map_err(corrupt)?,
            );
        }
        Ok(Self {
            name,
            map,
            before: Some(HashMap::new()),
        })
    }

    /// An empty table kept in memory only.
    pub fn in_memory(name: &'static str) -> Self {
        Self {
            name,
            map: HashMap::new(),
            before: None,
        }
    }

    /// Notes `key`'s present value before it changes (once per commit).
    fn touch(&mut self, key: &K) {
        if let Some(before) = &mut self.before {
            if !before.contains_key(key) {
                before.insert(key.clone(), self.map.get(key).cloned());
            }
        }
    }

    /// The entry of `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// The entry of `key`, to change.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.before.is_some() && self.map.contains_key(key) {
            self.touch(&key.to_owned());
        }
        self.map.get_mut(key)
    }

    /// Whether `key` has an entry.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// Sets `key`'s entry, giving back the previous one.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.touch(&key);
        self.map.insert(key, value)
    }

    /// Removes `key`'s entry.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.before.is_some() && self.map.contains_key(key) {
            self.touch(&key.to_owned());
        }
        self.map.remove(key)
    }

    /// Keeps the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let gone: Vec<K> = self
            .map
            .iter()
            .filter(|(k, v)| !keep(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            self.touch(k);
            self.map.remove(k);
        }
    }

    /// Every entry.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    /// Every value.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The plain map, to read (for [`super::bounds::oldest_over_cap`]).
    pub fn as_map(&self) -> &HashMap<K, V> {
        &self.map
    }

    /// Appends the changes since the last commit to `out`, forgetting the previous
    /// values only once [`Table::committed`] is called.
    pub fn changes(&self, out: &mut Vec<Change>) -> Result<(), StateError> {
        let Some(before) = &self.before else {
            return Ok(());
        };
        let bad = |e: serde_json::Error| StateError::Corrupt {
            table: self.name,
            reason: e.to_string(),
        };
        for key in before.keys() {
            let key_text = serde_json::to_string(key).map_err(bad)?;
            out.push(match self.map.get(key) {
                Some(v) => Change::Put {
                    table: self.name,
                    key: key_text,
                    value: serde_json::to_string(v).map_err(bad)?,
                },
                None => Change::Delete {
                    table: self.name,
                    key: key_text,
                },
            });
        }
        Ok(())
    }

    /// The changes were written: forget the previous values.
    pub fn committed(&mut self) {
        if let Some(before) = &mut self.before {
            before.clear();
        }
    }

    /// The changes could not be written: put every changed entry back as it was.
    pub fn rollback(&mut self) {
        let Some(before) = &mut self.before else {
            return;
        };
        for (k, v) in before.drain() {
            match v {
                Some(v) => self.map.insert(k, v),
                None => self.map.remove(&k),
            };
        }
    }
}

/// What a protocol's state does to write its tables: implemented by each protocol's
/// inner struct over all its [`Table`]s, so one operation's changes go in one batch.
pub trait Tables {
    /// Appends every table's pending changes.
    fn changes(&self, out: &mut Vec<Change>) -> Result<(), StateError>;
    /// Every table forgets its previous values.
    fn committed(&mut self);
    /// Every table puts its changed entries back.
    fn rollback(&mut self);
}

/// Writes `tables`' pending changes to `journal` in one batch; when that fails, rolls the
/// tables back and says why. Call it before answering, with the lock still held.
pub fn commit(tables: &mut impl Tables, journal: &Journal) -> Result<(), StateError> {
    let Some(store) = journal else {
        return Ok(());
    };
    let mut changes = Vec::new();
    let written = tables
        .changes(&mut changes)
        .and_then(|()| match changes.is_empty() {
            true => Ok(()),
            false => store.apply(&changes),
        });
    match written {
        Ok(()) => {
            tables.committed();
            Ok(())
        }
        Err(e) => {
            tables.rollback();
            Err(e)
        }
    }
}

/// The table of the nonce window.
const NONCE_TABLE: &str = "oauth1_nonces";
/// Expired nonce entries are purged from the store once per this many recorded.
const PURGE_EVERY: u64 = 4096;

/// The verifier's replay set, written through to a [`StateStore`]: an accepted tuple is
/// on disk before its request is served, and read back at start, so a restart accepts no
/// nonce again inside its window.
#[derive(Debug)]
pub struct DurableNonces {
    memory: MemoryNonceStore,
    store: Arc<dyn StateStore>,
    recorded: std::sync::atomic::AtomicU64,
}

/// A stored nonce entry's key.
#[derive(Serialize, serde::Deserialize)]
struct NonceKey {
    c: String,
    ts: u64,
    t: String,
    n: String,
}

impl DurableNonces {
    /// The replay set kept in `store`, with the live entries it holds read back (those
    /// whose timestamp is still inside `window` at `now`), oldest first, so each consumer's
    /// bound applies as if they had just arrived.
    pub fn open(
        store: Arc<dyn StateStore>,
        now: u64,
        window: u64,
        max: usize,
    ) -> Result<Self, StateError> {
        store.purge(NONCE_TABLE, now)?;
        let mut keys = Vec::new();
        for (k, _) in store.load(NONCE_TABLE)? {
            let key: NonceKey = serde_json::from_str(&k).map_err(|e| StateError::Corrupt {
                table: NONCE_TABLE,
                reason: e.to_string(),
            })?;
            keys.push(key);
        }
        keys.sort_by_key(|k| k.ts);
        let memory = MemoryNonceStore::new();
        for k in &keys {
            // A stored entry refused now (forgotten under the bound) needs no keeping.
            let _ =
                memory.check_and_record(NonceEntry::new(&k.c, k.ts, &k.t, &k.n), now, window, max);
        }
        Ok(Self {
            memory,
            store,
            recorded: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

impl NonceStore for DurableNonces {
    fn check_and_record(
        &self,
        entry: NonceEntry<'_>,
        now: u64,
        window: u64,
        max: usize,
    ) -> Result<(), VerifyError> {
        self.memory.check_and_record(entry, now, window, max)?;
        let key = NonceKey {
            c: entry.consumer.to_owned(),
            ts: entry.timestamp,
            t: entry.token.to_owned(),
            n: entry.nonce.to_owned(),
        };
        let key = serde_json::to_string(&key)
            .map_err(|e| VerifyError::ReplayStoreUnavailable(e.to_string()))?;
        // RFC 5849 §3.3: kept while the timestamp is accepted, until timestamp + window.
        let expires = entry.timestamp.saturating_add(window);
        // Memory keeps the entry even when the write fails: the request is refused, and a
        // retry with the same nonce stays refused, which is what a replay would get.
        self.store
            .put_expiring(NONCE_TABLE, &key, "1", expires)
            .map_err(|e| VerifyError::ReplayStoreUnavailable(e.to_string()))?;
        let n = self
            .recorded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % PURGE_EVERY == PURGE_EVERY - 1 {
            // Only housekeeping: a failure leaves expired rows, which start-up purges.
            let _ = self.store.purge(NONCE_TABLE, now);
        }
        Ok(())
    }

    fn contains(&self, entry: NonceEntry<'_>) -> bool {
        self.memory.contains(entry)
    }

    fn len(&self) -> usize {
        self.memory.len()
    }
}
