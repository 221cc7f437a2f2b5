//! The letters of rhythm polls: the invitation to vote with its personal link, the reminder,
//! the decision (a rhythm chosen, or none) — in Finnish, Swedish and English (snapshots), the
//! options in words a voter reads, in their own zone; and the link's secret written into the
//! letter and nowhere in the worker's log.

use crate::fixtures::{self, VOTE_SECRET, participant};
use crate::mime;
use crate::outage::Logs;
use crate::store::{self, HandClock};
use lettre::message::Mailbox;
use ohjaus_core::{Locale, Notice};
use ohjaus_notify::{Envelope, Mailer, ScheduleConfig, Transport, Worker, WorkerConfig, compose, letter};
use tokio::sync::watch;

const LOCALES: [Locale; 3] = [Locale::Fi, Locale::Sv, Locale::En];

fn raw(notice: &Notice) -> String {
    let from: Mailbox = "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox");
    let envelope =
        Envelope::for_key(from, "0190aaaa-0000-7000-8000-000000000002", fixtures::utc("2027-01-05T08:00:00Z"));
    let message = compose(notice, None, &envelope).expect("composes");
    String::from_utf8(message.formatted()).expect("ASCII on the wire")
}

#[test]
fn poll_letters_in_every_language() {
    for locale in LOCALES {
        for (name, notice) in [
            ("poll_invitation", fixtures::poll_invitation(participant(locale))),
            ("poll_reminder", fixtures::poll_reminder(participant(locale))),
            ("poll_decided", fixtures::poll_decided(participant(locale), true)),
            ("poll_closed", fixtures::poll_decided(participant(locale), false)),
        ] {
            insta::assert_snapshot!(format!("{name}_{locale}"), mime::normalize_boundaries(&raw(&notice)));
        }
    }
}

