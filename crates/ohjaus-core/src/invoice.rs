//! Invoices and credit notes of supervision sessions, with their totals computed as EN 16931
//! requires.
//!
//! - One [`InvoiceLine`] per charged session (quantity 1: a session is the unit, so the line
//!   amount is the price, already whole cents — EN 16931's "line amounts to two decimals"
//!   holds without rounding).
//! - [`Totals::of`] groups lines by VAT category and rate: the category's taxable amount is the
//!   sum of its lines (BR-S-08, BR-Z-08, BR-E-08), its VAT is computed once on that sum and
//!   rounded to the cent, halves away from zero (BR-CO-17) — never summed from per-line VAT,
//!   which drifts by a cent per few lines. The document's VAT is the sum of the categories'
//!   (BR-CO-14); with no allowances, charges or prepayments, the tax exclusive amount equals
//!   the sum of lines (BR-CO-13), tax inclusive is that plus VAT (BR-CO-15) and the amount
//!   payable equals it (BR-CO-16).
//! - A credit note, as Peppol BIS Billing 3.0 writes it, is a CreditNote document (type 381)
//!   with the same positive amounts as the lines it credits and a reference to the invoice
//!   (BT-25), never an invoice with negative amounts.

use crate::billing::{BillingProfile, InvoiceNumber};
use crate::contract::PayerDetails;
use crate::error::FieldError;
use crate::kind::SeriesKind;
use crate::money::{Cents, Currency};
use crate::reference::ReferenceNumber;
use crate::text::Label;
use crate::vat::VatCategory;
use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

/// Why a session on an invoice is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// The session took place.
    Held,
    /// The session was cancelled too late and the contract charges for that.
    LateCancelled,
}

impl LineStatus {
    /// The wire name: `held` or `late_cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::LateCancelled => "late_cancelled",
        }
    }
}

/// One charged session. It names the session by its date, series and status only: never a
/// participant, a note or a goal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InvoiceLine {
    date: NaiveDate,
    series_title: Label,
    kind: SeriesKind,
    status: LineStatus,
    trial: bool,
    net: Cents,
    currency: Currency,
    vat: VatCategory,
}

impl InvoiceLine {
    /// A line for a session on `date` of the series `series_title` of `kind`, charged `net`
    /// (0 to [`Cents::MAX_PRICE`]; quantity 1).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        date: NaiveDate,
        series_title: Label,
        kind: SeriesKind,
        status: LineStatus,
        trial: bool,
        net: Cents,
        currency: Currency,
        vat: VatCategory,
    ) -> Result<Self, FieldError> {
        let net = Cents::price("net", net.get())?;
        Ok(Self { date, series_title, kind, status, trial, net, currency, vat })
    }

    /// A line from a contract's charge, whose price is already known to be in range.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn charged(
        date: NaiveDate,
        series_title: Label,
        kind: SeriesKind,
        status: LineStatus,
        trial: bool,
        net: Cents,
        currency: Currency,
        vat: VatCategory,
    ) -> Self {
        Self { date, series_title, kind, status, trial, net, currency, vat }
    }

    /// The session's date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The series' title.
    pub fn series_title(&self) -> &Label {
        &self.series_title
    }

    /// The series' kind.
    pub fn kind(&self) -> SeriesKind {
        self.kind
    }

    /// Held or cancelled late.
    pub fn status(&self) -> LineStatus {
        self.status
    }

    /// Whether it is a trial session.
    pub fn is_trial(&self) -> bool {
        self.trial
    }

    /// Always 1: one session.
    pub fn quantity(&self) -> u32 {
        1
    }

    /// The price of the session, which is the line's net amount (BT-131, BT-146).
    pub fn net(&self) -> Cents {
        self.net
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The VAT category of the session (BT-151, BT-152).
    pub fn vat(&self) -> &VatCategory {
        &self.vat
    }
}

/// The VAT of one category and rate on a document (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct VatSubtotal {
    category: VatCategory,
    taxable: Cents,
    tax: Cents,
}

impl VatSubtotal {
    /// The category and rate (BT-118, BT-119, and BT-120/121 for `E`).
    pub fn category(&self) -> &VatCategory {
        &self.category
    }

    /// The sum of the category's lines (BT-116).
    pub fn taxable(&self) -> Cents {
        self.taxable
    }

