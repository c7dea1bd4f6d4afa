//! Signature methods (RFC 5849 §3.4): HMAC-SHA1, PLAINTEXT, and HMAC-SHA256 as an extension;
//! signing and constant-time verification. RSA-SHA1 keys live in [`crate::rsa_sha1`], shared
//! with secure AuthSub.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{OAuth1Error, SignatureMethod};
use crate::encoding::encode_into;
use crate::secret::ct_eq;

/// The RFC 5849 §3.4.2 key: `enc(consumer_secret) & enc(token_secret)`; the `&` is kept when
/// the token secret is empty. Also the PLAINTEXT signature (§3.4.4).
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> Zeroizing<String> {
    let mut key = Zeroizing::new(String::with_capacity(
        consumer_secret.len() + token_secret.len() + 1,
    ));
    encode_into(&mut key, consumer_secret);
    key.push('&');
    encode_into(&mut key, token_secret);
    key
}

/// HMAC-SHA1 keyed with `key`. RFC 2104 §2 takes keys of any length (longer ones are hashed
/// first), and the `hmac` crate's `new_from_slice` follows it, so its error arm is never
/// taken.
fn hmac_sha1_key(key: &[u8]) -> Hmac<Sha1> {
    <Hmac<Sha1> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"))
}

/// HMAC-SHA256 keyed with `key`; see [`hmac_sha1_key`].
fn hmac_sha256_key(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"))
}

/// HMAC-SHA1 of `base_string` under `key`, Base64-encoded (RFC 5849 §3.4.2).
pub fn hmac_sha1(key: &[u8], base_string: &[u8]) -> String {
    let mut mac = hmac_sha1_key(key);
    mac.update(base_string);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// HMAC-SHA256 of `base_string` under `key`, Base64-encoded (an extension many providers
/// accept; same key as HMAC-SHA1).
pub fn hmac_sha256(key: &[u8], base_string: &[u8]) -> String {
    let mut mac = hmac_sha256_key(key);
    mac.update(base_string);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A keyed HMAC state, cached per credential so each signature skips the two key blocks.
///
/// The `hmac` crate does not zeroize its internal state; the key bytes it was derived from
/// are held in [`Zeroizing`] by the caller and dropped with it.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
}

impl KeyedMac {
    /// The keyed state for an HMAC `method`; `None` for the methods that are not HMAC.
    pub(crate) fn for_method(method: SignatureMethod, key: &[u8]) -> Option<Self> {
        match method {
            SignatureMethod::HmacSha1 => Some(Self::Sha1(hmac_sha1_key(key))),
            SignatureMethod::HmacSha256 => Some(Self::Sha256(hmac_sha256_key(key))),
            SignatureMethod::RsaSha1 | SignatureMethod::Plaintext => None,
        }
    }

    /// Signs `base_string`, writing the Base64 signature to `out` (no allocation).
    pub(crate) fn sign_into(&self, base_string: &[u8], out: &mut SignatureBuf) {
        match self {
            Self::Sha1(mac) => {
                let mut mac = mac.clone();
                mac.update(base_string);
                out.set_base64(&mac.finalize().into_bytes());
            }
            Self::Sha256(mac) => {
                let mut mac = mac.clone();
                mac.update(base_string);
                out.set_base64(&mac.finalize().into_bytes());
            }
        }
    }
}

/// A Base64 HMAC signature on the stack: 44 characters hold a SHA-256 MAC.
pub(crate) struct SignatureBuf {
    bytes: [u8; 44],
    len: usize,
}

impl SignatureBuf {
    pub(crate) fn new() -> Self {
        Self {
            bytes: [0; 44],
            len: 0,
        }
    }

    fn set_base64(&mut self, mac: &[u8]) {
        self.len = STANDARD.encode_slice(mac, &mut self.bytes).unwrap_or(0);
    }

    pub(crate) fn as_str(&self) -> &str {
        // Base64 output is ASCII.
        core::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

/// Verifies an HMAC signature (`method` HMAC-SHA1 or HMAC-SHA256) in constant time.
/// Malformed or non-canonical Base64 is simply a wrong signature.
pub fn verify_hmac(
    method: SignatureMethod,
    key: &[u8],
    base_string: &[u8],
    signature: &str,
) -> bool {
    let Ok(given) = STANDARD.decode(signature) else {
        return false;
    };
    match method {
        SignatureMethod::HmacSha1 => <Hmac<Sha1> as Mac>::new_from_slice(key)
            .map(|mut m| {
                m.update(base_string);
                m.verify_slice(&given).is_ok()
            })
            .unwrap_or(false),
        SignatureMethod::HmacSha256 => <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map(|mut m| {
                m.update(base_string);
                m.verify_slice(&given).is_ok()
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// Verifies a PLAINTEXT signature (`enc(cs)&enc(ts)`) in constant time.
pub fn verify_plaintext(expected_key: &str, signature: &str) -> bool {
    ct_eq(expected_key.as_bytes(), signature.as_bytes())
}

/// Signs with `method` using a shared-secret key (HMAC methods and PLAINTEXT).
pub fn sign_with_secret(
    method: SignatureMethod,
    key: &str,
    base_string: &str,
) -> Result<String, OAuth1Error> {
    match method {
        SignatureMethod::HmacSha1 => Ok(hmac_sha1(key.as_bytes(), base_string.as_bytes())),
        SignatureMethod::HmacSha256 => Ok(hmac_sha256(key.as_bytes(), base_string.as_bytes())),
        SignatureMethod::Plaintext => Ok(key.to_owned()),
        SignatureMethod::RsaSha1 => Err(OAuth1Error::MissingRsaKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_oauth_net_rows() {
        // oauth.net wiki TestCases, "HMAC-SHA1 (section 9.2)".
        assert_eq!(
            hmac_sha1(signing_key("cs", "").as_bytes(), b"bs"),
            "egQqG5AJep5sJ7anhXju1unge2I="
        );
        assert_eq!(
            hmac_sha1(signing_key("cs", "ts").as_bytes(), b"bs"),
            "VZVjXceV7JgPq/dOTnNmEfO0Fv8="
        );
    }

    #[test]
    fn verify_rejects_near_misses() {
        let key = signing_key("cs", "ts");
        let good = hmac_sha1(key.as_bytes(), b"bs");
        let m = SignatureMethod::HmacSha1;
        assert!(verify_hmac(m, key.as_bytes(), b"bs", &good));
        assert!(!verify_hmac(m, key.as_bytes(), b"bs", ""));
        assert!(!verify_hmac(
            m,
            key.as_bytes(),
            b"bs",
            &good[..good.len() - 1]
        ));
        assert!(!verify_hmac(
            m,
            key.as_bytes(),
            b"bs",
            "VZVjXceV7JgPq/dOTnNmEfO0Fv9="
        ));
        assert!(!verify_hmac(m, key.as_bytes(), b"bs", "!!!!"));
        assert!(!verify_hmac(m, key.as_bytes(), b"bt", &good));
    }
}
