//! Secret newtypes: values that authenticate someone (consumer secrets, token secrets,
//! passwords, private keys, header values).
//!
//! Every secret type here has a redacted `Debug`, no `Display`, is zeroized on drop and
//! compares in constant time. Reading the value takes an explicit call to `.secret()`, so a
//! secret never reaches a log or an error message by accident.

use subtle::ConstantTimeEq;

/// Declares a secret string newtype with redacted `Debug`, no `Display`, zeroize-on-drop and
/// constant-time equality. The derives are the caller's: a long-lived credential is
/// `#[derive(Clone)]`, a single-use one (a verifier) is not, so it cannot be copied around.
///
/// ```text
/// secret_string!(
///     /// A consumer secret.
///     #[derive(Clone)]
///     ConsumerSecret
/// );
/// ```
macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value; call sites that read it are easy to audit.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Whether the secret is the empty string.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::secret::ct_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self)
            }
        }
    };
}
pub(crate) use secret_string;

secret_string!(
    /// An OAuth 1.0 consumer (client) shared secret.
    #[derive(Clone)]
    ConsumerSecret
);
secret_string!(
    /// An OAuth 1.0 token shared secret (request or access token).
    #[derive(Clone)]
    TokenSecret
);
secret_string!(
    /// A generic secret string: passwords, bearer tokens, header values.
    #[derive(Clone)]
    SecretString
);

/// Constant-time byte comparison. Lengths are compared first (length is not secret for
/// any value we compare: signatures and secrets have public lengths).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = ConsumerSecret::new("canary-secret");
        assert_eq!(format!("{s:?}"), "ConsumerSecret([redacted])");
        assert_eq!(s.secret(), "canary-secret");
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(TokenSecret::new("a"), TokenSecret::new("a"));
        assert_ne!(TokenSecret::new("a"), TokenSecret::new("b"));
        assert_ne!(TokenSecret::new("a"), TokenSecret::new("aa"));
    }
}
