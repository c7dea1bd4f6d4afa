//! Durable state (issue 15 §5): where the emulator keeps what it issues when it runs with
//! `--state PATH`, so a restart, or a `kill -9` under load, loses no grant it acknowledged
//! and accepts no nonce again inside its window.
//!
//! Each protocol keeps its tables in memory as before; a [`Table`] also remembers what it
//! had before each change, and the protocol's store commits those changes to a
//! [`StateStore`] **before it answers** (one atomic batch per store operation: all of it or
//! none). A write that fails rolls that store's tables back, and the request is answered
//! 503. Two steps that span two stores (an OAuth 2.0 code spent, then its grant issued)
//! are two writes: when the second fails, the first is undone by a compensating write
//! (best effort, on the same disk). At start every table is read back. Without a state
//! store nothing is remembered and nothing is copied: the in-memory emulator costs what it
//! did.
//!
//! The nonce window is a [`NonceStore`] of its own ([`DurableNonces`]): the verifier's
//! in-memory partitions, each accepted tuple written before the request changes anything
//! or is answered. The file mirrors memory: a consumer's full part forgets its oldest
//! tuples from both and keeps its floor (the newest timestamp forgotten) in their place, so
//! the file holds at most `max_nonces` tuples per consumer however fast it is flooded. A tuple whose write failed stays in memory on purpose (the request was
//! refused; the same nonce again is still a replay).
//!
//! # Several instances
//! The emulator is one process: its tables are read at start and written through, so two
//! emulators on one state file would not see each other's tokens. A provider running
//! several instances of its own verifier shares the two things the library verifier asks
//! for: the credentials ([`CredentialLookup`](crate::oauth1::verifier::CredentialLookup),
//! backed by the shared database every instance reads) and the replay set
//! ([`NonceStore`], backed by an atomic insert with an expiry, e.g. Redis `SET NX EXAT`).

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
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

    /// Every key of the expiring table `table`, with its expiry.
    fn load_expiring(&self, table: &str) -> Result<Vec<(String, u64)>, StateError>;

    /// Removes the entries of `table` whose expiry, given at [`StateStore::write_expiring`],
    /// is before `now` (the nonce window).
    fn purge(&self, table: &str, now: u64) -> Result<(), StateError>;

    /// Writes and removes keys that [`StateStore::purge`] removes after their expiry, in one
    /// atomic, durable batch (the nonce window's group commit).
    fn write_expiring(&self, batch: &[Expiring]) -> Result<(), StateError>;
}

/// One change to a table of expiring keys (the nonce window): a key is identified by its
/// table, its expiry and itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expiring {
    /// Keep `key` until `expires`.
    Put {
        /// The table.
        table: &'static str,
        /// The key.
        key: String,
        /// When [`StateStore::purge`] may remove it.
        expires: u64,
    },
    /// Remove `key` (kept until `expires`) now.
    Delete {
        /// The table.
        table: &'static str,
        /// The key.
        key: String,
        /// The expiry it was put with.
        expires: u64,
    },
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
            return Ok(Self::in_memory(name));
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

    /// The keys of the entries that have a sequence number (`seq`), oldest first: the order
    /// an in-memory queue over this table is derived again in, at start and after a
    /// rollback (the order itself is not stored).
    pub fn keys_by_seq(&self, seq: impl Fn(&V) -> Option<u64>) -> VecDeque<K> {
        let mut order: Vec<(u64, &K)> = self
            .map
            .iter()
            .filter_map(|(k, v)| seq(v).map(|s| (s, k)))
            .collect();
        order.sort_unstable_by_key(|(s, _)| *s);
        order.into_iter().map(|(_, k)| k.clone()).collect()
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

/// One journaled table, as [`commit`] drives it (object safe, so a protocol hands over
/// tables of different entry types in one pass).
pub trait Journaled {
    /// Appends the changes since the last commit.
    fn changes(&self, out: &mut Vec<Change>) -> Result<(), StateError>;
    /// The changes were written: forget the previous values.
    fn committed(&mut self);
    /// The changes could not be written: put every changed entry back.
    fn rollback(&mut self);
}

impl<K, V> Journaled for Table<K, V>
where
    K: Eq + Hash + Clone + Serialize + DeserializeOwned,
    V: Clone + Serialize + DeserializeOwned,
{
    fn changes(&self, out: &mut Vec<Change>) -> Result<(), StateError> {
        Table::changes(self, out)
    }

    fn committed(&mut self) {
        Table::committed(self);
    }

    fn rollback(&mut self) {
        Table::rollback(self);
    }
}

/// A protocol's state as [`commit`] writes it: all its tables, so one operation's changes
/// go in one batch, and what it derives from them.
pub trait Tables {
    /// Calls `f` with every journaled table.
    fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled));

    /// Rebuilds what is derived from the tables (indexes, orders) after a rollback put
    /// entries back; nothing by default.
    fn rederive(&mut self) {}
}

