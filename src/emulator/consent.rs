//! The consent page frame that every protocol's authorization page fills with its own text:
//! the HTML document and style, the presentation options (`hd`, `hl`, `btmpl`; PROTOCOLS.md
//! §3.3) and their notes, the sign-in form (email, password, the accounts of the domain)
//! with its *Approve* and *Deny* buttons, and the way back to the application (a redirect
//! with parameters appended to the callback URL). OAuth 1.0 uses it today; AuthSub and
//! OAuth 2.0 will too.
//!
//! Everything written into HTML goes through [`esc`]; the pages carry no script, and their
//! headers forbid framing and referrers (the URL holds the request's token).
//!
//! **Proof the user saw the page.** Every consent form carries a hidden [`CSRF_FIELD`]: an
//! HMAC-SHA256, under a key drawn from the OS CSPRNG when the emulator starts, over the
//! form's action path and the hidden fields that name the request (the OAuth 1.0 request
//! token, the AuthSub or OAuth 2.0 request parameters, the device's user code). A POST that
//! answers *Approve* or *Deny* without the token of that very page is refused with a 403
//! page and changes nothing (issue 15 §1), so a page elsewhere cannot submit the answer for
//! the user. The token holds no time: it stays good for the request as long as the request
//! does, and a restart changes the key. `--auto-approve` GETs need no token.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::encoding::Form;

use super::accounts::{
    hosted_domain, Accounts, SignInRefused, User, DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD,
};

/// The consent form's hidden field that proves the answer comes from the page shown.
pub const CSRF_FIELD: &str = "csrf_token";

/// The [`CSRF_FIELD`] value of a consent page's form, read from the page's HTML: what a
/// program driving the form (a test, a demo) posts back with its answer, as a browser does.
pub fn csrf_token_of(page_html: &str) -> Option<String> {
    let marker = format!("name=\"{CSRF_FIELD}\" value=\"");
    let start = page_html.find(&marker)?.checked_add(marker.len())?;
    let rest = page_html.get(start..)?;
    let end = rest.find('"')?;
    let token = rest.get(..end)?;
    token
        .bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then(|| token.to_owned())
}

use super::http::{esc, html_response, noted};

/// Longest `hd`, `hl` or `btmpl` value echoed on the page.
const MAX_ECHO: usize = 64;

/// The presentation options from the authorization URL (PROTOCOLS.md §3.3).
#[derive(Debug, Default, Clone)]
pub struct PageOptions {
    /// `hd`: a Google Apps domain (`default` for none).
    hd: Option<String>,
    /// `hl`: the language asked for.
    hl: Option<String>,
    /// `btmpl`: `mobile` for the compact layout.
    btmpl: Option<String>,
}

impl PageOptions {
    /// Reads `hd`, `hl` and `btmpl` (the first of each), clipped to [`MAX_ECHO`] characters.
    pub fn from_form(form: &Form) -> Self {
        let clip = |name| {
            form.first(name)
                .map(|v: &str| v.chars().take(MAX_ECHO).collect())
        };
        Self {
            hd: clip("hd"),
            hl: clip("hl"),
            btmpl: clip("btmpl"),
        }
    }

    /// The Google Apps domain the sign-in is restricted to (`hd` other than `default`).
    pub fn domain(&self) -> Option<&str> {
        hosted_domain(self.hd.as_deref())
    }

    fn mobile(&self) -> bool {
        self.btmpl.as_deref() == Some("mobile")
    }

    /// The hidden fields that carry the options through the form post.
    fn hidden_fields(&self) -> String {
        [("hd", &self.hd), ("hl", &self.hl), ("btmpl", &self.btmpl)]
            .into_iter()
            .filter_map(|(name, value)| value.as_deref().map(|v| hidden_input(name, v)))
            .collect()
    }

    /// The visible notes (HTML) about `hd`, `hl` and `btmpl`.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(d) = self.domain() {
            notes.push(format!(
                "Google Apps domain (hd): <strong>{}</strong>. Only accounts of this domain can sign in.",
                esc(d)
            ));
        }
        if let Some(hl) = &self.hl {
            notes.push(format!(
                "Language requested (hl): <strong>{}</strong>. This emulator shows English only.",
                esc(hl)
            ));
        }
        match self.btmpl.as_deref() {
            Some("mobile") => notes.push("Mobile layout (btmpl=mobile).".to_owned()),
            Some(other) => notes.push(format!(
                "btmpl={} is not supported (only <code>mobile</code> is); standard layout shown.",
                esc(other)
            )),
            None => {}
        }
        notes
    }
}

