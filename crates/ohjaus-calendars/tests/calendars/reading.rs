//! Reading hand-made calendars: what real clients write that the corpus lacks (Outlook's
//! Windows zone names, our own events, a rule bomb), the options, and mangled bytes.

use chrono::{DateTime, TimeZone as _, Utc};
use ohjaus_calendars::{AllDayEvents, ReadOptions, SkipReason, Window, read_busy, uid_hash};
use ohjaus_core::TimeZone;
use proptest::prelude::*;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn options() -> ReadOptions {
    let window = Window::new(utc("2027-01-01T00:00:00Z"), utc("2027-07-01T00:00:00Z")).unwrap();
    ReadOptions::new(window, TimeZone::HELSINKI)
}

fn calendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
}

fn spans(text: &str, options: &ReadOptions) -> Vec<(String, String)> {
    read_busy(text.as_bytes(), options)
        .blocks
        .iter()
        .map(|b| (b.starts_at.to_rfc3339(), b.ends_at.to_rfc3339()))
        .collect()
}

fn span(start: &str, end: &str) -> (String, String) {
    (utc(start).to_rfc3339(), utc(end).to_rfc3339())
}

/// What Outlook's "publish calendar" writes: a Windows zone name with its own VTIMEZONE,
/// a weekly meeting with one occurrence moved and one deleted.
const OUTLOOK: &str = "BEGIN:VTIMEZONE\r\nTZID:FLE Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E00800000000@outlook\r\nSUMMARY:Asiakas\r\nDTSTART;TZID=FLE Standard Time:20270315T090000\r\nDTEND;TZID=FLE Standard Time:20270315T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO\r\nEXDATE;TZID=FLE Standard Time:20270322T090000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E00800000000@outlook\r\nRECURRENCE-ID;TZID=FLE Standard Time:20270329T090000\r\nDTSTART;TZID=FLE Standard Time:20270329T140000\r\nDTEND;TZID=FLE Standard Time:20270329T150000\r\nEND:VEVENT\r\n";

#[test]
fn outlook_windows_zone_exdate_and_a_moved_instance() {
    let blocks = spans(&calendar(OUTLOOK), &options());
    assert_eq!(
        blocks,
        [
            // Winter time (+02), the deleted 22 March gone, the 29th (summer time, +03) moved
            // to the afternoon, the 5 April as the rule says.
            span("2027-03-15T07:00:00Z", "2027-03-15T08:00:00Z"),
            span("2027-03-29T11:00:00Z", "2027-03-29T12:00:00Z"),
            span("2027-04-05T06:00:00Z", "2027-04-05T07:00:00Z"),
        ]
    );
}

#[test]
fn a_windows_zone_without_vtimezone_uses_cldr() {
    let text = calendar(
        "BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=W. Europe Standard Time:20270615T090000\r\nDURATION:PT90M\r\nEND:VEVENT\r\n",
    );
    assert_eq!(spans(&text, &options()), [span("2027-06-15T07:00:00Z", "2027-06-15T08:30:00Z")]);
}

#[test]
fn floating_times_read_in_the_calendars_zone_or_the_owners() {
    let event = "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20270115T100000\r\nDTEND:20270115T110000\r\nEND:VEVENT\r\n";
    // The owner's zone (Helsinki, +02 in January).
    assert_eq!(spans(&calendar(event), &options()), [span("2027-01-15T08:00:00Z", "2027-01-15T09:00:00Z")]);
    // X-WR-TIMEZONE names the calendar's zone.
    let named = calendar(&format!("X-WR-TIMEZONE:America/New_York\r\n{event}"));
    assert_eq!(spans(&named, &options()), [span("2027-01-15T15:00:00Z", "2027-01-15T16:00:00Z")]);
}

