//! The JWT bearer grant of service accounts (RFC 7523 §2.1, §3; feature `rsa`): the
//! assertion's signature checked with the public half of a `--service-account` key (RS256
//! only, through [`crate::oauth2::service_account::AssertionVerifier`]), then its claims
//! by Google's rules; the token acts as the `sub` user or as the service account itself.
//! No client authentication and no refresh token: a new assertion is the refresh. The
//! same assertion may be exchanged again until its `exp`, as Google allows.

use axum::response::Response;
use base64::Engine as _;

use super::{invalid_grant, issued_or, missing, parse_scopes};
use crate::emulator::App;
use crate::encoding::{clip, Form};
use crate::oauth2::service_account::{
    AssertionVerifier, ServiceAccountKey, GOOGLE_TOKEN_AUDIENCE, MAX_ASSERTION_LIFETIME,
};

/// How far `iat` may be ahead of this server's clock (clock skew), in seconds.
const MAX_SKEW: u64 = 300;

/// The audiences Google's token endpoint has answered to (besides this server's own
/// token URL): client libraries sign with whichever the key file's `token_uri` names.
const GOOGLE_AUDIENCES: &[&str] = &[
    GOOGLE_TOKEN_AUDIENCE,
    "https://accounts.google.com/o/oauth2/token",
    "https://www.googleapis.com/oauth2/v4/token",
];

/// The service accounts, by `client_email`, with their public keys. `Debug` shows emails.
pub struct ServiceAccounts(Vec<(String, AssertionVerifier)>);

impl core::fmt::Debug for ServiceAccounts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(e, _)| e))
            .finish()
    }
}

impl ServiceAccounts {
    /// The accounts of `keys`; a later key of the same email replaces an earlier one.
    pub fn new(keys: &[ServiceAccountKey]) -> Self {
        let mut accounts: Vec<(String, AssertionVerifier)> = Vec::new();
        for k in keys {
            accounts.retain(|(e, _)| e != k.client_email());
            accounts.push((k.client_email().to_owned(), k.verifier()));
        }
        Self(accounts)
    }

    fn find(&self, email: &str) -> Option<&AssertionVerifier> {
        self.0.iter().find(|(e, _)| e == email).map(|(_, v)| v)
    }
}

/// The `iss` of an assertion before its signature is checked: only to pick the key.
fn unverified_iss(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `assertion`. Every refusal
/// is 400 `invalid_grant` saying which rule failed (RFC 7523 §3.1).
pub(super) fn exchange(app: &App, form: &Form, now: u64) -> Response {
    let Some(assertion) = form.first("assertion") else {
        return missing("assertion");
    };
    let Some(iss) = unverified_iss(assertion) else {
        return invalid_grant("Invalid JWT: the assertion is not a JWT with an iss claim.");
    };
    let Some(verifier) = app.oauth2.service_accounts.find(&iss) else {
        return invalid_grant(format!(
            "Invalid JWT: iss {} is not a service account of this emulator (--service-account).",
            clip(&iss)
        ));
    };
    let claims = match verifier.claims(assertion) {
        Ok(c) => c,
        Err(e) => return invalid_grant(format!("Invalid JWT Signature: {e}.")),
    };
    let own = format!("{}{}", app.realm(), super::TOKEN_PATH);
    if !GOOGLE_AUDIENCES.contains(&claims.aud.as_str()) && claims.aud != own {
        return invalid_grant(format!(
            "Invalid JWT: aud {} is not a token endpoint ({} or {own}).",
            clip(&claims.aud),
            GOOGLE_AUDIENCES.join(", ")
        ));
    }
    if claims.iat > now.saturating_add(MAX_SKEW) {
        return invalid_grant("Invalid JWT: iat is in the future (beyond 300 s of clock skew).");
    }
    if claims.exp <= now {
        return invalid_grant("Invalid JWT: the assertion has expired (exp is past).");
    }
    if claims.exp <= claims.iat || claims.exp - claims.iat > MAX_ASSERTION_LIFETIME {
        return invalid_grant(
            "Invalid JWT: Token must be a short-lived token (60 minutes): exp must be after \
             iat and at most 3600 s later.",
        );
    }
    let scopes = match parse_scopes(Some(&claims.scope)) {
        Ok(s) => s,
        Err(why) => return invalid_grant(format!("Invalid JWT: scope: {why}.")),
    };
    // Domain-wide delegation: the token acts as `sub`, who must be a user here.
    let user = match &claims.sub {
        None => claims.iss.clone(),
        Some(sub) => match app.accounts.find(sub) {
            Some(u) => u.email.clone(),
            None => {
                return invalid_grant(format!(
                    "Invalid JWT: sub {} is not a user of this emulator.",
                    clip(sub)
                ))
            }
        },
    };
    issued_or(
        app.oauth2
            .store
            .grant(&claims.iss, &user, scopes, false, now),
    )
}
