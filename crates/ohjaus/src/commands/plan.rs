//! `ohjaus plan FILE`: a series planned from a contract before anything is booked.
//!
//! The input is the API's series body (ids optional) plus `closures` and `busy` (the
//! supervisor's existing bookings); the output is exactly what `POST /api/v1/series/preview`
//! answers.

use super::Failure;
use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use ohjaus_core::conflicts::{Occurrence, SupervisorAgenda};
use ohjaus_core::{Booking, BookingIndex, Closure, DaysOff, Preview, SeriesBody, find_conflicts};
use serde::Deserialize;
use std::io::Read as _;
use std::path::Path;

/// A closure period in the input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClosureInput {
    start_date: NaiveDate,
    end_date: NaiveDate,
    #[serde(default)]
    reason: Option<String>,
}

/// An existing booking of the supervisor in the input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BusyInput {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

/// Reads, plans and prints.
pub fn run(file: &Path) -> Result<(), Failure> {
    let text = read_input(file)?;
    let preview = plan(&text)?;
    let json = serde_json::to_string_pretty(&preview).context("writing the plan as JSON")?;
    println!("{json}");
    Ok(())
}

fn read_input(file: &Path) -> Result<String, Failure> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure::input(format!("standard input: {e}")))?;
    } else {
        text = std::fs::read_to_string(file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    }
    if text.trim().is_empty() {
        return Err(Failure::input(format!("{}: the input is empty; expected a series body (JSON)", file.display())));
    }
    Ok(text)
}

/// Parses a field of the input with serde, naming the field's path on error.
fn parse_part<T: serde::de::DeserializeOwned>(prefix: &str, value: serde_json::Value) -> Result<T, Failure> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = match (prefix, path.as_str()) {
            ("", ".") => String::new(),
            ("", path) => format!("{path}: "),
            (prefix, ".") => format!("{prefix}: "),
            (prefix, path) if path.starts_with('[') => format!("{prefix}{path}: "),
            (prefix, path) => format!("{prefix}.{path}: "),
        };
        Failure::input(format!("{field}{}", error.inner()))
    })
}

/// The plan of a series body given as JSON text.
fn plan(text: &str) -> Result<Preview, Failure> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Failure::input(format!("the input is not valid JSON: {e}")))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(Failure::input("the input must be a JSON object (a series body)"));
    };
    let closures: Vec<ClosureInput> = match object.remove("closures") {
        Some(value) => parse_part("closures", value)?,
        None => Vec::new(),
    };
    let busy: Vec<BusyInput> = match object.remove("busy") {
        Some(value) => parse_part("busy", value)?,
        None => Vec::new(),
    };
    let body: SeriesBody = parse_part("", serde_json::Value::Object(object))?;
    let spec = body.validate().map_err(Failure::input)?;

    let closures = closures
        .into_iter()
        .enumerate()
        .map(|(i, c)| Closure::new(&format!("closures[{i}]."), c.start_date, c.end_date, c.reason))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::input)?;
    for (i, b) in busy.iter().enumerate() {
        if b.ends_at <= b.starts_at {
            return Err(Failure::input(format!("busy[{i}].ends_at: must be after starts_at")));
        }
    }
    let days_off = DaysOff::new(closures);
    let plan = spec.schedule.plan(&days_off).map_err(Failure::input)?;
    let supervisor = SupervisorAgenda {
        bookings: BookingIndex::new(busy.iter().map(|b| Booking::new(b.starts_at, b.ends_at)).collect()),
        ..SupervisorAgenda::default()
    };
    let occurrences: Vec<Occurrence> = plan
        .sessions
        .iter()
        .map(|s| Occurrence { index: s.index, starts_at: s.starts_at, ends_at: s.ends_at })
        .collect();
    let conflicts = find_conflicts(&occurrences, &supervisor, &[]);
    Ok(Preview::new(&plan, &conflicts, spec.schedule.timezone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match plan(text) {
            Err(Failure::Input(message)) => message,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    const BODY: &str = r#"{"kind": "group_supervision", "title": "Osasto 5", "first_start": "2027-01-12T13:00",
        "timezone": "Europe/Helsinki", "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 3, "count": 10}}"#;

    #[test]
    fn ten_sessions_keep_13_00_across_dst() {
        let preview = plan(BODY).unwrap();
        assert_eq!(preview.sessions.len(), 10);
        let offsets: Vec<&str> = preview.sessions.iter().map(|s| &s.starts_at[16..]).collect();
        assert!(preview.sessions.iter().all(|s| &s.starts_at[11..16] == "13:00"));
        assert!(offsets.contains(&":00+02:00") && offsets.contains(&":00+03:00"));
    }

    #[test]
    fn busy_times_conflict() {
        let mut value: serde_json::Value = serde_json::from_str(BODY).unwrap();
        value["busy"] = serde_json::json!([{"starts_at": "2027-02-02T11:30:00Z", "ends_at": "2027-02-02T12:00:00Z"}]);
        let preview = plan(&value.to_string()).unwrap();
        assert_eq!(preview.conflicts.len(), 1);
        assert_eq!(preview.conflicts[0].index, 2);
    }

    #[test]
    fn bad_input_names_the_field() {
        let with = |key: &str, value: serde_json::Value| {
            let mut body: serde_json::Value = serde_json::from_str(BODY).unwrap();
            body[key] = value;
            body.to_string()
        };
        assert!(error_of(&with("timezone", "Europe/Nowhere".into())).starts_with("timezone:"));
        assert!(error_of(&with("duration_minutes", 5.into())).starts_with("duration_minutes:"));
        assert!(error_of(&with("first_start", "12.1.2027 13:00".into())).starts_with("first_start:"));
        assert!(error_of(&with("colour", "red".into())).contains("unknown field `colour`"));
        assert!(
            error_of(&with("recurrence", serde_json::json!({"frequency": "weekly", "count": 0})))
                .starts_with("recurrence.count:")
        );
        assert!(error_of("").contains("empty") || error_of("   ").contains("not valid JSON"));
        assert!(error_of("nonsense").contains("not valid JSON"));
        assert!(error_of("[1]").contains("JSON object"));
        assert!(error_of(&with("busy", serde_json::json!([{"starts_at": "x"}]))).starts_with("busy[0].starts_at:"));
    }
}
