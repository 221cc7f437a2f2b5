//! The `ohjaus` program as a library: configuration, the command line, and the wiring of the
//! store, the API and the worker. `main.rs` only calls [`main`]; the end-to-end tests build the
//! same program under another name to run it as a real process.
//!
//! - [`cli`] — the commands and their options (README.md, "Configuration").
//! - [`config`] — layered settings: built-in defaults, `--config FILE`, `OHJAUS_*` variables.
//! - [`commands`] — one module per command; failures become exit code 2 (input) or 1.
//! - [`runtime`] — logging, the store, the shutdown signal.

pub mod cli;
pub mod commands;
pub mod config;
pub mod runtime;

use clap::Parser as _;
use std::process::ExitCode;

/// Parses the command line, runs one command, and turns its outcome into an exit code: 0 on
/// success, 2 for input the user must fix (one line on stderr naming the field), 1 for
/// anything else (one line on stderr).
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ohjaus: {}", failure.line());
            ExitCode::from(failure.exit_code())
        }
    }
}
