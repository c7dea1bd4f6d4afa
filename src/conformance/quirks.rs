//! The legacy clients' signature base-string behaviours, by name: "quirk profiles".
//!
//! RFC 5849 §3.4.1 fixes one base string for a request. The libraries that signed Google's
//! OAuth 1.0 requests did not all compute it that way (PROTOCOLS.md §0 and §3.5; DESIGN.md
//! "Conformance choices"): each [`QuirkProfile`] is one such departure, and everything else
//! stays as in the RFC. The signer never copies them; this module recomputes a *received*
//! request's base string under one of them ([`base_string`]) and checks its signature under
//! it ([`verify_signature`]), so that [`super::diagnose`] can name the behaviour a client
//! has, and the emulator can accept it for one consumer while the client is fixed
//! ([`QuirkFallback`], a [`SignatureFallback`] for the verifier).
//!
//! The RFC parts are the crate's own: the received request is read as the verifier reads it
//! (header, URL, query, form body), the URI is [`crate::request::base_string_uri`]'s, the
//! encoding is [`crate::encoding::percent_encode`], the keys are
//! [`crate::oauth1::signature::signing_key`]'s and the signatures are checked by
//! [`crate::oauth1::signature`] and [`crate::rsa_sha1`]. Only the variations are new here.
//!
//! ```
//! use gdata_auth::conformance::quirks::{base_string, QuirkProfile};
//! use gdata_auth::oauth1::verifier::ReceivedRequest;
//!
//! let header = "OAuth oauth_consumer_key=\"example.com\", oauth_signature_method=\"HMAC-SHA1\", \
//!               oauth_signature=\"x\", oauth_timestamp=\"137131201\", oauth_nonce=\"n\"";
//! let received = ReceivedRequest::new("GET", "http://example.com/feed?a=&b=1")
//!     .with_authorization(header);
//! let rfc = base_string(&received, None)?;
//! let java = base_string(&received, Some(QuirkProfile::DropEmptyParams))?;
//! assert!(rfc.contains("a%3D%26b%3D1"));
//! assert!(java.contains("&b%3D1%26oauth_consumer_key"));
//! # Ok::<(), gdata_auth::conformance::quirks::QuirkError>(())
//! ```

use std::collections::HashMap;

use thiserror::Error;
use url::Url;

use crate::encoding::{parse_form, percent_encode};
use crate::oauth1::header::parse_header;
use crate::oauth1::signature::{signing_key, verify_hmac, verify_plaintext};
use crate::oauth1::verifier::{
    received_base_string, ReceivedRequest, SignatureFallback, SignatureKeys, VerifyError,
};
use crate::oauth1::SignatureMethod;
use crate::request::{Request, RequestError};

#[cfg(feature = "rsa")]
use crate::rsa_sha1::RsaVerifyingKey;

