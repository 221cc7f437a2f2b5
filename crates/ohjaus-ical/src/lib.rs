//! iCalendar objects for Ohjaus: the iTIP messages (RFC 5546) an invitation email carries, and
//! the subscription feed. Pure: no IO and no clock — `dtstamp` is an argument.
//!
//! A tour:
//!
//! - [`render`] turns a [`CalendarMessage`] (the outbox's snapshot of a change) and a
//!   [`MessageContext`] (the service as organizer, the supervisors as chairs, the participants,
//!   title, SEQUENCE) into a [`Rendered`] object: the
//!   METHOD for the email's `text/calendar; method=…` part and the text.
//!   - `Request`: the whole event — DTSTART in the event's zone, an RRULE whose COUNT covers
//!     exactly the rule occurrences up to the last session's, an EXDATE for every occurrence
//!     without a session (a skipped holiday) or with a cancelled one, and an override
//!     (RECURRENCE-ID) for every session that moved or changed place. A single event (no rule,
//!     e.g. a make-up session) is one plain VEVENT.
//!   - `RequestInstance`: only the override of the moved session.
//!   - `CancelInstances`: METHOD:CANCEL with a VEVENT per session (RECURRENCE-ID,
//!     STATUS:CANCELLED).
//!   - `CancelEvent`: METHOD:CANCEL of the whole UID.
//! - [`feed`] writes a METHOD:PUBLISH calendar of someone's events for `GET /calendar/{token}.ics`.
//! - `layout` lays an event against its rule (which occurrence each session stands for),
//!   `vevent` builds the VEVENTs with the `icalendar` crate, `vtimezone` writes a VTIMEZONE for
//!   any IANA zone from chrono-tz (once per zone and years: the only state this crate keeps is
//!   that cache of a pure function), and `text` keeps every value on its own line.
//!
//! Every VEVENT of a message carries the message's SEQUENCE (one counter per series, raised on
//! every message), DTSTAMP, ORGANIZER and the ATTENDEEs with CN, CUTYPE, ROLE, PARTSTAT and
//! RSVP. Lines end in CRLF and are folded at 75 octets on UTF-8 boundaries.
//!
//! `tests/interop/ics_check.py` at the root of the repository reads what this crate writes
//! with two independent Python parsers, applying messages in order as a calendar client does;
//! `tests/interop.rs` runs it when `OHJAUS_INTEROP_PYTHON` is set.

mod layout;
pub mod text;
mod vevent;
pub mod vtimezone;

use chrono::{DateTime, Utc};
use icalendar::Property;
use layout::Layout;
use ohjaus_core::notice::{CalendarMessage, Notice, Party, Role};
use ohjaus_core::{CalendarEvent, SessionStatus};
use std::collections::BTreeMap;
use uuid::Uuid;
use vevent::Common;

/// The METHOD of a calendar object, which the email's MIME part must repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// An invitation or update (`REQUEST`).
    Request,
    /// A cancellation (`CANCEL`).
    Cancel,
    /// A published calendar, e.g. the subscription feed (`PUBLISH`).
    Publish,
}

impl Method {
    /// `REQUEST`, `CANCEL` or `PUBLISH`: the METHOD value and the MIME `method=` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
            Self::Publish => "PUBLISH",
        }
    }
}

/// A rendered iTIP object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Its METHOD: put it in `Content-Type: text/calendar; method=…; charset=utf-8`.
    pub method: Method,
    /// The iCalendar text: UTF-8, CRLF line ends, folded.
    pub text: String,
}

/// Who and what a message is about, besides the calendar event itself: the fields of a
/// [`Notice::Invite`].
///
/// Who organizes: the ORGANIZER is the service's own address (setting `mail.organizer`), never
/// a person the message goes to. Outlook treats a METHOD:REQUEST that names its recipient as
/// ORGANIZER as the organizer's own copy ("no response required") and does not put it in their
/// calendar, so the supervisors — who most need the sessions — are ATTENDEEs with ROLE=CHAIR,
/// PARTSTAT=ACCEPTED and RSVP=FALSE; participants are REQ-PARTICIPANT with RSVP=TRUE.
#[derive(Debug, Clone, Copy)]
pub struct MessageContext<'a> {
    /// The service: ORGANIZER.
    pub organizer: &'a Party,
    /// The series' supervisors: ATTENDEEs with ROLE=CHAIR.
    pub chairs: &'a [Party],
    /// The participants: ATTENDEEs.
    pub attendees: &'a [Party],
    /// The participant the message goes to, listed as an ATTENDEE even when no longer in
    /// `attendees` (RFC 5546: a CANCEL to a removed attendee names that attendee); `None` for
    /// a supervisor's copy.
    pub recipient: Option<&'a Party>,
    /// SUMMARY: the series' title.
    pub summary: &'a str,
    /// DESCRIPTION, in the recipient's language; the video link is appended.
    pub description: Option<&'a str>,
    /// SEQUENCE of this message.
    pub sequence: u32,
}

