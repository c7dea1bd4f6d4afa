//! The AuthSub calls a token's holder makes (PROTOCOLS.md §2.3): AuthSubSessionToken,
//! AuthSubTokenInfo and AuthSubRevokeToken, each a `GET` (or `POST`) carrying the token in
//! `Authorization: AuthSub token="…"`, signed when the token is secure. Each checks the
//! credential ([`super::AuthSub::authenticate`]), then applies the rules in
//! [`super::state`]; [`super::wire`] writes the answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::emulator::feeds::iso8601_basic;
use crate::emulator::http::{endpoint, noted};
use crate::emulator::oauth1;
use crate::emulator::App;

use super::is_authsub;
use super::state::Kind;
use super::wire::{self, Answer};

/// `/accounts/AuthSubSessionToken`: spends a single-use token for a session token, answered
/// as `Token=` and `Expiration=` lines. At the ten-token limit the oldest session token of
/// the same user and web application is revoked, and named in `X-Emulator-Revoked-Token`.
pub async fn session_token(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<Answer>(app, req, |app, incoming| {
        let a = app.authsub.authenticate(incoming)?;
        let up = app.authsub.store.upgrade(a.token.secret(), app.now())?;
        let target = &a.view.approved.target;
        let mut note = format!("issued an AuthSub session token for {target}");
        if up.revoked_oldest.is_some() {
            note.push_str("; ten-token limit: revoked the oldest session token");
        }
        let mut resp = wire::lines(
            &[
                ("Token", up.token.as_str()),
                ("Expiration", &iso8601_basic(up.expires_at)),
            ],
            note,
        );
        if let Some(old) = up.revoked_oldest {
            if let Ok(v) = HeaderValue::from_str(&old) {
                resp.headers_mut().insert("x-emulator-revoked-token", v);
            }
        }
        Ok(resp)
    })
    .await
}

/// `/accounts/AuthSubTokenInfo`: `Target=` (the web application, the `next` host), `Scope=`
/// (the scopes as requested, space-separated) and `Secure=true|false`, for a single-use or a
/// session token.
pub async fn token_info(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<Answer>(app, req, |app, incoming| {
        let a = app.authsub.authenticate(incoming)?;
        let approved = &a.view.approved;
        let kind = match a.view.kind {
            Kind::SingleUse => "single-use",
            Kind::Session => "session",
        };
        Ok(wire::lines(
            &[
                ("Target", approved.target.as_str()),
                ("Scope", &approved.scopes.join(" ")),
                ("Secure", if approved.secure { "true" } else { "false" }),
            ],
            format!("token info for a {kind} token of {}", approved.target),
        ))
    })
    .await
}

/// `/accounts/AuthSubRevokeToken`: with `Authorization: AuthSub`, revokes that token (single
/// use or session; `200`, empty body); any other request is OAuth 1.0's signed revocation.
pub async fn revoke(State(app): State<Arc<App>>, req: Request) -> Response {
    let authsub = is_authsub(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    if !authsub {
        return oauth1::revoke(State(app), req).await;
    }
    endpoint::<Answer>(app, req, |app, incoming| {
        let a = app.authsub.authenticate(incoming)?;
        app.authsub.store.revoke(a.token.secret(), app.now())?;
        Ok(noted(
            StatusCode::OK.into_response(),
            format!("revoked an AuthSub token of {}", a.view.approved.target),
        ))
    })
    .await
}
