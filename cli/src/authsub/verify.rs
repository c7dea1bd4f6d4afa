//! `gdauth authsub verify`: checks one received secure AuthSub request with the library's
//! provider-side [`verify`] and says which check failed.
//!
//! The request is described as the provider sees it: method, URL (query included) and the
//! `Authorization` header value; the provider's side is the registered domain's RSA
//! certificate or public key, the clock and the window. Token lookup and nonce replay need
//! the provider's state and are not checked here.
//!
//! Exit status: 0 when the request verifies, 1 when it does not (the check is named on
//! stderr, or in the `--json` object on stdout), 2 when the command line itself is wrong
//! (unreadable PEM, bad URL). The token is never echoed.

use std::path::PathBuf;

use clap::Args;
use gdata_auth::authsub::header::parse_header;
use gdata_auth::authsub::verifier::{verify, Verified, DEFAULT_TIMESTAMP_WINDOW};
use gdata_auth::authsub::VerifyError;

use crate::args::{
    check_header_value, clock, read_verifying_key, received_request, to_json, TargetArgs,
};
use crate::CliError;

/// Flags of `gdauth authsub verify`. No `Debug`: the header carries a token.
#[derive(Args)]
#[command(mut_args(received_request))]
pub(crate) struct VerifyArgs {
    /// The request as the provider received it.
    #[command(flatten)]
    target: TargetArgs,

    /// The Authorization header value as received ("AuthSub token=… data=… sig=…
    /// sigalg=…"), without the "Authorization:" name.
    #[arg(long, value_name = "HEADER", allow_hyphen_values = true)]
    authorization: String,

    /// PEM file with the registered domain's RSA public key (SPKI or PKCS#1) or X.509
    /// certificate (what Google's registration page took).
    #[arg(long, value_name = "PEM_FILE")]
    rsa_cert: PathBuf,

    /// The provider's clock, in seconds since the Unix epoch [default: the system clock];
    /// pin it to check a recorded request.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<u64>,

    /// Largest accepted distance between the signed timestamp and the clock, in seconds
    /// [default: 600].
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    window: Option<u64>,

    /// Print one JSON object on stdout, valid or not.
    #[arg(long)]
    json: bool,
}

/// `--json` output, the same shape for every verdict.
#[derive(serde::Serialize)]
struct VerdictJson<'a> {
    valid: bool,
    /// The failed check, as [`check_name`] spells it.
    check: Option<&'static str>,
    message: &'a str,
    /// The signed data string, once the header parsed as a secure one.
    data: Option<&'a str>,
}

/// Runs `gdauth authsub verify`; returns what to print on stdout.
pub(super) fn run(args: VerifyArgs) -> Result<String, CliError> {
    // A request that cannot even be described is a usage error (2), not a verdict (1).
    args.target.request()?;
    let (method, url) = args.target.method_and_url()?;
    check_header_value(&args.authorization, "\"AuthSub token=…\"")?;
    let key = read_verifying_key(&args.rsa_cert)?;
    let window = args.window.unwrap_or(DEFAULT_TIMESTAMP_WINDOW);
    let clock = clock(args.now);
    match verify(method, url, &args.authorization, &key, &*clock, window) {
        Ok(verified) => accepted(&verified, args.json),
        Err(e) => rejected(&e, &args.authorization, args.json),
    }
}

fn accepted(verified: &Verified, json: bool) -> Result<String, CliError> {
    let message = format!(
        "rsa-sha1 signature valid (timestamp {}, nonce {})",
        verified.timestamp, verified.nonce
    );
    if !json {
        return Ok(format!("ok: {message}"));
    }
    to_json(&VerdictJson {
        valid: true,
        check: None,
        message: &message,
        data: Some(&verified.data),
    })
}

fn rejected(e: &VerifyError, authorization: &str, json: bool) -> Result<String, CliError> {
    let check = check_name(e);
    if !json {
        return Err(CliError::Failed(format!("{check}: {e}")));
    }
    let data = parse_header(authorization)
        .ok()
        .and_then(|parsed| parsed.secure)
        .map(|secure| secure.data);
    let message = e.to_string();
    let report = to_json(&VerdictJson {
        valid: false,
        check: Some(check),
        message: &message,
        data: data.as_deref(),
    })?;
    Err(CliError::Rejected(report))
}

/// The failed check, named after its [`VerifyError`] variant in snake_case.
fn check_name(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::MalformedHeader(_) => "malformed_header",
        VerifyError::NotSecure => "not_secure",
        VerifyError::MalformedData(_) => "malformed_data",
        VerifyError::MethodMismatch => "method_mismatch",
        VerifyError::UrlMismatch => "url_mismatch",
        VerifyError::TimestampOutOfWindow { .. } => "timestamp_out_of_window",
        VerifyError::BadSignature => "bad_signature",
        // VerifyError is #[non_exhaustive]: a check added later still gets a name.
        _ => "rejected",
    }
}
