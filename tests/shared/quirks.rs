//! The quirk profiles end to end (issue 14): for each profile, a request signed the quirky
//! way (the profile's base string, real HMAC-SHA1 or PLAINTEXT) that the RFC 5849 verifier
//! rejects, that `diagnose` names, that a verifier with the profile accepted for its consumer
//! lets through, and that the emulator with `accept_quirk` lets through for that consumer
//! only, logging the quirk, while every other check (here: nonce replay) still applies.

use std::sync::Arc;

use crate::support::*;
use gdata_auth::conformance::diagnose::{diagnose, RFC5849};
use gdata_auth::conformance::quirks::{
    base_string, verify_signature, QuirkError, QuirkFallback, QuirkProfile, Secrets,
};
use gdata_auth::emulator::{Emulator, EmulatorConfig, EmulatorError};
use gdata_auth::oauth1::header::build_header;
use gdata_auth::oauth1::signature::{hmac_sha1, signing_key};
use gdata_auth::oauth1::verifier::{MemoryCredentials, ReceivedRequest, Verifier, VerifyError};
use gdata_auth::transport::HttpRequest;
use gdata_auth::FixedClock;

const QUIRKY: &str = "quirky.example.com";
const QUIRKY_SECRET: &str = "quirky-secret";
const PLAIN: &str = "plain.example.com";
const PLAIN_SECRET: &str = "plain-secret";
const REQUEST_TOKEN: &str =
    "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fwww.google.com%2Fcalendar%2Ffeeds%2F";

/// One profile's case: what follows the request-token path's `scope` in the query, the form
/// body, the public base URL the emulator is reached as, and whether it signs PLAINTEXT.
struct Case {
    profile: QuirkProfile,
    extra_query: &'static str,
    form: Option<&'static str>,
    public_base: Option<&'static str>,
    plaintext: bool,
}

/// Every profile but `empty-path-no-slash`, whose input (an empty path) no signed endpoint of
/// the emulator has: it is covered by `every_profile_through_the_verifier`.
fn cases() -> Vec<Case> {
    let case = |profile, extra_query, form, public_base, plaintext| Case {
        profile,
        extra_query,
        form,
        public_base,
        plaintext,
    };
    vec![
        case(QuirkProfile::DropEmptyParams, "&extra=", None, None, false),
        case(
            QuirkProfile::LastDuplicateWins,
            "&a=1&a=2",
            None,
            None,
            false,
        ),
        case(
            QuirkProfile::SortJoinedPairs,
            "&a=1&a-b=2",
            None,
            None,
            false,
        ),
        case(QuirkProfile::PlusForSpace, "&q=x+y", None, None, false),
        case(QuirkProfile::RawQuery, "&t=%7E", None, None, false),
        case(
            QuirkProfile::IgnoreBodyParams,
            "",
            Some("extra=1"),
            None,
            false,
        ),
        case(
            QuirkProfile::KeepDefaultPort,
            "",
            None,
            Some("http://127.0.0.1:80"),
            false,
        ),
        case(
            QuirkProfile::PlaintextConsumerKey,
            "",
            None,
            Some("https://emulator.test"),
            true,
        ),
    ]
}

/// The `Authorization` value of a request-token call by `consumer`, signed under `profile`
/// (`None`: RFC 5849) at `T0` with `nonce`.
#[allow(clippy::too_many_arguments)]
fn sign(
    consumer: &str,
    secret: &str,
    profile: Option<QuirkProfile>,
    method: &str,
    url: &str,
    form: Option<&str>,
    plaintext: bool,
    nonce: &str,
) -> String {
    let ts = T0.to_string();
    let mut params = vec![
        ("oauth_callback", "oob"),
        ("oauth_consumer_key", consumer),
        ("oauth_nonce", nonce),
        (
            "oauth_signature_method",
            if plaintext { "PLAINTEXT" } else { "HMAC-SHA1" },
        ),
        ("oauth_timestamp", ts.as_str()),
        ("oauth_version", "1.0"),
    ];
    let signature = if plaintext {
        let first = if profile == Some(QuirkProfile::PlaintextConsumerKey) {
            consumer
        } else {
            secret
        };
        signing_key(first, "").to_string()
    } else {
        let unsigned = build_header(None, &params).unwrap();
        let mut received = ReceivedRequest::new(method, url).with_authorization(&unsigned);
        if let Some(f) = form {
            received = received.with_form_body(f);
        }
        let base = base_string(&received, profile).unwrap();
        hmac_sha1(signing_key(secret, "").as_bytes(), base.as_bytes())
    };
    params.push(("oauth_signature", &signature));
    build_header(None, &params).unwrap()
}

fn received<'a>(url: &'a str, header: &'a str, form: Option<&'a str>) -> ReceivedRequest<'a> {
    let r = ReceivedRequest::new("POST", url).with_authorization(header);
    match form {
        Some(f) => r.with_form_body(f),
        None => r,
    }
}

