//! The replay checker: reads a directory of recordings ([`exchange`](super::exchange)
//! format) and checks every exchange, offline: the request's signature, and the response's
//! shape against what Google documented.
//!
//! # Request checks
//!
//! The request is restored first (its `${secret:…}` references resolved from the
//! [`Secrets`]). Then, by what it carries:
//!
//! * **OAuth 1.0** (`Authorization: OAuth …`, or `oauth_signature` in the query or form
//!   body): the library's [`Verifier`](crate::oauth1::verifier::Verifier), Google profile,
//!   its clock pinned to the request's own `oauth_timestamp`, no nonce memory
//!   ([`Verifier::check`](crate::oauth1::verifier::Verifier::check)), PLAINTEXT accepted
//!   over `http://` (the emulator's loopback). Needs `consumer_secret` (and `token_secret`
//!   when the request has a token) or `rsa_public_key` (RSA-SHA1, feature `rsa`).
//! * **Secure AuthSub** (`AuthSub … sigalg=…`): [`crate::authsub::verifier::verify`] with the
//!   clock pinned to the signed timestamp; needs `rsa_public_key` (feature `rsa`).
//! * **JWT bearer grant** (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`): the
//!   assertion's RS256 signature with the public half of `service_account_key`
//!   ([`AssertionVerifier`](crate::oauth2::service_account::AssertionVerifier), feature
//!   `rsa`), and `exp` after `iat`.
//! * Anything else (plain AuthSub, `GoogleLogin`, `Bearer`, no credential): no signature.
//!
//! A secret the check needs that the secrets file lacks makes the exchange **skipped**
//! (`skip NAME: needs secret X`), not failed: the recording may still be right, and a run
//! without `--secrets` checks every response. So does a signature the build cannot check
//! (RSA without feature `rsa`). A recording that marks `credentials.unchecked_signature`
//! (a public trace whose token secret was never recorded) has its response checked and
//! passes with that note. A recording that names no credential for a signed request fails.
//!
//! # Response checks (by endpoint, the URL path's last segment)
//!
//! | endpoint | 2xx | error |
//! |---|---|---|
//! | `OAuthGetRequestToken` | form body with `oauth_token`, `oauth_token_secret`, `oauth_callback_confirmed=true` | — |
//! | `OAuthGetAccessToken` | form body with `oauth_token`, `oauth_token_secret` | — |
//! | `ClientLogin` | `text/plain`; `SID=`, `LSID=`, `Auth=` lines in that order | 403 `text/plain`, `Error=` on the first line; `CaptchaRequired` with `CaptchaToken=` and `CaptchaUrl=` |
//! | `AuthSubSessionToken` | a `Token=` line; `Expiration=` (if any) `YYYYMMDDTHHMMSSZ` | — |
//! | `AuthSubTokenInfo` | `Target=`, `Scope=`, `Secure=true|false` lines | — |
//! | `AuthSubRevokeToken` | 200 | — |
//! | `/o/oauth2/token` | `application/json` object: `access_token`, `token_type` `Bearer`, numeric `expires_in` (the migration grant: `refresh_token`) | JSON object with a string `error` |
//! | `/o/oauth2/device/code` | JSON `device_code`, `user_code`, `verification_url` (or `_uri`), `expires_in`, `interval` | JSON `error` |
//! | `/o/oauth2/revoke` | 200 | JSON `error` |
//!
//! Other endpoints (consent pages, feeds) carry no documented machine-read shape.
//!
//! ```
//! use gdata_auth::conformance::exchange::Secrets;
//! use gdata_auth::conformance::replay::check_dir;
//!
//! let secrets = Secrets::read("fixtures/exchange-secrets.json")?;
//! let report = check_dir("fixtures/exchanges", &secrets)?;
//! for outcome in &report.outcomes {
//!     println!("{outcome}");
//! }
//! println!("{}", report.summary());
//! assert!(report.passed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use super::exchange::{
    header, Credentials, Exchange, ExchangeError, RecordedRequest, Recording, Secrets,
};
use crate::encoding::{parse_form, query_part};

/// What became of one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Every check passed; the notes say what was not checked, if anything.
    Ok(Vec<String>),
    /// A check could not run (a missing secret, a feature not built in).
    Skipped(String),
    /// A check failed: which, and why.
    Failed(String),
}

/// One exchange's outcome, named `RECORDING/EXCHANGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `RECORDING/EXCHANGE`.
    pub name: String,
    /// What became of it.
    pub status: Status,
}

impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.status {
            Status::Ok(notes) if notes.is_empty() => write!(f, "ok {}", self.name),
            Status::Ok(notes) => write!(f, "ok {} ({})", self.name, notes.join("; ")),
            Status::Skipped(why) => write!(f, "skip {}: {why}", self.name),
            Status::Failed(why) => write!(f, "FAIL {}: {why}", self.name),
        }
    }
}

/// Every outcome of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One per exchange, files in name order, exchanges in recorded order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many passed, were skipped, failed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for o in &self.outcomes {
            match o.status {
                Status::Ok(_) => c.0 += 1,
                Status::Skipped(_) => c.1 += 1,
                Status::Failed(_) => c.2 += 1,
            }
        }
        c
    }

    /// Whether nothing failed.
    pub fn passed(&self) -> bool {
        self.counts().2 == 0
    }

    /// `N exchanges: N ok, N skipped, N failed`.
    pub fn summary(&self) -> String {
        let (ok, skipped, failed) = self.counts();
        format!(
            "{} exchanges: {ok} ok, {skipped} skipped, {failed} failed",
            self.outcomes.len()
        )
    }
}

/// Checks every `*.json` recording under `dir` (recursively, in path order).
///
/// A file that is not a recording is an error, not a failed exchange.
pub fn check_dir(dir: impl AsRef<Path>, secrets: &Secrets) -> Result<Report, ExchangeError> {
    let mut files = Vec::new();
    collect(dir.as_ref(), &mut files)?;
    files.sort();
    let mut report = Report::default();
    for file in files {
        let rec = Recording::read(&file)?;
        report.outcomes.extend(check_recording(&rec, secrets));
    }
    Ok(report)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ExchangeError> {
    let io = |e: std::io::Error| ExchangeError::Io {
        path: dir.to_owned(),
        message: e.to_string(),
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Checks each exchange of one recording.
pub fn check_recording(rec: &Recording, secrets: &Secrets) -> Vec<Outcome> {
    rec.exchanges
        .iter()
        .map(|e| Outcome {
            name: format!("{}/{}", rec.name, e.name),
            status: check_exchange(e, secrets),
        })
        .collect()
}

/// A check that did not pass.
enum NotOk {
    Skip(String),
    Fail(String),
}

/// Checks one exchange: the request's signature, then the response's shape.
pub fn check_exchange(exchange: &Exchange, secrets: &Secrets) -> Status {
    let mut notes = Vec::new();
    if let Err(e) = check_response(exchange) {
        return Status::Failed(e);
    }
    match check_request(exchange, secrets, &mut notes) {
        Ok(()) => Status::Ok(notes),
        Err(NotOk::Skip(why)) => Status::Skipped(why),
        Err(NotOk::Fail(why)) => Status::Failed(why),
    }
}

/// The request with its references resolved.
struct Restored {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    missing: Vec<String>,
}

fn restore(req: &RecordedRequest, secrets: &Secrets) -> Result<Restored, String> {
    let mut missing = Vec::new();
    let mut text = |s: &str| {
        let r = secrets.resolve(s);
        for m in r.missing {
            if !missing.contains(&m) {
                missing.push(m);
            }
        }
        r.text
    };
    let url = text(&req.url);
    let headers = req
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), text(v)))
        .collect();
    let body = match req.body.text() {
        Some(t) => text(t).into_bytes(),
        None => req
            .body
            .to_bytes()
            .map_err(|_| "the request body is not valid base64".to_owned())?,
    };
    Ok(Restored {
        method: req.method.clone(),
        url,
        headers,
        body,
        missing,
    })
}

/// The secret named by `field` of the credentials, or why the check cannot run.
fn need<'a>(secrets: &'a Secrets, field: &str, named: Option<&String>) -> Result<&'a str, NotOk> {
    let name = named.ok_or_else(|| {
        NotOk::Fail(format!(
            "signature: the recording names no {field} in its credentials"
        ))
    })?;
    secrets
        .get(name)
        .ok_or_else(|| NotOk::Skip(format!("needs secret {name} ({field})")))
}

fn needs_all(restored: &Restored) -> Result<(), NotOk> {
    match restored.missing.first() {
        Some(name) => Err(NotOk::Skip(format!(
            "needs secret {name} (the signed request contains it)"
        ))),
        None => Ok(()),
    }
}

