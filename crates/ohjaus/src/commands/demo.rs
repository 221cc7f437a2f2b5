//! `ohjaus demo`: a realistic Finnish demo in an empty database — a hospital ward and a
//! school, two supervisors, teams, a series that began months ago and has a history
//! ([`past`]) and its invoices ([`invoicing`]: a billing profile, contract terms, months
//! approved and one drafted), three booked series (one session moved, one cancelled in time
//! with a make-up) — and it prints the people it made, how to sign in as them, and tokens to try the API with.
//!
//! Everything goes through the store's public operations, exactly as API calls would, so the
//! demo also queues the invitations those bookings send.

mod invoicing;
mod past;
mod poll;

use super::Failure;
use super::token::store_failure;
use crate::config::Config;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use ohjaus_core::{RecurrenceBody, SeriesBody, WorkingHoursEntry};
use ohjaus_notify::TransportKind;
use ohjaus_store::write::closures::NewClosure;
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::sessions::{CancelSession, SessionChanges};
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::write::teams::NewTeam;
use ohjaus_store::{Caller, Store};
use uuid::Uuid;

/// Fills the database and prints what was made.
pub async fn run(config: Config) -> Result<(), Failure> {
    let store = crate::runtime::open_store(&config).await?;
    let admin = Caller::Admin;
    if !store.list_organizations(&admin).await.map_err(store_failure)?.is_empty() {
        return Err(Failure::input("the database is not empty; `ohjaus demo` fills only an empty one"));
    }
    let now = config.clock().now();
    let demo = fill(&store, now, &config.http.public_url).await.map_err(store_failure)?;
    print(&demo, &config);
    Ok(())
}

/// Someone the demo made, for the printout: name, what they are, address.
struct Someone {
    name: String,
    role: String,
    email: String,
}

/// What the demo made, for the printout.
struct Demo {
    people: Vec<Someone>,
    tokens: Vec<(String, String)>,
    series: Vec<(String, Uuid)>,
    /// The rhythm poll the school's leaders are answering.
    poll: (String, Uuid),
    supervisor_ids: Vec<(String, Uuid)>,
}

/// The first `weekday` at least a week after `now`, at `hour:minute` Helsinki time, as the
/// local wall time a series body takes.
pub(super) fn next(now: DateTime<Utc>, weekday: Weekday, hour: u32, minute: u32) -> String {
    let mut day = now.with_timezone(&chrono_tz::Europe::Helsinki).date_naive() + Days::new(7);
    while day.weekday() != weekday {
        day = day + Days::new(1);
    }
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
    day.and_time(time).format("%Y-%m-%dT%H:%M").to_string()
}

fn hours(days: &[&str], start: &str, end: &str) -> Vec<WorkingHoursEntry> {
    days.iter()
        .map(|day| WorkingHoursEntry { weekday: (*day).to_owned(), start: start.to_owned(), end: end.to_owned() })
        .collect()
}

fn person(name: &str, email: &str, locale: Option<&str>) -> NewPerson {
    NewPerson { name: name.to_owned(), email: email.to_owned(), locale: locale.map(str::to_owned) }
}

async fn token(
    store: &Store,
    grants: Caller,
    label: &str,
    now: DateTime<Utc>,
) -> Result<String, ohjaus_store::StoreError> {
    let created = store.create_api_token(&Caller::Admin, grants, Some(label), now).await?;
    Ok(created.secret.expose().to_owned())
}

