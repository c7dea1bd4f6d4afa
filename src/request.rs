//! The plain-data description of a request to be authorized ([`Request`]), the per-request
//! [`Context`] (timestamp and nonce, drawn once), and the resulting [`Authorization`].
//!
//! A `Request` is parsed and normalized once, when it is described: the RFC 5849 §3.4.1.2
//! base string URI and the encoded, sorted query and form parameters are kept, so signing
//! the same request again (a retry, a benchmark) does no URL work.

use thiserror::Error;
use url::Url;

use crate::clock::{Clock, NonceSource};
use crate::encoding::{self, EncodingError};

/// Why a request description was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The URL does not parse as an absolute URL.
    #[error("malformed URL: {0}")]
    BadUrl(String),
    /// Only `http` and `https` URLs can be signed.
    #[error("unsupported URL scheme {0:?}: only http and https can be signed")]
    UnsupportedScheme(String),
    /// Port 0 is not a port a request can be sent to.
    #[error("invalid port 0 in URL")]
    BadPort,
    /// The HTTP method is empty or contains characters outside an RFC 9110 token.
    #[error("invalid HTTP method {0:?}")]
    BadMethod(String),
    /// The path or query holds a malformed percent-escape or non-UTF-8 bytes.
    #[error("bad encoding in URL {part}: {source}")]
    BadEncoding {
        /// `path` or `query`.
        part: &'static str,
        /// What was wrong.
        source: EncodingError,
    },
}

/// A request to authorize: method, URL and the decoded parameters of an
/// `application/x-www-form-urlencoded` body (RFC 5849 §3.4.1.3.1 signs only those bodies).
#[derive(Clone)]
pub struct Request {
    method: String,
    url: Url,
    form: Vec<(String, String)>,
    base_uri: String,
    /// `enc(base_uri)`: the second element of the base string, computed once.
    base_uri_encoded: String,
    /// Query and form parameters, each percent-encoded, sorted by (name, value).
    encoded: Vec<EncodedParam>,
}

/// One request parameter, percent-encoded once (`name`, `value`: the sort keys of RFC 5849
/// §3.4.1.3.2) and twice ([`EncodedParam::twice`]: `enc(name) "=" enc(value)` encoded again,
/// as it appears in the base string).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EncodedParam {
    /// `enc(name)`.
    pub name: String,
    /// `enc(value)`.
    pub value: String,
    /// `%26` followed by `enc(enc(name) "=" enc(value))`: the pair as the base string writes
    /// it after another pair, so the writer pushes one piece per parameter.
    separated: String,
}

impl EncodedParam {
    /// Encodes a decoded `(name, value)` pair once and twice.
    pub fn new(name: &str, value: &str) -> Self {
        let name = encoding::percent_encode(name);
        let value = encoding::percent_encode(value);
        let mut separated = String::with_capacity(name.len() + value.len() + 12);
        separated.push_str("%26");
        encoding::reencode_into(&mut separated, &name);
        separated.push_str("%3D");
        encoding::reencode_into(&mut separated, &value);
        Self {
            name,
            value,
            separated,
        }
    }

    /// `enc(enc(name) "=" enc(value))`: the pair as it appears in the base string.
    pub fn twice(&self) -> &str {
        self.separated.get(3..).unwrap_or_default()
    }

    /// [`EncodedParam::twice`] preceded by `%26`, the encoded `&` that separates pairs.
    pub fn separated(&self) -> &str {
        &self.separated
    }
}

