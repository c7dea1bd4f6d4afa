//! [`OAuth1Authorizer`]: OAuth 1.0 client credentials that sign requests.

use std::borrow::Cow;
#[cfg(feature = "rsa")]
use std::sync::Arc;

use zeroize::Zeroizing;

use super::base_string::{
    encode_cow, write_base_string_encoded, EncodedParam, ProtocolParam, ProtocolRuns, RunValues,
};
use super::header::check_realm;
use super::signature::{signing_key, KeyedMac, SignatureBuf};
use super::{OAuth1Error, SignatureMethod};
use crate::authorizer::{AuthorizeError, Authorizer, Scheme};
use crate::encoding::{encode_into, encode_twice_into};
use crate::request::{Authorization, Context, Request};
use crate::secret::{ConsumerSecret, SecretString, TokenSecret};

#[cfg(feature = "rsa")]
use crate::rsa_sha1::RsaSigningKey;

/// The result of signing one request.
///
/// `Debug` is redacted and both strings are zeroized on drop: the base string holds every
/// query and form value (tokens, passwords) and a PLAINTEXT signature is the secrets
/// themselves.
#[derive(Clone)]
pub struct Signed {
    /// The RFC 5849 §3.4.1 signature base string.
    pub base_string: String,
    /// `oauth_signature`, decoded (Base64 for HMAC and RSA).
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: Authorization,
}

impl Drop for Signed {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.base_string);
        zeroize::Zeroize::zeroize(&mut self.signature);
    }
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

/// The signing key material, by method family.
#[derive(Clone)]
enum Key {
    /// HMAC-SHA1 / HMAC-SHA256: the keyed MAC state, cached per credential.
    Hmac {
        consumer_secret: ConsumerSecret,
        mac: KeyedMac,
    },
    /// PLAINTEXT: the signature is the key `enc(cs)&enc(ts)` itself.
    Plaintext {
        consumer_secret: ConsumerSecret,
        key: Zeroizing<String>,
    },
    #[cfg(feature = "rsa")]
    Rsa(Arc<RsaSigningKey>),
}

impl Key {
    /// The key for a shared-secret `method` (HMAC or PLAINTEXT) and a token secret.
    fn shared(
        method: SignatureMethod,
        consumer_secret: ConsumerSecret,
        token_secret: &str,
    ) -> Self {
        let key = signing_key(consumer_secret.secret(), token_secret);
        match KeyedMac::for_method(method, key.as_bytes()) {
            Some(mac) => Self::Hmac {
                consumer_secret,
                mac,
            },
            None => Self::Plaintext {
                consumer_secret,
                key,
            },
        }
    }
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
    /// `oauth_verifier` proves the user's approval: kept as a secret (wiped, redacted).
    verifier: Option<SecretString>,
    allow_insecure_plaintext: bool,
    encoded: Encoded,
}

/// Protocol values percent-encoded once, when they are set, not on every signature.
#[derive(Clone, Default)]
struct Encoded {
    consumer_key: EncodedParam,
    token: Option<EncodedParam>,
    callback: Option<EncodedParam>,
    verifier: Option<EncodedParam>,
    method: EncodedParam,
    version: EncodedParam,
    /// `OAuth [realm="…", ]oauth_consumer_key="…", [oauth_token="…", ]`
    /// `oauth_signature_method="…", oauth_signature="`: the header up to the signature.
    header_head: String,
    /// `[, oauth_version="1.0"][, oauth_callback="…"][, oauth_verifier="…"]`.
    header_tail: String,
    /// The base string's stretch of protocol parameters, around the nonce and timestamp.
    runs: ProtocolRuns,
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
    pub fn hmac_sha1(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<ConsumerSecret>,
    ) -> Self {
        Self::shared(
            consumer_key.into(),
            consumer_secret.into(),
            SignatureMethod::HmacSha1,
        )
    }

