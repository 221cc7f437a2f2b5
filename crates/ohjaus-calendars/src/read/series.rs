//! One calendar's VEVENTs into busy blocks: events grouped by UID into a series (the master
//! and its RECURRENCE-ID overrides), each series expanded into instances.
//!
//! The rules follow RFC 5545 and, where the RFC leaves room, what the Python reference
//! `recurring-ical-events` does (it is what the corpus test compares with): DTSTART is always
//! an instance unless it lies after every UNTIL; an end before the start is read swapped; an
//! override whose original instance the rule does not produce still happens; of several
//! components for one instance, the highest SEQUENCE wins (the first on a tie).

use super::content::{Component, Document};
use super::rule::{self, Until};
use super::value::{self, DateOrPeriod, Written};
use super::zone::{Zone, Zones, named};
use super::{AllDayEvents, BusyBlock, BusyCalendar, ReadOptions, ReadReport, SkipReason, uid_hash};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use ohjaus_core::is_ohjaus_uid;
use std::collections::{HashMap, HashSet};

/// How a moment was written, which decides how it compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A DATE (all day), read in the calendar's zone.
    Date,
    /// A floating DATE-TIME, read in the calendar's zone.
    Floating,
    /// A DATE-TIME in UTC or a known zone.
    Fixed,
}

/// A date or date-time with its zone known.
#[derive(Debug, Clone)]
struct Moment {
    /// Wall time in `zone` (midnight for a DATE).
    wall: NaiveDateTime,
    zone: Zone,
    kind: Kind,
}

impl Moment {
    fn instant(&self) -> DateTime<Utc> {
        self.zone.instant(self.wall)
    }
}

/// What a calendar gives every event: its zones and the zone of floating times.
struct Context<'a> {
    zones: Zones<'a>,
    /// X-WR-TIMEZONE, when the calendar names a zone: floating and UTC times are read in it.
    calendar_zone: Option<Zone>,
    /// The zone of floating times and dates.
    floating: Zone,
    options: &'a ReadOptions,
}

impl Context<'_> {
    fn moment(&mut self, written: Written) -> Moment {
        match written {
            Written::Date(day) => {
                Moment { wall: day.and_time(NaiveTime::MIN), zone: self.floating.clone(), kind: Kind::Date }
            }
            Written::Floating(wall) => match &self.calendar_zone {
                Some(zone) => Moment { wall, zone: zone.clone(), kind: Kind::Fixed },
                None => Moment { wall, zone: self.floating.clone(), kind: Kind::Floating },
            },
            Written::Utc(wall) => match &self.calendar_zone {
                // X-WR-TIMEZONE: a UTC time is an instant shown (and repeated) in the
                // calendar's zone.
                Some(zone) => Moment { wall: zone.wall(wall.and_utc()), zone: zone.clone(), kind: Kind::Fixed },
                None => Moment { wall, zone: Zone::Utc, kind: Kind::Fixed },
            },
            Written::Zoned(wall, tzid) => match self.zones.resolve(&tzid) {
                Some(zone) => Moment { wall, zone, kind: Kind::Fixed },
                None => self.moment(Written::Floating(wall)),
            },
        }
    }

    fn property_moment(&mut self, component: &Component, name: &str) -> Option<Moment> {
        component.property(name).and_then(value::written).map(|w| self.moment(w))
    }
}

