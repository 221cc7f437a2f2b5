//! The commands and how their failures are reported.

mod plan;

use crate::cli::{Cli, Command};
use std::fmt::Display;

/// Why a command failed, and how to say it on one line.
#[derive(Debug)]
pub enum Failure {
    /// The input is wrong; the user must fix it (exit code 2).
    Input(String),
    /// Anything else (exit code 1).
    Runtime(anyhow::Error),
}

impl Failure {
    /// A failure caused by input.
    pub fn input(message: impl Display) -> Self {
        Self::Input(message.to_string())
    }

    /// The one line printed on stderr (newlines in causes are flattened).
    pub fn line(&self) -> String {
        let text = match self {
            Self::Input(message) => message.clone(),
            Self::Runtime(error) => format!("{error:#}"),
        };
        text.replace(['\n', '\r'], " ")
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Runtime(_) => 1,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::Runtime(error)
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Plan { file } => plan::run(&file),
    }
}
