//! OAuth 2.0 as Google's token endpoint served it for migrated applications: the routes for
//! `/o/oauth2/token` (the `refresh_token` grant and the OAuth 1.0 migration grant,
//! PROTOCOLS.md §4) and `/o/oauth2/revoke`, the grants they issue, and Bearer access to the
//! feeds (header only, inside the token's scopes, read through [`crate::oauth2::scopes`]).
//!
//! Every answer of the token endpoint is Google's JSON, errors included:
//! `{"error": …, "error_description": …}` with 400, or 401 for `invalid_client`.
//!
//! **Test users** (scripted failures): a grant migrated from an OAuth 1.0 token of a user
//! whose local part starts with `revoked-` answers every refresh `invalid_grant` (a revoked
//! grant); `rapt-` answers `invalid_grant` with `error_subtype: invalid_rapt` (session
//! control); `admin-` answers `admin_policy_enforced`. **Test clients**: a client ID
//! starting with `oversize-` is issued a 2049-byte access token and a 513-byte refresh
//! token, one byte over Google's limits (seed 001).

mod state;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::Engine as _;

use super::feeds::{CredentialGrant, Description, FeedRefusal, Grant};
use super::http::{accept, noted, Incoming, ReadError};
use super::App;
use crate::encoding::{form_decode, Form};
use crate::oauth2::MIGRATION_GRANT_TYPE;
use crate::secret::SecretString;
use state::{Issued, Refusal, Store};

pub use state::ACCESS_TOKEN_LIFETIME;

const TOKEN_PATH: &str = "/o/oauth2/token";
const REVOKE_PATH: &str = "/o/oauth2/revoke";

/// OAuth 2.0's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(TOKEN_PATH, any(token))
        .route(REVOKE_PATH, any(revoke))
}

/// OAuth 2.0's state: the clients (fixed at start) and the grants.
#[derive(Debug)]
pub struct OAuth2 {
    clients: Vec<(String, SecretString)>,
    store: Store,
}

impl OAuth2 {
    /// Registers `clients` (ID and secret).
    pub fn new(clients: Vec<(String, SecretString)>) -> Self {
        Self {
            clients,
            store: Store::default(),
        }
    }

    /// Whether `id` and `secret` name a registered client.
    fn client_ok(&self, id: &str, secret: &str) -> bool {
        self.clients
            .iter()
            .any(|(i, s)| i == id && crate::secret::ct_eq(s.secret().as_bytes(), secret.as_bytes()))
    }
}

/// A JSON error answer (RFC 6749 §5.2).
fn error(status: StatusCode, code: &'static str, description: impl Into<String>) -> Response {
    error_with(status, code, None, description)
}

fn error_with(
    status: StatusCode,
    code: &'static str,
    subtype: Option<&'static str>,
    description: impl Into<String>,
) -> Response {
    let description = description.into();
    let mut body = serde_json::json!({ "error": code, "error_description": description });
    if let Some(s) = subtype {
        body["error_subtype"] = serde_json::Value::from(s);
    }
    let mut resp = json(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"oauth2\""),
        );
    }
    noted(resp, format!("{code}: {description}"))
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn refusal(r: Refusal) -> Response {
    match r {
        // Another client's refresh token reads as an unknown one: the answer must not tell
        // a client which other clients' tokens exist.
        Refusal::UnknownGrant | Refusal::WrongClient => {
            error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad Request")
        }
        Refusal::Revoked => error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Token has been expired or revoked.",
        ),
        Refusal::SessionControl => error_with(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some("invalid_rapt"),
            "reauth related error (invalid_rapt)",
        ),
        Refusal::AdminPolicy => error(
            StatusCode::BAD_REQUEST,
            "admin_policy_enforced",
            "an administrator restricted this client's scopes",
        ),
        Refusal::Full => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the emulator's grant table is full",
        ),
    }
}

/// The form fields, each at most once; the client from HTTP Basic or the body.
struct TokenRequest {
    form: Form,
    client_id: String,
}

