//! [`OAuth1Authorizer`]: OAuth 1.0 client credentials that sign requests.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::base_string::write_base_string;
use super::header::{check_realm, write_header};
use super::signature::{signing_key, KeyedMac};
use super::{OAuth1Error, SignatureMethod};
use crate::authorizer::Authorizer;
use crate::error::Error;
use crate::request::{Authorization, Context, Request};
use crate::secret::{ConsumerSecret, TokenSecret};

#[cfg(feature = "rsa")]
use super::signature::RsaSigningKey;

/// The result of signing one request.
///
/// `Debug` is redacted: the base string holds every query and form value (tokens,
/// passwords) and a PLAINTEXT signature is the secrets themselves.
#[derive(Clone)]
pub struct Signed {
    /// The RFC 5849 §3.4.1 signature base string.
    pub base_string: String,
    /// `oauth_signature`, decoded (Base64 for HMAC and RSA).
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: Authorization,
}

impl core::fmt::Debug for Signed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signed")
            .field(
                "base_string",
                &format_args!("[redacted, {} bytes]", self.base_string.len()),
            )
            .field("signature", &"[redacted]")
            .field("authorization", &self.authorization)
            .finish()
    }
}

#[derive(Clone)]
enum Key {
    Shared {
        consumer_secret: ConsumerSecret,
        /// `enc(cs)&enc(ts)`: the HMAC key and the PLAINTEXT signature.
        key: Zeroizing<String>,
        mac: Option<KeyedMac>,
    },
    #[cfg(feature = "rsa")]
    Rsa(Arc<RsaSigningKey>),
}

/// OAuth 1.0 client credentials (consumer, optional token) that sign requests.
///
/// Without a token it signs two-legged requests (put `xoauth_requestor_id` in the URL's
/// query, as Google's 2LO required) and request-token calls.
#[derive(Clone)]
pub struct OAuth1Authorizer {
    consumer_key: String,
    method: SignatureMethod,
    key: Key,
    token: Option<(String, TokenSecret)>,
    realm: Option<String>,
    version: bool,
    callback: Option<String>,
    verifier: Option<String>,
    allow_insecure_plaintext: bool,
}

impl core::fmt::Debug for OAuth1Authorizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OAuth1Authorizer")
            .field("consumer_key", &self.consumer_key)
            .field("method", &self.method)
            .field("token", &self.token.as_ref().map(|(t, _)| t))
            .field("secrets", &"[redacted]")
            .finish()
    }
}

impl OAuth1Authorizer {
    /// An HMAC-SHA1 consumer.
    pub fn hmac_sha1(consumer_key: impl Into<String>, consumer_secret: ConsumerSecret) -> Self {
        Self::shared(
            consumer_key.into(),
            consumer_secret,
            SignatureMethod::HmacSha1,
        )
    }

    /// A consumer signing with a shared-secret method: HMAC-SHA1, HMAC-SHA256 or PLAINTEXT.
    pub fn with_secret(
        consumer_key: impl Into<String>,
        consumer_secret: ConsumerSecret,
        method: SignatureMethod,
    ) -> Result<Self, OAuth1Error> {
        if !method.uses_shared_secret() {
            return Err(OAuth1Error::MissingRsaKey);
        }
        Ok(Self::shared(consumer_key.into(), consumer_secret, method))
    }

    /// Google's consumer for installed and unregistered applications:
    /// `anonymous` / `anonymous`, HMAC-SHA1.
    pub fn anonymous() -> Self {
        Self::hmac_sha1("anonymous", ConsumerSecret::new("anonymous"))
    }

