//! The PY2 token blob (PROTOCOLS.md §7.7): a type marker and the token's fields joined by
//! `|`, each field `urllib.quote_plus`-encoded (`None` as the empty field), decoded with
//! `unquote_plus` (the empty field back to `None`).
//!
//! | marker | token | fields after the marker |
//! |---|---|---|
//! | `1c` | ClientLogin | token |
//! | `1a` | AuthSub | token, then each scope |
//! | `1s` | secure AuthSub | token, RSA private key, then each scope |
//! | `1rtl` | two-legged OAuth, RSA | consumer key, RSA key, requestor ID |
//! | `1htl` | two-legged OAuth, HMAC | consumer key, consumer secret, requestor ID |
//! | `1r` | OAuth 1.0, RSA | consumer key, RSA key, token, token secret, auth state, next, verifier |
//! | `1h` | OAuth 1.0, HMAC | as `1r`, with the consumer secret |
//! | `2o` | OAuth 2.0 | client ID, client secret, scope, user agent, auth URI, token URI, access token, refresh token |
//!
//! Reading is strict where Python was loose: an unknown marker, a wrong number of fields,
//! a bad `%` escape, bytes that are not UTF-8, or an auth state that is not a number are
//! [`BlobError`]s, never a half-read token.

use thiserror::Error;

use crate::secret::SecretString;

/// Why a blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BlobError {
    /// The marker is none of `1c 1a 1s 1rtl 1htl 1r 1h 2o` (PY2 `UnsupportedTokenType`).
    /// It is kept when it is at most four printable ASCII characters, as markers are;
    /// anything longer may be a secret pasted by mistake, and only its length is kept.
    #[error(
        "unsupported token type: the blob's marker is {0}, not one of 1c 1a 1s 1rtl 1htl 1r 1h 2o"
    )]
    UnknownMarker(String),
    /// The blob is empty.
    #[error("the token blob is empty")]
    Empty,
    /// The marker's token has another number of fields.
    #[error("a {marker} token blob has {expected} fields after the marker, this one {found}")]
    FieldCount {
        /// The marker.
        marker: &'static str,
        /// How many fields the marker's token has (the least, for scope lists).
        expected: usize,
        /// How many the blob has.
        found: usize,
    },
    /// Field `index` (1-based, after the marker) holds a `%` not followed by two hex digits,
    /// or decodes to bytes that are not UTF-8.
    #[error("field {index} of the token blob is not valid quote_plus encoding")]
    BadEncoding {
        /// The field, counted from 1 after the marker.
        index: usize,
    },
    /// The auth state of a `1r` / `1h` blob is not a whole number.
    #[error("the auth state of the OAuth token blob is not a number")]
    BadAuthState,
}

/// An OAuth 1.0 token's stage (PY2 `auth_state`): 1 request token, 2 authorized request
/// token, 3 access token. Other numbers are kept as they were stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct AuthState(pub i64);

impl AuthState {
    /// PY2 `REQUEST_TOKEN`.
    pub const REQUEST_TOKEN: Self = Self(1);
    /// PY2 `AUTHORIZED_REQUEST_TOKEN`.
    pub const AUTHORIZED_REQUEST_TOKEN: Self = Self(2);
    /// PY2 `ACCESS_TOKEN`.
    pub const ACCESS_TOKEN: Self = Self(3);
}

