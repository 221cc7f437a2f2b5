//! Reading emails back in tests with an independent parser (mail-parser), as a tree of parts.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};

/// One MIME part (the message itself is the root part).
#[derive(Debug)]
pub struct Part {
    /// Header names and raw values (unfolded), in order.
    pub headers: Vec<(String, String)>,
    decoded: Vec<(String, String)>,
    content_type: String,
    /// Children of a multipart.
    pub parts: Vec<Part>,
    body: Vec<u8>,
}

impl Part {
    /// `type/subtype`, lower case.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// A header's raw value, unfolded and trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    /// A header's value with RFC 2047 words decoded (addresses as `name <address>`).
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.decoded.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    /// The body with its transfer encoding undone, as UTF-8.
    pub fn body_text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }
}

fn decoded(value: &HeaderValue<'_>) -> Option<String> {
    match value {
        HeaderValue::Text(text) => Some(text.to_string()),
        HeaderValue::TextList(list) => Some(list.join(", ")),
        HeaderValue::Address(address) => Some(
            address
                .iter()
                .map(|a| match (&a.name, &a.address) {
                    (Some(name), Some(address)) => format!("{name} <{address}>"),
                    (None, Some(address)) => address.to_string(),
                    (Some(name), None) => name.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// Parses a whole message into a tree.
pub fn parse(raw: &str) -> Part {
    let message = MessageParser::default().parse(raw.as_bytes()).expect("a parsable message");
    fn build(message: &mail_parser::Message<'_>, raw: &[u8], id: u32) -> Part {
        let part = message.part(id).expect("a part");
        let headers = part
            .headers
            .iter()
            .map(|h| {
                let value = String::from_utf8_lossy(&raw[h.offset_start as usize..h.offset_end as usize]);
                let unfolded = value.replace("\r\n", "").replace('\n', "");
                (h.name.as_str().to_owned(), unfolded.trim().to_owned())
            })
            .collect();
        let decoded =
            part.headers.iter().filter_map(|h| decoded(&h.value).map(|v| (h.name.as_str().to_owned(), v))).collect();
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.c_type, ct.c_subtype.as_deref().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_else(|| "text/plain".to_owned());
        let parts = match &part.body {
            PartType::Multipart(children) => children.iter().map(|child| build(message, raw, *child)).collect(),
            _ => Vec::new(),
        };
        Part { headers, decoded, content_type, parts, body: part.contents().to_vec() }
    }
    build(&message, raw.as_bytes(), 0)
}

/// Replaces each MIME boundary (random per message) by `BOUNDARY-n`, for snapshots.
pub fn normalize_boundaries(raw: &str) -> String {
    let mut boundaries = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find("boundary=\"") {
        let after = &rest[at + "boundary=\"".len()..];
        let end = after.find('"').expect("a closing quote");
        boundaries.push(after[..end].to_owned());
        rest = &after[end..];
    }
    let mut normalized = raw.to_owned();
    for (n, boundary) in boundaries.iter().enumerate() {
        normalized = normalized.replace(boundary, &format!("BOUNDARY-{}", n + 1));
    }
    normalized.replace("\r\n", "\n")
}