/// Reads every VEVENT of `document` into `calendar`.
pub(super) fn read_events(document: &Document, options: &ReadOptions, calendar: &mut BusyCalendar) {
    let floating_name = document.value("X-WR-TIMEZONE");
    let calendar_zone = floating_name.and_then(named);
    let mut context = Context {
        zones: Zones::new(&document.components),
        floating: calendar_zone.clone().unwrap_or(Zone::Iana(options.default_zone)),
        calendar_zone,
        options,
    };
    // Group by UID, keeping the file's order; an event without a UID is a series of its own.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<&Component>> = HashMap::new();
    for component in &document.components {
        match component.name.as_str() {
            "VEVENT" => {}
            "VTIMEZONE" => continue,
            _ => {
                calendar.report.other_components += 1;
                continue;
            }
        }
        calendar.report.events += 1;
        let uid = component.value("UID").map(str::to_owned);
        if uid.as_deref().is_some_and(is_ohjaus_uid) {
            calendar.report.skip(SkipReason::IssuedByOhjaus, 1);
            continue;
        }
        let Some(uid) = uid else {
            read_series(&mut context, "", &[component], calendar);
            continue;
        };
        let list = groups.entry(uid.clone()).or_default();
        if list.is_empty() {
            order.push(uid);
        }
        list.push(component);
    }
    for uid in order {
        if let Some(components) = groups.get(&uid) {
            read_series(&mut context, &uid, components, calendar);
        }
    }
    calendar.report.unknown_time_zones = context.zones.unknown;
}

/// What one component says about its instances.
#[derive(Debug, Clone)]
struct Timing {
    start: Moment,
    /// The wall-clock length (nominal, as RFC 5545's DURATION; an end written as DTEND gives
    /// the same length to every instance).
    length: TimeDelta,
    /// A DATE start with a DATE end (or a length of whole days): the day(s) themselves.
    all_day: bool,
    cancelled: bool,
    transparent: bool,
    sequence: i64,
}

impl Timing {
    fn of(context: &mut Context<'_>, component: &Component) -> Option<Self> {
        let mut start = context.property_moment(component, "DTSTART")?;
        let mut timed_end = false;
        let mut length = match (context.property_moment(component, "DTEND"), component.value("DURATION")) {
            (Some(end), _) => {
                timed_end = end.kind != Kind::Date;
                if end.kind == Kind::Fixed && start.kind != Kind::Fixed {
                    // A floating or all-day start with a zoned end: the start is read in the
                    // end's zone (the two are one interval; the reference does the same).
                    start = Moment { zone: end.zone.clone(), kind: Kind::Fixed, ..start };
                }
                // A fixed end is read in the start's zone; a floating or all-day one as written.
                let end_wall = if end.kind == Kind::Fixed { start.zone.wall(end.instant()) } else { end.wall };
                end_wall - start.wall
            }
            (None, Some(text)) => {
                let length = value::duration(text).unwrap_or_default();
                timed_end = length.seconds != 0;
                length.delta()
            }
            (None, None) if start.kind == Kind::Date => TimeDelta::days(1),
            (None, None) => TimeDelta::zero(),
        };
        if length < TimeDelta::zero() {
            // An end before the start: read as the interval the two name, as the reference does.
            start.wall = start.wall.checked_add_signed(length)?;
            length = -length;
        }
        let status = component.value("STATUS").unwrap_or("");
        let transp = component.value("TRANSP").unwrap_or("");
        let all_day = start.kind == Kind::Date && !timed_end;
        Some(Self {
            start,
            length,
            all_day,
            cancelled: status.eq_ignore_ascii_case("CANCELLED"),
            transparent: transp.eq_ignore_ascii_case("TRANSPARENT"),
            sequence: component.value("SEQUENCE").and_then(|s| s.parse().ok()).unwrap_or(-1),
        })
    }
}

/// An override of one instance.
struct Override<'c> {
    component: &'c Component,
    timing: Timing,
    recurrence_id: Moment,
    /// The recurrence id's instant.
    original: DateTime<Utc>,
    this_and_future: bool,
}

