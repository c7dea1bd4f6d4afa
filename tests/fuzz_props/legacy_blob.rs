//! gdata-python-client token blobs (src/legacy/blob.rs): a blob that reads writes back to
//! a blob that reads as the same token, and that written form is canonical.

use gdata_auth::legacy::{from_blob, to_blob};

pub fn check(data: &[u8]) {
    let blob = crate::common::text(data);
    let Ok(token) = from_blob(&blob) else {
        return;
    };
    let written = to_blob(&token);
    assert!(written.starts_with(token.marker()));
    let again = from_blob(&written).expect("a written blob reads");
    assert_eq!(again, token);
    assert_eq!(to_blob(&again), written);
    // Only the marker's own alphabet and quote_plus output: no raw separator inside fields.
    assert!(written
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"%+|-._".contains(&b)));
}
