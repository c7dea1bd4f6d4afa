//! The programs in `examples/`, run whole against their in-process emulator: what a reader
//! copies from them works.

#![allow(dead_code)]

#[path = "../../examples/authsub_session.rs"]
mod authsub_session;
#[path = "../../examples/clientlogin_captcha.rs"]
mod clientlogin_captcha;
#[path = "../../examples/oauth2_device.rs"]
mod oauth2_device;
#[path = "../../examples/oauth2_installed_app.rs"]
mod oauth2_installed_app;
#[path = "../../examples/oauth2_service_account.rs"]
mod oauth2_service_account;
#[path = "../../examples/oauth2_web_server.rs"]
mod oauth2_web_server;
#[path = "../../examples/three_legged.rs"]
mod three_legged;
#[path = "../../examples/three_legged_blocking.rs"]
mod three_legged_blocking;

#[test]
fn three_legged_blocking_runs() {
    three_legged_blocking::run(None).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn three_legged_runs() {
    three_legged::run(None).await.unwrap();
}

#[test]
fn authsub_session_runs() {
    authsub_session::run(None).unwrap();
}

#[test]
fn clientlogin_captcha_runs() {
    clientlogin_captcha::run(None).unwrap();
}

#[test]
fn oauth2_web_server_runs() {
    oauth2_web_server::run(None).unwrap();
}

#[test]
fn oauth2_installed_app_runs() {
    oauth2_installed_app::run(None).unwrap();
}

#[test]
fn oauth2_device_runs() {
    oauth2_device::run(None).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth2_service_account_runs() {
    oauth2_service_account::run(None).await.unwrap();
}
