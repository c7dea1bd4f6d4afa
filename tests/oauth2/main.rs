//! OAuth 2.0: the token response table (every size limit at and over the edge, malformed
//! `expires_in`, missing fields, unknown fields), error classification, the token source
//! (one refresh for many concurrent callers, refresh before expiry, one refresh and one
//! retry on a 401, persistence) over closure transports; and over loopback against the
//! emulator, migration → refresh → bearer fetch with the old token kept working.

#[path = "../support/mod.rs"]
mod support;

mod emulator_flows;
mod errors;
mod flows;
mod loopback;
mod responses;
mod source;

use gdata_auth::transport::HttpResponse;

/// A 200 JSON answer.
pub fn json(body: &str) -> HttpResponse {
    HttpResponse::new(200, body.to_owned()).with_header("Content-Type", "application/json")
}
