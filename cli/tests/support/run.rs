//! Running the `gdauth` binary in the CLI tests.

use std::path::Path;
use std::process::Command;

/// What one run of `gdauth` answered.
pub struct Run {
    /// The exit status (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output, UTF-8.
    pub stdout: String,
    /// Standard error, UTF-8.
    pub stderr: String,
}

/// Runs `gdauth` with `args`, from the package directory.
pub fn gdauth<S: AsRef<str>>(args: &[S]) -> Run {
    gdauth_in(env!("CARGO_MANIFEST_DIR"), args)
}

/// Runs `gdauth` with `args` from `dir` (the README's examples run from the repository
/// root).
pub fn gdauth_in<S: AsRef<str>>(dir: impl AsRef<Path>, args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .current_dir(dir)
        .args(args.iter().map(AsRef::as_ref))
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
