//! Table tests over the published OAuth 1.0 vectors, run through the crate's public API.
//!
//! Every entry of `fixtures/vectors/oauth1.json` and the `base_string` and `signature` entries
//! of `fixtures/vectors/gdata.json` are run. The files are copies of the shared vector tables
//! (see `fixtures/SOURCES.md`); each entry carries its own `source` (RFC 5849, OAuth Core 1.0a,
//! the oauth.net wiki TestCases page, google/gdata-python-client, ...) and every failure
//! message prints the entry's id and that source. Rows are counted per kind and the counts
//! asserted, so an entry cannot be dropped without a test noticing.

use std::collections::BTreeMap;

use gdata_auth::encoding::{form_encode, parse_form, percent_decode, percent_encode};
use gdata_auth::oauth1::base_string::{base_string, normalize_parameters};
use gdata_auth::oauth1::header::{build_header, parse_header};
use gdata_auth::oauth1::signature::{
    hmac_sha1, hmac_sha256, sign_with_secret, signing_key, verify_hmac, verify_plaintext,
};
use gdata_auth::oauth1::{OAuth1Authorizer, SignatureMethod};
use gdata_auth::request::{base_string_uri, Context, Request};
use gdata_auth::{ConsumerSecret, TokenSecret};
use serde_json::Value;

#[cfg(feature = "rsa")]
use gdata_auth::RsaSigningKey;

const OAUTH1_JSON: &str = include_str!("../../fixtures/vectors/oauth1.json");
const GDATA_JSON: &str = include_str!("../../fixtures/vectors/gdata.json");

/// How many entries of each kind each file holds. A vector added to or removed from a file
/// must be reflected here, so none can be skipped silently.
const INVENTORY: &[(&str, &str, usize)] = &[
    ("oauth1.json", "percent_encode", 10),
    ("oauth1.json", "normalize_params", 7),
    ("oauth1.json", "base_string", 7),
    ("oauth1.json", "signature", 10),
    ("oauth1.json", "authorization_header", 1),
    ("gdata.json", "base_string", 4),
    ("gdata.json", "signature", 2),
    // Not run here: the AuthSub kinds run in tests/authsub/vectors.rs, the token and URL
    // kinds in flow_pure.rs; ClientLogin's module is not written yet.
    ("gdata.json", "authsub_data", 1),
    ("gdata.json", "authorization_url", 1),
    ("gdata.json", "token_response", 2),
    ("gdata.json", "callback_url", 1),
    ("gdata.json", "clientlogin_response", 3),
    ("gdata.json", "clientlogin_request", 1),
    ("gdata.json", "authsub_token_from_url", 1),
    ("gdata.json", "authsub_token_from_body", 1),
    ("gdata.json", "authsub_request_url", 1),
];

/// The kinds this file runs, per file. Every entry of these kinds is executed.
const RUN_KINDS: &[(&str, &str)] = &[
    ("oauth1.json", "percent_encode"),
    ("oauth1.json", "normalize_params"),
    ("oauth1.json", "base_string"),
    ("oauth1.json", "signature"),
    ("oauth1.json", "authorization_header"),
    ("gdata.json", "base_string"),
    ("gdata.json", "signature"),
];

/// `input.oauth` short names and the protocol parameters they stand for.
const OAUTH_NAMES: &[(&str, &str)] = &[
    ("consumer_key", "oauth_consumer_key"),
    ("token", "oauth_token"),
    ("signature_method", "oauth_signature_method"),
    ("timestamp", "oauth_timestamp"),
    ("nonce", "oauth_nonce"),
    ("version", "oauth_version"),
    ("callback", "oauth_callback"),
    ("verifier", "oauth_verifier"),
    ("signature", "oauth_signature"),
];

/// One vector, with the file it came from.
struct Row {
    file: &'static str,
    v: Value,
}

impl Row {
    fn id(&self) -> &str {
        self.v["id"].as_str().unwrap_or("<no id>")
    }
    fn source(&self) -> &str {
        self.v["source"].as_str().unwrap_or("<no source>")
    }
    fn kind(&self) -> &str {
        self.v["kind"].as_str().unwrap_or("<no kind>")
    }
    fn conformance(&self) -> &str {
        self.v["conformance"].as_str().unwrap_or("<none>")
    }
    fn input(&self, key: &str) -> Option<&Value> {
        self.v["input"].get(key).filter(|v| !v.is_null())
    }
    fn input_str(&self, key: &str) -> Option<&str> {
        self.input(key).and_then(Value::as_str)
    }
    fn expected_str(&self, key: &str) -> Option<&str> {
        self.v["expected"].get(key).and_then(Value::as_str)
    }
    fn label(&self) -> String {
        format!("[{}/{}] (source: {})", self.file, self.id(), self.source())
    }
}

