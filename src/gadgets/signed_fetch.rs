//! Signed fetch (`authz=signed`): the container signs a request to the gadget's own backend
//! with RSA-SHA1 and its private key, adding who is looking; the backend checks the
//! signature with the container's certificate and trusts the identities.
//!
//! The parameters are Shindig's (`apache/shindig`,
//! `java/gadgets/src/main/java/org/apache/shindig/gadgets/oauth/OAuthRequest.java`,
//! `addIdentityParams` and `addSignatureParams`): `opensocial_owner_id`,
//! `opensocial_viewer_id`, `opensocial_app_id`, `opensocial_app_url`,
//! `opensocial_proxied_content`, the key's name twice as `xoauth_signature_publickey` (the
//! old name) and `xoauth_public_key` (the new one), then the `oauth_*` protocol parameters.
//! `opensocial_instance_id` is the PHP Shindig's addition. A gadget cannot send parameters
//! starting with `oauth`, `xoauth` or `opensocial` itself (`OAuthRequest.allowParam`), so a
//! backend can trust them. Every parameter travels in the URL's query, where signed fetch
//! backends read them (`$_GET` in the PHP samples of the time).
//!
//! The backend side ([`SignedFetchVerifier`]) is the crate's provider-side
//! [`Verifier`], two-legged, with the container's
//! certificate as an RSA consumer: timestamp window, nonce replay and signature all apply.

use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::encoding::url_with_query;
use crate::oauth1::header::parse_header;
use crate::oauth1::verifier::{
    ConsumerCredential, MemoryCredentials, ReceivedRequest, Verifier, VerifierConfig, VerifyError,
};
use crate::oauth1::{OAuth1Authorizer, SignatureMethod};
use crate::request::{Context, Request};
use crate::rsa_sha1::RsaVerifyingKey;
use crate::transport::HttpRequest;

/// `opensocial_owner_id`.
pub const OWNER_ID: &str = "opensocial_owner_id";
/// `opensocial_viewer_id`.
pub const VIEWER_ID: &str = "opensocial_viewer_id";
/// `opensocial_app_id`.
pub const APP_ID: &str = "opensocial_app_id";
/// `opensocial_app_url`.
pub const APP_URL: &str = "opensocial_app_url";
/// `opensocial_instance_id`.
pub const INSTANCE_ID: &str = "opensocial_instance_id";
/// `opensocial_proxied_content`.
pub const PROXIED_CONTENT: &str = "opensocial_proxied_content";
/// `xoauth_signature_publickey`: Shindig's old name for the key's name.
pub const PUBLIC_KEY_OLD: &str = "xoauth_signature_publickey";
/// `xoauth_public_key`: Shindig's new name for the key's name.
pub const PUBLIC_KEY_NEW: &str = "xoauth_public_key";

/// The longest OpenSocial ID accepted.
const MAX_ID_LEN: usize = 512;

