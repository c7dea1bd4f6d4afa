//! The OAuth 1.0a dance without a network: every `prepare_*` checked on the wire level
//! (method, URL, headers, and a signature recomputed from the request as a provider would),
//! every `parse_*` fed good and bad answers (SECURITY.md §5.1 rows 25–26, oversize,
//! non-UTF-8, 4xx with `oauth_problem`), the gdata-python-client vectors from
//! `fixtures/vectors/gdata.json`, and the async and blocking glue through closure
//! transports that answer as a provider would.

use std::sync::{Arc, Mutex};

use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth1::base_string::base_string;
use gdata_auth::oauth1::flow::{
    self, authorize_url, parse_access_token, parse_callback, parse_request_token, parse_revoke,
    prepare_access_token, prepare_request_token, prepare_revoke, prepare_two_legged,
    two_legged_request, AuthorizeOptions, RequestTokenOptions, MAX_RESPONSE_BYTES,
};
use gdata_auth::oauth1::header::parse_header;
use gdata_auth::oauth1::signature::{signing_key, verify_hmac};
use gdata_auth::oauth1::{
    AccessToken, Callback, OAuth1Authorizer, RequestToken, Scope, SignatureMethod,
};
use gdata_auth::oauth1::{CallbackError, FlowError, Malformed, OAuth1Error};
use gdata_auth::scope::ScopeError;
use gdata_auth::signed::prepare_signed;
use gdata_auth::store::StoredToken;
use gdata_auth::transport::{FnTransport, HttpRequest, HttpResponse, TransportError};
use gdata_auth::{ConsumerSecret, Context, Request, TokenSecret};

const GDATA_JSON: &str = include_str!("../../fixtures/vectors/gdata.json");

const CONSUMER_KEY: &str = "example.com";
const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const PLAYGROUND: &str = "http://googlecodesamples.com/oauth_playground/index.php";
const CALENDAR: &str = "http://www.google.com/calendar/feeds/";
const BLOGGER: &str = "http://www.blogger.com/feeds/";

fn consumer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1(CONSUMER_KEY, ConsumerSecret::new(CONSUMER_SECRET))
}

fn ctx() -> Context {
    Context::fixed(1246489532, "48522759")
}

fn scopes(list: &[&str]) -> Vec<Scope> {
    list.iter().map(|s| Scope::new(*s).unwrap()).collect()
}

fn request_token(token: &str) -> RequestToken {
    RequestToken::new(
        token,
        TokenSecret::new("req-secret"),
        scopes(&[CALENDAR]),
        Callback::Oob,
    )
}

fn access(token: &str, secret: &str) -> AccessToken {
    AccessToken::new(
        CONSUMER_KEY,
        token,
        TokenSecret::new(secret),
        scopes(&[CALENDAR]),
    )
}

/// What a provider sees of a signed request: the decoded header parameters, the base
/// string recomputed from method, URL, form body and header, and `oauth_signature`.
struct Seen {
    params: Vec<(String, String)>,
    base_string: String,
    signature: String,
}

impl Seen {
    fn of(req: &HttpRequest) -> Self {
        let header = req
            .header_value("Authorization")
            .expect("no Authorization header");
        let parsed = parse_header(header).expect("header does not parse");
        let mut request = Request::new(&req.method, &req.url).expect("URL does not parse");
        if req.header_value("Content-Type") == Some("application/x-www-form-urlencoded") {
            request = request
                .with_form_body(std::str::from_utf8(&req.body).unwrap())
                .unwrap();
        }
        let pairs: Vec<(&str, &str)> = parsed
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let base_string = base_string(&request, &pairs);
        let signature = parsed
            .params
            .iter()
            .find(|(n, _)| n == "oauth_signature")
            .expect("no oauth_signature")
            .1
            .clone();
        Self {
            params: parsed.params,
            base_string,
            signature,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        let mut it = self.params.iter().filter(|(n, _)| n == name);
        let first = it.next().map(|(_, v)| v.as_str());
        assert!(it.next().is_none(), "{name} twice in the header");
        first
    }

    fn hmac_ok(&self, consumer_secret: &str, token_secret: &str) -> bool {
        verify_hmac(
            SignatureMethod::HmacSha1,
            signing_key(consumer_secret, token_secret).as_bytes(),
            self.base_string.as_bytes(),
            &self.signature,
        )
    }
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse::new(200, body.as_bytes().to_vec())
}

// ---------------------------------------------------------------------------------------
// Request token.

#[test]
fn request_token_call_is_an_empty_post_signed_with_scope_and_callback() {
    let options = RequestTokenOptions::new(scopes(&[BLOGGER, CALENDAR]), Callback::Oob);
    let anonymous = OAuth1Authorizer::anonymous();
    let req = prepare_request_token(&Endpoints::google(), &anonymous, &options, &ctx()).unwrap();

    assert_eq!(req.method, "POST");
    assert_eq!(
        req.url,
        "https://www.google.com/accounts/OAuthGetRequestToken\
         ?scope=http%3A%2F%2Fwww.blogger.com%2Ffeeds%2F%20http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F"
    );
    assert_eq!(req.header_value("Content-Length"), Some("0"));
    assert_eq!(req.header_value("Content-Type"), None);
    assert!(req.body.is_empty());

    // PY2 OAuthGetRequestToken test (PROTOCOLS.md §7.9): substrings of URI and header.
    let header = req.header_value("Authorization").unwrap();
    for want in [
        "oauth_consumer_key=\"anonymous\"",
        "oauth_signature_method=\"HMAC-SHA1\"",
        "oauth_version=\"1.0\"",
        "oauth_callback=\"oob\"",
    ] {
        assert!(header.contains(want), "{want} missing from {header}");
    }
    for want in [
        "http%3A%2F%2Fwww.blogger.com%2Ffeeds%2F",
        "http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F",
    ] {
        assert!(req.url.contains(want), "{want} missing from {}", req.url);
    }

    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_token"), None);
    assert_eq!(seen.param("oauth_timestamp"), Some("1246489532"));
    assert_eq!(seen.param("oauth_nonce"), Some("48522759"));
    // The scope is a query parameter, hence in the base string (PROTOCOLS.md §3.2).
    assert!(seen
        .base_string
        .contains("%26scope%3Dhttp%253A%252F%252Fwww.blogger.com%252Ffeeds%252F%2520http%253A"));
    assert!(seen.base_string.contains("oauth_callback%3Doob%26"));
    assert!(seen.hmac_ok("anonymous", ""));
    assert!(!seen.hmac_ok("anonymous", "x"));
}

#[test]
fn request_token_base_string_matches_the_gdata_python_playground_vector() {
    // PROTOCOLS.md §7.3 (e), gauth_test.py: the same parameters, sent by PY1 as a GET. Our
    // POST differs only in the method.
    let expected_get = "GET&https%3A%2F%2Fwww.google.com%2Faccounts%2FOAuthGetRequestToken&oauth_callback%3Dhttp%253A%252F%252Fgooglecodesamples.com%252Foauth_playground%252Findex.php%26oauth_consumer_key%3Danonymous%26oauth_nonce%3D48522759%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1246489532%26oauth_version%3D1.0%26scope%3Dhttps%253A%252F%252Fdocs.google.com%252Ffeeds%252F%2520http%253A%252F%252Fdocs.google.com%252Ffeeds%252F";
    let options = RequestTokenOptions::new(
        scopes(&[
            "https://docs.google.com/feeds/",
            "http://docs.google.com/feeds/",
        ]),
        Callback::Url(PLAYGROUND.into()),
    );
    let req = prepare_request_token(
        &Endpoints::google(),
        &OAuth1Authorizer::anonymous(),
        &options,
        &ctx(),
    )
    .unwrap();
    let seen = Seen::of(&req);
    assert_eq!(
        seen.base_string,
        expected_get.replacen("GET&", "POST&", 1),
        "base string"
    );
    assert_eq!(seen.param("oauth_callback"), Some(PLAYGROUND));
    assert!(req.header_value("Authorization").unwrap().contains(
        "oauth_callback=\"http%3A%2F%2Fgooglecodesamples.com%2Foauth_playground%2Findex.php\""
    ));
    assert!(seen.hmac_ok("anonymous", ""));
}

#[test]
fn request_token_display_name_is_in_the_query_and_signed() {
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob)
        .with_display_name("My App & Co");
    let base = Endpoints::at("http://127.0.0.1:8080").unwrap();
    let req = prepare_request_token(&base, &consumer(), &options, &ctx()).unwrap();
    assert_eq!(
        req.url,
        "http://127.0.0.1:8080/accounts/OAuthGetRequestToken\
         ?scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F&xoauth_displayname=My%20App%20%26%20Co"
    );
    let seen = Seen::of(&req);
    assert!(seen
        .base_string
        .contains("%26xoauth_displayname%3DMy%2520App%2520%2526%2520Co"));
    assert!(seen.hmac_ok(CONSUMER_SECRET, ""));
}

