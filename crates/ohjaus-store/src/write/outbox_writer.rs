//! The outbox writer: the notifications a change causes, built from the rows as they stand at
//! the end of the change (inside its transaction) and queued with it: core `Notice::Invite`
//! snapshots, one per recipient and calendar event, each showing only the sessions that
//! recipient is invited to (the supervisor sees them all). What a series' messages need to
//! say about it ([`SeriesContext`]) and a calendar event as it stands ([`EventRows`]) are read
//! here too; the calendar feed shows the same events through [`EventRows::view`].

use crate::entity::{
    calendar_event, organization, person, series, series_participant, session, session_participant, supervisor,
};
use crate::error::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use ohjaus_core::calendar::{CalendarEvent, EventInstance, SessionStatus};
use ohjaus_core::notice::{CalendarMessage, Change, Party, Recipient, Role, SeriesInfo};
use ohjaus_core::{Locale, Notice};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// A series with what every message about it needs.
pub(crate) struct SeriesContext {
    pub series: series::Model,
    pub organization: organization::Model,
    pub supervisor: supervisor::Model,
    /// The co-supervisor, if the series has one.
    pub co_supervisor: Option<supervisor::Model>,
    /// Current participants, by id.
    pub participants: BTreeMap<Uuid, person::Model>,
    /// Everyone else met on the way (removed participants still invited to old sessions).
    pub others: HashMap<Uuid, person::Model>,
}

impl SeriesContext {
    /// Loads the context of `series` (already read in the transaction).
    pub async fn load<C: ConnectionTrait>(db: &C, series: series::Model) -> Result<Self, StoreError> {
        let organization = organization::Entity::find_by_id(series.organization_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("organization"))?;
        let supervisor = supervisor::Entity::find_by_id(series.supervisor_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("supervisor"))?;
        let co_supervisor = match series.co_supervisor_id {
            Some(id) => {
                Some(supervisor::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("supervisor"))?)
            }
            None => None,
        };
        let ids: Vec<Uuid> = series_participant::Entity::find()
            .filter(series_participant::Column::SeriesId.eq(series.id))
            .all(db)
            .await?
            .into_iter()
            .map(|row| row.person_id)
            .collect();
        let participants = load_people(db, &ids).await?;
        Ok(Self { series, organization, supervisor, co_supervisor, participants, others: HashMap::new() })
    }

    /// Replaces the participant list (after a change) with `ids`; people dropped stay known.
    pub async fn set_participants<C: ConnectionTrait>(&mut self, db: &C, ids: &[Uuid]) -> Result<(), StoreError> {
        let fresh = load_people(db, ids).await?;
        let old = std::mem::replace(&mut self.participants, fresh);
        self.others.extend(old);
        Ok(())
    }

    fn person(&self, id: Uuid) -> Option<&person::Model> {
        self.participants.get(&id).or_else(|| self.others.get(&id))
    }

    /// Makes sure every person in `ids` is known (for messages to people no longer taking part).
    pub async fn know<C: ConnectionTrait>(
        &mut self,
        db: &C,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<(), StoreError> {
        let missing: Vec<Uuid> = ids.into_iter().filter(|id| self.person(*id).is_none()).collect();
        if !missing.is_empty() {
            self.others.extend(load_people(db, &missing).await?);
        }
        Ok(())
    }

    pub fn info(&self) -> SeriesInfo {
        SeriesInfo {
            series_id: self.series.id,
            title: self.series.title.clone(),
            kind: self.series.kind.clone(),
            organization_name: self.organization.name.clone(),
            total_sessions: u32::try_from(self.series.contracted_sessions).unwrap_or_default(),
            cancellation_notice_hours: u32::try_from(self.series.cancellation_notice_hours).unwrap_or_default(),
        }
    }

    pub fn organizer(&self) -> Party {
        Party { name: self.supervisor.name.clone(), email: self.supervisor.email.clone() }
    }

    /// Every supervisor of the series (ATTENDEEs with ROLE=CHAIR), the supervisor first.
    pub fn supervisors(&self) -> Vec<Party> {
        std::iter::once(&self.supervisor).chain(&self.co_supervisor).map(party_of).collect()
    }

    pub fn attendees(&self) -> Vec<Party> {
        self.participants.values().map(|p| Party { name: p.name.clone(), email: p.email.clone() }).collect()
    }

    /// Every supervisor of the series as a recipient, the supervisor first.
    pub fn supervisor_recipients(&self) -> Vec<Recipient> {
        std::iter::once(&self.supervisor).chain(&self.co_supervisor).map(supervisor_recipient).collect()
    }

    fn person_recipient(&self, person: &person::Model) -> Recipient {
        let locale = person.locale.as_deref().unwrap_or(&self.organization.locale);
        Recipient {
            party: Party { name: person.name.clone(), email: person.email.clone() },
            locale: Locale::parse(locale).unwrap_or_default(),
            timezone: self.organization.timezone.clone(),
            role: Role::Participant,
            id: person.id,
        }
    }
}

