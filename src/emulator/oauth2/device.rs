//! The device flow (RFC 8628) as Google serves it to TVs and command-line tools:
//! `POST /o/oauth2/device/code` issues a device code and a user code (§3.1, §3.2); the user
//! opens `/device`, enters the code and approves in the shared consent frame (§3.3); the
//! device polls the token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
//! (§3.4) and gets Google's answers: 428 `authorization_pending`, 403 `slow_down`, 403
//! `access_denied`, 400 `expired_token` (§3.5), then the tokens, with a refresh token, once.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use super::pending::{normalize_user_code, IssueRefusal, PollRefusal, UserCodeRefusal};
use super::state::Refusal;
use super::{
    accept_form, error, invalid_client, invalid_grant, issued_or, json, missing, parse_scopes,
    presented_client, refusal, TokenRequest, DEVICE_PATH, UNAVAILABLE_RETRY_AFTER,
};
use crate::emulator::consent::{
    self, consent_page, document, message_page, ConsentRequest, PageOptions,
};
use crate::emulator::http::{accept, esc, html_response, noted};
use crate::emulator::App;

/// `POST /o/oauth2/device/code`: `client_id` (in the body or HTTP Basic; a secret, when
/// sent, must be right) and `scope`. Answers `device_code`, `user_code`,
/// `verification_url`, `expires_in` and `interval` (RFC 8628 §3.2, Google's key names).
pub async fn device_code(State(app): State<Arc<App>>, req: Request) -> Response {
    let (incoming, form) = match accept_form(&app, req).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let client = match presented_client(&incoming, &form) {
        Ok(Some(c)) => c,
        Ok(None) => return invalid_client("The OAuth client was not found."),
        Err(resp) => return resp,
    };
    // Google's device clients are public: no secret is needed, but a wrong one is refused.
    let known = match &client.secret {
        Some(s) => app.oauth2.client_ok(&client.id, s),
        None => app.oauth2.client_known(&client.id),
    };
    if !known {
        return invalid_client("The OAuth client was not found.");
    }
    let scopes = match parse_scopes(form.first("scope")) {
        Ok(s) => s,
        Err(why) => return error(StatusCode::BAD_REQUEST, "invalid_scope", why),
    };
    let o = &app.oauth2;
    let codes = match o.devices.issue(
        &client.id,
        scopes,
        app.now(),
        o.device_lifetime,
        o.device_interval,
    ) {
        Ok(c) => c,
        Err(IssueRefusal::Busy) => {
            // Refused rather than evicting a device whose user may be answering now.
            let mut resp = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "too many pending device codes for this client; retry later",
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            return resp;
        }
        Err(IssueRefusal::Unavailable) => return refusal(Refusal::Unavailable),
    };
    let body = serde_json::json!({
        "device_code": codes.device_code,
        "user_code": codes.user_code,
        "verification_url": format!("{}{DEVICE_PATH}", app.realm()),
        "expires_in": o.device_lifetime,
        "interval": o.device_interval,
    });
    noted(
        json(StatusCode::OK, &body),
        format!("device code issued to {}", client.id),
    )
}

/// The page where the user types the code, with `error` above the form.
fn entry_page(status: StatusCode, error: Option<&str>, opts: &PageOptions) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Connect a device</h1>\n<p>Enter the code your device shows.</p>\n{error}\
         <form method=\"get\" action=\"{DEVICE_PATH}\">\n\
         <label>Code <input type=\"text\" name=\"user_code\" id=\"user_code\" \
         autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" \
         placeholder=\"XXXX-XXXX\"></label>\n\
         <div class=\"buttons\"><button type=\"submit\" id=\"continue\">Next</button></div>\n\
         </form>\n"
    );
    noted(
        html_response(status, document("Connect a device", opts, &body)),
        "device code page shown",
    )
}

/// The entry page again, for a code that cannot be answered.
fn refused(r: UserCodeRefusal, opts: &PageOptions) -> Response {
    let (status, message) = match r {
        UserCodeRefusal::Unknown => (StatusCode::NOT_FOUND, "That code is not valid."),
        UserCodeRefusal::Expired => (StatusCode::BAD_REQUEST, "That code has expired."),
        UserCodeRefusal::Answered => (StatusCode::CONFLICT, "That code has been used already."),
        UserCodeRefusal::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Your answer could not be saved. Try again in a moment.",
        ),
    };
    let mut resp = entry_page(status, Some(message), opts);
    if r == UserCodeRefusal::Unavailable {
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER),
        );
    }
    noted(resp, format!("refused: user code: {message}"))
}

/// The answer recorded: approved as `user`, or denied (`None`).
fn answer(app: &App, user_code: &str, user: Option<&str>, opts: &PageOptions) -> Response {
    if let Err(r) = app.oauth2.devices.answer(user_code, user, app.now()) {
        return refused(r, opts);
    }
    match user {
        Some(u) => message_page(
            StatusCode::OK,
            "Device approved",
            "Device approved, you may close this page.",
            opts,
            format!("device approved by {u}"),
        ),
        None => message_page(
            StatusCode::OK,
            "Access denied",
            "You denied access, you may close this page.",
            opts,
            "device denied by the user".to_owned(),
        ),
    }
}

