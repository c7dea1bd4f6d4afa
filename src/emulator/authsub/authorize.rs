//! `/accounts/AuthSubRequest`: AuthSub's consent page, in the shared frame of
//! [`crate::emulator::consent`], and its form submission. Approval issues a single-use token
//! and redirects (302) to `next` with `token=` added to its own query; *Deny* redirects to
//! `next` without one. A request whose `next` the emulator will not send a token to is
//! answered with an HTML page (400), never a redirect (SECURITY.md §3, open redirect).
//!
//! The `next` rules, in the emulator's module documentation: the library's [`NextUrl`]
//! checks; a secure token only for a registered domain with a certificate; a non-secure one
//! for any registered domain, or a loopback host (the only case where plain `http` is
//! accepted, for tests and the demo).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::authsub::{NextUrl, NextUrlError};
use crate::encoding::Form;

use crate::emulator::consent::{
    self, callback_with, consent_page, message_page, redirect, sent_back_to, ConsentRequest,
    PageOptions,
};
use crate::emulator::feeds::{parse_scopes, BadScopes};
use crate::emulator::http::{accept, esc, html_response, noted};
use crate::emulator::App;

use super::state::{Approved, Refused};
use super::Registration;

/// Where the consent form posts: this page's own path, relative to it.
const ACTION: &str = "AuthSubRequest";
/// Longest `next` URL, in bytes.
const MAX_NEXT_LEN: usize = 2048;