    /// The VAT on it, rounded to the cent (BT-117).
    pub fn tax(&self) -> Cents {
        self.tax
    }
}

/// What went wrong assembling an invoice or a credit note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// An invoice needs at least one line (BR-16).
    #[error("an invoice needs at least one line")]
    NoLines,
    /// Lines in different currencies.
    #[error("the lines are in different currencies ({0} and {1})")]
    MixedCurrencies(Currency, Currency),
    /// Exempt lines with different reasons: a document has one exemption reason per category
    /// (its breakdown must equal the sum of all exempt lines, BR-E-08), so they need separate
    /// invoices.
    #[error("exempt lines have different exemption reasons; invoice them separately")]
    MixedExemptionReasons,
    /// A sum does not fit.
    #[error("the amounts are too large")]
    Overflow,
    /// The period ends before it starts.
    #[error("the period ends before it starts")]
    BackwardsPeriod,
    /// A line's date is outside the invoice's period (Peppol R110/R111).
    #[error("the session on {0} is outside the invoice's period")]
    LineOutsidePeriod(NaiveDate),
    /// Only an invoice can be credited.
    #[error("only an invoice can be credited, not a credit note")]
    CreditOfCreditNote,
    /// A credit note is issued on or after the invoice it credits.
    #[error("a credit note cannot be dated before the invoice it credits")]
    CreditBeforeInvoice,
    /// A line number that the invoice does not have, or one named twice.
    #[error("the invoice has no line {0} to credit (or it is named twice)")]
    NoSuchLine(usize),
}

/// The totals of a set of lines: per VAT category and for the document (BG-22). Serialized
/// with every document total by name: `line_total`, `tax_exclusive`, `vat_total`,
/// `tax_inclusive`, `payable`, and `subtotals`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Totals {
    subtotals: Vec<VatSubtotal>,
    line_total: Cents,
    vat_total: Cents,
    tax_inclusive: Cents,
}

impl Totals {
    /// The totals of `lines`: per category (standard rates from the highest, then zero rated,
    /// then exempt), and for the document. Fails on no lines, mixed currencies, two exemption
    /// reasons, or overflow.
    pub fn of(lines: &[InvoiceLine]) -> Result<Self, InvoiceError> {
        let first = lines.first().ok_or(InvoiceError::NoLines)?;
        if let Some(other) = lines.iter().find(|line| line.currency != first.currency) {
            return Err(InvoiceError::MixedCurrencies(first.currency, other.currency));
        }
        let mut subtotals: Vec<VatSubtotal> = Vec::new();
        for line in lines {
            match subtotals.iter_mut().find(|s| s.category == line.vat) {
                Some(subtotal) => {
                    subtotal.taxable = subtotal.taxable.checked_add(line.net).ok_or(InvoiceError::Overflow)?;
                }
                None => {
                    if line.vat.code() == "E" && subtotals.iter().any(|s| s.category.code() == "E") {
                        return Err(InvoiceError::MixedExemptionReasons);
                    }
                    subtotals.push(VatSubtotal { category: line.vat.clone(), taxable: line.net, tax: Cents::ZERO });
                }
            }
        }
        for subtotal in &mut subtotals {
            subtotal.tax = subtotal.category.tax_on(subtotal.taxable).ok_or(InvoiceError::Overflow)?;
        }
        let order = |s: &VatSubtotal| {
            let class = match s.category.code() {
                "S" => 0,
                "Z" => 1,
                _ => 2,
            };
            (class, std::cmp::Reverse(s.category.rate()))
        };
        subtotals.sort_by_key(order);
        let line_total = Cents::checked_sum(lines.iter().map(|l| l.net)).ok_or(InvoiceError::Overflow)?;
        let vat_total = Cents::checked_sum(subtotals.iter().map(|s| s.tax)).ok_or(InvoiceError::Overflow)?;
        let tax_inclusive = line_total.checked_add(vat_total).ok_or(InvoiceError::Overflow)?;
        Ok(Self { subtotals, line_total, vat_total, tax_inclusive })
    }

    /// One per VAT category and rate.
    pub fn subtotals(&self) -> &[VatSubtotal] {
        &self.subtotals
    }