/// One instance to emit: its start wall time in the master's zone (or its own moment) and
/// the timing that applies.
fn read_series(context: &mut Context<'_>, uid: &str, components: &[&Component], calendar: &mut BusyCalendar) {
    let hash = uid_hash(uid);
    let mut master: Option<(&Component, Timing)> = None;
    let mut overrides: Vec<Override<'_>> = Vec::new();
    // Overrides by their recurrence id's instant and wall time as written.
    let mut by_instant: HashMap<DateTime<Utc>, usize> = HashMap::new();
    let mut by_wall: HashMap<NaiveDateTime, usize> = HashMap::new();
    for component in components {
        let Some(timing) = Timing::of(context, component) else {
            calendar.report.skip(SkipReason::NoStart, 1);
            continue;
        };
        match component.property("RECURRENCE-ID") {
            None => {
                if master.as_ref().is_none_or(|(_, m)| timing.sequence > m.sequence) {
                    master = Some((component, timing));
                }
            }
            Some(property) => {
                let Some(recurrence_id) = value::written(property).map(|w| context.moment(w)) else {
                    calendar.report.skip(SkipReason::UnreadableDate, 1);
                    continue;
                };
                let this_and_future = property.param("RANGE").is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
                let original = recurrence_id.instant();
                let same = by_instant.get(&original).or_else(|| by_wall.get(&recurrence_id.wall)).copied();
                let candidate = Override { component, timing, recurrence_id, original, this_and_future };
                match same {
                    Some(i) if overrides[i].timing.sequence >= candidate.timing.sequence => {}
                    Some(i) => overrides[i] = candidate,
                    None => {
                        by_instant.insert(original, overrides.len());
                        by_wall.insert(candidate.recurrence_id.wall, overrides.len());
                        overrides.push(candidate);
                    }
                }
            }
        }
    }
    let mut emitter = Emitter {
        options: context.options,
        hash,
        kept: 0,
        limited: false,
        report: &mut calendar.report,
        blocks: &mut calendar.blocks,
    };
    let mut emitted_overrides: HashSet<usize> = HashSet::new();
    let mut exclusions = Exclusions::default();
    if let Some((component, timing)) = &master {
        exclusions = Exclusions::of(context, component, &mut emitter);
        let starts = instances(context, component, timing, &overrides, &mut emitter);
        let mut this_and_future: Vec<&Override<'_>> = overrides.iter().filter(|o| o.this_and_future).collect();
        this_and_future.sort_by_key(|o| o.original);
        for (wall, period_length) in starts {
            let at = timing.start.zone.instant(wall);
            if exclusions.excludes(wall, at) {
                continue;
            }
            if let Some(&i) = by_instant.get(&at).or_else(|| by_wall.get(&wall)) {
                if emitted_overrides.insert(i) {
                    let timing = &overrides[i].timing;
                    emitter.emit(timing, timing.start.wall, None, None);
                }
                continue;
            }
            // A RANGE=THISANDFUTURE override before this instance moves it and lends it its
            // length and status.
            let governing = this_and_future.iter().rev().find(|o| o.original < at);
            match governing {
                Some(o) => {
                    let shift = timing.start.zone.wall(o.timing.start.instant()) - timing.start.zone.wall(o.original);
                    let Some(moved) = wall.checked_add_signed(shift) else { continue };
                    let lent = Timing { start: Moment { wall: moved, ..timing.start.clone() }, ..o.timing.clone() };
                    emitter.emit(&lent, moved, period_length, None);
                }
                None => emitter.emit(timing, wall, period_length, Some(at)),
            }
        }
    }
    let master_sequence = master.as_ref().map_or(-1, |(_, m)| m.sequence);
    for (i, o) in overrides.iter().enumerate() {
        if emitted_overrides.contains(&i) || exclusions.excludes(o.recurrence_id.wall, o.original) {
            continue;
        }
        // An outdated override that carries a rule of its own is a leftover of an older
        // version of the series (the reference skips it the same way).
        let has_rule = ["RRULE", "RDATE", "EXDATE"].iter().any(|name| o.component.property(name).is_some());
        if has_rule && o.timing.sequence < master_sequence {
            continue;
        }
        emitter.emit(&o.timing, o.timing.start.wall, None, None);
    }
    if emitter.limited {
        emitter.report.skip(SkipReason::OccurrenceLimit, 1);
    }
}

