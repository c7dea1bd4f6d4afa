//! The OAuth 1.0a section of `gdauth demo`: the three-legged dance with HMAC-SHA1 (callback
//! URL, consent form), signed feed fetches in and out of the token's scopes, a replayed
//! request the emulator refuses, the dance with RSA-SHA1 (`oob`, verifier pasted back), a
//! two-legged request, and revocation.

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::flow;
use gdata_auth::oauth1::{
    AccessToken, AuthorizeOptions, Callback, OAuth1Authorizer, RequestToken, RequestTokenOptions,
    Scope,
};
use gdata_auth::signed::prepare_signed;
use gdata_auth::transport::HttpRequest;
use gdata_auth::{ConsumerSecret, Context, Request};
use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

use super::{consent_csrf, failed, Demo, Section, PASSWORD, USER};
use crate::CliError;

/// The demo's HMAC consumer (a registered web application).
pub(super) const HMAC_KEY: &str = "demo.example.com";
pub(super) const HMAC_SECRET: &str = "demo-consumer-secret";
/// The demo's RSA-SHA1 consumer; its key pair is the project's published test key (AuthSub's
/// registered domain uses it too).
const RSA_KEY: &str = "rsa-demo.example.com";
pub(super) const RSA_PEM: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/keys/rsa2048_pkcs1.pem"
));
pub(super) const RSA_CERT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/keys/rsa2048_cert.pem"
));
pub(super) const CALENDAR: &str = "https://www.google.com/calendar/feeds/";
const CONTACTS: &str = "https://www.google.com/m8/feeds/";
const CALLBACK: &str = "https://app.example.com/oauth/callback?session=42";

/// The OAuth 1.0a entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

/// Registers the HMAC and the RSA-SHA1 consumer.
fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    let rsa_cert =
        RsaVerifyingKey::from_pem(RSA_CERT).map_err(|e| failed("demo RSA certificate", e))?;
    Ok(config
        .add_hmac_consumer(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET))
        .add_rsa_consumer(RSA_KEY, rsa_cert))
}

/// Runs the OAuth 1.0a steps.
fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    let rsa_key = RsaSigningKey::from_pem(RSA_PEM).map_err(|e| failed("demo RSA key", e))?;
    let hmac = OAuth1Authorizer::hmac_sha1(HMAC_KEY, ConsumerSecret::new(HMAC_SECRET));
    demo.heading("OAuth 1.0a three-legged dance, HMAC-SHA1, callback URL");
    let access = dance_with_callback(demo, &hmac)?;
    demo.heading("Signed feed requests with the access token");
    feeds(demo, &hmac, &access)?;
    demo.heading("A replayed request is refused");
    replay(demo, &hmac, &access)?;
    demo.heading("OAuth 1.0a three-legged dance, RSA-SHA1, out-of-band (oob) verifier");
    let rsa = OAuth1Authorizer::rsa_sha1(RSA_KEY, rsa_key);
    let rsa_access = dance_oob(demo, &rsa)?;
    let url = format!("{}/m8/feeds/contacts/default/full", demo.base);
    demo.fetch(
        "Fetch the contacts feed, RSA-SHA1 signed",
        &rsa_access.authorizer(&rsa),
        &url,
        200,
    )?;
    demo.heading("Two-legged OAuth (xoauth_requestor_id, no token)");
    two_legged(demo, &hmac)?;
    demo.heading("Revocation");
    revoke(demo, &hmac, &access)
}

