//! Reading an iCalendar file into busy blocks: pure, no IO, and never a panic on any input.
//!
//! [`read_busy`] takes the bytes of a calendar (a subscription feed, or one CalDAV resource)
//! and [`ReadOptions`] (a [`Window`], the owner's zone for floating times, what all-day events
//! do, and limits) and answers a [`BusyCalendar`]: the [`BusyBlock`]s — only intervals, in UTC,
//! with a hash of the event's UID — that overlap the window, and a [`ReadReport`] saying what
//! was left out and why.
//!
//! RFC 5545 as real clients write it: each VEVENT's DTSTART with DTEND, DURATION or neither
//! (a DATE lasts a day, a DATE-TIME nothing); RRULEs expanded with `rrule` in the event's own
//! zone ([`zone`]: IANA, Windows names through CLDR, the feed's own VTIMEZONE); RDATE
//! (PERIODs included) and EXDATE; RECURRENCE-ID overrides replacing their original instance
//! (RANGE=THISANDFUTURE moving the later ones too), the highest SEQUENCE winning;
//! `X-WR-TIMEZONE` giving floating and UTC times the calendar's zone, as Google and Apple
//! mean it; the owner's zone for floating times otherwise. Cancelled (`STATUS:CANCELLED`)
//! and free (`TRANSP:TRANSPARENT`) instances are left out, and so are events Ohjaus itself
//! issued (UIDs ending in `@ohjaus`): a supervisor who keeps our invitations or subscribes to
//! our feed in the same calendar never conflicts with their own sessions. VTODO, VJOURNAL
//! and VALARM say nothing about busy time and are ignored.
//!
//! No title, description, location or attendee is kept: they never leave this module.
//!
//! The modules: [`content`] (text → components, with the `icalendar` parser), [`value`]
//! (dates, times, periods, durations), [`zone`] and `windows_zones`, [`rule`] (RRULE through
//! `rrule`, bounded), [`series`] (one UID's events into instances).

mod content;
mod rule;
mod series;
mod value;
mod windows_zones;
mod zone;

use chrono::{DateTime, Months, TimeDelta, Utc};
use ohjaus_core::{Busy, TimeZone};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

/// The span of time blocks are read for: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// A window whose end is not after its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a window must end after it starts")]
pub struct EmptyWindow;

impl Window {
    /// `[start, end)`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, EmptyWindow> {
        if end > start { Ok(Self { start, end }) } else { Err(EmptyWindow) }
    }

    /// The sync's horizon around `now`: `days_back` days before it to `months_ahead` months
    /// after it (7 and 18 by default, see [`Window::horizon`]).
    pub fn around(now: DateTime<Utc>, days_back: u32, months_ahead: u32) -> Self {
        let start = now - TimeDelta::days(i64::from(days_back));
        // At least a month ahead, so the window is never empty.
        let end = now.checked_add_months(Months::new(months_ahead.max(1))).unwrap_or(DateTime::<Utc>::MAX_UTC);
        Self { start, end }
    }

    /// 7 days back to 18 months ahead of `now`: what a calendar sync keeps.
    pub fn horizon(now: DateTime<Utc>) -> Self {
        Self::around(now, 7, 18)
    }

    /// The start.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The end (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start < self.end && end > self.start
    }
}

/// What all-day (DATE) events do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllDayEvents {
    /// They block their whole local day(s) (the default: a training day, a holiday).
    #[default]
    Block,
    /// They are left out (a calendar full of birthdays and reminders).
    Ignore,
}

/// How to read a calendar.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Blocks overlapping this window are kept.
    pub window: Window,
    /// The zone of floating times and all-day events when the calendar names none
    /// (`X-WR-TIMEZONE`): the owner's zone.
    pub default_zone: TimeZone,
    /// What all-day events do.
    pub all_day: AllDayEvents,
    /// At most this many blocks per event (UID) inside the window; the rest is counted.
    pub max_blocks_per_event: usize,
    /// At most this many occurrences generated per recurrence rule, from its DTSTART on
    /// (those before the window count): what stops a `FREQ=SECONDLY` rule from 1970.
    pub max_generated_per_rule: usize,
    /// At most this many blocks per calendar.
    pub max_blocks: usize,
}

