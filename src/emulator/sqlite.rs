//! The [`StateStore`] on SQLite (feature `durable`: `rusqlite` with its bundled library, so
//! no system SQLite is needed): one file, WAL mode, a table of (table, key, value) entries
//! and one of expiring keys ordered by their expiry (the nonce window: appended in time
//! order, purged by a range delete, no second index to keep).
//!
//! WAL with `synchronous=NORMAL` makes a committed transaction survive the process being
//! killed (`kill -9`); only an operating-system crash or power loss may lose the last
//! ones, which `synchronous=FULL` ([`SqliteStore::open_full_sync`]) also covers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::{params, Connection, OptionalExtension as _};

use super::durable::{Change, Expiring, StateError, StateStore, STATE_VERSION};

/// WAL pages written between checkpoints (SQLite's default is 1,000). Each checkpoint
/// syncs the WAL; under a stream of nonce batches a larger interval spends fewer syncs for
/// the same data, for a WAL of at most about 16 MiB.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 4_000;

/// How long opening waits for a lock another process holds before refusing the file (an
/// emulator already running on it holds its lock for good; a backup tool only briefly).
/// Once open, this process holds the lock and never waits.
const BUSY_TIMEOUT_MS: u64 = 500;

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
        create_private(path)?;
        let conn = Connection::open(path).map_err(|e| io(format!("{}: {e}", path.display())))?;
        let at = |e: rusqlite::Error| io(format!("{}: {e}", path.display()));
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(at)?;
        // One emulator per file: each keeps its tables in memory, so a second one writing
        // the same file would answer from a stale copy. Exclusive locking (set before WAL,
        // so no shared-memory index is made) keeps the file locked while this one runs;
        // the lock dies with the process, kill -9 included.
        conn.execute_batch("PRAGMA locking_mode=EXCLUSIVE")
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
             PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES};
             CREATE TABLE IF NOT EXISTS entries (
                 tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                 PRIMARY KEY (tbl, key)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS expiring (
                 tbl TEXT NOT NULL, expires INTEGER NOT NULL, key TEXT NOT NULL,
                 PRIMARY KEY (tbl, expires, key)) WITHOUT ROWID;"
        ))
        .map_err(at)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE name = 'version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(at)?;
        // Take the write lock now, not at the first write: a second emulator on this file
        // is then refused at start.
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;").map_err(at)?;
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

/// Creates the state file, empty, readable by its owner only, unless it exists: SQLite
/// would create it under the umask (often world-readable) and it holds token secrets.
fn create_private(path: &Path) -> Result<(), StateError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(format!("{}: {e}", path.display()))),
    }
}

/// The file holds token secrets and verifiers: readable by its owner only (its WAL and
/// shared-memory files too, which SQLite creates beside it).
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
                    "INSERT OR REPLACE INTO entries (tbl, key, value) VALUES (?1, ?2, ?3)",
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
                "DELETE FROM expiring WHERE tbl = ?1 AND expires < ?2",
                params![table, now],
            )
            .map(|_| ())
            .map_err(io)
    }

    fn write_expiring(&self, batch: &[Expiring]) -> Result<(), StateError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(io)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO expiring (tbl, expires, key) VALUES (?1, ?2, ?3)",
                )
                .map_err(io)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM expiring WHERE tbl = ?1 AND expires = ?2 AND key = ?3")
                .map_err(io)?;
            for change in batch {
                let (statement, table, key, expires) = match change {
                    Expiring::Put {
                        table,
                        key,
                        expires,
                    } => (&mut put, table, key, expires),
                    Expiring::Delete {
                        table,
                        key,
                        expires,
                    } => (&mut delete, table, key, expires),
                };
                let expires = i64::try_from(*expires).unwrap_or(i64::MAX);
                statement
                    .execute(params![table, expires, key])
                    .map_err(io)?;
            }
        }
        tx.commit().map_err(io)
    }

    fn load_expiring(&self, table: &str) -> Result<Vec<(String, u64)>, StateError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key, expires FROM expiring WHERE tbl = ?1")
            .map_err(io)?;
        let rows = stmt
            .query_map(params![table], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(io)?;
        rows.map(|r| {
            r.map(|(k, e)| (k, u64::try_from(e).unwrap_or(0)))
                .map_err(io)
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(table: &'static str, key: &str, value: &str) -> Change {
        Change::Put {
            table,
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn writes_read_back_after_reopening_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let s = SqliteStore::open(&path).unwrap();
        s.apply(&[
            put("t", "k1", "v1"),
            put("t", "k2", "v2"),
            put("u", "k1", "other"),
        ])
        .unwrap();
        s.apply(&[Change::Delete {
            table: "t",
            key: "k2".into(),
        }])
        .unwrap();
        let put = |key: &str, expires| Expiring::Put {
            table: "n",
            key: key.into(),
            expires,
        };
        s.write_expiring(&[put("old", 10), put("new", 20), put("gone", 30)])
            .unwrap();
        s.write_expiring(&[Expiring::Delete {
            table: "n",
            key: "gone".into(),
            expires: 30,
        }])
        .unwrap();
        drop(s);
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.load("t").unwrap(), [("k1".into(), "v1".into())]);
        assert_eq!(s.load("u").unwrap().len(), 1);
        s.purge("n", 15).unwrap();
        assert_eq!(s.load_expiring("n").unwrap(), [("new".into(), 20)]);
        let mode: String = s
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let m = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(m & 0o077, 0, "state file readable by others: {m:o}");
        }
    }

    #[test]
    fn a_batch_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path().join("s.db")).unwrap();
        s.apply(&[put("t", "a", "1")]).unwrap();
        // Break the table under the store: the second statement of the batch fails, and
        // the first must not stay.
        s.conn()
            .execute_batch(
                "CREATE TRIGGER no_b BEFORE INSERT ON entries WHEN NEW.key = 'b'
                 BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;",
            )
            .unwrap();
        let err = s
            .apply(&[put("t", "z", "9"), put("t", "b", "2")])
            .unwrap_err();
        assert!(err.to_string().contains("simulated"), "{err}");
        assert_eq!(s.load("t").unwrap(), [("a".into(), "1".into())]);
    }

    #[test]
    fn another_format_version_or_a_file_that_is_not_sqlite_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let s = SqliteStore::open(&path).unwrap();
        s.conn()
            .execute("UPDATE meta SET value = '99' WHERE name = 'version'", [])
            .unwrap();
        drop(s);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(err, StateError::Version { ref found } if found == "99"),
            "{err}"
        );

        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not a database, just text; long enough to matter",
        )
        .unwrap();
        let err = SqliteStore::open(&junk).unwrap_err();
        assert!(err.to_string().contains("junk.db"), "{err}");
    }

    #[test]
    fn a_second_emulator_on_the_same_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let first = SqliteStore::open(&path).unwrap();
        first.apply(&[put("t", "a", "1")]).unwrap();
        let started = std::time::Instant::now();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        drop(first);
        let again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.load("t").unwrap().len(), 1);
    }

    #[test]
    fn a_path_that_cannot_be_created_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("s.db");
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("missing-dir"), "{err}");
    }
}