fn form_body(restored: &Restored) -> Option<Vec<(String, String)>> {
    let is_form = header(&restored.headers, "Content-Type").is_some_and(|t| {
        t.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if !is_form {
        return None;
    }
    core::str::from_utf8(&restored.body)
        .ok()
        .and_then(|b| parse_form(b).ok())
}

fn check_request(
    exchange: &Exchange,
    secrets: &Secrets,
    notes: &mut Vec<String>,
) -> Result<(), NotOk> {
    let restored = restore(&exchange.request, secrets).map_err(NotOk::Fail)?;
    let authorization = header(&restored.headers, "Authorization").unwrap_or_default();
    let scheme = authorization.split_whitespace().next().unwrap_or_default();
    let form = form_body(&restored);
    let query = parse_form(query_part(&restored.url)).unwrap_or_default();
    let has = |pairs: &[(String, String)], n: &str| pairs.iter().any(|(k, _)| k == n);
    let creds = &exchange.credentials;

    let oauth1 = scheme.eq_ignore_ascii_case("OAuth")
        || has(&query, "oauth_signature")
        || form.as_deref().is_some_and(|f| has(f, "oauth_signature"));
    let secure_authsub = scheme.eq_ignore_ascii_case("AuthSub") && authorization.contains("sigalg");
    let jwt = form.as_deref().and_then(|f| {
        let grant = f.iter().find(|(k, _)| k == "grant_type")?;
        (grant.1 == "urn:ietf:params:oauth:grant-type:jwt-bearer")
            .then(|| {
                f.iter()
                    .find(|(k, _)| k == "assertion")
                    .map(|(_, v)| v.clone())
            })
            .flatten()
    });
    if !(oauth1 || secure_authsub || jwt.is_some()) {
        return Ok(());
    }
    if let Some(why) = &creds.unchecked_signature {
        notes.push(format!("signature not checked: {why}"));
        return Ok(());
    }
    if oauth1 {
        needs_all(&restored)?;
        return check_oauth1(&restored, authorization, creds, secrets);
    }
    if secure_authsub {
        return check_secure_authsub(&restored, authorization, creds, secrets);
    }
    match jwt {
        Some(assertion) => check_jwt(&assertion, creds, secrets),
        None => Ok(()),
    }
}

/// The value of `oauth_timestamp` wherever the request carries it.
fn oauth_timestamp(restored: &Restored, authorization: &str) -> Option<u64> {
    let body = core::str::from_utf8(&restored.body).unwrap_or_default();
    for text in [authorization, query_part(&restored.url), body] {
        if let Some(at) = text.find("oauth_timestamp=") {
            let rest = &text[at + "oauth_timestamp=".len()..];
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(ts) = digits.parse() {
                return Some(ts);
            }
        }
    }
    None
}

/// A credential store that answers for any consumer key and token: the recording names
/// the one consumer and token its request used.
struct ReplayLookup {
    consumer: crate::oauth1::verifier::ConsumerCredential,
    token_secret: Option<crate::TokenSecret>,
}

impl crate::oauth1::verifier::CredentialLookup for ReplayLookup {
    fn consumer(&self, _: &str) -> Option<crate::oauth1::verifier::ConsumerCredential> {
        Some(self.consumer.clone())
    }
    fn token_secret(&self, _: &str, _: &str) -> Option<crate::TokenSecret> {
        self.token_secret.clone()
    }
}

fn check_oauth1(
    restored: &Restored,
    authorization: &str,
    creds: &Credentials,
    secrets: &Secrets,
) -> Result<(), NotOk> {
    use crate::oauth1::verifier::{ConsumerCredential, ReceivedRequest, Verifier, VerifierConfig};
    let method = signature_method(restored, authorization);
    let consumer = if method.eq_ignore_ascii_case("RSA-SHA1") {
        rsa_consumer(secrets, creds)?
    } else {
        let secret = need(secrets, "consumer_secret", creds.consumer_secret.as_ref())?;
        ConsumerCredential::hmac(crate::ConsumerSecret::new(secret))
    };
    let has_token =
        oauth_param(restored, authorization, "oauth_token").is_some_and(|t| !t.is_empty());
    let token_secret = if !has_token {
        None
    } else if method.eq_ignore_ascii_case("RSA-SHA1") {
        // RSA-SHA1 signs with the consumer's key alone; the token only has to be "live".
        Some(crate::TokenSecret::new(""))
    } else {
        let s = need(secrets, "token_secret", creds.token_secret.as_ref())?;
        Some(crate::TokenSecret::new(s))
    };
    let Some(ts) = oauth_timestamp(restored, authorization) else {
        return Err(NotOk::Fail("signature: no oauth_timestamp".into()));
    };
    let config = VerifierConfig {
        dangerous_allow_insecure_plaintext: true,
        ..VerifierConfig::default()
    };
    let verifier = Verifier::builder(ReplayLookup {
        consumer,
        token_secret,
    })
    .clock(std::sync::Arc::new(crate::clock::FixedClock::new(ts)))
    .config(config)
    .build();
    let mut received = ReceivedRequest::new(&restored.method, &restored.url);
    if !authorization.is_empty() {
        received = received.with_authorization(authorization);
    }
    let form_text = form_body(restored)
        .is_some()
        .then(|| core::str::from_utf8(&restored.body).unwrap_or_default());
    if let Some(body) = form_text {
        received = received.with_form_body(body);
    } else if !restored.body.is_empty() {
        received = received.with_body(&restored.body);
    }
    verifier
        .check(&received)
        .map(|_| ())
        .map_err(|e| NotOk::Fail(format!("OAuth 1.0 signature ({method}): {e}")))
}

/// A protocol parameter's raw value from the header, the query or the form body.
fn oauth_param(restored: &Restored, authorization: &str, name: &str) -> Option<String> {
    if let Ok(params) = crate::oauth1::header::parse_header(authorization) {
        if let Some((_, v)) = params.params.iter().find(|(k, _)| k == name) {
            return Some(v.clone());
        }
    }
    let query = parse_form(query_part(&restored.url)).unwrap_or_default();
    let form = form_body(restored).unwrap_or_default();
    query
        .into_iter()
        .chain(form)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn signature_method(restored: &Restored, authorization: &str) -> String {
    oauth_param(restored, authorization, "oauth_signature_method").unwrap_or_default()
}

#[cfg(feature = "rsa")]
fn rsa_key(secrets: &Secrets, creds: &Credentials) -> Result<crate::RsaVerifyingKey, NotOk> {
    let pem = need(secrets, "rsa_public_key", creds.rsa_public_key.as_ref())?;
    crate::RsaVerifyingKey::from_pem(pem)
        .map_err(|e| NotOk::Fail(format!("signature: the rsa_public_key does not read: {e}")))
}

#[cfg(feature = "rsa")]
fn rsa_consumer(
    secrets: &Secrets,
    creds: &Credentials,
) -> Result<crate::oauth1::verifier::ConsumerCredential, NotOk> {
    rsa_key(secrets, creds).map(crate::oauth1::verifier::ConsumerCredential::rsa)
}

#[cfg(not(feature = "rsa"))]
fn rsa_consumer(
    _: &Secrets,
    _: &Credentials,
) -> Result<crate::oauth1::verifier::ConsumerCredential, NotOk> {
    Err(NotOk::Skip("RSA-SHA1 needs the rsa feature".into()))
}

#[cfg(feature = "rsa")]
fn check_secure_authsub(
    restored: &Restored,
    authorization: &str,
    creds: &Credentials,
    secrets: &Secrets,
) -> Result<(), NotOk> {
    use crate::authsub::header::{parse_data, parse_header};
    let key = rsa_key(secrets, creds)?;
    let parsed = parse_header(authorization)
        .map_err(|e| NotOk::Fail(format!("secure AuthSub header: {e}")))?;
    let secure = parsed
        .secure
        .ok_or_else(|| NotOk::Fail("secure AuthSub header: not signed".into()))?;
    let ts = parse_data(&secure.data)
        .map_err(|e| NotOk::Fail(format!("secure AuthSub data: {e}")))?
        .timestamp;
    let clock = crate::clock::FixedClock::new(ts);
    crate::authsub::verifier::verify(
        &restored.method,
        &restored.url,
        authorization,
        &key,
        &clock,
        0,
    )
    .map(|_| ())
    .map_err(|e| NotOk::Fail(format!("secure AuthSub signature: {e}")))
}

#[cfg(not(feature = "rsa"))]
fn check_secure_authsub(_: &Restored, _: &str, _: &Credentials, _: &Secrets) -> Result<(), NotOk> {
    Err(NotOk::Skip("secure AuthSub needs the rsa feature".into()))
}

#[cfg(feature = "rsa")]
fn check_jwt(assertion: &str, creds: &Credentials, secrets: &Secrets) -> Result<(), NotOk> {
    let json = need(
        secrets,
        "service_account_key",
        creds.service_account_key.as_ref(),
    )?;
    let key = crate::oauth2::ServiceAccountKey::from_json(json)
        .map_err(|e| NotOk::Fail(format!("the service_account_key does not read: {e}")))?;
    let claims = key
        .verifier()
        .claims(assertion)
        .map_err(|e| NotOk::Fail(format!("JWT assertion: {e}")))?;
    if claims.exp <= claims.iat {
        return Err(NotOk::Fail("JWT assertion: exp is not after iat".into()));
    }
    if claims.iss != key.client_email() {
        return Err(NotOk::Fail(
            "JWT assertion: iss is not the key's client_email".into(),
        ));
    }
    Ok(())
}

#[cfg(not(feature = "rsa"))]
fn check_jwt(_: &str, _: &Credentials, _: &Secrets) -> Result<(), NotOk> {
    Err(NotOk::Skip("JWT assertions need the rsa feature".into()))
}

// ---- responses -------------------------------------------------------------------------

fn endpoint(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    path.find('/').map_or("", |i| &path[i..])
}

fn check_response(exchange: &Exchange) -> Result<(), String> {
    let path = endpoint(&exchange.request.url);
    let resp = &exchange.response;
    let ok = (200..300).contains(&resp.status);
    let content_type = header(&resp.headers, "Content-Type").unwrap_or_default();
    let body = resp.body.text();
    let last = path.rsplit('/').next().unwrap_or_default();
    let text = || body.ok_or_else(|| "response: the body is not text".to_owned());
    match last {
        "OAuthGetRequestToken" if ok => oauth1_token(text()?, true),
        "OAuthGetAccessToken" if ok => oauth1_token(text()?, false),
        "ClientLogin" => clientlogin(resp.status, content_type, text()?),
        "AuthSubSessionToken" if ok => authsub_session(text()?),
        "AuthSubTokenInfo" if ok => authsub_info(text()?),
        "AuthSubRevokeToken" => {
            if ok {
                Ok(())
            } else {
                Err(format!("response: revoke answered HTTP {}", resp.status))
            }
        }
        "token" if path.ends_with("/o/oauth2/token") => {
            let migration = exchange
                .request
                .body
                .text()
                .is_some_and(|b| b.contains("grant-type%3Amigration%3Aoauth1"));
            oauth2_json(resp.status, content_type, text()?, |obj| {
                if migration {
                    require_str(obj, "refresh_token").map(|_| ())
                } else {
                    require_str(obj, "access_token")?;
                    let tt = require_str(obj, "token_type")?;
                    if !tt.eq_ignore_ascii_case("Bearer") {
                        return Err(format!("response: token_type is {tt:?}, not Bearer"));
                    }
                    require_number(obj, "expires_in")
                }
            })
        }
        "code" if path.ends_with("/o/oauth2/device/code") => {
            oauth2_json(resp.status, content_type, text()?, |obj| {
                require_str(obj, "device_code")?;
                require_str(obj, "user_code")?;
                if obj.get("verification_url").is_none() {
                    require_str(obj, "verification_uri")?;
                }
                require_number(obj, "expires_in")?;
                require_number(obj, "interval")
            })
        }
        "revoke" if path.ends_with("/o/oauth2/revoke") => {
            if ok {
                Ok(())
            } else {
                oauth2_json(resp.status, content_type, text()?, |_| Ok(()))
            }
        }
        _ => Ok(()),
    }
}

fn oauth1_token(body: &str, request_token: bool) -> Result<(), String> {
    let pairs = parse_form(body.trim())
        .map_err(|e| format!("response: not a form-encoded token answer: {e}"))?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    for field in ["oauth_token", "oauth_token_secret"] {
        if get(field).is_none_or(str::is_empty) {
            return Err(format!("response: no {field}"));
        }
    }
    if request_token && get("oauth_callback_confirmed") != Some("true") {
        return Err("response: no oauth_callback_confirmed=true".into());
    }
    Ok(())
}

fn lines(body: &str) -> Vec<(&str, &str)> {
    body.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter_map(|l| l.split_once('='))
        .collect()
}

fn clientlogin(status: u16, content_type: &str, body: &str) -> Result<(), String> {
    if !content_type.to_ascii_lowercase().starts_with("text/plain") {
        return Err(format!(
            "response: Content-Type {content_type:?}, not text/plain"
        ));
    }
    let pairs = lines(body);
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    match status {
        200 => {
            let order: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| ["SID", "LSID", "Auth"].contains(k))
                .collect();
            if order != ["SID", "LSID", "Auth"] {
                return Err(format!(
                    "response: 200 without SID=, LSID=, Auth= lines in that order (found {keys:?})"
                ));
            }
            Ok(())
        }
        403 => {
            let first = body.lines().next().unwrap_or_default();
            let Some(code) = first.strip_prefix("Error=") else {
                return Err("response: 403 whose first line is not Error=".into());
            };
            if code.trim_end_matches('\r') == "CaptchaRequired" {
                for k in ["CaptchaToken", "CaptchaUrl"] {
                    if !keys.contains(&k) {
                        return Err(format!("response: CaptchaRequired without {k}="));
                    }
                }
            }
            Ok(())
        }
        other => Err(format!("response: ClientLogin answered HTTP {other}")),
    }
}

fn authsub_session(body: &str) -> Result<(), String> {
    let pairs = lines(body);
    if !pairs.iter().any(|(k, v)| *k == "Token" && !v.is_empty()) {
        return Err("response: no Token= line".into());
    }
    if let Some((_, exp)) = pairs.iter().find(|(k, _)| *k == "Expiration") {
        // YYYYMMDD T HHMMSS Z: 8 digits, `T`, 6 digits, `Z`.
        let shape = exp.len() == 16
            && exp.bytes().enumerate().all(|(i, b)| match i {
                8 => b == b'T',
                15 => b == b'Z',
                _ => b.is_ascii_digit(),
            });
        if !shape {
            return Err(format!(
                "response: Expiration={exp} is not YYYYMMDDTHHMMSSZ"
            ));
        }
    }
    Ok(())
}

fn authsub_info(body: &str) -> Result<(), String> {
    let pairs = lines(body);
    for k in ["Target", "Scope", "Secure"] {
        if !pairs.iter().any(|(key, _)| *key == k) {
            return Err(format!("response: no {k}= line"));
        }
    }
    match pairs.iter().find(|(k, _)| *k == "Secure").map(|(_, v)| *v) {
        Some("true" | "false") => Ok(()),
        other => Err(format!(
            "response: Secure={} is not true or false",
            other.unwrap_or_default()
        )),
    }
}

type Object = serde_json::Map<String, serde_json::Value>;

fn oauth2_json(
    status: u16,
    content_type: &str,
    body: &str,
    on_success: impl Fn(&Object) -> Result<(), String>,
) -> Result<(), String> {
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(format!(
            "response: Content-Type {content_type:?}, not application/json"
        ));
    }
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "response: the body is not JSON".to_owned())?;
    let obj = value
        .as_object()
        .ok_or_else(|| "response: the body is not a JSON object".to_owned())?;
    if (200..300).contains(&status) {
        on_success(obj)
    } else {
        require_str(obj, "error").map(|_| ())
    }
}

