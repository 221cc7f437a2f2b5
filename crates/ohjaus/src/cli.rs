//! The command line: the commands and options README.md lists.

use clap::{ArgGroup, Args, Parser, Subcommand};
use std::path::PathBuf;
use uuid::Uuid;

/// Ohjaus schedules work supervision and coaching series.
#[derive(Debug, Parser)]
#[command(name = "ohjaus", version, about)]
pub struct Cli {
    /// A TOML file of settings, applied on top of the built-in config/default.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs migrations, serves HTTP and (unless --no-worker) runs the notification worker.
    Serve {
        /// Serve HTTP only; run `ohjaus worker` elsewhere.
        #[arg(long)]
        no_worker: bool,
    },
    /// Runs the notification worker alone: sends the outbox, reminders and digests.
    Worker,
    /// Applies the database migrations and exits.
    Migrate,
    /// Manages API tokens.
    Token {
        /// What to do.
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Marks a person as a coordinator of their organization (for the web pages), or not.
    Coordinator {
        /// Grant or revoke.
        #[command(subcommand)]
        action: CoordinatorAction,
    },
    /// Fills an empty database with a realistic demo and prints tokens to try the API with.
    Demo,
    /// Copies the SQLite database to FILE, consistently, while the service runs (for
    /// PostgreSQL use pg_dump).
    Backup {
        /// Where the copy goes; it must not exist unless --force.
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Reads the mail the `file` transport wrote (mail.dir), decoded.
    Mail {
        /// What to show.
        #[command(subcommand)]
        action: MailAction,
    },
    /// Plans a series from a series body (JSON) without booking anything, and prints the
    /// sessions, the days skipped and the conflicts with the given busy times.
    Plan {
        /// The series body as JSON; `-` reads standard input.
        file: PathBuf,
    },
}

/// `ohjaus mail …`.
#[derive(Debug, Subcommand)]
pub enum MailAction {
    /// Prints the newest message: From, To, Subject, Date and its plain text, links whole.
    Last,
    /// Lists the messages, newest first: when, to whom, and the subject.
    List,
}

/// `ohjaus coordinator …`.
#[derive(Debug, Subcommand)]
pub enum CoordinatorAction {
    /// The person signs in to the pages as a coordinator of their organization.
    Grant {
        /// The person's id.
        person_id: Uuid,
    },
    /// The person is no longer a coordinator.
    Revoke {
        /// The person's id.
        person_id: Uuid,
    },
}

/// `ohjaus token …`.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Prints a new API token once; only its hash is stored.
    Create(TokenCreate),
    /// Revokes a token by its id (as `token list` shows it).
    Revoke {
        /// The token's id.
        id: Uuid,
    },
    /// Lists tokens (never their secrets).
    List,
}

/// Whom a new token speaks for: exactly one of the options.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("grants").required(true).args(["admin", "supervisor", "person", "coordinator"])))]
pub struct TokenCreate {
    /// An admin token: everything.
    #[arg(long)]
    pub admin: bool,
    /// A supervisor's token: their own series and sessions.
    #[arg(long, value_name = "ID")]
    pub supervisor: Option<Uuid>,
    /// A participant's token: their own sessions and goals.
    #[arg(long, value_name = "ID")]
    pub person: Option<Uuid>,
    /// A coordinator's token for one organization.
    #[arg(long, value_name = "ORG_ID")]
    pub coordinator: Option<Uuid>,
    /// A label to recognise the token by.
    #[arg(long)]
    pub label: Option<String>,
}