    /// Sum of the line net amounts (BT-106).
    pub fn line_total(&self) -> Cents {
        self.line_total
    }

    /// Total without VAT (BT-109): the lines' sum, as there are no document-level allowances
    /// or charges.
    pub fn tax_exclusive(&self) -> Cents {
        self.line_total
    }

    /// Total VAT (BT-110): the sum of the categories' VAT.
    pub fn vat_total(&self) -> Cents {
        self.vat_total
    }

    /// Total with VAT (BT-112).
    pub fn tax_inclusive(&self) -> Cents {
        self.tax_inclusive
    }

    /// Amount due (BT-115): the total with VAT, as nothing is prepaid.
    pub fn payable(&self) -> Cents {
        self.tax_inclusive
    }
}

impl Serialize for Totals {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Totals", 6)?;
        state.serialize_field("line_total", &self.line_total())?;
        state.serialize_field("tax_exclusive", &self.tax_exclusive())?;
        state.serialize_field("vat_total", &self.vat_total())?;
        state.serialize_field("tax_inclusive", &self.tax_inclusive())?;
        state.serialize_field("payable", &self.payable())?;
        state.serialize_field("subtotals", &self.subtotals)?;
        state.end()
    }
}

/// The span of days an invoice covers (BG-14), e.g. a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// The calendar month `YYYY-MM` (years 2000–2199), e.g. `2027-01` for 1–31 January 2027;
    /// anything else is an error on `field`.
    pub fn month(field: &str, text: &str) -> Result<Self, FieldError> {
        let wrong = || FieldError::new(field, format!("{text:?} is not a month YYYY-MM"));
        let shaped = text.len() == 7
            && text.as_bytes()[4] == b'-'
            && text.bytes().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shaped {
            return Err(wrong());
        }
        let start = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| wrong())?;
        if !(2000..=2199).contains(&chrono::Datelike::year(&start)) {
            return Err(FieldError::new(field, "must be in the years 2000–2199"));
        }
        let next = start.checked_add_months(chrono::Months::new(1)).ok_or_else(wrong)?;
        let end = next.pred_opt().ok_or_else(wrong)?;
        Ok(Self { start, end })
    }

    /// The month as `YYYY-MM` (of the first day).
    pub fn month_text(self) -> String {
        self.start.format("%Y-%m").to_string()
    }

    /// From `start` to `end`, both included.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, InvoiceError> {
        if end < start {
            return Err(InvoiceError::BackwardsPeriod);
        }
        Ok(Self { start, end })
    }

    /// The first day.
    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The last day.
    pub fn end(self) -> NaiveDate {
        self.end
    }

    /// Whether `date` is in it.
    pub fn contains(self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// The invoice a credit note credits (BG-3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PrecedingInvoice {
    /// Its number (BT-25).
    pub number: InvoiceNumber,
    /// Its date (BT-26).
    pub issue_date: NaiveDate,
}

/// Whether a document is an invoice or a credit note. Serialized as
/// `{"type": "invoice"}` or `{"type": "credit_note", "number": …, "issue_date": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentKind {
    /// A commercial invoice, UNTDID 1001 code 380.
    Invoice,
    /// A credit note, code 381, of an earlier invoice.
    CreditNote(PrecedingInvoice),
}

impl DocumentKind {
    /// The UNTDID 1001 type code (BT-3): 380 or 381.
    pub fn type_code(&self) -> u16 {
        match self {
            Self::Invoice => 380,
            Self::CreditNote(_) => 381,
        }
    }
}

/// What an approved draft becomes an invoice from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInput {
    /// The number the store assigned.
    pub number: InvoiceNumber,
    /// The invoice date.
    pub issue_date: NaiveDate,
    /// The seller, as their profile is at approval.
    pub seller: BillingProfile,
    /// The payer, as the contract names them at approval.
    pub buyer: PayerDetails,
    /// The period the invoice covers, if any; every line's date must be in it.
    pub period: Option<Period>,
    /// The charged sessions, in the order they are to appear.
    pub lines: Vec<InvoiceLine>,
}

/// An issued invoice or credit note: numbered, dated, with the parties as they were then and
/// the totals. Immutable; a correction is a credit note ([`Invoice::credit_note`]). Serialized
/// with its payment reference, for the JSON of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    kind: DocumentKind,
    number: InvoiceNumber,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    currency: Currency,
    seller: BillingProfile,
    buyer: PayerDetails,
    period: Option<Period>,
    lines: Vec<InvoiceLine>,
    totals: Totals,
    payment_reference: ReferenceNumber,
}