/// One legacy departure from RFC 5849 §3.4.1 (or, for [`QuirkProfile::PlaintextConsumerKey`],
/// from §3.4.4), named as `gdauth oauth1 diagnose` and `gdauth serve --accept-quirk` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum QuirkProfile {
    /// `empty-path-no-slash`: an empty path stays empty (`http://example.com`, no `/`).
    /// JAVA `OAuthUtil.normalizeUrl` appends `uri.getRawPath()` with no `/` substitution,
    /// and GOJ normalizes `https://example.local` without one (PROTOCOLS.md §3.5). On the
    /// wire an empty path arrives as `/` (RFC 9112 §3.2.1), so a received path of `/` counts
    /// as empty.
    EmptyPathNoSlash,
    /// `drop-empty-params`: parameters with an empty value are left out. JAVA
    /// `OAuthUtil.normalizeParameters` skips them (PROTOCOLS.md §3.5).
    DropEmptyParams,
    /// `last-duplicate-wins`: of parameters sharing a name only the last is kept. NET
    /// `OAuthBase` uses a `SortedDictionary`; PY2 a dict (PROTOCOLS.md §3.5).
    LastDuplicateWins,
    /// `sort-joined-pairs`: the encoded `name=value` strings are sorted as whole strings,
    /// not by name then value. SIGNET `normalize_parameters` (PROTOCOLS.md §3.5): it differs
    /// when a name is a prefix of another and the next character sorts below `=`.
    SortJoinedPairs,
    /// `plus-for-space`: spaces are encoded as `+` instead of `%20` in the normalized
    /// parameters, as form encoding (`quote_plus`, JAVA `uriEscaper()` without its
    /// post-processing) spells them (PROTOCOLS.md §0).
    PlusForSpace,
    /// `raw-query`: query parameters are used as they appear in the URL, not decoded and
    /// re-encoded (RFC 5849 §3.4.1.3.1 decodes them): `%7e`, `%7E` and `+` stay as sent.
    /// PY1's `TokenFromUrl` reads the raw query this way (PROTOCOLS.md §2.2), and secure
    /// AuthSub signs the URL "exactly as sent" (§2.5).
    RawQuery,
    /// `ignore-body-params`: form-body parameters are left out. JAVA and PY2 sign the query
    /// and the protocol parameters only (PROTOCOLS.md §3.5: `normalizeParameters`,
    /// `build_oauth_base_string`); protocol parameters sent in the body are still signed.
    IgnoreBodyParams,
    /// `keep-default-port`: `:80` / `:443` are kept in the base string URI when the URL
    /// writes them (RFC 5849 §3.4.1.2 drops them; JAVA, PY2 and NET drop them too, so this
    /// is the hand-rolled signer that copies the authority as sent).
    KeepDefaultPort,
    /// `plaintext-consumer-key`: PLAINTEXT built from the consumer key in place of the
    /// consumer secret. NET `OAuthBase.GenerateSignature` (PROTOCOLS.md §3.5). The base
    /// string is unchanged (PLAINTEXT signs none).
    PlaintextConsumerKey,
}

impl QuirkProfile {
    /// Every profile, in the order [`super::diagnose`] tries them.
    pub const ALL: [QuirkProfile; 9] = [
        Self::EmptyPathNoSlash,
        Self::DropEmptyParams,
        Self::LastDuplicateWins,
        Self::SortJoinedPairs,
        Self::PlusForSpace,
        Self::RawQuery,
        Self::IgnoreBodyParams,
        Self::KeepDefaultPort,
        Self::PlaintextConsumerKey,
    ];

    /// The profile's name (`drop-empty-params`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyPathNoSlash => "empty-path-no-slash",
            Self::DropEmptyParams => "drop-empty-params",
            Self::LastDuplicateWins => "last-duplicate-wins",
            Self::SortJoinedPairs => "sort-joined-pairs",
            Self::PlusForSpace => "plus-for-space",
            Self::RawQuery => "raw-query",
            Self::IgnoreBodyParams => "ignore-body-params",
            Self::KeepDefaultPort => "keep-default-port",
            Self::PlaintextConsumerKey => "plaintext-consumer-key",
        }
    }

    /// One line saying what the profile changes.
    pub fn description(self) -> &'static str {
        match self {
            Self::EmptyPathNoSlash => "an empty path stays empty in the base string URI (no '/')",
            Self::DropEmptyParams => "parameters with an empty value are left out",
            Self::LastDuplicateWins => "of parameters sharing a name only the last is kept",
            Self::SortJoinedPairs => "the encoded name=value strings are sorted as whole strings",
            Self::PlusForSpace => "spaces are encoded as '+' instead of '%20'",
            Self::RawQuery => "query parameters are used as they appear in the URL",
            Self::IgnoreBodyParams => "form-body parameters are left out",
            Self::KeepDefaultPort => "':80' / ':443' are kept in the base string URI",
            Self::PlaintextConsumerKey => {
                "PLAINTEXT is built from the consumer key in place of the consumer secret"
            }
        }
    }
}

impl core::fmt::Display for QuirkProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for QuirkProfile {
    type Err = QuirkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| QuirkError::UnknownProfile(crate::encoding::clip(s)))
    }
}

