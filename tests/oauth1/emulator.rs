//! The emulator's OAuth 1.0a endpoints over real loopback HTTP: requests signed by
//! `OAuth1Authorizer`, sent with `ReqwestTransport`, checked against the state rules and the
//! error answers documented in `gdata_auth::emulator`.

use crate::support::*;
use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod};
use gdata_auth::transport::HttpRequest;
use gdata_auth::{ConsumerSecret, TokenSecret};
#[cfg(feature = "rsa")]
use gdata_auth::{RsaSigningKey, RsaVerifyingKey};

const CONSUMER: &str = "example.com";
const CONSUMER_SECRET: &str = "kd94hf93k423kf44-canary";

fn consumer() -> OAuth1Authorizer {
    OAuth1Authorizer::hmac_sha1(CONSUMER, ConsumerSecret::new(CONSUMER_SECRET))
}

fn registered() -> EmulatorConfig {
    EmulatorConfig::new().add_hmac_consumer(CONSUMER, CONSUMER_SECRET)
}

fn with_token(auth: &OAuth1Authorizer, token: &str, secret: &str) -> OAuth1Authorizer {
    auth.clone().with_token(token, TokenSecret::new(secret))
}

#[tokio::test]
async fn hmac_dance_with_callback_url_keeps_its_query() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (rt, rs) = fx
        .request_token(&c, CALENDAR_SCOPE, "http://app.example/cb?Lang=de")
        .await;
    assert!(rt.starts_with("4/") && rt.len() == 42, "{rt}");

    // The consent page is a real page naming the consumer and the scope.
    let page = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}&hd=default",
            gdata_auth::encoding::percent_encode(&rt)
        ))))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("X-Frame-Options"), Some("DENY"));
    let html = text(&page);
    for needle in [
        CONSUMER,
        CALENDAR_SCOPE,
        "name=\"Passwd\"",
        "value=\"approve\"",
        "value=\"deny\"",
        "app.example",
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }

    // Approve: 302 to the callback, its own query first.
    let resp = fx
        .submit_consent(&rt, "user@example.com", "password", "approve")
        .await;
    assert_eq!(resp.status, 302);
    let loc = resp.header("Location").unwrap();
    assert!(
        loc.starts_with(&format!(
            "http://app.example/cb?Lang=de&oauth_token={}&oauth_verifier=",
            rt.replace('/', "%2F")
        )),
        "{loc}"
    );
    let verifier = verifier_of(&resp, &rt);

    let resp = fx.exchange(&c, &rt, &rs, &verifier).await;
    assert_eq!(resp.status, 200, "{}", text(&resp));
    // As www.google.com answered (GNOME libgdata's traces).
    assert_eq!(
        resp.header("Content-Type"),
        Some("text/plain; charset=UTF-8")
    );
    assert_eq!(resp.header("Cache-Control"), Some("private, max-age=0"));
    let f = form(&resp);
    let (at, ats) = (
        get(&f, "oauth_token").unwrap(),
        get(&f, "oauth_token_secret").unwrap(),
    );
    assert!(at.starts_with("1/"));
    assert_eq!(get(&f, "oauth_callback_confirmed"), None);

    // The feed answers Atom for the user who approved.
    let access = with_token(&c, at, ats);
    let feed = fx
        .signed(&access, "GET", CALENDAR_FEED, &[], Placement::Header)
        .await;
    assert_eq!(feed.status, 200, "{}", text(&feed));
    assert_eq!(
        feed.header("Content-Type"),
        Some("application/atom+xml; charset=UTF-8")
    );
    let xml = text(&feed);
    assert!(xml.contains("<feed xmlns='http://www.w3.org/2005/Atom'"));
    assert!(xml.contains("<email>user@example.com</email>"));
    assert!(
        xml.contains("2010-11-15T22:50:32.000Z"),
        "clock drives dates"
    );

    // Revocation: 200, empty; the token is then refused by name.
    let resp = fx
        .signed(
            &access,
            "GET",
            "/accounts/AuthSubRevokeToken",
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((resp.status, resp.body.len()), (200, 0));
    let feed = fx
        .signed(&access, "GET", CALENDAR_FEED, &[], Placement::Header)
        .await;
    assert_eq!(feed.status, 401);
    assert_eq!(problem(&feed), "token_revoked");
    let again = fx
        .signed(
            &access,
            "GET",
            "/accounts/AuthSubRevokeToken",
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(
        (again.status, problem(&again).as_str()),
        (401, "token_revoked")
    );
    assert!(fx
        .emu
        .access_tokens("user@example.com", CONSUMER)
        .is_empty());
}

#[cfg(feature = "rsa")]
#[tokio::test]
async fn rsa_dance_with_oob_through_the_consent_form() {
    let cert = include_str!("../../fixtures/keys/rsa2048_cert.pem");
    let key = include_str!("../../fixtures/keys/rsa2048_pkcs1.pem");
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_rsa_consumer("rsa.example.com", RsaVerifyingKey::from_pem(cert).unwrap()),
    );
    let c = OAuth1Authorizer::rsa_sha1("rsa.example.com", RsaSigningKey::from_pem(key).unwrap());
    let (rt, rs) = fx
        .request_token(&c, &format!("{CALENDAR_SCOPE} {CONTACTS_SCOPE}"), "oob")
        .await;
    let resp = fx
        .submit_consent(&rt, "user@example.com", "password", "approve")
        .await;
    assert_eq!(resp.status, 200);
    let verifier = oob_verifier(text(&resp)).expect("verifier element");
    assert_eq!(verifier.len(), 40);
    let resp = fx.exchange(&c, &rt, &rs, &verifier).await;
    assert_eq!(resp.status, 200, "{}", text(&resp));
    let f = form(&resp);
    let access = with_token(
        &c,
        get(&f, "oauth_token").unwrap(),
        get(&f, "oauth_token_secret").unwrap(),
    );
    // Both requested scopes work; a third service does not.
    for (path, status) in [(CALENDAR_FEED, 200), (CONTACTS_FEED, 200), (DOCS_FEED, 401)] {
        let r = fx
            .signed(&access, "GET", path, &[], Placement::Header)
            .await;
        assert_eq!(r.status, status, "{path}: {}", text(&r));
    }
    // An HMAC signature from that consumer is refused: its method is pinned.
    let hmac = OAuth1Authorizer::hmac_sha1("rsa.example.com", ConsumerSecret::new("x"));
    let r = fx
        .signed(
            &hmac,
            "GET",
            "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fa%2F",
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "signature_method_rejected")
    );
}

