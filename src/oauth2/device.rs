//! The device flow (RFC 8628, Google's "OAuth 2.0 for TV and Limited-Input Device
//! Applications"): the device asks for a code, shows the user a short `user_code` and a
//! `verification_url` to open on another device, and polls the token endpoint at the
//! server's interval until the user answers: `authorization_pending` waits,
//! `slow_down` adds 5 seconds to the interval for good (RFC 8628 §3.5), `access_denied`
//! and `expired_token` end the flow.
//!
//! The steps are `prepare_*` / `parse_*` pairs; [`DevicePoller`] is the waiting rule, and
//! [`wait_blocking`] (and, with feature `http`, [`wait`]) the loop over a transport.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::error::{EndpointError, ErrorCode, InputError, Malformed, OAuth2Error};
use super::flow::authenticate_client;
use super::response::{
    parse_error_response, parse_token_response, whole_seconds, MAX_RESPONSE_BYTES,
};
use super::types::{ClientCredentials, TokenResponse};
use crate::call::Call;
use crate::endpoints::Endpoints;
use crate::secret::secret_string;
use crate::transport::{BlockingTransport, HttpRequest, HttpResponse};

/// RFC 8628 §3.5: the device flow's grant type.
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8628 §3.2: the interval when the server names none.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// RFC 8628 §3.5: what `slow_down` adds to the interval, for this and every later poll.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The longest interval or lifetime accepted from a server (an hour): a larger one is
/// malformed rather than a reason to wait forever.
const MAX_SECONDS: u64 = 3600;
/// Longest string of digits read as a number of seconds (an hour is 4; leading zeros allowed).
const MAX_SECONDS_DIGITS: usize = 6;
/// Longest `device_code` accepted, in bytes.
const MAX_DEVICE_CODE_LEN: usize = 512;
/// Longest `user_code` accepted, in bytes: it is shown to a person.
const MAX_USER_CODE_LEN: usize = 64;
/// Longest verification URL accepted, in bytes (plain or `_complete`).
const MAX_VERIFICATION_URL_LEN: usize = 2048;

secret_string!(
    /// The `device_code` (RFC 8628 §3.2): whoever holds it can collect the grant once the
    /// user approves, so a secret.
    #[derive(Clone)]
    DeviceCode
);

/// The device authorization answer (RFC 8628 §3.2; Google spells `verification_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The code the device polls with.
    pub device_code: DeviceCode,
    /// The code the user types on the verification page.
    pub user_code: String,
    /// The page the user opens on another device.
    pub verification_url: String,
    /// The same page with the code filled in, when the server gives one
    /// (`verification_uri_complete`).
    pub verification_url_complete: Option<String>,
    /// How long the codes live, in seconds.
    pub expires_in: u64,
    /// The polling interval.
    pub interval: Duration,
}

/// `POST …/o/oauth2/device/code` with `client_id` and `scope` (RFC 8628 §3.1): the device
/// does not authenticate here.
pub fn prepare_device_code(
    endpoints: &Endpoints,
    client_id: &str,
    scopes: &[String],
) -> Result<HttpRequest, OAuth2Error> {
    if client_id.is_empty() || client_id.chars().any(char::is_control) {
        return Err(OAuth2Error::InvalidInput(InputError::BadClient));
    }
    let scope = super::authorize::scope_param(scopes)?;
    Ok(HttpRequest::post_form(
        endpoints.oauth2_device_code(),
        &[("client_id", client_id), ("scope", scope.as_str())],
    )
    .header("Accept", "application/json"))
}

#[derive(Deserialize)]
struct RawDevice {
    device_code: Option<DeviceCode>,
    user_code: Option<String>,
    verification_url: Option<String>,
    verification_uri: Option<String>,
    verification_uri_complete: Option<String>,
    expires_in: Option<Value>,
    interval: Option<Value>,
}

/// Whole seconds from 1 to an hour ([`whole_seconds`]).
fn seconds(value: &Value) -> Option<u64> {
    whole_seconds(value, MAX_SECONDS_DIGITS).filter(|n| (1..=MAX_SECONDS).contains(n))
}

/// An absolute `http(s)` URL, as a verification URL must be to be shown to a user, in its
/// normalized form (control characters percent-encoded, so printing it is safe).
fn http_url(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .map(String::from)
}

