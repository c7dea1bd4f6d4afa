//! Where tokens live between runs: the [`TokenStore`] trait, an in-memory [`MemoryStore`]
//! and (feature `serde`) an atomic, owner-only JSON [`FileStore`].
//!
//! A store maps a caller-chosen name (`"default"`, `"alice@calendar"`) to a [`StoredToken`].
//! The file store never leaves a half-written file: it writes a temporary file beside the
//! target, syncs it, makes it mode 0600 and renames it over the target, so a failed or
//! interrupted save leaves the previous file as it was (SECURITY.md §5.1, "nothing lost").

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use thiserror::Error;

use crate::secret::TokenSecret;

/// A credential worth keeping between runs. `Debug` redacts every secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind"))]
#[non_exhaustive]
pub enum StoredToken {
    /// An OAuth 1.0 access token and its shared secret.
    #[cfg_attr(feature = "serde", serde(rename = "oauth1_access"))]
    OAuth1Access {
        /// The consumer key the token was issued to.
        consumer_key: String,
        /// The access token (`oauth_token`).
        token: String,
        /// The token shared secret (`oauth_token_secret`).
        token_secret: TokenSecret,
        /// The scopes the token was granted for, as requested.
        #[cfg_attr(feature = "serde", serde(default))]
        scopes: Vec<String>,
    },
    /// An OAuth 2.0 grant ([`crate::oauth2::OAuth2Token`]).
    #[cfg_attr(feature = "serde", serde(rename = "oauth2"))]
    OAuth2 {
        /// The client ID the grant belongs to.
        client_id: String,
        /// The current access token, if any.
        #[cfg_attr(feature = "serde", serde(default))]
        access_token: Option<crate::oauth2::AccessToken>,
        /// The refresh token, if any.
        #[cfg_attr(feature = "serde", serde(default))]
        refresh_token: Option<crate::oauth2::RefreshToken>,
        /// When the access token expires, in seconds since the Unix epoch.
        #[cfg_attr(feature = "serde", serde(default))]
        expires_at: Option<u64>,
        /// The scopes granted.
        #[cfg_attr(feature = "serde", serde(default))]
        scopes: Vec<String>,
    },
}

impl StoredToken {
    /// The kind's name, as the `kind` field of the file store spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OAuth1Access { .. } => "oauth1_access",
            Self::OAuth2 { .. } => "oauth2",
        }
    }
}

/// Why a token store could not load or save, or a stored token could not be used.
///
/// No variant carries file contents: a malformed file is described by position only.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file-system operation failed.
    #[error("could not {op} {}: {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `rename`, …).
        op: &'static str,
        /// The file or directory concerned.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The store file (or the file a save would produce) is larger than the cap.
    #[error("token file {} exceeds the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The store file.
        path: std::path::PathBuf,
        /// The cap, in bytes.
        limit: u64,
    },
    /// The store file is not a JSON object of tokens. Saves refuse to overwrite it, so
    /// whatever it holds can still be recovered by hand.
    #[error(
        "token file {} is not a valid token store ({reason} at line {line}, column {column}); \
         repair or remove it",
        path.display()
    )]
    Malformed {
        /// The store file.
        path: std::path::PathBuf,
        /// The kind of problem: invalid JSON, unexpected structure, or truncated.
        reason: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
    /// The path has no file name (e.g. `/` or `..`).
    #[error("token store path {} does not name a file", path.display())]
    InvalidPath {
        /// The path given.
        path: std::path::PathBuf,
    },
    /// The tokens could not be serialized.
    #[error("could not serialize the tokens")]
    Serialize,
    /// A stored token is not of the kind asked for.
    #[error("the stored token is a {found} token, not {expected}")]
    WrongKind {
        /// The kind asked for.
        expected: &'static str,
        /// The kind stored.
        found: &'static str,
    },
    /// A stored scope no longer passes [`crate::scope::Scope::new`].
    #[error("a stored scope is invalid: {0}")]
    BadScope(crate::scope::ScopeError),
}