fn require_str<'a>(obj: &'a Object, key: &str) -> Result<&'a str, String> {
    obj.get(key)
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("response: no {key}"))
}

fn require_number(obj: &Object, key: &str) -> Result<(), String> {
    obj.get(key)
        .filter(|v| v.is_u64())
        .map(|_| ())
        .ok_or_else(|| format!("response: no numeric {key}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clientlogin_shapes() {
        assert!(clientlogin(200, "text/plain", "SID=a\nLSID=b\nAuth=c\n").is_ok());
        assert!(clientlogin(200, "text/plain", "SID=a\nAuth=c\n").is_err());
        assert!(clientlogin(403, "text/plain", "Error=BadAuthentication\n").is_ok());
        assert!(clientlogin(403, "text/plain", "Url=x\nError=BadAuthentication\n").is_err());
        assert!(clientlogin(403, "text/plain", "Error=CaptchaRequired\nCaptchaToken=t\n").is_err());
        assert!(clientlogin(200, "text/html", "SID=a\nLSID=b\nAuth=c\n").is_err());
    }

    #[test]
    fn authsub_shapes() {
        assert!(authsub_session("Token=x\nExpiration=20061004T123456Z\n").is_ok());
        assert!(authsub_session("Token=x\nExpiration=2006-10-04\n").is_err());
        assert!(authsub_info("Target=a\nScope=b\nSecure=false\n").is_ok());
        assert!(authsub_info("Target=a\nScope=b\nSecure=no\n").is_err());
    }

    #[test]
    fn endpoints_are_paths() {
        assert_eq!(endpoint("http://h:1/o/oauth2/token?x=1"), "/o/oauth2/token");
        assert_eq!(endpoint("https://h"), "");
    }
}
