//! Session notes: what the supervisor writes down about a session. The most confidential
//! thing the service keeps.
//!
//! | caller | reads | writes |
//! |---|---|---|
//! | the series' supervisors (its supervisor and co-supervisor: visibility `supervisor` means them both) | every note of the session | yes (the author is the caller) |
//! | a participant invited to the session | notes with visibility `participants` | no (`Forbidden`) |
//! | a participant of the series not invited to this session | nothing (`Forbidden`) | no |
//! | the organization's coordinator | nothing, ever (`Forbidden`) | no |
//! | an admin | nothing (`Forbidden`): notes are confidential from the service's operators too; an admin can see that a session exists, never what was said in it | no |
//! | anyone else | `NotFound` | `NotFound` |

use super::privacy::{Audit, AuditAction};
use crate::access::{Access, SeriesRole, is_invited, session_for};
use crate::entity::note;
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::Prose;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who may read a note besides its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteVisibility {
    /// The series' supervisors alone (its supervisor and co-supervisor).
    Supervisor,
    /// The supervisor and the participants of the session.
    Participants,
}

impl NoteVisibility {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supervisor => "supervisor",
            Self::Participants => "participants",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Supervisor, Self::Participants].into_iter().find(|v| v.as_str() == value)
    }
}

/// A note as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    /// Id.
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The author.
    pub supervisor_id: Uuid,
    /// What was written.
    pub text: String,
    /// Who may read it.
    pub visibility: NoteVisibility,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<note::Model> for Note {
    type Error = StoreError;

    fn try_from(row: note::Model) -> Result<Self, StoreError> {
        let visibility = NoteVisibility::parse(&row.visibility).ok_or_else(|| {
            StoreError::Database(DbErr::Custom(format!("unknown note visibility {:?}", row.visibility)))
        })?;
        Ok(Self {
            id: row.id,
            session_id: row.session_id,
            supervisor_id: row.supervisor_id,
            text: row.text,
            visibility,
            created_at: row.created_at,
        })
    }
}

/// `POST /sessions/{id}/notes` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// What to write down.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Prose))]
    pub text: String,
    /// Who may read it.
    pub visibility: NoteVisibility,
}

impl Store {
    /// The notes of session `session_id` the caller may read, oldest first (see the module's
    /// table). Every read that is answered is written to the audit log at `now`
    /// ([`super::privacy`]), whoever reads and however many notes it shows.
    pub async fn list_notes(
        &self,
        caller: &Caller,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<Note>, StoreError> {
        let notes = self.visible_notes(caller, session_id).await?;
        audit_read(self, caller, session_id, notes.len(), now).await?;
        Ok(notes)
    }

    /// Note `note_id` of session `session_id`, if the caller may read it (as
    /// [`Store::list_notes`]; a note they may not read is not found); audited like a list.
    pub async fn get_note(
        &self,
        caller: &Caller,
        session_id: Uuid,
        note_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let found = self
            .visible_notes(caller, session_id)
            .await?
            .into_iter()
            .find(|n| n.id == note_id)
            .ok_or(StoreError::not_found("note"))?;
        audit_read(self, caller, session_id, 1, now).await?;
        Ok(found)
    }

    /// The notes of a session the caller may read, unaudited: only for the two reads above.
    async fn visible_notes(&self, caller: &Caller, session_id: Uuid) -> Result<Vec<Note>, StoreError> {
        let db = self.connection();
        let (_, _, role) = session_for(db, caller, session_id, Access::View, false).await?;
        let mut query = note::Entity::find().filter(note::Column::SessionId.eq(session_id));
        match role {
            SeriesRole::Supervisor(_) => {}
            SeriesRole::Participant(person_id) => {
                if !is_invited(db, person_id, session_id).await? {
                    return Err(StoreError::Forbidden);
                }
                query = query.filter(note::Column::Visibility.eq(NoteVisibility::Participants.as_str()));
            }
            SeriesRole::Admin | SeriesRole::Coordinator => return Err(StoreError::Forbidden),
        }
        query
            .order_by_asc(note::Column::CreatedAt)
            .order_by_asc(note::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(Note::try_from)
            .collect()
    }

    /// Writes a note on session `session_id` (the series' supervisors only, as its author; any
    /// session of the series, past or future, held or cancelled).
    pub async fn create_note(
        &self,
        caller: &Caller,
        session_id: Uuid,
        new: &NewNote,
        now: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let text = Prose::parse("text", &new.text)?;
        let db = self.connection();
        let (_, _, role) = session_for(db, caller, session_id, Access::View, false).await?;
        let SeriesRole::Supervisor(author) = role else {
            return Err(StoreError::Forbidden);
        };
        let row = note::Model {
            id: new_id(),
            session_id,
            supervisor_id: author,
            text: text.as_str().to_owned(),
            visibility: new.visibility.as_str().to_owned(),
            created_at: now,
        }
        .into_active_model()
        .insert(db)
        .await?;
        Note::try_from(row)
    }
}

/// Writes the read of `count` notes of session `session_id` by `caller` to the audit log.
async fn audit_read(
    store: &Store,
    caller: &Caller,
    session_id: Uuid,
    count: usize,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Audit { actor: Some(*caller), action: AuditAction::NoteRead, person_id: None, session_id: Some(session_id), count }
        .write(store.connection(), now)
        .await
}
