//! CalDAV against a real server: Radicale (PyPI, from `OHJAUS_INTEROP_PYTHON`) started on a
//! free loopback port with a user and a plain htpasswd file, a calendar made with MKCALENDAR
//! and events PUT into it, then read back by `calendar-query` (the events, through the same
//! reader as a feed) and `free-busy-query` (Radicale's own busy periods); a wrong password
//! is the 401 error. Radicale logs only errors, so the refused logins the test makes on
//! purpose do not read as failures in the test output.

use crate::python::python;
use chrono::{DateTime, TimeZone as _, Utc};
use ohjaus_calendars::caldav::{self, CalDavCalendar, FreeBusy};
use ohjaus_calendars::{
    AddressPolicy, BusyBlock, Credentials, FetchError, OutgoingClient, OutgoingConfig, OutgoingUrl, ReadOptions,
    SkipReason, Window, read_busy,
};
use ohjaus_core::TimeZone;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "anna";
const PASSWORD: &str = "app-password-0123";

/// A Radicale process, killed when dropped.
struct Radicale {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Radicale {
    fn start(python: &std::path::Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // A free port: bound by us, released, then given to Radicale.
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::write(dir.path().join("users"), format!("{USER}:{PASSWORD}\n")).unwrap();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\n\n[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\ndelay = 0\n\n[storage]\nfilesystem_folder = {storage}\n\n[rights]\ntype = owner_only\n\n[logging]\nlevel = error\n",
            users = dir.path().join("users").display(),
            storage = dir.path().join("collections").display(),
        );
        let config_path = dir.path().join("config");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new(python)
            .args(["-m", "radicale", "--config"])
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Radicale did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port, _dir: dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\nBEGIN:STANDARD\r\nDTSTART:19701025T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

/// The events put into the calendar, by resource name.
fn events() -> Vec<(&'static str, String)> {
    let wrap =
        |body: &str| format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ohjaus test//EN\r\n{body}END:VCALENDAR\r\n");
    vec![
        (
            "weekly.ics",
            // Every Tuesday 09:00–10:30 Helsinki time, across the spring DST change, one
            // week taken out and one moved to the afternoon.
            wrap(&format!(
                "{VTIMEZONE}BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Europe/Helsinki:20270302T090000\r\nDTEND;TZID=Europe/Helsinki:20270302T103000\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Helsinki:20270316T090000\r\nSUMMARY:Toinen asiakas\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20270101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Helsinki:20270330T090000\r\nDTSTART;TZID=Europe/Helsinki:20270330T140000\r\nDTEND;TZID=Europe/Helsinki:20270330T153000\r\nSUMMARY:Toinen asiakas\r\nEND:VEVENT\r\n"
            )),
        ),
        (
            "training.ics",
            wrap(
                "BEGIN:VEVENT\r\nUID:training-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270415T060000Z\r\nDURATION:PT8H\r\nSUMMARY:Koulutuspäivä\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "cancelled.ics",
            wrap(
                "BEGIN:VEVENT\r\nUID:cancelled-1\r\nDTSTAMP:20270101T000000Z\r\nSTATUS:CANCELLED\r\nDTSTART:20270420T060000Z\r\nDTEND:20270420T070000Z\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "free.ics",
            wrap(
                "BEGIN:VEVENT\r\nUID:free-1\r\nDTSTAMP:20270101T000000Z\r\nTRANSP:TRANSPARENT\r\nDTSTART:20270421T060000Z\r\nDTEND:20270421T070000Z\r\nEND:VEVENT\r\n",
            ),
        ),
        (
            "later.ics",
            wrap(
                "BEGIN:VEVENT\r\nUID:later-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270901T060000Z\r\nDTEND:20270901T070000Z\r\nEND:VEVENT\r\n",
            ),
        ),
    ]
}

/// An invitation Ohjaus sent, kept in the same calendar.
fn ours() -> String {
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ohjaus//EN\r\nBEGIN:VEVENT\r\nUID:0190a1b2-0000-7000-8000-00000000000a@ohjaus\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270422T100000Z\r\nDTEND:20270422T113000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".to_owned()
}

async fn set_up(radicale: &Radicale) {
    let http = reqwest::Client::new();
    let send = |method: &str, path: &str, body: Option<String>| {
        let request = http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), radicale.url(path))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "text/calendar; charset=utf-8");
        let request = match body {
            Some(body) => request.body(body),
            None => request,
        };
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert!(matches!(send("PROPFIND", "/anna/", None).await, 207 | 200), "the principal exists");
    assert_eq!(send("MKCALENDAR", "/anna/work/", None).await, 201);
    for (name, text) in events().into_iter().chain([("ohjaus.ics", ours())]) {
        assert_eq!(send("PUT", &format!("/anna/work/{name}"), Some(text)).await, 201, "{name}");
    }
}

fn client() -> OutgoingClient {
    let policy =
        AddressPolicy { allow_private_addresses: false, trusted_addresses: vec!["127.0.0.1".parse().unwrap()] };
    OutgoingClient::new(OutgoingConfig { policy, ..OutgoingConfig::default() }).unwrap()
}

fn calendar(radicale: &Radicale, password: &str) -> CalDavCalendar {
    CalDavCalendar {
        url: OutgoingUrl::parse(&radicale.url("/anna/work/")).unwrap(),
        credentials: Credentials { user: USER.into(), password: password.into() },
    }
}

fn window() -> Window {
    Window::new(utc(2027, 3, 1, 0, 0), utc(2027, 6, 1, 0, 0)).unwrap()
}

fn spans(blocks: &[BusyBlock]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    blocks.iter().map(|b| (b.starts_at, b.ends_at)).collect()
}

#[tokio::test]
async fn calendar_query_and_free_busy_query_against_radicale() {
    let Some(python) = python("caldav::calendar_query_and_free_busy_query_against_radicale") else { return };
    let radicale = Radicale::start(&python);
    set_up(&radicale).await;
    let client = client();
    let options = ReadOptions::new(window(), TimeZone::HELSINKI);

    // calendar-query: the events in the window, read like a feed.
    let read = caldav::read_calendar(&client, &calendar(&radicale, PASSWORD), &options).await.unwrap();
    let expected = vec![
        (utc(2027, 3, 2, 7, 0), utc(2027, 3, 2, 8, 30)),
        (utc(2027, 3, 9, 7, 0), utc(2027, 3, 9, 8, 30)),
        (utc(2027, 3, 23, 7, 0), utc(2027, 3, 23, 8, 30)),
        // Summer time from 28 March: 09:00 is 06:00Z; the 30th moved to 14:00.
        (utc(2027, 3, 30, 11, 0), utc(2027, 3, 30, 12, 30)),
        (utc(2027, 4, 6, 6, 0), utc(2027, 4, 6, 7, 30)),
        (utc(2027, 4, 15, 6, 0), utc(2027, 4, 15, 14, 0)),
    ];
    assert_eq!(spans(&read.blocks), expected);
    assert_eq!(read.report.skipped(SkipReason::IssuedByOhjaus), 1);
    assert_eq!(read.report.skipped(SkipReason::Cancelled), 1);
    assert_eq!(read.report.skipped(SkipReason::Transparent), 1);
    // The same events read locally give the same blocks.
    let mut local: Vec<BusyBlock> =
        events().iter().flat_map(|(_, text)| read_busy(text.as_bytes(), &options).blocks).collect();
    local.sort();
    assert_eq!(read.blocks, local);

    // free-busy-query: Radicale's own expansion, cancelled and free events left out by it.
    // The report knows no UIDs, so our own invitation is busy time there: the sync prefers
    // calendar-query, and uses free-busy only where the server gives nothing else.
    let FreeBusy::Busy(busy) = caldav::free_busy(&client, &calendar(&radicale, PASSWORD), window()).await.unwrap()
    else {
        panic!("Radicale offers free-busy-query")
    };
    let mut with_ours = expected.clone();
    with_ours.push((utc(2027, 4, 22, 10, 0), utc(2027, 4, 22, 11, 30)));
    assert_eq!(spans(&busy), with_ours);

    // A wrong password is the 401 error, for both reports.
    let wrong = calendar(&radicale, "not-the-password");
    assert_eq!(caldav::read_calendar(&client, &wrong, &options).await, Err(FetchError::Unauthorized));
    assert_eq!(caldav::free_busy(&client, &wrong, window()).await, Err(FetchError::Unauthorized));
    // A collection that does not exist.
    let missing = CalDavCalendar {
        url: OutgoingUrl::parse(&radicale.url("/anna/nothing/")).unwrap(),
        ..calendar(&radicale, PASSWORD)
    };
    assert!(matches!(caldav::read_calendar(&client, &missing, &options).await, Err(FetchError::NotFound { .. })));
}
