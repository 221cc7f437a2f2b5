//! Benchmarks of reading calendars (medians go to BENCHMARKS.md):
//!
//! - `read/500_events`: parse and expand one 500-event calendar over the sync's horizon
//!   (7 days back, 18 months ahead) — the shape of a busy supervisor's exported calendar:
//!   three in five single meetings, a quarter weekly series (some with EXDATEs and a moved
//!   instance), open-ended weekly and monthly rules, all-day days; times in Europe/Helsinki
//!   with the feed's VTIMEZONE, as Google and Outlook write them, some in UTC.
//! - `refresh/1000_calendars_of_500_events`: fetch 1,000 such subscription calendars from a
//!   local HTTP server (axum on loopback, in the same process and runtime) through the
//!   outgoing client with its address policy, and read each — 8 at a time, unconditional
//!   GETs (every feed changed). Criterion's throughput is calendars per second.
//!
//! The calendars are made by a fixed pseudo-random generator, so every run reads the same
//! bytes: 20 different calendars, served under 1,000 URLs (nothing is cached between
//! requests, so each URL costs a full fetch and read).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ohjaus_calendars::{
    AddressPolicy, OutgoingClient, OutgoingConfig, OutgoingUrl, ReadOptions, Refreshed, Validators, Window, read_busy,
    refresh,
};
use ohjaus_core::TimeZone;
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

/// SplitMix64: a small, fixed pseudo-random sequence.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).expect("small")
    }
}

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\nX-LIC-LOCATION:Europe/Helsinki\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nTZNAME:EEST\r\nDTSTART:19700329T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nTZNAME:EET\r\nDTSTART:19701025T040000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Where the calendars' events lie: a year before `NOW` to 18 months after.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).single().expect("a time")
}