/// Why a base string or a signature could not be computed under a profile.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QuirkError {
    /// A profile name that is none of [`QuirkProfile::ALL`].
    #[error(
        "unknown quirk profile {0:?} (known: empty-path-no-slash, drop-empty-params, \
         last-duplicate-wins, sort-joined-pairs, plus-for-space, raw-query, \
         ignore-body-params, keep-default-port, plaintext-consumer-key)"
    )]
    UnknownProfile(String),
    /// The request cannot be read as the verifier reads it (malformed header, URL, query or
    /// body; a protocol parameter missing, twice, or an unknown signature method).
    #[error("{0}")]
    Unreadable(VerifyError),
    /// The secret the request's signature method needs was not given.
    #[error("{0} needed to check this signature")]
    MissingSecret(&'static str),
}

/// The secrets a signature is checked with. No `Debug` values: they are secrets.
///
/// ```
/// use gdata_auth::conformance::quirks::Secrets;
/// let secrets = Secrets::new().consumer_secret("kd94hf93k423kf44").token_secret("pfkkdhi9sl3r4s00");
/// assert_eq!(format!("{secrets:?}"), "Secrets { consumer_secret: true, token_secret: true, .. }");
/// ```
#[derive(Clone, Copy, Default)]
pub struct Secrets<'a> {
    consumer_secret: Option<&'a str>,
    token_secret: Option<&'a str>,
    #[cfg(feature = "rsa")]
    rsa_key: Option<&'a RsaVerifyingKey>,
}

impl core::fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Secrets")
            .field("consumer_secret", &self.consumer_secret.is_some())
            .field("token_secret", &self.token_secret.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Secrets<'a> {
    /// No secrets yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The consumer's shared secret (HMAC-SHA1, HMAC-SHA256, PLAINTEXT).
    pub fn consumer_secret(mut self, secret: &'a str) -> Self {
        self.consumer_secret = Some(secret);
        self
    }

    /// The secret of the request's `oauth_token` (may be empty).
    pub fn token_secret(mut self, secret: &'a str) -> Self {
        self.token_secret = Some(secret);
        self
    }

    /// The consumer's RSA public key (RSA-SHA1).
    #[cfg(feature = "rsa")]
    pub fn rsa_key(mut self, key: &'a RsaVerifyingKey) -> Self {
        self.rsa_key = Some(key);
        self
    }
}

/// A received request taken apart as the verifier takes it, plus the raw pieces of its URL
/// the quirks read.
pub(crate) struct Parts {
    /// The method, upper-cased as [`Request`] keeps it.
    method: String,
    /// The RFC 5849 §3.4.1.2 base string URI.
    base_uri: String,
    /// `scheme://host` as the base string URI starts.
    origin_len: usize,
    /// The scheme's default port, when the URL writes it explicitly.
    explicit_default_port: Option<u16>,
    /// The path is empty, or `/` (how an empty path arrives on the wire).
    empty_path: bool,
    /// Query parameters, decoded.
    query: Vec<(String, String)>,
    /// The same query parameters as they appear in the URL.
    raw_query: Vec<(String, String)>,
    /// Form-body parameters, decoded.
    form: Vec<(String, String)>,
    /// The header's parameters (`realm` apart), decoded.
    header: Vec<(String, String)>,
}

