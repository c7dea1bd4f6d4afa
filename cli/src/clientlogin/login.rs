//! `gdauth clientlogin login`: one ClientLogin login with the library's `clientlogin::flow`, over the
//! reqwest transport, printing the `Auth` token (or, with `--json`, `Auth`, `SID` and
//! `LSID`).
//!
//! The password never comes from the command line (other users see it in the process
//! list): it is read from the terminal without echo (rpassword), or as the first line of
//! stdin when stdin is not a terminal, into memory that is wiped after the login. When
//! Google asks for a CAPTCHA, its image URL is shown on stderr and the answer is read as the
//! next line; the login is retried once with it, never more (SECURITY.md §3).

use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};

use clap::Args;
use gdata_auth::clientlogin::flow::{login, login_with_captcha};
use gdata_auth::clientlogin::{
    AccountType, CaptchaChallenge, ClientLoginError, Credentials, LoginTokens, Password, Service,
};
use gdata_auth::endpoints::{Endpoints, GOOGLE_BASE_URL};
use gdata_auth::transport::ReqwestBlockingTransport;
use zeroize::Zeroizing;

use crate::args::{failed, to_json, usage};
use crate::CliError;

/// The account types `--account-type` accepts, spelled as on the wire.
const ACCOUNT_TYPES: [&str; 3] = ["HOSTED_OR_GOOGLE", "GOOGLE", "HOSTED"];

/// The longest line read from stdin (a password or a CAPTCHA answer).
const MAX_LINE: usize = 4096;

/// Flags of `gdauth clientlogin login`. No `Debug`, like every argument type here.
#[derive(Args)]
pub(crate) struct LoginArgs {
    /// The account's e-mail address (Email).
    #[arg(long, value_name = "E")]
    email: String,

    /// The service code (cl for Calendar, writely, wise, lh2, blogger, cp, youtube, …; any
    /// other code is sent as given).
    #[arg(long, value_name = "S")]
    service: String,

    /// The application's name, as company-app-version [default: gdata-auth-rust-VERSION].
    #[arg(long, value_name = "S")]
    source: Option<String>,

    /// Which kind of account the address names [default: HOSTED_OR_GOOGLE].
    #[arg(long, value_name = "T", value_parser = ACCOUNT_TYPES)]
    account_type: Option<String>,

    /// Base URL of Google Accounts; /accounts/ClientLogin is appended
    /// [default: https://www.google.com].
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,

    /// Print one JSON object {"auth", "sid", "lsid"} instead of the Auth token.
    #[arg(long)]
    json: bool,
}

/// `--json` output.
#[derive(serde::Serialize)]
struct TokensJson<'a> {
    auth: &'a str,
    sid: Option<&'a str>,
    lsid: Option<&'a str>,
}

/// Runs `gdauth clientlogin login`; returns what to print on stdout.
pub(super) fn run(args: LoginArgs) -> Result<String, CliError> {
    let endpoints = Endpoints::at(args.endpoint.as_deref().unwrap_or(GOOGLE_BASE_URL))
        .map_err(|e| usage(format!("--endpoint: {e}")))?;
    let account_type = match args.account_type.as_deref() {
        Some(name) => {
            AccountType::parse(name).map_err(|e| usage(format!("--account-type: {e}")))?
        }
        None => AccountType::default(),
    };
    for (flag, value) in [
        ("--email", Some(&args.email)),
        ("--service", Some(&args.service)),
        ("--source", args.source.as_ref()),
    ] {
        if value.is_some_and(|v| v.is_empty()) {
            return Err(usage(format!("{flag} must not be empty")));
        }
    }

    let password = read_password(&args.email)?;
    let mut credentials = Credentials::new(args.email, password, Service::from_code(&args.service))
        .with_account_type(account_type);
    if let Some(source) = args.source {
        credentials = credentials.with_source(source);
    }
    let http = ReqwestBlockingTransport::new()
        .map_err(|e| CliError::Failed(format!("cannot start the HTTP client: {e}")))?;
    let tokens = match login(&endpoints, &credentials).send_blocking(&http) {
        Err(ClientLoginError::CaptchaRequired(challenge)) => {
            let answer = ask_captcha(&challenge)?;
            login_with_captcha(&endpoints, &credentials, &challenge, &answer)
                .send_blocking(&http)
                .map_err(|e| match e {
                    ClientLoginError::CaptchaRequired(_) => CliError::Failed(
                        "Google asks for a CAPTCHA again; not retrying (one answer per login)"
                            .to_owned(),
                    ),
                    other => refused(other),
                })
        }
        other => other.map_err(refused),
    }?;
    // The password is wiped here; only the tokens go on.
    drop(credentials);
    output(&tokens, args.json)
}

/// A refused login: Google's words, and the help page it named (`Url=`), when it gave one.
fn refused(e: ClientLoginError) -> CliError {
    match e.details().and_then(|d| d.url()) {
        Some(url) => CliError::Failed(format!("{e}; see {url}")),
        None => failed(e),
    }
}

fn output(tokens: &LoginTokens, json: bool) -> Result<String, CliError> {
    if !json {
        return Ok(tokens.auth().secret().to_owned());
    }
    to_json(&TokensJson {
        auth: tokens.auth().secret(),
        sid: tokens.sid().map(|s| s.secret()),
        lsid: tokens.lsid().map(|s| s.secret()),
    })
}

/// The password: from the terminal without echo, or the first line of stdin.
fn read_password(email: &str) -> Result<Password, CliError> {
    let mut secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {email}: "))
            .map(Zeroizing::new)
            .map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))?
    } else {
        read_line("password")?
    };
    if secret.is_empty() {
        return Err(CliError::Failed("the password is empty".to_owned()));
    }
    // Moved into the secret type, not copied.
    Ok(Password::new(core::mem::take(&mut *secret)))
}

/// Shows the CAPTCHA on stderr and reads the answer as the next line of stdin.
fn ask_captcha(challenge: &CaptchaChallenge) -> Result<String, CliError> {
    let mut stderr = std::io::stderr().lock();
    // A closed stderr must not stop the login; the answer is read all the same.
    let _ = write!(
        stderr,
        "Google asks for a CAPTCHA: open {} and type the characters it shows.\nAnswer: ",
        challenge.image_url()
    );
    let _ = stderr.flush();
    let answer = read_line("CAPTCHA answer")?;
    Ok(answer.trim().to_owned())
}

/// One line of stdin without its line ending, at most [`MAX_LINE`] bytes, read into a
/// buffer that never grows (so no copy is left behind) and is wiped on drop.
fn read_line(what: &str) -> Result<Zeroizing<String>, CliError> {
    let mut line = Zeroizing::new(String::with_capacity(MAX_LINE + 2));
    let cap = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
    let read = std::io::stdin()
        .lock()
        .take(cap)
        .read_line(&mut line)
        .map_err(|e| CliError::Failed(format!("cannot read the {what} from stdin: {e}")))?;
    if read == 0 {
        return Err(CliError::Failed(format!("no {what} on stdin")));
    }
    if !line.ends_with('\n') && line.len() > MAX_LINE {
        return Err(CliError::Failed(format!(
            "the {what} on stdin is longer than {MAX_LINE} bytes"
        )));
    }
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}
