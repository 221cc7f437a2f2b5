//! Days on which no session is planned: public holidays and an organization's closures.

use crate::error::FieldError;
use crate::holidays::{Holiday, finnish_holiday};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// A closure period of an organization (e.g. the summer), both dates inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    start_date: NaiveDate,
    end_date: NaiveDate,
    reason: Option<String>,
}

impl Closure {
    /// Longest closure accepted.
    pub const MAX_DAYS: i64 = 366;

    /// A closure from `start_date` to `end_date` inclusive; `field` names the input for errors.
    pub fn new(
        field: &str,
        start_date: NaiveDate,
        end_date: NaiveDate,
        reason: Option<String>,
    ) -> Result<Self, FieldError> {
        if end_date < start_date {
            return Err(FieldError::new(format!("{field}end_date"), "must not be before start_date"));
        }
        if (end_date - start_date).num_days() >= Self::MAX_DAYS {
            return Err(FieldError::new(
                format!("{field}end_date"),
                format!("a closure may last at most {} days", Self::MAX_DAYS),
            ));
        }
        Ok(Self { start_date, end_date, reason })
    }

    /// First closed day.
    pub fn start_date(&self) -> NaiveDate {
        self.start_date
    }

    /// Last closed day.
    pub fn end_date(&self) -> NaiveDate {
        self.end_date
    }

    /// Why, if said.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.start_date <= day && day <= self.end_date
    }
}

/// Why a day is off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DayOff {
    /// A public holiday.
    Holiday {
        /// Which one.
        holiday: Holiday,
    },
    /// A closure of the organization.
    Closure {
        /// The closure's reason, if one was given.
        name: Option<String>,
    },
}

impl DayOff {
    /// The wire code: `holiday` or `closure`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Holiday { .. } => "holiday",
            Self::Closure { .. } => "closure",
        }
    }

    /// A human name: the holiday's Finnish name or the closure's reason.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Holiday { holiday } => Some(holiday.name_fi()),
            Self::Closure { name } => name.as_deref(),
        }
    }
}

/// The calendar of days off that planning consults: Finnish public holidays plus closures.
#[derive(Debug, Clone, Default)]
pub struct DaysOff {
    /// Sorted by start date, for a binary search.
    closures: Vec<Closure>,
    /// Longest closure, bounding how far back a search must look.
    longest_days: i64,
}

impl DaysOff {
    /// Holidays and the given closures.
    pub fn new(mut closures: Vec<Closure>) -> Self {
        closures.sort_by_key(Closure::start_date);
        let longest_days = closures.iter().map(|c| (c.end_date - c.start_date).num_days()).max().unwrap_or(0);
        Self { closures, longest_days }
    }

    /// Holidays only.
    pub fn holidays_only() -> Self {
        Self::default()
    }

    /// The closures.
    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// Why `day` is off, if it is: a holiday first, then a closure.
    pub fn off(&self, day: NaiveDate) -> Option<DayOff> {
        if let Some(holiday) = finnish_holiday(day) {
            return Some(DayOff::Holiday { holiday });
        }
        self.closure_on(day).map(|closure| DayOff::Closure { name: closure.reason.clone() })
    }

    /// Whether `day` is off.
    pub fn is_off(&self, day: NaiveDate) -> bool {
        finnish_holiday(day).is_some() || self.closure_on(day).is_some()
    }

    /// Whether `day` is a working day: Monday to Friday and not off.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_off(day)
    }

    fn closure_on(&self, day: NaiveDate) -> Option<&Closure> {
        // Closures starting after `day` cannot contain it; of the rest, only those starting at
        // most `longest_days` before can.
        let end = self.closures.partition_point(|c| c.start_date <= day);
        let earliest = day - chrono::TimeDelta::days(self.longest_days);
        self.closures[..end].iter().rev().take_while(|c| c.start_date >= earliest).find(|c| c.contains(day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn closures_and_holidays() {
        let summer = Closure::new("", d(2027, 7, 1), d(2027, 7, 31), Some("Kesäsulku".into())).unwrap();
        let off = DaysOff::new(vec![summer]);
        assert_eq!(off.off(d(2027, 7, 15)).unwrap().code(), "closure");
        assert_eq!(off.off(d(2027, 12, 6)).unwrap().name(), Some("Itsenäisyyspäivä"));
        assert!(off.off(d(2027, 8, 2)).is_none());
        assert!(!off.is_working_day(d(2027, 8, 1)), "a Sunday");
        assert!(off.is_working_day(d(2027, 8, 2)));
    }

    #[test]
    fn overlapping_closures() {
        // A long summer closure with a short one inside it and one overlapping its start.
        let off = DaysOff::new(vec![
            Closure::new("", d(2027, 7, 10), d(2027, 7, 12), Some("Koulutus".into())).unwrap(),
            Closure::new("", d(2027, 7, 1), d(2027, 7, 31), Some("Kesä".into())).unwrap(),
            Closure::new("", d(2027, 6, 20), d(2027, 7, 5), None).unwrap(),
        ]);
        for day in d(2027, 6, 20).iter_days().take_while(|day| *day <= d(2027, 7, 31)) {
            assert!(off.is_off(day), "{day}");
        }
        assert!(!off.is_off(d(2027, 6, 18)) && !off.is_off(d(2027, 8, 2)));
        assert_eq!(off.off(d(2027, 7, 11)).unwrap().code(), "closure");
        assert_eq!(off.off(d(2027, 7, 20)).unwrap().name(), Some("Kesä"));
        assert_eq!(off.off(d(2027, 6, 25)).unwrap().name(), Some("Juhannusaatto"), "a holiday first");
    }

    #[test]
    fn closure_order_checked() {
        assert!(Closure::new("closures[0].", d(2027, 7, 2), d(2027, 7, 1), None).is_err());
    }
}