impl Parts {
    /// Reads `req` as [`crate::oauth1::verifier::Verifier`] does.
    pub(crate) fn parse(req: &ReceivedRequest<'_>) -> Result<Self, QuirkError> {
        let bad = |e: RequestError| QuirkError::Unreadable(VerifyError::BadRequest(e));
        let header = match req.authorization {
            Some(value) if is_oauth_scheme(value) => {
                parse_header(value)
                    .map_err(|e| QuirkError::Unreadable(VerifyError::MalformedHeader(e)))?
                    .params
            }
            _ => Vec::new(),
        };
        let mut url = Url::parse(req.url).map_err(|e| bad(RequestError::BadUrl(e.to_string())))?;
        let query_text = url.query().unwrap_or_default().to_owned();
        let query = parse_form(&query_text).map_err(|source| {
            bad(RequestError::BadEncoding {
                part: "query",
                source,
            })
        })?;
        let raw_query = query_text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap_or((p, ""));
                (n.to_owned(), v.to_owned())
            })
            .collect();
        let form = match req.form_body {
            Some(body) => parse_form(body).map_err(|source| {
                bad(RequestError::BadEncoding {
                    part: "form body",
                    source,
                })
            })?,
            None => Vec::new(),
        };
        let (explicit_port, raw_path) = raw_port_and_path(req.url);
        let default_port = url.port_or_known_default();
        let explicit_default_port = explicit_port.filter(|p| Some(*p) == default_port);
        url.set_query(None);
        url.set_fragment(None);
        let origin_len = url.scheme().len() + 3 + url.host_str().map_or(0, str::len);
        let request = Request::from_url(req.method, url).map_err(bad)?;
        Ok(Self {
            method: request.method().to_owned(),
            base_uri: request.base_uri().to_owned(),
            origin_len,
            explicit_default_port,
            empty_path: raw_path.is_empty() || raw_path == "/",
            query,
            raw_query,
            form,
            header,
        })
    }

    /// The protocol parameter `name`, from the header, the query or the form body (as the
    /// verifier's Google profile allows); twice is an error, as in the verifier.
    fn protocol(&self, name: &'static str) -> Result<Option<&str>, QuirkError> {
        let mut found = self
            .header
            .iter()
            .chain(&self.query)
            .chain(&self.form)
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(QuirkError::Unreadable(VerifyError::DuplicateProtocolParam(
                name.to_owned(),
            )));
        }
        Ok(first)
    }

    /// A required protocol parameter.
    fn required(&self, name: &'static str) -> Result<&str, QuirkError> {
        self.protocol(name)?
            .ok_or(QuirkError::Unreadable(VerifyError::MissingParam(name)))
    }

    /// The base string URI under `profile`.
    fn uri(&self, profile: Option<QuirkProfile>) -> String {
        let mut uri = self.base_uri.clone();
        match profile {
            // RFC 5849 §3.4.1.2 writes an empty path as `/`; this profile does not.
            Some(QuirkProfile::EmptyPathNoSlash) if self.empty_path && uri.ends_with('/') => {
                uri.pop();
            }
            // §3.4.1.2 drops the scheme's default port; this profile keeps it as written.
            Some(QuirkProfile::KeepDefaultPort) => {
                if let Some(port) = self.explicit_default_port {
                    if uri.is_char_boundary(self.origin_len) {
                        uri.insert_str(self.origin_len, &format!(":{port}"));
                    }
                }
            }
            _ => {}
        }
        uri
    }

    /// The normalized parameters (RFC 5849 §3.4.1.3.2) under `profile`.
    fn normalized(&self, profile: Option<QuirkProfile>) -> String {
        let is = |p: QuirkProfile| profile == Some(p);
        let mut params: Vec<Param<'_>> = Vec::new();
        for (i, (n, v)) in self.query.iter().enumerate() {
            let raw = self
                .raw_query
                .get(i)
                .filter(|_| is(QuirkProfile::RawQuery))
                .map(|(rn, rv)| (rn.as_str(), rv.as_str()));
            params.push((n, v, raw));
        }
        for (n, v) in &self.form {
            // Protocol parameters sent in the body are signed as protocol parameters.
            if !is(QuirkProfile::IgnoreBodyParams) || n.starts_with("oauth_") {
                params.push((n, v, None));
            }
        }
        params.extend(
            self.header
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str(), None)),
        );
        // RFC 5849 §3.4.1.3.1: `oauth_signature` is not signed (`realm` is kept apart).
        params.retain(|(n, _, _)| *n != "oauth_signature");
        if is(QuirkProfile::DropEmptyParams) {
            params.retain(|(_, v, _)| !v.is_empty());
        }
        if is(QuirkProfile::LastDuplicateWins) {
            let mut last: HashMap<&str, usize> = HashMap::new();
            for (i, (n, _, _)) in params.iter().enumerate() {
                last.insert(n, i);
            }
            let mut i = 0;
            params.retain(|(n, _, _)| {
                let keep = last.get(n) == Some(&i);
                i += 1;
                keep
            });
        }
        let encode = |s: &str| {
            let e = percent_encode(s);
            // RFC 5849 §3.6 writes a space as %20; form encoding as `+`. `%20` in the
            // output can only be a space (a literal `%` is written `%25`).
            if is(QuirkProfile::PlusForSpace) {
                e.replace("%20", "+")
            } else {
                e
            }
        };
        let mut encoded: Vec<(String, String)> = params
            .iter()
            .map(|(n, v, raw)| match raw {
                Some((rn, rv)) => ((*rn).to_owned(), (*rv).to_owned()),
                None => (encode(n), encode(v)),
            })
            .collect();
        if is(QuirkProfile::SortJoinedPairs) {
            let mut joined: Vec<String> = encoded.iter().map(|(n, v)| format!("{n}={v}")).collect();
            joined.sort_unstable();
            return joined.join("&");
        }
        // §3.4.1.3.2: sorted by name, then value, by byte order.
        encoded.sort_unstable();
        let joined: Vec<String> = encoded.iter().map(|(n, v)| format!("{n}={v}")).collect();
        joined.join("&")
    }

    /// The base string under `profile` (RFC 5849 §3.4.1.1 assembles it).
    pub(crate) fn base_string(&self, profile: Option<QuirkProfile>) -> String {
        format!(
            "{}&{}&{}",
            percent_encode(&self.method),
            percent_encode(&self.uri(profile)),
            percent_encode(&self.normalized(profile))
        )
    }

    /// [`Parts::base_string`], taking the verifier's own for RFC 5849 when it reads the
    /// request (it is stricter about the header's encoding; both agree otherwise).
    pub(crate) fn base_string_checked(
        &self,
        request: &ReceivedRequest<'_>,
        profile: Option<QuirkProfile>,
    ) -> Result<String, QuirkError> {
        Ok(match profile {
            None => received_base_string(request).unwrap_or_else(|| self.base_string(None)),
            Some(_) => self.base_string(profile),
        })
    }

    /// The request's signature method.
    pub(crate) fn method(&self) -> Result<SignatureMethod, QuirkError> {
        SignatureMethod::parse(self.required("oauth_signature_method")?)
            .map_err(|_| QuirkError::Unreadable(VerifyError::UnsupportedSignatureMethod))
    }

    /// Whether the signature verifies under `profile` with `secrets`.
    pub(crate) fn verify(
        &self,
        profile: Option<QuirkProfile>,
        secrets: &Secrets<'_>,
    ) -> Result<bool, QuirkError> {
        let method = self.method()?;
        let signature = self.required("oauth_signature")?;
        let has_token = self.protocol("oauth_token")?.is_some_and(|t| !t.is_empty());
        let token_secret = || match secrets.token_secret {
            Some(ts) => Ok(ts),
            None if has_token => Err(QuirkError::MissingSecret("the token secret")),
            None => Ok(""),
        };
        match method {
            SignatureMethod::Plaintext => {
                // RFC 5849 §3.4.4: `enc(cs)&enc(ts)`; NET used the consumer key.
                let first = if profile == Some(QuirkProfile::PlaintextConsumerKey) {
                    self.required("oauth_consumer_key")?
                } else {
                    secrets
                        .consumer_secret
                        .ok_or(QuirkError::MissingSecret("the consumer secret"))?
                };
                Ok(verify_plaintext(
                    &signing_key(first, token_secret()?),
                    signature,
                ))
            }
            SignatureMethod::HmacSha1 | SignatureMethod::HmacSha256 => {
                let cs = secrets
                    .consumer_secret
                    .ok_or(QuirkError::MissingSecret("the consumer secret"))?;
                let key = signing_key(cs, token_secret()?);
                let base = self.base_string(profile);
                Ok(verify_hmac(
                    method,
                    key.as_bytes(),
                    base.as_bytes(),
                    signature,
                ))
            }
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha1 => {
                let key = secrets
                    .rsa_key
                    .ok_or(QuirkError::MissingSecret("the consumer's RSA public key"))?;
                Ok(key.verify(self.base_string(profile).as_bytes(), signature))
            }
            #[cfg(not(feature = "rsa"))]
            SignatureMethod::RsaSha1 => Err(QuirkError::Unreadable(
                VerifyError::UnsupportedSignatureMethod,
            )),
        }
    }

    /// Whether `profile` can change anything for this request: its base string differs
    /// from the RFC's (signed methods), or it changes the PLAINTEXT key.
    pub(crate) fn applies(&self, profile: QuirkProfile, method: SignatureMethod) -> bool {
        match (profile, method) {
            (QuirkProfile::PlaintextConsumerKey, m) => m == SignatureMethod::Plaintext,
            (_, SignatureMethod::Plaintext) => false,
            (p, _) => self.base_string(Some(p)) != self.base_string(None),
        }
    }
}

