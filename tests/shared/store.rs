//! Token stores: the in-memory store and (feature `serde`) the atomic 0600 file store —
//! round trips, permissions, corrupt and oversized files, and failed writes that must leave
//! the previous token in place ("nothing lost", SECURITY.md §5.1).

use gdata_auth::store::{MemoryStore, StoredToken, TokenStore};
use gdata_auth::TokenSecret;

const CANARY: &str = "canary-s3cr3t";

fn token(tag: &str) -> StoredToken {
    StoredToken::OAuth1Access {
        consumer_key: "example.com".to_owned(),
        token: format!("1/token-{tag}"),
        token_secret: TokenSecret::new(format!("{CANARY}-{tag}")),
        scopes: vec!["https://www.google.com/calendar/feeds/".to_owned()],
    }
}

/// The same sequence against any store.
fn exercise(store: &dyn TokenStore) {
    assert_eq!(store.load("alice").unwrap(), None);
    store.save("alice", &token("a1")).unwrap();
    store.save("bob", &token("b1")).unwrap();
    assert_eq!(store.load("alice").unwrap(), Some(token("a1")));
    assert_eq!(store.load("bob").unwrap(), Some(token("b1")));

    store.save("alice", &token("a2")).unwrap();
    assert_eq!(store.load("alice").unwrap(), Some(token("a2")));
    assert_ne!(store.load("alice").unwrap(), Some(token("a1")));

    assert!(store.remove("alice").unwrap());
    assert!(!store.remove("alice").unwrap());
    assert_eq!(store.load("alice").unwrap(), None);
    assert_eq!(store.load("bob").unwrap(), Some(token("b1")));
    assert!(!store.remove("nobody").unwrap());
}

#[test]
fn memory_store_round_trip_and_remove() {
    exercise(&MemoryStore::new());
    let shared: std::sync::Arc<dyn TokenStore> = std::sync::Arc::new(MemoryStore::new());
    exercise(&shared);
}

#[test]
fn debug_never_shows_the_token_secret() {
    let t = token("dbg");
    let StoredToken::OAuth1Access { token_secret, .. } = &t else {
        unreachable!()
    };
    assert!(token_secret.secret().contains(CANARY));
    let dbg = format!("{t:?}");
    assert!(!dbg.contains(CANARY), "{dbg}");
    assert!(
        dbg.contains("1/token-dbg") && dbg.contains("redacted"),
        "{dbg}"
    );

    let store = MemoryStore::new();
    store.save("x", &t).unwrap();
    let dbg = format!("{store:?}");
    assert!(!dbg.contains(CANARY), "{dbg}");
}

#[cfg(feature = "serde")]
mod file {
    use std::fs;
    use std::path::{Path, PathBuf};

    use gdata_auth::store::{FileStore, StoreError, StoredToken, TokenStore};

