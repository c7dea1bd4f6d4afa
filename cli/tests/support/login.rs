//! `gdauth oauth2 login` as a child process for the CLI and browser tests: its stderr (the
//! prompts: the URL to open, the verification page and user code) read line by line as it
//! comes, so a test can act as the user while the command waits, then its exit status and
//! stdout.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A running `gdauth oauth2 login …`; killed on drop if it has not finished.
pub struct Login {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

/// How a finished login ended.
pub struct Finished {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its stdout.
    pub stdout: String,
    /// Every stderr line.
    pub stderr: Vec<String>,
}

impl Login {
    /// Starts `gdauth oauth2 login` with `args`.
    pub fn start(args: &[&str]) -> Login {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .args(["oauth2", "login"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gdauth oauth2 login");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Login {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first stderr line (from the start) that `matches`, waiting up to 20 s.
    pub fn line(&mut self, matches: impl Fn(&str) -> bool) -> String {
        if let Some(l) = self.seen.iter().find(|l| matches(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if matches(&l) {
                        return l;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no such line from gdauth oauth2 login; saw {:?}", self.seen);
    }

    /// Waits (up to 30 s) for the command to end.
    pub fn finish(mut self) -> Finished {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "gdauth oauth2 login still running; stderr so far {:?}",
                self.seen
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_string(&mut stdout).expect("read stdout");
        }
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(l);
        }
        Finished {
            success: status.success(),
            stdout,
            stderr: std::mem::take(&mut self.seen),
        }
    }
}

impl Drop for Login {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