#[tokio::test]
async fn protocol_parameters_in_header_query_or_body() {
    let fx = Fixture::new(registered());
    let c = consumer();
    for placement in [Placement::Header, Placement::Query, Placement::Body] {
        let method = if placement == Placement::Body {
            "POST"
        } else {
            "GET"
        };
        // Request token: scope signed in the query (header, query) or the form body.
        let cb = c.clone().with_callback("oob");
        let resp = if placement == Placement::Body {
            fx.signed(
                &cb,
                "POST",
                "/accounts/OAuthGetRequestToken",
                &[("scope", CALENDAR_SCOPE)],
                placement,
            )
            .await
        } else {
            let path = format!(
                "/accounts/OAuthGetRequestToken?scope={}",
                gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
            );
            fx.signed(&cb, method, &path, &[], placement).await
        };
        assert_eq!(resp.status, 200, "{placement:?}: {}", text(&resp));
        let f = form(&resp);
        let (rt, rs) = (
            get(&f, "oauth_token").unwrap().to_owned(),
            get(&f, "oauth_token_secret").unwrap().to_owned(),
        );
        let v = fx.approve(&rt).await;

        let auth = with_token(&c, &rt, &rs).with_verifier(v);
        let resp = fx
            .signed(
                &auth,
                method,
                "/accounts/OAuthGetAccessToken",
                &[],
                placement,
            )
            .await;
        assert_eq!(resp.status, 200, "{placement:?}: {}", text(&resp));
        let f = form(&resp);
        let access = with_token(
            &c,
            get(&f, "oauth_token").unwrap(),
            get(&f, "oauth_token_secret").unwrap(),
        );

        let form_params: &[(&str, &str)] = if placement == Placement::Body {
            &[("max-results", "5")]
        } else {
            &[]
        };
        let resp = fx
            .signed(&access, method, CALENDAR_FEED, form_params, placement)
            .await;
        assert_eq!(resp.status, 200, "{placement:?}: {}", text(&resp));
    }
}

