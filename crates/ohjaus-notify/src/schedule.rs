//! Reminders, weekly digests and the retention of notes, on cron schedules read in the
//! configured zone.
//!
//! Every few seconds each worker asks, per job, for the latest tick of its schedule not after
//! now, and tries to claim it in the store (`claim_tick`): exactly one worker wins each tick,
//! however many run, and a tick not later than one already run is never claimed. So a tick
//! missed while the service was down is caught up once — only the latest missed tick is
//! claimed, the older ones are behind it — and never many times.
//!
//! The jobs themselves are idempotent, so even a tick run twice (a DST overlap makes the cron
//! crate fire twice) sends nothing twice: a reminder is queued under
//! `reminder:{session}:{person}` and a digest under `digest:{supervisor}:{ISO week}`, unique
//! keys of the outbox.

use crate::config::ScheduleConfig;
use crate::worker::{Worker, WorkerError};
use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, TimeZone as _, Utc};
use chrono_tz::Tz;
use cron::Schedule;
use ohjaus_core::Notice;
use ohjaus_store::StoreError;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, info};

/// The job name of reminders in `job_leases`.
pub const REMINDER_JOB: &str = "reminders";
/// The job name of digests in `job_leases`.
pub const DIGEST_JOB: &str = "digests";
/// The job name of the retention of notes (and the scrub of erased people's messages).
pub const RETENTION_JOB: &str = "retention";

/// How far back a missed tick is still caught up.
const CATCH_UP: TimeDelta = TimeDelta::days(8);

/// The parsed schedules.
#[derive(Debug, Clone)]
pub struct Scheduler {
    zone: Tz,
    reminders: Schedule,
    reminder_window: TimeDelta,
    digests: Schedule,
    retention: Schedule,
    check_interval: Duration,
}

/// What a job queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Notices newly queued.
    pub queued: usize,
    /// Notices already queued before (their key existed).
    pub already: usize,
}

impl Scheduler {
    /// Parses `config`: cron expressions with seconds first (weekday names, since `1` is
    /// Sunday in the cron crate) and an IANA zone.
    pub fn new(config: &ScheduleConfig) -> Result<Self, WorkerError> {
        let zone: Tz = config
            .timezone
            .parse()
            .map_err(|_| WorkerError::Schedule(format!("unknown time zone {:?}", config.timezone)))?;
        let parse = |name: &str, expression: &str| {
            Schedule::from_str(expression).map_err(|e| WorkerError::Schedule(format!("{name} {expression:?}: {e}")))
        };
        Ok(Self {
            zone,
            reminders: parse("reminders", &config.reminders)?,
            reminder_window: TimeDelta::hours(i64::from(config.reminder_hours)),
            digests: parse("digest", &config.digest)?,
            retention: parse("retention", &config.retention)?,
            check_interval: Duration::from_millis(config.check_interval_ms.max(100)),
        })
    }