impl Invoice {
    /// Issues an invoice: totals computed, due date from the seller's payment terms.
    pub fn issue(input: InvoiceInput) -> Result<Self, InvoiceError> {
        let totals = Totals::of(&input.lines)?;
        if let Some(period) = input.period
            && let Some(outside) = input.lines.iter().find(|line| !period.contains(line.date))
        {
            return Err(InvoiceError::LineOutsidePeriod(outside.date));
        }
        let due_date = input
            .issue_date
            .checked_add_signed(TimeDelta::days(i64::from(input.seller.payment_terms_days())))
            .ok_or(InvoiceError::Overflow)?;
        let payment_reference = ReferenceNumber::for_invoice(input.number.sequence());
        Ok(Self {
            kind: DocumentKind::Invoice,
            number: input.number,
            issue_date: input.issue_date,
            due_date,
            currency: input.lines[0].currency,
            seller: input.seller,
            buyer: input.buyer,
            period: input.period,
            payment_reference,
            lines: input.lines,
            totals,
        })
    }

    /// A credit note of the whole invoice, numbered `number` and dated `issue_date`.
    pub fn credit_note(&self, number: InvoiceNumber, issue_date: NaiveDate) -> Result<Self, InvoiceError> {
        let all: Vec<usize> = (1..=self.lines.len()).collect();
        self.credit_note_of_lines(number, issue_date, &all)
    }