#[test]
fn request_token_drops_a_token_the_consumer_already_holds() {
    let holding = consumer().with_token("stale", TokenSecret::new("stale-secret"));
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    let req = prepare_request_token(&Endpoints::google(), &holding, &options, &ctx()).unwrap();
    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_token"), None);
    assert!(seen.hmac_ok(CONSUMER_SECRET, ""));
}

#[test]
fn request_token_refuses_bad_options() {
    let rows: Vec<(RequestTokenOptions, OAuth1Error)> = vec![
        (
            RequestTokenOptions::new(Vec::new(), Callback::Oob),
            ScopeError::NoScopes.into(),
        ),
        (
            RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Url("/relative".into())),
            FlowError::InvalidCallback(CallbackError::NotAbsolute).into(),
        ),
        (
            RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Url("oob".into())),
            FlowError::InvalidCallback(CallbackError::NotAbsolute).into(),
        ),
        (
            RequestTokenOptions::new(
                scopes(&[CALENDAR]),
                Callback::Url("https://a.example/cb\r\nX: y".into()),
            ),
            FlowError::InvalidCallback(CallbackError::Whitespace).into(),
        ),
    ];
    for (options, want) in rows {
        let got = prepare_request_token(&Endpoints::google(), &consumer(), &options, &ctx());
        assert_eq!(got.unwrap_err(), want, "{options:?}");
    }
}

#[cfg(feature = "rsa")]
#[test]
fn request_token_signed_with_rsa_sha1_verifies_with_the_public_key() {
    use gdata_auth::RsaSigningKey;
    const OAUTH1_JSON: &str = include_str!("../../fixtures/vectors/oauth1.json");
    let vectors: serde_json::Value = serde_json::from_str(OAUTH1_JSON).unwrap();
    let pem = vectors
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "sig-wiki-rsa-sha1-photos")
        .and_then(|v| v["input"]["rsa_private_key_pem"].as_str())
        .expect("RSA test key in oauth1.json");
    let key = RsaSigningKey::from_pem(pem).unwrap();
    let public = key.verifying_key();
    let rsa_consumer = OAuth1Authorizer::rsa_sha1("rsa.example.com", key);
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    let req = prepare_request_token(&Endpoints::google(), &rsa_consumer, &options, &ctx()).unwrap();
    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_signature_method"), Some("RSA-SHA1"));
    assert!(public.verify(seen.base_string.as_bytes(), &seen.signature));
    assert!(!public.verify(
        seen.base_string.replace("POST&", "GET&").as_bytes(),
        &seen.signature
    ));

    // The access-token step with RSA: the token secret plays no part (RFC 5849 §3.4.3).
    let authorized = request_token("rt").with_verifier("v").unwrap();
    let req =
        prepare_access_token(&Endpoints::google(), &rsa_consumer, &authorized, &ctx()).unwrap();
    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_verifier"), Some("v"));
    assert!(public.verify(seen.base_string.as_bytes(), &seen.signature));
}

