//! Gadgets: the one legacy path where the application never signed anything itself. An
//! OpenSocial container (Apache Shindig, iGoogle, orkut) ran an **OAuth Proxy** for the
//! gadgets it hosted: the gadget spec's `<ModulePrefs><OAuth>` section named the service
//! provider's three URLs, and the container did the OAuth 1.0 dance and signed the feed
//! requests on the gadget's behalf. The same containers offered **signed fetch**: the
//! container signs a request to the gadget's own backend RSA-SHA1 with its key, naming the
//! owner and viewer, and the backend verifies it (the seed, "Authentication for Gadgets").
//!
//! * [`spec`]: the spec's `<OAuth>` section, parsed with quick-xml into this crate's
//!   [`Endpoints`](crate::endpoints::Endpoints) and
//!   [`RequestTokenOptions`](crate::oauth1::RequestTokenOptions).
//! * [`make_request`] (feature `serde`): the container's `makeRequest` call and its JSON
//!   answer behind the `throw 1; < don't be evil' >` prefix.
//! * [`signed_fetch`] (feature `rsa`): signed fetch, signed as the container and verified
//!   as the backend with the existing [`Verifier`](crate::oauth1::verifier::Verifier),
//!   the owner and viewer as [`OpenSocialId`]s.
//!
//! The emulator (feature `emulator`) plays the container: see
//! [`crate::emulator`]'s "Gadgets" section.

#[cfg(feature = "serde")]
pub mod make_request;
#[cfg(feature = "rsa")]
pub mod signed_fetch;
pub mod spec;

#[cfg(feature = "serde")]
pub use make_request::{
    Authz, MakeRequest, MakeRequestError, MakeRequestResponse, MAX_ANSWER_BYTES, UNPARSEABLE_CRUFT,
};
#[cfg(feature = "rsa")]
pub use signed_fetch::{
    sign_signed_fetch, OpenSocialId, SignedFetch, SignedFetchError, SignedFetchParams,
    SignedFetchVerifier,
};
pub use spec::{
    GadgetSpec, OAuthService, ParamLocation, ServiceEndpoint, SpecError, TokenMethod,
    MAX_SPEC_BYTES,
};
