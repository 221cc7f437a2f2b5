//! The words an e-invoice shows its reader, in Finnish, Swedish or English: item names, the
//! kind of service, payment terms.
//!
//! An item's name says which session it is — series, date, held or cancelled late, trial —
//! and nothing else: never a participant's name, a note or a goal.

use chrono::NaiveDate;
use ohjaus_core::locale::{Length, date};
use ohjaus_core::{InvoiceLine, LineStatus, Locale, SeriesKind};

fn tr(locale: Locale, fi: &'static str, sv: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Fi => fi,
        Locale::Sv => sv,
        Locale::En => en,
    }
}

/// The kind of service, e.g. "Ryhmätyönohjaus" (the item's description, BT-154).
pub fn kind(locale: Locale, kind: SeriesKind) -> &'static str {
    match kind {
        SeriesKind::IndividualSupervision => {
            tr(locale, "Yksilötyönohjaus", "Individuell handledning", "Individual supervision")
        }
        SeriesKind::GroupSupervision => tr(locale, "Ryhmätyönohjaus", "Grupphandledning", "Group supervision"),
        SeriesKind::WorkCommunitySupervision => {
            tr(locale, "Työyhteisön työnohjaus", "Arbetsgemenskapshandledning", "Work community supervision")
        }
        SeriesKind::IndividualCoaching => tr(locale, "Yksilövalmennus", "Individuell coachning", "Individual coaching"),
        SeriesKind::TeamCoaching => tr(locale, "Tiimivalmennus", "Teamcoachning", "Team coaching"),
    }
}

/// Why the session is charged: "pidetty", "peruttu myöhässä".
pub fn status(locale: Locale, status: LineStatus) -> &'static str {
    match status {
        LineStatus::Held => tr(locale, "pidetty", "hållen", "held"),
        LineStatus::LateCancelled => tr(locale, "peruttu myöhässä", "avbokad för sent", "cancelled late"),
    }
}

/// "kokeilukerta", for a trial session.
pub fn trial(locale: Locale) -> &'static str {
    tr(locale, "kokeilukerta", "provtillfälle", "trial session")
}

/// The item's name (BT-153): "Osasto 5A:n työnohjaus 12.1.2027, pidetty" and ", kokeilukerta"
/// for a trial session.
pub fn item_name(locale: Locale, line: &InvoiceLine) -> String {
    let mut name = format!(
        "{} {}, {}",
        line.series_title(),
        date(locale, line.date(), Length::Full),
        status(locale, line.status())
    );
    if line.is_trial() {
        name.push_str(", ");
        name.push_str(trial(locale));
    }
    name
}

/// The payment terms of an invoice (BT-20): "14 päivää netto, eräpäivä 15.2.2027".
pub fn payment_terms(locale: Locale, days: u16, due: NaiveDate) -> String {
    let due = date(locale, due, Length::Full);
    match locale {
        Locale::Fi => format!("{days} päivää netto, eräpäivä {due}"),
        Locale::Sv => format!("{days} dagar netto, förfallodag {due}"),
        Locale::En => format!("{days} days net, due {due}"),
    }
}

/// The payment terms of a credit note (BT-20): "Hyvitys laskuun OHJ-1042".
pub fn credit_terms(locale: Locale, invoice_number: &str) -> String {
    match locale {
        Locale::Fi => format!("Hyvitys laskuun {invoice_number}"),
        Locale::Sv => format!("Kreditering av faktura {invoice_number}"),
        Locale::En => format!("Credit of invoice {invoice_number}"),
    }
}