/// Writes `tables`' pending changes to `journal` in one batch; when that fails, rolls the
/// tables back (and re-derives) and says why. Call it before answering, with the lock
/// still held.
pub fn commit(tables: &mut impl Tables, journal: &Journal) -> Result<(), StateError> {
    let Some(store) = journal else {
        return Ok(());
    };
    let mut changes = Vec::new();
    let mut read = Ok(());
    tables.each_table(&mut |t| {
        if read.is_ok() {
            read = t.changes(&mut changes);
        }
    });
    let written = read.and_then(|()| match changes.is_empty() {
        true => Ok(()),
        false => store.apply(&changes),
    });
    match written {
        Ok(()) => {
            tables.each_table(&mut |t| t.committed());
            Ok(())
        }
        Err(e) => {
            tables.each_table(&mut |t| t.rollback());
            tables.rederive();
            Err(e)
        }
    }
}

/// Runs one changing operation on the tables behind `lock`, then commits what it changed
/// (refused or not: some refusals spend a token or count a failure) before the caller
/// answers; a failed write undoes it all and gives `unavailable`. A panic inside `op` rolls
/// the tables back before it unwinds on, so the lock it poisons still guards what the
/// store holds.
pub fn write_locked<T: Tables, R, E>(
    lock: &std::sync::Mutex<T>,
    journal: &Journal,
    unavailable: E,
    op: impl FnOnce(&mut T) -> Result<R, E>,
) -> Result<R, E> {
    let mut t = lock
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(&mut t))) {
        Ok(out) => out,
        Err(panic) => {
            t.each_table(&mut |table| table.rollback());
            t.rederive();
            drop(t);
            std::panic::resume_unwind(panic)
        }
    };
    if commit(&mut *t, journal).is_err() {
        return Err(unavailable);
    }
    out
}

tokio::task_local! {
    /// The queue position of the last nonce the request this task serves recorded in a
    /// [`DurableNonces`] (0: none): only such a request waits for the writer, and only for
    /// the batch that holds its own tuple ([`recording_nonces`]).
    static RECORDED: core::cell::Cell<u64>;
}

/// Runs `serve` (one request's handling), giving the queue position of the last durable
/// nonce it recorded (0 when none).
pub(crate) async fn recording_nonces<F: core::future::Future>(serve: F) -> (F::Output, u64) {
    RECORDED
        .scope(core::cell::Cell::new(0), async {
            let out = serve.await;
            (out, RECORDED.try_with(core::cell::Cell::get).unwrap_or(0))
        })
        .await
}

/// The table of the nonce window.
const NONCE_TABLE: &str = "oauth1_nonces";
/// Each consumer's floor: the newest timestamp its full part forgot (so the file keeps at
/// most `max_nonces` tuples per consumer, like memory), kept until it leaves the window.
const FLOOR_TABLE: &str = "oauth1_nonce_floors";
/// Expired nonce entries are purged from the store once per this many batches written.
const PURGE_EVERY: u64 = 256;
/// Failed batches remembered to answer the requests waiting on them (a request waits for
/// its batch as soon as it is queued, so only the last few can matter).
const FAILURES_KEPT: usize = 1024;

/// The verifier's replay set, written through to a [`StateStore`]: an accepted tuple is
/// recorded in memory at once (so a concurrent replay is refused) and queued for the store.
/// A writer thread commits everything queued in one batch (group commit). A request that
/// changes state next writes its batch at once, on its own thread, before changing anything
/// (`settle_now`); any other waits for its batch before it is answered
/// (`settled`, in the request log's middleware). Either way a restart
/// accepts no nonce again inside its window, and a batch that fails refuses exactly the
/// requests whose tuples it held, before anything of theirs changed.
#[derive(Debug)]
pub struct DurableNonces {
    memory: MemoryNonceStore,
    shared: Arc<Shared>,
    writer: Option<std::thread::JoinHandle<()>>,
}