/// `<input type="hidden">` with an escaped value.
fn hidden_input(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        esc(name),
        esc(value)
    )
}

/// Notes (HTML) as paragraphs.
fn notes_html(notes: impl IntoIterator<Item = String>) -> String {
    notes
        .into_iter()
        .map(|n| format!("<p class=\"note\">{n}</p>\n"))
        .collect()
}

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;background:#f1f1f1;margin:0;color:#222}\
main{background:#fff;max-width:36em;margin:2em auto;padding:1.5em 2em;border:1px solid #ddd;border-radius:4px}\
h1{font-size:1.4em;margin-top:0}ul.scopes{background:#f8f8f8;padding:.5em 1em .5em 2em}\
.note{color:#555;font-size:.9em;border-left:3px solid #4285f4;padding-left:.6em}\
.warn{color:#a50e0e}.error{color:#a50e0e;font-weight:bold}\
label{display:block;margin:.6em 0}input[type=email],input[type=password]{width:100%;padding:.4em;box-sizing:border-box}\
.buttons{margin-top:1em}button{padding:.5em 1.4em;margin-right:.6em;font-size:1em}\
code#verifier{font-size:1.4em;background:#ffd;padding:.2em .4em}\
body.mobile main{max-width:none;margin:0;padding:.6em;border:0}\
body.mobile h1{font-size:1.1em}body.mobile button{display:block;width:100%;margin:.4em 0}";

/// A complete HTML document around `body` (already HTML), in the layout `opts` asks for.
pub fn document(title: &str, opts: &PageOptions, body: &str) -> String {
    let class = if opts.mobile() {
        " class=\"mobile\""
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} - Google Accounts (emulator)</title>\n<style>{STYLE}</style>\n</head>\n\
         <body{class}>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// A page with a title, the option notes and a message (already HTML); `note` goes to the log.
pub fn message_page(
    status: StatusCode,
    title: &str,
    message: &str,
    opts: &PageOptions,
    note: String,
) -> Response {
    let body = format!(
        "<h1>{}</h1>\n{}<p>{message}</p>\n",
        esc(title),
        notes_html(opts.notes())
    );
    noted(html_response(status, document(title, opts, &body)), note)
}

/// What a protocol shows on its consent page. The frame adds the notes on the options, the
/// sign-in form and the buttons.
#[derive(Debug)]
pub struct ConsentRequest<'a> {
    /// What the page calls the application (plain text).
    pub app_name: &'a str,
    /// Who asks, as the protocol names it: (`consumer`, the consumer key).
    pub client: (&'a str, &'a str),
    /// The scopes requested.
    pub scopes: &'a [String],
    /// A caution about the application's identity (plain text).
    pub caution: Option<&'a str>,
    /// What happens after the user answers (HTML; see [`sent_back_to`]).
    pub next: &'a str,
    /// The protocol's own notes (HTML), shown after the options' notes.
    pub notes: Vec<String>,
    /// Where the form posts to, relative to the page (the page's own path).
    pub action: &'a str,
    /// The hidden fields that carry the request through the post (`oauth_token`).
    pub hidden: &'a [(&'a str, &'a str)],
}

/// The consent page: `request`'s text, the sign-in form (prefilled with `email`, else the
/// first account of the domain) and *Approve* / *Deny*; `error` is shown above the form.
pub fn consent_page(
    accounts: &Accounts,
    request: &ConsentRequest<'_>,
    opts: &PageOptions,
    error: Option<&str>,
    email: Option<&str>,
) -> String {
    let eligible: Vec<&User> = accounts.in_domain(opts.domain()).collect();
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>\n", esc(s)))
        .collect();
    let accounts_list: String = eligible
        .iter()
        .map(|u| format!("<option value=\"{}\">", esc(&u.email)))
        .collect();
    let prefill = email
        .map(str::to_owned)
        .or_else(|| eligible.first().map(|u| u.email.clone()))
        .unwrap_or_default();
    let hint = if accounts.defaults_in_use() {
        format!(
            "<p class=\"note\">Emulator default account: <code>{}</code> / <code>{}</code></p>\n",
            esc(DEFAULT_USER_EMAIL),
            esc(DEFAULT_USER_PASSWORD)
        )
    } else {
        String::new()
    };
    let no_account = if eligible.is_empty() {
        "<p class=\"warn\">No account of this domain exists on this emulator.</p>\n"
    } else {
        ""
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let caution = request
        .caution
        .map(|c| format!("<p class=\"warn\">{}</p>\n", esc(c)))
        .unwrap_or_default();
    let mut hidden: String = request
        .hidden
        .iter()
        .map(|(n, v)| hidden_input(n, v))
        .collect();
    hidden.push_str(&hidden_input(
        CSRF_FIELD,
        &accounts.csrf().token(request.action, request.hidden),
    ));
    let body = format!(
        "<h1>Grant access to your Google Account</h1>\n\
         <p>The application <strong id=\"app-name\">{name}</strong> ({kind} <code>{client}</code>) \
         is requesting access to:</p>\n<ul class=\"scopes\">\n{scopes}</ul>\n{caution}\
         <p>{next}</p>\n{notes}{error}\
         <form method=\"post\" action=\"{action}\">\n\
         {hidden}{options}\
         <label>Email <input type=\"email\" name=\"Email\" value=\"{prefill}\" list=\"accounts\" autocomplete=\"username\"></label>\n\
         <datalist id=\"accounts\">{accounts_list}</datalist>\n\
         <label>Password <input type=\"password\" name=\"Passwd\" autocomplete=\"current-password\"></label>\n\
         {no_account}{hint}<div class=\"buttons\">\
         <button type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Deny</button></div>\n\
         </form>\n",
        name = esc(request.app_name),
        kind = esc(request.client.0),
        client = esc(request.client.1),
        next = request.next,
        notes = notes_html(opts.notes().into_iter().chain(request.notes.clone())),
        action = esc(request.action),
        options = opts.hidden_fields(),
        prefill = esc(&prefill),
    );
    document("Grant access", opts, &body)
}

/// Signs the user in from the form's `Email` and `Passwd` fields under the `hd` domain at
/// `now` and answers with `signed_in(user)`. A refusal changes nothing and shows the page
/// again, built by `reshow(error, email)`, with 401 (wrong email or password), 403 (an
/// account outside the domain) or 429 with `Retry-After` (an account locked after too many
/// wrong passwords: [`super::accounts::MAX_WRONG_PASSWORDS`]).
pub fn sign_in(
    accounts: &Accounts,
    form: &Form,
    opts: &PageOptions,
    now: u64,
    reshow: impl FnOnce(&str, &str) -> String,
    signed_in: impl FnOnce(&User) -> Response,
) -> Response {
    let email = form.first("Email").unwrap_or_default().trim();
    let password = form.first("Passwd").unwrap_or_default();
    match accounts.sign_in(email, password, opts.domain(), now) {
        Ok(user) => signed_in(user),
        Err(refused) => {
            let (status, message, note) = match refused {
                SignInRefused::WrongEmailOrPassword => (
                    StatusCode::UNAUTHORIZED,
                    "The email or password you entered is incorrect.".to_owned(),
                    "refused: sign-in failed (wrong email or password)",
                ),
                SignInRefused::OutsideDomain => (
                    StatusCode::FORBIDDEN,
                    "This account does not belong to the requested domain.".to_owned(),
                    "refused: account outside the hd domain",
                ),
                SignInRefused::Locked(secs) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Too many wrong passwords for this account. Try again in {secs} seconds."
                    ),
                    "refused: sign-in locked after too many wrong passwords",
                ),
            };
            let mut resp = html_response(status, reshow(&message, email));
            if let SignInRefused::Locked(secs) = refused {
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            noted(resp, note)
        }
    }
}

/// The consent form's answer (`approve`, `deny`, or another value the caller refuses),
/// after checking the page's [`CSRF_FIELD`]: `Ok(None)` for a GET (whatever its query says)
/// or a POST without `action`, which show the page; `Err(page)` (403) for a POST whose
/// answer does not carry the token of the page that posts to `action_path` with `hidden`.
// The refusal is the page answered at once, as the emulator's other handlers' `Err`s are.
#[allow(clippy::result_large_err)]
pub fn posted_action<'a>(
    accounts: &Accounts,
    method: &axum::http::Method,
    form: &'a Form,
    action_path: &str,
    hidden: &[(&str, &str)],
    opts: &PageOptions,
) -> Result<Option<&'a str>, Response> {
    if method != axum::http::Method::POST {
        return Ok(None);
    }
    let Some(action) = form.first("action") else {
        return Ok(None);
    };
    if !accounts
        .csrf()
        .check(action_path, hidden, form.first(CSRF_FIELD))
    {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "This answer was not sent from the consent page",
            "The form did not carry the token of the page this emulator showed (csrf_token \
             missing or wrong), so nothing was approved or denied. Open the page again and \
             answer there.",
            opts,
            "refused: consent answer without the page's csrf_token".to_owned(),
        ));
    }
    Ok(Some(action))
}