impl core::fmt::Debug for Request {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Query and form values may carry tokens or passwords: show their names only.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("base_uri", &self.base_uri)
            .field(
                "params",
                &self.encoded.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Request {
    /// Describes a request with no form body. The method is kept as given and upper-cased
    /// where the base string needs it.
    pub fn new(method: &str, url: &str) -> Result<Self, RequestError> {
        let url = Url::parse(url).map_err(|e| RequestError::BadUrl(e.to_string()))?;
        Self::from_url(method, url)
    }

    /// Describes a request from an already parsed URL.
    pub fn from_url(method: &str, url: Url) -> Result<Self, RequestError> {
        if method.is_empty() || !method.bytes().all(is_token_char) {
            return Err(RequestError::BadMethod(method.to_owned()));
        }
        let base_uri = base_string_uri(&url)?;
        let query = url.query().unwrap_or("");
        let params = encoding::parse_form(query).map_err(|source| RequestError::BadEncoding {
            part: "query",
            source,
        })?;
        let mut encoded: Vec<EncodedParam> = params
            .iter()
            .map(|(n, v)| EncodedParam::new(n, v))
            .collect();
        encoded.sort_unstable();
        Ok(Self {
            method: method.to_owned(),
            url,
            form: Vec::new(),
            base_uri_encoded: encoding::percent_encode(&base_uri),
            base_uri,
            encoded,
        })
    }

    /// Adds decoded form-body parameters, in order (duplicates kept).
    pub fn with_form<N: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        for (n, v) in pairs {
            let (n, v) = (n.into(), v.into());
            self.encoded.push(EncodedParam::new(&n, &v));
            self.form.push((n, v));
        }
        // RFC 5849 §3.4.1.3.2: sort by encoded name, then encoded value.
        self.encoded.sort_unstable();
        self
    }

    /// Parses a raw `application/x-www-form-urlencoded` body and adds its parameters.
    pub fn with_form_body(self, body: &str) -> Result<Self, RequestError> {
        let pairs = encoding::parse_form(body).map_err(|source| RequestError::BadEncoding {
            part: "form body",
            source,
        })?;
        Ok(self.with_form(pairs))
    }

    /// The HTTP method as given.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The full URL, query included.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The decoded form-body parameters, in order.
    pub fn form(&self) -> &[(String, String)] {
        &self.form
    }

    /// The form body serialized for sending (empty when there are no form parameters).
    pub fn form_body(&self) -> String {
        encoding::form_encode(&self.form)
    }

    /// The RFC 5849 §3.4.1.2 base string URI (not yet percent-encoded for the base string).
    pub fn base_uri(&self) -> &str {
        &self.base_uri
    }

    /// `enc(base_uri)`, as it appears in the base string.
    pub fn base_uri_encoded(&self) -> &str {
        &self.base_uri_encoded
    }

    /// Query and form parameters, percent-encoded and sorted by (name, value).
    pub fn encoded_params(&self) -> &[EncodedParam] {
        &self.encoded
    }
}

/// RFC 9110 §5.6.2 token characters (HTTP method names).
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 5849 §3.4.1.2: scheme and host lower-case, default port dropped (80 for http, 443 for
/// https, and only those), empty path as `/`, no query, no fragment.
pub fn base_string_uri(url: &Url) -> Result<String, RequestError> {
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(RequestError::UnsupportedScheme(scheme.to_owned()));
    }
    // The `url` crate lower-cases the host, brackets IPv6 literals, normalizes an empty path
    // of a special scheme to `/`, and reports the port as `None` when it is the scheme's
    // default: exactly the rules of §3.4.1.2.
    let host = url
        .host_str()
        .ok_or_else(|| RequestError::BadUrl("URL has no host".to_owned()))?;
    let path = url.path();
    encoding::check_escapes(path).map_err(|source| RequestError::BadEncoding {
        part: "path",
        source,
    })?;
    let mut out = String::with_capacity(scheme.len() + host.len() + path.len() + 10);
    out.push_str(scheme);
    out.push_str("://");
    out.push_str(host);
    match url.port() {
        Some(0) => return Err(RequestError::BadPort),
        Some(port) => {
            out.push(':');
            out.push_str(&port.to_string());
        }
        None => {}
    }
    out.push_str(if path.is_empty() { "/" } else { path });
    Ok(out)
}

/// The timestamp and nonce of one signed request, drawn once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Seconds since the Unix epoch; `None` leaves `oauth_timestamp` out.
    pub timestamp: Option<u64>,
    /// The nonce; `None` leaves `oauth_nonce` out.
    pub nonce: Option<String>,
}

impl Context {
    /// Draws a fresh timestamp and nonce.
    pub fn draw(clock: &dyn Clock, nonces: &dyn NonceSource) -> Self {
        Self {
            timestamp: Some(clock.now_unix()),
            nonce: Some(nonces.nonce()),
        }
    }

    /// A context from the system clock and the OS CSPRNG.
    pub fn now() -> Self {
        Self::draw(&crate::clock::SystemClock, &crate::clock::OsNonce)
    }

