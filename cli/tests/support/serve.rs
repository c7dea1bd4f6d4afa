//! `gdauth serve` as a child process for the CLI tests: started on a free loopback port, its
//! base URL read from the readiness line, its log (stderr) collected, and killed when the
//! guard drops, so a failing test leaves no server behind.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A running `gdauth serve --addr 127.0.0.1:0 …`; killed on drop.
pub struct Serve {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Serve {
    /// Starts `gdauth serve --addr 127.0.0.1:0` with `args` and waits for its readiness
    /// line (`listening on http://127.0.0.1:PORT`).
    pub fn start(args: &[&str]) -> Serve {
        Self::start_at("127.0.0.1:0", args)
    }

    /// As [`Serve::start`], listening on `addr` (a restart on the port a killed server
    /// used, so the URLs its clients signed still name it).
    pub fn start_at(addr: &str, args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gdauth"))
            .arg("serve")
            .args(["--addr", addr])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gdauth serve");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("serve's stdout is piped"))
            .read_line(&mut line)
            .expect("read serve's readiness line");
        // Collect the log in the background: a full pipe would block the server.
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("serve's stderr is piped");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                if let Ok(mut log) = sink.lock() {
                    log.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let base = match line
            .strip_prefix("listening on ")
            .and_then(|l| l.strip_suffix('\n'))
        {
            Some(base) => base.to_owned(),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("gdauth serve: unexpected first line {line:?}");
            }
        };
        Serve { child, base, log }
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// What the server has logged on stderr so far (one line per request).
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Whether the log holds `needle` within 5 s: the log is another process's stderr,
    /// read in the background, so a line may trail the answer it describes.
    pub fn logged(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
