//! PKCE, Proof Key for Code Exchange (RFC 7636), as Google's installed-app flow uses it:
//! the client keeps a random `code_verifier`, sends its S256 `code_challenge` with the
//! authorization request and the verifier with the code exchange, so an intercepted code
//! is useless to anyone else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::RngCore as _;
use sha2::{Digest as _, Sha256};

use super::error::{InputError, OAuth2Error};
use crate::secret::secret_string;

/// RFC 7636 §4.1: a verifier is 43 to 128 characters.
const VERIFIER_LEN: core::ops::RangeInclusive<usize> = 43..=128;

secret_string!(
    /// A PKCE `code_verifier` (RFC 7636 §4.1): single use, kept by the client until the
    /// code exchange, so not `Clone`.
    PkceVerifier
);

impl PkceVerifier {
    /// A fresh verifier: 32 bytes from the OS CSPRNG, Base64url without padding (43
    /// characters), as RFC 7636 §4.1 recommends.
    pub fn random() -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rand_core::OsRng.fill_bytes(bytes.as_mut());
        Self::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
    }

    /// A verifier given by the caller, checked with [`is_valid_verifier`].
    pub fn checked(value: impl Into<String>) -> Result<Self, OAuth2Error> {
        let verifier = Self::new(value);
        if is_valid_verifier(verifier.secret()) {
            Ok(verifier)
        } else {
            Err(OAuth2Error::InvalidInput(InputError::BadPkceVerifier))
        }
    }

    /// The S256 challenge for this verifier.
    pub fn challenge(&self) -> PkceChallenge {
        PkceChallenge(s256_challenge(self.secret()))
    }
}

/// A PKCE `code_challenge` with `code_challenge_method=S256`: public, sent in the
/// authorization URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PkceChallenge(String);

impl PkceChallenge {
    /// The challenge as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The method sent beside it: always `S256` (RFC 7636 §4.2; `plain` is for clients
    /// that cannot hash, and every client of this crate can).
    pub const METHOD: &'static str = "S256";
}

/// RFC 7636 §4.1: `code-verifier = 43*128unreserved`, `unreserved = ALPHA / DIGIT / "-" /
/// "." / "_" / "~"`. A server checks the verifier it is sent with the same rule.
pub fn is_valid_verifier(verifier: &str) -> bool {
    VERIFIER_LEN.contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// RFC 7636 §4.2: `code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`, no
/// padding. The emulator checks a received verifier with the same function.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b() {
        // RFC 7636 Appendix B: the example verifier and its S256 challenge.
        let v = PkceVerifier::checked("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            v.challenge().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_verifiers_are_valid_and_differ() {
        let a = PkceVerifier::random();
        let b = PkceVerifier::random();
        assert_eq!(a.secret().len(), 43);
        assert!(is_valid_verifier(a.secret()));
        assert_ne!(a, b);
        assert_eq!(format!("{a:?}"), "PkceVerifier([redacted])");
    }

    #[test]
    fn verifier_rules() {
        let ok43 = "a".repeat(43);
        assert!(is_valid_verifier(&ok43));
        assert!(is_valid_verifier(&"-._~Z9".repeat(22)[..128]));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(42))));
        assert!(!is_valid_verifier(&format!("{}=", "a".repeat(42))));
        assert!(matches!(
            PkceVerifier::checked("short"),
            Err(OAuth2Error::InvalidInput(InputError::BadPkceVerifier))
        ));
    }
}