#[allow(clippy::too_many_lines)] // one realistic story, told in order
async fn fill(store: &Store, now: DateTime<Utc>, public_url: &str) -> Result<Demo, ohjaus_store::StoreError> {
    let admin = Caller::Admin;
    let ward = store
        .create_organization(
            &admin,
            &NewOrganization { name: "Kaukolan sairaala, osasto 5A".into(), timezone: None, locale: None },
            now,
        )
        .await?;
    let school = store
        .create_organization(
            &admin,
            &NewOrganization { name: "Vaahteramäen koulu".into(), timezone: None, locale: None },
            now,
        )
        .await?;
    let anna = store
        .create_supervisor(
            &admin,
            &NewSupervisor {
                name: "Anna Virtanen".into(),
                email: "anna.virtanen@tyonohjaus.example".into(),
                locale: Some("fi".into()),
                timezone: None,
                buffer_minutes: Some(15),
                working_hours: Some(
                    [hours(&["mon", "tue", "wed", "thu"], "08:00", "17:00"), hours(&["fri"], "08:00", "14:00")]
                        .concat(),
                ),
            },
            now,
        )
        .await?;
    let mikko = store
        .create_supervisor(
            &admin,
            &NewSupervisor {
                name: "Mikko Laine".into(),
                email: "mikko.laine@coaching.example".into(),
                locale: Some("fi".into()),
                timezone: None,
                buffer_minutes: Some(30),
                working_hours: Some(hours(&["tue", "wed", "thu"], "08:30", "18:00")),
            },
            now,
        )
        .await?;

    let mut nurses = Vec::new();
    for (name, email) in [
        ("Maija Meikäläinen", "maija.meikalainen@kaukola.example"),
        ("Liisa Korhonen", "liisa.korhonen@kaukola.example"),
        ("Pekka Nieminen", "pekka.nieminen@kaukola.example"),
        ("Sari Mäkinen", "sari.makinen@kaukola.example"),
        ("Jussi Heikkinen", "jussi.heikkinen@kaukola.example"),
        ("Aino Lahtinen", "aino.lahtinen@kaukola.example"),
    ] {
        nurses.push(store.create_person(&admin, ward.id, &person(name, email, None), now).await?);
    }
    let mut teachers = Vec::new();
    for (name, email, locale) in [
        ("Elina Järvinen", "elina.jarvinen@vaahteramaki.example", None),
        ("Timo Lehtonen", "timo.lehtonen@vaahteramaki.example", None),
        ("Kaisa Salo", "kaisa.salo@vaahteramaki.example", None),
        ("Ville Koskinen", "ville.koskinen@vaahteramaki.example", None),
        ("Helena Lindholm", "helena.lindholm@vaahteramaki.example", Some("sv")),
    ] {
        teachers.push(store.create_person(&admin, school.id, &person(name, email, locale), now).await?);
    }
    let ward_team = store
        .create_team(
            &admin,
            ward.id,
            &NewTeam { name: "Osasto 5A:n hoitajat".into(), member_ids: nurses[1..].iter().map(|p| p.id).collect() },
            now,
        )
        .await?;
    let school_team = store
        .create_team(
            &admin,
            school.id,
            &NewTeam { name: "Vaahteramäen opettajat".into(), member_ids: teachers.iter().map(|p| p.id).collect() },
            now,
        )
        .await?;
    let year = now.with_timezone(&chrono_tz::Europe::Helsinki).year() + 1;
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(NaiveDate::MIN);
    store
        .add_closure(
            &admin,
            school.id,
            &NewClosure { start_date: date(6, 1), end_date: date(8, 9), reason: Some("Kesäloma".into()) },
            now,
        )
        .await?;

    // The school's leaders began supervision with Anna months ago: a history to look at,
    // invoiced month by month under her billing profile.
    let leaders: Vec<Uuid> = teachers[..3].iter().map(|p| p.id).collect();
    let as_anna = Caller::Supervisor { supervisor_id: anna.id };
    store.set_billing_profile(&as_anna, anna.id, &invoicing::anna_profile(), now - past::BOOKED_BEFORE).await?;
    let earlier = past::fill(store, now, school.id, anna.id, &leaders).await?;
    invoicing::invoice_past(store, now, anna.id, school.id, earlier.1).await?;

    let body = |organization_id, supervisor_id, kind: &str, title: &str, first_start: String| SeriesBody {
        organization_id: Some(organization_id),
        kind: kind.to_owned(),
        title: title.to_owned(),
        supervisor_id: Some(supervisor_id),
        co_supervisor_id: None,
        team_id: None,
        participant_ids: None,
        first_start,
        timezone: None,
        duration_minutes: 90,
        recurrence: RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(3),
            count: Some(10),
            until: None,
            by_weekday: None,
        },
        holiday_policy: None,
        location: None,
        video_url: None,
        cancellation_notice_hours: None,
        goals: None,
        contract: None,
    };
    let ward_series = store
        .book_series(
            &admin,
            &SeriesBody {
                team_id: Some(ward_team.id),
                location: Some("Neuvotteluhuone 2, B-siipi".into()),
                contract: Some(invoicing::ward_terms()),
                goals: Some(vec![
                    "Vahvistetaan vuorovaikutusta vuoronvaihdoissa".into(),
                    "Jaksaminen kuormittavissa tilanteissa".into(),
                ]),
                ..body(ward.id, anna.id, "group_supervision", "Osasto 5A:n työnohjaus", next(now, Weekday::Tue, 13, 0))
            },
            now,
        )
        .await?;
    let school_series = store
        .book_series(
            &admin,
            &SeriesBody {
                team_id: Some(school_team.id),
                duration_minutes: 120,
                recurrence: RecurrenceBody {
                    frequency: "monthly".into(),
                    interval: None,
                    count: Some(6),
                    until: None,
                    by_weekday: Some(ohjaus_core::recurrence::ByWeekday::One("2WE".into())),
                },
                location: Some("Opettajainhuone".into()),
                goals: Some(vec!["Työyhteisön yhteiset pelisäännöt".into()]),
                ..body(school.id, mikko.id, "work_community_supervision", "Vaahteramäen työyhteisöohjaus", {
                    // The monthly rule starts from its first second Wednesday.
                    next(now, Weekday::Wed, 14, 30)
                })
            },
            now,
        )
        .await?;
    let coaching = store
        .book_series(
            &admin,
            &SeriesBody {
                participant_ids: Some(vec![nurses[0].id]),
                duration_minutes: 60,
                recurrence: RecurrenceBody {
                    frequency: "weekly".into(),
                    interval: Some(2),
                    count: Some(5),
                    until: None,
                    by_weekday: None,
                },
                video_url: Some("https://meet.coaching.example/maija".into()),
                ..body(ward.id, mikko.id, "individual_coaching", "Esihenkilön coaching", next(now, Weekday::Thu, 9, 0))
            },
            now,
        )
        .await?;

    let poll = poll::ask_leaders(store, now, public_url, school.id, anna.id, &leaders).await?;

    // Session 3 of the ward moves to the next day; session 2 at the school is cancelled in
    // time, and a make-up session is appended.
    if let Some(third) = ward_series.sessions.iter().find(|s| s.index == 3) {
        let moved = (third.starts_at + chrono::TimeDelta::days(1)).format("%Y-%m-%dT%H:%M").to_string();
        store
            .move_session(
                &admin,
                third.id,
                &SessionChanges { starts_at_local: Some(moved), duration_minutes: None, location: None },
                now,
            )
            .await?;
    }
    if let Some(second) = school_series.sessions.iter().find(|s| s.index == 2) {
        store
            .cancel_session(
                &admin,
                second.id,
                &CancelSession { reason: Some("Koulun vanhempainilta".into()), replace: Some(true) },
                now,
            )
            .await?;
    }

    // Maija, the ward's head nurse, coordinates its supervision (and signs in to the pages
    // as its coordinator).
    store.set_coordinator(&admin, nurses[0].id, true, now).await?;

    let tokens = vec![
        ("admin".to_owned(), token(store, Caller::Admin, "demo admin", now).await?),
        (
            format!("coordinator of {}", ward.name),
            token(store, Caller::Coordinator { organization_id: ward.id }, "demo coordinator", now).await?,
        ),
        (
            format!("coordinator of {}", school.name),
            token(store, Caller::Coordinator { organization_id: school.id }, "demo coordinator", now).await?,
        ),
        (
            format!("supervisor {}", anna.name),
            token(store, Caller::Supervisor { supervisor_id: anna.id }, "demo supervisor", now).await?,
        ),
        (
            format!("supervisor {}", mikko.name),
            token(store, Caller::Supervisor { supervisor_id: mikko.id }, "demo supervisor", now).await?,
        ),
        (
            format!("participant {}", nurses[1].name),
            token(store, Caller::Participant { person_id: nurses[1].id }, "demo participant", now).await?,
        ),
    ];
    let mut people = vec![
        Someone { name: anna.name.clone(), role: "supervisor".into(), email: anna.email.clone() },
        Someone { name: mikko.name.clone(), role: "supervisor (coach)".into(), email: mikko.email.clone() },
    ];
    for (n, nurse) in nurses.iter().enumerate() {
        let role = if n == 0 {
            format!("coordinator of {}; coaching participant", ward.name)
        } else {
            format!("participant, {}", ward.name)
        };
        people.push(Someone { name: nurse.name.clone(), role, email: nurse.email.clone() });
    }
    for (n, teacher) in teachers.iter().enumerate() {
        let mut role = format!("participant, {}", school.name);
        if n < 3 {
            role.push_str(" (leadership team)");
        }
        if teacher.locale.as_deref() == Some("sv") {
            role.push_str(", in Swedish");
        }
        people.push(Someone { name: teacher.name.clone(), role, email: teacher.email.clone() });
    }
    Ok(Demo {
        people,
        tokens,
        series: vec![
            earlier,
            (ward_series.series.title.clone(), ward_series.series.id),
            (school_series.series.title.clone(), school_series.series.id),
            (coaching.series.title.clone(), coaching.series.id),
        ],
        poll,
        supervisor_ids: vec![(anna.name, anna.id), (mikko.name, mikko.id)],
    })
}

