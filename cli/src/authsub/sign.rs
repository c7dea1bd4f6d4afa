//! `gdauth authsub sign`: describes the request with [`Request`](gdata_auth::Request) (the
//! shared [`TargetArgs`]), authorizes it with [`AuthSubAuthorizer`] and prints the
//! `Authorization` header value, or (with `--json`) the signed data string, its signature
//! and the header. Without `--rsa-key` the header is the non-secure `AuthSub token="…"`;
//! with it, the secure one, over a fresh nonce and the current time unless given.

use std::path::PathBuf;

use clap::{Arg, Args};
use gdata_auth::authsub::header::{check_nonce, check_token};
use gdata_auth::authsub::{AuthSubAuthorizer, Security, SessionToken};
use gdata_auth::{AuthorizeError, Clock as _, Context, NonceSource as _, OsNonce, SystemClock};

use crate::args::{failed, read_signing_key, to_json, usage, TargetArgs};
use crate::CliError;

/// Flags of `gdauth authsub sign`. No `Debug`: the token is a credential.
#[derive(Args)]
#[command(mut_args(signed_target))]
pub(crate) struct SignArgs {
    /// The AuthSub token (single-use or session).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    token: String,

    /// The request to authorize.
    #[command(flatten)]
    target: TargetArgs,

    /// PEM file with the registered domain's RSA private key (PKCS#1 or PKCS#8): sign the
    /// request (secure AuthSub).
    #[arg(long, value_name = "PEM_FILE")]
    rsa_key: Option<PathBuf>,

    /// Nonce of the signed data instead of a fresh random one (any printable ASCII without
    /// spaces, quotes or backslashes).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        requires = "rsa_key"
    )]
    nonce: Option<String>,

    /// Timestamp of the signed data (seconds since the Unix epoch) instead of the current
    /// time.
    // Negative numbers are let through so the error is "invalid value", not "unexpected
    // argument".
    #[arg(
        long,
        value_name = "T",
        requires = "rsa_key",
        allow_negative_numbers = true
    )]
    timestamp: Option<u64>,

    /// Print one JSON object instead of the header value.
    #[arg(long)]
    json: bool,
}

/// Makes `--method` and `--url` required and words `--url` for AuthSub. Applied with
/// `mut_args`, which keeps clap's order of flags (see `oauth1 sign`).
fn signed_target(arg: Arg) -> Arg {
    match arg.get_id().as_str() {
        "method" => arg.required(true),
        "url" => arg
            .required(true)
            .help("Full request URL, query included; secure AuthSub signs it as sent"),
        _ => arg,
    }
}

/// `--json` output; `data` and `signature` are `null` when not secure.
#[derive(serde::Serialize)]
struct SignedJson<'a> {
    data: Option<&'a str>,
    signature: Option<&'a str>,
    authorization: &'a str,
}

/// Runs `gdauth authsub sign`; returns what to print on stdout.
pub(super) fn run(args: SignArgs) -> Result<String, CliError> {
    // Command-line refusals (2) before the key file is read (1).
    check_token(&args.token).map_err(|e| usage(format!("--token: {e}")))?;
    if args.nonce.as_deref().is_some_and(|n| !check_nonce(n)) {
        return Err(usage(
            "--nonce must be non-empty printable ASCII without spaces, quotes or backslashes",
        ));
    }
    let request = args.target.request()?;
    let security = match &args.rsa_key {
        Some(path) => Security::secure(read_signing_key(path)?),
        None => Security::NonSecure,
    };
    // The command line cannot tell a single-use token from a session token, and the header
    // is the same for both.
    let auth = AuthSubAuthorizer::new(&SessionToken::new(args.token), security)
        .map_err(|e| usage(format!("--token: {e}")))?;
    let ctx = Context::fixed(
        args.timestamp.unwrap_or_else(|| SystemClock.now_unix()),
        args.nonce.unwrap_or_else(|| OsNonce.nonce()),
    );
    let signed = auth.sign(&request, &ctx).map_err(|e| match e {
        AuthorizeError::UnquotableUrl => usage(format!("--url: {e}")),
        other => failed(other),
    })?;
    let header = signed.authorization.header_value();
    if args.json {
        to_json(&SignedJson {
            data: signed.data.as_deref(),
            signature: signed.signature.as_deref(),
            authorization: header,
        })
    } else {
        Ok(header.to_owned())
    }
}
