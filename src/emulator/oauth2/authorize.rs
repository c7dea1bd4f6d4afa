//! `/o/oauth2/auth`, Google's authorization endpoint for installed applications (RFC 6749
//! §4.1, PKCE RFC 7636): the request checked, the consent page in the shared frame of
//! [`crate::emulator::consent`] (sign in, *Approve* / *Deny*), the code sent back to a
//! loopback `redirect_uri`; and the `authorization_code` grant that exchanges the code at
//! the token endpoint.
//!
//! The page keeps no state: its form carries the request's parameters through the post,
//! and the post checks them again. Only an approval stores something, a code, in a bounded
//! table.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::pending::{Challenge, CodeGrant, CodeRefusal};
use super::state::Refusal;
use super::{invalid_grant, issued, missing, parse_scopes, refusal, TokenRequest, AUTH_PATH};
use crate::emulator::consent::{
    self, callback_with, consent_page, message_page, redirect, sent_back_to, ConsentRequest,
    PageOptions,
};
use crate::emulator::http::{accept, esc, html_response, noted};
use crate::emulator::App;
use crate::encoding::Form;
use crate::oauth2::pkce::{is_valid_verifier, s256_challenge};
use crate::secret::ct_eq;

/// The request's parameters, carried through the consent form's post.
const CARRIED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "access_type",
    "include_granted_scopes",
    "prompt",
    "login_hint",
];

/// Longest `redirect_uri` accepted.
const MAX_REDIRECT_URI: usize = 2048;

/// An HTML error page, status 400, that does not redirect: Google's "Error 400: …" for a
/// request whose client or `redirect_uri` cannot be trusted (RFC 6749 §4.1.2.1).
fn error_page(title: &str, message: &str, opts: &PageOptions) -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        title,
        &esc(message),
        opts,
        format!("refused: {title}: {message}"),
    )
}

/// Whether `uri` is a loopback redirect: `http://127.0.0.1[:port]/…` (any of 127/8),
/// `http://localhost[:port]/…` or `http://[::1][:port]/…`, without user info or fragment
/// (RFC 6749 §3.1.2; RFC 8252 §7.3, which lets the port vary).
fn is_loopback_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    let host_ok = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    uri.len() <= MAX_REDIRECT_URI
        && url.scheme() == "http"
        && host_ok
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
}

/// A checked authorization request.
struct AuthRequest<'a> {
    client_id: &'a str,
    redirect_uri: &'a str,
    state: Option<&'a str>,
    scopes: Vec<String>,
    challenge: Option<Challenge>,
    offline: bool,
    include_granted: bool,
    /// `prompt=none`: no page may be shown.
    silent: bool,
    login_hint: Option<&'a str>,
    /// The carried parameters, for the form.
    hidden: Vec<(&'a str, &'a str)>,
}

impl AuthRequest<'_> {
    /// A 302 back to the application with `pairs` and the `state` (RFC 6749 §4.1.2).
    fn back(&self, pairs: &[(&str, &str)], note: String) -> Response {
        let mut all = pairs.to_vec();
        if let Some(s) = self.state {
            all.push(("state", s));
        }
        match callback_with(self.redirect_uri, &all) {
            Some(location) => redirect(&location, note),
            None => error_page(
                "Error 400: redirect_uri_mismatch",
                "The redirect_uri is not a usable URL.",
                &PageOptions::default(),
            ),
        }
    }

    /// A 302 back with `error` (RFC 6749 §4.1.2.1); `why` goes to the log only.
    fn refuse(&self, error: &str, why: &str) -> Response {
        self.back(&[("error", error)], format!("refused: {error}: {why}"))
    }
}

/// An error found after the redirect is known to be safe: answered by a redirect.
struct Redirected {
    error: &'static str,
    why: String,
}

fn invalid_request(why: impl Into<String>) -> Redirected {
    Redirected {
        error: "invalid_request",
        why: why.into(),
    }
}

