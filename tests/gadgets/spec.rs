//! `GadgetSpec::parse` on real specs and on broken ones.

use gdata_auth::gadgets::{GadgetSpec, ParamLocation, SpecError, TokenMethod, MAX_SPEC_BYTES};
use gdata_auth::oauth1::Callback;

const SHINDIG: &str = include_str!("../../fixtures/gadgets/shindigoauth.xml");
const SEED: &str = include_str!("../../fixtures/gadgets/gdata_oauth_proxy.xml");

#[test]
fn shindigs_sample_oauth_gadget() {
    let spec = GadgetSpec::parse(SHINDIG).expect("Shindig's sample parses");
    assert_eq!(spec.title(), Some("Demo 3-legged OAuth to Shindig"));
    let s = spec.service("shindig").expect("service shindig");
    assert_eq!(
        s.request().url().as_str(),
        "http://localhost:8080/oauth/requestToken"
    );
    assert_eq!(s.request().method(), TokenMethod::Get);
    assert_eq!(s.request().param_location(), ParamLocation::AuthHeader);
    assert_eq!(
        s.access().url().as_str(),
        "http://localhost:8080/oauth/accessToken"
    );
    assert!(s.scopes().is_empty());
    assert_eq!(
        s.callback(),
        Some(&Callback::Url(
            "http://localhost:8080/gadgets/oauthcallback".into()
        ))
    );
    let e = s.endpoints();
    assert_eq!(
        e.oauth1_authorize_token(),
        "http://localhost:8080/oauth/authorize"
    );
    assert_eq!(
        e.oauth1_request_token(),
        "http://localhost:8080/oauth/requestToken"
    );
}

#[test]
fn the_seeds_google_data_gadget() {
    let spec = GadgetSpec::parse(SEED).unwrap();
    let s = spec.service("google").unwrap();
    let scopes: Vec<&str> = s.scopes().iter().map(|s| s.as_str()).collect();
    assert_eq!(
        scopes,
        [
            "http://www.blogger.com/feeds/",
            "http://www.google.com/calendar/feeds/"
        ]
    );
    let options = s.request_token_options();
    assert_eq!(
        options.callback,
        Callback::Url("http://oauth.gmodules.com/gadgets/oauthcallback".into())
    );
    let e = s.endpoints();
    assert_eq!(
        e.oauth1_request_token(),
        "https://www.google.com/accounts/OAuthGetRequestToken"
    );
    assert_eq!(
        e.oauth1_access_token(),
        "https://www.google.com/accounts/OAuthGetAccessToken"
    );
    assert!(spec.service("other").is_none());
}

#[test]
fn a_spec_without_oauth_has_no_services() {
    let spec =
        GadgetSpec::parse(r#"<Module><ModulePrefs title="x"/><Content type="html"/></Module>"#)
            .unwrap();
    assert!(spec.services().is_empty());
}

/// What a malformed case must be refused with.
type Expected = fn(&SpecError) -> bool;

#[test]
fn malformed_specs_are_refused_with_their_reason() {
    let cases: Vec<(String, Expected)> = vec![
        (SEED.replace("</Service>", ""), |e| matches!(e, SpecError::Malformed(_))),
        ("<Gadget/>".into(), |e| matches!(e, SpecError::NotAModule(n) if n == "Gadget")),
        ("".into(), |e| matches!(e, SpecError::Malformed(_))),
        (
            SEED.replace(r#"<Access url="https://www.google.com/accounts/OAuthGetAccessToken" method="GET" />"#, ""),
            |e| matches!(e, SpecError::MissingElement { element: "Access", .. }),
        ),
        (
            SEED.replace("<Authorization url=", "<Authorization href="),
            |e| matches!(e, SpecError::MissingAttribute { element: "Authorization", attribute: "url" }),
        ),
        (
            SEED.replace("https://www.google.com/accounts/OAuthGetAccessToken", "ftp://x/"),
            |e| matches!(e, SpecError::InvalidUrl { element: "Access", .. }),
        ),
        (
            SEED.replace(r#"OAuthGetAccessToken" method="GET""#, r#"OAuthGetAccessToken" method="PUT""#),
            |e| matches!(e, SpecError::InvalidValue { attribute: "method", .. }),
        ),
        (
            SEED.replace(r#"OAuthGetAccessToken" method="GET""#, r#"OAuthGetAccessToken" method="POST""#),
            |e| matches!(e, SpecError::Inconsistent { .. }),
        ),
        (
            SEED.replace("<Service name=\"google\">", "<Service name=\"google\"><Access url=\"http://a/\"/>"),
            |e| matches!(e, SpecError::DuplicateElement { element: "Access", .. }),
        ),
        (
            SEED.replace("</OAuth>", &format!("{}</OAuth>", service_block())),
            |e| matches!(e, SpecError::DuplicateService(n) if n == "google"),
        ),
        (SEED.replace("&quot;", "").replace("%20", "&bogus;"), |e| {
            matches!(e, SpecError::Malformed(_))
        }),
    ];
    for (xml, expected) in cases {
        let err = GadgetSpec::parse(&xml).expect_err("refused");
        assert!(expected(&err), "unexpected error {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

fn service_block() -> String {
    let start = SEED.find("<Service").unwrap();
    let end = SEED.find("</Service>").unwrap() + "</Service>".len();
    SEED[start..end].to_owned()
}

#[test]
fn oversized_specs_are_refused_before_parsing() {
    let big = format!("<Module>{}</Module>", " ".repeat(MAX_SPEC_BYTES));
    assert!(matches!(
        GadgetSpec::parse(&big),
        Err(SpecError::TooLarge { .. })
    ));
}
