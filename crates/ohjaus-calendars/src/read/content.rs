//! The text of an iCalendar file as components and properties, read with the `icalendar`
//! crate's parser.
//!
//! Only what busy time needs reaches the parser: the component lines and the properties
//! that say when something happens, whether it is busy and which event it is ([`KEPT`]).
//! Titles, descriptions, locations, attendees and alarms are dropped line by line before
//! parsing — they are never held, and a feed's long descriptions cost nothing to parse (on a
//! typical exported calendar that halves the parse time).
//!
//! Real feeds are not always well formed: a stray line, a half-written component, text before
//! `BEGIN:VCALENDAR`. The parser reads a file whole or not at all, so when the whole file fails,
//! each top-level component is read on its own and the ones that still fail are counted —
//! one broken event costs that event, not the calendar.

use icalendar::parser;

/// A property: its name (upper case), parameters and raw value.
#[derive(Debug, Clone)]
pub(crate) struct Property {
    /// Upper-case name, e.g. `DTSTART`.
    pub name: String,
    /// Parameters as (upper-case name, value without quotes).
    pub params: Vec<(String, String)>,
    /// The value as written (unfolded).
    pub value: String,
}

impl Property {
    /// The value of parameter `name` (upper case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// A component with its properties and subcomponents.
#[derive(Debug, Clone, Default)]
pub(crate) struct Component {
    /// Upper-case name, e.g. `VEVENT`.
    pub name: String,
    /// Properties in order.
    pub properties: Vec<Property>,
    /// Subcomponents in order.
    pub components: Vec<Component>,
}

impl Component {
    /// The first property called `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Every property called `name`.
    pub fn properties_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.name == name)
    }

    /// The trimmed value of the first property called `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.property(name).map(|p| p.value.trim())
    }
}

/// A calendar file read: the calendar's own properties and its components.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// Properties of the VCALENDAR(s), e.g. `X-WR-TIMEZONE`, `CALSCALE`.
    pub properties: Vec<Property>,
    /// Components inside the VCALENDAR(s) (or at the top, for a file without one).
    pub components: Vec<Component>,
    /// Top-level components the parser could not read, by name (`VEVENT`, …).
    pub unreadable: Vec<String>,
}

impl Document {
    /// The trimmed value of the calendar property `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.name == name).map(|p| p.value.trim())
    }
}

/// The properties the reader uses; every other line but BEGIN and END is dropped unread.
const KEPT: [&str; 20] = [
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "TRANSP",
    "SEQUENCE",
    "TZID",
    "TZOFFSETFROM",
    "TZOFFSETTO",
    "X-LIC-LOCATION",
    "X-WR-TIMEZONE",
    "CALSCALE",
    "FREEBUSY",
    "VERSION",
    "PRODID",
];

/// The lines of `text` the reader needs, unfolded: BEGIN and END of every component but
/// VALARM, and the [`KEPT`] properties outside alarms.
///
/// Unfolding (RFC 5545 §3.1: a line starting with a space or a tab continues the one before)
/// is done here, in the same pass as the choice of lines, rather than with the `icalendar`
/// crate's `unfold`: that one splits the whole text four times into new strings, a tenth of
/// the time of reading a large feed, only for most of the lines to be dropped afterwards.
fn needed_lines(text: &str) -> String {
    let mut kept = String::with_capacity(text.len() / 2);
    let mut in_alarm = 0usize;
    let mut logical = String::new();
    let mut keep = |line: &str, kept: &mut String| {
        let name_end = line.find([':', ';']).unwrap_or(line.len());
        let name = line[..name_end].trim();
        let value = line.get(name_end + 1..).unwrap_or("").trim();
        if name.eq_ignore_ascii_case("BEGIN") && value.eq_ignore_ascii_case("VALARM") {
            in_alarm += 1;
            return;
        }
        if name.eq_ignore_ascii_case("END") && value.eq_ignore_ascii_case("VALARM") {
            in_alarm = in_alarm.saturating_sub(1);
            return;
        }
        let wanted = name.eq_ignore_ascii_case("BEGIN")
            || name.eq_ignore_ascii_case("END")
            || KEPT.iter().any(|k| k.eq_ignore_ascii_case(name));
        if in_alarm == 0 && wanted && name_end < line.len() {
            kept.push_str(line);
            kept.push_str("\r\n");
        }
    };
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match line.strip_prefix([' ', '\t']) {
            Some(continued) => logical.push_str(continued),
            None => {
                keep(&logical, &mut kept);
                logical.clear();
                logical.push_str(line);
            }
        }
    }
    keep(&logical, &mut kept);
    kept
}

