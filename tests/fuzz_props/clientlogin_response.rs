//! ClientLogin answers (src/clientlogin/response.rs): a login succeeds only on a 200 whose
//! `Auth` line it returns as it came, a CAPTCHA image is always below the accounts base, and
//! no error's text carries a control character from the body.

use gdata_auth::clientlogin::{parse_login, resolve_captcha_url, ClientLoginError};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::HttpResponse;

const STATUSES: [u16; 6] = [200, 403, 503, 500, 429, 302];

pub fn check(data: &[u8]) {
    let (sel, rest) = crate::common::selector(data);
    let status = STATUSES[usize::from(sel) % STATUSES.len()];
    let mut response = HttpResponse::new(status, rest.to_vec());
    if sel & 0x80 != 0 {
        // The first line is a Retry-After value, the rest the body.
        let (ra, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        response = HttpResponse::new(status, body.to_vec())
            .with_header("Retry-After", crate::common::text(ra));
    }
    let endpoints = Endpoints::google();
    let base = endpoints.accounts_base();
    match parse_login(&endpoints, &response) {
        Ok(tokens) => {
            assert_eq!(status, 200);
            let auth = tokens.auth().secret();
            assert!(!auth.is_empty() && auth.bytes().all(|b| b.is_ascii_graphic()));
            let line = format!("Auth={auth}");
            let body = String::from_utf8_lossy(&response.body);
            assert!(
                body.lines().any(|l| l.trim_end_matches('\r') == line),
                "Auth not read from its line"
            );
        }
        Err(e) => {
            if let ClientLoginError::CaptchaRequired(c) = &e {
                assert!(c.image_url().starts_with(base), "{}", c.image_url());
            }
            let shown = e.to_string();
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }
    // The CAPTCHA URL resolver on its own: whatever it accepts stays below the base, with
    // no dot segment, whitespace, control character or backslash.
    let text = crate::common::text(rest);
    if let Ok(url) = resolve_captcha_url(base, &text) {
        let tail = url.strip_prefix(base).expect("resolved below the base");
        let path = tail.split(['?', '#']).next().unwrap_or_default();
        assert!(path.split('/').all(|s| s != "." && s != ".."), "{url:?}");
        assert!(!url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\'));
        let parsed = url::Url::parse(&url).expect("an absolute URL");
        assert_eq!(Some("www.google.com"), parsed.host_str());
        assert!(parsed.path().starts_with("/accounts/"), "{url:?}");
    }
}
