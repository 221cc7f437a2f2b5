//! The content of one email as structure — greeting, what happened, a table of facts, a list
//! of sessions, paragraphs — rendered twice, as text/plain and as text/html, so the two
//! alternatives can never say different things. All HTML escaping happens here.

use std::fmt::Write as _;

/// A value in the facts table: text, or a link that the HTML makes clickable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Plain text.
    Text(String),
    /// An http(s) address.
    Link(String),
}

/// One row of the facts table: "Milloin: tiistai 12.1.2027 klo 13.00–14.30".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The label, without a colon.
    pub label: String,
    /// The value.
    pub value: Value,
}

/// One line of a session list; a cancelled one is struck through in HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The line.
    pub text: String,
    /// Whether it is crossed out (a cancelled session).
    pub struck: bool,
}

/// An email's content before it becomes MIME.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    /// BCP 47 language of the text (`fi`, `sv`, `en`).
    pub language: String,
    /// The subject, a single line.
    pub subject: String,
    /// "Hei Maija,".
    pub greeting: String,
    /// The first paragraph: what happened, in one or two sentences.
    pub lead: Vec<String>,
    /// What, when, where…
    pub facts: Vec<Fact>,
    /// A heading and the sessions under it (empty: no list).
    pub list_heading: String,
    /// The sessions.
    pub items: Vec<Item>,
    /// Closing paragraphs (how to cancel, where the calendar file is).
    pub paragraphs: Vec<String>,
    /// The last line.
    pub signature: String,
}

/// Makes `text` a single line: every control character (CR, LF, tab, …) becomes a space and
/// runs of spaces collapse. Applied to every value from the payload that goes into a subject or
/// a one-line fact, so that nothing a user typed can break a line, let alone add a header.
pub fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && (line.is_empty() || line.ends_with(' ')) {
            continue;
        }
        line.push(c);
    }
    line.trim_end().to_owned()
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Whether a link may be an `href`: only http(s), never `javascript:` or `data:`.
fn linkable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

impl Letter {
    /// The text/plain alternative (LF line ends; the MIME layer writes CRLF).
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.greeting);
        out.push_str("\n\n");
        for line in &self.lead {
            out.push_str(line);
            out.push('\n');
        }
        if !self.facts.is_empty() {
            out.push('\n');
            let width = self.facts.iter().map(|fact| fact.label.chars().count()).max().unwrap_or(0) + 1;
            for fact in &self.facts {
                let value = match &fact.value {
                    Value::Text(text) | Value::Link(text) => text,
                };
                let label = format!("{}:", fact.label);
                let _ = writeln!(out, "{label:<width$} {value}", width = width);
            }
        }
        if !self.items.is_empty() {
            let _ = write!(out, "\n{}:\n", self.list_heading);
            for item in &self.items {
                let _ = writeln!(out, "- {}", item.text);
            }
        }
        for paragraph in &self.paragraphs {
            out.push('\n');
            out.push_str(paragraph);
            out.push('\n');
        }
        let _ = write!(out, "\n-- \n{}\n", self.signature);
        out
    }

    /// The text/html alternative: plain markup with inline styles, every value escaped.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n\
             <body style=\"font-family: sans-serif; line-height: 1.5; color: #222;\">\n",
            escape_html(&self.language),
            escape_html(&self.subject)
        );
        let _ = writeln!(out, "<p>{}</p>", escape_html(&self.greeting));
        if !self.lead.is_empty() {
            let lead: Vec<String> = self.lead.iter().map(|line| escape_html(line)).collect();
            let _ = writeln!(out, "<p><strong>{}</strong></p>", lead.join("<br>\n"));
        }
        if !self.facts.is_empty() {
            out.push_str("<table style=\"border-collapse: collapse;\">\n");
            for fact in &self.facts {
                let value = match &fact.value {
                    Value::Link(url) if linkable(url) => {
                        format!("<a href=\"{}\">{}</a>", escape_html(url), escape_html(url))
                    }
                    Value::Text(text) | Value::Link(text) => escape_html(text),
                };
                let _ = writeln!(
                    out,
                    "<tr><th style=\"text-align: left; padding: 2px 12px 2px 0; vertical-align: top;\">{}</th><td>{}</td></tr>",
                    escape_html(&fact.label),
                    value
                );
            }
            out.push_str("</table>\n");
        }
        if !self.items.is_empty() {
            let _ = writeln!(out, "<h3>{}</h3>\n<ul>", escape_html(&self.list_heading));
            for item in &self.items {
                if item.struck {
                    let _ = writeln!(out, "<li><s>{}</s></li>", escape_html(&item.text));
                } else {
                    let _ = writeln!(out, "<li>{}</li>", escape_html(&item.text));
                }
            }
            out.push_str("</ul>\n");
        }
        for paragraph in &self.paragraphs {
            let _ = writeln!(out, "<p>{}</p>", escape_html(paragraph));
        }
        let _ = write!(
            out,
            "<p style=\"color: #666; font-size: smaller;\">{}</p>\n</body>\n</html>\n",
            escape_html(&self.signature)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_removes_every_line_break() {
        assert_eq!(one_line("Osasto 5\r\nBcc: evil@example.com\t x"), "Osasto 5 Bcc: evil@example.com x");
        assert_eq!(one_line("  a  b \n"), "a b");
    }

    #[test]
    fn html_escapes_and_refuses_script_links() {
        let letter = Letter {
            subject: "<b>".into(),
            greeting: "Hei \"x\" & 'y',".into(),
            facts: vec![
                Fact { label: "Video".into(), value: Value::Link("javascript:alert(1)".into()) },
                Fact { label: "Video".into(), value: Value::Link("https://meet.example/a?b=1&c=\"2\"".into()) },
            ],
            ..Letter::default()
        };
        let html = letter.html();
        assert!(html.contains("<title>&lt;b&gt;</title>"));
        assert!(html.contains("Hei &quot;x&quot; &amp; &#39;y&#39;,"));
        assert!(!html.contains("href=\"javascript"));
        assert!(html.contains("href=\"https://meet.example/a?b=1&amp;c=&quot;2&quot;\""));
    }
}
