//! The sign-in links sent lately to one email address: what the sign-in rate limit counts in
//! the database, so that every instance of the service sees the same count.
//!
//! Counts kept in a process (per token, per client address) live with the API and the pages;
//! this one must hold across `ohjaus serve` processes behind a load balancer, or an attacker
//! would get one allowance per instance to flood a mailbox with.

use crate::entity::{login_link, person, supervisor};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::Email;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};

impl Store {
    /// How many sign-in links were made since `since` for the people and supervisors whose
    /// address is `email` (case does not matter). One statement, the same whether the address
    /// is known or not, so that its time does not tell. A malformed address has none.
    pub async fn sign_in_links_since(&self, email: &str, since: DateTime<Utc>) -> Result<u64, StoreError> {
        let Ok(email) = Email::parse("email", email.trim()) else {
            return Ok(0);
        };
        let wanted = email.as_str().to_lowercase();
        let people = Query::select()
            .column(person::Column::Id)
            .from(person::Entity)
            .and_where(ExprTrait::eq(Expr::expr(Func::lower(Expr::col(person::Column::Email))), wanted.clone()))
            .to_owned();
        let supervisors = Query::select()
            .column(supervisor::Column::Id)
            .from(supervisor::Entity)
            .and_where(ExprTrait::eq(Expr::expr(Func::lower(Expr::col(supervisor::Column::Email))), wanted))
            .to_owned();
        let owners = Condition::any()
            .add(
                Condition::all()
                    .add(login_link::Column::OwnerKind.eq("person"))
                    .add(login_link::Column::OwnerId.in_subquery(people)),
            )
            .add(
                Condition::all()
                    .add(login_link::Column::OwnerKind.eq("supervisor"))
                    .add(login_link::Column::OwnerId.in_subquery(supervisors)),
            );
        Ok(login_link::Entity::find()
            .filter(login_link::Column::CreatedAt.gt(since))
            .filter(owners)
            .count(self.connection())
            .await?)
    }
}