#[tokio::test]
async fn two_legged_requests() {
    let fx = Fixture::new(
        registered()
            .add_user("alice@example.org", "pw")
            .add_user("user@example.com", "password"),
    );
    let c = consumer();
    let ok = fx
        .signed(
            &c,
            "GET",
            &format!("{CONTACTS_FEED}?xoauth_requestor_id=alice%40example.org"),
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", text(&ok));
    assert!(text(&ok).contains("<email>alice@example.org</email>"));
    assert!(text(&ok).contains("two-legged"));

    let cases = [
        (
            "?xoauth_requestor_id=mallory%40example.org",
            401,
            "permission_denied",
        ),
        ("", 400, "parameter_absent"),
    ];
    for (query, status, prob) in cases {
        let r = fx
            .signed(
                &c,
                "GET",
                &format!("{DOCS_FEED}{query}"),
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!((r.status, problem(&r).as_str()), (status, prob), "{query}");
    }
    // The requestor id is signed: changing it after signing breaks the signature.
    let mut req = signed_request(
        &c,
        "GET",
        &fx.url(&format!(
            "{CONTACTS_FEED}?xoauth_requestor_id=alice%40example.org"
        )),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    req.url = req.url.replace("alice", "user");
    let r = fx.send(req).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "signature_invalid"));
}

#[tokio::test]
async fn two_legged_is_refused_for_the_anonymous_consumer() {
    let fx = Fixture::new(EmulatorConfig::new());
    let r = fx
        .signed(
            &OAuth1Authorizer::anonymous(),
            "GET",
            &format!("{CALENDAR_FEED}?xoauth_requestor_id=user%40example.com"),
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "permission_denied"));
}

#[tokio::test]
async fn feed_refusals_leave_the_token_usable() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (at, ats) = fx.dance(&c, CALENDAR_SCOPE).await;
    let access = with_token(&c, &at, &ats);

    // Wrong scope: Google's words in the advice.
    let r = fx
        .signed(&access, "GET", CONTACTS_FEED, &[], Placement::Header)
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "permission_denied"));
    assert!(text(&r).contains("wrong%20scope"), "{}", text(&r));
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("OAuth realm=\""));

    // Replayed nonce: the very same request twice.
    let req = signed_request(
        &access,
        "GET",
        &fx.url(CALENDAR_FEED),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    assert_eq!(fx.send(req.clone()).await.status, 200);
    let r = fx.send(req).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "nonce_used"));

    // Stale timestamp: signed now, sent after the clock moved past the 600 s window.
    let stale = signed_request(
        &access,
        "GET",
        &fx.url(CALENDAR_FEED),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    fx.clock.advance(601);
    let r = fx.send(stale).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "timestamp_refused"));
    let now = T0 + 601;
    assert_eq!(
        get(&form(&r), "oauth_acceptable_timestamps"),
        Some(format!("{}-{}", now - 600, now + 600).as_str())
    );

    // Tampered form body: the signature covers it; the answer shows the base string.
    let mut req = signed_request(
        &access,
        "POST",
        &fx.url(CALENDAR_FEED),
        &[("q", "mine")],
        Placement::Header,
        &fx.ctx(),
    );
    req = req.with_body(b"q=theirs".to_vec());
    let r = fx.send(req).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "signature_invalid"));
    let base = get(&form(&r), "oauth_signature_base_string")
        .unwrap()
        .to_owned();
    assert!(base.starts_with("POST&http%3A%2F%2F127.0.0.1%3A"), "{base}");
    assert!(base.contains("q%3Dtheirs"), "{base}");
    assert!(!base.contains(CONSUMER_SECRET) && !base.contains(&ats));

    // Tampered query, wrong token secret, request token on a feed, no credentials at all.
    let mut req = signed_request(
        &access,
        "GET",
        &fx.url(&format!("{CALENDAR_FEED}?max-results=1")),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    req.url = req.url.replace("max-results=1", "max-results=100");
    let r = fx.send(req).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "signature_invalid"));
    let r = fx
        .signed(
            &with_token(&c, &at, "not-the-secret"),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "signature_invalid"));
    let (rt, rs) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let r = fx
        .signed(
            &with_token(&c, &rt, &rs),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "token_rejected"));
    let r = fx.send(HttpRequest::get(fx.url(CALENDAR_FEED))).await;
    assert_eq!(r.status, 401);
    assert!(r.header("WWW-Authenticate").is_some());

    // Nothing was lost: the access token still reads its feed.
    let r = fx
        .signed(&access, "GET", CALENDAR_FEED, &[], Placement::Header)
        .await;
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(fx.emu.access_tokens("user@example.com", CONSUMER), vec![at]);
}

