//! Signature methods (RFC 5849 §3.4): HMAC-SHA1, RSA-SHA1, PLAINTEXT, and HMAC-SHA256 as an
//! extension; signing and constant-time verification, plus RSA key loading from PEM.

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

/// HMAC-SHA1 of `base_string` under `key`, Base64-encoded (RFC 5849 §3.4.2).
pub fn hmac_sha1(key: &[u8], base_string: &[u8]) -> String {
    // HMAC accepts keys of any length (RFC 2104), so this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(base_string);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// HMAC-SHA256 of `base_string` under `key`, Base64-encoded (an extension many providers
/// accept; same key as HMAC-SHA1).
pub fn hmac_sha256(key: &[u8], base_string: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
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
    pub(crate) fn new(method: SignatureMethod, key: &[u8]) -> Option<Self> {
        match method {
            SignatureMethod::HmacSha1 => <Hmac<Sha1> as Mac>::new_from_slice(key)
                .ok()
                .map(Self::Sha1),
            SignatureMethod::HmacSha256 => <Hmac<Sha256> as Mac>::new_from_slice(key)
                .ok()
                .map(Self::Sha256),
            _ => None,
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

#[cfg(feature = "rsa")]
pub use self::rsa_keys::{RsaSigningKey, RsaVerifyingKey, MAX_RSA_BITS, MIN_RSA_BITS};

#[cfg(feature = "rsa")]
mod rsa_keys {
    use super::*;
    use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
    use rsa::traits::PublicKeyParts;
    use rsa::{RsaPrivateKey, RsaPublicKey};

    /// Smallest RSA modulus accepted (the published oauth.net test key is 1024 bits).
    pub const MIN_RSA_BITS: usize = 1024;
    /// Largest RSA modulus accepted: bigger keys are a verification-cost DoS (RFC 5849 §4.10).
    pub const MAX_RSA_BITS: usize = 8192;

    /// An RSA private key for RSA-SHA1 (PKCS#1 v1.5 over SHA-1), signing with blinding.
    #[derive(Clone)]
    pub struct RsaSigningKey(SigningKey<Sha1>);

    impl core::fmt::Debug for RsaSigningKey {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("RsaSigningKey([redacted])")
        }
    }

    impl RsaSigningKey {
        /// Loads a PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM key.
        pub fn from_pem(pem: &str) -> Result<Self, OAuth1Error> {
            let key = if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
                RsaPrivateKey::from_pkcs1_pem(pem)
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed PKCS#1 private key".into()))?
            } else if pem.contains("-----BEGIN PRIVATE KEY-----") {
                RsaPrivateKey::from_pkcs8_pem(pem)
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed PKCS#8 private key".into()))?
            } else {
                return Err(OAuth1Error::BadRsaKey(
                    "expected a PEM RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)"
                        .into(),
                ));
            };
            Self::from_key(key)
        }

        /// Wraps an RSA private key, checking its size.
        pub fn from_key(key: RsaPrivateKey) -> Result<Self, OAuth1Error> {
            check_bits(key.n().bits())?;
            Ok(Self(SigningKey::<Sha1>::new(key)))
        }

        /// The matching public key.
        pub fn verifying_key(&self) -> RsaVerifyingKey {
            use rsa::signature::Keypair;
            RsaVerifyingKey(self.0.verifying_key())
        }

        /// RSA-SHA1 signature of `base_string`, Base64-encoded. Blinded: the RNG is the OS
        /// CSPRNG (RUSTSEC-2023-0071 concerns unblinded, timing-observable private-key use).
        pub fn sign(&self, base_string: &[u8]) -> Result<String, OAuth1Error> {
            let sig: Signature = self
                .0
                .try_sign_with_rng(&mut rand_core::OsRng, base_string)
                .map_err(|_| OAuth1Error::RsaSign)?;
            Ok(STANDARD.encode(sig.to_bytes()))
        }

        /// The underlying `rsa` signing key (benchmarks compare against it).
        pub fn inner(&self) -> &SigningKey<Sha1> {
            &self.0
        }
    }

    /// An RSA public key for verifying RSA-SHA1 signatures.
    #[derive(Clone, Debug)]
    pub struct RsaVerifyingKey(VerifyingKey<Sha1>);

    impl RsaVerifyingKey {
        /// Loads a public key from PEM: `BEGIN PUBLIC KEY` (SPKI), `BEGIN RSA PUBLIC KEY`
        /// (PKCS#1) or an X.509 `BEGIN CERTIFICATE` (Google's registration upload format).
        pub fn from_pem(pem: &str) -> Result<Self, OAuth1Error> {
            let key = if pem.contains("-----BEGIN CERTIFICATE-----") {
                use x509_cert::der::{DecodePem, Encode};
                let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed X.509 certificate".into()))?;
                let spki = cert
                    .tbs_certificate
                    .subject_public_key_info
                    .to_der()
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed certificate key".into()))?;
                RsaPublicKey::from_public_key_der(&spki).map_err(|_| {
                    OAuth1Error::BadRsaKey("certificate does not hold an RSA key".into())
                })?
            } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
                RsaPublicKey::from_pkcs1_pem(pem)
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed PKCS#1 public key".into()))?
            } else if pem.contains("-----BEGIN PUBLIC KEY-----") {
                RsaPublicKey::from_public_key_pem(pem)
                    .map_err(|_| OAuth1Error::BadRsaKey("malformed SPKI public key".into()))?
            } else {
                return Err(OAuth1Error::BadRsaKey(
                    "expected a PEM public key or X.509 certificate".into(),
                ));
            };
            Self::from_key(key)
        }

        /// Wraps an RSA public key, checking its size.
        pub fn from_key(key: RsaPublicKey) -> Result<Self, OAuth1Error> {
            check_bits(key.n().bits())?;
            Ok(Self(VerifyingKey::<Sha1>::new(key)))
        }

        /// Verifies a Base64 RSA-SHA1 signature over `base_string`. Only public-key
        /// operations run here, so RUSTSEC-2023-0071 does not apply.
        pub fn verify(&self, base_string: &[u8], signature: &str) -> bool {
            let Ok(bytes) = STANDARD.decode(signature) else {
                return false;
            };
            let Ok(sig) = Signature::try_from(bytes.as_slice()) else {
                return false;
            };
            self.0.verify(base_string, &sig).is_ok()
        }
    }

    fn check_bits(bits: usize) -> Result<(), OAuth1Error> {
        if (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            Ok(())
        } else {
            Err(OAuth1Error::KeyRejected { bits })
        }
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
