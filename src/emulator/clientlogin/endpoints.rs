//! The ClientLogin endpoints: `POST /accounts/ClientLogin` (PROTOCOLS.md §1.1) read into an
//! [`Attempt`] and handed to [`super::state`], and `GET /accounts/Captcha?ctoken=…`, the
//! image of a live challenge (§1.5).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::clientlogin::{AccountType, Service};
use crate::emulator::http::{accept, endpoint, noted, Incoming};
use crate::emulator::App;
use crate::encoding::Form;

use super::image::svg;
use super::state::{Attempt, Malformed, Refused};
use super::wire::{success, LoginError};

/// The fields a login may carry; any other is ignored, as Google did.
const FIELDS: [&str; 7] = [
    "accountType",
    "Email",
    "Passwd",
    "service",
    "source",
    "logintoken",
    "logincaptcha",
];

/// Longest `source` kept for the feeds and the log.
const MAX_SOURCE: usize = 100;

/// `/accounts/ClientLogin`.
pub async fn login(State(app): State<Arc<App>>, req: Request) -> Response {
    endpoint::<LoginError>(app, req, |app, incoming| {
        let form = read_form(incoming)?;
        let get = |name: &str| form.first(name);
        let unknown = |m| LoginError::from(Refused::Unknown(m));
        if let Some(t) = get("accountType") {
            AccountType::parse(t).map_err(|_| unknown(Malformed::AccountType))?;
        }
        let captcha = match (get("logintoken"), get("logincaptcha")) {
            (Some(token), Some(answer)) => Some((token, answer)),
            (None, None) => None,
            _ => return Err(unknown(Malformed::LoneCaptchaField)),
        };
        // Google's "Error=Unknown: check the service name" (PROTOCOLS.md §1.4).
        let service = get("service").unwrap_or_default();
        if matches!(Service::from_code(service), Service::Other(_)) {
            return Err(unknown(Malformed::Service));
        }
        let (email, password) = match (get("Email"), get("Passwd")) {
            (Some(e), Some(p)) if !e.is_empty() && !p.is_empty() => (e, p),
            _ => return Err(Refused::BadAuthentication.into()),
        };
        let source: String = get("source")
            .unwrap_or("unnamed application")
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_SOURCE)
            .collect();
        let attempt = Attempt {
            email,
            password,
            service,
            source: &source,
            captcha,
        };
        let issued = app
            .clientlogin
            .store
            .login(&app.accounts, &attempt, app.now())?;
        Ok(success(
            &issued,
            format!("issued a ClientLogin Auth token for service {service}"),
        ))
    })
    .await
}

/// The form body (a [`Form`]: the password wiped with it), each of [`FIELDS`] at most once.
fn read_form(incoming: &Incoming) -> Result<Form, LoginError> {
    let unknown = |m| LoginError::from(Refused::Unknown(m));
    let body = incoming
        .form_body
        .as_deref()
        .ok_or_else(|| unknown(Malformed::NotAForm))?;
    let form = Form::parse(body).map_err(|_| unknown(Malformed::Unreadable))?;
    if FIELDS.iter().any(|f| form.single(f).is_err()) {
        return Err(unknown(Malformed::Repeated));
    }
    Ok(form)
}

/// `/accounts/Captcha?ctoken=…`: the SVG of a live challenge, else 404.
pub async fn captcha(State(app): State<Arc<App>>, req: Request) -> Response {
    let not_found = || {
        noted(
            (StatusCode::NOT_FOUND, "no such CAPTCHA\n").into_response(),
            "refused: unknown or spent CAPTCHA",
        )
    };
    let incoming = match accept(&app, req, |_, _| not_found()).await {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let query = incoming.query.as_deref().and_then(|q| Form::parse(q).ok());
    let ctoken = query.as_ref().and_then(|q| q.first("ctoken"));
    let Some(answer) = ctoken.and_then(|c| app.clientlogin.store.image_answer(c)) else {
        return not_found();
    };
    let mut resp = (StatusCode::OK, svg(answer.secret())).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    noted(resp, "served a CAPTCHA image")
}
