//! The OAuth 2.0 login section of `gdauth demo`: how a new user gets a grant today, with
//! the flows that replace the legacy protocols. The installed-app flow (replacing
//! ClientLogin): PKCE, the consent page signed in and approved, the redirect followed to
//! the application's loopback listener, the code exchanged with the verifier; then the
//! device flow: a user code, a poll that is told to wait, the user's approval on the
//! verification page, and the poll that collects the grant. Each grant reads a feed.

use std::time::Duration;

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::encoding::url_with_query;
use gdata_auth::oauth2::authorize::prepare_code_exchange;
use gdata_auth::oauth2::authorize::AuthState;
use gdata_auth::oauth2::device::{parse_device_code, parse_device_poll, prepare_device_code};
use gdata_auth::oauth2::device::{prepare_device_poll, DevicePoll};
use gdata_auth::oauth2::{
    parse_token_response, AuthorizationRequest, BearerAuthorizer, ClientCredentials, ClientSecret,
    LoopbackRedirect, PkceVerifier, TokenResponse,
};
use gdata_auth::transport::HttpRequest;

use super::oauth2::{fetch_bearer, redact};
use super::{consent_csrf, failed, Demo, Section, PASSWORD, USER};
use crate::CliError;

/// The demo's installed application and TV app (one client: both flows are its).
const CLIENT_ID: &str = "desktop.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "desktop-client-secret";
const CALENDAR: &str = "https://www.googleapis.com/auth/calendar";
/// The device flow's polling interval on the demo's emulator (Google's is 5 s).
const INTERVAL: u64 = 1;

/// The OAuth 2.0 login entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    Ok(config
        .add_oauth2_client(CLIENT_ID, CLIENT_SECRET)
        .with_device_interval(INTERVAL))
}

fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    let client = ClientCredentials::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET));
    installed_app(demo, &client)?;
    device(demo, &client)
}

/// The consent form's answer: the request's own parameters plus the user's sign-in and the
/// page's `csrf_token` (read off the page, as the browser would send it).
fn sign_in_and_approve(demo: &Demo<'_>, url: &str) -> Result<HttpRequest, CliError> {
    let csrf = consent_csrf(demo, url)?;
    Ok(HttpRequest::post_form(
        url,
        &[
            ("Email", USER),
            ("Passwd", PASSWORD),
            ("csrf_token", &csrf),
            ("action", "approve"),
        ],
    ))
}

fn installed_app(demo: &mut Demo<'_>, client: &ClientCredentials) -> Result<(), CliError> {
    demo.heading("OAuth 2.0 for new users: the installed-app flow (replaces ClientLogin)");
    let listener = LoopbackRedirect::bind().map_err(|e| failed("loopback listener", e))?;
    let redirect_uri = listener.redirect_uri().to_owned();
    let verifier = PkceVerifier::random();
    let (url, pending) = AuthorizationRequest::new(CLIENT_ID, &redirect_uri, [CALENDAR])
        .offline()
        .start_with(
            demo.endpoints,
            AuthState::new(gdata_auth::clock::random_hex(16)),
            Some(PkceVerifier::new(verifier.secret())),
        )
        .map_err(|e| failed("authorization URL", e))?;
    say!(
        "      (the application listens on {redirect_uri} and opens the browser; no password \
         ever reaches it)"
    );
    let page = demo.exchange(
        "The browser opens /o/oauth2/auth: PKCE S256 challenge, loopback redirect_uri, \
         access_type=offline",
        HttpRequest::get(url.as_str()),
    )?;
    demo.expect(page, 200)?;
    let approved = demo.exchange_shown(
        "The user signs in and approves on the consent page",
        sign_in_and_approve(demo, &url)?,
        redact,
    )?;
    let location = approved
        .header("location")
        .ok_or_else(|| CliError::Failed("the consent page did not redirect".into()))?
        .to_owned();
    // The application waits on its listener while the browser follows the redirect.
    let waiting = std::thread::spawn(move || {
        let code = listener.wait(&pending, Duration::from_secs(30));
        (code, pending)
    });
    let shown = demo.exchange_shown(
        "The browser follows the redirect to the application's loopback listener",
        HttpRequest::get(location.as_str()),
        redact,
    )?;
    demo.expect(shown, 200)?;
    let (code, pending) = waiting
        .join()
        .map_err(|_| CliError::Failed("the listener thread panicked".into()))?;
    let code = code.map_err(|e| failed("redirect", e))?;
    demo.meaning("state matched, code read; the listener answered and stopped listening");
    let req = prepare_code_exchange(
        demo.endpoints,
        client,
        &code,
        pending.redirect_uri(),
        Some(&verifier),
    )
    .map_err(|e| failed("code exchange", e))?;
    let resp = demo.exchange_shown(
        "POST /o/oauth2/token, grant_type=authorization_code with the PKCE code_verifier",
        req,
        redact,
    )?;
    let granted = parse_token_response(resp).map_err(|e| failed("code exchange", e))?;
    say_granted(demo, &granted)?;
    read_calendar(demo, &granted)
}

