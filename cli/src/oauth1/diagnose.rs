//! `gdauth oauth1 diagnose`: explains why a received request's signature does not verify. A
//! contract other tools depend on:
//!
//! ```text
//! gdauth oauth1 diagnose --method M --url U [--form=NAME=VALUE]... --authorization HEADER
//!     [--consumer-secret S] [--token-secret S] [--rsa-cert PEM_FILE] [--json]
//! ```
//!
//! It recomputes the base string under RFC 5849 and under each quirk profile of
//! [`gdata_auth::conformance::quirks`], names the one that reproduces the signature and says
//! how its base string differs from the RFC's ([`gdata_auth::conformance::diagnose`]). Only
//! the signature is diagnosed: no clock, no nonce store.
//!
//! Output, on stdout, valid or not. Without `--json`, five lines:
//!
//! ```text
//! valid: no
//! profile: drop-empty-params
//! rfc_base_string: GET&http%3A%2F%2F…
//! matched_base_string: GET&http%3A%2F%2F…
//! difference: drop-empty-params (parameters with an empty value are left out): …
//! ```
//!
//! (`valid: yes` and `profile: rfc5849` for a valid signature; `profile: none` and
//! `matched_base_string: none` when nothing reproduces it.) With `--json`, one object:
//! `{"valid": bool, "profile": NAME|null, "rfc_base_string": …, "matched_base_string":
//! …|null, "difference": …}`.
//!
//! Exit status, as `gdauth oauth1 verify`'s: 0 when the signature verifies under RFC 5849;
//! 1 when it does not, whether or not a quirk profile reproduces it (a quirky signature is
//! still one a strict provider refuses), and when the request cannot be diagnosed (a
//! malformed header, a protocol parameter missing); 2 when the command line is wrong (a bad
//! `--url`, an unreadable `--rsa-cert`, no secret for the request's signature method). No
//! secret, and never the header (a PLAINTEXT signature is the secrets themselves), is
//! echoed.

use std::path::PathBuf;

use clap::Args;
use gdata_auth::conformance::diagnose::{diagnose, Diagnosis};
use gdata_auth::conformance::quirks::{QuirkError, Secrets};
use gdata_auth::encoding::form_encode;
use gdata_auth::oauth1::verifier::ReceivedRequest;

use crate::args::{
    check_header_value, read_verifying_key, received_request, to_json, usage, RequestArgs,
};
use crate::CliError;

/// Flags of `gdauth oauth1 diagnose`. No `Debug`: several fields are secrets.
#[derive(Args)]
#[command(mut_args(received_request))]
pub(crate) struct DiagnoseArgs {
    /// The request as the provider received it.
    #[command(flatten)]
    request: RequestArgs,

    /// The Authorization header value as received ("OAuth realm=…, oauth_…"), without the
    /// "Authorization:" name.
    #[arg(
        long,
        value_name = "HEADER",
        allow_hyphen_values = true,
        required = true
    )]
    authorization: Option<String>,

    /// The consumer's shared secret (HMAC-SHA1, HMAC-SHA256, PLAINTEXT).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    consumer_secret: Option<String>,

    /// Secret of the request's oauth_token (may be empty); needed when the request carries
    /// a token and is not signed with RSA-SHA1.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    token_secret: Option<String>,

    /// PEM file with the consumer's RSA public key (SPKI or PKCS#1) or X.509 certificate
    /// (RSA-SHA1).
    #[arg(long, value_name = "PEM_FILE")]
    rsa_cert: Option<PathBuf>,

    /// Print one JSON object on stdout, valid or not.
    #[arg(long)]
    json: bool,
}

/// Runs `gdauth oauth1 diagnose`; returns what to print on stdout.
pub(super) fn run(args: DiagnoseArgs) -> Result<String, CliError> {
    // A request that cannot be described is a usage error (2), as in `verify`.
    args.request.request()?;
    let (method, url) = args.request.method_and_url()?;
    let form = args.request.form_pairs()?;
    let authorization = args
        .authorization
        .as_deref()
        .ok_or_else(|| usage("--authorization is required"))?;
    check_header_value(authorization, "\"OAuth …\"")?;
    let rsa_key = args
        .rsa_cert
        .as_deref()
        .map(read_verifying_key)
        .transpose()?;

    let mut secrets = Secrets::new();
    if let Some(cs) = &args.consumer_secret {
        secrets = secrets.consumer_secret(cs);
    }
    if let Some(ts) = &args.token_secret {
        secrets = secrets.token_secret(ts);
    }
    if let Some(key) = &rsa_key {
        secrets = secrets.rsa_key(key);
    }
    let form_body = (!form.is_empty()).then(|| form_encode(&form));
    let received = ReceivedRequest {
        method,
        url,
        authorization: Some(authorization),
        form_body: form_body.as_deref(),
        body: None,
    };
    let diagnosis = diagnose(&received, &secrets).map_err(|e| match e {
        QuirkError::MissingSecret(what) => usage(format!(
            "{what} is needed to check this signature: give --consumer-secret, \
             --token-secret or --rsa-cert as the method requires"
        )),
        other => CliError::Failed(format!("cannot diagnose this request: {other}")),
    })?;
    let report = if args.json {
        to_json(&diagnosis)?
    } else {
        text(&diagnosis)
    };
    if diagnosis.valid {
        Ok(report)
    } else {
        Err(CliError::Rejected(report))
    }
}

/// The readable report: one `key: value` line per JSON key, in the same order.
fn text(d: &Diagnosis) -> String {
    [
        format!("valid: {}", if d.valid { "yes" } else { "no" }),
        format!("profile: {}", d.profile.unwrap_or("none")),
        format!("rfc_base_string: {}", d.rfc_base_string),
        format!(
            "matched_base_string: {}",
            d.matched_base_string.as_deref().unwrap_or("none")
        ),
        format!("difference: {}", d.difference),
    ]
    .join("\n")
}
