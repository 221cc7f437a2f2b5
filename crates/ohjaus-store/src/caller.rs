//! Who is asking: every read and write of the store takes a `&Caller`, so the scope is an
//! argument that cannot be forgotten.

use uuid::Uuid;

/// The authenticated caller and the scope their role gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// Everything.
    Admin,
    /// One organization: its people, teams, closures, series and reports.
    Coordinator {
        /// The organization.
        organization_id: Uuid,
    },
    /// Their own series and sessions, across organizations.
    Supervisor {
        /// The supervisor.
        supervisor_id: Uuid,
    },
    /// Their own sessions and the goals of their series.
    Participant {
        /// The person.
        person_id: Uuid,
    },
}

impl Caller {
    /// Whether the caller is an admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Admin)
    }

    /// Whether the caller may manage organization `organization_id` (admin, or its coordinator).
    pub fn manages(&self, organization_id: Uuid) -> bool {
        match self {
            Self::Admin => true,
            Self::Coordinator { organization_id: own } => *own == organization_id,
            _ => false,
        }
    }

    /// Whether the caller is supervisor `supervisor_id` or an admin.
    pub fn is_supervisor_or_admin(&self, supervisor_id: Uuid) -> bool {
        match self {
            Self::Admin => true,
            Self::Supervisor { supervisor_id: own } => *own == supervisor_id,
            _ => false,
        }
    }
}
