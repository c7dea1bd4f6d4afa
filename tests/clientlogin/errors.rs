//! Every `Error=` code of PROTOCOLS.md §1.4 and every malformed answer, as GNOME libgdata's
//! `authentication_errors` table does (`gdata/tests/youtube.c`): each gives its own error,
//! only `ServiceUnavailable` and 5xx are retryable, and after each failure the caller's
//! credentials and authorizer are as they were ("nothing lost", SECURITY.md §3).

use std::time::Duration;

use gdata_auth::clientlogin::{
    login, parse_login, AuthToken, CaptchaChallenge, CaptchaToken, CaptchaUrlError,
    ClientLoginAuthorizer, ClientLoginError, ErrorDetails, Field, ProtocolError,
    MAX_RESPONSE_BYTES,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::HttpResponse;
use ClientLoginError as E;

use crate::{answer, credentials, field, scripted, EMAIL, PASSWORD, SOURCE};

const HELP: &str = "http://example.com/";

fn url() -> ErrorDetails {
    ErrorDetails::new().with_url(HELP)
}

fn protocol(e: ProtocolError) -> ClientLoginError {
    E::Protocol(e)
}

/// (what, status, body, the error).
fn table() -> Vec<(&'static str, u16, Vec<u8>, ClientLoginError)> {
    let captcha = CaptchaChallenge::new(
        CaptchaToken::new("DQAAAGgA"),
        "https://www.google.com/accounts/Captcha?ctoken=HiteT4bVoP6",
    );
    let rows: Vec<(&str, u16, &str, ClientLoginError)> = vec![
        // libgdata's specific authentication errors.
        (
            "BadAuthentication",
            403,
            "Error=BadAuthentication\n",
            E::BadAuthentication(ErrorDetails::new()),
        ),
        (
            "InvalidSecondFactor",
            403,
            "Error=BadAuthentication\nInfo=InvalidSecondFactor\n",
            E::BadAuthentication(ErrorDetails::new().with_info("InvalidSecondFactor")),
        ),
        (
            "NotVerified",
            403,
            "Error=NotVerified\nUrl=http://example.com/\n",
            E::NotVerified(url()),
        ),
        (
            "TermsNotAgreed",
            403,
            "Error=TermsNotAgreed\nUrl=http://example.com/\n",
            E::TermsNotAgreed(url()),
        ),
        (
            "CaptchaRequired",
            403,
            "Error=CaptchaRequired\nCaptchaToken=DQAAAGgA\nCaptchaUrl=Captcha?ctoken=HiteT4bVoP6\n",
            E::CaptchaRequired(captcha),
        ),
        (
            "Unknown",
            403,
            "Error=Unknown\nUrl=http://example.com/\n",
            E::Unknown(url()),
        ),
        (
            "AccountDeleted",
            403,
            "Error=AccountDeleted\nUrl=http://example.com/\n",
            E::AccountDeleted(url()),
        ),
        (
            "AccountDisabled",
            403,
            "Error=AccountDisabled\nUrl=http://example.com/\n",
            E::AccountDisabled(url()),
        ),
        (
            "AccountMigrated",
            403,
            "Error=AccountMigrated\nUrl=http://example.com/\n",
            E::AccountMigrated(url()),
        ),
        (
            "ServiceDisabled",
            403,
            "Error=ServiceDisabled\nUrl=http://example.com/\n",
            E::ServiceDisabled(url()),
        ),
        (
            "ServiceUnavailable",
            403,
            "Error=ServiceUnavailable\nUrl=http://example.com/\n",
            E::ServiceUnavailable {
                details: url(),
                retry_after: None,
            },
        ),
        (
            "both Url and Info, CRLF",
            403,
            "Error=AccountDisabled\r\nUrl=http://example.com/\r\nInfo=Suspended\r\n",
            E::AccountDisabled(url().with_info("Suspended")),
        ),
        // A body whose last line has no ending is read as Python, Java and Zend read it
        // (libgdata's "missing Error delimiter" row calls it a protocol error).
        (
            "no last line ending",
            500,
            "Error=BadAuthentication",
            E::BadAuthentication(ErrorDetails::new()),
        ),
        (
            "Error wins over Auth",
            200,
            "Error=BadAuthentication\nAuth=abc\n",
            E::BadAuthentication(ErrorDetails::new()),
        ),
        // libgdata's malformed answers.
        ("empty 403", 403, "", protocol(ProtocolError::Empty)),
        (
            "Error=",
            403,
            "Error=",
            protocol(ProtocolError::EmptyErrorCode),
        ),
        (
            "Error=Foobar",
            403,
            "Error=Foobar\nUrl=http://example.com/\n",
            protocol(ProtocolError::UnknownErrorCode(Some("Foobar".into()))),
        ),
        (
            "unknown free text",
            403,
            "Error=Not a code!\n",
            protocol(ProtocolError::UnknownErrorCode(None)),
        ),
        (
            "Error=Foobar on a 500",
            500,
            "Error=Foobar\n",
            protocol(ProtocolError::UnknownErrorCode(Some("Foobar".into()))),
        ),
        (
            "403 without Error",
            403,
            "Url=http://example.com/\n",
            protocol(ProtocolError::MissingError),
        ),
        // gdata-python-client's ClientLoginTokenMissing.
        (
            "200 without Auth",
            200,
            "SID=12345\nLSID=34567",
            protocol(ProtocolError::MissingAuth),
        ),
        ("empty 200", 200, "", protocol(ProtocolError::Empty)),
        (
            "blank lines only",
            200,
            "\r\n\n",
            protocol(ProtocolError::Empty),
        ),
        (
            "line without =",
            200,
            "Auth",
            protocol(ProtocolError::NotKeyValue),
        ),
        (
            "empty key",
            200,
            "=x\nAuth=abc",
            protocol(ProtocolError::NotKeyValue),
        ),
        (
            "lone CR",
            200,
            "Auth=abc\rdef",
            protocol(ProtocolError::ControlCharacter),
        ),
        (
            "NUL",
            200,
            "Auth=abc\0",
            protocol(ProtocolError::ControlCharacter),
        ),
        (
            "Auth twice",
            200,
            "Auth=abc\nAuth=def\n",
            protocol(ProtocolError::Duplicate(Field::Auth)),
        ),
        (
            "Error twice",
            403,
            "Error=BadAuthentication\nError=CaptchaRequired\n",
            protocol(ProtocolError::Duplicate(Field::Error)),
        ),
        (
            "Auth empty",
            200,
            "Auth=\n",
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
        (
            "Auth with a space",
            200,
            "Auth=abc def\n",
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
        (
            "Auth with a quote",
            200,
            "Auth=abc\"def\n",
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
        (
            "Auth with a comma",
            200,
            "Auth=abc,x=y\n",
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
        (
            "Auth not ASCII",
            200,
            "Auth=abc\u{e9}\n",
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
        (
            "bad SID",
            200,
            "SID=a b\nAuth=abc\n",
            protocol(ProtocolError::BadToken(Field::Sid)),
        ),
        (
            "CAPTCHA without token",
            403,
            "Error=CaptchaRequired\nCaptchaUrl=Captcha?ctoken=x\n",
            protocol(ProtocolError::MissingCaptchaField(Field::CaptchaToken)),
        ),
        (
            "CAPTCHA without URL",
            403,
            "Error=CaptchaRequired\nCaptchaToken=abc\n",
            protocol(ProtocolError::MissingCaptchaField(Field::CaptchaUrl)),
        ),
        (
            "CAPTCHA from elsewhere",
            403,
            "Error=CaptchaRequired\nCaptchaToken=abc\nCaptchaUrl=http://evil.example/x\n",
            protocol(ProtocolError::BadCaptchaUrl(CaptchaUrlError::Absolute)),
        ),
        // Other statuses without a ClientLogin error (libgdata's generic network errors).
        (
            "400 text",
            400,
            "Invalid parameter \u{2018}foobar\u{2019}.",
            E::Http {
                status: 400,
                retry_after: None,
            },
        ),
        (
            "404 text",
            404,
            "Login page wasn't found for no good reason at all.",
            E::Http {
                status: 404,
                retry_after: None,
            },
        ),
        (
            "500 text",
            500,
            "Whoops.",
            E::Http {
                status: 500,
                retry_after: None,
            },
        ),
        (
            "500 empty",
            500,
            "",
            E::Http {
                status: 500,
                retry_after: None,
            },
        ),
        (
            "502 html",
            502,
            "<html><body>Bad gateway</body></html>",
            E::Http {
                status: 502,
                retry_after: None,
            },
        ),
        (
            "302",
            302,
            "",
            E::Http {
                status: 302,
                retry_after: None,
            },
        ),
        (
            "429",
            429,
            "",
            E::Http {
                status: 429,
                retry_after: None,
            },
        ),
    ];
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|(what, status, body, e)| (what, status, body.as_bytes().to_vec(), e))
        .collect();
    out.push((
        "not UTF-8",
        200,
        b"Auth=\xff\n".to_vec(),
        protocol(ProtocolError::NotUtf8),
    ));
    let mut huge = b"Auth=abc\n".to_vec();
    huge.resize(MAX_RESPONSE_BYTES + 1, b'\n');
    out.push(("oversize", 200, huge, protocol(ProtocolError::TooLarge)));
    out
}

fn retryable(e: &ClientLoginError) -> bool {
    match e {
        E::ServiceUnavailable { .. } => true,
        E::Http { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

#[test]
fn each_answer_gives_its_own_error_and_loses_nothing() {
    let endpoints = Endpoints::google();
    let creds = credentials();
    // An authorizer that holds a token and may log in again: its state must survive too.
    let authorizer = ClientLoginAuthorizer::new(AuthToken::new("old-token"))
        .unwrap()
        .with_relogin(credentials());
    for (what, status, body, want) in table() {
        let response = HttpResponse::new(status, body.clone());
        assert_eq!(
            parse_login(&endpoints, &response).as_ref(),
            Err(&want),
            "{what}"
        );
        assert_eq!(
            want.is_retryable(),
            retryable(&want),
            "{what}: is_retryable"
        );

        // Through the glue, and through a re-login: the same error, nothing changed.
        let (transport, sent) = scripted(vec![
            Ok(HttpResponse::new(status, body.clone())),
            Ok(HttpResponse::new(status, body.clone())),
        ]);
        assert_eq!(
            login(&endpoints, &creds).send_blocking(&transport).err(),
            Some(want.clone()),
            "{what}"
        );
        let relogin = authorizer.relogin(&endpoints).unwrap();
        assert_eq!(
            relogin.send_blocking(&transport).err(),
            Some(want.clone()),
            "{what}"
        );
        // `creds` and `authorizer` are only borrowed, so the type system keeps them; what
        // can go wrong is what was sent: both attempts, each with the whole password.
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 2, "{what}");
        for req in sent.iter() {
            assert_eq!(field(req, "Email").as_deref(), Some(EMAIL), "{what}");
            assert_eq!(field(req, "Passwd").as_deref(), Some(PASSWORD), "{what}");
            assert_eq!(field(req, "source").as_deref(), Some(SOURCE), "{what}");
        }
    }
    // After all of them, the kept credentials still log in.
    let (transport, _) = scripted(vec![Ok(answer(200, "Auth=new-token\n"))]);
    let renewed = authorizer
        .relogin(&endpoints)
        .unwrap()
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(renewed.auth().secret(), "new-token");
}

/// Sends one re-login through a transport that answers `status`/`body`, asserts it fails
/// with `want`, and that nothing was lost: the authorizer still holds its token, still
/// re-logs in, and the attempt carried the whole kept credentials.
pub(crate) fn relogin_fails_and_loses_nothing(
    authorizer: &ClientLoginAuthorizer,
    status: u16,
    body: &[u8],
    want: &ClientLoginError,
    what: &str,
) {
    let endpoints = Endpoints::google();
    let (transport, sent) = scripted(vec![Ok(HttpResponse::new(status, body.to_vec()))]);
    let got = authorizer
        .relogin(&endpoints)
        .unwrap()
        .send_blocking(&transport)
        .err();
    assert_eq!(got.as_ref(), Some(want), "{what}");
    assert_eq!(authorizer.auth().secret(), "old-token", "{what}");
    assert!(authorizer.can_relogin(), "{what}");
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 1, "{what}");
    assert_eq!(field(&sent[0], "Email").as_deref(), Some(EMAIL), "{what}");
    assert_eq!(
        field(&sent[0], "Passwd").as_deref(),
        Some(PASSWORD),
        "{what}"
    );
}

/// An authorizer holding `old-token` that may log in again with [`credentials`].
pub(crate) fn kept_authorizer() -> ClientLoginAuthorizer {
    ClientLoginAuthorizer::new(AuthToken::new("old-token"))
        .unwrap()
        .with_relogin(credentials())
}

/// After the failures, the kept credentials still log in.
pub(crate) fn still_logs_in(authorizer: &ClientLoginAuthorizer) {
    let (transport, _) = scripted(vec![Ok(answer(200, "Auth=new-token\n"))]);
    let renewed = authorizer
        .relogin(&Endpoints::google())
        .unwrap()
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(renewed.auth().secret(), "new-token");
    assert!(renewed.can_relogin());
}

/// SECURITY.md §5.1 row 28: each `Error=` code gives its own error, `Info=InvalidSecondFactor`
/// asks for an application-specific password, and malformed bodies (`Error=Foobar`,
/// `Error=`, empty, 10 MB, `Auth=` with CR or a quote) are protocol errors; nothing lost:
/// after each, the authorizer keeps its token and its credentials, and still logs in.
#[test]
fn row_28_clientlogin_error_bodies() {
    let authorizer = kept_authorizer();
    let codes = [
        "BadAuthentication",
        "NotVerified",
        "TermsNotAgreed",
        "CaptchaRequired",
        "Unknown",
        "AccountDeleted",
        "AccountDisabled",
        "AccountMigrated",
        "ServiceDisabled",
        "ServiceUnavailable",
    ];
    let mut kinds = Vec::new();
    for code in codes {
        let body = format!("Error={code}\nCaptchaToken=tok\nCaptchaUrl=Captcha?ctoken=x\n");
        let e = parse_login(&Endpoints::google(), &answer(403, &body)).unwrap_err();
        assert!(!matches!(e, E::Protocol(_)), "{code}: {e:?}");
        assert_eq!(e.is_retryable(), code == "ServiceUnavailable", "{code}");
        relogin_fails_and_loses_nothing(&authorizer, 403, body.as_bytes(), &e, code);
        kinds.push(std::mem::discriminant(&e));
    }
    for (i, k) in kinds.iter().enumerate() {
        assert!(!kinds[..i].contains(k), "{}: not distinct", codes[i]);
    }

    let second = E::BadAuthentication(ErrorDetails::new().with_info("InvalidSecondFactor"));
    assert!(second.details().unwrap().needs_application_password());
    let mut huge = b"Auth=abc\n".to_vec();
    huge.resize(10 * 1024 * 1024, b'\n');
    let rows: Vec<(&str, u16, Vec<u8>, ClientLoginError)> = vec![
        (
            "InvalidSecondFactor",
            403,
            b"Error=BadAuthentication\nInfo=InvalidSecondFactor\n".to_vec(),
            second,
        ),
        (
            "Error=Foobar",
            403,
            b"Error=Foobar\n".to_vec(),
            protocol(ProtocolError::UnknownErrorCode(Some("Foobar".into()))),
        ),
        (
            "Error=",
            403,
            b"Error=".to_vec(),
            protocol(ProtocolError::EmptyErrorCode),
        ),
        ("empty", 403, Vec::new(), protocol(ProtocolError::Empty)),
        // Read as Python, Java and Zend read it (see `table`), not as a protocol error.
        (
            "no trailing newline",
            403,
            b"Error=BadAuthentication".to_vec(),
            E::BadAuthentication(ErrorDetails::new()),
        ),
        ("10 MB", 200, huge, protocol(ProtocolError::TooLarge)),
        (
            "Auth with CR",
            200,
            b"Auth=abc\rdef\n".to_vec(),
            protocol(ProtocolError::ControlCharacter),
        ),
        (
            "Auth with a quote",
            200,
            b"Auth=abc\"def\n".to_vec(),
            protocol(ProtocolError::BadToken(Field::Auth)),
        ),
    ];
    for (what, status, body, want) in rows {
        assert_eq!(
            parse_login(
                &Endpoints::google(),
                &HttpResponse::new(status, body.clone())
            )
            .as_ref(),
            Err(&want),
            "{what}"
        );
        relogin_fails_and_loses_nothing(&authorizer, status, &body, &want, what);
    }
    // The size cap of the row: 64 KiB at most.
    const _: () = assert!(MAX_RESPONSE_BYTES <= 64 * 1024);
    still_logs_in(&authorizer);
}

#[test]
fn details_and_hints() {
    let second = E::BadAuthentication(ErrorDetails::new().with_info("InvalidSecondFactor"));
    assert!(second.details().unwrap().needs_application_password());
    assert!(second.to_string().contains("application-specific password"));
    let web = E::BadAuthentication(ErrorDetails::new().with_info("WebLoginRequired"));
    assert!(web.details().unwrap().needs_web_login());
    assert!(!web.details().unwrap().needs_application_password());
    assert!(web.to_string().contains("sign in on the web"), "{web}");
    assert!(!web.to_string().contains("wrong user name"), "{web}");
    let plain = E::BadAuthentication(ErrorDetails::new());
    assert!(!plain.details().unwrap().needs_application_password());
    assert!(!plain.details().unwrap().needs_web_login());
    assert!(plain.to_string().contains("wrong user name or password"));
    assert_eq!(E::NotVerified(url()).details().unwrap().url(), Some(HELP));
    assert_eq!(E::Protocol(ProtocolError::Empty).details(), None);
}

#[test]
fn retry_after_comes_from_the_header() {
    let endpoints = Endpoints::google();
    let busy = answer(503, "Error=ServiceUnavailable\n").with_header("Retry-After", "30");
    let e = parse_login(&endpoints, &busy).unwrap_err();
    assert_eq!(
        e,
        E::ServiceUnavailable {
            details: ErrorDetails::new(),
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    assert!(e.to_string().contains("Retry-After: 30 s"));
    let down = answer(503, "").with_header("retry-after", "7");
    assert_eq!(
        parse_login(&endpoints, &down).unwrap_err().retry_after(),
        Some(Duration::from_secs(7))
    );
    // Authentication errors carry none, whatever the header says.
    let bad = answer(403, "Error=BadAuthentication\n").with_header("Retry-After", "1");
    assert_eq!(
        parse_login(&endpoints, &bad).unwrap_err().retry_after(),
        None
    );
}
