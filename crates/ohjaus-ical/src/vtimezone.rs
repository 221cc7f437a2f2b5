//! VTIMEZONE blocks generated from the IANA database that chrono-tz carries.
//!
//! RFC 5545 requires a VTIMEZONE for every TZID an object uses, and Outlook shifts or refuses
//! an event without one. The `icalendar` crate cannot write one: its generic components add a
//! `DTSTAMP` and a random `UID` to every block they print, which a STANDARD or DAYLIGHT
//! sub-component must not have. So this module writes the text itself.
//!
//! The block covers a window of years around the times it is used for (one year before the
//! first, one after the last). Inside the window every transition is found by scanning
//! chrono-tz; transitions that recur on the same weekday rule each year (last Sunday of March,
//! second Sunday of March, first Sunday of October…) become one STANDARD or DAYLIGHT
//! observance with a yearly RRULE, the shape Outlook, Google and Apple write and read best.
//! A rule still in force at the end of the window is left open (clients extrapolate it, as
//! the tz database does); one that stopped gets an UNTIL. Transitions that follow no weekday
//! rule are written one observance each. A zone without transitions in the window (e.g.
//! Asia/Kolkata) gets a single STANDARD observance.
//!
//! The scan costs a few hundred microseconds a block — more than the rest of an invitation —
//! and its result depends only on the zone and the years, so [`cached`] keeps each block once
//! made (process-wide); the renderers use it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone as _, Timelike, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz, TzOffset};
use ohjaus_core::recurrence::weekday_code;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

/// The offset a zone has at an instant, as much as a VTIMEZONE can say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    /// Seconds east of UTC.
    offset: i32,
    /// Daylight saving time in force.
    daylight: bool,
    /// Abbreviation (`EET`, `EEST`, `+03`…).
    name: String,
}

impl Observance {
    fn at(tz: Tz, instant: DateTime<Utc>) -> Self {
        let offset = tz.offset_from_utc_datetime(&instant.naive_utc());
        Self {
            offset: offset.fix().local_minus_utc(),
            daylight: !offset.dst_offset().is_zero(),
            name: offset.abbreviation().map_or_else(|| format_offset(offset.fix().local_minus_utc()), str::to_owned),
        }
    }
}

/// A change of observance at an instant.
#[derive(Debug, Clone)]
struct Transition {
    /// The first second of the new observance.
    at: DateTime<Utc>,
    /// The offset before.
    from: i32,
    /// The observance after.
    to: Observance,
}

impl Transition {
    /// The onset as the wall time before the change (RFC 5545: DTSTART of an observance is in
    /// the offset it changes from).
    fn local_onset(&self) -> NaiveDateTime {
        self.at.naive_utc() + Duration::seconds(i64::from(self.from))
    }
}

/// How far apart the scan samples the zone. Two transitions closer than this would be seen as
/// one; the tz database has none in the years Ohjaus schedules.
const SCAN_STEP_HOURS: i64 = 6;

/// Every transition of `tz` in `[start, end)`.
///
/// The samples are compared as chrono-tz offsets ([`same_observance`]), which allocates
/// nothing; an [`Observance`] is built only at the transitions found.
fn transitions(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Transition> {
    let offset_at = |instant: DateTime<Utc>| tz.offset_from_utc_datetime(&instant.naive_utc());
    let mut found = Vec::new();
    let mut before = offset_at(start);
    let mut at = start;
    while at < end {
        let next = (at + Duration::hours(SCAN_STEP_HOURS)).min(end);
        let after = offset_at(next);
        if !same_observance(&after, &before) {
            // Bisect to the first second of the new observance.
            let (mut low, mut high) = (at, next);
            while high - low > Duration::seconds(1) {
                let middle = low + (high - low) / 2;
                if same_observance(&offset_at(middle), &before) {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            let to = Observance::at(tz, high);
            found.push(Transition { at: high, from: before.fix().local_minus_utc(), to });
            before = offset_at(high);
            at = high;
        } else {
            at = next;
        }
    }
    found
}

/// Whether two offsets of a zone are the same [`Observance`] (offset, daylight flag and
/// name), without building either.
fn same_observance(a: &TzOffset, b: &TzOffset) -> bool {
    let offset = a.fix().local_minus_utc();
    if offset != b.fix().local_minus_utc() || a.dst_offset().is_zero() != b.dst_offset().is_zero() {
        return false;
    }
    match (a.abbreviation(), b.abbreviation()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => true,
        // An offset without an abbreviation is named by its offset (see `Observance::at`).
        (Some(name), None) | (None, Some(name)) => name == format_offset(offset),
    }
}

/// `+0200`, `-0500`, `+0530`, or with seconds when the offset has them.
fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let total = seconds.unsigned_abs();
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60);
    if secs == 0 { format!("{sign}{hours:02}{minutes:02}") } else { format!("{sign}{hours:02}{minutes:02}{secs:02}") }
}

/// The BYDAY of a date within its month: `2SU` (second Sunday) or `-1SU` (last Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NthWeekday {
    nth: i8,
    weekday: Weekday,
}

