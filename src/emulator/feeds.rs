//! The sample protected feeds (`/{service}/feeds/…` and `/feeds/…`), answered in Atom only for
//! a request whose credential grants a user and scopes that cover the path; plus a small index
//! page at `/` and 404 for anything else.
//!
//! Feeds ask one question of every protocol, [`CredentialGrant::grant`]: which user and scopes
//! does this request's credential grant? The first protocol of [`App::credential_grants`] that
//! recognises the credential answers it, in its own wire format. Adding a protocol adds an
//! implementation of [`CredentialGrant`] and an entry in that list, no branch here.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::http::{accept, esc, html_response, noted, Incoming, ReadError};
use super::App;

/// What a request's credential grants.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The user whose data it is.
    pub user: String,
    /// The scopes granted; `None` means every scope (OAuth's two-legged access).
    pub scopes: Option<Vec<String>>,
    /// Who reads, as the log and the feed name it (`consumer example.com`).
    pub client: String,
    /// How the credential was granted (`three-legged`, `two-legged`).
    pub how: &'static str,
    /// The protocol (`OAuth`).
    pub protocol: &'static str,
}

/// Why a feed request is refused before or after a protocol granted it.
#[derive(Debug)]
pub enum FeedRefusal {
    /// The request could not be read.
    Unreadable(ReadError),
    /// No protocol recognises a credential in the request.
    NoCredential,
    /// The credential's scopes do not cover the feed.
    WrongScope,
}

/// What the index page says about a protocol.
#[derive(Debug)]
pub struct Description {
    /// The protocol's name (`OAuth 1.0a`).
    pub name: &'static str,
    /// Its endpoint paths.
    pub endpoints: &'static [&'static str],
    /// What its registered clients are called (`Consumers`).
    pub clients: &'static str,
    /// The registered clients, sorted.
    pub client_ids: Vec<String>,
}

/// What the feeds and the index page ask of each protocol.
pub trait CredentialGrant: Send + Sync {
    /// Which user and scopes this request's credential grants: `None` when the request
    /// carries no credential of this protocol, `Some(Err(answer))` when it carries one that
    /// is refused (the answer in the protocol's wire format).
    fn grant(&self, app: &App, incoming: &Incoming) -> Option<Result<Grant, Response>>;

    /// The protocol's answer to a refused feed request; `realm` is the scheme-host-port the
    /// client addressed. [`FeedRefusal::WrongScope`] is asked of the protocol that granted,
    /// the others of [`App::unclaimed_feeds`].
    fn refuse(&self, why: FeedRefusal, realm: &str) -> Response;

    /// The protocol on the index page.
    fn describe(&self) -> Description;
}

/// Whether `path` is a feed: `/feeds/…` or `/{service}/feeds/…`.
fn is_feed_path(path: &str) -> bool {
    let mut segs = path.strip_prefix('/').unwrap_or(path).split('/');
    let first = segs.next().unwrap_or_default();
    let second = segs.next();
    (first == "feeds" && second.is_some()) || (!first.is_empty() && second == Some("feeds"))
}

/// Most scopes in one authorization request.
const MAX_SCOPES: usize = 32;
/// Longest scope URL, in bytes.
const MAX_SCOPE_LEN: usize = 2048;

/// Why a requested scope list was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadScopes {
    /// No scope at all.
    Empty,
    /// More than [`MAX_SCOPES`].
    TooMany,
    /// A scope that is not an `http(s)` URL with a host (or is over 2048 bytes).
    NotHttpUrl,
    /// A scope with a query or fragment, or a path that URL parsing would change (dot
    /// segments, `%2e`, backslashes): what the consent page shows must be what is checked.
    NotPlain,
}

impl core::fmt::Display for BadScopes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty",
            Self::TooMany => "more than 32 scopes",
            Self::NotHttpUrl => "each scope must be an http(s) URL",
            Self::NotPlain => {
                "each scope must be a plain URL: no query, fragment, dot segments or escapes in its path"
            }
        })
    }
}

