//! OAuth 2.0 answers (src/oauth2/response.rs, device.rs, authorize.rs): an accepted token
//! answer respects Google's size limits and RFC 6749's character sets, error text shown to
//! a user carries no control character, a device answer's URLs are absolute `http(s)`, and
//! a redirect yields a code only when its single `state` is the flow's.

use gdata_auth::encoding::{query_part, Form};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::oauth2::device::parse_device_code;
use gdata_auth::oauth2::response::{parse_error_response, parse_token_response};
use gdata_auth::oauth2::types::check_token;
use gdata_auth::oauth2::{AuthState, AuthorizationRequest, OAuth2Error, TokenKind};
use gdata_auth::transport::HttpResponse;

const STATUSES: [u16; 5] = [200, 400, 401, 503, 302];
const STATE: &str = "fuzz-state-0123456789";

fn printable(e: &OAuth2Error) {
    let shown = e.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

pub fn check(data: &[u8]) {
    let (sel, body) = crate::common::selector(data);
    let status = STATUSES[usize::from(sel) % STATUSES.len()];
    let response = || {
        let r = HttpResponse::new(status, body.to_vec());
        if sel & 0x80 != 0 {
            r.with_header("Retry-After", "120")
        } else {
            r
        }
    };
    match sel >> 4 & 0x3 {
        0 => match parse_token_response(response()) {
            Ok(t) => {
                assert_eq!(status, 200);
                check_token(TokenKind::AccessToken, t.access_token.secret())
                    .expect("an accepted access token passes its check");
                if let Some(r) = &t.refresh_token {
                    check_token(TokenKind::RefreshToken, r.secret())
                        .expect("an accepted refresh token passes its check");
                }
                assert!(t.expires_in.is_none_or(|s| s <= 10 * 365 * 24 * 3600));
                for s in t.scope.iter().flatten() {
                    assert!(!s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()));
                    assert!(!s.contains(['"', '\\']));
                }
            }
            Err(e) => printable(&e),
        },
        1 => printable(&parse_error_response(&response())),
        2 => match parse_device_code(response()) {
            Ok(d) => {
                assert_eq!(status, 200);
                assert!(
                    !d.user_code.is_empty() && d.user_code.bytes().all(|b| b.is_ascii_graphic())
                );
                for u in std::iter::once(&d.verification_url).chain(&d.verification_url_complete) {
                    let parsed = url::Url::parse(u).expect("a kept URL parses");
                    assert!(matches!(parsed.scheme(), "http" | "https"));
                    assert!(!u.chars().any(char::is_control));
                }
                assert!((1..=3600).contains(&d.expires_in));
                assert!((1..=3600).contains(&d.interval.as_secs()));
            }
            Err(e) => printable(&e),
        },
        _ => {
            let (_, pending) = AuthorizationRequest::new(
                "cid.apps.googleusercontent.com",
                "http://127.0.0.1:8080/cb",
                ["https://www.googleapis.com/auth/calendar"],
            )
            .start_with(&Endpoints::google(), AuthState::new(STATE), None)
            .expect("a valid request");
            let input = crate::common::text(body);
            match pending.read_redirect(&input) {
                Ok(code) => {
                    let form = Form::parse(query_part(&input)).expect("a read query parses");
                    assert_eq!(form.single("state"), Ok(Some(STATE)));
                    assert_eq!(form.single("error"), Ok(None));
                    assert_eq!(form.single("code").ok().flatten(), Some(code.secret()));
                    check_token(TokenKind::AuthorizationCode, code.secret())
                        .expect("an accepted code passes its check");
                }
                Err(e) => printable(&e),
            }
        }
    }
}
