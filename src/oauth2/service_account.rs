//! Service accounts (features `rsa` and `serde`), which replace two-legged OAuth 1.0: a
//! server acts as itself, or as a user of its domain (domain-wide delegation), with no
//! consent page. It reads Google's service-account JSON key file, signs a JWT assertion
//! (RS256, RFC 7515/7519 through the `jsonwebtoken` crate) with `iss`, `scope`, `aud`,
//! `iat`, `exp` and optionally `sub`, and exchanges it at the token endpoint with
//! `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1). The answer
//! has no refresh token: a new assertion is the refresh ([`super::TokenSource`] does it).
//!
//! The emulator verifies assertions with [`AssertionVerifier`]: the signature only, the
//! claims are its policy.

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::error::{OAuth2Error, ServiceAccountError};
use super::response::parse_token_response;
use super::types::TokenResponse;
use crate::call::Call;
use crate::rsa_sha1::{read_key_file, KeyError, RsaSigningKey};
use crate::secret::secret_string;
use crate::transport::HttpRequest;

/// RFC 7523 §2.1: the grant type of a JWT assertion.
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The audience Google's client libraries put in every assertion, whatever the key file's
/// `token_uri` says (google-auth's `_GOOGLE_OAUTH2_TOKEN_ENDPOINT`).
pub const GOOGLE_TOKEN_AUDIENCE: &str = "https://oauth2.googleapis.com/token";

/// The longest assertion Google accepts: `exp` at most one hour after `iat`.
pub const MAX_ASSERTION_LIFETIME: u64 = 3600;

/// The largest key file read (a 4096-bit key file is about 3.3 KiB): the same cap as a PEM
/// key file's.
pub use crate::rsa_sha1::MAX_KEY_FILE_BYTES;

secret_string!(
    /// A service account's PEM private key (`private_key` of the key file).
    #[derive(Clone)]
    PrivateKeyPem
);

secret_string!(
    /// A signed JWT assertion: it authorizes whoever holds it until `exp`, so a secret.
    JwtAssertion
);

/// The fields of Google's key file that a client reads.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<PrivateKeyPem>,
    private_key_id: Option<String>,
    client_id: Option<String>,
    project_id: Option<String>,
    token_uri: Option<String>,
}

/// A Google service-account key (the JSON file the Cloud console downloads). `Debug`
/// shows no key.
#[derive(Clone)]
pub struct ServiceAccountKey {
    client_email: String,
    private_key: PrivateKeyPem,
    private_key_id: Option<String>,
    client_id: Option<String>,
    project_id: Option<String>,
    token_uri: Option<String>,
    signing: EncodingKey,
    public: (Vec<u8>, Vec<u8>),
}

impl core::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("private_key", &self.private_key)
            .finish_non_exhaustive()
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl ServiceAccountKey {
    /// Reads a key file's JSON text.
    pub fn from_json(text: &str) -> Result<Self, ServiceAccountError> {
        let file: KeyFile = serde_json::from_str(text).map_err(|_| ServiceAccountError::NotJson)?;
        match file.kind.as_deref() {
            Some("service_account") => {}
            Some(other) => {
                return Err(ServiceAccountError::WrongType(crate::encoding::clip(other)))
            }
            None => return Err(ServiceAccountError::MissingField("type")),
        }
        let client_email = non_empty(file.client_email)
            .ok_or(ServiceAccountError::MissingField("client_email"))?;
        let private_key = file
            .private_key
            .filter(|k| !k.is_empty())
            .ok_or(ServiceAccountError::MissingField("private_key"))?;
        // Our reader checks the PEM kind and the modulus size (1024 to 8192 bits) and
        // gives the public half; `jsonwebtoken` signs.
        let rsa =
            RsaSigningKey::from_pem(private_key.secret()).map_err(ServiceAccountError::Key)?;
        let signing = EncodingKey::from_rsa_pem(private_key.secret().as_bytes())
            .map_err(|_| ServiceAccountError::Key(KeyError::NotPem { private: true }))?;
        Ok(Self {
            client_email,
            private_key,
            private_key_id: non_empty(file.private_key_id),
            client_id: non_empty(file.client_id),
            project_id: non_empty(file.project_id),
            token_uri: non_empty(file.token_uri),
            signing,
            public: rsa.public_components(),
        })
    }

    /// Reads a key file (at most [`MAX_KEY_FILE_BYTES`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ServiceAccountError> {
        let text = read_key_file(path.as_ref()).map_err(|e| match e {
            KeyError::Io(kind) => ServiceAccountError::Io(kind),
            KeyError::FileTooLarge => ServiceAccountError::FileTooLarge,
            _ => ServiceAccountError::NotJson,
        })?;
        Self::from_json(&text)
    }

    /// `client_email`: the assertion's issuer.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// `private_key_id`, sent as the JWT header's `kid`.
    pub fn private_key_id(&self) -> Option<&str> {
        self.private_key_id.as_deref()
    }

    /// `client_id` (the service account's numeric ID).
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `project_id`.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// `token_uri`: where to send the assertion.
    pub fn token_uri(&self) -> Option<&str> {
        self.token_uri.as_deref()
    }

    /// A verifier for assertions signed with this key (the public half).
    pub fn verifier(&self) -> AssertionVerifier {
        AssertionVerifier {
            key: DecodingKey::from_rsa_raw_components(&self.public.0, &self.public.1),
        }
    }

    /// Signs `claims` (RS256, header `kid` = `private_key_id`).
    pub fn sign(&self, claims: &Claims) -> Result<JwtAssertion, ServiceAccountError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.private_key_id.clone();
        jsonwebtoken::encode(&header, claims, &self.signing)
            .map(JwtAssertion::new)
            .map_err(|_| ServiceAccountError::Sign)
    }
}