    /// A consumer signing with a shared-secret method: HMAC-SHA1, HMAC-SHA256 or PLAINTEXT.
    pub fn with_secret(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<ConsumerSecret>,
        method: SignatureMethod,
    ) -> Result<Self, OAuth1Error> {
        if !method.uses_shared_secret() {
            return Err(OAuth1Error::MissingRsaKey);
        }
        Ok(Self::shared(
            consumer_key.into(),
            consumer_secret.into(),
            method,
        ))
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
            encoded: Encoded::default(),
        }
        .reencode()
    }

    fn shared(
        consumer_key: String,
        consumer_secret: ConsumerSecret,
        method: SignatureMethod,
    ) -> Self {
        Self {
            consumer_key,
            method,
            key: Key::shared(method, consumer_secret, ""),
            token: None,
            realm: None,
            version: true,
            callback: None,
            verifier: None,
            allow_insecure_plaintext: false,
            encoded: Encoded::default(),
        }
        .reencode()
    }

    fn reencode(mut self) -> Self {
        let mut encoded = Encoded {
            consumer_key: EncodedParam::new("oauth_consumer_key", &self.consumer_key),
            token: self
                .token
                .as_ref()
                .map(|(t, _)| EncodedParam::new("oauth_token", t)),
            callback: self
                .callback
                .as_deref()
                .map(|c| EncodedParam::new("oauth_callback", c)),
            verifier: self
                .verifier
                .as_ref()
                .map(|v| EncodedParam::new("oauth_verifier", v.secret())),
            method: EncodedParam::new("oauth_signature_method", self.method.as_str()),
            version: EncodedParam::new("oauth_version", "1.0"),
            header_head: String::new(),
            header_tail: String::new(),
            runs: ProtocolRuns::default(),
        };
        let before: Vec<&EncodedParam> = encoded
            .callback
            .iter()
            .chain([&encoded.consumer_key])
            .collect();
        let mut after: Vec<&EncodedParam> = encoded.token.iter().chain(&encoded.verifier).collect();
        if self.version {
            after.push(&encoded.version);
        }
        let runs = ProtocolRuns::new(&before, &encoded.method, &after);
        encoded.runs = runs;
        // The header in the order of the RFC 5849 §3.5.1 example; only the signature,
        // timestamp and nonce change from one request to the next.
        let quoted = |out: &mut String, name: &str, value: &str| {
            out.push_str(name);
            out.push_str("=\"");
            out.push_str(value);
            out.push('"');
        };
        let mut head = String::from("OAuth ");
        if let Some(realm) = &self.realm {
            quoted(&mut head, "realm", realm);
            head.push_str(", ");
        }
        quoted(&mut head, "oauth_consumer_key", &encoded.consumer_key.value);
        head.push_str(", ");
        if let Some(t) = &encoded.token {
            quoted(&mut head, "oauth_token", &t.value);
            head.push_str(", ");
        }
        quoted(&mut head, "oauth_signature_method", self.method.as_str());
        head.push_str(", oauth_signature=\"");
        let mut tail = String::new();
        if self.version {
            tail.push_str(", ");
            quoted(&mut tail, "oauth_version", "1.0");
        }
        if let Some(c) = &encoded.callback {
            tail.push_str(", ");
            quoted(&mut tail, "oauth_callback", &c.value);
        }
        if let Some(v) = &encoded.verifier {
            tail.push_str(", ");
            quoted(&mut tail, "oauth_verifier", &v.value);
        }
        encoded.header_head = head;
        encoded.header_tail = tail;
        self.encoded = encoded;
        self
    }

    /// Recomputes the shared key and the cached keyed HMAC state after the token changed.
    fn rekey(&mut self) {
        let token_secret = self.token.as_ref().map_or("", |(_, s)| s.secret());
        match &self.key {
            Key::Hmac {
                consumer_secret, ..
            }
            | Key::Plaintext {
                consumer_secret, ..
            } => self.key = Key::shared(self.method, consumer_secret.clone(), token_secret),
            #[cfg(feature = "rsa")]
            Key::Rsa(_) => {}
        }
    }

    /// Signs with a token (request token or access token) and its secret.
    pub fn with_token(
        mut self,
        token: impl Into<String>,
        token_secret: impl Into<TokenSecret>,
    ) -> Self {
        let token_secret = token_secret.into();
        self.token = Some((token.into(), token_secret));
        self.rekey();
        self.reencode()
    }

    /// The consumer alone: a copy with no token, callback or verifier. Each step of the
    /// dance starts from this, so a value set for one step never leaks into the next.
    pub fn consumer_only(&self) -> Self {
        let mut this = self.clone();
        this.token = None;
        this.callback = None;
        this.verifier = None;
        this.rekey();
        this.reencode()
    }

    /// Signs without a token.
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self.rekey();
        self.reencode()
    }

    /// Adds `realm` to the header (never signed, RFC 5849 §3.4.1.3.1).
    pub fn with_realm(mut self, realm: impl Into<String>) -> Result<Self, OAuth1Error> {
        let realm = realm.into();
        check_realm(&realm)?;
        self.realm = Some(realm);
        Ok(self.reencode())
    }

    /// Sends `oauth_callback` (a URL or `oob`): the request-token step of OAuth 1.0a.
    pub fn with_callback(mut self, callback: impl Into<String>) -> Self {
        self.callback = Some(callback.into());
        self.reencode()
    }

    /// Sends `oauth_verifier`: the access-token step of OAuth 1.0a.
    pub fn with_verifier(mut self, verifier: impl Into<String>) -> Self {
        self.verifier = Some(SecretString::new(verifier.into()));
        self.reencode()
    }

    /// Leaves `oauth_version` out (it is optional, RFC 5849 §3.1).
    pub fn without_version(mut self) -> Self {
        self.version = false;
        self.reencode()
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
    pub fn sign(&self, request: &Request, ctx: &Context) -> Result<Signed, AuthorizeError> {
        let mut base_string = String::new();
        let mut signature = String::new();
        let authorization =
            self.sign_parts(request, ctx, Some((&mut base_string, &mut signature)))?;
        Ok(Signed {
            base_string,
            signature,
            authorization,
        })
    }

    /// Signs `request` and returns the header; with `keep`, the base string and the
    /// signature are also written to those buffers (cleared first). Without, an HMAC-SHA1
    /// signature is computed as the base string is written (no string is built), and a
    /// PLAINTEXT one needs no base string at all.
    fn sign_parts(
        &self,
        request: &Request,
        ctx: &Context,
        keep: Option<(&mut String, &mut String)>,
    ) -> Result<Authorization, AuthorizeError> {
        if self.method == SignatureMethod::Plaintext
            && !request.is_https()
            && !self.allow_insecure_plaintext
        {
            return Err(AuthorizeError::InsecurePlaintext);
        }
        // `itoa`: two digits at a time, where `to_string` goes through the formatting
        // machinery (timestamps are on the hot path).
        let mut ts_buf = itoa::Buffer::new();
        let timestamp = ctx.timestamp.map(|t| ts_buf.format(t));
        // The nonce as the header carries it (encoded once) and as the base string does
        // (twice); one that needs no escaping is the same all three ways.
        let nonce = ctx.nonce.as_deref().map(|n| (n, encode_cow(n)));
        let nonce_twice = nonce.as_ref().map(|(raw, once)| match once {
            Cow::Borrowed(_) => Cow::Borrowed(*raw),
            Cow::Owned(_) => {
                let mut twice = String::with_capacity(raw.len() * 5);
                encode_twice_into(&mut twice, raw);
                Cow::Owned(twice)
            }
        });
        let enc = &self.encoded;
        // Protocol parameters in name order: all names differ, so this fixed order is the
        // RFC 5849 §3.4.1.3.2 sort. Eight slots: one per parameter the signer can send.
        let mut params = [ProtocolParam::precomputed(&enc.consumer_key); 8];
        let mut n = 0;
        let mut push = |p| {
            if let Some(slot) = params.get_mut(n) {
                *slot = p;
                n += 1;
            }
        };
        if let Some(c) = &enc.callback {
            push(ProtocolParam::precomputed(c));
        }
        push(ProtocolParam::precomputed(&enc.consumer_key));
        if let Some(twice) = &nonce_twice {
            push(ProtocolParam::nonce(twice));
        }
        push(ProtocolParam::precomputed(&enc.method));
        if let Some(t) = timestamp {
            // Decimal digits: nothing to escape, either time.
            push(ProtocolParam::timestamp(t));
        }
        if let Some(t) = &enc.token {
            push(ProtocolParam::precomputed(t));
        }
        if let Some(v) = &enc.verifier {
            push(ProtocolParam::precomputed(v));
        }
        if self.version {
            push(ProtocolParam::precomputed(&enc.version));
        }
        let (params, _) = params
            .split_at_checked(n)
            .unwrap_or_else(|| unreachable!("at most eight parameters fill eight slots"));

        let runs = match (&nonce_twice, timestamp) {
            (Some(nonce), Some(timestamp)) => Some((&enc.runs, RunValues { nonce, timestamp })),
            _ => None,
        };
        let mut signature_buf = SignatureBuf::new();
        let mut other = Zeroizing::new(String::new());
        let signature: &str = match (keep, &self.key) {
            (Some((base_string, signature)), _) => {
                base_string.clear();
                signature.clear();
                write_base_string_encoded(base_string, request, params, runs);
                self.signature_into(base_string, signature)?;
                signature
            }
            (
                None,
                Key::Hmac {
                    mac: KeyedMac::Sha1(keyed),
                    ..
                },
            ) => {
                let mut stream = keyed.stream();
                write_base_string_encoded(&mut stream, request, params, runs);
                signature_buf.set_base64(&keyed.finish(stream));
                signature_buf.as_str()
            }
            // RFC 5849 §3.4.4: the PLAINTEXT signature is the key; nothing else is signed.
            (None, Key::Plaintext { key, .. }) => key.as_str(),
            (None, _) => {
                // The base string holds the request's values: wiped when dropped.
                let mut base_string = Zeroizing::new(String::new());
                write_base_string_encoded(&mut *base_string, request, params, runs);
                self.signature_into(&base_string, &mut other)?;
                other.as_str()
            }
        };

        // The constant parts were joined when the credential was built (`reencode`).
        let mut header = String::with_capacity(
            enc.header_head.len() + enc.header_tail.len() + signature.len() * 3 + 96,
        );
        header.push_str(&enc.header_head);
        encode_into(&mut header, signature);
        if let Some(t) = timestamp {
            header.push_str("\", oauth_timestamp=\"");
            header.push_str(t);
        }
        if let Some((_, once)) = &nonce {
            header.push_str("\", oauth_nonce=\"");
            header.push_str(once);
        }
        header.push('"');
        header.push_str(&enc.header_tail);
        // A PLAINTEXT signature is the secrets themselves: that header is wiped on drop.
        Ok(if self.method == SignatureMethod::Plaintext {
            Authorization::new(header)
        } else {
            Authorization::signed(header)
        })
    }

    /// The signature of an already computed base string with these credentials.
    pub fn signature_of(&self, base_string: &str) -> Result<String, AuthorizeError> {
        let mut out = String::new();
        self.signature_into(base_string, &mut out)?;
        Ok(out)
    }

    fn signature_into(&self, base_string: &str, out: &mut String) -> Result<(), AuthorizeError> {
        match &self.key {
            Key::Hmac { mac, .. } => {
                let mut buf = SignatureBuf::new();
                mac.sign_into(base_string.as_bytes(), &mut buf);
                out.push_str(buf.as_str());
            }
            Key::Plaintext { key, .. } => out.push_str(key),
            #[cfg(feature = "rsa")]
            Key::Rsa(key) => out.push_str(&key.sign(base_string.as_bytes())?),
        }
        Ok(())
    }
}

impl Authorizer for OAuth1Authorizer {
    fn scheme(&self) -> Scheme {
        Scheme::OAuth1
    }

    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, AuthorizeError> {
        self.sign_parts(request, ctx, None)
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
            AuthorizeError::InsecurePlaintext
        );
        let ok = auth
            .dangerous_allow_insecure_plaintext()
            .sign(&req, &ctx)
            .unwrap();
        assert_eq!(ok.signature, "s&");
    }
}