/// One parameter on its way into the normalized string: decoded name, decoded value, and
/// its encoding when the profile takes it as it is (`raw-query`).
type Param<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

/// Whether an `Authorization` value uses the OAuth scheme (case-insensitive, RFC 9110
/// §11.1), as the verifier decides.
fn is_oauth_scheme(value: &str) -> bool {
    value
        .trim_start_matches([' ', '\t'])
        .as_bytes()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case(b"OAuth"))
}

/// The port the URL writes explicitly (the `url` crate forgets a default one) and its raw
/// path, from the text itself: `scheme://authority/path?query#fragment` (RFC 3986 §3).
fn raw_port_and_path(url: &str) -> (Option<u16>, &str) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, "");
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    // After an IPv6 literal's `]`, or after the last `:` of a name or IPv4 address.
    let after_host = match host_port.rfind(']') {
        Some(i) => host_port.get(i + 1..).unwrap_or_default(),
        None => host_port
            .rfind(':')
            .and_then(|i| host_port.get(i..))
            .unwrap_or_default(),
    };
    let port = after_host
        .strip_prefix(':')
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse().ok());
    (port, path)
}

/// The signature base string of a received request under RFC 5849 (`profile` `None`) or under
/// one quirk profile, everything else as in the RFC.
///
/// Under `None` it is exactly the verifier's
/// [`received_base_string`]. A profile that
/// does not touch this request (no empty value for `drop-empty-params`, no default port
/// written for `keep-default-port`, …) gives the RFC's.
///
/// ```
/// use gdata_auth::conformance::quirks::{base_string, QuirkProfile};
/// use gdata_auth::oauth1::verifier::ReceivedRequest;
///
/// let header = "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\", \
///               oauth_signature=\"x\", oauth_timestamp=\"1\", oauth_nonce=\"n\"";
/// let received = ReceivedRequest::new("GET", "http://example.com:80/?q=%7E").with_authorization(header);
/// let rfc = base_string(&received, None)?;
/// assert!(rfc.starts_with("GET&http%3A%2F%2Fexample.com%2F&") && rfc.ends_with("%26q%3D~"));
/// assert!(base_string(&received, Some(QuirkProfile::KeepDefaultPort))?
///     .starts_with("GET&http%3A%2F%2Fexample.com%3A80%2F&"));
/// assert!(base_string(&received, Some(QuirkProfile::RawQuery))?.ends_with("%26q%3D%257E"));
/// # Ok::<(), gdata_auth::conformance::quirks::QuirkError>(())
/// ```
pub fn base_string(
    request: &ReceivedRequest<'_>,
    profile: Option<QuirkProfile>,
) -> Result<String, QuirkError> {
    Parts::parse(request)?.base_string_checked(request, profile)
}

