//! `gdauth serve`: runs the Google Accounts emulator until interrupted. A contract other
//! tools depend on:
//!
//! ```text
//! gdauth serve [--addr HOST:PORT] [--consumer KEY:SECRET]... [--rsa-consumer KEY:PEM_FILE]...
//!     [--user EMAIL:PASSWORD]... [--auto-approve] [--captcha-after N] [--captcha-answer WORD]
//!     [--oauth2-client ID:SECRET]... [--service-account KEY_FILE]... [--device-interval SECS]
//!     [--accept-quirk CONSUMER:PROFILE]... [--gadget FILE]... [--state PATH]
//! ```
//!
//! When ready it prints exactly one line, `listening on http://HOST:PORT`, on stdout and
//! flushes it; the request log goes to stderr, one line per request. Each `KEY:VALUE` flag
//! splits at the first `:` (consumer keys and e-mail addresses hold none; secrets may).
//!
//! With `--state PATH` everything the emulator issues is kept in that SQLite file (created
//! when absent, WAL mode, readable by its owner only) and read back at the next start:
//! restart it, or kill it, and every token it answered with still works and no nonce of
//! the window is accepted twice. Without it the state lives in memory and dies with the
//! process.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use gdata_auth::conformance::quirks::QuirkProfile;
use gdata_auth::emulator::{
    serve, EmulatorConfig, LogTarget, DEFAULT_CAPTCHA_AFTER, MAX_DEVICE_INTERVAL,
};
use gdata_auth::oauth2::ServiceAccountKey;
use gdata_auth::ConsumerSecret;
use gdata_auth::RsaVerifyingKey;

use crate::CliError;

/// `gdauth serve` flags. No `Debug`: they hold secrets.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Registers a shared-secret consumer (HMAC-SHA1 or HMAC-SHA256; PLAINTEXT needs TLS,
    /// which this plain-http server does not offer). Repeatable. Without any
    /// `--consumer` or `--rsa-consumer`, Google's `anonymous:anonymous` is registered.
    #[arg(
        long = "consumer",
        value_name = "KEY:SECRET",
        allow_hyphen_values = true
    )]
    consumers: Vec<String>,
    /// Registers an RSA-SHA1 consumer from a public key or X.509 certificate PEM. Repeatable.
    /// As at Google, KEY is a domain: `next` URLs on that host also get secure AuthSub
    /// tokens (the endpoints /accounts/AuthSubRequest, AuthSubSessionToken,
    /// AuthSubTokenInfo and AuthSubRevokeToken); a `--consumer` domain gets non-secure ones.
    #[arg(long = "rsa-consumer", value_name = "KEY:PEM_FILE")]
    rsa_consumers: Vec<String>,
    /// Registers a user who can sign in on the consent page. Repeatable. Default:
    /// user@example.com with the password `password`.
    #[arg(
        long = "user",
        value_name = "EMAIL:PASSWORD",
        allow_hyphen_values = true
    )]
    users: Vec<String>,
    /// Approve every authorization at once as the first user, without the consent form.
    #[arg(long)]
    auto_approve: bool,
    /// ClientLogin: consecutive wrong passwords of an account after which every login of it
    /// needs a CAPTCHA, until one succeeds (0: always).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CAPTCHA_AFTER)]
    captcha_after: u32,
    /// ClientLogin: the answer every CAPTCHA image shows (1 to 16 ASCII letters or digits);
    /// default: random letters per challenge.
    #[arg(long, value_name = "WORD")]
    captcha_answer: Option<String>,

    /// Registers an OAuth 2.0 client: the authorization endpoint /o/oauth2/auth sends its
    /// codes to any loopback redirect_uri (http://127.0.0.1:PORT/..., http://localhost:PORT/...,
    /// http://[::1]:PORT/...); /o/oauth2/device/code issues it device codes; /o/oauth2/token
    /// authenticates it by HTTP Basic or client_id/client_secret in the body. Repeatable.
    #[arg(
        long = "oauth2-client",
        value_name = "ID:SECRET",
        allow_hyphen_values = true
    )]
    oauth2_clients: Vec<String>,
    /// Registers a service account from its Google JSON key file: /o/oauth2/token accepts
    /// its RS256 assertions (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer),
    /// checked with the key's public half, acting as itself or as the --user named by `sub`.
    /// Repeatable.
    #[arg(long = "service-account", value_name = "KEY_FILE")]
    service_accounts: Vec<PathBuf>,
    /// The device flow's polling interval in seconds (1 to 5): a poll sooner than this
    /// after the previous one answers slow_down.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = MAX_DEVICE_INTERVAL,
        value_parser = clap::value_parser!(u64).range(1..=MAX_DEVICE_INTERVAL)
    )]
    device_interval: u64,
    /// Lets CONSUMER's requests through when their OAuth 1.0 signature fails RFC 5849 but
    /// verifies under the legacy behaviour PROFILE (every other check still applies; each
    /// such request is logged naming the quirk). Repeatable. PROFILE is one of
    /// empty-path-no-slash, drop-empty-params, last-duplicate-wins, sort-joined-pairs,
    /// plus-for-space, raw-query, ignore-body-params, keep-default-port,
    /// plaintext-consumer-key (`gdauth oauth1 diagnose` names a client's).
    #[arg(long = "accept-quirk", value_name = "CONSUMER:PROFILE")]
    accept_quirks: Vec<String>,
    /// Hosts a gadget spec (XML with an <OAuth> section) at /gadgets/specs/FILE_NAME, beside
    /// the samples calendar.xml and contacts.xml, for the OAuth Proxy
    /// (/gadgets/makeRequest?authz=oauth&gadget=SPEC_URL&OAUTH_SERVICE_NAME=…&viewer=…&url=…).
    /// Its <OAuth> section is checked at start. Repeatable.
    #[arg(long = "gadget", value_name = "FILE")]
    gadgets: Vec<PathBuf>,
    /// Keeps everything the emulator issues (registered consumers but `anonymous`, request,
    /// access, AuthSub and ClientLogin tokens, CAPTCHA state, OAuth 2.0 codes and grants,
    /// the nonce window) in this SQLite file (created if absent; WAL mode; mode 0600),
    /// written before each answer and read back at start: a restart or a kill -9 loses no
    /// token a client was given and accepts no nonce twice inside its window. Consumers of
    /// earlier runs stay registered: a new file forgets them. Without it, state lives in
    /// memory only.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
}

