//! The legacy feed scopes per service and the OAuth 2.0 scope a migrated application should
//! request today: [`SCOPE_MAP`], with [`oauth2_scopes_for`] and [`legacy_service_of`].
//!
//! Sources, per column:
//! * service codes: JAVA `*Service.java` constants (PROTOCOLS.md §1.6);
//! * legacy feed scopes: PY2 `gauth.AUTH_SCOPES` (PROTOCOLS.md §5, §7.9);
//! * OAuth 2.0 scopes: Google's "OAuth 2.0 Scopes for Google APIs" page
//!   (developers.google.com/identity/protocols/oauth2/scopes) for each successor API; no
//!   GData library shipped such a map (PROTOCOLS.md §5, §8), so this column is this crate's
//!   reading, not Google's word about the feeds;
//! * feed URLs accepted as OAuth 2.0 scopes: gdata-python-client's `OAuth2Token` tests
//!   request `https://www.google.com/calendar/feeds` and the Ruby migration example
//!   `https://www.google.com/m8/feeds` (PROTOCOLS.md §4, §5); seed 001 ("Examine scopes of
//!   access granted") says Google may answer a request for `https://www.google.com/m8/feeds/`
//!   with the granted scope `https://www.googleapis.com/auth/contacts`.
//!
//! | service | code | legacy feed scopes | OAuth 2.0 scope today | feed URL accepted as an OAuth 2.0 scope |
//! |---|---|---|---|---|
//! | Calendar | `cl` | `https://www.google.com/calendar/feeds/`, `http://…` | `https://www.googleapis.com/auth/calendar` | yes (PY2 tests) |
//! | Contacts | `cp` | `https://www.google.com/m8/feeds/`, `http://…` | `https://www.googleapis.com/auth/contacts` | yes (Ruby migration example; seed 001: granted as `…/auth/contacts`) |
//! | Documents List | `writely` | `https://docs.google.com/feeds/`, `https://spreadsheets.google.com/feeds/`, `https://docs.googleusercontent.com/` | `https://www.googleapis.com/auth/drive` | not documented here |
//! | Spreadsheets | `wise` | `https://spreadsheets.google.com/feeds/` | `https://www.googleapis.com/auth/spreadsheets` | not documented here |
//! | Picasa Web | `lh2` | `http://picasaweb.google.com/data/` | `https://www.googleapis.com/auth/photoslibrary` | not documented here |
//! | Blogger | `blogger` | `http://www.blogger.com/feeds/` | `https://www.googleapis.com/auth/blogger` | not documented here |
//! | YouTube | `youtube` | `http://gdata.youtube.com/feeds/api/`, `http://uploads.gdata.youtube.com/feeds/api`, `http://gdata.youtube.com/action/GetUploadToken` | `https://www.googleapis.com/auth/youtube` | not documented here |
//! | Analytics | `analytics` | `https://www.google.com/analytics/feeds/` | `https://www.googleapis.com/auth/analytics` | not documented here |
//! | Apps provisioning | `apps` | `https://apps-apis.google.com/a/feeds/` | `https://www.googleapis.com/auth/admin.directory.user` | not documented here |
//! | Books | `print` | `http://www.google.com/books/feeds/` | `https://www.googleapis.com/auth/books` | not documented here |
//! | Webmaster Tools | `sitemaps` | `https://www.google.com/webmasters/tools/feeds/` | `https://www.googleapis.com/auth/webmasters` | not documented here |
//! | Google Base | `gbase` | `http://www.google.com/base/feeds/` | `https://www.googleapis.com/auth/content` (Content API for Shopping) | not documented here |
//! | Sites | `jotspot` | `http://sites.google.com/feeds/`, `https://sites.google.com/feeds/` | none: the classic Sites API is gone | the feed URL was the only scope of the classic Sites API |
//! | Finance, Health, Code Search, Project Hosting, Maps Data, H9 | `finance`, `health`, `codesearch`, `code`, `local`, `weaver` | see [`SCOPE_MAP`] | none: the services are gone | n/a |
//!
//! The emulator reads feeds with the same map: a bearer token for
//! `https://www.googleapis.com/auth/calendar` opens what `http://www.google.com/calendar/feeds/`
//! opens ([`legacy_scopes_for`]).

/// One row of [`SCOPE_MAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceScopes {
    /// The ClientLogin service code (PROTOCOLS.md §1.6).
    pub service: &'static str,
    /// The service's name.
    pub name: &'static str,
    /// PY2 `gauth.AUTH_SCOPES[service]`: the feed scopes OAuth 1.0 and AuthSub asked for.
    pub legacy: &'static [&'static str],
    /// The OAuth 2.0 scope(s) to request today; empty when the service is gone.
    pub oauth2: &'static [&'static str],
    /// Whether a source here shows Google accepting the feed URL itself as an OAuth 2.0
    /// scope.
    pub feed_url_accepted: bool,
}