    /// A pinned timestamp and nonce (tests, reproducible signatures).
    pub fn fixed(timestamp: u64, nonce: impl Into<String>) -> Self {
        Self {
            timestamp: Some(timestamp),
            nonce: Some(nonce.into()),
        }
    }
}

/// An `Authorization` header value, marked sensitive: redacted in `Debug`, no `Display`,
/// compared in constant time, and zeroized on drop when it carries a secret.
///
/// Values built with [`Authorization::new`] (bearer tokens, AuthSub and ClientLogin tokens,
/// PLAINTEXT signatures) are zeroized. An OAuth 1.0 HMAC or RSA header holds only public
/// values and a signature that is sent in the clear; the signer builds those with
/// [`Authorization::signed`], which skips the wipe on the signing hot path.
#[derive(Clone)]
pub struct Authorization {
    value: String,
    holds_secret: bool,
}

impl Authorization {
    /// Wraps a complete header value such as `GoogleLogin auth=…`; zeroized on drop.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            holds_secret: true,
        }
    }

    /// Wraps a header value that holds no secret (an HMAC or RSA OAuth 1.0 header: public
    /// parameters and a signature), so dropping it need not wipe it.
    pub fn signed(value: String) -> Self {
        Self {
            value,
            holds_secret: false,
        }
    }

    /// The header value to send as `Authorization`.
    pub fn header_value(&self) -> &str {
        &self.value
    }

    /// The authentication scheme (`OAuth`, `AuthSub`, `GoogleLogin`, `Bearer`).
    pub fn scheme(&self) -> &str {
        let v = self.value.as_str();
        v.split_once(' ').map_or(v, |(s, _)| s)
    }
}

impl Drop for Authorization {
    fn drop(&mut self) {
        if self.holds_secret {
            zeroize::Zeroize::zeroize(&mut self.value);
        }
    }
}

impl PartialEq for Authorization {
    fn eq(&self, other: &Self) -> bool {
        crate::secret::ct_eq(self.value.as_bytes(), other.value.as_bytes())
    }
}

impl Eq for Authorization {}

impl core::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Authorization({} [redacted])", self.scheme())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_uri_table() {
        let rows: &[(&str, Result<&str, ()>)] = &[
            (
                "http://EXAMPLE.COM:80/r%20v/X?id=123",
                Ok("http://example.com/r%20v/X"),
            ),
            (
                "https://www.example.net:8080/?q=1",
                Ok("https://www.example.net:8080/"),
            ),
            ("HTTPS://Example.COM:443/a", Ok("https://example.com/a")),
            ("http://h:80", Ok("http://h/")),
            ("https://h:443", Ok("https://h/")),
            ("http://h:443", Ok("http://h:443/")),
            ("https://h:80", Ok("https://h:80/")),
            ("http://h:0/", Err(())),
            ("http://h:65536/", Err(())),
            ("http://h:abc/", Err(())),
            ("http://[::1]:8080/x", Ok("http://[::1]:8080/x")),
            ("http://[::1", Err(())),
            ("http://h/a#frag", Ok("http://h/a")),
            ("ftp://h/a", Err(())),
            ("http://h/%zz", Err(())),
        ];
        for (input, want) in rows {
            let got = Request::new("GET", input).map(|r| r.base_uri().to_owned());
            match want {
                Ok(w) => assert_eq!(got.as_deref(), Ok(*w), "input {input}"),
                Err(()) => assert!(got.is_err(), "input {input} gave {got:?}"),
            }
        }
    }

    #[test]
    fn rejects_bad_methods() {
        assert!(Request::new("", "http://h/").is_err());
        assert!(Request::new("GE T", "http://h/").is_err());
        assert!(Request::new("get", "http://h/").is_ok());
    }

    #[test]
    fn query_and_form_are_encoded_and_sorted() {
        let r = Request::new("POST", "http://h/?b=2&a=%7e+x")
            .unwrap()
            .with_form([("a", "1")]);
        let got: Vec<_> = r
            .encoded_params()
            .iter()
            .map(|p| format!("{}={}", p.name, p.value))
            .collect();
        assert_eq!(got, ["a=1", "a=~%20x", "b=2"]);
    }

    #[test]
    fn authorization_debug_is_redacted() {
        let a = Authorization::new("OAuth oauth_signature=\"canary\"");
        assert_eq!(a.scheme(), "OAuth");
        assert!(!format!("{a:?}").contains("canary"));
    }
}
