//! The gadget container: Shindig's OAuth Proxy (`/gadgets/makeRequest` with `authz=oauth`),
//! its OAuth callback, and the gadget specs it hosts (see the "Gadgets" section of
//! [`crate::emulator`]).
//!
//! The container is an OAuth 1.0 consumer of this very emulator: it registers the consumer
//! [`CONTAINER_CONSUMER_KEY`] (HMAC-SHA1, a random secret drawn at start) beside the
//! configured ones, and talks to the public OAuth 1.0 endpoints over loopback HTTP
//! ([`client`]), so the viewer's approval goes through the ordinary consent page. The steps
//! follow Shindig (`apache/shindig`,
//! `java/gadgets/src/main/java/org/apache/shindig/gadgets/oauth/OAuthRequest.java`): no
//! access token → fetch a request token and answer `oauthApprovalUrl` (the spec's
//! Authorization URL plus `oauth_token`, `buildAznUrl`) and `oauthState`; the callback
//! exchanges the request token (`exchangeRequestToken`) and keeps the access token per
//! (viewer, gadget, service) (`GadgetOAuthTokenStore`); the next makeRequest signs the fetch
//! with it (`sanitizeAndSign`).

mod client;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

use crate::clock::OsNonce;
use crate::encoding::url_with_query;
use crate::endpoints::Endpoints;
use crate::gadgets::make_request::{Authz, MakeRequestResponse, MAKE_REQUEST_PATH};
use crate::gadgets::spec::{GadgetSpec, OAuthService, ParamLocation};
use crate::oauth1::flow::{
    parse_access_token, parse_callback, parse_request_token, prepare_access_token,
    prepare_request_token,
};
use crate::oauth1::header::parse_header;
use crate::oauth1::verifier::ConsumerCredential;
use crate::oauth1::{AccessToken, Callback, OAuth1Authorizer, RequestToken};
use crate::request::{Context, Request as SignRequest};
use crate::secret::ConsumerSecret;
use crate::transport::HttpRequest;

use super::http::{esc, html_response};
use super::{App, EmulatorError, ANONYMOUS_CONSUMER};

/// The consumer key the container signs with (registered at start, beside the configured
/// consumers; `.invalid` so it can never be a real domain).
pub const CONTAINER_CONSUMER_KEY: &str = "gadgets.container.invalid";

/// Where the emulator serves gadget specs: `/gadgets/specs/{name}`.
pub const SPECS_PATH: &str = "/gadgets/specs/";

/// The container's OAuth callback (Shindig's `OAuthCallbackServlet` path).
pub const CALLBACK_PATH: &str = "/gadgets/oauthcallback";

/// The most access tokens the container keeps; past it the oldest is forgotten.
const MAX_TOKENS: usize = 10_000;

/// The most approvals waiting for their callback; past it the oldest is dropped.
const MAX_PENDING: usize = 1_000;

/// The largest makeRequest body read (a form).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The sample specs every emulator serves: two gadgets with the same service name, so one
/// gadget's approval visibly does not open the other. Their URLs are Google's, as a gadget of
/// the time wrote them (the seed's "Gadget setup"); the container sends them here.
pub const SAMPLE_SPECS: [(&str, &str); 2] = [
    ("calendar.xml", CALENDAR_SPEC),
    ("contacts.xml", CONTACTS_SPEC),
];

const CALENDAR_SPEC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Module>
  <ModulePrefs title="Calendar gadget (gdauth sample)">
    <Require feature="oauthpopup"/>
    <OAuth>
      <Service name="google">
        <Access url="https://www.google.com/accounts/OAuthGetAccessToken" method="GET"/>
        <Request url="https://www.google.com/accounts/OAuthGetRequestToken?scope=http://www.google.com/calendar/feeds/" method="GET"/>
        <Authorization url="https://www.google.com/accounts/OAuthAuthorizeToken?oauth_callback=http://oauth.gmodules.com/gadgets/oauthcallback"/>
      </Service>
    </OAuth>
  </ModulePrefs>
  <Content type="html"><![CDATA[<div id="main"></div>]]></Content>
</Module>
"#;