fn party_of(supervisor: &supervisor::Model) -> Party {
    Party { name: supervisor.name.clone(), email: supervisor.email.clone() }
}

/// A supervisor as the recipient of a message, in their language and zone.
pub(crate) fn supervisor_recipient(supervisor: &supervisor::Model) -> Recipient {
    Recipient {
        party: party_of(supervisor),
        locale: Locale::parse(&supervisor.locale).unwrap_or_default(),
        timezone: supervisor.timezone.clone(),
        role: Role::Supervisor,
        id: supervisor.id,
    }
}

async fn load_people<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<BTreeMap<Uuid, person::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// One calendar event with its sessions and who is invited to each.
pub(crate) struct EventRows {
    pub event: calendar_event::Model,
    pub sessions: Vec<session::Model>,
    pub invited: HashMap<Uuid, BTreeSet<Uuid>>,
}

impl EventRows {
    /// Loads event `uid` as it stands now in the transaction.
    pub async fn load<C: ConnectionTrait>(db: &C, uid: &str) -> Result<Self, StoreError> {
        let event = calendar_event::Entity::find_by_id(uid.to_owned())
            .one(db)
            .await?
            .ok_or(StoreError::not_found("calendar event"))?;
        let sessions = session::Entity::find()
            .filter(session::Column::CalendarUid.eq(uid))
            .order_by_asc(session::Column::StartsAt)
            .all(db)
            .await?;
        let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
        let mut invited: HashMap<Uuid, BTreeSet<Uuid>> = HashMap::new();
        if !ids.is_empty() {
            for row in session_participant::Entity::find()
                .filter(session_participant::Column::SessionId.is_in(ids))
                .all(db)
                .await?
            {
                invited.entry(row.session_id).or_default().insert(row.person_id);
            }
        }
        Ok(Self { event, sessions, invited })
    }

    /// Everyone invited to at least one session of the event.
    pub fn people(&self) -> BTreeSet<Uuid> {
        self.invited.values().flatten().copied().collect()
    }

    /// Whether `person` is invited to `session`.
    pub fn is_invited(&self, session: Uuid, person: Uuid) -> bool {
        self.invited.get(&session).is_some_and(|people| people.contains(&person))
    }

    /// The event as `person` sees it (`None`: the supervisor, who sees every session).
    pub fn view(&self, series: &series::Model, person: Option<Uuid>) -> CalendarEvent {
        let instances = self
            .sessions
            .iter()
            .filter(|s| person.is_none_or(|p| self.is_invited(s.id, p)))
            .map(|s| instance(series, s))
            .collect();
        CalendarEvent {
            uid: self.event.uid.clone(),
            first_start: NaiveDateTime::parse_from_str(&self.event.first_start, "%Y-%m-%dT%H:%M").unwrap_or_default(),
            timezone: self.event.timezone.clone(),
            duration_minutes: u16::try_from(self.event.duration_minutes).unwrap_or_default(),
            rrule: self.event.rrule.clone(),
            instances,
        }
    }

