//! From a core [`Notice`] to an email: first a [`Letter`] in the reader's language and time
//! zone, then the MIME message lettre sends.
//!
//! Invites are laid out as RFC 6047 and real clients want them (docs/architecture.md,
//! "Notifications"):
//! `multipart/mixed { multipart/alternative { text/plain, text/html, text/calendar; method=… },
//! invite.ics }` — Outlook reads only the inline calendar part, others the attachment. Every
//! other kind is `multipart/alternative { text/plain, text/html }`.
//!
//! Header safety: every value from the payload that reaches a header goes through
//! [`one_line`] (no control characters survive), and lettre encodes anything outside printable
//! ASCII as RFC 2047 and quotes display names; addresses are parsed by lettre and a bad one is
//! an error, never a header.

use crate::letter::{Fact, Item, Letter, Value, one_line};
use crate::texts::{self, Headline};
use crate::when;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo, SessionSummary};
use ohjaus_core::{CalendarEvent, EventInstance, Locale, Notice, SessionStatus};
use std::time::SystemTime;

/// The rendered calendar object of an invite: its METHOD and the iCalendar text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPart {
    /// `REQUEST` or `CANCEL` (the MIME `method=` parameter must equal the object's METHOD).
    pub method: String,
    /// The iCalendar text, CRLF line ends.
    pub text: String,
}

/// What a message carries besides its content: sender, identity and date.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The `From` mailbox, e.g. `Ohjaus <noreply@ohjaus.example>`.
    pub from: Mailbox,
    /// The `Message-ID`, with angle brackets. Derived from the outbox row, so a message sent
    /// twice after a crash is recognisably the same message.
    pub message_id: String,
    /// The `Date`.
    pub date: DateTime<Utc>,
    /// The ORGANIZER of an invite's calendar object: the service's own address (setting
    /// `mail.organizer`, default the `From` mailbox), never a supervisor.
    pub organizer: Mailbox,
}

impl Envelope {
    /// An envelope whose `Message-ID` is `<{key}@{the From domain}>`, organized by `from`.
    pub fn for_key(from: Mailbox, key: &str, date: DateTime<Utc>) -> Self {
        let domain = from.email.domain().to_owned();
        Self { organizer: from.clone(), from, message_id: format!("<{key}@{domain}>"), date }
    }

    /// The same envelope with `organizer` as the calendar objects' ORGANIZER.
    pub fn organized_by(mut self, organizer: Mailbox) -> Self {
        self.organizer = organizer;
        self
    }

    /// The ORGANIZER as a party: the mailbox's name (empty when it has none) and address.
    pub fn organizer_party(&self) -> Party {
        Party { name: self.organizer.name.clone().unwrap_or_default(), email: self.organizer.email.to_string() }
    }
}

/// Why a notice could not become an email. None of these heal by retrying.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The recipient's address does not parse (the text never names the address: logs).
    #[error("the recipient's address is not a valid mailbox")]
    Recipient,
    /// An invite came without its calendar object.
    #[error("an invite needs its calendar object")]
    MissingCalendar,
    /// The calendar's METHOD is not a token that may stand in a MIME parameter.
    #[error("calendar method {0:?} is not an iTIP method")]
    Method(String),
    /// lettre refused to build the message.
    #[error("building the message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// `Auto-Submitted: auto-generated` (RFC 3834), so that vacation responders stay quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The email for `notice`. An invite needs `calendar`, the object `ohjaus-ical` rendered for it;
/// other kinds ignore it.
pub fn compose(notice: &Notice, calendar: Option<&CalendarPart>, envelope: &Envelope) -> Result<Message, ComposeError> {
    compose_letter(notice, &letter(notice), calendar, envelope)
}

