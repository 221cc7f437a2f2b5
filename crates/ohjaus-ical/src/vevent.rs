//! VEVENTs built with the `icalendar` crate, and the calendar object around them.

use crate::layout::{Layout, Occurrence, Place};
use crate::text::{mailto, multi_line, param_value, single_line, uri};
use crate::{MessageContext, Method, RenderError};
use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{Attendee, CUType, Calendar, Component, Event, EventLike, EventStatus, PartStat, Property, Role};
use ohjaus_core::notice::Party;
use ohjaus_core::{EventInstance, SessionStatus, TimeZone};
use std::collections::BTreeMap;

/// Our PRODID (RFC 5545 §3.7.3).
pub(crate) const PRODID: &str = "-//Ohjaus//Ohjaus calendar//EN";

/// What every VEVENT of one message shares: who, what, and the message's SEQUENCE and DTSTAMP.
pub(crate) struct Common<'a> {
    pub ctx: MessageContext<'a>,
    pub dtstamp: DateTime<Utc>,
    /// ATTENDEEs are listed in iTIP messages; a PUBLISH feed must not carry them (RFC 5546
    /// §3.2.1).
    pub with_attendees: bool,
}

const WALL: &str = "%Y%m%dT%H%M%S";

/// `KEY;TZID=zone:wall`.
fn zoned(key: &str, wall: NaiveDateTime, zone: TimeZone) -> Property {
    Property::new(key, wall.format(WALL).to_string()).add_parameter("TZID", zone.name()).done()
}

/// An instant as a local time in `zone` when that local time names it unambiguously (RFC
/// 5545 resolves a repeated wall time to its first instant); in UTC otherwise.
fn instant(key: &str, at: DateTime<Utc>, zone: TimeZone) -> Property {
    let wall = zone.local(at).naive_local();
    if zone.resolve_utc(wall) == at {
        zoned(key, wall, zone)
    } else {
        Property::new(key, at.format("%Y%m%dT%H%M%SZ").to_string())
    }
}

fn organizer(party: &Party) -> Property {
    let mut property = Property::new("ORGANIZER", mailto(&party.email));
    let name = param_value(&party.name);
    if !name.trim().is_empty() {
        property.add_parameter("CN", name.trim());
    }
    property.done()
}

/// A participant (REQ-PARTICIPANT, NEEDS-ACTION, RSVP=TRUE) or, when `chair`, a supervisor
/// (CHAIR, ACCEPTED, RSVP=FALSE: they lead the sessions and answer nothing).
fn attendee(party: &Party, chair: bool) -> Attendee {
    let attendee = Attendee::new(mailto(&party.email)).cutype(CUType::Individual);
    let mut attendee = if chair {
        attendee.role(Role::Chair).partstat(PartStat::Accepted).rsvp(false)
    } else {
        attendee.role(Role::ReqParticipant).partstat(PartStat::NeedsAction).rsvp(true)
    };
    let name = param_value(&party.name);
    if !name.trim().is_empty() {
        attendee = attendee.cn(name.trim().to_owned());
    }
    attendee
}

impl Common<'_> {
    /// A VEVENT with UID, DTSTAMP, SEQUENCE, SUMMARY, ORGANIZER and the ATTENDEEs.
    fn event(&self, uid: &str) -> Event {
        let mut event = Event::new();
        event
            .uid(&single_line(uid))
            .timestamp(self.dtstamp)
            .sequence(self.ctx.sequence)
            .summary(&single_line(self.ctx.summary))
            .append_property(organizer(self.ctx.organizer));
        if self.with_attendees {
            for (party, chair) in self.ctx.attendee_list() {
                event.attendee(attendee(party, chair));
            }
        }
        event
    }

    /// LOCATION, URL and DESCRIPTION of a place: the video link is the URL and the last line
    /// of the description (clients show one or the other), and the location when there is
    /// no room.
    fn place(&self, event: &mut Event, place: &Place) {
        let link = place.video_url.as_deref().map(uri).filter(|u| !u.is_empty());
        let room = place.location.as_deref().map(single_line).filter(|l| !l.trim().is_empty());
        if let Some(location) = room.as_deref().or(link.as_deref()) {
            event.location(location.trim());
        }
        if let Some(link) = &link {
            event.url(link);
        }
        let text = self.ctx.description.map(multi_line).filter(|d| !d.trim().is_empty());
        let description = match (text, &link) {
            (Some(text), Some(link)) => Some(format!("{}\n\n{link}", text.trim_end())),
            (Some(text), None) => Some(text.trim_end().to_owned()),
            (None, Some(link)) => Some(link.clone()),
            (None, None) => None,
        };
        if let Some(description) = description {
            event.description(&description);
        }
    }
}