#[tokio::test]
async fn request_tokens_and_verifiers_are_single_use_and_bound() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (a, a_secret) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let (b, b_secret) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;

    // Not yet approved.
    let r = fx.exchange(&c, &a, &a_secret, "anything").await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (401, "permission_unknown")
    );

    let va = fx.approve(&a).await;
    let vb = fx.approve(&b).await;
    assert_ne!(va, vb);

    // B's verifier on A, and no verifier at all. Google answered a wrong verifier with 400
    // (libgdata's recording), so the emulator does too.
    let r = fx.exchange(&c, &a, &a_secret, &vb).await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "parameter_rejected")
    );
    assert_eq!(
        get(&form(&r), "oauth_parameters_rejected"),
        Some("oauth_verifier")
    );
    let r = fx
        .signed(
            &with_token(&c, &a, &a_secret),
            "POST",
            "/accounts/OAuthGetAccessToken",
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (400, "parameter_absent"));

    // Approving twice is refused on the page.
    let r = fx
        .submit_consent(&a, "user@example.com", "password", "approve")
        .await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("token_used"));

    // A exchanges once; its verifier is then spent.
    assert_eq!(fx.exchange(&c, &a, &a_secret, &va).await.status, 200);
    let r = fx.exchange(&c, &a, &a_secret, &va).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "token_used"));

    // Another consumer cannot use B (its token secret is unknown there anyway).
    let other = OAuth1Authorizer::anonymous();
    let r = fx.exchange(&other, &b, &b_secret, &vb).await;
    assert_eq!(r.status, 401);

    // B was not touched by any of that.
    assert_eq!(fx.exchange(&c, &b, &b_secret, &vb).await.status, 200);
    assert_eq!(fx.emu.access_tokens("user@example.com", CONSUMER).len(), 2);
}

/// SECURITY.md §5.1 row 27: a request token approved or exchanged twice is refused
/// (`token_used`), a verifier for another request token is refused (`parameter_rejected`
/// on `oauth_verifier`); nothing lost: the access token the first exchange granted still
/// reads the feed, it is the only one stored for A, and B still exchanges with its own verifier.
#[tokio::test]
async fn row_27_request_token_or_verifier_used_twice_or_for_other_token() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (a, a_secret) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let (b, b_secret) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let va = fx.approve(&a).await;
    let vb = fx.approve(&b).await;

    // Verifier of B on A.
    let r = fx.exchange(&c, &a, &a_secret, &vb).await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "parameter_rejected")
    );
    assert_eq!(
        get(&form(&r), "oauth_parameters_rejected"),
        Some("oauth_verifier")
    );

    // A's request token approved a second time.
    let r = fx
        .submit_consent(&a, "user@example.com", "password", "approve")
        .await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("token_used"), "{}", text(&r));

    // A exchanged once, then its token and verifier again.
    let r = fx.exchange(&c, &a, &a_secret, &va).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let f = form(&r);
    let (at, at_secret) = (
        get(&f, "oauth_token").unwrap().to_owned(),
        get(&f, "oauth_token_secret").unwrap().to_owned(),
    );
    let r = fx.exchange(&c, &a, &a_secret, &va).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "token_used"));
    assert_eq!(
        fx.emu.access_tokens("user@example.com", CONSUMER),
        vec![at.clone()]
    );

    // Nothing lost: A's access token works, B was not touched.
    let feed = fx
        .signed(
            &with_token(&c, &at, &at_secret),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(feed.status, 200, "{}", text(&feed));
    assert_eq!(fx.exchange(&c, &b, &b_secret, &vb).await.status, 200);
    assert_eq!(fx.emu.access_tokens("user@example.com", CONSUMER).len(), 2);
}

#[tokio::test]
async fn concurrent_exchanges_of_one_token_have_one_winner() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (rt, rs) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let v = fx.approve(&rt).await;
    let (r1, r2, r3) = tokio::join!(
        fx.exchange(&c, &rt, &rs, &v),
        fx.exchange(&c, &rt, &rs, &v),
        fx.exchange(&c, &rt, &rs, &v)
    );
    let mut statuses = [r1.status, r2.status, r3.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401, 401]);
}