fn vectors_of(kind: &str) -> Vec<serde_json::Value> {
    let all: serde_json::Value = serde_json::from_str(GDATA_JSON).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn gdata_token_response_vectors() {
    let rows = vectors_of("token_response");
    assert_eq!(rows.len(), 2, "token_response rows in gdata.json");
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let body = row["input"]["body"].as_str().unwrap();
        let want = &row["expected"];
        assert_eq!(want["oauth_callback_confirmed"], "true", "{id}");
        // As sent, and with the trailing newline some providers add.
        for body in [body.to_owned(), format!("{body}\n"), format!("{body}\r\n")] {
            let token = parse_request_token(&options, &ok(&body))
                .unwrap_or_else(|e| panic!("{id} ({}): {e}", row["source"]));
            assert_eq!(token.token(), want["oauth_token"].as_str().unwrap(), "{id}");
            assert_eq!(
                token.secret().secret(),
                want["oauth_token_secret"].as_str().unwrap(),
                "{id}"
            );
            assert_eq!(token.scopes(), options.scopes.as_slice());
            assert_eq!(token.callback(), &Callback::Oob);
        }
    }
}

#[test]
fn py2_request_token_vector_decodes_plus_as_plus() {
    // PROTOCOLS.md §3.2: `%2B` is `+`, not a space.
    let body = "oauth_token=4%2F5bNFM_efIu3yN-E9RrF1KfZzOAZG&oauth_token_secret=%2B4O49V9WUOkjXgpOobAtgYzy&oauth_callback_confirmed=true";
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    let token = parse_request_token(&options, &ok(body)).unwrap();
    assert_eq!(token.token(), "4/5bNFM_efIu3yN-E9RrF1KfZzOAZG");
    assert_eq!(token.secret().secret(), "+4O49V9WUOkjXgpOobAtgYzy");
}