    use super::{exercise, token, CANARY};

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn file_store_round_trip_and_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        exercise(&FileStore::new(&path));
        // Another instance (another run) sees what was saved.
        let reopened = FileStore::new(&path);
        assert_eq!(reopened.load("bob").unwrap(), Some(token("b1")));
        assert_eq!(reopened.load("alice").unwrap(), None);
        // No temporary files are left behind.
        assert_eq!(dir_entries(dir.path()), ["tokens.json"]);
    }

    #[test]
    fn file_format_is_a_json_map_of_tagged_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("t.json"));
        store.save("default", &token("f")).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "default": {
                    "kind": "oauth1_access",
                    "consumer_key": "example.com",
                    "token": "1/token-f",
                    "token_secret": format!("{CANARY}-f"),
                    "scopes": ["https://www.google.com/calendar/feeds/"],
                }
            })
        );
        // A hand-written file without `scopes` loads with none.
        fs::write(
            store.path(),
            r#"{"x": {"kind": "oauth1_access", "consumer_key": "k", "token": "t", "token_secret": "s"}}"#,
        )
        .unwrap();
        let StoredToken::OAuth1Access { scopes, token, .. } = store.load("x").unwrap().unwrap()
        else {
            unreachable!()
        };
        assert_eq!((token.as_str(), scopes.len()), ("t", 0));
    }

    #[cfg(unix)]
    #[test]
    fn file_is_owner_only_even_if_it_was_not_before() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileStore::new(&path);
        store.save("a", &token("p")).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);

        // Someone loosened it; the next save puts it back.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(mode(&path), 0o644);
        store.save("b", &token("q")).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert!(store.remove("a").unwrap());
        assert_eq!(mode(&path), 0o600);
    }

    /// A write that fails at the operating system keeps the previous file.
    ///
    /// Tests run as root here, so a read-only directory does not stop a write. What does
    /// fail for root too is a name longer than NAME_MAX (255 bytes): the store's file name
    /// is 240 bytes, legal, but the temporary sibling it writes first (`.<name>.<16 hex>.tmp`,
    /// 262 bytes) is not, so `create` fails with ENAMETOOLONG before the rename that would
    /// replace the file. The file itself is put in place by a rename from a short name.
    #[test]
    fn failed_write_keeps_the_old_token() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("t.json");
        FileStore::new(&short).save("alice", &token("old")).unwrap();
        let long: PathBuf = dir.path().join("x".repeat(240));
        fs::rename(&short, &long).unwrap();
        let before = fs::read(&long).unwrap();

        let store = FileStore::new(&long);
        assert_eq!(store.load("alice").unwrap(), Some(token("old")));
        let err = store.save("alice", &token("new")).unwrap_err();
        match &err {
            StoreError::Io { op, source, .. } => {
                assert_eq!(*op, "create");
                // ENAMETOOLONG: "File name too long (os error 36)" on Linux.
                #[cfg(unix)]
                assert!(source.to_string().contains("too long"), "{source}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(store.remove("alice").is_err());

        assert_eq!(store.load("alice").unwrap(), Some(token("old")));
        assert_eq!(fs::read(&long).unwrap(), before);
        assert_eq!(dir_entries(dir.path()), ["x".repeat(240)]);
    }

    /// A save whose result would exceed the size cap is refused before anything is written.
    #[test]
    fn oversized_save_is_refused_and_keeps_the_old_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileStore::new(&path).with_max_bytes(1024);
        store.save("alice", &token("old")).unwrap();
        let before = fs::read(&path).unwrap();

        let huge = StoredToken::OAuth1Access {
            consumer_key: "example.com".to_owned(),
            token: "1/t".to_owned(),
            token_secret: "s".into(),
            scopes: vec!["https://www.google.com/m8/feeds/".to_owned(); 100],
        };
        let err = store.save("alice", &huge).unwrap_err();
        assert!(
            matches!(err, StoreError::TooLarge { limit: 1024, .. }),
            "{err:?}"
        );
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(store.load("alice").unwrap(), Some(token("old")));
        assert_eq!(dir_entries(dir.path()), ["tokens.json"]);
    }

    #[test]
    fn corrupt_files_are_errors_without_their_contents_and_are_not_overwritten() {
        let rows = [
            format!("{{\"a\": {{\"kind\": \"oauth1_access\", \"token_secret\": \"{CANARY}\""),
            format!("not json {CANARY}"),
            String::new(),
            format!("[\"{CANARY}\"]"),
            format!("{{\"a\": {{\"kind\": \"{CANARY}\"}}}}"),
            format!(
                "{{\"a\": {{\"kind\": \"oauth1_access\", \"consumer_key\": \"k\", \
                 \"token\": \"t\", \"token_secret\": 5, \"scopes\": [\"{CANARY}\"]}}}}"
            ),
            format!("{{\"a\": {{\"kind\": \"oauth1_access\", \"token\": \"{CANARY}\"}}}}"),
            format!("{{\"a\": \"{CANARY}\"}}"),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileStore::new(&path);
        for contents in &rows {
            fs::write(&path, contents).unwrap();
            let err = store.load("a").unwrap_err();
            assert!(
                matches!(err, StoreError::Malformed { .. }),
                "{contents}: {err:?}"
            );
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(CANARY), "{shown}");
            assert!(shown.contains("tokens.json"), "{shown}");

            // Saving or removing would destroy whatever the file holds: both refuse.
            assert!(matches!(
                store.save("b", &token("x")),
                Err(StoreError::Malformed { .. })
            ));
            assert!(matches!(
                store.remove("a"),
                Err(StoreError::Malformed { .. })
            ));
            assert_eq!(fs::read_to_string(&path).unwrap(), *contents);
        }
    }

    #[test]
    fn oversized_files_are_refused_on_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileStore::new(&path).with_max_bytes(100);
        // Valid JSON, just too big: the cap is checked before parsing.
        let big = format!("{{\"a\": {}}}", " ".repeat(200));
        fs::write(&path, &big).unwrap();
        assert!(matches!(
            store.load("a"),
            Err(StoreError::TooLarge { limit: 100, .. })
        ));
        assert!(matches!(
            store.save("a", &token("x")),
            Err(StoreError::TooLarge { .. })
        ));
        assert_eq!(fs::read_to_string(&path).unwrap(), big);
        // The default cap is 1 MiB.
        let default = FileStore::new(&path);
        fs::write(&path, format!("{{{}}}", " ".repeat(1024 * 1024))).unwrap();
        assert!(matches!(
            default.load("a"),
            Err(StoreError::TooLarge {
                limit: 1_048_576,
                ..
            })
        ));
    }

    #[test]
    fn concurrent_saves_through_separate_instances_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = FileStore::new(path);
                    for i in 0..5 {
                        store
                            .save(&format!("t{t}-{i}"), &token(&format!("{t}{i}")))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let store = FileStore::new(&path);
        for t in 0..6 {
            for i in 0..5 {
                assert_eq!(
                    store.load(&format!("t{t}-{i}")).unwrap(),
                    Some(token(&format!("{t}{i}"))),
                    "t{t}-{i}"
                );
            }
        }
        assert_eq!(dir_entries(dir.path()), ["tokens.json"]);
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("absent").join("tokens.json"));
        assert_eq!(store.load("a").unwrap(), None);
        let err = store.save("a", &token("x")).unwrap_err();
        assert!(
            matches!(err, StoreError::Io { op: "create", .. }),
            "{err:?}"
        );
        assert!(!format!("{err}").contains(CANARY));
    }
}