/// The host of a callback URL, for showing the user where they go.
pub fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// The consent page's sentence for an answer that redirects to `callback` (HTML).
pub fn sent_back_to(callback: &str) -> String {
    format!(
        "After you answer, you will be sent back to <strong>{}</strong>.",
        esc(&host_of(callback).unwrap_or_else(|| callback.to_owned()))
    )
}

/// Adds `pairs` to the callback URL's query, keeping its own parameters.
pub fn callback_with(callback: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(callback).ok()?;
    {
        let mut q = url.query_pairs_mut();
        for (n, v) in pairs {
            q.append_pair(n, v);
        }
    }
    Some(url.into())
}

/// A 302 to `location`, never cached, without a referrer; `note` goes to the log.
pub fn redirect(location: &str, note: String) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    noted(resp, note)
}

#[cfg(test)]
mod tests {
    use super::super::accounts::in_domain;
    use super::*;

    #[test]
    fn callback_keeps_its_query_and_encodes_the_token() {
        let out = callback_with(
            "http://www.yoursite.com/Retrievetoken?Lang=de",
            &[("oauth_token", "4/ab+c"), ("oauth_verifier", "v")],
        )
        .unwrap();
        assert_eq!(
            out,
            "http://www.yoursite.com/Retrievetoken?Lang=de&oauth_token=4%2Fab%2Bc&oauth_verifier=v"
        );
    }

