//! A supervisor's working hours: windows of local time per weekday.

use crate::error::{Collector, FieldError, ValidationErrors};
use crate::recurrence::{parse_weekday, weekday_name};
use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// One window as written in a body: `{"weekday": "mon", "start": "08:00", "end": "16:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursEntry {
    /// `mon` … `sun`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::WeekdayCode))]
    pub weekday: String,
    /// `HH:MM`, local time.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::ClockTime))]
    pub start: String,
    /// `HH:MM`, local time, after `start` (`24:00` for midnight).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::ClockTime))]
    pub end: String,
}

/// Working hours by weekday. Empty means "no restriction": a supervisor who has not set any
/// is not limited by them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingHours {
    /// Windows per weekday (Monday first), sorted, as (start, end) with end exclusive;
    /// `None` as end means midnight at the end of the day.
    days: [Vec<(NaiveTime, Option<NaiveTime>)>; 7],
}

/// Most windows accepted in one set of working hours.
const MAX_WINDOWS: usize = 28;

fn parse_clock(field: &str, value: &str) -> Result<Option<NaiveTime>, FieldError> {
    if value == "24:00" {
        return Ok(None);
    }
    NaiveTime::parse_from_str(value, "%H:%M")
        .map(Some)
        .map_err(|_| FieldError::new(field, format!("{value:?} is not a time HH:MM")))
}

/// Sorts windows and merges those that overlap or touch.
fn merged(mut windows: Vec<(NaiveTime, Option<NaiveTime>)>) -> Vec<(NaiveTime, Option<NaiveTime>)> {
    // `None` (24:00) sorts before every time as an `Option`; compare ends with it as the latest.
    let later = |a: Option<NaiveTime>, b: Option<NaiveTime>| match (a, b) {
        (None, _) | (_, None) => None,
        (Some(a), Some(b)) => Some(a.max(b)),
    };
    windows.sort_by_key(|(start, _)| *start);
    let mut out: Vec<(NaiveTime, Option<NaiveTime>)> = Vec::with_capacity(windows.len());
    for (start, end) in windows {
        match out.last_mut() {
            Some((_, last_end)) if last_end.is_none_or(|last_end| start <= last_end) => {
                *last_end = later(*last_end, end);
            }
            _ => out.push((start, end)),
        }
    }
    out
}

impl WorkingHours {
    /// Validates entries as given in a body; fields are named `{prefix}[i].start` and so on.
    pub fn parse(prefix: &str, entries: &[WorkingHoursEntry]) -> Result<Self, ValidationErrors> {
        let mut errors = Collector::default();
        if entries.len() > MAX_WINDOWS {
            errors.push(FieldError::new(prefix, format!("at most {MAX_WINDOWS} windows")));
        }
        let mut days: [Vec<(NaiveTime, Option<NaiveTime>)>; 7] = Default::default();
        for (i, entry) in entries.iter().enumerate() {
            let field = |name: &str| format!("{prefix}[{i}].{name}");
            let weekday = errors.take(parse_weekday(&entry.weekday).ok_or_else(|| {
                FieldError::new(field("weekday"), format!("unknown weekday {:?} (use mon … sun)", entry.weekday))
            }));
            let start = errors.take(parse_clock(&field("start"), &entry.start));
            let end = errors.take(parse_clock(&field("end"), &entry.end));
            match (weekday, start, end) {
                (Some(weekday), Some(Some(start)), Some(end)) => {
                    if end.is_some_and(|end| end <= start) {
                        errors.push(FieldError::new(field("end"), "must be after start"));
                    } else {
                        days[weekday.num_days_from_monday() as usize].push((start, end));
                    }
                }
                (_, Some(None), _) => errors.push(FieldError::new(field("start"), "must be before 24:00")),
                _ => {}
            }
        }
        errors.finish()?;
        for windows in &mut days {
            *windows = merged(std::mem::take(windows));
        }
        Ok(Self { days })
    }

    /// Whether any window is set.
    pub fn is_restricted(&self) -> bool {
        self.days.iter().any(|windows| !windows.is_empty())
    }

    /// The windows of `weekday`, in order; windows that overlapped or touched as entered are
    /// merged into one (08:00–12:00 and 12:00–16:00 are 08:00–16:00).
    pub fn windows(&self, weekday: Weekday) -> &[(NaiveTime, Option<NaiveTime>)] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// Whether a session from `start` to `end` (local wall times) lies inside one (merged)
    /// window of the day it starts on, ending on that day or at its midnight. Sessions that
    /// cross midnight are outside, even between a 24:00 window and one from 00:00. Without
    /// working hours, always inside.
    pub fn contains(&self, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        if !self.is_restricted() {
            return true;
        }
        let day = start.date();
        let Some(midnight) = day.succ_opt().map(|next| next.and_time(NaiveTime::MIN)) else { return false };
        // The wall clock runs back an hour when daylight saving ends, so a session may end at
        // an earlier wall time than it starts: the span between the two must be in the window.
        let (low, high) = (start.min(end), start.max(end));
        if low.date() != day || (high.date() != day && high != midnight) {
            return false;
        }
        self.windows(start.weekday()).iter().any(|(from, to)| {
            let to = to.map_or(midnight, |to| day.and_time(to));
            day.and_time(*from) <= low && low < to && high <= to
        })
    }