/// What `gdauth serve --help` says after the flags: the ClientLogin test accounts.
pub(crate) const TEST_ACCOUNTS: &str = "\
ClientLogin (POST /accounts/ClientLogin, GET /accounts/Captcha?ctoken=...):
  Every failure is HTTP 403 with Error=CODE as the first line. Unknown email or wrong
  password: BadAuthentication. Missing Email/Passwd: BadAuthentication. Missing or unknown
  service, no form body, logintoken without logincaptcha: Unknown.
  Test accounts: with the right password, a --user whose local part starts with
    disabled-     answers AccountDisabled
    deleted-      answers AccountDeleted
    unverified-   answers NotVerified
    tos-          answers TermsNotAgreed
    2sv-          answers BadAuthentication with Info=InvalidSecondFactor
    noservice-    answers ServiceDisabled
    migrated-     answers AccountMigrated
    unavailable-  answers ServiceUnavailable (Retry-After: 1) twice, then succeeds
  e.g. --user disabled-jo@example.com:pw
  After --captcha-after wrong passwords in a row, logins of that account answer
  CaptchaRequired until one carries a live CaptchaToken and the right answer.
  Feeds take Authorization: GoogleLogin auth=TOKEN for the service's scopes
  (cl: /calendar/feeds/, cp: /m8/feeds/, writely: /feeds/documents/, ...).

OAuth 2.0, for --oauth2-client clients (every token endpoint answer is JSON):
  GET /o/oauth2/auth?response_type=code&client_id=...&redirect_uri=...&scope=...: the
    consent page (sign in, Approve/Deny), then a 302 to the loopback redirect_uri with
    code and state (error=access_denied on Deny). Also state, code_challenge with
    code_challenge_method S256 or plain, access_type=offline (a refresh token),
    include_granted_scopes=true, prompt, login_hint, hd. An unknown client or a
    redirect_uri that is not loopback gets an error page (400), never a redirect.
  POST /o/oauth2/token: grant_type=authorization_code (code, redirect_uri,
    code_verifier; codes are single use and live 10 minutes), refresh_token, the OAuth
    1.0 migration grant (urn:ietf:params:oauth:grant-type:migration:oauth1, signed with
    an OAuth 1.0 access token), urn:ietf:params:oauth:grant-type:device_code, and for
    --service-account keys urn:ietf:params:oauth:grant-type:jwt-bearer (assertion; no
    client authentication; aud one of Google's token URLs,
    https://oauth2.googleapis.com/token, https://accounts.google.com/o/oauth2/token,
    https://www.googleapis.com/oauth2/v4/token, or this server's token URL).
  POST /o/oauth2/device/code (client_id, scope): device_code, user_code,
    verification_url (this server's /device), expires_in 1800, interval
    (--device-interval). Polls answer 428 authorization_pending, 403 slow_down,
    403 access_denied, 400 expired_token, then the tokens once.
  POST /o/oauth2/revoke (token=...).
  Feeds take Authorization: Bearer TOKEN inside the token's scopes (never
  ?access_token=). Test users: a --user whose local part starts with
    revoked-      refresh answers invalid_grant
    rapt-         refresh answers invalid_grant, error_subtype invalid_rapt
    admin-        refresh answers admin_policy_enforced
  A client ID starting with oversize- gets tokens one byte over Google's limits.";

/// Runs the emulator until Ctrl-C or SIGTERM. Returns an empty string (nothing more to print).
pub(crate) fn run(args: ServeArgs) -> Result<String, CliError> {
    let config = config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("serve: could not start a runtime: {e}")))?;
    runtime
        .block_on(serve(config, shutdown_signal(), |addr| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{addr}");
            let _ = out.flush();
        }))
        .map_err(|e| CliError::Failed(format!("serve: {e}")))?;
    Ok(String::new())
}

