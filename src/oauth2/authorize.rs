//! The authorization-code flow (RFC 6749 §4.1) as Google serves it to web servers (which
//! it replaces AuthSub and OAuth 1.0 web apps with) and installed apps (with PKCE and a
//! loopback redirect, replacing ClientLogin): the authorization URL with Google's
//! parameters, the redirect read back with its `state` checked, and the code exchanged at
//! the token endpoint.
//!
//! ```text
//! let (url, pending) = AuthorizationRequest::new(client_id, redirect_uri, scopes)
//!     .offline()
//!     .start(&endpoints)?;              // send the user to `url`
//! let code = pending.read_redirect(q)?; // the redirect's query: state checked here
//! let token = pending.exchange(&endpoints, &client, code).send(&http).await?;
//! ```

use super::error::{EndpointError, ErrorCode, InputError, Malformed, OAuth2Error};
use super::flow::authenticate_client;
use super::pkce::{PkceChallenge, PkceVerifier};
use super::response::{description, is_scope_token, parse_token_response};
use super::types::{check_token, AuthorizationCode, ClientCredentials, TokenResponse};
use super::TokenKind;
use crate::call::Call;
use crate::clock::random_hex;
use crate::encoding::{query_part, url_with_query, Form};
use crate::endpoints::Endpoints;
use crate::secret::{ct_eq, secret_string};
use crate::transport::HttpRequest;

secret_string!(
    /// The `state` of an authorization request (RFC 6749 §10.12): an unguessable value
    /// bound to this flow, which the redirect must bring back unchanged.
    AuthState
);

/// `access_type` (Google): whether the code may be exchanged for a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessType {
    /// `online`: an access token only.
    Online,
    /// `offline`: also a refresh token, so the app can act while the user is away.
    Offline,
}

/// `prompt` (Google, OpenID Connect): what the consent page must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prompt {
    /// `none`: no page at all; an error when the user would have to act.
    None,
    /// `consent`: ask again even for scopes granted before (a new refresh token).
    Consent,
    /// `select_account`: let the user pick an account.
    SelectAccount,
}

impl Prompt {
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Consent => "consent",
            Self::SelectAccount => "select_account",
        }
    }
}

/// An authorization request (RFC 6749 §4.1.1) with Google's parameters. PKCE (S256) is on
/// unless [`Self::dangerous_without_pkce`] turns it off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    access_type: Option<AccessType>,
    include_granted_scopes: bool,
    prompts: Vec<Prompt>,
    login_hint: Option<String>,
    hosted_domain: Option<String>,
    pkce: bool,
}

