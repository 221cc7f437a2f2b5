//! The command line, as `API.md` defines it.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Ohjaus schedules work supervision and coaching series.
#[derive(Debug, Parser)]
#[command(name = "ohjaus", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plans a series from a series body (JSON) without booking anything, and prints the
    /// sessions, the days skipped and the conflicts with the given busy times.
    Plan {
        /// The series body as JSON; `-` reads standard input.
        file: PathBuf,
    },
}
