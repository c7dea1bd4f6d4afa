//! Requests authorized by any scheme: the request described by a [`Request`], with the
//! `Authorization` header an [`Authorizer`] made for it. Scheme-independent, so a call site
//! keeps these lines whatever authorizer it holds.

use crate::authorizer::{AuthorizeError, Authorizer};
use crate::call::Call;
use crate::error::Error;
use crate::request::{Context, Request};
use crate::transport::{HttpRequest, HttpResponse};

/// `request` (method, URL, form body if any) with the `Authorization` header `authorizer`
/// makes for it, ready to send.
pub fn prepare_signed(
    authorizer: &dyn Authorizer,
    request: &Request,
    ctx: &Context,
) -> Result<HttpRequest, AuthorizeError> {
    let authorization = authorizer.authorize(request, ctx)?;
    Ok(HttpRequest::from_request(request).with_authorization(&authorization))
}

/// [`prepare_signed`] as a [`Call`]; the answer comes back as it came, whatever its status
/// (see [`HttpResponse::is_success`]).
pub fn signed(
    authorizer: &dyn Authorizer,
    request: &Request,
    ctx: &Context,
) -> Call<HttpResponse, Error> {
    Call::new(
        prepare_signed(authorizer, request, ctx).map_err(Error::from),
        Ok,
    )
}
