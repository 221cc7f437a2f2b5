//! A small world of two organizations, made through the store (fast, and independent of the
//! handlers under test), with a token for every role. Several worlds fit in one database:
//! every name and address carries the world's number.

use crate::support::{TestApp, now};
use ohjaus_core::SeriesBody;
use ohjaus_store::Caller;
use ohjaus_store::write::closures::NewClosure;
use ohjaus_store::write::goals::{NewGoal, NewReview};
use ohjaus_store::write::invoices::NewDrafts;
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::{NewAbsence, NewSupervisor};
use ohjaus_store::write::teams::NewTeam;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

static WORLDS: AtomicU32 = AtomicU32::new(0);

/// The roles of the authorization matrix, in its column order.
pub const ROLES: [&str; 9] = [
    "admin",
    "coordinator",
    "other_coordinator",
    "supervisor",
    "other_supervisor",
    "participant",
    "outsider",
    "none",
    "revoked",
];

/// Two organizations: A with supervisor S1's series X (team A: person P1; P2 is in A but not in
/// the series) and B with supervisor S2's series Y (person Q1).
#[derive(Debug, Clone)]
pub struct World {
    pub n: u32,
    pub org_a: Uuid,
    pub org_b: Uuid,
    pub sup1: Uuid,
    pub sup2: Uuid,
    pub p1: Uuid,
    pub p2: Uuid,
    pub q1: Uuid,
    pub team_a: Uuid,
    pub team_b: Uuid,
    pub closure_a: Uuid,
    pub absence_s1: Uuid,
    /// Series X of A: ten weekly sessions on Tuesdays 13:00 from 12 January 2027.
    pub series_x: Uuid,
    /// Its sessions in index order.
    pub sessions_x: Vec<Uuid>,
    pub series_y: Uuid,
    pub sessions_y: Vec<Uuid>,
    /// A goal of X not shared with the organization, and one shared.
    pub goal_private: Uuid,
    pub goal_shared: Uuid,
    /// S1's review of the shared goal (phase start).
    pub review_s1: Uuid,
    /// Notes on X's first session: supervisor-only and for participants.
    pub note_private: Uuid,
    pub note_shared: Uuid,
    /// The secret of P1's calendar feed.
    pub feed_p1: String,
    /// S1's approved invoice to A for January 2027 (X's first session, held), and a draft
    /// for March (the first session of a series Z of S1 and team A, held).
    pub invoice_x: Uuid,
    pub draft_x: Uuid,
    /// A connected calendar of S1's and one of P1's (its address refused by the policy, so a
    /// refresh records an error without leaving the machine).
    pub calendar_s1: Uuid,
    pub calendar_p1: Uuid,
    /// A webhook endpoint of A, and a (test) delivery to it.
    pub webhook_a: Uuid,
    pub delivery_a: Uuid,
    /// A rhythm poll of A (S1, team A) with two options in April, and P1's voting link.
    pub poll_a: Uuid,
    pub poll_a_options: Vec<Uuid>,
    pub vote_p1: String,
    /// Bearer tokens by role (see [`ROLES`]; `none` has none, `revoked` is a revoked admin token).
    pub tokens: Vec<Option<String>>,
}

/// X's contract terms: 180 € a session at 25.5 %, the payer with a Peppol id.
pub fn contract_json() -> serde_json::Value {
    json!({
        "price_cents": 18000,
        "vat_category": "S",
        "vat_rate": "25.5",
        "payer": {
            "name": "Kaukolan hyvinvointialue",
            "business_id": "0245458-3",
            "address": {"street": "Sairaalantie 1", "postcode": "00100", "city": "Helsinki"},
            "peppol_id": "0216:003702454583",
            "buyer_reference": "OSASTO-5A"
        }
    })
}

/// S1's billing profile.
pub fn profile_json() -> serde_json::Value {
    json!({
        "legal_name": "Työnohjaus Aino Oy",
        "business_id": "0112038-9",
        "address": {"street": "Kauppakatu 3", "postcode": "40100", "city": "Jyväskylä"},
        "iban": "FI21 1234 5600 0007 85",
        "bic": "NDEAFIHH",
        "payment_terms_days": 14,
        "invoice_prefix": "OHJ-",
        "next_invoice_number": 1042
    })
}