/// A requested `scope` parameter: one or more space-separated `http(s)` URLs (PROTOCOLS.md
/// §2.1, §3.2), kept as requested. OAuth 1.0 and AuthSub ask for scopes alike.
pub fn parse_scopes(raw: &str) -> Result<Vec<String>, BadScopes> {
    let scopes: Vec<String> = raw
        .split([' ', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err(BadScopes::Empty);
    }
    if scopes.len() > MAX_SCOPES {
        return Err(BadScopes::TooMany);
    }
    let http_url = |s: &String| {
        s.len() <= MAX_SCOPE_LEN
            && url::Url::parse(s)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
    };
    if !scopes.iter().all(http_url) {
        return Err(BadScopes::NotHttpUrl);
    }
    if !scopes.iter().all(|s| is_plain_scope(s)) {
        return Err(BadScopes::NotPlain);
    }
    Ok(scopes)
}

/// Whether a scope URL means exactly what it shows: no query or fragment, its path as
/// written, and no dot segment, `%2e`, `%2f`, `%5c` or backslash
/// ([`crate::scope::is_ambiguous_scope`]). The consent page shows a scope as written and the
/// feeds check it parsed, so only such scopes are accepted (issue 15 §1).
pub fn is_plain_scope(scope: &str) -> bool {
    !crate::scope::is_ambiguous_scope(scope) && path_as_written(scope)
}

/// Whether `scope` reads the same before and after URL parsing: no query or fragment, and
/// its path exactly as written (`/feeds/../../` or `/%2e%2e/` would become `/`, which covers
/// every feed, while the consent page showed something narrower).
fn path_as_written(scope: &str) -> bool {
    let Ok(url) = url::Url::parse(scope) else {
        return false;
    };
    // The path as written: after `scheme://authority`, up to the end.
    let written = scope
        .split_once("://")
        .map(|(_, rest)| rest.find('/').map_or("", |i| &rest[i..]))
        .unwrap_or("");
    let written = if written.is_empty() { "/" } else { written };
    url.query().is_none() && url.fragment().is_none() && written == url.path()
}

/// Whether the scope URL covers the request path: the scope's path is a prefix of it, ending
/// at a `/` boundary. Hosts and schemes are not compared (the emulator is not Google).
fn scope_covers(scope: &str, path: &str) -> bool {
    // Defence in depth: a scope that parsing would rewrite covers nothing, whichever
    // protocol stored it (issue 15 §1).
    if !is_plain_scope(scope) {
        return false;
    }
    let Ok(url) = url::Url::parse(scope) else {
        return false;
    };
    let sp = url.path();
    if sp.is_empty() || sp == "/" {
        return true;
    }
    match path.strip_prefix(sp) {
        Some(rest) => sp.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// Fallback route: the feeds, the index page, or 404.
pub async fn fallback(State(app): State<Arc<App>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/" {
        return index(&app);
    }
    if !is_feed_path(&path) {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let incoming = match accept(&app, req, |e, realm| {
        app.unclaimed_feeds()
            .refuse(FeedRefusal::Unreadable(e), realm)
    })
    .await
    {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    for protocol in app.credential_grants() {
        match protocol.grant(&app, &incoming) {
            None => continue,
            Some(Err(refused)) => return refused,
            Some(Ok(grant)) => {
                if let Some(scopes) = &grant.scopes {
                    if !scopes.iter().any(|s| scope_covers(s, &incoming.path)) {
                        return protocol.refuse(FeedRefusal::WrongScope, &incoming.base);
                    }
                }
                return feed(&app, &incoming, &grant);
            }
        }
    }
    app.unclaimed_feeds()
        .refuse(FeedRefusal::NoCredential, &incoming.base)
}

/// The feed, for a grant that covers it.
fn feed(app: &App, incoming: &Incoming, grant: &Grant) -> Response {
    let mut resp = (StatusCode::OK, atom(app, incoming, grant)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=UTF-8"),
    );
    h.insert("gdata-version", HeaderValue::from_static("2.0"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    noted(
        resp,
        format!("{} feed for {} via {}", grant.how, grant.user, grant.client),
    )
}

/// The sample feed document.
fn atom(app: &App, incoming: &Incoming, grant: &Grant) -> String {
    let user = grant.user.as_str();
    let service = incoming
        .path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let (title, kind) = match service {
        "calendar" => ("Calendar", "event"),
        "m8" => ("Contacts", "contact"),
        "feeds" if incoming.path.starts_with("/feeds/documents") => ("Documents", "document"),
        _ => ("Sample feed", "entry"),
    };
    let id = incoming.url.split('?').next().unwrap_or_default();
    let updated = rfc3339(app.now());
    let entries: String = (1..=2)
        .map(|i| {
            format!(
                "<entry><id>{id}/{i}</id><updated>{updated}</updated>\
                 <title type='text'>Sample {kind} {i}</title>\
                 <content type='text'>Read by {client} for {user} ({how} {protocol}).</content>\
                 <author><name>{user}</name><email>{user}</email></author></entry>\n",
                id = esc(id),
                client = esc(&grant.client),
                user = esc(user),
                how = grant.how,
                protocol = grant.protocol,
            )
        })
        .collect();
    format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
         <feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearch/1.1/' \
         xmlns:gd='http://schemas.google.com/g/2005'>\n\
         <id>{id}</id>\n<updated>{updated}</updated>\n<title type='text'>{title} of {user}</title>\n\
         <link rel='self' type='application/atom+xml' href='{href}'/>\n\
         <author><name>{user}</name><email>{user}</email></author>\n\
         <generator uri='https://github.com/'>gdata-auth emulator</generator>\n\
         <openSearch:totalResults>2</openSearch:totalResults>\n{entries}</feed>\n",
        id = esc(id),
        href = esc(&incoming.url),
        user = esc(user),
    )
}

/// `YYYY-MM-DDTHH:MM:SS.000Z` for a Unix time.
fn rfc3339(unix: u64) -> String {
    let [y, m, d, hh, mm, ss] = civil(unix);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.000Z")
}

/// `YYYYMMDDTHHMMSSZ` (ISO 8601 basic, UTC) for a Unix time: AuthSub's `Expiration=`
/// (PROTOCOLS.md §2.3).
pub fn iso8601_basic(unix: u64) -> String {
    let [y, m, d, hh, mm, ss] = civil(unix);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// Year, month, day, hour, minute, second of a Unix time (civil-from-days, proleptic
/// Gregorian).
fn civil(unix: u64) -> [u64; 6] {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days, on the era-shifted day count.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    [y, m, d, secs / 3600, secs % 3600 / 60, secs % 60]
}

/// `/`: what this server is, for a person who opens it in a browser.
fn index(app: &App) -> Response {
    fn codes<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
        items
            .into_iter()
            .map(|i| format!("<code>{}</code>", esc(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    let described: Vec<Description> = app
        .credential_grants()
        .iter()
        .map(|p| p.describe())
        .collect();
    let endpoints: String = described
        .iter()
        .map(|d| {
            format!(
                "{} endpoints: {}. ",
                d.name,
                codes(d.endpoints.iter().copied())
            )
        })
        .collect();
    let clients: String = described
        .iter()
        .map(|d| {
            format!(
                "{}: {}. ",
                d.clients,
                codes(d.client_ids.iter().map(String::as_str))
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gdata-auth emulator</title></head>\
         <body><h1>Google Accounts emulator (gdata-auth)</h1>\
         <p>{endpoints}Sample feeds under <code>/calendar/feeds/</code>, \
         <code>/m8/feeds/</code>, <code>/feeds/documents/</code>.</p>\
         <p>{clients}Users: {}.</p></body></html>\n",
        codes(app.accounts.all().iter().map(|u| u.email.as_str()))
    );
    html_response(StatusCode::OK, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_paths() {
        for p in [
            "/calendar/feeds/default/private/full",
            "/m8/feeds/contacts/default/full",
            "/feeds/documents/private/full",
            "/x/feeds/",
        ] {
            assert!(is_feed_path(p), "{p}");
        }
        for p in [
            "/",
            "/feeds",
            "/calendar/x/feeds",
            "/accounts/Other",
            "//feeds/x",
        ] {
            assert!(!is_feed_path(p), "{p}");
        }
    }

    #[test]
    fn scope_prefix_on_segment_boundary() {
        let path = "/calendar/feeds/default/private/full";
        assert!(scope_covers("http://www.google.com/calendar/feeds/", path));
        assert!(scope_covers(
            "https://elsewhere.example/calendar/feeds",
            path
        ));
        assert!(scope_covers(
            "http://www.google.com/calendar/feeds/default/private/full",
            path
        ));
        assert!(!scope_covers("http://www.google.com/calendar/feed", path));
        assert!(!scope_covers("http://www.google.com/m8/feeds/", path));
        assert!(!scope_covers(
            "http://www.google.com/calendar/feeds/default/allcalendars/full",
            path
        ));
    }

    #[test]
    fn a_scope_with_dot_segments_is_refused() {
        for bad in [
            "http://www.google.com/calendar/feeds/x/../../../",
            "http://www.google.com/calendar/feeds/%2e%2e/%2e%2e/m8/feeds/",
            "http://www.google.com/calendar/feeds/%2E%2E/%2E%2E/m8/feeds/",
            "http://www.google.com/calendar/feeds/..%2f..%2fm8/feeds/",
            "http://www.google.com/calendar/feeds/%2F",
            "http://www.google.com/calendar\\..\\m8/feeds/",
        ] {
            assert_eq!(parse_scopes(bad), Err(BadScopes::NotPlain), "{bad}");
            // And one stored by any protocol covers no feed.
            assert!(
                !scope_covers(bad, "/m8/feeds/contacts/default/full"),
                "{bad}"
            );
            assert!(
                !scope_covers(bad, "/calendar/feeds/default/private/full"),
                "{bad}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_289_861_432), "2010-11-15T22:50:32.000Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_basic(1_289_861_432), "20101115T225032Z");
    }
}