fn verifier(fallback: Option<QuirkFallback>) -> Verifier<MemoryCredentials> {
    let v = Verifier::builder(
        MemoryCredentials::new()
            .with_hmac_consumer(QUIRKY, QUIRKY_SECRET)
            .with_hmac_consumer(PLAIN, PLAIN_SECRET),
    )
    .clock(Arc::new(FixedClock::new(T0)))
    .build();
    match fallback {
        Some(f) => v.with_signature_fallback(Arc::new(f)),
        None => v,
    }
}

#[test]
fn every_profile_through_the_verifier() {
    // The emulator's cases over example.com, plus the empty path.
    let mut rows: Vec<(QuirkProfile, String, Option<&str>, bool)> = cases()
        .into_iter()
        .map(|c| {
            let base = match c.public_base {
                Some(b) => b.replace("127.0.0.1", "example.com"),
                None => "http://example.com".to_owned(),
            };
            (
                c.profile,
                format!("{base}{REQUEST_TOKEN}{}", c.extra_query),
                c.form,
                c.plaintext,
            )
        })
        .collect();
    rows.push((
        QuirkProfile::EmptyPathNoSlash,
        "http://example.com".to_owned(),
        None,
        false,
    ));
    assert_eq!(rows.len(), QuirkProfile::ALL.len());
    let secrets = Secrets::new().consumer_secret(QUIRKY_SECRET);
    for (i, (profile, url, form, plaintext)) in rows.iter().enumerate() {
        let name = profile.as_str();
        let nonce = format!("nonce{i}");
        let header = sign(
            QUIRKY,
            QUIRKY_SECRET,
            Some(*profile),
            "POST",
            url,
            *form,
            *plaintext,
            &nonce,
        );
        let req = received(url, &header, *form);

        // The RFC verifier rejects it: its signature is not RFC 5849's.
        assert_eq!(
            verifier(None).check(&req).unwrap_err(),
            VerifyError::BadSignature,
            "{name}"
        );
        assert!(!verify_signature(&req, None, &secrets).unwrap(), "{name}");
        assert!(
            verify_signature(&req, Some(*profile), &secrets).unwrap(),
            "{name}"
        );

        // diagnose names it, and shows the base string that reproduces it.
        let d = diagnose(&req, &secrets).unwrap();
        assert!(!d.valid, "{name}");
        assert_eq!(d.profile, Some(name));
        assert_eq!(d.quirk, Some(*profile));
        assert_eq!(
            d.rfc_base_string,
            base_string(&req, None).unwrap(),
            "{name}"
        );
        let matched = d.matched_base_string.as_deref().unwrap();
        if *plaintext {
            assert_eq!(matched, d.rfc_base_string, "{name}");
        } else {
            assert_eq!(matched, base_string(&req, Some(*profile)).unwrap());
            assert_ne!(matched, d.rfc_base_string, "{name}");
        }
        assert!(d.difference.starts_with(name), "{name}: {}", d.difference);

        // The verifier with the profile accepted for QUIRKY lets it through, naming it…
        let accepting = verifier(Some(QuirkFallback::new().accept(QUIRKY, *profile)));
        let v = accepting.check(&req).unwrap();
        assert_eq!(v.signature_fallback.as_deref(), Some(name));
        assert_eq!(v.consumer_key, QUIRKY);
        // …but only for QUIRKY: the same quirk from PLAIN is refused.
        let header = sign(
            PLAIN,
            PLAIN_SECRET,
            Some(*profile),
            "POST",
            url,
            *form,
            *plaintext,
            &nonce,
        );
        assert_eq!(
            accepting.check(&received(url, &header, *form)).unwrap_err(),
            VerifyError::BadSignature,
            "{name}"
        );
        // Another profile accepted for QUIRKY does not let it through.
        let other = QuirkProfile::ALL
            .into_iter()
            .find(|p| p != profile)
            .unwrap();
        assert_eq!(
            verifier(Some(QuirkFallback::new().accept(QUIRKY, other)))
                .check(&req)
                .unwrap_err(),
            VerifyError::BadSignature,
            "{name}"
        );
    }
}

#[test]
fn diagnose_rfc_and_garbage() {
    let url = format!("http://example.com{REQUEST_TOKEN}&a=&b=1");
    let secrets = Secrets::new().consumer_secret(QUIRKY_SECRET);
    let header = sign(QUIRKY, QUIRKY_SECRET, None, "POST", &url, None, false, "n1");
    let d = diagnose(&received(&url, &header, None), &secrets).unwrap();
    assert!(d.valid);
    assert_eq!(d.profile, Some(RFC5849));
    assert_eq!(d.matched_base_string.as_ref(), Some(&d.rfc_base_string));
    assert_eq!(d.quirk, None);

    let garbage = header.replace("oauth_signature=\"", "oauth_signature=\"AAAA");
    let d = diagnose(&received(&url, &garbage, None), &secrets).unwrap();
    assert!(!d.valid);
    assert_eq!(d.profile, None);
    assert_eq!(d.matched_base_string, None);
    assert!(
        d.difference.starts_with("no known profile"),
        "{}",
        d.difference
    );

    // A secret the method needs, missing, is said so.
    assert_eq!(
        diagnose(&received(&url, &header, None), &Secrets::new()).unwrap_err(),
        QuirkError::MissingSecret("the consumer secret")
    );
}