fn days_in_month(date: NaiveDate) -> u32 {
    let first = date.with_day(1).unwrap_or(date);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    u32::try_from((next - first).num_days()).unwrap_or(31)
}

/// The weekday rule that fits every date in `dates` (the same month each), preferring "last"
/// (as the EU and most rules say) over a count from the start.
fn common_weekday_rule(dates: &[NaiveDate]) -> Option<NthWeekday> {
    let first = dates.first()?;
    let weekday = first.weekday();
    if dates.iter().any(|d| d.weekday() != weekday || d.month() != first.month()) {
        return None;
    }
    if dates.iter().all(|d| d.day() + 7 > days_in_month(*d)) {
        return Some(NthWeekday { nth: -1, weekday });
    }
    let nth = |d: &NaiveDate| (d.day() - 1) / 7 + 1;
    let wanted = nth(first);
    dates.iter().all(|d| nth(d) == wanted).then(|| NthWeekday { nth: i8::try_from(wanted).unwrap_or(1), weekday })
}

/// One STANDARD or DAYLIGHT sub-component.
struct Block {
    onset: NaiveDateTime,
    from: i32,
    to: Observance,
    rule: Option<String>,
}

impl Block {
    fn write(&self, out: &mut String) {
        let kind = if self.to.daylight { "DAYLIGHT" } else { "STANDARD" };
        let _ = write!(out, "BEGIN:{kind}\r\n");
        let _ = write!(out, "DTSTART:{}\r\n", self.onset.format("%Y%m%dT%H%M%S"));
        let _ = write!(out, "TZOFFSETFROM:{}\r\n", format_offset(self.from));
        let _ = write!(out, "TZOFFSETTO:{}\r\n", format_offset(self.to.offset));
        out.push_str(&crate::text::fold(&format!("TZNAME:{}", crate::text::escape_text(&self.to.name))));
        if let Some(rule) = &self.rule {
            let _ = write!(out, "RRULE:{rule}\r\n");
        }
        let _ = write!(out, "END:{kind}\r\n");
    }
}