impl AuthorizationRequest {
    /// Asks `client_id`'s user for `scopes`, redirecting back to `redirect_uri`.
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            access_type: None,
            include_granted_scopes: false,
            prompts: Vec::new(),
            login_hint: None,
            hosted_domain: None,
            pkce: true,
        }
    }

    /// `access_type=offline`: the code also brings a refresh token.
    pub fn offline(mut self) -> Self {
        self.access_type = Some(AccessType::Offline);
        self
    }

    /// Sets `access_type`.
    pub fn with_access_type(mut self, access_type: AccessType) -> Self {
        self.access_type = Some(access_type);
        self
    }

    /// `include_granted_scopes=true`: incremental authorization, the new grant also
    /// carries the scopes this user granted this client before.
    pub fn include_granted_scopes(mut self) -> Self {
        self.include_granted_scopes = true;
        self
    }

    /// Adds a `prompt` value (several are sent space-separated).
    pub fn with_prompt(mut self, prompt: Prompt) -> Self {
        if !self.prompts.contains(&prompt) {
            self.prompts.push(prompt);
        }
        self
    }

    /// `login_hint`: the email (or `sub`) to pre-fill on the sign-in page.
    pub fn with_login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// `hd`: the Google Workspace domain the account should belong to. A hint only: the
    /// server does not enforce it, so check the signed-in account yourself.
    pub fn with_hosted_domain(mut self, domain: impl Into<String>) -> Self {
        self.hosted_domain = Some(domain.into());
        self
    }

    /// Turns PKCE off. RFC 7636 and Google recommend it for every client, and it is
    /// required where the client secret cannot be kept (installed apps); only a
    /// confidential web server talking to a server without PKCE needs this.
    pub fn dangerous_without_pkce(mut self) -> Self {
        self.pkce = false;
        self
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Starts the flow with a fresh random `state` (128 bits) and PKCE verifier: the URL to
    /// send the user to, and what to keep until the redirect.
    pub fn start(
        &self,
        endpoints: &Endpoints,
    ) -> Result<(String, PendingAuthorization), OAuth2Error> {
        let verifier = self.pkce.then(PkceVerifier::random);
        self.start_with(endpoints, AuthState::new(random_hex(16)), verifier)
    }

    /// [`Self::start`] with a given `state` and verifier (tests pin them). A `None`
    /// verifier sends no PKCE challenge.
    pub fn start_with(
        &self,
        endpoints: &Endpoints,
        state: AuthState,
        verifier: Option<PkceVerifier>,
    ) -> Result<(String, PendingAuthorization), OAuth2Error> {
        if self.client_id.is_empty() || self.client_id.chars().any(char::is_control) {
            return Err(OAuth2Error::InvalidInput(InputError::BadClient));
        }
        check_redirect_uri(&self.redirect_uri)?;
        let scope = scope_param(&self.scopes)?;
        let challenge: Option<PkceChallenge> = verifier.as_ref().map(PkceVerifier::challenge);
        let prompt = self
            .prompts
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut pairs: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &scope),
            ("state", state.secret()),
        ];
        if let Some(c) = &challenge {
            pairs.push(("code_challenge", c.as_str()));
            pairs.push(("code_challenge_method", PkceChallenge::METHOD));
        }
        match self.access_type {
            Some(AccessType::Offline) => pairs.push(("access_type", "offline")),
            Some(AccessType::Online) => pairs.push(("access_type", "online")),
            None => {}
        }
        if self.include_granted_scopes {
            pairs.push(("include_granted_scopes", "true"));
        }
        if !prompt.is_empty() {
            pairs.push(("prompt", &prompt));
        }
        if let Some(h) = &self.login_hint {
            pairs.push(("login_hint", h));
        }
        if let Some(d) = &self.hosted_domain {
            pairs.push(("hd", d));
        }
        let url = url_with_query(endpoints.oauth2_auth(), &pairs);
        Ok((
            url,
            PendingAuthorization {
                state,
                verifier,
                redirect_uri: self.redirect_uri.clone(),
                scopes: self.scopes.clone(),
            },
        ))
    }
}

/// RFC 6749 §3.1.2: an absolute URI without a fragment; this crate sends `http(s)` ones.
fn check_redirect_uri(uri: &str) -> Result<(), OAuth2Error> {
    let ok = url::Url::parse(uri).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.fragment().is_none()
    });
    if ok {
        Ok(())
    } else {
        Err(OAuth2Error::InvalidInput(InputError::BadRedirectUri))
    }
}

/// The `scope` parameter: at least one scope, each RFC 6749 §3.3's `scope-token`.
pub(super) fn scope_param(scopes: &[String]) -> Result<String, OAuth2Error> {
    if scopes.is_empty() || !scopes.iter().all(|s| is_scope_token(s)) {
        return Err(OAuth2Error::InvalidInput(InputError::BadScope));
    }
    Ok(scopes.join(" "))
}

/// What a started flow keeps until the redirect comes back: its `state`, its PKCE
/// verifier, its `redirect_uri` (sent again with the code). Single use, so not `Clone`.
#[derive(Debug)]
pub struct PendingAuthorization {
    state: AuthState,
    verifier: Option<PkceVerifier>,
    redirect_uri: String,
    scopes: Vec<String>,
}

