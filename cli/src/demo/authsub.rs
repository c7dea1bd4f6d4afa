//! The AuthSub section of `gdauth demo`: the secure web flow (PROTOCOLS.md §2) with the
//! library's `authsub` calls: the `AuthSubRequest` URL, the user's approval on the consent
//! form, the single-use token read from the redirect, its upgrade to a session token, a
//! feed read with RSA-signed requests, token info, revocation, and the refused read after
//! it. Tokens are printed shortened, never whole.

use gdata_auth::authsub::{self, flow, AuthSubRequestOptions, NextUrl, Security};
use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::Scope;
use gdata_auth::transport::{HttpRequest, HttpResponse};
use gdata_auth::Context;
use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

use super::oauth1::{RSA_CERT, RSA_PEM};
use super::{consent_csrf, failed, Demo, Section, PASSWORD, USER};
use crate::CliError;

/// The demo web application's domain, registered with the project's published test
/// certificate: as at Google, one registration (the domain and its certificate) serves OAuth
/// 1.0 and secure AuthSub.
const DOMAIN: &str = "authsub-demo.example.com";
/// Where the user comes back. The emulator only writes it into the redirect; nothing is
/// fetched from it.
const NEXT: &str = "https://authsub-demo.example.com/authsub/return?page=calendar";
const CALENDAR: &str = "https://www.google.com/calendar/feeds/";

/// The AuthSub entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

/// Registers the demo's domain with its certificate.
fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    let cert =
        RsaVerifyingKey::from_pem(RSA_CERT).map_err(|e| failed("demo RSA certificate", e))?;
    Ok(config.add_rsa_consumer(DOMAIN, cert))
}

/// Runs the AuthSub steps.
fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    let key = RsaSigningKey::from_pem(RSA_PEM).map_err(|e| failed("demo RSA key", e))?;
    let security = Security::secure(key);
    demo.heading("AuthSub web flow, secure (RSA-SHA1 signed requests)");
    let next = NextUrl::new(NEXT).map_err(|e| failed("next URL", e))?;
    let scope = Scope::new(CALENDAR).map_err(|e| failed("scope", e))?;
    let options = AuthSubRequestOptions::new(next, [scope]).with_secure(true);
    let url = authsub::request_url(demo.endpoints, &options).map_err(|e| failed("request", e))?;
    let page = send(
        demo,
        "Open the AuthSubRequest page (secure=1, session=1)",
        HttpRequest::get(url.clone()),
    )?;
    demo.expect(page, 200)?;
    demo.meaning(&format!(
        "the consent page; open {url} in a browser to see it"
    ));

    let flag = |on: bool| if on { "1" } else { "0" };
    let csrf = consent_csrf(demo, &url)?;
    let form = HttpRequest::post_form(
        demo.endpoints.authsub_request(),
        &[
            ("next", NEXT),
            ("scope", CALENDAR),
            ("secure", flag(options.secure)),
            ("session", flag(options.session)),
            ("Email", USER),
            ("Passwd", PASSWORD),
            ("csrf_token", &csrf),
            ("action", "approve"),
        ],
    );
    let redirect = send(demo, "The user signs in and clicks Approve", form)?;
    let location = redirect
        .header("location")
        .ok_or_else(|| CliError::Failed("the approval did not redirect".into()))?;
    let single = authsub::parse_reply(location).map_err(|e| failed("redirect", e))?;
    demo.meaning(
        "redirected to next with token= added to its own query: a single-use token, good \
         only for the upgrade",
    );

    let req = flow::prepare_session_token(demo.endpoints, &single, &security, &Context::now())
        .map_err(|e| failed("session token", e))?;
    let resp = send(demo, "Upgrade it to a session token (signed)", req)?;
    let session = flow::parse_session_token(&resp).map_err(|e| failed("session token", e))?;
    demo.meaning(&format!(
        "session token {} (expires {}); the single-use token is now spent",
        short(session.token().secret()),
        session.expiration().unwrap_or("never")
    ));
    let auth = session
        .authorizer(security)
        .map_err(|e| failed("authorizer", e))?;

    let feed = format!("{}/calendar/feeds/default/private/full", demo.base);
    demo.fetch_shown(
        "Fetch the calendar feed, data string signed with the registered key",
        &auth,
        &feed,
        200,
        mask_tokens,
    )?;

    let req = flow::prepare_token_info(demo.endpoints, &auth, &Context::now())
        .map_err(|e| failed("token info", e))?;
    let resp = send(demo, "Ask AuthSubTokenInfo about the session token", req)?;
    let info = flow::parse_token_info(&resp).map_err(|e| failed("token info", e))?;
    demo.meaning(&format!(
        "issued to {} for {} scope(s), secure={}",
        info.target(),
        info.scopes().len(),
        info.secure()
    ));

    let req = flow::prepare_revoke(demo.endpoints, &auth, &Context::now())
        .map_err(|e| failed("revoke", e))?;
    let resp = send(demo, "Revoke the session token (AuthSubRevokeToken)", req)?;
    flow::parse_revoke(&resp).map_err(|e| failed("revoke", e))?;
    demo.meaning("revoked");
    demo.fetch_shown(
        "Use the revoked session token",
        &auth,
        &feed,
        401,
        mask_tokens,
    )
}

/// One exchange, printed with every token shortened.
fn send(demo: &mut Demo<'_>, title: &str, req: HttpRequest) -> Result<HttpResponse, CliError> {
    demo.exchange_shown(title, req, mask_tokens)
}

/// The first characters of a token, then `…`.
fn short(token: &str) -> String {
    let head: String = token.chars().take(8).collect();
    format!("{head}…")
}

/// `text` with the value after every `token=` (any case, quoted or not) shortened.
fn mask_tokens(text: &str) -> String {
    const KEY: &str = "token=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower.get(at..).and_then(|l| l.find(KEY)) {
        let start = at + found + KEY.len();
        out.push_str(text.get(at..start).unwrap_or_default());
        let rest = text.get(start..).unwrap_or_default();
        let quote = usize::from(rest.starts_with('"'));
        let len = rest
            .get(quote..)
            .unwrap_or_default()
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.%".contains(c)))
            .unwrap_or(rest.len() - quote);
        let value = rest.get(quote..quote + len).unwrap_or_default();
        out.push_str(rest.get(..quote).unwrap_or_default());
        out.push_str(&if value.is_empty() {
            String::new()
        } else {
            short(value)
        });
        at = start + quote + len;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_shortened_wherever_they_appear() {
        assert_eq!(
            mask_tokens("AuthSub token=\"DQAA0123456789abcdef\" data=\"GET u 1 2\""),
            "AuthSub token=\"DQAA0123…\" data=\"GET u 1 2\""
        );
        assert_eq!(
            mask_tokens("https://h/r?page=1&token=CK0123456789ab"),
            "https://h/r?page=1&token=CK012345…"
        );
        assert_eq!(mask_tokens("Token=DQAA0123456789 …"), "Token=DQAA0123… …");
        assert_eq!(mask_tokens("no secrets"), "no secrets");
    }
}
