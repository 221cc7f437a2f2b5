//! The Python of the interop tests, named by `OHJAUS_INTEROP_PYTHON` (a venv with
//! `tests/interop/requirements.txt`). Without it those tests say so and pass, unless
//! `OHJAUS_INTEROP_REQUIRED=1` (CI), where a missing interpreter fails them.

use std::path::{Path, PathBuf};

/// The interpreter, or `None` (with a note on stderr) when the test cannot run here.
pub fn python(test: &str) -> Option<PathBuf> {
    match std::env::var("OHJAUS_INTEROP_PYTHON") {
        Ok(path) if !path.trim().is_empty() => Some(PathBuf::from(path)),
        _ => {
            assert!(
                std::env::var("OHJAUS_INTEROP_REQUIRED").as_deref() != Ok("1"),
                "{test}: OHJAUS_INTEROP_REQUIRED=1 but OHJAUS_INTEROP_PYTHON is not set"
            );
            eprintln!("{test}: NOT RUN — set OHJAUS_INTEROP_PYTHON to a Python with tests/interop/requirements.txt");
            None
        }
    }
}

/// `tests/interop/` at the root of the repository.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}
