//! `/accounts/OAuthAuthorizeToken`: OAuth 1.0a's consent page, in the shared frame of
//! [`crate::emulator::consent`], and its form submission (approve with email and password, or
//! deny). See the emulator's module documentation for the behaviour of `hd`, `hl`, `btmpl`,
//! deny and auto-approve.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::oauth1::Callback;

use crate::emulator::consent::{
    self, callback_with, consent_page, host_of, message_page, redirect, sent_back_to,
    ConsentRequest, PageOptions,
};
use crate::emulator::http::{accept, esc, html_response, noted};
use crate::emulator::App;

use super::state::PendingView;
use super::wire::Problem;
use super::ANONYMOUS_CONSUMER;

/// Where the consent form posts: this page's own path, relative to it.
const ACTION: &str = "OAuthAuthorizeToken";

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
        Callback::Url(u) => host_of(u),
        Callback::Oob => None,
    };
    (
        host.unwrap_or_else(|| ANONYMOUS_CONSUMER.to_owned()),
        Some(UNVERIFIED),
    )
}

/// The note for an `oauth_callback` in the authorize URL that differs from the request
/// token's: OAuth 1.0a takes the callback at the request-token step (which closes the 2009.1
/// session-fixation hole), so this one is ignored.
fn callback_note(callback_param: Option<&str>, view: &PendingView) -> Option<String> {
    let given = callback_param?;
    (view.callback.as_str() != given).then(|| {
        "The oauth_callback in this URL is ignored: OAuth 1.0a uses the one given \
         when the request token was issued."
            .to_owned()
    })
}

/// The page for a refused token or parameter.
fn problem_page(p: &Problem, opts: &PageOptions) -> Response {
    let mut page = message_page(
        p.status,
        "This request cannot be authorized",
        &format!(
            "{} <small>(oauth_problem={})</small>",
            esc(&p.advice),
            esc(p.problem)
        ),
        opts,
        format!("refused: oauth_problem={} ({})", p.problem, p.advice),
    );
    // The problem's own headers (`Retry-After` on a 503) go with the page too.
    for (name, value) in &p.headers {
        if let Ok(value) = axum::http::HeaderValue::from_str(value) {
            page.headers_mut().insert(name.clone(), value);
        }
    }
    page
}

/// The request being authorized, as the consent page shows it.
struct Asking<'a> {
    token: &'a str,
    view: PendingView,
    /// `oauth_callback` from the authorize URL, if any (only noted, never used).
    callback_param: Option<&'a str>,
}

impl Asking<'_> {
    /// The consent page with its sign-in form.
    fn page(
        &self,
        app: &App,
        opts: &PageOptions,
        error: Option<&str>,
        email: Option<&str>,
    ) -> String {
        let (name, caution) = app_name(&self.view);
        let next = match &self.view.callback {
            Callback::Oob => "After you approve, a verification code is shown for you to copy \
                              into the application."
                .to_owned(),
            Callback::Url(u) => sent_back_to(u),
        };
        let request = ConsentRequest {
            app_name: &name,
            client: ("consumer", &self.view.consumer_key),
            scopes: &self.view.scopes,
            caution,
            next: &next,
            notes: callback_note(self.callback_param, &self.view)
                .into_iter()
                .collect(),
            action: ACTION,
            hidden: &[("oauth_token", self.token)],
        };
        consent_page(&app.accounts, &request, opts, error, email)
    }
}

/// Approves `token` as `user` and answers: a redirect, or the page with the verifier.
fn approve(app: &App, token: &str, user: &str, opts: &PageOptions) -> Response {
    let (callback, verifier) = match app.oauth1.store.approve(token, user, app.now()) {
        Ok(x) => x,
        Err(r) => return problem_page(&r.into(), opts),
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
            noted(
                html_response(
                    StatusCode::OK,
                    consent::document("Access granted", opts, &body),
                ),
                note,
            )
        }
    }
}

/// Denies `token` and answers: a redirect with `oauth_problem=permission_denied`, or a page.
fn deny(app: &App, token: &str, opts: &PageOptions) -> Response {
    let callback = match app.oauth1.store.deny(token, app.now()) {
        Ok(c) => c,
        Err(r) => return problem_page(&r.into(), opts),
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
    let empty = PageOptions::default();
    let incoming = match accept(&app, req, |e, _| problem_page(&e.into(), &empty)).await {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let form = match incoming.plain_params() {
        Ok(f) => f,
        Err(e) => return problem_page(&e.into(), &empty),
    };
    let opts = PageOptions::from_form(&form);
    let Some(token) = form.first("oauth_token").filter(|t| !t.is_empty()) else {
        return problem_page(&Problem::absent("oauth_token"), &opts);
    };
    let action = match consent::posted_action(
        &app.accounts,
        &incoming.method,
        &form,
        ACTION,
        &[("oauth_token", token)],
        &opts,
    ) {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    let asking = || {
        app.oauth1
            .store
            .pending(token, app.now())
            .map(|view| Asking {
                token,
                view,
                callback_param: form.first("oauth_callback"),
            })
    };
    match action {
        None => {
            let asking = match asking() {
                Ok(a) => a,
                Err(r) => return problem_page(&r.into(), &opts),
            };
            if app.auto_approve {
                return match app.accounts.in_domain(opts.domain()).next() {
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
            noted(
                html_response(StatusCode::OK, asking.page(&app, &opts, None, None)),
                "consent page shown",
            )
        }
        Some("approve") => {
            let asking = match asking() {
                Ok(a) => a,
                Err(r) => return problem_page(&r.into(), &opts),
            };
            consent::sign_in(
                &app.accounts,
                &form,
                &opts,
                app.now(),
                |error, email| asking.page(&app, &opts, Some(error), Some(email)),
                |user| approve(&app, token, &user.email, &opts),
            )
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

    #[test]
    fn a_differing_callback_in_the_url_is_noted() {
        let v = PendingView {
            consumer_key: "c".into(),
            display_name: None,
            scopes: vec![],
            callback: Callback::Url("https://app.example/cb".into()),
        };
        assert!(callback_note(None, &v).is_none());
        assert!(callback_note(Some("https://app.example/cb"), &v).is_none());
        assert!(callback_note(Some("oob"), &v).is_some());
        let oob = PendingView {
            callback: Callback::Oob,
            ..v
        };
        assert!(callback_note(Some("oob"), &oob).is_none());
        assert!(callback_note(Some("https://app.example/cb"), &oob).is_some());
    }
}