/// Reads `bytes` (UTF-8; invalid sequences are replaced, a byte-order mark dropped).
pub(crate) fn read(bytes: &[u8]) -> Document {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // The parser wants CRLF or LF line ends; a lone CR (old Mac files) is neither.
    let text = if text.contains('\r') && !text.contains('\n') { text.replace('\r', "\n") } else { text.to_owned() };
    let unfolded = needed_lines(&text);
    let mut document = Document::default();
    match parser::read_calendar_simple(&unfolded) {
        Ok(roots) => roots.into_iter().for_each(|root| add_root(&mut document, owned(root))),
        Err(_) => read_piecewise(&unfolded, &mut document),
    }
    document
}

/// Adds a top-level component: a VCALENDAR's properties and components, or a bare component.
fn add_root(document: &mut Document, root: Component) {
    if root.name == "VCALENDAR" {
        document.properties.extend(root.properties);
        document.components.extend(root.components);
    } else {
        document.components.push(root);
    }
}

/// Reads a file the parser refused whole: the VCALENDAR's property lines, then each component
/// one level inside it (or at the top, without a VCALENDAR) on its own.
fn read_piecewise(text: &str, document: &mut Document) {
    // Names of the open components, outermost first.
    let mut open: Vec<String> = Vec::new();
    // The component being collected: its name, the depth it opened at, its lines.
    let mut chunk: Option<(String, usize, String)> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let upper = line.to_ascii_uppercase();
        if let Some(name) = upper.strip_prefix("BEGIN:") {
            let name = name.trim().to_owned();
            if open.is_empty() && name == "VCALENDAR" {
                open.push(name);
                continue;
            }
            if chunk.is_none() {
                chunk = Some((name.clone(), open.len(), String::new()));
            }
            open.push(name);
        } else if upper.starts_with("END:") {
            open.pop();
        } else if chunk.is_none() {
            if open.len() == 1 {
                // A property of the VCALENDAR itself.
                if let Ok(roots) = parser::read_calendar_simple(&format!("BEGIN:X\r\n{line}\r\nEND:X\r\n")) {
                    roots.into_iter().for_each(|root| document.properties.extend(owned(root).properties));
                }
            }
            continue;
        }
        if let Some((name, depth, lines)) = &mut chunk {
            lines.push_str(line);
            lines.push_str("\r\n");
            if open.len() == *depth {
                match parser::read_calendar_simple(lines) {
                    Ok(roots) if !roots.is_empty() => document.components.extend(roots.into_iter().map(owned)),
                    _ => document.unreadable.push(std::mem::take(name)),
                }
                chunk = None;
            }
        }
    }
    if let Some((name, ..)) = chunk {
        // A component never closed (a truncated download).
        document.unreadable.push(name);
    }
}

/// The parser's borrowed component as our owned one, names in upper case.
fn owned(component: parser::Component<'_>) -> Component {
    Component {
        name: component.name.as_str().trim().to_ascii_uppercase(),
        properties: component
            .properties
            .into_iter()
            .map(|p| Property {
                name: p.name.as_str().trim().to_ascii_uppercase(),
                params: p
                    .params
                    .into_iter()
                    .map(|param| {
                        let value = param.val.as_ref().map_or("", |v| v.as_str()).trim();
                        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
                        (param.key.as_str().trim().to_ascii_uppercase(), value.to_owned())
                    })
                    .collect(),
                value: p.val.as_str().to_owned(),
            })
            .collect(),
        components: component.components.into_iter().map(owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lines_busy_time_needs_are_parsed() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Secret meeting\r\nDESCRIPTION:long\r\n text\r\nDTSTART:20270101T100000Z\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nDTSTART:20270101T095500Z\r\nEND:VALARM\r\nbroken line\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let document = read(text.as_bytes());
        let event = &document.components[0];
        let names: Vec<&str> = event.properties.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["UID", "DTSTART"]);
        assert!(event.components.is_empty(), "alarms are dropped");
        assert!(document.unreadable.is_empty(), "a stray line no longer breaks the event");
    }

    #[test]
    fn a_broken_component_costs_only_itself() {
        let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Helsinki\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nUID;\"x:y\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let document = read(text.as_bytes());
        assert_eq!(document.value("X-WR-TIMEZONE"), Some("Europe/Helsinki"));
        let uids: Vec<_> = document.components.iter().filter_map(|c| c.value("UID")).collect();
        assert_eq!(uids, ["a"]);
        assert_eq!(document.unreadable, ["VEVENT"]);
    }

    #[test]
    fn folded_quoted_and_lower_case() {
        let text = "begin:vcalendar\nbegin:vevent\nuid:x\ndtstart;tzid=\"Europe/Helsinki\":2027\n 0101T100000\nend:vevent\nend:vcalendar\n";
        let document = read(text.as_bytes());
        let event = &document.components[0];
        assert_eq!(event.name, "VEVENT");
        let start = event.property("DTSTART").unwrap();
        assert_eq!(start.param("TZID"), Some("Europe/Helsinki"));
        assert_eq!(start.value, "20270101T100000");
    }
}