/// The body of a series of A with S1 and team A.
pub fn series_body(w: &World, first_start: &str, count: u32) -> serde_json::Value {
    json!({
        "organization_id": w.org_a,
        "kind": "group_supervision",
        "title": format!("Osasto 5 työnohjaus {}", w.n),
        "supervisor_id": w.sup1,
        "team_id": w.team_a,
        "first_start": first_start,
        "timezone": "Europe/Helsinki",
        "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 1, "count": count},
        "location": "Neuvotteluhuone 2",
    })
}

/// The body of a poll of A for team A with S1: two rhythms in April, clear of series X.
pub fn poll_json(w: &World) -> serde_json::Value {
    json!({
        "kind": "group_supervision",
        "title": format!("Kevään rytmi {}", w.n),
        "supervisor_id": w.sup1,
        "team_id": w.team_a,
        "deadline": "2027-03-01T12:00:00+02:00",
        "options": [
            {"first_start": "2027-04-06T10:00", "duration_minutes": 90,
             "recurrence": {"frequency": "weekly", "interval": 2, "count": 3}},
            {"first_start": "2027-04-08T14:00", "duration_minutes": 90,
             "recurrence": {"frequency": "weekly", "interval": 2, "count": 3}, "location": "Kirjasto"},
        ],
    })
}

/// The voting link's secret last sent to person `person_id` (read from the outbox, where only
/// the invitation carries it).
pub async fn vote_secret(store: &ohjaus_store::Store, person_id: Uuid) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = ohjaus_store::entity::outbox::Entity::find()
        .filter(ohjaus_store::entity::outbox::Column::RecipientId.eq(person_id))
        .filter(ohjaus_store::entity::outbox::Column::Kind.is_in(["poll_invitation", "poll_reminder"]))
        .order_by_desc(ohjaus_store::entity::outbox::Column::Id)
        .all(store.connection())
        .await
        .unwrap();
    let row = rows.first().expect("a poll invitation");
    let notice: ohjaus_core::Notice = serde_json::from_str(&row.payload).unwrap();
    let (ohjaus_core::Notice::PollInvitation { url, .. } | ohjaus_core::Notice::PollReminder { url, .. }) = notice
    else {
        panic!("not a poll notice: {notice:?}")
    };
    url.rsplit('/').next().unwrap().to_owned()
}

