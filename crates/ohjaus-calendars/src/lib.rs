//! Reading other people's calendars: the busy time in a supervisor's or a participant's own
//! calendar (Outlook, Google, Apple, Nextcloud, …), as intervals the core's conflict check
//! and slot search take into account.
//!
//! A tour:
//!
//! - [`read`] — an iCalendar file into [`BusyBlock`]s in a [`Window`], with a [`ReadReport`]
//!   of what was left out and why. Pure, and tested on a corpus of 80 real calendars against
//!   the Python reference `recurring-ical-events`.
//! - [`http`] — the outgoing HTTP client every request to another server goes through (the
//!   calendar sync now, webhook delivery later): [`OutgoingUrl`] (https/http/webcal, no
//!   credentials), the [`AddressPolicy`] checked after DNS resolution and on every redirect,
//!   redirect, time and size limits, conditional GETs ([`Validators`] in, [`Fetched`] out),
//!   and [`FetchError`]s that never carry the URL.
//! - [`caldav`] — a CalDAV collection read by `calendar-query` (the events, through [`read`])
//!   or `free-busy-query` (the server's own busy periods), with Basic authentication.
//! - [`secret_url`] — a subscription URL masked for display and split into what may be shown
//!   and the secret a store encrypts.
//! - [`subscription`] — a feed fetched and read in one call: what the sync does per
//!   connection.
//!
//! Nothing here touches a database or keeps state between calls; the store keeps the blocks,
//! the validators and the encrypted secrets, and the worker decides when to call.

pub mod caldav;
pub mod http;
pub mod read;
pub mod secret_url;
pub mod subscription;

pub use caldav::{CalDavCalendar, FreeBusy};
pub use http::{
    AddressPolicy, Credentials, FetchError, Fetched, OutgoingClient, OutgoingConfig, OutgoingRequest, OutgoingResponse,
    OutgoingUrl, Validators,
};
pub use read::{
    AllDayEvents, BusyBlock, BusyCalendar, ReadOptions, ReadReport, SkipReason, Window, read_busy, uid_hash,
};
pub use secret_url::{SplitUrl, UrlSecret};
pub use subscription::{Refreshed, refresh};
