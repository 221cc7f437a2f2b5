//! The web pages of Ohjaus, served by the same binary as the API, over the same store and
//! core: no rule is implemented here twice.
//!
//! A tour:
//!
//! - [`router`] — every page and the static files, behind [`security::guard`]: the CSRF
//!   check of every form, the origin check, cookies, error pages, security headers.
//! - [`state`] — [`WebState`]: the store, the [`Clock`](ohjaus_store::Clock), the public URL and lifetimes.
//! - [`ctx`] — who reads a page: [`ctx::Ctx`], and extractors per role
//!   ([`ctx::AsSupervisor`], [`ctx::AsCoordinator`], [`ctx::AsParticipant`]) that turn the
//!   signed-in account into the store's `Caller`.
//! - [`pages`] — sign-in by email link, and the supervisor's, coordinator's and
//!   participant's pages; the rhythm polls' pages, and the voting page a personal link opens
//!   without an account.
//! - [`i18n`] — Finnish, Swedish and English; dates and times in the reader's zone.
//! - [`layout`], [`form`], [`errors`] — the page frame, submitted forms, error pages.
//! - [`limits`] — how many sign-in links per address and requests per client address.
//!
//! Signing in: a person or supervisor enters their email and gets a one-time link by email
//! (the outbox, `Notice::SignInLink`); the link opens a session whose cookie is HttpOnly,
//! SameSite=Lax and, over https, Secure with the `__Host-` prefix. A person flagged as a
//! coordinator of their organization also gets its coordinator pages.

#[macro_use]
pub mod i18n;
pub mod ctx;
pub mod errors;
pub mod form;
pub mod layout;
pub mod limits;
pub mod pages;
pub mod security;
pub mod state;

pub use state::{WebConfig, WebState};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use pages::{calendars, coordinator, invoicing, participant, polls, sign_in, supervisor, vote, webhooks};

/// The style sheet.
const CSS: &str = include_str!("../static/ohjaus.css");
/// The small script: the booking form's live preview. The pages work without it.
const JS: &str = include_str!("../static/ohjaus.js");

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
}

/// Every page. It has no fallback of its own, so it merges with the API's router (whose
/// fallback answers unknown paths); its paths (`/`, `/sign-in…`, `/sign-out`, `/lang/…`,
/// `/calendar-link`, `/static/…`, `/supervisor…`, `/coordinator…`, `/me…`, `/vote/…`) are not
/// the API's.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(sign_in::home))
        .route("/sign-in", get(sign_in::sign_in_page).post(sign_in::request_link))
        .route("/sign-in/{secret}", get(sign_in::confirm_page).post(sign_in::redeem))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/lang/{code}", get(sign_in::switch_language))
        .route("/calendar-link", post(sign_in::calendar_link))
        .route("/calendars", post(calendars::add))
        .route("/calendars/{id}/remove", post(calendars::remove))
        .route("/calendars/{id}/refresh", post(calendars::refresh))
        .route("/supervisor", get(supervisor::home))
        .route("/supervisor/sessions/{id}", get(supervisor::session))
        .route("/supervisor/sessions/{id}/attendance", post(supervisor::record_attendance))
        .route("/supervisor/sessions/{id}/notes", post(supervisor::add_note))
        .route("/supervisor/series/{id}", get(supervisor::series))
        .route("/supervisor/polls", get(polls::supervisor_list))
        .route("/supervisor/polls/{id}", get(polls::supervisor_poll))
        .route("/supervisor/polls/{id}/choose", post(polls::supervisor_choose))
        .route("/supervisor/polls/{id}/close", post(polls::supervisor_close))
        .route("/supervisor/invoicing", get(invoicing::invoicing))
        .route("/supervisor/invoicing/drafts", post(invoicing::draft))
        .route("/supervisor/invoices/{id}", get(invoicing::invoice))
        .route("/supervisor/invoices/{id}/approve", post(invoicing::approve))
        .route("/supervisor/invoices/{id}/discard", post(invoicing::discard))
        .route("/supervisor/invoices/{id}/credit", post(invoicing::credit))
        .route("/supervisor/invoices/{id}/download", get(invoicing::download))
        .route("/coordinator", get(coordinator::home))
        .route("/coordinator/people", get(coordinator::people))
        .route("/coordinator/book", get(coordinator::book_form).post(coordinator::book))
        .route("/coordinator/book/preview", post(coordinator::book_preview))
        .route("/coordinator/series/{id}", get(coordinator::series))
        .route("/coordinator/sessions/{id}/move", post(coordinator::move_session))
        .route("/coordinator/sessions/{id}/cancel", post(coordinator::cancel_session))
        .route("/coordinator/polls", get(polls::coordinator_list).post(polls::create))
        .route("/coordinator/polls/new", get(polls::new_form))
        .route("/coordinator/polls/{id}", get(polls::coordinator_poll))
        .route("/coordinator/polls/{id}/choose", post(polls::coordinator_choose))
        .route("/coordinator/polls/{id}/close", post(polls::coordinator_close))
        .route("/coordinator/report", get(coordinator::report))
        .route("/coordinator/report.csv", get(coordinator::report_download))
        .route("/coordinator/webhooks", get(webhooks::list).post(webhooks::add))
        .route("/coordinator/webhooks/{id}/enabled", post(webhooks::set_enabled))
        .route("/coordinator/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/coordinator/webhooks/{id}/test", post(webhooks::test))
        .route("/me", get(participant::home))
        .route("/me/export.json", get(participant::export))
        .route("/me/sessions/{id}", get(participant::session))
        .route("/me/sessions/{id}/absence", post(participant::report_absence))
        .route("/me/series/{id}", get(participant::series))
        .route("/me/goals/{id}/reviews", post(participant::add_review))
        .route("/vote/{secret}", get(vote::ballot).post(vote::vote))
        .route("/static/ohjaus.css", get(css))
        .route("/static/ohjaus.js", get(js))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state)
}
