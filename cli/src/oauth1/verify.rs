//! `gdauth oauth1 verify`: checks one received request with the library's provider-side
//! [`Verifier`] and says which check failed.
//!
//! The request is described as the provider sees it: method, URL (query included), decoded
//! form-body parameters and the `Authorization` header value; the protocol parameters may
//! sit in any one of those places. The provider's side is given as flags: the consumer's
//! secret or RSA certificate, the token secret, the clock and the verifier's strictness.
//!
//! Exit status: 0 when the request verifies, 1 when it does not (the check is named on
//! stderr, or in the `--json` object on stdout), 2 when the command line itself is wrong
//! (unreadable PEM, bad URL, conflicting flags). No secret, and never the header (a
//! PLAINTEXT signature is the secrets themselves), is echoed.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use gdata_auth::encoding::{form_encode, Form};
use gdata_auth::oauth1::header::parse_header;
use gdata_auth::oauth1::verifier::{
    received_base_string, ConsumerCredential, CredentialLookup, Profile, ReceivedRequest, Verified,
    Verifier, VerifierConfig, VerifyError,
};
use gdata_auth::oauth1::SignatureMethod;
use gdata_auth::{ConsumerSecret, TokenSecret};
use url::Url;

use crate::args::{
    check_header_value, clock, read_verifying_key, received_request, to_json, usage, RequestArgs,
};
use crate::CliError;

/// Flags of `gdauth oauth1 verify`. No `Debug`: several fields are secrets.
///
/// The request flags are the shared [`RequestArgs`], both required here and worded for the
/// provider's side.
#[derive(Args)]
#[command(mut_args(received_request))]
pub(crate) struct VerifyArgs {
    /// The request as the provider received it.
    #[command(flatten)]
    request: RequestArgs,

    /// The Authorization header value as received ("OAuth realm=…, oauth_…"), without the
    /// "Authorization:" name.
    #[arg(long, value_name = "HEADER", allow_hyphen_values = true)]
    authorization: Option<String>,

    /// The only consumer key the provider knows [default: the request's own
    /// oauth_consumer_key]; a request with another key fails as invalid_consumer.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    consumer_key: Option<String>,

    /// The consumer's shared secret: the consumer may use HMAC-SHA1, HMAC-SHA256 and
    /// PLAINTEXT.
    #[arg(
        long,
        value_name = "S",
        allow_hyphen_values = true,
        conflicts_with = "rsa_cert"
    )]
    consumer_secret: Option<String>,

    /// PEM file with the consumer's registered RSA public key (SPKI or PKCS#1) or X.509
    /// certificate: the consumer may use RSA-SHA1 only.
    #[arg(long, value_name = "PEM_FILE")]
    rsa_cert: Option<PathBuf>,

    /// Secret of the request's oauth_token, whatever token it carries (may be empty).
    /// Without it a request with a token fails as invalid_token, except under RSA-SHA1,
    /// which signs without it.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    token_secret: Option<String>,

    /// The provider's clock, in seconds since the Unix epoch [default: the system clock];
    /// pin it to check a recorded request.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<u64>,

    /// Largest accepted distance between oauth_timestamp and the clock, in seconds
    /// [default: 600].
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    window: Option<u64>,

    /// Accepted placement of the protocol parameters and shapes of nonce, consumer key, token
    /// and timestamp [default: google].
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ProfileArg>,

    /// Accept PLAINTEXT over plain http:// (the secrets travel in the clear).
    #[arg(long)]
    dangerous_allow_insecure: bool,

    /// Print one JSON object on stdout, valid or not.
    #[arg(long)]
    json: bool,
}

/// `--profile` values.
#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// What Google's servers accepted: protocol parameters spread over header, query and
    /// form (each name once); keys, tokens and nonces of 1 to 256 characters from
    /// `[A-Za-z0-9._~/+=:@-]`, timestamps of 1 to 20 digits.
    #[value(name = "google")]
    Google,
    /// oauthlib's provider defaults: protocol parameters in one place only (RFC 5849 §3.5);
    /// [A-Za-z0-9]{20,30}, timestamps of exactly 10 digits.
    #[value(name = "oauthlib-strict")]
    OauthlibStrict,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::Google => Profile::GoogleCompat,
            ProfileArg::OauthlibStrict => Profile::OauthlibStrict,
        }
    }
}