/// Reads the device authorization answer. The user code and URL are shown to a person:
/// a user code must be short printable ASCII, a URL an absolute `http(s)` one.
pub fn parse_device_code(response: HttpResponse) -> Result<DeviceAuthorization, OAuth2Error> {
    if response.status != 200 {
        return Err(parse_error_response(&response));
    }
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(OAuth2Error::Malformed(Malformed::TooLarge));
    }
    let raw: RawDevice = serde_json::from_slice(&response.body)
        .map_err(|_| OAuth2Error::Malformed(Malformed::NotJson))?;
    let missing = |f| OAuth2Error::Malformed(Malformed::MissingField(f));
    let device_code = raw
        .device_code
        .filter(|d| !d.is_empty() && d.secret().len() <= MAX_DEVICE_CODE_LEN)
        .ok_or(missing("device_code"))?;
    let user_code = raw
        .user_code
        .filter(|u| {
            !u.is_empty() && u.len() <= MAX_USER_CODE_LEN && u.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or(missing("user_code"))?;
    let verification_url = raw
        .verification_url
        .or(raw.verification_uri)
        .filter(|u| u.len() <= MAX_VERIFICATION_URL_LEN)
        .and_then(|u| http_url(&u))
        .ok_or(missing("verification_url"))?;
    let verification_url_complete = raw
        .verification_uri_complete
        .filter(|u| u.len() <= MAX_VERIFICATION_URL_LEN)
        .and_then(|u| http_url(&u));
    let expires_in = raw
        .expires_in
        .as_ref()
        .map(|v| seconds(v).ok_or(OAuth2Error::Malformed(Malformed::BadExpiresIn)))
        .transpose()?
        .ok_or(missing("expires_in"))?;
    let interval = match &raw.interval {
        None | Some(Value::Null) => DEFAULT_INTERVAL,
        Some(v) => {
            Duration::from_secs(seconds(v).ok_or(OAuth2Error::Malformed(Malformed::BadExpiresIn))?)
        }
    };
    Ok(DeviceAuthorization {
        device_code,
        user_code,
        verification_url,
        verification_url_complete,
        expires_in,
        interval,
    })
}

/// [`prepare_device_code`] and [`parse_device_code`] as one step.
pub fn request_device_code(
    endpoints: &Endpoints,
    client_id: &str,
    scopes: &[String],
) -> Call<DeviceAuthorization, OAuth2Error> {
    Call::new(
        prepare_device_code(endpoints, client_id, scopes),
        parse_device_code,
    )
}

/// One poll's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DevicePoll {
    /// The user approved: the grant.
    Granted(TokenResponse),
    /// `authorization_pending`: ask again after the interval.
    Pending,
    /// `slow_down`: ask again after a 5-second longer interval, from now on.
    SlowDown,
}

/// `POST …/o/oauth2/token` with `grant_type=urn:ietf:params:oauth:grant-type:device_code`
/// and `device_code` (RFC 8628 §3.4), the client authenticated as at the token endpoint.
pub fn prepare_device_poll(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    device_code: &DeviceCode,
) -> Result<HttpRequest, OAuth2Error> {
    authenticate_client(
        client,
        endpoints.oauth2_token(),
        vec![
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", device_code.secret()),
        ],
    )
}

/// Reads a poll's answer: a token, `Pending` or `SlowDown` (whatever the status: Google
/// answers 428 and 403 where RFC 8628 says 400); `access_denied` is
/// [`OAuth2Error::AccessDenied`], `expired_token` [`OAuth2Error::DeviceCodeExpired`].
pub fn parse_device_poll(response: HttpResponse) -> Result<DevicePoll, OAuth2Error> {
    if response.status == 200 {
        return parse_token_response(response).map(DevicePoll::Granted);
    }
    let error = parse_error_response(&response);
    match error.endpoint_error().map(|e| &e.code) {
        Some(ErrorCode::AuthorizationPending) => Ok(DevicePoll::Pending),
        Some(ErrorCode::SlowDown) => Ok(DevicePoll::SlowDown),
        _ => Err(error),
    }
}

/// [`prepare_device_poll`] and [`parse_device_poll`] as one step.
pub fn poll(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    device_code: &DeviceCode,
) -> Call<DevicePoll, OAuth2Error> {
    Call::new(
        prepare_device_poll(endpoints, client, device_code),
        parse_device_poll,
    )
}

/// The waiting rule of RFC 8628 §3.5: wait the interval before each poll (the first
/// included), add [`SLOW_DOWN_STEP`] for good after a `slow_down`, and stop once the
/// codes' lifetime has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePoller {
    interval: Duration,
    remaining: Duration,
}

