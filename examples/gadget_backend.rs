//! A gadget backend verifying signed fetch (`authz=signed`): the container signs its request
//! RSA-SHA1 with its key and names the owner and viewer; the backend checks the signature
//! with the container's certificate and answers the verified viewer.
//!
//! The backend here is a one-request HTTP server on loopback; the container's side is the
//! library's `sign_signed_fetch` with the project's test key (fixtures/keys/rsa2048_pkcs1.pem,
//! whose certificate is fixtures/keys/rsa2048_cert.pem).
//!
//! ```sh
//! cargo run --example gadget_backend --features rsa,http,gadgets
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use gdata_auth::gadgets::{
    sign_signed_fetch, OpenSocialId, SignedFetchParams, SignedFetchVerifier,
};
use gdata_auth::oauth1::verifier::ReceivedRequest;
use gdata_auth::oauth1::OAuth1Authorizer;
use gdata_auth::transport::{BlockingTransport, ReqwestBlockingTransport};
use gdata_auth::{Context, RsaSigningKey, RsaVerifyingKey};

const CONTAINER_KEY: &str = include_str!("../fixtures/keys/rsa2048_pkcs1.pem");
const CONTAINER_CERT: &str = include_str!("../fixtures/keys/rsa2048_cert.pem");
/// The container's name: the `oauth_consumer_key` of its signed fetches.
const CONTAINER: &str = "container.example.com";
const GADGET: &str = "http://gadgets.example.com/hello.xml";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", run()?);
    Ok(())
}

/// Starts the backend, sends it one signed fetch as the container, and returns its answer.
pub fn run() -> Result<String, Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let backend = SignedFetchVerifier::new(CONTAINER, RsaVerifyingKey::from_pem(CONTAINER_CERT)?);
    let addr = format!("{base}/hello?lang=en");
    let server = std::thread::spawn(move || serve_one(&listener, &backend, &base));

    // The container's side: what Shindig did for gadgets.io.makeRequest(…, SIGNED).
    let container = OAuth1Authorizer::rsa_sha1(CONTAINER, RsaSigningKey::from_pem(CONTAINER_KEY)?);
    let viewer = OpenSocialId::new("alice@example.com").ok_or("bad viewer")?;
    let params = SignedFetchParams::new(GADGET, viewer).with_key_name("container.cer");
    let request = sign_signed_fetch(&addr, &params, &container, &Context::now())?;
    let response = ReqwestBlockingTransport::new()?.send(request)?;
    let answer = response.body_text()?.to_owned();
    server.join().map_err(|_| "the backend thread panicked")??;
    if response.status != 200 {
        return Err(format!("the backend refused: {answer}").into());
    }
    Ok(answer)
}

/// Answers one request: 200 with the verified viewer, or 401 with the reason.
fn serve_one(
    listener: &TcpListener,
    backend: &SignedFetchVerifier,
    base: &str,
) -> Result<(), String> {
    let (stream, _) = listener.accept().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
    let mut request_line = String::new();
    reader
        .read_line(&mut request_line)
        .map_err(|e| e.to_string())?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? <= 2 {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET");
    let target = parts.next().unwrap_or("/");
    // The URL as the container reached it: this server's base and the request target.
    let url = format!("{base}{target}");
    let (status, body) = match backend.verify(&ReceivedRequest::new(method, &url)) {
        Ok(fetch) => (
            "200 OK",
            format!(
                "hello {} (gadget {}, via {})",
                fetch
                    .viewer
                    .map_or_else(|| "anonymous".into(), |v| v.to_string()),
                fetch.app_url,
                fetch.container
            ),
        ),
        Err(e) => ("401 Unauthorized", e.to_string()),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())
}
