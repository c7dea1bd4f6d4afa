//! OAuth 2.0 as Google Accounts serves it: the routes, the grants they issue, and Bearer
//! access to the feeds (header only, inside the token's scopes, read through
//! [`crate::oauth2::scopes`]).
//!
//! | path | what it does | file |
//! |---|---|---|
//! | `GET`/`POST /o/oauth2/auth` | the authorization endpoint (RFC 6749 §4.1.1, PKCE RFC 7636): the consent page in the shared frame, then a 302 to the loopback `redirect_uri` with `code` and `state`, or `error` | `authorize.rs` |
//! | `POST /o/oauth2/token` | `authorization_code`, `refresh_token`, the OAuth 1.0 migration grant (PROTOCOLS.md §4), the device grant (RFC 8628 §3.4), the JWT bearer grant of service accounts (RFC 7523 §2.1, feature `rsa`) | here, `authorize.rs`, `device.rs`, `jwt.rs` |
//! | `POST /o/oauth2/device/code` | a device code, user code and verification URL (RFC 8628 §3.1, §3.2) | `device.rs` |
//! | `GET`/`POST /device` | the verification page: enter the user code, then the consent page (RFC 8628 §3.3) | `device.rs` |
//! | `POST /o/oauth2/revoke` | `token=` (an access or a refresh token, which ends its grant) | here |
//!
//! The tables between two steps, authorization codes and device codes, are in `pending.rs`;
//! the grants and their tokens in `state.rs`.
//!
//! With a state store (`gdauth serve --state`), the codes, device codes and grants are
//! written through: each operation's changes are written before it answers, so a restart
//! loses nothing a client was told. A write that fails changes nothing and is answered 503
//! `temporarily_unavailable` with `Retry-After` (on the authorization endpoint, a redirect
//! with `error=temporarily_unavailable`, RFC 6749 §4.1.2.1).
//!
//! Every answer of the token and device-code endpoints is Google's JSON, errors included:
//! `{"error": …, "error_description": …}` with 400, 401 for `invalid_client`, 403 for
//! `slow_down` and `access_denied`, 428 for `authorization_pending` (as Google answers
//! them). The authorization endpoint refuses an unknown client or a `redirect_uri` that is
//! not a loopback URL with an HTML page (400) and never redirects there (RFC 6749 §4.1.2.1).
//!
//! **Test users** (scripted failures): a grant of a user whose local part starts with
//! `revoked-` answers every refresh `invalid_grant` (a revoked grant); `rapt-` answers
//! `invalid_grant` with `error_subtype: invalid_rapt` (session control); `admin-` answers
//! `admin_policy_enforced`. **Test clients**: a client ID starting with `oversize-` is
//! issued a 2049-byte access token and a 513-byte refresh token, one byte over Google's
//! limits (seed 001).

mod authorize;
mod device;
#[cfg(feature = "rsa")]
mod jwt;
mod pending;
mod state;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::Engine as _;

use super::durable::{Journal, StateError};
use super::feeds::{CredentialGrant, Description, FeedRefusal, Grant};
use super::http::{accept, noted, Incoming, ReadError};
use super::App;
use crate::encoding::{form_decode, Form};
use crate::oauth2::MIGRATION_GRANT_TYPE;
use crate::secret::SecretString;
use pending::{Codes, DeviceCodes};
use state::{Issued, Refusal, Store};

pub use pending::CODE_LIFETIME;
pub use state::ACCESS_TOKEN_LIFETIME;

const TOKEN_PATH: &str = "/o/oauth2/token";
const REVOKE_PATH: &str = "/o/oauth2/revoke";
const AUTH_PATH: &str = "/o/oauth2/auth";
const DEVICE_CODE_PATH: &str = "/o/oauth2/device/code";
const DEVICE_PATH: &str = "/device";

/// RFC 8628 §3.4: the grant type a device polls with.
pub const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// How long a device code lives by default, in seconds (Google's `expires_in`: 1800).
pub const DEFAULT_DEVICE_CODE_LIFETIME: u64 = 1800;
/// The default and largest polling interval, in seconds (Google's `interval`: 5).
pub const MAX_DEVICE_INTERVAL: u64 = 5;

/// Most scopes in one request.
const MAX_SCOPES: usize = 64;
/// Longest scope, in bytes.
const MAX_SCOPE_LEN: usize = 2048;
/// Most bytes of scopes in one request: every code and device code keeps its scopes, so
/// this bounds what an unauthenticated caller can make the tables hold.
const MAX_SCOPE_BYTES: usize = 8 * 1024;

/// OAuth 2.0's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(TOKEN_PATH, any(token))
        .route(REVOKE_PATH, any(revoke))
        .route(AUTH_PATH, any(authorize::authorize))
        .route(DEVICE_CODE_PATH, any(device::device_code))
        .route(DEVICE_PATH, any(device::verify))
}

