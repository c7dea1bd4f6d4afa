//! `gdauth clientlogin login`: the flags and help of the contract, and logins against a
//! loopback responder written here (std's `TcpListener` answering canned ClientLogin
//! answers; `tests/serve.rs` drives the emulator): success, each error, a CAPTCHA then the
//! one retry, with the password fed on stdin and never echoed.

#[path = "../support/mod.rs"]
mod support;

mod args;
mod login;
mod responder;