impl<'a> MessageContext<'a> {
    /// The context and calendar message of an invite notice (`None` for other notices), with
    /// `organizer` (the service) as ORGANIZER. The SUMMARY is the series' title; set
    /// `description` for a localized text.
    pub fn of_invite(notice: &'a Notice, organizer: &'a Party) -> Option<(Self, &'a CalendarMessage)> {
        let Notice::Invite {
            recipient, organizer: supervisor, supervisors, attendees, series, sequence, calendar, ..
        } = notice
        else {
            return None;
        };
        let chairs = if supervisors.is_empty() { std::slice::from_ref(supervisor) } else { supervisors.as_slice() };
        let context = Self {
            organizer,
            chairs,
            attendees,
            recipient: (recipient.role == Role::Participant).then_some(&recipient.party),
            summary: &series.title,
            description: None,
            sequence: *sequence,
        };
        Some((context, calendar))
    }

    /// The ATTENDEEs, each once (by address, case-insensitively) and never the organizer: the
    /// supervisors (`true`: ROLE=CHAIR), then the participants, the recipient added when
    /// missing.
    fn attendee_list(&self) -> Vec<(&'a Party, bool)> {
        let mut list: Vec<(&'a Party, bool)> = Vec::new();
        let chairs = self.chairs.iter().map(|p| (p, true));
        let others = self.attendees.iter().chain(self.recipient).map(|p| (p, false));
        for (party, chair) in chairs.chain(others) {
            let same = |(p, _): &(&Party, bool)| p.email.eq_ignore_ascii_case(&party.email);
            if !list.iter().any(same) && !party.email.eq_ignore_ascii_case(&self.organizer.email) {
                list.push((party, chair));
            }
        }
        list
    }
}

/// Why an event could not be rendered: the snapshot contradicts itself (a bug upstream, not
/// something a user can cause).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The event's zone is not an IANA name.
    #[error("event {uid}: unknown time zone {zone:?}")]
    UnknownTimeZone {
        /// The event.
        uid: String,
        /// The zone given.
        zone: String,
    },
    /// The event's RRULE cannot be read or has no occurrence.
    #[error("event {uid}: unusable rule: {reason}")]
    BadRule {
        /// The event.
        uid: String,
        /// What is wrong.
        reason: String,
    },
    /// The event carries no session, so there is nothing to describe.
    #[error("event {uid} carries no session")]
    NoInstances {
        /// The event.
        uid: String,
    },
    /// A session of a rule event stands for no occurrence of the rule.
    #[error("event {uid}: session {session_id} stands for no occurrence of the rule")]
    NotAnOccurrence {
        /// The event.
        uid: String,
        /// The session.
        session_id: Uuid,
    },
    /// The message names a session the event does not carry.
    #[error("event {uid} carries no session {session_id}")]
    UnknownSession {
        /// The event.
        uid: String,
        /// The session.
        session_id: Uuid,
    },
    /// A cancellation of no session.
    #[error("event {uid}: a cancellation names no session")]
    NothingToCancel {
        /// The event.
        uid: String,
    },
    /// An update of a session that is cancelled.
    #[error("event {uid}: session {session_id} is cancelled and cannot be sent as an update")]
    CancelledSession {
        /// The event.
        uid: String,
        /// The session.
        session_id: Uuid,
    },
}