/// [`compose`] with the notice's [`letter`] already made: the worker makes it once, for the
/// email and for the calendar object's DESCRIPTION.
pub fn compose_letter(
    notice: &Notice,
    letter: &Letter,
    calendar: Option<&CalendarPart>,
    envelope: &Envelope,
) -> Result<Message, ComposeError> {
    let recipient = notice.recipient();
    let to = mailbox(&recipient.party).ok_or(ComposeError::Recipient)?;
    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(to)
        .subject(letter.subject.clone())
        .date(SystemTime::from(envelope.date))
        .message_id(Some(envelope.message_id.clone()))
        .header(AutoSubmitted);
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(letter.text()))
        .singlepart(SinglePart::html(letter.html()));
    let message = match notice {
        Notice::Invite { organizer, recipient, .. } => {
            let calendar = calendar.ok_or(ComposeError::MissingCalendar)?;
            if calendar.method.is_empty() || !calendar.method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
                return Err(ComposeError::Method(calendar.method.clone()));
            }
            // A participant's reply goes to the supervisor, not to a no-reply address.
            if recipient.role == Role::Participant
                && let Some(organizer) = mailbox(organizer)
            {
                builder = builder.reply_to(organizer);
            }
            let inline_type = ContentType::parse(&format!("text/calendar; method={}; charset=UTF-8", calendar.method))
                .map_err(|_| ComposeError::Method(calendar.method.clone()))?;
            let attachment_type =
                ContentType::parse("application/ics").map_err(|_| ComposeError::Method(calendar.method.clone()))?;
            let inline = SinglePart::builder().header(inline_type).body(calendar.text.clone());
            builder.multipart(
                MultiPart::mixed()
                    .multipart(alternative.singlepart(inline))
                    .singlepart(Attachment::new("invite.ics".to_owned()).body(calendar.text.clone(), attachment_type)),
            )?
        }
        _ => builder.multipart(alternative)?,
    };
    Ok(message)
}

/// A party as a mailbox: the name made single-line, the address parsed (`None` if it does not).
fn mailbox(party: &Party) -> Option<Mailbox> {
    let address = party.email.trim().parse().ok()?;
    let name = one_line(&party.name);
    Some(Mailbox::new((!name.is_empty()).then_some(name), address))
}

/// The content of the email for `notice`, in the recipient's language and zone.
pub fn letter(notice: &Notice) -> Letter {
    match notice {
        Notice::Invite { recipient, organizer, series, change, calendar, .. } => {
            invite(recipient, organizer, series, change, calendar)
        }
        Notice::Reminder { recipient, session } => reminder(recipient, session),
        Notice::Digest { recipient, week_start, sessions } => digest(recipient, *week_start, sessions),
        Notice::SignInLink { recipient, url, expires_at } => sign_in(recipient, url, *expires_at),
        Notice::Info { recipient, series, change } => info(recipient, series, change),
        Notice::WebhookDisabled { recipient, organization_name, endpoint, reason } => {
            webhook_disabled(recipient, organization_name, endpoint, reason)
        }
        Notice::PollInvitation { .. } | Notice::PollReminder { .. } | Notice::PollDecided { .. } => {
            crate::poll_letters::letter(notice).unwrap_or_default()
        }
    }
}

/// The frame every letter shares: language, greeting, signature.
fn frame(recipient: &Recipient, headline: &Headline) -> Letter {
    let locale = recipient.locale;
    Letter {
        language: locale.as_str().to_owned(),
        subject: one_line(&headline.subject(locale)),
        greeting: texts::greeting(locale, &one_line(&recipient.party.name)),
        lead: headline.lead(locale),
        signature: texts::signature(locale).to_owned(),
        ..Letter::default()
    }
}

fn text_fact(label: &str, value: impl Into<String>) -> Fact {
    Fact { label: label.to_owned(), value: Value::Text(value.into()) }
}

fn what(locale: Locale, title: &str, kind: Option<&str>) -> String {
    match kind {
        Some(kind) => format!("{} ({})", one_line(title), texts::kind_name(locale, kind)),
        None => one_line(title),
    }
}

fn party_text(party: &Party) -> String {
    format!("{} ({})", one_line(&party.name), one_line(&party.email))
}

/// A party inside parentheses already opened by the sentence: "Sari Ohjaaja, sari@…".
fn party_inline(party: &Party) -> String {
    format!("{}, {}", one_line(&party.name), one_line(&party.email))
}

