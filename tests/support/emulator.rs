//! Helpers shared by the emulator tests: requests signed by `OAuth1Authorizer` with the
//! protocol parameters placed in the header, the query or the form body, sent over real
//! loopback HTTP with `ReqwestTransport`, and small parsers for the answers.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use gdata_auth::clock::{Clock, FixedClock, OsNonce};
use gdata_auth::emulator::{Emulator, EmulatorConfig, LogTarget};
use gdata_auth::encoding::{form_encode, parse_form};
use gdata_auth::oauth1::header::parse_header;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport};
use gdata_auth::{Context, Request};

/// A fixed start time for `FixedClock` tests (2010-11-15, while Google still served OAuth 1.0).
pub const T0: u64 = 1_289_861_432;

pub const CALENDAR_SCOPE: &str = "http://www.google.com/calendar/feeds/";
pub const CONTACTS_SCOPE: &str = "https://www.google.com/m8/feeds/";
pub const CALENDAR_FEED: &str = "/calendar/feeds/default/private/full";
pub const CONTACTS_FEED: &str = "/m8/feeds/contacts/default/full";
pub const DOCS_FEED: &str = "/feeds/documents/private/full";

/// Where the protocol parameters travel (RFC 5849 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Header,
    Query,
    Body,
}

/// A log sink that keeps every line.
#[derive(Clone, Default)]
pub struct Log(pub Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn target(&self) -> LogTarget {
        let lines = self.0.clone();
        LogTarget::Custom(Arc::new(move |l: &str| {
            lines.lock().unwrap().push(l.to_owned())
        }))
    }
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// An emulator with a `FixedClock` at `T0`, logging into a `Log`.
pub struct Fixture {
    pub emu: Emulator,
    pub clock: Arc<FixedClock>,
    pub log: Log,
    pub http: ReqwestTransport,
}

impl Fixture {
    pub fn new(config: EmulatorConfig) -> Self {
        let clock = Arc::new(FixedClock::new(T0));
        let log = Log::default();
        let emu = Emulator::start(config.with_clock(clock.clone()).with_log(log.target()))
            .expect("emulator starts");
        Self {
            emu,
            clock,
            log,
            http: ReqwestTransport::new().expect("transport"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.emu.base_url(), path)
    }

    pub fn ctx(&self) -> Context {
        Context::draw(self.clock.as_ref(), &OsNonce)
    }

    pub async fn send(&self, req: HttpRequest) -> HttpResponse {
        self.http.send(req).await.expect("request sent")
    }

    /// Signs and sends `method url` with `form` parameters and a fresh context.
    pub async fn signed(
        &self,
        auth: &OAuth1Authorizer,
        method: &str,
        path_and_query: &str,
        form: &[(&str, &str)],
        placement: Placement,
    ) -> HttpResponse {
        let req = signed_request(
            auth,
            method,
            &self.url(path_and_query),
            form,
            placement,
            &self.ctx(),
        );
        self.send(req).await
    }

    /// OAuthGetRequestToken with `scope` (in the query, as PY2 sent it) and a callback.
    pub async fn request_token(
        &self,
        consumer: &OAuth1Authorizer,
        scope: &str,
        callback: &str,
    ) -> (String, String) {
        let resp = self
            .signed(
                &consumer.clone().with_callback(callback),
                "POST",
                &format!(
                    "/accounts/OAuthGetRequestToken?scope={}",
                    gdata_auth::encoding::percent_encode(scope)
                ),
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!(resp.status, 200, "{}", text(&resp));
        let f = form(&resp);
        assert_eq!(get(&f, "oauth_callback_confirmed"), Some("true"));
        (
            get(&f, "oauth_token").unwrap().to_owned(),
            get(&f, "oauth_token_secret").unwrap().to_owned(),
        )
    }

    /// The `csrf_token` of the consent page at `path_and_query` (GET, as a browser shows it
    /// before the user answers); empty when the answer is not a consent form.
    pub async fn csrf(&self, path_and_query: &str) -> String {
        let page = self.send(HttpRequest::get(self.url(path_and_query))).await;
        page.body_text()
            .ok()
            .and_then(gdata_auth::emulator::csrf_token_of)
            .unwrap_or_default()
    }

    /// Drives the consent form as a browser does: GETs the page for its `csrf_token`, then
    /// POSTs `action` with the given credentials. When the GET shows no form (the token is
    /// refused, or auto-approve answered at once), that answer is returned, as a browser
    /// would show it.
    pub async fn submit_consent(
        &self,
        token: &str,
        email: &str,
        password: &str,
        action: &str,
    ) -> HttpResponse {
        let page = self
            .send(HttpRequest::get(self.url(&format!(
                "/accounts/OAuthAuthorizeToken?oauth_token={}",
                gdata_auth::encoding::percent_encode(token)
            ))))
            .await;
        let Some(csrf) = page
            .body_text()
            .ok()
            .and_then(gdata_auth::emulator::csrf_token_of)
        else {
            return page;
        };
        self.send(HttpRequest::post_form(
            self.url("/accounts/OAuthAuthorizeToken"),
            &[
                ("oauth_token", token),
                ("Email", email),
                ("Passwd", password),
                ("csrf_token", &csrf),
                ("action", action),
            ],
        ))
        .await
    }

    /// Approves with the default account and returns the verifier, from the 302 or the
    /// oob page.
    pub async fn approve(&self, token: &str) -> String {
        let resp = self
            .submit_consent(token, "user@example.com", "password", "approve")
            .await;
        verifier_of(&resp, token)
    }

    /// OAuthGetAccessToken; returns the response.
    pub async fn exchange(
        &self,
        consumer: &OAuth1Authorizer,
        token: &str,
        secret: &str,
        verifier: &str,
    ) -> HttpResponse {
        let auth = consumer
            .clone()
            .with_token(token, gdata_auth::TokenSecret::new(secret))
            .with_verifier(verifier);
        self.signed(
            &auth,
            "POST",
            "/accounts/OAuthGetAccessToken",
            &[],
            Placement::Header,
        )
        .await
    }

    /// The whole dance with the default user; returns the access token and secret.
    pub async fn dance(&self, consumer: &OAuth1Authorizer, scope: &str) -> (String, String) {
        let (rt, rs) = self.request_token(consumer, scope, "oob").await;
        let v = self.approve(&rt).await;
        let resp = self.exchange(consumer, &rt, &rs, &v).await;
        assert_eq!(resp.status, 200, "{}", text(&resp));
        let f = form(&resp);
        (
            get(&f, "oauth_token").unwrap().to_owned(),
            get(&f, "oauth_token_secret").unwrap().to_owned(),
        )
    }
}

/// The verifier from a consent answer: the 302's `oauth_verifier` (checking its
/// `oauth_token`), or the oob page's `id="verifier"` element.
pub fn verifier_of(resp: &HttpResponse, token: &str) -> String {
    if resp.status == 302 {
        let loc = resp.header("Location").expect("Location");
        let q = url::Url::parse(loc).unwrap();
        let pairs: Vec<(String, String)> = q.query_pairs().into_owned().collect();
        assert_eq!(get(&pairs, "oauth_token"), Some(token), "{loc}");
        return get(&pairs, "oauth_verifier").expect("verifier").to_owned();
    }
    assert_eq!(resp.status, 200, "{}", text(resp));
    oob_verifier(text(resp)).expect("verifier element")
}

/// The text of `<code id="verifier">…</code>`.
pub fn oob_verifier(html: &str) -> Option<String> {
    let start = html.find("id=\"verifier\">")? + "id=\"verifier\">".len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

/// Builds the signed request, with the protocol parameters in `placement`.
pub fn signed_request(
    auth: &OAuth1Authorizer,
    method: &str,
    url: &str,
    form: &[(&str, &str)],
    placement: Placement,
    ctx: &Context,
) -> HttpRequest {
    let request = Request::new(method, url)
        .unwrap()
        .with_form(form.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    let signed = auth.sign(&request, ctx).expect("signs");
    let base = HttpRequest::from_request(&request);
    match placement {
        Placement::Header => base.with_authorization(&signed.authorization),
        Placement::Query | Placement::Body => {
            let params = parse_header(signed.authorization.header_value())
                .unwrap()
                .params;
            let encoded = form_encode(&params);
            if placement == Placement::Query {
                let sep = if url.contains('?') { '&' } else { '?' };
                let mut req = base;
                req.url = format!("{url}{sep}{encoded}");
                req
            } else {
                let mut body = request.form_body();
                if !body.is_empty() {
                    body.push('&');
                }
                body.push_str(&encoded);
                HttpRequest::new(method, url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .with_body(body.into_bytes())
            }
        }
    }
}

pub fn text(resp: &HttpResponse) -> &str {
    resp.body_text().unwrap()
}

pub fn form(resp: &HttpResponse) -> Vec<(String, String)> {
    parse_form(text(resp)).unwrap()
}

pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The `oauth_problem` of an error answer.
pub fn problem(resp: &HttpResponse) -> String {
    get(&form(resp), "oauth_problem")
        .unwrap_or_else(|| panic!("no oauth_problem in {:?}", text(resp)))
        .to_owned()
}

/// A clock-independent now, for emulators on the system clock.
pub fn now() -> u64 {
    gdata_auth::clock::SystemClock.now_unix()
}

/// An emulator configuration that logs nothing.
pub fn quiet() -> EmulatorConfig {
    EmulatorConfig::new().with_log(LogTarget::Off)
}

/// Sends raw bytes and returns what the server answered before closing (or within 5 s).
pub fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> String {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The first line of a raw answer.
pub fn status_line(resp: &str) -> &str {
    resp.lines().next().unwrap_or_default()
}
