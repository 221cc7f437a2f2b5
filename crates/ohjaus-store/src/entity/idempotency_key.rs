//! `idempotency_keys`: An `Idempotency-Key` of one caller: the hash of its request and, once answered, the answer to replay until `expires_at`.

use sea_orm::entity::prelude::*;

/// A row of `idempotency_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `caller`.
    pub caller: String,
    /// `key`.
    pub key: String,
    /// `request_hash`.
    pub request_hash: String,
    /// `response_status` (NULL: still in progress).
    pub response_status: Option<i32>,
    /// `response_headers` (JSON pairs).
    pub response_headers: Option<String>,
    /// `response_body`.
    pub response_body: Option<Vec<u8>>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `expires_at`.
    pub expires_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