impl DevicePoller {
    /// The rule for `authorization`.
    pub fn new(authorization: &DeviceAuthorization) -> Self {
        Self {
            interval: authorization.interval,
            remaining: Duration::from_secs(authorization.expires_in),
        }
    }

    /// The current interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long to wait before the next poll, or `None` when the codes have expired. Each
    /// call spends the wait from the codes' lifetime.
    pub fn next_wait(&mut self) -> Option<Duration> {
        if self.remaining.is_zero() {
            return None;
        }
        let wait = self.interval.min(self.remaining);
        self.remaining -= wait;
        Some(wait)
    }

    /// Reads a poll's answer: `SlowDown` grows the interval.
    pub fn observe(&mut self, poll: &DevicePoll) {
        if matches!(poll, DevicePoll::SlowDown) {
            self.interval += SLOW_DOWN_STEP;
        }
    }
}

/// The error for codes that expired while polling, without a server's answer.
fn expired_locally() -> OAuth2Error {
    OAuth2Error::DeviceCodeExpired(EndpointError {
        code: ErrorCode::ExpiredToken,
        subtype: None,
        description: Some("the device code's lifetime passed while polling".to_owned()),
        status: 0,
        retry_after: None,
    })
}

/// Polls until the user answers, sleeping with `sleep` between polls: the grant, or the
/// error that ended the flow (denied, expired, or anything else the endpoint or the
/// transport said).
pub fn wait_blocking<T: BlockingTransport + ?Sized>(
    transport: &T,
    endpoints: &Endpoints,
    client: &ClientCredentials,
    authorization: &DeviceAuthorization,
    mut sleep: impl FnMut(Duration),
) -> Result<TokenResponse, OAuth2Error> {
    let mut poller = DevicePoller::new(authorization);
    while let Some(wait) = poller.next_wait() {
        sleep(wait);
        let answer =
            poll(endpoints, client, &authorization.device_code).send_blocking(transport)?;
        if let DevicePoll::Granted(token) = answer {
            return Ok(token);
        }
        poller.observe(&answer);
    }
    Err(expired_locally())
}

