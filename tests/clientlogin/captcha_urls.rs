//! `CaptchaUrl` resolution (PROTOCOLS.md §1.5, SECURITY.md §3 and §5.1 row 29): relative
//! paths join the accounts base; every way out of it is refused with its own reason, both
//! by [`resolve_captcha_url`] and in a whole answer.

use gdata_auth::clientlogin::{
    parse_login, resolve_captcha_url, CaptchaUrlError, ClientLoginError, ProtocolError,
};
use gdata_auth::endpoints::Endpoints;

use crate::answer;
use crate::errors::{kept_authorizer, relogin_fails_and_loses_nothing, still_logs_in};

const BASE: &str = "https://www.google.com/accounts/";

#[test]
fn relative_paths_join_the_accounts_base() {
    let rows = [
        // Zend's CaptchaRequiredExceptionTest vector.
        (
            "Captcha?ctoken=testtoken",
            "https://www.google.com/accounts/Captcha?ctoken=testtoken",
        ),
        (
            "Captcha?ctoken=HiteT4bVoP6-yFkHPibe7O9EqxeiI7lUSN",
            "https://www.google.com/accounts/Captcha?ctoken=HiteT4bVoP6-yFkHPibe7O9EqxeiI7lUSN",
        ),
        (
            "img/Captcha?x=1",
            "https://www.google.com/accounts/img/Captcha?x=1",
        ),
        // Dots and slashes in the query do not move the path.
        (
            "Captcha?ctoken=a..b/../c",
            "https://www.google.com/accounts/Captcha?ctoken=a..b/../c",
        ),
        (
            "Captcha?u=http://x",
            "https://www.google.com/accounts/Captcha?u=http://x",
        ),
        ("a..b", "https://www.google.com/accounts/a..b"),
    ];
    for (relative, want) in rows {
        assert_eq!(
            resolve_captcha_url(BASE, relative).as_deref(),
            Ok(want),
            "{relative:?}"
        );
    }
    // Under another base (the emulator, a proxy with a path prefix), the same rules.
    let local = Endpoints::at("http://127.0.0.1:8080/google").unwrap();
    assert_eq!(
        resolve_captcha_url(local.accounts_base(), "Captcha?ctoken=t").as_deref(),
        Ok("http://127.0.0.1:8080/google/accounts/Captcha?ctoken=t")
    );
}

#[test]
fn every_way_out_is_refused() {
    use CaptchaUrlError::*;
    let rows = [
        ("", Empty),
        ("http://evil.example/x", Absolute),
        ("https://evil.example/Captcha", Absolute),
        ("HTTP://evil.example/", Absolute),
        ("javascript:alert(1)", Absolute),
        ("data:image/png;base64,AAAA", Absolute),
        ("evil.example:443/x", Absolute),
        ("//evil.example/x", NetworkPath),
        ("//evil.example", NetworkPath),
        ("/Captcha?ctoken=x", RootPath),
        ("../../x", DotSegment),
        ("a/../../x", DotSegment),
        ("./Captcha", DotSegment),
        ("a/..", DotSegment),
        ("%2e%2e/x", DotSegment),
        ("%2E./x", DotSegment),
        (".%2E/x", DotSegment),
        ("Captcha\r\nSet-Cookie: x=y", ControlOrWhitespace),
        ("Captcha\n", ControlOrWhitespace),
        ("\tCaptcha", ControlOrWhitespace),
        ("Capt cha", ControlOrWhitespace),
        ("Captcha\u{0}", ControlOrWhitespace),
        ("\\\\evil.example\\x", Backslash),
        ("a\\..\\..\\x", Backslash),
    ];
    let endpoints = Endpoints::google();
    for (relative, reason) in rows {
        assert_eq!(
            resolve_captcha_url(BASE, relative),
            Err(reason),
            "{relative:?}"
        );
        // In an answer the line reader refuses CR, LF and NUL first; the rest reach the
        // resolver.
        if relative.contains(['\r', '\n', '\0', '\t']) || relative.is_empty() {
            continue;
        }
        let body = format!("Error=CaptchaRequired\nCaptchaToken=tok\nCaptchaUrl={relative}\n");
        assert_eq!(
            parse_login(&endpoints, &answer(403, &body)),
            Err(ClientLoginError::Protocol(ProtocolError::BadCaptchaUrl(
                reason
            ))),
            "{relative:?}"
        );
    }
    // The empty one, and one smuggling a line break, in whole answers.
    let empty = "Error=CaptchaRequired\nCaptchaToken=tok\nCaptchaUrl=\n";
    assert_eq!(
        parse_login(&endpoints, &answer(403, empty)),
        Err(ClientLoginError::Protocol(ProtocolError::BadCaptchaUrl(
            Empty
        )))
    );
    let split = "Error=CaptchaRequired\nCaptchaToken=tok\nCaptchaUrl=Captcha\r\r\n";
    assert_eq!(
        parse_login(&endpoints, &answer(403, split)),
        Err(ClientLoginError::Protocol(ProtocolError::ControlCharacter))
    );
}

/// SECURITY.md §5.1 row 29: `CaptchaUrl=http://evil/x`, `//evil` and `../../x` are
/// `BadCaptchaUrl`, and an accepted one is always https on the fixed accounts host; nothing
/// lost: after each refusal the authorizer keeps its token and credentials and still logs in.
#[test]
fn row_29_captcha_url_cannot_leave_the_accounts_host() {
    let authorizer = kept_authorizer();
    for (relative, reason) in [
        ("http://evil/x", CaptchaUrlError::Absolute),
        ("//evil", CaptchaUrlError::NetworkPath),
        ("../../x", CaptchaUrlError::DotSegment),
    ] {
        assert_eq!(
            resolve_captcha_url(BASE, relative),
            Err(reason),
            "{relative}"
        );
        let body = format!("Error=CaptchaRequired\nCaptchaToken=tok\nCaptchaUrl={relative}\n");
        let want = ClientLoginError::Protocol(ProtocolError::BadCaptchaUrl(reason));
        assert_eq!(
            parse_login(&Endpoints::google(), &answer(403, &body)).as_ref(),
            Err(&want),
            "{relative}"
        );
        relogin_fails_and_loses_nothing(&authorizer, 403, body.as_bytes(), &want, relative);
    }
    let body = "Error=CaptchaRequired\nCaptchaToken=tok\nCaptchaUrl=Captcha?ctoken=x\n";
    let Err(ClientLoginError::CaptchaRequired(challenge)) =
        parse_login(&Endpoints::google(), &answer(403, body))
    else {
        panic!("a relative CaptchaUrl is a CAPTCHA challenge");
    };
    assert_eq!(
        challenge.image_url(),
        "https://www.google.com/accounts/Captcha?ctoken=x"
    );
    still_logs_in(&authorizer);
}