fn config(args: ServeArgs) -> Result<EmulatorConfig, CliError> {
    let mut config = EmulatorConfig::new()
        .with_addr(args.addr)
        .with_log(LogTarget::Stderr);
    config.auto_approve = args.auto_approve;
    config = config.with_captcha_after(args.captcha_after);
    if let Some(answer) = args.captcha_answer {
        config = config.with_captcha_answer(answer);
    }
    // The contract: with no `--consumer`, Google's `anonymous:anonymous` is registered
    // (also when RSA consumers are given).
    if args.consumers.is_empty() {
        config = config.add_hmac_consumer("anonymous", ConsumerSecret::new("anonymous"));
    }
    for pair in &args.consumers {
        let (key, secret) = split(pair, "--consumer", "KEY:SECRET")?;
        config = config.add_hmac_consumer(key, ConsumerSecret::new(secret));
    }
    for pair in &args.oauth2_clients {
        let (id, secret) = split(pair, "--oauth2-client", "ID:SECRET")?;
        config = config.add_oauth2_client(id, secret);
    }
    for path in &args.service_accounts {
        let key = ServiceAccountKey::from_file(path)
            .map_err(|e| CliError::Failed(format!("--service-account: {}: {e}", path.display())))?;
        config = config.add_service_account(key);
    }
    config = config.with_device_interval(args.device_interval);
    for pair in &args.rsa_consumers {
        let (key, path) = split(pair, "--rsa-consumer", "KEY:PEM_FILE")?;
        let path = PathBuf::from(path);
        // The library's capped reader (64 KiB, as sign and verify): `KEY:/dev/zero` is
        // refused instead of read forever (issue 15 §1).
        let key_pem = RsaVerifyingKey::from_pem_file(&path)
            .map_err(|e| CliError::Failed(format!("--rsa-consumer: {}: {e}", path.display())))?;
        config = config.add_rsa_consumer(key, key_pem);
    }
    for pair in &args.accept_quirks {
        let (consumer, name) = split(pair, "--accept-quirk", "CONSUMER:PROFILE")?;
        let profile: QuirkProfile = name
            .parse()
            .map_err(|e| CliError::Usage(format!("--accept-quirk: {e}")))?;
        if !config.consumer_keys().contains(&consumer) {
            return Err(CliError::Usage(format!(
                "--accept-quirk: consumer {consumer:?} is not registered (--consumer, --rsa-consumer)"
            )));
        }
        if profile == QuirkProfile::PlaintextConsumerKey {
            // RFC 5849 §3.4.4: PLAINTEXT only over TLS, which this plain-http server lacks.
            let _ = writeln!(
                std::io::stderr(),
                "warning: --accept-quirk {consumer}:{profile}: this plain-http server refuses PLAINTEXT (RFC 5849 §3.4.4 needs TLS), so this quirk never applies here"
            );
        }
        config = config.accept_quirk(consumer, profile);
    }
    for path in &args.gadgets {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                CliError::Usage(format!("--gadget: {} has no file name", path.display()))
            })?
            .to_owned();
        let xml = std::fs::read_to_string(path).map_err(|e| {
            CliError::Failed(format!("--gadget: cannot read {}: {e}", path.display()))
        })?;
        config = config.add_gadget_spec(name, xml);
    }
    for pair in &args.users {
        let (email, password) = split(pair, "--user", "EMAIL:PASSWORD")?;
        config = config.add_user(email, password);
    }
    if let Some(path) = args.state {
        config = config.with_state_file(path);
    }
    Ok(config)
}

/// Splits `KEY:VALUE` at the first `:`; both halves must be non-empty. The error names the
/// flag, never the value (it may be a secret).
fn split<'a>(pair: &'a str, flag: &str, shape: &str) -> Result<(&'a str, &'a str), CliError> {
    match pair.split_once(':') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k, v)),
        _ => Err(CliError::Usage(format!(
            "{flag} expects {shape} (two non-empty parts joined by ':')"
        ))),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