/// Whether a received request's signature verifies under RFC 5849 (`profile` `None`) or under
/// one quirk profile, with `secrets`: HMAC-SHA1 and HMAC-SHA256 over the profile's base
/// string with `enc(consumer secret)&enc(token secret)`, RSA-SHA1 over it with the public
/// key, PLAINTEXT as that key itself (built from the consumer key under
/// [`QuirkProfile::PlaintextConsumerKey`]). Only the signature: no timestamp window, no
/// nonce replay.
///
/// ```
/// use gdata_auth::conformance::quirks::{verify_signature, QuirkProfile, Secrets};
/// use gdata_auth::oauth1::verifier::ReceivedRequest;
///
/// // NET's PLAINTEXT: enc(consumer key)&enc(token secret).
/// let header = "OAuth oauth_consumer_key=\"key\", oauth_signature_method=\"PLAINTEXT\", \
///               oauth_signature=\"key%26\"";
/// let received = ReceivedRequest::new("GET", "https://example.com/").with_authorization(header);
/// let secrets = Secrets::new().consumer_secret("secret");
/// assert!(!verify_signature(&received, None, &secrets)?);
/// assert!(verify_signature(&received, Some(QuirkProfile::PlaintextConsumerKey), &secrets)?);
/// # Ok::<(), gdata_auth::conformance::quirks::QuirkError>(())
/// ```
pub fn verify_signature(
    request: &ReceivedRequest<'_>,
    profile: Option<QuirkProfile>,
    secrets: &Secrets<'_>,
) -> Result<bool, QuirkError> {
    Parts::parse(request)?.verify(profile, secrets)
}

