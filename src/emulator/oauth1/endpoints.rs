//! The signed OAuth 1.0a endpoints: OAuthGetRequestToken, OAuthGetAccessToken and
//! AuthSubRevokeToken (PROTOCOLS.md §3.1–§3.4). Each verifies with the shared verifier, then
//! applies the state rules in [`super::state`], whose refusals [`super::wire`] words.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::encoding::{form_encode, Form};
use crate::oauth1::verifier::Verified;
use crate::oauth1::Callback;

use crate::emulator::feeds;
use crate::emulator::http::{endpoint, noted};
use crate::emulator::App;

use super::wire::Problem;

/// Longest callback URL, in bytes.
const MAX_URL_LEN: usize = 2048;
/// Longest `xoauth_displayname`, in characters.
const MAX_DISPLAY_NAME: usize = 256;

/// A form-encoded token response (RFC 5849 §2.1) with the headers www.google.com sent:
/// `text/plain; charset=UTF-8` (not RFC 5849's `application/x-www-form-urlencoded`; clients
/// read the body as a form whatever the type) and `Cache-Control: private, max-age=0` with
/// a past `Expires`, as GNOME libgdata's 2013 traces recorded them
/// (fixtures/exchanges/google/libgdata-oauth1-*.json).
fn form_response(pairs: &[(&str, &str)], note: String) -> Response {
    let mut resp = (StatusCode::OK, form_encode(pairs)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=UTF-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=0"),
    );
    h.insert(
        header::EXPIRES,
        HeaderValue::from_static("Mon, 01 Jan 1990 00:00:00 GMT"),
    );
    noted(resp, note)
}

/// The single value of a non-protocol parameter; a repeated one is refused.
fn single<'a>(params: &'a Form, name: &str) -> Result<Option<&'a str>, Problem> {
    params
        .single(name)
        .map_err(|_| Problem::rejected(name, "given more than once"))
}