#[test]
fn x_wr_timezone_repeats_utc_times_in_the_calendars_zone() {
    // Google: DTSTART in UTC, the calendar's zone in X-WR-TIMEZONE. 09:00 Helsinki in winter
    // is 07:00Z; after the spring change the meeting stays at 09:00 local (06:00Z).
    let text = calendar(
        "X-WR-TIMEZONE:Europe/Helsinki\r\nBEGIN:VEVENT\r\nUID:g\r\nDTSTART:20270322T070000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        spans(&text, &options()),
        [span("2027-03-22T07:00:00Z", "2027-03-22T08:00:00Z"), span("2027-03-29T06:00:00Z", "2027-03-29T07:00:00Z")]
    );
}

#[test]
fn all_day_events_block_the_local_day_unless_ignored() {
    let text = calendar(
        "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20270120\r\nDTEND;VALUE=DATE:20270122\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTART;VALUE=DATE:20270125\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        spans(&text, &options()),
        [span("2027-01-19T22:00:00Z", "2027-01-21T22:00:00Z"), span("2027-01-24T22:00:00Z", "2027-01-25T22:00:00Z")]
    );
    let ignoring = ReadOptions { all_day: AllDayEvents::Ignore, ..options() };
    let calendar = read_busy(text.as_bytes(), &ignoring);
    assert!(calendar.blocks.is_empty());
    assert_eq!(calendar.report.skipped(SkipReason::AllDayIgnored), 2);
}

#[test]
fn cancelled_free_zero_length_and_our_own_are_left_out_and_counted() {
    let text = calendar(concat!(
        "BEGIN:VEVENT\r\nUID:0190a1b2-0000-7000-8000-00000000000a@ohjaus\r\nDTSTART:20270112T110000Z\r\nDTEND:20270112T123000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:c\r\nSTATUS:CANCELLED\r\nDTSTART:20270113T110000Z\r\nDTEND:20270113T120000Z\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:t\r\nTRANSP:TRANSPARENT\r\nDTSTART:20270114T110000Z\r\nDTEND:20270114T120000Z\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:z\r\nDTSTART:20270115T110000Z\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20270118T110000Z\r\nDTEND:20270118T120000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:r\r\nRECURRENCE-ID:20270119T110000Z\r\nSTATUS:CANCELLED\r\nDTSTART:20270119T110000Z\r\nDTEND:20270119T120000Z\r\nEND:VEVENT\r\n",
        "BEGIN:VTODO\r\nUID:todo\r\nDTSTART:20270118T110000Z\r\nEND:VTODO\r\n",
        "BEGIN:VJOURNAL\r\nUID:journal\r\nDTSTART:20270118T110000Z\r\nEND:VJOURNAL\r\n",
        "BEGIN:VEVENT\r\nUID:nostart\r\nSUMMARY:no start\r\nEND:VEVENT\r\n",
    ));
    let calendar = read_busy(text.as_bytes(), &options());
    let starts: Vec<String> = calendar.blocks.iter().map(|b| b.starts_at.to_rfc3339()).collect();
    assert_eq!(starts, [utc("2027-01-18T11:00:00Z").to_rfc3339(), utc("2027-01-20T11:00:00Z").to_rfc3339()]);
    assert!(calendar.blocks.iter().all(|b| b.uid_hash == uid_hash("r")));
    let report = &calendar.report;
    assert_eq!(report.skipped(SkipReason::IssuedByOhjaus), 1);
    assert_eq!(report.skipped(SkipReason::Cancelled), 2);
    assert_eq!(report.skipped(SkipReason::Transparent), 1);
    assert_eq!(report.skipped(SkipReason::ZeroLength), 1);
    assert_eq!(report.skipped(SkipReason::NoStart), 1);
    assert_eq!(report.other_components, 2);
    assert_eq!(report.events, 7);
}

