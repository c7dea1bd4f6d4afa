//! The token endpoint's steps as pure `prepare_*` / `parse_*` pairs joined into
//! [`Call`]s: refresh (`grant_type=refresh_token`, RFC 6749 §6) and revocation (RFC 7009,
//! Google's `…/o/oauth2/revoke`), with the client authenticated by HTTP Basic or in the body
//! (RFC 6749 §2.3.1); and a resource's 401 read as a token to refresh (RFC 6750 §3.1).

use base64::Engine as _;
use zeroize::Zeroizing;

use super::error::{InputError, OAuth2Error};
use super::response::{parse_error_response, parse_token_response};
use super::types::{check_token, ClientAuth, ClientCredentials, RefreshToken, TokenResponse};
use super::TokenKind;
use crate::call::Call;
use crate::encoding;
use crate::endpoints::Endpoints;
use crate::transport::{HttpRequest, HttpResponse};

/// Adds the client's authentication to a token endpoint request: `client_id` and
/// `client_secret` appended to `form`, or an `Authorization: Basic` header whose user and
/// password are form-encoded first (RFC 6749 §2.3.1).
pub fn authenticate_client<'a>(
    client: &'a ClientCredentials,
    url: &str,
    mut form: Vec<(&'a str, &'a str)>,
) -> Result<HttpRequest, OAuth2Error> {
    if client.id().is_empty() || client.secret().secret().chars().any(char::is_control) {
        return Err(OAuth2Error::InvalidInput(InputError::BadClient));
    }
    match client.auth() {
        ClientAuth::Body => {
            // Borrowed: the secrets are copied once, into the request's body.
            form.push(("client_id", client.id()));
            form.push(("client_secret", client.secret().secret()));
            Ok(post_form(url, &form))
        }
        ClientAuth::Basic => {
            // `enc(id):enc(secret)`, then Base64, each in memory wiped on drop.
            let mut pair = Zeroizing::new(String::new());
            encoding::encode_into(&mut pair, client.id());
            pair.push(':');
            encoding::encode_into(&mut pair, client.secret().secret());
            let mut value = Zeroizing::new(String::from("Basic "));
            base64::engine::general_purpose::STANDARD.encode_string(pair.as_bytes(), &mut value);
            Ok(post_form(url, &form).header("Authorization", value.as_str()))
        }
    }
}

fn post_form(url: &str, form: &[(&str, &str)]) -> HttpRequest {
    HttpRequest::post_form(url, form).header("Accept", "application/json")
}

/// `POST …/o/oauth2/token` with `grant_type=refresh_token&refresh_token=…` (RFC 6749 §6,
/// PROTOCOLS.md §5 `_refresh`).
pub fn prepare_refresh(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    refresh_token: &RefreshToken,
) -> Result<HttpRequest, OAuth2Error> {
    check_token(TokenKind::RefreshToken, refresh_token.secret())?;
    authenticate_client(
        client,
        endpoints.oauth2_token(),
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.secret()),
        ],
    )
}

/// Reads a refresh answer ([`parse_token_response`]); the answer may omit
/// `refresh_token`, and then the old one stays valid.
pub fn parse_refresh(response: HttpResponse) -> Result<TokenResponse, OAuth2Error> {
    parse_token_response(response)
}

/// [`prepare_refresh`] and [`parse_refresh`] as one step.
pub fn refresh(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    refresh_token: &RefreshToken,
) -> Call<TokenResponse, OAuth2Error> {
    Call::new(
        prepare_refresh(endpoints, client, refresh_token),
        parse_refresh,
    )
}

/// A token to revoke: an access or a refresh token (revoking a refresh token ends the
/// grant).
#[derive(Debug, Clone, Copy)]
pub enum Revocable<'a> {
    /// An access token.
    Access(&'a super::AccessToken),
    /// A refresh token.
    Refresh(&'a RefreshToken),
}

impl Revocable<'_> {
    fn checked(&self) -> Result<&str, OAuth2Error> {
        let (kind, value) = match self {
            Self::Access(t) => (TokenKind::AccessToken, t.secret()),
            Self::Refresh(t) => (TokenKind::RefreshToken, t.secret()),
        };
        check_token(kind, value)?;
        Ok(value)
    }
}