/// `--json` output, the same shape for every verdict.
#[derive(serde::Serialize)]
struct VerdictJson<'a> {
    valid: bool,
    /// The failed check, as [`check_name`] spells it.
    check: Option<&'static str>,
    oauth_problem: Option<&'static str>,
    /// The status a provider answers the failure with (RFC 5849 §3.2).
    http_status: Option<u16>,
    message: &'a str,
    /// Only when the verifier got as far as building one.
    base_string: Option<&'a str>,
}

/// The provider's credential store as the flags describe it: one consumer, and one token
/// secret for whatever token the request carries.
struct FlagLookup {
    /// `None`: answer for whichever key the request names.
    consumer_key: Option<String>,
    credential: ConsumerCredential,
    token_secret: Option<TokenSecret>,
}

impl FlagLookup {
    fn knows(&self, consumer_key: &str) -> bool {
        self.consumer_key
            .as_deref()
            .is_none_or(|k| k == consumer_key)
    }
}

impl CredentialLookup for FlagLookup {
    fn consumer(&self, consumer_key: &str) -> Option<ConsumerCredential> {
        self.knows(consumer_key).then(|| self.credential.clone())
    }

    fn token_secret(&self, consumer_key: &str, _token: &str) -> Option<TokenSecret> {
        if !self.knows(consumer_key) {
            return None;
        }
        match &self.token_secret {
            Some(ts) => Some(ts.clone()),
            // RFC 5849 §3.4.3: RSA-SHA1 signs with the consumer's key alone, so the token
            // secret is not needed to check it: accept the token with an empty one.
            None if self.credential.secret.is_none() => Some(TokenSecret::new("")),
            None => None,
        }
    }
}

/// Runs `gdauth oauth1 verify`; returns what to print on stdout.
pub(super) fn run(mut args: VerifyArgs) -> Result<String, CliError> {
    // Refuse a request that cannot even be described before asking the verifier, so a
    // typo in --url is a usage error (2), not a verdict on the request (1).
    args.request.request()?;
    let (method, url) = args.request.method_and_url()?;
    let form = args.request.form_pairs()?;
    if let Some(value) = &args.authorization {
        check_header_value(value, "\"OAuth …\"")?;
    }
    let credential = load_credential(args.consumer_secret.take(), args.rsa_cert.take())?;

    let defaults = VerifierConfig::default();
    let config = VerifierConfig {
        timestamp_window: args.window.unwrap_or(defaults.timestamp_window),
        profile: args.profile.map_or(defaults.profile, Profile::from),
        dangerous_allow_insecure_plaintext: args.dangerous_allow_insecure,
        ..defaults
    };
    let lookup = FlagLookup {
        consumer_key: args.consumer_key.take(),
        credential,
        token_secret: args.token_secret.take().map(TokenSecret::new),
    };
    let verifier = Verifier::new(lookup, clock(args.now), config);

    let form_body = (!form.is_empty()).then(|| form_encode(&form));
    let received = ReceivedRequest {
        method,
        url,
        authorization: args.authorization.as_deref(),
        form_body: form_body.as_deref(),
        body: None,
    };
    match verifier.verify(&received) {
        Ok(verified) => accepted(&verified, &received, args.json),
        Err(e) => rejected(&e, &received, &form, args.json),
    }
}

/// The consumer the key flags describe.
fn load_credential(
    consumer_secret: Option<String>,
    rsa_cert: Option<PathBuf>,
) -> Result<ConsumerCredential, CliError> {
    match (consumer_secret, rsa_cert) {
        (Some(cs), None) => Ok(ConsumerCredential::hmac(ConsumerSecret::new(cs))),
        (None, Some(path)) => read_verifying_key(&path).map(ConsumerCredential::rsa),
        // clap refuses both together already; keep the check anyway.
        (Some(_), Some(_)) => Err(usage(
            "--consumer-secret and --rsa-cert exclude each other: a consumer signs with one",
        )),
        (None, None) => Err(usage(
            "verify needs the consumer's key: --consumer-secret (HMAC-SHA1, HMAC-SHA256, \
             PLAINTEXT) or --rsa-cert PEM_FILE (RSA-SHA1)",
        )),
    }
}

fn accepted(
    verified: &Verified,
    received: &ReceivedRequest<'_>,
    json: bool,
) -> Result<String, CliError> {
    let mut message = format!(
        "{} signature valid for consumer {}",
        verified.signature_method, verified.consumer_key
    );
    if let Some(token) = &verified.token {
        message.push_str(" token ");
        message.push_str(token);
    }
    if !json {
        return Ok(format!("ok: {message}"));
    }
    let base = (verified.signature_method != SignatureMethod::Plaintext)
        .then(|| received_base_string(received))
        .flatten();
    to_json(&VerdictJson {
        valid: true,
        check: None,
        oauth_problem: None,
        http_status: None,
        message: &message,
        base_string: base.as_deref(),
    })
}