fn print(demo: &Demo, config: &Config) {
    let base = config.http.public_url.trim_end_matches('/');
    println!(
        "Demo data created: 2 organizations, 2 supervisors, {} people, 2 teams, {} series (one began months ago).\n",
        demo.people.len() - 2,
        demo.series.len()
    );
    println!("People — sign in at {base}/ with one of these addresses (no password):");
    let width = demo.people.iter().map(|p| p.name.chars().count()).max().unwrap_or(0);
    for someone in &demo.people {
        let pad = " ".repeat(width - someone.name.chars().count());
        println!("  {}{pad}  {:<38}  {}", someone.name, someone.email, someone.role);
    }
    match config.mail.transport {
        TransportKind::File => println!(
            "\nThe sign-in link (and every other message) is written to {}/ as an .eml file once `ohjaus serve` \
             runs; `ohjaus mail last` prints the newest one decoded, with the link whole.",
            config.mail.dir.display()
        ),
        TransportKind::Smtp => println!("\nThe sign-in link arrives by email (mail.transport = \"smtp\")."),
        TransportKind::Log => println!(
            "\nmail.transport = \"log\" sends no email, so nobody can sign in; use the file transport to try the pages."
        ),
    }
    println!("\nSeries:");
    for (title, id) in &demo.series {
        println!("  {id}  {title}");
    }
    println!("\nRhythm poll (the school's leaders vote through the links in their email):");
    println!("  {}  {}", demo.poll.1, demo.poll.0);
    println!("\nSupervisors:");
    for (name, id) in &demo.supervisor_ids {
        println!("  {id}  {name}");
    }
    println!("\nAPI tokens (shown once; only their hashes are stored):");
    for (who, secret) in &demo.tokens {
        println!("  {who:<45} {secret}");
    }
    if let (Some((_, admin)), Some((_, series))) = (demo.tokens.first(), demo.series.get(1)) {
        println!("\nTry:");
        println!("  curl -s -w '\\n' -H 'Authorization: Bearer {admin}' {base}/api/v1/series/{series}/sessions");
    }
    if let (Some((_, supervisor)), Some((_, anna))) = (demo.tokens.get(3), demo.supervisor_ids.first()) {
        println!(
            "  curl -s -w '\\n' -H 'Authorization: Bearer {supervisor}' '{base}/api/v1/supervisors/{anna}/upcoming?days=60'"
        );
    }
}