/// What the request threads and the writer thread share.
#[derive(Debug)]
struct Shared {
    store: Arc<dyn StateStore>,
    /// The verifier's timestamp window: a floor row lives this long past its timestamp.
    window: u64,
    queue: std::sync::Mutex<Queue>,
    wake: std::sync::Condvar,
    /// Held while a batch is taken, written and published, so batches are decided in
    /// queue order whoever writes them (the writer thread or a request settling now).
    writing: std::sync::Mutex<Written>,
    /// The queue position up to which every tuple is decided (written or failed).
    done: tokio::sync::watch::Sender<u64>,
}

/// What was decided: the batches that failed, as queue positions `(first, last)`.
#[derive(Debug, Default)]
struct Written {
    batches: u64,
    failed: VecDeque<(u64, u64)>,
    /// The floor each consumer has in the store (to replace its row when it rises).
    floors: HashMap<String, u64>,
    /// Set when the writer thread died: every tuple past this position is refused, since
    /// nothing writes it unless its request settles now.
    dead_after: Option<u64>,
}

/// Ends the writer thread's watch however the thread ends, so nobody waits for ever: on a
/// panic, what it had not decided is marked as not written.
struct WriterStopped<'a>(&'a Shared);

impl Drop for WriterStopped<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut written = self.0.lock_writing();
            written.dead_after = Some(*self.0.done.borrow());
        }
        self.0.done.send_replace(u64::MAX);
    }
}

#[derive(Debug, Default)]
struct Queue {
    rows: Vec<Queued>,
    /// Rows ever queued: the last one's queue position.
    queued: u64,
    stop: bool,
    /// The clock's time at the last queueing, for the purge.
    now: u64,
}

/// What a verified request asks the writer to do.
#[derive(Debug)]
enum Queued {
    /// Keep a tuple (its key) until it expires.
    Put(String, u64),
    /// Drop a tuple the consumer's full part forgot (its key, its expiry).
    Forget(String, u64),
    /// The consumer's floor rose to this timestamp.
    Floor(String, u64),
}

/// A stored nonce entry's key, a JSON array (short: the store compares keys often):
/// consumer, timestamp, token, nonce.
#[derive(Serialize, serde::Deserialize)]
struct NonceKey(String, u64, String, String);

impl DurableNonces {
    /// The replay set kept in `store`, with the live entries it holds read back (those
    /// whose timestamp is still inside `window` at `now`), oldest first, so each consumer's
    /// bound applies as if they had just arrived; and its writer thread started.
    pub fn open(
        store: Arc<dyn StateStore>,
        now: u64,
        window: u64,
        max: usize,
    ) -> Result<Self, StateError> {
        store.purge(NONCE_TABLE, now)?;
        store.purge(FLOOR_TABLE, now)?;
        let memory = MemoryNonceStore::new();
        let mut floors = HashMap::new();
        for (consumer, expires) in store.load_expiring(FLOOR_TABLE)? {
            let consumer: String =
                serde_json::from_str(&consumer).map_err(|e| StateError::Corrupt {
                    table: FLOOR_TABLE,
                    reason: e.to_string(),
                })?;
            let floor = expires.saturating_sub(window);
            memory.forget_through(&consumer, floor);
            let kept = floors.entry(consumer).or_insert(floor);
            *kept = (*kept).max(floor);
        }
        let mut keys = Vec::new();
        for (k, _) in store.load_expiring(NONCE_TABLE)? {
            let key: NonceKey = serde_json::from_str(&k).map_err(|e| StateError::Corrupt {
                table: NONCE_TABLE,
                reason: e.to_string(),
            })?;
            keys.push(key);
        }
        keys.sort_by_key(|k| k.1);
        for k in &keys {
            // A stored entry refused now (forgotten under the bound) needs no keeping.
            let _ =
                memory.check_and_record(NonceEntry::new(&k.0, k.1, &k.2, &k.3), now, window, max);
        }
        let shared = Arc::new(Shared {
            store,
            window,
            queue: std::sync::Mutex::new(Queue::default()),
            wake: std::sync::Condvar::new(),
            writing: std::sync::Mutex::new(Written {
                floors,
                ..Written::default()
            }),
            done: tokio::sync::watch::Sender::new(0),
        });
        let writer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("gdauth-nonce-writer".into())
                .spawn(move || {
                    let _stopped = WriterStopped(&shared);
                    while shared.write_batch(true) {}
                })
                .map_err(|e| StateError::Io(format!("could not start the nonce writer: {e}")))?
        };
        Ok(Self {
            memory,
            shared,
            writer: Some(writer),
        })
    }

    /// Writes the calling request's tuples now, on this thread (with whatever else is
    /// queued), unless a batch already decided them; an error when theirs failed. For a
    /// request about to change state: call it before the change, so a refusal changes
    /// nothing. Outside a request, writes everything queued.
    pub(crate) fn settle_now(&self) -> Result<(), StateError> {
        match RECORDED.try_with(core::cell::Cell::get) {
            Ok(0) => Ok(()),
            Ok(mine) => self.settle_through(mine),
            Err(_) => self.flush(),
        }
    }

    /// Writes batches on this thread until tuple `mine` is decided, then says whether it
    /// was written.
    fn settle_through(&self, mine: u64) -> Result<(), StateError> {
        while *self.shared.done.borrow() < mine {
            if !self.shared.write_batch(false) {
                break;
            }
        }
        self.shared.outcome(mine)
    }

    /// Waits until the batch holding tuple `mine` (a queue position from
    /// `recording_nonces`) is decided; an error when it failed.
    pub(crate) async fn settled(&self, mine: u64) -> Result<(), StateError> {
        if mine == 0 {
            return Ok(());
        }
        let mut done = self.shared.done.subscribe();
        done.wait_for(|d| *d >= mine)
            .await
            .map_err(|_| StateError::Io("the nonce writer stopped".into()))?;
        self.shared.outcome(mine)
    }

    /// Writes everything queued so far (for tests and tools).
    pub fn flush(&self) -> Result<(), StateError> {
        let mine = self.shared.lock_queue().queued;
        self.settle_through(mine)
    }
}