/// Why an `AuthSubRequest` is refused: a domain outcome, shown as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotAsked {
    /// A parameter is absent.
    Missing(&'static str),
    /// A parameter is given more than once.
    Repeated(&'static str),
    /// `secure` or `session` other than `0` or `1`.
    BadFlag(&'static str),
    /// `next` fails the library's checks.
    BadNext(NextUrlError),
    /// `next` is longer than [`MAX_NEXT_LEN`].
    NextTooLong,
    /// Plain `http` to a host other than loopback.
    PlainHttp,
    /// A secure token for a host that is not a domain registered with a certificate.
    NotRegisteredForSecure,
    /// A non-secure token for a host that is neither registered nor loopback.
    NotRegistered,
    /// The scopes are refused.
    Scopes(BadScopes),
    /// The form's `action` is neither `approve` nor `deny`.
    BadAction,
}

impl NotAsked {
    /// The page's message (plain text).
    fn message(self) -> String {
        match self {
            Self::Missing(p) => format!("The {p} parameter is missing."),
            Self::Repeated(p) => format!("The {p} parameter is given more than once."),
            Self::BadFlag(p) => format!("The {p} parameter must be 0 or 1."),
            Self::BadNext(e) => format!("The next URL is refused: {e}."),
            Self::NextTooLong => "The next URL is longer than 2048 bytes.".to_owned(),
            Self::PlainHttp => "The next URL is plain http; only https is accepted (plain http \
                                only for a loopback host, for tests)."
                .to_owned(),
            Self::NotRegisteredForSecure => "A secure token is issued only to a registered \
                domain with an uploaded certificate, and the next URL's host is not one."
                .to_owned(),
            Self::NotRegistered => "The next URL's host is not a registered domain (nor a \
                                    loopback host); no token is sent there."
                .to_owned(),
            Self::Scopes(e) => format!("The scope parameter is refused: {e}."),
            Self::BadAction => "The form's action must be approve or deny.".to_owned(),
        }
    }
}

/// The page for a refused request: 400, never a redirect.
fn refused_page(why: NotAsked, opts: &PageOptions) -> Response {
    let message = why.message();
    message_page(
        StatusCode::BAD_REQUEST,
        "This request cannot be authorized",
        &esc(&message),
        opts,
        format!("refused: AuthSubRequest ({message})"),
    )
}

/// Whether `host` (as [`NextUrl::host`] gives it) is a loopback host.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A checked `AuthSubRequest`.
struct Asked {
    next: NextUrl,
    scopes: Vec<String>,
    secure: bool,
    session: bool,
    registered: bool,
}

impl Asked {
    /// Reads and checks `next`, `scope`, `secure` and `session`.
    fn read(app: &App, form: &Form) -> Result<Self, NotAsked> {
        let single = |name: &'static str| form.single(name).map_err(|_| NotAsked::Repeated(name));
        let flag = |name: &'static str| match single(name)? {
            None | Some("0") => Ok(false),
            Some("1") => Ok(true),
            Some(_) => Err(NotAsked::BadFlag(name)),
        };
        let raw_next = single("next")?.ok_or(NotAsked::Missing("next"))?;
        if raw_next.len() > MAX_NEXT_LEN {
            return Err(NotAsked::NextTooLong);
        }
        let next = NextUrl::dangerous_allow_http(raw_next).map_err(NotAsked::BadNext)?;
        let scopes = parse_scopes(single("scope")?.ok_or(NotAsked::Missing("scope"))?)
            .map_err(NotAsked::Scopes)?;
        let (secure, session) = (flag("secure")?, flag("session")?);
        let loopback = is_loopback(next.host());
        if next.as_str().starts_with("http:") && !loopback {
            return Err(NotAsked::PlainHttp);
        }
        let registration = app.authsub.registration(next.host());
        if secure && registration != Registration::WithCertificate {
            return Err(NotAsked::NotRegisteredForSecure);
        }
        if registration == Registration::None && !loopback {
            return Err(NotAsked::NotRegistered);
        }
        Ok(Self {
            next,
            scopes,
            secure,
            session,
            registered: registration != Registration::None,
        })
    }

    /// The fields that carry the request through the form post (and name it in the
    /// page's CSRF token).
    fn hidden(&self) -> [(&'static str, String); 4] {
        let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
        [
            ("next", self.next.as_str().to_owned()),
            ("scope", self.scopes.join(" ")),
            ("secure", flag(self.secure)),
            ("session", flag(self.session)),
        ]
    }

    /// The consent page with its sign-in form.
    fn page(
        &self,
        app: &App,
        opts: &PageOptions,
        error: Option<&str>,
        email: Option<&str>,
    ) -> String {
        let host = self.next.host();
        let mut notes = Vec::new();
        if self.secure {
            notes.push(
                "Secure token: every request the application makes with it is signed with \
                 its registered key."
                    .to_owned(),
            );
        }
        if !self.session {
            notes.push("session=0: the token cannot be exchanged for a session token.".to_owned());
        }
        let caution = (!self.registered).then_some(
            "This web application is not registered with Google Accounts (a loopback host, \
             accepted for testing).",
        );
        let hidden = self.hidden();
        let hidden: Vec<(&str, &str)> = hidden.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let request = ConsentRequest {
            app_name: host,
            client: ("web application", host),
            scopes: &self.scopes,
            caution,
            next: &sent_back_to(self.next.as_str()),
            notes,
            action: ACTION,
            hidden: &hidden,
        };
        consent_page(&app.accounts, &request, opts, error, email)
    }

    /// Issues a single-use token for `user` and redirects to `next` with it.
    fn approve(&self, app: &App, user: &str, opts: &PageOptions) -> Response {
        let host = self.next.host().to_owned();
        let approved = Approved {
            user: user.to_owned(),
            target: host.clone(),
            scopes: self.scopes.clone(),
            secure: self.secure,
            session: self.session,
        };
        match app.authsub.store.issue(approved, app.now()) {
            Ok(token) => match callback_with(self.next.as_str(), &[("token", &token)]) {
                Some(location) => redirect(
                    &location,
                    format!("AuthSub single-use token approved by {user} for {host}"),
                ),
                None => refused_page(NotAsked::BadNext(NextUrlError::NotAbsolute), opts),
            },
            // The store refuses an issue only when its tables are full or its state store
            // could not be written (then nothing was issued).
            Err(Refused::Unavailable) => {
                let mut resp = message_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again later",
                    "The token could not be stored; nothing was issued.",
                    opts,
                    "refused: AuthSub state store unavailable".to_owned(),
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                resp
            }
            Err(_) => message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again later",
                "Too many AuthSub tokens are outstanding.",
                opts,
                "refused: AuthSub token table full".to_owned(),
            ),
        }
    }
}

/// `/accounts/AuthSubRequest`: GET shows the page (or auto-approves); POST with
/// `action=approve|deny` submits it (a POST without `action` shows the page).
pub async fn request(State(app): State<Arc<App>>, req: Request) -> Response {
    let empty = PageOptions::default();
    let incoming = match accept(&app, req, |e, _| {
        message_page(
            e.status(),
            "This request cannot be authorized",
            &esc(&e.to_string()),
            &empty,
            format!("refused: AuthSubRequest ({e})"),
        )
    })
    .await
    {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let form = match incoming.plain_params() {
        Ok(f) => f,
        Err(e) => {
            return message_page(
                e.status(),
                "This request cannot be authorized",
                &esc(&e.to_string()),
                &empty,
                format!("refused: AuthSubRequest ({e})"),
            )
        }
    };
    let opts = PageOptions::from_form(&form);
    let asked = match Asked::read(&app, &form) {
        Ok(a) => a,
        Err(why) => return refused_page(why, &opts),
    };
    let hidden = asked.hidden();
    let hidden: Vec<(&str, &str)> = hidden.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let action = match consent::posted_action(
        &app.accounts,
        &incoming.method,
        &form,
        ACTION,
        &hidden,
        &opts,
    ) {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    match action {
        None if app.auto_approve => match app.accounts.in_domain(opts.domain()).next() {
            Some(u) => asked.approve(&app, &u.email, &opts),
            None => message_page(
                StatusCode::FORBIDDEN,
                "This request cannot be authorized",
                "auto-approve: no configured account belongs to the hd domain",
                &opts,
                "refused: auto-approve found no account of the hd domain".to_owned(),
            ),
        },
        None => noted(
            html_response(StatusCode::OK, asked.page(&app, &opts, None, None)),
            "AuthSub consent page shown",
        ),
        Some("approve") => consent::sign_in(
            &app.accounts,
            &form,
            &opts,
            app.now(),
            |error, email| asked.page(&app, &opts, Some(error), Some(email)),
            |user| asked.approve(&app, &user.email, &opts),
        ),
        Some("deny") => redirect(
            asked.next.as_str(),
            "AuthSub request denied by the user".to_owned(),
        ),
        Some(_) => refused_page(NotAsked::BadAction, &opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "[::2]", "localhost.example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