/// Loads, saves and removes tokens by name. Shared between threads (`&self`, `Send + Sync`).
pub trait TokenStore: Send + Sync {
    /// The token saved under `name`, if any.
    fn load(&self, name: &str) -> Result<Option<StoredToken>, StoreError>;
    /// Saves `token` under `name`, replacing any token of that name.
    fn save(&self, name: &str, token: &StoredToken) -> Result<(), StoreError>;
    /// Removes the token saved under `name`; `true` if there was one.
    fn remove(&self, name: &str) -> Result<bool, StoreError>;
}

impl<T: TokenStore + ?Sized> TokenStore for std::sync::Arc<T> {
    fn load(&self, name: &str) -> Result<Option<StoredToken>, StoreError> {
        (**self).load(name)
    }
    fn save(&self, name: &str, token: &StoredToken) -> Result<(), StoreError> {
        (**self).save(name, token)
    }
    fn remove(&self, name: &str) -> Result<bool, StoreError> {
        (**self).remove(name)
    }
}

impl<T: TokenStore + ?Sized> TokenStore for Box<T> {
    fn load(&self, name: &str) -> Result<Option<StoredToken>, StoreError> {
        (**self).load(name)
    }
    fn save(&self, name: &str, token: &StoredToken) -> Result<(), StoreError> {
        (**self).save(name, token)
    }
    fn remove(&self, name: &str) -> Result<bool, StoreError> {
        (**self).remove(name)
    }
}

/// A store in memory: tests, and programs that keep tokens for one run only.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<BTreeMap<String, StoredToken>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StoredToken>> {
        // Each operation is one map call that leaves the map consistent even if another
        // thread panicked while holding the lock, so a poisoned lock is safe to reuse.
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TokenStore for MemoryStore {
    fn load(&self, name: &str) -> Result<Option<StoredToken>, StoreError> {
        Ok(self.map().get(name).cloned())
    }

    fn save(&self, name: &str, token: &StoredToken) -> Result<(), StoreError> {
        self.map().insert(name.to_owned(), token.clone());
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.map().remove(name).is_some())
    }
}

#[cfg(feature = "serde")]
pub use file::FileStore;

