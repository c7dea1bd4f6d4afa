//! AuthSub `next` (src/authsub/url.rs `NextUrl`): an accepted URL is absolute `https`
//! (or `http` only through the dangerous constructor), without user info, fragment,
//! whitespace, control characters, backslash or a `token` of its own, its host is the one a
//! browser would go to, and checking the kept URL again gives the same `NextUrl`.

use gdata_auth::authsub::NextUrl;
use gdata_auth::encoding::Form;

fn accepted(next: &NextUrl, allow_http: bool) {
    let s = next.as_str();
    assert!(
        s.starts_with("https://") || (allow_http && s.starts_with("http://")),
        "{s:?}"
    );
    assert!(!s
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\'));
    let parsed = url::Url::parse(s).expect("a kept URL parses");
    assert_eq!(parsed.as_str(), s);
    assert_eq!(parsed.host_str(), Some(next.host()));
    assert!(!next.host().is_empty());
    assert!(parsed.username().is_empty() && parsed.password().is_none());
    assert!(parsed.fragment().is_none());
    let query = Form::parse(parsed.query().unwrap_or_default()).expect("a kept query parses");
    assert!(!query.contains("token"));
    let again = if allow_http {
        NextUrl::dangerous_allow_http(s)
    } else {
        NextUrl::new(s)
    };
    assert_eq!(again.as_ref(), Ok(next), "{s:?}");
}

pub fn check(data: &[u8]) {
    let url = crate::common::text(data);
    let strict = NextUrl::new(&url);
    let loose = NextUrl::dangerous_allow_http(&url);
    if let Ok(n) = &strict {
        accepted(n, false);
        // The dangerous constructor accepts a superset, the same way.
        assert_eq!(loose.as_ref(), Ok(n));
    }
    if let Ok(n) = &loose {
        accepted(n, true);
    }
}
