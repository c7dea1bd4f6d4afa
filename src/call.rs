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
