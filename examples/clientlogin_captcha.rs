//! ClientLogin with a CAPTCHA: a login that Google (here, the emulator) answers with
//! `Error=CaptchaRequired` is shown to the user, answered once, and retried with
//! `login_with_captcha`; the token then reads a calendar feed.
//!
//! With no argument it starts an in-process emulator that asks for a CAPTCHA on every login
//! (`with_captcha_after(0)`) whose answer is `gdata`, and answers it itself. Given a base URL
//! (e.g. `gdauth serve --addr 127.0.0.1:8080 --captcha-after 0`), it logs in there as
//! `user@example.com` / `password` and reads the answer from stdin after showing the image
//! URL.
//!
//! ```sh
//! cargo run --example clientlogin_captcha --all-features
//! cargo run --example clientlogin_captcha --all-features -- http://127.0.0.1:8080
//! ```

use std::io::BufRead as _;

use gdata_auth::clientlogin::flow::{self, login, login_with_captcha};
use gdata_auth::clientlogin::{ClientLoginError, Credentials, Password, Service};
use gdata_auth::emulator::{Emulator, EmulatorConfig, DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD};
use gdata_auth::endpoints::Endpoints;
use gdata_auth::transport::ReqwestBlockingTransport;
use gdata_auth::Request;

/// The answer the in-process emulator's CAPTCHAs show.
const ANSWER: &str = "gdata";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(std::env::args().nth(1))
}

/// The whole example, against `base` or (`None`) an in-process emulator; the test suite
/// runs it this way.
pub fn run(base: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let (base, emulator) = match base {
        Some(base) => (base, None),
        None => {
            let config = EmulatorConfig::new()
                .with_captcha_after(0)
                .with_captcha_answer(ANSWER);
            let emulator = Emulator::start(config)?;
            (emulator.base_url().to_owned(), Some(emulator))
        }
    };
    let endpoints = Endpoints::at(&base)?;
    let http = ReqwestBlockingTransport::new()?;
    let credentials = Credentials::new(
        DEFAULT_USER_EMAIL,
        Password::new(DEFAULT_USER_PASSWORD),
        Service::Calendar,
    )
    .with_source("gdata-auth-example-1");

    let tokens = match login(&endpoints, &credentials).send_blocking(&http) {
        Err(ClientLoginError::CaptchaRequired(challenge)) => {
            println!("CAPTCHA required: open {}", challenge.image_url());
            let answer = if emulator.is_some() {
                println!("(the in-process emulator's answer is {ANSWER:?})");
                ANSWER.to_owned()
            } else {
                println!("type the characters it shows:");
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim().to_owned()
            };
            // One retry, never a loop: repeated attempts lock accounts (SECURITY.md §3).
            login_with_captcha(&endpoints, &credentials, &challenge, &answer)
                .send_blocking(&http)?
        }
        // The in-process emulator asks every time (`with_captcha_after(0)`): a login
        // without a challenge there means the example no longer shows what it says.
        Ok(_) if emulator.is_some() => return Err("the emulator asked for no CAPTCHA".into()),
        other => other?,
    };
    drop(credentials);
    println!("signed in; Auth token {}…", &tokens.auth().secret()[..8]);

    let feed = Request::new(
        "GET",
        &format!("{base}/calendar/feeds/default/private/full"),
    )?;
    let resp = flow::feed(&tokens.authorizer(), &feed)
        .send_blocking(&http)?
        .error_for_status()?;
    println!(
        "calendar feed: HTTP {} ({} bytes)",
        resp.status,
        resp.body.len()
    );
    Ok(())
}
