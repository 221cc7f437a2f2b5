//! The secret inside a calendar URL: masking it for display, and separating it so that a store
//! can keep it encrypted.
//!
//! A subscription URL is a capability: whoever has it reads the calendar. The secret is a
//! token somewhere in it, and where depends on the service:
//!
//! | service | shape |
//! |---|---|
//! | Google | `/calendar/ical/<calendar id>/private-<token>/basic.ics` |
//! | Outlook | `/owa/calendar/<mailbox id>@<domain>/<token>/calendar.ics`, `/owa/calendar/<guid>/<guid>/cid-<token>/calendar.ics` |
//! | iCloud | `webcal://pNN-caldav.icloud.com/published/2/<token>` |
//! | Nextcloud | `/remote.php/dav/public-calendars/<token>?export` |
//! | Fastmail, Proton, others | `/v1-<token>/…`, `?CacheKey=<token>&PassphraseKey=<token>`, `?token=…` |
//!
//! So the rule is general rather than per service: a path segment that looks random (16 or
//! more characters of letters, digits and `-_.~=+%`, at least one digit, not a file name such
//! as `basic.ics`) is a token, keeping a short lower-case prefix such as `private-` or `cid-`
//! readable; every query value is a token when its name says so (`token`, `key`, `secret`,
//! `auth`, `sig`, `pass…`, `code`, …) or when it looks random; a password in the user info is
//! one. Masked, a token reads `****`. Over-masking is harmless; a missed token shows someone's
//! calendar key on a page, so the rule leans to masking.
//!
//! [`split`] separates a URL into its masked form and the [`UrlSecret`] (the tokens and where
//! they were); [`UrlSecret::join`] puts them back, byte for byte the URL that was split.

use serde::{Deserialize, Serialize};
use url::Url;

/// What a masked token reads as.
pub const MASK: &str = "****";

/// Where a secret piece sits in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Place {
    /// The n-th path segment (0-based), as written (percent-encoded).
    Segment(usize),
    /// The value of the n-th `&`-separated query pair, as written.
    Query(usize),
    /// The password of the user info.
    Password,
    /// The fragment.
    Fragment,
}

/// The secret pieces of a URL and where they go back: what a store encrypts.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UrlSecret {
    pieces: Vec<(Place, String)>,
}

impl UrlSecret {
    /// Whether the URL had no secret piece.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The secret as one string (JSON), for encryption.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The secret from [`UrlSecret::to_text`].
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The URL `masked` (as [`split`] made it) with the secret put back; `None` when the two
    /// do not belong together.
    pub fn join(&self, masked: &str) -> Option<Url> {
        let mut url = Url::parse(masked).ok()?;
        let mut segments: Vec<String> = url.path().split('/').map(str::to_owned).collect();
        let mut pairs: Vec<String> = url.query().map(|q| q.split('&').map(str::to_owned).collect()).unwrap_or_default();
        for (place, piece) in &self.pieces {
            match place {
                Place::Segment(i) => {
                    let segment = segments.get_mut(i + 1)?;
                    segment.ends_with(MASK).then_some(())?;
                    *segment = piece.clone();
                }
                Place::Query(i) => {
                    let pair = pairs.get_mut(*i)?;
                    let (name, value) = pair.split_once('=')?;
                    (value == MASK).then_some(())?;
                    *pair = format!("{name}={piece}");
                }
                Place::Password => url.set_password(Some(piece)).ok()?,
                Place::Fragment => url.set_fragment(Some(piece)),
            }
        }
        url.set_path(&segments.join("/"));
        if !pairs.is_empty() {
            url.set_query(Some(&pairs.join("&")));
        }
        Some(url)
    }
}

/// Shows how many pieces, never the pieces.
impl std::fmt::Debug for UrlSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UrlSecret({} pieces)", self.pieces.len())
    }
}

/// A URL split into what may be shown and what must be kept secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitUrl {
    /// The URL with every secret piece masked: safe to store in the clear and to show.
    pub masked: String,
    /// The pieces, to be encrypted.
    pub secret: UrlSecret,
}

/// The URL for display, every secret piece masked.
pub fn mask(url: &Url) -> String {
    split(url).masked
}

/// Separates `url` into its masked form and its secret.
pub fn split(url: &Url) -> SplitUrl {
    let mut masked = url.clone();
    let mut pieces = Vec::new();
    if url.cannot_be_a_base() {
        return SplitUrl { masked: url.as_str().to_owned(), secret: UrlSecret::default() };
    }
    if let Some(password) = url.password() {
        pieces.push((Place::Password, password.to_owned()));
        let _ = masked.set_password(Some(MASK));
    }
    let mut segments: Vec<String> = url.path().split('/').map(str::to_owned).collect();
    // The first element is the empty string before the leading '/'.
    for (i, segment) in segments.iter_mut().enumerate().skip(1) {
        if let Some(prefix) = token_prefix(segment) {
            pieces.push((Place::Segment(i - 1), segment.clone()));
            *segment = format!("{prefix}{MASK}");
        }
    }
    masked.set_path(&segments.join("/"));
    if let Some(query) = url.query() {
        let mut pairs: Vec<String> = query.split('&').map(str::to_owned).collect();
        for (i, pair) in pairs.iter_mut().enumerate() {
            let Some((name, value)) = pair.split_once('=') else { continue };
            if !value.is_empty() && (secret_name(name) || looks_random(value)) {
                pieces.push((Place::Query(i), value.to_owned()));
                *pair = format!("{name}={MASK}");
            }
        }
        masked.set_query(Some(&pairs.join("&")));
    }
    if let Some(fragment) = url.fragment().filter(|f| !f.is_empty()) {
        pieces.push((Place::Fragment, fragment.to_owned()));
        masked.set_fragment(Some(MASK));
    }
    SplitUrl { masked: masked.as_str().to_owned(), secret: UrlSecret { pieces } }
}

