//! URL normalization and the base string (src/request.rs, src/oauth1/base_string.rs): the
//! fast URL reader agrees with the `url` crate, a description is stable when described
//! again, and the optimized base string equals the plain RFC 5849 §3.4.1 construction
//! (encode, sort, join) over the same parameters.

use gdata_auth::encoding::{parse_form, percent_encode};
use gdata_auth::oauth1::base_string::{base_string, normalize_parameters};
use gdata_auth::Request;

/// What a description shows: URL, base string URI, method, parameters.
fn shown(r: &Request) -> (String, String, String, Vec<(String, String)>) {
    (
        r.url().to_owned(),
        r.base_uri().to_owned(),
        r.method().to_owned(),
        r.params(),
    )
}

pub fn check(data: &[u8]) {
    let f = crate::common::fields(data, 4);
    let (method, url, body, oauth) = (&f[0], &f[1], &f[2], &f[3]);
    let Ok(request) = Request::new(method, url) else {
        return;
    };
    assert_eq!(request.method(), method.to_ascii_uppercase());
    let base_uri = request.base_uri().to_owned();
    assert!(base_uri.starts_with("http://") || base_uri.starts_with("https://"));
    assert!(!base_uri.contains(['?', '#']), "{base_uri:?}");
    assert!(!request.url().contains('#'));
    assert_eq!(request.base_uri_encoded(), percent_encode(&base_uri));

    // The fast reader and the `url` crate describe the same request.
    let parsed = url::Url::parse(url).expect("Request::new accepted it");
    let slow = Request::from_url(method, parsed).expect("the url crate path accepts it too");
    assert_eq!(shown(&request), shown(&slow), "{url:?}");
    // Described again from its own URL, a request is the same request.
    let again = Request::new(method, request.url()).expect("its own URL is accepted");
    assert_eq!(shown(&request), shown(&again));

    // The form body: accepted exactly when the strict form reader accepts it.
    let form = parse_form(body);
    let request = match request.clone().with_form_body(body) {
        Ok(r) => {
            let pairs = form.expect("with_form_body accepted what parse_form refuses");
            assert_eq!(parse_form(&r.form_body()).ok(), Some(pairs));
            r
        }
        Err(_) => {
            assert!(
                form.is_err(),
                "with_form_body refused what parse_form accepts"
            );
            request
        }
    };

    // The base string, against the plain construction.
    let Ok(oauth) = parse_form(oauth) else {
        return;
    };
    let oauth: Vec<(&str, &str)> = oauth
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let got = base_string(&request, &oauth);
    let query = request
        .url()
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default();
    let mut all = parse_form(query).expect("a described query decodes");
    all.extend(parse_form(&request.form_body()).expect("a described body decodes"));
    all.extend(
        oauth
            .iter()
            .filter(|(n, _)| *n != "realm" && *n != "oauth_signature")
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    let expected = format!(
        "{}&{}&{}",
        // RFC 5849 §3.4.1.1: a custom method is encoded too.
        percent_encode(request.method()),
        percent_encode(&base_uri),
        percent_encode(&normalize_parameters(&all))
    );
    assert_eq!(got, expected);
    assert_eq!(got.matches('&').count(), 2);
    // The protocol parameters' order does not matter.
    let reversed: Vec<(&str, &str)> = oauth.iter().rev().copied().collect();
    assert_eq!(base_string(&request, &reversed), got);
}
