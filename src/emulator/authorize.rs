//! `/accounts/OAuthAuthorizeToken`: the consent page a user sees in a browser, and its form
//! submission (approve with email and password, or deny). See the module documentation of
//! [`super`] for the behaviour of `hd`, `hl`, `btmpl`, deny and auto-approve.
//!
//! Everything written into HTML goes through [`esc`]; the page carries no script, and its
//! headers forbid framing and referrers (the URL holds the request token).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::secret::ct_eq;

use super::http::{
    esc, get_or_post, html_response, method_not_allowed, Incoming, LogNote, Problem,
};
use super::state::{Callback, PendingView};
use super::{App, User, ANONYMOUS_CONSUMER, DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD};

/// Longest `hd`, `hl` or `btmpl` value echoed on the page.
const MAX_ECHO: usize = 64;

/// The presentation options from the authorize URL (PROTOCOLS.md §3.3).
#[derive(Debug, Default, Clone)]
struct Options {
    hd: Option<String>,
    hl: Option<String>,
    btmpl: Option<String>,
    callback_param: Option<String>,
}

impl Options {
    /// The Google Apps domain the sign-in is restricted to (`hd` other than `default`).
    fn domain(&self) -> Option<&str> {
        self.hd
            .as_deref()
            .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("default"))
    }

    fn mobile(&self) -> bool {
        self.btmpl.as_deref() == Some("mobile")
    }

    /// Whether `email` may sign in under `hd`.
    fn admits(&self, email: &str) -> bool {
        self.domain().map_or(true, |d| {
            email
                .rsplit_once('@')
                .is_some_and(|(_, dom)| dom.eq_ignore_ascii_case(d))
        })
    }

    /// The hidden fields that carry the options through the form post.
    fn hidden_fields(&self) -> String {
        let mut out = String::new();
        for (name, value) in [("hd", &self.hd), ("hl", &self.hl), ("btmpl", &self.btmpl)] {
            if let Some(v) = value {
                out.push_str(&format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                    esc(v)
                ));
            }
        }
        out
    }

    /// The visible notes about `hd`, `hl`, `btmpl` and a callback in the URL.
    fn notes(&self, view: Option<&PendingView>) -> String {
        let mut notes = Vec::new();
        if let Some(d) = self.domain() {
            notes.push(format!(
                "Google Apps domain (hd): <strong>{}</strong>. Only accounts of this domain can sign in.",
                esc(d)
            ));
        }
        if let Some(hl) = &self.hl {
            notes.push(format!(
                "Language requested (hl): <strong>{}</strong>. This emulator shows English only.",
                esc(hl)
            ));
        }
        match self.btmpl.as_deref() {
            Some("mobile") => notes.push("Mobile layout (btmpl=mobile).".to_owned()),
            Some(other) => notes.push(format!(
                "btmpl={} is not supported (only <code>mobile</code> is); standard layout shown.",
                esc(other)
            )),
            None => {}
        }
        if let (Some(cb), Some(view)) = (&self.callback_param, view) {
            let same = matches!(&view.callback, Callback::Url(u) if u == cb)
                || (cb == "oob" && view.callback == Callback::Oob);
            if !same {
                notes.push(
                    "The oauth_callback in this URL is ignored: OAuth 1.0a uses the one given \
                     when the request token was issued."
                        .to_owned(),
                );
            }
        }
        notes
            .into_iter()
            .map(|n| format!("<p class=\"note\">{n}</p>\n"))
            .collect()
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_ECHO).collect()
}

