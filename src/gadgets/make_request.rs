//! The container's `makeRequest` endpoint as a gadget's JavaScript (`gadgets.io.makeRequest`)
//! called it: the request's parameters ([`MakeRequest`]) and the answer
//! ([`MakeRequestResponse`]).
//!
//! The names are Shindig's (`apache/shindig`,
//! `java/gadgets/src/main/java/org/apache/shindig/gadgets/servlet/MakeRequestHandler.java`):
//! `url`, `httpMethod`, `authz` (`none`, `signed`, `oauth`), `OAUTH_SERVICE_NAME`, `gadget`
//! (the spec URL), `oauthState`, `postData`. The answer is JSON keyed by the raw `url`
//! parameter, `{"URL":{"rc":…,"body":…}}`, preceded by [`UNPARSEABLE_CRUFT`] so that a
//! `<script src>` of it throws instead of leaking the data (anti JSON hijacking); OAuth
//! metadata sits beside `rc` and `body` (`OAuthResponseParams.java`: `oauthApprovalUrl`,
//! `oauthState`, `oauthError`, `oauthErrorText`). Shindig's client (`features/core.io/io.js`)
//! strips the prefix and reads `data[url]`, as [`MakeRequestResponse::parse`] does.
//!
//! Shindig took the viewer and owner from the security token `st`; the emulator has no
//! security tokens, so its makeRequest takes them as `viewer` and `owner` parameters
//! ([`MakeRequest::viewer`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::encoding::url_with_query;
use crate::transport::HttpRequest;

/// Shindig's anti-JSON-hijacking prefix of every makeRequest answer
/// (`MakeRequestHandler.UNPARSEABLE_CRUFT`).
pub const UNPARSEABLE_CRUFT: &str = "throw 1; < don't be evil' >";

/// The path of the container's makeRequest endpoint (Shindig's servlet mapping).
pub const MAKE_REQUEST_PATH: &str = "/gadgets/makeRequest";

/// The largest makeRequest answer [`MakeRequestResponse::parse`] reads (2 MiB).
pub const MAX_ANSWER_BYTES: usize = 2 * 1024 * 1024;

/// `authz`: how the container authenticates the fetch (Shindig's `AuthType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Authz {
    /// `none`: an unauthenticated fetch.
    #[default]
    None,
    /// `signed`: signed fetch, RSA-SHA1 with the container's key ([`super::signed_fetch`]).
    Signed,
    /// `oauth`: the OAuth Proxy, with the viewer's access token for the gadget's service.
    OAuth,
}

impl Authz {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Signed => "signed",
            Self::OAuth => "oauth",
        }
    }

    /// Reads a wire value (case-insensitive, as Shindig's `AuthType.parse`; absent or empty
    /// is `none`).
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value.map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("none") => Some(Self::None),
            Some("signed") => Some(Self::Signed),
            Some("oauth") => Some(Self::OAuth),
            Some(_) => None,
        }
    }
}

/// One makeRequest call's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MakeRequest {
    /// `url`: the resource to fetch.
    pub url: String,
    /// `httpMethod` (default `GET`).
    pub http_method: String,
    /// `authz`.
    pub authz: Authz,
    /// `OAUTH_SERVICE_NAME` (default empty).
    pub service_name: String,
    /// `gadget`: the gadget spec's URL.
    pub gadget: String,
    /// `viewer` (the emulator's stand-in for the security token `st`).
    pub viewer: Option<String>,
    /// `owner` (likewise; the emulator defaults it to the viewer).
    pub owner: Option<String>,
}

