//! The contract of `gdauth clientlogin login`: its flags in order with their words, what a
//! bare command is missing, refused flag values (exit status 2, before any password is
//! read).

use crate::support::{gdauth_with_stdin, help_flags};

/// `gdauth` with `args` and an empty stdin: (exit status, stdout, stderr).
fn gdauth(args: &[&str]) -> (Option<i32>, String, String) {
    gdauth_with_stdin(args, "")
}

#[test]
fn login_flags_keep_their_names_and_words() {
    let (code, help, _) = gdauth(&["clientlogin", "login", "--help"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        help_flags(&help),
        [
            "--email",
            "--service",
            "--source",
            "--account-type",
            "--endpoint",
            "--json",
            "--help",
            "--version"
        ]
    );
    for line in [
        "Usage: gdauth clientlogin login [OPTIONS] --email <E> --service <S>\n",
        "--source <S>",
        "--account-type <T>",
        "[possible values: HOSTED_OR_GOOGLE, GOOGLE, HOSTED]",
        "--endpoint <URL>",
        "[default: https://www.google.com]",
        "{\"auth\", \"sid\", \"lsid\"}",
    ] {
        assert!(help.contains(line), "help lacks {line:?}:\n{help}");
    }
    let (code, stdout, stderr) = gdauth(&["clientlogin", "login"]);
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("not provided:\n  --email <E>\n  --service <S>\n"),
        "{stderr}"
    );
    let (code, help, _) = gdauth(&["clientlogin", "--help"]);
    assert_eq!(code, Some(0));
    assert!(help.contains("login"), "{help}");
    let (_, help, _) = gdauth(&["--help"]);
    assert!(help.contains("clientlogin"), "{help}");
}

#[test]
fn refused_values_exit_2_before_reading_a_password() {
    let base = [
        "clientlogin",
        "login",
        "--email",
        "jo@gmail.com",
        "--service",
        "cl",
    ];
    let rows: [(&[&str], &str); 6] = [
        (&["--endpoint", "ftp://h.example/"], "--endpoint"),
        (&["--endpoint", "not a url"], "--endpoint"),
        (&["--endpoint", "http://u:p@h.example/"], "--endpoint"),
        (&["--account-type", "A TEST"], "--account-type"),
        (&["--source", ""], "--source must not be empty"),
        (&["--email", ""], "--email"),
    ];
    for (extra, want) in rows {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let (code, stdout, stderr) = gdauth(&args);
        assert_eq!(code, Some(2), "{extra:?}: {stderr}");
        assert!(stdout.is_empty(), "{extra:?}");
        assert!(stderr.contains(want), "{extra:?}: {stderr}");
        // stdin is empty: had the command read a password, it would say so.
        assert!(
            !stderr.contains("no password"),
            "{extra:?}: read stdin: {stderr}"
        );
    }
}
