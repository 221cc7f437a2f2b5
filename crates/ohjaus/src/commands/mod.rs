//! The commands and how their failures are reported.

mod backup;
mod coordinator;
mod demo;
mod mail;
mod migrate;
mod plan;
mod serve;
mod token;
mod worker;

use crate::cli::{Cli, Command};
use crate::config::Config;
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

impl From<ohjaus_notify::WorkerError> for Failure {
    fn from(error: ohjaus_notify::WorkerError) -> Self {
        Self::Runtime(error.into())
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Plan { file } = &cli.command {
        // Planning is pure: no configuration, no database, no runtime.
        return plan::run(file);
    }
    let config = Config::load(cli.config.as_deref())?;
    if let Command::Mail { action } = &cli.command {
        // Reading the mail folder needs no database and no runtime.
        return mail::run(&config, action);
    }
    crate::runtime::init_logging(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("starting the async runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { no_worker } => serve::run(config, !no_worker).await,
            Command::Worker => worker::run(config).await,
            Command::Migrate => migrate::run(config).await,
            Command::Token { action } => token::run(config, action).await,
            Command::Coordinator { action } => coordinator::run(config, action).await,
            Command::Demo => demo::run(config).await,
            Command::Backup { file, force } => backup::run(config, &file, force).await,
            Command::Plan { .. } | Command::Mail { .. } => unreachable!("handled above"),
        }
    })
}
