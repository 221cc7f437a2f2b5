//! `ohjaus coordinator grant|revoke PERSON_ID`: who coordinates an organization on the pages
//! (the API's coordinators hold `token create --coordinator` tokens instead).

use super::Failure;
use super::token::store_failure;
use crate::cli::CoordinatorAction;
use crate::config::Config;
use ohjaus_store::Caller;

/// Grants or revokes, acting as an admin.
pub async fn run(config: Config, action: CoordinatorAction) -> Result<(), Failure> {
    let store = crate::runtime::open_store(&config).await?;
    let (person_id, coordinates) = match action {
        CoordinatorAction::Grant { person_id } => (person_id, true),
        CoordinatorAction::Revoke { person_id } => (person_id, false),
    };
    store.set_coordinator(&Caller::Admin, person_id, coordinates, config.clock().now()).await.map_err(store_failure)?;
    println!("{person_id} {} a coordinator of their organization", if coordinates { "is now" } else { "is no longer" });
    Ok(())
}
