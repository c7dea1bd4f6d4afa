//! The gadgets section of `gdauth demo`: the emulator as an OpenSocial container running
//! Shindig's OAuth Proxy (the seed's "Authentication for Gadgets"). A gadget's first
//! `makeRequest` is refused with an approval URL; the viewer approves on the ordinary OAuth
//! 1.0 consent page; the container's callback keeps the access token; the gadget's next
//! `makeRequest` returns the feed; a second gadget, with the same service name, is still
//! refused. Then a signed fetch to a gadget backend, verified with the container's
//! certificate. Tokens are printed shortened.

use gdata_auth::emulator::EmulatorConfig;
use gdata_auth::gadgets::{
    sign_signed_fetch, MakeRequest, MakeRequestResponse, OpenSocialId, SignedFetchParams,
    SignedFetchVerifier,
};
use gdata_auth::oauth1::verifier::ReceivedRequest;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::transport::{HttpRequest, HttpResponse};
use gdata_auth::{Context, RsaSigningKey, RsaVerifyingKey};

use super::oauth1::{RSA_CERT, RSA_PEM};
use super::{failed, Demo, Section, PASSWORD, USER};
use crate::CliError;

/// The feed the gadgets read.
const FEED: &str = "https://www.google.com/calendar/feeds/default/private/full";
/// The container's name in signed fetch (its consumer key).
const CONTAINER: &str = "container.example.com";
/// A gadget backend; the signed URL is verified in-process, nothing is fetched from it.
const BACKEND: &str = "https://backend.example.com/api/whoami";

/// The gadgets entry of the demo's section list.
pub(super) const SECTION: Section = Section { register, run };

/// Nothing to register: the container and its sample gadgets are always there.
fn register(config: EmulatorConfig) -> Result<EmulatorConfig, CliError> {
    Ok(config)
}