    /// Whether the event is a single session (no rule).
    pub fn is_single(&self) -> bool {
        self.event.rrule.is_none()
    }
}

/// A session as an instance of its event.
pub(crate) fn instance(series: &series::Model, s: &session::Model) -> EventInstance {
    EventInstance {
        session_id: s.id,
        index: u32::try_from(s.index).unwrap_or_default(),
        recurrence_id: s.recurrence_id,
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        status: SessionStatus::parse(&s.status).unwrap_or(SessionStatus::Scheduled),
        location: s.location.clone().or_else(|| series.location.clone()),
        video_url: s.video_url.clone().or_else(|| series.video_url.clone()),
    }
}

/// Who gets a message about an event.
#[derive(Clone, Copy)]
pub(crate) enum Audience<'a> {
    /// The supervisors and everyone invited to a session of the event.
    Everyone,
    /// The supervisors only (the supervisor and the co-supervisor).
    Supervisor,
    /// The co-supervisor only (who joined or left).
    CoSupervisor,
    /// The series' supervisor only (not the co-supervisor).
    MainSupervisor,
    /// These people only.
    People(&'a BTreeSet<Uuid>),
}

/// The notices collected during a change, written at its end.
pub(crate) struct OutboxWriter<'c> {
    context: &'c SeriesContext,
    sequence: u32,
    notices: Vec<(Notice, String)>,
}

impl<'c> OutboxWriter<'c> {
    /// Messages about `context`'s series at its current SEQUENCE.
    pub fn new(context: &'c SeriesContext) -> Self {
        let sequence = u32::try_from(context.series.ical_sequence).unwrap_or_default();
        Self { context, sequence, notices: Vec::new() }
    }

    /// One message per recipient in `audience` about `event`, each built by `message` from
    /// the recipient's view of the event (people with no session of it in view get none).
    pub fn about(
        &mut self,
        event: &EventRows,
        audience: Audience<'_>,
        change: &Change,
        message: impl Fn(CalendarEvent, Option<Uuid>) -> Option<CalendarMessage>,
    ) {
        let ctx = self.context;
        let mut recipients: Vec<(Recipient, Option<Uuid>)> = Vec::new();
        if matches!(audience, Audience::Everyone | Audience::Supervisor) {
            recipients.extend(ctx.supervisor_recipients().into_iter().map(|r| (r, None)));
        }
        if let (Audience::CoSupervisor, Some(co)) = (audience, &ctx.co_supervisor) {
            recipients.push((supervisor_recipient(co), None));
        }
        if matches!(audience, Audience::MainSupervisor) {
            recipients.push((supervisor_recipient(&ctx.supervisor), None));
        }
        let people: BTreeSet<Uuid> = match audience {
            Audience::Everyone => event.people(),
            Audience::Supervisor | Audience::CoSupervisor | Audience::MainSupervisor => BTreeSet::new(),
            Audience::People(ids) => ids.clone(),
        };
        for id in people {
            if let Some(person) = ctx.person(id) {
                recipients.push((ctx.person_recipient(person), Some(id)));
            }
        }
        for (recipient, person) in recipients {
            let view = event.view(&ctx.series, person);
            if view.instances.is_empty() {
                continue;
            }
            let Some(calendar) = message(view, person) else { continue };
            let key = format!("invite:{}:{}:{}:{}", ctx.series.id, self.sequence, recipient.id, event.event.uid);
            let notice = Notice::Invite {
                recipient,
                organizer: ctx.organizer(),
                supervisors: ctx.supervisors(),
                attendees: ctx.attendees(),
                series: ctx.info(),
                sequence: self.sequence,
                change: change.clone(),
                calendar,
            };
            self.notices.push((notice, key));
        }
    }

    /// Writes the collected notices.
    pub async fn write<C: ConnectionTrait>(self, db: &C, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let count = self.notices.len();
        for (notice, key) in &self.notices {
            crate::outbox::queue::enqueue(db, notice, key, now).await?;
        }
        Ok(count)
    }
}
