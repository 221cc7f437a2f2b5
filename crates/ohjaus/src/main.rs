//! `ohjaus`: the command line of the Ohjaus service.
//!
//! `main` parses the command line, runs one command, and turns its outcome into an exit code:
//! 0 on success, 2 for input the user must fix (one line on stderr naming the field), 1 for
//! anything else (one line on stderr).

mod cli;
mod commands;
mod config;
mod runtime;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ohjaus: {}", failure.line());
            ExitCode::from(failure.exit_code())
        }
    }
}
