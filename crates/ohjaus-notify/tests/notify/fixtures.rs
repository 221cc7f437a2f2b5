//! Notices of every kind, as the store would write them, for a Helsinki ward's group
//! supervision series.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo, SessionSummary};
use ohjaus_core::{CalendarEvent, EventInstance, Locale, Notice, SessionStatus};
use uuid::Uuid;

pub fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("a fixture instant")
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
}

pub fn participant(locale: Locale) -> Recipient {
    Recipient {
        party: Party { name: "Maija Meikäläinen".into(), email: "maija.meikalainen@hus.example".into() },
        locale,
        timezone: "Europe/Helsinki".into(),
        role: Role::Participant,
        id: id(1),
    }
}

pub fn supervisor_recipient(locale: Locale) -> Recipient {
    Recipient { party: organizer(), locale, timezone: "Europe/Helsinki".into(), role: Role::Supervisor, id: id(2) }
}

pub fn organizer() -> Party {
    Party { name: "Sari Ohjaaja".into(), email: "sari@tyonohjaus.example".into() }
}

pub fn series() -> SeriesInfo {
    SeriesInfo {
        series_id: id(10),
        title: "Osasto 5:n työnohjaus".into(),
        kind: "group_supervision".into(),
        organization_name: "HUS Meilahti".into(),
        total_sessions: 4,
        cancellation_notice_hours: 48,
    }
}

/// Four fortnightly Tuesdays 13.00–14.30 Helsinki time from 12.1.2027.
pub fn event() -> CalendarEvent {
    let first = utc("2027-01-12T11:00:00Z");
    CalendarEvent {
        uid: format!("{}@ohjaus", id(10)),
        first_start: NaiveDate::from_ymd_opt(2027, 1, 12).and_then(|d| d.and_hms_opt(13, 0, 0)).expect("a date"),
        timezone: "Europe/Helsinki".into(),
        duration_minutes: 90,
        rrule: Some("FREQ=WEEKLY;INTERVAL=2;COUNT=4".into()),
        instances: (0..4)
            .map(|k| {
                let starts_at = first + TimeDelta::weeks(2 * k);
                EventInstance {
                    session_id: id(100 + k as u128),
                    index: k as u32 + 1,
                    recurrence_id: Some(starts_at),
                    starts_at,
                    ends_at: starts_at + TimeDelta::minutes(90),
                    status: SessionStatus::Scheduled,
                    location: Some("Meilahden tornisairaala, neuvotteluhuone 3".into()),
                    video_url: None,
                }
            })
            .collect(),
    }
}

pub fn booked(recipient: Recipient) -> Notice {
    Notice::Invite {
        recipient,
        organizer: organizer(),
        supervisors: Vec::new(),
        attendees: vec![participant(Locale::Fi).party],
        series: series(),
        sequence: 0,
        change: Change::SeriesBooked,
        calendar: CalendarMessage::Request { event: event() },
    }
}

pub fn moved(recipient: Recipient) -> Notice {
    let mut event = event();
    let previous_start = event.instances[2].starts_at;
    event.instances[2].starts_at = previous_start + TimeDelta::days(1) + TimeDelta::hours(1);
    event.instances[2].ends_at = event.instances[2].starts_at + TimeDelta::minutes(90);
    event.instances[2].video_url = Some("https://meet.example/osasto5".into());
    let session_id = event.instances[2].session_id;
    Notice::Invite {
        recipient,
        organizer: organizer(),
        supervisors: Vec::new(),
        attendees: vec![participant(Locale::Fi).party],
        series: series(),
        sequence: 1,
        change: Change::SessionMoved { index: 3, previous_start },
        calendar: CalendarMessage::RequestInstance { event, session_id },
    }
}

pub fn cancelled(recipient: Recipient) -> Notice {
    let mut event = event();
    event.instances[3].status = SessionStatus::Cancelled;
    let session_id = event.instances[3].session_id;
    Notice::Invite {
        recipient,
        organizer: organizer(),
        supervisors: Vec::new(),
        attendees: vec![participant(Locale::Fi).party],
        series: series(),
        sequence: 2,
        change: Change::SessionCancelled { index: 4, late: true, reason: Some("Osastolla influenssaepidemia".into()) },
        calendar: CalendarMessage::CancelInstances { event, session_ids: vec![session_id] },
    }
}

pub fn series_cancelled(recipient: Recipient) -> Notice {
    Notice::Invite {
        recipient,
        organizer: organizer(),
        supervisors: Vec::new(),
        attendees: vec![participant(Locale::Fi).party],
        series: series(),
        sequence: 3,
        change: Change::SeriesCancelled { reason: None },
        calendar: CalendarMessage::CancelEvent { event: event() },
    }
}

pub fn summary(k: u32) -> SessionSummary {
    let event = event();
    let instance = &event.instances[k as usize - 1];
    SessionSummary {
        session_id: instance.session_id,
        title: series().title,
        organization_name: series().organization_name,
        index: k,
        total: 4,
        starts_at: instance.starts_at,
        ends_at: instance.ends_at,
        location: instance.location.clone(),
        video_url: Some("https://meet.example/osasto5".into()),
        phase: (k == 2).then(|| "midpoint_review".to_owned()),
        kind: Some("group_supervision".into()),
        supervisor: Some(organizer()),
        cancellation_notice_hours: Some(48),
    }
}

