//! "Connected calendars" on a participant's page: a refused address comes back to the form with
//! its reason; a calendar served on 127.0.0.1 is connected, listed with its busy times,
//! refreshed and removed; while it is connected the coordinator's preview explains the
//! collision with "busy in their own calendar" and never names the calendar.

use crate::{Browser, World, to_refs, worlds};
use axum::http::StatusCode;
use ohjaus_store::CalendarSettings;

/// Liisa's shift on Tuesday 12 January 2027, 13:00–15:00 Helsinki time.
const SHIFT: &str = "BEGIN:VCALENDAR\\r\\nVERSION:2.0\\r\\nPRODID:-//test//EN\\r\\nBEGIN:VEVENT\\r\\nUID:shift-1@example.com\\r\\nDTSTAMP:20270101T000000Z\\r\\nDTSTART:20270112T110000Z\\r\\nDTEND:20270112T130000Z\\r\\nSUMMARY:Yövuoro\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n";

/// Serves `SHIFT` at `/liisa.ics` on a free loopback port; gives its URL.
async fn serve_calendar() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = axum::Router::new().route(
        "/liisa.ics",
        axum::routing::get(|| async {
            ([(axum::http::header::CONTENT_TYPE, "text/calendar")], SHIFT.replace("\\r\\n", "\r\n"))
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}/liisa.ics")
}

/// The world's store allowed to read loopback addresses.
fn allowing_loopback(world: &World) -> ohjaus_store::Store {
    let client = ohjaus_calendars::OutgoingClient::new(ohjaus_calendars::OutgoingConfig {
        policy: ohjaus_calendars::AddressPolicy { allow_private_addresses: true, trusted_addresses: Vec::new() },
        ..ohjaus_calendars::OutgoingConfig::default()
    })
    .unwrap();
    world.store.clone().with_calendars(CalendarSettings::new(client))
}

#[tokio::test]
async fn a_participant_connects_refreshes_and_removes_a_calendar() {
    for world in worlds().await {
        let url = serve_calendar().await;
        let state = ohjaus_web::WebState::new(
            allowing_loopback(&world),
            world.clock.clock(),
            "http://ohjaus.test".parse().unwrap(),
        );
        let mut browser = Browser::default();
        browser.sign_in(&world, world.participant_email).await;
        let app = ohjaus_web::router(state.clone());
        let home = browser.get(&app, "/me").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains("Yhdistetyt kalenterit"), "{}", home.text);
        assert!(home.text.contains("Ei yhdistettyjä kalentereita."));
        let csrf = crate::csrf_of(&home.text);

        let refused = browser
            .post(
                &app,
                "/calendars",
                &[("csrf", &csrf), ("label", "Vuorot"), ("kind", "subscription"), ("url", "ftp://x.example/a.ics")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text.contains("ftp://"), "{}", refused.text);

        let added = browser
            .post(
                &app,
                "/calendars",
                &[
                    ("csrf", &csrf),
                    ("label", "Vuorot"),
                    ("kind", "subscription"),
                    ("url", &url),
                    ("block_all_day_events", "on"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
        assert_eq!(added.location.as_deref(), Some("/me#connected-calendars"));
        let home = browser.get(&app, "/me").await;
        assert!(home.text.contains("Vuorot") && home.text.contains("Varattuja aikoja: 1"), "{}", home.text);
        assert!(home.text.contains("Ajan tasalla"));
        let calendar_id = home.text.split("/calendars/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        let refreshed = browser.post(&app, &format!("/calendars/{calendar_id}/refresh"), &[("csrf", &csrf)]).await;
        assert_eq!(refreshed.status, StatusCode::SEE_OTHER);

        // The coordinator's preview over the shift: explained, the calendar never named.
        let mut coordinator = Browser::default();
        coordinator.sign_in(&world, world.coordinator_email).await;
        let csrf_c = coordinator.csrf(&app, "/coordinator/book").await;
        let form = vec![
            ("csrf", csrf_c.clone()),
            ("title", "Uusi sarja".to_owned()),
            ("kind", "group_supervision".to_owned()),
            ("supervisor_id", world.supervisor_id.to_string()),
            ("person", world.participant_id.to_string()),
            ("date", "2027-01-12".to_owned()),
            ("time", "10:00".to_owned()),
            ("duration", "60".to_owned()),
            ("frequency", "weekly".to_owned()),
            ("interval", "1".to_owned()),
            ("count", "1".to_owned()),
            ("holiday_policy", "skip".to_owned()),
        ];
        let mut over = form.clone();
        over[6].1 = "13:30".to_owned();
        let preview = coordinator.post(&app, "/coordinator/book/preview", &to_refs(&over)).await;
        assert!(preview.text.contains("Osallistujalla on varattu aika omassa kalenterissaan"), "{}", preview.text);
        assert!(!preview.text.contains("Vuorot") && !preview.text.contains("liisa.ics"));

        let removed = browser.post(&app, &format!("/calendars/{calendar_id}/remove"), &[("csrf", &csrf)]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        let home = browser.get(&app, "/me").await;
        assert!(home.text.contains("Ei yhdistettyjä kalentereita."));
        let preview = coordinator.post(&app, "/coordinator/book/preview", &to_refs(&over)).await;
        assert!(!preview.text.contains("omassa kalenterissaan"));
        state.settled().await;
        world.close().await;
    }
}
