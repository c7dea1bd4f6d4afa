//! `Authorization: AuthSub …` (src/authsub/header.rs): a parsed header's token passes the
//! token check, parse → build → parse is the identity, and a data string that splits joins
//! back to itself.

use gdata_auth::authsub::header::{
    build_header, build_secure_header, check_token, data_string, parse_data, parse_header,
};

pub fn check(data: &[u8]) {
    let value = crate::common::text(data);
    if let Ok(d) = parse_data(&value) {
        assert_eq!(data_string(d.method, d.url, d.timestamp, d.nonce), value);
    }
    let Ok(parsed) = parse_header(&value) else {
        return;
    };
    let token = parsed.token.secret();
    assert!(check_token(token).is_ok());
    let rebuilt = match &parsed.secure {
        None => build_header(token).expect("a checked token builds"),
        Some(s) => match build_secure_header(token, &s.data, &s.sig) {
            Ok(h) => h,
            // A tab inside the quotes parses but is not written back.
            Err(_) => return,
        },
    };
    assert_eq!(parse_header(&rebuilt), Ok(parsed), "{rebuilt:?}");
}
