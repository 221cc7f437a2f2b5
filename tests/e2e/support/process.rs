//! The `ohjaus` program as a real process: one-shot commands (`token create`, `migrate`) and
//! `serve` / `worker` running in the background, found on the port the system chose.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The program under test with its settings (environment variables `OHJAUS_<SECTION>__<KEY>`).
#[derive(Debug, Clone)]
pub struct Program {
    env: Vec<(String, String)>,
}

impl Program {
    /// The program on `database_url`, mail to `mail_dir` as files, HTTP on a free port, quiet
    /// logs, fast polling, no schedules (tests that want them turn them on), and its clock
    /// started at [`super::test_now`].
    pub fn new(database_url: &str, mail_dir: &std::path::Path) -> Self {
        Self {
            env: vec![
                ("OHJAUS_DATABASE__URL".into(), database_url.into()),
                ("OHJAUS_HTTP__LISTEN".into(), "127.0.0.1:0".into()),
                ("OHJAUS_MAIL__TRANSPORT".into(), "file".into()),
                ("OHJAUS_MAIL__DIR".into(), mail_dir.display().to_string()),
                ("OHJAUS_WORKER__POLL_INTERVAL_MS".into(), "50".into()),
                ("OHJAUS_SCHEDULE__ENABLED".into(), "false".into()),
                ("OHJAUS_LOG__LEVEL".into(), "info,sqlx=warn,sea_orm_migration=warn".into()),
                ("OHJAUS_CLOCK__START".into(), super::test_now().to_rfc3339()),
                // A key of its own, so no key file is made in the working folder.
                ("OHJAUS_SECRETS__KEY".into(), "b2hqYXVzIGUyZSB0ZXN0IHNlY3JldHMga2V5LCAzMmI=".into()),
            ],
        }
    }

    /// The same with the program's clock starting at `now`.
    #[must_use]
    pub fn at(self, now: chrono::DateTime<chrono::Utc>) -> Self {
        self.with("OHJAUS_CLOCK__START", &now.to_rfc3339())
    }

    /// The same with one more setting (a later one wins).
    #[must_use]
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// The path of the built program.
    pub fn path() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_ohjaus-under-test"))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(Self::path());
        command.args(args).env_remove("RUST_LOG");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs a one-shot command to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the program runs")
    }

    /// A new admin token (`ohjaus token create --admin`).
    pub fn admin_token(&self) -> String {
        let output = self.run(&["token", "create", "--admin", "--label", "e2e"]);
        assert!(output.status.success(), "token create failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("UTF-8").trim().to_owned()
    }

    /// Starts `args` (`serve`, `worker`) in the background.
    pub fn spawn(&self, args: &[&str]) -> ServerProcess {
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the program starts");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        // Drain stderr on a thread, so a chatty process never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut log) = sink.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        ServerProcess { child, log }
    }

    /// Starts `serve` and waits until it listens; gives the process and its base URL.
    pub fn serve(&self, args: &[&str]) -> (ServerProcess, String) {
        let mut process = self.spawn(&[&["serve"], args].concat());
        let base = process.wait_for_log("listening on http://", Duration::from_secs(60)).map_or_else(
            || panic!("serve did not start listening; its log:\n{}", process.log()),
            |line| {
                let address = line.split("listening on http://").nth(1).unwrap_or_default().trim();
                format!("http://{}", address.split_whitespace().next().unwrap_or_default())
            },
        );
        (process, base)
    }
}

/// A running `ohjaus` process. Killed when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits for a log line containing `needle`; gives the line.
    pub fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> Option<String> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(line) = self.log().lines().find(|l| l.contains(needle)) {
                return Some(line.to_owned());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the process exited ({status}) before logging {needle:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a graceful exit; gives whether it exited with success.
    pub fn terminate(&mut self, timeout: Duration) -> bool {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}
