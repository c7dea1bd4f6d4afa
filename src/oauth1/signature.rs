//! Signature methods (RFC 5849 §3.4): HMAC-SHA1, PLAINTEXT, and HMAC-SHA256 as an extension;
//! signing and constant-time verification. RSA-SHA1 keys live in [`crate::rsa_sha1`], shared
//! with secure AuthSub.
//!
//! HMAC-SHA1 (RFC 2104) is built here on the `sha1` crate's compression function, so that a
//! credential keeps the two keyed states and a signature compresses only the message and one
//! outer block, streamed as the base string is written; HMAC-SHA256 uses the `hmac` crate.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::base_string::BaseSink;
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

/// HMAC-SHA256 keyed with `key`. RFC 2104 §2 takes keys of any length (longer ones are
/// hashed first), and the `hmac` crate's `new_from_slice` follows it, so its error arm is
/// never taken.
fn hmac_sha256_key(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"))
}

/// HMAC-SHA1 of `base_string` under `key`, Base64-encoded (RFC 5849 §3.4.2).
pub fn hmac_sha1(key: &[u8], base_string: &[u8]) -> String {
    STANDARD.encode(KeyedSha1::new(key).mac(base_string))
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
/// The SHA-1 states are wiped on drop; the `hmac` crate does not zeroize its SHA-256 state,
/// and the key bytes it was derived from are held in [`Zeroizing`] by the caller and dropped
/// with it.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Sha1(KeyedSha1),
    Sha256(Hmac<Sha256>),
}

impl KeyedMac {
    /// The keyed state for an HMAC `method`; `None` for the methods that are not HMAC.
    pub(crate) fn for_method(method: SignatureMethod, key: &[u8]) -> Option<Self> {
        match method {
            SignatureMethod::HmacSha1 => Some(Self::Sha1(KeyedSha1::new(key))),
            SignatureMethod::HmacSha256 => Some(Self::Sha256(hmac_sha256_key(key))),
            SignatureMethod::RsaSha1 | SignatureMethod::Plaintext => None,
        }
    }

    /// Signs `base_string`, writing the Base64 signature to `out` (no allocation).
    pub(crate) fn sign_into(&self, base_string: &[u8], out: &mut SignatureBuf) {
        match self {
            Self::Sha1(mac) => out.set_base64(&mac.mac(base_string)),
            Self::Sha256(mac) => {
                let mut mac = mac.clone();
                mac.update(base_string);
                out.set_base64(&mac.finalize().into_bytes());
            }
        }
    }
}

/// HMAC-SHA1 (RFC 2104) with the two key blocks already compressed: the SHA-1 states after
/// `K ^ ipad` and after `K ^ opad`. A signature then compresses only the message and one
/// outer block, straight from the caller's bytes (no buffering, no copy of a hasher). The
/// states are derived from the key, so they are wiped on drop.
#[derive(Clone)]
pub(crate) struct KeyedSha1 {
    inner: [u32; 5],
    outer: [u32; 5],
}

/// SHA-1's initial state (FIPS 180-4 §5.3.1).
const SHA1_H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// One SHA-1 compression of `block` into `state`.
fn compress_block(state: &mut [u32; 5], block: &[u8; 64]) {
    sha1::compress(state, core::slice::from_ref(block.into()));
}

impl KeyedSha1 {
    /// The keyed states for `key` (of any length: RFC 2104 §2 hashes a longer one first).
    fn new(key: &[u8]) -> Self {
        let mut block = Zeroizing::new([0u8; 64]);
        if key.len() > 64 {
            for (b, k) in block.iter_mut().zip(<Sha1 as sha1::Digest>::digest(key)) {
                *b = k;
            }
        } else {
            for (b, k) in block.iter_mut().zip(key) {
                *b = *k;
            }
        }
        let state_after = |pad: u8| {
            let mut padded = Zeroizing::new([0u8; 64]);
            for (p, k) in padded.iter_mut().zip(block.iter()) {
                *p = k ^ pad;
            }
            let mut state = SHA1_H0;
            compress_block(&mut state, &padded);
            state
        };
        Self {
            inner: state_after(0x36),
            outer: state_after(0x5c),
        }
    }

    /// HMAC-SHA1 of `message`.
    fn mac(&self, message: &[u8]) -> [u8; 20] {
        let mut stream = self.stream();
        stream.write(message);
        self.finish(stream)
    }

    /// The inner hash, ready for the message.
    pub(crate) fn stream(&self) -> Sha1Stream {
        Sha1Stream {
            state: self.inner,
            block: [0; 64],
            fill: 0,
            len: 0,
        }
    }

