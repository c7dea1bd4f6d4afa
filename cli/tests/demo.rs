//! `gdauth demo`, the README's main-job command: it must walk every step against its own
//! emulator and end with every outcome as expected.

use std::process::{Command, Output};
use std::sync::OnceLock;

/// One `gdauth demo` run, shared by the tests that read its output (it takes seconds).
fn demo() -> &'static Output {
    static RUN: OnceLock<Output> = OnceLock::new();
    RUN.get_or_init(|| {
        Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .arg("demo")
            .output()
            .unwrap()
    })
}

#[test]
fn demo_runs_every_step_and_succeeds() {
    let out = demo();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for section in [
        "HMAC-SHA1, callback URL",
        "RSA-SHA1, out-of-band",
        "Two-legged",
        "replayed request is refused",
        "Revocation",
        "ClientLogin: three wrong passwords, then a CAPTCHA",
        "ClientLogin: the Auth token on the feeds",
        "AuthSub web flow, secure",
        "OAuth 1.0 → 2.0: the migration grant",
        "OAuth 2.0: refresh, and bearer requests to the feeds",
        "Retiring the OAuth 1.0 token",
        "OAuth 2.0 for new users: the installed-app flow (replaces ClientLogin)",
        "OAuth 2.0 on a device without a browser: the device flow",
        "Gadgets: the container's OAuth Proxy (makeRequest, authz=oauth)",
        "Gadgets: signed fetch to a gadget backend (authz=signed)",
    ] {
        assert!(stdout.contains(section), "missing section {section:?}");
    }
    // Refusals were really refused (replay, wrong scope, revoked), and the server said why.
    for problem in [
        "nonce_used",
        "permission_denied",
        "token_revoked",
        "Error=BadAuthentication",
        "Error=CaptchaRequired",
        "Captcha?ctoken=",
        "Token invalid",
        "grant_type=urn:ietf:params:oauth:grant-type:migration:oauth1",
        "\"refresh_token\":\"1//",
        "Authorization: Bearer ya29.",
        "insufficient_scope",
        "\"error\":\"invalid_token\"",
        "The OAuth 2.0 grant lives on",
        "/o/oauth2/auth?response_type=code&client_id=desktop.apps.googleusercontent.com",
        "<title>Signed in</title>",
        "\"error\":\"authorization_pending\"",
        "device approved by user@example.com",
        "granted to desktop.apps.googleusercontent.com",
        // The gadget flow: refused with an approval URL, approved, the feed, a second
        // gadget refused, and signed fetch verified then refused when tampered.
        "throw 1; < don't be evil' >",
        "\"oauthApprovalUrl\":",
        "/gadgets/oauthcallback?cs=",
        "the container signed the fetch with the stored token: rc 200",
        "refused with its own approval URL: tokens are kept per (viewer, gadget, service)",
        "the backend verified it with the container's certificate: viewer user@example.com",
        "signed fetch refused: signature invalid",
    ] {
        assert!(stdout.contains(problem), "missing {problem}");
    }
    assert!(stdout.contains("demo complete: 61 steps"), "{stdout}");
    assert!(!stderr.contains("panicked"));
    // The consumer secret never appears, not even in the emulator's log lines.
    assert!(!stdout.contains("demo-consumer-secret"));
    // Nor the password, the CAPTCHA answer or a whole ClientLogin token.
    assert!(!stdout.contains("demo-password") && !stdout.contains("gdata<"));
    // Nor the OAuth 2.0 client secret or a whole OAuth 2.0 token.
    assert!(!stdout.contains("demo-oauth2-client-secret"));
    assert!(!stdout.contains("desktop-client-secret"));
    // Nor a whole authorization code, device code or PKCE verifier.
    assert!(!stdout.contains("code_verifier="));
    for prefix in ["ya29.", "1//", "4%2F0A", "4/0A", "AH-1"] {
        for (i, _) in stdout.match_indices(prefix) {
            let rest = &stdout[i + prefix.len()..];
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(
                token.len() <= 6 && rest[token.len()..].starts_with('…'),
                "{}",
                &stdout[i..i + 40]
            );
        }
    }
    for line in stdout
        .lines()
        .filter(|l| l.contains("Authorization: GoogleLogin"))
    {
        if let Some((_, token)) = line.split_once("auth=") {
            assert!(token.ends_with('…'), "{line}");
        }
    }
    // AuthSub tokens are printed shortened, never whole: a hex run after a token prefix
    // stops within eight characters.
    for line in stdout.lines() {
        for prefix in ["token=\"CK", "token=\"DQAA", "token=CK", "Token=DQAA"] {
            if let Some(at) = line.find(prefix) {
                let value = &line[at + prefix.len()..];
                let run = value.chars().take_while(|c| c.is_ascii_hexdigit()).count();
                assert!(run <= 8, "a whole token printed: {line}");
            }
        }
    }
}

#[test]
fn headings_and_steps_are_numbered_across_sections() {
    // The runner numbers the headings and steps of every protocol's section in one series.
    let out = demo();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let headings: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .map(|l| l.split_once(". ").unwrap().0)
        .collect();
    assert_eq!(
        headings,
        (1..=16).map(|n| n.to_string()).collect::<Vec<_>>()
    );
    let steps: Vec<usize> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  ["))
        .map(|l| l.split_once(']').unwrap().0.parse().unwrap())
        .collect();
    assert_eq!(steps, (1..=61).collect::<Vec<_>>());
}

/// `gdauth --help` says what the tool does today: each protocol group it has, and nothing
/// it does not have (AuthSub is not served by the emulator yet).
#[test]
fn help_describes_what_exists() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for group in [
        "oauth1",
        "authsub",
        "clientlogin",
        "migrate",
        "serve",
        "demo",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(group)),
            "{group} missing from:\n{help}"
        );
    }
    assert!(help.contains("OAuth 2.0"), "{help}");
}
