//! A calendar event laid against its rule: which rule occurrence each session stands for,
//! how far the rule must run, and which occurrences are excluded or overridden.

use crate::RenderError;
use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeDelta, Utc};
use ohjaus_core::recurrence::{End, MAX_COUNT, Pattern};
use ohjaus_core::{CalendarEvent, EventInstance, Recurrence, SessionStatus, TimeZone};
use uuid::Uuid;

/// One occurrence of the rule: its wall time (what DTSTART, RECURRENCE-ID and EXDATE carry)
/// and the instant it stands for (RFC 5545's gap and overlap rules, as the core applies them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub wall: NaiveDateTime,
    pub at: DateTime<Utc>,
}

/// Where a session takes place: what LOCATION, URL and the link in DESCRIPTION say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Place {
    pub location: Option<String>,
    pub video_url: Option<String>,
}

impl Place {
    pub fn of(instance: &EventInstance) -> Self {
        Self { location: instance.location.clone(), video_url: instance.video_url.clone() }
    }
}

/// The rule side of an event.
#[derive(Debug)]
pub(crate) struct Rule {
    recurrence: Recurrence,
    /// From the first occurrence up to the last session's occurrence (or only the first when
    /// the event carries no session).
    pub occurrences: Vec<Occurrence>,
}

impl Rule {
    /// The RRULE value bounded to the occurrences laid out: COUNT, never the stored end (the
    /// sessions bound the rule, see [`CalendarEvent::rrule`]).
    pub fn rrule(&self, zone: TimeZone) -> String {
        let count = u16::try_from(self.occurrences.len()).unwrap_or(MAX_COUNT);
        let mut text = self.recurrence.with_end(End::Count(count)).to_rrule(zone);
        // The core expands weeks from Monday. RFC 5545 says so too, but clients configured for
        // Sunday weeks have been seen to apply their own start where it matters: an interval
        // above one with several weekdays.
        if let Pattern::Weekly { interval, weekdays } = self.recurrence.pattern()
            && *interval > 1
            && weekdays.len() > 1
        {
            text.push_str(";WKST=MO");
        }
        text
    }
}

/// An event with its zone, duration and (for a rule event) the occurrences laid out.
#[derive(Debug)]
pub(crate) struct Layout<'e> {
    pub event: &'e CalendarEvent,
    pub zone: TimeZone,
    pub duration: TimeDelta,
    pub rule: Option<Rule>,
}

/// A generous bound on the occurrences one event may lay out (the core allows 200 sessions,
/// and skipped days add a few).
const MAX_OCCURRENCES: usize = 4 * MAX_COUNT as usize;

impl<'e> Layout<'e> {
    /// Lays `event` out, checking that every session of a rule event stands for an occurrence.
    pub fn new(event: &'e CalendarEvent) -> Result<Self, RenderError> {
        let uid = || event.uid.clone();
        let zone = TimeZone::parse("timezone", &event.timezone)
            .map_err(|_| RenderError::UnknownTimeZone { uid: uid(), zone: event.timezone.clone() })?;
        let duration = TimeDelta::minutes(i64::from(event.duration_minutes));
        let Some(text) = &event.rrule else {
            return Ok(Self { event, zone, duration, rule: None });
        };
        // The stored COUNT/UNTIL is not authoritative; the parser still wants one.
        let bounded =
            if text.contains("COUNT=") || text.contains("UNTIL=") { text.clone() } else { format!("{text};COUNT=1") };
        let recurrence = Recurrence::from_rrule(&bounded, zone, event.first_start)
            .map_err(|e| RenderError::BadRule { uid: uid(), reason: e.message })?;
        let mut last = None;
        for instance in &event.instances {
            let rid = instance
                .recurrence_id
                .ok_or(RenderError::NotAnOccurrence { uid: uid(), session_id: instance.session_id })?;
            last = last.max(Some(rid));
        }
        // Expand on the wall clock without the stored end, up to the last session's occurrence.
        let open = recurrence.with_end(End::Count(MAX_COUNT));
        let horizon = match last {
            Some(last) => zone.local(last).naive_local() + TimeDelta::days(2),
            None => event.first_start + TimeDelta::days(400),
        };
        let mut occurrences: Vec<Occurrence> = Vec::new();
        for wall in open.wall_times(event.first_start, horizon).take(MAX_OCCURRENCES) {
            let occurrence = Occurrence { wall, at: zone.resolve_utc(wall) };
            if last.is_none_or(|last| occurrence.at > last) && !occurrences.is_empty() {
                break;
            }
            occurrences.push(occurrence);
        }
        if occurrences.is_empty() {
            return Err(RenderError::BadRule { uid: uid(), reason: "the rule has no occurrence".into() });
        }
        let layout = Self { event, zone, duration, rule: Some(Rule { recurrence, occurrences }) };
        for instance in &event.instances {
            layout.occurrence_of(instance)?;
        }
        Ok(layout)
    }

