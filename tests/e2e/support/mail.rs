//! A real SMTP server for the tests (aiosmtpd, `tests/interop/smtp_sink.py`) and the mailbox
//! it writes: one `.eml` file per accepted message, named by arrival time.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// A running SMTP sink. Stopped when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    child: Child,
    /// Closing it stops the sink even if this process dies.
    _stdin: Option<ChildStdin>,
    /// The port it listens on.
    pub port: u16,
    /// Where messages go.
    pub dir: PathBuf,
}

impl SmtpSink {
    /// Starts a sink writing into `dir`, on `port` (0: a free one).
    pub fn start(python: &Path, dir: &Path, port: u16) -> Self {
        let mut child = Command::new(python)
            .arg(crate::support::python::interop_dir().join("smtp_sink.py"))
            .args(["--dir", &dir.display().to_string(), "--port", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP sink starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the sink says where it listens");
        let port = line.trim().strip_prefix("LISTENING ").and_then(|p| p.parse().ok()).unwrap_or_else(|| {
            panic!("unexpected first line of the SMTP sink: {line:?}");
        });
        let stdin = child.stdin.take();
        Self { child, _stdin: stdin, port, dir: dir.to_owned() }
    }

    /// The URL for `OHJAUS_MAIL__SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the sink (an SMTP outage).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The messages in `dir`, oldest first (hidden temporary files excluded).
pub fn messages(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "eml")
                        && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Waits until `dir` holds at least `count` messages; gives them.
pub fn wait_for_messages(dir: &Path, count: usize, timeout: Duration) -> Vec<PathBuf> {
    let started = Instant::now();
    loop {
        let found = messages(dir);
        if found.len() >= count || started.elapsed() > timeout {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The envelope recipient the sink recorded on a message's first line.
pub fn recipient(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines().next().and_then(|l| l.strip_prefix("X-Sink-Rcpt-To: ")).map(str::trim).unwrap_or_default().to_owned()
}