/// Runs the gadget steps.
fn run(demo: &mut Demo<'_>) -> Result<(), CliError> {
    demo.heading("Gadgets: the container's OAuth Proxy (makeRequest, authz=oauth)");
    let calendar = format!("{}/gadgets/specs/calendar.xml", demo.base);
    let contacts = format!("{}/gadgets/specs/contacts.xml", demo.base);

    let first = make_request(demo, "The calendar gadget's first makeRequest", &calendar)?;
    let Some(approval) = first.oauth_approval_url.clone() else {
        return Err(failed(
            "makeRequest",
            "no oauthApprovalUrl in the first answer",
        ));
    };
    demo.meaning(
        "refused: no access token yet; the answer carries oauthApprovalUrl and oauthState",
    );

    let page = send(
        demo,
        "The viewer opens oauthApprovalUrl (the consent page)",
        HttpRequest::get(approval.clone()),
    )?;
    let mut fields = hidden_fields(page.body_text().unwrap_or_default());
    fields.push(("Email".into(), USER.into()));
    fields.push(("Passwd".into(), PASSWORD.into()));
    fields.push(("action".into(), "approve".into()));
    let action = approval.split('?').next().unwrap_or_default();
    let redirect = send(
        demo,
        "Sign in and approve",
        HttpRequest::post_form(action, &fields),
    )?;
    let Some(callback) = redirect.header("location").map(str::to_owned) else {
        return Err(failed(
            "approval",
            "no redirect to the container's callback",
        ));
    };
    demo.meaning("approved: back to the container's /gadgets/oauthcallback with oauth_verifier");
    let done = send(
        demo,
        "The container's callback exchanges the request token",
        HttpRequest::get(callback),
    )?;
    demo.expect(done, 200)?;

    let second = make_request(demo, "The calendar gadget's makeRequest again", &calendar)?;
    if second.rc != 200 || !second.body.contains("<feed") {
        return Err(failed(
            "makeRequest",
            format!("expected the feed, got rc {}", second.rc),
        ));
    }
    demo.meaning(&format!(
        "the container signed the fetch with the stored token: rc {}, {} bytes of Atom",
        second.rc,
        second.body.len()
    ));

    let other = make_request(
        demo,
        "The contacts gadget asks, same viewer, same service name",
        &contacts,
    )?;
    if other.oauth_approval_url.is_none() {
        return Err(failed(
            "makeRequest",
            "the second gadget saw the first one's token",
        ));
    }
    demo.meaning(
        "refused with its own approval URL: tokens are kept per (viewer, gadget, service)",
    );

    demo.heading("Gadgets: signed fetch to a gadget backend (authz=signed)");
    let key = RsaSigningKey::from_pem(RSA_PEM).map_err(|e| failed("container key", e))?;
    let cert =
        RsaVerifyingKey::from_pem(RSA_CERT).map_err(|e| failed("container certificate", e))?;
    let viewer = OpenSocialId::new(USER).ok_or_else(|| failed("viewer", "invalid ID"))?;
    let params = SignedFetchParams::new(calendar.clone(), viewer).with_key_name("container.cer");
    let signer = OAuth1Authorizer::rsa_sha1(CONTAINER, key);
    let signed = sign_signed_fetch(BACKEND, &params, &signer, &Context::now())
        .map_err(|e| failed("signed fetch", e))?;
    demo.step("The container signs a fetch to the gadget's backend (RSA-SHA1, its key)");
    say!("   -> GET {}", super::shorten(&signed.url, 150));
    let backend = SignedFetchVerifier::new(CONTAINER, cert);
    let fetch = backend
        .verify(&ReceivedRequest::new("GET", &signed.url))
        .map_err(|e| failed("signed fetch verification", e))?;
    demo.meaning(&format!(
        "the backend verified it with the container's certificate: viewer {}, owner {}, gadget {}",
        fetch.viewer.as_ref().map_or("-", |v| v.as_str()),
        fetch.owner.as_ref().map_or("-", |o| o.as_str()),
        fetch.app_url
    ));
    let tampered = signed
        .url
        .replace("opensocial_viewer_id=", "opensocial_viewer_id=x");
    demo.step("Someone changes the viewer in the signed URL");
    match backend.verify(&ReceivedRequest::new("GET", &tampered)) {
        Err(e) => demo.meaning(&format!("refused, as it should be: {e}")),
        Ok(_) => return Err(failed("signed fetch", "a tampered request verified")),
    }
    Ok(())
}

/// One makeRequest call (`authz=oauth`, service `google`) for the demo's viewer.
fn make_request(
    demo: &mut Demo<'_>,
    title: &str,
    gadget: &str,
) -> Result<MakeRequestResponse, CliError> {
    let call = MakeRequest::new(gadget, FEED).oauth("google").viewer(USER);
    let resp = send(demo, title, call.to_http_request(demo.base))?;
    MakeRequestResponse::parse(resp.body_text().unwrap_or_default(), FEED)
        .map_err(|e| failed("makeRequest answer", e))
}

fn send(demo: &mut Demo<'_>, title: &str, req: HttpRequest) -> Result<HttpResponse, CliError> {
    demo.exchange_shown(title, req, mask)
}

/// `text` with every `oauth_token=`, `oauth_verifier=` and `oauthState` value shortened.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = [
        "oauth_token=",
        "oauth_verifier=",
        "\"oauthState\":\"",
        "cs=",
    ]
    .iter()
    .filter_map(|k| rest.find(k).map(|i| (i, k.len())))
    .min()
    {
        let (i, len) = at;
        out.push_str(rest.get(..i + len).unwrap_or_default());
        rest = rest.get(i + len..).unwrap_or_default();
        let end = rest.find(['&', '"', ' ']).unwrap_or(rest.len());
        let value = rest.get(..end).unwrap_or_default();
        out.push_str(&value.chars().take(6).collect::<String>());
        if value.chars().count() > 6 {
            out.push('…');
        }
        rest = rest.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The consent form's hidden fields, unescaped, to post back with the approval.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|part| {
            let (name, rest) = part.split_once('"')?;
            let (value, _) = rest.strip_prefix(" value=\"")?.split_once('"')?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}