const CONTACTS_SPEC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Module>
  <ModulePrefs title="Contacts gadget (gdauth sample)">
    <Require feature="oauthpopup"/>
    <OAuth>
      <Service name="google">
        <Access url="https://www.google.com/accounts/OAuthGetAccessToken" method="GET"/>
        <Request url="https://www.google.com/accounts/OAuthGetRequestToken?scope=http://www.google.com/m8/feeds/" method="GET"/>
        <Authorization url="https://www.google.com/accounts/OAuthAuthorizeToken?oauth_callback=http://oauth.gmodules.com/gadgets/oauthcallback"/>
      </Service>
    </OAuth>
  </ModulePrefs>
  <Content type="html"><![CDATA[<div id="main"></div>]]></Content>
</Module>
"#;

/// The container's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(MAKE_REQUEST_PATH, any(make_request))
        .route(CALLBACK_PATH, get(oauth_callback))
        .route("/gadgets/specs/{name}", get(spec))
}

/// Whose token: Shindig's `GadgetOAuthTokenStore` key (user, gadget, service).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    viewer: String,
    gadget: String,
    service: String,
}

/// An approval waiting for its callback.
struct Pending {
    state: String,
    key: TokenKey,
    request_token: RequestToken,
    endpoints: Endpoints,
}

/// The container's state: hosted specs, its consumer credential, tokens and approvals.
pub struct Gadgets {
    specs: HashMap<String, (String, GadgetSpec)>,
    consumer: OAuth1Authorizer,
    tokens: Mutex<VecDeque<(TokenKey, AccessToken)>>,
    pending: Mutex<VecDeque<Pending>>,
}

impl Gadgets {
    /// Parses the sample specs and `extra` (name, XML), and registers the container's
    /// consumer in `consumers` (Google's `anonymous` first when there were none, as the
    /// OAuth 1.0 module would have).
    pub fn new(
        extra: Vec<(String, String)>,
        consumers: &mut Vec<(String, ConsumerCredential)>,
    ) -> Result<Self, EmulatorError> {
        let mut specs = HashMap::new();
        let samples = SAMPLE_SPECS
            .iter()
            .map(|(n, x)| ((*n).to_owned(), (*x).to_owned()));
        for (name, xml) in samples.chain(extra) {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            {
                return Err(EmulatorError::InvalidConfig(format!(
                    "gadget spec name {name:?} must be letters, digits, '.', '-' or '_'"
                )));
            }
            let parsed = GadgetSpec::parse(&xml)
                .map_err(|e| EmulatorError::InvalidConfig(format!("gadget spec {name}: {e}")))?;
            specs.insert(name, (xml, parsed));
        }
        let secret = random_hex();
        if consumers.is_empty() {
            consumers.push((
                ANONYMOUS_CONSUMER.to_owned(),
                ConsumerCredential::hmac(ConsumerSecret::new(ANONYMOUS_CONSUMER)),
            ));
        }
        consumers.retain(|(k, _)| k != CONTAINER_CONSUMER_KEY);
        consumers.push((
            CONTAINER_CONSUMER_KEY.to_owned(),
            ConsumerCredential::hmac(ConsumerSecret::new(secret.as_str())),
        ));
        Ok(Self {
            specs,
            consumer: OAuth1Authorizer::hmac_sha1(CONTAINER_CONSUMER_KEY, secret.as_str()),
            tokens: Mutex::new(VecDeque::new()),
            pending: Mutex::new(VecDeque::new()),
        })
    }