    /// The rule occurrence `instance` stands for.
    pub fn occurrence_of(&self, instance: &EventInstance) -> Result<Occurrence, RenderError> {
        let missing = || RenderError::NotAnOccurrence { uid: self.event.uid.clone(), session_id: instance.session_id };
        let rule = self.rule.as_ref().ok_or_else(missing)?;
        let rid = instance.recurrence_id.ok_or_else(missing)?;
        rule.occurrences
            .binary_search_by_key(&rid, |o| o.at)
            .ok()
            .and_then(|i| rule.occurrences.get(i).copied())
            .ok_or_else(missing)
    }

    /// The session `session_id` of this event.
    pub fn instance(&self, session_id: Uuid) -> Result<&'e EventInstance, RenderError> {
        self.event
            .instances
            .iter()
            .find(|i| i.session_id == session_id)
            .ok_or(RenderError::UnknownSession { uid: self.event.uid.clone(), session_id })
    }

    /// The one session of a single event.
    pub fn single(&self) -> Result<&'e EventInstance, RenderError> {
        match self.event.instances.as_slice() {
            [only] => Ok(only),
            [] => Err(RenderError::NoInstances { uid: self.event.uid.clone() }),
            _ => Err(RenderError::BadRule {
                uid: self.event.uid.clone(),
                reason: "a single event (no rule) carries more than one session".into(),
            }),
        }
    }

    /// The place most sessions share (ties: the earliest), which the master event carries;
    /// a session elsewhere becomes an override.
    pub fn common_place(&self) -> Place {
        let mut counts: Vec<(Place, usize)> = Vec::new();
        for instance in self.event.instances.iter().filter(|i| i.status != SessionStatus::Cancelled) {
            let place = Place::of(instance);
            match counts.iter_mut().find(|(p, _)| *p == place) {
                Some((_, n)) => *n += 1,
                None => counts.push((place, 1)),
            }
        }
        let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        counts.into_iter().find(|(_, n)| *n == best).map(|(p, _)| p).unwrap_or_default()
    }

    /// Whether the session needs an override: it differs from what the master says about its
    /// occurrence (another start, end or place), or the occurrence is one that clients read
    /// differently (see [`Layout::is_regular`]).
    pub fn is_override(&self, instance: &EventInstance, occurrence: Occurrence, common: &Place) -> bool {
        instance.starts_at != occurrence.at
            || instance.ends_at != occurrence.at + self.duration
            || Place::of(instance) != *common
            || !self.is_regular(occurrence)
    }

    /// Whether every client reads the occurrence the same: its wall time exists once (not in a
    /// DST gap, where RFC 5545 moves it forward but dateutil takes the later offset; not in the
    /// overlap) and no DST change falls inside it (RFC 5545 keeps the exact duration, while
    /// Python's datetime arithmetic keeps the wall-clock one). Such an occurrence is sent as an
    /// override with explicit, unambiguous DTSTART and DTEND.
    pub fn is_regular(&self, occurrence: Occurrence) -> bool {
        use chrono::TimeZone as _;
        let unique = |wall: NaiveDateTime| matches!(self.zone.tz().from_local_datetime(&wall), LocalResult::Single(_));
        let end = occurrence.at + self.duration;
        unique(occurrence.wall)
            && unique(occurrence.wall + self.duration)
            && self.zone.resolve_utc(occurrence.wall + self.duration) == end
    }

    /// The local years any time of this event falls in (for the VTIMEZONE's window).
    pub fn years(&self) -> (i32, i32) {
        let mut years: Vec<i32> = vec![self.event.first_start.year()];
        if let Some(rule) = &self.rule {
            years.extend(rule.occurrences.first().map(|o| o.wall.year()));
            years.extend(rule.occurrences.last().map(|o| o.wall.year()));
        }
        for instance in &self.event.instances {
            years.push(self.zone.local(instance.starts_at).year());
            years.push(self.zone.local(instance.ends_at).year());
        }
        let first = years.iter().copied().min().unwrap_or(self.event.first_start.year());
        let last = years.iter().copied().max().unwrap_or(first);
        (first, last)
    }
}