/// Why a signed fetch could not be signed or was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignedFetchError {
    /// The OAuth 1.0 verification failed (signature, timestamp, nonce, consumer, …).
    #[error("signed fetch refused: {0}")]
    Verify(#[from] VerifyError),
    /// The request was not signed RSA-SHA1, the only method signed fetch used.
    #[error("signed fetch must be signed RSA-SHA1, not {0}")]
    NotRsa(&'static str),
    /// A required OpenSocial parameter is absent.
    #[error("signed fetch without {0}")]
    Missing(&'static str),
    /// An OpenSocial parameter appears twice.
    #[error("signed fetch carries {0} twice")]
    Duplicate(String),
    /// An identity is empty, too long or holds a control character.
    #[error("{param} is not a usable OpenSocial ID")]
    InvalidId {
        /// The parameter.
        param: &'static str,
    },
    /// The gadget's own request carries a parameter reserved for the container (`oauth…`,
    /// `xoauth…`, `opensocial…`), which Shindig refused (`OAuthRequest.allowParam`).
    #[error("the request already carries the container's parameter {0}")]
    ReservedParameter(String),
    /// The URL or the signing step failed.
    #[error("could not sign the signed fetch: {0}")]
    Sign(String),
}

/// An OpenSocial person ID (`opensocial_owner_id`, `opensocial_viewer_id`): opaque to the
/// backend, unique within its container.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpenSocialId(String);

impl OpenSocialId {
    /// An ID: non-empty, at most 512 bytes, no control characters.
    pub fn new(id: impl Into<String>) -> Option<Self> {
        let id = id.into();
        (!id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control))
            .then_some(Self(id))
    }

    /// The ID as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for OpenSocialId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the container adds to a signed fetch (Shindig's identity parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedFetchParams {
    /// `opensocial_owner_id`: whose page the gadget is on.
    pub owner: Option<OpenSocialId>,
    /// `opensocial_viewer_id`: who is looking.
    pub viewer: Option<OpenSocialId>,
    /// `opensocial_app_url`: the gadget spec's URL.
    pub app_url: String,
    /// `opensocial_app_id`: the container's ID for the gadget (Shindig sent the spec URL
    /// when it had no other).
    pub app_id: Option<String>,
    /// `opensocial_instance_id`: which instance of the gadget.
    pub instance_id: Option<String>,
    /// `xoauth_signature_publickey` and `xoauth_public_key`: the name of the container's key
    /// (its certificate's file name, e.g. `pub.1199819524.-1556113204990931254.cer`).
    pub key_name: Option<String>,
    /// `opensocial_proxied_content=1`, for proxied content requests.
    pub proxied_content: bool,
}

impl SignedFetchParams {
    /// The parameters for a gadget at `app_url`, owner and viewer both `viewer` (a gadget on
    /// the viewer's own page).
    pub fn new(app_url: impl Into<String>, viewer: OpenSocialId) -> Self {
        let app_url = app_url.into();
        Self {
            owner: Some(viewer.clone()),
            viewer: Some(viewer),
            app_id: Some(app_url.clone()),
            app_url,
            instance_id: None,
            key_name: None,
            proxied_content: false,
        }
    }

    /// Sets the owner.
    pub fn with_owner(mut self, owner: OpenSocialId) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Sets `opensocial_instance_id`.
    pub fn with_instance_id(mut self, id: impl Into<String>) -> Self {
        self.instance_id = Some(id.into());
        self
    }

    /// Sets the key name sent as `xoauth_signature_publickey` and `xoauth_public_key`.
    pub fn with_key_name(mut self, name: impl Into<String>) -> Self {
        self.key_name = Some(name.into());
        self
    }

    /// The identity and key parameters in Shindig's order.
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(o) = &self.owner {
            out.push((OWNER_ID, o.as_str()));
        }
        if let Some(v) = &self.viewer {
            out.push((VIEWER_ID, v.as_str()));
        }
        if let Some(a) = &self.app_id {
            out.push((APP_ID, a.as_str()));
        }
        out.push((APP_URL, self.app_url.as_str()));
        if let Some(i) = &self.instance_id {
            out.push((INSTANCE_ID, i.as_str()));
        }
        if self.proxied_content {
            out.push((PROXIED_CONTENT, "1"));
        }
        if let Some(k) = &self.key_name {
            out.push((PUBLIC_KEY_OLD, k.as_str()));
            out.push((PUBLIC_KEY_NEW, k.as_str()));
        }
        out
    }
}

/// Whether Shindig kept a gadget-supplied parameter of this name (`allowParam`).
fn reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("oauth") || lower.starts_with("xoauth") || lower.starts_with("opensocial")
}

/// Signs a `GET` of `url` as the container: adds `params`, signs RSA-SHA1 with `container`
/// (an [`OAuth1Authorizer::rsa_sha1`] whose consumer key is the container's name, no
/// token), and puts every parameter in the query. Refuses a `url` whose query already
/// carries a reserved parameter.
pub fn sign_signed_fetch(
    url: &str,
    params: &SignedFetchParams,
    container: &OAuth1Authorizer,
    ctx: &Context,
) -> Result<HttpRequest, SignedFetchError> {
    let parsed = url::Url::parse(url).map_err(|e| SignedFetchError::Sign(e.to_string()))?;
    if let Some((name, _)) = parsed.query_pairs().find(|(n, _)| reserved(n)) {
        return Err(SignedFetchError::ReservedParameter(name.into_owned()));
    }
    if container.signature_method() != SignatureMethod::RsaSha1 {
        return Err(SignedFetchError::NotRsa(
            container.signature_method().as_str(),
        ));
    }
    let with_identity = url_with_query(url, &params.pairs());
    let request =
        Request::new("GET", &with_identity).map_err(|e| SignedFetchError::Sign(e.to_string()))?;
    let signed = container
        .consumer_only()
        .sign(&request, ctx)
        .map_err(|e| SignedFetchError::Sign(e.to_string()))?;
    let header = parse_header(signed.authorization.header_value())
        .map_err(|e| SignedFetchError::Sign(e.to_string()))?;
    let oauth: Vec<(&str, &str)> = header
        .params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    Ok(HttpRequest::get(url_with_query(&with_identity, &oauth)))
}