// The refusal is answered at once; boxing it would only add an allocation.
#[allow(clippy::result_large_err)]
fn read_token_request(app: &App, incoming: &Incoming) -> Result<TokenRequest, Response> {
    let bad = |m: &str| error(StatusCode::BAD_REQUEST, "invalid_request", m.to_owned());
    if incoming.query.as_deref().is_some_and(|q| !q.is_empty()) {
        return Err(bad("parameters go in the form body, not the URL"));
    }
    let Some(body) = &incoming.form_body else {
        return Err(bad("the body must be application/x-www-form-urlencoded"));
    };
    let form = Form::parse(body).map_err(|_| bad("the form body is not valid form encoding"))?;
    // RFC 6749 §3.2: no parameter twice. A set: the body may hold thousands of names.
    let mut seen = std::collections::HashSet::new();
    if !form.pairs().iter().all(|(n, _)| seen.insert(n.as_str())) {
        return Err(bad("a parameter is given twice"));
    }
    let basic = incoming.authorization.as_deref().and_then(|a| {
        a.get(..6)
            .filter(|s| s.eq_ignore_ascii_case("basic "))
            .map(|_| &a[6..])
    });
    let body_id = form.first("client_id");
    let body_secret = form.first("client_secret");
    let (id, secret) = match (basic, body_id, body_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(bad("the client authenticated twice (RFC 6749 §2.3)"))
        }
        (Some(b), None, None) => {
            let invalid = || error(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized");
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| invalid())?;
            let text = String::from_utf8(raw).map_err(|_| invalid())?;
            let (i, s) = text.split_once(':').ok_or_else(invalid)?;
            (
                form_decode(i).map_err(|_| invalid())?,
                form_decode(s).map_err(|_| invalid())?,
            )
        }
        (None, Some(i), s) => (i.to_owned(), s.unwrap_or_default().to_owned()),
        (None, None, _) => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "The OAuth client was not found.",
            ))
        }
    };
    if !app.oauth2.client_ok(&id, &secret) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unauthorized",
        ));
    }
    Ok(TokenRequest {
        form,
        client_id: id,
    })
}

fn issued(i: Issued) -> Response {
    let mut body = serde_json::json!({
        "access_token": i.access_token,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
        "scope": i.scopes.join(" "),
    });
    if let Some(r) = i.refresh_token {
        body["refresh_token"] = serde_json::Value::from(r);
    }
    noted(
        json(StatusCode::OK, &body),
        format!("granted to {}", i.client_id),
    )
}

/// Reads a token or revoke request; every refusal is Google's JSON, whatever went wrong:
/// a method other than POST is 400 `invalid_request` (the issue's "400 for every error but
/// `invalid_client`"); an unreadable request gets the reader's status as on every endpoint
/// (413 for a body over the limit, 408 for a slow one, else 400).
async fn accept_json(app: &App, req: Request) -> Result<Incoming, Response> {
    if req.method() != axum::http::Method::POST {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "POST the form to this endpoint",
        ));
    }
    accept(app, req, |e: ReadError, _| {
        // The reader's status (400, 413, 408), and the connection closed when the body
        // was not read to its end, as every protocol's refusal does.
        let mut resp = error(
            e.status(),
            "invalid_request",
            format!("unreadable request: {e}"),
        );
        if e.closes_connection() {
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    })
    .await
}

/// `/o/oauth2/token`.
pub async fn token(State(app): State<Arc<App>>, req: Request) -> Response {
    let incoming = match accept_json(&app, req).await {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let request = match read_token_request(&app, &incoming) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let now = app.now();
    match request.form.first("grant_type") {
        Some("refresh_token") => {
            let Some(refresh) = request.form.first("refresh_token") else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing required parameter: refresh_token",
                );
            };
            match app.oauth2.store.refresh(&request.client_id, refresh, now) {
                Ok(i) => issued(i),
                Err(r) => refusal(r),
            }
        }
        Some(MIGRATION_GRANT_TYPE) => {
            // PROTOCOLS.md §4: the whole request is an OAuth 1.0 request signed with the
            // old consumer and access token, the form fields in the base string.
            let (consumer, granted) = match app.oauth1.verify_access(&incoming) {
                Ok(v) => v,
                Err((problem, advice)) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        format!(
                            "the OAuth 1.0 signature or token was refused ({problem}: {advice})"
                        ),
                    )
                }
            };
            // An optional `scope` narrows the grant; it cannot widen it. A scope is held
            // when the token has it or its service's OAuth 2.0 scope (the scope map).
            let scopes = match request.form.first("scope") {
                Some(s) if !s.trim().is_empty() => {
                    let asked: Vec<String> = s
                        .split(' ')
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if let Some(extra) = asked.iter().find(|a| {
                        !granted
                            .scopes
                            .iter()
                            .any(|g| crate::oauth2::scopes::grants(g, a))
                    }) {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "invalid_scope",
                            format!(
                                "{} is not a scope of the OAuth 1.0 token",
                                crate::encoding::clip(extra)
                            ),
                        );
                    }
                    asked
                }
                _ => granted.scopes.clone(),
            };
            match app.oauth2.store.migrate(
                &request.client_id,
                &granted.user,
                &consumer,
                scopes,
                now,
            ) {
                Ok(i) => issued(i),
                Err(r) => refusal(r),
            }
        }
        Some("authorization_code" | "client_credentials" | "password") | Some(_) => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this emulator serves the refresh_token and OAuth 1.0 migration grants",
        ),
        None => error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: grant_type",
        ),
    }
}

