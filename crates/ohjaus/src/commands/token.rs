//! `ohjaus token create|revoke|list`: API tokens, made by the operator acting as an admin.

use super::Failure;
use crate::cli::{TokenAction, TokenCreate};
use crate::config::Config;
use ohjaus_store::{Caller, StoreError};

/// Creates, revokes or lists.
pub async fn run(config: Config, action: TokenAction) -> Result<(), Failure> {
    let store = crate::runtime::open_store(&config).await?;
    let operator = Caller::Admin;
    match action {
        TokenAction::Create(create) => {
            let grants = grants(&create);
            let created = store
                .create_api_token(&operator, grants, create.label.as_deref(), config.clock().now())
                .await
                .map_err(store_failure)?;
            // The secret is shown once and never stored.
            println!("{}", created.secret.expose());
        }
        TokenAction::Revoke { id } => {
            store.revoke_api_token(&operator, id, config.clock().now()).await.map_err(store_failure)?;
            println!("revoked {id}");
        }
        TokenAction::List => {
            for token in store.list_api_tokens(&operator).await.map_err(store_failure)? {
                let json = serde_json::to_string(&token).map_err(|e| Failure::Runtime(e.into()))?;
                println!("{json}");
            }
        }
    }
    Ok(())
}

fn grants(create: &TokenCreate) -> Caller {
    // clap's argument group guarantees exactly one of them.
    match (create.supervisor, create.person, create.coordinator) {
        (Some(supervisor_id), _, _) => Caller::Supervisor { supervisor_id },
        (_, Some(person_id), _) => Caller::Participant { person_id },
        (_, _, Some(organization_id)) => Caller::Coordinator { organization_id },
        _ => Caller::Admin,
    }
}

/// Store errors a user can fix are input errors (exit 2).
pub fn store_failure(error: StoreError) -> Failure {
    match error {
        StoreError::NotFound { .. } | StoreError::Invalid(_) | StoreError::State(_) | StoreError::Conflict(_) => {
            Failure::input(error)
        }
        other => Failure::Runtime(other.into()),
    }
}