fn all_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (file, text) in [("oauth1.json", OAUTH1_JSON), ("gdata.json", GDATA_JSON)] {
        let parsed: Value = serde_json::from_str(text).expect("vector file is JSON");
        let list = parsed.as_array().expect("vector file is a JSON array");
        rows.extend(list.iter().map(|v| Row { file, v: v.clone() }));
    }
    rows
}

/// The rows of one kind, both files, with the count asserted against the inventory.
fn rows_of(kind: &str) -> Vec<Row> {
    let rows: Vec<Row> = all_rows()
        .into_iter()
        .filter(|r| r.kind() == kind)
        .collect();
    let want: usize = INVENTORY
        .iter()
        .filter(|(f, k, _)| *k == kind && RUN_KINDS.contains(&(*f, *k)))
        .map(|(_, _, n)| n)
        .sum();
    let ids: Vec<&str> = rows.iter().map(Row::id).collect();
    assert_eq!(rows.len(), want, "{kind}: row count changed: {ids:?}");
    rows
}

/// Collects every mismatch so one run reports all failing rows, each by id and source.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    checks: usize,
}

impl Report {
    fn eq(&mut self, row: &Row, what: &str, got: &str, want: &str) {
        self.checks += 1;
        if got != want {
            self.failures.push(format!(
                "{} {what}:\n    got:  {got:?}\n    want: {want:?}",
                row.label()
            ));
        }
    }
    fn ok(&mut self, row: &Row, what: &str, cond: bool) {
        self.checks += 1;
        if !cond {
            self.failures.push(format!("{} {what}", row.label()));
        }
    }
    fn fail(&mut self, row: &Row, what: impl core::fmt::Display) {
        self.checks += 1;
        self.failures.push(format!("{} {what}", row.label()));
    }
    fn finish(self, kind: &str, rows_run: usize, rows_want: usize) {
        assert!(
            self.failures.is_empty(),
            "{} failing check(s) among {kind} vectors:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert_eq!(rows_run, rows_want, "{kind}: not every row was run");
        assert!(self.checks >= rows_run, "{kind}: a row ran no check");
    }
}

fn pairs_of(v: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let arr = v.as_array().ok_or("params is not an array")?;
    arr.iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
            _ => Err(format!("param {p} is not a [name, value] pair of strings")),
        })
        .collect()
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// `input.oauth` as full protocol parameter names, keyed by short name. Unknown short names
/// are an error: they would otherwise be silently dropped.
fn oauth_map(row: &Row) -> Result<BTreeMap<String, String>, String> {
    let Some(obj) = row.input("oauth") else {
        return Ok(BTreeMap::new());
    };
    let obj = obj.as_object().ok_or("input.oauth is not an object")?;
    let mut out = BTreeMap::new();
    for (short, value) in obj {
        if !OAUTH_NAMES.iter().any(|(s, _)| s == short) {
            return Err(format!("unknown input.oauth key {short:?}"));
        }
        let value = value
            .as_str()
            .ok_or_else(|| format!("input.oauth.{short} is not a string"))?;
        out.insert(short.clone(), value.to_owned());
    }
    Ok(out)
}

fn full_name(short: &str) -> &'static str {
    OAUTH_NAMES
        .iter()
        .find(|(s, _)| *s == short)
        .map(|(_, f)| *f)
        .unwrap_or("<unknown>")
}

/// The protocol parameters as the base string sees them: every `input.oauth` entry (the
/// signature included, which `base_string` must drop) plus `realm` (also never signed).
fn protocol_params(row: &Row, oauth: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = oauth
        .iter()
        .map(|(s, v)| (full_name(s).to_owned(), v.clone()))
        .collect();
    if let Some(realm) = row.input_str("realm") {
        out.push(("realm".to_owned(), realm.to_owned()));
    }
    out
}

