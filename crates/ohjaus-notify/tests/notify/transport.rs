//! The transports: files written whole and once per message, and SMTP into a real server.

use crate::fixtures::{self, participant};
use crate::mime;
use crate::sink::{self, Sink};
use lettre::Message;
use ohjaus_core::{Locale, Notice};
use ohjaus_notify::{CalendarPart, Delivery, Envelope, Transport, compose};
use std::time::Duration;

fn message(notice: &Notice, key: &str) -> Message {
    let from = "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox");
    let calendar = matches!(notice, Notice::Invite { .. })
        .then(|| CalendarPart { method: "REQUEST".into(), text: fixtures::ics("REQUEST") });
    compose(notice, calendar.as_ref(), &Envelope::for_key(from, key, fixtures::utc("2027-01-05T08:00:00Z")))
        .expect("composes")
}

fn delivery(id: &str) -> Delivery<'_> {
    Delivery { id, kind: "invite", recipient_domain: "hus.example" }
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_file_transport_writes_one_whole_file_per_message() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().join("mail");
    let transport = Transport::file(&folder).expect("the folder is created");
    for n in 1..=3 {
        let id = format!("0190aaaa-0000-7000-8000-00000000000{n}");
        transport.send(&message(&fixtures::booked(participant(Locale::Fi)), &id), delivery(&id)).await.expect("sent");
    }
    // The same row sent again (a retry after a crash) replaces its file instead of adding one.
    let id = "0190aaaa-0000-7000-8000-000000000002";
    transport.send(&message(&fixtures::reminder(participant(Locale::En)), id), delivery(id)).await.expect("sent");

    let names = listing(&folder);
    assert_eq!(
        names,
        [
            "0190aaaa-0000-7000-8000-000000000001.eml",
            "0190aaaa-0000-7000-8000-000000000002.eml",
            "0190aaaa-0000-7000-8000-000000000003.eml"
        ],
        "no temporary file is left behind"
    );
    let second = std::fs::read_to_string(folder.join(&names[1])).expect("readable");
    let email = mime::parse(&second);
    assert!(email.decoded_header("subject").expect("a subject").starts_with("Reminder: "));
    assert_eq!(email.decoded_header("to").as_deref(), Some("Maija Meikäläinen <maija.meikalainen@hus.example>"));
}

#[tokio::test]
async fn the_file_transport_refuses_odd_ids_as_paths() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let transport = Transport::file(dir.path()).expect("a folder");
    let id = "../../etc/passwd";
    transport.send(&message(&fixtures::reminder(participant(Locale::Fi)), "x"), delivery(id)).await.expect("sent");
    assert_eq!(listing(dir.path()), ["______etc_passwd.eml"]);
}

#[tokio::test]
async fn the_log_transport_sends_nothing_and_succeeds() {
    let transport = Transport::Log;
    transport.send(&message(&fixtures::reminder(participant(Locale::Fi)), "x"), delivery("x")).await.expect("logged");
    assert_eq!(transport.name(), "log");
}

#[tokio::test]
async fn smtp_urls_are_read_as_lettre_reads_them() {
    let limit = Duration::from_secs(5);
    for url in ["smtp://127.0.0.1:2525", "smtp://mail.example:587?tls=required", "smtps://mail.example:465"] {
        assert!(Transport::smtp(url, 4, limit).is_ok(), "{url}");
    }
    for url in ["http://mail.example", "smtp://mail.example?tls=sometimes", "not a url"] {
        let error = Transport::smtp(url, 4, limit).expect_err(url).to_string();
        assert!(!error.contains("secret"), "{error}");
    }
    let error = Transport::smtp("ftp://user:secret@mail.example", 4, limit).expect_err("refused").to_string();
    assert!(!error.contains("secret"), "the password never appears in an error: {error}");
}

#[tokio::test]
async fn the_smtp_transport_delivers_to_a_real_server() {
    let Some(python) = sink::python("the_smtp_transport_delivers_to_a_real_server") else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sink = Sink::start(&python, dir.path(), 0);
    let transport = Transport::smtp(&sink.url(), 2, Duration::from_secs(10)).expect("a transport");
    for (n, locale) in [Locale::Fi, Locale::Sv, Locale::En].into_iter().enumerate() {
        let id = format!("m{n}");
        transport.send(&message(&fixtures::booked(participant(locale)), &id), delivery(&id)).await.expect("accepted");
    }
    let messages = sink.wait_for(3, Duration::from_secs(10));
    assert_eq!(messages.len(), 3);
    for raw in &messages {
        assert!(raw.starts_with("X-Sink-Rcpt-To: maija.meikalainen@hus.example\r\n"), "{raw}");
        let email = mime::parse(raw.split_once("\r\n").expect("the sink's line").1);
        assert_eq!(email.content_type(), "multipart/mixed");
        assert_eq!(email.parts[0].parts[2].body_text(), fixtures::ics("REQUEST"));
    }
}