/// The dance with a callback URL: request token, consent page, approval redirect, access
/// token, each exchange printed.
fn dance_with_callback(
    demo: &mut Demo<'_>,
    consumer: &OAuth1Authorizer,
) -> Result<AccessToken, CliError> {
    let options = RequestTokenOptions::new(
        [scope(CALENDAR)?, scope(CONTACTS)?],
        Callback::Url(CALLBACK.to_owned()),
    )
    .with_display_name("gdauth demo");
    let req = flow::prepare_request_token(demo.endpoints, consumer, &options, &Context::now())
        .map_err(|e| failed("request token", e))?;
    let resp = demo.exchange(
        "Ask for a request token (scopes calendar + contacts, callback URL)",
        req,
    )?;
    let request_token =
        flow::parse_request_token(&options, &resp).map_err(|e| failed("request token", e))?;
    demo.meaning(&format!(
        "request token {} issued; oauth_callback_confirmed=true, so this is OAuth 1.0a",
        request_token.token()
    ));

    let url = flow::authorize_url(
        demo.endpoints,
        &request_token,
        &AuthorizeOptions::new().with_hl("en"),
    );
    let page = demo.exchange(
        "Open the consent page the user would see",
        HttpRequest::get(url.clone()),
    )?;
    let html = page.body_text().unwrap_or_default();
    demo.meaning(&format!(
        "an HTML page with Approve / Deny ({} bytes); open {url} in a browser to see it",
        html.len()
    ));

    let form = approve_form(demo, &request_token)?;
    let redirect = demo.exchange("The user signs in and clicks Approve", form)?;
    let location = redirect
        .header("location")
        .ok_or_else(|| CliError::Failed("the approval did not redirect".into()))?
        .to_owned();
    let authorized =
        flow::parse_callback(request_token, &location).map_err(|e| failed("callback", e))?;
    demo.meaning(
        "redirected to the application's callback with oauth_token (checked: the one we \
         started with) and a single-use oauth_verifier",
    );

    let req = flow::prepare_access_token(demo.endpoints, consumer, &authorized, &Context::now())
        .map_err(|e| failed("access token", e))?;
    let resp = demo.exchange("Exchange the authorized request token", req)?;
    let access = flow::parse_access_token(consumer, &authorized, &resp)
        .map_err(|e| failed("access token", e))?;
    demo.meaning(&format!(
        "access token {} for {} scopes; the request token is now spent",
        access.token(),
        access.scopes().len()
    ));
    Ok(access)
}

/// The dance with `oob`: the library's one-call `send_blocking` for the token requests, the
/// verifier read off the page the user sees.
fn dance_oob(demo: &mut Demo<'_>, consumer: &OAuth1Authorizer) -> Result<AccessToken, CliError> {
    let options = RequestTokenOptions::new([scope(CONTACTS)?], Callback::Oob);
    demo.step("Ask for a request token with oauth_callback=oob (RSA-SHA1 signed)");
    let token = flow::request_token(demo.endpoints, consumer, &options, &Context::now())
        .send_blocking(demo.http)
        .map_err(|e| failed("request token", e))?;
    demo.meaning(&format!("request token {}", token.token()));
    let form = approve_form(demo, &token)?;
    let page = demo.exchange(
        "The user approves; with oob the page shows the verifier",
        form,
    )?;
    let verifier = extract_verifier(page.body_text().unwrap_or_default())
        .ok_or_else(|| CliError::Failed("no verifier on the oob page".into()))?;
    demo.meaning(&format!(
        "the user copies the verifier {verifier:?} into the application"
    ));
    let authorized = token
        .with_verifier(&verifier)
        .map_err(|e| failed("verifier", e))?;
    demo.step("Exchange it for an access token");
    let access = flow::access_token(demo.endpoints, consumer, &authorized, &Context::now())
        .send_blocking(demo.http)
        .map_err(|e| failed("access token", e))?;
    demo.meaning(&format!("access token {}", access.token()));
    Ok(access)
}

/// A feed inside the token's scopes, then one outside them.
fn feeds(
    demo: &mut Demo<'_>,
    consumer: &OAuth1Authorizer,
    access: &AccessToken,
) -> Result<(), CliError> {
    let auth = access.authorizer(consumer);
    let calendar = format!(
        "{}/calendar/feeds/default/private/full?max-results=5",
        demo.base
    );
    demo.fetch("Fetch the calendar feed (in scope)", &auth, &calendar, 200)?;
    let documents = format!("{}/feeds/documents/private/full", demo.base);
    demo.fetch(
        "Fetch the documents feed (not in the token's scopes)",
        &auth,
        &documents,
        401,
    )
}