#[tokio::test]
async fn request_tokens_expire_after_one_hour() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (a, a_secret) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let (b, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let va = fx.approve(&a).await;
    fx.clock.advance(3599);
    // Still shown at 59:59.
    let page = fx
        .send(HttpRequest::get(fx.url(&format!(
            "/accounts/OAuthAuthorizeToken?oauth_token={}",
            b.replace('/', "%2F")
        ))))
        .await;
    assert_eq!(page.status, 200);
    fx.clock.advance(1);
    let r = fx.exchange(&c, &a, &a_secret, &va).await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "token_expired"));
    let r = fx
        .submit_consent(&b, "user@example.com", "password", "approve")
        .await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("token_expired"));
}

#[tokio::test]
async fn the_eleventh_access_token_revokes_the_oldest() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let mut tokens = Vec::new();
    for _ in 0..10 {
        tokens.push(fx.dance(&c, CALENDAR_SCOPE).await);
    }
    assert_eq!(fx.emu.access_tokens("user@example.com", CONSUMER).len(), 10);

    let (rt, rs) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let v = fx.approve(&rt).await;
    let r = fx.exchange(&c, &rt, &rs, &v).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("X-Emulator-Revoked-Token"),
        Some(tokens[0].0.as_str())
    );
    let live = fx.emu.access_tokens("user@example.com", CONSUMER);
    assert_eq!(live.len(), 10);
    assert!(!live.contains(&tokens[0].0) && live.contains(&tokens[1].0));
    assert!(fx.log.lines().iter().any(|l| l.contains("ten-token limit")));

    let r = fx
        .signed(
            &with_token(&c, &tokens[0].0, &tokens[0].1),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "token_revoked"));
    let r = fx
        .signed(
            &with_token(&c, &tokens[1].0, &tokens[1].1),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(r.status, 200);
    // Another consumer's count is separate.
    let other = Fixture::new(EmulatorConfig::new());
    assert!(other
        .emu
        .access_tokens("user@example.com", "anonymous")
        .is_empty());
}

#[tokio::test]
async fn deny_redirects_with_permission_denied_and_kills_the_token() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let (rt, rs) = fx
        .request_token(&c, CALENDAR_SCOPE, "https://app.example/done")
        .await;
    let r = fx.submit_consent(&rt, "", "", "deny").await;
    assert_eq!(r.status, 302);
    let loc = r.header("Location").unwrap();
    assert_eq!(
        loc,
        format!(
            "https://app.example/done?oauth_token={}&oauth_problem=permission_denied",
            rt.replace('/', "%2F")
        )
    );
    let r = fx.exchange(&c, &rt, &rs, "guess").await;
    assert_eq!((r.status, problem(&r).as_str()), (401, "permission_denied"));

    let (rt, _) = fx.request_token(&c, CALENDAR_SCOPE, "oob").await;
    let r = fx.submit_consent(&rt, "", "", "deny").await;
    assert_eq!(r.status, 200);
    assert!(text(&r).contains("Access denied") && oob_verifier(text(&r)).is_none());
}