/// The one value all `values` share, if they share one; else `None`.
fn common<'a>(mut values: impl Iterator<Item = Option<&'a String>>) -> Option<&'a String> {
    let first = values.next()??;
    values.all(|value| value == Some(first)).then_some(first)
}

/// Place and video facts of some instances when they share them, and whether each list line
/// must name its own place.
fn place_facts(locale: Locale, instances: &[&EventInstance], facts: &mut Vec<Fact>) -> (bool, bool) {
    let labels = texts::labels(locale);
    let location = common(instances.iter().map(|i| i.location.as_ref()));
    let video = common(instances.iter().map(|i| i.video_url.as_ref()));
    if let Some(location) = location {
        facts.push(text_fact(labels.place, one_line(location)));
    }
    if let Some(video) = video {
        facts.push(Fact { label: labels.video.to_owned(), value: Value::Link(one_line(video)) });
    }
    let any_location = instances.iter().any(|i| i.location.is_some());
    let any_video = instances.iter().any(|i| i.video_url.is_some());
    (location.is_none() && any_location, video.is_none() && any_video)
}

fn instance_item(
    locale: Locale,
    zone: Tz,
    instance: &EventInstance,
    total: u32,
    (own_place, own_video): (bool, bool),
) -> Item {
    let labels = texts::labels(locale);
    let mut text = format!(
        "{}: {}",
        texts::capitalized(&texts::session_of(locale, instance.index, total)),
        when::span(locale, zone, instance.starts_at, instance.ends_at)
    );
    if own_place && let Some(location) = &instance.location {
        text.push_str(&format!(", {}", one_line(location)));
    }
    if own_video && let Some(video) = &instance.video_url {
        text.push_str(&format!(", {}", one_line(video)));
    }
    let struck = instance.status == SessionStatus::Cancelled;
    match instance.status {
        SessionStatus::Cancelled => text.push_str(&format!(" ({})", labels.cancelled)),
        SessionStatus::Held => text.push_str(&format!(" ({})", labels.held)),
        SessionStatus::Scheduled => {}
    }
    Item { text, struck }
}

/// The event and the instances a calendar message is about.
fn shown(calendar: &CalendarMessage) -> (&CalendarEvent, Vec<&EventInstance>) {
    match calendar {
        CalendarMessage::Request { event } | CalendarMessage::CancelEvent { event } => {
            (event, event.instances.iter().collect())
        }
        CalendarMessage::RequestInstance { event, session_id } => {
            (event, event.instances.iter().filter(|i| i.session_id == *session_id).collect())
        }
        CalendarMessage::CancelInstances { event, session_ids } => {
            (event, event.instances.iter().filter(|i| session_ids.contains(&i.session_id)).collect())
        }
    }
}

fn invite_headline(
    locale: Locale,
    zone: Tz,
    recipient: &Recipient,
    series: &SeriesInfo,
    change: &Change,
    instances: &[&EventInstance],
) -> Headline {
    let title = one_line(&series.title);
    let kind = texts::kind_name(locale, &series.kind);
    let total = series.total_sessions;
    let by_index = |index: u32| instances.iter().find(|i| i.index == index).or(instances.first());
    let start_of = |instance: Option<&&EventInstance>| {
        instance.map(|i| when::short_start(locale, zone, i.starts_at)).unwrap_or_default()
    };
    let supervisor = recipient.role == Role::Supervisor;
    match change {
        Change::SeriesBooked => {
            let scheduled: Vec<_> = instances.iter().filter(|i| i.status == SessionStatus::Scheduled).collect();
            Headline::Booked {
                title,
                kind,
                count: scheduled.len(),
                first: start_of(scheduled.first().copied()),
                supervisor,
            }
        }
        Change::SessionMoved { index, .. } => Headline::Moved {
            title,
            session: texts::session_of(locale, *index, total),
            start: start_of(by_index(*index)),
        },
        Change::SessionCancelled { index, late, .. } => Headline::Cancelled {
            title,
            session: texts::session_of(locale, *index, total),
            start: start_of(by_index(*index)),
            late: *late,
            notice_hours: series.cancellation_notice_hours,
        },
        Change::MakeupAdded { index } => Headline::Makeup { title, start: start_of(by_index(*index)) },
        Change::SeriesReplanned { from_index } => Headline::Replanned { title, from_index: *from_index },
        Change::ParticipantAdded if supervisor => Headline::ParticipantsChanged { title },
        Change::ParticipantAdded => Headline::Added { title, kind },
        Change::ParticipantRemoved if supervisor => Headline::ParticipantsChanged { title },
        Change::ParticipantRemoved => Headline::Removed { title },
        Change::CoSupervisorAdded => Headline::CoSupervision { title, joined: Some(true) },
        Change::CoSupervisorRemoved => Headline::CoSupervision { title, joined: Some(false) },
        Change::SupervisorsChanged => Headline::CoSupervision { title, joined: None },
        Change::SeriesCancelled { .. } => Headline::SeriesCancelled { title },
        Change::AbsenceReported { index, participant } => {
            Headline::Absence { title, participant: one_line(participant), index: *index, total }
        }
    }
}

