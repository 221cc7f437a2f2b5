//! Emails as a recipient gets them: every kind in Finnish, Swedish and English (snapshots),
//! the invite's MIME layout, and hostile names and titles.

use crate::fixtures::{self, participant, supervisor_recipient};
use crate::mime;
use lettre::message::Mailbox;
use ohjaus_core::notice::{CalendarMessage, Party};
use ohjaus_core::{Locale, Notice};
use ohjaus_notify::{CalendarPart, Envelope, compose};

const LOCALES: [Locale; 3] = [Locale::Fi, Locale::Sv, Locale::En];

fn envelope() -> Envelope {
    let from: Mailbox = "Ohjaus <noreply@ohjaus.example>".parse().expect("a mailbox");
    Envelope::for_key(from, "0190aaaa-0000-7000-8000-000000000001", fixtures::utc("2027-01-05T08:00:00Z"))
}

fn calendar_of(notice: &Notice) -> Option<CalendarPart> {
    let Notice::Invite { calendar, .. } = notice else { return None };
    let method = match calendar {
        CalendarMessage::Request { .. } | CalendarMessage::RequestInstance { .. } => "REQUEST",
        CalendarMessage::CancelInstances { .. } | CalendarMessage::CancelEvent { .. } => "CANCEL",
    };
    Some(CalendarPart { method: method.into(), text: fixtures::ics(method) })
}

fn raw(notice: &Notice) -> String {
    let message = compose(notice, calendar_of(notice).as_ref(), &envelope()).expect("composes");
    String::from_utf8(message.formatted()).expect("ASCII on the wire")
}

/// The email as sent, with MIME boundaries (random) made stable.
fn snapshot_text(notice: &Notice) -> String {
    mime::normalize_boundaries(&raw(notice))
}

macro_rules! snapshots {
    ($($name:ident => $make:expr;)*) => {$(
        #[test]
        fn $name() {
            for locale in LOCALES {
                let notice: Notice = $make(locale);
                let name = format!("{}_{}", stringify!($name), locale);
                insta::assert_snapshot!(name, snapshot_text(&notice));
            }
        }
    )*};
}

snapshots! {
    invite_series_booked => |l| fixtures::booked(participant(l));
    invite_series_booked_to_supervisor => |l| fixtures::booked(supervisor_recipient(l));
    invite_session_moved => |l| fixtures::moved(participant(l));
    invite_session_cancelled => |l| fixtures::cancelled(participant(l));
    invite_series_cancelled => |l| fixtures::series_cancelled(participant(l));
    reminder => |l| fixtures::reminder(participant(l));
    digest => |l| fixtures::digest(supervisor_recipient(l));
    sign_in_link => |l| fixtures::sign_in(participant(l));
    info_absence => |l| fixtures::absence(supervisor_recipient(l));
}

#[test]
fn an_invite_is_mixed_with_alternative_and_attachment() {
    let email = mime::parse(&raw(&fixtures::booked(participant(Locale::Fi))));
    assert_eq!(email.content_type(), "multipart/mixed");
    let [alternative, attachment] = email.parts.as_slice() else { panic!("two parts: {:?}", email.parts.len()) };
    assert_eq!(alternative.content_type(), "multipart/alternative");
    let types: Vec<_> = alternative.parts.iter().map(mime::Part::content_type).collect();
    assert_eq!(types, ["text/plain", "text/html", "text/calendar"]);
    let inline = &alternative.parts[2];
    let header = inline.header("content-type").expect("a content type");
    assert!(header.contains("method=REQUEST"), "{header}");
    assert!(header.to_ascii_lowercase().contains("charset=utf-8"), "{header}");
    assert_eq!(attachment.content_type(), "application/ics");
    assert!(attachment.header("content-disposition").expect("a disposition").contains("invite.ics"));
    assert_eq!(inline.body_text(), fixtures::ics("REQUEST"));
    assert_eq!(attachment.body_text(), fixtures::ics("REQUEST"));
    assert_eq!(email.decoded_header("reply-to").as_deref(), Some("Sari Ohjaaja <sari@tyonohjaus.example>"));
    assert_eq!(email.header("auto-submitted").as_deref(), Some("auto-generated"));
}

