//! A subscription feed fetched and read in one call: what a calendar sync does for one
//! connection of the "iCalendar URL" kind.

use crate::http::{FetchError, Fetched, OutgoingClient, OutgoingUrl, Validators};
use crate::read::{BusyCalendar, ReadOptions, read_busy_blocking};

/// What a refresh found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// 304: the feed has not changed; the blocks kept from last time stand.
    NotModified,
    /// The feed read anew, and the validators to send next time.
    Read {
        /// The busy blocks and the account of what was left out.
        calendar: BusyCalendar,
        /// ETag and Last-Modified of this answer.
        validators: Validators,
    },
}

/// Fetches `url` (conditionally, with `validators` from the last answer) and reads it with
/// `options`. A failure leaves the caller's last good blocks as they are.
pub async fn refresh(
    client: &OutgoingClient,
    url: &OutgoingUrl,
    validators: &Validators,
    options: &ReadOptions,
) -> Result<Refreshed, FetchError> {
    match client.get(url, validators).await? {
        Fetched::NotModified => Ok(Refreshed::NotModified),
        Fetched::Modified { body, validators } => {
            Ok(Refreshed::Read { calendar: read_busy_blocking(vec![body], options.clone()).await, validators })
        }
    }
}
