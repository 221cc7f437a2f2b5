//! The authorization matrix: every endpoint × every role → the status the contract gives.
//! Columns (see `world::ROLES`): admin; coordinator of A; coordinator of B; supervisor S1 of
//! series X; supervisor S2; participant P1 of X; P2 of A, outside X; no token; a revoked
//! token. Everything named in the paths belongs to organization A (series X and its parts)
//! unless it is S1's own.
//!
//! A refused request (any 4xx) must write nothing: every table's row count is compared before
//! and after it. Success that changes what the next caller would meet (a cancelled series)
//! gets a fresh world per allowed role.

use crate::support::{TestApp, now};
use crate::world::{ROLES, World};
use axum::http::Method;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

/// One row of the matrix.
pub struct Case {
    pub method: &'static str,
    /// Path with `{placeholders}` of the world's ids (see [`fill`]).
    pub path: &'static str,
    /// JSON body with placeholders, if any.
    pub body: Option<&'static str>,
    /// Expected status per role, in the order of `ROLES`.
    pub expect: [u16; 9],
    /// Whether each success needs a world of its own.
    pub fresh: bool,
}

const fn case(method: &'static str, path: &'static str, body: Option<&'static str>, expect: [u16; 9]) -> Case {
    Case { method, path, body, expect, fresh: false }
}

const fn fresh(method: &'static str, path: &'static str, body: Option<&'static str>, expect: [u16; 9]) -> Case {
    Case { method, path, body, expect, fresh: true }
}

//                   adm  coA  coB  S1   S2   P1   P2   none rev
const ANYONE: [u16; 9] = [200, 200, 200, 200, 200, 200, 200, 200, 200];
const SIGNED_IN: [u16; 9] = [200, 200, 200, 200, 200, 200, 200, 401, 401];
const ADMIN_CREATES: [u16; 9] = [201, 403, 403, 403, 403, 403, 403, 401, 401];
const ORG_CREATES: [u16; 9] = [201, 201, 404, 403, 403, 403, 403, 401, 401];
const ORG_READS: [u16; 9] = [200, 200, 404, 403, 403, 403, 403, 401, 401];
const SERIES_READS: [u16; 9] = [200, 200, 404, 200, 404, 200, 404, 401, 401];
const SERIES_MANAGES: [u16; 9] = [200, 200, 404, 200, 404, 403, 404, 401, 401];
const SUPERVISOR_KEEPS: [u16; 9] = [200, 403, 403, 200, 404, 404, 404, 401, 401];
const NOTE_READS: [u16; 9] = [403, 403, 404, 200, 404, 200, 404, 401, 401];
const PARTY_CREATES: [u16; 9] = [403, 403, 404, 201, 404, 201, 404, 401, 401];
const SERIES_COORDINATES: [u16; 9] = [200, 200, 404, 403, 404, 403, 404, 401, 401];
const OWN_CALENDAR: [u16; 9] = [403, 403, 403, 200, 200, 200, 200, 401, 401];
const INVOICE_READS: [u16; 9] = [200, 200, 404, 200, 404, 403, 403, 401, 401];
const DRAFT_ACTS: [u16; 9] = [403, 404, 404, 200, 404, 403, 403, 401, 401];
const POLL_READS: [u16; 9] = [200, 200, 404, 200, 404, 404, 404, 401, 401];
const APPROVED_REFUSES: [u16; 9] = [403, 403, 404, 409, 404, 403, 403, 401, 401];

