//! The browser tests' world, written into a fresh database before `ohjaus serve` starts:
//!
//!     cargo run -p ohjaus-web --example browser_fixture -- sqlite://PATH?mode=rwc NOW > fixture.json
//!
//! A hospital ward (coordinator Maija, a team of three nurses) and a school, served by one
//! supervisor, Anna. The ward's series was booked three weeks ago, so its first session has
//! taken place (attendance can be recorded) and the others are ahead. Everything goes through
//! the store's operations, as the API would; `NOW` (RFC 3339) is the moment the server's clock
//! starts at (`OHJAUS_CLOCK__START`), so the story sees the same dates on any day.
//! Prints JSON with the addresses to sign in with and the times the tests use (the booking's,
//! and a rhythm poll's options and deadline).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{Datelike, Days, NaiveDate, TimeDelta, Utc};
use ohjaus_core::{RecurrenceBody, SeriesBody, finnish_holiday};
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::write::teams::NewTeam;
use ohjaus_store::{Caller, Store};

fn weekly(interval: i64, count: i64) -> RecurrenceBody {
    RecurrenceBody {
        frequency: "weekly".into(),
        interval: Some(interval),
        count: Some(count),
        until: None,
        by_weekday: None,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let usage = "usage: browser_fixture DATABASE_URL NOW";
    let url = std::env::args().nth(1).expect(usage);
    let now: chrono::DateTime<Utc> = std::env::args().nth(2).expect(usage).parse().expect("NOW is an RFC 3339 instant");
    let store = Store::connect(&url).await.expect("the database");
    store.migrate().await.expect("migrations");
    let admin = Caller::Admin;
    let helsinki = chrono_tz::Europe::Helsinki;
    let today: NaiveDate = now.with_timezone(&helsinki).date_naive();
    let booked_at = now - TimeDelta::days(21);

    let org = |name: &str| NewOrganization { name: name.into(), timezone: None, locale: None };
    let ward = store.create_organization(&admin, &org("Kaukolan sairaala, osasto 5A"), booked_at).await.unwrap();
    let school = store.create_organization(&admin, &org("Vaahteramäen koulu"), booked_at).await.unwrap();
    let anna = store
        .create_supervisor(
            &admin,
            &NewSupervisor {
                name: "Anna Virtanen".into(),
                email: "anna.virtanen@tyonohjaus.example".into(),
                locale: Some("fi".into()),
                timezone: None,
                buffer_minutes: Some(15),
                working_hours: None,
            },
            booked_at,
        )
        .await
        .unwrap();
    let person = |name: &str, email: &str| NewPerson { name: name.into(), email: email.into(), locale: None };
    let maija = store
        .create_person(&admin, ward.id, &person("Maija Meikäläinen", "maija.meikalainen@kaukola.example"), booked_at)
        .await
        .unwrap();
    store.set_coordinator(&admin, maija.id, true, booked_at).await.unwrap();
    let mut nurses = Vec::new();
    for (name, email) in [
        ("Liisa Korhonen", "liisa.korhonen@kaukola.example"),
        ("Pekka Nieminen", "pekka.nieminen@kaukola.example"),
        ("Sari Mäkinen", "sari.makinen@kaukola.example"),
    ] {
        nurses.push(store.create_person(&admin, ward.id, &person(name, email), booked_at).await.unwrap());
    }
    let teacher = store
        .create_person(&admin, school.id, &person("Timo Lehtonen", "timo.lehtonen@vaahteramaki.example"), booked_at)
        .await
        .unwrap();
    let team = store
        .create_team(
            &admin,
            ward.id,
            &NewTeam { name: "Osasto 5A:n hoitajat".into(), member_ids: nurses.iter().map(|p| p.id).collect() },
            booked_at,
        )
        .await
        .unwrap();

    // The ward's series: every three weeks from 8–13 days ago (within the supervisor page's
    // last two weeks), 13:00–14:30, kept on holidays so its dates are exactly these; its
    // second session falls on a working day, so a series planned onto it (holidays skipped)
    // meets it there.
    let working = |day: NaiveDate| day.weekday().num_days_from_monday() < 5 && finnish_holiday(day).is_none();
    let first = (8..=13)
        .map(|back| today - Days::new(back))
        .find(|first| working(*first + Days::new(21)))
        .expect("one of six consecutive days is three weeks before a working day");
    let ward_series = store
        .book_series(
            &admin,
            &SeriesBody {
                organization_id: Some(ward.id),
                kind: "group_supervision".into(),
                title: "Osasto 5A:n työnohjaus".into(),
                supervisor_id: Some(anna.id),
                co_supervisor_id: None,
                team_id: Some(team.id),
                participant_ids: None,
                first_start: format!("{first}T13:00"),
                timezone: None,
                duration_minutes: 90,
                recurrence: weekly(3, 8),
                holiday_policy: Some("keep".into()),
                location: Some("Neuvotteluhuone 2, B-siipi".into()),
                video_url: None,
                cancellation_notice_hours: None,
                goals: Some(vec![
                    "Vahvistetaan vuorovaikutusta vuoronvaihdoissa".into(),
                    "Jaksaminen kuormittavissa tilanteissa".into(),
                ]),
                contract: None,
            },
            booked_at,
        )
        .await
        .unwrap();
    // The school's, by video, from the day after tomorrow at 9:00.
    let school_first = today + Days::new(2);
    store
        .book_series(
            &admin,
            &SeriesBody {
                organization_id: Some(school.id),
                kind: "work_community_supervision".into(),
                title: "Vaahteramäen työyhteisöohjaus".into(),
                supervisor_id: Some(anna.id),
                co_supervisor_id: None,
                team_id: None,
                participant_ids: Some(vec![teacher.id]),
                first_start: format!("{school_first}T09:00"),
                timezone: None,
                duration_minutes: 120,
                recurrence: weekly(4, 6),
                holiday_policy: Some("keep".into()),
                location: None,
                video_url: Some("https://meet.tyonohjaus.example/vaahteramaki".into()),
                cancellation_notice_hours: None,
                goals: None,
                contract: None,
            },
            booked_at,
        )
        .await
        .unwrap();

    // The ward's second session is ahead: a new series for Anna then collides with it.
    let busy = ward_series.sessions[1].starts_at.with_timezone(&helsinki);
    let busy_date = busy.date_naive();
    // A free start: a weekday that is neither the ward's nor the school's (so no occurrence
    // of a fortnightly series can meet theirs), at 10:00.
    let taken = [busy_date.weekday(), school_first.weekday()];
    let mut free_date = busy_date + Days::new(1);
    while taken.contains(&free_date.weekday()) || !working(free_date) {
        free_date = free_date + Days::new(1);
    }
    // Where the new series' second session (two weeks on) is moved: a day later, at 11:00.
    let mut move_to = free_date + Days::new(15);
    while taken.contains(&move_to.weekday()) || !working(move_to) {
        move_to = move_to + Days::new(1);
    }
    let fixture = serde_json::json!({
        "coordinator_email": maija.email,
        "supervisor_email": anna.email,
        "participant_email": nurses[0].email,
        "participant_name": nurses[0].name,
        "organization": ward.name,
        "team": team.name,
        "supervisor": anna.name,
        "series_title": ward_series.series.title,
        "conflict": { "date": busy_date.to_string(), "time": busy.format("%H:%M").to_string() },
        "free": { "date": free_date.to_string(), "time": "10:00", "weekday": free_date.weekday().to_string() },
        "move_to": { "date": move_to.to_string(), "time": "11:00" },
        // A rhythm poll's options: one on the ward's second session (the pre-check finds it),
        // one the afternoon of the free day (the series booked there is at 10:00), answers
        // by the third day from now.
        "poll": {
            "conflict": { "date": busy_date.to_string(), "time": busy.format("%H:%M").to_string() },
            "free": { "date": free_date.to_string(), "time": "14:00" },
            "deadline": { "date": (today + Days::new(3)).to_string(), "time": "12:00" },
        },
    });
    println!("{fixture}");
}