impl PendingAuthorization {
    /// The `redirect_uri` of the request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The scopes asked for (compare with [`TokenResponse::missing_scopes`]).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Reads the redirect (its query, or the whole URL): the code, once `state` is the one
    /// sent (compared in constant time). An `error=access_denied` is
    /// [`OAuth2Error::AccessDenied`], another error [`OAuth2Error::AuthorizationRefused`]
    /// (RFC 6749 §4.1.2.1) — but only after `state` matched, so a forged redirect cannot
    /// even report an error. A parameter given twice is malformed.
    pub fn read_redirect(&self, url_or_query: &str) -> Result<AuthorizationCode, OAuth2Error> {
        let malformed = OAuth2Error::Malformed(Malformed::NotJson);
        let form = Form::parse(query_part(url_or_query)).map_err(|_| malformed.clone())?;
        let single = |name: &str| form.single(name).map_err(|_| malformed.clone());
        let state = single("state")?.ok_or(OAuth2Error::StateMismatch)?;
        if !ct_eq(state.as_bytes(), self.state.secret().as_bytes()) {
            return Err(OAuth2Error::StateMismatch);
        }
        if let Some(code) = single("error")? {
            let error = EndpointError {
                code: ErrorCode::parse(code),
                subtype: None,
                description: single("error_description")?.map(description),
                status: 302,
                retry_after: None,
            };
            return Err(match error.code {
                ErrorCode::AccessDenied => OAuth2Error::AccessDenied(error),
                _ => OAuth2Error::AuthorizationRefused(error),
            });
        }
        let code =
            single("code")?.ok_or(OAuth2Error::Malformed(Malformed::MissingField("code")))?;
        check_token(TokenKind::AuthorizationCode, code)?;
        Ok(AuthorizationCode::new(code))
    }

    /// Exchanges `code` at the token endpoint (RFC 6749 §4.1.3), with this flow's
    /// `redirect_uri` and PKCE verifier; consumes the flow (a code and a verifier are
    /// single use).
    pub fn exchange(
        self,
        endpoints: &Endpoints,
        client: &ClientCredentials,
        code: AuthorizationCode,
    ) -> Call<TokenResponse, OAuth2Error> {
        Call::new(
            prepare_code_exchange(
                endpoints,
                client,
                &code,
                &self.redirect_uri,
                self.verifier.as_ref(),
            ),
            parse_token_response,
        )
    }
}