#[test]
fn a_rule_bomb_is_cut_short() {
    let text = calendar(concat!(
        "BEGIN:VEVENT\r\nUID:bomb\r\nDTSTART:19700101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:minutes\r\nDTSTART:20270101T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:fine\r\nDTSTART:20270104T080000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n",
    ));
    let options = ReadOptions { max_generated_per_rule: 20_000, max_blocks_per_event: 1_000, ..options() };
    let calendar = read_busy(text.as_bytes(), &options);
    assert_eq!(calendar.report.skipped(SkipReason::OccurrenceLimit), 2);
    assert_eq!(calendar.blocks.iter().filter(|b| b.uid_hash == uid_hash("minutes")).count(), 1_000);
    assert_eq!(calendar.blocks.iter().filter(|b| b.uid_hash == uid_hash("fine")).count(), 1);
}

#[test]
fn the_horizon_is_seven_days_back_to_eighteen_months_ahead() {
    let now = Utc.with_ymd_and_hms(2027, 1, 31, 12, 0, 0).unwrap();
    let window = Window::horizon(now);
    assert_eq!(window.start(), utc("2027-01-24T12:00:00Z"));
    assert_eq!(window.end(), utc("2028-07-31T12:00:00Z"));
    assert!(Window::new(now, now).is_err());
}

/// A small valid calendar to mangle.
const SEED: &str = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Helsinki\r\nBEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Custom:20270301T100000\r\nDTEND;TZID=Custom:20270301T110000\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20270601T000000Z\r\nEXDATE;TZID=Custom:20270303T100000\r\nRDATE;VALUE=PERIOD:20270402T080000Z/PT2H\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Custom:20270315T100000\r\nDTSTART;TZID=Custom:20270315T120000\r\nDURATION:PT30M\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=12\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Bytes and lines a broken feed might contain.
fn mangled() -> impl Strategy<Value = Vec<u8>> {
    let seed = SEED.as_bytes().to_vec();
    prop_oneof![
        // Random bytes.
        proptest::collection::vec(any::<u8>(), 0..400),
        // The seed with bytes overwritten, inserted or cut.
        (proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..20)).prop_map(move |edits| {
            let mut bytes = seed.clone();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                match kind {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => bytes.truncate(at),
                }
            }
            bytes
        }),
        // Lines of the seed shuffled and repeated, with values swapped for odd ones.
        proptest::collection::vec((0usize..40, proptest::sample::select(ODD_VALUES.to_vec())), 0..60).prop_map(
            |picks| {
                let lines: Vec<&str> = SEED.split("\r\n").collect();
                let mut text = String::new();
                for (line, odd) in picks {
                    let line = lines[line % lines.len()];
                    match line.split_once(':') {
                        Some((name, _)) if odd.len() % 2 == 0 => text.push_str(&format!("{name}:{odd}\r\n")),
                        _ => text.push_str(&format!("{line}\r\n")),
                    }
                }
                text.into_bytes()
            }
        ),
    ]
}

const ODD_VALUES: [&str; 14] = [
    "",
    "FREQ=SECONDLY;INTERVAL=0",
    "FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU;BYSETPOS=-1",
    "99991231T235959Z",
    "00010101T000000",
    "20270230T100000",
    "-P99999W",
    "P1DT",
    "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2",
    "19700101/20270101T000000Z",
    "+9999",
    "FREQ=DAILY;COUNT=4294967295",
    "FREQ=HOURLY;BYHOUR=25",
    "Ωmega,;\\,",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any input reads without a panic into ordered, non-empty blocks inside the window.
    #[test]
    fn mangled_bytes_never_panic(bytes in mangled()) {
        let options = ReadOptions { max_generated_per_rule: 5_000, max_blocks_per_event: 500, ..options() };
        let calendar = read_busy(&bytes, &options);
        for block in &calendar.blocks {
            prop_assert!(block.starts_at < block.ends_at);
            prop_assert!(block.starts_at < options.window.end() && block.ends_at > options.window.start());
        }
        prop_assert!(calendar.blocks.windows(2).all(|w| w[0] <= w[1]));
    }
}
