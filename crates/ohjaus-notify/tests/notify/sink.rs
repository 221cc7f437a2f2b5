//! The SMTP server of the tests: `tests/interop/smtp_sink.py` (aiosmtpd) run by the interpreter
//! in `OHJAUS_INTEROP_PYTHON`. Without it the SMTP tests say so and pass, unless
//! `OHJAUS_INTEROP_REQUIRED=1` (CI), where a missing interpreter fails them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/interop/smtp_sink.py");

/// The interpreter to run the sink with, or `None` (after printing why) when the test should
/// be skipped.
pub fn python(test: &str) -> Option<PathBuf> {
    match std::env::var_os("OHJAUS_INTEROP_PYTHON") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            let required = std::env::var("OHJAUS_INTEROP_REQUIRED").is_ok_and(|v| v == "1");
            assert!(!required, "{test}: OHJAUS_INTEROP_PYTHON is not set but OHJAUS_INTEROP_REQUIRED=1");
            eprintln!(
                "{test}: skipped — set OHJAUS_INTEROP_PYTHON to a Python with aiosmtpd (tests/interop/requirements.txt)"
            );
            None
        }
    }
}

/// A running sink.
pub struct Sink {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Where it stores messages.
    pub dir: PathBuf,
    #[allow(dead_code, reason = "used by the worker tests")]
    python: PathBuf,
}

impl Sink {
    /// Starts a sink storing into `dir` on `port` (0: a free one).
    pub fn start(python: &Path, dir: &Path, port: u16) -> Sink {
        let (child, port) = spawn(python, dir, port);
        Sink { child, port, dir: dir.to_owned(), python: python.to_owned() }
    }

    /// `smtp://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (connections are refused from now on).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port and folder.
    #[allow(dead_code, reason = "used by the worker tests")]
    pub fn restart(&mut self) {
        self.stop();
        let (child, port) = spawn(&self.python, &self.dir, self.port);
        self.child = child;
        self.port = port;
    }

    /// The messages received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("the sink folder")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names.iter().map(|path| std::fs::read_to_string(path).expect("a message file")).collect()
    }

    /// Waits until at least `count` messages arrived (or `limit` passed), and returns them.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<String> {
        let start = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count || start.elapsed() > limit {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Runs the script; returns the process and the port it listens on.
fn spawn(python: &Path, dir: &Path, port: u16) -> (Child, u16) {
    let mut child = Command::new(python)
        .arg(SCRIPT)
        .arg("--dir")
        .arg(dir)
        .arg("--port")
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the SMTP sink starts");
    let stdout = child.stdout.take().expect("a stdout pipe");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the sink says where it listens");
    let port = line
        .trim()
        .strip_prefix("LISTENING ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the sink did not start: {line:?}"));
    (child, port)
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
    }
}
