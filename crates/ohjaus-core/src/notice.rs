//! Notifications as the store writes them into the outbox and the worker renders them: plain
//! data, snapshotted at the moment of the change.

use crate::calendar::CalendarEvent;
use crate::locale::Locale;
use crate::recurrence::RecurrenceBody;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A person in a message: name and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
}

/// Whether a recipient supervises or takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A supervisor of the series (its supervisor or co-supervisor): an ATTENDEE with
    /// ROLE=CHAIR in its invitations, whose ORGANIZER is the service itself.
    Supervisor,
    /// A participant (an attendee).
    Participant,
}

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Name and address.
    pub party: Party,
    /// Language of the message.
    pub locale: Locale,
    /// Zone times are shown in.
    pub timezone: String,
    /// Role in the series (for invites).
    pub role: Role,
    /// The person or supervisor id.
    pub id: Uuid,
}

/// What the series is, for the text of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesInfo {
    /// The series.
    pub series_id: Uuid,
    /// Its title.
    pub title: String,
    /// Its kind (wire name).
    pub kind: String,
    /// The buying organization's name.
    pub organization_name: String,
    /// Sessions contracted.
    pub total_sessions: u32,
    /// Notice for an in-time cancellation, in hours.
    pub cancellation_notice_hours: u32,
}

/// What changed, for the subject and the first line of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A series was booked.
    SeriesBooked,
    /// One session moved.
    SessionMoved {
        /// Its index.
        index: u32,
        /// Where it was.
        previous_start: DateTime<Utc>,
    },
    /// One session was cancelled.
    SessionCancelled {
        /// Its index.
        index: u32,
        /// Cancelled later than the terms allow.
        late: bool,
        /// Why, if said.
        reason: Option<String>,
    },
    /// A make-up session was appended.
    MakeupAdded {
        /// Its index.
        index: u32,
    },
    /// Sessions from `from_index` on were re-planned.
    SeriesReplanned {
        /// First re-planned session.
        from_index: u32,
    },
    /// The recipient was added to the series.
    ParticipantAdded,
    /// The recipient was removed from the series.
    ParticipantRemoved,
    /// The recipient, a supervisor, became the series' co-supervisor.
    CoSupervisorAdded,
    /// The recipient, a supervisor, no longer co-supervises the series.
    CoSupervisorRemoved,
    /// The series' co-supervisor changed (sent to its supervisor).
    SupervisorsChanged,
    /// The whole series was cancelled.
    SeriesCancelled {
        /// Why, if said.
        reason: Option<String>,
    },
    /// A participant said they cannot attend (sent to the supervisor).
    AbsenceReported {
        /// The session's index.
        index: u32,
        /// Who.
        participant: String,
    },
}

/// The iTIP message an invite carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum CalendarMessage {
    /// METHOD:REQUEST with the whole event (rule, exclusions, overrides).
    Request {
        /// The event.
        event: CalendarEvent,
    },
    /// METHOD:REQUEST with one override (a moved session) of a rule event.
    RequestInstance {
        /// The event, for its UID, zone and rule.
        event: CalendarEvent,
        /// The moved session.
        session_id: Uuid,
    },
    /// METHOD:CANCEL of some instances of an event.
    CancelInstances {
        /// The event.
        event: CalendarEvent,
        /// The cancelled sessions.
        session_ids: Vec<Uuid>,
    },
    /// METHOD:CANCEL of the whole event.
    CancelEvent {
        /// The event.
        event: CalendarEvent,
    },
}

/// One upcoming session, for reminders and digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// The session.
    pub session_id: Uuid,
    /// The series' title.
    pub title: String,
    /// The organization's name.
    pub organization_name: String,
    /// Index and count: session `index` of `total`.
    pub index: u32,
    /// Sessions in the series.
    pub total: u32,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Where.
    pub location: Option<String>,
    /// Video link.
    pub video_url: Option<String>,
    /// Evaluation phase (wire name), if any.
    pub phase: Option<String>,
    /// The series' kind (wire name), for "what" in a reminder.
    #[serde(default)]
    pub kind: Option<String>,
    /// The supervisor, whom a participant tells when they cannot come.
    #[serde(default)]
    pub supervisor: Option<Party>,
    /// Notice for an in-time cancellation, in hours.
    #[serde(default)]
    pub cancellation_notice_hours: Option<u32>,
}

/// A rhythm poll (issue 11), for the text of its messages: what is asked, by when, and the
/// options proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollInfo {
    /// The poll.
    pub poll_id: Uuid,
    /// The title of the series to be booked.
    pub title: String,
    /// Its kind (wire name).
    pub kind: String,
    /// The organization's name.
    pub organization_name: String,
    /// The supervisors: the supervisor, then a co-supervisor.
    pub supervisors: Vec<Party>,
    /// Votes are taken until this instant.
    pub deadline: DateTime<Utc>,
    /// The series' zone (IANA); the options' times are meant there.
    pub timezone: String,
    /// The options, in order.
    pub options: Vec<PollOptionInfo>,
}

