//! Recorded HTTP exchanges: a documented, versioned JSON format (`gdata-auth-exchange/1`)
//! for what a client sent and what the server answered, with every secret replaced by a
//! reference, and the separate secrets file that resolves those references at check time.
//!
//! # The format
//!
//! One file holds one [`Recording`]: a named, ordered list of [`Exchange`]s (a single
//! exchange is a list of one; a flow such as the three-legged dance is the list in the order
//! it ran).
//!
//! ```json
//! {
//!   "format": "gdata-auth-exchange/1",
//!   "name": "oauth1-hmac-three-legged",
//!   "protocol": "oauth1",
//!   "source": {"kind": "emulator", "description": "…", "commit": "…"},
//!   "notes": "…",
//!   "exchanges": [
//!     {
//!       "name": "request-token",
//!       "sent_at": 1289861432,
//!       "request": {"method": "POST", "url": "http://127.0.0.1:8080/accounts/OAuthGetRequestToken",
//!                   "headers": [["Authorization", "OAuth …"]], "body": "scope=…"},
//!       "response": {"status": 200, "headers": [["content-type", "text/plain"]],
//!                    "body": "oauth_token=…&oauth_token_secret=${secret:NAME}&…"},
//!       "credentials": {"consumer_secret": "NAME"},
//!       "notes": "…"
//!     }
//!   ]
//! }
//! ```
//!
//! * `protocol` is `oauth1`, `authsub`, `clientlogin` or `oauth2`.
//! * `source.kind` is `emulator` (recorded against `gdauth serve`'s emulator; `commit` is the
//!   crate's commit) or `trace` (converted from a public recording of Google's servers;
//!   `repo`, `path`, `commit` and `sha256` of the file name it).
//! * `sent_at` (optional) is the Unix time the request was sent.
//! * A `body` is a JSON string when the bytes are UTF-8, otherwise `{"base64": "…"}`
//!   (standard alphabet, padded). Headers are `[name, value]` pairs in order.
//! * `credentials` names, by secret name, what a check of the request's signature needs:
//!   `consumer_secret`, `token_secret` (OAuth 1.0 HMAC and PLAINTEXT), `rsa_public_key`
//!   (OAuth 1.0 RSA-SHA1 and secure AuthSub: a PEM public key or X.509 certificate),
//!   `service_account_key` (a service-account JSON key file, whose public half checks a JWT
//!   assertion). `unchecked_signature` says why a signature cannot be checked at all (a
//!   public trace that never recorded the token secret): the checker then checks the
//!   response only and says so.
//!
//! # Secret references
//!
//! Inside any URL, header value or body, a secret is written `${secret:NAME}`, or
//! `${secret:NAME:pct}` for its RFC 3986 percent-encoding, `${secret:NAME:pct2}` for that
//! encoding applied twice (a PLAINTEXT signature inside an `Authorization` header) and
//! `${secret:NAME:form}` for its `application/x-www-form-urlencoded` spelling. A
//! [`Secrets`] file maps each `NAME` to its value: a JSON object whose values are strings,
//! or `{"file": "PATH"}` for a file's contents (a key), a relative `PATH` read from the
//! secrets file's directory.
//!
//! # What counts as a secret
//!
//! What would let a reader of the file act as the client or the user; it never appears in
//! a recording:
//!
//! * **OAuth 1.0**: consumer secrets, token secrets (`oauth_token_secret`, request and
//!   access), RSA private keys, and therefore a PLAINTEXT `oauth_signature` (it *is* the
//!   two secrets). Not secret: consumer keys, tokens (`oauth_token`: useless without their
//!   secret), verifiers, nonces, HMAC and RSA signatures.
//! * **AuthSub**: every token (single-use, session), wherever it appears (`token=` in the
//!   redirect, `Token=` in the upgrade answer, the `Authorization` header), and the RSA
//!   private key. Not secret: the signed data string, the signature.
//! * **ClientLogin**: the password (`Passwd`), `SID`, `LSID`, `Auth`, and the CAPTCHA answer
//!   (`logincaptcha`). Not secret: the e-mail address, the `CaptchaToken`, the CAPTCHA URL.
//! * **OAuth 2.0**: client secrets, access, refresh and ID tokens, authorization codes, PKCE
//!   code verifiers, device codes. Not secret: client IDs, user codes (shown on screen),
//!   PKCE challenges, and JWT-bearer assertions: an assertion is a signed, audience-bound
//!   statement that expires within an hour, the checker needs it to verify the signature,
//!   and the private key that made it is never recorded.
//!
//! ```
//! use gdata_auth::conformance::exchange::{Body, Secrets};
//!
//! let secrets = Secrets::new().with("pw", "hunter 2");
//! let restored = secrets.resolve("Email=a%40b.c&Passwd=${secret:pw:form}");
//! assert_eq!(restored.text, "Email=a%40b.c&Passwd=hunter+2");
//! assert!(restored.missing.is_empty());
//!
//! let body = Body::from_bytes(&[0xff, 0x00]);
//! assert_eq!(serde_json::to_string(&body)?, r#"{"base64":"/wA="}"#);
//! assert_eq!(body.to_bytes()?, vec![0xff, 0x00]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::encoding::{encode_form_into, encode_into, encode_twice_into};

