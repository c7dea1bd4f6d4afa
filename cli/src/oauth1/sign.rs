//! `gdauth oauth1 sign`: describes the request with [`Request`](gdata_auth::Request) (the shared
//! [`RequestArgs`]), signs it with [`OAuth1Authorizer`] and prints the `Authorization`
//! header value, or (with `--json`) the base string, signature and header. `--base-string`
//! mode signs a given base string with the raw signature primitives, for checking another
//! implementation's signatures.

use std::path::{Path, PathBuf};

use clap::{Arg, Args};
use gdata_auth::oauth1::signature::{sign_with_secret, signing_key};
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod};
use gdata_auth::{
    Clock as _, ConsumerSecret, Context, NonceSource as _, OsNonce, RsaSigningKey, SystemClock,
    TokenSecret,
};
use zeroize::Zeroizing;

use crate::args::{failed, read_signing_key, to_json, usage, RequestArgs};
use crate::CliError;

/// The signature methods `--signature-method` accepts, spelled as on the wire.
const METHODS: [&str; 4] = ["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"];

/// Flags that describe a request: meaningless with `--base-string`.
const REQUEST_ONLY: [&str; 14] = [
    "method",
    "url",
    "form",
    "consumer_key",
    "token",
    "nonce",
    "no_nonce",
    "timestamp",
    "no_timestamp",
    "no_version",
    "callback",
    "verifier",
    "realm",
    "dangerous_allow_insecure",
];

/// Flags of `gdauth oauth1 sign`. No `Debug`: several fields are secrets.
#[derive(Args)]
#[command(mut_args(require_request))]
pub(crate) struct SignArgs {
    /// The request to sign (not with `--base-string`).
    #[command(flatten)]
    request: RequestArgs,

    /// oauth_consumer_key.
    #[arg(long, value_name = "K", required_unless_present = "base_string")]
    consumer_key: Option<String>,

    /// Consumer secret (HMAC-SHA1, HMAC-SHA256, PLAINTEXT).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    consumer_secret: Option<String>,

    /// PEM file with the RSA private key (PKCS#1 or PKCS#8), for RSA-SHA1.
    #[arg(long, value_name = "PEM_FILE")]
    rsa_key: Option<PathBuf>,

    /// oauth_token (request or access token).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    token: Option<String>,

    /// Token secret; empty when omitted. Not used by RSA-SHA1.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    token_secret: Option<String>,

    /// Signature method [default: HMAC-SHA1].
    #[arg(long, value_name = "METHOD", value_parser = METHODS)]
    signature_method: Option<String>,

    /// oauth_nonce to use instead of a fresh random one.
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "no_nonce"
    )]
    nonce: Option<String>,

    /// Leave oauth_nonce out.
    #[arg(long)]
    no_nonce: bool,

    /// oauth_timestamp (seconds since the Unix epoch) instead of the current time.
    // Negative numbers are let through so the error is "invalid value", not "unexpected
    // argument".
    #[arg(
        long,
        value_name = "T",
        conflicts_with = "no_timestamp",
        allow_negative_numbers = true
    )]
    timestamp: Option<u64>,

    /// Leave oauth_timestamp out.
    #[arg(long)]
    no_timestamp: bool,

    /// Leave oauth_version ("1.0") out.
    #[arg(long)]
    no_version: bool,

    /// oauth_callback (a URL or "oob"): the OAuth 1.0a request-token step.
    #[arg(long, value_name = "URL")]
    callback: Option<String>,

    /// oauth_verifier: the OAuth 1.0a access-token step.
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    verifier: Option<String>,

    /// realm of the Authorization header (never signed).
    #[arg(long, value_name = "R")]
    realm: Option<String>,

    /// Allow PLAINTEXT over plain http:// (the secrets travel in the clear).
    #[arg(long)]
    dangerous_allow_insecure: bool,

    /// Print one JSON object instead of the header value.
    #[arg(long)]
    json: bool,

    /// Sign this signature base string instead of a request (needs --signature-method and
    /// --json).
    #[arg(
        long,
        value_name = "S",
        allow_hyphen_values = true,
        conflicts_with_all = REQUEST_ONLY,
        requires_all = ["json", "signature_method"]
    )]
    base_string: Option<String>,
}

/// Makes `--method` and `--url` required unless `--base-string` is given. Applied with
/// `mut_args`, which keeps clap's order of flags: `mut_arg` would move them last, and the
/// "not provided" and usage lines with them.
fn require_request(arg: Arg) -> Arg {
    match arg.get_id().as_str() {
        "method" | "url" => arg.required_unless_present("base_string"),
        _ => arg,
    }
}

/// `--json` output of a request signature.
#[derive(serde::Serialize)]
struct SignedJson<'a> {
    base_string: &'a str,
    signature: &'a str,
    authorization: &'a str,
}

/// `--json` output of `--base-string` mode.
#[derive(serde::Serialize)]
struct SignatureJson<'a> {
    signature: &'a str,
}

/// The signing key the flags name: shared secrets or an RSA private key.
enum Key {
    Shared(ConsumerSecret),
    Rsa(Box<RsaSigningKey>),
}

