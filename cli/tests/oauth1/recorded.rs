//! `gdauth oauth1 verify` accepts every request GNOME libgdata sent to www.google.com (and
//! Google answered) in its July 2013 recordings, with the `oauth_*` parameters split between
//! the header and the form body (the default Google profile).

use std::process::Command;

use gdata_auth::encoding::parse_form;

use crate::support::recordings::{fully_known, recordings};

/// `--form NAME=VALUE` flags for a recorded body: each decoded pair.
fn form_flags(body: &str) -> Vec<String> {
    parse_form(body)
        .unwrap()
        .into_iter()
        .flat_map(|(n, v)| ["--form".to_owned(), format!("{n}={v}")])
        .collect()
}

#[test]
fn gdauth_oauth1_verify_accepts_every_recorded_request() {
    let rows = recordings();
    for r in fully_known(&rows) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gdauth"));
        cmd.args(["oauth1", "verify", "--method", "POST", "--url", &r.url])
            .args(form_flags(&r.body))
            .args(["--authorization", &r.authorization])
            .args(["--consumer-secret", "anonymous"])
            .args(["--now", &r.sent_at.to_string()]);
        if let Some(s) = &r.token_secret {
            cmd.args(["--token-secret", s]);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {} {}",
            r.trace,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.starts_with("ok: HMAC-SHA1 signature valid for consumer anonymous"),
            "{}: {stdout}",
            r.trace
        );
    }
}
