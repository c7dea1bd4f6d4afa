//! RSA-SHA1 (RSASSA-PKCS1-v1_5 over SHA-1) keys, in one place for every protocol that signs
//! with them: OAuth 1.0 `RSA-SHA1` (RFC 5849 §3.4.3) and secure AuthSub (`sigalg="rsa-sha1"`).
//!
//! * [`RsaSigningKey`]: a private key read from PEM (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8
//!   `BEGIN PRIVATE KEY`), signing with blinding (the OS CSPRNG), so private-key timing is not
//!   observable (RUSTSEC-2023-0071 concerns unblinded use).
//! * [`RsaVerifyingKey`]: a public key read from PEM (SPKI `BEGIN PUBLIC KEY`, PKCS#1
//!   `BEGIN RSA PUBLIC KEY`) or from an X.509 certificate (`BEGIN CERTIFICATE`, Google's
//!   registration upload format); verification uses public-key operations only.
//!
//! Keys are 1024 to 8192 bits ([`MIN_RSA_BITS`], [`MAX_RSA_BITS`]); key files are read up to
//! [`MAX_KEY_FILE_BYTES`]. The `rsa` crate's types stay out of this API, so its next major
//! version is an internal change.

use std::io::Read as _;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{Keypair as _, RandomizedSigner, SignatureEncoding, Verifier as _};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use thiserror::Error;

/// Smallest RSA modulus accepted, in bits (the published oauth.net test key is 1024 bits).
pub const MIN_RSA_BITS: usize = 1024;
/// Largest RSA modulus accepted, in bits: bigger keys make verification a denial of service
/// (RFC 5849 §4.10).
pub const MAX_RSA_BITS: usize = 8192;
/// Largest key or certificate file read, in bytes: an 8192-bit PKCS#8 PEM is under 7 KiB, and
/// the cap keeps a path such as `/dev/zero` from eating memory.
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// A PEM encoding this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PemKind {
    /// `BEGIN RSA PRIVATE KEY`.
    Pkcs1PrivateKey,
    /// `BEGIN PRIVATE KEY`.
    Pkcs8PrivateKey,
    /// `BEGIN RSA PUBLIC KEY`.
    Pkcs1PublicKey,
    /// `BEGIN PUBLIC KEY`.
    SpkiPublicKey,
    /// `BEGIN CERTIFICATE`.
    Certificate,
}

impl core::fmt::Display for PemKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Pkcs1PrivateKey => "PKCS#1 private key",
            Self::Pkcs8PrivateKey => "PKCS#8 private key",
            Self::Pkcs1PublicKey => "PKCS#1 public key",
            Self::SpkiPublicKey => "SPKI public key",
            Self::Certificate => "X.509 certificate",
        })
    }
}

/// Why an RSA key could not be loaded. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text holds no PEM block of a kind that fits (a private key where one is needed, a
    /// public key or certificate otherwise).
    #[error(
        "bad RSA key: expected a PEM {}",
        if *.private { "RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)" }
        else { "public key or X.509 certificate" }
    )]
    NotPem {
        /// Whether a private key was expected.
        private: bool,
    },
    /// The PEM block did not decode.
    #[error("bad RSA key: malformed {0}")]
    Malformed(PemKind),
    /// The certificate's key is not an RSA key.
    #[error("bad RSA key: certificate does not hold an RSA key")]
    NotRsa,
    /// The modulus size is outside [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`].
    #[error("RSA key of {bits} bits rejected (accepted: 1024 to 8192)")]
    Size {
        /// The modulus size.
        bits: usize,
    },
    /// The key file could not be read.
    #[error("cannot read the key file: {0}")]
    Io(String),
    /// The key file is larger than [`MAX_KEY_FILE_BYTES`].
    #[error("the key file is larger than {} bytes", MAX_KEY_FILE_BYTES)]
    FileTooLarge,
    /// The key file is not UTF-8 text.
    #[error("the key file is not PEM text")]
    NotText,
}

/// RSA signing failed (the key is unusable for PKCS#1 v1.5, or the RNG failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("RSA signing failed")]
pub struct RsaSignError;

