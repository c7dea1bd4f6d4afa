//! The sample protected feeds (`/{service}/feeds/…` and `/feeds/…`), answered in Atom only for
//! a valid OAuth request whose grant covers the path; plus a small index page at `/` and 404
//! for anything else.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::http::{endpoint, esc, html_response, Incoming, LogNote, Problem};
use super::state::Grant;
use super::{App, ANONYMOUS_CONSUMER};

/// Whether `path` is a feed: `/feeds/…` or `/{service}/feeds/…`.
fn is_feed_path(path: &str) -> bool {
    let mut segs = path.strip_prefix('/').unwrap_or(path).split('/');
    let first = segs.next().unwrap_or_default();
    let second = segs.next();
    (first == "feeds" && second.is_some()) || (!first.is_empty() && second == Some("feeds"))
}

/// Whether the scope URL covers the request path: the scope's path is a prefix of it, ending
/// at a `/` boundary. Hosts and schemes are not compared (the emulator is not Google).
fn scope_covers(scope: &str, path: &str) -> bool {
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
    endpoint(app, req, feed).await
}

fn feed(app: &App, incoming: &Incoming) -> Result<Response, Problem> {
    let unsigned = incoming.authorization.is_none()
        && !incoming
            .plain_params()?
            .iter()
            .any(|(n, _)| n.starts_with("oauth_"));
    if unsigned {
        return Err(Problem::unauthorized(
            "parameter_absent",
            "this feed needs an OAuth Authorization (three-legged or two-legged)",
        )
        .with("oauth_parameters_absent", "oauth_consumer_key"));
    }
    let v = app.verify(incoming)?;
    let (grant, how) = match v.token.as_deref() {
        Some(token) => (app.store.grant(&v.consumer_key, token)?, "three-legged"),
        None => {
            if v.consumer_key == ANONYMOUS_CONSUMER {
                return Err(Problem::unauthorized(
                    "permission_denied",
                    "two-legged access needs a registered consumer; the anonymous consumer's secret is public",
                ));
            }
            let requestor = v
                .param("xoauth_requestor_id")
                .ok_or_else(|| Problem::absent("xoauth_requestor_id"))?;
            let user = app.user(requestor).ok_or_else(|| {
                Problem::unauthorized(
                    "permission_denied",
                    "xoauth_requestor_id names no account on this emulator",
                )
            })?;
            (
                Grant {
                    user: user.email.clone(),
                    scopes: None,
                },
                "two-legged",
            )
        }
    };
    if let Some(scopes) = &grant.scopes {
        if !scopes.iter().any(|s| scope_covers(s, &incoming.path)) {
            return Err(Problem::unauthorized(
                "permission_denied",
                "Token invalid - AuthSub token has wrong scope",
            ));
        }
    }
    let xml = atom(app, incoming, &grant.user, &v.consumer_key, how);
    let mut resp = (StatusCode::OK, xml).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=UTF-8"),
    );
    h.insert("gdata-version", HeaderValue::from_static("2.0"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.extensions_mut().insert(LogNote(format!(
        "{how} feed for {} via consumer {}",
        grant.user, v.consumer_key
    )));
    Ok(resp)
}

/// The sample feed document.
fn atom(app: &App, incoming: &Incoming, user: &str, consumer: &str, how: &str) -> String {
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
                 <content type='text'>Read by consumer {consumer} for {user} ({how} OAuth).</content>\
                 <author><name>{user}</name><email>{user}</email></author></entry>\n",
                id = esc(id),
                consumer = esc(consumer),
                user = esc(user),
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

/// `YYYY-MM-DDTHH:MM:SS.000Z` for a Unix time (civil-from-days, proleptic Gregorian).
fn rfc3339(unix: u64) -> String {
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
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `/`: what this server is, for a person who opens it in a browser.
fn index(app: &App) -> Response {
    let consumers: Vec<String> = {
        let mut keys: Vec<&String> = app.verifier.lookup().consumers.keys().collect();
        keys.sort();
        keys.into_iter()
            .map(|k| format!("<code>{}</code>", esc(k)))
            .collect()
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gdata-auth emulator</title></head>\
         <body><h1>Google Accounts emulator (gdata-auth)</h1>\
         <p>OAuth 1.0a endpoints: <code>/accounts/OAuthGetRequestToken</code>, \
         <code>/accounts/OAuthAuthorizeToken</code>, <code>/accounts/OAuthGetAccessToken</code>, \
         <code>/accounts/AuthSubRevokeToken</code>. Sample feeds under <code>/calendar/feeds/</code>, \
         <code>/m8/feeds/</code>, <code>/feeds/documents/</code>.</p>\
         <p>Consumers: {}. Users: {}.</p></body></html>\n",
        consumers.join(", "),
        app.users
            .iter()
            .map(|u| format!("<code>{}</code>", esc(&u.email)))
            .collect::<Vec<_>>()
            .join(", ")
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
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_289_861_432), "2010-11-15T22:50:32.000Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