/// One signed request sent twice: the second is a replay.
fn replay(
    demo: &mut Demo<'_>,
    consumer: &OAuth1Authorizer,
    access: &AccessToken,
) -> Result<(), CliError> {
    let url = format!("{}/calendar/feeds/default/private/full", demo.base);
    let req = Request::new("GET", &url).map_err(|e| failed("feed URL", e))?;
    let signed = prepare_signed(&access.authorizer(consumer), &req, &Context::now())
        .map_err(|e| failed("signing", e))?;
    let first = demo.exchange("Send a signed request", signed.clone())?;
    demo.expect(first, 200)?;
    let again = demo.exchange("Send the very same bytes again (a replay)", signed)?;
    demo.expect(again, 401)?;
    demo.meaning(
        "refused: the (consumer, token, timestamp, nonce) tuple was already used \
         (RFC 5849 §3.3)",
    );
    Ok(())
}

/// A feed read by the consumer alone for a named user.
fn two_legged(demo: &mut Demo<'_>, consumer: &OAuth1Authorizer) -> Result<(), CliError> {
    let url = format!("{}/calendar/feeds/default/private/full", demo.base);
    let req = flow::prepare_two_legged(consumer, "GET", &url, USER, &Context::now())
        .map_err(|e| failed("two-legged request", e))?;
    let resp = demo.exchange(
        "Read a user's feed as the consumer alone, naming the user in xoauth_requestor_id",
        req,
    )?;
    demo.expect(resp, 200)?;
    demo.meaning("a registered consumer may act for its domain's users without a token");
    Ok(())
}

/// The access token revoked, then refused.
fn revoke(
    demo: &mut Demo<'_>,
    consumer: &OAuth1Authorizer,
    access: &AccessToken,
) -> Result<(), CliError> {
    let req = flow::prepare_revoke(demo.endpoints, consumer, access, &Context::now())
        .map_err(|e| failed("revoke", e))?;
    let resp = demo.exchange("Revoke the HMAC access token (AuthSubRevokeToken)", req)?;
    flow::parse_revoke(&resp).map_err(|e| failed("revoke", e))?;
    demo.meaning("revoked");
    let url = format!("{}/calendar/feeds/default/private/full", demo.base);
    demo.fetch(
        "Use the revoked token",
        &access.authorizer(consumer),
        &url,
        401,
    )
}

/// The consent form as the user submits it from the page: signed in, Approve clicked, the
/// page's `csrf_token` carried.
pub(super) fn approve_form(demo: &Demo<'_>, token: &RequestToken) -> Result<HttpRequest, CliError> {
    let page = format!(
        "{}?oauth_token={}",
        demo.endpoints.oauth1_authorize_token(),
        gdata_auth::encoding::percent_encode(token.token())
    );
    let csrf = consent_csrf(demo, &page)?;
    Ok(HttpRequest::post_form(
        demo.endpoints.oauth1_authorize_token(),
        &[
            ("oauth_token", token.token()),
            ("Email", USER),
            ("Passwd", PASSWORD),
            ("csrf_token", &csrf),
            ("action", "approve"),
        ],
    ))
}

/// A scope the library accepts; the demo's are constants, so a refusal is a bug.
pub(super) fn scope(url: &str) -> Result<Scope, CliError> {
    Scope::new(url).map_err(|e| failed("scope", e))
}

/// The verifier from the oob page: the text of the element with `id="verifier"`.
pub(super) fn extract_verifier(html: &str) -> Option<String> {
    let start = html.find("id=\"verifier\"")?;
    let rest = html.get(start..)?;
    let open = rest.find('>')?;
    let rest = rest.get(open + 1..)?;
    let close = rest.find('<')?;
    let v = rest.get(..close)?.trim();
    (!v.is_empty()).then(|| v.to_owned())
}