    /// An RSA-SHA1 consumer.
    #[cfg(feature = "rsa")]
    pub fn rsa_sha1(consumer_key: impl Into<String>, key: RsaSigningKey) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            method: SignatureMethod::RsaSha1,
            key: Key::Rsa(Arc::new(key)),
            token: None,
            realm: None,
            version: true,
            callback: None,
            verifier: None,
            allow_insecure_plaintext: false,
        }
    }

    fn shared(
        consumer_key: String,
        consumer_secret: ConsumerSecret,
        method: SignatureMethod,
    ) -> Self {
        let mut this = Self {
            consumer_key,
            method,
            key: Key::Shared {
                consumer_secret,
                key: Zeroizing::new(String::new()),
                mac: None,
            },
            token: None,
            realm: None,
            version: true,
            callback: None,
            verifier: None,
            allow_insecure_plaintext: false,
        };
        this.rekey();
        this
    }

    /// Recomputes the shared key and the cached keyed HMAC state after the token changed.
    fn rekey(&mut self) {
        let token_secret = self.token.as_ref().map_or("", |(_, s)| s.secret());
        if let Key::Shared {
            consumer_secret,
            key,
            mac,
        } = &mut self.key
        {
            *key = signing_key(consumer_secret.secret(), token_secret);
            *mac = KeyedMac::new(self.method, key.as_bytes());
        }
    }

    /// Signs with a token (request token or access token) and its secret.
    pub fn with_token(mut self, token: impl Into<String>, token_secret: TokenSecret) -> Self {
        self.token = Some((token.into(), token_secret));
        self.rekey();
        self
    }

    /// Signs without a token.
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self.rekey();
        self
    }

    /// Adds `realm` to the header (never signed, RFC 5849 §3.4.1.3.1).
    pub fn with_realm(mut self, realm: impl Into<String>) -> Result<Self, OAuth1Error> {
        let realm = realm.into();
        check_realm(&realm)?;
        self.realm = Some(realm);
        Ok(self)
    }

    /// Sends `oauth_callback` (a URL or `oob`): the request-token step of OAuth 1.0a.
    pub fn with_callback(mut self, callback: impl Into<String>) -> Self {
        self.callback = Some(callback.into());
        self
    }

    /// Sends `oauth_verifier`: the access-token step of OAuth 1.0a.
    pub fn with_verifier(mut self, verifier: impl Into<String>) -> Self {
        self.verifier = Some(verifier.into());
        self
    }

    /// Leaves `oauth_version` out (it is optional, RFC 5849 §3.1).
    pub fn without_version(mut self) -> Self {
        self.version = false;
        self
    }

    /// Allows PLAINTEXT over plain `http://`. Only for loopback test servers: the secrets
    /// travel in the clear (RFC 5849 §3.4.4 requires TLS).
    pub fn dangerous_allow_insecure_plaintext(mut self) -> Self {
        self.allow_insecure_plaintext = true;
        self
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The signature method.
    pub fn signature_method(&self) -> SignatureMethod {
        self.method
    }

    /// The token, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_ref().map(|(t, _)| t.as_str())
    }

    /// Signs `request`: base string, signature and `Authorization` header.
    pub fn sign(&self, request: &Request, ctx: &Context) -> Result<Signed, OAuth1Error> {
        if self.method == SignatureMethod::Plaintext
            && request.url().scheme() != "https"
            && !self.allow_insecure_plaintext
        {
            return Err(OAuth1Error::InsecurePlaintext);
        }
        let timestamp = ctx.timestamp.map(|t| t.to_string());
        let candidates: [(&str, Option<&str>); 8] = [
            ("oauth_consumer_key", Some(&self.consumer_key)),
            ("oauth_token", self.token()),
            ("oauth_signature_method", Some(self.method.as_str())),
            ("oauth_timestamp", timestamp.as_deref()),
            ("oauth_nonce", ctx.nonce.as_deref()),
            ("oauth_version", self.version.then_some("1.0")),
            ("oauth_callback", self.callback.as_deref()),
            ("oauth_verifier", self.verifier.as_deref()),
        ];
        let mut params: [(&str, &str); 8] = [("", ""); 8];
        let mut n = 0;
        for (name, value) in candidates {
            if let (Some(v), Some(slot)) = (value, params.get_mut(n)) {
                *slot = (name, v);
                n += 1;
            }
        }
        let params = params.get(..n).unwrap_or_default();

        let mut base_string = String::new();
        write_base_string(&mut base_string, request, params);
        let signature = self.signature_of(&base_string)?;

        // Header order: the RFC 5849 §3.5.1 example's, signature after the method.
        let mut header = String::with_capacity(base_string.len());
        let mut with_sig: [(&str, &str); 10] = [("", ""); 10];
        let mut m = 0;
        for p in params {
            if let Some(slot) = with_sig.get_mut(m) {
                *slot = *p;
                m += 1;
            }
            if p.0 == "oauth_signature_method" {
                if let Some(slot) = with_sig.get_mut(m) {
                    *slot = ("oauth_signature", signature.as_str());
                    m += 1;
                }
            }
        }
        write_header(
            &mut header,
            self.realm.as_deref(),
            with_sig.get(..m).unwrap_or_default(),
        )?;
        Ok(Signed {
            base_string,
            signature,
            authorization: Authorization::new(header),
        })
    }

    /// The signature of an already computed base string with these credentials.
    pub fn signature_of(&self, base_string: &str) -> Result<String, OAuth1Error> {
        match &self.key {
            Key::Shared { key, mac, .. } => match (self.method, mac) {
                (SignatureMethod::Plaintext, _) => Ok(key.as_str().to_owned()),
                (_, Some(mac)) => {
                    let mut out = String::with_capacity(44);
                    mac.sign_into(base_string.as_bytes(), &mut out);
                    Ok(out)
                }
                (method, None) => Err(OAuth1Error::MissingSecret(method)),
            },
            #[cfg(feature = "rsa")]
            Key::Rsa(key) => key.sign(base_string.as_bytes()),
        }
    }
}

impl Authorizer for OAuth1Authorizer {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, Error> {
        Ok(self.sign(request, ctx)?.authorization)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_1_2_photos_request() {
        // RFC 5849 §1.2: the protected resource request.
        let auth = OAuth1Authorizer::hmac_sha1(
            "dpf43f3p2l4k3l03",
            ConsumerSecret::new("kd94hf93k423kf44"),
        )
        .with_token("nnch734d00sl2jdk", TokenSecret::new("pfkkdhi9sl3r4s00"))
        .with_realm("Photos")
        .unwrap()
        .without_version();
        let req = Request::new(
            "GET",
            "http://photos.example.net/photos?file=vacation.jpg&size=original",
        )
        .unwrap();
        let signed = auth
            .sign(&req, &Context::fixed(137131202, "chapoH"))
            .unwrap();
        assert_eq!(signed.signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
        assert!(signed
            .authorization
            .header_value()
            .starts_with("OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\""));
    }

    #[test]
    fn plaintext_over_http_needs_opt_in() {
        let auth = OAuth1Authorizer::with_secret(
            "k",
            ConsumerSecret::new("s"),
            SignatureMethod::Plaintext,
        )
        .unwrap();
        let req = Request::new("GET", "http://h/").unwrap();
        let ctx = Context::fixed(1, "n");
        assert_eq!(
            auth.sign(&req, &ctx).unwrap_err(),
            OAuth1Error::InsecurePlaintext
        );
        let ok = auth
            .dangerous_allow_insecure_plaintext()
            .sign(&req, &ctx)
            .unwrap();
        assert_eq!(ok.signature, "s&");
    }
}
