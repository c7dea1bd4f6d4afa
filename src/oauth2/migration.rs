//! The OAuth 1.0 → 2.0 token exchange (PROTOCOLS.md §4): `POST …/o/oauth2/token` with
//! `grant_type=urn:ietf:params:oauth:grant-type:migration:oauth1`, `client_id`,
//! `client_secret` (and optionally `scope`), the whole request signed as an OAuth 1.0
//! request with the old consumer and access token (`Authorization: OAuth …`, the form
//! fields in the base string); the answer is JSON carrying a `refresh_token`.
//!
//! Nothing is lost on failure: the exchange changes nothing on this side, so the old
//! credential stays as it was, usable, until the caller has stored the new grant
//! (SECURITY.md §4). Revoking the old token is a separate step, the caller's, after that.

use super::error::{InputError, Malformed, OAuth2Error, TokenKind};
use super::response::{check_access, read_raw, scope_list};
use super::types::{check_token, ClientCredentials, OAuth2Token};
use crate::authorizer::Authorizer;
use crate::call::Call;
use crate::endpoints::Endpoints;
use crate::oauth1::OAuth1Authorizer;
use crate::request::{Context, Request};
use crate::scope::Scope;
use crate::transport::{HttpRequest, HttpResponse};

/// The migration grant type (PROTOCOLS.md §4).
pub const MIGRATION_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:migration:oauth1";

/// The migration request, signed by `old` (an OAuth 1.0 authorizer holding the consumer
/// and the access token) with `ctx`'s timestamp and nonce. `scopes`, when not empty, is
/// sent as `scope` (space-separated).
pub fn prepare_migration(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    old: &OAuth1Authorizer,
    scopes: &[Scope],
    ctx: &Context,
) -> Result<HttpRequest, OAuth2Error> {
    if client.id().is_empty() {
        return Err(OAuth2Error::InvalidInput(InputError::BadClient));
    }
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", MIGRATION_GRANT_TYPE),
        ("client_id", client.id()),
        ("client_secret", client.secret().secret()),
    ];
    let scope = Scope::join(scopes);
    if !scope.is_empty() {
        form.push(("scope", &scope));
    }
    let request = Request::new("POST", endpoints.oauth2_token())
        .map_err(|_| OAuth2Error::InvalidInput(InputError::BadEndpoint))?
        .with_form(form);
    let authorization = old.authorize(&request, ctx)?;
    Ok(HttpRequest::from_request(&request)
        .with_authorization(&authorization)
        .header("Accept", "application/json"))
}

/// Reads the migration answer into the new grant for `client_id`, as of `now`: a
/// `refresh_token` is required (≤ 512 bytes); an `access_token`, when present, is checked
/// like any token answer's (`token_type` Bearer, ≤ 2048 bytes, `expires_in` whole seconds).
pub fn parse_migration(
    response: HttpResponse,
    client_id: &str,
    now: u64,
) -> Result<OAuth2Token, OAuth2Error> {
    let raw = read_raw(&response)?;
    let refresh = raw
        .refresh_token
        .ok_or(OAuth2Error::Malformed(Malformed::MissingField(
            "refresh_token",
        )))?;
    check_token(TokenKind::RefreshToken, refresh.secret())?;
    let mut token = OAuth2Token::from_refresh_token(client_id, refresh);
    if let Some(scope) = raw.scope {
        token.scopes = scope_list(&scope)?;
    }
    if raw.access_token.is_some() {
        // Checked like any token answer's.
        let (access, expires_in) =
            check_access(raw.access_token, raw.token_type.as_deref(), raw.expires_in)?;
        token = token.with_access_token(access, expires_in.map(|s| now.saturating_add(s)));
    }
    Ok(token)
}

/// [`prepare_migration`] and [`parse_migration`] as one step.
pub fn migrate(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    old: &OAuth1Authorizer,
    scopes: &[Scope],
    ctx: &Context,
    now: u64,
) -> Call<OAuth2Token, OAuth2Error> {
    let client_id = client.id().to_owned();
    Call::new(
        prepare_migration(endpoints, client, old, scopes, ctx),
        move |response| parse_migration(response, &client_id, now),
    )
}