    /// A credit note of some lines of the invoice (1-based line numbers, as on the invoice),
    /// with the same parties and period and the lines' amounts as they were.
    pub fn credit_note_of_lines(
        &self,
        number: InvoiceNumber,
        issue_date: NaiveDate,
        line_numbers: &[usize],
    ) -> Result<Self, InvoiceError> {
        if !matches!(self.kind, DocumentKind::Invoice) {
            return Err(InvoiceError::CreditOfCreditNote);
        }
        if issue_date < self.issue_date {
            return Err(InvoiceError::CreditBeforeInvoice);
        }
        let mut seen = std::collections::BTreeSet::new();
        let lines = line_numbers
            .iter()
            .map(|n| {
                let line = n.checked_sub(1).and_then(|i| self.lines.get(i)).filter(|_| seen.insert(*n));
                line.cloned().ok_or(InvoiceError::NoSuchLine(*n))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let totals = Totals::of(&lines)?;
        let payment_reference = ReferenceNumber::for_invoice(number.sequence());
        Ok(Self {
            kind: DocumentKind::CreditNote(PrecedingInvoice {
                number: self.number.clone(),
                issue_date: self.issue_date,
            }),
            number,
            issue_date,
            due_date: issue_date,
            currency: self.currency,
            seller: self.seller.clone(),
            buyer: self.buyer.clone(),
            period: self.period,
            payment_reference,
            lines,
            totals,
        })
    }

    /// Invoice or credit note.
    pub fn kind(&self) -> &DocumentKind {
        &self.kind
    }

    /// The number (BT-1).
    pub fn number(&self) -> &InvoiceNumber {
        &self.number
    }

    /// The date (BT-2).
    pub fn issue_date(&self) -> NaiveDate {
        self.issue_date
    }

    /// When payment is due (BT-9): the date plus the seller's payment terms; for a credit note,
    /// its own date.
    pub fn due_date(&self) -> NaiveDate {
        self.due_date
    }

    /// The currency (BT-5).
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The seller (BG-4).
    pub fn seller(&self) -> &BillingProfile {
        &self.seller
    }

    /// The buyer (BG-7).
    pub fn buyer(&self) -> &PayerDetails {
        &self.buyer
    }

    /// The period (BG-14).
    pub fn period(&self) -> Option<Period> {
        self.period
    }

    /// The lines, numbered from 1 in this order.
    pub fn lines(&self) -> &[InvoiceLine] {
        &self.lines
    }

    /// The totals.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The payment reference (BT-83): the Finnish reference number of this document's number.
    pub fn payment_reference(&self) -> &ReferenceNumber {
        &self.payment_reference
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::tests::body as profile_body;
    use crate::contract::ContractTerms;
    use crate::contract::tests::body as terms_body;
    use crate::vat::VatRate;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn line(net: i64, vat: VatCategory) -> InvoiceLine {
        let title = Label::parse("title", "Osasto 5A").unwrap();
        InvoiceLine::new(
            date("2027-01-12"),
            title,
            SeriesKind::GroupSupervision,
            LineStatus::Held,
            false,
            Cents::new(net),
            Currency::EUR,
            vat,
        )
        .unwrap()
    }

    fn standard(percent: &str) -> VatCategory {
        VatCategory::Standard(VatRate::parse("rate", percent).unwrap())
    }

    fn exempt(reason: &str) -> VatCategory {
        VatCategory::Exempt { reason: Label::parse("reason", reason).unwrap(), code: None }
    }

    #[test]
    fn vat_is_computed_on_the_category_total() {
        // 17 × 117.65 at 25.5 %: per line 30.00075 → 30.00, summed 510.00; on the total
        // 2000.05 × 0.255 = 510.01275 → 510.01.
        let lines = vec![line(11_765, standard("25.5")); 17];
        let totals = Totals::of(&lines).unwrap();
        assert_eq!(totals.line_total(), Cents::new(200_005));
        assert_eq!(totals.subtotals()[0].tax(), Cents::new(51_001));
        assert_eq!(totals.vat_total(), Cents::new(51_001));
        assert_eq!(totals.tax_inclusive(), Cents::new(251_006));
        assert_eq!(totals.payable(), totals.tax_inclusive());
    }

    #[test]
    fn categories_are_kept_apart_and_ordered() {
        let lines = vec![
            line(10_000, exempt("AVL 34 §")),
            line(10_000, standard("14")),
            line(10_000, standard("25.5")),
            line(5_000, standard("14")),
            line(1_000, VatCategory::ZeroRated),
        ];
        let totals = Totals::of(&lines).unwrap();
        let summary: Vec<(String, i64, i64)> =
            totals.subtotals().iter().map(|s| (s.category().to_string(), s.taxable().get(), s.tax().get())).collect();
        assert_eq!(
            summary,
            [
                ("S 25.5 %".to_owned(), 10_000, 2_550),
                ("S 14 %".to_owned(), 15_000, 2_100),
                ("Z 0 %".to_owned(), 1_000, 0),
                ("E 0 %".to_owned(), 10_000, 0)
            ]
        );
        assert_eq!(totals.vat_total(), Cents::new(4_650));
    }

    #[test]
    fn documents_that_cannot_be_made() {
        assert_eq!(Totals::of(&[]), Err(InvoiceError::NoLines));
        let two_reasons = [line(1, exempt("AVL 34 §")), line(1, exempt("AVL 39 §"))];
        assert_eq!(Totals::of(&two_reasons), Err(InvoiceError::MixedExemptionReasons));
        let title = Label::parse("title", "x").unwrap();
        let negative = InvoiceLine::new(
            date("2027-01-01"),
            title,
            SeriesKind::TeamCoaching,
            LineStatus::Held,
            false,
            Cents::new(-1),
            Currency::EUR,
            VatCategory::ZeroRated,
        );
        assert_eq!(negative.unwrap_err().field, "net");
    }

    fn invoice() -> Invoice {
        let seller = BillingProfile::parse(&profile_body()).unwrap();
        let terms = ContractTerms::parse(&terms_body()).unwrap();
        let title = Label::parse("title", "Osasto 5A:n työnohjaus").unwrap();
        let held = crate::calendar::SessionStatus::Held;
        let lines = (1..=3)
            .filter_map(|i| {
                terms.line(
                    &title,
                    SeriesKind::GroupSupervision,
                    i,
                    date("2027-01-05") + TimeDelta::days(7 * i64::from(i)),
                    held,
                    false,
                )
            })
            .collect();
        Invoice::issue(InvoiceInput {
            number: seller.number_series().next_number(),
            issue_date: date("2027-02-01"),
            buyer: terms.payer().clone(),
            seller,
            period: Some(Period::new(date("2027-01-01"), date("2027-01-31")).unwrap()),
            lines,
        })
        .unwrap()
    }

    #[test]
    fn an_invoice_and_its_credit_note() {
        let invoice = invoice();
        assert_eq!(invoice.kind().type_code(), 380);
        assert_eq!(invoice.number().to_string(), "OHJ-1042");
        assert_eq!(invoice.due_date(), date("2027-02-15"));
        assert_eq!(invoice.lines().len(), 3);
        assert!(invoice.lines()[0].is_trial());
        assert_eq!(invoice.totals().line_total(), Cents::new(36_000));
        assert_eq!(invoice.totals().vat_total(), Cents::new(9_180));
        assert_eq!(invoice.payment_reference().as_str(), "110424");

        let number = InvoiceNumber::new("OHJ-", 1043).unwrap();
        let credit = invoice.credit_note_of_lines(number.clone(), date("2027-02-10"), &[3]).unwrap();
        assert_eq!(credit.kind().type_code(), 381);
        assert_eq!(
            credit.kind(),
            &DocumentKind::CreditNote(PrecedingInvoice {
                number: invoice.number().clone(),
                issue_date: date("2027-02-01")
            })
        );
        assert_eq!(credit.totals().payable(), Cents::new(22_590), "positive amounts, as Peppol writes them");
        assert_eq!(credit.credit_note(number.clone(), date("2027-02-10")), Err(InvoiceError::CreditOfCreditNote));
        assert_eq!(invoice.credit_note(number.clone(), date("2027-01-31")), Err(InvoiceError::CreditBeforeInvoice));
        assert_eq!(
            invoice.credit_note_of_lines(number.clone(), date("2027-02-10"), &[1, 1]),
            Err(InvoiceError::NoSuchLine(1))
        );
        assert_eq!(invoice.credit_note_of_lines(number, date("2027-02-10"), &[4]), Err(InvoiceError::NoSuchLine(4)));
    }

    #[test]
    fn an_invoice_as_json() {
        let invoice = invoice();
        let json = serde_json::to_value(&invoice).unwrap();
        assert_eq!(json["kind"], serde_json::json!({"type": "invoice"}));
        assert_eq!(json["number"], "OHJ-1042");
        assert_eq!(json["due_date"], "2027-02-15");
        assert_eq!(json["payment_reference"], "110424");
        assert_eq!(json["totals"]["payable"], 45_180);
        assert_eq!(json["totals"]["subtotals"][0]["category"]["rate"], "25.5");
        assert_eq!(json["lines"][2]["status"], "held");
        assert_eq!(json["lines"][0]["vat"]["category"], "S");
        assert_eq!(json["seller"]["iban"], "FI2112345600000785");
        assert_eq!(json["buyer"]["einvoice_address"], "0216:003702454583");
        let credit = invoice.credit_note(InvoiceNumber::new("OHJ-", 1043).unwrap(), date("2027-02-10")).unwrap();
        let json = serde_json::to_value(&credit).unwrap();
        assert_eq!(
            json["kind"],
            serde_json::json!({"type": "credit_note", "number": "OHJ-1042", "issue_date": "2027-02-01"})
        );
    }

    #[test]
    fn a_month_is_a_period() {
        let january = Period::month("period", "2027-02").unwrap();
        assert_eq!((january.start(), january.end()), (date("2027-02-01"), date("2027-02-28")));
        assert_eq!(january.month_text(), "2027-02");
        for bad in ["2027-13", "2027-1", "27-01", "2027/01", "2027-01-01", "", "1999-12", "2027-0a"] {
            assert_eq!(Period::month("period", bad).unwrap_err().field, "period", "{bad}");
        }
    }

    #[test]
    fn lines_stay_in_the_period() {
        let invoice = invoice();
        let seller = invoice.seller().clone();
        let result = Invoice::issue(InvoiceInput {
            number: seller.number_series().next_number(),
            issue_date: date("2027-02-01"),
            seller,
            buyer: invoice.buyer().clone(),
            period: Some(Period::new(date("2027-01-01"), date("2027-01-15")).unwrap()),
            lines: invoice.lines().to_vec(),
        });
        assert_eq!(result, Err(InvoiceError::LineOutsidePeriod(date("2027-01-19"))));
        assert_eq!(Period::new(date("2027-01-02"), date("2027-01-01")), Err(InvoiceError::BackwardsPeriod));
    }
}