const fn row(
    service: &'static str,
    name: &'static str,
    legacy: &'static [&'static str],
    oauth2: &'static [&'static str],
    feed_url_accepted: bool,
) -> ServiceScopes {
    ServiceScopes {
        service,
        name,
        legacy,
        oauth2,
        feed_url_accepted,
    }
}

/// The map, one row per legacy service (see the module table for sources).
pub const SCOPE_MAP: &[ServiceScopes] = &[
    row(
        "cl",
        "Calendar",
        &[
            "https://www.google.com/calendar/feeds/",
            "http://www.google.com/calendar/feeds/",
        ],
        &["https://www.googleapis.com/auth/calendar"],
        true,
    ),
    row(
        "cp",
        "Contacts",
        &[
            "https://www.google.com/m8/feeds/",
            "http://www.google.com/m8/feeds/",
        ],
        &["https://www.googleapis.com/auth/contacts"],
        true,
    ),
    row(
        "wise",
        "Spreadsheets",
        &["https://spreadsheets.google.com/feeds/"],
        &["https://www.googleapis.com/auth/spreadsheets"],
        false,
    ),
    row(
        "writely",
        "Documents List",
        &[
            "https://docs.google.com/feeds/",
            "https://spreadsheets.google.com/feeds/",
            "https://docs.googleusercontent.com/",
        ],
        &["https://www.googleapis.com/auth/drive"],
        false,
    ),
    row(
        "lh2",
        "Picasa Web Albums",
        &["http://picasaweb.google.com/data/"],
        &["https://www.googleapis.com/auth/photoslibrary"],
        false,
    ),
    row(
        "blogger",
        "Blogger",
        &["http://www.blogger.com/feeds/"],
        &["https://www.googleapis.com/auth/blogger"],
        false,
    ),
    row(
        "youtube",
        "YouTube",
        &[
            "http://gdata.youtube.com/feeds/api/",
            "http://uploads.gdata.youtube.com/feeds/api",
            "http://gdata.youtube.com/action/GetUploadToken",
        ],
        &["https://www.googleapis.com/auth/youtube"],
        false,
    ),
    row(
        "analytics",
        "Analytics",
        &["https://www.google.com/analytics/feeds/"],
        &["https://www.googleapis.com/auth/analytics"],
        false,
    ),
    row(
        "apps",
        "Apps provisioning",
        &["https://apps-apis.google.com/a/feeds/"],
        &["https://www.googleapis.com/auth/admin.directory.user"],
        false,
    ),
    row(
        "print",
        "Books",
        &["http://www.google.com/books/feeds/"],
        &["https://www.googleapis.com/auth/books"],
        false,
    ),
    row(
        "sitemaps",
        "Webmaster Tools",
        &["https://www.google.com/webmasters/tools/feeds/"],
        &["https://www.googleapis.com/auth/webmasters"],
        false,
    ),
    row(
        "gbase",
        "Google Base",
        &["http://www.google.com/base/feeds/"],
        &["https://www.googleapis.com/auth/content"],
        false,
    ),
    row(
        "jotspot",
        "Sites",
        &[
            "http://sites.google.com/feeds/",
            "https://sites.google.com/feeds/",
        ],
        &[],
        true,
    ),
    row(
        "finance",
        "Finance",
        &["http://finance.google.com/finance/feeds/"],
        &[],
        false,
    ),
    row(
        "health",
        "Health",
        &["https://www.google.com/health/feeds/"],
        &[],
        false,
    ),
    row(
        "codesearch",
        "Code Search",
        &["http://www.google.com/codesearch/feeds/"],
        &[],
        false,
    ),
    row(
        "code",
        "Project Hosting",
        &["http://code.google.com/feeds/issues/"],
        &[],
        false,
    ),
    row(
        "local",
        "Maps Data",
        &["http://maps.google.com/maps/feeds/"],
        &[],
        false,
    ),
    row(
        "weaver",
        "H9",
        &["https://www.google.com/h9/feeds/"],
        &[],
        false,
    ),
];

/// Compares feed scopes as Google's scope lists wrote them: scheme-less, and without a
/// trailing `/` (`http://www.google.com/m8/feeds` is `https://www.google.com/m8/feeds/`).
fn same_feed(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or(s);
        s.trim_end_matches('/').to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// The row of the service whose legacy feed scope `scope` is (any scheme, with or without
/// the trailing `/`).
pub fn legacy_service_of(scope: &str) -> Option<&'static ServiceScopes> {
    SCOPE_MAP
        .iter()
        .find(|row| row.legacy.iter().any(|l| same_feed(l, scope)))
}

/// The OAuth 2.0 scopes a migrated application should request instead of the legacy
/// `scopes`, without repeats; a scope that is no legacy feed scope is kept as it is, and
/// a gone service's scope is dropped.
pub fn oauth2_scopes_for<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scope in scopes {
        let mapped: Vec<&str> = match legacy_service_of(scope) {
            Some(row) => row.oauth2.to_vec(),
            None => vec![scope],
        };
        for m in mapped {
            if !out.iter().any(|o| o == m) {
                out.push(m.to_owned());
            }
        }
    }
    out
}

