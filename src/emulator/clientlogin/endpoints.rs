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
use crate::encoding::parse_form;

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
        let fields = read_fields(incoming)?;
        let get = |name: &str| {
            FIELDS
                .iter()
                .position(|f| *f == name)
                .and_then(|i| fields.get(i))
                .and_then(|v| v.as_deref())
        };
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

/// The form fields in [`FIELDS`] order; each at most once.
fn read_fields(incoming: &Incoming) -> Result<Vec<Option<String>>, LoginError> {
    let unknown = |m| LoginError::from(Refused::Unknown(m));
    let body = incoming
        .form_body
        .as_deref()
        .ok_or_else(|| unknown(Malformed::NotAForm))?;
    let pairs = parse_form(body).map_err(|_| unknown(Malformed::Unreadable))?;
    let mut out: Vec<Option<String>> = vec![None; FIELDS.len()];
    for (name, value) in pairs {
        if let Some(i) = FIELDS.iter().position(|f| *f == name) {
            match out.get_mut(i) {
                Some(slot @ None) => *slot = Some(value),
                _ => return Err(unknown(Malformed::Repeated)),
            }
        }
    }
    Ok(out)
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
    let ctoken = incoming
        .query
        .as_deref()
        .and_then(|q| parse_form(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(n, _)| n == "ctoken"))
        .map(|(_, v)| v);
    let Some(answer) = ctoken.and_then(|c| app.clientlogin.store.image_answer(&c)) else {
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