/// Renders one iTIP message for one recipient.
///
/// `dtstamp` is when the message is made (the worker's clock), written as DTSTAMP in UTC.
/// `RequestInstance` of a single event (a moved make-up session) sends the whole event, and
/// `CancelInstances` of a single event cancels its UID: a single event has no occurrences to
/// address.
pub fn render(
    message: &CalendarMessage,
    ctx: &MessageContext<'_>,
    dtstamp: DateTime<Utc>,
) -> Result<Rendered, RenderError> {
    let common = Common { ctx: *ctx, dtstamp, with_attendees: true };
    let (method, layout, events) = match message {
        CalendarMessage::Request { event } => {
            let layout = Layout::new(event)?;
            let events = vevent::whole_event(&layout, &common)?;
            (Method::Request, layout, events)
        }
        CalendarMessage::RequestInstance { event, session_id } => {
            let layout = Layout::new(event)?;
            let instance = layout.instance(*session_id)?;
            if instance.status == SessionStatus::Cancelled {
                return Err(RenderError::CancelledSession { uid: event.uid.clone(), session_id: *session_id });
            }
            let events = if layout.rule.is_some() {
                vec![vevent::override_of(&layout, &common, instance, layout.occurrence_of(instance)?)]
            } else {
                vevent::whole_event(&layout, &common)?
            };
            (Method::Request, layout, events)
        }
        CalendarMessage::CancelInstances { event, session_ids } => {
            let layout = Layout::new(event)?;
            if session_ids.is_empty() {
                return Err(RenderError::NothingToCancel { uid: event.uid.clone() });
            }
            let events = if layout.rule.is_some() {
                let mut events = Vec::with_capacity(session_ids.len());
                for session_id in session_ids {
                    let instance = layout.instance(*session_id)?;
                    events.push(vevent::cancel_instance(&layout, &common, instance, layout.occurrence_of(instance)?));
                }
                events
            } else {
                layout.instance(session_ids[0])?;
                vec![vevent::cancel_event(&layout, &common)]
            };
            (Method::Cancel, layout, events)
        }
        CalendarMessage::CancelEvent { event } => {
            let layout = Layout::new(event)?;
            let events = vec![vevent::cancel_event(&layout, &common)];
            (Method::Cancel, layout, events)
        }
    };
    let mut zones = BTreeMap::new();
    vevent::need_zone(&mut zones, &layout);
    Ok(Rendered { method, text: vevent::calendar(method, Vec::new(), &zones, events) })
}

/// One event in a subscription feed, with what its invitations said about it.
#[derive(Debug, Clone, Copy)]
pub struct FeedEntry<'a> {
    /// The event, with the sessions the feed's owner takes part in.
    pub event: &'a CalendarEvent,
    /// The service (`mail.organizer`): ORGANIZER, as in the invitations, so a client that
    /// holds both sees one organizer (and a supervisor's client never takes the feed for the
    /// organizer's own copy).
    pub organizer: &'a Party,
    /// SUMMARY: the series' title.
    pub summary: &'a str,
    /// DESCRIPTION, if any; the video link is appended.
    pub description: Option<&'a str>,
    /// The series' current SEQUENCE (the last one sent).
    pub sequence: u32,
}

/// The subscription feed (METHOD:PUBLISH) of a person's or a supervisor's sessions, named
/// `name` (X-WR-CALNAME), for `GET /calendar/{token}.ics`.
///
/// The feed is made of the same [`CalendarEvent`]s as the invitations — same UIDs, same rule,
/// EXDATEs and overrides — rather than one VEVENT per session, because:
/// - a client that holds an invitation and also subscribes sees the same object under the same
///   UID, instead of a second, unrelated copy of every session;
/// - it is one rendering path: the interop checker that verifies the invitations verifies the
///   feed, and a series looks the same in both;
/// - it stays small (a rule and its exceptions instead of up to 200 VEVENTs per series),
///   which matters for a feed that clients poll.
///
/// The ORGANIZER is the invitations' own (the service). A PUBLISH object has an ORGANIZER but
/// no ATTENDEEs (RFC 5546 §3.2.1; the supervisors' CHAIR role is the invitations'), which also
/// keeps the other participants' addresses out of a link that may be shared.
/// REFRESH-INTERVAL and X-PUBLISHED-TTL ask clients to poll hourly.
pub fn feed(name: &str, entries: &[FeedEntry<'_>], dtstamp: DateTime<Utc>) -> Result<String, RenderError> {
    let mut zones = BTreeMap::new();
    let mut events = Vec::new();
    for entry in entries {
        let ctx = MessageContext {
            organizer: entry.organizer,
            chairs: &[],
            attendees: &[],
            recipient: None,
            summary: entry.summary,
            description: entry.description,
            sequence: entry.sequence,
        };
        let common = Common { ctx, dtstamp, with_attendees: false };
        let layout = Layout::new(entry.event)?;
        // A rule event whose sessions all left the owner's calendar has nothing to show.
        if layout.event.instances.is_empty() {
            continue;
        }
        events.extend(vevent::whole_event(&layout, &common)?);
        vevent::need_zone(&mut zones, &layout);
    }
    let name = text::single_line(name);
    let extra = vec![
        Property::new("X-WR-CALNAME", name.trim()),
        Property::new("REFRESH-INTERVAL", "PT1H").add_parameter("VALUE", "DURATION").done(),
        Property::new("X-PUBLISHED-TTL", "PT1H"),
    ];
    Ok(vevent::calendar(Method::Publish, extra, &zones, events))
}
