//! The ClientLogin section of `gdauth demo`: three wrong passwords bring a CAPTCHA
//! challenge (its image fetched), the login retried once with the answer, then the `Auth`
//! token on a feed of its service and refused on one outside it. Passwords are never
//! printed, tokens only cut short.

use gdata_auth::clientlogin::flow::{prepare_feed, prepare_login, prepare_login_with_captcha};
use gdata_auth::clientlogin::{
    parse_login, AuthToken, CaptchaChallenge, ClientLoginError, Credentials, LoginTokens, Password,
    Service,
};
use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::transport::HttpRequest;
use gdata_auth::Request;

use super::{failed, Demo, Section, PASSWORD, USER};
use crate::CliError;

/// The answer the demo's emulator puts in every CAPTCHA (`gdauth serve --captcha-answer`).
const CAPTCHA_ANSWER: &str = "gdata";
/// The application's name, sent as `source`.
const SOURCE: &str = "gdauth-demo-1";
/// Characters of a token shown before it is cut.
const SHOWN: usize = 8;

/// The ClientLogin entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

/// Sets the CAPTCHA answer; the default `--captcha-after 3` stays.
fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    Ok(config.with_captcha_answer(CAPTCHA_ANSWER))
}

/// Runs the ClientLogin steps.
fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    demo.heading("ClientLogin: three wrong passwords, then a CAPTCHA");
    let challenge = lock_out(demo)?;
    let tokens = answer(demo, &challenge)?;
    demo.heading("ClientLogin: the Auth token on the feeds (GoogleLogin auth=…)");
    feeds(demo, &tokens)
}

fn credentials(password: &str) -> Credentials {
    Credentials::new(USER, Password::new(password), Service::Calendar).with_source(SOURCE)
}

/// What a login sends, the password left out.
fn sent() -> String {
    format!(
        "sent accountType=HOSTED_OR_GOOGLE, Email={USER}, Passwd (not shown), service=cl, \
         source={SOURCE}"
    )
}

/// Three wrong passwords, then the right one: the emulator asks for a CAPTCHA.
fn lock_out(demo: &mut Demo<'_>) -> Result<CaptchaChallenge, CliError> {
    for attempt in 1..=3 {
        let req = prepare_login(demo.endpoints, &credentials("not-the-password"))
            .map_err(|e| failed("login", e))?;
        let resp = demo.exchange_shown(
            &format!("Log in with a wrong password ({attempt} of 3)"),
            req,
            redact,
        )?;
        match parse_login(demo.endpoints, &resp) {
            Err(ClientLoginError::BadAuthentication(_)) => demo.meaning(&format!(
                "{}; Error=BadAuthentication: wrong user name or password",
                sent()
            )),
            other => return Err(unexpected("BadAuthentication", other)),
        }
    }
    let req =
        prepare_login(demo.endpoints, &credentials(PASSWORD)).map_err(|e| failed("login", e))?;
    let resp = demo.exchange_shown("Log in with the right password", req, redact)?;
    let challenge = match parse_login(demo.endpoints, &resp) {
        Err(ClientLoginError::CaptchaRequired(challenge)) => challenge,
        other => return Err(unexpected("CaptchaRequired", other)),
    };
    demo.meaning(&format!(
        "Error=CaptchaRequired: after three failures the account needs a CAPTCHA before any \
         password is checked; the image is at {}",
        challenge.image_url()
    ));
    let image = demo.exchange_shown(
        "Fetch the CAPTCHA image",
        HttpRequest::get(challenge.image_url()),
        |_| "<svg …> (the image)".to_owned(),
    )?;
    if image.status != 200 {
        return Err(failed("CAPTCHA image", format!("HTTP {}", image.status)));
    }
    demo.meaning(&format!(
        "an {} of {} bytes: the characters to type, distorted",
        image.header("content-type").unwrap_or("image"),
        image.body.len()
    ));
    Ok(challenge)
}

/// The one retry, with the answer the user read off the image.
fn answer(demo: &mut Demo<'_>, challenge: &CaptchaChallenge) -> Result<LoginTokens, CliError> {
    let req = prepare_login_with_captcha(
        demo.endpoints,
        &credentials(PASSWORD),
        challenge,
        CAPTCHA_ANSWER,
    )
    .map_err(|e| failed("login", e))?;
    let resp = demo.exchange_shown(
        "Log in again with logintoken (the CaptchaToken) and logincaptcha (the answer)",
        req,
        redact,
    )?;
    let tokens = parse_login(demo.endpoints, &resp).map_err(|e| failed("CAPTCHA login", e))?;
    demo.meaning(&format!(
        "signed in: Auth token {} (SID and LSID too, which no library used); the success \
         clears the account's failures and CAPTCHA",
        cut(tokens.auth().secret())
    ));
    Ok(tokens)
}

/// The token on its service's feed, on another service's, and a made-up one.
fn feeds(demo: &mut Demo<'_>, tokens: &LoginTokens) -> Result<(), CliError> {
    let calendar = format!("{}/calendar/feeds/default/private/full", demo.base);
    let contacts = format!("{}/m8/feeds/contacts/default/full", demo.base);
    let auth = tokens.authorizer();
    fetch(
        demo,
        "Fetch the calendar feed (service cl)",
        &auth,
        &calendar,
        200,
    )?;
    fetch(
        demo,
        "Fetch the contacts feed with the same token (service cl does not cover /m8/feeds/)",
        &auth,
        &contacts,
        401,
    )?;
    let forged = LoginTokens::new(AuthToken::new("made-up-token"), None, None)
        .map_err(|e| failed("token", e))?;
    fetch(
        demo,
        "Fetch the calendar feed with a token the server never issued",
        &forged.authorizer(),
        &calendar,
        401,
    )?;
    demo.meaning("a feed answers 401 \"Token invalid\": the client must log in again");
    Ok(())
}

fn fetch(
    demo: &mut Demo<'_>,
    title: &str,
    auth: &gdata_auth::clientlogin::ClientLoginAuthorizer,
    url: &str,
    want: u16,
) -> Result<(), CliError> {
    let req = Request::new("GET", url).map_err(|e| failed("feed URL", e))?;
    let resp = demo.exchange_shown(title, prepare_feed(auth, &req), redact)?;
    demo.expect(resp, want)
}

/// A refusal the demo did not expect.
fn unexpected(want: &str, got: Result<LoginTokens, ClientLoginError>) -> CliError {
    let got = match got {
        Ok(_) => "a success".to_owned(),
        Err(e) => e.to_string(),
    };
    CliError::Failed(format!(
        "expected Error={want}, got {got}: the emulator disagrees with the demo"
    ))
}

/// `value` cut to [`SHOWN`] characters and `…`.
fn cut(value: &str) -> String {
    let shown: String = value.chars().take(SHOWN).collect();
    format!("{shown}…")
}

/// The tokens in a line (`auth=`, `SID=`, `LSID=`, `Auth=`, `CaptchaToken=`) cut short.
fn redact(line: &str) -> String {
    line.split(' ')
        .map(|word| match word.split_once('=') {
            Some((key, value))
                if matches!(key, "auth" | "SID" | "LSID" | "Auth" | "CaptchaToken")
                    && !value.is_empty() =>
            {
                format!("{key}={}", cut(value))
            }
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_cut() {
        assert_eq!(
            super::redact("GoogleLogin auth=0123456789abcdef"),
            "GoogleLogin auth=01234567…"
        );
        assert_eq!(super::redact("SID=0123456789 …"), "SID=01234567… …");
        assert_eq!(
            super::redact("Error=BadAuthentication"),
            "Error=BadAuthentication"
        );
    }
}
