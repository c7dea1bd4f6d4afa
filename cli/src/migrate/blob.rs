//! `gdauth migrate blob`: one PY2 token blob (`gauth.token_to_blob`) from stdin to one
//! JSON document ([`gdata_auth::legacy::LegacyToken`]'s serde form, tagged by `kind`).
//!
//! The blob holds secrets, so it comes on stdin, never on the command line; the input is
//! wiped after reading. One trailing `\n` or `\r\n` is dropped; anything else that is not
//! a blob (an unknown marker, a wrong field count, a bad escape, a second line) is an
//! `error:` line on stderr and exit status 1.

use std::io::Read as _;

use gdata_auth::legacy::from_blob;
use zeroize::Zeroizing;

use crate::args::{failed, to_json};
use crate::CliError;

/// The largest blob read: a blob with an RSA key in it fits many times over.
const MAX_BLOB: u64 = 64 * 1024;

pub(crate) fn run() -> Result<String, CliError> {
    let mut input = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(MAX_BLOB + 1)
        .read_to_end(&mut input)
        .map_err(|e| failed(format!("cannot read the blob from stdin: {e}")))?;
    if input.len() as u64 > MAX_BLOB {
        return Err(failed(format!(
            "the blob on stdin is over {MAX_BLOB} bytes"
        )));
    }
    let text =
        std::str::from_utf8(&input).map_err(|_| failed("the blob on stdin is not UTF-8 text"))?;
    let blob = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if blob.contains(['\n', '\r']) {
        return Err(failed(
            "stdin holds more than one line; give one token blob (gauth.token_to_blob)",
        ));
    }
    let token = from_blob(blob).map_err(failed)?;
    to_json(&token)
}
