//! The one trait every scheme implements, so a call site moves from OAuth 1.0 (or AuthSub,
//! or ClientLogin) to OAuth 2.0 by swapping the authorizer and nothing else.

use crate::error::Error;
use crate::request::{Authorization, Context, Request};

/// Produces the `Authorization` header value for a request. Pure: no I/O, no clock, no
/// randomness beyond what the [`Context`] carries (RSA blinding excepted).
///
/// Object safe: hold a `Box<dyn Authorizer>` or `Arc<dyn Authorizer>`.
pub trait Authorizer: Send + Sync {
    /// Authorizes `request` with the timestamp and nonce in `ctx`.
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, Error>;
}

impl<A: Authorizer + ?Sized> Authorizer for std::sync::Arc<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, Error> {
        (**self).authorize(request, ctx)
    }
}

impl<A: Authorizer + ?Sized> Authorizer for Box<A> {
    fn authorize(&self, request: &Request, ctx: &Context) -> Result<Authorization, Error> {
        (**self).authorize(request, ctx)
    }
}
