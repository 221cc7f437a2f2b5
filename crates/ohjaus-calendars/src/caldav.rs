//! A CalDAV calendar (RFC 4791) read through the [`OutgoingClient`]: the events in a time
//! range (`CALDAV:calendar-query`, §7.8), or only the busy periods where the server offers
//! them (`CALDAV:free-busy-query`, §7.10).
//!
//! The calendar is a collection URL with a user name and an app password (HTTP Basic). A 401
//! is [`FetchError::Unauthorized`] ("the server refused the user name or password"). The
//! calendar-query answer is a WebDAV multistatus, read with `quick-xml`; each resource's
//! calendar data goes through the same reader as a subscription feed ([`crate::read`]), so an
//! event means the same busy time whichever way it arrives.

use crate::http::{Credentials, FetchError, OutgoingClient, OutgoingRequest, OutgoingUrl, check_status};
use crate::read::{BusyBlock, BusyCalendar, ReadOptions, Window, read_busy_blocking, uid_hash};
use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::Method;
use reqwest::header::{self, HeaderValue};

/// A CalDAV calendar collection and the credentials to read it.
#[derive(Debug, Clone)]
pub struct CalDavCalendar {
    /// The collection, e.g. `https://cloud.example.fi/remote.php/dav/calendars/anna/personal/`.
    pub url: OutgoingUrl,
    /// User name and app password.
    pub credentials: Credentials,
}

/// What a free-busy query answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeBusy {
    /// The busy periods (FBTYPE=BUSY, BUSY-TENTATIVE, BUSY-UNAVAILABLE) as blocks.
    Busy(Vec<BusyBlock>),
    /// The server does not offer the report here (it answered 403, 405, 501 or similar):
    /// read the events with [`calendar_query`] instead.
    NotOffered,
}

/// `YYYYMMDDTHHMMSSZ`, the form RFC 4791's time-range takes.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn report(calendar: &CalDavCalendar, depth: Option<&'static str>, body: String) -> Result<OutgoingRequest, FetchError> {
    let method = Method::from_bytes(b"REPORT").map_err(|_| FetchError::InvalidUrl)?;
    let mut request = OutgoingRequest {
        method,
        url: calendar.url.clone(),
        headers: Default::default(),
        body: Some(body.into_bytes()),
        basic_auth: Some(calendar.credentials.clone()),
    }
    .header(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    if let Some(depth) = depth {
        request = request.header(header::HeaderName::from_static("depth"), HeaderValue::from_static(depth));
    }
    Ok(request)
}

/// The calendar data of every event in `window` (`CALDAV:calendar-query` with a VEVENT
/// time-range, Depth 1): one iCalendar object per resource.
pub async fn calendar_query(
    client: &OutgoingClient,
    calendar: &CalDavCalendar,
    window: Window,
) -> Result<Vec<String>, FetchError> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{}" end="{}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"#,
        stamp(window.start()),
        stamp(window.end())
    );
    let response = client.send(report(calendar, Some("1"), body)?).await?;
    check_status(response.status)?;
    if response.status.as_u16() != 207 {
        return Err(FetchError::BadAnswer { reason: format!("expected a multistatus (207), got {}", response.status) });
    }
    calendar_data(&response.body)
}

/// The busy blocks of the events in `options.window`: [`calendar_query`] with every resource
/// read by [`crate::read_busy`] (off the async runtime), the blocks together and the reports added up.
pub async fn read_calendar(
    client: &OutgoingClient,
    calendar: &CalDavCalendar,
    options: &ReadOptions,
) -> Result<BusyCalendar, FetchError> {
    let resources = calendar_query(client, calendar, options.window).await?;
    let bodies = resources.into_iter().map(String::into_bytes).collect();
    Ok(read_busy_blocking(bodies, options.clone()).await)
}

/// The busy periods in `window` by `CALDAV:free-busy-query`: the server expands the events
/// itself and answers a VFREEBUSY; FREE periods are left out. Blocks carry no UID (the
/// report has none): their `uid_hash` is that of the empty string.
pub async fn free_busy(
    client: &OutgoingClient,
    calendar: &CalDavCalendar,
    window: Window,
) -> Result<FreeBusy, FetchError> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="{}" end="{}"/>
</C:free-busy-query>"#,
        stamp(window.start()),
        stamp(window.end())
    );
    let response = client.send(report(calendar, Some("1"), body)?).await?;
    match response.status.as_u16() {
        401 => return Err(FetchError::Unauthorized),
        400 | 403 | 405 | 415 | 422 | 501 => return Ok(FreeBusy::NotOffered),
        _ => check_status(response.status)?,
    }
    Ok(FreeBusy::Busy(free_busy_blocks(&response.body, window)))
}