/// The `format` tag of this version of the format.
pub const FORMAT: &str = "gdata-auth-exchange/1";

/// Why a recording or a secrets file could not be read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The file is not JSON of the expected shape.
    #[error("{path}: not a valid recording: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde said.
        message: String,
    },
    /// The file declares another format (or version).
    #[error("{path}: format {found:?}, expected {FORMAT:?}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The `format` found.
        found: String,
    },
    /// A body marked base64 is not valid base64.
    #[error("a body is not valid base64")]
    Base64,
    /// A secrets file maps one name to a value of the wrong shape.
    #[error("secret {0:?}: a value must be a string or {{\"file\": PATH}}")]
    SecretShape(String),
}

/// The protocol a recording exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Protocol {
    /// OAuth 1.0 / 1.0a.
    #[serde(rename = "oauth1")]
    OAuth1,
    /// AuthSub, plain or secure.
    #[serde(rename = "authsub")]
    AuthSub,
    /// ClientLogin.
    #[serde(rename = "clientlogin")]
    ClientLogin,
    /// OAuth 2.0.
    #[serde(rename = "oauth2")]
    OAuth2,
}

/// Where a recording came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SourceKind {
    /// Recorded against the crate's emulator.
    Emulator,
    /// Converted from a public recording of Google's servers.
    Trace,
}

/// Where a recording came from, precisely enough to find it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Emulator or public trace.
    pub kind: SourceKind,
    /// What was run, or what the trace is.
    pub description: String,
    /// The public repository holding the trace (`owner/name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The trace's path in that repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The commit: of the trace's repository, or of this crate for an emulator recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The SHA-256 of the trace file as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A request or response body: text when UTF-8, base64 otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Body {
    /// UTF-8 text, as it was.
    Text(String),
    /// Bytes that are not UTF-8.
    Base64 {
        /// Standard base64, padded.
        base64: String,
    },
}

impl Default for Body {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

impl Body {
    /// The body for `bytes`: text when they are UTF-8.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match core::str::from_utf8(bytes) {
            Ok(text) => Self::Text(text.to_owned()),
            Err(_) => Self::Base64 {
                base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            },
        }
    }

    /// The bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ExchangeError> {
        match self {
            Self::Text(t) => Ok(t.as_bytes().to_vec()),
            Self::Base64 { base64 } => base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map_err(|_| ExchangeError::Base64),
        }
    }

    /// The text, when the body is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            Self::Base64 { .. } => None,
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Text(t) => t.is_empty(),
            Self::Base64 { base64 } => base64.is_empty(),
        }
    }
}

/// The request half of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The absolute URL, query included.
    pub url: String,
    /// Header fields in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default, skip_serializing_if = "Body::is_empty")]
    pub body: Body,
}

/// The response half of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// Header fields in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default)]
    pub body: Body,
}

/// The first value of header `name` (case-insensitive).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What checking an exchange's request needs, by secret name (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The OAuth 1.0 consumer secret (HMAC, PLAINTEXT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<String>,
    /// The OAuth 1.0 token secret (HMAC, PLAINTEXT, when the request carries a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
    /// The RSA public key or certificate (OAuth 1.0 RSA-SHA1, secure AuthSub), PEM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rsa_public_key: Option<String>,
    /// The service-account JSON key whose public half checks a JWT assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_key: Option<String>,
    /// Why the request's signature cannot be checked (the checker then says so and checks
    /// the response only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchecked_signature: Option<String>,
}

