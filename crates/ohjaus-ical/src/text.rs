//! Making values safe to put in a content line, and the line format itself.
//!
//! The `icalendar` crate escapes `\ ; , newline` in TEXT values and quotes parameter values
//! that hold `: ; ,`, but it writes a carriage return, other control characters, a `"` in a
//! parameter and anything in a URI or CAL-ADDRESS value as given. The core refuses control
//! characters in labels; this module is the second fence, so that no value, whatever it
//! holds, can end a line and add a property.

/// A single-line TEXT value (SUMMARY, LOCATION, UID): every line break and control character
/// becomes a space. Escaping is left to the writer.
pub fn single_line(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A multi-line TEXT value (DESCRIPTION): CRLF and CR become LF (which the writer escapes as
/// `\n`), other control characters but tab become spaces.
pub fn multi_line(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c })
        .collect()
}

/// A parameter value such as CN: single line, and no `"` (which no quoting can carry; RFC
/// 6868's `^'` is not read by Outlook), replaced by `'`. The writer quotes it when it holds
/// `: ; ,`.
pub fn param_value(value: &str) -> String {
    single_line(value).replace('"', "'")
}

/// A URI value (URL, a mailto: address): control characters, spaces and characters that are
/// never part of a URI are dropped, so a value can only be a (possibly broken) link, never a
/// second line.
pub fn uri(value: &str) -> String {
    value.chars().filter(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | '\\')).collect()
}

/// `mailto:` and the address, made a safe URI.
pub fn mailto(email: &str) -> String {
    format!("mailto:{}", uri(email))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11) for the lines this crate writes itself.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in multi_line(value).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The content line `line` folded at 75 octets on UTF-8 boundaries, each piece ended by CRLF
/// (RFC 5545 §3.1), for the lines this crate writes itself.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 74 * 3 + 2);
    fold_into(&mut out, line);
    out
}

/// [`fold`], appended to `out`.
pub fn fold_into(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    let mut rest = line;
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    let mut room = LIMIT;
    while rest.len() > room {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // Not right before white space: a continuation line starting with two spaces is
        // correct, but some readers strip all of them.
        while cut > 1 && rest[cut..].starts_with([' ', '\t']) {
            cut = rest[..cut].char_indices().next_back().map_or(cut, |(i, _)| i);
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LIMIT - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_value_keeps_a_line_break() {
        assert_eq!(single_line("a\r\nATTENDEE:mailto:x@y\u{0}"), "a  ATTENDEE:mailto:x@y ");
        assert_eq!(multi_line("a\r\nb\rc\u{1b}[0m"), "a\nb\nc [0m");
        assert_eq!(param_value("Virtanen, \"Vili\"\n"), "Virtanen, 'Vili' ");
        assert_eq!(mailto("x@y.fi\r\nBCC: z@w"), "mailto:x@y.fiBCC:z@w");
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a\\b;c,d\r\ne:f"), "a\\\\b\\;c\\,d\\ne:f");
    }

    #[test]
    fn folds_at_75_octets_on_char_boundaries() {
        let line = format!("SUMMARY:{}", "ä".repeat(100));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for piece in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(piece.len() <= 75, "{piece:?} is {} octets", piece.len());
        }
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        assert_eq!(fold("short"), "short\r\n");
        let spaced = format!("DESCRIPTION:{}", "ab ".repeat(60));
        let folded = fold(&spaced);
        assert!(!folded.contains("\r\n  "), "{folded}");
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), spaced);
    }
}
