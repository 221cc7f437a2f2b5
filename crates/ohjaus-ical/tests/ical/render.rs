//! Rendering each kind of message for a fixed series: snapshots, structure read back with the
//! `icalendar` crate's parser, and the line format.

use crate::common::*;
use chrono::{DateTime, TimeZone as _, Utc};
use icalendar::parser::{Component, read_calendar, unfold};
use icalendar::{Component as _, EventLike as _};
use ohjaus_core::notice::{CalendarMessage, Party};
use ohjaus_core::{CalendarEvent, TimeZone};
use ohjaus_ical::{FeedEntry, MessageContext, Method, RenderError, feed, render};

fn dtstamp() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap()
}

/// Thursdays every 3 weeks from 2027-01-21 13:00 Helsinki, 10 sessions of 90 minutes, across
/// the spring DST change; Ascension Day (2027-05-06) skipped; session 3 moved to Friday
/// morning; session 4 cancelled; session 8 in another room.
fn series() -> CalendarEvent {
    let mut event = Booking::new("0190a1b2-series-1@ohjaus", TimeZone::HELSINKI, at("2027-01-21T13:00")).event();
    move_session(&mut event, 3, at("2027-03-05T09:30"));
    cancel_session(&mut event, 4);
    instance_mut(&mut event, 8).location = Some("Kirjasto, 1. krs".into());
    event
}

struct Fixture {
    service: Party,
    organizer: Party,
    attendees: Vec<Party>,
}

impl Fixture {
    fn new() -> Self {
        Self { service: service(), organizer: organizer(), attendees: attendees() }
    }

    fn ctx(&self, sequence: u32) -> MessageContext<'_> {
        MessageContext {
            organizer: &self.service,
            chairs: std::slice::from_ref(&self.organizer),
            attendees: &self.attendees,
            recipient: self.attendees.first(),
            summary: TITLE,
            description: Some(DESCRIPTION),
            sequence,
        }
    }
}

