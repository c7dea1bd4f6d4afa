//! What every protocol's commands share: the request-description flags ([`TargetArgs`] for
//! `--method` and `--url`, [`RequestArgs`] adding the form body, flattened into each command
//! that signs or checks a request), the one reader of RSA key files ([`read_rsa_pem`] and
//! its two uses, [`read_signing_key`] and [`read_verifying_key`]), the provider's clock
//! (`--now`), and the small helpers that turn failures into [`CliError`]s and answers into
//! JSON.
//!
//! Messages name the flag at fault (and a file's path), never a value: values may be secrets.

use std::path::Path;
use std::sync::Arc;

use clap::{Arg, Args};
use gdata_auth::rsa_sha1::MAX_KEY_FILE_BYTES;
use gdata_auth::{
    Clock, FixedClock, KeyError, Request, RequestError, RsaSigningKey, RsaVerifyingKey, SystemClock,
};
use zeroize::Zeroizing;

use crate::CliError;

/// The method and URL of the request a command describes.
///
/// The help text is the signer's; a command that reads the request from the other side
/// rewords it with `mut_args`. Neither flag is required here: each command says when it
/// needs them (`oauth1 sign` not with `--base-string`).
#[derive(Args)]
pub(crate) struct TargetArgs {
    /// HTTP method of the request (GET, POST, …).
    #[arg(long, value_name = "M")]
    pub(crate) method: Option<String>,

    /// Full request URL; its query parameters are signed.
    #[arg(long, value_name = "U")]
    pub(crate) url: Option<String>,
}

impl TargetArgs {
    /// `--method` and `--url`, as given.
    pub(crate) fn method_and_url(&self) -> Result<(&str, &str), CliError> {
        match (&self.method, &self.url) {
            (Some(method), Some(url)) => Ok((method, url)),
            // clap requires both wherever a command reads them; keep the check anyway.
            _ => Err(usage("--method and --url are required")),
        }
    }

    /// The request `--method` and `--url` describe; a refusal names the flag at fault.
    pub(crate) fn request(&self) -> Result<Request, CliError> {
        let (method, url) = self.method_and_url()?;
        Request::new(method, url).map_err(|e| match e {
            RequestError::BadMethod(_) => usage(format!("--method: {e}")),
            _ => usage(format!("--url: {e}")),
        })
    }
}

/// The request a command describes: `--method`, `--url` (query included) and the decoded
/// form body, one `--form NAME=VALUE` per parameter. No `Debug`: a form value may be a
/// secret.
#[derive(Args)]
pub(crate) struct RequestArgs {
    /// Method and URL.
    #[command(flatten)]
    pub(crate) target: TargetArgs,

    /// One decoded parameter of an application/x-www-form-urlencoded body, split at the
    /// first '='; repeat in body order.
    #[arg(long = "form", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub(crate) form: Vec<String>,
}

impl RequestArgs {
    /// `--method` and `--url`, as given.
    pub(crate) fn method_and_url(&self) -> Result<(&str, &str), CliError> {
        self.target.method_and_url()
    }

    /// The request `--method` and `--url` describe (without the form).
    pub(crate) fn request(&self) -> Result<Request, CliError> {
        self.target.request()
    }

    /// Each `--form NAME=VALUE` split at its first `=`, in order.
    pub(crate) fn form_pairs(&self) -> Result<Vec<(&str, &str)>, CliError> {
        self.form
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                // The value may be a secret (a password in a form body): name the position.
                pair.split_once('=').ok_or_else(|| {
                    usage(format!("--form #{} has no '=': expected NAME=VALUE", i + 1))
                })
            })
            .collect()
    }
}

/// Makes `--method` and `--url` required and words the request flags' help for the
/// provider's side: applied with `mut_args` by each `verify` command, which keeps clap's
/// order of flags (`mut_arg` would move them last, and the "not provided" and usage lines
/// with them).
pub(crate) fn received_request(arg: Arg) -> Arg {
    match arg.get_id().as_str() {
        "method" => arg
            .required(true)
            .help("HTTP method of the received request"),
        "url" => arg
            .required(true)
            .help("Full URL as the provider is reached (scheme, host, port), query included"),
        "form" => arg.help(
            "One decoded parameter of the application/x-www-form-urlencoded body, split at \
             the first '='; repeat in body order",
        ),
        _ => arg,
    }
}

/// Refuses an `--authorization` value that starts with the header's name: the flag takes
/// the value only. `example` shows what the value looks like (`"OAuth …"`).
pub(crate) fn check_header_value(value: &str, example: &str) -> Result<(), CliError> {
    let name = value.get(..14);
    if name.is_some_and(|n| n.eq_ignore_ascii_case("authorization:")) {
        return Err(usage(format!(
            "--authorization takes the header value ({example}), without \"Authorization:\""
        )));
    }
    Ok(())
}

/// The provider's clock: `--now` pins it, else the system clock.
pub(crate) fn clock(now: Option<u64>) -> Arc<dyn Clock> {
    match now {
        Some(now) => Arc::new(FixedClock::new(now)),
        None => Arc::new(SystemClock),
    }
}

/// Reads the `--rsa-key` private key file of a signing command; an unreadable or bad key
/// is a failure (1), not a usage error.
pub(crate) fn read_signing_key(path: &Path) -> Result<RsaSigningKey, CliError> {
    read_rsa_pem(
        path,
        "--rsa-key",
        "a PEM private key",
        RsaSigningKey::from_pem,
    )
    .map_err(CliError::Failed)
}

/// Reads the `--rsa-cert` public key or certificate file of a verifying command; an
/// unreadable or bad one is a usage error (2).
pub(crate) fn read_verifying_key(path: &Path) -> Result<RsaVerifyingKey, CliError> {
    let what = "a PEM public key or X.509 certificate";
    read_rsa_pem(path, "--rsa-cert", what, RsaVerifyingKey::from_pem).map_err(CliError::Usage)
}

/// Reads the RSA key or certificate in the PEM file `path`, given with `flag`, and parses it
/// with `parse` (`RsaSigningKey::from_pem`, `RsaVerifyingKey::from_pem`). `expected` says
/// what the file should hold. The message names the flag and the path, never the contents;
/// the caller decides which [`CliError`] it is.
///
/// Not the library's `from_pem_file`: its errors do not name the flag, and these messages
/// are part of the command-line contract.
pub(crate) fn read_rsa_pem<K>(
    path: &Path,
    flag: &str,
    expected: &str,
    parse: impl FnOnce(&str) -> Result<K, KeyError>,
) -> Result<K, String> {
    let pem = read_pem_file(path, flag, expected)?;
    parse(&pem).map_err(|e| format!("{flag} {}: {e}", path.display()))
}

/// Reads a PEM file as text, refusing anything over the library's [`MAX_KEY_FILE_BYTES`]
/// rather than truncating it (`--rsa-key /dev/zero` must not eat memory). The text is
/// zeroized when dropped.
fn read_pem_file(path: &Path, flag: &str, expected: &str) -> Result<Zeroizing<String>, String> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| format!("cannot read {flag} file {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_KEY_FILE_BYTES {
        return Err(format!(
            "{flag} file {} is larger than {MAX_KEY_FILE_BYTES} bytes: not {expected}",
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

/// One JSON object on one line: a command's `--json` answer.
pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string(value).map_err(|e| CliError::Failed(format!("JSON output: {e}")))
}

/// A refused command line (exit status 2).
pub(crate) fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

/// A failure of the work itself (exit status 1), shown as `e` displays.
pub(crate) fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}