    /// The latest tick of `schedule` strictly before `now`, if one falls within the catch-up
    /// window.
    fn latest_tick(&self, schedule: &Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&self.zone);
        let tick = schedule.after(&local).next_back()?.with_timezone(&Utc);
        (now - tick <= CATCH_UP).then_some(tick)
    }

    /// Runs the jobs whose latest tick this worker wins. Returns what each queued, if it ran.
    pub async fn check(&self, worker: &Worker) -> Result<(Option<JobReport>, Option<JobReport>), StoreError> {
        let now = worker.now();
        let store = worker.store();
        let mut reminders = None;
        if let Some(tick) = self.latest_tick(&self.reminders, now)
            && store.claim_tick(REMINDER_JOB, tick, worker.owner(), now).await?
        {
            let report = self.remind(worker, now).await?;
            info!(%tick, queued = report.queued, already = report.already, "reminders queued");
            reminders = Some(report);
        }
        let mut digests = None;
        if let Some(tick) = self.latest_tick(&self.digests, now)
            && store.claim_tick(DIGEST_JOB, tick, worker.owner(), now).await?
        {
            let report = self.digest(worker, tick, now).await?;
            info!(%tick, queued = report.queued, already = report.already, "digests queued");
            digests = Some(report);
        }
        Ok((reminders, digests))
    }

    /// Queues a reminder for every participant of every session starting in the next
    /// `reminder_hours`.
    pub async fn remind(&self, worker: &Worker, now: DateTime<Utc>) -> Result<JobReport, StoreError> {
        let store = worker.store();
        let mut report = JobReport::default();
        for upcoming in store.sessions_starting_between(now, now + self.reminder_window).await? {
            for recipient in upcoming.participants {
                let key = format!("reminder:{}:{}", upcoming.summary.session_id, recipient.id);
                let notice = Notice::Reminder { recipient, session: upcoming.summary.clone() };
                if store.enqueue_notice(&notice, &key, now).await? {
                    report.queued += 1;
                } else {
                    report.already += 1;
                }
            }
        }
        Ok(report)
    }

    /// Queues each supervisor's digest of the week of `tick` (Monday to Sunday in the
    /// configured zone), listing the sessions from now to the week's end. A supervisor with no
    /// session that week gets no message: an empty digest would teach people to ignore them.
    pub async fn digest(
        &self,
        worker: &Worker,
        tick: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<JobReport, StoreError> {
        let store = worker.store();
        let local_day = tick.with_timezone(&self.zone).date_naive();
        let week_start = local_day - TimeDelta::days(i64::from(local_day.weekday().num_days_from_monday()));
        let week_end = week_start + TimeDelta::days(7);
        let at_midnight = |day: chrono::NaiveDate| {
            self.zone
                .from_local_datetime(&day.and_time(NaiveTime::MIN))
                .earliest()
                .map_or_else(|| day.and_time(NaiveTime::MIN).and_utc(), |t| t.with_timezone(&Utc))
        };
        let from = at_midnight(week_start).max(now);
        let to = at_midnight(week_end);
        let iso = week_start.iso_week();
        let mut report = JobReport::default();
        for agenda in store.supervisor_sessions_between(from, to).await? {
            let key = format!("digest:{}:{}-W{:02}", agenda.supervisor.id, iso.year(), iso.week());
            let notice = Notice::Digest { recipient: agenda.supervisor, week_start, sessions: agenda.sessions };
            if store.enqueue_notice(&notice, &key, now).await? {
                report.queued += 1;
            } else {
                report.already += 1;
            }
        }
        Ok(report)
    }

    /// Runs the retention job if this worker wins its latest tick: deletes the notes of
    /// series that ended more than `note_retention_months` ago (none when it is 0) and scrubs
    /// the messages already sent to erased people. Answers `(notes deleted, messages
    /// scrubbed)` when it ran. Both are idempotent, so a tick run twice does no harm.
    pub async fn retain(&self, worker: &Worker) -> Result<Option<(u64, u64)>, StoreError> {
        let now = worker.now();
        let store = worker.store();
        let Some(tick) = self.latest_tick(&self.retention, now) else { return Ok(None) };
        if !store.claim_tick(RETENTION_JOB, tick, worker.owner(), now).await? {
            return Ok(None);
        }
        let months = worker.config().note_retention_months;
        let notes = if months == 0 { 0 } else { store.delete_expired_notes(months, now).await? };
        let scrubbed = store.scrub_erased_messages().await?;
        info!(%tick, notes, scrubbed, "retention ran");
        Ok(Some((notes, scrubbed)))
    }

    /// Checks the schedules every `check_interval_ms` until `stop` turns true.
    pub async fn run(&self, worker: &Worker, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let checked = match self.check(worker).await {
                Ok(_) => match self.retain(worker).await {
                    Ok(_) => crate::poll_reminders::remind_voters(worker).await.map(|_| ()),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            match checked {
                Ok(_) => worker.database_answered(),
                // Said once per outage, with the outbox loop.
                Err(e) if e.is_unavailable() => worker.database_failed(&e),
                Err(e) => error!(error = %e, "schedule check failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.check_interval) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheduler(reminder: &str, digest: &str) -> Scheduler {
        Scheduler::new(&ScheduleConfig {
            reminders: reminder.into(),
            digest: digest.into(),
            ..ScheduleConfig::default()
        })
        .expect("valid schedules")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("an instant")
    }

    #[test]
    fn the_latest_tick_is_in_helsinki_time() {
        let s = scheduler("0 0 7 * * *", "0 0 7 * * Mon");
        // 2027-01-13 is a Wednesday; 07:00 EET is 05:00 UTC.
        let now = utc("2027-01-13T12:00:00Z");
        assert_eq!(s.latest_tick(&s.reminders, now), Some(utc("2027-01-13T05:00:00Z")));
        assert_eq!(s.latest_tick(&s.digests, now), Some(utc("2027-01-11T05:00:00Z")));
        // In summer, 07:00 EEST is 04:00 UTC.
        assert_eq!(s.latest_tick(&s.reminders, utc("2027-07-01T04:30:00Z")), Some(utc("2027-07-01T04:00:00Z")));
        // Before today's tick, yesterday's is the latest.
        assert_eq!(s.latest_tick(&s.reminders, utc("2027-01-13T04:59:59Z")), Some(utc("2027-01-12T05:00:00Z")));
    }

    #[test]
    fn weekday_names_mean_what_they_say() {
        let s = scheduler("0 0 7 * * *", "0 30 6 * * Mon");
        // Sunday 2027-01-17 evening: the Monday before (11th) is the latest.
        let tick = s.latest_tick(&s.digests, utc("2027-01-17T20:00:00Z")).expect("a tick");
        assert_eq!(tick.with_timezone(&s.zone).weekday(), chrono::Weekday::Mon);
        assert_eq!(tick, utc("2027-01-11T04:30:00Z"));
    }

    #[test]
    fn ticks_older_than_the_catch_up_window_are_let_go() {
        let s = scheduler("0 0 7 1 1 *", "0 0 7 * * Mon");
        assert_eq!(s.latest_tick(&s.reminders, utc("2027-06-01T00:00:00Z")), None);
    }

    #[test]
    fn bad_settings_are_named() {
        let error = Scheduler::new(&ScheduleConfig { digest: "every monday".into(), ..ScheduleConfig::default() })
            .expect_err("refused")
            .to_string();
        assert!(error.contains("digest"), "{error}");
        let error = Scheduler::new(&ScheduleConfig { timezone: "Europe/Tampere".into(), ..ScheduleConfig::default() })
            .expect_err("refused")
            .to_string();
        assert!(error.contains("Europe/Tampere"), "{error}");
    }
}