/// Reads a key file (PEM, or a service account's JSON) of at most [`MAX_KEY_FILE_BYTES`],
/// as UTF-8 text zeroized when dropped.
pub(crate) fn read_key_file(path: &Path) -> Result<zeroize::Zeroizing<String>, KeyError> {
    let file = std::fs::File::open(path).map_err(|e| KeyError::Io(e.kind().to_string()))?;
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| KeyError::Io(e.kind().to_string()))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(KeyError::FileTooLarge);
    }
    let text = core::str::from_utf8(&bytes).map_err(|_| KeyError::NotText)?;
    Ok(zeroize::Zeroizing::new(text.to_owned()))
}

/// An RSA private key for RSA-SHA1 signatures (PKCS#1 v1.5 over SHA-1), signing with
/// blinding. `Debug` is redacted.
#[derive(Clone)]
pub struct RsaSigningKey(SigningKey<Sha1>);

impl core::fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaSigningKey([redacted])")
    }
}

impl RsaSigningKey {
    /// Loads a PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(pem)
                .map_err(|_| KeyError::Malformed(PemKind::Pkcs1PrivateKey))?
        } else if pem.contains("-----BEGIN PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs8_pem(pem)
                .map_err(|_| KeyError::Malformed(PemKind::Pkcs8PrivateKey))?
        } else {
            return Err(KeyError::NotPem { private: true });
        };
        check_bits(key.n().bits())?;
        Ok(Self(SigningKey::<Sha1>::new(key)))
    }

    /// Reads a PEM private key file (at most [`MAX_KEY_FILE_BYTES`]); see [`Self::from_pem`].
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem(&read_key_file(path.as_ref())?)
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> RsaVerifyingKey {
        RsaVerifyingKey(self.0.verifying_key())
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.as_ref().n().bits()
    }

    /// The public modulus and exponent, big-endian (a JWT verifier's RS256 key).
    #[cfg(feature = "serde")]
    pub(crate) fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        let key = self.0.as_ref();
        (key.n().to_bytes_be(), key.e().to_bytes_be())
    }

    /// The RSA-SHA1 signature of `message`, Base64-encoded on one line. Blinded with the OS
    /// CSPRNG.
    pub fn sign(&self, message: &[u8]) -> Result<String, RsaSignError> {
        let sig: Signature = self
            .0
            .try_sign_with_rng(&mut rand_core::OsRng, message)
            .map_err(|_| RsaSignError)?;
        Ok(STANDARD.encode(sig.to_bytes()))
    }
}

/// An RSA public key for verifying RSA-SHA1 signatures.
#[derive(Clone, Debug)]
pub struct RsaVerifyingKey(VerifyingKey<Sha1>);

impl RsaVerifyingKey {
    /// Loads a public key from PEM: `BEGIN PUBLIC KEY` (SPKI), `BEGIN RSA PUBLIC KEY`
    /// (PKCS#1) or an X.509 `BEGIN CERTIFICATE`.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = if pem.contains("-----BEGIN CERTIFICATE-----") {
            use x509_cert::der::{DecodePem, Encode};
            let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
                .map_err(|_| KeyError::Malformed(PemKind::Certificate))?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|_| KeyError::Malformed(PemKind::Certificate))?;
            public_from_spki(&spki).map_err(|e| match e {
                KeyError::Malformed(_) => KeyError::NotRsa,
                other => other,
            })?
        } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            let der = pem_body(pem, "RSA PUBLIC KEY", PemKind::Pkcs1PublicKey)?;
            public_from_pkcs1(&der, PemKind::Pkcs1PublicKey)?
        } else if pem.contains("-----BEGIN PUBLIC KEY-----") {
            let der = pem_body(pem, "PUBLIC KEY", PemKind::SpkiPublicKey)?;
            public_from_spki(&der)?
        } else {
            return Err(KeyError::NotPem { private: false });
        };
        Ok(Self(VerifyingKey::<Sha1>::new(key)))
    }

    /// Reads a PEM public key or certificate file (at most [`MAX_KEY_FILE_BYTES`]); see
    /// [`Self::from_pem`].
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem(&read_key_file(path.as_ref())?)
    }

    /// The key as SPKI PEM (`BEGIN PUBLIC KEY`), which [`Self::from_pem`] reads back (the
    /// emulator's state file keeps registered RSA consumers this way).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        use rsa::pkcs8::{EncodePublicKey as _, LineEnding};
        let key: &rsa::RsaPublicKey = self.0.as_ref();
        key.to_public_key_pem(LineEnding::LF)
            .map_err(|_| KeyError::Malformed(PemKind::SpkiPublicKey))
    }

    /// Verifies a Base64 RSA-SHA1 signature over `message`. Malformed Base64 or a signature of
    /// the wrong length is simply a wrong signature.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> bool {
        let Ok(bytes) = STANDARD.decode(signature_b64) else {
            return false;
        };
        let Ok(sig) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.0.verify(message, &sig).is_ok()
    }
}

