//! `gdauth oauth2 login`: performs one OAuth 2.0 flow and stores the grant in a token file
//! (the library's `FileStore`, one JSON document of named tokens).
//!
//! * `--installed`: the installed-app flow (replaces ClientLogin): PKCE S256, a loopback
//!   redirect on `127.0.0.1` at a free port, the system browser opened when there is one
//!   and the URL printed otherwise (always with `--no-browser`).
//! * `--device`: the device flow: the verification URL and user code are printed, and the
//!   token endpoint polled at the server's interval.
//! * `--service-account KEY_FILE`: a JWT assertion signed with a Google service-account
//!   key (replaces two-legged OAuth 1.0), acting as `--subject` when given.
//!
//! Prompts go to stderr; stdout gets one JSON line describing what was stored (never a
//! token): `{"stored":…,"name":…,"flow":…,"scopes":[…],"expires_at":…,"refresh_token":…}`.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args};
use gdata_auth::clock::{Clock as _, SystemClock};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::device::{self, request_device_code};
use gdata_auth::oauth2::service_account::jwt_grant;
use gdata_auth::oauth2::{
    open_browser, AssertionRequest, AuthorizationRequest, ClientCredentials, ClientSecret,
    LoopbackRedirect, OAuth2Token, ServiceAccountKey, TokenResponse,
};
use gdata_auth::store::{FileStore, TokenStore as _};
use gdata_auth::transport::ReqwestBlockingTransport;

use crate::args::{failed, to_json, usage};
use crate::CliError;

/// Flags of `gdauth oauth2 login`. No `Debug`: they hold secrets.
#[derive(Args)]
#[command(group(ArgGroup::new("flow").required(true).args(["installed", "device", "service_account"])))]
pub(crate) struct LoginArgs {
    /// The OAuth 2.0 client ID (installed and device flows).
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The client secret (an installed app's is not confidential, but Google's token
    /// endpoint asks for it).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    client_secret: Option<String>,
    /// A scope to ask for. Repeatable; at least one.
    #[arg(long = "scope", value_name = "SCOPE", required = true, num_args = 1..)]
    scopes: Vec<String>,
    /// The installed-app flow: PKCE and a loopback redirect on 127.0.0.1.
    #[arg(long)]
    installed: bool,
    /// The device flow: show a code to enter on another device, then poll.
    #[arg(long)]
    device: bool,
    /// The service-account flow with this Google service-account JSON key file.
    #[arg(long, value_name = "KEY_FILE")]
    service_account: Option<PathBuf>,
    /// The user a service account acts as (domain-wide delegation).
    #[arg(long, value_name = "EMAIL", requires = "service_account")]
    subject: Option<String>,
    /// Base URL of the OAuth 2.0 endpoints (/o/oauth2/auth, /o/oauth2/token,
    /// /o/oauth2/device/code are appended) [default: https://accounts.google.com; a service
    /// account's default is its key file's token_uri].
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Installed app: print the URL instead of opening the system browser.
    #[arg(long)]
    no_browser: bool,
    /// Installed app: seconds to wait for the browser's redirect.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    timeout: u64,
    /// The token file [default: $XDG_CONFIG_HOME/gdauth/tokens.json, else
    /// ~/.config/gdauth/tokens.json].
    #[arg(long, value_name = "FILE")]
    store: Option<PathBuf>,
    /// The name the grant is stored under.
    #[arg(long, value_name = "NAME", default_value = "oauth2")]
    name: String,
}

impl LoginArgs {
    fn client(&self) -> Result<ClientCredentials, CliError> {
        let id = self
            .client_id
            .as_deref()
            .ok_or_else(|| usage("--installed and --device need --client-id"))?;
        let secret = self.client_secret.as_deref().unwrap_or_default();
        Ok(ClientCredentials::new(id, ClientSecret::new(secret)))
    }

    fn endpoints(&self) -> Result<Endpoints, CliError> {
        match &self.endpoint {
            Some(url) => Endpoints::at(url).map_err(|e| usage(format!("--endpoint: {e}"))),
            None => Ok(Endpoints::google()),
        }
    }
}

/// The default token file.
fn default_store() -> Result<PathBuf, CliError> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .ok_or_else(|| usage("no --store given and neither XDG_CONFIG_HOME nor HOME is set"))?;
    Ok(base.join("gdauth").join("tokens.json"))
}

/// A line for the user, on stderr (stdout is the command's answer).
fn tell(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|()| err.flush());
}

