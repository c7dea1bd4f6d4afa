//! End-to-end tests in a real browser: headless Chromium, driven over WebDriver
//! (chromedriver), signs in on the emulator's consent pages and follows their redirects,
//! as a user would. The harness ([`harness::Browser`]) and the application's callback
//! listener ([`callback::Callback`]) are shared by every protocol's tests; [`oauth1`] covers
//! OAuth 1.0's `OAuthAuthorizeToken` page, [`oauth2`] OAuth 2.0's consent and device pages
//! with `gdauth oauth2 login` as the application.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs); without them the tests fail, unless
//! `GDAUTH_SKIP_BROWSER=1` is set.
#![cfg(unix)]

#[path = "../support/mod.rs"]
mod support;

mod callback;
mod harness;
mod oauth1;
mod oauth2;