    fn token(&self, key: &TokenKey) -> Option<AccessToken> {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.clone())
    }

    fn forget_token(&self, key: &TokenKey) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|(k, _)| k != key);
    }

    fn store_token(&self, key: TokenKey, token: AccessToken) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|(k, _)| *k != key);
        if tokens.len() >= MAX_TOKENS {
            tokens.pop_front();
        }
        tokens.push_back((key, token));
    }

    fn add_pending(&self, pending: Pending) {
        let mut all = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if all.len() >= MAX_PENDING {
            all.pop_front();
        }
        all.push_back(pending);
    }

    fn take_pending(&self, state: &str) -> Option<Pending> {
        let mut all = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let i = all.iter().position(|p| p.state == state)?;
        all.remove(i)
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 20];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /gadgets/specs/{name}`: a hosted spec, `application/xml`.
async fn spec(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    match app.gadgets.specs.get(&name) {
        Some((xml, _)) => {
            let mut resp = (StatusCode::OK, Body::from(xml.clone())).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=UTF-8"),
            );
            resp
        }
        None => text(StatusCode::NOT_FOUND, "no such gadget spec"),
    }
}

fn text(status: StatusCode, body: &str) -> Response {
    let mut resp = (status, Body::from(format!("{body}\n"))).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=UTF-8"),
    );
    resp
}

/// The JSON answer under Shindig's prefix, with its XSS precaution
/// (`Content-Disposition: attachment;filename=p.txt`, `MakeRequestHandler.setResponseHeaders`).
fn answer(url: &str, entry: &MakeRequestResponse) -> Response {
    let mut resp = (StatusCode::OK, Body::from(entry.to_answer(url))).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment;filename=p.txt"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn oauth_error(url: &str, code: &str, text: String) -> Response {
    answer(
        url,
        &MakeRequestResponse {
            rc: 403,
            oauth_error: Some(code.to_owned()),
            oauth_error_text: Some(text),
            ..Default::default()
        },
    )
}

/// The makeRequest parameters: the query, then a form body.
async fn params(req: Request) -> Result<Vec<(String, String)>, Response> {
    let mut out: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if req.method() == Method::POST {
        let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| text(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))?;
        out.extend(url::form_urlencoded::parse(&body).into_owned());
    }
    Ok(out)
}

/// `/gadgets/makeRequest` (GET or POST).
async fn make_request(State(app): State<Arc<App>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::POST {
        return text(
            StatusCode::METHOD_NOT_ALLOWED,
            "makeRequest takes GET or POST",
        );
    }
    let params = match params(req).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // Shindig: a missing or invalid `url` is a 400 (`MakeRequestHandler.buildHttpRequest`).
    let Some(url) = get("url").filter(|u| !u.is_empty()) else {
        return text(StatusCode::BAD_REQUEST, "url parameter is missing.");
    };
    let Ok(target) = url::Url::parse(url) else {
        return text(StatusCode::BAD_REQUEST, "Invalid url parameter");
    };
    if !matches!(target.scheme(), "http" | "https") {
        return text(StatusCode::BAD_REQUEST, "Invalid url parameter");
    }
    let method = get("httpMethod").unwrap_or("GET").to_ascii_uppercase();
    if method != "GET" && method != "POST" {
        return text(StatusCode::BAD_REQUEST, "httpMethod must be GET or POST");
    }
    let Some(authz) = Authz::parse(get("authz")) else {
        return text(StatusCode::BAD_REQUEST, "unknown authz");
    };
    match authz {
        Authz::None => {
            let request = HttpRequest::new(method, own_url(&app, &target));
            fetch(&app, url, &request, None).await
        }
        Authz::Signed => text(
            StatusCode::BAD_REQUEST,
            "authz=signed is not offered by the emulator: a gadget backend verifies signed \
             fetch with gdata_auth::gadgets::SignedFetchVerifier",
        ),
        Authz::OAuth => oauth_fetch(&app, url, &target, &method, get).await,
    }
}

/// `url`'s path and query on this emulator, which stands in for every host a spec names.
fn own_url(app: &App, url: &url::Url) -> String {
    let mut out = app.realm();
    out.push_str(url.path());
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn oauth_fetch<'a>(
    app: &App,
    url: &str,
    target: &url::Url,
    method: &str,
    get: impl Fn(&str) -> Option<&'a str>,
) -> Response {
    // No security token here: the viewer comes as a parameter (see the module docs).
    let Some(viewer) = get("viewer").filter(|v| !v.is_empty()) else {
        return text(
            StatusCode::BAD_REQUEST,
            "viewer parameter is missing (the emulator's stand-in for the security token st)",
        );
    };
    let Some(gadget) = get("gadget").filter(|g| !g.is_empty()) else {
        return text(StatusCode::BAD_REQUEST, "gadget parameter is missing.");
    };
    let service_name = get("OAUTH_SERVICE_NAME").unwrap_or("");
    let Some(spec_name) = url::Url::parse(gadget)
        .ok()
        .and_then(|u| u.path().strip_prefix(SPECS_PATH).map(str::to_owned))
    else {
        return oauth_error(
            url,
            "BAD_OAUTH_CONFIGURATION",
            format!("the gadget URL must be {SPECS_PATH}NAME on this container"),
        );
    };
    let Some((_, spec)) = app.gadgets.specs.get(&spec_name) else {
        return oauth_error(
            url,
            "BAD_OAUTH_CONFIGURATION",
            format!("no gadget spec {spec_name:?} is hosted here"),
        );
    };
    let Some(service) = spec.service(service_name) else {
        return oauth_error(
            url,
            "BAD_OAUTH_CONFIGURATION",
            format!("the gadget spec has no OAuth service {service_name:?}"),
        );
    };
    let key = TokenKey {
        viewer: viewer.to_owned(),
        gadget: spec_name.clone(),
        service: service_name.to_owned(),
    };
    if let Some(token) = app.gadgets.token(&key) {
        let signer = token.authorizer(&app.gadgets.consumer);
        let request = match signed_fetch_request(app, &signer, service, method, target) {
            Ok(r) => r,
            Err(e) => return oauth_error(url, "UNKNOWN_PROBLEM", e),
        };
        return fetch(app, url, &request, Some(&key)).await;
    }
    approval(app, url, key, spec, service).await
}

/// The fetch signed with the access token, the OAuth parameters where the service's
/// `param_location` puts them (Shindig's `createHttpRequest`: `post-body` with a GET falls
/// back to the header).
fn signed_fetch_request(
    app: &App,
    signer: &OAuth1Authorizer,
    service: &OAuthService,
    method: &str,
    target: &url::Url,
) -> Result<HttpRequest, String> {
    let own = own_url(app, target);
    let request = SignRequest::new(method, &own).map_err(|e| e.to_string())?;
    let ctx = Context::draw(&*app.clock, &OsNonce);
    let signed = signer.sign(&request, &ctx).map_err(|e| e.to_string())?;
    let location = service.request().param_location();
    if location == ParamLocation::AuthHeader
        || (location == ParamLocation::PostBody && method != "POST")
    {
        return Ok(HttpRequest::new(method, own).with_authorization(&signed.authorization));
    }
    let header = parse_header(signed.authorization.header_value()).map_err(|e| e.to_string())?;
    let pairs: Vec<(&str, &str)> = header
        .params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if location == ParamLocation::UriQuery {
        Ok(HttpRequest::new(method, url_with_query(&own, &pairs)))
    } else {
        Ok(HttpRequest::post_form(own, &pairs))
    }
}

/// Fetches and answers `rc` and `body`. A 401 whose `oauth_problem` is about the token
/// (`token_revoked`, `token_rejected`, `token_expired`, …) forgets it (Shindig dropped a
/// rejected token), so the next call asks for approval again; a scope refusal keeps it.
async fn fetch(app: &App, url: &str, request: &HttpRequest, key: Option<&TokenKey>) -> Response {
    match client::send(app.local_addr, request).await {
        Ok(resp) => {
            let token_problem =
                String::from_utf8_lossy(&resp.body).contains("oauth_problem=token_");
            if resp.status == 401 && token_problem {
                if let Some(key) = key {
                    app.gadgets.forget_token(key);
                }
            }
            answer(
                url,
                &MakeRequestResponse {
                    rc: resp.status,
                    body: String::from_utf8_lossy(&resp.body).into_owned(),
                    ..Default::default()
                },
            )
        }
        Err(e) => oauth_error(url, "MISSING_SERVER_RESPONSE", e),
    }
}

/// No token yet: a request token from the service, and the approval URL and state.
async fn approval(
    app: &App,
    url: &str,
    key: TokenKey,
    spec: &GadgetSpec,
    service: &OAuthService,
) -> Response {
    let own = |u: &str| {
        url::Url::parse(u)
            .map(|p| own_url(app, &p))
            .unwrap_or_else(|_| u.to_owned())
    };
    let spec_endpoints = service.endpoints();
    let endpoints = Endpoints::google().with_oauth1(
        own(spec_endpoints.oauth1_request_token()),
        own(service.authorization_url().as_str()),
        own(spec_endpoints.oauth1_access_token()),
    );
    let state = random_hex();
    let mut options = service.request_token_options();
    options.callback = Callback::Url(url_with_query(
        &format!("{}{CALLBACK_PATH}", app.realm()),
        &[("cs", state.as_str())],
    ));
    if let Some(title) = spec.title() {
        options = options.with_display_name(title);
    }
    let ctx = Context::draw(&*app.clock, &OsNonce);
    let request = match prepare_request_token(&endpoints, &app.gadgets.consumer, &options, &ctx) {
        Ok(r) => r,
        Err(e) => return oauth_error(url, "BAD_OAUTH_CONFIGURATION", e.to_string()),
    };
    let response = match client::send(app.local_addr, &request).await {
        Ok(r) => r,
        Err(e) => return oauth_error(url, "MISSING_SERVER_RESPONSE", e),
    };
    let request_token = match parse_request_token(&options, &response) {
        Ok(t) => t,
        Err(e) => return oauth_error(url, "UNKNOWN_PROBLEM", format!("request token: {e}")),
    };
    // Shindig's buildAznUrl: the spec's Authorization URL (its own query kept) plus
    // `oauth_token`; the gadget opens it in a popup.
    let approval_url = url_with_query(
        endpoints.oauth1_authorize_token(),
        &[("oauth_token", request_token.token())],
    );
    app.gadgets.add_pending(Pending {
        state: state.clone(),
        key,
        request_token,
        endpoints,
    });
    answer(
        url,
        &MakeRequestResponse {
            rc: 200,
            oauth_approval_url: Some(approval_url),
            oauth_state: Some(state),
            ..Default::default()
        },
    )
}

/// `GET /gadgets/oauthcallback?cs=STATE&oauth_token=…&oauth_verifier=…`: exchanges the
/// request token and stores the access token for (viewer, gadget, service).
async fn oauth_callback(State(app): State<Arc<App>>, req: Request) -> Response {
    let query = req.uri().query().unwrap_or("").to_owned();
    let state = url::form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == "cs")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let Some(pending) = app.gadgets.take_pending(&state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Unknown or expired approval",
            "Start again from the gadget.",
        );
    };
    if url::form_urlencoded::parse(query.as_bytes())
        .any(|(n, v)| n == "oauth_problem" && v == "permission_denied")
    {
        return page(
            StatusCode::OK,
            "Access denied",
            "The gadget will not see your data. You may close this window.",
        );
    }
    let authorized = match parse_callback(pending.request_token, &query) {
        Ok(a) => a,
        Err(e) => return page(StatusCode::BAD_REQUEST, "Approval failed", &e.to_string()),
    };
    let ctx = Context::draw(&*app.clock, &OsNonce);
    let consumer = &app.gadgets.consumer;
    let request = match prepare_access_token(&pending.endpoints, consumer, &authorized, &ctx) {
        Ok(r) => r,
        Err(e) => return page(StatusCode::BAD_GATEWAY, "Approval failed", &e.to_string()),
    };
    let response = match client::send(app.local_addr, &request).await {
        Ok(r) => r,
        Err(e) => return page(StatusCode::BAD_GATEWAY, "Approval failed", &e),
    };
    match parse_access_token(consumer, &authorized, &response) {
        Ok(token) => {
            app.gadgets.store_token(pending.key, token);
            // The page oauth.gmodules.com/gadgets/oauthcallback served closed the popup.
            page(
                StatusCode::OK,
                "Access approved",
                "The gadget can now read your data. You may close this window.",
            )
        }
        Err(e) => page(StatusCode::BAD_GATEWAY, "Approval failed", &e.to_string()),
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    html_response(
        status,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><h1 id=\"outcome\">{t}</h1><p>{m}</p></body></html>\n",
            t = esc(title),
            m = esc(message)
        ),
    )
}