#[tokio::test]
async fn consent_page_honours_hd_hl_btmpl_and_escapes() {
    let fx = Fixture::new(
        EmulatorConfig::new()
            .add_user("bob@example.com", "bobpw")
            .add_user("alice@example.org", "alicepw"),
    );
    let c = OAuth1Authorizer::anonymous().with_callback("oob");
    let resp = fx
        .signed(
            &c,
            "GET",
            &format!(
                "/accounts/OAuthGetRequestToken?scope={}&xoauth_displayname={}",
                gdata_auth::encoding::percent_encode(CALENDAR_SCOPE),
                gdata_auth::encoding::percent_encode("<script>alert('x')</script> & Co")
            ),
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", text(&resp));
    let rt = get(&form(&resp), "oauth_token").unwrap().to_owned();
    let url = fx.url(&format!(
        "/accounts/OAuthAuthorizeToken?oauth_token={}&hd=example.org&hl=de&btmpl=mobile",
        rt.replace('/', "%2F")
    ));
    let page = fx.send(HttpRequest::get(url)).await;
    assert_eq!(page.status, 200);
    let html = text(&page);
    assert!(!html.contains("<script"), "display name must be escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert!(html.contains("not been verified"));
    assert!(html.contains("Language requested (hl): <strong>de</strong>"));
    assert!(html.contains("<body class=\"mobile\">") && html.contains("Mobile layout"));
    assert!(html.contains("Google Apps domain (hd): <strong>example.org</strong>"));
    assert!(html.contains("value=\"alice@example.org\"") && !html.contains("bob@example.com"));
    // The hidden fields carry the options through the post.
    assert!(html.contains("name=\"hd\" value=\"example.org\""));

    // An account outside hd, then a wrong password: refused, nothing changes.
    let csrf = gdata_auth::emulator::csrf_token_of(html).expect("csrf_token");
    let post = |email: &str, pw: &str| {
        HttpRequest::post_form(
            fx.url("/accounts/OAuthAuthorizeToken"),
            &[
                ("oauth_token", rt.as_str()),
                ("hd", "example.org"),
                ("Email", email),
                ("Passwd", pw),
                ("csrf_token", &csrf),
                ("action", "approve"),
            ],
        )
    };
    let r = fx.send(post("bob@example.com", "bobpw")).await;
    assert_eq!(r.status, 403);
    let r = fx.send(post("alice@example.org", "bobpw")).await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("id=\"error\""));
    let r = fx.send(post("alice@example.org", "alicepw")).await;
    assert_eq!(r.status, 200);
    assert!(oob_verifier(text(&r)).is_some());
    // Logs show the sign-in failures without the passwords.
    let logs = fx.log.lines().join("\n");
    assert!(
        logs.contains("sign-in failed") && !logs.contains("bobpw") && !logs.contains("alicepw")
    );
}

#[tokio::test]
async fn auto_approve_answers_the_get_at_once() {
    let fx = Fixture::new(registered().with_auto_approve(true));
    let c = consumer();
    for callback in ["oob", "http://localhost:9/cb?state=1"] {
        let (rt, rs) = fx.request_token(&c, CALENDAR_SCOPE, callback).await;
        let r = fx
            .send(HttpRequest::get(fx.url(&format!(
                "/accounts/OAuthAuthorizeToken?oauth_token={}",
                rt.replace('/', "%2F")
            ))))
            .await;
        let v = verifier_of(&r, &rt);
        if callback != "oob" {
            assert!(r
                .header("Location")
                .unwrap()
                .starts_with("http://localhost:9/cb?state=1&oauth_token="));
        }
        assert_eq!(fx.exchange(&c, &rt, &rs, &v).await.status, 200);
    }
}

/// (name, signer, query, status, oauth_problem, extra parameter expected in the answer).
type RequestTokenCase<'a> = (
    &'a str,
    OAuth1Authorizer,
    String,
    u16,
    &'a str,
    Option<(&'a str, &'a str)>,
);

#[tokio::test]
async fn request_token_errors() {
    let fx = Fixture::new(registered());
    let c = consumer();
    let scope = format!(
        "scope={}",
        gdata_auth::encoding::percent_encode(CALENDAR_SCOPE)
    );
    let cb = c.clone().with_callback("oob");
    let cases: Vec<RequestTokenCase> = vec![
        (
            "no scope",
            cb.clone(),
            String::new(),
            400,
            "parameter_absent",
            Some(("oauth_parameters_absent", "scope")),
        ),
        (
            "no callback",
            c.clone(),
            scope.clone(),
            400,
            "parameter_absent",
            Some(("oauth_parameters_absent", "oauth_callback")),
        ),
        (
            "bad scope",
            cb.clone(),
            "scope=calendar".into(),
            400,
            "parameter_rejected",
            Some(("oauth_parameters_rejected", "scope")),
        ),
        (
            "two scopes params",
            cb.clone(),
            format!("{scope}&{scope}"),
            400,
            "parameter_rejected",
            None,
        ),
        (
            "bad callback",
            c.clone().with_callback("javascript:alert(1)"),
            scope.clone(),
            400,
            "parameter_rejected",
            Some(("oauth_parameters_rejected", "oauth_callback")),
        ),
        (
            "unknown consumer",
            OAuth1Authorizer::hmac_sha1("nobody.example", ConsumerSecret::new("x"))
                .with_callback("oob"),
            scope.clone(),
            401,
            "consumer_key_unknown",
            None,
        ),
        (
            "wrong secret",
            OAuth1Authorizer::hmac_sha1(CONSUMER, ConsumerSecret::new("wrong"))
                .with_callback("oob"),
            scope.clone(),
            401,
            "signature_invalid",
            None,
        ),
    ];
    for (name, auth, query, status, prob, extra) in cases {
        let r = fx
            .signed(
                &auth,
                "GET",
                &format!("/accounts/OAuthGetRequestToken?{query}"),
                &[],
                Placement::Header,
            )
            .await;
        assert_eq!(
            (r.status, problem(&r).as_str()),
            (status, prob),
            "{name}: {}",
            text(&r)
        );
        if let Some((k, v)) = extra {
            assert_eq!(get(&form(&r), k), Some(v), "{name}");
        }
        assert!(get(&form(&r), "oauth_problem_advice").is_some(), "{name}");
    }

    // Duplicate protocol parameter in the header, and parameters in two places.
    let req = signed_request(
        &cb,
        "GET",
        &fx.url(&format!("/accounts/OAuthGetRequestToken?{scope}")),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    let mut dup = req.clone();
    let h = dup.header_value("Authorization").unwrap().to_owned();
    dup.remove_header("Authorization");
    let dup = dup.header("Authorization", format!("{h}, oauth_nonce=\"again\""));
    let r = fx.send(dup).await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "parameter_rejected")
    );
    let mut two = req;
    two.url.push_str("&oauth_version=1.0");
    let r = fx.send(two).await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "parameter_rejected")
    );

    // oauth_version other than 1.0.
    let mut v2 = signed_request(
        &cb,
        "GET",
        &fx.url(&format!("/accounts/OAuthGetRequestToken?{scope}")),
        &[],
        Placement::Header,
        &fx.ctx(),
    );
    let h = v2
        .header_value("Authorization")
        .unwrap()
        .replace("oauth_version=\"1.0\"", "oauth_version=\"2.0\"");
    v2.remove_header("Authorization");
    let r = fx.send(v2.header("Authorization", h)).await;
    assert_eq!((r.status, problem(&r).as_str()), (400, "version_rejected"));
    assert_eq!(get(&form(&r), "oauth_acceptable_versions"), Some("1.0-1.0"));
}

