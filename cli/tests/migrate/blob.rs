//! `gdauth migrate blob`: a blob on stdin (with or without a trailing newline) to one JSON
//! document; bad blobs exit non-zero with one `error:` line.

use crate::support::gdauth_with_stdin;

const OAUTH2: &str = "2o|clientId|clientSecret|https%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds|userAgent|https%3A%2F%2Faccounts.google.com%2Fo%2Foauth2%2Fauth|https%3A%2F%2Faccounts.google.com%2Fo%2Foauth2%2Ftoken|accessToken|refreshToken";

#[test]
fn a_blob_becomes_one_json_document() {
    for input in [
        OAUTH2.to_owned(),
        format!("{OAUTH2}\n"),
        format!("{OAUTH2}\r\n"),
    ] {
        let (code, stdout, stderr) = gdauth_with_stdin(&["migrate", "blob"], &input);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stdout.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v["kind"], "oauth2_legacy");
        assert_eq!(v["client_id"], "clientId");
        assert_eq!(v["scope"], "https://www.google.com/calendar/feeds");
        assert_eq!(v["refresh_token"], "refreshToken");
        assert_eq!(v["access_token"], "accessToken");
    }
    let (code, stdout, _) = gdauth_with_stdin(&["migrate", "blob"], "1h||c%2Cs|t|secret|7||v\n");
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["kind"], "oauth1_hmac");
    assert_eq!(v["consumer_key"], serde_json::Value::Null);
    assert_eq!(v["consumer_secret"], "c,s");
    assert_eq!(v["auth_state"], 7);
}

#[test]
fn bad_blobs_exit_non_zero_with_an_error_line() {
    for bad in [
        "~~z",
        "",
        "\n",
        "1c|a|b",
        "1c|%zz",
        "1c|a\n1c|b\n",
        "1h|k|s|t|ts|x|n|v",
    ] {
        let (code, stdout, stderr) = gdauth_with_stdin(&["migrate", "blob"], bad);
        assert_eq!(code, Some(1), "{bad:?}");
        assert!(stdout.is_empty(), "{bad:?}: {stdout}");
        assert!(stderr.starts_with("error: "), "{bad:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
