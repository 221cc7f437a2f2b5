//! Webhooks (issue 12): the endpoints an organization (or an admin, for all organizations)
//! registers, the events the changes emit, one delivery per endpoint and event with its
//! attempts, and the idempotency keys of the API's writes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) `webhook_endpoints`, `webhook_events`,
/// `webhook_deliveries` and `idempotency_keys`.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn instant(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn instant_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // An endpoint: of one organization, or of every organization (`organization_id` NULL,
        // registered by an admin). The signing secret is sealed (`Store::secrets`); after a
        // rotation the previous one is kept, sealed, until `previous_secret_expires_at`.
        // `event_types` is a JSON array of types (empty: every type).
        manager
            .create_table(
                Table::create()
                    .table("webhook_endpoints")
                    .col(pk_uuid("id"))
                    .col(uuid_null("organization_id"))
                    .col(text("url"))
                    .col(text("description").default(""))
                    .col(text("event_types").default("[]"))
                    .col(boolean("enabled"))
                    .col(text_null("disabled_reason"))
                    .col(text("secret"))
                    .col(text_null("previous_secret"))
                    .col(instant_null("previous_secret_expires_at"))
                    .col(instant_null("failing_since"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_endpoints_organization_id")
                            .from("webhook_endpoints", "organization_id")
                            .to("organizations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_endpoints_organization")
                    .table("webhook_endpoints")
                    .col("organization_id")
                    .take(),
            )
            .await?;

        // An event as sent: its type, the series it belongs to (deliveries of one series go
        // out in order), and the JSON body signed and posted.
        manager
            .create_table(
                Table::create()
                    .table("webhook_events")
                    .col(pk_uuid("id"))
                    .col(uuid_null("organization_id"))
                    .col(text("event_type"))
                    .col(uuid_null("series_id"))
                    .col(text("payload"))
                    .col(instant("created_at"))
                    .take(),
            )
            .await?;

        // One event to one endpoint: claimed by a worker under a lease like the outbox,
        // retried on a schedule, its last answer kept (status, time, at most 1 kB of body).
        manager
            .create_table(
                Table::create()
                    .table("webhook_deliveries")
                    .col(pk_uuid("id"))
                    .col(uuid("endpoint_id"))
                    .col(uuid("event_id"))
                    .col(uuid_null("series_id"))
                    .col(text("status").check(Expr::col("status").is_in(["pending", "sending", "delivered", "failed"])))
                    .col(integer("attempts").default(0))
                    .col(instant("next_attempt_at"))
                    .col(text_null("lease_owner"))
                    .col(instant_null("lease_expires_at"))
                    .col(instant_null("last_attempt_at"))
                    .col(integer_null("last_status_code"))
                    .col(integer_null("last_duration_ms"))
                    .col(text_null("last_error"))
                    .col(text_null("last_response"))
                    .col(instant_null("delivered_at"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_endpoint_id")
                            .from("webhook_deliveries", "endpoint_id")
                            .to("webhook_endpoints", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_event_id")
                            .from("webhook_deliveries", "event_id")
                            .to("webhook_events", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_webhook_deliveries_endpoint_event")
                    .table("webhook_deliveries")
                    .col("endpoint_id")
                    .col("event_id")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_status_next")
                    .table("webhook_deliveries")
                    .col("status")
                    .col("next_attempt_at")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_endpoint_series")
                    .table("webhook_deliveries")
                    .col("endpoint_id")
                    .col("series_id")
                    .col("status")
                    .take(),
            )
            .await?;

        // An `Idempotency-Key` of a caller: the hash of the request it came with and, once
        // answered, the answer to replay (until `expires_at`).
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(pk_uuid("id"))
                    .col(text("caller"))
                    .col(text("key"))
                    .col(text("request_hash"))
                    .col(integer_null("response_status"))
                    .col(text_null("response_headers"))
                    .col(blob_null("response_body"))
                    .col(instant("created_at"))
                    .col(instant("expires_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_idempotency_keys_caller_key")
                    .table("idempotency_keys")
                    .col("caller")
                    .col("key")
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["idempotency_keys", "webhook_deliveries", "webhook_events", "webhook_endpoints"] {
            manager.drop_table(Table::drop().table(table).if_exists().take()).await?;
        }
        Ok(())
    }
}