fn reason_of(change: &Change) -> Option<&String> {
    match change {
        Change::SessionCancelled { reason, .. } | Change::SeriesCancelled { reason } => reason.as_ref(),
        _ => None,
    }
}

fn invite(
    recipient: &Recipient,
    organizer: &Party,
    series: &SeriesInfo,
    change: &Change,
    calendar: &CalendarMessage,
) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let labels = texts::labels(locale);
    let coaching = texts::is_coaching(&series.kind);
    let (event, instances) = shown(calendar);
    let headline = invite_headline(locale, zone, recipient, series, change, &instances);
    let mut letter = frame(recipient, &headline);

    letter.facts.push(text_fact(labels.what, what(locale, &series.title, Some(&series.kind))));
    letter.facts.push(text_fact(labels.organization, one_line(&series.organization_name)));
    if recipient.role == Role::Participant {
        letter.facts.push(text_fact(texts::supervisor_label(locale, coaching), party_text(organizer)));
    }
    let single_session =
        matches!(change, Change::SessionMoved { .. } | Change::SessionCancelled { .. } | Change::MakeupAdded { .. })
            || instances.len() == 1;
    if single_session && let Some(instance) = instances.first() {
        letter.facts.push(text_fact(labels.session, texts::position(locale, instance.index, series.total_sessions)));
        letter.facts.push(text_fact(labels.when, when::span(locale, zone, instance.starts_at, instance.ends_at)));
        if let Change::SessionMoved { previous_start, .. } = change {
            let previous_end = *previous_start + TimeDelta::minutes(i64::from(event.duration_minutes));
            letter.facts.push(text_fact(labels.previously, when::span(locale, zone, *previous_start, previous_end)));
        }
    }
    let own = place_facts(locale, &instances, &mut letter.facts);
    if let Some(reason) = reason_of(change) {
        letter.facts.push(text_fact(labels.reason, one_line(reason)));
    }
    if !single_session {
        letter.list_heading = labels.sessions.to_owned();
        letter.items = instances
            .iter()
            .map(|instance| instance_item(locale, zone, instance, series.total_sessions, own))
            .collect();
    }

    let invites_to_sessions =
        matches!(calendar, CalendarMessage::Request { .. } | CalendarMessage::RequestInstance { .. })
            && instances.iter().any(|i| i.status == SessionStatus::Scheduled);
    if recipient.role == Role::Participant && invites_to_sessions {
        letter.paragraphs.push(texts::how_to_cancel(
            locale,
            coaching,
            &party_inline(organizer),
            series.cancellation_notice_hours,
        ));
    }
    letter.paragraphs.push(texts::calendar_attached(locale).to_owned());
    letter
}