fn rejected(
    e: &VerifyError,
    received: &ReceivedRequest<'_>,
    form: &[(&str, &str)],
    json: bool,
) -> Result<String, CliError> {
    let check = check_name(e);
    if !json {
        return Err(CliError::Failed(format!(
            "{check}: {e} (oauth_problem={})",
            e.oauth_problem()
        )));
    }
    let base = (reached_signature(e) && !signed_in_plaintext(received, form))
        .then(|| received_base_string(received))
        .flatten();
    let message = e.to_string();
    let report = to_json(&VerdictJson {
        valid: false,
        check: Some(check),
        oauth_problem: Some(e.oauth_problem()),
        http_status: Some(e.http_status()),
        message: &message,
        base_string: base.as_deref(),
    })?;
    Err(CliError::Rejected(report))
}

/// The failed check, named after its [`VerifyError`] variant in snake_case.
fn check_name(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::MalformedHeader(_) => "malformed_header",
        VerifyError::BadRequest(_) => "bad_request",
        VerifyError::DuplicateProtocolParam(_) => "duplicate_protocol_param",
        VerifyError::ParamsInMultipleLocations => "params_in_multiple_locations",
        VerifyError::MissingParam(_) => "missing_param",
        VerifyError::UnsupportedVersion => "unsupported_version",
        VerifyError::UnsupportedSignatureMethod => "unsupported_signature_method",
        VerifyError::SignatureMethodNotAllowed => "signature_method_not_allowed",
        VerifyError::InsecureTransport => "insecure_transport",
        VerifyError::BadTimestamp => "bad_timestamp",
        VerifyError::TimestampOutOfWindow { .. } => "timestamp_out_of_window",
        VerifyError::BadNonce => "bad_nonce",
        VerifyError::BadConsumerKey => "bad_consumer_key",
        VerifyError::BadToken => "bad_token",
        VerifyError::BodyHashNotAllowed => "body_hash_not_allowed",
        VerifyError::InvalidConsumer => "invalid_consumer",
        VerifyError::InvalidToken => "invalid_token",
        VerifyError::BadSignature => "bad_signature",
        VerifyError::BodyHashMismatch => "body_hash_mismatch",
        VerifyError::NonceReused => "nonce_reused",
        VerifyError::ReplayStoreFull => "replay_store_full",
        VerifyError::TimestampForgotten => "timestamp_forgotten",
        // VerifyError is #[non_exhaustive]: a check added later still gets a name.
        _ => "rejected",
    }
}

/// Whether the verifier had reached the signature step (and so built the base string)
/// when it refused: its checks run in a fixed order, and these come at or after it.
fn reached_signature(e: &VerifyError) -> bool {
    matches!(
        e,
        VerifyError::InvalidConsumer
            | VerifyError::InvalidToken
            | VerifyError::BadSignature
            | VerifyError::BodyHashMismatch
            | VerifyError::NonceReused
            | VerifyError::ReplayStoreFull
            | VerifyError::TimestampForgotten
    )
}

/// The header's parameters when it uses the OAuth scheme; another scheme (or none) is not
/// the verifier's business and contributes nothing, as in the verifier.
fn header_params(received: &ReceivedRequest<'_>) -> Form {
    let params = received
        .authorization
        .and_then(|value| parse_header(value).ok())
        .map(|parsed| parsed.params)
        .unwrap_or_default();
    Form::from(params)
}

/// The received query's parameters (the URL was checked before verifying).
fn query_params(url: &Url) -> Form {
    Form::parse(url.query().unwrap_or_default()).unwrap_or_default()
}

/// Whether the request says PLAINTEXT, which signs no base string (RFC 5849 §3.4.4). Only
/// asked once the verifier has accepted the parameters' placement, so the first
/// `oauth_signature_method` found (header, then query, then form) is the only one.
fn signed_in_plaintext(received: &ReceivedRequest<'_>, form: &[(&str, &str)]) -> bool {
    let query = Url::parse(received.url)
        .map(|url| query_params(&url))
        .unwrap_or_default();
    let body = Form::from(
        form.iter()
            .map(|&(n, v)| (n.to_owned(), v.to_owned()))
            .collect::<Vec<_>>(),
    );
    [header_params(received), query, body]
        .iter()
        .find_map(|params| params.first("oauth_signature_method"))
        .is_some_and(|method| method == SignatureMethod::Plaintext.as_str())
}