/// The legacy feed scopes an OAuth 2.0 `scope` opens: the feeds of the rows whose OAuth 2.0
/// scope it is, or that feed itself when it is a legacy feed URL; empty for any other scope.
/// A row's bare host (a scope whose path is `/`, such as a content domain) is never
/// returned: a path-only match would read it as "every feed".
pub fn legacy_scopes_for(scope: &str) -> Vec<&'static str> {
    let feed_path =
        |s: &&str| url::Url::parse(s).is_ok_and(|u| !u.path().is_empty() && u.path() != "/");
    let by_oauth2 = SCOPE_MAP
        .iter()
        .filter(|row| row.oauth2.contains(&scope))
        .flat_map(|row| row.legacy.iter().copied());
    let by_feed = SCOPE_MAP
        .iter()
        .flat_map(|row| row.legacy.iter().copied())
        .filter(|l| same_feed(l, scope));
    let mut out: Vec<&'static str> = Vec::new();
    for l in by_oauth2.chain(by_feed).filter(feed_path) {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// Whether a granted scope gives what a requested one asked for: the same scope (any scheme
/// or trailing `/` for a feed URL), or the two are the same service's legacy feed and OAuth
/// 2.0 scope, in either direction (seed 001: an application that asked for the contacts
/// feed and was granted `…/auth/contacts` has what it asked for).
pub fn grants(granted: &str, requested: &str) -> bool {
    granted == requested
        || same_feed(granted, requested)
        || oauth2_scopes_for([requested]).iter().any(|s| s == granted)
        || oauth2_scopes_for([granted]).iter().any(|s| s == requested)
        || legacy_scopes_for(granted)
            .iter()
            .any(|l| same_feed(l, requested))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_once_and_every_scope_well_formed() {
        for (i, row) in SCOPE_MAP.iter().enumerate() {
            assert!(
                SCOPE_MAP[..i].iter().all(|r| r.service != row.service),
                "{}",
                row.service
            );
            for s in row.legacy.iter().chain(row.oauth2) {
                assert!(crate::Scope::new(*s).is_ok(), "{s}");
            }
            for s in row.oauth2 {
                assert!(s.starts_with("https://www.googleapis.com/auth/"), "{s}");
            }
        }
    }

    #[test]
    fn maps_both_ways() {
        assert_eq!(
            oauth2_scopes_for([
                "http://www.google.com/calendar/feeds/",
                "https://www.google.com/calendar/feeds",
                "https://www.google.com/m8/feeds/",
                "openid",
                "http://finance.google.com/finance/feeds/"
            ]),
            [
                "https://www.googleapis.com/auth/calendar",
                "https://www.googleapis.com/auth/contacts",
                "openid"
            ]
        );
        assert_eq!(
            legacy_service_of("https://www.google.com/m8/feeds")
                .unwrap()
                .service,
            "cp"
        );
        assert!(
            legacy_scopes_for("https://www.googleapis.com/auth/calendar")
                .contains(&"http://www.google.com/calendar/feeds/")
        );
        assert!(legacy_scopes_for("https://www.google.com/calendar/feeds")
            .contains(&"https://www.google.com/calendar/feeds/"));
        assert!(legacy_scopes_for("https://www.googleapis.com/auth/drive.file").is_empty());
        // The Documents List row names a content host whose path is `/`: it must not come
        // back, or a path-only match would open every feed with a drive token.
        let drive = legacy_scopes_for("https://www.googleapis.com/auth/drive");
        assert!(
            drive.contains(&"https://docs.google.com/feeds/"),
            "{drive:?}"
        );
        assert!(
            !drive.contains(&"https://docs.googleusercontent.com/"),
            "{drive:?}"
        );
        for row in SCOPE_MAP {
            for s in row.oauth2 {
                for l in legacy_scopes_for(s) {
                    assert_ne!(url::Url::parse(l).unwrap().path(), "/", "{s} opens {l}");
                }
            }
        }
        assert_eq!(
            legacy_service_of("https://spreadsheets.google.com/feeds/")
                .unwrap()
                .service,
            "wise" // listed before `writely`, which also names it
        );
    }

    #[test]
    fn grants_reads_the_map_both_ways() {
        let contacts = "https://www.googleapis.com/auth/contacts";
        let m8 = "https://www.google.com/m8/feeds/";
        // Seed 001: asked for the contacts feed, granted the contacts scope, or back.
        assert!(grants(contacts, m8));
        assert!(grants(m8, contacts));
        assert!(grants("http://www.google.com/m8/feeds", m8));
        assert!(grants(contacts, contacts));
        // Another service's scope grants nothing here.
        assert!(!grants("https://www.googleapis.com/auth/calendar", m8));
        assert!(!grants("https://www.googleapis.com/auth/drive", m8));
        assert!(!grants(m8, "https://www.googleapis.com/auth/calendar"));
        assert!(!grants("openid", "email"));
    }
}
