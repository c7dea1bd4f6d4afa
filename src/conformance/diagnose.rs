//! Signature diagnosis: a received OAuth 1.0 request and its secrets in, a verdict out.
//!
//! The most common OAuth 1.0 failure is "signature invalid" with nothing more. [`diagnose`]
//! recomputes the request's base string under RFC 5849 §3.4.1 and under each
//! [`QuirkProfile`] (PROTOCOLS.md §0, §3.5), says which one reproduces the signature, and
//! describes how that base string differs from the RFC's. Only the signature is diagnosed:
//! the timestamp window and nonce replay (RFC 5849 §3.3) do not apply, so a recorded request
//! can be diagnosed at any time. The protocol parameters may sit in the header, the query or
//! the form body, as the verifier's Google profile allows.
//!
//! `gdauth oauth1 diagnose --json` prints a [`Diagnosis`] as it serializes (feature
//! `serde`): `{"valid": bool, "profile": NAME|null, "rfc_base_string": …,
//! "matched_base_string": …|null, "difference": …}`.
//!
//! ```
//! use gdata_auth::conformance::diagnose::diagnose;
//! use gdata_auth::conformance::quirks::{QuirkProfile, Secrets};
//! use gdata_auth::oauth1::verifier::ReceivedRequest;
//!
//! // A NET client: PLAINTEXT built from the consumer key (PROTOCOLS.md §3.5).
//! let header = "OAuth oauth_consumer_key=\"key\", oauth_signature_method=\"PLAINTEXT\", \
//!               oauth_signature=\"key%26\"";
//! let received = ReceivedRequest::new("GET", "https://example.com/feed").with_authorization(header);
//! let d = diagnose(&received, &Secrets::new().consumer_secret("secret"))?;
//! assert!(!d.valid);
//! assert_eq!(d.profile, Some("plaintext-consumer-key"));
//! assert_eq!(d.quirk, Some(QuirkProfile::PlaintextConsumerKey));
//! # Ok::<(), gdata_auth::conformance::quirks::QuirkError>(())
//! ```

use super::quirks::{Parts, QuirkError, QuirkProfile, Secrets};
use crate::encoding::percent_decode;
use crate::oauth1::verifier::ReceivedRequest;
use crate::oauth1::SignatureMethod;

/// The name [`Diagnosis::profile`] gives a signature that verifies under RFC 5849.
pub const RFC5849: &str = "rfc5849";

/// The verdict on one request's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Diagnosis {
    /// The signature verifies under RFC 5849.
    pub valid: bool,
    /// [`RFC5849`] when valid; else the name of the first quirk profile that reproduces the
    /// signature, or `None`.
    pub profile: Option<&'static str>,
    /// The RFC 5849 §3.4.1 base string of the request.
    pub rfc_base_string: String,
    /// The base string that reproduces the signature (the RFC's when valid, and for
    /// `plaintext-consumer-key`, which changes the key and not the base string); `None`
    /// when nothing does.
    pub matched_base_string: Option<String>,
    /// How the matched base string (or key) differs from the RFC's, for a person to read.
    pub difference: String,
    /// The matched quirk profile, typed (not serialized: `profile` names it).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub quirk: Option<QuirkProfile>,
}

/// Diagnoses `request`'s signature with `secrets`: valid under RFC 5849, or which
/// [`QuirkProfile`] reproduces it (tried in [`QuirkProfile::ALL`]'s order, only those that
/// change something for this request), and how its base string differs from the RFC's.
///
/// Errors when the request cannot be read (malformed header or URL, a protocol parameter
/// missing or twice, an unknown method) or a secret its method needs is missing.
///
/// ```
/// use gdata_auth::conformance::diagnose::diagnose;
/// use gdata_auth::conformance::quirks::Secrets;
/// use gdata_auth::oauth1::verifier::ReceivedRequest;
///
/// let header = "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\", \
///               oauth_signature=\"AAAAAAAAAAAAAAAAAAAAAAAAAAA=\", oauth_timestamp=\"1\", \
///               oauth_nonce=\"n\"";
/// let received = ReceivedRequest::new("GET", "http://example.com/?a=").with_authorization(header);
/// let d = diagnose(&received, &Secrets::new().consumer_secret("s"))?;
/// assert!(!d.valid);
/// assert_eq!(d.profile, None);
/// assert_eq!(d.matched_base_string, None);
/// # Ok::<(), gdata_auth::conformance::quirks::QuirkError>(())
/// ```
pub fn diagnose(
    request: &ReceivedRequest<'_>,
    secrets: &Secrets<'_>,
) -> Result<Diagnosis, QuirkError> {
    let parts = Parts::parse(request)?;
    let method = parts.method()?;
    let rfc = parts.base_string_checked(request, None)?;
    if parts.verify(None, secrets)? {
        return Ok(Diagnosis {
            valid: true,
            profile: Some(RFC5849),
            matched_base_string: Some(rfc.clone()),
            rfc_base_string: rfc,
            difference: "none: the signature verifies under RFC 5849".to_owned(),
            quirk: None,
        });
    }
    for profile in QuirkProfile::ALL {
        if parts.applies(profile, method) && parts.verify(Some(profile), secrets)? {
            let matched = parts.base_string_checked(request, Some(profile))?;
            let difference = if profile == QuirkProfile::PlaintextConsumerKey {
                format!(
                    "{profile} ({}): the PLAINTEXT signature is enc(consumer key)&enc(token \
                     secret), not enc(consumer secret)&enc(token secret) (RFC 5849 §3.4.4); \
                     PLAINTEXT signs no base string",
                    profile.description()
                )
            } else {
                format!(
                    "{profile} ({}): {}",
                    profile.description(),
                    describe(&rfc, &matched)
                )
            };
            return Ok(Diagnosis {
                valid: false,
                profile: Some(profile.as_str()),
                rfc_base_string: rfc,
                matched_base_string: Some(matched),
                difference,
                quirk: Some(profile),
            });
        }
    }
    let difference = if method == SignatureMethod::Plaintext {
        "no known profile reproduces the signature: PLAINTEXT signs no base string, and the \
         signature is neither enc(consumer secret)&enc(token secret) nor built from the \
         consumer key; check the secrets"
    } else {
        "no known profile reproduces the signature: check the secrets, the URL the client \
         signed (scheme, host, port, path) against the one received, and the parameters it \
         sent"
    };
    Ok(Diagnosis {
        valid: false,
        profile: None,
        rfc_base_string: rfc,
        matched_base_string: None,
        difference: difference.to_owned(),
        quirk: None,
    })
}