impl World {
    /// Makes a world in `app`'s database.
    pub async fn build(app: &TestApp) -> Self {
        let n = WORLDS.fetch_add(1, Ordering::Relaxed);
        let store = &app.store;
        let admin = Caller::Admin;
        let at = now();
        let org = |name: &str| NewOrganization { name: format!("{name} {n}"), timezone: None, locale: None };
        let org_a = store.create_organization(&admin, &org("Keskussairaala, osasto 5"), at).await.unwrap().id;
        let org_b = store.create_organization(&admin, &org("Koivukylän koulu"), at).await.unwrap().id;
        let supervisor = |name: &str, email: &str| NewSupervisor {
            name: name.to_owned(),
            email: format!("{email}.{n}@ohjaus.test"),
            locale: None,
            timezone: None,
            buffer_minutes: Some(15),
            working_hours: None,
        };
        let sup1 = store.create_supervisor(&admin, &supervisor("Aino Ohjaaja", "aino"), at).await.unwrap().id;
        let sup2 = store.create_supervisor(&admin, &supervisor("Bertta Coach", "bertta"), at).await.unwrap().id;
        let person = |name: &str, email: &str| NewPerson {
            name: name.to_owned(),
            email: format!("{email}.{n}@sairaala.test"),
            locale: None,
        };
        let p1 = store.create_person(&admin, org_a, &person("Pekka Hoitaja", "pekka"), at).await.unwrap().id;
        let p2 = store.create_person(&admin, org_a, &person("Paula Hoitaja", "paula"), at).await.unwrap().id;
        let q1 = store.create_person(&admin, org_b, &person("Kalle Opettaja", "kalle"), at).await.unwrap().id;
        let team_a = store
            .create_team(&admin, org_a, &NewTeam { name: "Osasto 5".into(), member_ids: vec![p1] }, at)
            .await
            .unwrap()
            .id;
        let team_b = store
            .create_team(&admin, org_b, &NewTeam { name: "Opettajat".into(), member_ids: vec![q1] }, at)
            .await
            .unwrap()
            .id;
        let closure = NewClosure {
            start_date: "2027-07-01".parse().unwrap(),
            end_date: "2027-07-31".parse().unwrap(),
            reason: Some("Kesä".into()),
        };
        let closure_a = store.add_closure(&admin, org_a, &closure, at).await.unwrap().id;
        let absence = NewAbsence {
            starts_at: "2027-06-01T00:00:00Z".parse().unwrap(),
            ends_at: "2027-06-08T00:00:00Z".parse().unwrap(),
            reason: Some("Loma".into()),
        };
        let absence_s1 = store.add_absence(&admin, sup1, &absence, at).await.unwrap().id;

        let mut world = Self {
            n,
            org_a,
            org_b,
            sup1,
            sup2,
            p1,
            p2,
            q1,
            team_a,
            team_b,
            closure_a,
            absence_s1,
            series_x: Uuid::nil(),
            sessions_x: Vec::new(),
            series_y: Uuid::nil(),
            sessions_y: Vec::new(),
            goal_private: Uuid::nil(),
            goal_shared: Uuid::nil(),
            review_s1: Uuid::nil(),
            note_private: Uuid::nil(),
            note_shared: Uuid::nil(),
            feed_p1: String::new(),
            invoice_x: Uuid::nil(),
            draft_x: Uuid::nil(),
            calendar_s1: calendar_row(store, "supervisor", sup1, at).await,
            calendar_p1: calendar_row(store, "person", p1, at).await,
            webhook_a: Uuid::nil(),
            delivery_a: Uuid::nil(),
            poll_a: Uuid::nil(),
            poll_a_options: Vec::new(),
            vote_p1: String::new(),
            tokens: Vec::new(),
        };
        let body: SeriesBody = serde_json::from_value(series_body(&world, "2027-01-12T13:00", 10)).unwrap();
        let x = store.book_series(&admin, &body, at).await.unwrap();
        world.series_x = x.series.id;
        world.sessions_x = x.sessions.iter().map(|s| s.id).collect();
        let body: SeriesBody = serde_json::from_value(json!({
            "organization_id": org_b, "kind": "individual_coaching", "title": "Rehtorin coaching",
            "supervisor_id": sup2, "participant_ids": [q1], "first_start": "2027-01-13T09:00",
            "duration_minutes": 60, "recurrence": {"frequency": "weekly", "interval": 2, "count": 5},
        }))
        .unwrap();
        let y = store.book_series(&admin, &body, at).await.unwrap();
        world.series_y = y.series.id;
        world.sessions_y = y.sessions.iter().map(|s| s.id).collect();

        let s1 = Caller::Supervisor { supervisor_id: sup1 };
        let goal =
            |text: &str, shared: bool| NewGoal { text: text.into(), focus: None, shared_with_organization: shared };
        world.goal_private =
            store.create_goal(&s1, world.series_x, &goal("Oma jaksaminen", false), at).await.unwrap().id;
        world.goal_shared =
            store.create_goal(&s1, world.series_x, &goal("Perehdytysmalli", true), at).await.unwrap().id;
        let review = NewReview { phase: ohjaus_core::ReviewPhase::Start, rating: 2, comment: Some("Alussa".into()) };
        world.review_s1 = store.add_review(&s1, world.goal_shared, &review, at).await.unwrap().id;
        let note = |text: &str, visibility| NewNote { text: text.into(), visibility };
        world.note_private = store
            .create_note(&s1, world.sessions_x[0], &note("Oma muistiinpano", NoteVisibility::Supervisor), at)
            .await
            .unwrap()
            .id;
        world.note_shared = store
            .create_note(&s1, world.sessions_x[0], &note("Yhteinen muistiinpano", NoteVisibility::Participants), at)
            .await
            .unwrap()
            .id;
        world.feed_p1 = store
            .create_calendar_token(&Caller::Participant { person_id: p1 }, at)
            .await
            .unwrap()
            .secret
            .expose()
            .to_owned();

        // X's contract, S1's billing profile, an approved invoice and a draft.
        store
            .set_contract(&admin, world.series_x, &serde_json::from_value(contract_json()).unwrap(), at)
            .await
            .unwrap();
        store.set_billing_profile(&s1, sup1, &serde_json::from_value(profile_json()).unwrap(), at).await.unwrap();
        let hold = |id: Uuid| async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            ohjaus_store::entity::session::Entity::update_many()
                .col_expr(ohjaus_store::entity::session::Column::Status, Expr::value("held"))
                .filter(ohjaus_store::entity::session::Column::Id.eq(id))
                .exec(store.connection())
                .await
                .unwrap();
        };
        let january = NewDrafts { organization_id: org_a, period: "2027-01".into() };
        let later = "2027-02-01T08:00:00Z".parse().unwrap();
        hold(world.sessions_x[0]).await;
        let first = store.draft_invoices(&s1, &january, later).await.unwrap().drafts[0].id;
        world.invoice_x = store.approve_invoice(&s1, first, later).await.unwrap().id;
        // The draft: series Z of A with S1 and P1, two Thursdays in March (clear of the
        // thirty days the upcoming views show), the first held.
        let mut z = series_body(&world, "2027-03-04T09:00", 2);
        z["title"] = json!(format!("Kevään lisäistunnot {n}"));
        z["contract"] = contract_json();
        let z = store.book_series(&admin, &serde_json::from_value(z).unwrap(), at).await.unwrap();
        hold(z.sessions[0].id).await;
        let march = NewDrafts { organization_id: org_a, period: "2027-03".into() };
        world.draft_x = store.draft_invoices(&s1, &march, later).await.unwrap().drafts[0].id;
        let hook = ohjaus_store::write::webhooks::NewWebhookEndpoint {
            url: format!("https://hooks.sairaala.test/ohjaus/{n}"),
            ..Default::default()
        };
        // (A store without a secrets key — the outage tests' — keeps no webhook secret.)
        if store.secrets().is_ok() {
            world.webhook_a = store.create_webhook_endpoint(&admin, Some(org_a), &hook, at).await.unwrap().endpoint.id;
            world.delivery_a = store.send_test_webhook(&admin, world.webhook_a, at).await.unwrap().id;
        }