/// The master VEVENT of a rule event (RRULE bounded by the sessions, EXDATE for occurrences
/// without a session or with a cancelled one) followed by an override per session that
/// differs from its occurrence; for a single event, its one VEVENT.
pub(crate) fn whole_event(layout: &Layout<'_>, common: &Common<'_>) -> Result<Vec<Event>, RenderError> {
    let zone = layout.zone;
    let Some(rule) = &layout.rule else {
        let instance = layout.single()?;
        return Ok(vec![single(layout, common, instance)]);
    };
    if layout.event.instances.is_empty() {
        return Err(RenderError::NoInstances { uid: layout.event.uid.clone() });
    }
    let common_place = layout.common_place();
    let mut by_occurrence: BTreeMap<DateTime<Utc>, &EventInstance> = BTreeMap::new();
    for instance in &layout.event.instances {
        by_occurrence.insert(layout.occurrence_of(instance)?.at, instance);
    }

    let first = rule.occurrences.first().copied().ok_or(RenderError::NoInstances { uid: layout.event.uid.clone() })?;
    let mut master = common.event(&layout.event.uid);
    master
        .append_property(zoned("DTSTART", first.wall, zone))
        .append_property(instant("DTEND", first.at + layout.duration, zone))
        .add_property("RRULE", rule.rrule(zone))
        .status(EventStatus::Confirmed);
    common.place(&mut master, &common_place);
    let mut overrides = Vec::new();
    for occurrence in &rule.occurrences {
        match by_occurrence.get(&occurrence.at) {
            None => {
                master.append_multi_property(zoned("EXDATE", occurrence.wall, zone));
            }
            Some(instance) if instance.status == SessionStatus::Cancelled => {
                master.append_multi_property(zoned("EXDATE", occurrence.wall, zone));
            }
            Some(instance) if layout.is_override(instance, *occurrence, &common_place) => {
                overrides.push(override_of(layout, common, instance, *occurrence));
            }
            Some(_) => {}
        }
    }
    let mut events = vec![master];
    events.extend(overrides);
    Ok(events)
}