/// Checks the client and `redirect_uri` (an HTML page when they fail: nothing may be sent
/// to an unchecked URL), then the rest (a redirect with `error` when it fails).
// The refusal is answered at once; boxing it would only add an allocation.
#[allow(clippy::result_large_err)]
fn read_request<'a>(
    app: &App,
    form: &'a Form,
    opts: &PageOptions,
) -> Result<AuthRequest<'a>, Response> {
    let mut hidden = Vec::new();
    for name in CARRIED {
        match form.single(name) {
            Ok(Some(v)) => hidden.push((*name, v)),
            Ok(None) => {}
            Err(_) => {
                return Err(error_page(
                    "Error 400: invalid_request",
                    &format!("Parameter {name} is given more than once."),
                    opts,
                ))
            }
        }
    }
    let get = |name: &str| hidden.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let Some(client_id) = get("client_id") else {
        return Err(error_page(
            "Error 400: invalid_request",
            "Missing required parameter: client_id",
            opts,
        ));
    };
    if !app.oauth2.client_known(client_id) {
        return Err(error_page(
            "Error 401: invalid_client",
            "The OAuth client was not found.",
            opts,
        ));
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(error_page(
            "Error 400: invalid_request",
            "Missing required parameter: redirect_uri",
            opts,
        ));
    };
    if !is_loopback_redirect(redirect_uri) {
        return Err(error_page(
            "Error 400: redirect_uri_mismatch",
            "This emulator sends codes only to a loopback redirect_uri: \
             http://127.0.0.1:PORT/…, http://localhost:PORT/… or http://[::1]:PORT/…",
            opts,
        ));
    }
    let mut request = AuthRequest {
        client_id,
        redirect_uri,
        state: get("state"),
        scopes: Vec::new(),
        challenge: None,
        offline: false,
        include_granted: get("include_granted_scopes") == Some("true"),
        silent: false,
        login_hint: get("login_hint"),
        hidden: hidden.clone(),
    };
    match check_rest(&get, &mut request) {
        Ok(()) => Ok(request),
        Err(r) => Err(request.refuse(r.error, &r.why)),
    }
}

/// The checks whose failure is sent back to the application.
fn check_rest<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
    request: &mut AuthRequest<'_>,
) -> Result<(), Redirected> {
    match get("response_type") {
        Some("code") => {}
        None => return Err(invalid_request("Missing required parameter: response_type")),
        Some(_) => {
            return Err(Redirected {
                error: "unsupported_response_type",
                why: "only response_type=code is served".into(),
            })
        }
    }
    request.scopes = parse_scopes(get("scope")).map_err(|why| Redirected {
        error: "invalid_scope",
        why: why.into(),
    })?;
    // RFC 7636 §4.3: a challenge without a method is `plain`; §4.2: 43 to 128 unreserved
    // characters, the verifier's own rule.
    request.challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(invalid_request(
                "code_challenge_method without code_challenge",
            ))
        }
        (Some(c), _) if !is_valid_verifier(c) => {
            return Err(invalid_request(
                "code_challenge must be 43 to 128 unreserved characters (RFC 7636 §4.2)",
            ))
        }
        (Some(c), Some("S256")) => Some(Challenge::S256(c.to_owned())),
        (Some(c), Some("plain") | None) => Some(Challenge::Plain(c.to_owned())),
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                "code_challenge_method must be S256 or plain",
            ))
        }
    };
    request.offline = match get("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(_) => return Err(invalid_request("access_type must be online or offline")),
    };
    let prompts: Vec<&str> = get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|p| !p.is_empty())
        .collect();
    if !prompts
        .iter()
        .all(|p| matches!(*p, "none" | "consent" | "select_account"))
        || (prompts.contains(&"none") && prompts.len() > 1)
    {
        return Err(invalid_request(
            "prompt is none, or any of consent and select_account",
        ));
    }
    request.silent = prompts == ["none"];
    Ok(())
}

