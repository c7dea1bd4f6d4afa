//! AuthSub, Google's "Authentication for Web Applications" (PROTOCOLS.md §2): plain and
//! secure, client side and the provider's signature check, over plain data.
//!
//! * [`url`]: the `AuthSubRequest` URL with its validated `next` ([`NextUrl`]), and the
//!   single-use token read from the redirect back ([`parse_reply`]).
//! * [`header`]: the `Authorization: AuthSub` header: token check, secure data string,
//!   build, and a parser for every layout Google's clients sent.
//! * [`AuthSubAuthorizer`]: the [`crate::Authorizer`] for an AuthSub token, non-secure or
//!   secure ([`Security`]; secure signs with the shared [`crate::rsa_sha1`] keys).
//! * [`types`] and [`flow`]: the tokens, and the session upgrade, revocation and token info
//!   as `prepare_*` / `parse_*` pairs run by [`crate::Call`].
//! * [`verifier`] (feature `rsa`): the provider's check of a received secure request.
//!
//! Out of scope here: the provider's state (token lookup, nonce replay, the registered
//! domain's `next` check), which the emulator keeps, and DSA-signed requests
//! (`sigalg="dsa-sha1"`, JAVA and NET only), refused by the parser.

mod authorizer;
mod error;
pub mod flow;
pub mod header;
pub mod types;
pub mod url;
#[cfg(feature = "rsa")]
pub mod verifier;

pub use authorizer::{AuthSubAuthorizer, Security, Signed};
pub use error::{
    AuthSubError, DataError, FlowError, HeaderError, HeaderParam, Malformed, NextUrlError,
    TokenError, VerifyError,
};
pub use flow::{
    parse_revoke, parse_session_token, parse_token_info, prepare_revoke, prepare_session_token,
    prepare_token_info, revoke, session_token, token_info,
};
pub use types::{Session, SessionToken, SingleUseToken, TokenInfo};
pub use url::{parse_reply, request_url, AuthSubRequestOptions, NextUrl};
