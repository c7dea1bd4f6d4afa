//! The emulator's OAuth Proxy over loopback: `/gadgets/makeRequest` with `authz=oauth`.

use gdata_auth::emulator::{Emulator, EmulatorConfig};
use gdata_auth::gadgets::{MakeRequest, MakeRequestResponse};
use gdata_auth::transport::{
    BlockingTransport, HttpRequest, HttpResponse, ReqwestBlockingTransport,
};

const USER: &str = "alice@example.com";
const PASSWORD: &str = "gadget-pw";
const FEED: &str = "https://www.google.com/calendar/feeds/default/private/full";

fn start() -> (Emulator, ReqwestBlockingTransport) {
    let emulator = Emulator::start(EmulatorConfig::new().add_user(USER, PASSWORD)).unwrap();
    (emulator, ReqwestBlockingTransport::new().unwrap())
}

fn make_request(
    emulator: &Emulator,
    http: &ReqwestBlockingTransport,
    gadget: &str,
    url: &str,
    viewer: &str,
) -> MakeRequestResponse {
    let spec_url = format!("{}/gadgets/specs/{gadget}", emulator.base_url());
    let call = MakeRequest::new(spec_url, url)
        .oauth("google")
        .viewer(viewer);
    let resp = http
        .send(call.to_http_request(emulator.base_url()))
        .unwrap();
    assert_eq!(resp.status, 200, "{:?}", resp.body_text());
    assert_eq!(
        resp.header("content-disposition"),
        Some("attachment;filename=p.txt")
    );
    MakeRequestResponse::parse(resp.body_text().unwrap(), url).unwrap()
}

/// The `<input type="hidden">` fields of a page, unescaped (the consent form's own fields,
/// whatever they are, go back with the post).
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let Some((name, rest)) = part.split_once('"') else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(" value=\"") else {
            continue;
        };
        let Some((value, _)) = rest.split_once('"') else {
            continue;
        };
        out.push((unescape(name), unescape(value)));
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Opens the approval URL, signs in and approves on the consent page, and follows the
/// redirect to the container's callback; returns the callback page.
fn approve(http: &ReqwestBlockingTransport, approval_url: &str) -> HttpResponse {
    let page = http.send(HttpRequest::get(approval_url)).unwrap();
    assert_eq!(page.status, 200);
    let mut fields = hidden_fields(page.body_text().unwrap());
    fields.push(("Email".into(), USER.into()));
    fields.push(("Passwd".into(), PASSWORD.into()));
    fields.push(("action".into(), "approve".into()));
    let action = approval_url.split('?').next().unwrap();
    let redirect = http.send(HttpRequest::post_form(action, &fields)).unwrap();
    assert_eq!(redirect.status, 302, "{:?}", redirect.body_text());
    let location = redirect.header("location").unwrap().to_owned();
    assert!(
        location.contains("/gadgets/oauthcallback?cs="),
        "{location}"
    );
    http.send(HttpRequest::get(location)).unwrap()
}

#[test]
fn first_fetch_is_refused_then_approval_opens_the_feed_for_that_gadget_only() {
    let (emulator, http) = start();

    // 1. No token: the answer carries the approval URL and the state, and no data.
    let first = make_request(&emulator, &http, "calendar.xml", FEED, USER);
    assert_eq!(first.body, "");
    let approval_url = first.oauth_approval_url.clone().expect("oauthApprovalUrl");
    assert!(first.oauth_state.as_deref().is_some_and(|s| !s.is_empty()));
    assert!(approval_url.starts_with(&format!(
        "{}/accounts/OAuthAuthorizeToken?oauth_callback=",
        emulator.base_url()
    )));
    assert!(approval_url.contains("&oauth_token=4%2F"), "{approval_url}");

    // 2. The consent page names the gadget (its title as xoauth_displayname).
    let page = http.send(HttpRequest::get(&approval_url)).unwrap();
    assert!(page
        .body_text()
        .unwrap()
        .contains("Calendar gadget (gdauth sample)"));

    // 3. Approve; the callback stores the access token.
    let done = approve(&http, &approval_url);
    assert_eq!(done.status, 200);
    assert!(done.body_text().unwrap().contains("Access approved"));
    assert_eq!(
        emulator
            .access_tokens(USER, gdata_auth::emulator::CONTAINER_CONSUMER_KEY)
            .len(),
        1
    );

    // 4. The next fetch is signed with it and returns the feed.
    let second = make_request(&emulator, &http, "calendar.xml", FEED, USER);
    assert_eq!(second.rc, 200, "{}", second.body);
    assert!(second.body.contains("<feed"), "{}", second.body);
    assert!(second.oauth_approval_url.is_none());

    // 5. Another gadget with the same service name does not see that token.
    let other = make_request(&emulator, &http, "contacts.xml", FEED, USER);
    assert_eq!(other.body, "");
    assert!(other.oauth_approval_url.is_some());

    // 6. Nor does another viewer of the same gadget.
    let stranger = make_request(&emulator, &http, "calendar.xml", FEED, "bob@example.com");
    assert!(stranger.oauth_approval_url.is_some());

    // 7. The token's scope still applies: the calendar gadget cannot read contacts.
    let contacts = "https://www.google.com/m8/feeds/contacts/default/full";
    let outside = make_request(&emulator, &http, "calendar.xml", contacts, USER);
    assert_eq!(outside.rc, 401, "{}", outside.body);
}

