//! SECURITY.md §5 ("secrets in logs") for ClientLogin: every error a login, a CAPTCHA
//! retry, a re-login or a feed can produce, and every ClientLogin type, is formatted after
//! being built with a canary password and a canary `Auth` token, and neither canary may
//! appear in `Debug` or `Display`.

use std::fmt::{Debug, Display};

use gdata_auth::clientlogin::flow::{
    login, login_with_captcha, parse_feed_response, prepare_login,
};
use gdata_auth::clientlogin::{
    AuthToken, CaptchaChallenge, CaptchaToken, ClientLoginAuthorizer, ClientLoginError,
    Credentials, LoginTokens, Password, Service,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::HttpResponse;
use gdata_auth::{Authorizer, Context, Error, Request, SecretString};

const PASSWORD: &str = "CANARY-passw0rd";
const TOKEN: &str = "CANARY-auth-t0ken";

fn assert_clean<T: Debug + ?Sized>(what: &str, value: &T) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        for canary in [PASSWORD, TOKEN, "CANARY"] {
            assert!(
                !shown.contains(canary),
                "{what}: Debug leaks {canary}: {shown}"
            );
        }
    }
}

fn assert_clean_error<T: Debug + Display>(what: &str, value: &T) {
    let shown = value.to_string();
    assert!(!shown.is_empty(), "{what}: empty Display");
    assert!(!shown.contains("CANARY"), "{what}: Display leaks: {shown}");
    assert_clean(what, value);
}

fn canary_credentials() -> Credentials {
    Credentials::new("jo@gmail.com", Password::new(PASSWORD), Service::Calendar)
}

/// Bodies that carry the token canary where no error may repeat it.
fn answers() -> Vec<(u16, String)> {
    let mut out: Vec<(u16, String)> = [
        "Error=BadAuthentication\n",
        "Error=BadAuthentication\nInfo=InvalidSecondFactor\n",
        "Error=NotVerified\n",
        "Error=TermsNotAgreed\n",
        "Error=Unknown\n",
        "Error=AccountDeleted\n",
        "Error=AccountDisabled\n",
        "Error=AccountMigrated\n",
        "Error=ServiceDisabled\n",
        "Error=ServiceUnavailable\n",
        "Error=CaptchaRequired\nCaptchaToken=CANARY-captcha\nCaptchaUrl=Captcha?c=1\n",
        "Error=CaptchaRequired\nCaptchaToken=x\nCaptchaUrl=http://CANARY.example/\n",
        "",
        "Error=\n",
    ]
    .into_iter()
    .map(|b| (403, b.to_owned()))
    .collect();
    for body in [
        format!("Error=Foobar-{TOKEN}\n"),
        format!("Error={TOKEN}{}\n", "x".repeat(80)),
        format!("SID={TOKEN}\n"),
        format!("Auth={TOKEN} x\n"),
        format!("Auth={TOKEN}\"\n"),
        format!("Auth={TOKEN}\nAuth={TOKEN}\n"),
        format!("Auth={TOKEN}\rx\n"),
        format!("Auth={TOKEN}\nSID=a b\n"),
        format!("{TOKEN}\n"),
        format!("Auth={TOKEN}{}", "\n".repeat(70_000)),
    ] {
        out.push((200, body));
    }
    out.push((500, format!("<html>{TOKEN} {PASSWORD}</html>")));
    out
}

#[test]
fn login_errors_leak_neither_password_nor_token() {
    let endpoints = Endpoints::google();
    let creds = canary_credentials();
    for (status, body) in answers() {
        let reply = move |_req| Ok(HttpResponse::new(status, body.clone().into_bytes()));
        let e = login(&endpoints, &creds).send_blocking(&reply).unwrap_err();
        assert_clean_error(&format!("{status} answer"), &e);
        assert_clean_error("crate Error", &Error::from(e.clone()));
        if let ClientLoginError::CaptchaRequired(challenge) = &e {
            let again = login_with_captcha(&endpoints, &creds, challenge, "CANARY-answer")
                .send_blocking(&reply)
                .unwrap_err();
            assert_clean_error("retry", &again);
        }
    }
    // Refused inputs, a feed's 401, a transport failure.
    let empty_email = Credentials::new("", Password::new(PASSWORD), Service::Calendar);
    assert_clean_error(
        "input",
        &prepare_login(&endpoints, &empty_email).unwrap_err(),
    );
    let bad = ClientLoginAuthorizer::new(AuthToken::new(format!("{TOKEN} \r\n"))).unwrap_err();
    assert_clean_error("bad token", &bad);
    let expired =
        parse_feed_response(HttpResponse::new(401, format!("Token expired {TOKEN}"))).unwrap_err();
    assert_clean_error("401", &expired);
    let down = |_req| Err(gdata_auth::transport::TransportError::Timeout);
    assert_clean_error(
        "transport",
        &login(&endpoints, &creds).send_blocking(&down).unwrap_err(),
    );
}

#[test]
fn types_and_requests_are_redacted() {
    let endpoints = Endpoints::google();
    let creds = canary_credentials();
    assert_clean("Credentials", &creds);
    assert_clean("Password", creds.password());
    let request = prepare_login(&endpoints, &creds).unwrap();
    assert_clean("login request", &request);
    assert_clean("Call", &login(&endpoints, &creds));
    let tokens = LoginTokens::new(
        AuthToken::new(TOKEN),
        Some(SecretString::new(TOKEN)),
        Some(SecretString::new(TOKEN)),
    )
    .unwrap();
    assert_clean("LoginTokens", &tokens);
    let auth = tokens.authorizer().with_relogin(canary_credentials());
    assert_clean("ClientLoginAuthorizer", &auth);
    let req = Request::new("GET", "https://www.google.com/calendar/feeds/").unwrap();
    assert_clean(
        "Authorization",
        &auth.authorize(&req, &Context::now()).unwrap(),
    );
    assert_clean("relogin Call", &auth.relogin(&endpoints).unwrap());
    let challenge = CaptchaChallenge::new(CaptchaToken::new(TOKEN), "https://x/Captcha");
    assert_clean("CaptchaChallenge", &challenge);
    assert_clean(
        "CAPTCHA retry request",
        &gdata_auth::clientlogin::flow::prepare_login_with_captcha(
            &endpoints,
            &creds,
            &challenge,
            "CANARY-answer",
        )
        .unwrap(),
    );
}
