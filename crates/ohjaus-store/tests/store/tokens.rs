//! API tokens and calendar-feed tokens: only hashes are stored, revocation works, roles map to
//! callers, feed tokens replace each other.

use crate::store_test;
use crate::support::TestDb;
use crate::world::{World, assert_forbidden, assert_not_found, before};
use chrono::TimeDelta;
use ohjaus_store::entity::{api_token, calendar_token};
use ohjaus_store::write::tokens::{ApiRole, FeedOwner, secret_hash};
use ohjaus_store::{Backend, Caller};
use sea_orm::EntityTrait;
use uuid::Uuid;

/// Every byte of a SQLite database (main file and WAL) contains no `needle`.
fn sqlite_files_lack(db: &TestDb, needle: &str) {
    let path = db.url().trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
    for file in [path.clone(), format!("{path}-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} found in {file}");
        }
    }
}

store_test! {
    async fn api_tokens_are_stored_as_hashes_and_authenticate(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let grants = [Caller::Admin, w.coord_a(), w.sup1(), w.p1()];
        let mut secrets = Vec::new();
        for grant in grants {
            let made = store.create_api_token(&Caller::Admin, grant, Some("ci"), now).await.unwrap();
            assert!(made.secret.expose().starts_with("ohj_"));
            assert_eq!(made.token.role, ApiRole::of(&grant).0);
            assert_eq!(store.authenticate(made.secret.expose(), now).await.unwrap(), Some(grant));
            secrets.push(made.secret.expose().to_owned());
        }
        let rows = api_token::Entity::find().all(store.connection()).await.unwrap();
        assert_eq!(rows.len(), 4);
        for secret in &secrets {
            assert!(rows.iter().any(|r| r.token_hash == secret_hash(secret)));
            for row in &rows {
                assert_ne!(&row.token_hash, secret);
                assert!(!row.token_hash.contains(&secret[4..]));
                assert_eq!(row.token_hash.len(), 64);
            }
        }
        if db.backend() == Backend::Sqlite {
            for secret in &secrets {
                sqlite_files_lack(&db, &secret[4..]);
            }
        }
        // Unknown, malformed, empty, or another kind of token: nobody.
        for wrong in ["", "ohj_", "ohj_AAAA", "Bearer x", &secrets[0][..secrets[0].len() - 1], &"ohj_x".repeat(100)] {
            assert_eq!(store.authenticate(wrong, now).await.unwrap(), None, "{wrong}");
        }
        let listed = store.list_api_tokens(&Caller::Admin).await.unwrap();
        assert_eq!(listed.len(), 4);
        assert!(listed.iter().all(|t| t.label.as_deref() == Some("ci")));
        db.finish().await;
    }
}

store_test! {
    async fn only_admins_manage_api_tokens_and_subjects_must_exist(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        for caller in [w.coord_a(), w.sup1(), w.p1()] {
            assert_forbidden(store.create_api_token(&caller, Caller::Admin, None, now).await);
            assert_forbidden(store.list_api_tokens(&caller).await);
            assert_forbidden(store.revoke_api_token(&caller, Uuid::now_v7(), now).await);
        }
        let nobody = Uuid::now_v7();
        for grant in [
            Caller::Coordinator { organization_id: nobody },
            Caller::Supervisor { supervisor_id: nobody },
            Caller::Participant { person_id: nobody },
            // Ids of the wrong kind: a person is not an organization.
            Caller::Coordinator { organization_id: w.p1 },
            Caller::Supervisor { supervisor_id: w.org_a },
        ] {
            assert_not_found(store.create_api_token(&Caller::Admin, grant, None, now).await);
        }
        assert_not_found(store.revoke_api_token(&Caller::Admin, nobody, now).await);
        assert!(matches!(
            store.create_api_token(&Caller::Admin, Caller::Admin, Some("a\r\nb"), now).await,
            Err(ohjaus_store::StoreError::Invalid(_))
        ));
        assert!(api_token::Entity::find().all(store.connection()).await.unwrap().is_empty());
        db.finish().await;
    }
}