/// The DER body of the PEM block labelled `label`.
fn pem_body(pem: &str, label: &str, kind: PemKind) -> Result<Vec<u8>, KeyError> {
    let (found, doc) =
        rsa::pkcs8::Document::from_pem(pem).map_err(|_| KeyError::Malformed(kind))?;
    if found != label {
        return Err(KeyError::Malformed(kind));
    }
    Ok(doc.as_bytes().to_vec())
}

/// An RSA public key from a DER `SubjectPublicKeyInfo` (`rsaEncryption`, NULL parameters).
fn public_from_spki(der: &[u8]) -> Result<RsaPublicKey, KeyError> {
    let malformed = KeyError::Malformed(PemKind::SpkiPublicKey);
    let spki = rsa::pkcs8::SubjectPublicKeyInfoRef::try_from(der).map_err(|_| malformed.clone())?;
    spki.algorithm
        .assert_algorithm_oid(rsa::pkcs1::ALGORITHM_OID)
        .map_err(|_| malformed.clone())?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| malformed.clone())?;
    public_from_pkcs1(bits, PemKind::SpkiPublicKey)
}

/// An RSA public key from a DER PKCS#1 `RSAPublicKey`, its size checked against
/// [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`] here (the `rsa` crate's own parser stops at 4096 bits,
/// below what this module accepts).
fn public_from_pkcs1(der: &[u8], kind: PemKind) -> Result<RsaPublicKey, KeyError> {
    let parsed = rsa::pkcs1::RsaPublicKey::try_from(der).map_err(|_| KeyError::Malformed(kind))?;
    let n = rsa::BigUint::from_bytes_be(parsed.modulus.as_bytes());
    let e = rsa::BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
    check_bits(n.bits())?;
    RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).map_err(|_| KeyError::Malformed(kind))
}

fn check_bits(bits: usize) -> Result<(), KeyError> {
    if (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::Size { bits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::EncodeRsaPublicKey as _;

    /// A PKCS#1 public key PEM with a modulus of exactly `bits` bits (not a product of two
    /// primes: only its size is read here, and generating an 8193-bit key takes minutes).
    fn public_pem_of_bits(bits: usize) -> String {
        let mut n = rsa::BigUint::from(1u8) << (bits - 1);
        n += 1u8; // odd, top bit set: `bits` bits exactly
        let e = rsa::BigUint::from(65_537u32);
        RsaPublicKey::new_with_max_size(n, e, bits)
            .unwrap()
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
    }

    #[test]
    fn public_key_sizes_at_and_past_both_edges() {
        for bits in [MIN_RSA_BITS, MAX_RSA_BITS] {
            assert!(
                RsaVerifyingKey::from_pem(&public_pem_of_bits(bits)).is_ok(),
                "{bits} bits"
            );
        }
        for bits in [MIN_RSA_BITS - 1, MAX_RSA_BITS + 1] {
            assert!(
                matches!(
                    RsaVerifyingKey::from_pem(&public_pem_of_bits(bits)),
                    Err(KeyError::Size { bits: b }) if b == bits
                ),
                "{bits} bits"
            );
        }
    }

    #[test]
    fn a_public_key_reads_back_from_its_pem() {
        let pem = public_pem_of_bits(2048);
        let key = RsaVerifyingKey::from_pem(&pem).unwrap();
        let spki = key.to_pem().unwrap();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
        let back = RsaVerifyingKey::from_pem(&spki).unwrap();
        assert_eq!(back.to_pem().unwrap(), spki);
    }
}