/// Every way the vector's request can be described through the public API; all must give
/// the same base string. `input.params` are decoded body parameters (`Request::with_form`);
/// `input.body_form` is the raw body they came from (`Request::with_form_body`); and since
/// RFC 5849 §3.4.1.3.1 treats query and form parameters alike, the params moved into the
/// query must also give the same answer.
fn request_variants(row: &Row) -> Result<Vec<(String, Request)>, String> {
    let method = row.input_str("method").ok_or("no input.method")?;
    let url = row.input_str("url").ok_or("no input.url")?;
    let params = pairs_of(row.input("params"))?;
    let new = |u: &str| Request::new(method, u).map_err(|e| format!("Request::new({u:?}): {e}"));
    let mut out = Vec::new();
    out.push((
        "params via with_form".to_owned(),
        new(url)?.with_form(params.clone()),
    ));
    if let Some(body) = row.input_str("body_form") {
        let parsed = parse_form(body).map_err(|e| format!("parse_form({body:?}): {e}"))?;
        if parsed != params {
            return Err(format!(
                "input.body_form {body:?} parses to {parsed:?}, not input.params {params:?}"
            ));
        }
        let req = new(url)?
            .with_form_body(body)
            .map_err(|e| format!("with_form_body: {e}"))?;
        out.push(("body via with_form_body".to_owned(), req));
    }
    if !params.is_empty() {
        let (base, fragment) = url
            .split_once('#')
            .map_or((url, None), |(b, f)| (b, Some(f)));
        let sep = if base.contains('?') { '&' } else { '?' };
        let mut moved = format!("{base}{sep}{}", form_encode(&params));
        if let Some(f) = fragment {
            moved.push('#');
            moved.push_str(f);
        }
        out.push((
            format!("params moved into the query ({moved})"),
            new(&moved)?,
        ));
    }
    Ok(out)
}

/// What an `OAuth1Authorizer` needs from a vector, or why it cannot express the vector.
struct AuthorizerInput {
    authorizer: OAuth1Authorizer,
    ctx: Context,
}

/// Builds the authorizer and context the vector describes. The authorizer always sends
/// `oauth_consumer_key` and `oauth_signature_method`, sends `oauth_version` only as "1.0",
/// and carries the timestamp as a `u64`; a vector outside that is reported, not bent.
fn authorizer_for(
    row: &Row,
    oauth: &BTreeMap<String, String>,
    consumer_secret: &str,
    token_secret: &str,
    rsa_pem: Option<&str>,
) -> Result<AuthorizerInput, String> {
    let key = oauth
        .get("consumer_key")
        .ok_or("no oauth.consumer_key (the authorizer always sends one)")?;
    let method_name = oauth
        .get("signature_method")
        .ok_or("no oauth.signature_method (the authorizer always sends one)")?;
    let method = SignatureMethod::parse(method_name).map_err(|e| e.to_string())?;
    let mut auth = match method {
        SignatureMethod::RsaSha1 => rsa_authorizer(key, rsa_pem)?,
        m => OAuth1Authorizer::with_secret(key.clone(), ConsumerSecret::new(consumer_secret), m)
            .map_err(|e| e.to_string())?,
    };
    match (oauth.get("token"), token_secret) {
        (Some(t), ts) => auth = auth.with_token(t.clone(), TokenSecret::new(ts)),
        (None, "") => {}
        // RSA-SHA1 ignores the token secret (RFC 5849 §3.4.3).
        (None, _) if method == SignatureMethod::RsaSha1 => {}
        (None, _) => return Err("a token secret without a token".into()),
    }
    match oauth.get("version").map(String::as_str) {
        None => auth = auth.without_version(),
        Some("1.0") => {}
        Some(v) => {
            return Err(format!(
                "oauth_version {v:?} (the authorizer sends only 1.0)"
            ))
        }
    }
    if let Some(cb) = oauth.get("callback") {
        auth = auth.with_callback(cb.clone());
    }
    if let Some(v) = oauth.get("verifier") {
        auth = auth.with_verifier(v.clone());
    }
    if let Some(realm) = row.input_str("realm") {
        auth = auth.with_realm(realm).map_err(|e| e.to_string())?;
    }
    let timestamp = match oauth.get("timestamp") {
        None => None,
        Some(t) => {
            let n: u64 = t
                .parse()
                .map_err(|_| format!("timestamp {t:?} is not a u64"))?;
            if n.to_string() != *t {
                return Err(format!("timestamp {t:?} does not round-trip through u64"));
            }
            Some(n)
        }
    };
    let ctx = Context {
        timestamp,
        nonce: oauth.get("nonce").cloned(),
    };
    Ok(AuthorizerInput {
        authorizer: auth,
        ctx,
    })
}

