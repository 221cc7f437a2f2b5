//! `ohjaus backup FILE [--force]`: a consistent copy of the SQLite database, taken while the
//! service runs (see `ohjaus_store::backup`). The copy is written beside FILE under a
//! temporary name and moved into place whole, so FILE is never half a database; without
//! `--force` an existing FILE is never replaced, even one made while the copy was written.

use super::Failure;
use crate::config::{Config, redact_url};
use crate::runtime::{connect, sqlite_file};
use anyhow::Context as _;
use std::path::Path;

/// Copies the database to `file`.
pub async fn run(config: Config, file: &Path, force: bool) -> Result<(), Failure> {
    let url = &config.database.url;
    let Some(database) = sqlite_file(url) else {
        return Err(Failure::input(if url.starts_with("sqlite") {
            "an in-memory database has nothing to back up".to_owned()
        } else {
            format!(
                "`ohjaus backup` copies a SQLite database; {} is PostgreSQL: back it up with `pg_dump -Fc` \
                 and restore with `pg_restore` (README, \"Backups\")",
                redact_url(url)
            )
        }));
    };
    if !database.is_file() {
        return Err(Failure::input(format!("there is no database at {}", database.display())));
    }
    if file.exists() && !force {
        return Err(Failure::input(format!("{} exists; give --force to replace it", file.display())));
    }
    let name = file.file_name().ok_or_else(|| Failure::input(format!("{} is not a file name", file.display())))?;
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Failure::input(format!("the folder {} does not exist", folder.display())));
    }
    let partial = folder.join(format!(".{}.{}.partial", name.to_string_lossy(), std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let store = connect(&config).await?;
    let copied = store.copy_sqlite_into(&partial).await.map_err(anyhow::Error::from);
    let _ = store.close().await;
    let placed = copied.and_then(|()| place(&partial, file, force));
    if let Err(error) = placed {
        let _ = std::fs::remove_file(&partial);
        return Err(error.context(format!("backing up {} to {}", database.display(), file.display())).into());
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("backed up {} to {} ({bytes} bytes)", database.display(), file.display());
    Ok(())
}

/// Moves the finished copy to `file`: over it with `force`, else only if `file` still does
/// not exist (a hard link fails if it does; the copy's own name is then removed).
fn place(partial: &Path, file: &Path, force: bool) -> anyhow::Result<()> {
    if force {
        return std::fs::rename(partial, file).with_context(|| format!("moving the copy to {}", file.display()));
    }
    match std::fs::hard_link(partial, file) {
        Ok(()) => {
            let _ = std::fs::remove_file(partial);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{} was made meanwhile; give --force to replace it", file.display())
        }
        // A file system without hard links: the existence was checked just before.
        Err(_) => std::fs::rename(partial, file).with_context(|| format!("moving the copy to {}", file.display())),
    }
}
