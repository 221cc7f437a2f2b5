//! "Connected calendars": a supervisor's or a participant's own calendars on their home page —
//! the list with each one's status, last sync and last error, "refresh now" and "remove", and
//! the form that connects another (a subscription URL, or a CalDAV collection with a user name
//! and app password). The store fetches a new calendar once before keeping it, so a refusal
//! comes back to the form with its reason; the URL's secret parts and the password are never
//! shown again.

use super::problems;
use crate::ctx::{Ctx, Viewer};
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use ohjaus_core::FieldError;
use ohjaus_store::write::calendar_connections::{
    CalendarConnection, CalendarKind, CalendarOwner, ConnectionStatus, NewCalendarConnection,
};
use ohjaus_store::{Caller, Store};
use uuid::Uuid;

/// The caller's own connected calendars, for their home page.
pub async fn own(
    store: &Store,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<CalendarConnection>, PageError> {
    let owner = CalendarOwner::of_caller(caller)?;
    Ok(store.list_calendars(caller, owner, now).await?)
}

fn status(ctx: &Ctx, calendar: &CalendarConnection) -> &'static str {
    let l = ctx.locale;
    match calendar.status {
        ConnectionStatus::Ok => tr!(l, "Ajan tasalla", "Uppdaterad", "Up to date"),
        ConnectionStatus::Failing => tr!(l, "Päivitys epäonnistui", "Uppdateringen misslyckades", "Sync failing"),
        ConnectionStatus::Stale => tr!(l, "Vanhentunut", "Föråldrad", "Out of date"),
    }
}

/// The section: the calendars and the form to connect one.
pub fn section(ctx: &Ctx, calendars: &[CalendarConnection]) -> Markup {
    let l = ctx.locale;
    html! {
        section.card #connected-calendars aria-labelledby="connected-heading" {
            h2 #connected-heading { (tr!(l, "Yhdistetyt kalenterit", "Anslutna kalendrar", "Connected calendars")) }
            p { (tr!(l,
                "Varatut ajat omista kalentereistasi otetaan huomioon, kun tapaamisia varataan. Tapahtumien nimiä tai sisältöä ei tallenneta.",
                "Upptagna tider i dina egna kalendrar beaktas när träffar bokas. Händelsernas namn eller innehåll sparas inte.",
                "Busy times in your own calendars are taken into account when sessions are booked. No titles or details are stored.")) }
            @if calendars.is_empty() {
                p { (tr!(l, "Ei yhdistettyjä kalentereita.", "Inga anslutna kalendrar.", "No connected calendars.")) }
            }
            ul.plain.calendars {
                @for calendar in calendars {
                    li.calendar {
                        h3.h4 { (calendar.label) }
                        p.meta { code { (calendar.url) } }
                        p.meta {
                            span.badge { (status(ctx, calendar)) }
                            " · " (tr!(l, "Varattuja aikoja", "Upptagna tider", "Busy times")) ": " (calendar.busy_blocks)
                            @if let Some(at) = calendar.last_success_at {
                                " · " (tr!(l, "Päivitetty", "Uppdaterad", "Synced")) " " (i18n::instant(l, ctx.zone, at))
                            }
                        }
                        @if let Some(error) = &calendar.last_error { p.problem role="status" { (error) } }
                        form.inline method="post" action={ "/calendars/" (calendar.id) "/refresh" } {
                            (csrf_field(ctx))
                            button type="submit" { (tr!(l, "Päivitä nyt", "Uppdatera nu", "Refresh now")) }
                        }
                        form.inline method="post" action={ "/calendars/" (calendar.id) "/remove" } {
                            (csrf_field(ctx))
                            button type="submit" { (tr!(l, "Poista", "Ta bort", "Remove")) }
                        }
                    }
                }
            }
            (add_form(ctx))
        }
    }
}

