//! The demo's rhythm poll: the school's leaders, whose first supervision with Anna is behind
//! them, are asked which rhythm to go on with — three options, one of them on the Tuesdays
//! Anna spends at the ward, so the poll's page shows a conflict — and their invitations to
//! vote wait in the outbox for `ohjaus serve` to send.

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use ohjaus_core::RecurrenceBody;
use ohjaus_store::write::polls::{PollBody, PollOptionBody, vote_link_base};
use ohjaus_store::{Caller, Store, StoreError};
use uuid::Uuid;

/// Asks `leaders` of `school`, with Anna; answers the poll's title and id.
pub(super) async fn ask_leaders(
    store: &Store,
    now: DateTime<Utc>,
    public_url: &str,
    school: Uuid,
    anna: Uuid,
    leaders: &[Uuid],
) -> Result<(String, Uuid), StoreError> {
    // Three weeks out, so that the options start after the deadline, ten days from now.
    let later = now + TimeDelta::days(21);
    let option = |weekday, hour| PollOptionBody {
        first_start: super::next(later, weekday, hour, 0),
        duration_minutes: 90,
        recurrence: RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(3),
            count: Some(6),
            until: None,
            by_weekday: None,
        },
        location: Some("Rehtorin kanslia".into()),
    };
    let body = PollBody {
        kind: "group_supervision".into(),
        title: "Johtoryhmän jatko-ohjaus".into(),
        supervisor_id: Some(anna),
        co_supervisor_id: None,
        team_id: None,
        participant_ids: Some(leaders.to_vec()),
        timezone: None,
        holiday_policy: None,
        video_url: None,
        cancellation_notice_hours: None,
        deadline: (now + TimeDelta::days(10)).fixed_offset(),
        options: vec![option(Weekday::Mon, 15), option(Weekday::Tue, 13), option(Weekday::Wed, 10)],
    };
    let coordinator = Caller::Coordinator { organization_id: school };
    let poll = store.create_poll(&coordinator, school, &body, &vote_link_base(public_url), now).await?;
    Ok((poll.title, poll.id))
}