impl ReadOptions {
    /// Defaults for `window` and the owner's zone: all-day events block, 5,000 blocks per
    /// event (an hourly event for seven months), 200,000 generated occurrences per rule (a
    /// daily event for five centuries), 100,000 blocks per calendar.
    pub fn new(window: Window, default_zone: TimeZone) -> Self {
        Self {
            window,
            default_zone,
            all_day: AllDayEvents::Block,
            max_blocks_per_event: 5_000,
            max_generated_per_rule: 200_000,
            max_blocks: 100_000,
        }
    }
}

/// A span of time the calendar's owner is busy: only the interval, never what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusyBlock {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// The first 8 bytes of SHA-256 of the event's UID: the same event met in two of a
    /// person's calendars (a shared calendar and an accepted invitation) can be told apart
    /// from two events, without keeping the UID.
    pub uid_hash: u64,
}

impl BusyBlock {
    /// The block as the core's busy time, from the calendar connection `calendar_id`.
    pub fn to_busy(&self, calendar_id: Uuid) -> Busy {
        Busy::external(self.starts_at, self.ends_at, calendar_id)
    }
}

/// Why something in a calendar was left out. Each says what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Components the parser could not read at all (counts components).
    Unreadable,
    /// Events without a readable DTSTART (counts VEVENTs).
    NoStart,
    /// Recurrence rules that could not be read or expanded: the event's other instances are
    /// kept (counts rules).
    UnreadableRule,
    /// EXDATE, RDATE or RECURRENCE-ID values that could not be read (counts values).
    UnreadableDate,
    /// Events Ohjaus issued itself, UID `…@ohjaus` (counts VEVENTs).
    IssuedByOhjaus,
    /// Instances with `STATUS:CANCELLED` in the window (counts instances).
    Cancelled,
    /// Free instances, `TRANSP:TRANSPARENT`, in the window (counts instances).
    Transparent,
    /// All-day instances in the window, when all-day events are ignored (counts instances).
    AllDayIgnored,
    /// Instances in the window that last no time (a DATE-TIME start without an end; counts
    /// instances).
    ZeroLength,
    /// Events whose expansion stopped at a limit ([`ReadOptions::max_blocks_per_event`] or
    /// [`ReadOptions::max_generated_per_rule`]; counts events).
    OccurrenceLimit,
    /// Blocks over [`ReadOptions::max_blocks`] (counts blocks).
    BlockLimit,
    /// A calendar whose CALSCALE is not GREGORIAN (counts calendars).
    NotGregorian,
}

impl SkipReason {
    /// The wire name, e.g. `issued_by_ohjaus`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable",
            Self::NoStart => "no_start",
            Self::UnreadableRule => "unreadable_rule",
            Self::UnreadableDate => "unreadable_date",
            Self::IssuedByOhjaus => "issued_by_ohjaus",
            Self::Cancelled => "cancelled",
            Self::Transparent => "transparent",
            Self::AllDayIgnored => "all_day_ignored",
            Self::ZeroLength => "zero_length",
            Self::OccurrenceLimit => "occurrence_limit",
            Self::BlockLimit => "block_limit",
            Self::NotGregorian => "not_gregorian",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The account of one reading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadReport {
    /// VEVENT components met.
    pub events: usize,
    /// Other components (VTODO, VJOURNAL, VFREEBUSY, …), ignored.
    pub other_components: usize,
    /// What was left out, by reason.
    pub skipped: BTreeMap<SkipReason, usize>,
    /// TZIDs no zone source knew; their times were read as floating (the calendar's zone).
    pub unknown_time_zones: usize,
}

impl ReadReport {
    fn skip(&mut self, reason: SkipReason, count: usize) {
        if count > 0 {
            *self.skipped.entry(reason).or_default() += count;
        }
    }