fn local(day: NaiveDate, half_hours: i64) -> String {
    (day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(30 * half_hours))
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

/// One calendar of `events` VEVENT series, as a supervisor's export looks.
fn calendar(seed: u64, events: usize) -> String {
    let mut random = Random(seed);
    let mut text = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:Työ\r\nX-WR-TIMEZONE:Europe/Helsinki\r\n",
    );
    text.push_str(VTIMEZONE);
    let first = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
    for i in 0..events {
        let day = first + Duration::days(random.below(30 * 30));
        let start = 16 + random.below(16); // 08:00–15:30
        let length = 2 + random.below(3); // 1–2 h
        let uid = format!("{seed:x}-{i}@google.com");
        let head = format!(
            "BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\nUID:{uid}\r\nSUMMARY:Tapaaminen {i}\r\nDESCRIPTION:Asiakas {i}\\, huone 2\r\nLOCATION:Helsinki\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
        );
        let timed = format!(
            "DTSTART;TZID=Europe/Helsinki:{}\r\nDTEND;TZID=Europe/Helsinki:{}\r\n",
            local(day, start),
            local(day, start + length)
        );
        let kind = random.below(100);
        text.push_str(&head);
        match kind {
            0..60 => text.push_str(&timed),
            60..85 => {
                text.push_str(&timed);
                let count = 10 + random.below(30);
                let _ = write!(text, "RRULE:FREQ=WEEKLY;INTERVAL={};COUNT={count}\r\n", 1 + random.below(3));
                if random.below(3) == 0 {
                    let skipped = day + Duration::weeks(1 + random.below(5));
                    let _ = write!(text, "EXDATE;TZID=Europe/Helsinki:{}\r\n", local(skipped, start));
                }
                if random.below(4) == 0 {
                    // One instance moved by two hours: an override after the master.
                    let moved = day + Duration::weeks(count / 2);
                    let _ = write!(
                        text,
                        "END:VEVENT\r\n{head}RECURRENCE-ID;TZID=Europe/Helsinki:{}\r\nDTSTART;TZID=Europe/Helsinki:{}\r\nDTEND;TZID=Europe/Helsinki:{}\r\n",
                        local(moved, start),
                        local(moved, start + 4),
                        local(moved, start + 4 + length)
                    );
                }
            }
            85..90 => {
                text.push_str(&timed);
                text.push_str("RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n");
            }
            90..95 => {
                text.push_str(&timed);
                text.push_str("RRULE:FREQ=MONTHLY;BYDAY=2TU\r\n");
            }
            _ => {
                let _ = write!(
                    text,
                    "DTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nTRANSP:OPAQUE\r\n",
                    day.format("%Y%m%d"),
                    (day + Duration::days(1 + random.below(3))).format("%Y%m%d")
                );
            }
        }
        text.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

fn options() -> ReadOptions {
    ReadOptions::new(Window::horizon(now()), TimeZone::HELSINKI)
}

fn read(c: &mut Criterion) {
    let text = calendar(1, 500);
    let found = read_busy(text.as_bytes(), &options());
    println!(
        "read/500_events: {} bytes, {} blocks in the horizon, skipped {:?}",
        text.len(),
        found.blocks.len(),
        found.report.skipped
    );
    c.bench_function("read/500_events", |b| b.iter(|| read_busy(black_box(text.as_bytes()), &options())));
}

const CALENDARS: usize = 1_000;
const DISTINCT: usize = 20;
const AT_ONCE: usize = 8;

/// CPU seconds this process has used (user + system), from /proc/self/stat (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The local server, the client and the URLs of the 1,000 calendars.
struct Subscriptions {
    runtime: tokio::runtime::Runtime,
    client: OutgoingClient,
    urls: Arc<Vec<OutgoingUrl>>,
}

impl Subscriptions {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
        let bodies: Arc<Vec<String>> = Arc::new((0..DISTINCT as u64).map(|seed| calendar(100 + seed, 500)).collect());
        let address = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let address = listener.local_addr().expect("an address");
            let app = Router::new()
                .route(
                    "/cal/{n}",
                    get(|Path(n): Path<usize>, State(bodies): State<Arc<Vec<String>>>| async move {
                        ([("content-type", "text/calendar")], bodies[n % DISTINCT].clone())
                    }),
                )
                .with_state(bodies);
            tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
            address
        });
        let policy = AddressPolicy { allow_private_addresses: false, trusted_addresses: vec![address.ip()] };
        let client = OutgoingClient::new(OutgoingConfig { policy, ..OutgoingConfig::default() }).expect("a client");
        let urls = Arc::new(
            (0..CALENDARS).map(|n| OutgoingUrl::parse(&format!("http://{address}/cal/{n}")).expect("a URL")).collect(),
        );
        Self { runtime, client, urls }
    }

    /// Fetches and reads every calendar, `AT_ONCE` at a time; the blocks read in all.
    async fn refresh_all(client: OutgoingClient, urls: Arc<Vec<OutgoingUrl>>) -> usize {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..urls.len() {
            let permit = Arc::clone(&semaphore).acquire_owned().await.expect("a permit");
            let (client, urls) = (client.clone(), Arc::clone(&urls));
            tasks.spawn(async move {
                let refreshed = refresh(&client, &urls[i], &Validators::default(), &options()).await;
                drop(permit);
                match refreshed.expect("fetched") {
                    Refreshed::Read { calendar, .. } => calendar.blocks.len(),
                    Refreshed::NotModified => 0,
                }
            });
        }
        let mut blocks = 0;
        while let Some(done) = tasks.join_next().await {
            blocks += done.expect("a task");
        }
        blocks
    }
}

fn fetch_and_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("refresh");
    group.throughput(Throughput::Elements(CALENDARS as u64));
    group.sample_size(10);
    // Set up on first use, so that a run filtered to another benchmark skips it.
    let mut subscriptions: Option<Subscriptions> = None;
    group.bench_function("1000_calendars_of_500_events", |b| {
        let s = subscriptions.get_or_insert_with(|| {
            let s = Subscriptions::start();
            let (cpu, wall) = (cpu_seconds(), std::time::Instant::now());
            let blocks = s.runtime.block_on(Subscriptions::refresh_all(s.client.clone(), Arc::clone(&s.urls)));
            let elapsed = wall.elapsed().as_secs_f64();
            let used = cpu.zip(cpu_seconds()).map(|(before, after)| after - before);
            println!(
                "refresh/1000_calendars_of_500_events: {blocks} blocks in all, {AT_ONCE} at a time; one pass {elapsed:.1} s, \
                 CPU {}",
                used.map_or("unknown".to_owned(), |cpu| format!(
                    "{cpu:.1} s ({:.2} ms a calendar: {:.0} calendars/s on 2 otherwise idle cores)",
                    cpu / CALENDARS as f64 * 1000.0,
                    2.0 * CALENDARS as f64 / cpu
                ))
            );
            s
        });
        let (client, urls) = (s.client.clone(), Arc::clone(&s.urls));
        b.to_async(&s.runtime).iter(|| Subscriptions::refresh_all(client.clone(), Arc::clone(&urls)));
    });
    group.finish();
}

criterion_group!(benches, read, fetch_and_read);
criterion_main!(benches);