impl Shared {
    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_writing(&self) -> std::sync::MutexGuard<'_, Written> {
        self.writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether tuple `mine`, decided, was written.
    fn outcome(&self, mine: u64) -> Result<(), StateError> {
        if *self.done.borrow() < mine {
            return Err(StateError::Io("the nonce writer stopped".into()));
        }
        let written = self.lock_writing();
        let lost = written.dead_after.is_some_and(|d| mine > d);
        match lost
            || written
                .failed
                .iter()
                .any(|(a, b)| (*a..=*b).contains(&mine))
        {
            true => Err(StateError::Io(
                "the batch holding this request's nonce could not be written".into(),
            )),
            false => Ok(()),
        }
    }

    /// Takes everything queued, writes it in one batch, publishes the progress. `wait`:
    /// the writer thread, which sleeps until there is something (holding no lock but the
    /// queue's, so nobody waits on an idle writer) and returns `false` once stopped with
    /// nothing left; a request settling now never sleeps (`false` when there was nothing
    /// to write).
    fn write_batch(&self, wait: bool) -> bool {
        if wait {
            let mut q = self.lock_queue();
            while q.rows.is_empty() && !q.stop {
                q = self
                    .wake
                    .wait(q)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if q.rows.is_empty() {
                return false;
            }
        }
        let mut written = self.lock_writing();
        let (rows, through, now) = {
            let mut q = self.lock_queue();
            if q.rows.is_empty() {
                // A request settling now took them meanwhile: the writer goes on waiting.
                return wait;
            }
            (std::mem::take(&mut q.rows), q.queued, q.now)
        };
        let first = through + 1 - rows.len() as u64;
        let mut batch = Vec::with_capacity(rows.len());
        let mut risen: HashMap<String, u64> = HashMap::new();
        for row in rows {
            match row {
                Queued::Put(key, expires) => batch.push(Expiring::Put {
                    table: NONCE_TABLE,
                    key,
                    expires,
                }),
                Queued::Forget(key, expires) => batch.push(Expiring::Delete {
                    table: NONCE_TABLE,
                    key,
                    expires,
                }),
                Queued::Floor(consumer, floor) => {
                    let f = risen.entry(consumer).or_insert(floor);
                    *f = (*f).max(floor);
                }
            }
        }
        // One floor row per consumer: the new one replaces the old.
        let mut floors_after = Vec::new();
        for (consumer, floor) in risen {
            let old = written.floors.get(&consumer).copied();
            if old.is_some_and(|o| o >= floor) {
                continue;
            }
            let key = serde_json::to_string(&consumer).unwrap_or_default();
            if let Some(old) = old {
                batch.push(Expiring::Delete {
                    table: FLOOR_TABLE,
                    key: key.clone(),
                    expires: old.saturating_add(self.window),
                });
            }
            batch.push(Expiring::Put {
                table: FLOOR_TABLE,
                key,
                expires: floor.saturating_add(self.window),
            });
            floors_after.push((consumer, floor));
        }
        let result = match batch.is_empty() {
            true => Ok(()),
            false => self.store.write_expiring(&batch),
        };
        if result.is_ok() {
            written.floors.extend(floors_after);
        }
        if result.is_err() {
            written.failed.push_back((first, through));
            if written.failed.len() > FAILURES_KEPT {
                written.failed.pop_front();
            }
        }
        written.batches += 1;
        let purge = written.batches.is_multiple_of(PURGE_EVERY);
        // Published with the lock still held (a request settling now must not find the
        // queue empty and this batch not yet published), and before the purge, so nobody
        // waits on housekeeping.
        self.done.send_replace(through);
        drop(written);
        if purge {
            // Only housekeeping: a failure leaves expired rows, which start-up purges.
            let _ = self.store.purge(NONCE_TABLE, now);
            let _ = self.store.purge(FLOOR_TABLE, now);
        }
        true
    }
}

impl Drop for DurableNonces {
    fn drop(&mut self) {
        // The writer drains what is queued, then stops; waiting for it keeps the promise
        // that an answered request's tuple is on disk.
        self.shared.lock_queue().stop = true;
        self.shared.wake.notify_all();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
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
        // The tuples the consumer's full part forgot leave the file too, and its floor is
        // kept instead: the file holds what memory holds, at most `max` per consumer.
        let mut forgotten = Vec::new();
        self.memory
            .check_and_record_forgetting(entry, now, window, max, &mut forgotten)?;
        let key = NonceKey(
            entry.consumer.to_owned(),
            entry.timestamp,
            entry.token.to_owned(),
            entry.nonce.to_owned(),
        );
        let key = serde_json::to_string(&key)
            .map_err(|e| VerifyError::ReplayStoreUnavailable(e.to_string()))?;
        // RFC 5849 §3.3: kept while the timestamp is accepted, until timestamp + window.
        let expires = entry.timestamp.saturating_add(window);
        let forgot_any = !forgotten.is_empty();
        let items = 1 + forgotten.len() as u64 + u64::from(forgot_any);
        let floor = forgotten.iter().map(|f| f.0).max();
        let position = {
            let mut q = self.shared.lock_queue();
            q.rows.push(Queued::Put(key, expires));
            for (ts, token, nonce) in forgotten {
                let old = NonceKey(entry.consumer.to_owned(), ts, token, nonce);
                if let Ok(old) = serde_json::to_string(&old) {
                    q.rows.push(Queued::Forget(old, ts.saturating_add(window)));
                }
            }
            if let (true, Some(floor)) = (forgot_any, floor) {
                q.rows.push(Queued::Floor(entry.consumer.to_owned(), floor));
            }
            // Positions count every item queued, so a batch's first is its last minus its
            // length.
            q.queued += items;
            q.now = now;
            q.queued
        };
        self.shared.wake.notify_one();
        // Outside a request (a test, a tool) there is no position to keep: the caller
        // flushes.
        let _ = RECORDED.try_with(|r| r.set(position));
        Ok(())
    }