    /// How many were left out for `reason`.
    pub fn skipped(&self, reason: SkipReason) -> usize {
        self.skipped.get(&reason).copied().unwrap_or(0)
    }
}

/// A calendar read into busy time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusyCalendar {
    /// Blocks overlapping the window, ordered by start, then end.
    pub blocks: Vec<BusyBlock>,
    /// What was left out and why.
    pub report: ReadReport,
}

/// [`read_busy`] on tokio's blocking threads. Reading a feed of hundreds of events costs
/// milliseconds of CPU; done on the async runtime it would hold up every other task of the
/// process (in `ohjaus serve` the API shares that runtime with the worker), and the fetches of
/// a sync round would wait for each other's parsing instead of using both cores.
pub(crate) async fn read_busy_blocking(bodies: Vec<Vec<u8>>, options: ReadOptions) -> BusyCalendar {
    let read = tokio::task::spawn_blocking(move || {
        let mut all = BusyCalendar::default();
        for body in &bodies {
            all.add(read_busy(body, &options));
        }
        all.blocks.sort();
        all
    });
    match read.await {
        Ok(calendar) => calendar,
        // `read_busy` does not panic (rules are read under `catch_unwind`); should it ever,
        // the panic goes on in the caller as it would have without the blocking thread.
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

impl BusyCalendar {
    /// Adds another resource's blocks and report to these (unsorted: sort once at the end).
    fn add(&mut self, one: BusyCalendar) {
        self.blocks.extend(one.blocks);
        let report = &mut self.report;
        report.events += one.report.events;
        report.other_components += one.report.other_components;
        report.unknown_time_zones += one.report.unknown_time_zones;
        for (reason, count) in one.report.skipped {
            *report.skipped.entry(reason).or_default() += count;
        }
    }
}

/// Reads `bytes` (an iCalendar object: a feed, or one CalDAV resource) into busy blocks.
pub fn read_busy(bytes: &[u8], options: &ReadOptions) -> BusyCalendar {
    let document = content::read(bytes);
    let mut calendar = BusyCalendar::default();
    calendar.report.skip(SkipReason::Unreadable, document.unreadable.len());
    if document.value("CALSCALE").is_some_and(|scale| !scale.eq_ignore_ascii_case("GREGORIAN")) {
        calendar.report.skip(SkipReason::NotGregorian, 1);
        return calendar;
    }
    series::read_events(&document, options, &mut calendar);
    calendar.blocks.sort();
    calendar
}

/// The busy periods of the VFREEBUSY components in `bytes` (each FREEBUSY property's periods,
/// those with `FBTYPE=FREE` left out), as UTC intervals. RFC 5545 writes them in UTC; a
/// floating one is read as UTC too.
pub(crate) fn free_busy_periods(bytes: &[u8]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let document = content::read(bytes);
    let instant = |written: value::Written| match written {
        value::Written::Utc(at) | value::Written::Floating(at) | value::Written::Zoned(at, _) => Some(at.and_utc()),
        value::Written::Date(_) => None,
    };
    let mut periods = Vec::new();
    for free_busy in document.components.iter().filter(|c| c.name == "VFREEBUSY") {
        for property in free_busy.properties_named("FREEBUSY") {
            if property.param("FBTYPE").is_some_and(|t| t.eq_ignore_ascii_case("FREE")) {
                continue;
            }
            for period in value::list(property).0 {
                let interval = match period {
                    value::DateOrPeriod::Period(start, end) => instant(start).zip(instant(end)),
                    value::DateOrPeriod::PeriodDuration(start, length) => {
                        instant(start).and_then(|start| Some((start, start.checked_add_signed(length.delta())?)))
                    }
                    value::DateOrPeriod::Moment(_) => None,
                };
                periods.extend(interval);
            }
        }
    }
    periods
}

/// The first 8 bytes of SHA-256 of `uid`, as [`BusyBlock::uid_hash`].
pub fn uid_hash(uid: &str) -> u64 {
    let digest = Sha256::digest(uid.trim().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}