/// The VTIMEZONE block (CRLF lines, `BEGIN:VTIMEZONE` to `END:VTIMEZONE`) of `tz` valid for
/// local times in the years `first_year..=last_year`.
pub fn vtimezone(tz: Tz, first_year: i32, last_year: i32) -> String {
    let (first_year, last_year) = (first_year.min(last_year), first_year.max(last_year));
    let year_start = |year: i32| {
        NaiveDate::from_ymd_opt(year, 1, 1).map_or(DateTime::<Utc>::MIN_UTC, |d| Utc.from_utc_datetime(&d.into()))
    };
    let (start, end) = (year_start(first_year - 1), year_start(last_year + 2));
    let found = transitions(tz, start, end);

    let mut blocks = Vec::new();
    // Every time the block is used for must come after an onset. A zone that changed in the
    // year before the first gets that onset from the scan; any other needs a base observance.
    if found.first().is_none_or(|t| t.at >= year_start(first_year)) {
        let base = Observance::at(tz, start);
        blocks.push(Block {
            onset: start.naive_utc() + Duration::seconds(i64::from(base.offset)),
            from: base.offset,
            to: base,
            rule: None,
        });
    }

    // Group the transitions by what they change and when in the year, keeping first-seen order.
    let mut groups: Vec<Vec<&Transition>> = Vec::new();
    for transition in &found {
        let key = |t: &Transition| {
            let onset = t.local_onset();
            (t.from, t.to.clone(), onset.month(), onset.time().num_seconds_from_midnight())
        };
        match groups.iter_mut().find(|g| g.first().is_some_and(|first| key(first) == key(transition))) {
            Some(group) => group.push(transition),
            None => groups.push(vec![transition]),
        }
    }
    for group in groups {
        let years: Vec<i32> = group.iter().map(|t| t.local_onset().year()).collect();
        let yearly = group.len() >= 2 && years.windows(2).all(|w| w[1] == w[0] + 1);
        let dates: Vec<NaiveDate> = group.iter().map(|t| t.local_onset().date()).collect();
        match (yearly, common_weekday_rule(&dates), group.first(), group.last()) {
            (true, Some(byday), Some(first), Some(last)) => {
                let mut rule = format!(
                    "FREQ=YEARLY;BYMONTH={};BYDAY={}{}",
                    first.local_onset().month(),
                    byday.nth,
                    weekday_code(byday.weekday)
                );
                // Still in force in the window's last year: leave it open, as the tz database
                // extrapolates it. Otherwise it stopped: end it at its last onset.
                if last.local_onset().year() < last_year + 1 {
                    let _ = write!(rule, ";UNTIL={}", last.at.format("%Y%m%dT%H%M%SZ"));
                }
                blocks.push(Block {
                    onset: first.local_onset(),
                    from: first.from,
                    to: first.to.clone(),
                    rule: Some(rule),
                });
            }
            _ => blocks.extend(group.iter().map(|t| Block {
                onset: t.local_onset(),
                from: t.from,
                to: t.to.clone(),
                rule: None,
            })),
        }
    }
    blocks.sort_by_key(|b| b.onset);

    let mut out = String::with_capacity(512);
    out.push_str("BEGIN:VTIMEZONE\r\n");
    out.push_str(&crate::text::fold(&format!("TZID:{}", tz.name())));
    for block in &blocks {
        block.write(&mut out);
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// How many blocks [`cached`] keeps; past that it starts again from empty (a service renders a
/// handful of zones over a handful of year ranges, so this is only a bound, never reached in
/// practice).
const CACHE_LIMIT: usize = 512;

/// [`vtimezone`], remembered per zone and years: the block is a pure function of them, and
/// computing it (a scan of the zone over the window) costs far more than the rest of an
/// invitation. Concurrent first calls may each compute it; they get the same text.
pub fn cached(tz: Tz, first_year: i32, last_year: i32) -> Arc<str> {
    type Blocks = Mutex<HashMap<(Tz, i32, i32), Arc<str>>>;
    static BLOCKS: OnceLock<Blocks> = OnceLock::new();
    // A panic elsewhere while the lock was held cannot leave the map half-written.
    let lock = |blocks: &'static Blocks| blocks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let blocks = BLOCKS.get_or_init(Blocks::default);
    let key = (tz, first_year.min(last_year), first_year.max(last_year));
    if let Some(block) = lock(blocks).get(&key) {
        return block.clone();
    }
    // Computed outside the lock, so that one new zone does not hold up every other render.
    let block: Arc<str> = vtimezone(tz, key.1, key.2).into();
    let mut map = lock(blocks);
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.entry(key).or_insert(block).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.split("\r\n").filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn helsinki_is_two_yearly_rules() {
        let text = vtimezone(chrono_tz::Europe::Helsinki, 2027, 2027);
        assert_eq!(
            lines(&text),
            vec![
                "BEGIN:VTIMEZONE",
                "TZID:Europe/Helsinki",
                "BEGIN:DAYLIGHT",
                "DTSTART:20260329T030000",
                "TZOFFSETFROM:+0200",
                "TZOFFSETTO:+0300",
                "TZNAME:EEST",
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                "END:DAYLIGHT",
                "BEGIN:STANDARD",
                "DTSTART:20261025T040000",
                "TZOFFSETFROM:+0300",
                "TZOFFSETTO:+0200",
                "TZNAME:EET",
                "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
                "END:STANDARD",
                "END:VTIMEZONE",
            ]
        );
    }

    #[test]
    fn new_york_counts_sundays_from_the_start() {
        let text = vtimezone(chrono_tz::America::New_York, 2027, 2029);
        assert!(text.contains("DTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"), "{text}");
        assert!(text.contains("DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"), "{text}");
        assert_eq!(text.matches("BEGIN:").count(), 3, "{text}");
    }

    #[test]
    fn sydney_has_daylight_in_the_southern_summer() {
        let text = vtimezone(chrono_tz::Australia::Sydney, 2027, 2027);
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20260405T030000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000\r\nTZNAME:AEST\r\nRRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"), "{text}");
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20261004T020000\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100\r\nTZNAME:AEDT\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\n"), "{text}");
    }

    #[test]
    fn kolkata_is_one_standard_observance() {
        let text = vtimezone(chrono_tz::Asia::Kolkata, 2027, 2028);
        assert_eq!(
            lines(&text),
            vec![
                "BEGIN:VTIMEZONE",
                "TZID:Asia/Kolkata",
                "BEGIN:STANDARD",
                "DTSTART:20260101T053000",
                "TZOFFSETFROM:+0530",
                "TZOFFSETTO:+0530",
                "TZNAME:IST",
                "END:STANDARD",
                "END:VTIMEZONE",
            ]
        );
    }

    #[test]
    fn cached_blocks_equal_fresh_ones() {
        for (tz, first, last) in [(chrono_tz::Europe::Helsinki, 2027, 2027), (chrono_tz::America::New_York, 2029, 2027)]
        {
            let fresh = vtimezone(tz, first, last);
            assert_eq!(&*cached(tz, first, last), fresh);
            assert_eq!(&*cached(tz, last, first), fresh, "the same block, from the cache");
        }
    }

    #[test]
    fn london_changes_at_one_utc() {
        let text = vtimezone(chrono_tz::Europe::London, 2027, 2027);
        assert!(text.contains("DTSTART:20260329T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), "{text}");
        assert!(text.contains("DTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"), "{text}");
    }

    /// The generated block, read back by its own rules, gives chrono-tz's offset at every hour
    /// of the window — for zones of both hemispheres, without DST, and with irregular history.
    #[test]
    fn blocks_agree_with_chrono_tz_every_hour() {
        for tz in [
            chrono_tz::Europe::Helsinki,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Sydney,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Europe::London,
            chrono_tz::America::Sao_Paulo,
            chrono_tz::Asia::Tehran,
            chrono_tz::Africa::Casablanca,
            chrono_tz::Pacific::Apia,
        ] {
            for (first, last) in [(2027, 2028), (2018, 2020), (2010, 2012)] {
                let text = vtimezone(tz, first, last);
                let model = Model::parse(&text);
                let mut at = Utc.with_ymd_and_hms(first, 1, 1, 0, 0, 0).unwrap();
                let end = Utc.with_ymd_and_hms(last + 1, 1, 1, 0, 0, 0).unwrap();
                while at < end {
                    let want = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
                    assert_eq!(model.offset_at(at), want, "{tz} at {at}:\n{text}");
                    at += Duration::hours(1);
                }
            }
        }
    }

    /// A small independent reader of what [`vtimezone`] writes: observances with an onset, an
    /// offset before and after, and an optional yearly BYMONTH/BYDAY rule (with UNTIL).
    struct Model {
        onsets: Vec<(DateTime<Utc>, i32)>,
    }

    impl Model {
        fn parse(text: &str) -> Self {
            let mut onsets = Vec::new();
            let mut block: Vec<(&str, &str)> = Vec::new();
            for line in lines(text) {
                if line == "BEGIN:STANDARD" || line == "BEGIN:DAYLIGHT" {
                    block.clear();
                } else if line == "END:STANDARD" || line == "END:DAYLIGHT" {
                    let get = |k: &str| block.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
                    let start = NaiveDateTime::parse_from_str(get("DTSTART").unwrap(), "%Y%m%dT%H%M%S").unwrap();
                    let parse_offset = |v: &str| {
                        let sign = if v.starts_with('-') { -1 } else { 1 };
                        let h: i32 = v[1..3].parse().unwrap();
                        let m: i32 = v[3..5].parse().unwrap();
                        sign * (h * 3600 + m * 60)
                    };
                    let from = parse_offset(get("TZOFFSETFROM").unwrap());
                    let to = parse_offset(get("TZOFFSETTO").unwrap());
                    let mut starts = vec![start];
                    if let Some(rule) = get("RRULE") {
                        let parts: Vec<(&str, &str)> = rule.split(';').map(|p| p.split_once('=').unwrap()).collect();
                        let part = |k: &str| parts.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
                        let month: u32 = part("BYMONTH").unwrap().parse().unwrap();
                        let byday = part("BYDAY").unwrap();
                        let (nth, code) = byday.split_at(byday.len() - 2);
                        let nth: i32 = nth.parse().unwrap();
                        let until = part("UNTIL").map(|u| {
                            Utc.from_utc_datetime(&NaiveDateTime::parse_from_str(u, "%Y%m%dT%H%M%SZ").unwrap())
                        });
                        for year in start.year() + 1..start.year() + 40 {
                            let days: Vec<NaiveDate> = (1..=31)
                                .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
                                .filter(|d| weekday_code(d.weekday()) == code)
                                .collect();
                            let day = if nth > 0 { days[(nth - 1) as usize] } else { days[days.len() - 1] };
                            let local = day.and_time(start.time());
                            let utc = Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(from))));
                            if until.is_some_and(|u| utc > u) {
                                break;
                            }
                            starts.push(local);
                        }
                    }
                    for local in starts {
                        onsets.push((Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(from)))), to));
                    }
                } else if let Some((key, value)) = line.split_once(':') {
                    block.push((key, value));
                }
            }
            onsets.sort();
            Self { onsets }
        }

        fn offset_at(&self, at: DateTime<Utc>) -> i32 {
            self.onsets
                .iter()
                .rev()
                .find(|(onset, _)| *onset <= at)
                .map(|(_, to)| *to)
                .expect("a time before every onset")
        }
    }
}