#[test]
fn a_cancellation_says_cancel_in_the_mime_method() {
    let email = mime::parse(&raw(&fixtures::cancelled(participant(Locale::Sv))));
    let inline = &email.parts[0].parts[2];
    assert!(inline.header("content-type").expect("a content type").contains("method=CANCEL"));
}

#[test]
fn other_kinds_are_plain_and_html_only() {
    for notice in [fixtures::reminder(participant(Locale::En)), fixtures::sign_in(participant(Locale::En))] {
        let email = mime::parse(&raw(&notice));
        assert_eq!(email.content_type(), "multipart/alternative");
        let types: Vec<_> = email.parts.iter().map(mime::Part::content_type).collect();
        assert_eq!(types, ["text/plain", "text/html"]);
    }
}

#[test]
fn the_facts_a_participant_needs_are_in_the_text() {
    let email = mime::parse(&raw(&fixtures::moved(participant(Locale::Fi))));
    let text = email.parts[0].parts[0].body_text();
    for expected in [
        "Osasto 5:n työnohjaus (ryhmätyönohjaus)",
        "3/4",
        "keskiviikko 10.2.2027 klo 14.00–15.30",
        "tiistai 9.2.2027 klo 13.00–14.30",
        "https://meet.example/osasto5",
        "Meilahden tornisairaala",
        "48 tuntia",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert_eq!(
        email.decoded_header("subject").as_deref(),
        Some("Siirretty: Osasto 5:n työnohjaus, istunto 3/4 → ke 10.2.2027 klo 14.00")
    );
}

#[test]
fn times_are_in_the_readers_zone() {
    let mut recipient = participant(Locale::Sv);
    recipient.timezone = "Europe/Stockholm".into();
    let email = mime::parse(&raw(&fixtures::reminder(recipient)));
    let text = email.parts[0].body_text();
    assert!(text.contains("tisdag 26.1.2027 kl. 12.00–13.30 (Europe/Stockholm)"), "{text}");
    assert!(text.contains("mellanutvärdering"), "{text}");
}

const HOSTILE: &str = "Tiimi; \"A\", <b>ÄÖÅ</b> 🎉\r\nBcc: victim@evil.example\r\n\r\nInjected body";

fn hostile_notice() -> Notice {
    let mut notice = fixtures::booked(participant(Locale::Fi));
    if let Notice::Invite { recipient, organizer, series, .. } = &mut notice {
        recipient.party.name = format!("Äijä, Öhman; {HOSTILE}");
        *organizer = Party { name: format!("Ohjaaja {HOSTILE}"), email: "sari@tyonohjaus.example".into() };
        series.title = format!("Työnohjaus {HOSTILE}");
        series.organization_name = HOSTILE.into();
    }
    notice
}

#[test]
fn hostile_names_and_titles_never_add_a_header() {
    let raw = raw(&hostile_notice());
    let email = mime::parse(&raw);
    let mut names: Vec<String> = email.headers.iter().map(|(name, _)| name.to_ascii_lowercase()).collect();
    names.sort();
    let expected =
        ["auto-submitted", "content-type", "date", "from", "message-id", "mime-version", "reply-to", "subject", "to"];
    assert_eq!(names, expected);
    assert!(!raw.to_ascii_lowercase().contains("\nbcc:"), "a Bcc header appeared");
    assert!(raw.is_ascii(), "headers and bodies are encoded for the wire");
    let subject = email.decoded_header("subject").expect("a subject");
    assert!(
        subject.contains("Työnohjaus Tiimi; \"A\", <b>ÄÖÅ</b> 🎉 Bcc: victim@evil.example Injected body"),
        "{subject}"
    );
    let to = email.decoded_header("to").expect("a To header");
    assert!(to.contains("Äijä, Öhman; Tiimi;"), "{to}");
    assert!(to.ends_with("<maija.meikalainen@hus.example>"), "{to}");
}

#[test]
fn hostile_text_is_escaped_in_html() {
    let email = mime::parse(&raw(&hostile_notice()));
    let html = email.parts[0].parts[1].body_text();
    assert!(!html.contains("<b>ÄÖÅ</b>"), "markup from a title must be escaped");
    assert!(html.contains("&lt;b&gt;ÄÖÅ&lt;/b&gt; 🎉"), "{html}");
    let text = email.parts[0].parts[0].body_text();
    assert!(text.contains("<b>ÄÖÅ</b> 🎉 Bcc: victim@evil.example Injected body"), "{text}");
}

#[test]
fn an_invalid_recipient_address_is_an_error_not_a_header() {
    let mut notice = fixtures::reminder(participant(Locale::Fi));
    if let Notice::Reminder { recipient, .. } = &mut notice {
        recipient.party.email = "maija@hus.example\r\nBcc: victim@evil.example".into();
    }
    assert!(compose(&notice, None, &envelope()).is_err());
}

#[test]
fn an_invite_without_its_calendar_or_with_a_bad_method_is_refused() {
    let notice = fixtures::booked(participant(Locale::Fi));
    assert!(compose(&notice, None, &envelope()).is_err());
    let bad = CalendarPart { method: "REQUEST\r\nBcc: x@evil.example".into(), text: fixtures::ics("REQUEST") };
    assert!(compose(&notice, Some(&bad), &envelope()).is_err());
}

/// A co-supervisor who joins or leaves, and the supervisor told of it, read what happened to
/// them, in their language; the calendar object's ORGANIZER is the service, never them.
#[test]
fn co_supervision_changes_say_what_happened() {
    use ohjaus_core::notice::Change;
    let with = |change: Change, locale: Locale| {
        let mut notice = fixtures::booked(fixtures::supervisor_recipient(locale));
        if let Notice::Invite { change: c, .. } = &mut notice {
            *c = change;
        }
        mime::parse(&raw(&notice)).decoded_header("subject").unwrap_or_default()
    };
    assert_eq!(with(Change::CoSupervisorAdded, Locale::Fi), "Pariohjaus: Osasto 5:n työnohjaus");
    assert_eq!(with(Change::CoSupervisorRemoved, Locale::Sv), "Parhandledningen upphörde: Osasto 5:n työnohjaus");
    assert_eq!(with(Change::SupervisorsChanged, Locale::En), "Co-supervisor changed: Osasto 5:n työnohjaus");

    let notice = fixtures::booked(fixtures::supervisor_recipient(Locale::Fi));
    let service = Party { name: "Ohjaus".into(), email: "kalenteri@ohjaus.example".into() };
    let calendar = ohjaus_notify::worker::render_calendar(&notice, &service, fixtures::utc("2027-01-05T08:00:00Z"))
        .unwrap()
        .unwrap();
    let text = calendar.text.replace("\r\n ", "");
    assert!(text.contains("ORGANIZER;CN=Ohjaus:mailto:kalenteri@ohjaus.example\r\n"), "{text}");
    assert!(!text.contains("ORGANIZER;CN=Sari"), "the supervisor is no ORGANIZER");
    assert!(
        text.contains(
            "ATTENDEE;CN=Sari Ohjaaja;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR;RSVP=FALSE:mailto:sari@"
        ),
        "the supervisor is a chair: {text}"
    );
}

#[test]
fn a_disabled_webhook_is_told_in_every_language() {
    for (locale, subject) in [
        (Locale::Fi, "Webhook poistettu käytöstä: https://hr.example"),
        (Locale::Sv, "Webhook avstängd: https://hr.example"),
        (Locale::En, "Webhook disabled: https://hr.example"),
    ] {
        let notice = Notice::WebhookDisabled {
            recipient: participant(locale),
            organization_name: "Osasto 5".into(),
            endpoint: "https://hr.example".into(),
            reason: "every delivery failed for 5 days".into(),
        };
        let letter = ohjaus_notify::letter(&notice);
        assert_eq!(letter.subject, subject);
        assert!(!letter.lead.is_empty());
        let text = raw(&notice);
        assert!(text.contains("every delivery failed for 5 days") || text.contains("every delivery failed"));
    }
}