/// A token as gdata-python-client stored it, every field kept (`None` where Python had
/// `None` or `''`). Secrets are [`SecretString`]s: redacted in `Debug`, zeroized on drop.
/// With the `serde` feature it is this crate's JSON token format for legacy tokens, tagged
/// by `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind"))]
#[non_exhaustive]
pub enum LegacyToken {
    /// `1c`: `ClientLoginToken`.
    #[cfg_attr(feature = "serde", serde(rename = "clientlogin"))]
    ClientLogin {
        /// `token_string`: the `Auth` token.
        token: Option<SecretString>,
    },
    /// `1a`: `AuthSubToken`.
    #[cfg_attr(feature = "serde", serde(rename = "authsub"))]
    AuthSub {
        /// `token_string`: the session token.
        token: Option<SecretString>,
        /// The scopes.
        scopes: Vec<String>,
    },
    /// `1s`: `SecureAuthSubToken`.
    #[cfg_attr(feature = "serde", serde(rename = "secure_authsub"))]
    SecureAuthSub {
        /// `token_string`.
        token: Option<SecretString>,
        /// `rsa_private_key`: the PEM key, as stored.
        rsa_private_key: Option<SecretString>,
        /// The scopes.
        scopes: Vec<String>,
    },
    /// `1rtl`: `TwoLeggedOAuthRsaToken`.
    #[cfg_attr(feature = "serde", serde(rename = "oauth1_two_legged_rsa"))]
    TwoLeggedRsa {
        /// `consumer_key`.
        consumer_key: Option<String>,
        /// `rsa_private_key`.
        rsa_private_key: Option<SecretString>,
        /// `requestor_id`: the user acted for (`xoauth_requestor_id`).
        requestor_id: Option<String>,
    },
    /// `1htl`: `TwoLeggedOAuthHmacToken`.
    #[cfg_attr(feature = "serde", serde(rename = "oauth1_two_legged_hmac"))]
    TwoLeggedHmac {
        /// `consumer_key`.
        consumer_key: Option<String>,
        /// `consumer_secret`.
        consumer_secret: Option<SecretString>,
        /// `requestor_id`.
        requestor_id: Option<String>,
    },
    /// `1r`: `OAuthRsaToken`.
    #[cfg_attr(feature = "serde", serde(rename = "oauth1_rsa"))]
    OAuthRsa {
        /// `consumer_key`.
        consumer_key: Option<String>,
        /// `rsa_private_key`.
        rsa_private_key: Option<SecretString>,
        /// `token`.
        token: Option<String>,
        /// `token_secret`.
        token_secret: Option<SecretString>,
        /// `auth_state`.
        auth_state: AuthState,
        /// `next`: the callback URL.
        next: Option<String>,
        /// `verifier`.
        verifier: Option<SecretString>,
    },
    /// `1h`: `OAuthHmacToken`.
    #[cfg_attr(feature = "serde", serde(rename = "oauth1_hmac"))]
    OAuthHmac {
        /// `consumer_key`.
        consumer_key: Option<String>,
        /// `consumer_secret`.
        consumer_secret: Option<SecretString>,
        /// `token`.
        token: Option<String>,
        /// `token_secret`.
        token_secret: Option<SecretString>,
        /// `auth_state`.
        auth_state: AuthState,
        /// `next`.
        next: Option<String>,
        /// `verifier`.
        verifier: Option<SecretString>,
    },
    /// `2o`: `OAuth2Token`.
    #[cfg_attr(feature = "serde", serde(rename = "oauth2_legacy"))]
    OAuth2 {
        /// `client_id`.
        client_id: Option<String>,
        /// `client_secret`.
        client_secret: Option<SecretString>,
        /// `scope`, as one string.
        scope: Option<String>,
        /// `user_agent`.
        user_agent: Option<String>,
        /// `auth_uri`.
        auth_uri: Option<String>,
        /// `token_uri`.
        token_uri: Option<String>,
        /// `access_token`.
        access_token: Option<SecretString>,
        /// `refresh_token`.
        refresh_token: Option<SecretString>,
    },
}

impl LegacyToken {
    /// The blob's type marker.
    pub fn marker(&self) -> &'static str {
        match self {
            Self::ClientLogin { .. } => "1c",
            Self::AuthSub { .. } => "1a",
            Self::SecureAuthSub { .. } => "1s",
            Self::TwoLeggedRsa { .. } => "1rtl",
            Self::TwoLeggedHmac { .. } => "1htl",
            Self::OAuthRsa { .. } => "1r",
            Self::OAuthHmac { .. } => "1h",
            Self::OAuth2 { .. } => "2o",
        }
    }
}

/// PY2 `_join_token_parts`: each part `quote_plus`-encoded (`None` as empty), joined by
/// `|`.
pub fn join_parts<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        // Python 2's `urllib.quote_plus(s, safe='')`: the same bytes kept as form bodies.
        crate::encoding::encode_form_into(&mut out, part.unwrap_or(""));
    }
    out
}

/// PY2 `_split_token_parts`: split on `|`, each part `unquote_plus`-decoded, the empty
/// part as `None`. The error names the part (counted from 0, the marker).
pub fn split_parts(blob: &str) -> Result<Vec<Option<String>>, BlobError> {
    blob.split('|')
        .enumerate()
        .map(|(index, part)| {
            // `urllib.unquote_plus`, strictly: a bad `%XX` or non-UTF-8 bytes are refused.
            let decoded =
                crate::encoding::form_decode(part).map_err(|_| BlobError::BadEncoding { index })?;
            Ok((!decoded.is_empty()).then_some(decoded))
        })
        .collect()
}

fn secret(s: &Option<SecretString>) -> Option<&str> {
    s.as_ref().map(SecretString::secret)
}