/// [`wait_blocking`] over an async transport, sleeping with tokio.
#[cfg(feature = "http")]
pub async fn wait<T: crate::transport::Transport + ?Sized>(
    transport: &T,
    endpoints: &Endpoints,
    client: &ClientCredentials,
    authorization: &DeviceAuthorization,
) -> Result<TokenResponse, OAuth2Error> {
    let mut poller = DevicePoller::new(authorization);
    while let Some(wait) = poller.next_wait() {
        tokio::time::sleep(wait).await;
        let answer = poll(endpoints, client, &authorization.device_code)
            .send(transport)
            .await?;
        if let DevicePoll::Granted(token) = answer {
            return Ok(token);
        }
        poller.observe(&answer);
    }
    Err(expired_locally())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::ClientSecret;

    fn json(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, body).with_header("Content-Type", "application/json")
    }

    #[test]
    fn the_code_request_names_the_client_and_scopes_only() {
        let req = prepare_device_code(
            &Endpoints::google(),
            "cid",
            &["email".into(), "profile".into()],
        )
        .unwrap();
        assert_eq!(req.url, "https://accounts.google.com/o/oauth2/device/code");
        assert_eq!(req.body, b"client_id=cid&scope=email%20profile");
        assert_eq!(req.header_value("Authorization"), None);
    }

    #[test]
    fn googles_device_answer_is_read() {
        let a = parse_device_code(json(
            200,
            r#"{"device_code":"AH-1Ng","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#,
        ))
        .unwrap();
        assert_eq!(a.device_code.secret(), "AH-1Ng");
        assert_eq!(a.user_code, "GQVQ-JKEC");
        assert_eq!(a.verification_url, "https://www.google.com/device");
        assert_eq!(a.interval, Duration::from_secs(5));
        // RFC 8628's spelling, no interval (5 s by default).
        let b = parse_device_code(json(
            200,
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://x/device","expires_in":"600"}"#,
        ))
        .unwrap();
        assert_eq!(b.verification_url, "https://x/device");
        assert_eq!(b.interval, DEFAULT_INTERVAL);
        // What reaches the user's terminal holds no control character.
        let c = parse_device_code(json(
            200,
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://x/\u001b]0;PWNED\u0007","expires_in":60}"#,
        ))
        .unwrap();
        assert!(
            !c.verification_url.chars().any(char::is_control),
            "{}",
            c.verification_url
        );
        let e = parse_device_poll(json(
            400,
            r#"{"error":"invalid_client","error_description":"a\u001b[2J\r\nerror: forged"}"#,
        ))
        .unwrap_err();
        let shown = e.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        for bad in [
            r#"{"user_code":"U","verification_url":"https://x/","expires_in":1}"#,
            r#"{"device_code":"d","user_code":"U\n","verification_url":"https://x/","expires_in":1}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"javascript:alert(1)","expires_in":1}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/","expires_in":0}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/","expires_in":5,"interval":99999}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/","expires_in":5,"interval":0}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/","expires_in":5,"interval":"+5"}"#,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/","expires_in":"+60"}"#,
        ] {
            assert!(
                matches!(
                    parse_device_code(json(200, bad)),
                    Err(OAuth2Error::Malformed(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_device_code(json(401, r#"{"error":"invalid_client"}"#)),
            Err(OAuth2Error::InvalidClient(_))
        ));
    }

    #[test]
    fn polls_read_googles_statuses() {
        let pending = json(428, r#"{"error":"authorization_pending"}"#);
        assert_eq!(parse_device_poll(pending).unwrap(), DevicePoll::Pending);
        let slow = json(403, r#"{"error":"slow_down"}"#);
        assert_eq!(parse_device_poll(slow).unwrap(), DevicePoll::SlowDown);
        assert!(matches!(
            parse_device_poll(json(403, r#"{"error":"access_denied"}"#)),
            Err(OAuth2Error::AccessDenied(_))
        ));
        let expired = parse_device_poll(json(400, r#"{"error":"expired_token"}"#)).unwrap_err();
        assert!(matches!(expired, OAuth2Error::DeviceCodeExpired(_)));
        assert!(expired.is_final());
        let ok = parse_device_poll(json(
            200,
            r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r","scope":"email"}"#,
        ))
        .unwrap();
        assert!(matches!(ok, DevicePoll::Granted(t) if t.refresh_token.is_some()));
    }

    #[test]
    fn the_poller_waits_grows_on_slow_down_and_stops_at_expiry() {
        let auth = DeviceAuthorization {
            device_code: DeviceCode::new("d"),
            user_code: "U".into(),
            verification_url: "https://x/".into(),
            verification_url_complete: None,
            expires_in: 12,
            interval: Duration::from_secs(1),
        };
        let mut p = DevicePoller::new(&auth);
        assert_eq!(p.next_wait(), Some(Duration::from_secs(1)));
        p.observe(&DevicePoll::Pending);
        assert_eq!(p.next_wait(), Some(Duration::from_secs(1)));
        p.observe(&DevicePoll::SlowDown);
        assert_eq!(p.interval(), Duration::from_secs(6));
        assert_eq!(p.next_wait(), Some(Duration::from_secs(6)));
        // 8 of 12 seconds spent: the last wait is what is left, then none.
        assert_eq!(p.next_wait(), Some(Duration::from_secs(4)));
        assert_eq!(p.next_wait(), None);
    }

    #[test]
    fn the_blocking_loop_follows_the_answers() {
        let auth = DeviceAuthorization {
            device_code: DeviceCode::new("dc"),
            user_code: "U".into(),
            verification_url: "https://x/".into(),
            verification_url_complete: None,
            expires_in: 100,
            interval: Duration::from_secs(2),
        };
        let answers = std::sync::Mutex::new(vec![
            json(200, r#"{"access_token":"ya29.t","token_type":"Bearer"}"#),
            json(403, r#"{"error":"slow_down"}"#),
            json(428, r#"{"error":"authorization_pending"}"#),
        ]);
        let sent = std::sync::Mutex::new(Vec::new());
        let transport = |req: HttpRequest| {
            sent.lock()
                .unwrap()
                .push(String::from_utf8(req.body.clone()).unwrap());
            Ok(answers.lock().unwrap().pop().unwrap())
        };
        let mut slept = Vec::new();
        let client = ClientCredentials::new("cid", ClientSecret::new("s"));
        let token = wait_blocking(&transport, &Endpoints::google(), &client, &auth, |d| {
            slept.push(d.as_secs())
        })
        .unwrap();
        assert_eq!(token.access_token.secret(), "ya29.t");
        assert_eq!(slept, [2, 2, 7]);
        assert_eq!(sent.lock().unwrap().len(), 3);
        assert!(sent.lock().unwrap()[0].contains("device_code=dc&client_id=cid&client_secret=s"));
    }
}
