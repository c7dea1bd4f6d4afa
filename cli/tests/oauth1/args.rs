//! The request flags `oauth1 sign` and `oauth1 verify` share (one flattened group, worded
//! and required per command) keep the place, the words and the requirements of the
//! contract: on the help page, in the "not provided" list and in the usage line.

use crate::support::{gdauth_with_stdin, help_flags};

/// `gdauth` with `args` and an empty stdin: (exit status, stdout, stderr).
fn gdauth(args: &[&str]) -> (Option<i32>, String, String) {
    gdauth_with_stdin(args, "")
}

#[test]
fn shared_request_flags_keep_their_place_and_words() {
    // (command, the flag after the shared ones, help lines, what a bare command is missing)
    let rows: [(&str, &str, &[&str], &str); 2] = [
        (
            "sign",
            "--consumer-key",
            &[
                " HTTP method of the request (GET, POST, …)\n",
                " Full request URL; its query parameters are signed\n",
                " One decoded parameter of an application/x-www-form-urlencoded body, split at \
                 the first '='; repeat in body order\n",
            ],
            "not provided:\n  --method <M>\n  --url <U>\n  --consumer-key <K>\n\n\
             Usage: gdauth oauth1 sign --method <M> --url <U> --consumer-key <K>\n",
        ),
        (
            "verify",
            "--authorization",
            &[
                "Usage: gdauth oauth1 verify [OPTIONS] --method <M> --url <U>\n",
                "--method <M>\n          HTTP method of the received request\n",
                "--url <U>\n          Full URL as the provider is reached (scheme, host, port), \
                 query included\n",
                "--form <NAME=VALUE>\n          One decoded parameter of the \
                 application/x-www-form-urlencoded body, split at the first '='; repeat in body \
                 order\n",
            ],
            "not provided:\n  --method <M>\n  --url <U>\n\n\
             Usage: gdauth oauth1 verify --method <M> --url <U>\n",
        ),
    ];
    for (command, next, lines, missing) in rows {
        let (code, help, _) = gdauth(&["oauth1", command, "--help"]);
        assert_eq!(code, Some(0), "{command}");
        // The shared flags stand where they stood; the rest are the command's own.
        assert_eq!(
            help_flags(&help)[..4],
            ["--method", "--url", "--form", next],
            "{command}"
        );
        for line in lines {
            assert!(
                help.contains(line),
                "{command} help lacks {line:?}:\n{help}"
            );
        }
        let (code, stdout, stderr) = gdauth(&["oauth1", command]);
        assert_eq!(code, Some(2), "{command}");
        assert!(stdout.is_empty(), "{command}: {stdout}");
        assert!(stderr.contains(missing), "{command}: {stderr}");
    }
}