pub(crate) fn run(args: LoginArgs) -> Result<String, CliError> {
    let store_path = match &args.store {
        Some(p) => p.clone(),
        None => default_store()?,
    };
    if args.scopes.iter().any(|s| s.trim().is_empty()) {
        return Err(usage("--scope must not be empty"));
    }
    let http = ReqwestBlockingTransport::new().map_err(failed)?;
    let (flow, client_id, answer) = if args.installed {
        (
            "installed",
            args.client()?.id().to_owned(),
            installed(&args, &http)?,
        )
    } else if args.device {
        (
            "device",
            args.client()?.id().to_owned(),
            device_login(&args, &http)?,
        )
    } else if let Some(path) = &args.service_account {
        let key = ServiceAccountKey::from_file(path)
            .map_err(|e| failed(format!("--service-account {}: {e}", path.display())))?;
        let answer = service_account(&args, &key, &http)?;
        ("service_account", key.client_email().to_owned(), answer)
    } else {
        return Err(usage(
            "give one of --installed, --device and --service-account",
        ));
    };
    let token = answer.into_token(&client_id, None, SystemClock.now_unix());
    save(&store_path, &args.name, &token)?;
    summary(&store_path, &args.name, flow, &token)
}

fn installed(args: &LoginArgs, http: &ReqwestBlockingTransport) -> Result<TokenResponse, CliError> {
    let client = args.client()?;
    let endpoints = args.endpoints()?;
    let listener = LoopbackRedirect::bind().map_err(failed)?;
    let (url, pending) =
        AuthorizationRequest::new(client.id(), listener.redirect_uri(), args.scopes.clone())
            .offline()
            .start(&endpoints)
            .map_err(failed)?;
    if !args.no_browser && open_browser(&url) {
        tell("Your browser has been opened to sign in. If it did not open, visit:");
    } else {
        tell("Open this URL in your browser to sign in:");
    }
    tell(&url);
    tell(&format!(
        "Waiting for the redirect on {} ...",
        listener.redirect_uri()
    ));
    let code = listener
        .wait(&pending, Duration::from_secs(args.timeout))
        .map_err(|e| failed(format!("sign-in failed: {e}")))?;
    let answer = pending
        .exchange(&endpoints, &client, code)
        .send_blocking(http)
        .map_err(|e| failed(format!("the code exchange was refused: {e}")))?;
    warn_missing(&answer, &args.scopes);
    Ok(answer)
}

fn device_login(
    args: &LoginArgs,
    http: &ReqwestBlockingTransport,
) -> Result<TokenResponse, CliError> {
    let client = args.client()?;
    let endpoints = args.endpoints()?;
    let auth = request_device_code(&endpoints, client.id(), &args.scopes)
        .send_blocking(http)
        .map_err(|e| failed(format!("the device code request was refused: {e}")))?;
    tell("To sign in, open this page on any device:");
    tell(&auth.verification_url);
    tell("and enter the code:");
    tell(&auth.user_code);
    tell(&format!(
        "Waiting for approval (polling every {} s, for at most {} s) ...",
        auth.interval.as_secs(),
        auth.expires_in
    ));
    let answer = device::wait_blocking(http, &endpoints, &client, &auth, std::thread::sleep)
        .map_err(|e| failed(format!("device sign-in failed: {e}")))?;
    warn_missing(&answer, &args.scopes);
    Ok(answer)
}

fn service_account(
    args: &LoginArgs,
    key: &ServiceAccountKey,
    http: &ReqwestBlockingTransport,
) -> Result<TokenResponse, CliError> {
    let token_url = match (&args.endpoint, key.token_uri()) {
        (Some(_), _) => args.endpoints()?.oauth2_token().to_owned(),
        (None, Some(uri)) => uri.to_owned(),
        (None, None) => Endpoints::google().oauth2_token().to_owned(),
    };
    let mut request = AssertionRequest::new(args.scopes.clone());
    if let Some(sub) = &args.subject {
        request = request.with_subject(sub.as_str());
    }
    jwt_grant(&token_url, key, &request, SystemClock.now_unix())
        .send_blocking(http)
        .map_err(|e| failed(format!("the service-account assertion was refused: {e}")))
}

/// Seed 001, step 3: say which requested scopes the grant lacks.
fn warn_missing(answer: &TokenResponse, requested: &[String]) {
    let requested: Vec<gdata_auth::Scope> = requested
        .iter()
        .filter_map(|s| gdata_auth::Scope::new(s.as_str()).ok())
        .collect();
    let missing = answer.missing_scopes(&requested);
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        tell(&format!("warning: not granted: {}", list.join(" ")));
    }
}

fn save(path: &std::path::Path, name: &str, token: &OAuth2Token) -> Result<(), CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    FileStore::new(path)
        .save(name, &token.to_stored())
        .map_err(|e| failed(format!("cannot store the grant in {}: {e}", path.display())))
}

fn summary(
    path: &std::path::Path,
    name: &str,
    flow: &str,
    token: &OAuth2Token,
) -> Result<String, CliError> {
    to_json(&serde_json::json!({
        "stored": path.display().to_string(),
        "name": name,
        "flow": flow,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
        "refresh_token": token.refresh_token.is_some(),
    }))
}