    /// HMAC-SHA1 of everything written to `stream`.
    pub(crate) fn finish(&self, stream: Sha1Stream) -> [u8; 20] {
        // Inner hash: the ipad block and the message (done), then the FIPS 180-4 §5.1.1
        // padding: 0x80, zeros, and the bit length of everything hashed, ipad block included.
        let Sha1Stream {
            mut state,
            mut block,
            fill,
            len,
        } = stream;
        pad_and_compress(&mut state, &mut block, fill, (64 + len).wrapping_mul(8));
        // Outer hash: the opad block (done), then the 20-byte inner digest, padded.
        let mut outer = [0u8; 64];
        if let Some(digest) = outer.first_chunk_mut::<20>() {
            *digest = digest_bytes(&state);
        }
        let mut state = self.outer;
        pad_and_compress(&mut state, &mut outer, 20, (64 + 20) * 8);
        digest_bytes(&state)
    }
}

/// The inner hash of HMAC-SHA1 while the message is written: compressed a block at a time as
/// the pieces arrive, so the message is never kept whole.
pub(crate) struct Sha1Stream {
    state: [u32; 5],
    /// The part of the next block written so far (`fill` bytes).
    block: [u8; 64],
    fill: usize,
    /// Message bytes written.
    len: u64,
}

impl Sha1Stream {
    fn write(&mut self, mut bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        if self.fill > 0 {
            let take = (64 - self.fill).min(bytes.len());
            let (head, rest) = bytes.split_at(take);
            if let Some(room) = self.block.get_mut(self.fill..self.fill + take) {
                room.copy_from_slice(head);
            }
            self.fill += take;
            bytes = rest;
            if self.fill < 64 {
                return;
            }
            compress_block(&mut self.state, &self.block);
            self.fill = 0;
        }
        let (blocks, tail) = bytes.as_chunks::<64>();
        for block in blocks {
            compress_block(&mut self.state, block);
        }
        if let Some(room) = self.block.get_mut(..tail.len()) {
            room.copy_from_slice(tail);
        }
        self.fill = tail.len();
    }
}

impl BaseSink for Sha1Stream {
    #[inline]
    fn put(&mut self, piece: &str) {
        self.write(piece.as_bytes());
    }
}

/// Ends a hash whose last block holds `fill` (under 64) message bytes: the FIPS 180-4
/// §5.1.1 padding (0x80, zeros, and the bit length `bits` of everything hashed in the last
/// 8 bytes of a block), compressed; one more block when the length does not fit after the
/// 0x80 (a tail of 56 bytes or more).
fn pad_and_compress(state: &mut [u32; 5], block: &mut [u8; 64], fill: usize, bits: u64) {
    if let Some((first, rest)) = block.get_mut(fill..).and_then(<[u8]>::split_first_mut) {
        *first = 0x80;
        rest.fill(0);
    }
    if fill >= 56 {
        compress_block(state, block);
        *block = [0; 64];
    }
    if let Some(len) = block.last_chunk_mut::<8>() {
        *len = bits.to_be_bytes();
    }
    compress_block(state, block);
}

/// A SHA-1 state as the digest's 20 bytes, big-endian.
fn digest_bytes(state: &[u32; 5]) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

impl Drop for KeyedSha1 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.inner);
        zeroize::Zeroize::zeroize(&mut self.outer);
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

    pub(crate) fn set_base64(&mut self, mac: &[u8]) {
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
        SignatureMethod::HmacSha1 => ct_eq(&KeyedSha1::new(key).mac(base_string), &given),
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
    use proptest::prelude::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The `hmac` crate's HMAC-SHA1: the reference the cached states are checked against.
    fn reference(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn keyed_sha1_rfc2202_vectors() {
        // RFC 2202 §3, test cases 1–7 (case 5's output is not truncated here).
        let rows: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
            ),
            (
                (1..=25).collect(),
                vec![0xcd; 50],
                "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
            ),
            (
                vec![0x0c; 20],
                b"Test With Truncation".to_vec(),
                "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
            ),
            (
                vec![0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
            (
                vec![0xaa; 80],
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
                    .to_vec(),
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (key, data, want) in rows {
            assert_eq!(hex(&KeyedSha1::new(&key).mac(&data)), want);
        }
    }

    #[test]
    fn keyed_sha1_every_padding_boundary() {
        // Messages of 0–200 bytes cross every case of the final padding: a tail of up to 55
        // bytes (length in the same block), 56–63 (one more block), and whole blocks.
        let key = b"kd94hf93k423kf44&pfkkdhi9sl3r4s00";
        let keyed = KeyedSha1::new(key);
        let message: Vec<u8> = (0..=200u8).collect();
        for len in 0..=message.len() {
            assert_eq!(
                keyed.mac(&message[..len]).to_vec(),
                reference(key, &message[..len]),
                "length {len}"
            );
        }
    }

    proptest! {
        /// The cached states give the `hmac` crate's HMAC-SHA1 for any key and message.
        #[test]
        fn keyed_sha1_matches_the_hmac_crate(
            key in prop::collection::vec(any::<u8>(), 0..200),
            message in prop::collection::vec(any::<u8>(), 0..400),
        ) {
            prop_assert_eq!(KeyedSha1::new(&key).mac(&message).to_vec(), reference(&key, &message));
        }
    }

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