    #[test]
    fn hd_restricts_accounts() {
        let o = PageOptions {
            hd: Some("Example.org".into()),
            ..PageOptions::default()
        };
        assert!(in_domain("a@example.org", o.domain()));
        assert!(!in_domain("a@example.com", o.domain()));
        let d = PageOptions {
            hd: Some("default".into()),
            ..PageOptions::default()
        };
        assert!(in_domain("a@anything", d.domain()));
    }

    #[test]
    fn the_csrf_token_is_bound_to_the_page() {
        use crate::emulator::accounts::CsrfKey;
        let k = CsrfKey::random();
        let t = k.token("OAuthAuthorizeToken", &[("oauth_token", "4/a")]);
        assert_eq!(t.len(), 64);
        let page = [("oauth_token", "4/a")];
        assert!(k.check("OAuthAuthorizeToken", &page, Some(&t)));
        assert!(!k.check("OAuthAuthorizeToken", &[("oauth_token", "4/b")], Some(&t)));
        assert!(!k.check("/device", &page, Some(&t)));
        assert!(!k.check("OAuthAuthorizeToken", &page, Some("")));
        assert!(!k.check("OAuthAuthorizeToken", &page, None));
        let other = CsrfKey::random();
        assert!(!other.check("OAuthAuthorizeToken", &page, Some(&t)));
        // As a posted form carries it.
        let form = Form::parse(&format!("csrf_token={t}&action=deny")).unwrap();
        assert!(k.check("OAuthAuthorizeToken", &page, form.first(CSRF_FIELD)));
    }

    #[test]
    fn options_are_read_once_clipped_and_carried() {
        let form = Form::parse("hd=example.org&hl=de&hl=fr&btmpl=mobile&x=1").unwrap();
        let o = PageOptions::from_form(&form);
        assert_eq!(o.domain(), Some("example.org"));
        assert!(o.mobile());
        assert_eq!(
            o.hidden_fields(),
            "<input type=\"hidden\" name=\"hd\" value=\"example.org\">\n\
             <input type=\"hidden\" name=\"hl\" value=\"de\">\n\
             <input type=\"hidden\" name=\"btmpl\" value=\"mobile\">\n"
        );
        let long = Form::parse(&format!("hl={}", "x".repeat(100))).unwrap();
        assert_eq!(
            PageOptions::from_form(&long).hl.map(|h| h.len()),
            Some(MAX_ECHO)
        );
    }
}
