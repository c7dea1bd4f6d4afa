//! The OAuth 2.0 section of `gdauth demo`: an OAuth 1.0 access token exchanged for an
//! OAuth 2.0 grant with the migration grant (PROTOCOLS.md §4), a refresh, bearer feed
//! fetches in and out of the grant's scopes (and a token in the URL, refused), and the old
//! token, still working after the migration, revoked last. Tokens are printed cut short.

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::{flow as oauth1_flow, Callback, OAuth1Authorizer, RequestTokenOptions};
use gdata_auth::oauth2::migration::{parse_migration, prepare_migration};
use gdata_auth::oauth2::{flow, BearerAuthorizer, ClientCredentials, ClientSecret};
use gdata_auth::transport::HttpRequest;
use gdata_auth::{ConsumerSecret, Context};

use super::oauth1::{approve_form, extract_verifier, scope, CALENDAR, HMAC_KEY, HMAC_SECRET};
use super::{failed, Demo, Section};
use crate::CliError;

/// The demo's OAuth 2.0 client.
const CLIENT_ID: &str = "demo.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "demo-oauth2-client-secret";

/// The OAuth 2.0 entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

/// Registers the OAuth 2.0 client (the HMAC consumer is the OAuth 1.0 section's).
fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    Ok(config.add_oauth2_client(CLIENT_ID, CLIENT_SECRET))
}

/// Bearer tokens (`ya29.…`), refresh tokens (`1//…`), authorization codes (`4/…`) and
/// device codes (`AH-…`) cut to a few characters.
pub(super) fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let next = ["ya29.", "1//", "4/", "4%2F", "AH-"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + len]);
        let token = &rest[i + len..];
        let end = token
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/".contains(c)))
            .unwrap_or(token.len());
        out.push_str(&token[..end.min(6)]);
        out.push('…');
        rest = &token[end..];
    }
}

/// Runs the OAuth 2.0 steps.
fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    let consumer = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));
    let calendar = format!("{}/calendar/feeds/default/private/full", demo.base);
    let contacts = format!("{}/m8/feeds/contacts/default/full", demo.base);

    demo.heading("OAuth 1.0 → 2.0: the migration grant");
    let options = RequestTokenOptions::new([scope(CALENDAR)?], Callback::Oob);
    demo.step("An application holds an OAuth 1.0 access token (calendar scope): the dance, oob");
    let token = oauth1_flow::request_token(demo.endpoints, &consumer, &options, &Context::now())
        .send_blocking(demo.http)
        .map_err(|e| failed("request token", e))?;
    let page = demo.exchange("The user approves", approve_form(demo, &token)?)?;
    let verifier = extract_verifier(page.body_text().unwrap_or_default())
        .ok_or_else(|| CliError::Failed("no verifier on the oob page".into()))?;
    let authorized = token
        .with_verifier(&verifier)
        .map_err(|e| failed("verifier", e))?;
    let access = oauth1_flow::access_token(demo.endpoints, &consumer, &authorized, &Context::now())
        .send_blocking(demo.http)
        .map_err(|e| failed("access token", e))?;
    demo.meaning(&format!("OAuth 1.0 access token {}", access.token()));
    let old = access.authorizer(&consumer);

    let req = prepare_migration(demo.endpoints, &client, &old, &[], &Context::now())
        .map_err(|e| failed("migration request", e))?;
    let resp = demo.exchange_shown(
        "POST /o/oauth2/token, grant_type=urn:ietf:params:oauth:grant-type:migration:oauth1, \
         signed with the OAuth 1.0 consumer and token",
        req,
        redact,
    )?;
    let now = gdata_auth::clock::Clock::now_unix(&gdata_auth::clock::SystemClock);
    let grant = parse_migration(resp, CLIENT_ID, now).map_err(|e| failed("migration", e))?;
    demo.meaning(&format!(
        "an OAuth 2.0 refresh token for the same scopes ({}); store it before anything else",
        grant.scopes.join(" ")
    ));
    demo.fetch(
        "The OAuth 1.0 token still reads the calendar after the migration",
        &old,
        &calendar,
        200,
    )?;

    demo.heading("OAuth 2.0: refresh, and bearer requests to the feeds");
    let refresh_token = grant
        .refresh_token
        .clone()
        .ok_or_else(|| CliError::Failed("the migration brought no refresh token".into()))?;
    let req = flow::prepare_refresh(demo.endpoints, &client, &refresh_token)
        .map_err(|e| failed("refresh request", e))?;
    let resp = demo.exchange_shown(
        "POST /o/oauth2/token, grant_type=refresh_token",
        req,
        redact,
    )?;
    let fresh = flow::parse_refresh(resp).map_err(|e| failed("refresh", e))?;
    demo.meaning(&format!(
        "a new access token, valid {} s",
        fresh.expires_in.unwrap_or_default()
    ));
    let bearer =
        BearerAuthorizer::new(fresh.access_token.clone()).map_err(|e| failed("bearer", e))?;
    fetch_bearer(
        demo,
        "Fetch the calendar feed with Authorization: Bearer",
        &bearer,
        &calendar,
        200,
    )?;
    fetch_bearer(
        demo,
        "Fetch the contacts feed: outside the grant's scopes",
        &bearer,
        &contacts,
        403,
    )?;
    let in_url = HttpRequest::get(format!(
        "{calendar}?access_token={}",
        fresh.access_token.secret()
    ));
    let resp = demo.exchange_shown(
        "The same token as an access_token query parameter (the library never sends this)",
        in_url,
        redact,
    )?;
    demo.expect(resp, 401)?;

    demo.heading("Retiring the OAuth 1.0 token, after the new grant is stored");
    let req = oauth1_flow::prepare_revoke(demo.endpoints, &consumer, &access, &Context::now())
        .map_err(|e| failed("revoke", e))?;
    let resp = demo.exchange("Revoke the OAuth 1.0 token (AuthSubRevokeToken)", req)?;
    oauth1_flow::parse_revoke(&resp).map_err(|e| failed("revoke", e))?;
    demo.meaning("revoked, only now that the migration has succeeded");
    demo.fetch("The OAuth 1.0 token is refused", &old, &calendar, 401)?;
    fetch_bearer(
        demo,
        "The OAuth 2.0 grant lives on",
        &bearer,
        &calendar,
        200,
    )
}

/// A GET with the bearer header, printed with the token cut short.
pub(super) fn fetch_bearer(
    demo: &mut Demo<'_>,
    title: &str,
    bearer: &BearerAuthorizer,
    url: &str,
    want: u16,
) -> Result<(), CliError> {
    let req = HttpRequest::get(url).with_authorization(&bearer.authorization());
    let resp = demo.exchange_shown(title, req, redact)?;
    demo.expect(resp, want)
}