/// For a token segment, the readable prefix to keep (`private-`, `cid-`, or nothing).
fn token_prefix(segment: &str) -> Option<&str> {
    if let Some((prefix, rest)) = segment.split_once('-') {
        let short_word = (1..=8).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_lowercase());
        if short_word && looks_random(rest) {
            return Some(&segment[..=prefix.len()]);
        }
    }
    looks_random(segment).then_some("")
}

/// Whether `text` looks like a random token rather than a word or a file name.
fn looks_random(text: &str) -> bool {
    let is_file = text
        .rsplit_once('.')
        .is_some_and(|(_, ext)| (2..=4).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphabetic()));
    let token_chars = text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~=+%".contains(&b));
    text.len() >= 16 && token_chars && text.bytes().any(|b| b.is_ascii_digit()) && !is_file
}

/// Whether a query parameter's name says its value is a secret.
fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "key", "secret", "auth", "sig", "pass", "code", "credential", "session", "hash"]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask(&Url::parse(text).unwrap())
    }

    #[test]
    fn the_services_secret_parts_are_masked() {
        assert_eq!(
            masked(
                "https://calendar.google.com/calendar/ical/anna.virtanen%40gmail.com/private-0123456789abcdef0123456789abcdef/basic.ics"
            ),
            "https://calendar.google.com/calendar/ical/anna.virtanen%40gmail.com/private-****/basic.ics"
        );
        assert_eq!(
            masked(
                "https://outlook.office365.com/owa/calendar/4f1c2b7e8d9a4c3b@tyonohjaus.fi/9a8b7c6d5e4f3a2b1c0d3215818888153430245/calendar.ics"
            ),
            "https://outlook.office365.com/owa/calendar/4f1c2b7e8d9a4c3b@tyonohjaus.fi/****/calendar.ics"
        );
        assert_eq!(
            masked(
                "https://outlook.live.com/owa/calendar/00000000-0000-0000-0000-000000000000/4c1d2e3f-aaaa-bbbb-cccc-1234567890ab/cid-5A3B2C1D0E9F8A7B/calendar.ics"
            ),
            "https://outlook.live.com/owa/calendar/****/****/cid-****/calendar.ics"
        );
        assert_eq!(
            masked("https://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Nj-abcDEF_ghiJKL"),
            "https://p52-caldav.icloud.com/published/2/****"
        );
        assert_eq!(
            masked("https://cloud.example.fi/remote.php/dav/public-calendars/k3Jd8sLq0pWz7XyQ?export"),
            "https://cloud.example.fi/remote.php/dav/public-calendars/****?export"
        );
        assert_eq!(
            masked(
                "https://calendar.proton.me/api/calendar/v1/url/abc/calendar.ics?CacheKey=Zm9vYmFy&PassphraseKey=c2VjcmV0"
            ),
            "https://calendar.proton.me/api/calendar/v1/url/abc/calendar.ics?CacheKey=****&PassphraseKey=****"
        );
        assert_eq!(
            masked("https://example.fi/feed.ics?token=abc&lang=fi"),
            "https://example.fi/feed.ics?token=****&lang=fi"
        );
        assert_eq!(masked("https://example.fi/public/holidays.ics"), "https://example.fi/public/holidays.ics");
    }

    #[test]
    fn split_and_join_give_back_the_url() {
        for text in [
            "https://calendar.google.com/calendar/ical/anna%40gmail.com/private-0123456789abcdef0123456789abcdef/basic.ics",
            "https://user:pa55word-0123456789@example.fi/cal/0123456789abcdefXYZ?key=v&x=1#frag0123456789abcdef",
            "https://cloud.example.fi/remote.php/dav/public-calendars/k3Jd8sLq0pWz7XyQ?export",
            "https://example.fi/public/holidays.ics",
            "https://example.fi/a//b/?token=&token2=****",
        ] {
            let url = Url::parse(text).unwrap();
            let split = split(&url);
            let secret = UrlSecret::from_text(&split.secret.to_text()).unwrap();
            assert_eq!(secret.join(&split.masked).as_ref(), Some(&url), "{text}");
            assert!(!format!("{:?}", split.secret).contains("0123456789"));
        }
        let google = split(&Url::parse("https://g.example/private-0123456789abcdef0123/basic.ics").unwrap());
        assert!(google.secret.join("https://g.example/other/basic.ics").is_none(), "a secret fits only its own URL");
    }
}