/// `/device`: without `user_code` the entry form; `GET ?user_code=…` (any case, with or
/// without the dash) the consent page for that device (or, with auto-approve, the approval
/// at once); `POST` with `user_code` and `action=approve|deny` submits the consent form.
pub async fn verify(State(app): State<Arc<App>>, req: Request) -> Response {
    let empty = PageOptions::default();
    let incoming = match accept(&app, req, |e, _| {
        entry_page(e.status(), Some(&e.to_string()), &empty)
    })
    .await
    {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let form = match incoming.plain_params() {
        Ok(f) => f,
        Err(e) => return entry_page(StatusCode::BAD_REQUEST, Some(&e.to_string()), &empty),
    };
    let opts = PageOptions::from_form(&form);
    let Some(typed) = form.first("user_code").filter(|c| !c.trim().is_empty()) else {
        return entry_page(StatusCode::OK, None, &opts);
    };
    let Some(user_code) = normalize_user_code(typed) else {
        return refused(UserCodeRefusal::Unknown, &opts);
    };
    let view = match app.oauth2.devices.view(&user_code, app.now()) {
        Ok(v) => v,
        Err(r) => return refused(r, &opts),
    };
    let action = match consent::posted_action(
        &app.accounts,
        &incoming.method,
        &form,
        DEVICE_PATH,
        &[("user_code", &view.user_code)],
        &opts,
    ) {
        Ok(a) => a,
        Err(refused) => return refused,
    };
    let show = |error: Option<&str>, email: Option<&str>| {
        let consent = ConsentRequest {
            app_name: &view.client_id,
            client: ("client", &view.client_id),
            scopes: &view.scopes,
            caution: None,
            next: "After you answer, your device receives the answer; this page does not \
                   send you anywhere.",
            notes: vec![format!(
                "Device code: <code id=\"device-user-code\">{}</code>",
                esc(&view.user_code)
            )],
            action: DEVICE_PATH,
            hidden: &[("user_code", &view.user_code)],
        };
        consent_page(&app.accounts, &consent, &opts, error, email)
    };
    match action {
        None if app.auto_approve => match app.accounts.in_domain(opts.domain()).next() {
            Some(u) => answer(&app, &user_code, Some(&u.email), &opts),
            None => entry_page(
                StatusCode::FORBIDDEN,
                Some("auto-approve: no configured account belongs to the hd domain"),
                &opts,
            ),
        },
        None => noted(
            html_response(StatusCode::OK, show(None, None)),
            "device consent page shown",
        ),
        Some("approve") => consent::sign_in(
            &app.accounts,
            &form,
            &opts,
            app.now(),
            |error, email| show(Some(error), Some(email)),
            |user| answer(&app, &user_code, Some(&user.email), &opts),
        ),
        Some("deny") => answer(&app, &user_code, None, &opts),
        Some(_) => entry_page(
            StatusCode::BAD_REQUEST,
            Some("action must be approve or deny"),
            &opts,
        ),
    }
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4): the
/// authenticated client polls with its `device_code`; the answers of §3.5 with Google's
/// statuses.
pub(super) fn exchange(app: &App, request: &TokenRequest, now: u64) -> Response {
    let Some(device_code) = request.form.first("device_code") else {
        return missing("device_code");
    };
    let grant = match app
        .oauth2
        .devices
        .poll(device_code, &request.client_id, now)
    {
        Ok(g) => g,
        Err(PollRefusal::Unknown) => {
            return invalid_grant("The device code is unknown, another client's, or used.")
        }
        Err(PollRefusal::Expired) => {
            return error(
                StatusCode::BAD_REQUEST,
                "expired_token",
                "The device code has expired.",
            )
        }
        Err(PollRefusal::SlowDown) => {
            return error(
                StatusCode::FORBIDDEN,
                "slow_down",
                "Polling too frequently: wait the interval between polls.",
            )
        }
        Err(PollRefusal::Pending) => {
            return error(
                StatusCode::PRECONDITION_REQUIRED,
                "authorization_pending",
                "Precondition Required",
            )
        }
        Err(PollRefusal::Denied) => {
            return error(StatusCode::FORBIDDEN, "access_denied", "Forbidden")
        }
        Err(PollRefusal::Unavailable) => return refusal(Refusal::Unavailable),
    };
    let issued = app.oauth2.store.grant(
        &request.client_id,
        &grant.user,
        grant.scopes.clone(),
        true,
        now,
    );
    if matches!(issued, Err(Refusal::Unavailable)) {
        // Nothing was issued: the device code goes back, approved, so the next poll gets
        // the grant instead of `invalid_grant` (best effort, on the same disk).
        let _ = app.oauth2.devices.restore(grant);
    }
    issued_or(issued)
}