#[cfg(feature = "rsa")]
fn rsa_authorizer(consumer_key: &str, pem: Option<&str>) -> Result<OAuth1Authorizer, String> {
    let pem = pem.ok_or("RSA-SHA1 without a key")?;
    let key = RsaSigningKey::from_pem(pem).map_err(|e| e.to_string())?;
    Ok(OAuth1Authorizer::rsa_sha1(consumer_key, key))
}

#[cfg(not(feature = "rsa"))]
fn rsa_authorizer(_: &str, _: Option<&str>) -> Result<OAuth1Authorizer, String> {
    Err("RSA-SHA1 needs the `rsa` feature".into())
}

/// The published RSA test key (oauth.net wiki TestCases, RSA-SHA1 section), taken from the
/// `sig-wiki-rsa-sha1-photos` entry of the fixture copy.
fn wiki_rsa_pem() -> String {
    all_rows()
        .into_iter()
        .find(|r| r.id() == "sig-wiki-rsa-sha1-photos")
        .and_then(|r| r.input_str("rsa_private_key_pem").map(str::to_owned))
        .expect("oauth1.json holds sig-wiki-rsa-sha1-photos with its key")
}

/// A header's realm and its parameters, sorted.
type HeaderContent = (Option<String>, Vec<(String, String)>);

/// Sorted `(name, value)` pairs of a parsed header, plus its realm: header parameter order
/// carries no meaning (RFC 5849 §3.5.1), so headers are compared as sets.
fn header_content(header: &str) -> Result<HeaderContent, String> {
    let parsed = parse_header(header).map_err(|e| format!("parse_header({header:?}): {e}"))?;
    let mut params = parsed.params;
    params.sort();
    Ok((parsed.realm, params))
}

// ---------------------------------------------------------------------------------------

/// Sanity of the tables themselves: ids unique, kinds and conformance known, counts as
/// recorded in `INVENTORY`.
#[test]
fn inventory_matches_fixture_files() {
    let rows = all_rows();
    let mut ids = std::collections::BTreeSet::new();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for row in &rows {
        assert!(ids.insert(row.id().to_owned()), "duplicate id {}", row.id());
        assert!(
            matches!(row.conformance(), "required" | "informative"),
            "{} has conformance {:?}",
            row.label(),
            row.conformance()
        );
        assert!(!row.source().starts_with('<'), "{} has no source", row.id());
        *counts.entry((row.file, row.kind())).or_default() += 1;
    }
    let want: BTreeMap<(&str, &str), usize> =
        INVENTORY.iter().map(|(f, k, n)| ((*f, *k), *n)).collect();
    assert_eq!(counts, want);
    assert_eq!(rows.len(), 35 + 18);
}

/// oauth.net wiki TestCases "Parameter Encoding" table; RFC 5849 §3.6.
#[test]
fn percent_encode_vectors() {
    let rows = rows_of("percent_encode");
    let mut report = Report::default();
    let mut run = 0;
    for row in &rows {
        run += 1;
        let (Some(value), Some(want)) = (row.input_str("value"), row.expected_str("encoded"))
        else {
            report.fail(row, "missing input.value or expected.encoded");
            continue;
        };
        report.eq(row, "percent_encode", &percent_encode(value), want);
        match percent_decode(want) {
            Ok(back) => report.eq(row, "percent_decode(expected)", &back, value),
            Err(e) => report.fail(row, format!("percent_decode(expected) failed: {e}")),
        }
    }
    report.finish("percent_encode", run, 10);
}

