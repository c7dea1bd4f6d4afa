//! ClientLogin: the gdata-python-client vectors, every `Error=` code and malformed answer
//! (GNOME libgdata's table) with nothing lost after each, CAPTCHA URL resolution, request
//! bodies, the prepare/parse pairs and the retry paths through closure transports, no
//! password or token in any error or `Debug`, and the emulator's ClientLogin over loopback.

#[path = "../support/mod.rs"]
mod support;

mod captcha_urls;
mod emulator;
mod errors;
mod flow_pure;
mod no_secret_leaks;
mod request_body;
mod vectors;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use gdata_auth::clientlogin::{Credentials, Password, Service};
use gdata_auth::transport::{HttpRequest, HttpResponse, TransportError};

pub const EMAIL: &str = "jo@gmail.com";
pub const PASSWORD: &str = "north23AZ";
pub const SOURCE: &str = "Gulp-CalGulp-1.05";

/// The credentials most tests log in with.
pub fn credentials() -> Credentials {
    Credentials::new(EMAIL, Password::new(PASSWORD), Service::Calendar).with_source(SOURCE)
}

/// An answer with `status` and `body`.
pub fn answer(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, body.as_bytes().to_vec())
}

/// The requests a [`scripted`] transport received.
pub type Sent = Arc<Mutex<Vec<HttpRequest>>>;

/// A blocking transport that answers with `answers` in order (and fails the test when it
/// runs out), recording each request.
pub fn scripted(
    answers: Vec<Result<HttpResponse, TransportError>>,
) -> (
    impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
    Sent,
) {
    let sent: Sent = Arc::default();
    let queue = Mutex::new(VecDeque::from(answers));
    let log = Arc::clone(&sent);
    let transport = move |req: HttpRequest| {
        log.lock().unwrap().push(req);
        queue
            .lock()
            .unwrap()
            .pop_front()
            .expect("the transport was called more often than scripted")
    };
    (transport, sent)
}

/// The decoded form fields of a request body, in order.
pub fn fields(req: &HttpRequest) -> Vec<(String, String)> {
    gdata_auth::encoding::parse_form(std::str::from_utf8(&req.body).unwrap()).unwrap()
}

/// The decoded value of form field `name` (which must appear at most once).
pub fn field(req: &HttpRequest, name: &str) -> Option<String> {
    let all = fields(req);
    let mut values = all.iter().filter(|(n, _)| n == name);
    let first = values.next().map(|(_, v)| v.clone());
    assert!(values.next().is_none(), "{name} twice in the body");
    first
}