/// A verified signed fetch: who is looking, at which gadget, through which container.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedFetch {
    /// The container (`oauth_consumer_key`).
    pub container: String,
    /// `opensocial_owner_id`, when the container signed it.
    pub owner: Option<OpenSocialId>,
    /// `opensocial_viewer_id`, when the container signed it.
    pub viewer: Option<OpenSocialId>,
    /// `opensocial_app_url`: the gadget spec's URL.
    pub app_url: String,
    /// `opensocial_app_id`.
    pub app_id: Option<String>,
    /// `opensocial_instance_id`.
    pub instance_id: Option<String>,
    /// `xoauth_public_key` (or the old `xoauth_signature_publickey`).
    pub key_name: Option<String>,
    /// The gadget's own parameters (none reserved), in order.
    pub params: Vec<(String, String)>,
}

/// The backend's check of signed fetches from one container.
#[derive(Debug)]
pub struct SignedFetchVerifier {
    verifier: Verifier<MemoryCredentials>,
}

impl SignedFetchVerifier {
    /// Accepts signed fetches from the container whose consumer key is `container` and
    /// whose certificate holds `key`, by the system clock and the default window (±600 s).
    pub fn new(container: impl Into<String>, key: RsaVerifyingKey) -> Self {
        Self::with_config(container, key, None, VerifierConfig::default())
    }

    /// As [`SignedFetchVerifier::new`], with a clock (tests) and a verifier configuration.
    pub fn with_config(
        container: impl Into<String>,
        key: RsaVerifyingKey,
        clock: Option<Arc<dyn Clock>>,
        config: VerifierConfig,
    ) -> Self {
        let lookup =
            MemoryCredentials::new().with_consumer(container, ConsumerCredential::rsa(key));
        let mut builder = Verifier::builder(lookup).config(config);
        if let Some(clock) = clock {
            builder = builder.clock(clock);
        }
        Self {
            verifier: builder.build(),
        }
    }

    /// Verifies one request (its URL as the backend is reached from outside) and reads the
    /// identities.
    pub fn verify(&self, req: &ReceivedRequest<'_>) -> Result<SignedFetch, SignedFetchError> {
        let verified = self.verifier.verify(req)?;
        if verified.signature_method != SignatureMethod::RsaSha1 {
            return Err(SignedFetchError::NotRsa(verified.signature_method.as_str()));
        }
        let mut fetch = SignedFetch {
            container: verified.consumer_key.clone(),
            owner: None,
            viewer: None,
            app_url: String::new(),
            app_id: None,
            instance_id: None,
            key_name: None,
            params: Vec::new(),
        };
        let mut app_url = None;
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &verified.params {
            if !reserved(name) {
                fetch.params.push((name.clone(), value.clone()));
                continue;
            }
            if seen.contains(&name.as_str()) {
                return Err(SignedFetchError::Duplicate(name.clone()));
            }
            seen.push(name);
            let id = |param| {
                OpenSocialId::new(value.clone()).ok_or(SignedFetchError::InvalidId { param })
            };
            match name.as_str() {
                OWNER_ID => fetch.owner = Some(id(OWNER_ID)?),
                VIEWER_ID => fetch.viewer = Some(id(VIEWER_ID)?),
                APP_URL => app_url = Some(value.clone()),
                APP_ID => fetch.app_id = Some(value.clone()),
                INSTANCE_ID => fetch.instance_id = Some(value.clone()),
                PUBLIC_KEY_NEW => fetch.key_name = Some(value.clone()),
                PUBLIC_KEY_OLD => {
                    fetch.key_name.get_or_insert_with(|| value.clone());
                }
                _ => {}
            }
        }
        fetch.app_url = app_url
            .filter(|u| !u.is_empty())
            .ok_or(SignedFetchError::Missing(APP_URL))?;
        Ok(fetch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_accepted_to_their_limit_and_refused_one_past() {
        assert!(OpenSocialId::new("a".repeat(MAX_ID_LEN)).is_some());
        assert!(OpenSocialId::new("a".repeat(MAX_ID_LEN + 1)).is_none());
        assert!(OpenSocialId::new("").is_none());
        assert!(OpenSocialId::new("a\nb").is_none());
    }
}
