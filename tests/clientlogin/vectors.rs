//! The ClientLogin vectors of `fixtures/vectors/gdata.json` (kinds `clientlogin_request` and
//! `clientlogin_response`, from gdata-python-client's tests) as one table test each; every
//! failing row names its id and source.

use gdata_auth::clientlogin::flow::prepare_login;
use gdata_auth::clientlogin::{
    parse_login, ClientLoginError, Credentials, Password, ProtocolError, Service,
};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::{Authorizer, Context, Request};
use serde_json::Value;

use crate::answer;

const GDATA_JSON: &str = include_str!("../../fixtures/vectors/gdata.json");

/// The rows of `kind`, each with its label for messages.
fn rows(kind: &str) -> Vec<(String, Value)> {
    let all: Vec<Value> = serde_json::from_str(GDATA_JSON).unwrap();
    all.into_iter()
        .filter(|v| v["kind"] == kind)
        .map(|v| (format!("{} ({})", v["id"], v["source"]), v))
        .collect()
}

#[test]
fn response_vectors() {
    let rows = rows("clientlogin_response");
    assert_eq!(
        rows.len(),
        3,
        "a new clientlogin_response vector needs a look"
    );
    for (label, v) in rows {
        let input = &v["input"];
        let expected = &v["expected"];
        let status = u16::try_from(input["status"].as_u64().unwrap()).unwrap();
        let response = answer(status, input["body"].as_str().unwrap());
        // The accounts base the vector resolves CAPTCHA URLs against (PY2 used http).
        let endpoints = match input["captcha_base_url"].as_str() {
            Some(base) => {
                let origin = base.strip_suffix("/accounts/").unwrap();
                let e = Endpoints::at(origin).unwrap();
                assert_eq!(e.accounts_base(), base, "{label}");
                e
            }
            None => Endpoints::google(),
        };
        let got = parse_login(&endpoints, &response);
        match (expected["auth"].as_str(), expected["error"].as_str()) {
            (Some(auth), _) => {
                let tokens = got.unwrap_or_else(|e| panic!("{label}: {e}"));
                assert_eq!(tokens.auth().secret(), auth, "{label}");
                assert_eq!(
                    tokens.sid().map(|s| s.secret()),
                    expected["sid"].as_str(),
                    "{label}"
                );
                assert_eq!(
                    tokens.lsid().map(|s| s.secret()),
                    expected["lsid"].as_str(),
                    "{label}"
                );
                let req = Request::new("GET", "https://www.google.com/calendar/feeds/").unwrap();
                let header = tokens
                    .authorizer()
                    .authorize(&req, &Context::now())
                    .unwrap();
                assert_eq!(
                    header.header_value(),
                    expected["authorization_header"].as_str().unwrap(),
                    "{label}"
                );
            }
            (None, Some("token_missing")) => assert_eq!(
                got,
                Err(ClientLoginError::Protocol(ProtocolError::MissingAuth)),
                "{label}"
            ),
            (None, Some("CaptchaRequired")) => {
                let Err(ClientLoginError::CaptchaRequired(challenge)) = got else {
                    panic!("{label}: {got:?}");
                };
                assert_eq!(
                    challenge.token().secret(),
                    expected["captcha_token"].as_str().unwrap(),
                    "{label}"
                );
                assert_eq!(
                    challenge.image_url(),
                    expected["captcha_url"].as_str().unwrap(),
                    "{label}"
                );
                assert_eq!(challenge.url(), expected["url"].as_str(), "{label}");
            }
            other => panic!("{label}: no check for {other:?}"),
        }
    }
}

#[test]
fn request_vectors() {
    let rows = rows("clientlogin_request");
    assert_eq!(
        rows.len(),
        1,
        "a new clientlogin_request vector needs a look"
    );
    for (label, v) in rows {
        let input = &v["input"];
        let credentials = Credentials::new(
            input["email"].as_str().unwrap(),
            Password::new(input["password"].as_str().unwrap()),
            Service::from_code(input["service"].as_str().unwrap()),
        )
        .with_source(input["source"].as_str().unwrap());
        let req = prepare_login(&Endpoints::google(), &credentials).unwrap();
        let body = std::str::from_utf8(&req.body).unwrap();
        let pairs: Vec<(&str, &str)> = body
            .split('&')
            .map(|p| p.split_once('=').unwrap())
            .collect();
        let expected = v["expected"]["form_fields_encoded"].as_object().unwrap();
        // The field order is unspecified (PY2 dict order); each field once, encoded alike.
        assert_eq!(pairs.len(), expected.len(), "{label}: {body}");
        for (name, value) in expected {
            let got: Vec<_> = pairs.iter().filter(|(n, _)| n == name).collect();
            assert_eq!(got.len(), 1, "{label}: {name} in {body}");
            assert_eq!(got[0].1, value.as_str().unwrap(), "{label}: {name}");
        }
    }
}