/// What OAuth 2.0 is configured with, from [`super::EmulatorConfig`].
#[derive(Debug)]
pub struct Settings {
    /// The clients: ID and secret.
    pub clients: Vec<(String, SecretString)>,
    /// The device flow's polling interval, seconds.
    pub device_interval: u64,
    /// How long a device code lives, seconds.
    pub device_lifetime: u64,
    /// The service accounts whose assertions the JWT bearer grant accepts.
    #[cfg(feature = "rsa")]
    pub service_accounts: Vec<crate::oauth2::ServiceAccountKey>,
}

/// OAuth 2.0's state: the clients and service accounts (fixed at start), the codes waiting
/// for an exchange, the device grants, and the grants.
#[derive(Debug)]
pub struct OAuth2 {
    clients: Vec<(String, SecretString)>,
    device_interval: u64,
    device_lifetime: u64,
    #[cfg(feature = "rsa")]
    service_accounts: jwt::ServiceAccounts,
    store: Store,
    codes: Codes,
    devices: DeviceCodes,
}

impl OAuth2 {
    /// OAuth 2.0 with `settings`, its tables read back from `journal` (in memory for
    /// `None`).
    pub fn new(settings: Settings, journal: &Journal) -> Result<Self, StateError> {
        let codes = Codes::open(journal.clone())?;
        // Read after the codes: grant ids continue past every id a spent code names.
        let store = Store::open(journal.clone(), codes.last_grant())?;
        Ok(Self {
            clients: settings.clients,
            device_interval: settings.device_interval,
            device_lifetime: settings.device_lifetime,
            #[cfg(feature = "rsa")]
            service_accounts: jwt::ServiceAccounts::new(&settings.service_accounts),
            store,
            codes,
            devices: DeviceCodes::open(journal.clone())?,
        })
    }

    /// Whether `id` and `secret` name a registered client.
    fn client_ok(&self, id: &str, secret: &str) -> bool {
        self.clients
            .iter()
            .any(|(i, s)| i == id && crate::secret::ct_eq(s.secret().as_bytes(), secret.as_bytes()))
    }

    /// Whether `id` is a registered client.
    fn client_known(&self, id: &str) -> bool {
        self.clients.iter().any(|(i, _)| i == id)
    }
}

/// A requested `scope`: space-separated, each scope visible ASCII of at most
/// [`MAX_SCOPE_LEN`] bytes, at most [`MAX_SCOPES`] of at most [`MAX_SCOPE_BYTES`] in all,
/// each kept once in the order given. OAuth
/// 2.0 scopes are opaque strings (RFC 6749 §3.3): `email` as well as URLs.
fn parse_scopes(raw: Option<&str>) -> Result<Vec<String>, &'static str> {
    let mut scopes: Vec<String> = Vec::new();
    for s in raw.unwrap_or_default().split(' ').filter(|s| !s.is_empty()) {
        if s.len() > MAX_SCOPE_LEN || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("each scope must be visible ASCII of at most 2048 bytes");
        }
        // A URL scope opens the legacy feeds it names: refuse one that URL parsing would
        // turn into another (`…/calendar/feeds/../../m8/feeds/`), so the consent page shows
        // what is granted (issue 15 §1).
        if crate::scope::is_ambiguous_scope(s) {
            return Err("a scope must not contain dot segments, %2e, %2f, %5c or backslashes");
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
        if scopes.len() > MAX_SCOPES {
            return Err("more than 64 scopes");
        }
    }
    if scopes.iter().map(String::len).sum::<usize>() > MAX_SCOPE_BYTES {
        return Err("the scopes are longer than 8 KiB in all");
    }
    if scopes.is_empty() {
        return Err("Missing required parameter: scope");
    }
    Ok(scopes)
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
    if let (Some(s), Some(map)) = (subtype, body.as_object_mut()) {
        map.insert("error_subtype".into(), serde_json::Value::from(s));
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

/// Seconds a client is told to wait after a state-store failure (`Retry-After`).
const UNAVAILABLE_RETRY_AFTER: &str = "5";

/// A 503 `temporarily_unavailable` with `Retry-After`: the state store could not be
/// written, and nothing changed.
fn unavailable() -> Response {
    let mut resp = error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "the emulator could not write its state; nothing changed, retry later",
    );
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER),
    );
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
        Refusal::Unavailable => unavailable(),
    }
}

/// The form of a token or device-code request: in the body, each field at most once
/// (RFC 6749 §3.2).
// The refusal is answered at once; boxing it would only add an allocation.
#[allow(clippy::result_large_err)]
fn read_form(incoming: &Incoming) -> Result<Form, Response> {
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
    Ok(form)
}

/// The client a request names, by HTTP Basic or in the body (RFC 6749 §2.3.1): its ID, and
/// its secret when one was sent.
struct Presented {
    id: String,
    secret: Option<String>,
}

/// A 401 `invalid_client`.
fn invalid_client(description: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        description.to_owned(),
    )
}