impl Credentials {
    /// Whether nothing is named.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One recorded HTTP exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Its name within the recording.
    pub name: String,
    /// When the request was sent (Unix seconds), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<u64>,
    /// What the client sent.
    pub request: RecordedRequest,
    /// What the server answered.
    pub response: RecordedResponse,
    /// What checking the request needs.
    #[serde(default, skip_serializing_if = "Credentials::is_empty")]
    pub credentials: Credentials,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// One file: a named, ordered list of exchanges and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// Always [`FORMAT`].
    pub format: String,
    /// The recording's name (the file's stem).
    pub name: String,
    /// The protocol exercised.
    pub protocol: Protocol,
    /// Where it came from.
    pub source: Source,
    /// Free text: how it was made, what it shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The exchanges, in the order they happened.
    pub exchanges: Vec<Exchange>,
}

impl Recording {
    /// An empty recording of `protocol` from `source`.
    pub fn new(name: impl Into<String>, protocol: Protocol, source: Source) -> Self {
        Self {
            format: FORMAT.to_owned(),
            name: name.into(),
            protocol,
            source,
            notes: String::new(),
            exchanges: Vec::new(),
        }
    }

    /// Reads a recording from JSON text (`path` names it in errors).
    pub fn from_json(text: &str, path: &Path) -> Result<Self, ExchangeError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ExchangeError::Json {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        let found = value
            .get("format")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if found != FORMAT {
            return Err(ExchangeError::Format {
                path: path.to_owned(),
                found: found.to_owned(),
            });
        }
        serde_json::from_value(value).map_err(|e| ExchangeError::Json {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads a recording file.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, ExchangeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io(path, &e))?;
        Self::from_json(&text, path)
    }

    /// The recording as pretty JSON, with a final newline.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and vectors cannot fail.
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Writes the recording to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), ExchangeError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| io(path, &e))
    }
}

fn io(path: &Path, e: &std::io::Error) -> ExchangeError {
    ExchangeError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// How a secret is spelled where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Spelling {
    /// As it is.
    Raw,
    /// RFC 3986 percent-encoded (`:pct`).
    Percent,
    /// Percent-encoded twice (`:pct2`).
    PercentTwice,
    /// Form-encoded, space as `+` (`:form`).
    Form,
}

impl Spelling {
    /// Every spelling, the reference suffix of each.
    pub const ALL: [(Spelling, &'static str); 4] = [
        (Spelling::Raw, ""),
        (Spelling::Percent, ":pct"),
        (Spelling::PercentTwice, ":pct2"),
        (Spelling::Form, ":form"),
    ];

    /// `value` in this spelling.
    pub fn apply(self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() * 2);
        match self {
            Self::Raw => out.push_str(value),
            Self::Percent => encode_into(&mut out, value),
            Self::PercentTwice => encode_twice_into(&mut out, value),
            Self::Form => encode_form_into(&mut out, value),
        }
        out
    }

    fn suffix(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, suffix)| suffix)
    }
}

/// The reference text for secret `name` in `spelling`: `${secret:NAME}`, `${secret:NAME:pct}`…
pub fn reference(name: &str, spelling: Spelling) -> String {
    format!("${{secret:{name}{}}}", spelling.suffix())
}

/// Text with its references resolved, and the names no value was found for. `Debug` shows
/// the missing names and the text's length, never the text: it holds the secrets.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    /// The text, each resolvable reference replaced by its value (the others left as they
    /// are).
    pub text: String,
    /// Names referenced but not known, in order of first appearance.
    pub missing: Vec<String>,
}

impl core::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Resolved")
            .field("text_len", &self.text.len())
            .field("missing", &self.missing)
            .finish()
    }
}

/// Secret values by name: what a recording's references stand for.
///
/// `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    values: BTreeMap<String, String>,
}

impl core::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl Drop for Secrets {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        for v in self.values.values_mut() {
            v.zeroize();
        }
    }
}

