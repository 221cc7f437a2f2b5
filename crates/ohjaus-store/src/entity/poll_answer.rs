//! `poll_answers`: A voter's answer to one option: `answer` yes|if_need_be|no.

use sea_orm::entity::prelude::*;

/// A row of `poll_answers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "poll_answers")]
pub struct Model {
    /// `voter_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub voter_id: Uuid,
    /// `option_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub option_id: Uuid,
    /// `answer`.
    pub answer: String,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
