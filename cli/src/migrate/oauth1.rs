//! `gdauth migrate oauth1`: exchanges an OAuth 1.0 access token for an OAuth 2.0 grant
//! with the migration grant (PROTOCOLS.md §4), and prints the new token as one JSON
//! document in this crate's token format (`{"kind":"oauth2",…}`, what a
//! `gdata_auth::store::TokenStore` keeps).
//!
//! The OAuth 1.0 token is not touched: it stays usable whatever happens, and is revoked
//! only by the caller, after the new grant is stored (SECURITY.md §4). A refused exchange
//! is one `error:` line naming the token endpoint's error code.

use std::path::PathBuf;

use clap::Args;
use gdata_auth::clock::{Clock as _, SystemClock};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::oauth2::migration::migrate;
use gdata_auth::oauth2::{ClientCredentials, ClientSecret};
use gdata_auth::transport::ReqwestBlockingTransport;
use gdata_auth::{ConsumerSecret, Context, TokenSecret};

use crate::args::{failed, read_signing_key, to_json, usage};
use crate::CliError;

/// Flags of `gdauth migrate oauth1`. No `Debug`: they hold secrets.
#[derive(Args)]
pub(crate) struct OAuth1Args {
    /// The OAuth 1.0 consumer key (oauth_consumer_key).
    #[arg(long, value_name = "K")]
    consumer_key: String,

    /// The consumer secret (HMAC-SHA1).
    #[arg(
        long,
        value_name = "S",
        allow_hyphen_values = true,
        conflicts_with = "rsa_key",
        required_unless_present = "rsa_key"
    )]
    consumer_secret: Option<String>,

    /// PEM file with the consumer's RSA private key (PKCS#1 or PKCS#8), for RSA-SHA1.
    #[arg(long, value_name = "PEM_FILE")]
    rsa_key: Option<PathBuf>,

    /// The OAuth 1.0 access token (oauth_token).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    token: String,

    /// The access token's secret.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    token_secret: String,

    /// The OAuth 2.0 client ID.
    #[arg(long, value_name = "ID")]
    client_id: String,

    /// The OAuth 2.0 client secret.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    client_secret: String,

    /// Base URL of the token endpoint; /o/oauth2/token is appended
    /// [default: https://accounts.google.com].
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
}

pub(crate) fn run(args: OAuth1Args) -> Result<String, CliError> {
    let consumer = match (&args.consumer_secret, &args.rsa_key) {
        (Some(secret), None) => OAuth1Authorizer::hmac_sha1(
            args.consumer_key.clone(),
            ConsumerSecret::new(secret.as_str()),
        ),
        (None, Some(path)) => {
            OAuth1Authorizer::rsa_sha1(args.consumer_key.clone(), read_signing_key(path)?)
        }
        _ => return Err(usage("give one of --consumer-secret and --rsa-key")),
    };
    let old = consumer.with_token(
        args.token.as_str(),
        TokenSecret::new(args.token_secret.as_str()),
    );
    let endpoints = match &args.endpoint {
        Some(url) => Endpoints::at(url).map_err(|e| usage(format!("--endpoint: {e}")))?,
        None => Endpoints::google(),
    };
    let client = ClientCredentials::new(
        args.client_id.as_str(),
        ClientSecret::new(args.client_secret.as_str()),
    );
    let http = ReqwestBlockingTransport::new().map_err(failed)?;
    let grant = migrate(
        &endpoints,
        &client,
        &old,
        &[],
        &Context::now(),
        SystemClock.now_unix(),
    )
    .send_blocking(&http)
    .map_err(|e| {
        failed(format!(
            "migration refused; the OAuth 1.0 token is unchanged: {e}"
        ))
    })?;
    to_json(&grant.to_stored())
}