    fn contains(&self, entry: NonceEntry<'_>) -> bool {
        self.memory.contains(entry)
    }

    fn len(&self) -> usize {
        self.memory.len()
    }
}

/// A [`StateStore`] in memory for tests, which can be told to fail every write.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    use super::{Change, Expiring, StateError, StateStore};

    /// Rows by (table, key): the value and its expiry.
    type Rows = BTreeMap<(String, String), (String, Option<u64>)>;

    /// A store in memory, for tests.
    #[derive(Debug, Default)]
    pub(crate) struct MemoryStateStore {
        rows: Mutex<Rows>,
        /// Every write fails while set, as a full or vanished disk would.
        pub(crate) fail: AtomicBool,
    }

    impl MemoryStateStore {
        /// A store, and a journal on it.
        pub(crate) fn journal() -> (std::sync::Arc<Self>, super::Journal) {
            let store = std::sync::Arc::new(Self::default());
            let journal: super::Journal = Some(store.clone());
            (store, journal)
        }

        /// Makes every write fail (`true`) or succeed again.
        pub(crate) fn fail(&self, on: bool) {
            self.fail.store(on, Ordering::SeqCst);
        }

        fn check(&self) -> Result<(), StateError> {
            match self.fail.load(Ordering::SeqCst) {
                true => Err(StateError::Io("disk I/O error (simulated)".into())),
                false => Ok(()),
            }
        }

