//! The [`StateStore`] on SQLite (feature `durable`: `rusqlite` with its bundled library, so
//! no system SQLite is needed): one file, WAL mode, one table of (table, key, value,
//! expiry) rows.
//!
//! WAL with `synchronous=NORMAL` makes a committed transaction survive the process being
//! killed (`kill -9`); only an operating-system crash or power loss may lose the last
//! ones, which `synchronous=FULL` ([`SqliteStore::open_full_sync`]) also covers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::{params, Connection, OptionalExtension as _};

use super::durable::{Change, StateError, StateStore, STATE_VERSION};

/// How long a write waits for a lock another connection holds (a second process on the
/// same file is refused at start, but a backup tool may hold one briefly).
const BUSY_TIMEOUT_MS: u64 = 5_000;

/// A state file: see the module documentation.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn io(e: impl std::fmt::Display) -> StateError {
    StateError::Io(e.to_string())
}

impl SqliteStore {
    /// Opens (or creates) the state file at `path`: WAL, `synchronous=NORMAL`, the schema,
    /// and the format version checked. A file of another version, one that is not SQLite,
    /// or a path that cannot be written is refused with the reason.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StateError> {
        Self::open_with(path.as_ref(), "NORMAL")
    }

    /// As [`SqliteStore::open`], with `synchronous=FULL`: each commit also survives an
    /// operating-system crash, at the price of an fsync per write.
    pub fn open_full_sync(path: impl AsRef<Path>) -> Result<Self, StateError> {
        Self::open_with(path.as_ref(), "FULL")
    }

    fn open_with(path: &Path, synchronous: &str) -> Result<Self, StateError> {
        let conn = Connection::open(path).map_err(|e| io(format!("{}: {e}", path.display())))?;
        let at = |e: rusqlite::Error| io(format!("{}: {e}", path.display()));
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(at)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(at)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(io(format!(
                "{}: could not switch to WAL mode (got {mode})",
                path.display()
            )));
        }
        conn.execute_batch(&format!(
            "PRAGMA synchronous={synchronous};
             CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS entries (
                 tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires INTEGER,
                 PRIMARY KEY (tbl, key)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS entries_expiry ON entries (tbl, expires)
                 WHERE expires IS NOT NULL;"
        ))
        .map_err(at)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE name = 'version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(at)?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES ('version', ?1)",
                    params![STATE_VERSION.to_string()],
                )
                .map_err(at)?;
            }
            Some(v) if v == STATE_VERSION.to_string() => {}
            Some(found) => return Err(StateError::Version { found }),
        }
        restrict_permissions(path);
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic cannot leave a transaction half-applied: it is rolled back when dropped.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The file holds token secrets and verifiers: readable by its owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for p in [
            path.to_owned(),
            PathBuf::from(format!("{}-wal", path.display())),
            PathBuf::from(format!("{}-shm", path.display())),
        ] {
            // Best effort: a file that is not there yet is created under the umask.
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl StateStore for SqliteStore {
    fn apply(&self, changes: &[Change]) -> Result<(), StateError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(io)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO entries (tbl, key, value, expires) VALUES (?1, ?2, ?3, NULL)",
                )
                .map_err(io)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM entries WHERE tbl = ?1 AND key = ?2")
                .map_err(io)?;
            for c in changes {
                match c {
                    Change::Put { table, key, value } => {
                        put.execute(params![table, key, value]).map_err(io)?;
                    }
                    Change::Delete { table, key } => {
                        delete.execute(params![table, key]).map_err(io)?;
                    }
                }
            }
        }
        tx.commit().map_err(io)
    }

    fn load(&self, table: &str) -> Result<Vec<(String, String)>, StateError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key, value FROM entries WHERE tbl = ?1")
            .map_err(io)?;
        let rows = stmt
            .query_map(params![table], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(io)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(io)
    }

    fn purge(&self, table: &str, now: u64) -> Result<(), StateError> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.conn()
            .execute(
                "DELETE FROM entries WHERE tbl = ?1 AND expires IS NOT NULL AND expires < ?2",
                params![table, now],
            )
            .map(|_| ())
            .map_err(io)
    }

    fn put_expiring(
        &self,
        table: &str,
        key: &str,
        value: &str,
        expires: u64,
    ) -> Result<(), StateError> {
        let expires = i64::try_from(expires).unwrap_or(i64::MAX);
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO entries (tbl, key, value, expires) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![table, key, value, expires]))
            .map(|_| ())
            .map_err(io)
    }
}