store_test! {
    async fn revoked_tokens_authenticate_nobody(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let kept = store.create_api_token(&Caller::Admin, w.sup1(), None, now).await.unwrap();
        let made = store.create_api_token(&Caller::Admin, w.coord_a(), Some("old laptop"), now).await.unwrap();
        assert!(store.authenticate(made.secret.expose(), now).await.unwrap().is_some());
        let later = now + TimeDelta::hours(1);
        let revoked = store.revoke_api_token(&Caller::Admin, made.token.id, later).await.unwrap();
        assert_eq!(revoked.revoked_at, Some(later));
        assert_eq!(store.authenticate(made.secret.expose(), later).await.unwrap(), None);
        // Revoking again keeps the first time.
        let again = store.revoke_api_token(&Caller::Admin, made.token.id, later + TimeDelta::hours(1)).await.unwrap();
        assert_eq!(again.revoked_at, Some(later));
        assert_eq!(store.authenticate(kept.secret.expose(), later).await.unwrap(), Some(w.sup1()));
        let listed = store.list_api_tokens(&Caller::Admin).await.unwrap();
        assert_eq!(listed.iter().filter(|t| t.revoked_at.is_some()).count(), 1);
        db.finish().await;
    }
}

store_test! {
    async fn last_use_is_kept_coarsely(db: TestDb) {
        let store = &db.store;
        let now = before();
        let made = store.create_api_token(&Caller::Admin, Caller::Admin, None, now).await.unwrap();
        let last_used = || async {
            store.list_api_tokens(&Caller::Admin).await.unwrap()[0].last_used_at
        };
        assert_eq!(last_used().await, None);
        store.authenticate(made.secret.expose(), now).await.unwrap();
        assert_eq!(last_used().await, Some(now));
        store.authenticate(made.secret.expose(), now + TimeDelta::minutes(4)).await.unwrap();
        assert_eq!(last_used().await, Some(now), "within five minutes nothing is written");
        store.authenticate(made.secret.expose(), now + TimeDelta::minutes(6)).await.unwrap();
        assert_eq!(last_used().await, Some(now + TimeDelta::minutes(6)));
        db.finish().await;
    }
}

store_test! {
    async fn calendar_tokens_replace_each_other(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        for caller in [Caller::Admin, w.coord_a()] {
            assert_forbidden(store.create_calendar_token(&caller, now).await);
            assert_forbidden(store.revoke_calendar_tokens(&caller, now).await);
        }
        let first = store.create_calendar_token(&w.p1(), now).await.unwrap();
        assert!(first.secret.expose().starts_with("ohjcal_"));
        assert_eq!(store.resolve_calendar_token(first.secret.expose()).await.unwrap(), Some(FeedOwner::Person(w.p1)));
        // An API token is not a feed token, nor the other way round.
        assert_eq!(store.authenticate(first.secret.expose(), now).await.unwrap(), None);
        let second = store.create_calendar_token(&w.p1(), now + TimeDelta::minutes(1)).await.unwrap();
        assert_eq!(store.resolve_calendar_token(first.secret.expose()).await.unwrap(), None, "the leaked link is dead");
        assert_eq!(store.resolve_calendar_token(second.secret.expose()).await.unwrap(), Some(FeedOwner::Person(w.p1)));
        // Another owner's tokens are untouched.
        let sup = store.create_calendar_token(&w.sup1(), now).await.unwrap();
        let other = store.create_calendar_token(&w.p2(), now).await.unwrap();
        assert_eq!(store.resolve_calendar_token(sup.secret.expose()).await.unwrap(), Some(FeedOwner::Supervisor(w.s1)));
        assert_eq!(store.revoke_calendar_tokens(&w.p1(), now).await.unwrap(), 1);
        assert_eq!(store.resolve_calendar_token(second.secret.expose()).await.unwrap(), None);
        assert_eq!(store.resolve_calendar_token(other.secret.expose()).await.unwrap(), Some(FeedOwner::Person(w.p2)));
        assert_eq!(store.resolve_calendar_token("ohjcal_nothing").await.unwrap(), None);
        let rows = calendar_token::Entity::find().all(store.connection()).await.unwrap();
        assert_eq!(rows.len(), 4);
        for secret in [&first.secret, &second.secret, &sup.secret, &other.secret] {
            assert!(rows.iter().all(|r| r.token_hash != secret.expose()));
            if db.backend() == Backend::Sqlite {
                sqlite_files_lack(&db, &secret.expose()[7..]);
            }
        }
        db.finish().await;
    }
}