#[test]
fn diagnose_json_has_the_contract_keys() {
    let url = format!("http://example.com{REQUEST_TOKEN}&extra=");
    let header = sign(
        QUIRKY,
        QUIRKY_SECRET,
        Some(QuirkProfile::DropEmptyParams),
        "POST",
        &url,
        None,
        false,
        "n1",
    );
    let d = diagnose(
        &received(&url, &header, None),
        &Secrets::new().consumer_secret(QUIRKY_SECRET),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::to_value(&d).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "difference",
            "matched_base_string",
            "profile",
            "rfc_base_string",
            "valid"
        ]
    );
    assert_eq!(json["profile"], "drop-empty-params");
    assert!(
        d.difference.contains("parameters left out: extra="),
        "{}",
        d.difference
    );
}

fn emulator_config(profile: QuirkProfile, public_base: Option<&str>) -> EmulatorConfig {
    let config = EmulatorConfig::new()
        .add_hmac_consumer(QUIRKY, QUIRKY_SECRET)
        .add_hmac_consumer(PLAIN, PLAIN_SECRET)
        .accept_quirk(QUIRKY, profile);
    match public_base {
        Some(b) => config.with_public_base_url(b),
        None => config,
    }
}

#[tokio::test]
async fn the_emulator_accepts_each_quirk_for_its_consumer_only() {
    for case in cases() {
        let name = case.profile.as_str();
        let fx = Fixture::new(emulator_config(case.profile, case.public_base));
        let path = format!("{REQUEST_TOKEN}{}", case.extra_query);
        // The URL the client signs (the emulator's public one), and the one it reaches.
        let signed_url = format!("{}{path}", fx.emu.base_url());
        let reached_url = format!("http://{}{path}", fx.emu.local_addr());
        let send = |consumer: &str, secret: &str, profile, nonce: &str| {
            let header = sign(
                consumer,
                secret,
                profile,
                "POST",
                &signed_url,
                case.form,
                case.plaintext,
                nonce,
            );
            let mut req = HttpRequest::new("POST", &reached_url).header("Authorization", header);
            if let Some(f) = case.form {
                req = req
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .with_body(f.as_bytes().to_vec());
            }
            req
        };

        // QUIRKY, signed the quirky way: a request token, and the log names the quirk.
        let quirky = send(QUIRKY, QUIRKY_SECRET, Some(case.profile), "nonce-q");
        let resp = fx.send(quirky.clone()).await;
        assert_eq!(resp.status, 200, "{name}: {}", text(&resp));
        assert!(get(&form(&resp), "oauth_token").is_some(), "{name}");
        let accepted = format!("consumer {QUIRKY} accepted under quirk {name}");
        assert!(
            fx.log.lines().iter().any(|l| l.contains(&accepted)),
            "{name}: {:?}",
            fx.log.lines()
        );
        // Every other check still applies: the same nonce again is a replay.
        let resp = fx.send(quirky).await;
        assert_eq!(resp.status, 401, "{name}");
        assert_eq!(problem(&resp), "nonce_used", "{name}");

        // PLAIN, signed the same quirky way, is refused: it was not given the quirk.
        let resp = fx
            .send(send(PLAIN, PLAIN_SECRET, Some(case.profile), "nonce-p"))
            .await;
        assert_eq!(resp.status, 401, "{name}: {}", text(&resp));
        assert_eq!(problem(&resp), "signature_invalid", "{name}");

        // QUIRKY signing by the RFC still works, and is not logged as a quirk.
        let before = fx.log.lines().len();
        let resp = fx
            .send(send(QUIRKY, QUIRKY_SECRET, None, "nonce-rfc"))
            .await;
        assert_eq!(resp.status, 200, "{name}: {}", text(&resp));
        assert!(
            !fx.log.lines()[before..]
                .iter()
                .any(|l| l.contains("accepted under quirk")),
            "{name}"
        );
    }
}

#[test]
fn a_quirk_for_an_unregistered_consumer_is_refused_at_start() {
    let config = EmulatorConfig::new()
        .add_hmac_consumer(PLAIN, PLAIN_SECRET)
        .accept_quirk("nobody.example.com", QuirkProfile::RawQuery);
    match Emulator::start(config) {
        Err(EmulatorError::InvalidConfig(m)) => {
            assert!(m.contains("nobody.example.com"), "{m}")
        }
        other => panic!("expected InvalidConfig, got {:?}", other.map(|_| ())),
    }
    // The empty path's profile is accepted (its input never reaches a signed endpoint here).
    Emulator::start(emulator_config(QuirkProfile::EmptyPathNoSlash, None)).unwrap();
}