/// The claims of a service-account assertion (Google's "Preparing to make an authorized
/// API call": `iss`, `scope`, `aud`, `exp`, `iat`, and `sub` for delegation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The service account's email.
    pub iss: String,
    /// The scopes, space-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// The token endpoint the assertion is meant for.
    pub aud: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
    /// The user to act as (domain-wide delegation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// What to ask a service account's token for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionRequest {
    /// The scopes (at least one).
    pub scopes: Vec<String>,
    /// The user to act as (domain-wide delegation), if any.
    pub subject: Option<String>,
    /// The `aud` claim: [`GOOGLE_TOKEN_AUDIENCE`] unless set.
    pub audience: String,
    /// Seconds from `iat` to `exp`: [`MAX_ASSERTION_LIFETIME`] unless set.
    pub lifetime: u64,
}

impl AssertionRequest {
    /// Asks for `scopes`, with Google's audience and the longest lifetime.
    pub fn new(scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            scopes: scopes.into_iter().map(Into::into).collect(),
            subject: None,
            audience: GOOGLE_TOKEN_AUDIENCE.to_owned(),
            lifetime: MAX_ASSERTION_LIFETIME,
        }
    }

    /// Acts as `email` (domain-wide delegation).
    pub fn with_subject(mut self, email: impl Into<String>) -> Self {
        self.subject = Some(email.into());
        self
    }

    /// Sets the `aud` claim.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Sets the lifetime in seconds (1 to [`MAX_ASSERTION_LIFETIME`]).
    pub fn with_lifetime(mut self, seconds: u64) -> Self {
        self.lifetime = seconds;
        self
    }

    /// The claims for `key` at `now`.
    pub fn claims(&self, key: &ServiceAccountKey, now: u64) -> Result<Claims, ServiceAccountError> {
        if self.scopes.iter().all(|s| s.trim().is_empty()) {
            return Err(ServiceAccountError::NoScope);
        }
        if self.lifetime == 0 || self.lifetime > MAX_ASSERTION_LIFETIME {
            return Err(ServiceAccountError::BadLifetime);
        }
        let scope: Vec<&str> = self
            .scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Claims {
            iss: key.client_email.clone(),
            scope: scope.join(" "),
            aud: self.audience.clone(),
            iat: now,
            exp: now.saturating_add(self.lifetime),
            sub: self.subject.clone(),
        })
    }
}

/// Verifies assertions signed with one service account's key: the RS256 signature and the
/// header's `alg` only (`exp`, `aud` and the rest are the caller's policy).
#[derive(Clone)]
pub struct AssertionVerifier {
    key: DecodingKey,
}

impl core::fmt::Debug for AssertionVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AssertionVerifier")
    }
}

impl AssertionVerifier {
    /// The claims of `jwt` when its signature verifies under this key with RS256 (an
    /// assertion of any other `alg`, `none` included, is refused).
    pub fn claims(&self, jwt: &str) -> Result<Claims, ServiceAccountError> {
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        v.leeway = 0;
        jsonwebtoken::decode::<Claims>(jwt, &self.key, &v)
            .map(|d| d.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                ServiceAccountError::Invalid(match e.kind() {
                    ErrorKind::InvalidSignature => "bad signature",
                    ErrorKind::InvalidAlgorithm => "not RS256",
                    ErrorKind::Json(_) => "claims of the wrong shape",
                    _ => "not a signed JWT",
                })
            })
    }
}

/// `POST token_url` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
/// `assertion=…` (RFC 7523 §2.1); no client authentication.
pub fn prepare_jwt_grant(token_url: &str, assertion: &JwtAssertion) -> HttpRequest {
    HttpRequest::post_form(
        token_url,
        &[
            ("grant_type", JWT_BEARER_GRANT_TYPE),
            ("assertion", assertion.secret()),
        ],
    )
    .header("Accept", "application/json")
}