        /// How many rows `table` holds.
        pub(crate) fn count(&self, table: &str) -> usize {
            let rows = self.rows.lock().unwrap();
            rows.keys().filter(|(t, _)| t == table).count()
        }
    }

    impl StateStore for MemoryStateStore {
        fn apply(&self, changes: &[Change]) -> Result<(), StateError> {
            self.check()?;
            let mut rows = self.rows.lock().unwrap();
            for c in changes {
                match c {
                    Change::Put { table, key, value } => {
                        rows.insert((table.to_string(), key.clone()), (value.clone(), None));
                    }
                    Change::Delete { table, key } => {
                        rows.remove(&(table.to_string(), key.clone()));
                    }
                }
            }
            Ok(())
        }

        fn load(&self, table: &str) -> Result<Vec<(String, String)>, StateError> {
            let rows = self.rows.lock().unwrap();
            Ok(rows
                .iter()
                .filter(|((t, _), (_, e))| t == table && e.is_none())
                .map(|((_, k), (v, _))| (k.clone(), v.clone()))
                .collect())
        }

        fn purge(&self, table: &str, now: u64) -> Result<(), StateError> {
            self.check()?;
            let mut rows = self.rows.lock().unwrap();
            rows.retain(|(t, _), (_, exp)| t != table || exp.is_none_or(|e| e >= now));
            Ok(())
        }

        fn write_expiring(&self, batch: &[Expiring]) -> Result<(), StateError> {
            self.check()?;
            let mut rows = self.rows.lock().unwrap();
            for change in batch {
                match change {
                    Expiring::Put {
                        table,
                        key,
                        expires,
                    } => {
                        rows.insert(
                            (table.to_string(), key.clone()),
                            (String::new(), Some(*expires)),
                        );
                    }
                    Expiring::Delete { table, key, .. } => {
                        rows.remove(&(table.to_string(), key.clone()));
                    }
                }
            }
            Ok(())
        }