/// Runs `gdauth oauth1 sign`; returns what to print on stdout.
pub(super) fn run(mut args: SignArgs) -> Result<String, CliError> {
    let method = match args.signature_method.as_deref() {
        None => SignatureMethod::HmacSha1,
        Some(name) => SignatureMethod::parse(name).map_err(|e| usage(format!("{e}")))?,
    };
    let key = load_key(method, args.consumer_secret.take(), args.rsa_key.as_deref())?;
    let token_secret = TokenSecret::new(args.token_secret.take().unwrap_or_default());
    match args.base_string.take() {
        Some(base_string) => sign_base_string(method, &key, &token_secret, &base_string),
        None => sign_request(args, method, key, token_secret),
    }
}

/// Checks which key flags fit `method` and loads the key.
fn load_key(
    method: SignatureMethod,
    consumer_secret: Option<String>,
    rsa_key: Option<&Path>,
) -> Result<Key, CliError> {
    if method == SignatureMethod::RsaSha1 {
        // RFC 5849 §3.4.3: RSA-SHA1 signs with the consumer's private key alone.
        if consumer_secret.is_some() {
            return Err(usage(
                "--consumer-secret is not used with RSA-SHA1 (it signs with --rsa-key)",
            ));
        }
        let Some(path) = rsa_key else {
            return Err(usage(
                "--signature-method RSA-SHA1 needs --rsa-key PEM_FILE",
            ));
        };
        return read_signing_key(path).map(|key| Key::Rsa(Box::new(key)));
    }
    if rsa_key.is_some() {
        return Err(usage(format!(
            "--rsa-key is only used with --signature-method RSA-SHA1, not {method}"
        )));
    }
    match consumer_secret {
        Some(cs) => Ok(Key::Shared(ConsumerSecret::new(cs))),
        None => Err(usage(format!(
            "--signature-method {method} needs --consumer-secret"
        ))),
    }
}

/// `--base-string` mode: the raw signature primitives over a given base string.
fn sign_base_string(
    method: SignatureMethod,
    key: &Key,
    token_secret: &TokenSecret,
    base_string: &str,
) -> Result<String, CliError> {
    let signature = match key {
        Key::Shared(cs) => {
            // RFC 5849 §3.4.2 / §3.4.4: the key (and PLAINTEXT signature) is
            // enc(cs) "&" enc(ts), "&" kept when the token secret is empty.
            let key = signing_key(cs.secret(), token_secret.secret());
            sign_with_secret(method, &key, base_string).map_err(failed)?
        }
        Key::Rsa(rsa) => rsa.sign(base_string.as_bytes()).map_err(failed)?,
    };
    let signature = Zeroizing::new(signature);
    to_json(&SignatureJson {
        signature: &signature,
    })
}

/// Request mode: describe the request, sign it with [`OAuth1Authorizer`].
fn sign_request(
    args: SignArgs,
    method: SignatureMethod,
    key: Key,
    token_secret: TokenSecret,
) -> Result<String, CliError> {
    let (Some(_), Some(_), Some(consumer_key)) = (
        &args.request.target.method,
        &args.request.target.url,
        args.consumer_key,
    ) else {
        // clap requires all three outside --base-string mode; keep the check anyway.
        return Err(usage("--method, --url and --consumer-key are required"));
    };

    let form = args.request.form_pairs()?;
    let request = args.request.request()?.with_form(form);

    let mut auth = match key {
        Key::Shared(cs) => {
            OAuth1Authorizer::with_secret(consumer_key, cs, method).map_err(failed)?
        }
        Key::Rsa(rsa) => OAuth1Authorizer::rsa_sha1(consumer_key, *rsa),
    };
    match args.token {
        Some(token) => auth = auth.with_token(token, token_secret),
        None if !token_secret.is_empty() => {
            return Err(usage("--token-secret needs --token"));
        }
        None => {}
    }
    if let Some(realm) = args.realm {
        auth = auth
            .with_realm(realm)
            .map_err(|e| usage(format!("--realm: {e}")))?;
    }
    if let Some(callback) = args.callback {
        auth = auth.with_callback(callback);
    }
    if let Some(verifier) = args.verifier {
        auth = auth.with_verifier(verifier);
    }
    if args.no_version {
        auth = auth.without_version();
    }
    if args.dangerous_allow_insecure {
        auth = auth.dangerous_allow_insecure_plaintext();
    }

    let nonce = match (args.no_nonce, args.nonce) {
        (true, _) => None,
        (false, Some(n)) if n.is_empty() => {
            return Err(usage(
                "--nonce must not be empty (use --no-nonce to leave oauth_nonce out)",
            ));
        }
        (false, Some(n)) => Some(n),
        (false, None) => Some(OsNonce.nonce()),
    };
    let timestamp = match (args.no_timestamp, args.timestamp) {
        (true, _) => None,
        (false, Some(t)) => Some(t),
        (false, None) => Some(SystemClock.now_unix()),
    };

    let signed = auth
        .sign(&request, &Context { timestamp, nonce })
        .map_err(|e| match e {
            gdata_auth::AuthorizeError::InsecurePlaintext => usage(
                "PLAINTEXT over plain http is refused: it sends the secrets themselves \
                 (RFC 5849 §3.4.4 requires TLS); use an https URL, or \
                 --dangerous-allow-insecure for loopback tests",
            ),
            other => failed(other),
        })?;
    let signature = Zeroizing::new(signed.signature.clone());
    let header = signed.authorization.header_value();
    if args.json {
        to_json(&SignedJson {
            base_string: &signed.base_string,
            signature: &signature,
            authorization: header,
        })
    } else {
        Ok(header.to_owned())
    }
}