#[cfg(feature = "serde")]
mod file {
    use std::collections::BTreeMap;
    use std::ffi::OsString;
    use std::fs::{self, File, OpenOptions};
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, PoisonError};

    use zeroize::Zeroizing;

    use super::{StoreError, StoredToken, TokenStore};

    /// Serializes read-modify-write cycles of every `FileStore` in the process, so two
    /// saves (even through two `FileStore` values for one path) cannot lose each other's
    /// token. Other processes are not excluded.
    static WRITE_LOCK: Mutex<()> = Mutex::new(());

    /// A JSON file mapping names to tokens, written atomically with mode 0600.
    ///
    /// Loads take no lock: a rename is atomic, so a reader sees the old file or the new
    /// one, never a mix. The parent directory must exist.
    #[derive(Debug, Clone)]
    pub struct FileStore {
        path: PathBuf,
        max_bytes: u64,
    }

    /// Removes the temporary file on every exit path that did not rename it.
    struct TempFile {
        path: PathBuf,
        armed: bool,
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            if self.armed {
                // Best effort: the failure being reported matters more than this one.
                let _ = fs::remove_file(&self.path);
            }
        }
    }

    fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
        move |source| StoreError::Io {
            op,
            path: path.to_owned(),
            source,
        }
    }

    impl FileStore {
        /// The default cap on the file's size: 1 MiB, thousands of tokens.
        pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;

        /// A store in the file at `path` (created on first save).
        pub fn new(path: impl Into<PathBuf>) -> Self {
            Self {
                path: path.into(),
                max_bytes: Self::DEFAULT_MAX_BYTES,
            }
        }

        /// Sets the largest file this store reads or writes, in bytes.
        pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
            self.max_bytes = max_bytes;
            self
        }

        /// The file's path.
        pub fn path(&self) -> &Path {
            &self.path
        }

        fn too_large(&self) -> StoreError {
            StoreError::TooLarge {
                path: self.path.clone(),
                limit: self.max_bytes,
            }
        }

        /// Reads the whole map; a missing file is an empty map.
        fn read_all(&self) -> Result<BTreeMap<String, StoredToken>, StoreError> {
            let file = match File::open(&self.path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
                Err(e) => return Err(io("open", &self.path)(e)),
            };
            let len = file.metadata().map_err(io("inspect", &self.path))?.len();
            if len > self.max_bytes {
                return Err(self.too_large());
            }
            // The file may grow between `metadata` and `read`: read one byte past the cap
            // at most, whatever it said.
            let mut buf = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or(0)));
            file.take(self.max_bytes.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(io("read", &self.path))?;
            if u64::try_from(buf.len()).unwrap_or(u64::MAX) > self.max_bytes {
                return Err(self.too_large());
            }
            serde_json::from_slice(&buf).map_err(|e| {
                // serde_json's messages can quote the offending value (a secret):
                // keep only the category and the position.
                let reason = match e.classify() {
                    serde_json::error::Category::Syntax => "invalid JSON",
                    serde_json::error::Category::Data => "unexpected structure",
                    serde_json::error::Category::Eof => "truncated JSON",
                    serde_json::error::Category::Io => "read error",
                };
                StoreError::Malformed {
                    path: self.path.clone(),
                    reason,
                    line: e.line(),
                    column: e.column(),
                }
            })
        }

        /// Replaces the file with `tokens`, atomically.
        fn write_all(&self, tokens: &BTreeMap<String, StoredToken>) -> Result<(), StoreError> {
            let json = Zeroizing::new(
                serde_json::to_vec_pretty(tokens).map_err(|_| StoreError::Serialize)?,
            );
            // Never write a file that `read_all` would refuse.
            if u64::try_from(json.len()).unwrap_or(u64::MAX) > self.max_bytes {
                return Err(self.too_large());
            }
            let file_name = self
                .path
                .file_name()
                .ok_or_else(|| StoreError::InvalidPath {
                    path: self.path.clone(),
                })?;
            let dir = match self.path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            // A hidden sibling with a random suffix: same directory, so the rename below
            // is atomic (same file system); `create_new` (O_EXCL) so it is never an
            // existing file or a planted symlink.
            let mut tmp_name = OsString::from(".");
            tmp_name.push(file_name);
            tmp_name.push(format!(".{}.tmp", crate::clock::random_hex(8)));
            let mut tmp = TempFile {
                path: dir.join(tmp_name),
                armed: true,
            };

            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // Owner-only from the first byte, not just after a chmod.
                options.mode(0o600);
            }
            let mut file = options.open(&tmp.path).map_err(io("create", &tmp.path))?;
            file.write_all(&json).map_err(io("write", &tmp.path))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // `mode` above is filtered by the umask; set exactly 0600 before the file
                // becomes visible under its real name.
                file.set_permissions(fs::Permissions::from_mode(0o600))
                    .map_err(io("set permissions on", &tmp.path))?;
            }
            file.sync_all().map_err(io("sync", &tmp.path))?;
            drop(file);

            fs::rename(&tmp.path, &self.path).map_err(io("replace", &self.path))?;
            tmp.armed = false;

            // Make the rename itself durable: the directory entry lives in the directory.
            #[cfg(unix)]
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io("sync the directory of", &self.path))?;
            Ok(())
        }

        fn write_lock() -> std::sync::MutexGuard<'static, ()> {
            // The lock guards no data, only ordering: poisoning carries no meaning here.
            WRITE_LOCK.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    impl TokenStore for FileStore {
        fn load(&self, name: &str) -> Result<Option<StoredToken>, StoreError> {
            Ok(self.read_all()?.remove(name))
        }

        fn save(&self, name: &str, token: &StoredToken) -> Result<(), StoreError> {
            let _guard = Self::write_lock();
            // A malformed or oversized file stops the save: overwriting it would destroy
            // every token in it.
            let mut tokens = self.read_all()?;
            tokens.insert(name.to_owned(), token.clone());
            self.write_all(&tokens)
        }

        fn remove(&self, name: &str) -> Result<bool, StoreError> {
            let _guard = Self::write_lock();
            let mut tokens = self.read_all()?;
            if tokens.remove(name).is_none() {
                return Ok(false);
            }
            self.write_all(&tokens)?;
            Ok(true)
        }
    }
}