        fn load_expiring(&self, table: &str) -> Result<Vec<(String, u64)>, StateError> {
            let rows = self.rows.lock().unwrap();
            Ok(rows
                .iter()
                .filter(|((t, _), _)| t == table)
                .filter_map(|((_, k), (_, e))| e.map(|e| (k.clone(), e)))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::testing::MemoryStateStore;
    use super::*;

    fn journal() -> (Arc<MemoryStateStore>, Journal) {
        let store = Arc::new(MemoryStateStore::default());
        let journal: Journal = Some(store.clone());
        (store, journal)
    }

    struct Two {
        a: Table<String, u32>,
        b: Table<u64, String>,
    }

    impl Tables for Two {
        fn each_table(&mut self, f: &mut dyn FnMut(&mut dyn Journaled)) {
            f(&mut self.a);
            f(&mut self.b);
        }
    }

    fn open(journal: &Journal) -> Two {
        Two {
            a: Table::open("a", journal).unwrap(),
            b: Table::open("b", journal).unwrap(),
        }
    }

    #[test]
    fn committed_changes_read_back_and_only_the_net_change_is_written() {
        let (store, journal) = journal();
        let mut t = open(&journal);
        t.a.insert("x".into(), 1);
        t.a.insert("y".into(), 2);
        if let Some(v) = t.a.get_mut("x") {
            *v = 10;
        }
        t.b.insert(7, "seven".into());
        t.b.insert(8, "eight".into());
        t.b.remove(&8);
        let mut changes = Vec::new();
        t.a.changes(&mut changes).unwrap();
        t.b.changes(&mut changes).unwrap();
        // x and y put once each (x with its last value), 7 put, 8 deleted (never stored).
        assert_eq!(changes.len(), 4);
        commit(&mut t, &journal).unwrap();
        let back = open(&journal);
        assert_eq!(back.a.get("x"), Some(&10));
        assert_eq!(back.a.get("y"), Some(&2));
        assert_eq!(back.b.get(&7).map(String::as_str), Some("seven"));
        assert!(!back.b.contains_key(&8));
        assert_eq!(store.count("a") + store.count("b"), 3);
        // Nothing changed since: nothing to write.
        let mut changes = Vec::new();
        t.a.changes(&mut changes).unwrap();
        t.b.changes(&mut changes).unwrap();
        assert!(changes.is_empty());
    }

    #[test]
    fn a_failed_write_rolls_every_table_back() {
        let (store, journal) = journal();
        let mut t = open(&journal);
        t.a.insert("kept".into(), 1);
        t.b.insert(1, "one".into());
        commit(&mut t, &journal).unwrap();
        store.fail.store(true, Ordering::SeqCst);
        t.a.insert("new".into(), 2);
        if let Some(v) = t.a.get_mut("kept") {
            *v = 99;
        }
        t.b.remove(&1);
        t.b.retain(|_, _| false);
        let err = commit(&mut t, &journal).unwrap_err();
        assert!(matches!(err, StateError::Io(_)), "{err:?}");
        // Memory is as the store: the operation never happened.
        assert_eq!(t.a.get("kept"), Some(&1));
        assert!(!t.a.contains_key("new"));
        assert_eq!(t.b.get(&1).map(String::as_str), Some("one"));
        store.fail.store(false, Ordering::SeqCst);
        let back = open(&journal);
        assert_eq!(back.a.len(), 1);
        assert_eq!(back.b.len(), 1);
    }

    #[test]
    fn a_panic_inside_an_operation_leaves_nothing_to_write_later() {
        let (store, journal) = journal();
        let tables = std::sync::Mutex::new(open(&journal));
        let ok: Result<(), ()> = write_locked(&tables, &journal, (), |t| {
            t.a.insert("kept".into(), 1);
            Ok(())
        });
        assert!(ok.is_ok());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), ()> = write_locked(&tables, &journal, (), |t| {
                t.a.insert("half".into(), 2);
                if let Some(v) = t.a.get_mut("kept") {
                    *v = 99;
                }
                std::panic::resume_unwind(Box::new("a bug half-way"));
            });
        }));
        assert!(panicked.is_err());
        // The next operation writes only its own change: the half-made one was undone.
        let next: Result<(), ()> = write_locked(&tables, &journal, (), |t| {
            t.b.insert(5, "five".into());
            Ok(())
        });
        assert!(next.is_ok());
        let back = open(&journal);
        assert_eq!(back.a.get("kept"), Some(&1));
        assert!(!back.a.contains_key("half"));
        assert_eq!(store.count("a") + store.count("b"), 2);
    }

    #[test]
    fn in_memory_tables_copy_nothing() {
        let mut t: Table<String, u32> = Table::in_memory("m");
        t.insert("x".into(), 1);
        t.remove("x");
        assert!(t.before.is_none());
        let mut changes = Vec::new();
        t.changes(&mut changes).unwrap();
        assert!(changes.is_empty());
    }

    #[test]
    fn a_corrupt_row_is_refused_at_open() {
        let (store, journal) = journal();
        store
            .apply(&[Change::Put {
                table: "a",
                key: "\"x\"".into(),
                value: "not json".into(),
            }])
            .unwrap();
        let err = Table::<String, u32>::open("a", &journal).unwrap_err();
        assert!(
            matches!(err, StateError::Corrupt { table: "a", .. }),
            "{err}"
        );
    }

    #[test]
    fn nonces_survive_a_restart_and_expire_with_their_window() {
        let store = Arc::new(MemoryStateStore::default());
        let nonces = DurableNonces::open(store.clone(), 1000, 600, 100).unwrap();
        let e = NonceEntry::new("c", 1000, "tok", "n1");
        nonces.check_and_record(e, 1000, 600, 100).unwrap();
        nonces.flush().unwrap();
        drop(nonces);
        // Restarted inside the window: the same tuple is a replay.
        let nonces = DurableNonces::open(store.clone(), 1500, 600, 100).unwrap();
        assert_eq!(
            nonces.check_and_record(e, 1500, 600, 100),
            Err(VerifyError::NonceReused)
        );
        assert!(nonces.contains(e));
        // Restarted after it left the window: purged, and the window refuses it anyway.
        let nonces = DurableNonces::open(store.clone(), 1601, 600, 100).unwrap();
        assert!(!nonces.contains(e));
        assert_eq!(store.count(NONCE_TABLE), 0);
    }

    #[test]
    fn the_file_keeps_what_memory_keeps_and_the_floor_of_what_it_forgot() {
        let store = Arc::new(MemoryStateStore::default());
        let nonces = DurableNonces::open(store.clone(), 1000, 600, 3).unwrap();
        let n: Vec<String> = (0..5).map(|i| format!("n{i}")).collect();
        for (i, nonce) in n.iter().enumerate() {
            let ts = 1000 + i as u64;
            nonces
                .check_and_record(NonceEntry::new("c", ts, "", nonce), ts, 600, 3)
                .unwrap();
        }
        // Another consumer's tuple is untouched by c's bound.
        nonces
            .check_and_record(NonceEntry::new("d", 1000, "", "n0"), 1004, 600, 3)
            .unwrap();
        nonces.flush().unwrap();
        // c's part holds three, as in memory: the two oldest left the file, and c's floor
        // (1001, the newest forgotten) is kept instead.
        assert_eq!(store.count(NONCE_TABLE), 4);
        assert_eq!(store.count(FLOOR_TABLE), 1);
        drop(nonces);

        let nonces = DurableNonces::open(store.clone(), 1005, 600, 3).unwrap();
        let again = |ts: u64, nonce: &str| {
            nonces.check_and_record(NonceEntry::new("c", ts, "", nonce), 1005, 600, 3)
        };
        // A forgotten tuple, and anything as old, is refused after the restart too.
        assert_eq!(again(1000, "n0"), Err(VerifyError::TimestampForgotten));
        assert_eq!(again(1001, "zz"), Err(VerifyError::TimestampForgotten));
        // A kept one is a replay; a fresh one goes in, and the floor row is replaced.
        assert_eq!(again(1004, "n4"), Err(VerifyError::NonceReused));
        assert_eq!(again(1005, "n5"), Ok(()));
        nonces.flush().unwrap();
        assert_eq!(store.count(FLOOR_TABLE), 1);
        assert_eq!(store.count(NONCE_TABLE), 4);
        assert_eq!(
            nonces.check_and_record(NonceEntry::new("d", 1000, "", "n0"), 1005, 600, 3),
            Err(VerifyError::NonceReused)
        );
    }

    #[tokio::test]
    async fn a_nonce_that_cannot_be_written_fails_its_request_and_stays_refused() {
        let store = Arc::new(MemoryStateStore::default());
        let nonces = DurableNonces::open(store.clone(), 1000, 600, 100).unwrap();
        store.fail.store(true, Ordering::SeqCst);
        let e = NonceEntry::new("c", 1000, "", "n1");
        let ((), mine) = recording_nonces(async {
            nonces.check_and_record(e, 1000, 600, 100).unwrap();
        })
        .await;
        // The server waits for the batch before answering: it failed, so the request is
        // answered 503, not served.
        assert!(nonces.settled(mine).await.is_err());
        store.fail.store(false, Ordering::SeqCst);
        // The same nonce again is a replay, never served.
        assert_eq!(
            nonces.check_and_record(e, 1000, 600, 100),
            Err(VerifyError::NonceReused)
        );
        // A later batch that succeeds settles cleanly, although an earlier one failed; and
        // a request settling now writes its own tuple before it goes on.
        let ((), mine) = recording_nonces(async {
            nonces
                .check_and_record(NonceEntry::new("c", 1000, "", "n2"), 1000, 600, 100)
                .unwrap();
        })
        .await;
        assert!(nonces.settled(mine).await.is_ok());
        let (now, _) = recording_nonces(async {
            nonces
                .check_and_record(NonceEntry::new("c", 1000, "", "n3"), 1000, 600, 100)
                .unwrap();
            nonces.settle_now()
        })
        .await;
        assert!(now.is_ok());
        assert_eq!(store.count(NONCE_TABLE), 2);
        // With the disk failing, settling now refuses before anything else happens.
        store.fail.store(true, Ordering::SeqCst);
        let (now, _) = recording_nonces(async {
            nonces
                .check_and_record(NonceEntry::new("c", 1000, "", "n4"), 1000, 600, 100)
                .unwrap();
            nonces.settle_now()
        })
        .await;
        assert!(now.is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_requests_share_batches_and_every_one_is_on_disk_when_settled() {
        let store = Arc::new(MemoryStateStore::default());
        let nonces = Arc::new(DurableNonces::open(store.clone(), 1000, 600, 10_000).unwrap());
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let nonces = nonces.clone();
                tokio::spawn(async move {
                    let n = format!("n{i}");
                    let ((), mine) = recording_nonces(async {
                        nonces
                            .check_and_record(NonceEntry::new("c", 1000, "", &n), 1000, 600, 10_000)
                            .unwrap();
                    })
                    .await;
                    nonces.settled(mine).await.unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(store.count(NONCE_TABLE), 64);
    }
}
