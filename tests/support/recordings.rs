//! GNOME libgdata's recorded exchanges with www.google.com
//! (`fixtures/recordings/libgdata_oauth1.json`, source in `fixtures/SOURCES.md`), read once
//! for every test crate that replays them (the library's OAuth 1.0 tests and the CLI's).

#![allow(dead_code)]

use serde_json::Value;

use gdata_auth::encoding::parse_form;
use gdata_auth::oauth1::header::parse_header;

const RECORDING: &str = include_str!("../../fixtures/recordings/libgdata_oauth1.json");

/// One recorded request, with what the recording tells about its credentials.
pub struct Recorded {
    pub trace: String,
    pub sent_at: u64,
    pub url: String,
    pub authorization: String,
    pub body: String,
    pub status: u64,
    /// `oauth_token` from the header, decoded.
    pub token: Option<String>,
    /// The token's secret, when the request token's own answer is recorded too.
    pub token_secret: Option<String>,
    /// `oauth_signature`, `oauth_timestamp`, `oauth_nonce` from the header, decoded.
    pub signature: String,
    pub timestamp: u64,
    pub nonce: String,
}

pub fn recordings() -> Vec<Recorded> {
    let doc: Value = serde_json::from_str(RECORDING).unwrap();
    assert_eq!(doc["consumer"]["key"], "anonymous");
    assert_eq!(doc["consumer"]["secret"], "anonymous");
    let exchanges = doc["exchanges"].as_array().unwrap();
    // Every answer that issued a token: token → secret.
    let issued: Vec<(String, String)> = exchanges
        .iter()
        .filter(|e| e["response"]["status"] == 200)
        .map(|e| {
            let f = parse_form(e["response"]["body"].as_str().unwrap()).unwrap();
            let get = |n: &str| f.iter().find(|(k, _)| k == n).unwrap().1.clone();
            (get("oauth_token"), get("oauth_token_secret"))
        })
        .collect();
    let rows: Vec<Recorded> = exchanges
        .iter()
        .map(|e| {
            let req = &e["request"];
            let authorization = req["authorization"].as_str().unwrap().to_owned();
            let params = parse_header(&authorization).unwrap().params;
            let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            let token = get("oauth_token");
            let token_secret = token.as_ref().and_then(|t| {
                issued
                    .iter()
                    .find(|(it, _)| it == t)
                    .map(|(_, s)| s.clone())
            });
            assert_eq!(req["method"], "POST");
            assert_eq!(req["content_type"], "application/x-www-form-urlencoded");
            Recorded {
                trace: e["trace"].as_str().unwrap().to_owned(),
                sent_at: e["sent_at"].as_u64().unwrap(),
                url: req["url"].as_str().unwrap().to_owned(),
                body: req["body"].as_str().unwrap().to_owned(),
                status: e["response"]["status"].as_u64().unwrap(),
                signature: get("oauth_signature").unwrap(),
                timestamp: get("oauth_timestamp").unwrap().parse().unwrap(),
                nonce: get("oauth_nonce").unwrap(),
                authorization,
                token,
                token_secret,
            }
        })
        .collect();
    assert_eq!(rows.len(), 10, "the recording holds ten requests");
    rows
}

/// The recorded requests whose every secret is known: those the signer must reproduce.
pub fn fully_known(rows: &[Recorded]) -> Vec<&Recorded> {
    let known: Vec<&Recorded> = rows
        .iter()
        .filter(|r| r.token.is_none() || r.token_secret.is_some())
        .collect();
    // Five request-token calls and two access-token calls whose request token was issued
    // in a recorded answer.
    assert_eq!(known.len(), 7);
    known
}