/// `/o/oauth2/revoke`: `token=` (an access or a refresh token) in the form body.
pub async fn revoke(State(app): State<Arc<App>>, req: Request) -> Response {
    let incoming = match accept_json(&app, req).await {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    // `accept_json` has refused every method but POST.
    if incoming.query.as_deref().is_some_and(|q| !q.is_empty()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "POST the token in the form body",
        );
    }
    let token = incoming
        .form_body
        .as_deref()
        .and_then(|b| Form::parse(b).ok())
        .and_then(|f| f.first("token").map(str::to_owned));
    let Some(token) = token else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: token",
        );
    };
    if app.oauth2.store.revoke(&token) {
        noted(json(StatusCode::OK, &serde_json::json!({})), "revoked")
    } else {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        )
    }
}

/// The bearer token of `Authorization: Bearer …`.
fn bearer(authorization: &str) -> Option<&str> {
    let scheme = authorization.get(..7)?;
    scheme
        .eq_ignore_ascii_case("bearer ")
        .then(|| authorization[7..].trim())
}

fn has_query_token(incoming: &Incoming) -> bool {
    incoming
        .query
        .as_deref()
        .is_some_and(|q| crate::encoding::query_has_param(q, "access_token"))
}

/// A 401 with `WWW-Authenticate: Bearer realm=…, error="invalid_token"` (RFC 6750 §3).
fn invalid_token(realm: &str, why: &str) -> Response {
    let mut resp = error(StatusCode::UNAUTHORIZED, "invalid_token", why.to_owned());
    let value = format!("Bearer realm=\"{realm}\", error=\"invalid_token\"");
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

impl CredentialGrant for OAuth2 {
    fn grant(&self, app: &App, incoming: &Incoming) -> Option<Result<Grant, Response>> {
        // Google has refused `access_token` in the URL since 2021 (SECURITY.md §4).
        if has_query_token(incoming) {
            return Some(Err(invalid_token(
                &incoming.base,
                "an access token in the URL is refused; send Authorization: Bearer",
            )));
        }
        let token = bearer(incoming.authorization.as_deref()?)?;
        Some(match self.store.access(token, app.now()) {
            Ok(a) => {
                // The scope map: an OAuth 2.0 scope opens its service's legacy feeds.
                let mut scopes = a.scopes.clone();
                for s in &a.scopes {
                    scopes.extend(
                        crate::oauth2::scopes::legacy_scopes_for(s)
                            .into_iter()
                            .map(str::to_owned),
                    );
                }
                Ok(Grant {
                    user: a.user,
                    scopes: Some(scopes),
                    client: format!("client {}", a.client_id),
                    how: "bearer",
                    protocol: "OAuth 2.0",
                })
            }
            Err(_) => Err(invalid_token(&incoming.base, "Invalid Credentials")),
        })
    }

    fn refuse(&self, why: FeedRefusal, realm: &str) -> Response {
        match why {
            FeedRefusal::WrongScope => {
                let mut resp = error(
                    StatusCode::FORBIDDEN,
                    "insufficient_scope",
                    "Request had insufficient authentication scopes.",
                );
                let value = format!("Bearer realm=\"{realm}\", error=\"insufficient_scope\"");
                if let Ok(v) = HeaderValue::from_str(&value) {
                    resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                resp
            }
            _ => invalid_token(realm, "Invalid Credentials"),
        }
    }

    fn describe(&self) -> Description {
        let mut ids: Vec<String> = self.clients.iter().map(|(i, _)| i.clone()).collect();
        ids.sort();
        Description {
            name: "OAuth 2.0 (migration and refresh)",
            endpoints: &[TOKEN_PATH, REVOKE_PATH],
            clients: "Clients",
            client_ids: ids,
        }
    }
}
