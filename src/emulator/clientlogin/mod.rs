//! ClientLogin as Google served it (PROTOCOLS.md §1): the routes for `/accounts/ClientLogin`
//! and `/accounts/Captcha`; the protocol's state ([`ClientLogin`]: failures, CAPTCHA
//! challenges, `Auth` tokens); and its answer to the feeds' one question, which user and
//! scopes an `Authorization: GoogleLogin auth=…` header grants (the token's service's feed
//! scopes, [`SERVICE_SCOPES`]).
//!
//! * [`endpoints`]: the login and the CAPTCHA image.
//! * [`state`]: the store, whose refusals are domain outcomes ([`state::Refused`]).
//! * [`wire`]: the `Key=Value` answers and the feeds' plain-text 401.
//! * [`image`]: the CAPTCHA's SVG.
//!
//! With a state store (`gdauth serve --state`), the failure counts, the CAPTCHA challenges
//! and the `Auth` tokens are written through: each login's changes are stored before its
//! answer is sent, and a restart carries on with them.

mod endpoints;
mod image;
mod state;
mod wire;

use axum::response::Response;
use axum::routing::any;
use axum::Router;
use std::sync::Arc;

use crate::secret::SecretString;

use super::durable::Journal;
use super::feeds::{CredentialGrant, Description, FeedRefusal, Grant};
use super::http::Incoming;
use super::{App, EmulatorError};
use state::Store;
use wire::FeedError;

pub use state::{
    AUTH_TOKEN_LIFETIME, DEFAULT_CAPTCHA_AFTER, MAX_CHALLENGES_PER_ACCOUNT, UNAVAILABLE_STREAK,
};

const LOGIN_PATH: &str = "/accounts/ClientLogin";
const CAPTCHA_PATH: &str = "/accounts/Captcha";

/// The feed scopes each service's token opens (PY2 `gauth.AUTH_SCOPES`, PROTOCOLS.md §1.6
/// and §5), for the services whose feeds the emulator can tell apart by path: hosts are not
/// compared, so `blogger`, `lh2`, `jotspot` and the other services whose feeds sit at the
/// root of their own host open nothing here.
pub const SERVICE_SCOPES: [(&str, &[&str]); 13] = [
    (
        "cl",
        &[
            "https://www.google.com/calendar/feeds/",
            "http://www.google.com/calendar/feeds/",
        ],
    ),
    (
        "cp",
        &[
            "https://www.google.com/m8/feeds/",
            "http://www.google.com/m8/feeds/",
        ],
    ),
    ("writely", &["https://docs.google.com/feeds/documents/"]),
    (
        "wise",
        &[
            "https://spreadsheets.google.com/feeds/spreadsheets/",
            "https://spreadsheets.google.com/feeds/worksheets/",
            "https://spreadsheets.google.com/feeds/list/",
            "https://spreadsheets.google.com/feeds/cells/",
        ],
    ),
    ("youtube", &["http://gdata.youtube.com/feeds/api/"]),
    ("analytics", &["https://www.google.com/analytics/feeds/"]),
    ("apps", &["https://apps-apis.google.com/a/feeds/"]),
    ("finance", &["http://finance.google.com/finance/feeds/"]),
    ("health", &["https://www.google.com/health/feeds/"]),
    ("weaver", &["https://www.google.com/h9/feeds/"]),
    ("gbase", &["http://www.google.com/base/feeds/"]),
    ("code", &["http://code.google.com/feeds/issues/"]),
    ("print", &["http://www.google.com/books/feeds/"]),
];

/// ClientLogin's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(LOGIN_PATH, any(endpoints::login))
        .route(CAPTCHA_PATH, any(endpoints::captcha))
}

/// ClientLogin's state.
#[derive(Debug)]
pub struct ClientLogin {
    store: Store,
}

impl ClientLogin {
    /// A CAPTCHA after `captcha_after` consecutive failures, answered with `answer` (random
    /// per challenge when `None`; else 1 to 16 ASCII letters or digits).
    ///
    /// The failure counts, challenges and tokens are kept in `journal` when there is one
    /// (read back now, written through before each answer).
    pub fn new(
        captcha_after: u32,
        answer: Option<SecretString>,
        journal: &Journal,
    ) -> Result<Self, EmulatorError> {
        if let Some(a) = &answer {
            let ok = !a.is_empty()
                && a.secret().len() <= state::MAX_ANSWER_LEN
                && a.secret().bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(EmulatorError::InvalidConfig(
                    "the CAPTCHA answer must be 1 to 16 ASCII letters or digits".into(),
                ));
            }
        }
        Ok(Self {
            store: Store::open(captcha_after, answer, journal.clone())?,
        })
    }
}

/// The token of `GoogleLogin auth=TOKEN` (scheme case-insensitive, the value optionally
/// quoted); `None` for another scheme, `Some(None)` for a `GoogleLogin` header without one.
fn google_login_token(authorization: &str) -> Option<Option<&str>> {
    let (scheme, rest) = authorization
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((authorization.trim(), ""));
    if !scheme.eq_ignore_ascii_case("GoogleLogin") {
        return None;
    }
    let token = rest
        .split(',')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("auth"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty());
    Some(token)
}

impl CredentialGrant for ClientLogin {
    fn grant(&self, app: &App, incoming: &Incoming) -> Option<Result<Grant, Response>> {
        let token = google_login_token(incoming.authorization.as_deref()?)?;
        let refuse = |e: FeedError| e.into_response_with_realm(&incoming.base);
        let Some(token) = token else {
            return Some(Err(refuse(FeedError::Invalid)));
        };
        Some(match self.store.grant(token, app.now()) {
            Err(r) => Err(refuse(r.into())),
            Ok(g) => {
                let scopes = SERVICE_SCOPES
                    .iter()
                    .find(|(code, _)| *code == g.service)
                    .map(|(_, s)| s.iter().map(|s| (*s).to_owned()).collect())
                    .unwrap_or_default();
                Ok(Grant {
                    user: g.user,
                    scopes: Some(scopes),
                    client: format!("source {} (service {})", g.source, g.service),
                    how: "installed-app",
                    protocol: "ClientLogin",
                })
            }
        })
    }

    fn refuse(&self, why: FeedRefusal, realm: &str) -> Response {
        match why {
            FeedRefusal::WrongScope => FeedError::WrongScope,
            FeedRefusal::Unreadable(_) | FeedRefusal::NoCredential => FeedError::Invalid,
        }
        .into_response_with_realm(realm)
    }

    fn describe(&self) -> Description {
        Description {
            name: "ClientLogin",
            endpoints: &[LOGIN_PATH, CAPTCHA_PATH],
            clients: "Services with feeds",
            client_ids: SERVICE_SCOPES
                .iter()
                .map(|(c, _)| (*c).to_owned())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_login_headers() {
        assert_eq!(
            google_login_token("GoogleLogin auth=abc"),
            Some(Some("abc"))
        );
        assert_eq!(
            google_login_token("googlelogin auth=\"abc\""),
            Some(Some("abc"))
        );
        assert_eq!(google_login_token("GoogleLogin"), Some(None));
        assert_eq!(google_login_token("GoogleLogin auth="), Some(None));
        assert_eq!(google_login_token("OAuth oauth_token=\"x\""), None);
        assert_eq!(google_login_token("AuthSub token=\"x\""), None);
    }

    #[test]
    fn every_mapped_service_is_known() {
        for (code, _) in SERVICE_SCOPES {
            assert!(!matches!(
                crate::clientlogin::Service::from_code(code),
                crate::clientlogin::Service::Other(_)
            ));
        }
    }
}