impl MakeRequest {
    /// A `GET` of `url` for the gadget at `gadget`, without authentication.
    pub fn new(gadget: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http_method: "GET".into(),
            authz: Authz::None,
            service_name: String::new(),
            gadget: gadget.into(),
            viewer: None,
            owner: None,
        }
    }

    /// Through the OAuth Proxy with the spec's service `name`.
    pub fn oauth(mut self, service_name: impl Into<String>) -> Self {
        self.authz = Authz::OAuth;
        self.service_name = service_name.into();
        self
    }

    /// As a signed fetch.
    pub fn signed(mut self) -> Self {
        self.authz = Authz::Signed;
        self
    }

    /// Sets the viewer.
    pub fn viewer(mut self, viewer: impl Into<String>) -> Self {
        self.viewer = Some(viewer.into());
        self
    }

    /// The form parameters, in Shindig's names.
    pub fn params(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("url", self.url.as_str()),
            ("httpMethod", self.http_method.as_str()),
            ("authz", self.authz.as_str()),
            ("gadget", self.gadget.as_str()),
        ];
        if self.authz == Authz::OAuth {
            out.push(("OAUTH_SERVICE_NAME", self.service_name.as_str()));
        }
        if let Some(v) = &self.viewer {
            out.push(("viewer", v.as_str()));
        }
        if let Some(o) = &self.owner {
            out.push(("owner", o.as_str()));
        }
        out
    }

    /// The call as a `GET` of `{container_base}/gadgets/makeRequest?…` (what io.js sent for
    /// a GET without `postData`).
    pub fn to_http_request(&self, container_base: &str) -> HttpRequest {
        let base = format!(
            "{}{MAKE_REQUEST_PATH}",
            container_base.trim_end_matches('/')
        );
        HttpRequest::get(url_with_query(&base, &self.params()))
    }
}

/// One entry of a makeRequest answer: the fetched status and body, and the OAuth Proxy's
/// metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MakeRequestResponse {
    /// The fetched resource's HTTP status.
    pub rc: u16,
    /// Its body (empty when the proxy answered without fetching).
    #[serde(default)]
    pub body: String,
    /// Where the viewer approves access (the first fetch without a token).
    #[serde(
        rename = "oauthApprovalUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_approval_url: Option<String>,
    /// The proxy's state for this approval (Shindig's encrypted client state).
    #[serde(
        rename = "oauthState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_state: Option<String>,
    /// An OAuth error code (Shindig's `OAuthError`, e.g. `BAD_OAUTH_CONFIGURATION`).
    #[serde(
        rename = "oauthError",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_error: Option<String>,
    /// The error's explanation.
    #[serde(
        rename = "oauthErrorText",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oauth_error_text: Option<String>,
}

/// Why a makeRequest answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MakeRequestError {
    /// The answer does not start with [`UNPARSEABLE_CRUFT`].
    #[error("the makeRequest answer lacks the anti-hijacking prefix")]
    NoPrefix,
    /// The answer is over [`MAX_ANSWER_BYTES`].
    #[error("the makeRequest answer is too large")]
    TooLarge,
    /// Not the expected JSON.
    #[error("the makeRequest answer is not the expected JSON: {0}")]
    Json(String),
    /// No entry is keyed by the requested URL.
    #[error("the makeRequest answer has no entry for the requested URL")]
    NoEntry,
}

impl MakeRequestResponse {
    /// Reads an answer: strips [`UNPARSEABLE_CRUFT`] and takes the entry keyed by `url`
    /// (the raw `url` parameter sent).
    pub fn parse(answer: &str, url: &str) -> Result<Self, MakeRequestError> {
        if answer.len() > MAX_ANSWER_BYTES {
            return Err(MakeRequestError::TooLarge);
        }
        let json = answer
            .strip_prefix(UNPARSEABLE_CRUFT)
            .ok_or(MakeRequestError::NoPrefix)?;
        let mut map: std::collections::HashMap<String, Self> =
            serde_json::from_str(json).map_err(|e| MakeRequestError::Json(e.to_string()))?;
        map.remove(url).ok_or(MakeRequestError::NoEntry)
    }

    /// The answer's text: the prefix, then `{url: self}`.
    pub fn to_answer(&self, url: &str) -> String {
        let mut map = serde_json::Map::new();
        map.insert(
            url.to_owned(),
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null),
        );
        format!("{UNPARSEABLE_CRUFT}{}", serde_json::Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_under_the_prefix() {
        let r = MakeRequestResponse {
            rc: 200,
            oauth_approval_url: Some("http://h/a?oauth_token=x".into()),
            oauth_state: Some("s".into()),
            ..Default::default()
        };
        let text = r.to_answer("http://feed/x");
        assert!(text.starts_with("throw 1; < don't be evil' >{\"http://feed/x\":"));
        assert_eq!(
            MakeRequestResponse::parse(&text, "http://feed/x").unwrap(),
            r
        );
        assert_eq!(
            MakeRequestResponse::parse(&text, "http://other/"),
            Err(MakeRequestError::NoEntry)
        );
        assert_eq!(
            MakeRequestResponse::parse("{}", "u"),
            Err(MakeRequestError::NoPrefix)
        );
    }
}