/// One proposed rhythm of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOptionInfo {
    /// The option.
    pub option_id: Uuid,
    /// 1-based position in the poll.
    pub position: u32,
    /// The first session's start.
    pub first_start: DateTime<Utc>,
    /// Minutes per session.
    pub duration_minutes: u32,
    /// The cadence as proposed (the series API's recurrence body).
    pub recurrence: RecurrenceBody,
    /// The same as an RRULE value.
    pub rrule: String,
    /// Sessions it plans (after days off).
    pub sessions: u32,
    /// Where.
    pub location: Option<String>,
}

/// A notification, as stored in the outbox payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A calendar invitation, update or cancellation.
    Invite {
        /// To whom.
        recipient: Recipient,
        /// The series' supervisor: whom participants reply to. (The field keeps its stored name;
        /// the calendar object's ORGANIZER is the service's own address, and every supervisor
        /// is an ATTENDEE with ROLE=CHAIR.)
        organizer: Party,
        /// Every supervisor of the series, `organizer` first, then a co-supervisor: ATTENDEEs
        /// with ROLE=CHAIR. Empty in notices queued before co-supervision: `organizer` alone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        supervisors: Vec<Party>,
        /// The participants, as ATTENDEEs.
        attendees: Vec<Party>,
        /// The series.
        series: SeriesInfo,
        /// SEQUENCE of this message: strictly above every earlier message of the series.
        sequence: u32,
        /// What changed.
        change: Change,
        /// The calendar object.
        calendar: CalendarMessage,
    },
    /// A reminder of a session soon.
    Reminder {
        /// To whom.
        recipient: Recipient,
        /// The session.
        session: SessionSummary,
    },
    /// A supervisor's weekly digest.
    Digest {
        /// To whom.
        recipient: Recipient,
        /// Monday of the week.
        week_start: NaiveDate,
        /// Sessions of the week, in order.
        sessions: Vec<SessionSummary>,
    },
    /// A one-time sign-in link for the web pages.
    SignInLink {
        /// To whom.
        recipient: Recipient,
        /// The link.
        url: String,
        /// When it stops working.
        expires_at: DateTime<Utc>,
    },
    /// A plain notice to a supervisor that is not a calendar change.
    Info {
        /// To whom.
        recipient: Recipient,
        /// The series.
        series: SeriesInfo,
        /// What happened.
        change: Change,
    },
    /// To an organization's coordinator: one of its webhook endpoints was disabled (it
    /// answered 410 Gone, or every delivery failed for five days).
    WebhookDisabled {
        /// To whom.
        recipient: Recipient,
        /// The organization.
        organization_name: String,
        /// The endpoint's scheme and host (never its path, which may be a secret).
        endpoint: String,
        /// Why, in English as the delivery log says it.
        reason: String,
    },
    /// To a person asked in a rhythm poll: the options and their personal voting link.
    PollInvitation {
        /// To whom.
        recipient: Recipient,
        /// The poll.
        poll: PollInfo,
        /// The personal link (its secret is stored hashed only; never log it).
        url: String,
    },
    /// To a person who has not answered, a day before the deadline: a fresh personal link.
    PollReminder {
        /// To whom.
        recipient: Recipient,
        /// The poll.
        poll: PollInfo,
        /// The personal link (a fresh secret; the invitation's still works too).
        url: String,
    },
    /// To every person asked: the rhythm chosen (`chosen`, booked as `series_id`), or the poll
    /// closed without a choice (both `None`).
    PollDecided {
        /// To whom.
        recipient: Recipient,
        /// The poll.
        poll: PollInfo,
        /// The option chosen, if one was.
        chosen: Option<PollOptionInfo>,
        /// The series it booked, if one was.
        series_id: Option<Uuid>,
    },
}

impl Notice {
    /// The recipient.
    pub fn recipient(&self) -> &Recipient {
        match self {
            Self::Invite { recipient, .. }
            | Self::Reminder { recipient, .. }
            | Self::Digest { recipient, .. }
            | Self::SignInLink { recipient, .. }
            | Self::Info { recipient, .. }
            | Self::WebhookDisabled { recipient, .. }
            | Self::PollInvitation { recipient, .. }
            | Self::PollReminder { recipient, .. }
            | Self::PollDecided { recipient, .. } => recipient,
        }
    }

    /// The outbox `kind` column: `invite`, `reminder`, `digest`, `sign_in_link`, `info`,
    /// `poll_invitation`, `poll_reminder` or `poll_decision`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Invite { .. } => "invite",
            Self::Reminder { .. } => "reminder",
            Self::Digest { .. } => "digest",
            Self::SignInLink { .. } => "sign_in_link",
            Self::Info { .. } | Self::WebhookDisabled { .. } => "info",
            Self::PollInvitation { .. } => "poll_invitation",
            Self::PollReminder { .. } => "poll_reminder",
            Self::PollDecided { .. } => "poll_decision",
        }
    }
}
