//! The user's side of AuthSub: the `AuthSubRequest` URL the user is sent to
//! ([`request_url`], PROTOCOLS.md §2.1), its validated return address ([`NextUrl`]), and the
//! single-use token read from Google's redirect back ([`parse_reply`], §2.2).
//!
//! `next` is checked where the URL is built (SECURITY.md §3): an absolute `https` URL
//! without user name, password, fragment, backslash, whitespace or control characters, and
//! without a `token` of its own; plain `http` only through
//! [`NextUrl::dangerous_allow_http`]. Whether its host is the registered domain is the
//! provider's check (the emulator's), which [`NextUrl::host`] serves.

use url::Url;

use super::error::{FlowError, Malformed, NextUrlError};
use super::header::check_token;
use super::types::SingleUseToken;
use crate::encoding::{self, EncodingError, Form};
use crate::endpoints::Endpoints;
use crate::scope::{Scope, ScopeError};

/// Where Google sends the user back, with `token=…` appended: a checked absolute URL, kept
/// in the `url` crate's serialization (what a browser will follow is what was checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextUrl {
    url: String,
    host: String,
}

impl NextUrl {
    /// Checks an `https` return URL; see the module documentation for the rules.
    pub fn new(url: &str) -> Result<Self, NextUrlError> {
        Self::check(url, false)
    }

    /// Also accepts plain `http`, for loopback tests: the single-use token then travels in
    /// the clear, and lands in logs on the way.
    pub fn dangerous_allow_http(url: &str) -> Result<Self, NextUrlError> {
        Self::check(url, true)
    }

    fn check(url: &str, allow_http: bool) -> Result<Self, NextUrlError> {
        // Before parsing: the URL Standard drops tabs and newlines and reads `\` as `/`, so
        // the parsed URL would not be the text that was given.
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(NextUrlError::ControlCharacter);
        }
        if url.contains('\\') {
            return Err(NextUrlError::Backslash);
        }
        let parsed = Url::parse(url).map_err(|_| NextUrlError::NotAbsolute)?;
        match parsed.scheme() {
            "https" => {}
            "http" if allow_http => {}
            "http" => return Err(NextUrlError::PlainHttp),
            _ => return Err(NextUrlError::NotHttps),
        }
        let host = parsed
            .host_str()
            .ok_or(NextUrlError::NotAbsolute)?
            .to_owned();
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(NextUrlError::UserInfo);
        }
        if parsed.fragment().is_some() {
            return Err(NextUrlError::Fragment);
        }
        let query =
            Form::parse(parsed.query().unwrap_or_default()).map_err(|_| NextUrlError::BadQuery)?;
        if query.contains("token") {
            return Err(NextUrlError::BadQuery);
        }
        Ok(Self {
            url: parsed.into(),
            host,
        })
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// Its host, lower-case (IPv6 addresses in brackets): a provider compares it with the
    /// registered domain exactly, never as a prefix, suffix or substring.
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl core::fmt::Display for NextUrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.url)
    }
}

/// What to ask for on the `AuthSubRequest` page (PROTOCOLS.md §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthSubRequestOptions {
    /// `next`: where the user comes back with the token.
    pub next: NextUrl,
    /// `scope`: one or more scopes, sent space-separated.
    pub scopes: Vec<Scope>,
    /// `secure`: ask for a secure token, whose requests must be signed (default `false`,
    /// as everywhere).
    pub secure: bool,
    /// `session`: ask for a token that can be upgraded to a session token (default `true`,
    /// as PY1, PY2, JAVA and NET; ZEND defaulted to `false`).
    pub session: bool,
    /// `hd`: the Google Apps domain to sign in with (`default` for a consumer account);
    /// sent only when set, last, as JAVA and NET did.
    pub hd: Option<String>,
}

impl AuthSubRequestOptions {
    /// Options for `next` and `scopes`: not secure, session, no `hd`.
    pub fn new(next: NextUrl, scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self {
            next,
            scopes: scopes.into_iter().collect(),
            secure: false,
            session: true,
            hd: None,
        }
    }

    /// Sets `secure`.
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets `session`.
    pub fn with_session(mut self, session: bool) -> Self {
        self.session = session;
        self
    }

    /// Sets `hd`.
    pub fn with_hd(mut self, domain: impl Into<String>) -> Self {
        self.hd = Some(domain.into());
        self
    }
}

/// The `AuthSubRequest` URL to send the user to: `next`, `scope`, `secure`, `session`, then
/// `hd` when set, in JAVA's and NET's fixed order, each RFC 3986-encoded (a space in the
/// scope list is `%20`). At least one scope is required.
pub fn request_url(
    endpoints: &Endpoints,
    options: &AuthSubRequestOptions,
) -> Result<String, ScopeError> {
    if options.scopes.is_empty() {
        return Err(ScopeError::NoScopes);
    }
    let scope = Scope::join(&options.scopes);
    let flag = |on: bool| if on { "1" } else { "0" };
    let mut query: Vec<(&str, &str)> = vec![
        ("next", options.next.as_str()),
        ("scope", &scope),
        ("secure", flag(options.secure)),
        ("session", flag(options.session)),
    ];
    if let Some(hd) = &options.hd {
        query.push(("hd", hd));
    }
    Ok(encoding::url_with_query(
        endpoints.authsub_request(),
        &query,
    ))
}

/// Reads the single-use token from the URL Google redirected the user to: the whole `next`
/// URL with `token=…` appended, or just its query (with or without `?`). `token` must
/// appear exactly once (gdata-java kept the last of several; a reply with two is refused,
/// SECURITY.md §3) and pass [`check_token`]; the application's own parameters are ignored.
///
/// The value is form-decoded and split at the first `=`, so PY1's `?token==tok=` test
/// gives `=tok=` as it did (PROTOCOLS.md §2.2).
pub fn parse_reply(next_url_or_query: &str) -> Result<SingleUseToken, FlowError> {
    let form = Form::parse(encoding::query_part(next_url_or_query))
        .map_err(|_| FlowError::Malformed(Malformed::NotFormEncoded))?;
    let token = form
        .single("token")
        .map_err(|e| match e {
            EncodingError::Duplicate(name) => FlowError::DuplicateParameter(name),
            _ => FlowError::Malformed(Malformed::NotFormEncoded),
        })?
        .ok_or(FlowError::MissingParameter("token"))?;
    check_token(token).map_err(FlowError::BadToken)?;
    Ok(SingleUseToken::new(token))
}
