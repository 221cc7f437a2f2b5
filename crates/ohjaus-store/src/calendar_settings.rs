//! How the store reads people's own calendars: the outgoing HTTP client (with its address
//! policy, time and size limits) and the sync's schedule and horizon. Given to the store once
//! ([`crate::Store::with_calendars`]); a store without them uses [`CalendarSettings::default`].

use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_calendars::{OutgoingClient, OutgoingConfig, Window};

/// The calendar sync's settings.
#[derive(Debug, Clone)]
pub struct CalendarSettings {
    /// The client every fetch goes through.
    pub client: OutgoingClient,
    /// How often a connection is synced.
    pub sync_interval: TimeDelta,
    /// After how long without a successful sync a connection counts as stale.
    pub stale_after: TimeDelta,
    /// Days before now whose busy blocks are kept.
    pub days_back: u32,
    /// Months after now whose busy blocks are kept.
    pub months_ahead: u32,
}

impl CalendarSettings {
    /// Settings with `client`, every 15 minutes, stale after 24 hours, 7 days back and 18
    /// months ahead.
    pub fn new(client: OutgoingClient) -> Self {
        Self {
            client,
            sync_interval: TimeDelta::minutes(15),
            stale_after: TimeDelta::hours(24),
            days_back: 7,
            months_ahead: 18,
        }
    }

    /// The span of time a sync at `now` keeps blocks for.
    pub fn horizon(&self, now: DateTime<Utc>) -> Window {
        Window::around(now, self.days_back, self.months_ahead)
    }
}

impl Default for CalendarSettings {
    /// Public addresses only, 10 s, 5 MB, 3 redirects.
    fn default() -> Self {
        // Building a client fails only when the TLS backend cannot start, which the process
        // would meet on its first request anyway.
        Self::new(OutgoingClient::new(OutgoingConfig::default()).expect("the outgoing HTTP client starts"))
    }
}
