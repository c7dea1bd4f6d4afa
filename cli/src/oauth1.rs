//! `gdauth oauth1 …`: OAuth 1.0 commands.
//!
//! `sign` and `verify` (in [`crate::verify`]) are contracts other tools script against:
//! their flag names and output shapes are stable. `sign` describes the request with
//! [`Request`], signs it with [`OAuth1Authorizer`] and prints the `Authorization` header
//! value, or (with `--json`) the base string, signature and header. `--base-string` mode
//! signs a given base string with the raw signature primitives, for checking another
//! implementation's signatures.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use gdata_auth::oauth1::signature::{sign_with_secret, signing_key};
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod};
use gdata_auth::{
    Clock as _, ConsumerSecret, Context, NonceSource as _, OsNonce, Request, RequestError,
    SystemClock, TokenSecret,
};
use zeroize::Zeroizing;

use crate::CliError;

/// Largest `--rsa-key` (or `verify --rsa-cert`) file read, in bytes: an 8192-bit PKCS#8 PEM
/// is under 7 KiB, and a cap keeps `--rsa-key /dev/zero` from eating memory.
const MAX_KEY_FILE: u64 = 64 * 1024;

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

/// OAuth 1.0 commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Sign one request and print its Authorization header value (or, with --base-string,
    /// sign a signature base string).
    Sign(Box<SignArgs>),
    /// Verify one received request as a strict provider would, and name the check that
    /// failed.
    Verify(Box<crate::verify::VerifyArgs>),
}

/// Flags of `gdauth oauth1 sign`. No `Debug`: several fields are secrets.
#[derive(Args)]
pub(crate) struct SignArgs {
    /// HTTP method of the request (GET, POST, …).
    #[arg(long, value_name = "M", required_unless_present = "base_string")]
    method: Option<String>,

    /// Full request URL; its query parameters are signed.
    #[arg(long, value_name = "U", required_unless_present = "base_string")]
    url: Option<String>,

    /// One decoded parameter of an application/x-www-form-urlencoded body, split at the
    /// first '='; repeat in body order.
    #[arg(long = "form", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    form: Vec<String>,

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

/// Runs an OAuth 1.0 command; returns what to print on stdout.
pub(crate) fn run(cmd: Command) -> Result<String, CliError> {
    match cmd {
        Command::Sign(args) => sign(*args),
        Command::Verify(args) => crate::verify::run(*args),
    }
}

/// The signing key the flags name: shared secrets or an RSA private key.
enum Key {
    Shared(ConsumerSecret),
    Rsa(Box<gdata_auth::RsaSigningKey>),
}

fn sign(mut args: SignArgs) -> Result<String, CliError> {
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
        return load_rsa_key(path);
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

fn load_rsa_key(path: &Path) -> Result<Key, CliError> {
    let pem = read_key_file(path)?;
    gdata_auth::RsaSigningKey::from_pem(&pem)
        .map(|key| Key::Rsa(Box::new(key)))
        .map_err(|e| CliError::Failed(format!("--rsa-key {}: {e}", path.display())))
}

/// Reads a PEM file, refusing anything over [`MAX_KEY_FILE`] rather than truncating it.
/// `flag` names the flag the path came from and `expected` what the file should hold, for
/// the message; the caller decides which [`CliError`] a failure is.
pub(crate) fn read_pem_file(
    path: &Path,
    flag: &str,
    expected: &str,
) -> Result<Zeroizing<String>, String> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| format!("cannot read {flag} file {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_KEY_FILE {
        return Err(format!(
            "{flag} file {} is larger than {MAX_KEY_FILE} bytes: not {expected}",
            path.display()
        ));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        format!(
            "{flag} file {} is not text: expected {expected}",
            path.display()
        )
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Reads the `--rsa-key` file; see [`read_pem_file`].
fn read_key_file(path: &Path) -> Result<Zeroizing<String>, CliError> {
    read_pem_file(path, "--rsa-key", "a PEM private key").map_err(CliError::Failed)
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
    let (Some(http_method), Some(url), Some(consumer_key)) =
        (args.method, args.url, args.consumer_key)
    else {
        // clap requires all three outside --base-string mode; keep the check anyway.
        return Err(usage("--method, --url and --consumer-key are required"));
    };

    let form = form_pairs(&args.form)?;
    let request = Request::new(&http_method, &url)
        .map_err(request_error)?
        .with_form(form);

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

/// A refused `--method` or `--url`, named by its flag.
pub(crate) fn request_error(e: RequestError) -> CliError {
    match e {
        RequestError::BadMethod(_) => usage(format!("--method: {e}")),
        _ => usage(format!("--url: {e}")),
    }
}

/// Splits each `--form NAME=VALUE` at its first `=`, in order.
pub(crate) fn form_pairs(flags: &[String]) -> Result<Vec<(&str, &str)>, CliError> {
    flags
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            // The value may be a secret (a password in a form body): name the position only.
            pair.split_once('=')
                .ok_or_else(|| usage(format!("--form #{} has no '=': expected NAME=VALUE", i + 1)))
        })
        .collect()
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string(value).map_err(|e| CliError::Failed(format!("JSON output: {e}")))
}

pub(crate) fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}