/// The instances' start wall times of a master (in its DTSTART's zone), with the length of
/// an RDATE PERIOD where one gives it.
fn instances(
    context: &mut Context<'_>,
    component: &Component,
    timing: &Timing,
    overrides: &[Override<'_>],
    emitter: &mut Emitter<'_>,
) -> Vec<(NaiveDateTime, Option<TimeDelta>)> {
    let options = context.options;
    let zone = timing.start.zone.clone();
    // Wall times that can still reach the window: widened by the event's length, by how far
    // a THISANDFUTURE override moves instances, and by a day for offsets.
    let reach = overrides
        .iter()
        .filter(|o| o.this_and_future)
        .map(|o| (o.timing.start.instant() - o.original).abs() + o.timing.length)
        .fold(timing.length, TimeDelta::max)
        + TimeDelta::days(2);
    let from = zone.wall(options.window.start()).checked_sub_signed(reach).unwrap_or(NaiveDateTime::MIN);
    let to = zone.wall(options.window.end()).checked_add_signed(reach).unwrap_or(NaiveDateTime::MAX);
    let in_range = |wall: NaiveDateTime| from <= wall && wall <= to;

    let mut starts: Vec<(NaiveDateTime, Option<TimeDelta>)> = Vec::new();
    let mut last_until: Option<DateTime<Utc>> = None;
    for property in component.properties_named("RRULE") {
        let Ok(rule) = rule::parse(&property.value) else {
            emitter.report.skip(SkipReason::UnreadableRule, 1);
            continue;
        };
        let until = rule.until.map(|u| until_instant(u, &timing.start));
        last_until = last_until.max(until);
        let keep = options.max_blocks_per_event.saturating_mul(2).max(16);
        match rule.expand(timing.start.wall, (from, to), options.max_generated_per_rule, keep) {
            Ok(expansion) => {
                emitter.limited |= expansion.cut_short;
                starts.extend(
                    expansion
                        .walls
                        .into_iter()
                        .filter(|wall| until.is_none_or(|until| zone.instant(*wall) <= until))
                        .map(|wall| (wall, None)),
                );
            }
            Err(rule::Unreadable) => emitter.report.skip(SkipReason::UnreadableRule, 1),
        }
    }
    // DTSTART is an instance of its own unless every bounded rule ended before it.
    if last_until.is_none_or(|until| timing.start.instant() <= until) && in_range(timing.start.wall) {
        starts.push((timing.start.wall, None));
    }
    for property in component.properties_named("RDATE") {
        let (values, unreadable) = value::list(property);
        emitter.report.skip(SkipReason::UnreadableDate, unreadable);
        for rdate in values {
            let (start, length) = match rdate {
                DateOrPeriod::Moment(start) => (context.moment(start), None),
                DateOrPeriod::Period(start, end) => {
                    let (start, end) = (context.moment(start), context.moment(end));
                    let length = end.instant() - start.instant();
                    (start, Some(length.max(TimeDelta::zero())))
                }
                DateOrPeriod::PeriodDuration(start, length) => (context.moment(start), Some(length.delta())),
            };
            // A fixed RDATE is read in the master's zone; a floating or all-day one as written.
            let wall = if start.kind == Kind::Fixed { zone.wall(start.instant()) } else { start.wall };
            if in_range(wall) {
                starts.push((wall, length));
            }
        }
    }
    // One instance per start: a PERIOD's own length wins over the master's.
    starts.sort_by_key(|(wall, length)| (*wall, length.is_none()));
    starts.dedup_by_key(|(wall, _)| *wall);
    starts
}

/// UNTIL as an instant, read the way the reference reads it against this DTSTART: for a
/// zoned start a DATE or floating UNTIL is taken as UTC; for a floating or all-day start it
/// is a wall time (a DATE at midnight).
fn until_instant(until: Until, start: &Moment) -> DateTime<Utc> {
    let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN);
    match (start.kind, until) {
        (Kind::Fixed, Until::Utc(at) | Until::Floating(at)) => at.and_utc(),
        (Kind::Fixed, Until::Date(day)) => midnight(day).and_utc(),
        (Kind::Date, Until::Utc(at) | Until::Floating(at)) => start.zone.instant(midnight(at.date())),
        (_, Until::Date(day)) => start.zone.instant(midnight(day)),
        (Kind::Floating, Until::Utc(at) | Until::Floating(at)) => start.zone.instant(at),
    }
}