        let poll: ohjaus_store::write::polls::PollBody = serde_json::from_value(poll_json(&world)).unwrap();
        let poll = store.create_poll(&admin, org_a, &poll, "http://ohjaus.test/vote/", at).await.unwrap();
        world.poll_a = poll.id;
        world.poll_a_options = poll.options.iter().map(|o| o.id).collect();
        world.vote_p1 = vote_secret(store, p1).await;

        let grants = [
            Caller::Admin,
            Caller::Coordinator { organization_id: org_a },
            Caller::Coordinator { organization_id: org_b },
            Caller::Supervisor { supervisor_id: sup1 },
            Caller::Supervisor { supervisor_id: sup2 },
            Caller::Participant { person_id: p1 },
            Caller::Participant { person_id: p2 },
        ];
        for grant in grants {
            let made = store.create_api_token(&admin, grant, Some("test"), at).await.unwrap();
            world.tokens.push(Some(made.secret.expose().to_owned()));
        }
        world.tokens.push(None);
        let revoked = store.create_api_token(&admin, Caller::Admin, Some("revoked"), at).await.unwrap();
        store.revoke_api_token(&admin, revoked.token.id, at).await.unwrap();
        world.tokens.push(Some(revoked.secret.expose().to_owned()));
        world
    }

    /// The token of `role` (one of [`ROLES`]).
    pub fn token(&self, role: &str) -> Option<&str> {
        let i = ROLES.iter().position(|r| *r == role).unwrap_or_else(|| panic!("no role {role}"));
        self.tokens[i].as_deref()
    }

    /// The admin's token.
    pub fn admin(&self) -> &str {
        self.token("admin").unwrap()
    }
}

/// A connected calendar of `owner_kind` `owner_id`, written as a row (connecting one through
/// the store would fetch it).
async fn calendar_row(
    store: &ohjaus_store::Store,
    owner_kind: &str,
    owner_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Uuid {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let id = ohjaus_store::values::new_id();
    ohjaus_store::entity::calendar_connection::Model {
        id,
        owner_kind: owner_kind.to_owned(),
        owner_id,
        label: "Työ".to_owned(),
        kind: "subscription".to_owned(),
        url_shown: "http://127.0.0.1:9/work.ics".to_owned(),
        user_name: None,
        secret_sealed: None,
        all_day_blocks: true,
        etag: None,
        last_modified: None,
        last_attempt_at: None,
        last_success_at: Some(at),
        last_error: None,
        next_sync_at: at,
        created_at: at,
    }
    .into_active_model()
    .insert(store.connection())
    .await
    .unwrap();
    id
}