fn summary_facts(locale: Locale, zone: Tz, session: &SessionSummary, facts: &mut Vec<Fact>) {
    let labels = texts::labels(locale);
    facts.push(text_fact(labels.what, what(locale, &session.title, session.kind.as_deref())));
    facts.push(text_fact(labels.organization, one_line(&session.organization_name)));
    facts.push(text_fact(labels.when, when::span(locale, zone, session.starts_at, session.ends_at)));
    facts.push(text_fact(labels.session, texts::position(locale, session.index, session.total)));
    if let Some(phase) = &session.phase {
        facts.push(text_fact(labels.phase, texts::phase_name(locale, phase)));
    }
    if let Some(location) = &session.location {
        facts.push(text_fact(labels.place, one_line(location)));
    }
    if let Some(video) = &session.video_url {
        facts.push(Fact { label: labels.video.to_owned(), value: Value::Link(one_line(video)) });
    }
}

fn reminder(recipient: &Recipient, session: &SessionSummary) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let headline = Headline::Reminder {
        title: one_line(&session.title),
        start: when::short_start(locale, zone, session.starts_at),
    };
    let mut letter = frame(recipient, &headline);
    summary_facts(locale, zone, session, &mut letter.facts);
    let coaching = session.kind.as_deref().is_some_and(texts::is_coaching);
    if let Some(supervisor) = &session.supervisor {
        letter.facts.push(text_fact(texts::supervisor_label(locale, coaching), party_text(supervisor)));
        if recipient.role == Role::Participant
            && let Some(hours) = session.cancellation_notice_hours
        {
            letter.paragraphs.push(texts::how_to_cancel(locale, coaching, &party_inline(supervisor), hours));
        }
    }
    letter
}

fn digest(recipient: &Recipient, week_start: chrono::NaiveDate, sessions: &[SessionSummary]) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let week_end = week_start + TimeDelta::days(6);
    let headline = Headline::Digest {
        from: when::date(locale, week_start),
        to: when::date(locale, week_end),
        count: sessions.len(),
    };
    let mut letter = frame(recipient, &headline);
    letter.list_heading = texts::labels(locale).sessions.to_owned();
    letter.items = sessions
        .iter()
        .map(|session| {
            let mut parts = vec![
                when::span(locale, zone, session.starts_at, session.ends_at),
                format!("{} ({})", one_line(&session.title), one_line(&session.organization_name)),
                texts::session_of(locale, session.index, session.total),
            ];
            if let Some(phase) = &session.phase {
                parts.push(texts::phase_name(locale, phase));
            }
            if let Some(location) = &session.location {
                parts.push(one_line(location));
            }
            if let Some(video) = &session.video_url {
                parts.push(one_line(video));
            }
            Item { text: parts.join(" · "), struck: false }
        })
        .collect();
    letter
}

fn sign_in(recipient: &Recipient, url: &str, expires_at: DateTime<Utc>) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let labels = texts::labels(locale);
    let mut letter = frame(recipient, &Headline::SignIn);
    letter.facts.push(Fact { label: labels.link.to_owned(), value: Value::Link(one_line(url)) });
    letter.facts.push(text_fact(labels.valid_until, when::instant(locale, zone, expires_at)));
    letter.paragraphs.push(texts::not_requested(locale).to_owned());
    letter
}

fn webhook_disabled(recipient: &Recipient, organization: &str, endpoint: &str, reason: &str) -> Letter {
    let labels = texts::labels(recipient.locale);
    let mut letter = frame(recipient, &Headline::WebhookDisabled { endpoint: one_line(endpoint) });
    letter.facts.push(text_fact(labels.organization, one_line(organization)));
    letter.facts.push(text_fact(labels.reason, one_line(reason)));
    letter
}

fn info(recipient: &Recipient, series: &SeriesInfo, change: &Change) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let labels = texts::labels(locale);
    let headline = invite_headline(locale, zone, recipient, series, change, &[]);
    let mut letter = frame(recipient, &headline);
    letter.facts.push(text_fact(labels.what, what(locale, &series.title, Some(&series.kind))));
    letter.facts.push(text_fact(labels.organization, one_line(&series.organization_name)));
    if let Some(reason) = reason_of(change) {
        letter.facts.push(text_fact(labels.reason, one_line(reason)));
    }
    letter
}