/// Every line ends in CRLF, holds at most 75 octets, and there is no other CR or LF.
fn assert_line_format(text: &str) {
    assert!(text.ends_with("\r\n"), "no final CRLF");
    for line in text[..text.len() - 2].split("\r\n") {
        assert!(!line.contains(['\r', '\n']), "a bare CR or LF in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

/// The text as insta stores it (LF), after checking the CRLF format.
fn snapshot_text(text: &str) -> String {
    assert_line_format(text);
    text.replace("\r\n", "\n")
}

fn names<'a>(component: &'a Component<'a>) -> Vec<&'a str> {
    component.properties.iter().map(|p| p.name.as_str()).collect()
}

fn value<'a>(component: &'a Component<'a>, name: &str) -> Option<String> {
    component.properties.iter().find(|p| p.name == name).map(|p| p.val.to_string())
}

fn parse(text: &str) -> (Vec<String>, Vec<String>) {
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).unwrap();
    let props: Vec<String> = calendar.properties.iter().map(|p| format!("{}:{}", p.name, p.val)).collect();
    let kinds: Vec<String> = calendar.components.iter().map(|c| c.name.to_string()).collect();
    (props, kinds)
}

#[test]
fn request_is_the_whole_event() {
    let fixture = Fixture::new();
    let rendered = render(&CalendarMessage::Request { event: series() }, &fixture.ctx(0), dtstamp()).unwrap();
    assert_eq!(rendered.method, Method::Request);
    insta::assert_snapshot!("request", snapshot_text(&rendered.text));

    let (props, kinds) = parse(&rendered.text);
    assert_eq!(
        props,
        vec!["PRODID:-//Ohjaus//Ohjaus calendar//EN", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:REQUEST"]
    );
    // VTIMEZONE, the master, the moved session 3 and session 8 in another room.
    assert_eq!(kinds, vec!["VTIMEZONE", "VEVENT", "VEVENT", "VEVENT"]);
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    let master = &calendar.components[1];
    assert_eq!(value(master, "RRULE").unwrap(), "FREQ=WEEKLY;INTERVAL=3;COUNT=11");
    let exdates: Vec<String> =
        master.properties.iter().filter(|p| p.name == "EXDATE").map(|p| p.val.to_string()).collect();
    // Ascension Day (no session) and the cancelled session 4.
    assert_eq!(exdates, vec!["20270325T130000", "20270506T130000"]);
    let overrides: Vec<String> = calendar.components[2..].iter().map(|c| value(c, "RECURRENCE-ID").unwrap()).collect();
    assert_eq!(overrides, vec!["20270304T130000", "20270708T130000"]);
}

#[test]
fn request_instance_is_the_override_only() {
    let fixture = Fixture::new();
    let message = CalendarMessage::RequestInstance { event: series(), session_id: session_id(1, 3) };
    let rendered = render(&message, &fixture.ctx(1), dtstamp()).unwrap();
    assert_eq!(rendered.method, Method::Request);
    insta::assert_snapshot!("request_instance", snapshot_text(&rendered.text));
    let (_, kinds) = parse(&rendered.text);
    assert_eq!(kinds, vec!["VTIMEZONE", "VEVENT"]);
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    let event = &calendar.components[1];
    assert_eq!(value(event, "RECURRENCE-ID").unwrap(), "20270304T130000");
    assert_eq!(value(event, "DTSTART").unwrap(), "20270305T093000");
    assert_eq!(value(event, "SEQUENCE").unwrap(), "1");
    assert!(value(event, "RRULE").is_none());
}

#[test]
fn cancel_instances_names_each_occurrence() {
    let fixture = Fixture::new();
    let mut event = series();
    cancel_session(&mut event, 9);
    let message = CalendarMessage::CancelInstances { event, session_ids: vec![session_id(1, 4), session_id(1, 9)] };
    let rendered = render(&message, &fixture.ctx(2), dtstamp()).unwrap();
    assert_eq!(rendered.method, Method::Cancel);
    insta::assert_snapshot!("cancel_instances", snapshot_text(&rendered.text));
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    let rids: Vec<(String, String)> = calendar.components[1..]
        .iter()
        .map(|c| (value(c, "RECURRENCE-ID").unwrap(), value(c, "STATUS").unwrap()))
        .collect();
    assert_eq!(
        rids,
        vec![("20270325T130000".into(), "CANCELLED".into()), ("20270729T130000".into(), "CANCELLED".into())]
    );
}

#[test]
fn cancel_event_cancels_the_uid() {
    let fixture = Fixture::new();
    let rendered = render(&CalendarMessage::CancelEvent { event: series() }, &fixture.ctx(3), dtstamp()).unwrap();
    assert_eq!(rendered.method, Method::Cancel);
    insta::assert_snapshot!("cancel_event", snapshot_text(&rendered.text));
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    assert_eq!(calendar.components.len(), 2);
    let event = &calendar.components[1];
    assert!(value(event, "RECURRENCE-ID").is_none());
    assert_eq!(value(event, "STATUS").unwrap(), "CANCELLED");
    assert_eq!(value(event, "SEQUENCE").unwrap(), "3");
}

#[test]
fn single_event_is_one_plain_vevent() {
    let fixture = Fixture::new();
    let event = single("0190a1b2-makeup-11@ohjaus", 1, 11, TimeZone::HELSINKI, at("2027-09-09T13:00"), 90);
    let rendered = render(&CalendarMessage::Request { event: event.clone() }, &fixture.ctx(4), dtstamp()).unwrap();
    insta::assert_snapshot!("single_request", snapshot_text(&rendered.text));
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    let vevent = &calendar.components[1];
    assert_eq!(value(vevent, "DTSTART").unwrap(), "20270909T130000");
    assert!(value(vevent, "RRULE").is_none() && value(vevent, "RECURRENCE-ID").is_none());

    // Moving or cancelling "an instance" of a single event addresses the whole UID.
    let moved = render(
        &CalendarMessage::RequestInstance { event: event.clone(), session_id: session_id(1, 11) },
        &fixture.ctx(5),
        dtstamp(),
    )
    .unwrap();
    assert!(!moved.text.contains("RECURRENCE-ID"));
    let cancelled = render(
        &CalendarMessage::CancelInstances { event, session_ids: vec![session_id(1, 11)] },
        &fixture.ctx(6),
        dtstamp(),
    )
    .unwrap();
    assert_eq!(cancelled.method, Method::Cancel);
    assert!(!cancelled.text.contains("RECURRENCE-ID") && cancelled.text.contains("STATUS:CANCELLED"));
}

#[test]
fn feed_publishes_events_without_attendees() {
    // The invitations' ORGANIZER (the service), never the supervisor.
    let service = service();
    let series = series();
    let makeup = single("0190a1b2-makeup-11@ohjaus", 1, 11, TimeZone::HELSINKI, at("2027-09-09T13:00"), 90);
    let other = Booking {
        series: 2,
        every_weeks: 1,
        count: 3,
        minutes: 60,
        ..Booking::new("0190c3d4-series-2@ohjaus", "America/New_York".parse().unwrap(), at("2027-03-02T09:00"))
    }
    .event();
    let entries = [
        FeedEntry { event: &series, organizer: &service, summary: TITLE, description: None, sequence: 4 },
        FeedEntry { event: &makeup, organizer: &service, summary: TITLE, description: None, sequence: 4 },
        FeedEntry { event: &other, organizer: &service, summary: "Coaching", description: Some("Hi"), sequence: 0 },
    ];
    let text = feed("Ohjaus – Åsa Öberg", &entries, dtstamp()).unwrap();
    insta::assert_snapshot!("feed", snapshot_text(&text));
    assert!(!text.contains("ATTENDEE"));
    assert_eq!(text.matches("ORGANIZER;CN=Ohjaus:mailto:noreply@ohjaus.example\r\n").count(), 5, "{text}");
    assert!(!text.contains(&organizer().email));
    let (props, kinds) = parse(&text);
    assert!(props.contains(&"METHOD:PUBLISH".to_owned()));
    assert_eq!(kinds.iter().filter(|k| *k == "VTIMEZONE").count(), 2);
    assert!(text.contains("TZID:America/New_York") && text.contains("TZID:Europe/Helsinki"));
}

/// However a title or a name tries, each VEVENT has exactly the properties we put in it, and
/// the values read back as the (sanitized) text.
#[test]
fn no_value_adds_a_property() {
    let fixture = Fixture::new();
    let rendered = render(&CalendarMessage::Request { event: series() }, &fixture.ctx(0), dtstamp()).unwrap();
    let unfolded = unfold(&rendered.text);
    let calendar = read_calendar(&unfolded).unwrap();
    let master = &calendar.components[1];
    let mut properties = names(master);
    properties.sort_unstable();
    properties.dedup();
    assert_eq!(
        properties,
        vec![
            "ATTENDEE",
            "DESCRIPTION",
            "DTEND",
            "DTSTAMP",
            "DTSTART",
            "EXDATE",
            "LOCATION",
            "ORGANIZER",
            "RRULE",
            "SEQUENCE",
            "STATUS",
            "SUMMARY",
            "UID",
            "URL"
        ]
    );
    assert_eq!(names(master).iter().filter(|n| **n == "DTSTART").count(), 1);
    assert_eq!(names(master).iter().filter(|n| **n == "ATTENDEE").count(), 5, "the supervisor and four participants");

    // Read back through the crate's own model: escaping round-trips.
    let parsed: icalendar::Calendar = rendered.text.parse().unwrap();
    let event = parsed.components.iter().find_map(|c| c.as_event()).unwrap();
    assert_eq!(event.get_summary().unwrap(), "Osasto 5; työnohjaus, \"kevät\" \\ 🙂  DTSTART:20990101T000000Z");
    assert_eq!(
        event.get_description().unwrap(),
        format!("Tervetuloa työnohjaukseen!\nMuista: peruutus viikkoa ennen; kiitos, ohjaaja.\n\n{VIDEO}")
    );
    assert_eq!(event.get_location().unwrap(), ROOM);
    let attendees = event.get_attendees();
    let cns: Vec<&str> = attendees.iter().map(|a| a.cn.as_deref().unwrap()).collect();
    assert_eq!(
        cns,
        vec![
            "Päivi 'Pomo' Ohjaaja, PsM",
            "Virtanen; Ville",
            "Åsa Öberg, RN",
            "Emmi 🙂 Nurse  ATTENDEE:mailto:evil@example.com",
            "Back\\slash Bäckström"
        ]
    );
    assert_eq!(event.property_value("ORGANIZER").unwrap(), "mailto:noreply@ohjaus.example");
    let organizer = event.properties().get("ORGANIZER").unwrap();
    assert_eq!(organizer.params().get("CN").unwrap().value(), "Ohjaus");
    // The supervisor is a CHAIR who has accepted and answers nothing; participants answer.
    let roles: Vec<_> = attendees.iter().map(|a| (a.role, a.part_stat, a.rsvp)).collect();
    assert_eq!(roles[0], (Some(icalendar::Role::Chair), Some(icalendar::PartStat::Accepted), Some(false)));
    assert!(
        roles[1..]
            .iter()
            .all(|r| *r == (Some(icalendar::Role::ReqParticipant), Some(icalendar::PartStat::NeedsAction), Some(true)))
    );
}

/// A participant removed from the series still finds themself among the ATTENDEEs of the
/// cancellation they receive; the organizer (the service) is never an ATTENDEE, and a supervisor
/// listed also as a participant is listed once, as CHAIR.
#[test]
fn recipient_is_listed_and_organizer_is_not() {
    let service = service();
    let supervisor = organizer();
    let removed = Party { name: "Leaving Person".into(), email: "leaving@example.fi".into() };
    let others = vec![
        attendees()[0].clone(),
        Party { name: "Päivi".into(), email: "PAIVI.OHJAAJA@example.fi".into() },
        Party { name: "Ohjaus itse".into(), email: "NoReply@ohjaus.example".into() },
    ];
    let ctx = MessageContext {
        organizer: &service,
        chairs: std::slice::from_ref(&supervisor),
        attendees: &others,
        recipient: Some(&removed),
        summary: "S",
        description: None,
        sequence: 7,
    };
    let rendered = render(&CalendarMessage::CancelEvent { event: series() }, &ctx, dtstamp()).unwrap();
    let unfolded = unfold(&rendered.text);
    let attendees: Vec<&str> = unfolded.lines().filter(|l| l.starts_with("ATTENDEE")).collect();
    assert_eq!(attendees.len(), 3, "{attendees:?}");
    assert!(attendees[0].contains("ROLE=CHAIR") && attendees[0].ends_with(":mailto:paivi.ohjaaja@example.fi"));
    assert!(attendees[2].ends_with(":mailto:leaving@example.fi"));
}

/// VTIMEZONE and local times for zones in both hemispheres, without DST, and on GMT.
#[test]
fn any_iana_zone_gets_its_vtimezone() {
    let fixture = Fixture::new();
    for (zone, first, offsets) in [
        ("Europe/Helsinki", "2027-02-01T10:00", vec!["TZOFFSETTO:+0300", "TZOFFSETTO:+0200"]),
        ("America/New_York", "2027-02-01T10:00", vec!["TZOFFSETTO:-0400", "TZOFFSETTO:-0500"]),
        ("Australia/Sydney", "2027-02-01T10:00", vec!["TZOFFSETTO:+1000", "TZOFFSETTO:+1100"]),
        ("Asia/Kolkata", "2027-02-01T10:00", vec!["TZOFFSETTO:+0530"]),
        ("Europe/London", "2027-02-01T10:00", vec!["TZOFFSETTO:+0100", "TZOFFSETTO:+0000"]),
    ] {
        let event = Booking {
            series: 9,
            every_weeks: 4,
            count: 6,
            minutes: 60,
            ..Booking::new("z@ohjaus", zone.parse().unwrap(), at(first))
        }
        .event();
        let rendered = render(&CalendarMessage::Request { event }, &fixture.ctx(0), dtstamp()).unwrap();
        assert_line_format(&rendered.text);
        assert!(rendered.text.contains(&format!("TZID:{zone}\r\n")), "{zone}");
        assert!(rendered.text.contains(&format!("DTSTART;TZID={zone}:20270201T100000\r\n")), "{zone}");
        for offset in offsets {
            assert!(rendered.text.contains(offset), "{zone}: {offset}\n{}", rendered.text);
        }
    }
}

#[test]
fn inconsistent_snapshots_are_errors() {
    let fixture = Fixture::new();
    let mut event = series();
    event.timezone = "Europe/Tampere".into();
    assert!(matches!(
        render(&CalendarMessage::Request { event }, &fixture.ctx(0), dtstamp()),
        Err(RenderError::UnknownTimeZone { .. })
    ));
    let mut event = series();
    event.instances[1].recurrence_id = Some(utc("2027-02-12T11:00Z"));
    assert!(matches!(
        render(&CalendarMessage::Request { event }, &fixture.ctx(0), dtstamp()),
        Err(RenderError::NotAnOccurrence { .. })
    ));
    let message = CalendarMessage::RequestInstance { event: series(), session_id: session_id(7, 7) };
    assert!(matches!(render(&message, &fixture.ctx(0), dtstamp()), Err(RenderError::UnknownSession { .. })));
    let message = CalendarMessage::RequestInstance { event: series(), session_id: session_id(1, 4) };
    assert!(matches!(render(&message, &fixture.ctx(0), dtstamp()), Err(RenderError::CancelledSession { .. })));
    let message = CalendarMessage::CancelInstances { event: series(), session_ids: vec![] };
    assert!(matches!(render(&message, &fixture.ctx(0), dtstamp()), Err(RenderError::NothingToCancel { .. })));
    let mut event = series();
    event.instances.clear();
    assert!(matches!(
        render(&CalendarMessage::Request { event: event.clone() }, &fixture.ctx(0), dtstamp()),
        Err(RenderError::NoInstances { .. })
    ));
    // A cancellation of the whole UID needs no session.
    assert!(render(&CalendarMessage::CancelEvent { event }, &fixture.ctx(0), dtstamp()).is_ok());
}

/// The stored rule's end does not bound the event: a series extended past its COUNT, or
/// truncated before it, is described by its sessions.
#[test]
fn sessions_bound_the_rule() {
    let fixture = Fixture::new();
    let mut event = series();
    event.rrule = Some("FREQ=WEEKLY;INTERVAL=3;UNTIL=20270301T000000Z".into());
    let rendered = render(&CalendarMessage::Request { event: event.clone() }, &fixture.ctx(0), dtstamp()).unwrap();
    assert!(rendered.text.contains("RRULE:FREQ=WEEKLY;INTERVAL=3;COUNT=11\r\n"));
    event.instances.truncate(5);
    let rendered = render(&CalendarMessage::Request { event }, &fixture.ctx(0), dtstamp()).unwrap();
    assert!(rendered.text.contains("RRULE:FREQ=WEEKLY;INTERVAL=3;COUNT=5\r\n"));
}

/// The worker's path: an invite notice gives the context; a participant recipient is listed,
/// the supervisor's own copy adds nobody.
#[test]
fn context_of_an_invite_notice() {
    use ohjaus_core::Locale;
    use ohjaus_core::notice::{Change, Notice, Recipient, Role, SeriesInfo};
    let invite = |role: Role, party: Party| Notice::Invite {
        recipient: Recipient {
            party,
            locale: Locale::Fi,
            timezone: "Europe/Helsinki".into(),
            role,
            id: session_id(0, 1),
        },
        organizer: organizer(),
        supervisors: Vec::new(),
        attendees: attendees(),
        series: SeriesInfo {
            series_id: session_id(0, 2),
            title: TITLE.into(),
            kind: "group_supervision".into(),
            organization_name: "Sairaala".into(),
            total_sessions: 10,
            cancellation_notice_hours: 168,
        },
        sequence: 4,
        change: Change::SeriesBooked,
        calendar: CalendarMessage::Request { event: series() },
    };
    let late = Party { name: "Late Joiner".into(), email: "late@example.fi".into() };
    let notice = invite(Role::Participant, late.clone());
    let service = service();
    let (ctx, message) = MessageContext::of_invite(&notice, &service).unwrap();
    assert_eq!((ctx.sequence, ctx.summary, ctx.recipient), (4, TITLE, Some(&late)));
    let rendered = render(message, &ctx, dtstamp()).unwrap();
    assert!(rendered.text.contains("SEQUENCE:4\r\n") && rendered.text.contains("mailto:late@example.fi"));

    let notice = invite(Role::Supervisor, organizer());
    let (ctx, _) = MessageContext::of_invite(&notice, &service).unwrap();
    assert_eq!(ctx.recipient, None);
    assert_eq!((ctx.organizer, ctx.chairs), (&service, std::slice::from_ref(&organizer())));
    let rendered = render(message, &ctx, dtstamp()).unwrap();
    assert!(rendered.text.contains("ORGANIZER;CN=Ohjaus:mailto:noreply@ohjaus.example\r\n"), "{}", rendered.text);
    let reminder = Notice::SignInLink {
        recipient: Recipient {
            party: late,
            locale: Locale::En,
            timezone: "Europe/Helsinki".into(),
            role: Role::Participant,
            id: session_id(0, 3),
        },
        url: "https://ohjaus.example.fi/s/x".into(),
        expires_at: dtstamp(),
    };
    assert!(MessageContext::of_invite(&reminder, &service).is_none());
}

/// Long values of every width of UTF-8 fold into lines of at most 75 octets, never inside a
/// character, and read back whole.
#[test]
fn long_values_fold_and_read_back() {
    let organizer = organizer();
    let pieces = ["a", "ä", "€", "🙂", " ", ",", ";", "\\", "e\u{301}"];
    for length in (1..160).step_by(7) {
        let title: String = (0..length).map(|i| pieces[i % pieces.len()]).collect();
        let people = vec![Party { name: title.clone(), email: "x@example.fi".into() }];
        let ctx = MessageContext {
            organizer: &organizer,
            chairs: &[],
            attendees: &people,
            recipient: None,
            summary: &title,
            description: Some(&title),
            sequence: 0,
        };
        let rendered = render(&CalendarMessage::Request { event: series() }, &ctx, dtstamp()).unwrap();
        assert_line_format(&rendered.text);
        let parsed: icalendar::Calendar = rendered.text.parse().unwrap();
        let event = parsed.components.iter().find_map(|c| c.as_event()).unwrap();
        assert_eq!(event.get_summary().unwrap(), title, "length {length}");
        assert_eq!(event.get_attendees()[0].cn.as_deref().unwrap(), title.trim());
    }
}