pub fn reminder(recipient: Recipient) -> Notice {
    Notice::Reminder { recipient, session: summary(2) }
}

pub fn digest(recipient: Recipient) -> Notice {
    let mut other = summary(1);
    other.session_id = id(200);
    other.title = "Rehtorien coaching".into();
    other.organization_name = "Espoon kaupunki".into();
    other.index = 3;
    other.total = 6;
    other.phase = None;
    other.location = None;
    other.starts_at = utc("2027-01-14T07:30:00Z");
    other.ends_at = utc("2027-01-14T08:30:00Z");
    Notice::Digest {
        recipient,
        week_start: NaiveDate::from_ymd_opt(2027, 1, 11).expect("a date"),
        sessions: vec![summary(1), other],
    }
}

pub fn sign_in(recipient: Recipient) -> Notice {
    Notice::SignInLink {
        recipient,
        url: "https://ohjaus.example/login/abc123".into(),
        expires_at: utc("2027-01-10T10:15:00Z"),
    }
}

pub fn absence(recipient: Recipient) -> Notice {
    Notice::Info {
        recipient,
        series: series(),
        change: Change::AbsenceReported { index: 2, participant: "Maija Meikäläinen".into() },
    }
}

/// A minimal calendar object, standing in for `ohjaus-ical`'s output where a test only looks at
/// the MIME structure.
pub fn ics(method: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ohjaus//test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n\
         UID:{}@ohjaus\r\nDTSTAMP:20270101T000000Z\r\nSUMMARY:Osasto 5:n työnohjaus\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        id(10)
    )
}

/// The secret of the poll fixtures' voting link.
pub const VOTE_SECRET: &str = "ohjvote_Qm9va2luZ1NlY3JldEZvclRoZVRlc3RzMDEyMzQ1Njc4";

/// A poll with three rhythms for the ward, answers by Friday 8 January 2027 at 16.00.
pub fn poll_info() -> ohjaus_core::notice::PollInfo {
    use ohjaus_core::RecurrenceBody;
    use ohjaus_core::notice::PollOptionInfo;
    use ohjaus_core::recurrence::ByWeekday;
    let weekly = |interval| RecurrenceBody {
        frequency: "weekly".into(),
        interval: Some(interval),
        count: Some(6),
        until: None,
        by_weekday: None,
    };
    ohjaus_core::notice::PollInfo {
        poll_id: id(20),
        title: "Osasto 5:n työnohjaus".into(),
        kind: "group_supervision".into(),
        organization_name: "HUS Meilahti".into(),
        supervisors: vec![organizer()],
        deadline: utc("2027-01-08T14:00:00Z"),
        timezone: "Europe/Helsinki".into(),
        options: vec![
            PollOptionInfo {
                option_id: id(21),
                position: 1,
                first_start: utc("2027-01-12T11:00:00Z"),
                duration_minutes: 90,
                recurrence: weekly(2),
                rrule: "FREQ=WEEKLY;INTERVAL=2;COUNT=6".into(),
                sessions: 6,
                location: Some("Meilahden tornisairaala, neuvotteluhuone 3".into()),
            },
            PollOptionInfo {
                option_id: id(22),
                position: 2,
                first_start: utc("2027-01-14T06:30:00Z"),
                duration_minutes: 60,
                recurrence: weekly(3),
                rrule: "FREQ=WEEKLY;INTERVAL=3;COUNT=6".into(),
                sessions: 6,
                location: None,
            },
            PollOptionInfo {
                option_id: id(23),
                position: 3,
                first_start: utc("2027-01-29T12:00:00Z"),
                duration_minutes: 120,
                recurrence: RecurrenceBody {
                    frequency: "monthly".into(),
                    interval: None,
                    count: Some(5),
                    until: None,
                    by_weekday: Some(ByWeekday::One("-1FR".into())),
                },
                rrule: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5".into(),
                sessions: 5,
                location: Some("Kirjasto".into()),
            },
        ],
    }
}

pub fn poll_invitation(recipient: Recipient) -> Notice {
    Notice::PollInvitation { recipient, poll: poll_info(), url: format!("https://ohjaus.example/vote/{VOTE_SECRET}") }
}

pub fn poll_reminder(recipient: Recipient) -> Notice {
    Notice::PollReminder { recipient, poll: poll_info(), url: format!("https://ohjaus.example/vote/{VOTE_SECRET}") }
}

/// The decision: the first option chosen and booked, or (`chosen` false) none.
pub fn poll_decided(recipient: Recipient, chosen: bool) -> Notice {
    let poll = poll_info();
    let option = chosen.then(|| poll.options[0].clone());
    Notice::PollDecided { recipient, poll, chosen: option, series_id: chosen.then(|| id(10)) }
}
