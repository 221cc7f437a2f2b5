//! The independent Python readers of `tests/interop/`: Python's `email` package, `icalendar`
//! with `recurring-ical-events`, and `vobject`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of the interop scripts.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// The Python with the interop packages, from `OHJAUS_INTEROP_PYTHON`. `None` (and a note on
/// stderr) when unset, unless `OHJAUS_INTEROP_REQUIRED=1`, which makes it a failure.
pub fn python(test: &str) -> Option<PathBuf> {
    match std::env::var("OHJAUS_INTEROP_PYTHON") {
        Ok(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            assert!(
                std::env::var("OHJAUS_INTEROP_REQUIRED").as_deref() != Ok("1"),
                "OHJAUS_INTEROP_REQUIRED=1 but OHJAUS_INTEROP_PYTHON is not set"
            );
            eprintln!(
                "e2e: {test} NOT RUN (set OHJAUS_INTEROP_PYTHON to a Python with tests/interop/requirements.txt)"
            );
            None
        }
    }
}

/// Runs an interop script with `args` and parses its JSON output (exit status 0 or 1).
pub fn run_json(python: &Path, script: &str, args: &[&Path]) -> Value {
    let output = Command::new(python)
        .arg(interop_dir().join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {script}: {e}"));
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{script} failed ({:?}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// What a calendar client shows after the messages `files` (applied in order):
/// `{"occurrences": [{"uid", "start", "end"}], "problems": [...]}`.
pub fn calendar_view(python: &Path, files: &[PathBuf]) -> Value {
    let args: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    run_json(python, "ics_check.py", &args)
}

/// Python's `email` reading of one message (see `eml_check.py`).
pub fn email_view(python: &Path, file: &Path) -> Value {
    run_json(python, "eml_check.py", &[file])
}