/// Signs the assertion for `request` at `now` and exchanges it at `token_url`.
pub fn jwt_grant(
    token_url: &str,
    key: &ServiceAccountKey,
    request: &AssertionRequest,
    now: u64,
) -> Call<TokenResponse, OAuth2Error> {
    let prepared = request
        .claims(key, now)
        .and_then(|c| key.sign(&c))
        .map(|a| prepare_jwt_grant(token_url, &a))
        .map_err(OAuth2Error::ServiceAccount);
    Call::new(prepared, parse_token_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../fixtures/keys/service_account.json");
    const OTHER: &str = include_str!("../../fixtures/keys/service_account_other.json");

    #[test]
    fn signs_an_assertion_its_own_verifier_accepts_and_another_refuses() {
        let key = ServiceAccountKey::from_json(KEY).unwrap();
        assert_eq!(
            key.client_email(),
            "robot@gdata-auth-test.iam.gserviceaccount.com"
        );
        let req = AssertionRequest::new(["https://www.googleapis.com/auth/calendar"])
            .with_subject("jo@example.com");
        let claims = req.claims(&key, 1_000_000).unwrap();
        assert_eq!(claims.exp, 1_000_000 + 3600);
        assert_eq!(claims.aud, GOOGLE_TOKEN_AUDIENCE);
        let jwt = key.sign(&claims).unwrap();
        // Three Base64url parts; the header names RS256 and the key id.
        let header = jsonwebtoken::decode_header(jwt.secret()).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), key.private_key_id());
        assert_eq!(key.verifier().claims(jwt.secret()).unwrap(), claims);
        let other = ServiceAccountKey::from_json(OTHER).unwrap();
        assert_eq!(
            other.verifier().claims(jwt.secret()),
            Err(ServiceAccountError::Invalid("bad signature"))
        );
        // One changed byte of the payload breaks the signature.
        let mut parts: Vec<String> = jwt.secret().split('.').map(str::to_owned).collect();
        let swap = if parts[1].starts_with('e') { "f" } else { "e" };
        parts[1].replace_range(0..1, swap);
        assert!(key.verifier().claims(&parts.join(".")).is_err());
    }

    #[test]
    fn an_unsigned_or_hmac_token_is_refused() {
        let key = ServiceAccountKey::from_json(KEY).unwrap();
        use base64::Engine as _;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let payload = b(r#"{"iss":"x","aud":"y","iat":1,"exp":2}"#);
        let none = format!("{}.{payload}.", b(r#"{"alg":"none","typ":"JWT"}"#));
        assert!(key.verifier().claims(&none).is_err());
        let hs = format!("{}.{payload}.AAAA", b(r#"{"alg":"HS256","typ":"JWT"}"#));
        assert_eq!(
            key.verifier().claims(&hs),
            Err(ServiceAccountError::Invalid("not RS256"))
        );
    }

    #[test]
    fn key_file_errors_are_precise() {
        assert_eq!(
            ServiceAccountKey::from_json("[]").unwrap_err(),
            ServiceAccountError::NotJson
        );
        assert_eq!(
            ServiceAccountKey::from_json(r#"{"type":"authorized_user"}"#).unwrap_err(),
            ServiceAccountError::WrongType("authorized_user".into())
        );
        let mut v: serde_json::Value = serde_json::from_str(KEY).unwrap();
        v["client_email"] = "".into();
        assert_eq!(
            ServiceAccountKey::from_json(&v.to_string()).unwrap_err(),
            ServiceAccountError::MissingField("client_email")
        );
        v["client_email"] = "a@b".into();
        v["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into();
        assert!(matches!(
            ServiceAccountKey::from_json(&v.to_string()).unwrap_err(),
            ServiceAccountError::Key(_)
        ));
        let key = ServiceAccountKey::from_json(KEY).unwrap();
        assert_eq!(
            AssertionRequest::new(Vec::<String>::new()).claims(&key, 0),
            Err(ServiceAccountError::NoScope)
        );
        assert_eq!(
            AssertionRequest::new(["s"])
                .with_lifetime(3601)
                .claims(&key, 0),
            Err(ServiceAccountError::BadLifetime)
        );
        let message = ServiceAccountError::BadLifetime.to_string();
        assert!(
            message.contains(&MAX_ASSERTION_LIFETIME.to_string()),
            "{message}"
        );
        assert!(!format!("{key:?}").contains("BEGIN"));
    }

    #[test]
    fn key_files_are_read_with_a_cap() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("key.json");
        std::fs::write(&good, KEY).unwrap();
        let key = ServiceAccountKey::from_file(&good).unwrap();
        assert_eq!(key.token_uri(), Some(GOOGLE_TOKEN_AUDIENCE));
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; MAX_KEY_FILE_BYTES as usize + 1]).unwrap();
        assert_eq!(
            ServiceAccountKey::from_file(&big).unwrap_err(),
            ServiceAccountError::FileTooLarge
        );
        assert!(matches!(
            ServiceAccountKey::from_file(dir.path().join("missing.json")).unwrap_err(),
            ServiceAccountError::Io(_)
        ));
    }

    #[test]
    fn the_grant_request_carries_the_assertion_in_the_form() {
        let key = ServiceAccountKey::from_json(KEY).unwrap();
        let a = key
            .sign(&AssertionRequest::new(["s"]).claims(&key, 5).unwrap())
            .unwrap();
        let req = prepare_jwt_grant("http://127.0.0.1:1/o/oauth2/token", &a);
        let body = String::from_utf8(req.body.clone()).unwrap();
        assert!(body.starts_with(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
        ));
        assert!(body.ends_with(a.secret()));
        assert_eq!(req.header_value("Authorization"), None);
    }
}