fn add_form(ctx: &Ctx) -> Markup {
    let l = ctx.locale;
    html! {
        form method="post" action="/calendars" {
            h3.h4 { (tr!(l, "Yhdistä kalenteri", "Anslut en kalender", "Connect a calendar")) }
            (csrf_field(ctx))
            div.field {
                label for="calendar-label" { (tr!(l, "Nimi", "Namn", "Name")) }
                input #calendar-label type="text" name="label" required;
            }
            div.field {
                label for="calendar-kind" { (tr!(l, "Tyyppi", "Typ", "Kind")) }
                select #calendar-kind name="kind" {
                    option value="subscription" { (tr!(l, "Tilausosoite (iCalendar)", "Prenumerationsadress (iCalendar)", "Subscription URL (iCalendar)")) }
                    option value="caldav" { "CalDAV" }
                }
            }
            div.field {
                label for="calendar-url" { (tr!(l, "Osoite", "Adress", "Address")) }
                input #calendar-url type="url" name="url" required aria-describedby="calendar-url-help";
                p #calendar-url-help .help { (tr!(l,
                    "Esim. Googlen ”salainen osoite iCal-muodossa” tai Outlookin julkaistun kalenterin ICS-linkki.",
                    "T.ex. Googles ”hemlig adress i iCal-format” eller ICS-länken till en publicerad Outlook-kalender.",
                    "E.g. Google's “secret address in iCal format” or Outlook's published calendar ICS link.")) }
            }
            div.field {
                label for="calendar-user" { (tr!(l, "Käyttäjätunnus (CalDAV)", "Användarnamn (CalDAV)", "User name (CalDAV)")) }
                input #calendar-user type="text" name="user_name" autocomplete="off";
            }
            div.field {
                label for="calendar-password" { (tr!(l, "Sovellussalasana (CalDAV)", "Applösenord (CalDAV)", "App password (CalDAV)")) }
                input #calendar-password type="password" name="password" autocomplete="off";
            }
            div.field {
                label {
                    input type="checkbox" name="block_all_day_events" value="on" checked;
                    " " (tr!(l, "Koko päivän tapahtumat varaavat päivän", "Heldagshändelser bokar dagen", "All-day events block the day"))
                }
            }
            button type="submit" { (tr!(l, "Yhdistä", "Anslut", "Connect")) }
        }
    }
}

fn home_of(ctx: &Ctx) -> &'static str {
    if ctx.is_supervisor() { "/supervisor" } else { "/me" }
}

/// `POST /calendars`: connects a calendar of the signed-in supervisor or participant.
pub async fn add(State(state): State<WebState>, viewer: Viewer, form: FormData) -> Result<Response, PageError> {
    let ctx = &viewer.ctx;
    let caller = viewer.account.own_caller();
    let owner = CalendarOwner::of_caller(&caller)?;
    let text = |name: &str| form.get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let kind = if form.get("kind") == Some("caldav") { CalendarKind::Caldav } else { CalendarKind::Subscription };
    let new = NewCalendarConnection {
        label: text("label").unwrap_or_default(),
        kind,
        url: text("url").unwrap_or_default(),
        user_name: if kind == CalendarKind::Caldav { text("user_name") } else { None },
        password: if kind == CalendarKind::Caldav {
            form.get("password").filter(|p| !p.is_empty()).map(str::to_owned)
        } else {
            None
        },
        block_all_day_events: Some(form.checked("block_all_day_events")),
    };
    let now = state.clock.now();
    match state.store.connect_calendar(&caller, owner, &new, now).await {
        Ok(_) => Ok(see_other(&format!("{}#connected-calendars", home_of(ctx)))),
        Err(error) => match super::field_errors(&error) {
            Some(errors) => refused(&state, &viewer, &errors).await,
            None => Err(error.into()),
        },
    }
}

/// The section again with what was wrong (422).
async fn refused(state: &WebState, viewer: &Viewer, errors: &[FieldError]) -> Result<Response, PageError> {
    let ctx = &viewer.ctx;
    let l = ctx.locale;
    let calendars = own(&state.store, &viewer.account.own_caller(), state.clock.now()).await?;
    let title = tr!(l, "Yhdistetyt kalenterit", "Anslutna kalendrar", "Connected calendars");
    let body = page(
        ctx,
        title,
        html! {
            p.crumbs { a href=(home_of(ctx)) { (tr!(l, "Takaisin", "Tillbaka", "Back")) } }
            (problems(l, errors))
            (section(ctx, &calendars))
        },
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}

/// `POST /calendars/{id}/remove`.
pub async fn remove(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let caller = viewer.account.own_caller();
    let owner = CalendarOwner::of_caller(&caller)?;
    state.store.remove_calendar(&caller, owner, id).await?;
    Ok(see_other(&format!("{}#connected-calendars", home_of(&viewer.ctx))))
}

/// `POST /calendars/{id}/refresh`: syncs now; the section then shows the outcome.
pub async fn refresh(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let caller = viewer.account.own_caller();
    let owner = CalendarOwner::of_caller(&caller)?;
    state.store.refresh_calendar(&caller, owner, id, state.clock.now()).await?;
    Ok(see_other(&format!("{}#connected-calendars", home_of(&viewer.ctx))))
}