/// The VEVENT of a single event (no rule).
fn single(layout: &Layout<'_>, common: &Common<'_>, instance: &EventInstance) -> Event {
    let mut event = common.event(&layout.event.uid);
    event
        .append_property(instant("DTSTART", instance.starts_at, layout.zone))
        .append_property(instant("DTEND", instance.ends_at, layout.zone))
        .status(if instance.status == SessionStatus::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    common.place(&mut event, &Place::of(instance));
    event
}

/// The override of one occurrence: RECURRENCE-ID is the occurrence's wall time, with the same
/// TZID and value type as the master's DTSTART; DTSTART/DTEND are the session's.
pub(crate) fn override_of(
    layout: &Layout<'_>,
    common: &Common<'_>,
    instance: &EventInstance,
    occurrence: Occurrence,
) -> Event {
    let mut event = occurrence_event(layout, common, instance, occurrence, EventStatus::Confirmed);
    common.place(&mut event, &Place::of(instance));
    event
}

/// The cancellation of one occurrence: RECURRENCE-ID, the session's time, STATUS:CANCELLED.
pub(crate) fn cancel_instance(
    layout: &Layout<'_>,
    common: &Common<'_>,
    instance: &EventInstance,
    occurrence: Occurrence,
) -> Event {
    occurrence_event(layout, common, instance, occurrence, EventStatus::Cancelled)
}

/// One occurrence of the series' event by its RECURRENCE-ID, at the session's time.
fn occurrence_event(
    layout: &Layout<'_>,
    common: &Common<'_>,
    instance: &EventInstance,
    occurrence: Occurrence,
    status: EventStatus,
) -> Event {
    let mut event = common.event(&layout.event.uid);
    event
        .append_property(zoned("RECURRENCE-ID", occurrence.wall, layout.zone))
        .append_property(instant("DTSTART", instance.starts_at, layout.zone))
        .append_property(instant("DTEND", instance.ends_at, layout.zone))
        .status(status);
    event
}

/// The cancellation of the whole UID: no RECURRENCE-ID, STATUS:CANCELLED, the master's
/// DTSTART (and its RRULE when known, as Google and Outlook send it).
pub(crate) fn cancel_event(layout: &Layout<'_>, common: &Common<'_>) -> Event {
    let mut event = common.event(&layout.event.uid);
    let zone = layout.zone;
    match (&layout.rule, layout.event.instances.first()) {
        (Some(rule), _) => {
            if let Some(first) = rule.occurrences.first() {
                event.append_property(zoned("DTSTART", first.wall, zone)).append_property(instant(
                    "DTEND",
                    first.at + layout.duration,
                    zone,
                ));
            }
            if !layout.event.instances.is_empty() {
                event.add_property("RRULE", rule.rrule(zone));
            }
        }
        (None, Some(instance)) => {
            event.append_property(instant("DTSTART", instance.starts_at, zone)).append_property(instant(
                "DTEND",
                instance.ends_at,
                zone,
            ));
        }
        (None, None) => {
            let start = zone.resolve_utc(layout.event.first_start);
            event.append_property(zoned("DTSTART", layout.event.first_start, zone)).append_property(instant(
                "DTEND",
                start + layout.duration,
                zone,
            ));
        }
    }
    event.status(EventStatus::Cancelled);
    event
}

/// The VCALENDAR text: PRODID, VERSION, CALSCALE, METHOD and `extra` properties, a
/// VTIMEZONE per zone (covering the years given), then the events.
pub(crate) fn calendar(
    method: Method,
    extra: Vec<Property>,
    zones: &BTreeMap<&'static str, (TimeZone, i32, i32)>,
    events: Vec<Event>,
) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method.as_str()));
    for property in extra {
        calendar.append_property(property);
    }
    for event in events {
        calendar.push(event);
    }
    // The crate folds, but its last piece of a line can be 75 octets after the leading space
    // (76 in all: icalendar 0.17.17 `fold_line` compares the rest with 75, not 74). Unfold
    // and fold again with ours. Unfolding is exact: no content line starts with a space.
    // The crate cannot write a VTIMEZONE (see `vtimezone`): put ours before the first
    // component, where clients expect it. A line `BEGIN:VEVENT` can only be a real one:
    // folding adds a space after CRLF, and text values escape their line breaks.
    let raw = calendar.to_string();
    let timezones: Vec<_> =
        zones.values().map(|(zone, first, last)| crate::vtimezone::cached(zone.tz(), *first, *last)).collect();
    let timezones_len: usize = timezones.iter().map(|block| block.len()).sum();
    let mut out = String::with_capacity(raw.len() + raw.len() / 32 + timezones_len);
    let mut timezones_placed = false;
    let mut line = String::with_capacity(128);
    let mut flush = |line: &str, out: &mut String| {
        if !timezones_placed && line == "BEGIN:VEVENT" {
            for block in &timezones {
                out.push_str(block);
            }
            timezones_placed = true;
        }
        crate::text::fold_into(out, line);
    };
    let mut pieces = raw.split_terminator("\r\n");
    if let Some(first) = pieces.next() {
        line.push_str(first);
        for piece in pieces {
            if let Some(continued) = piece.strip_prefix(' ') {
                line.push_str(continued);
            } else {
                flush(&line, &mut out);
                line.clear();
                line.push_str(piece);
            }
        }
        flush(&line, &mut out);
    }
    if !timezones_placed {
        // No event: the zones go before the end.
        let at = out.rfind("END:VCALENDAR").unwrap_or(out.len());
        let blocks: String = timezones.iter().map(|block| &**block).collect();
        out.insert_str(at, &blocks);
    }
    out
}

/// Adds `layout`'s zone and years to the zones a calendar needs.
pub(crate) fn need_zone(zones: &mut BTreeMap<&'static str, (TimeZone, i32, i32)>, layout: &Layout<'_>) {
    let (first, last) = layout.years();
    zones
        .entry(layout.zone.name())
        .and_modify(|(_, f, l)| {
            *f = (*f).min(first);
            *l = (*l).max(last);
        })
        .or_insert((layout.zone, first, last));
}
