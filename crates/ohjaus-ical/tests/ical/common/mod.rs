//! Series as the store would snapshot them: planned by the core (holidays skipped), then moved,
//! cancelled, re-planned or extended the way the API changes them.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use ohjaus_core::notice::Party;
use ohjaus_core::recurrence::End;
use ohjaus_core::{
    CalendarEvent, DaysOff, EventInstance, HolidayPolicy, Recurrence, Schedule, SessionDuration, SessionStatus,
    TimeZone,
};
use uuid::Uuid;

/// A local wall time `YYYY-MM-DDTHH:MM`.
pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

/// An instant in UTC, `YYYY-MM-DDTHH:MMZ`.
pub fn utc(s: &str) -> DateTime<Utc> {
    at(s.trim_end_matches('Z')).and_utc()
}

/// The id of session `index` of series `series`.
pub fn session_id(series: u32, index: u32) -> Uuid {
    Uuid::from_u128((u128::from(series) << 64) | u128::from(index))
}

pub const ROOM: &str = "Neuvotteluhuone 2; B-siipi, 3. krs \\ ovi 5";
pub const VIDEO: &str = "https://meet.example.fi/osasto-5?pwd=a,b;c";

/// A series booked weekly every `every_weeks` weeks from `first` in `zone`: `count` sessions of
/// `minutes`, numbered from `first_index`, Finnish holidays treated by `holidays`.
pub struct Booking {
    pub uid: &'static str,
    pub series: u32,
    pub zone: TimeZone,
    pub first: NaiveDateTime,
    pub every_weeks: u8,
    pub count: u16,
    pub minutes: i64,
    pub first_index: u32,
    pub holidays: HolidayPolicy,
}

impl Booking {
    /// Series 1, every 3 weeks, 10 sessions of 90 minutes from session 1, holidays skipped.
    pub fn new(uid: &'static str, zone: TimeZone, first: NaiveDateTime) -> Self {
        Self {
            uid,
            series: 1,
            zone,
            first,
            every_weeks: 3,
            count: 10,
            minutes: 90,
            first_index: 1,
            holidays: HolidayPolicy::Skip,
        }
    }

    /// The rule event the core plans, as the store would snapshot it.
    pub fn event(&self) -> CalendarEvent {
        let schedule = Schedule {
            first_start: self.first,
            timezone: self.zone,
            duration: SessionDuration::from_minutes("duration_minutes", self.minutes).unwrap(),
            recurrence: Recurrence::weekly(self.every_weeks, End::Count(self.count), self.first).unwrap(),
            holiday_policy: self.holidays,
        };
        let mut plan = schedule.plan(&DaysOff::holidays_only()).unwrap();
        plan.renumber(self.first_index, self.first_index + u32::from(self.count) - 1);
        CalendarEvent {
            uid: self.uid.to_owned(),
            first_start: self.first,
            timezone: self.zone.name().to_owned(),
            duration_minutes: u16::try_from(self.minutes).unwrap(),
            rrule: Some(schedule.recurrence.to_rrule(self.zone)),
            instances: plan
                .sessions
                .iter()
                .map(|s| EventInstance {
                    session_id: session_id(self.series, s.index),
                    index: s.index,
                    recurrence_id: Some(self.zone.resolve_utc(s.rule_start)),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    status: SessionStatus::Scheduled,
                    location: Some(ROOM.to_owned()),
                    video_url: Some(VIDEO.to_owned()),
                })
                .collect(),
        }
    }
}

/// A single event (a make-up session) at `start` in `zone`.
pub fn single(uid: &str, series: u32, index: u32, zone: TimeZone, start: NaiveDateTime, minutes: i64) -> CalendarEvent {
    let starts_at = zone.resolve_utc(start);
    CalendarEvent {
        uid: uid.to_owned(),
        first_start: start,
        timezone: zone.name().to_owned(),
        duration_minutes: u16::try_from(minutes).unwrap(),
        rrule: None,
        instances: vec![EventInstance {
            session_id: session_id(series, index),
            index,
            recurrence_id: None,
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(minutes),
            status: SessionStatus::Scheduled,
            location: Some(ROOM.to_owned()),
            video_url: Some(VIDEO.to_owned()),
        }],
    }
}

pub fn instance_mut(event: &mut CalendarEvent, index: u32) -> &mut EventInstance {
    event.instances.iter_mut().find(|i| i.index == index).unwrap()
}

/// Moves session `index` to the local wall time `start`, keeping its length.
pub fn move_session(event: &mut CalendarEvent, index: u32, start: NaiveDateTime) {
    let zone: TimeZone = event.timezone.parse().unwrap();
    let length = TimeDelta::minutes(i64::from(event.duration_minutes));
    let instance = instance_mut(event, index);
    instance.starts_at = zone.resolve_utc(start);
    instance.ends_at = instance.starts_at + length;
}

pub fn cancel_session(event: &mut CalendarEvent, index: u32) {
    instance_mut(event, index).status = SessionStatus::Cancelled;
}

/// The sessions a calendar should show: (uid, start, end) in UTC of every session not
/// cancelled, in the checker's order.
pub fn expected(events: &[&CalendarEvent]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = events
        .iter()
        .flat_map(|e| {
            e.instances.iter().filter(|i| i.status != SessionStatus::Cancelled).map(|i| {
                (
                    e.uid.clone(),
                    i.starts_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    i.ends_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                )
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    out
}

/// The service, the ORGANIZER of every message.
pub fn service() -> Party {
    Party { name: "Ohjaus".into(), email: "noreply@ohjaus.example".into() }
}

/// The supervisor (a CHAIR), with a name that needs quoting.
pub fn organizer() -> Party {
    Party { name: "Päivi \"Pomo\" Ohjaaja, PsM".into(), email: "paivi.ohjaaja@example.fi".into() }
}

/// Participants with `; , \`, non-ASCII and a CR/LF attempt in their names.
pub fn attendees() -> Vec<Party> {
    vec![
        Party { name: "Virtanen; Ville".into(), email: "ville.virtanen@example.fi".into() },
        Party { name: "Åsa Öberg, RN".into(), email: "asa.oberg@example.fi".into() },
        Party { name: "Emmi 🙂 Nurse\r\nATTENDEE:mailto:evil@example.com".into(), email: "emmi@example.fi".into() },
        Party { name: "Back\\slash Bäckström".into(), email: "bb@example.fi".into() },
    ]
}

/// A title with `; , \`, quotes, emoji and a CR/LF attempt to add a property.
pub const TITLE: &str = "Osasto 5; työnohjaus, \"kevät\" \\ 🙂\r\nDTSTART:20990101T000000Z";
pub const DESCRIPTION: &str = "Tervetuloa työnohjaukseen!\r\nMuista: peruutus viikkoa ennen; kiitos, ohjaaja.";