impl Secrets {
    /// No secrets.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) `name`.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds (or replaces) `name`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// The number of secrets.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Reads a secrets file: a JSON object of `NAME: "value"` or `NAME: {"file": PATH}`
    /// (a relative path is read from the secrets file's directory).
    pub fn read(path: impl AsRef<Path>) -> Result<Self, ExchangeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io(path, &e))?;
        let map: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| ExchangeError::Json {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        let mut out = Self::new();
        for (name, value) in map {
            let value = match &value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => {
                    let file = o
                        .get("file")
                        .and_then(serde_json::Value::as_str)
                        .ok_or_else(|| ExchangeError::SecretShape(name.clone()))?;
                    let file = dir.join(file);
                    std::fs::read_to_string(&file).map_err(|e| io(&file, &e))?
                }
                _ => return Err(ExchangeError::SecretShape(name)),
            };
            out.insert(name, value);
        }
        Ok(out)
    }

    /// The secrets as a secrets-file JSON object (values inline), with a final newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(&self.values).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Replaces every `${secret:NAME[:spelling]}` in `text` whose name is known.
    pub fn resolve(&self, text: &str) -> Resolved {
        let mut out = Resolved {
            text: String::with_capacity(text.len()),
            missing: Vec::new(),
        };
        let mut rest = text;
        while let Some(start) = rest.find("${secret:") {
            out.text.push_str(&rest[..start]);
            let after = &rest[start + "${secret:".len()..];
            let Some(end) = after.find('}') else {
                out.text.push_str(&rest[start..]);
                return out;
            };
            let inner = &after[..end];
            let (name, spelling) = split_reference(inner);
            match (self.get(name), spelling) {
                (Some(value), Some(spelling)) => out.text.push_str(&spelling.apply(value)),
                _ => {
                    if !out.missing.iter().any(|m| m == name) {
                        out.missing.push(name.to_owned());
                    }
                    out.text
                        .push_str(&rest[start..start + "${secret:".len() + end + 1]);
                }
            }
            rest = &after[end + 1..];
        }
        out.text.push_str(rest);
        out
    }
}

/// `NAME[:spelling]` → the name and the spelling (`None` for an unknown suffix).
fn split_reference(inner: &str) -> (&str, Option<Spelling>) {
    for (spelling, suffix) in Spelling::ALL.iter().rev() {
        if !suffix.is_empty() {
            if let Some(name) = inner.strip_suffix(suffix) {
                return (name, Some(*spelling));
            }
        }
    }
    (inner, Some(Spelling::Raw))
}

/// The names referenced in `text`, in order of first appearance.
pub fn references(text: &str) -> Vec<String> {
    Secrets::new().resolve(text).missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_in_every_spelling() {
        let s = Secrets::new().with("a", "x/y z");
        for (spelling, suffix) in Spelling::ALL {
            let r = s.resolve(&format!("<${{secret:a{suffix}}}>"));
            assert_eq!(r.text, format!("<{}>", spelling.apply("x/y z")));
        }
        let r = s.resolve("${secret:b} ${secret:a:pct2} ${secret:b}");
        assert_eq!(r.missing, vec!["b".to_owned()]);
        assert_eq!(r.text, "${secret:b} x%252Fy%2520z ${secret:b}");
        assert_eq!(reference("n", Spelling::Form), "${secret:n:form}");
        // Debug names what is missing, never the resolved secrets.
        let shown = format!("{:?}", s.resolve("${secret:a} ${secret:b}"));
        assert!(shown.contains("\"b\"") && !shown.contains("x/y"), "{shown}");
        assert!(!format!("{s:?}").contains("x/y"));
    }

    #[test]
    fn a_recording_round_trips_and_its_format_is_checked() {
        let mut rec = Recording::new(
            "r",
            Protocol::ClientLogin,
            Source {
                kind: SourceKind::Emulator,
                description: "d".into(),
                repo: None,
                path: None,
                commit: None,
                sha256: None,
            },
        );
        rec.exchanges.push(Exchange {
            name: "login".into(),
            sent_at: Some(1),
            request: RecordedRequest {
                method: "POST".into(),
                url: "https://h/accounts/ClientLogin".into(),
                headers: vec![("Content-Type".into(), "text/plain".into())],
                body: Body::from_bytes(b"a=b"),
            },
            response: RecordedResponse {
                status: 403,
                headers: vec![],
                body: Body::from_bytes(&[0x80]),
            },
            credentials: Credentials::default(),
            notes: String::new(),
        });
        let json = rec.to_json();
        assert_eq!(Recording::from_json(&json, Path::new("x")).unwrap(), rec);
        let other = json.replace(FORMAT, "gdata-auth-exchange/2");
        assert!(matches!(
            Recording::from_json(&other, Path::new("x")),
            Err(ExchangeError::Format { .. })
        ));
    }
}