/// `oauth_callback`: `oob`, or an absolute URL that a browser may be sent to.
fn parse_callback(raw: &str) -> Result<Callback, Problem> {
    if raw == "oob" {
        return Ok(Callback::Oob);
    }
    if raw.len() > MAX_URL_LEN {
        return Err(Problem::rejected(
            "oauth_callback",
            "longer than 2048 bytes",
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| {
        Problem::rejected(
            "oauth_callback",
            format!("not `oob` or an absolute URL ({e})"),
        )
    })?;
    // An allowlist, not a blocklist: a blocklist let `feed:javascript:`, `x-javascript:`,
    // `view-source:`, `jar:` and `intent:` through (issue 15 §1). Installed applications
    // asked for `oob` (or a loopback `http` URL); nothing else is redirected to.
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(Problem::rejected(
            "oauth_callback",
            "must be `oob` or an http(s) URL",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Problem::rejected("oauth_callback", "user info not allowed"));
    }
    // The approval appends `oauth_token` and `oauth_verifier`; a callback already holding
    // either would reach the client twice, and a careful client refuses duplicates.
    if url
        .query_pairs()
        .any(|(k, _)| k == "oauth_token" || k == "oauth_verifier")
    {
        return Err(Problem::rejected(
            "oauth_callback",
            "must not already carry oauth_token or oauth_verifier",
        ));
    }
    Ok(Callback::Url(raw.to_owned()))
}

/// `scope`: one or more space-separated `http(s)` URLs (PROTOCOLS.md §3.2).
fn parse_scopes(raw: &str) -> Result<Vec<String>, Problem> {
    feeds::parse_scopes(raw).map_err(|e| Problem::rejected("scope", e))
}

fn check_display_name(name: &str) -> Result<String, Problem> {
    if name.is_empty()
        || name.chars().count() > MAX_DISPLAY_NAME
        || name.chars().any(char::is_control)
    {
        return Err(Problem::rejected(
            "xoauth_displayname",
            "must be 1 to 256 characters without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// `/accounts/OAuthGetRequestToken`.
pub async fn request_token(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<Problem>(app, req, |app, incoming| {
        let v = app.oauth1.verify_to_change(incoming)?;
        if v.token.is_some() {
            return Err(Problem::rejected(
                "oauth_token",
                "the request-token call is signed by the consumer alone",
            ));
        }
        let callback = parse_callback(
            v.callback
                .as_deref()
                .ok_or_else(|| Problem::absent("oauth_callback"))?,
        )?;
        let params = Form::from(v.params.clone());
        let scopes =
            parse_scopes(single(&params, "scope")?.ok_or_else(|| Problem::absent("scope"))?)?;
        let display_name = single(&params, "xoauth_displayname")?
            .map(check_display_name)
            .transpose()?;
        let (token, secret) = app.oauth1.store.issue_request_token(
            &v.consumer_key,
            callback,
            scopes,
            display_name,
            app.now(),
        )?;
        Ok(form_response(
            &[
                ("oauth_token", token.as_str()),
                ("oauth_token_secret", secret.secret()),
                ("oauth_callback_confirmed", "true"),
            ],
            format!("issued request token to consumer {}", v.consumer_key),
        ))
    })
    .await
}

/// The token a token-signed call carries: a consumer-only signature is not enough here.
fn signed_token(v: &Verified) -> Result<&str, Problem> {
    v.token
        .as_deref()
        .ok_or_else(|| Problem::absent("oauth_token"))
}

/// `/accounts/OAuthGetAccessToken`.
pub async fn access_token(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<Problem>(app, req, |app, incoming| {
        let v = app.oauth1.verify_to_change(incoming)?;
        let token = signed_token(&v)?;
        let ex =
            app.oauth1
                .store
                .exchange(&v.consumer_key, token, v.verifier.as_deref(), app.now())?;
        let mut note = format!("issued access token to consumer {}", v.consumer_key);
        if let Some(old) = &ex.revoked_oldest {
            note.push_str(&format!(
                "; ten-token limit: revoked the oldest access token {old}"
            ));
        }
        let mut resp = form_response(
            &[
                ("oauth_token", ex.token.as_str()),
                ("oauth_token_secret", ex.secret.secret()),
            ],
            note,
        );
        if let Some(old) = ex.revoked_oldest {
            if let Ok(v) = HeaderValue::from_str(&old) {
                resp.headers_mut().insert("x-emulator-revoked-token", v);
            }
        }
        Ok(resp)
    })
    .await
}

/// `/accounts/AuthSubRevokeToken`, OAuth-signed with the access token to revoke.
pub async fn revoke(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<Problem>(app, req, |app, incoming| {
        let v = app.oauth1.verify_to_change(incoming)?;
        let token = signed_token(&v)?;
        app.oauth1.store.revoke(&v.consumer_key, token)?;
        Ok(noted(
            StatusCode::OK.into_response(),
            format!("revoked an access token of consumer {}", v.consumer_key),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_schemes_are_allowlisted() {
        for bad in [
            "feed:javascript:alert(1)",
            "x-javascript:alert(1)",
            "view-source:https://app.example/",
            "jar:https://app.example/x.jar!/",
            "intent://cb#Intent;scheme=https;end",
            "myapp://cb",
            "JavaScript:alert(1)",
            "ftp://app.example/",
            "file:///etc/passwd",
        ] {
            let p = parse_callback(bad).expect_err(bad);
            assert_eq!(p.problem, "parameter_rejected", "{bad}");
        }
        assert!(parse_callback("HTTPS://app.example/cb").is_ok());
    }

    #[test]
    fn callbacks() {
        assert_eq!(parse_callback("oob").unwrap(), Callback::Oob);
        assert!(matches!(
            parse_callback("https://app.example/cb?x=1"),
            Ok(Callback::Url(_))
        ));
        assert!(matches!(
            parse_callback("http://127.0.0.1:8080/cb"),
            Ok(Callback::Url(_))
        ));
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "",
            "https://u:p@h/",
            "data:text/html,x",
            "https://app.example/cb?oauth_token=x",
            "https://app.example/cb?a=1&oauth_verifier=y",
        ] {
            assert!(parse_callback(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes() {
        assert_eq!(
            parse_scopes("http://a/feeds/  https://b/m8/feeds/").unwrap(),
            vec!["http://a/feeds/", "https://b/m8/feeds/"]
        );
        assert!(parse_scopes("http://a  https://B:80/m8/feeds").is_ok());
        for bad in [
            "",
            " ",
            "feeds",
            "ftp://x/",
            "http://",
            // Would read as `/` (every feed) while the page shows more.
            "http://www.google.com/calendar/feeds/../../",
            "http://www.google.com/calendar/feeds/%2e%2e/%2e%2e/",
            "http://www.google.com/calendar/feeds/%2E%2E/",
            "http://www.google.com/calendar/./feeds/",
            "http://www.google.com\\calendar\\feeds\\",
            "http://www.google.com?/calendar/feeds/",
            "http://www.google.com#/calendar/feeds/",
            "http://www.google.com/calendar/feeds/?x=1",
        ] {
            assert!(parse_scopes(bad).is_err(), "{bad:?}");
        }
        let many = vec!["http://a/"; 33].join(" ");
        assert!(parse_scopes(&many).is_err());
    }
}
