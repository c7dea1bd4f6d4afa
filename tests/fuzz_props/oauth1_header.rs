//! `Authorization: OAuth …` (src/oauth1/header.rs): parse → build → parse is the identity,
//! and what parses respects the parser's own limits.

use gdata_auth::oauth1::header::{
    build_header, check_realm, parse_header, MAX_HEADER_LEN, MAX_HEADER_PARAMS,
};

pub fn check(data: &[u8]) {
    let value = crate::common::text(data);
    let Ok(parsed) = parse_header(&value) else {
        return;
    };
    assert!(value.len() <= MAX_HEADER_LEN);
    assert!(parsed.params.len() <= MAX_HEADER_PARAMS);
    assert!(parsed
        .params
        .iter()
        .all(|(n, _)| n != "realm" && !n.is_empty()));
    // The scheme is case-insensitive: the same header in another case reads the same.
    if let Some(rest) = value.trim_start_matches([' ', '\t']).get(5..) {
        assert_eq!(parse_header(&format!("oAUTH{rest}")), Ok(parsed.clone()));
    }
    // A realm that can be written back (printable ASCII) round-trips with the parameters.
    if parsed
        .realm
        .as_deref()
        .is_none_or(|r| check_realm(r).is_ok())
    {
        let pairs: Vec<(&str, &str)> = parsed
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let built = build_header(parsed.realm.as_deref(), &pairs).expect("build a parsed header");
        if built.len() <= MAX_HEADER_LEN {
            assert_eq!(parse_header(&built), Ok(parsed), "{built:?}");
        }
    }
}
