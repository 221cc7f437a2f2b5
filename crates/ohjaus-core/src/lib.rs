//! The pure domain of Ohjaus — scheduling and invoicing: no IO, no clock, no database, no HTTP.
//!
//! A tour, in the order a booking uses it:
//!
//! - [`series`] — the series body as it arrives, validated into a [`SeriesSpec`]: every field
//!   checked, every error named ([`error`]). Values are parsed once into types that carry
//!   their rules: [`TimeZone`], [`Email`], [`SessionDuration`], [`Label`], [`Recurrence`].
//! - [`recurrence`] — weekly every k weeks or monthly on the nth weekday, with a count or an
//!   end date, expanded with the `rrule` crate in local wall time ([`zone`] turns wall times
//!   into instants, moving a time in a DST gap forward and taking the earlier of two).
//!   [`rhythm`] says a recurrence in words, as a poll's options are shown to voters.
//! - [`holidays`] and [`days_off`] — Finnish public holidays for any year, plus an
//!   organization's closures; [`plan`] applies the holiday policy (skip, shift, keep),
//!   numbers the sessions and gives them their [`evaluation`] phase.
//! - [`conflicts`] — each occurrence against the supervisor's bookings (with the buffer),
//!   absences and [`working_hours`], and each participant's bookings, through an index that
//!   holds busy time of every source ([`Busy`]: sessions, absences, external calendars).
//! - [`slots`] — the earliest first starts from which a whole series is free.
//! - [`cancellation`] — late or in-time cancellations and where a make-up goes.
//! - [`preview`] — the JSON a preview answers, shared by the CLI and the API.
//! - [`calendar`] and [`notice`] — the calendar view of a series and the notifications the
//!   store snapshots into the outbox for the worker to render ([`locale`]: fi, sv, en, and
//!   dates and times as each language writes them, for the emails and the pages alike).
//!
//! Invoicing, from a contract to an invoice's totals:
//!
//! - [`money`] — amounts in integer cents ([`Cents`], checked arithmetic) and the
//!   [`Currency`]; [`vat`] — VAT categories `S`, `Z`, `E` and exact rates.
//! - [`business_id`], [`peppol`], [`bank`], [`reference`], [`address`] — the identifiers an
//!   invoice carries, each checked as its scheme says: the business ID (Y-tunnus) and the VAT
//!   number and OVT code made from it, Peppol participant ids, IBAN and BIC, the Finnish
//!   payment reference, postal addresses.
//! - [`contract`] — a series' contract terms: price, VAT, trial sessions, which cancellations
//!   are charged, an early end, the payer's invoicing details; which session is charged.
//! - [`billing`] — the seller's billing profile and invoice number series.
//! - [`invoice`] — lines, totals per VAT category and for the document (EN 16931 rounding),
//!   invoices and credit notes. `ohjaus-einvoice` writes them as Peppol BIS Billing 3.0.
//!
//! Everything time-dependent takes `now` or the days off as arguments, so tests are exact.

pub mod address;
pub mod bank;
pub mod billing;
pub mod business_id;
pub mod calendar;
pub mod cancellation;
pub mod conflicts;
pub mod contract;
pub mod days_off;
pub mod duration;
pub mod email;
pub mod error;
pub mod evaluation;
pub mod holidays;
pub mod invoice;
pub mod kind;
pub mod locale;
pub mod money;
pub mod notice;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod peppol;
pub mod plan;
pub mod preview;
pub mod recurrence;
pub mod reference;
pub mod rhythm;
pub mod series;
pub mod slots;
pub mod text;
pub mod vat;
pub mod working_hours;
pub mod zone;

#[cfg(test)]
mod proptests;

pub use address::{CountryCode, PostalAddress, PostalAddressBody};
pub use bank::{Bic, Iban};
pub use billing::{BillingProfile, BillingProfileBody, InvoiceNumber, InvoiceNumberSeries};
pub use business_id::{BusinessId, FinnishVatNumber, OvtCode};
pub use calendar::{CalendarEvent, EventInstance, SessionStatus, is_ohjaus_uid};
pub use cancellation::{CancellationOutcome, CancellationTerms};
pub use conflicts::{
    Booking, BookingIndex, Busy, BusySource, Conflict, ConflictReason, Occurrence, ParticipantAgenda, SupervisorAgenda,
    find_conflicts, find_conflicts_of,
};
pub use contract::{Charge, ContractTerms, ContractTermsBody, DecimalInput, PayerBody, PayerDetails, TrialSessions};
pub use days_off::{Closure, DayOff, DaysOff};
pub use duration::SessionDuration;
pub use email::Email;
pub use error::{FieldError, ValidationErrors};
pub use evaluation::{Phase, ReviewPhase, phase_of};
pub use holidays::{Holiday, finnish_holiday, finnish_holidays};
pub use invoice::{
    DocumentKind, Invoice, InvoiceError, InvoiceInput, InvoiceLine, LineStatus, Period, PrecedingInvoice, Totals,
    VatSubtotal,
};
pub use kind::{HolidayPolicy, SeriesKind};
pub use locale::Locale;
pub use money::{Cents, Currency};
pub use notice::Notice;
pub use peppol::{EInvoiceAddress, PeppolId};
pub use plan::{Plan, PlannedSession, Schedule, SkippedDate};
pub use preview::{Preview, PreviewWarning};
pub use recurrence::{End, Pattern, Recurrence, RecurrenceBody};
pub use reference::ReferenceNumber;
pub use series::{Participants, SeriesBody, SeriesSpec};
pub use slots::{Slot, SlotQuery, find_slots};
pub use text::{Label, Prose, VideoUrl};
pub use vat::{ExemptionReasonCode, VatCategory, VatRate};
pub use working_hours::{WorkingHours, WorkingHoursEntry};
pub use zone::TimeZone;