/// A master's EXDATEs.
#[derive(Default)]
struct Exclusions {
    dates: HashSet<NaiveDate>,
    walls: HashSet<NaiveDateTime>,
    instants: HashSet<DateTime<Utc>>,
}

impl Exclusions {
    fn of(context: &mut Context<'_>, component: &Component, emitter: &mut Emitter<'_>) -> Self {
        let mut exclusions = Self::default();
        for property in component.properties_named("EXDATE") {
            let (values, unreadable) = value::list(property);
            emitter.report.skip(SkipReason::UnreadableDate, unreadable);
            for exdate in values {
                let DateOrPeriod::Moment(written) = exdate else {
                    emitter.report.skip(SkipReason::UnreadableDate, 1);
                    continue;
                };
                let moment = context.moment(written);
                match moment.kind {
                    Kind::Date => {
                        exclusions.dates.insert(moment.wall.date());
                    }
                    Kind::Floating | Kind::Fixed => {
                        exclusions.walls.insert(moment.wall);
                        exclusions.instants.insert(moment.instant());
                    }
                }
            }
        }
        exclusions
    }

    /// Whether the instance starting at `wall` (in the master's zone), instant `at`, is
    /// excluded: by its date, its wall time as written, or its instant.
    fn excludes(&self, wall: NaiveDateTime, at: DateTime<Utc>) -> bool {
        self.dates.contains(&wall.date()) || self.walls.contains(&wall) || self.instants.contains(&at)
    }
}

/// Turns instances into blocks, counting what is left out.
struct Emitter<'a> {
    options: &'a ReadOptions,
    hash: u64,
    kept: usize,
    limited: bool,
    report: &'a mut ReadReport,
    blocks: &'a mut Vec<BusyBlock>,
}

impl Emitter<'_> {
    /// One instance of `timing` starting at `wall` (in its zone; its instant `at` when the
    /// caller has it), lasting `length` when a PERIOD gives it, else the timing's length.
    fn emit(&mut self, timing: &Timing, wall: NaiveDateTime, length: Option<TimeDelta>, at: Option<DateTime<Utc>>) {
        let zone = &timing.start.zone;
        let starts_at = at.unwrap_or_else(|| zone.instant(wall));
        let ends_at = match length {
            Some(length) => starts_at.checked_add_signed(length),
            None => wall.checked_add_signed(timing.length).map(|end| zone.instant(end)),
        };
        let Some(ends_at) = ends_at else { return };
        let window = &self.options.window;
        if ends_at <= starts_at {
            if window.start() <= starts_at && starts_at < window.end() {
                self.report.skip(SkipReason::ZeroLength, 1);
            }
            return;
        }
        if !window.overlaps(starts_at, ends_at) {
            return;
        }
        let reason = if timing.cancelled {
            Some(SkipReason::Cancelled)
        } else if timing.transparent {
            Some(SkipReason::Transparent)
        } else if timing.all_day && self.options.all_day == AllDayEvents::Ignore {
            Some(SkipReason::AllDayIgnored)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.report.skip(reason, 1);
            return;
        }
        if self.kept >= self.options.max_blocks_per_event {
            self.limited = true;
            return;
        }
        if self.blocks.len() >= self.options.max_blocks {
            self.report.skip(SkipReason::BlockLimit, 1);
            return;
        }
        self.kept += 1;
        self.blocks.push(BusyBlock { starts_at, ends_at, uid_hash: self.hash });
    }
}
