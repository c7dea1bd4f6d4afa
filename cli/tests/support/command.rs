//! Running the `gdauth` binary in the CLI tests.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// `gdauth` with `args`, fed `stdin`: (exit status, stdout, stderr).
pub fn gdauth_with_stdin<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    stdin: &str,
) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading everything; a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