/// The three parts of a base string (RFC 5849 §3.4.1.1), each decoded once: the method, the
/// base string URI and the normalized parameters as `name=value` pairs (still encoded once).
fn split(base: &str) -> (String, String, Vec<String>) {
    let mut parts = base.splitn(3, '&');
    let mut next = || {
        let p = parts.next().unwrap_or_default();
        percent_decode(p).unwrap_or_else(|_| p.to_owned())
    };
    let (method, uri, params) = (next(), next(), next());
    let params = params
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    (method, uri, params)
}

/// The name of an encoded `name=value` pair.
fn name_of(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(n, _)| n)
}

/// How `matched` differs from `rfc`, part by part: the method, the URI, then parameters left
/// out, added, encoded differently, or reordered.
fn describe(rfc: &str, matched: &str) -> String {
    let (rm, ru, rp) = split(rfc);
    let (mm, mu, mp) = split(matched);
    let mut out: Vec<String> = Vec::new();
    if rm != mm {
        out.push(format!("the method is {mm}, not {rm}"));
    }
    if ru != mu {
        out.push(format!(
            "the base string URI is {mu}, not {ru} (RFC 5849 §3.4.1.2)"
        ));
    }
    // Multiset difference: what only the RFC has, what only the client has.
    let mut only_rfc: Vec<&str> = Vec::new();
    let mut only_matched: Vec<&str> = mp.iter().map(String::as_str).collect();
    for pair in &rp {
        match only_matched.iter().position(|p| p == pair) {
            Some(i) => {
                only_matched.remove(i);
            }
            None => only_rfc.push(pair),
        }
    }
    // A pair of the same name on both sides was encoded differently.
    let mut recoded: Vec<String> = Vec::new();
    only_rfc.retain(
        |r| match only_matched.iter().position(|m| name_of(m) == name_of(r)) {
            Some(i) => {
                recoded.push(format!("{} for {r}", only_matched.remove(i)));
                false
            }
            None => true,
        },
    );
    if !only_rfc.is_empty() {
        out.push(format!(
            "parameters left out: {} (RFC 5849 §3.4.1.3.1 signs them)",
            only_rfc.join(", ")
        ));
    }
    if !recoded.is_empty() {
        out.push(format!(
            "parameters encoded differently: {} (RFC 5849 §3.6)",
            recoded.join(", ")
        ));
    }
    if !only_matched.is_empty() {
        out.push(format!("parameters added: {}", only_matched.join(", ")));
    }
    if out.is_empty() && rp != mp {
        out.push(format!(
            "the same parameters in another order: {} (RFC 5849 §3.4.1.3.2 sorts by name, \
             then value: {})",
            mp.join("&"),
            rp.join("&")
        ));
    }
    if out.is_empty() {
        out.push("the base strings are the same".to_owned());
    }
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_each_kind_of_difference() {
        let rfc = "GET&http%3A%2F%2Fh%2F&a%3D%26b%3Dx%2520y%26c%3D1";
        assert_eq!(
            describe(rfc, "GET&http%3A%2F%2Fh&b%3Dx%2By%26c%3D1%26d%3D2"),
            "the base string URI is http://h, not http://h/ (RFC 5849 §3.4.1.2); \
             parameters left out: a= (RFC 5849 §3.4.1.3.1 signs them); \
             parameters encoded differently: b=x+y for b=x%20y (RFC 5849 §3.6); \
             parameters added: d=2"
        );
        assert!(describe("GET&u&a%3D1%26a-b%3D2", "GET&u&a-b%3D2%26a%3D1")
            .starts_with("the same parameters in another order: a-b=2&a=1"));
    }
}