/// The `calendar-data` of every `response` in a multistatus whose propstat is 200.
fn calendar_data(xml: &[u8]) -> Result<Vec<String>, FetchError> {
    let bad = |reason: &str| FetchError::BadAnswer { reason: reason.to_owned() };
    let text = std::str::from_utf8(xml).map_err(|_| bad("the multistatus is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let mut found = Vec::new();
    let mut inside_data = false;
    let mut data = String::new();
    // The current propstat's calendar data, kept until its status says 200.
    let mut pending: Vec<String> = Vec::new();
    let mut inside_status = false;
    let mut status_ok = true;
    let mut saw_multistatus = false;
    loop {
        match reader.read_event().map_err(|_| bad("the multistatus is not well-formed XML"))? {
            Event::Start(start) => match start.local_name().as_ref() {
                b"multistatus" => saw_multistatus = true,
                b"calendar-data" => {
                    inside_data = true;
                    data.clear();
                }
                b"propstat" => {
                    pending.clear();
                    status_ok = true;
                }
                b"status" => inside_status = true,
                _ => {}
            },
            Event::Text(text) if inside_data => {
                data.push_str(&text.xml10_content().map_err(|_| bad("calendar data is not UTF-8"))?);
            }
            Event::GeneralRef(reference) if inside_data => {
                // An entity between text events: a character reference (`&#13;`) or one of
                // XML's five named ones.
                let character = match reference.resolve_char_ref() {
                    Ok(Some(character)) => Some(character),
                    _ => match &*reference {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    },
                };
                data.extend(character);
            }
            Event::CData(text) if inside_data => {
                data.push_str(&text.xml10_content().map_err(|_| bad("calendar data is not UTF-8"))?);
            }
            Event::Text(text) if inside_status => {
                let status = text.xml10_content().map_err(|_| bad("a status is not UTF-8"))?;
                status_ok = status.split_whitespace().nth(1) == Some("200");
            }
            Event::Empty(empty) if empty.local_name().as_ref() == b"multistatus" => saw_multistatus = true,
            Event::End(end) => match end.local_name().as_ref() {
                b"calendar-data" => {
                    inside_data = false;
                    pending.push(std::mem::take(&mut data));
                }
                b"status" => inside_status = false,
                b"propstat" if status_ok => found.append(&mut pending),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_multistatus {
        return Err(bad("the answer is not a WebDAV multistatus"));
    }
    Ok(found)
}

/// The busy periods of a VFREEBUSY answer that overlap `window`.
fn free_busy_blocks(text: &[u8], window: Window) -> Vec<BusyBlock> {
    let hash = uid_hash("");
    let mut blocks: Vec<BusyBlock> = crate::read::free_busy_periods(text)
        .into_iter()
        .filter(|(start, end)| *start < window.end() && *end > window.start() && start < end)
        .map(|(starts_at, ends_at)| BusyBlock { starts_at, ends_at, uid_hash: hash })
        .collect();
    blocks.sort();
    blocks.dedup();
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multistatus_gives_its_calendar_data() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:response><D:href>/cal/a.ics</D:href>
    <D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR&#13;
UID:a &amp; b
END:VCALENDAR&#13;
</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
    <D:propstat><D:prop><C:calendar-data/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
  </D:response>
  <D:response><D:href>/cal/b.ics</D:href>
    <D:propstat><D:prop><cal:calendar-data xmlns:cal="urn:ietf:params:xml:ns:caldav"><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR]]></cal:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  </D:response>
</D:multistatus>"#;
        let data = calendar_data(xml).unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data[0], "BEGIN:VCALENDAR\r\nUID:a & b\nEND:VCALENDAR\r\n");
        assert_eq!(data[1], "BEGIN:VCALENDAR\nEND:VCALENDAR");
        assert!(calendar_data(b"<html>nope</html>").is_err());
        assert!(calendar_data(b"<D:multistatus xmlns:D='DAV:'><D:response>").is_err() || calendar_data(b"<x").is_err());
    }
}
