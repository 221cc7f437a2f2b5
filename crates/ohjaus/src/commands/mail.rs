//! `ohjaus mail last|list`: the messages the `file` transport wrote to `mail.dir`, as a person
//! reads them. An `.eml` file is MIME, its text quoted-printable: a sign-in link in it is
//! broken over lines and `=3D` stands for `=`, so it cannot be copied from the file. These
//! commands decode it (mail-parser) and print the plain text with its links whole.

use super::Failure;
use crate::cli::MailAction;
use crate::config::Config;
use mail_parser::{Address, MessageParser};
use ohjaus_notify::TransportKind;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Shows the newest message, or lists them.
pub fn run(config: &Config, action: &MailAction) -> Result<(), Failure> {
    let folder = &config.mail.dir;
    if config.mail.transport != TransportKind::File {
        return Err(Failure::input(format!(
            "mail.transport is {:?}: messages are not written to {}; only the file transport's can be read here",
            config.mail.transport,
            folder.display()
        )));
    }
    let messages = messages(folder)?;
    let mut out = std::io::stdout().lock();
    let written = match action {
        MailAction::Last => {
            let Some(newest) = messages.first() else {
                return Err(Failure::input(format!(
                    "no messages in {} yet (the worker of `ohjaus serve` writes them within a second or two)",
                    folder.display()
                )));
            };
            out.write_all(show(&newest.0)?.as_bytes())
        }
        MailAction::List => messages.iter().try_for_each(|(path, _)| {
            let Ok(bytes) = std::fs::read(path) else { return Ok(()) };
            let Some(message) = MessageParser::default().parse(&bytes) else { return Ok(()) };
            let date = message.date().map(|d| d.to_rfc3339()).unwrap_or_default();
            let to = message.to().map(addresses).unwrap_or_default();
            writeln!(out, "{date}  {to}  {}", message.subject().unwrap_or_default())
        }),
    };
    match written {
        // A reader that stopped early (`| head`) is not a failure.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Runtime(e.into())),
        _ => Ok(()),
    }
}

/// The `.eml` files of `folder` (not the hidden ones still being written), newest first.
fn messages(folder: &Path) -> Result<Vec<(PathBuf, SystemTime)>, Failure> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        // Made by the worker when it starts: nothing was written yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Failure::input(format!("cannot read the mail folder {}: {e}", folder.display()))),
    };
    let mut found: Vec<(PathBuf, SystemTime)> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".eml") && !name.starts_with('.')
        })
        .map(|entry| {
            let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
            (entry.path(), modified)
        })
        .collect();
    // Newest first; among files of the same moment the later name (ids grow with time).
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    Ok(found)
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Runtime(anyhow::anyhow!("reading {}: {e}", path.display())))
}

/// `Name <address>, …`.
fn addresses(address: &Address<'_>) -> String {
    address
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.to_owned(),
            (Some(name), None) => name.to_owned(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message at `path` decoded: its headers and its plain text.
fn show(path: &Path) -> Result<String, Failure> {
    let bytes = read(path)?;
    let message = MessageParser::default()
        .parse(&bytes)
        .ok_or_else(|| Failure::Runtime(anyhow::anyhow!("{} is not an email message", path.display())))?;
    let mut text = String::new();
    let mut header = |name: &str, value: String| text.push_str(&format!("{name}: {value}\n"));
    header("From", message.from().map(addresses).unwrap_or_default());
    header("To", message.to().map(addresses).unwrap_or_default());
    header("Subject", message.subject().unwrap_or_default().to_owned());
    header("Date", message.date().map(ToString::to_string).unwrap_or_default());
    header("File", path.display().to_string());
    text.push('\n');
    text.push_str(message.body_text(0).as_deref().unwrap_or_default().trim_end());
    text.push('\n');
    Ok(text)
}
