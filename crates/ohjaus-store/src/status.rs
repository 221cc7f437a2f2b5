//! The states the store's records are in, typed: a record carries one of these, and a row
//! stores its wire name (the entities keep the text as stored; [`SessionStatus`] is the core's;
//! attendance and goals have theirs beside their writes).
//! Each reads back what the store wrote; a text no version wrote reads as the first state,
//! the safest to show.

use serde::{Deserialize, Serialize};

pub use ohjaus_core::SessionStatus;

/// Names the wire names of a status enum once: `as_str`, `parse`, `stored`, equality with a
/// wire name, and display.
macro_rules! wire_names {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire name, as stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses a wire name.
            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|s| s.as_str() == value)
            }

            /// The value of a stored wire name (see the module for one no version wrote).
            pub fn stored(value: &str) -> Self {
                Self::parse(value).unwrap_or(Self::ALL[0])
            }
        }

        /// A status equals its wire name (`status == "active"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Where a series stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesStatus {
    /// Booked and running.
    Active,
    /// Cancelled: its remaining sessions were cancelled.
    Cancelled,
    /// Every session took place.
    Completed,
}

wire_names!(SeriesStatus { Active => "active", Cancelled => "cancelled", Completed => "completed" });

/// Where a rhythm poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Taking votes (until its deadline) and waiting for a choice.
    Open,
    /// An option was chosen and booked as a series.
    Decided,
    /// Closed without a choice.
    Closed,
}

wire_names!(PollStatus { Open => "open", Decided => "decided", Closed => "closed" });

/// A voter's answer to one option of a rhythm poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollAnswer {
    /// Suits them.
    Yes,
    /// Possible, if it has to be.
    IfNeedBe,
    /// Does not suit them.
    No,
}

wire_names!(PollAnswer { Yes => "yes", IfNeedBe => "if_need_be", No => "no" });

/// Where a notification in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    /// Waiting for its attempt.
    Queued,
    /// Claimed by a worker under a lease.
    Sending,
    /// Sent.
    Sent,
    /// Its last attempt failed; its error is kept.
    Dead,
}

wire_names!(NotificationStatus { Queued => "queued", Sending => "sending", Sent => "sent", Dead => "dead" });

/// What a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A calendar invitation, update or cancellation.
    Invite,
    /// A reminder of a session soon.
    Reminder,
    /// A supervisor's weekly digest.
    Digest,
    /// A sign-in link.
    SignInLink,
    /// A message to the supervisor (a participant cannot attend).
    Info,
    /// An invitation to vote in a rhythm poll.
    PollInvitation,
    /// A reminder to vote, a day before a poll's deadline.
    PollReminder,
    /// A poll's decision.
    PollDecision,
}

wire_names!(NotificationKind {
    Invite => "invite",
    Reminder => "reminder",
    Digest => "digest",
    SignInLink => "sign_in_link",
    Info => "info",
    PollInvitation => "poll_invitation",
    PollReminder => "poll_reminder",
    PollDecision => "poll_decision",
});

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Claimed by a worker under a lease, being posted.
    Sending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Its last attempt failed (or the endpoint is gone); `POST …/retry` queues it again.
    Failed,
}

wire_names!(DeliveryStatus { Pending => "pending", Sending => "sending", Delivered => "delivered", Failed => "failed" });
