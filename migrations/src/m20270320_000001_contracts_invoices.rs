//! Contracts and invoices (issue 10): the contract terms of a series with the history of their
//! changes, the seller's billing profile and invoice number series per supervisor, invoices
//! (drafts, approved invoices and credit notes) with their lines, and the sessions invoiced.
//!
//! - `contract_terms` — one row per version of a series' terms (`body`: the terms as given,
//!   JSON, validated by the core on the way in and read back through it); the highest version
//!   is in force.
//! - `billing_profiles` — the seller's details (`body`: JSON) per supervisor.
//! - `invoice_number_series` — the seller's prefix and next number: one row per supervisor,
//!   locked and raised in the transaction that numbers an invoice, so numbers are gapless.
//! - `invoices` — `kind` invoice|credit_note, `status` draft|approved; the buyer (`buyer`:
//!   JSON, from the contract) and, once approved, the seller as they were (`seller`: JSON),
//!   the number, its sequence and the date. Numbers are unique per seller; an invoice is
//!   credited at most once.
//! - `invoice_lines` — the lines, as charged when drafted (date, series, status, trial, price,
//!   VAT); never a participant, a note or a goal.
//! - `invoiced_sessions` — a session on an approved invoice: its primary key is the session,
//!   so a session is invoiced at most once however approvals race; a credit note releases
//!   the sessions it credits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) the tables above.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; dropped in reverse.
const TABLES: [&str; 6] =
    ["contract_terms", "billing_profiles", "invoice_number_series", "invoices", "invoice_lines", "invoiced_sessions"];

fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    target_column: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, target_column)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("contract_terms")
                    .col(pk_uuid("id"))
                    .col(uuid("series_id"))
                    .col(integer("version"))
                    .col(text("body"))
                    .col(text("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(&mut fk("contract_terms", "series_id", "series", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_contract_terms_series_version")
                    .table("contract_terms")
                    .col("series_id")
                    .col("version")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("billing_profiles")
                    .col(pk_uuid("supervisor_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("billing_profiles", "supervisor_id", "supervisors", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invoice_number_series")
                    .col(pk_uuid("supervisor_id"))
                    .col(text("prefix"))
                    .col(big_integer("next_number"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("invoice_number_series", "supervisor_id", "supervisors", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invoices")
                    .col(pk_uuid("id"))
                    .col(uuid("supervisor_id"))
                    .col(uuid("organization_id"))
                    .col(text("kind").check(Expr::col("kind").is_in(["invoice", "credit_note"])))
                    .col(text("status").check(Expr::col("status").is_in(["draft", "approved"])))
                    .col(text("period"))
                    .col(text("buyer"))
                    .col(text_null("seller"))
                    .col(text_null("number"))
                    .col(big_integer_null("sequence"))
                    .col(text_null("issue_date"))
                    .col(uuid_null("credits_invoice_id"))
                    .col(text("locale"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .foreign_key(&mut fk("invoices", "supervisor_id", "supervisors", "id"))
                    .foreign_key(&mut fk("invoices", "organization_id", "organizations", "id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoices_credits_invoice_id")
                            .from("invoices", "credits_invoice_id")
                            .to("invoices", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .take(),
            )
            .await?;
        for (name, columns, unique) in [
            ("ux_invoices_supervisor_number", &["supervisor_id", "number"][..], true),
            ("ux_invoices_credits_invoice", &["credits_invoice_id"][..], true),
            ("ix_invoices_organization_status", &["organization_id", "status"][..], false),
            ("ix_invoices_supervisor_period", &["supervisor_id", "period"][..], false),
        ] {
            let mut index = Index::create().name(name).table("invoices").to_owned();
            for column in columns {
                index.col(*column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("invoice_lines")
                    .col(uuid("invoice_id"))
                    .col(integer("line_no"))
                    .col(uuid("session_id"))
                    .col(uuid("series_id"))
                    .col(text("date"))
                    .col(text("series_title"))
                    .col(text("kind"))
                    .col(text("status").check(Expr::col("status").is_in(["held", "late_cancelled"])))
                    .col(boolean("trial"))
                    .col(big_integer("net_cents"))
                    .col(text("currency"))
                    .col(text("vat_category"))
                    .col(text("vat_rate"))
                    .col(text_null("vat_exemption_reason"))
                    .col(text_null("vat_exemption_reason_code"))
                    .primary_key(Index::create().col("invoice_id").col("line_no"))
                    .foreign_key(&mut fk("invoice_lines", "invoice_id", "invoices", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_invoice_lines_session").table("invoice_lines").col("session_id").take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invoiced_sessions")
                    .col(pk_uuid("session_id"))
                    .col(uuid("invoice_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("invoiced_sessions", "invoice_id", "invoices", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoiced_sessions_invoice")
                    .table("invoiced_sessions")
                    .col("invoice_id")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(*table).if_exists().take()).await?;
        }
        Ok(())
    }
}