/// PY2 `token_to_blob`.
pub fn to_blob(token: &LegacyToken) -> String {
    let marker = Some(token.marker());
    let state;
    let parts: Vec<Option<&str>> = match token {
        LegacyToken::ClientLogin { token } => vec![marker, secret(token)],
        LegacyToken::AuthSub { token, scopes } => [marker, secret(token)]
            .into_iter()
            .chain(scopes.iter().map(|s| Some(s.as_str())))
            .collect(),
        LegacyToken::SecureAuthSub {
            token,
            rsa_private_key,
            scopes,
        } => [marker, secret(token), secret(rsa_private_key)]
            .into_iter()
            .chain(scopes.iter().map(|s| Some(s.as_str())))
            .collect(),
        // The same fields in the same order; only the key differs (RSA key or secret).
        LegacyToken::TwoLeggedRsa {
            consumer_key,
            rsa_private_key: key,
            requestor_id,
        }
        | LegacyToken::TwoLeggedHmac {
            consumer_key,
            consumer_secret: key,
            requestor_id,
        } => vec![
            marker,
            consumer_key.as_deref(),
            secret(key),
            requestor_id.as_deref(),
        ],
        LegacyToken::OAuthRsa {
            consumer_key,
            rsa_private_key: key,
            token,
            token_secret,
            auth_state,
            next,
            verifier,
        }
        | LegacyToken::OAuthHmac {
            consumer_key,
            consumer_secret: key,
            token,
            token_secret,
            auth_state,
            next,
            verifier,
        } => {
            // `str(auth_state)`.
            state = auth_state.0.to_string();
            vec![
                marker,
                consumer_key.as_deref(),
                secret(key),
                token.as_deref(),
                secret(token_secret),
                Some(state.as_str()),
                next.as_deref(),
                secret(verifier),
            ]
        }
        LegacyToken::OAuth2 {
            client_id,
            client_secret,
            scope,
            user_agent,
            auth_uri,
            token_uri,
            access_token,
            refresh_token,
        } => vec![
            marker,
            client_id.as_deref(),
            secret(client_secret),
            scope.as_deref(),
            user_agent.as_deref(),
            auth_uri.as_deref(),
            token_uri.as_deref(),
            secret(access_token),
            secret(refresh_token),
        ],
    };
    join_parts(parts)
}

/// PY2 `token_from_blob`, strictly (see the module docs).
pub fn from_blob(blob: &str) -> Result<LegacyToken, BlobError> {
    if blob.is_empty() {
        return Err(BlobError::Empty);
    }
    let marker = blob.split('|').next().unwrap_or_default();
    let (name, arity, open): (&'static str, usize, bool) = match marker {
        "1c" => ("1c", 1, false),
        "1a" => ("1a", 1, true),
        "1s" => ("1s", 2, true),
        "1rtl" => ("1rtl", 3, false),
        "1htl" => ("1htl", 3, false),
        "1r" => ("1r", 7, false),
        "1h" => ("1h", 7, false),
        "2o" => ("2o", 8, false),
        other => {
            let shown = if other.len() <= 4 && other.bytes().all(|b| b.is_ascii_graphic()) {
                format!("{other:?}")
            } else {
                format!("{} characters long", other.chars().count())
            };
            return Err(BlobError::UnknownMarker(shown));
        }
    };
    let mut parts = split_parts(blob)?.into_iter().skip(1);
    let found = parts.len();
    // `1a` and `1s` may end at the token: `1s||` has no scopes (PROTOCOLS.md §7.7).
    if (open && found < arity) || (!open && found != arity) {
        return Err(BlobError::FieldCount {
            marker: name,
            expected: arity,
            found,
        });
    }
    let mut next = || parts.next().flatten();
    let secret = |v: Option<String>| v.map(SecretString::new);
    Ok(match name {
        "1c" => LegacyToken::ClientLogin {
            token: secret(next()),
        },
        "1a" => {
            let token = secret(next());
            LegacyToken::AuthSub {
                token,
                scopes: parts_rest(&mut parts),
            }
        }
        "1s" => {
            let token = secret(next());
            let rsa_private_key = secret(next());
            LegacyToken::SecureAuthSub {
                token,
                rsa_private_key,
                scopes: parts_rest(&mut parts),
            }
        }
        "1rtl" | "1htl" => {
            let consumer_key = next();
            let key = secret(next());
            let requestor_id = next();
            if name == "1rtl" {
                LegacyToken::TwoLeggedRsa {
                    consumer_key,
                    rsa_private_key: key,
                    requestor_id,
                }
            } else {
                LegacyToken::TwoLeggedHmac {
                    consumer_key,
                    consumer_secret: key,
                    requestor_id,
                }
            }
        }
        "1r" | "1h" => {
            let consumer_key = next();
            let key = secret(next());
            let token = next();
            let token_secret = secret(next());
            // `int(parts[5])`.
            let auth_state = next()
                .and_then(|s| s.parse::<i64>().ok())
                .map(AuthState)
                .ok_or(BlobError::BadAuthState)?;
            let next_url = next();
            let verifier = secret(next());
            if name == "1r" {
                LegacyToken::OAuthRsa {
                    consumer_key,
                    rsa_private_key: key,
                    token,
                    token_secret,
                    auth_state,
                    next: next_url,
                    verifier,
                }
            } else {
                LegacyToken::OAuthHmac {
                    consumer_key,
                    consumer_secret: key,
                    token,
                    token_secret,
                    auth_state,
                    next: next_url,
                    verifier,
                }
            }
        }
        _ => LegacyToken::OAuth2 {
            client_id: next(),
            client_secret: secret(next()),
            scope: next(),
            user_agent: next(),
            auth_uri: next(),
            token_uri: next(),
            access_token: secret(next()),
            refresh_token: secret(next()),
        },
    })
}

/// The remaining parts as scopes; an empty one (Python's `None`) is dropped.
fn parts_rest(parts: &mut impl Iterator<Item = Option<String>>) -> Vec<String> {
    parts.flatten().collect()
}