#[test]
fn denial_stores_nothing_and_the_state_is_single_use() {
    let (emulator, http) = start();
    let first = make_request(&emulator, &http, "calendar.xml", FEED, USER);
    let approval_url = first.oauth_approval_url.unwrap();
    let page = http.send(HttpRequest::get(&approval_url)).unwrap();
    let mut fields = hidden_fields(page.body_text().unwrap());
    fields.push(("action".into(), "deny".into()));
    let action = approval_url.split('?').next().unwrap();
    let redirect = http.send(HttpRequest::post_form(action, &fields)).unwrap();
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap().to_owned();
    let denied = http.send(HttpRequest::get(&location)).unwrap();
    assert!(denied.body_text().unwrap().contains("Access denied"));
    let again = http.send(HttpRequest::get(&location)).unwrap();
    assert_eq!(again.status, 400);
    let still = make_request(&emulator, &http, "calendar.xml", FEED, USER);
    assert!(still.oauth_approval_url.is_some());
}

#[test]
fn bad_calls_are_refused_as_shindig_did() {
    let (emulator, http) = start();
    let base = emulator.base_url();
    // No url: a 400, as MakeRequestHandler threw.
    let resp = http
        .send(HttpRequest::get(format!(
            "{base}/gadgets/makeRequest?authz=oauth"
        )))
        .unwrap();
    assert_eq!(resp.status, 400);
    // An unknown gadget or service: an OAuth error in the JSON answer.
    let unknown = make_request(&emulator, &http, "nope.xml", FEED, USER);
    assert_eq!(
        unknown.oauth_error.as_deref(),
        Some("BAD_OAUTH_CONFIGURATION")
    );
    let call = MakeRequest::new(format!("{base}/gadgets/specs/calendar.xml"), FEED)
        .oauth("twitter")
        .viewer(USER);
    let resp = http.send(call.to_http_request(base)).unwrap();
    let entry = MakeRequestResponse::parse(resp.body_text().unwrap(), FEED).unwrap();
    assert_eq!(
        entry.oauth_error.as_deref(),
        Some("BAD_OAUTH_CONFIGURATION")
    );
    // The hosted specs are served.
    let spec = http
        .send(HttpRequest::get(format!(
            "{base}/gadgets/specs/contacts.xml"
        )))
        .unwrap();
    assert_eq!(spec.status, 200);
    assert!(spec.body_text().unwrap().contains("<OAuth>"));
}

#[test]
fn a_spec_given_at_start_is_hosted_and_a_broken_one_refused() {
    let seed = include_str!("../../fixtures/gadgets/gdata_oauth_proxy.xml");
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .add_user(USER, PASSWORD)
            .add_gadget_spec("seed.xml", seed),
    )
    .unwrap();
    let http = ReqwestBlockingTransport::new().unwrap();
    let first = make_request(&emulator, &http, "seed.xml", FEED, USER);
    assert!(first.oauth_approval_url.is_some());
    let err =
        Emulator::start(EmulatorConfig::new().add_gadget_spec("bad.xml", "<Module>")).unwrap_err();
    assert!(err.to_string().contains("bad.xml"), "{err}");
}
