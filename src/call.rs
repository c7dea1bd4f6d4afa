//! One protocol step run over a transport: the request a pure `prepare_*` built and the pure
//! `parse_*` that reads its answer, sent by async or blocking code alike.
//!
//! This is the only glue between the pure protocol code and I/O, written once: a protocol
//! adds steps that return a [`Call`], never twin async and blocking functions. The caller
//! picks the transport at the end (`.send(&http).await` or `.send_blocking(&http)`), in the
//! manner of oauth2-rs's `request_async` / `request` over one prepared request.

use crate::transport::{BlockingTransport, HttpRequest, HttpResponse, Transport, TransportError};

/// The reader of a step's answer.
type Parser<T, E> = Box<dyn FnOnce(HttpResponse) -> Result<T, E> + Send>;

/// A prepared request and the parser of its answer; nothing is sent until
/// [`Call::send`] or [`Call::send_blocking`].
#[must_use = "a Call does nothing until it is sent"]
pub struct Call<T, E> {
    request: Result<HttpRequest, E>,
    parse: Parser<T, E>,
}

impl<T, E: core::fmt::Debug> core::fmt::Debug for Call<T, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl<T, E: From<TransportError>> Call<T, E> {
    /// A step: `request` (or the error preparing it) and how to read the answer.
    pub fn new(
        request: Result<HttpRequest, E>,
        parse: impl FnOnce(HttpResponse) -> Result<T, E> + Send + 'static,
    ) -> Self {
        Self {
            request,
            parse: Box::new(parse),
        }
    }

    /// The request that would be sent, or why it could not be prepared.
    pub fn request(&self) -> Result<&HttpRequest, &E> {
        self.request.as_ref()
    }

    /// Takes the step apart, for callers who send the request themselves: the request, and
    /// the function that reads the answer.
    #[allow(clippy::type_complexity)]
    pub fn into_parts(
        self,
    ) -> (
        Result<HttpRequest, E>,
        Box<dyn FnOnce(HttpResponse) -> Result<T, E> + Send>,
    ) {
        (self.request, self.parse)
    }

    /// Sends the request over an async transport and reads the answer.
    pub async fn send<H: Transport + ?Sized>(self, transport: &H) -> Result<T, E> {
        let response = transport.send(self.request?).await?;
        (self.parse)(response)
    }

    /// Sends the request over a blocking transport and reads the answer.
    pub fn send_blocking<H: BlockingTransport + ?Sized>(self, transport: &H) -> Result<T, E> {
        let response = transport.send(self.request?)?;
        (self.parse)(response)
    }
}

/// A [`Call`] bound to the transport that will carry it, as a protocol client hands it out:
/// `.await` it over an async [`Transport`], or call [`Pending::blocking`] over a
/// [`BlockingTransport`].
#[must_use = "a Pending call does nothing until it is awaited or run with .blocking()"]
pub struct Pending<'h, H: ?Sized, T, E> {
    call: Call<T, E>,
    http: &'h H,
}

impl<H: ?Sized, T, E: core::fmt::Debug> core::fmt::Debug for Pending<'_, H, T, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pending")
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<'h, H: ?Sized, T, E: From<TransportError>> Pending<'h, H, T, E> {
    /// Binds `call` to `http`.
    pub fn new(call: Call<T, E>, http: &'h H) -> Self {
        Self { call, http }
    }

    /// The step itself, unbound (to send it over another transport).
    pub fn into_call(self) -> Call<T, E> {
        self.call
    }
}

impl<H: BlockingTransport + ?Sized, T, E: From<TransportError>> Pending<'_, H, T, E> {
    /// Sends the request over the blocking transport and reads the answer.
    pub fn blocking(self) -> Result<T, E> {
        self.call.send_blocking(self.http)
    }
}

impl<'h, H, T, E> core::future::IntoFuture for Pending<'h, H, T, E>
where
    H: Transport + ?Sized,
    T: Send + 'h,
    E: From<TransportError> + Send + 'h,
{
    type Output = Result<T, E>;
    type IntoFuture =
        core::pin::Pin<Box<dyn core::future::Future<Output = Result<T, E>> + Send + 'h>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.call.send(self.http))
    }
}