/// `POST …/o/oauth2/revoke` with `token=…` in the form body (RFC 7009 §2.1), never in
/// the URL (SECURITY.md §4).
pub fn prepare_revoke(
    endpoints: &Endpoints,
    token: Revocable<'_>,
) -> Result<HttpRequest, OAuth2Error> {
    let value = token.checked()?;
    Ok(post_form(endpoints.oauth2_revoke(), &[("token", value)]))
}

/// Reads a revocation answer: 200 is done; an error is read as the token endpoint's.
pub fn parse_revoke(response: HttpResponse) -> Result<(), OAuth2Error> {
    if response.status == 200 {
        Ok(())
    } else {
        Err(parse_error_response(&response))
    }
}

/// [`prepare_revoke`] and [`parse_revoke`] as one step.
pub fn revoke(endpoints: &Endpoints, token: Revocable<'_>) -> Call<(), OAuth2Error> {
    Call::new(prepare_revoke(endpoints, token), parse_revoke)
}

/// Whether a resource's answer says the access token is no longer good, so one refresh
/// and one retry may help (RFC 6750 §3.1, SECURITY.md §4): HTTP 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"`, or a 401 without a Bearer error
/// (a feed that names none). `insufficient_scope` and other errors are not.
pub fn is_invalid_token(response: &HttpResponse) -> bool {
    if response.status != 401 {
        return false;
    }
    let Some(challenge) = response.header("WWW-Authenticate") else {
        return true;
    };
    let challenge = challenge.trim_start();
    match challenge.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer") => {
            bearer_error(&challenge[6..]).is_none_or(|e| e == "invalid_token")
        }
        // Another scheme's challenge: the bearer token was not read as one.
        _ => true,
    }
}

/// The `error` parameter of a Bearer challenge's `auth-param`s.
fn bearer_error(params: &str) -> Option<String> {
    params.split(',').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("error"))
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::ClientSecret;

    fn client(auth: ClientAuth) -> ClientCredentials {
        ClientCredentials::new("id 1", ClientSecret::new("s:é")).with_auth(auth)
    }

    #[test]
    fn refresh_in_the_body() {
        let e = Endpoints::google();
        let req =
            prepare_refresh(&e, &client(ClientAuth::Body), &RefreshToken::new("1/r")).unwrap();
        assert_eq!(req.url, "https://accounts.google.com/o/oauth2/token");
        assert_eq!(
            String::from_utf8(req.body.clone()).unwrap(),
            "grant_type=refresh_token&refresh_token=1%2Fr&client_id=id%201&client_secret=s%3A%C3%A9"
        );
        assert_eq!(req.header_value("Authorization"), None);
    }

    #[test]
    fn refresh_with_basic() {
        let e = Endpoints::google();
        let req =
            prepare_refresh(&e, &client(ClientAuth::Basic), &RefreshToken::new("1/r")).unwrap();
        assert_eq!(
            String::from_utf8(req.body.clone()).unwrap(),
            "grant_type=refresh_token&refresh_token=1%2Fr"
        );
        let want = base64::engine::general_purpose::STANDARD.encode("id%201:s%3A%C3%A9");
        assert_eq!(
            req.header_value("Authorization"),
            Some(format!("Basic {want}").as_str())
        );
    }

    #[test]
    fn revoke_puts_the_token_in_the_body() {
        let req = prepare_revoke(
            &Endpoints::google(),
            Revocable::Refresh(&RefreshToken::new("1/r")),
        )
        .unwrap();
        assert_eq!(req.url, "https://accounts.google.com/o/oauth2/revoke");
        assert_eq!(req.body, b"token=1%2Fr");
    }

    #[test]
    fn invalid_token_challenges() {
        let r = |status, h: Option<&str>| {
            let resp = HttpResponse::new(status, "");
            match h {
                Some(h) => resp.with_header("WWW-Authenticate", h),
                None => resp,
            }
        };
        assert!(is_invalid_token(&r(401, None)));
        assert!(is_invalid_token(&r(
            401,
            Some("Bearer realm=\"x\", error=\"invalid_token\"")
        )));
        assert!(is_invalid_token(&r(401, Some("Bearer realm=\"x\""))));
        assert!(!is_invalid_token(&r(
            401,
            Some("Bearer error=\"insufficient_scope\"")
        )));
        assert!(!is_invalid_token(&r(403, None)));
        assert!(!is_invalid_token(&r(200, None)));
    }
}