#[test]
fn an_invitation_lists_every_option_in_words_with_the_link_and_deadline() {
    let email = mime::parse(&raw(&fixtures::poll_invitation(participant(Locale::Fi))));
    assert_eq!(email.content_type(), "multipart/alternative");
    let text = email.parts[0].body_text();
    for expected in [
        "Vaihtoehto 1: joka toinen viikko tiistaisin klo 13.00–14.30 (90 min), 6 istuntoa 12.1.2027 alkaen, Meilahden tornisairaala, neuvotteluhuone 3",
        "Vaihtoehto 2: joka kolmas viikko torstaisin klo 8.30–9.30 (60 min), 6 istuntoa 14.1.2027 alkaen",
        "Vaihtoehto 3: joka kuukausi, kuukauden viimeinen perjantai klo 14.00–16.00 (120 min), 5 istuntoa 29.1.2027 alkaen, Kirjasto",
        "perjantai 8.1.2027 klo 16.00",
        &format!("https://ohjaus.example/vote/{VOTE_SECRET}"),
        "Sari Ohjaaja",
        "kyllä, tarvittaessa tai ei",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let html = email.parts[1].body_text();
    assert!(html.contains(&format!("<a href=\"https://ohjaus.example/vote/{VOTE_SECRET}\">")), "{html}");
    assert_eq!(
        email.decoded_header("subject").as_deref(),
        Some("Kysely: Osasto 5:n työnohjaus – vastaa viimeistään pe 8.1.2027 klo 16.00")
    );
}

#[test]
fn a_voter_elsewhere_reads_the_times_in_their_own_zone_and_language() {
    let mut reader = participant(Locale::Sv);
    reader.timezone = "Europe/Stockholm".into();
    let letter = letter(&fixtures::poll_invitation(reader));
    let text = letter.text();
    assert!(
        text.contains("Alternativ 1: varannan vecka på tisdagar kl. 12.00–13.30 (Europe/Stockholm) (90 min), 6 träffar från 12.1.2027"),
        "{text}"
    );
    assert!(text.contains("Svara senast fredag 8.1.2027 kl. 15.00 (Europe/Stockholm)."), "{text}");
}

#[test]
fn the_decision_names_the_rhythm_and_says_the_invitations_follow() {
    let chosen = letter(&fixtures::poll_decided(participant(Locale::En), true));
    assert_eq!(chosen.subject, "Rhythm chosen: Osasto 5:n työnohjaus – starts Tue 12 January 2027, 13:00");
    let text = chosen.text();
    assert!(text.contains("option 1 was chosen"), "{text}");
    assert!(
        text.contains("every other week on Tuesdays, 13:00–14:30 (90 min), 6 sessions from 12 January 2027"),
        "{text}"
    );
    assert!(text.contains("calendar invitations"), "{text}");
    let none = letter(&fixtures::poll_decided(participant(Locale::Fi), false));
    assert_eq!(none.subject, "Kysely suljettu: Osasto 5:n työnohjaus");
    assert!(none.text().contains("ilman valintaa"));
    assert!(!none.text().contains("Valittu rytmi"));
}

#[test]
fn a_hostile_title_stays_on_one_line_and_escaped() {
    let mut notice = fixtures::poll_invitation(participant(Locale::Fi));
    if let Notice::PollInvitation { poll, .. } = &mut notice {
        poll.title = "Osasto <b>5</b>\r\nBcc: evil@example.com".into();
    }
    let letter = letter(&notice);
    assert!(!letter.subject.contains('\n') && !letter.subject.contains('\r'));
    assert!(letter.html().contains("Osasto &lt;b&gt;5&lt;/b&gt; Bcc: evil@example.com"));
    let wire = raw(&notice);
    assert!(!wire.lines().any(|line| line.starts_with("Bcc:")), "{wire}");
}

/// The worker sends the three poll letters; its log, at every level, names neither the link's
/// secret nor the voter's address.
#[tokio::test]
async fn the_worker_sends_poll_letters_without_logging_the_link() {
    let logs = Logs::default();
    let _capture = logs.capture_from(tracing::Level::TRACE);
    let (store, dir) = store::fresh().await;
    let clock = HandClock::at(fixtures::utc("2027-01-05T08:00:00Z"));
    let notices: Vec<Notice> = LOCALES
        .iter()
        .flat_map(|l| {
            [
                fixtures::poll_invitation(participant(*l)),
                fixtures::poll_reminder(participant(*l)),
                fixtures::poll_decided(participant(*l), true),
            ]
        })
        .collect();
    store::enqueue(&store, &notices, clock.now()).await;
    let folder = dir.path().join("mail");
    let config = WorkerConfig {
        poll_interval_ms: 20,
        batch_size: 20,
        owner: Some("poll-worker".into()),
        schedule: ScheduleConfig { enabled: false, ..ScheduleConfig::default() },
        ..WorkerConfig::default()
    };
    let mailer = Mailer::new(
        Transport::file(&folder).expect("a folder"),
        "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox"),
    );
    let worker = Worker::new(store.clone(), config, mailer).with_clock(clock.clock());
    let (_tx, mut stop) = watch::channel(false);
    let report = worker.pass(&mut stop).await.expect("a pass");
    assert_eq!(report.sent, 9);
    let rows = store::rows(&store).await;
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "poll_invitation").count(), 3, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "poll_reminder").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "poll_decision").count(), 3);
    let mut with_link = 0;
    for row in &rows {
        let sent = std::fs::read_to_string(folder.join(format!("{}.eml", row.id))).expect("one file per row");
        with_link += usize::from(mime::parse(&sent).parts[0].body_text().contains(VOTE_SECRET));
    }
    assert_eq!(with_link, 6, "the invitations and reminders carry the link");
    let log = logs.text();
    assert!(log.contains("sent"), "the log saw the pass:\n{log}");
    assert!(!log.contains(VOTE_SECRET), "the link's secret is not logged:\n{log}");
    assert!(!log.contains("maija.meikalainen@hus.example"), "no full address in the log");
}
