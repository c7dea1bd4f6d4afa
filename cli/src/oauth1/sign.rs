//! `gdauth oauth1 sign`: describes the request with [`Request`](gdata_auth::Request) (the shared
//! [`RequestArgs`]), signs it with [`OAuth1Authorizer`] and prints the `Authorization`
//! header value, or (with `--json`) the base string, signature and header. `--base-string`
//! mode signs a given base string with the raw signature primitives, for checking another
//! implementation's signatures.
//!
//! It signs what RFC 5849 allows, however unusual, since reproducing a legacy client's
//! request is what it is for: a combination that is likely a mistake (a key flag the method
//! does not use, an empty nonce, a token secret without a token, a callback and a
//! verifier in one request, a protocol parameter given twice) is signed as asked, with one
//! `warning: …` line on stderr each. It refuses only what the RFC does not allow (an
//! invalid method or URL, PLAINTEXT over plain http without the dangerous flag) and
//! what it cannot do (a missing key).

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

/// The names of the parameters the request itself carries: its URL's query and `--form`.
fn request_params(args: &SignArgs) -> Result<Vec<String>, CliError> {
    let mut names: Vec<String> = args
        .request
        .form_pairs()?
        .into_iter()
        .map(|(n, _)| n.to_owned())
        .collect();
    if let Some(url) = &args.request.target.url {
        let query = gdata_auth::encoding::query_part(url);
        if let Ok(pairs) = gdata_auth::encoding::parse_form(query) {
            names.extend(pairs.into_iter().map(|(n, _)| n));
        }
    }
    Ok(names)
}

/// Warns of combinations RFC 5849 allows but that are likely mistakes; each is signed as
/// asked.
fn warn_unusual(args: &SignArgs, method: SignatureMethod, params: &[String]) {
    if args.nonce.as_deref() == Some("") {
        warn("--nonce is empty: oauth_nonce=\"\" is signed, and a provider will likely refuse it");
    }
    // (Leaving out the nonce or timestamp is not warned of: RFC 5849 §3.1 lets PLAINTEXT
    // do it, and published test vectors sign other methods without them.)
    if method != SignatureMethod::Plaintext && args.dangerous_allow_insecure {
        warn(&format!(
            "--dangerous-allow-insecure only concerns PLAINTEXT; it does nothing for {method}"
        ));
    }
    if args.callback.is_some() && args.verifier.is_some() {
        warn("--callback (the request-token step) and --verifier (the access-token step) in one request");
    }
    if args.verifier.is_some() && args.token.is_none() {
        warn("--verifier without --token: the access-token step signs with the request token");
    }
    // RFC 5849 §3.4.1.3.1: every parameter is signed, so a protocol parameter given twice
    // is signed twice, and a provider will refuse it (§3.2 allows each once).
    let flagged = [
        ("oauth_consumer_key", true),
        ("oauth_token", args.token.is_some()),
        ("oauth_callback", args.callback.is_some()),
        ("oauth_verifier", args.verifier.is_some()),
        ("oauth_nonce", !args.no_nonce),
        ("oauth_timestamp", !args.no_timestamp),
        ("oauth_version", !args.no_version),
        ("oauth_signature_method", true),
    ];
    for (name, set_by_flag) in flagged {
        let given = params.iter().filter(|p| *p == name).count() + usize::from(set_by_flag);
        if given > 1 {
            warn(&format!(
                "{name} appears {given} times (in the URL, --form and the flags); each is signed"
            ));
        }
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

/// One `warning: …` line on stderr: the command goes on.
fn warn(message: &str) {
    use std::io::Write as _;
    // A closed stderr must not stop the signing.
    let _ = writeln!(std::io::stderr(), "warning: {message}");
}

/// Runs `gdauth oauth1 sign`; returns what to print on stdout.
pub(super) fn run(mut args: SignArgs) -> Result<String, CliError> {
    let method = match args.signature_method.as_deref() {
        None => SignatureMethod::HmacSha1,
        Some(name) => SignatureMethod::parse(name).map_err(|e| usage(format!("{e}")))?,
    };
    let key = load_key(method, args.consumer_secret.take(), args.rsa_key.as_deref())?;
    let mut token_secret = TokenSecret::new(args.token_secret.take().unwrap_or_default());
    if args.base_string.is_none() && args.token.is_none() && !token_secret.is_empty() {
        // RFC 5849 §3.4.2: without a token the token secret is empty.
        warn("--token-secret without --token is ignored (no token, no token secret)");
        token_secret = TokenSecret::new("");
    }
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
        // RFC 5849 §3.4.3: RSA-SHA1 signs with the consumer's private key alone; some
        // clients carried the consumer secret along anyway.
        if consumer_secret.is_some() {
            warn("--consumer-secret is not used by RSA-SHA1 (it signs with --rsa-key); ignored");
        }
        let Some(path) = rsa_key else {
            return Err(usage(
                "--signature-method RSA-SHA1 needs --rsa-key PEM_FILE",
            ));
        };
        return read_signing_key(path).map(|key| Key::Rsa(Box::new(key)));
    }
    if rsa_key.is_some() {
        warn(&format!(
            "--rsa-key is only used with --signature-method RSA-SHA1, not {method}; ignored"
        ));
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
    warn_unusual(&args, method, &request_params(&args)?);
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
    if let Some(token) = args.token {
        auth = auth.with_token(token, token_secret);
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