fn device(demo: &mut Demo<'_>, client: &ClientCredentials) -> Result<(), CliError> {
    demo.heading("OAuth 2.0 on a device without a browser: the device flow");
    let req = prepare_device_code(demo.endpoints, CLIENT_ID, &[CALENDAR.to_owned()])
        .map_err(|e| failed("device code request", e))?;
    let resp = demo.exchange_shown("POST /o/oauth2/device/code", req, redact)?;
    let auth = parse_device_code(resp).map_err(|e| failed("device code", e))?;
    demo.meaning(&format!(
        "the device shows: open {} and enter {} (poll every {} s)",
        auth.verification_url,
        auth.user_code,
        auth.interval.as_secs()
    ));
    let poll = |demo: &mut Demo<'_>, title: &str| -> Result<DevicePoll, CliError> {
        let req = prepare_device_poll(demo.endpoints, client, &auth.device_code)
            .map_err(|e| failed("poll", e))?;
        let resp = demo.exchange_shown(title, req, redact)?;
        parse_device_poll(resp).map_err(|e| failed("poll", e))
    };
    if poll(demo, "The device polls the token endpoint")? != DevicePoll::Pending {
        return Err(CliError::Failed("the first poll should be pending".into()));
    }
    demo.meaning(
        "authorization_pending (HTTP 428, as Google answered): the user has not answered yet",
    );
    let page = url_with_query(&auth.verification_url, &[("user_code", &auth.user_code)]);
    let shown = demo.exchange(
        "On a phone, the user opens the verification page with the code",
        HttpRequest::get(page.as_str()),
    )?;
    demo.expect(shown, 200)?;
    let approved = demo.exchange(
        "The user signs in and approves the device",
        sign_in_and_approve(demo, &page)?,
    )?;
    demo.expect(approved, 200)?;
    std::thread::sleep(auth.interval);
    let DevicePoll::Granted(granted) = poll(demo, "The device polls again, after the interval")?
    else {
        return Err(CliError::Failed("the approved device got no grant".into()));
    };
    say_granted(demo, &granted)?;
    read_calendar(demo, &granted)
}

fn say_granted(demo: &Demo<'_>, granted: &TokenResponse) -> Result<(), CliError> {
    if granted.refresh_token.is_none() {
        return Err(CliError::Failed("the grant has no refresh token".into()));
    }
    demo.meaning(&format!(
        "an access token and a refresh token for {}",
        granted.scope.clone().unwrap_or_default().join(" ")
    ));
    Ok(())
}

fn read_calendar(demo: &mut Demo<'_>, granted: &TokenResponse) -> Result<(), CliError> {
    let bearer =
        BearerAuthorizer::new(granted.access_token.clone()).map_err(|e| failed("bearer", e))?;
    let calendar = format!("{}/calendar/feeds/default/private/full", demo.base);
    fetch_bearer(
        demo,
        "The new grant reads the calendar feed",
        &bearer,
        &calendar,
        200,
    )
}
