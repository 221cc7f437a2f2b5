//! `audit_events`: One audited act — a note read, an export, an erasure, notes deleted after
//! their retention — by whom, when and about whom; never what a note says.

use sea_orm::entity::prelude::*;

/// A row of `audit_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `occurred_at`.
    pub occurred_at: DateTimeUtc,
    /// `actor_role`: admin, coordinator, supervisor, participant or worker.
    pub actor_role: String,
    /// `actor_id`.
    pub actor_id: Option<Uuid>,
    /// `action`: note_read, export, erasure or note_deletion.
    pub action: String,
    /// `person_id`.
    pub person_id: Option<Uuid>,
    /// `session_id`.
    pub session_id: Option<Uuid>,
    /// `count`.
    pub count: i32,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