/// A [`SignatureFallback`] that accepts, per consumer, the quirk profiles it was told to:
/// what the emulator's `--accept-quirk CONSUMER:PROFILE` installs in its verifier. The name
/// it gives is the profile's.
///
/// ```
/// use std::sync::Arc;
/// use gdata_auth::conformance::quirks::{QuirkFallback, QuirkProfile};
/// use gdata_auth::oauth1::verifier::{MemoryCredentials, Verifier};
///
/// let fallback = QuirkFallback::new().accept("legacy.example.com", QuirkProfile::DropEmptyParams);
/// let verifier = Verifier::builder(MemoryCredentials::new().with_hmac_consumer("legacy.example.com", "s"))
///     .build()
///     .with_signature_fallback(Arc::new(fallback));
/// # let _ = verifier;
/// ```
#[derive(Debug, Clone, Default)]
pub struct QuirkFallback {
    accepted: HashMap<String, Vec<QuirkProfile>>,
}

impl QuirkFallback {
    /// Accepts nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accepts `profile` for `consumer_key`.
    pub fn accept(mut self, consumer_key: impl Into<String>, profile: QuirkProfile) -> Self {
        let list = self.accepted.entry(consumer_key.into()).or_default();
        if !list.contains(&profile) {
            list.push(profile);
        }
        self
    }

    /// The profiles accepted for `consumer_key`.
    pub fn profiles(&self, consumer_key: &str) -> &[QuirkProfile] {
        self.accepted.get(consumer_key).map_or(&[], Vec::as_slice)
    }

    /// Whether no profile is accepted for any consumer.
    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }
}

impl SignatureFallback for QuirkFallback {
    fn accept(&self, request: &ReceivedRequest<'_>, keys: &SignatureKeys<'_>) -> Option<String> {
        let profiles = self.profiles(keys.consumer_key);
        if profiles.is_empty() {
            return None;
        }
        let parts = Parts::parse(request).ok()?;
        let mut secrets = Secrets::new().token_secret(keys.token_secret);
        if let Some(cs) = keys.consumer_secret {
            secrets = secrets.consumer_secret(cs);
        }
        #[cfg(feature = "rsa")]
        if let Some(k) = keys.rsa_key {
            secrets = secrets.rsa_key(k);
        }
        profiles
            .iter()
            .find(|p| {
                parts.applies(**p, keys.method)
                    && parts.verify(Some(**p), &secrets).unwrap_or(false)
            })
            .map(|p| p.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "OAuth realm=\"r\", oauth_consumer_key=\"k\", \
        oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"x\", \
        oauth_timestamp=\"1\", oauth_nonce=\"n\"";

    fn received<'a>(method: &'a str, url: &'a str, form: Option<&'a str>) -> ReceivedRequest<'a> {
        let r = ReceivedRequest::new(method, url).with_authorization(HEADER);
        match form {
            Some(f) => r.with_form_body(f),
            None => r,
        }
    }