/// Reads the client from HTTP Basic or the body; `None` when the request names none. Both
/// at once is 400 (RFC 6749 §2.3).
#[allow(clippy::result_large_err)]
fn presented_client(incoming: &Incoming, form: &Form) -> Result<Option<Presented>, Response> {
    let basic = incoming.authorization.as_deref().and_then(|a| {
        a.get(..6)
            .filter(|s| s.eq_ignore_ascii_case("basic "))
            .map(|_| &a[6..])
    });
    let body_id = form.first("client_id");
    let body_secret = form.first("client_secret");
    Ok(match (basic, body_id, body_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the client authenticated twice (RFC 6749 §2.3)",
            ))
        }
        (Some(b), None, None) => {
            let invalid = || invalid_client("Unauthorized");
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| invalid())?;
            let text = String::from_utf8(raw).map_err(|_| invalid())?;
            let (i, s) = text.split_once(':').ok_or_else(invalid)?;
            Some(Presented {
                id: form_decode(i).map_err(|_| invalid())?,
                secret: Some(form_decode(s).map_err(|_| invalid())?),
            })
        }
        (None, Some(i), s) => Some(Presented {
            id: i.to_owned(),
            secret: s.map(str::to_owned),
        }),
        (None, None, _) => None,
    })
}

/// The authenticated client's ID: a registered client with its secret, by HTTP Basic or in
/// the body.
#[allow(clippy::result_large_err)]
fn authenticate(app: &App, incoming: &Incoming, form: &Form) -> Result<String, Response> {
    let client = presented_client(incoming, form)?
        .ok_or_else(|| invalid_client("The OAuth client was not found."))?;
    if !app
        .oauth2
        .client_ok(&client.id, client.secret.as_deref().unwrap_or_default())
    {
        return Err(invalid_client("Unauthorized"));
    }
    Ok(client.id)
}

/// An authenticated token request: its form and client.
struct TokenRequest {
    form: Form,
    client_id: String,
}

/// A missing form field's 400 `invalid_request`.
fn missing(name: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        format!("Missing required parameter: {name}"),
    )
}

/// A 400 `invalid_grant` with `description`.
fn invalid_grant(description: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// The answer to a grant the store issued, or refused.
fn issued_or(r: Result<Issued, Refusal>) -> Response {
    r.map_or_else(refusal, issued)
}

fn issued(i: Issued) -> Response {
    let mut body = serde_json::json!({
        "access_token": i.access_token,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
        "scope": i.scopes.join(" "),
    });
    if let (Some(r), Some(map)) = (i.refresh_token, body.as_object_mut()) {
        map.insert("refresh_token".into(), serde_json::Value::from(r));
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

/// Reads a token or device-code request and its form ([`accept_json`], [`read_form`]).
async fn accept_form(app: &App, req: Request) -> Result<(Incoming, Form), Response> {
    let incoming = accept_json(app, req).await?;
    let form = read_form(&incoming)?;
    Ok((incoming, form))
}

/// `/o/oauth2/token`.
pub async fn token(State(app): State<Arc<App>>, req: Request) -> Response {
    let (incoming, form) = match accept_form(&app, req).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let now = app.now();
    // RFC 7523 §3: the assertion is the credential; a service account has no client
    // secret, so this grant alone is served without client authentication.
    #[cfg(feature = "rsa")]
    if form.first("grant_type") == Some(crate::oauth2::service_account::JWT_BEARER_GRANT_TYPE) {
        return jwt::exchange(&app, &form, now);
    }
    let client_id = match authenticate(&app, &incoming, &form) {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    let request = TokenRequest { form, client_id };
    match request.form.first("grant_type") {
        Some("authorization_code") => authorize::exchange(&app, &request, now),
        Some(DEVICE_GRANT_TYPE) => device::exchange(&app, &request, now),
        Some("refresh_token") => {
            let Some(refresh) = request.form.first("refresh_token") else {
                return missing("refresh_token");
            };
            issued_or(app.oauth2.store.refresh(&request.client_id, refresh, now))
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
            issued_or(app.oauth2.store.migrate(
                &request.client_id,
                &granted.user,
                &consumer,
                scopes,
                now,
            ))
        }
        Some(_) => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this emulator serves the authorization_code, refresh_token, device_code, \
             jwt-bearer and OAuth 1.0 migration grants",
        ),
        None => missing("grant_type"),
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
    match app.oauth2.store.revoke(&token) {
        Ok(true) => noted(json(StatusCode::OK, &serde_json::json!({})), "revoked"),
        Ok(false) => error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        ),
        Err(r) => refusal(r),
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
            name: "OAuth 2.0",
            endpoints: &[
                AUTH_PATH,
                TOKEN_PATH,
                DEVICE_CODE_PATH,
                DEVICE_PATH,
                REVOKE_PATH,
            ],
            clients: "Clients",
            client_ids: ids,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_state_store_failure_is_a_503_temporarily_unavailable_with_retry_after() {
        let resp = refusal(Refusal::Unavailable);
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let h = resp.headers();
        assert_eq!(
            h.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()),
            Some(UNAVAILABLE_RETRY_AFTER)
        );
        assert!(h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")));
        let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "temporarily_unavailable");
        assert!(body["error_description"].is_string());
    }
}
