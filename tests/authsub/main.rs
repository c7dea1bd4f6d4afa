//! AuthSub: the gdata-python-client vectors, the header built and parsed in every layout
//! Google's clients sent (and every refusal), the request URL and `next` validation, the
//! reply and answer parsers, secure signing checked with the public key and the provider's
//! check rule by rule, the session, revoke and token-info calls through closure
//! transports, and the whole flow against the emulator over loopback HTTP.

#[path = "../support/mod.rs"]
mod support;

mod answers;
mod emulator;
mod flow;
mod header;
mod secure;
mod url;
mod vectors;

use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

/// The 2048-bit test key (fixtures/keys/README.md), PKCS#8.
pub fn signing_key() -> RsaSigningKey {
    RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa2048_pkcs8.pem")).unwrap()
}

/// Its public half, as the X.509 certificate a registered domain uploaded to Google.
pub fn certificate() -> RsaVerifyingKey {
    RsaVerifyingKey::from_pem(include_str!("../../fixtures/keys/rsa2048_cert.pem")).unwrap()
}

/// An unrelated key's public half ("signed by another key").
pub fn other_public_key() -> RsaVerifyingKey {
    RsaSigningKey::from_pem(include_str!("../../fixtures/keys/rsa1024_other.pem"))
        .unwrap()
        .verifying_key()
}
