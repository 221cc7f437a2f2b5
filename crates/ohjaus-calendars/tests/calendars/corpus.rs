//! Every file of the corpus (`tests/corpus/`: 80 real calendars, see its README) read over
//! fixed windows, compared with the VEVENT occurrences the Python reference
//! `recurring-ical-events` expands from the same file (`tests/interop/busy_reference.py`).
//!
//! The busy blocks must equal the reference's occurrences — as (start, end, UID) in UTC,
//! counted with their multiplicity — after leaving out, on the reference's side, what is not
//! busy time:
//!
//! - `STATUS:CANCELLED` and `TRANSP:TRANSPARENT` occurrences (the reader skips them too, and
//!   counts them);
//! - occurrences that last no time (a DATE-TIME DTSTART without DTEND or DURATION, which
//!   RFC 5545 makes zero-length). The reference lists such an occurrence when its start falls
//!   in the window; as busy time it blocks nothing, so the reader counts it as skipped
//!   (`zero_length`) instead of making an empty block.
//!
//! One difference is the reader's by choice, and checked as such: an event whose RRULE cannot
//! be read (`bad_rrule_missing_until_event.ics` writes `UNTL=` for `UNTIL=`). The reference
//! drops the whole event; the reader keeps the instance its DTSTART names — that one surely
//! happens — and counts the rule as `unreadable_rule`, rather than hide a busy time or invent
//! a weekly one for ever.
//!
//! Nothing else is excused: a file whose blocks differ fails with both differences.

use crate::python::{interop_dir, python};
use chrono::{DateTime, TimeZone as _, Utc};
use ohjaus_calendars::{ReadOptions, SkipReason, Window, read_busy, uid_hash};
use ohjaus_core::TimeZone;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The owner's zone for floating times.
const ZONE: &str = "Europe/Helsinki";

/// 18-month windows starting every 1 January from 1997 to 2025: every year a corpus file has
/// events in, and the window edges in the middle of many series.
fn windows() -> Vec<Window> {
    (1997..=2025)
        .map(|year| {
            let start = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap();
            let end = Utc.with_ymd_and_hms(year + 1, 7, 1, 0, 0, 0).unwrap();
            Window::new(start, end).unwrap()
        })
        .collect()
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    files
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

type Block = (String, String, u64);

#[test]
fn every_file_reads_without_a_crash() {
    let files = corpus();
    assert_eq!(files.len(), 80, "the corpus has 80 calendars");
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for window in windows() {
            let calendar = read_busy(&bytes, &ReadOptions::new(window, TimeZone::HELSINKI));
            assert!(calendar.blocks.windows(2).all(|w| w[0] <= w[1]), "{}: blocks in order", path.display());
            assert!(calendar.blocks.iter().all(|b| b.starts_at < b.ends_at));
            assert_eq!(calendar.report.skipped(SkipReason::OccurrenceLimit), 0, "{}", path.display());
        }
    }
}

#[test]
fn busy_blocks_equal_the_reference() {
    let Some(python) = python("corpus::busy_blocks_equal_the_reference") else { return };
    let files = corpus();
    let windows = windows();
    let mut command = Command::new(python);
    command.arg(interop_dir().join("busy_reference.py")).args(["--zone", ZONE]);
    for window in &windows {
        command.arg("--window").arg(stamp(window.start())).arg(stamp(window.end()));
    }
    let output = command.args(&files).output().unwrap();
    assert!(output.status.success(), "busy_reference.py: {}", String::from_utf8_lossy(&output.stderr));
    let reference: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reference.len(), files.len() * windows.len());

    let mut compared = 0;
    let mut excused: BTreeMap<&str, usize> = BTreeMap::new();
    let mut excused_by_choice = 0;
    let mut mismatches = Vec::new();
    for entry in &reference {
        let path = Path::new(entry["file"].as_str().unwrap());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(entry["error"].is_null(), "{name}: the reference failed: {}", entry["error"]);
        let window = windows.iter().find(|w| stamp(w.start()) == entry["window"][0].as_str().unwrap()).unwrap();
        let mut expected: Vec<Block> = Vec::new();
        for occurrence in entry["occurrences"].as_array().unwrap() {
            let start: DateTime<Utc> = occurrence["start"].as_str().unwrap().parse().unwrap();
            let end: DateTime<Utc> = occurrence["end"].as_str().unwrap().parse().unwrap();
            let overlaps = start < window.end() && end > window.start();
            let zero_length_inside = start == end && window.start() <= start && start < window.end();
            if !overlaps && !zero_length_inside {
                continue;
            }
            let reason = if occurrence["cancelled"].as_bool().unwrap() {
                Some("cancelled")
            } else if occurrence["transparent"].as_bool().unwrap() {
                Some("transparent")
            } else if end <= start {
                Some("zero length")
            } else {
                None
            };
            if let Some(reason) = reason {
                *excused.entry(reason).or_default() += 1;
                continue;
            }
            let uid = occurrence["uid"].as_str().unwrap_or("");
            expected.push((stamp(start), stamp(end), uid_hash(uid)));
        }
        expected.sort();
        let calendar = read_busy(&std::fs::read(path).unwrap(), &ReadOptions::new(*window, TimeZone::HELSINKI));
        if name == "bad_rrule_missing_until_event.ics" {
            assert_eq!(calendar.report.skipped(SkipReason::UnreadableRule), 1);
            let dtstart = ("2019-08-01T13:00:00Z".to_owned(), "2019-08-01T14:00:00Z".to_owned(), uid_hash("blabla"));
            let at = Utc.with_ymd_and_hms(2019, 8, 1, 13, 0, 0).unwrap();
            if window.start() <= at && at < window.end() {
                expected.push(dtstart);
                expected.sort();
                excused_by_choice += 1;
            }
        }
        let found: Vec<Block> =
            calendar.blocks.iter().map(|b| (stamp(b.starts_at), stamp(b.ends_at), b.uid_hash)).collect();
        compared += expected.len();
        if found != expected {
            let only =
                |a: &[Block], b: &[Block]| -> Vec<Block> { a.iter().filter(|x| !b.contains(x)).cloned().collect() };
            mismatches.push(format!(
                "{name} in [{}, {}): {} blocks, {} expected\n  only the reader:    {:?}\n  only the reference: {:?}",
                stamp(window.start()),
                stamp(window.end()),
                found.len(),
                expected.len(),
                only(&found, &expected),
                only(&expected, &found),
            ));
        }
    }
    eprintln!(
        "corpus: {} files × {} windows, {compared} occurrences compared, left out on the reference's side: \
         {excused:?}, the reader's own DTSTART of an unreadable rule: {excused_by_choice}",
        files.len(),
        windows.len()
    );
    assert!(compared > 10_000, "the comparison covers the corpus");
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