    #[test]
    fn names_round_trip() {
        for p in QuirkProfile::ALL {
            assert_eq!(p.as_str().parse::<QuirkProfile>(), Ok(p));
        }
        assert!("rfc5849".parse::<QuirkProfile>().is_err());
    }

    #[test]
    fn no_profile_is_the_verifiers_base_string() {
        for (url, form) in [
            ("http://Example.COM:80?b=2&a=1&a=&c=a+b", Some("z=%7E&y=")),
            ("https://h:8443/p%20q?x=%2B", None),
            ("http://h/a?oauth_signature=s&k=v", Some("a-b=1&a=2")),
        ] {
            let r = received("post", url, form);
            let parts = Parts::parse(&r).unwrap();
            assert_eq!(
                Some(parts.base_string(None)),
                received_base_string(&r),
                "{url}"
            );
        }
    }

    #[test]
    fn each_profile_changes_an_input_that_exercises_it() {
        let cases: [(QuirkProfile, &str, Option<&str>); 8] = [
            (QuirkProfile::EmptyPathNoSlash, "http://h", None),
            (QuirkProfile::DropEmptyParams, "http://h/?a=", None),
            (QuirkProfile::LastDuplicateWins, "http://h/?a=1&a=2", None),
            (QuirkProfile::SortJoinedPairs, "http://h/?a=1&a-b=2", None),
            (QuirkProfile::PlusForSpace, "http://h/?a=x+y", None),
            (QuirkProfile::RawQuery, "http://h/?a=%7e", None),
            (QuirkProfile::IgnoreBodyParams, "http://h/", Some("a=1")),
            (QuirkProfile::KeepDefaultPort, "https://h:443/", None),
        ];
        for (p, url, form) in cases {
            let parts = Parts::parse(&received("GET", url, form)).unwrap();
            assert_ne!(parts.base_string(Some(p)), parts.base_string(None), "{p}");
            assert!(parts.applies(p, SignatureMethod::HmacSha1), "{p}");
            // …and leaves a request that does not exercise it alone.
            let plain = Parts::parse(&received("GET", "http://h/x?b=1", None)).unwrap();
            assert_eq!(plain.base_string(Some(p)), plain.base_string(None), "{p}");
        }
    }

    #[test]
    fn quirky_pieces() {
        let p = Parts::parse(&received("GET", "http://h/?a=1&a-b=2", None)).unwrap();
        // `-` (0x2D) sorts below `=` (0x3D): SIGNET puts `a-b=2` first.
        assert!(p
            .base_string(Some(QuirkProfile::SortJoinedPairs))
            .ends_with("&a-b%3D2%26a%3D1%26oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1"));
        let p = Parts::parse(&received("GET", "http://h:80/x", None)).unwrap();
        assert_eq!(p.uri(Some(QuirkProfile::KeepDefaultPort)), "http://h:80/x");
        let p = Parts::parse(&received("GET", "http://h/?a=x+y", None)).unwrap();
        assert!(p
            .base_string(Some(QuirkProfile::PlusForSpace))
            .contains("a%3Dx%2By"));
        assert!(p
            .base_string(Some(QuirkProfile::RawQuery))
            .contains("a%3Dx%2By"));
        assert!(p.base_string(None).contains("a%3Dx%2520y"));
    }

    #[test]
    fn raw_url_pieces() {
        assert_eq!(raw_port_and_path("http://h:80"), (Some(80), ""));
        assert_eq!(
            raw_port_and_path("http://u:p@[::1]:443/x?y"),
            (Some(443), "/x")
        );
        assert_eq!(raw_port_and_path("http://[::1]/"), (None, "/"));
        assert_eq!(raw_port_and_path("http://h?x=1"), (None, ""));
    }
}