/// What the page calls the application, and a caution when its identity is unverified
/// (Google's rules: the display name if given, marked unverified; a registered consumer's
/// key; for `anonymous`, the callback's host, else "anonymous").
fn app_name(view: &PendingView) -> (String, Option<&'static str>) {
    const UNVERIFIED: &str =
        "The identity of this application has not been verified by Google Accounts.";
    if let Some(d) = &view.display_name {
        return (d.clone(), Some(UNVERIFIED));
    }
    if view.consumer_key != ANONYMOUS_CONSUMER {
        return (view.consumer_key.clone(), None);
    }
    let host = match &view.callback {
        Callback::Url(u) => url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned)),
        Callback::Oob => None,
    };
    (
        host.unwrap_or_else(|| ANONYMOUS_CONSUMER.to_owned()),
        Some(UNVERIFIED),
    )
}

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;background:#f1f1f1;margin:0;color:#222}\
main{background:#fff;max-width:36em;margin:2em auto;padding:1.5em 2em;border:1px solid #ddd;border-radius:4px}\
h1{font-size:1.4em;margin-top:0}ul.scopes{background:#f8f8f8;padding:.5em 1em .5em 2em}\
.note{color:#555;font-size:.9em;border-left:3px solid #4285f4;padding-left:.6em}\
.warn{color:#a50e0e}.error{color:#a50e0e;font-weight:bold}\
label{display:block;margin:.6em 0}input[type=email],input[type=password]{width:100%;padding:.4em;box-sizing:border-box}\
.buttons{margin-top:1em}button{padding:.5em 1.4em;margin-right:.6em;font-size:1em}\
code#verifier{font-size:1.4em;background:#ffd;padding:.2em .4em}\
body.mobile main{max-width:none;margin:0;padding:.6em;border:0}\
body.mobile h1{font-size:1.1em}body.mobile button{display:block;width:100%;margin:.4em 0}";

/// A complete HTML document.
fn document(title: &str, opts: &Options, body: &str) -> String {
    let class = if opts.mobile() {
        " class=\"mobile\""
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} - Google Accounts (emulator)</title>\n<style>{STYLE}</style>\n</head>\n\
         <body{class}>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// A page with a title and a message (already HTML).
fn message_page(
    status: StatusCode,
    title: &str,
    message: &str,
    opts: &Options,
    note: String,
) -> Response {
    let body = format!(
        "<h1>{}</h1>\n{}<p>{message}</p>\n",
        esc(title),
        opts.notes(None)
    );
    let mut resp = html_response(status, document(title, opts, &body));
    resp.extensions_mut().insert(LogNote(note));
    resp
}

/// The page for a refused token or parameter.
fn problem_page(p: &Problem, opts: &Options) -> Response {
    message_page(
        p.status,
        "This request cannot be authorized",
        &format!(
            "{} <small>(oauth_problem={})</small>",
            esc(&p.advice),
            esc(p.problem)
        ),
        opts,
        format!("refused: oauth_problem={} ({})", p.problem, p.advice),
    )
}

/// The consent page with its sign-in form.
fn consent_page(
    app: &App,
    token: &str,
    view: &PendingView,
    opts: &Options,
    error: Option<&str>,
    email: Option<&str>,
) -> String {
    let (name, caution) = app_name(view);
    let eligible: Vec<&User> = app.users.iter().filter(|u| opts.admits(&u.email)).collect();
    let scopes: String = view
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>\n", esc(s)))
        .collect();
    let next = match &view.callback {
        Callback::Oob => {
            "After you approve, a verification code is shown for you to copy into the application."
                .to_owned()
        }
        Callback::Url(u) => {
            let host = url::Url::parse(u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| u.clone());
            format!(
                "After you answer, you will be sent back to <strong>{}</strong>.",
                esc(&host)
            )
        }
    };
    let accounts: String = eligible
        .iter()
        .map(|u| format!("<option value=\"{}\">", esc(&u.email)))
        .collect();
    let prefill = email
        .map(str::to_owned)
        .or_else(|| eligible.first().map(|u| u.email.clone()))
        .unwrap_or_default();
    let hint = if app.defaults_in_use {
        format!(
            "<p class=\"note\">Emulator default account: <code>{}</code> / <code>{}</code></p>\n",
            esc(DEFAULT_USER_EMAIL),
            esc(DEFAULT_USER_PASSWORD)
        )
    } else {
        String::new()
    };
    let no_account = if eligible.is_empty() {
        "<p class=\"warn\">No account of this domain exists on this emulator.</p>\n"
    } else {
        ""
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let caution = caution
        .map(|c| format!("<p class=\"warn\">{}</p>\n", esc(c)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Grant access to your Google Account</h1>\n\
         <p>The application <strong id=\"app-name\">{name}</strong> (consumer <code>{consumer}</code>) \
         is requesting access to:</p>\n<ul class=\"scopes\">\n{scopes}</ul>\n{caution}\
         <p>{next}</p>\n{notes}{error}\
         <form method=\"post\" action=\"OAuthAuthorizeToken\">\n\
         <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\n{hidden}\
         <label>Email <input type=\"email\" name=\"Email\" value=\"{prefill}\" list=\"accounts\" autocomplete=\"username\"></label>\n\
         <datalist id=\"accounts\">{accounts}</datalist>\n\
         <label>Password <input type=\"password\" name=\"Passwd\" autocomplete=\"current-password\"></label>\n\
         {no_account}{hint}<div class=\"buttons\">\
         <button type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Deny</button></div>\n\
         </form>\n",
        name = esc(&name),
        consumer = esc(&view.consumer_key),
        notes = opts.notes(Some(view)),
        token = esc(token),
        hidden = opts.hidden_fields(),
        prefill = esc(&prefill),
    );
    document("Grant access", opts, &body)
}

/// Adds `pairs` to the callback URL's query, keeping its own parameters.
fn callback_with(callback: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(callback).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (n, v) in pairs {
            q.append_pair(n, v);
        }
    }
    Some(url.into())
}

fn redirect(location: &str, note: String) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp.extensions_mut().insert(LogNote(note));
    resp
}

/// Approves `token` as `user` and answers: a redirect, or the page with the verifier.
fn approve(app: &App, token: &str, user: &str, opts: &Options) -> Response {
    let (callback, verifier) = match app.store.approve(token, user, app.now()) {
        Ok(x) => x,
        Err(p) => return problem_page(&p, opts),
    };
    let note = format!("request token approved by {user}");
    match callback {
        Callback::Url(cb) => {
            match callback_with(
                &cb,
                &[
                    ("oauth_token", token),
                    ("oauth_verifier", verifier.secret()),
                ],
            ) {
                Some(location) => redirect(&location, note),
                None => problem_page(&Problem::rejected("oauth_callback", "unusable URL"), opts),
            }
        }
        Callback::Oob => {
            let body = format!(
                "<h1>Access granted</h1>\n<p>You granted access to your account <strong>{}</strong>.</p>\n\
                 <p>Copy this verification code into the application:</p>\n\
                 <p><code id=\"verifier\">{}</code></p>\n",
                esc(user),
                esc(verifier.secret())
            );
            let mut resp = html_response(StatusCode::OK, document("Access granted", opts, &body));
            resp.extensions_mut().insert(LogNote(note));
            resp
        }
    }
}

/// Denies `token` and answers: a redirect with `oauth_problem=permission_denied`, or a page.
fn deny(app: &App, token: &str, opts: &Options) -> Response {
    let callback = match app.store.deny(token, app.now()) {
        Ok(c) => c,
        Err(p) => return problem_page(&p, opts),
    };
    let note = "request token denied by the user".to_owned();
    match callback {
        Callback::Url(cb) => match callback_with(
            &cb,
            &[
                ("oauth_token", token),
                ("oauth_problem", "permission_denied"),
            ],
        ) {
            Some(location) => redirect(&location, note),
            None => problem_page(&Problem::rejected("oauth_callback", "unusable URL"), opts),
        },
        Callback::Oob => message_page(
            StatusCode::OK,
            "Access denied",
            "You denied access. The application will not be able to use this request.",
            opts,
            note,
        ),
    }
}

/// `/accounts/OAuthAuthorizeToken`: GET shows the page (or auto-approves); POST with
/// `action=approve|deny` submits it (a POST without `action` shows the page).
pub async fn authorize(State(app): State<Arc<App>>, req: Request) -> Response {
    if !get_or_post(req.method()) {
        return method_not_allowed();
    }
    let empty = Options::default();
    let incoming = match Incoming::read(&app, req).await {
        Ok(i) => i,
        Err(p) => return problem_page(&p, &empty),
    };
    let params = match incoming.plain_params() {
        Ok(p) => p,
        Err(p) => return problem_page(&p, &empty),
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let opts = Options {
        hd: get("hd").map(clip),
        hl: get("hl").map(clip),
        btmpl: get("btmpl").map(clip),
        callback_param: get("oauth_callback").map(str::to_owned),
    };
    let Some(token) = get("oauth_token").filter(|t| !t.is_empty()) else {
        return problem_page(&Problem::absent("oauth_token"), &opts);
    };
    let action = if incoming.method == Method::POST {
        get("action")
    } else {
        None
    };
    match action {
        None => {
            let view = match app.store.pending(token, app.now()) {
                Ok(v) => v,
                Err(p) => return problem_page(&p, &opts),
            };
            if app.auto_approve {
                return match app.users.iter().find(|u| opts.admits(&u.email)) {
                    Some(u) => approve(&app, token, &u.email, &opts),
                    None => problem_page(
                        &Problem::new(
                            StatusCode::FORBIDDEN,
                            "permission_denied",
                            "auto-approve: no configured account belongs to the hd domain",
                        ),
                        &opts,
                    ),
                };
            }
            let mut resp = html_response(
                StatusCode::OK,
                consent_page(&app, token, &view, &opts, None, None),
            );
            resp.extensions_mut()
                .insert(LogNote("consent page shown".to_owned()));
            resp
        }
        Some("approve") => {
            let view = match app.store.pending(token, app.now()) {
                Ok(v) => v,
                Err(p) => return problem_page(&p, &opts),
            };
            let email = get("Email").unwrap_or_default().trim();
            let password = get("Passwd").unwrap_or_default();
            let user = app
                .user(email)
                .filter(|u| ct_eq(u.password.secret().as_bytes(), password.as_bytes()));
            let refuse = |status: StatusCode, msg: &str, note: &str| {
                let mut resp = html_response(
                    status,
                    consent_page(&app, token, &view, &opts, Some(msg), Some(email)),
                );
                resp.extensions_mut().insert(LogNote(note.to_owned()));
                resp
            };
            match user {
                None => refuse(
                    StatusCode::UNAUTHORIZED,
                    "The email or password you entered is incorrect.",
                    "refused: sign-in failed (wrong email or password)",
                ),
                Some(u) if !opts.admits(&u.email) => refuse(
                    StatusCode::FORBIDDEN,
                    "This account does not belong to the requested domain.",
                    "refused: account outside the hd domain",
                ),
                Some(u) => approve(&app, token, &u.email, &opts),
            }
        }
        Some("deny") => deny(&app, token, &opts),
        Some(_) => problem_page(
            &Problem::rejected("action", "must be approve or deny"),
            &opts,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_keeps_its_query_and_encodes_the_token() {
        let out = callback_with(
            "http://www.yoursite.com/Retrievetoken?Lang=de",
            &[("oauth_token", "4/ab+c"), ("oauth_verifier", "v")],
        )
        .unwrap();
        assert_eq!(
            out,
            "http://www.yoursite.com/Retrievetoken?Lang=de&oauth_token=4%2Fab%2Bc&oauth_verifier=v"
        );
    }

    #[test]
    fn hd_restricts_accounts() {
        let o = Options {
            hd: Some("Example.org".into()),
            ..Options::default()
        };
        assert!(o.admits("a@example.org"));
        assert!(!o.admits("a@example.com"));
        let d = Options {
            hd: Some("default".into()),
            ..Options::default()
        };
        assert!(d.admits("a@anything"));
    }

    #[test]
    fn display_name_rules() {
        let mut v = PendingView {
            consumer_key: "anonymous".into(),
            display_name: None,
            scopes: vec![],
            callback: Callback::Url("https://app.example/cb".into()),
        };
        assert_eq!(app_name(&v).0, "app.example");
        v.callback = Callback::Oob;
        assert_eq!(app_name(&v).0, "anonymous");
        v.consumer_key = "example.com".into();
        assert_eq!(app_name(&v), ("example.com".into(), None));
        v.display_name = Some("<b>Tool</b>".into());
        assert!(app_name(&v).1.is_some());
    }
}
