//! Exports for other programs: the organization report as CSV (RFC 4180, UTF-8, one row per
//! series), served by the API (`Accept: text/csv` or `?format=csv`) and downloaded from the
//! coordinator's report page — the same bytes from both.
//!
//! Written by hand: RFC 4180 quoting is four lines, and a spreadsheet's formula injection
//! (a cell starting with `=`, `+`, `-` or `@`) must be defused whatever a CSV library does.

use super::organization_report::OrganizationReport;
use std::fmt::Write as _;

/// The media type of a CSV export.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";

/// The columns of the report's CSV, in order.
pub const REPORT_COLUMNS: &str = "team,series,kind,status,contracted,scheduled,held,cancelled,late_cancellations,used,remaining,attendance_rate,hours";

/// One CSV cell: quoted when needed, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet does not run it as a formula.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The report as CSV: a header of [`REPORT_COLUMNS`], then one row per series, teams in the
/// report's order.
pub fn report_csv(report: &OrganizationReport) -> String {
    let mut out = format!("{REPORT_COLUMNS}\r\n");
    for team in &report.teams {
        for series in &team.series {
            let f = &series.figures;
            let rate = f.attendance_rate.map_or_else(String::new, |r| format!("{r:.3}"));
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{:.2}\r\n",
                cell(team.team_name.as_deref().unwrap_or("")),
                cell(&series.title),
                cell(series.kind.as_str()),
                cell(series.status.as_str()),
                f.contracted,
                f.scheduled,
                f.held,
                f.cancelled,
                f.late_cancellations,
                f.used,
                f.remaining,
                rate,
                f.hours
            );
        }
    }
    out
}

/// The file name a download of the report for `from`–`to` gets.
pub fn report_file_name(from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
    format!("ohjaus-report-{from}-{to}.csv")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("Osasto 5"), "Osasto 5");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("sanoi \"hei\""), "\"sanoi \"\"hei\"\"\"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("-1,5"), "\"'-1,5\"");
    }
}