/// Bad answers to either token step, with the error each must give. `confirmed` says
/// whether the row is for the request-token step (which also needs the confirmation).
fn bad_token_answers() -> Vec<(&'static str, HttpResponse, FlowError)> {
    let big = format!(
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&pad={}",
        "a".repeat(MAX_RESPONSE_BYTES)
    );
    vec![
        (
            "no oauth_token",
            ok("oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::MissingParameter("oauth_token"),
        ),
        (
            "empty oauth_token",
            ok("oauth_token=&oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::MissingParameter("oauth_token"),
        ),
        (
            "no oauth_token_secret",
            ok("oauth_token=t&oauth_callback_confirmed=true"),
            FlowError::MissingParameter("oauth_token_secret"),
        ),
        (
            "oauth_token twice",
            ok("oauth_token=t&oauth_token=u&oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::DuplicateParameter("oauth_token".into()),
        ),
        (
            "same oauth_token twice",
            ok("oauth_token=t&oauth_token_secret=s&oauth_token=t&oauth_callback_confirmed=true"),
            FlowError::DuplicateParameter("oauth_token".into()),
        ),
        (
            "oauth_token_secret twice",
            ok("oauth_token=t&oauth_token_secret=s&oauth_token_secret=x&oauth_callback_confirmed=true"),
            FlowError::DuplicateParameter("oauth_token_secret".into()),
        ),
        (
            "bad percent-escape",
            ok("oauth_token=%zz&oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::Malformed(Malformed::NotFormEncoded),
        ),
        (
            "escape decoding to non-UTF-8",
            ok("oauth_token=%FF&oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::Malformed(Malformed::NotFormEncoded),
        ),
        (
            "non-UTF-8 body",
            HttpResponse::new(
                200,
                b"oauth_token=t\xff&oauth_token_secret=s&oauth_callback_confirmed=true".to_vec(),
            ),
            FlowError::Malformed(Malformed::NotUtf8),
        ),
        (
            "CR LF in the token",
            ok("oauth_token=t%0D%0ASet-Cookie%3A%20x&oauth_token_secret=s&oauth_callback_confirmed=true"),
            FlowError::Malformed(Malformed::ControlCharacter("oauth_token")),
        ),
        (
            "NUL in the secret",
            ok("oauth_token=t&oauth_token_secret=s%00&oauth_callback_confirmed=true"),
            FlowError::Malformed(Malformed::ControlCharacter("oauth_token_secret")),
        ),
        (
            "one byte over the cap",
            HttpResponse::new(200, big.as_bytes()[..MAX_RESPONSE_BYTES + 1].to_vec()),
            FlowError::ResponseTooLarge,
        ),
        (
            "far over the cap",
            ok(&big),
            FlowError::ResponseTooLarge,
        ),
        (
            "400 with oauth_problem",
            HttpResponse::new(400, "oauth_problem=parameter_absent&oauth_parameters_absent=scope"),
            FlowError::Http {
                status: 400,
                problem: Some("parameter_absent".into()),
            },
        ),
        (
            "401 with oauth_problem and a newline",
            HttpResponse::new(401, "oauth_problem=signature_invalid\n"),
            FlowError::Http {
                status: 401,
                problem: Some("signature_invalid".into()),
            },
        ),
        (
            "401 with oauth_problem in WWW-Authenticate",
            HttpResponse::new(401, "Unauthorized")
                .with_header("WWW-Authenticate", "OAuth realm=\"\", oauth_problem=\"token_rejected\""),
            FlowError::Http {
                status: 401,
                problem: Some("token_rejected".into()),
            },
        ),
        (
            "403 with an HTML body",
            HttpResponse::new(403, "<html><body>oauth_problem=nope secret-canary</body></html>"),
            FlowError::Http {
                status: 403,
                problem: None,
            },
        ),
        (
            "400 with a problem that is free text",
            HttpResponse::new(400, "oauth_problem=your+secret+is+secret-canary"),
            FlowError::Http {
                status: 400,
                problem: None,
            },
        ),
        (
            "400 with two problems",
            HttpResponse::new(400, "oauth_problem=a&oauth_problem=b"),
            FlowError::Http {
                status: 400,
                problem: None,
            },
        ),
        (
            "500 oversize",
            HttpResponse::new(500, format!("oauth_problem=x&{big}")),
            FlowError::Http {
                status: 500,
                problem: None,
            },
        ),
        (
            "302 redirect",
            HttpResponse::new(302, "").with_header("Location", "https://evil.example/"),
            FlowError::Http {
                status: 302,
                problem: None,
            },
        ),
    ]
}

#[test]
fn parse_request_token_refuses_bad_answers() {
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    let mut rows = bad_token_answers();
    // SECURITY.md §5.1 row 25: an OAuth 1.0 (not 1.0a) provider is refused.
    for body in [
        "oauth_token=t&oauth_token_secret=s",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=TRUE",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true%20",
        "",
    ] {
        rows.push(("unconfirmed", ok(body), FlowError::CallbackNotConfirmed));
    }
    rows.push((
        "confirmation twice",
        ok("oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&oauth_callback_confirmed=false"),
        FlowError::DuplicateParameter("oauth_callback_confirmed".into()),
    ));
    for (what, resp, want) in rows {
        let got = parse_request_token(&options, &resp);
        assert_eq!(got.as_ref().err(), Some(&want), "{what}: {got:?}");
        let text = format!("{} {:?}", want, want);
        assert!(!text.contains("canary"), "{what}: body leaked into {text}");
    }
}

/// SECURITY.md §5.1 row 25: a request-token answer without `oauth_callback_confirmed=true`
/// (an OAuth 1.0, not 1.0a, provider) is `CallbackNotConfirmed`; nothing lost: the options
/// are unchanged and a confirmed answer is still accepted with them.
#[test]
fn row_25_request_token_without_callback_confirmed() {
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    let before = options.clone();
    for body in [
        "oauth_token=t&oauth_token_secret=s",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=TRUE",
        "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=",
    ] {
        assert_eq!(
            parse_request_token(&options, &ok(body)).unwrap_err(),
            FlowError::CallbackNotConfirmed,
            "{body}"
        );
        assert_eq!(options, before, "{body}: options changed");
    }
    let token = parse_request_token(
        &options,
        &ok("oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true"),
    )
    .unwrap();
    assert_eq!(token.token(), "t");
    assert_eq!(token.secret().secret(), "s");
}

#[test]
fn exactly_the_cap_is_accepted() {
    let head = "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&pad=";
    let body = format!("{head}{}", "a".repeat(MAX_RESPONSE_BYTES - head.len()));
    assert_eq!(body.len(), MAX_RESPONSE_BYTES);
    let options = RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob);
    assert_eq!(
        parse_request_token(&options, &ok(&body)).unwrap().token(),
        "t"
    );
}

#[test]
fn http_error_message_names_status_and_problem_only() {
    let err = parse_request_token(
        &RequestTokenOptions::new(scopes(&[CALENDAR]), Callback::Oob),
        &HttpResponse::new(401, "oauth_problem=signature_invalid&debug=secret-canary"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the provider answered HTTP 401 (oauth_problem=signature_invalid)"
    );
    let err = parse_revoke(&HttpResponse::new(403, "secret-canary")).unwrap_err();
    assert_eq!(err.to_string(), "the provider answered HTTP 403");
}

// ---------------------------------------------------------------------------------------
// Authorization URL.

#[test]
fn gdata_authorization_url_vector() {
    let rows = vectors_of("authorization_url");
    assert_eq!(rows.len(), 1, "authorization_url rows in gdata.json");
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let token = request_token(row["input"]["token"].as_str().unwrap());
        let endpoints = Endpoints::google();
        assert_eq!(
            endpoints.oauth1_authorize_token(),
            row["input"]["auth_server"].as_str().unwrap(),
            "{id}"
        );
        let url = authorize_url(&endpoints, &token, &AuthorizeOptions::default());
        assert!(
            url.starts_with(row["expected"]["starts_with"].as_str().unwrap()),
            "{id}: {url}"
        );
        for want in row["expected"]["contains"].as_array().unwrap() {
            assert!(
                url.contains(want.as_str().unwrap()),
                "{id}: {want} in {url}"
            );
        }
        // The row's note: PY2 also sends hd=default.
        assert!(url.contains("hd=default"), "{id}: {url}");
    }
}

#[test]
fn authorization_url_table() {
    let token = request_token("/+=aosdpikk");
    let emu = Endpoints::at("http://127.0.0.1:9999/").unwrap();
    let rows = [
        (
            AuthorizeOptions::new(),
            "http://127.0.0.1:9999/accounts/OAuthAuthorizeToken?oauth_token=%2F%2B%3Daosdpikk&hd=default",
        ),
        (
            AuthorizeOptions::new().with_hd("example.org"),
            "http://127.0.0.1:9999/accounts/OAuthAuthorizeToken?oauth_token=%2F%2B%3Daosdpikk&hd=example.org",
        ),
        (
            AuthorizeOptions::new().with_hl("fr").with_mobile(true),
            "http://127.0.0.1:9999/accounts/OAuthAuthorizeToken?oauth_token=%2F%2B%3Daosdpikk&hd=default&hl=fr&btmpl=mobile",
        ),
        (
            AuthorizeOptions::new().with_hd("a&b=c d"),
            "http://127.0.0.1:9999/accounts/OAuthAuthorizeToken?oauth_token=%2F%2B%3Daosdpikk&hd=a%26b%3Dc%20d",
        ),
    ];
    for (options, want) in rows {
        assert_eq!(authorize_url(&emu, &token, &options), want, "{options:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Callback.

#[test]
fn gdata_callback_url_vector() {
    let rows = vectors_of("callback_url");
    assert_eq!(rows.len(), 1, "callback_url rows in gdata.json");
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let want = &row["expected"];
        let token = request_token(want["oauth_token"].as_str().unwrap());
        let url = row["input"]["url"].as_str().unwrap();
        let query = url.split_once('?').unwrap().1;
        for input in [url.to_owned(), query.to_owned(), format!("?{query}")] {
            let authorized = parse_callback(token.clone(), &input)
                .unwrap_or_else(|e| panic!("{id} ({}) {input}: {e}", row["source"]));
            assert_eq!(authorized.token(), want["oauth_token"].as_str().unwrap());
            assert_eq!(
                authorized.verifier().secret(),
                want["oauth_verifier"].as_str().unwrap()
            );
            assert_eq!(authorized.secret(), token.secret());
            assert_eq!(authorized.request_token(), &token);
        }
    }
}

#[test]
fn callback_keeps_app_parameters_out_and_decodes_the_token() {
    let token = request_token("1/ab+c");
    let authorized = parse_callback(
        token.clone(),
        "https://app.example/cb?state=x&state=y&oauth_token=1%2Fab%2Bc&oauth_verifier=v%2Fw#frag",
    )
    .unwrap();
    assert_eq!(authorized.verifier().secret(), "v/w");
}

#[test]
fn callback_refuses_bad_input() {
    // SECURITY.md §5.1 row 26 and the session-fixation row of §2.
    let token = request_token("CKF50YzIHxCT85KMAg");
    let rows: &[(&str, FlowError)] = &[
        (
            "http://www.example.com/test?oauth_token=ATTACKER&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAgX&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        (
            "oauth_token=ckf50yzihxct85kmag&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMA&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        ("oauth_token=ATTACKER", FlowError::TokenMismatch),
        (
            "http://www.example.com/test?oauth_token=CKF50YzIHxCT85KMAg",
            FlowError::MissingVerifier,
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=",
            FlowError::MissingVerifier,
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&verifier=123zzz",
            FlowError::MissingVerifier,
        ),
        (
            "oauth_verifier=123zzz",
            FlowError::MissingParameter("oauth_token"),
        ),
        (
            "http://www.example.com/test",
            FlowError::MissingParameter("oauth_token"),
        ),
        ("", FlowError::MissingParameter("oauth_token")),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_token=ATTACKER&oauth_verifier=1",
            FlowError::DuplicateParameter("oauth_token".into()),
        ),
        (
            "oauth_token=ATTACKER&oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=1",
            FlowError::DuplicateParameter("oauth_token".into()),
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=1&oauth_verifier=2",
            FlowError::DuplicateParameter("oauth_verifier".into()),
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=%zz",
            FlowError::Malformed(Malformed::NotFormEncoded),
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=a%0Ab",
            FlowError::Malformed(Malformed::ControlCharacter("oauth_verifier")),
        ),
    ];
    for (input, want) in rows {
        let got = parse_callback(token.clone(), input);
        assert_eq!(got.as_ref().err(), Some(want), "{input}: {got:?}");
    }
}

/// SECURITY.md §5.1 row 26: a callback naming another `oauth_token` than the one we started
/// with is `TokenMismatch`, one without `oauth_verifier` is `MissingVerifier`; nothing lost:
/// the request token we keep is unchanged and the genuine callback still completes with it.
#[test]
fn row_26_callback_with_other_token_or_no_verifier() {
    let token = request_token("CKF50YzIHxCT85KMAg");
    let kept = token.clone();
    for (input, want) in [
        (
            "oauth_token=ATTACKER&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        (
            "oauth_token=ckf50yzihxct85kmag&oauth_verifier=123zzz",
            FlowError::TokenMismatch,
        ),
        (
            "http://www.example.com/test?oauth_token=CKF50YzIHxCT85KMAg",
            FlowError::MissingVerifier,
        ),
        (
            "oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=",
            FlowError::MissingVerifier,
        ),
    ] {
        let got = parse_callback(token.clone(), input);
        assert_eq!(got.as_ref().err(), Some(&want), "{input}: {got:?}");
        assert_eq!(token, kept, "{input}: request token changed");
    }
    let authorized = parse_callback(
        token,
        "http://www.example.com/test?oauth_token=CKF50YzIHxCT85KMAg&oauth_verifier=123zzz",
    )
    .unwrap();
    assert_eq!(authorized.request_token(), &kept);
    assert_eq!(authorized.verifier().secret(), "123zzz");
}

#[test]
fn pasted_verifier_for_oob() {
    let authorized = request_token("rt").with_verifier("  123zzz\n").unwrap();
    assert_eq!(authorized.verifier().secret(), "123zzz");
    assert_eq!(
        request_token("rt").with_verifier(" \n").unwrap_err(),
        FlowError::MissingVerifier
    );
    assert_eq!(
        request_token("rt").with_verifier("a\u{7}b").unwrap_err(),
        FlowError::Malformed(Malformed::ControlCharacter("oauth_verifier"))
    );
}

// ---------------------------------------------------------------------------------------
// Access token.

#[test]
fn access_token_call_is_signed_with_request_token_and_verifier() {
    let authorized = request_token("4/5bNFM_efIu3yN-E9RrF1KfZzOAZG")
        .with_verifier("123zzz")
        .unwrap();
    let req = prepare_access_token(&Endpoints::google(), &consumer(), &authorized, &ctx()).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.url,
        "https://www.google.com/accounts/OAuthGetAccessToken"
    );
    assert_eq!(req.header_value("Content-Length"), Some("0"));
    assert!(req.body.is_empty());
    let seen = Seen::of(&req);
    assert_eq!(
        seen.param("oauth_token"),
        Some("4/5bNFM_efIu3yN-E9RrF1KfZzOAZG")
    );
    assert_eq!(seen.param("oauth_verifier"), Some("123zzz"));
    assert_eq!(seen.param("oauth_callback"), None);
    assert_eq!(seen.param("oauth_consumer_key"), Some(CONSUMER_KEY));
    assert!(seen.base_string.contains("%26oauth_verifier%3D123zzz%26"));
    assert!(seen.hmac_ok(CONSUMER_SECRET, "req-secret"));
    assert!(!seen.hmac_ok(CONSUMER_SECRET, ""));
}

#[test]
fn parse_access_token_reads_the_pair_and_keeps_the_scopes() {
    let authorized = request_token("rt").with_verifier("v").unwrap();
    for body in [
        "oauth_token=1%2Fabc&oauth_token_secret=%2Bsecret",
        "oauth_token_secret=%2Bsecret&oauth_token=1%2Fabc&extra=1\n",
    ] {
        let token = parse_access_token(&consumer(), &authorized, &ok(body)).unwrap();
        assert_eq!(token, access("1/abc", "+secret"));
        assert_eq!(token.consumer_key(), CONSUMER_KEY);
        assert_eq!(token.scopes(), scopes(&[CALENDAR]).as_slice());
    }
}

#[test]
fn parse_access_token_refuses_bad_answers() {
    let authorized = request_token("rt").with_verifier("v").unwrap();
    for (what, resp, want) in bad_token_answers() {
        let got = parse_access_token(&consumer(), &authorized, &resp);
        assert_eq!(got.as_ref().err(), Some(&want), "{what}: {got:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Revocation, two-legged, signed requests.

#[test]
fn revoke_is_a_signed_get_of_authsub_revoke_token() {
    let token = access("1/acc", "acc-secret");
    let req = prepare_revoke(&Endpoints::google(), &consumer(), &token, &ctx()).unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.url,
        "https://www.google.com/accounts/AuthSubRevokeToken"
    );
    assert!(req.body.is_empty());
    assert_eq!(req.header_value("Content-Length"), None);
    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_token"), Some("1/acc"));
    assert_eq!(seen.param("oauth_verifier"), None);
    assert!(seen.hmac_ok(CONSUMER_SECRET, "acc-secret"));

    assert_eq!(parse_revoke(&ok("")), Ok(()));
    assert_eq!(parse_revoke(&HttpResponse::new(204, "")), Ok(()));
    assert_eq!(
        parse_revoke(&HttpResponse::new(403, "oauth_problem=token_revoked")),
        Err(FlowError::Http {
            status: 403,
            problem: Some("token_revoked".into())
        })
    );
    assert_eq!(
        parse_revoke(&ok(&"x".repeat(MAX_RESPONSE_BYTES + 1))),
        Err(FlowError::ResponseTooLarge)
    );
}

#[test]
fn two_legged_request_appends_the_requestor_id() {
    let rows = [
        (
            "https://www.google.com/calendar/feeds/default/private/full",
            "https://www.google.com/calendar/feeds/default/private/full?xoauth_requestor_id=jo%40example.com",
        ),
        (
            // The .NET library's bug was a second `?` here.
            "https://www.google.com/m8/feeds/contacts/default/full?max-results=10",
            "https://www.google.com/m8/feeds/contacts/default/full?max-results=10&xoauth_requestor_id=jo%40example.com",
        ),
        (
            "https://www.google.com/feeds/x?",
            "https://www.google.com/feeds/x?xoauth_requestor_id=jo%40example.com",
        ),
        (
            "https://www.google.com/feeds/x?a=1#frag",
            "https://www.google.com/feeds/x?a=1&xoauth_requestor_id=jo%40example.com",
        ),
    ];
    for (url, want) in rows {
        let request = two_legged_request("GET", url, "jo@example.com").unwrap();
        assert_eq!(request.url(), want, "{url}");
    }
    assert_eq!(
        two_legged_request("GET", "https://h/?xoauth_requestor_id=a", "b").unwrap_err(),
        FlowError::DuplicateParameter("xoauth_requestor_id".into()).into()
    );
    assert!(matches!(
        two_legged_request("GET", "not a url", "b").unwrap_err(),
        OAuth1Error::Request(_)
    ));
    assert!(matches!(
        two_legged_request("GET", "https://h/?a=%zz", "b").unwrap_err(),
        OAuth1Error::Request(_)
    ));
}

#[test]
fn two_legged_signature_covers_the_requestor_id_and_has_no_token() {
    // A consumer that holds a token must not send it on a two-legged call.
    let holding = consumer().with_token("t", TokenSecret::new("ts"));
    let req = prepare_two_legged(
        &holding,
        "GET",
        "https://www.google.com/m8/feeds/contacts/default/full?max-results=10",
        "jo@example.com",
        &ctx(),
    )
    .unwrap();
    assert_eq!(req.method, "GET");
    let seen = Seen::of(&req);
    assert!(!req
        .header_value("Authorization")
        .unwrap()
        .contains("oauth_token="));
    assert_eq!(seen.param("oauth_callback"), None);
    assert!(seen
        .base_string
        .contains("%26xoauth_requestor_id%3Djo%2540example.com"));
    // PROTOCOLS.md §3.7: the HMAC key is `consumer_secret&`.
    assert!(seen.hmac_ok(CONSUMER_SECRET, ""));

    // The same through `two_legged_request` + `prepare_signed`.
    let request = two_legged_request("GET", "https://h/f", "jo@example.com").unwrap();
    let req = prepare_signed(&consumer(), &request, &ctx()).unwrap();
    assert!(Seen::of(&req).hmac_ok(CONSUMER_SECRET, ""));
}

#[test]
fn prepare_signed_sends_what_was_signed() {
    let authorizer = access("1/acc", "acc-secret").authorizer(&consumer());
    let get = Request::new(
        "get",
        "http://127.0.0.1:1/calendar/feeds/default/private/full?alt=atom&q=a+b",
    )
    .unwrap();
    let req = prepare_signed(&authorizer, &get, &ctx()).unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.url, get.url());
    let seen = Seen::of(&req);
    assert_eq!(seen.param("oauth_token"), Some("1/acc"));
    assert!(seen.base_string.contains("q%3Da%2520b"));
    assert!(seen.hmac_ok(CONSUMER_SECRET, "acc-secret"));

    let post = Request::new("POST", "https://h/feeds/x")
        .unwrap()
        .with_form([("title", "a b&c")]);
    let req = prepare_signed(&authorizer, &post, &ctx()).unwrap();
    assert_eq!(
        req.header_value("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.body, b"title=a%20b%26c");
    let seen = Seen::of(&req);
    assert!(seen.base_string.contains("title%3Da%2520b%2526c"));
    assert!(seen.hmac_ok(CONSUMER_SECRET, "acc-secret"));
}

// ---------------------------------------------------------------------------------------
// Types.

#[test]
fn scope_rules() {
    for good in [CALENDAR, "https://docs.google.com/feeds/", "x"] {
        assert_eq!(Scope::new(good).unwrap().as_str(), good);
    }
    for bad in ["", "a b", "a\tb", "a\nb", "a\u{0}"] {
        assert!(
            matches!(
                Scope::new(bad),
                Err(ScopeError::Empty | ScopeError::Whitespace)
            ),
            "{bad:?}"
        );
    }
    let list = Scope::parse_list(&format!(" {CALENDAR}  {BLOGGER} ")).unwrap();
    assert_eq!(list, scopes(&[CALENDAR, BLOGGER]));
    assert_eq!(Scope::join(&list), format!("{CALENDAR} {BLOGGER}"));
}

#[test]
fn callback_wire_values() {
    assert_eq!(Callback::Oob.as_str(), "oob");
    assert_eq!(Callback::parse("oob"), Callback::Oob);
    assert_eq!(
        Callback::parse(PLAYGROUND),
        Callback::Url(PLAYGROUND.into())
    );
    assert!(Callback::Url("myapp://done".into()).check().is_ok());
    assert!(Callback::Url("https://a b/".into()).check().is_err());
}

#[test]
fn debug_output_redacts_secrets_and_verifiers() {
    let canary = "canary-9f8e7d";
    let request = RequestToken::new(
        "rt",
        TokenSecret::new(canary),
        scopes(&[CALENDAR]),
        Callback::Oob,
    );
    let authorized = request.clone().with_verifier(canary).unwrap();
    let token = access("at", canary);
    let outputs = [
        format!("{request:?}"),
        format!("{authorized:?}"),
        format!("{token:?}"),
        format!("{:?}", token.authorizer(&consumer())),
        format!("{:?}", StoredToken::from(&token)),
    ];
    for out in outputs {
        assert!(!out.contains(canary), "{out}");
        assert!(out.contains("redacted"), "{out}");
    }
}

#[test]
fn access_token_authorizer_signs_with_consumer_and_token() {
    let authorizer = access("1/acc", "acc-secret").authorizer(&consumer());
    assert_eq!(authorizer.token(), Some("1/acc"));
    assert_eq!(authorizer.consumer_key(), CONSUMER_KEY);
}

#[test]
fn access_token_round_trips_through_the_store_type() {
    let token = access("1/acc", "acc-secret");
    let stored = StoredToken::from(&token);
    match &stored {
        StoredToken::OAuth1Access {
            consumer_key,
            token: t,
            token_secret,
            scopes,
        } => {
            assert_eq!(consumer_key, CONSUMER_KEY);
            assert_eq!(t, "1/acc");
            assert_eq!(token_secret.secret(), "acc-secret");
            assert_eq!(scopes, &vec![CALENDAR.to_owned()]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(AccessToken::try_from(&stored).unwrap(), token);
    assert_eq!(AccessToken::try_from(stored).unwrap(), token);

    let bad = StoredToken::OAuth1Access {
        consumer_key: CONSUMER_KEY.into(),
        token: "t".into(),
        token_secret: TokenSecret::new("s"),
        scopes: vec!["two words".into()],
    };
    assert!(matches!(
        AccessToken::try_from(bad),
        Err(gdata_auth::store::StoreError::BadScope(
            ScopeError::Whitespace
        ))
    ));
}

#[cfg(feature = "serde")]
#[test]
fn token_types_round_trip_through_serde() {
    use gdata_auth::oauth1::AuthorizedRequestToken;
    let request = RequestToken::new(
        "rt",
        TokenSecret::new("rs"),
        scopes(&[CALENDAR, BLOGGER]),
        Callback::Url(PLAYGROUND.into()),
    );
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json["token"], "rt");
    assert_eq!(json["secret"], "rs");
    assert_eq!(json["callback"], PLAYGROUND);
    assert_eq!(json["scopes"][1], BLOGGER);
    assert_eq!(
        serde_json::from_value::<RequestToken>(json).unwrap(),
        request
    );

    let oob = RequestToken::new("rt", TokenSecret::new("rs"), Vec::new(), Callback::Oob);
    let json = serde_json::to_value(&oob).unwrap();
    assert_eq!(json["callback"], "oob");
    assert_eq!(serde_json::from_value::<RequestToken>(json).unwrap(), oob);

    let authorized = request.with_verifier("v1").unwrap();
    let json = serde_json::to_value(&authorized).unwrap();
    assert_eq!(json["verifier"], "v1");
    assert_eq!(json["token"], "rt");
    assert_eq!(
        serde_json::from_value::<AuthorizedRequestToken>(json).unwrap(),
        authorized
    );

    let token = access("at", "as");
    let json = serde_json::to_string(&token).unwrap();
    assert_eq!(serde_json::from_str::<AccessToken>(&json).unwrap(), token);

    // A scope that does not pass `Scope::new` is refused on the way in too.
    let bad = r#"{"consumer_key":"k","token":"t","secret":"s","scopes":["a b"]}"#;
    assert!(serde_json::from_str::<AccessToken>(bad).is_err());
}

// ---------------------------------------------------------------------------------------
// Glue through closure transports that answer as a provider would.

/// A provider in a closure: checks each call's signature with the secrets it issued and
/// answers as Google did. Records the paths it saw.
#[derive(Clone, Default)]
struct FakeProvider {
    seen: Arc<Mutex<Vec<String>>>,
}

const REQ_TOKEN: &str = "4/req+token";
const REQ_SECRET: &str = "req secret";
const VERIFIER: &str = "ver/123";
const ACC_TOKEN: &str = "1/acc";
const ACC_SECRET: &str = "acc+secret";

impl FakeProvider {
    fn answer(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = url::Url::parse(&req.url).unwrap().path().to_owned();
        self.seen.lock().unwrap().push(path.clone());
        let refuse = |problem: &str| {
            Ok(HttpResponse::new(
                401,
                format!("oauth_problem={problem}").into_bytes(),
            ))
        };
        let seen = Seen::of(&req);
        if seen.param("oauth_consumer_key") != Some(CONSUMER_KEY) {
            return refuse("consumer_key_unknown");
        }
        let (token_secret, body) = match path.as_str() {
            "/accounts/OAuthGetRequestToken" => {
                if seen.param("oauth_callback").is_none()
                    || seen.param("oauth_token").is_some()
                    || !req.url.contains("scope=")
                {
                    return refuse("parameter_absent");
                }
                (
                    "",
                    "oauth_token=4%2Freq%2Btoken&oauth_token_secret=req%20secret&oauth_callback_confirmed=true\n".to_owned(),
                )
            }
            "/accounts/OAuthGetAccessToken" => {
                if seen.param("oauth_token") != Some(REQ_TOKEN) {
                    return refuse("token_rejected");
                }
                if seen.param("oauth_verifier") != Some(VERIFIER) {
                    return refuse("verifier_invalid");
                }
                (
                    REQ_SECRET,
                    "oauth_token=1%2Facc&oauth_token_secret=acc%2Bsecret".to_owned(),
                )
            }
            "/accounts/AuthSubRevokeToken" | "/calendar/feeds/default/private/full" => {
                if seen.param("oauth_token") != Some(ACC_TOKEN) {
                    return refuse("token_rejected");
                }
                (
                    ACC_SECRET,
                    "<feed xmlns='http://www.w3.org/2005/Atom'/>".to_owned(),
                )
            }
            _ => return Ok(HttpResponse::new(404, "Not Found")),
        };
        if !seen.hmac_ok(CONSUMER_SECRET, token_secret) {
            return refuse("signature_invalid");
        }
        Ok(HttpResponse::new(200, body.into_bytes()))
    }

    fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn dance_options() -> RequestTokenOptions {
    RequestTokenOptions::new(
        scopes(&[CALENDAR]),
        Callback::Url("https://app.example/cb".into()),
    )
}

/// The user approves: the provider redirects to the callback with token and verifier.
fn approve(url: &str) -> String {
    assert!(url.contains("oauth_token=4%2Freq%2Btoken"), "{url}");
    "https://app.example/cb?oauth_token=4%2Freq%2Btoken&oauth_verifier=ver%2F123".to_owned()
}

#[tokio::test]
async fn async_dance_through_a_closure_transport() {
    let provider = FakeProvider::default();
    let p = provider.clone();
    let transport = FnTransport(move |req| {
        let p = p.clone();
        async move { p.answer(req) }
    });
    let endpoints = Endpoints::at("http://127.0.0.1:1").unwrap();
    let consumer = consumer();

    let request = flow::request_token(&endpoints, &consumer, &dance_options(), &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(request.token(), REQ_TOKEN);
    assert_eq!(request.secret().secret(), REQ_SECRET);

    let url = authorize_url(&endpoints, &request, &AuthorizeOptions::default());
    let authorized = parse_callback(request.clone(), &approve(&url)).unwrap();
    let token = flow::access_token(&endpoints, &consumer, &authorized, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(token, access(ACC_TOKEN, ACC_SECRET));

    let feed = Request::new(
        "GET",
        "http://127.0.0.1:1/calendar/feeds/default/private/full",
    )
    .unwrap();
    let resp = gdata_auth::signed::signed(&token.authorizer(&consumer), &feed, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert!(resp.body_text().unwrap().starts_with("<feed"));

    flow::revoke(&endpoints, &consumer, &token, &Context::now())
        .send(&transport)
        .await
        .unwrap();
    assert_eq!(
        provider.paths(),
        [
            "/accounts/OAuthGetRequestToken",
            "/accounts/OAuthGetAccessToken",
            "/calendar/feeds/default/private/full",
            "/accounts/AuthSubRevokeToken"
        ]
    );

    // The provider's refusals come back typed.
    let wrong_consumer =
        OAuth1Authorizer::hmac_sha1(CONSUMER_KEY, ConsumerSecret::new("wrong secret"));
    let err = flow::access_token(&endpoints, &wrong_consumer, &authorized, &Context::now())
        .send(&transport)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        OAuth1Error::Flow(FlowError::Http {
            status: 401,
            problem: Some("signature_invalid".into())
        })
    );
    let forged = request.clone().with_verifier("guess").unwrap();
    let err = flow::access_token(&endpoints, &consumer, &forged, &Context::now())
        .send(&transport)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        OAuth1Error::Flow(FlowError::Http {
            status: 401,
            problem: Some("verifier_invalid".into())
        })
    );
}

#[tokio::test]
async fn async_glue_reports_transport_errors() {
    let transport = FnTransport(|_req| async { Err(TransportError::Timeout) });
    let err = flow::request_token(&Endpoints::google(), &consumer(), &dance_options(), &ctx())
        .send(&transport)
        .await
        .unwrap_err();
    assert_eq!(err, OAuth1Error::Transport(TransportError::Timeout));

    let feed = Request::new("GET", "https://h/feeds").unwrap();
    let err = gdata_auth::signed::signed(&consumer(), &feed, &ctx())
        .send(&transport)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        gdata_auth::Error::Transport(TransportError::Timeout)
    ));
}

#[test]
fn blocking_dance_through_a_closure_transport() {
    let provider = FakeProvider::default();
    let p = provider.clone();
    let transport = move |req: HttpRequest| p.answer(req);
    let endpoints = Endpoints::at("http://127.0.0.1:1").unwrap();
    let consumer = consumer();

    let mut oob = dance_options();
    oob.callback = Callback::Oob;
    let request = flow::request_token(&endpoints, &consumer, &oob, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(request.callback(), &Callback::Oob);
    // `oob`: the user reads the verifier off the provider's page and pastes it.
    let authorized = request.with_verifier(&format!(" {VERIFIER}\n")).unwrap();
    let token = flow::access_token(&endpoints, &consumer, &authorized, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(token.token(), ACC_TOKEN);

    let feed = Request::new(
        "GET",
        "http://127.0.0.1:1/calendar/feeds/default/private/full",
    )
    .unwrap();
    let resp = gdata_auth::signed::signed(&token.authorizer(&consumer), &feed, &Context::now())
        .send_blocking(&transport)
        .unwrap();
    assert_eq!(resp.status, 200);
    flow::revoke(&endpoints, &consumer, &token, &Context::now())
        .send_blocking(&transport)
        .unwrap();

    // A token the provider does not know is refused at revocation.
    let unknown = access("1/other", ACC_SECRET);
    assert_eq!(
        flow::revoke(&endpoints, &consumer, &unknown, &Context::now()).send_blocking(&transport),
        Err(OAuth1Error::Flow(FlowError::Http {
            status: 401,
            problem: Some("token_rejected".into())
        }))
    );
    assert_eq!(provider.paths().len(), 5);

    let failing = |_req: HttpRequest| -> Result<HttpResponse, TransportError> {
        Err(TransportError::Connect("refused".into()))
    };
    assert_eq!(
        flow::revoke(&endpoints, &consumer, &token, &ctx()).send_blocking(&failing),
        Err(OAuth1Error::Transport(TransportError::Connect(
            "refused".into()
        )))
    );
}