/// Approves `request` as `user`: a code, and a 302 back with it.
fn approve(app: &App, request: &AuthRequest<'_>, user: &str) -> Response {
    // Incremental authorization: the scopes this user granted this client before come
    // along, then the new ones.
    let scopes = if request.include_granted {
        let mut all = app.oauth2.store.granted_scopes(request.client_id, user);
        for s in &request.scopes {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
        all
    } else {
        request.scopes.clone()
    };
    let issued = app.oauth2.codes.issue(
        CodeGrant {
            client_id: request.client_id.to_owned(),
            redirect_uri: request.redirect_uri.to_owned(),
            user: user.to_owned(),
            scopes,
            challenge: request.challenge.clone(),
            offline: request.offline,
        },
        app.now(),
    );
    let Ok(code) = issued else {
        // RFC 6749 §4.1.2.1: a 503 cannot reach the application through a redirect; this
        // error code says the same.
        return request.refuse(
            "temporarily_unavailable",
            "the state store could not be written; no code was issued",
        );
    };
    request.back(
        &[("code", &code)],
        format!("code issued to {} for {user}", request.client_id),
    )
}

/// The consent page for `request`.
fn page(
    app: &App,
    request: &AuthRequest<'_>,
    opts: &PageOptions,
    error: Option<&str>,
    email: Option<&str>,
) -> String {
    let mut notes = Vec::new();
    if request.offline {
        notes.push(
            "Offline access (access_type=offline): the application also gets a refresh token."
                .to_owned(),
        );
    }
    if request.include_granted {
        notes.push(
            "include_granted_scopes=true: the access you granted this application before is \
             included."
                .to_owned(),
        );
    }
    let consent = ConsentRequest {
        app_name: request.client_id,
        client: ("client", request.client_id),
        scopes: &request.scopes,
        caution: None,
        next: &sent_back_to(request.redirect_uri),
        notes,
        action: AUTH_PATH,
        hidden: &request.hidden,
    };
    consent_page(
        &app.accounts,
        &consent,
        opts,
        error,
        email.or(request.login_hint),
    )
}

/// `/o/oauth2/auth`: GET shows the consent page (or, with auto-approve, answers at once);
/// POST with `action=approve|deny` submits it.
pub async fn authorize(State(app): State<Arc<App>>, req: Request) -> Response {
    let empty = PageOptions::default();
    let incoming = match accept(&app, req, |e, _| {
        error_page("Error 400: invalid_request", &e.to_string(), &empty)
    })
    .await
    {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let form = match incoming.plain_params() {
        Ok(f) => f,
        Err(e) => return error_page("Error 400: invalid_request", &e.to_string(), &empty),
    };
    let opts = PageOptions::from_form(&form);
    let request = match read_request(&app, &form, &opts) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let action = match consent::posted_action(
        &app.accounts,
        &incoming.method,
        &form,
        AUTH_PATH,
        &request.hidden,
        &opts,
    ) {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    match action {
        None if app.auto_approve => match app.accounts.in_domain(opts.domain()).next() {
            Some(u) => approve(&app, &request, &u.email),
            None => request.refuse("access_denied", "auto-approve: no account of the hd domain"),
        },
        // OpenID Connect Core §3.1.2.6: the emulator keeps no sign-in session, so a page
        // that may not be shown cannot be answered.
        None if request.silent => request.refuse("login_required", "prompt=none"),
        None => noted(
            html_response(StatusCode::OK, page(&app, &request, &opts, None, None)),
            "consent page shown",
        ),
        Some("approve") => consent::sign_in(
            &app.accounts,
            &form,
            &opts,
            app.now(),
            |error, email| page(&app, &request, &opts, Some(error), Some(email)),
            |user| approve(&app, &request, &user.email),
        ),
        Some("deny") => request.refuse("access_denied", "the user denied"),
        Some(_) => request.refuse("invalid_request", "action must be approve or deny"),
    }
}

/// RFC 7636 §4.6: the verifier sent with the exchange against the challenge of the
/// authorization request, compared in constant time.
fn verifier_matches(challenge: &Challenge, verifier: &str) -> bool {
    if !is_valid_verifier(verifier) {
        return false;
    }
    match challenge {
        Challenge::S256(c) => ct_eq(s256_challenge(verifier).as_bytes(), c.as_bytes()),
        Challenge::Plain(c) => ct_eq(verifier.as_bytes(), c.as_bytes()),
    }
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3): `code`, the same `redirect_uri`, the
/// client the code was issued to, and the PKCE `code_verifier` when a challenge was sent.
pub(super) fn exchange(app: &App, request: &TokenRequest, now: u64) -> Response {
    let form = &request.form;
    let Some(code) = form.first("code") else {
        return missing("code");
    };
    let Some(redirect_uri) = form.first("redirect_uri") else {
        return missing("redirect_uri");
    };
    let grant = match app.oauth2.codes.take(code, now) {
        Ok(g) => g,
        Err(CodeRefusal::Unknown) => return invalid_grant("Malformed auth code."),
        Err(CodeRefusal::Expired) => return invalid_grant("The authorization code has expired."),
        Err(CodeRefusal::Reused(issued)) => {
            // RFC 6749 §4.1.2: a code used twice revokes what it issued. When that cannot
            // be written the grant stays, and so does the code's record of it: the 503
            // invites the retry that ends it.
            if let Some(Err(r)) = issued.map(|id| app.oauth2.store.end(id)) {
                return refusal(r);
            }
            return invalid_grant("The authorization code was already redeemed.");
        }
        Err(CodeRefusal::Unavailable) => return refusal(Refusal::Unavailable),
    };
    if grant.client_id != request.client_id {
        return invalid_grant("The authorization code was issued to another client.");
    }
    if grant.redirect_uri != redirect_uri {
        return invalid_grant(
            "redirect_uri differs from the authorization request's (RFC 6749 §4.1.3)",
        );
    }
    let verifier = form.first("code_verifier");
    match (&grant.challenge, verifier) {
        (None, None) => {}
        (Some(_), None) => return invalid_grant("Missing code verifier."),
        // A verifier for a code asked without a challenge: a downgrade (RFC 9700 §2.1.1).
        (None, Some(_)) => {
            return invalid_grant("code_verifier sent, but the code was asked without PKCE.")
        }
        (Some(c), Some(v)) if !verifier_matches(c, v) => {
            return invalid_grant("Invalid code verifier.")
        }
        (Some(_), Some(_)) => {}
    }
    match app.oauth2.store.grant(
        &request.client_id,
        &grant.user,
        grant.scopes,
        grant.offline,
        now,
    ) {
        Ok(i) => {
            if app.oauth2.codes.issued(code, i.grant).is_err() {
                // Without the code's record of its grant, a reuse could not end it: the
                // grant ends now, unanswered (its tokens were never sent), and the code is
                // fresh again for the retry the 503 invites. Best effort: with the disk
                // still failing, the grant's tokens are known to nobody and the code stays
                // spent.
                let _ = app.oauth2.store.end(i.grant);
                let _ = app.oauth2.codes.unspend(code);
                return refusal(Refusal::Unavailable);
            }
            issued(i)
        }
        Err(Refusal::Unavailable) => {
            // Nothing was issued: the code is fresh again, so the retry the 503 invites
            // succeeds (best effort, on the same disk).
            let _ = app.oauth2.codes.unspend(code);
            refusal(Refusal::Unavailable)
        }
        Err(r) => refusal(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects() {
        for ok in [
            "http://127.0.0.1:8080/cb",
            "http://127.0.0.1/",
            "http://localhost:1234/cb?x=1",
            "http://LOCALHOST:1/",
            "http://[::1]:9/cb",
            "http://127.1.2.3:5/",
        ] {
            assert!(is_loopback_redirect(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:8080/cb",
            "http://example.com/cb",
            "http://127.0.0.1.example.com/cb",
            "http://localhost.evil/cb",
            "http://user@127.0.0.1/cb",
            "http://127.0.0.1/cb#frag",
            "urn:ietf:wg:oauth:2.0:oob",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!is_loopback_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn pkce_verifiers() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        // RFC 7636 Appendix B.
        let s256 = Challenge::S256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into());
        assert!(verifier_matches(&s256, v));
        assert!(!verifier_matches(&s256, &v.replace('d', "e")));
        let plain = Challenge::Plain(v.into());
        assert!(verifier_matches(&plain, v));
        assert!(!verifier_matches(&plain, "short"));
    }
}
