//! The demo's past: a series that began months before the demo's "now" — sessions held with
//! their attendance (one person excused, one absent), one cancelled too late and so used, the
//! goals reviewed at the start and at the midpoint, a note shared with the participants and
//! one kept private — so that the supervisor's history, the goals and the report have
//! something to show. Each step is written at the moment it would have happened (the store
//! takes "now" as an argument), and the messages it queued then were sent then: they are
//! marked sent, not sent again today.

use super::next;
use chrono::{DateTime, TimeDelta, Utc, Weekday};
use ohjaus_core::{RecurrenceBody, ReviewPhase, SeriesBody};
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::goals::NewReview;
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::write::sessions::CancelSession;
use ohjaus_store::{Caller, Store, StoreError};
use uuid::Uuid;

/// How long before the demo's now the series was booked.
pub(super) const BOOKED_BEFORE: TimeDelta = TimeDelta::days(140);

/// Books the past series of `supervisor_id` with `participants` of `organization_id`, lives
/// through its sessions up to `now`, and answers its title and id.
pub(super) async fn fill(
    store: &Store,
    now: DateTime<Utc>,
    organization_id: Uuid,
    supervisor_id: Uuid,
    participants: &[Uuid],
) -> Result<(String, Uuid), StoreError> {
    let booked_at = now - BOOKED_BEFORE;
    let body = SeriesBody {
        organization_id: Some(organization_id),
        kind: "group_supervision".into(),
        title: "Vaahteramäen johtoryhmän työnohjaus".into(),
        supervisor_id: Some(supervisor_id),
        co_supervisor_id: None,
        team_id: None,
        participant_ids: Some(participants.to_vec()),
        first_start: next(booked_at, Weekday::Mon, 9, 0),
        timezone: None,
        duration_minutes: 90,
        recurrence: RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(3),
            count: Some(8),
            until: None,
            by_weekday: None,
        },
        holiday_policy: None,
        location: Some("Rehtorin kanslia".into()),
        video_url: None,
        cancellation_notice_hours: None,
        goals: Some(vec!["Johtoryhmän yhteinen suunta ja selkeä työnjako".into(), "Rakentava palaute arjessa".into()]),
        contract: Some(super::invoicing::school_terms()),
    };
    let booked = store.book_series(&Caller::Admin, &body, booked_at).await?;
    let series_id = booked.series.id;
    let supervisor = Caller::Supervisor { supervisor_id };
    let goals: Vec<Uuid> = store.list_goals(&supervisor, series_id).await?.into_iter().map(|g| g.id).collect();

    // The third session was cancelled by the school two days before: too late, so it is
    // used. The phases of the others follow (the midpoint is the middle one held).
    if let Some(third) = booked.sessions.iter().find(|s| s.index == 3 && s.ends_at < now) {
        let cancel = CancelSession { reason: Some("Sisäilmaselvitys koululla".to_owned()), replace: Some(false) };
        let at = third.starts_at.to_utc() - TimeDelta::days(2);
        store.cancel_session(&Caller::Admin, third.id, &cancel, at).await?;
    }
    let sessions = store.list_sessions(&supervisor, series_id).await?;
    for session in sessions.iter().filter(|s| s.ends_at < now && s.status != "cancelled") {
        let status_of = |i: usize| match (session.index, i) {
            (5, 2) => AttendanceStatus::Excused,
            (6, 1) => AttendanceStatus::Absent,
            _ => AttendanceStatus::Present,
        };
        let entries =
            participants.iter().enumerate().map(|(i, &person_id)| AttendanceEntry { person_id, status: status_of(i) });
        // Sessions show their local offset; the store takes instants.
        let after = session.ends_at.to_utc() + TimeDelta::minutes(30);
        store
            .record_attendance(&supervisor, session.id, &AttendanceUpdate { entries: entries.collect() }, after)
            .await?;
        let note = match session.index {
            1 => Some(("Ryhmä aloitti varovasti; rehtori puhui eniten. Seuraavalla kerralla kierros.", false)),
            2 => Some(("Sovittiin: viikkopalaveriin kiinteä palautekierros, vetäjä vaihtuu kuukausittain.", true)),
            _ => None,
        };
        if let Some((text, shared)) = note {
            let visibility = if shared { NoteVisibility::Participants } else { NoteVisibility::Supervisor };
            store.create_note(&supervisor, session.id, &NewNote { text: text.into(), visibility }, after).await?;
        }
        let phase = match session.phase.as_deref() {
            Some("goal_setting") => ReviewPhase::Start,
            Some("midpoint_review") => ReviewPhase::Midpoint,
            _ => continue,
        };
        review(store, &supervisor, participants, &goals, phase, after).await?;
    }

    // Its invitations, updates and cancellations went out at the time.
    loop {
        let claimed = store.claim_due("demo", 500, TimeDelta::minutes(5), now).await?;
        if claimed.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = claimed.iter().map(|row| row.id).collect();
        store.ack_many(&ids, "demo", now).await?;
    }
    Ok((booked.series.title, series_id))
}

/// The supervisor's and the first two participants' reviews of every goal at `phase`:
/// modest at the start, better at the midpoint.
async fn review(
    store: &Store,
    supervisor: &Caller,
    participants: &[Uuid],
    goals: &[Uuid],
    phase: ReviewPhase,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (rating, comment) = match phase {
        ReviewPhase::Start => (2, "Lähtötilanne: asioista sovitaan, mutta ne unohtuvat."),
        _ => (4, "Palautekierros on vakiintunut; työnjako on selkeämpi."),
    };
    let reviewers = std::iter::once(*supervisor)
        .chain(participants.iter().take(2).map(|&person_id| Caller::Participant { person_id }));
    for (n, reviewer) in reviewers.enumerate() {
        for goal in goals {
            // The reviewers do not all see it alike: one point up or down.
            let rating = match n {
                1 => rating + 1,
                2 => rating - 1,
                _ => rating,
            };
            let new = NewReview { phase, rating, comment: (n == 0).then(|| comment.to_owned()) };
            store.add_review(&reviewer, *goal, &new, at).await?;
        }
    }
    Ok(())
}