#[tokio::test]
async fn failures_are_logged_with_reasons_and_no_secrets() {
    let fx = Fixture::new(registered());
    let wrong = OAuth1Authorizer::hmac_sha1(CONSUMER, ConsumerSecret::new("wrong-canary-secret"))
        .with_callback("oob");
    let r = fx
        .signed(
            &wrong,
            "GET",
            "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fa%2F",
            &[],
            Placement::Query,
        )
        .await;
    assert_eq!(r.status, 401);
    // PLAINTEXT puts the secrets themselves on the wire; refused over http, and not logged.
    let plain = OAuth1Authorizer::with_secret(
        CONSUMER,
        ConsumerSecret::new(CONSUMER_SECRET),
        SignatureMethod::Plaintext,
    )
    .unwrap()
    .dangerous_allow_insecure_plaintext()
    .with_callback("oob");
    let r = fx
        .signed(
            &plain,
            "GET",
            "/accounts/OAuthGetRequestToken?scope=http%3A%2F%2Fa%2F",
            &[],
            Placement::Query,
        )
        .await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "signature_method_rejected")
    );
    assert!(!text(&r).contains(CONSUMER_SECRET));
    let (at, ats) = fx.dance(&consumer(), CALENDAR_SCOPE).await;
    let r = fx
        .signed(
            &with_token(&consumer(), &at, "bad"),
            "GET",
            CALENDAR_FEED,
            &[],
            Placement::Header,
        )
        .await;
    assert_eq!(r.status, 401);

    // A parameter name echoed in a reason cannot forge a log line.
    let r = fx
        .send(HttpRequest::get(fx.url(
            "/accounts/OAuthGetRequestToken?oauth_x%0Aforged=1&oauth_x%0Aforged=2",
        )))
        .await;
    assert_eq!(
        (r.status, problem(&r).as_str()),
        (400, "parameter_rejected")
    );

    let lines = fx.log.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("forged") && l.contains("more than once")),
        "{lines:?}"
    );
    let all = lines.join("\n");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/accounts/OAuthGetRequestToken 401")
                && l.contains("oauth_problem=signature_invalid")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("oauth_problem=signature_method_rejected")
                && l.contains("PLAINTEXT")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("{CALENDAR_FEED} 401"))),
        "{all}"
    );
    for secret in [
        CONSUMER_SECRET,
        "wrong-canary-secret",
        ats.as_str(),
        "oauth_signature=",
        "OAuth oauth_",
        "scope=",
    ] {
        assert!(!all.contains(secret), "log leaks {secret:?}:\n{all}");
    }
    // One line per request.
    assert!(lines.iter().all(|l| !l.contains('\n')));
}
