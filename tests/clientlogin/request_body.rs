//! The login request on the wire: method, URL, `Content-Type`, the fields and their
//! encoding (PROTOCOLS.md §1.1 and the PY1 vectors of §7.9: space as `+`, `@` as `%40`),
//! the CAPTCHA fields together or not at all, and every refused input.

use gdata_auth::clientlogin::flow::{login, prepare_login, prepare_login_with_captcha};
use gdata_auth::clientlogin::{
    AccountType, CaptchaChallenge, CaptchaToken, ClientLoginError, Credentials, InputError,
    Password, Service, DEFAULT_SOURCE,
};
use gdata_auth::endpoints::Endpoints;

use crate::{credentials, field, fields, EMAIL, PASSWORD};

fn body(req: &gdata_auth::transport::HttpRequest) -> &str {
    std::str::from_utf8(&req.body).unwrap()
}

fn challenge(token: &str) -> CaptchaChallenge {
    CaptchaChallenge::new(
        CaptchaToken::new(token),
        "https://www.google.com/accounts/Captcha?ctoken=x",
    )
}

#[test]
fn a_login_is_a_form_post_to_clientlogin() {
    let req = prepare_login(&Endpoints::google(), &credentials()).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "https://www.google.com/accounts/ClientLogin");
    assert_eq!(
        req.header_value("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.header_value("Authorization"), None);
    // Zend's field order (PROTOCOLS.md §1.1), PY1's encoding.
    assert_eq!(
        body(&req),
        "accountType=HOSTED_OR_GOOGLE&Email=jo%40gmail.com&Passwd=north23AZ&service=cl\
         &source=Gulp-CalGulp-1.05"
    );
    // Under another base the path is the same.
    let local = Endpoints::at("http://127.0.0.1:9/").unwrap();
    let req = prepare_login(&local, &credentials()).unwrap();
    assert_eq!(req.url, "http://127.0.0.1:9/accounts/ClientLogin");
    // The Call carries the same request.
    let call = login(&local, &credentials());
    assert_eq!(call.request().unwrap(), &req);
}

#[test]
fn py1_example_body_substrings() {
    // PROTOCOLS.md §1.1, PY1 auth_test.py: each substring present, order not asserted.
    let creds = Credentials::new(
        "johndoe@gmail.com",
        Password::new("north23AZ"),
        Service::Calendar,
    )
    .with_source("Gulp-CalGulp-1.05");
    let req = prepare_login(&Endpoints::google(), &creds).unwrap();
    for want in [
        "Email=johndoe%40gmail.com",
        "Passwd=north23AZ",
        "service=cl",
        "source=Gulp-CalGulp-1.05",
        "accountType=HOSTED_OR_GOOGLE",
    ] {
        assert!(
            body(&req).split('&').any(|p| p == want),
            "{want} not in {}",
            body(&req)
        );
    }
}

#[test]
fn py1_captcha_vector_sends_both_fields() {
    // PROTOCOLS.md §7.9: captcha_token '12345', captcha_response 'test'. (Its account type
    // 'A TEST' is not one of the three Google accepted, so it is not representable here.)
    let creds = Credentials::new(
        "jo@gmail.com",
        Password::new("password"),
        Service::from_code("test service"),
    )
    .with_source("gdata.auth test")
    .with_account_type(AccountType::Google);
    let req = prepare_login_with_captcha(&Endpoints::google(), &creds, &challenge("12345"), "test")
        .unwrap();
    let pairs: Vec<&str> = body(&req).split('&').collect();
    assert_eq!(
        pairs,
        [
            "accountType=GOOGLE",
            "Email=jo%40gmail.com",
            "Passwd=password",
            "service=test+service",
            "source=gdata.auth+test",
            "logintoken=12345",
            "logincaptcha=test",
        ]
    );
    // Without a challenge, neither field.
    let plain = prepare_login(&Endpoints::google(), &creds).unwrap();
    assert_eq!(field(&plain, "logintoken"), None);
    assert_eq!(field(&plain, "logincaptcha"), None);
}

#[test]
fn values_are_encoded_as_quote_plus_and_decode_back() {
    let rows = [
        ("north23AZ", "north23AZ"),
        ("p@ss w+rd", "p%40ss+w%2Brd"),
        ("~*&=%", "%7E%2A%26%3D%25"),
        ("a-b_c.d", "a-b_c.d"),
        ("p\u{e4}ssw\u{f6}rd", "p%C3%A4ssw%C3%B6rd"),
        ("line\nbreak", "line%0Abreak"),
    ];
    for (password, encoded) in rows {
        let creds = Credentials::new(EMAIL, Password::new(password), Service::Calendar);
        let req = prepare_login(&Endpoints::google(), &creds).unwrap();
        assert!(
            body(&req).contains(&format!("&Passwd={encoded}&")),
            "{password:?}: {}",
            body(&req)
        );
        assert_eq!(field(&req, "Passwd").as_deref(), Some(password));
    }
}

#[test]
fn account_types_and_services_on_the_wire() {
    for (t, wire) in AccountType::ALL
        .into_iter()
        .zip(["HOSTED_OR_GOOGLE", "GOOGLE", "HOSTED"])
    {
        assert_eq!(t.as_str(), wire);
        assert_eq!(AccountType::parse(wire), Ok(t));
        let creds = credentials().with_account_type(t);
        let req = prepare_login(&Endpoints::google(), &creds).unwrap();
        assert_eq!(field(&req, "accountType").as_deref(), Some(wire));
    }
    assert_eq!(
        AccountType::parse("A TEST"),
        Err(ClientLoginError::InvalidInput(
            InputError::UnknownAccountType
        ))
    );
    // PROTOCOLS.md §1.6, plus youtube, xapi and ah.
    let codes = [
        "cl",
        "writely",
        "wise",
        "lh2",
        "blogger",
        "cp",
        "analytics",
        "apps",
        "print",
        "codesearch",
        "finance",
        "gbase",
        "gtrans",
        "health",
        "weaver",
        "local",
        "code",
        "annotateweb",
        "jotspot",
        "sitemaps",
        "youtube",
        "xapi",
        "ah",
    ];
    assert_eq!(Service::KNOWN.len(), codes.len());
    for (service, code) in Service::KNOWN.iter().zip(codes) {
        assert_eq!(service.code(), code);
        assert_eq!(&Service::from_code(code), service);
        let creds = Credentials::new(EMAIL, Password::new(PASSWORD), service.clone());
        let req = prepare_login(&Endpoints::google(), &creds).unwrap();
        assert_eq!(field(&req, "service").as_deref(), Some(code));
    }
    assert_eq!(Service::from_code("CL"), Service::Other("CL".into()));
    assert_eq!(Service::from("sheets").code(), "sheets");
    // The default source names this crate.
    let creds = Credentials::new(EMAIL, Password::new(PASSWORD), Service::Calendar);
    assert!(DEFAULT_SOURCE.starts_with("gdata-auth-"));
    let req = prepare_login(&Endpoints::google(), &creds).unwrap();
    assert_eq!(field(&req, "source").as_deref(), Some(DEFAULT_SOURCE));
}

#[test]
fn the_captcha_answer_is_trimmed() {
    let req = prepare_login_with_captcha(
        &Endpoints::google(),
        &credentials(),
        &challenge("tok"),
        "  Wh1te \r\n",
    )
    .unwrap();
    assert_eq!(field(&req, "logincaptcha").as_deref(), Some("Wh1te"));
    assert_eq!(field(&req, "logintoken").as_deref(), Some("tok"));
    assert_eq!(fields(&req).len(), 7);
}

#[test]
fn inputs_are_refused_before_anything_is_sent() {
    let e = Endpoints::google();
    let refused = |r: Result<_, ClientLoginError>, want: InputError| {
        assert_eq!(r.map(|_| ()), Err(ClientLoginError::InvalidInput(want)));
    };
    let with = |email: &str, password: &str, service: Service| {
        Credentials::new(email, Password::new(password), service)
    };
    refused(
        prepare_login(&e, &with("", PASSWORD, Service::Calendar)),
        InputError::EmptyEmail,
    );
    refused(
        prepare_login(&e, &with(EMAIL, "", Service::Calendar)),
        InputError::EmptyPassword,
    );
    refused(
        prepare_login(&e, &with(EMAIL, PASSWORD, Service::Other(String::new()))),
        InputError::EmptyService,
    );
    refused(
        prepare_login(&e, &credentials().with_source("")),
        InputError::EmptySource,
    );
    for answer in ["", "  ", "\r\n"] {
        refused(
            prepare_login_with_captcha(&e, &credentials(), &challenge("tok"), answer),
            InputError::EmptyCaptchaAnswer,
        );
    }
    for token in ["", "a b", "a\r\nb", "a\"b"] {
        refused(
            prepare_login_with_captcha(&e, &credentials(), &challenge(token), "answer"),
            InputError::BadCaptchaToken,
        );
    }
    // A Call built from a refused input sends nothing.
    let never = |_: gdata_auth::transport::HttpRequest| -> Result<
        gdata_auth::transport::HttpResponse,
        gdata_auth::transport::TransportError,
    > { panic!("a refused login was sent") };
    let call = login(&e, &with(EMAIL, "", Service::Calendar));
    assert_eq!(
        call.send_blocking(&never).err(),
        Some(ClientLoginError::InvalidInput(InputError::EmptyPassword))
    );
}
