//! A supervisor's working hours: windows of local time per weekday.

use crate::error::{Collector, FieldError, ValidationErrors};
use crate::recurrence::{parse_weekday, weekday_name};
use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// One window as written in a body: `{"weekday": "mon", "start": "08:00", "end": "16:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursEntry {
    /// `mon` … `sun`.
    pub weekday: String,
    /// `HH:MM`, local time.
    pub start: String,
    /// `HH:MM`, local time, after `start` (`24:00` for midnight).
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
            windows.sort();
        }
        Ok(Self { days })
    }

    /// Whether any window is set.
    pub fn is_restricted(&self) -> bool {
        self.days.iter().any(|windows| !windows.is_empty())
    }

    /// The windows of `weekday`.
    pub fn windows(&self, weekday: Weekday) -> &[(NaiveTime, Option<NaiveTime>)] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// Whether a session from `start` to `end` (local wall times) lies inside one window of
    /// its day. Without working hours, always.
    pub fn contains(&self, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        if !self.is_restricted() {
            return true;
        }
        let same_day = end.date() == start.date();
        let ends_at_midnight =
            end.date() == start.date().succ_opt().unwrap_or(start.date()) && end.time() == NaiveTime::MIN;
        if !same_day && !ends_at_midnight {
            return false;
        }
        self.windows(start.weekday()).iter().any(|(from, to)| {
            *from <= start.time()
                && match to {
                    None => true,
                    Some(to) => same_day && end.time() <= *to,
                }
        })
    }

    /// The entries, as a body would give them.
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