/// `POST …/o/oauth2/token` with `grant_type=authorization_code`, `code`, `redirect_uri`
/// and, when PKCE was used, `code_verifier` (RFC 6749 §4.1.3, RFC 7636 §4.5).
pub fn prepare_code_exchange(
    endpoints: &Endpoints,
    client: &ClientCredentials,
    code: &AuthorizationCode,
    redirect_uri: &str,
    verifier: Option<&PkceVerifier>,
) -> Result<HttpRequest, OAuth2Error> {
    check_token(TokenKind::AuthorizationCode, code.secret())?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.secret()),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v.secret()));
    }
    authenticate_client(client, endpoints.oauth2_token(), form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::ClientSecret;

    fn pinned() -> (String, PendingAuthorization) {
        AuthorizationRequest::new(
            "cid.apps.googleusercontent.com",
            "http://127.0.0.1:8765/",
            ["https://www.googleapis.com/auth/calendar", "email"],
        )
        .offline()
        .include_granted_scopes()
        .with_prompt(Prompt::Consent)
        .with_login_hint("jo@example.com")
        .with_hosted_domain("example.com")
        .start_with(
            &Endpoints::google(),
            AuthState::new("st8"),
            Some(PkceVerifier::checked("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn the_url_carries_googles_parameters() {
        let (url, _) = pinned();
        assert_eq!(
            url,
            "https://accounts.google.com/o/oauth2/auth?response_type=code\
             &client_id=cid.apps.googleusercontent.com\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F\
             &scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar%20email\
             &state=st8\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
             &code_challenge_method=S256&access_type=offline&include_granted_scopes=true\
             &prompt=consent&login_hint=jo%40example.com&hd=example.com"
        );
    }

    #[test]
    fn the_redirect_is_read_only_with_its_state() {
        let (_, p) = pinned();
        let code = p
            .read_redirect("http://127.0.0.1:8765/?state=st8&code=4%2F0Abc&scope=email")
            .unwrap();
        assert_eq!(code.secret(), "4/0Abc");
        // RFC 6749 §10.12: a missing or other state is refused before anything else.
        for q in [
            "code=4%2F0Abc",
            "state=st9&code=x",
            "state=&code=x",
            "state=st8x&code=x",
        ] {
            assert_eq!(
                p.read_redirect(q).unwrap_err(),
                OAuth2Error::StateMismatch,
                "{q}"
            );
        }
        assert_eq!(
            p.read_redirect("state=st9&error=access_denied")
                .unwrap_err(),
            OAuth2Error::StateMismatch
        );
        assert!(matches!(
            p.read_redirect("state=st8&error=access_denied").unwrap_err(),
            OAuth2Error::AccessDenied(e) if e.code == ErrorCode::AccessDenied
        ));
        assert!(matches!(
            p.read_redirect("state=st8&error=invalid_scope&error_description=no").unwrap_err(),
            OAuth2Error::AuthorizationRefused(e) if e.description.as_deref() == Some("no")
        ));
        // A repeated parameter: the reader does not pick one.
        assert!(p.read_redirect("state=st8&code=a&code=b").is_err());
        assert!(p.read_redirect("state=st8&state=st8&code=a").is_err());
        assert_eq!(
            p.read_redirect("state=st8").unwrap_err(),
            OAuth2Error::Malformed(Malformed::MissingField("code"))
        );
        assert!(matches!(
            p.read_redirect(&format!("state=st8&code={}", "a".repeat(257))),
            Err(OAuth2Error::TokenTooLarge { .. })
        ));
    }

    #[test]
    fn the_exchange_sends_code_redirect_and_verifier() {
        let (_, p) = pinned();
        let client = ClientCredentials::new("cid", ClientSecret::new("sec"));
        let req = prepare_code_exchange(
            &Endpoints::google(),
            &client,
            &AuthorizationCode::new("4/0Abc"),
            p.redirect_uri(),
            p.verifier.as_ref(),
        )
        .unwrap();
        assert_eq!(req.url, "https://accounts.google.com/o/oauth2/token");
        assert_eq!(
            String::from_utf8(req.body.clone()).unwrap(),
            "grant_type=authorization_code&code=4%2F0Abc\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2F\
             &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
             &client_id=cid&client_secret=sec"
        );
    }

    #[test]
    fn bad_inputs_are_refused_before_anything_is_sent() {
        let e = Endpoints::google();
        let start = |r: AuthorizationRequest| r.start(&e).map(|_| ()).unwrap_err();
        assert_eq!(
            start(AuthorizationRequest::new(
                "c",
                "http://127.0.0.1/",
                Vec::<String>::new()
            )),
            OAuth2Error::InvalidInput(InputError::BadScope)
        );
        assert_eq!(
            start(AuthorizationRequest::new("c", "http://127.0.0.1/", ["a b"])),
            OAuth2Error::InvalidInput(InputError::BadScope)
        );
        assert_eq!(
            start(AuthorizationRequest::new("c", "/relative", ["s"])),
            OAuth2Error::InvalidInput(InputError::BadRedirectUri)
        );
        assert_eq!(
            start(AuthorizationRequest::new("c", "http://h/#f", ["s"])),
            OAuth2Error::InvalidInput(InputError::BadRedirectUri)
        );
        assert_eq!(
            start(AuthorizationRequest::new("", "http://h/", ["s"])),
            OAuth2Error::InvalidInput(InputError::BadClient)
        );
        // Two starts never share a state or a verifier.
        let r = AuthorizationRequest::new("c", "http://127.0.0.1/", ["s"]);
        let (u1, p1) = r.start(&e).unwrap();
        let (u2, p2) = r.start(&e).unwrap();
        assert_ne!(u1, u2);
        assert_ne!(p1.state, p2.state);
        let (u3, _) = r.clone().dangerous_without_pkce().start(&e).unwrap();
        assert!(!u3.contains("code_challenge"));
    }
}