    /// The entries, as a body would give them (merged where windows overlapped or touched).
    pub fn entries(&self) -> Vec<WorkingHoursEntry> {
        let mut out = Vec::new();
        for (i, windows) in self.days.iter().enumerate() {
            let weekday = Weekday::try_from(i as u8).unwrap_or(Weekday::Mon);
            for (start, end) in windows {
                out.push(WorkingHoursEntry {
                    weekday: weekday_name(weekday).to_owned(),
                    start: start.format("%H:%M").to_string(),
                    end: end.map_or_else(|| "24:00".to_owned(), |end| end.format("%H:%M").to_string()),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(weekday: &str, start: &str, end: &str) -> WorkingHoursEntry {
        WorkingHoursEntry { weekday: weekday.into(), start: start.into(), end: end.into() }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn inside_and_outside() {
        let hours = WorkingHours::parse("working_hours", &[entry("tue", "08:00", "16:00")]).unwrap();
        assert!(hours.contains(at("2027-01-12T13:00"), at("2027-01-12T14:30")));
        assert!(!hours.contains(at("2027-01-12T15:00"), at("2027-01-12T16:30")));
        assert!(!hours.contains(at("2027-01-13T09:00"), at("2027-01-13T10:00")), "a Wednesday");
        assert_eq!(hours.entries(), vec![entry("tue", "08:00", "16:00")]);
    }

    #[test]
    fn touching_and_overlapping_windows_are_one() {
        // A morning and an afternoon entered separately: a session over noon is inside (it used
        // to be outside, as it fitted neither window alone).
        let hours = WorkingHours::parse(
            "working_hours",
            &[
                entry("tue", "12:00", "16:00"),
                entry("tue", "08:00", "12:00"),
                entry("wed", "08:00", "11:00"),
                entry("wed", "10:00", "12:00"),
                entry("wed", "13:00", "15:00"),
            ],
        )
        .unwrap();
        assert!(hours.contains(at("2027-01-12T11:30"), at("2027-01-12T12:30")));
        assert!(hours.contains(at("2027-01-13T09:00"), at("2027-01-13T11:30")));
        assert!(!hours.contains(at("2027-01-13T11:30"), at("2027-01-13T13:30")), "the lunch break");
        assert_eq!(
            hours.entries(),
            vec![entry("tue", "08:00", "16:00"), entry("wed", "08:00", "12:00"), entry("wed", "13:00", "15:00")]
        );
    }

    #[test]
    fn a_day_ending_at_midnight() {
        let hours =
            WorkingHours::parse("working_hours", &[entry("fri", "20:00", "24:00"), entry("fri", "18:00", "21:00")])
                .unwrap();
        assert_eq!(hours.entries(), vec![entry("fri", "18:00", "24:00")]);
        assert!(hours.contains(at("2027-01-15T22:30"), at("2027-01-16T00:00")), "ends at midnight");
        assert!(hours.contains(at("2027-01-15T18:00"), at("2027-01-15T19:00")));
        assert!(!hours.contains(at("2027-01-15T17:30"), at("2027-01-15T18:30")));
    }

    #[test]
    fn a_session_crossing_midnight_is_outside() {
        // Even between Friday's window to 24:00 and Saturday's from 00:00.
        let hours =
            WorkingHours::parse("working_hours", &[entry("fri", "20:00", "24:00"), entry("sat", "00:00", "02:00")])
                .unwrap();
        assert!(!hours.contains(at("2027-01-15T23:00"), at("2027-01-16T00:30")));
        assert!(hours.contains(at("2027-01-16T00:00"), at("2027-01-16T01:30")));
    }

    #[test]
    fn the_repeated_hour_of_the_autumn_change() {
        // Helsinki, 2027-10-31: 03:30 (+03) plus 60 minutes is 03:30 (+02), the same wall time;
        // 03:45 (+03) plus 30 minutes is 03:15 (+02), an earlier one. The wall-clock span must be
        // inside a window, its start included.
        let hours = WorkingHours::parse("working_hours", &[entry("sun", "02:00", "03:30")]).unwrap();
        assert!(!hours.contains(at("2027-10-31T03:45"), at("2027-10-31T03:15")), "starts after the window");
        assert!(!hours.contains(at("2027-10-31T03:30"), at("2027-10-31T03:30")));
        assert!(hours.contains(at("2027-10-31T03:20"), at("2027-10-31T03:00")));
    }

    #[test]
    fn errors_name_the_entry() {
        let errors = WorkingHours::parse("working_hours", &[entry("tue", "16:00", "08:00"), entry("xyz", "8", "9")])
            .unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["working_hours[0].end", "working_hours[1].weekday", "working_hours[1].start", "working_hours[1].end"]
        );
    }
}