/// RFC 5849 §3.4.1.3.2, OAuth Core 1.0 §9.1.1, and the wiki's "Normalize Request Parameters"
/// table (whose inputs are raw forms: `input.form`).
#[test]
fn normalize_params_vectors() {
    let rows = rows_of("normalize_params");
    let mut report = Report::default();
    let mut run = 0;
    for row in &rows {
        run += 1;
        let Some(want) = row.expected_str("normalized") else {
            report.fail(row, "missing expected.normalized");
            continue;
        };
        let params = match pairs_of(row.input("params")) {
            Ok(p) => p,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        report.eq(
            row,
            "normalize_parameters(params)",
            &normalize_parameters(&params),
            want,
        );
        if let Some(form) = row.input_str("form") {
            match parse_form(form) {
                Ok(parsed) => {
                    report.ok(
                        row,
                        &format!("parse_form({form:?}) = {parsed:?} != input.params"),
                        parsed == params,
                    );
                    report.eq(
                        row,
                        "normalize_parameters(parse_form(form))",
                        &normalize_parameters(&parsed),
                        want,
                    );
                }
                Err(e) => report.fail(row, format!("parse_form({form:?}): {e}")),
            }
        }
        // The same parameters carried by a Request land, encoded once more, as the third
        // part of the base string (RFC 5849 §3.4.1.1 step 5).
        match Request::new("POST", "http://example.com/") {
            Ok(req) => {
                let req = req.with_form(params.clone());
                let bs = base_string(&req, &[]);
                let third = bs.splitn(3, '&').nth(2).unwrap_or_default();
                report.eq(
                    row,
                    "base string parameter part",
                    third,
                    &percent_encode(want),
                );
            }
            Err(e) => report.fail(row, format!("Request::new: {e}")),
        }
    }
    report.finish("normalize_params", run, 7);
}

/// RFC 5849 §3.4.1.1 and §3.4.1.2, the wiki's "Concatenate Request Elements" table, and
/// google/gdata-python-client's `test_build_base_string` (gauth_test.py).
#[test]
fn base_string_vectors() {
    let rows = rows_of("base_string");
    let mut report = Report::default();
    let (mut uri_rows, mut request_rows, mut via_authorizer) = (0, 0, 0);
    let mut not_expressible = Vec::new();
    let rsa_pem = wiki_rsa_pem();
    for row in &rows {
        if let Some(want) = row.expected_str("base_string_uri") {
            uri_rows += 1;
            let Some(url) = row.input_str("url") else {
                report.fail(row, "missing input.url");
                continue;
            };
            match Request::new("GET", url) {
                Ok(req) => {
                    report.eq(row, "Request::base_uri", req.base_uri(), want);
                    match base_string_uri(&url::Url::parse(req.url()).unwrap()) {
                        Ok(got) => report.eq(row, "base_string_uri", &got, want),
                        Err(e) => report.fail(row, format!("base_string_uri: {e}")),
                    }
                }
                Err(e) => report.fail(row, format!("Request::new({url:?}): {e}")),
            }
            continue;
        }
        request_rows += 1;
        let Some(want) = row.expected_str("base_string") else {
            report.fail(
                row,
                "neither expected.base_string_uri nor expected.base_string",
            );
            continue;
        };
        let oauth = match oauth_map(row) {
            Ok(o) => o,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        let protocol = protocol_params(row, &oauth);
        let variants = match request_variants(row) {
            Ok(v) => v,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        for (how, req) in &variants {
            let got = base_string(req, &as_refs(&protocol));
            report.eq(row, &format!("base_string ({how})"), &got, want);
        }
        // Where the authorizer can send exactly these protocol parameters, its base string
        // must agree too. The secret does not enter the base string, so any will do.
        let pem = oauth
            .get("signature_method")
            .filter(|m| *m == "RSA-SHA1")
            .map(|_| rsa_pem.as_str());
        match authorizer_for(row, &oauth, "unused-secret", "", pem) {
            Ok(AuthorizerInput { authorizer, ctx }) => {
                via_authorizer += 1;
                for (how, req) in &variants {
                    match authorizer.sign(req, &ctx) {
                        Ok(signed) => report.eq(
                            row,
                            &format!("OAuth1Authorizer::sign base string ({how})"),
                            &signed.base_string,
                            want,
                        ),
                        Err(e) => report.fail(row, format!("OAuth1Authorizer::sign: {e}")),
                    }
                }
            }
            Err(why) => not_expressible.push(format!("{}: {why}", row.id())),
        }
    }
    // bsu-01, bsu-02 are URI-only; bs-wiki-concat-1 and -2 have no protocol parameters at
    // all, which the authorizer (it always sends a consumer key) cannot produce.
    // Without the `rsa` feature, gauth-bs-calendar-rsa (RSA-SHA1) cannot be signed either.
    let rsa_off = usize::from(!cfg!(feature = "rsa"));
    assert_eq!(
        not_expressible.len(),
        2 + rsa_off,
        "rows the authorizer cannot express: {not_expressible:?}"
    );
    assert_eq!(
        (uri_rows, request_rows, via_authorizer),
        (2, 9, 7 - rsa_off)
    );
    report.finish("base_string", uri_rows + request_rows, 11);
}

/// Signatures: HMAC-SHA1 (RFC 5849 §1.2, OAuth Core 1.0a Appendix A, oauth.net wiki
/// "HMAC-SHA1" rows, gdata-python-client's OAuth Playground checks), RSA-SHA1 (wiki
/// "RSA-SHA1" row with its published key), PLAINTEXT (RFC 5849 §2.3), and the informative
/// RFC 5849 §3.1 example whose printed signature does not reproduce.
#[test]
fn signature_vectors() {
    let rows = rows_of("signature");
    let mut report = Report::default();
    let (mut bare, mut full, mut headers, mut informative) = (0, 0, 0, 0);
    let mut rsa_skipped = 0;
    for row in &rows {
        let Some(want) = row.expected_str("signature") else {
            report.fail(row, "missing expected.signature");
            continue;
        };
        let cs = row.input_str("consumer_secret").unwrap_or("");
        let ts = row.input_str("token_secret").unwrap_or("");

        if let Some(bs) = row.input_str("base_string") {
            bare += 1;
            check_bare_signature(&mut report, row, bs, cs, ts, want);
            continue;
        }
        full += 1;
        let oauth = match oauth_map(row) {
            Ok(o) => o,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        let Some(method) = oauth.get("signature_method") else {
            report.fail(row, "no oauth.signature_method");
            continue;
        };
        let method = match SignatureMethod::parse(method) {
            Ok(m) => m,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        let pem = row.input_str("rsa_private_key_pem");
        let variants = match request_variants(row) {
            Ok(v) => v,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        let protocol = protocol_params(row, &oauth);
        let is_informative = row.conformance() == "informative";
        if is_informative {
            informative += 1;
        }

        // 1. The building blocks: base string, then the signature method over it.
        let mut base_strings = Vec::new();
        for (how, req) in &variants {
            let bs = base_string(req, &as_refs(&protocol));
            if let Some(want_bs) = row.expected_str("base_string") {
                report.eq(row, &format!("base_string ({how})"), &bs, want_bs);
            }
            base_strings.push((how.clone(), bs));
        }
        if method == SignatureMethod::RsaSha1 && !cfg!(feature = "rsa") {
            // Counted below: without the `rsa` feature only the base string is checked.
            rsa_skipped += 1;
            continue;
        }
        for (how, bs) in &base_strings {
            match low_level_sign(method, cs, ts, pem, bs) {
                Ok(sig) => report.eq(row, &format!("signature ({how})"), &sig, want),
                Err(e) => report.fail(row, format!("signing ({how}): {e}")),
            }
            report.ok(
                row,
                &format!("expected signature does not verify ({how})"),
                low_level_verify(method, cs, ts, pem, bs, want),
            );
        }

        // 2. The same through OAuth1Authorizer::sign, with the vector's timestamp and nonce.
        match authorizer_for(row, &oauth, cs, ts, pem) {
            Ok(AuthorizerInput { authorizer, ctx }) => {
                for ((how, req), (_, bs)) in variants.iter().zip(&base_strings) {
                    match authorizer.sign(req, &ctx) {
                        Ok(signed) => {
                            report.eq(
                                row,
                                &format!("Signed.base_string ({how})"),
                                &signed.base_string,
                                bs,
                            );
                            report.eq(
                                row,
                                &format!("Signed.signature ({how})"),
                                &signed.signature,
                                want,
                            );
                            check_authorizer_header(&mut report, row, &signed.authorization, want);
                        }
                        Err(e) => report.fail(row, format!("OAuth1Authorizer::sign ({how}): {e}")),
                    }
                }
            }
            Err(why) => report.fail(
                row,
                format!("OAuth1Authorizer cannot express this vector: {why}"),
            ),
        }

        // 3. The published Authorization header, rebuilt in the vector's parameter order.
        if let Some(want_header) = row.expected_str("authorization_header") {
            headers += 1;
            check_expected_header(&mut report, row, &oauth, want, want_header);
        }

        // 4. Informative rows: assert what they document. RFC 5849 §3.1's printed signature
        //    must NOT come out of its own base string and secrets; the derived one must.
        if is_informative {
            let published = row.v["published_unverified"]["signature"].as_str();
            match published {
                Some(p) => {
                    report.ok(
                        row,
                        "informative row has a derived expected.base_string",
                        row.expected_str("base_string").is_some(),
                    );
                    report.ok(row, "published value equals the derived one", p != want);
                    for (how, bs) in &base_strings {
                        let sig = low_level_sign(method, cs, ts, pem, bs).unwrap_or_default();
                        report.ok(
                            row,
                            &format!("the unverified published signature {p:?} reproduced ({how}): the vector says it must not"),
                            sig != p,
                        );
                        report.ok(
                            row,
                            &format!("the unverified published signature {p:?} verifies ({how})"),
                            !low_level_verify(method, cs, ts, pem, bs, p),
                        );
                    }
                }
                None => report.fail(
                    row,
                    "informative row without published_unverified: nothing to assert",
                ),
            }
        }
    }
    assert_eq!((bare, full, headers, informative), (2, 10, 4, 1));
    // One RSA-SHA1 vector (sig-wiki-rsa-sha1-photos) needs the `rsa` feature to sign.
    assert_eq!(rsa_skipped, if cfg!(feature = "rsa") { 0 } else { 1 });
    report.finish("signature", bare + full, 12);
}

/// `input.signature_method` + `input.base_string`: the oauth.net wiki HMAC-SHA1 rows.
fn check_bare_signature(report: &mut Report, row: &Row, bs: &str, cs: &str, ts: &str, want: &str) {
    let method = match row
        .input_str("signature_method")
        .map(SignatureMethod::parse)
    {
        Some(Ok(m)) => m,
        Some(Err(e)) => return report.fail(row, e),
        None => return report.fail(row, "no input.signature_method"),
    };
    let key = signing_key(cs, ts);
    match sign_with_secret(method, &key, bs) {
        Ok(sig) => report.eq(row, "sign_with_secret", &sig, want),
        Err(e) => report.fail(row, format!("sign_with_secret: {e}")),
    }
    match method {
        SignatureMethod::HmacSha1 => report.eq(
            row,
            "hmac_sha1",
            &hmac_sha1(key.as_bytes(), bs.as_bytes()),
            want,
        ),
        SignatureMethod::HmacSha256 => report.eq(
            row,
            "hmac_sha256",
            &hmac_sha256(key.as_bytes(), bs.as_bytes()),
            want,
        ),
        _ => {}
    }
    report.ok(
        row,
        "expected signature does not verify",
        low_level_verify(method, cs, ts, None, bs, want),
    );
    // OAuth1Authorizer::signature_of over the same base string. A token secret needs a token
    // to ride on; the token itself does not enter a signature over a given base string.
    let auth = match OAuth1Authorizer::with_secret("unused-key", ConsumerSecret::new(cs), method) {
        Ok(a) => a,
        Err(e) => return report.fail(row, format!("OAuth1Authorizer::with_secret: {e}")),
    };
    let auth = if ts.is_empty() {
        auth
    } else {
        auth.with_token("unused-token", TokenSecret::new(ts))
    };
    match auth.signature_of(bs) {
        Ok(sig) => report.eq(row, "OAuth1Authorizer::signature_of", &sig, want),
        Err(e) => report.fail(row, format!("signature_of: {e}")),
    }
}

fn low_level_sign(
    method: SignatureMethod,
    cs: &str,
    ts: &str,
    pem: Option<&str>,
    bs: &str,
) -> Result<String, String> {
    if method == SignatureMethod::RsaSha1 {
        return rsa_sign(pem, bs);
    }
    sign_with_secret(method, &signing_key(cs, ts), bs).map_err(|e| e.to_string())
}

fn low_level_verify(
    method: SignatureMethod,
    cs: &str,
    ts: &str,
    pem: Option<&str>,
    bs: &str,
    sig: &str,
) -> bool {
    let key = signing_key(cs, ts);
    match method {
        SignatureMethod::Plaintext => verify_plaintext(&key, sig),
        SignatureMethod::RsaSha1 => rsa_verify(pem, bs, sig),
        m => verify_hmac(m, key.as_bytes(), bs.as_bytes(), sig),
    }
}

#[cfg(feature = "rsa")]
fn rsa_sign(pem: Option<&str>, bs: &str) -> Result<String, String> {
    let key = RsaSigningKey::from_pem(pem.ok_or("no RSA key")?).map_err(|e| e.to_string())?;
    key.sign(bs.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(feature = "rsa")]
fn rsa_verify(pem: Option<&str>, bs: &str, sig: &str) -> bool {
    pem.and_then(|p| RsaSigningKey::from_pem(p).ok())
        .is_some_and(|k| k.verifying_key().verify(bs.as_bytes(), sig))
}

#[cfg(not(feature = "rsa"))]
fn rsa_sign(_: Option<&str>, _: &str) -> Result<String, String> {
    Err("RSA-SHA1 vectors need the `rsa` feature".into())
}

#[cfg(not(feature = "rsa"))]
fn rsa_verify(_: Option<&str>, _: &str, _: &str) -> bool {
    false
}

/// The authorizer's own header carries the signature and parses back; when the vector
/// publishes a header, both hold the same realm and parameters (order aside: the
/// authorizer puts `oauth_signature` after `oauth_signature_method`).
fn check_authorizer_header(
    report: &mut Report,
    row: &Row,
    authorization: &gdata_auth::Authorization,
    want_sig: &str,
) {
    let got = match header_content(authorization.header_value()) {
        Ok(c) => c,
        Err(e) => return report.fail(row, e),
    };
    let sig = got
        .1
        .iter()
        .find(|(n, _)| n == "oauth_signature")
        .map(|(_, v)| v.as_str());
    report.eq(
        row,
        "oauth_signature in the authorizer's header",
        sig.unwrap_or("<absent>"),
        want_sig,
    );
    report.eq(
        row,
        "realm in the authorizer's header",
        got.0.as_deref().unwrap_or("<absent>"),
        row.input_str("realm").unwrap_or("<absent>"),
    );
    if let Some(want_header) = row.expected_str("authorization_header") {
        match header_content(want_header) {
            Ok(want) => report.ok(
                row,
                &format!(
                    "authorizer header {:?} holds other parameters than {want_header:?}",
                    authorization.header_value()
                ),
                got == want,
            ),
            Err(e) => report.fail(row, e),
        }
    }
}

/// `expected.authorization_header` is built in `input.header_order`, joined by
/// `input.header_separator` (default ", "); `build_header` joins with ", " only.
fn check_expected_header(
    report: &mut Report,
    row: &Row,
    oauth: &BTreeMap<String, String>,
    signature: &str,
    want_header: &str,
) {
    if let Some(sep) = row.input_str("header_separator") {
        if sep != ", " {
            return report.fail(row, format!("build_header cannot join with {sep:?}"));
        }
    }
    let Some(order) = row.input("header_order").and_then(Value::as_array) else {
        return report.fail(
            row,
            "expected.authorization_header without input.header_order",
        );
    };
    let mut realm = None;
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for name in order {
        let Some(name) = name.as_str() else {
            return report.fail(row, "header_order holds a non-string");
        };
        if name == "realm" {
            realm = row.input_str("realm");
            continue;
        }
        if name == "oauth_signature" {
            pairs.push((name, signature));
            continue;
        }
        let value = OAUTH_NAMES
            .iter()
            .find(|(_, full)| *full == name)
            .and_then(|(short, _)| oauth.get(*short));
        match value {
            Some(v) => pairs.push((name, v.as_str())),
            None => {
                return report.fail(
                    row,
                    format!("header_order names {name:?}, absent from input.oauth"),
                )
            }
        }
    }
    match build_header(realm, &pairs) {
        Ok(h) => report.eq(row, "build_header in header_order", &h, want_header),
        Err(e) => report.fail(row, format!("build_header: {e}")),
    }
}

/// RFC 5849 §3.5.1's header example (realm not percent-encoded, parameters in given order).
#[test]
fn authorization_header_vectors() {
    let rows = rows_of("authorization_header");
    let mut report = Report::default();
    let mut run = 0;
    for row in &rows {
        run += 1;
        let Some(want) = row.expected_str("header") else {
            report.fail(row, "missing expected.header");
            continue;
        };
        let params = match pairs_of(row.input("params")) {
            Ok(p) => p,
            Err(e) => {
                report.fail(row, e);
                continue;
            }
        };
        let realm = row.input_str("realm");
        match build_header(realm, &as_refs(&params)) {
            Ok(h) => report.eq(row, "build_header", &h, want),
            Err(e) => report.fail(row, format!("build_header: {e}")),
        }
        match parse_header(want) {
            Ok(parsed) => {
                report.eq(
                    row,
                    "parse_header realm",
                    parsed.realm.as_deref().unwrap_or("<absent>"),
                    realm.unwrap_or("<absent>"),
                );
                report.ok(
                    row,
                    &format!("parse_header params {:?} != input.params", parsed.params),
                    parsed.params == params,
                );
            }
            Err(e) => report.fail(row, format!("parse_header: {e}")),
        }
    }
    report.finish("authorization_header", run, 1);
}