/// Every endpoint of the API.
pub fn cases() -> Vec<Case> {
    vec![
        case("GET", "/healthz", None, ANYONE),
        case("GET", "/readyz", None, ANYONE),
        case("GET", "/metrics", None, ANYONE),
        case("GET", "/api/v1/openapi.json", None, ANYONE),
        case("GET", "/calendar/{feed_p1}.ics", None, ANYONE),
        // Organizations and what belongs to them.
        case("POST", "/api/v1/organizations", Some(r#"{"name": "Uusi organisaatio {call}"}"#), ADMIN_CREATES),
        case("GET", "/api/v1/organizations", None, SIGNED_IN),
        case("GET", "/api/v1/organizations/{org_a}", None, [200, 200, 404, 200, 404, 200, 200, 401, 401]),
        case(
            "POST",
            "/api/v1/organizations/{org_a}/people",
            Some(r#"{"name": "Uusi Henkilö", "email": "uusi.{call}@sairaala.test"}"#),
            ORG_CREATES,
        ),
        case("GET", "/api/v1/organizations/{org_a}/people", None, ORG_READS),
        case("GET", "/api/v1/people/{p1}", None, [200, 200, 404, 200, 404, 200, 404, 401, 401]),
        case(
            "POST",
            "/api/v1/organizations/{org_a}/teams",
            Some(r#"{"name": "Yövuoro", "member_ids": ["{p2}"]}"#),
            ORG_CREATES,
        ),
        case("GET", "/api/v1/organizations/{org_a}/teams", None, ORG_READS),
        case("GET", "/api/v1/teams/{team_a}", None, ORG_READS),
        case("PUT", "/api/v1/teams/{team_a}/members", Some(r#"{"member_ids": ["{p1}"]}"#), ORG_READS),
        case(
            "POST",
            "/api/v1/organizations/{org_a}/closures",
            Some(r#"{"start_date": "2027-12-24", "end_date": "2027-12-31", "reason": "Joulu"}"#),
            ORG_CREATES,
        ),
        case("GET", "/api/v1/organizations/{org_a}/closures", None, ORG_READS),
        case("GET", "/api/v1/organizations/{org_a}/closures/{closure_a}", None, ORG_READS),
        case("GET", "/api/v1/organizations/{org_a}/report?from=2027-01-01&to=2027-12-31", None, ORG_READS),
        // Supervisors.
        case(
            "POST",
            "/api/v1/supervisors",
            Some(r#"{"name": "Uusi Ohjaaja", "email": "ohjaaja.{call}@ohjaus.test"}"#),
            ADMIN_CREATES,
        ),
        case("GET", "/api/v1/supervisors", None, [200, 200, 200, 200, 200, 403, 403, 401, 401]),
        case("GET", "/api/v1/supervisors/{sup1}", None, [200, 200, 200, 200, 404, 404, 404, 401, 401]),
        case(
            "PUT",
            "/api/v1/supervisors/{sup1}/working-hours",
            Some(r#"[{"weekday": "tue", "start": "08:00", "end": "16:00"}]"#),
            SUPERVISOR_KEEPS,
        ),
        case(
            "POST",
            "/api/v1/supervisors/{sup1}/absences",
            Some(r#"{"starts_at": "2027-08-01T00:00:00Z", "ends_at": "2027-08-02T00:00:00Z"}"#),
            [201, 403, 403, 201, 404, 404, 404, 401, 401],
        ),
        case("GET", "/api/v1/supervisors/{sup1}/absences", None, SUPERVISOR_KEEPS),
        case("GET", "/api/v1/supervisors/{sup1}/absences/{absence_s1}", None, SUPERVISOR_KEEPS),
        case("GET", "/api/v1/supervisors/{sup1}/upcoming?days=30", None, [200, 403, 403, 200, 404, 404, 404, 401, 401]),
        // Series.
        case("POST", "/api/v1/series/preview", Some(SERIES_BODY), [200, 200, 404, 403, 403, 403, 403, 401, 401]),
        fresh("POST", "/api/v1/series", Some(SERIES_BODY), ORG_CREATES),
        case("GET", "/api/v1/series", None, SIGNED_IN),
        case("GET", "/api/v1/series/{series_x}", None, SERIES_READS),
        // Co-supervision: S2 (free on X's Tuesdays) becomes X's co-supervisor.
        fresh("PATCH", "/api/v1/series/{series_x}", Some(r#"{"co_supervisor_id": "{sup2}"}"#), SERIES_COORDINATES),
        fresh("POST", "/api/v1/series/{series_x}/cancel", Some(r#"{"reason": "Budjetti"}"#), SERIES_MANAGES),
        fresh(
            "POST",
            "/api/v1/series/{series_x}/replan",
            Some(r#"{"from_index": 5, "first_start": "2027-03-17T10:00"}"#),
            SERIES_MANAGES,
        ),
        case(
            "PUT",
            "/api/v1/series/{series_x}/participants",
            Some(r#"{"participant_ids": ["{p1}"]}"#),
            [200, 200, 404, 403, 404, 403, 404, 401, 401],
        ),
        case("GET", "/api/v1/series/{series_x}/sessions", None, SERIES_READS),
        case("GET", "/api/v1/series/{series_x}/goals", None, SERIES_READS),
        case("POST", "/api/v1/series/{series_x}/goals", Some(r#"{"text": "Uusi tavoite"}"#), PARTY_CREATES),
        // Sessions, notes, attendance.
        case("GET", "/api/v1/sessions/{session}", None, SERIES_READS),
        case("PATCH", "/api/v1/sessions/{session}", Some(r#"{"location": "Huone 3"}"#), SERIES_MANAGES),
        fresh("POST", "/api/v1/sessions/{session}/cancel", Some(r#"{"reason": "Sairastuminen"}"#), SERIES_MANAGES),
        case("GET", "/api/v1/sessions/{session1}/notes", None, NOTE_READS),
        case(
            "POST",
            "/api/v1/sessions/{session1}/notes",
            Some(r#"{"text": "Muistiinpano", "visibility": "supervisor"}"#),
            [403, 403, 404, 201, 404, 403, 404, 401, 401],
        ),
        case(
            "GET",
            "/api/v1/sessions/{session1}/notes/{note_private}",
            None,
            [403, 403, 404, 200, 404, 404, 404, 401, 401],
        ),
        case("GET", "/api/v1/sessions/{session1}/notes/{note_shared}", None, NOTE_READS),
        case(
            "PUT",
            "/api/v1/sessions/{session}/attendance",
            Some(r#"{"entries": [{"person_id": "{p1}", "status": "excused"}]}"#),
            [200, 403, 404, 200, 404, 403, 404, 401, 401],
        ),
        case("GET", "/api/v1/sessions/{session}/attendance", None, SERIES_READS),
        case("POST", "/api/v1/sessions/{session}/absence", None, [403, 403, 404, 403, 404, 200, 404, 401, 401]),
        // Goals and reviews.
        case("GET", "/api/v1/goals/{goal_private}", None, [404, 404, 404, 200, 404, 200, 404, 401, 401]),
        case("GET", "/api/v1/goals/{goal_shared}", None, SERIES_READS),
        case(
            "PATCH",
            "/api/v1/goals/{goal_shared}",
            Some(r#"{"status": "achieved"}"#),
            [403, 403, 404, 200, 404, 403, 404, 401, 401],
        ),
        case(
            "POST",
            "/api/v1/goals/{goal_shared}/reviews",
            Some(r#"{"phase": "midpoint", "rating": 4}"#),
            PARTY_CREATES,
        ),
        case("GET", "/api/v1/goals/{goal_shared}/reviews/{review_s1}", None, SERIES_READS),
        // Slots, the outbox, the caller's own.
        case(
            "GET",
            "/api/v1/slots?organization_id={org_a}&supervisor_id={sup1}&team_id={team_a}&duration_minutes=60&count=3",
            None,
            [200, 200, 404, 403, 403, 403, 403, 401, 401],
        ),
        case("GET", "/api/v1/notifications", None, [200, 403, 403, 403, 403, 403, 403, 401, 401]),
        case("GET", "/api/v1/me/upcoming", None, OWN_CALENDAR),
        case("POST", "/api/v1/me/calendar-token", None, [403, 403, 403, 201, 201, 201, 201, 401, 401]),
        case("DELETE", "/api/v1/me/calendar-token", None, [403, 403, 403, 204, 204, 204, 204, 401, 401]),
        // Contracts and invoices.
        case("GET", "/api/v1/series/{series_x}/contract", None, SERIES_MANAGES),
        case("PUT", "/api/v1/series/{series_x}/contract", Some(CONTRACT_BODY), SERIES_MANAGES),
        case("GET", "/api/v1/supervisors/{sup1}/billing-profile", None, SUPERVISOR_KEEPS),
        case("PUT", "/api/v1/supervisors/{sup1}/billing-profile", Some(PROFILE_BODY), SUPERVISOR_KEEPS),
        case(
            "POST",
            "/api/v1/invoices/drafts",
            Some(r#"{"organization_id": "{org_a}", "period": "2027-01"}"#),
            [403, 403, 403, 201, 404, 403, 403, 401, 401],
        ),
        case("GET", "/api/v1/invoices", None, [200, 200, 200, 200, 200, 403, 403, 401, 401]),
        case("GET", "/api/v1/invoices/{invoice_x}", None, INVOICE_READS),
        case("GET", "/api/v1/invoices/{invoice_x}?format=ubl", None, INVOICE_READS),
        case("GET", "/api/v1/invoices/{invoice_x}?format=csv", None, INVOICE_READS),
        case("GET", "/api/v1/invoices/{draft_x}", None, [200, 404, 404, 200, 404, 403, 403, 401, 401]),
        fresh("POST", "/api/v1/invoices/{draft_x}/approve", None, DRAFT_ACTS),
        fresh("DELETE", "/api/v1/invoices/{draft_x}", None, [403, 404, 404, 204, 404, 403, 403, 401, 401]),
        case("POST", "/api/v1/invoices/{invoice_x}/approve", None, APPROVED_REFUSES),
        case("DELETE", "/api/v1/invoices/{invoice_x}", None, APPROVED_REFUSES),
        fresh("POST", "/api/v1/invoices/{invoice_x}/credit", None, [403, 403, 404, 201, 404, 403, 403, 401, 401]),
        // Privacy: exports (admins, the person themself), erasure and the audit log (admins).
        case("GET", "/api/v1/people/{p1}/export", None, [200, 403, 403, 403, 403, 200, 404, 401, 401]),
        case("GET", "/api/v1/me/export", None, [403, 403, 403, 403, 403, 200, 200, 401, 401]),
        fresh("POST", "/api/v1/people/{p1}/erase", None, [200, 403, 403, 403, 403, 403, 403, 401, 401]),
        case("GET", "/api/v1/audit", None, [200, 403, 403, 403, 403, 403, 403, 401, 401]),
        // Connected calendars: a refused address is a 422 for whoever may connect one.
        case("GET", "/api/v1/supervisors/{sup1}/calendars", None, SUPERVISOR_KEEPS),
        case(
            "POST",
            "/api/v1/supervisors/{sup1}/calendars",
            Some(CALENDAR_BODY),
            [422, 403, 403, 422, 404, 404, 404, 401, 401],
        ),
        case("GET", "/api/v1/supervisors/{sup1}/calendars/{calendar_s1}", None, SUPERVISOR_KEEPS),
        fresh(
            "DELETE",
            "/api/v1/supervisors/{sup1}/calendars/{calendar_s1}",
            None,
            [204, 403, 403, 204, 404, 404, 404, 401, 401],
        ),
        case("POST", "/api/v1/supervisors/{sup1}/calendars/{calendar_s1}/refresh", None, SUPERVISOR_KEEPS),
        case("GET", "/api/v1/me/calendars", None, OWN_CALENDAR),
        case("POST", "/api/v1/me/calendars", Some(CALENDAR_BODY), [403, 403, 403, 422, 422, 422, 422, 401, 401]),
        case("GET", "/api/v1/me/calendars/{calendar_p1}", None, [403, 403, 403, 404, 404, 200, 404, 401, 401]),
        fresh("DELETE", "/api/v1/me/calendars/{calendar_p1}", None, [403, 403, 403, 404, 404, 204, 404, 401, 401]),
        case("POST", "/api/v1/me/calendars/{calendar_p1}/refresh", None, [403, 403, 403, 404, 404, 200, 404, 401, 401]),
        // Webhooks.
        case(
            "POST",
            "/api/v1/organizations/{org_a}/webhooks",
            Some(r#"{"url": "https://hooks.sairaala.test/{call}", "event_types": ["series.booked"]}"#),
            ORG_CREATES,
        ),
        case("GET", "/api/v1/organizations/{org_a}/webhooks", None, ORG_READS),
        case("POST", "/api/v1/webhooks", Some(r#"{"url": "https://finance.test/{call}"}"#), ADMIN_CREATES),
        case("GET", "/api/v1/webhooks", None, [200, 403, 403, 403, 403, 403, 403, 401, 401]),
        case("GET", "/api/v1/webhooks/{webhook_a}", None, ORG_READS),
        case("PATCH", "/api/v1/webhooks/{webhook_a}", Some(r#"{"description": "HR {call}"}"#), ORG_READS),
        fresh("DELETE", "/api/v1/webhooks/{webhook_a}", None, [204, 204, 404, 403, 403, 403, 403, 401, 401]),
        case("POST", "/api/v1/webhooks/{webhook_a}/rotate", None, ORG_READS),
        case("POST", "/api/v1/webhooks/{webhook_a}/test", None, [202, 202, 404, 403, 403, 403, 403, 401, 401]),
        case("GET", "/api/v1/webhooks/{webhook_a}/deliveries", None, ORG_READS),
        case(
            "POST",
            "/api/v1/webhooks/deliveries/{delivery_a}/retry",
            None,
            [202, 202, 404, 403, 403, 403, 403, 401, 401],
        ),
        // Rhythm polls: organized by A's coordinator, an admin or the supervisor named; voted
        // through the personal link, whatever token comes with it.
        case(
            "POST",
            "/api/v1/organizations/{org_a}/polls",
            Some(POLL_BODY),
            [201, 201, 404, 201, 403, 403, 403, 401, 401],
        ),
        case("GET", "/api/v1/organizations/{org_a}/polls", None, [200, 200, 404, 200, 200, 403, 403, 401, 401]),
        case("GET", "/api/v1/polls/{poll_a}", None, POLL_READS),
        fresh("POST", "/api/v1/polls/{poll_a}/choose", Some(r#"{"option_id": "{poll_option_2}"}"#), POLL_READS),
        fresh("POST", "/api/v1/polls/{poll_a}/close", None, POLL_READS),
        case("GET", "/api/v1/poll-votes/{vote_p1}", None, ANYONE),
        case("PUT", "/api/v1/poll-votes/{vote_p1}", Some(VOTE_BODY), ANYONE),
    ]
}

/// A poll of A for team A with S1, clear of X.
const POLL_BODY: &str = r#"{"kind": "group_supervision", "title": "Syksyn rytmi {call}", "supervisor_id": "{sup1}",
    "team_id": "{team_a}", "deadline": "2027-04-01T12:00:00+03:00", "options": [
    {"first_start": "2027-04-13T10:00", "duration_minutes": 60, "recurrence": {"frequency": "weekly", "count": 2}},
    {"first_start": "2027-04-15T10:00", "duration_minutes": 60, "recurrence": {"frequency": "weekly", "count": 2}}]}"#;

/// P1's answers to the world's poll.
const VOTE_BODY: &str = r#"{"answers": [{"option_id": "{poll_option_1}", "answer": "yes"},
    {"option_id": "{poll_option_2}", "answer": "if_need_be"}], "comment": "Tiistait sopivat parhaiten"}"#;

/// A calendar whose address no server is asked for: `ftp://` is refused before any fetch.
const CALENDAR_BODY: &str = r#"{"label": "Työ", "kind": "subscription", "url": "ftp://calendar.example/{call}.ics"}"#;

/// A series of A with S1 and team A, clear of series X.
const SERIES_BODY: &str = r#"{"organization_id": "{org_a}", "kind": "group_supervision", "title": "Kevään ohjaus",
    "supervisor_id": "{sup1}", "team_id": "{team_a}", "first_start": "2027-04-06T10:00", "duration_minutes": 90,
    "recurrence": {"frequency": "weekly", "interval": 2, "count": 3}}"#;

/// X's terms, changed.
const CONTRACT_BODY: &str = r#"{"price_cents": 19500, "vat_category": "S", "vat_rate": "25.5",
    "payer": {"name": "Kaukolan hyvinvointialue", "business_id": "0245458-3",
    "address": {"street": "Sairaalantie 1", "postcode": "00100", "city": "Helsinki"},
    "ovt_code": "003702454583", "order_reference": "PO-{call}"}}"#;

/// S1's billing profile, changed.
const PROFILE_BODY: &str = r#"{"legal_name": "Työnohjaus Aino Oy", "business_id": "0112038-9",
    "address": {"street": "Kauppakatu 5", "postcode": "40100", "city": "Jyväskylä"},
    "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "payment_terms_days": 21, "invoice_prefix": "OHJ-"}"#;

static CALLS: AtomicU32 = AtomicU32::new(0);

/// `template` with the world's ids put in.
pub fn fill(template: &str, w: &World) -> String {
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let ids = [
        ("{org_a}", w.org_a.to_string()),
        ("{org_b}", w.org_b.to_string()),
        ("{sup1}", w.sup1.to_string()),
        ("{sup2}", w.sup2.to_string()),
        ("{p1}", w.p1.to_string()),
        ("{p2}", w.p2.to_string()),
        ("{q1}", w.q1.to_string()),
        ("{team_a}", w.team_a.to_string()),
        ("{closure_a}", w.closure_a.to_string()),
        ("{absence_s1}", w.absence_s1.to_string()),
        ("{series_x}", w.series_x.to_string()),
        ("{session1}", w.sessions_x[0].to_string()),
        ("{session}", w.sessions_x[1].to_string()),
        ("{goal_private}", w.goal_private.to_string()),
        ("{goal_shared}", w.goal_shared.to_string()),
        ("{review_s1}", w.review_s1.to_string()),
        ("{note_private}", w.note_private.to_string()),
        ("{note_shared}", w.note_shared.to_string()),
        ("{feed_p1}", w.feed_p1.clone()),
        ("{invoice_x}", w.invoice_x.to_string()),
        ("{draft_x}", w.draft_x.to_string()),
        ("{calendar_s1}", w.calendar_s1.to_string()),
        ("{calendar_p1}", w.calendar_p1.to_string()),
        ("{webhook_a}", w.webhook_a.to_string()),
        ("{delivery_a}", w.delivery_a.to_string()),
        ("{poll_a}", w.poll_a.to_string()),
        ("{poll_option_1}", w.poll_a_options[0].to_string()),
        ("{poll_option_2}", w.poll_a_options[1].to_string()),
        ("{vote_p1}", w.vote_p1.clone()),
        ("{call}", format!("{}-{call}", w.n)),
    ];
    let mut text = template.to_owned();
    for (name, value) in ids {
        text = text.replace(name, &value);
    }
    if template.starts_with('/') {
        assert!(!text.contains('{'), "unfilled: {text}");
    }
    text
}

/// Sends `case` as `role` in world `w`.
pub async fn send(app: &TestApp, w: &World, case: &Case, role: &str) -> crate::support::Answer {
    let method: Method = case.method.parse().unwrap();
    let body: Option<serde_json::Value> = case.body.map(|b| serde_json::from_str(&fill(b, w)).unwrap());
    app.call(method, &fill(case.path, w), w.token(role), body.as_ref()).await
}

/// Runs the rows of `cases` whose path starts with one of `prefixes`.
async fn run(app: &TestApp, prefixes: &[&str]) {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| prefixes.iter().any(|p| c.path.starts_with(p))) {
        let mut world = World::build(app).await;
        let mut changed = false;
        // Refusals first, in a world nobody has changed yet.
        let mut order: Vec<usize> = (0..ROLES.len()).collect();
        order.sort_by_key(|i| case.expect[*i] < 300);
        for i in order {
            let role = ROLES[i];
            let expected = case.expect[i];
            if expected < 300 && case.fresh && changed {
                world = World::build(app).await;
            }
            let before = if expected >= 400 { Some(app.counts().await) } else { None };
            let answer = send(app, &world, case, role).await;
            let documented = app.documented(case.method, case.path.split('?').next().unwrap_or(case.path));
            if !documented.contains(&answer.status.as_u16()) {
                failures.push(format!(
                    "{} {}: {} is not documented ({documented:?})",
                    case.method, case.path, answer.status
                ));
            }
            if answer.status.as_u16() != expected {
                failures.push(format!(
                    "{} {} as {role}: expected {expected}, got {} {}",
                    case.method, case.path, answer.status, answer.text
                ));
                continue;
            }
            if expected >= 400 {
                answer.problem(expected);
                let after = app.counts().await;
                if before.as_ref() != Some(&after) {
                    failures.push(format!("{} {} as {role}: a refused request wrote rows", case.method, case.path));
                }
            } else {
                changed = true;
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The matrix's rows, as `(METHOD, path)` with every `{parameter}` written `{}`.
pub fn operations() -> BTreeSet<(String, String)> {
    cases().iter().map(|c| (c.method.to_owned(), normalized(c.path.split('?').next().unwrap_or(c.path)))).collect()
}

/// A path template with every `{name}` written `{}`.
pub fn normalized(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

crate::api_test! {
    async fn public_and_organizations(app: TestApp) {
        run(app, &["/healthz", "/readyz", "/metrics", "/calendar", "/api/v1/openapi", "/api/v1/organizations", "/api/v1/people", "/api/v1/teams"]).await;
    }
}

crate::api_test! {
    async fn supervisors_and_own(app: TestApp) {
        run(app, &["/api/v1/supervisors", "/api/v1/slots", "/api/v1/notifications", "/api/v1/me", "/api/v1/audit"]).await;
    }
}

crate::api_test! {
    async fn series(app: TestApp) {
        run(app, &["/api/v1/series"]).await;
    }
}

crate::api_test! {
    async fn invoices(app: TestApp) {
        // (The contract's and billing profile's rows run with the series and the supervisors.)
        run(app, &["/api/v1/invoices"]).await;
    }
}

crate::api_test! {
    async fn sessions_and_goals(app: TestApp) {
        run(app, &["/api/v1/sessions", "/api/v1/goals"]).await;
    }
}

crate::api_test! {
    async fn polls(app: TestApp) {
        run(app, &["/api/v1/polls", "/api/v1/poll-votes"]).await;
    }
}

crate::api_test! {
    async fn webhooks(app: TestApp) {
        run(app, &["/api/v1/webhooks"]).await;
    }
}

#[test]
fn the_fixed_time_is_before_the_world() {
    // Series X starts on 12 January 2027: every session of it is in the future.
    assert!(now() < "2027-01-12T11:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
}
