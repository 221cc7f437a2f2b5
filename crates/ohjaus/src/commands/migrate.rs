//! `ohjaus migrate`: applies the migrations and exits.

use super::Failure;
use crate::config::{Config, redact_url};

/// Connects and migrates.
pub async fn run(config: Config) -> Result<(), Failure> {
    let store = crate::runtime::open_store(&config).await?;
    store.close().await.map_err(|e| Failure::Runtime(e.into()))?;
    println!("migrations applied to {}", redact_url(&config.database.url));
    Ok(())
}
