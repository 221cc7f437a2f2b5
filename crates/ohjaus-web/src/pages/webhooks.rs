//! The coordinator's webhooks: the organization's endpoints with their state and failures,
//! adding one (its signing secret shown once, on the answer), enabling and disabling, rotating
//! the secret, sending a test event. The rules — allowed addresses, who may, the secret — are
//! the store's; these pages gather the form and show the answer.

use super::{field_errors, problems};
use crate::ctx::AsCoordinator;
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use ohjaus_core::FieldError;
use ohjaus_store::page::Page;
use ohjaus_store::status::DeliveryStatus;
use ohjaus_store::write::webhooks::{
    EVENT_TYPES, NewWebhookEndpoint, WebhookDelivery, WebhookEndpoint, WebhookEndpointChanges,
};
use uuid::Uuid;

/// Failed or retrying deliveries shown per endpoint.
const FAILURES_SHOWN: usize = 10;

/// What the page shows beside the list: a secret made just now, what was wrong with a form.
#[derive(Default)]
struct Shown {
    secret: Option<(String, String)>,
    errors: Vec<FieldError>,
    url: String,
    description: String,
}

async fn render(state: &WebState, who: &AsCoordinator, shown: Shown) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let endpoints = state.store.list_webhook_endpoints(&who.caller, Some(who.organization_id)).await?;
    let mut failures: Vec<(WebhookEndpoint, Vec<WebhookDelivery>)> = Vec::new();
    for endpoint in endpoints {
        let log = state.store.list_webhook_deliveries(&who.caller, endpoint.id, &Page::first(100)).await?.items;
        let failing = log
            .into_iter()
            .filter(|d| d.status == DeliveryStatus::Failed || (d.status == DeliveryStatus::Pending && d.attempts > 0))
            .take(FAILURES_SHOWN)
            .collect();
        failures.push((endpoint, failing));
    }
    let title = "Webhooks";
    let status_text = |e: &WebhookEndpoint| -> String {
        if e.enabled {
            tr!(l, "Käytössä", "Aktiv", "Enabled").to_owned()
        } else {
            let off = tr!(l, "Pois käytöstä", "Avstängd", "Disabled");
            match &e.disabled_reason {
                Some(reason) => format!("{off}: {reason}"),
                None => off.to_owned(),
            }
        }
    };
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.lead { (tr!(l,
                "Webhookit kertovat organisaation omille järjestelmille (HR, talous) varauksista ja muutoksista: tunnisteet, ajat ja tilat, ei koskaan muistiinpanoja tai tavoitteiden tekstiä.",
                "Webhooks berättar för organisationens egna system (HR, ekonomi) om bokningar och ändringar: id:n, tider och status, aldrig anteckningar eller målens text.",
                "Webhooks tell the organization's own systems (HR, finance) of bookings and changes: ids, times and statuses, never notes or goals' text."
            )) }
            @if let Some((url, secret)) = &shown.secret {
                div.notice role="status" {
                    p { (tr!(l, "Allekirjoitusavain osoitteelle", "Signeringsnyckel för", "Signing secret for")) " " code { (url) } " — "
                        strong { (tr!(l, "näytetään vain nyt:", "visas bara nu:", "shown only now:")) } }
                    p { code.secret { (secret) } }
                }
            }
            @if !shown.errors.is_empty() { (problems(l, &shown.errors)) }
            section aria-labelledby="endpoints-heading" {
                h2 #endpoints-heading { (tr!(l, "Osoitteet", "Adresser", "Endpoints")) }
                @if failures.is_empty() { p { (tr!(l, "Ei vielä osoitteita.", "Inga adresser ännu.", "No endpoints yet.")) } }
                ul.cards {
                    @for (e, failing) in &failures {
                        li.card id={ "webhook-" (e.id) } {
                            h3 { code { (e.url) } }
                            p.meta {
                                @if !e.description.is_empty() { (e.description) " · " }
                                span.badge { (status_text(e)) }
                                @if let Some(since) = e.failing_since {
                                    " · " (tr!(l, "epäonnistunut alkaen", "misslyckas sedan", "failing since")) " " (i18n::instant(l, ctx.zone, since))
                                }
                            }
                            p {
                                @if e.event_types.is_empty() { (tr!(l, "Kaikki tapahtumat", "Alla händelser", "All events")) }
                                @else { @for (i, t) in e.event_types.iter().enumerate() { @if i > 0 { ", " } code { (t) } } }
                            }
                            div.actions {
                                form method="post" action={ "/coordinator/webhooks/" (e.id) "/enabled" } {
                                    (csrf_field(ctx))
                                    input type="hidden" name="enabled" value=(if e.enabled { "false" } else { "true" });
                                    button type="submit" { @if e.enabled { (tr!(l, "Poista käytöstä", "Stäng av", "Disable")) } @else { (tr!(l, "Ota käyttöön", "Aktivera", "Enable")) } }
                                }
                                form method="post" action={ "/coordinator/webhooks/" (e.id) "/rotate" } {
                                    (csrf_field(ctx))
                                    button type="submit" { (tr!(l, "Vaihda avain", "Byt nyckel", "Rotate secret")) }
                                }
                                @if e.enabled {
                                    form method="post" action={ "/coordinator/webhooks/" (e.id) "/test" } {
                                        (csrf_field(ctx))
                                        button type="submit" { (tr!(l, "Lähetä testi", "Skicka test", "Send a test event")) }
                                    }
                                }
                            }
                            @if !failing.is_empty() {
                                details open {
                                    summary { (tr!(l, "Epäonnistuneet toimitukset", "Misslyckade leveranser", "Failed deliveries")) " (" (failing.len()) ")" }
                                    div.table-wrap { table {
                                        thead { tr {
                                            th scope="col" { (tr!(l, "Tapahtuma", "Händelse", "Event")) }
                                            th scope="col" { (tr!(l, "Tila", "Status", "Status")) }
                                            th scope="col" { (tr!(l, "Yrityksiä", "Försök", "Attempts")) }
                                            th scope="col" { (tr!(l, "Vastaus", "Svar", "Answer")) }
                                            th scope="col" { (tr!(l, "Seuraava yritys", "Nästa försök", "Next attempt")) }
                                        } }
                                        tbody { @for d in failing { tr {
                                            th scope="row" { code { (d.event_type) } }
                                            td { (d.status) }
                                            td { (d.attempts) }
                                            td { @if let Some(code) = d.last_status_code { (code) " " } (d.last_error.as_deref().unwrap_or_default()) }
                                            td { @if let Some(next) = d.next_attempt_at { (i18n::instant(l, ctx.zone, next)) } }
                                        } } }
                                    } }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="add-heading" {
                h2 #add-heading { (tr!(l, "Lisää osoite", "Lägg till adress", "Add an endpoint")) }
                form method="post" action="/coordinator/webhooks" {
                    (csrf_field(ctx))
                    label for="webhook-url" { (tr!(l, "Osoite (https://…)", "Adress (https://…)", "Address (https://…)")) }
                    input #webhook-url type="url" name="url" required value=(shown.url);
                    label for="webhook-description" { (tr!(l, "Kuvaus", "Beskrivning", "Description")) }
                    input #webhook-description type="text" name="description" value=(shown.description);
                    fieldset {
                        legend { (tr!(l, "Tapahtumat (ei valintaa: kaikki)", "Händelser (inget val: alla)", "Events (none ticked: all)")) }
                        @for t in EVENT_TYPES {
                            label { input type="checkbox" name="event_types" value=(t); " " code { (t) } }
                        }
                    }
                    button.primary type="submit" { (tr!(l, "Lisää", "Lägg till", "Add")) }
                }
            }
        },
    )
    .into_response())
}

/// `GET /coordinator/webhooks`.
pub async fn list(State(state): State<WebState>, who: AsCoordinator) -> Result<Response, PageError> {
    render(&state, &who, Shown::default()).await
}

/// `POST /coordinator/webhooks`: adds an endpoint and shows its secret once.
pub async fn add(State(state): State<WebState>, who: AsCoordinator, form: FormData) -> Result<Response, PageError> {
    let new = NewWebhookEndpoint {
        url: form.get("url").unwrap_or_default().to_owned(),
        description: form.get("description").map(str::to_owned),
        event_types: Some(form.all("event_types").into_iter().map(str::to_owned).collect()),
        enabled: Some(true),
    };
    match state.store.create_webhook_endpoint(&who.caller, Some(who.organization_id), &new, state.clock.now()).await {
        Ok(made) => {
            let shown = Shown { secret: Some((made.endpoint.url, made.secret)), ..Shown::default() };
            render(&state, &who, shown).await
        }
        Err(error) => match field_errors(&error) {
            Some(errors) => {
                let shown = Shown {
                    errors,
                    url: new.url,
                    description: new.description.unwrap_or_default(),
                    ..Shown::default()
                };
                render(&state, &who, shown).await
            }
            None => Err(error.into()),
        },
    }
}

/// `POST /coordinator/webhooks/{id}/enabled`.
pub async fn set_enabled(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let changes = WebhookEndpointChanges { enabled: Some(form.get("enabled") == Some("true")), ..Default::default() };
    state.store.update_webhook_endpoint(&who.caller, id, &changes, state.clock.now()).await?;
    Ok(see_other(&format!("/coordinator/webhooks#webhook-{id}")))
}

/// `POST /coordinator/webhooks/{id}/rotate`: a new secret, shown once.
pub async fn rotate(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let made = state.store.rotate_webhook_secret(&who.caller, id, state.clock.now()).await?;
    render(&state, &who, Shown { secret: Some((made.endpoint.url, made.secret)), ..Shown::default() }).await
}

/// `POST /coordinator/webhooks/{id}/test`.
pub async fn test(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    match state.store.send_test_webhook(&who.caller, id, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("/coordinator/webhooks?notice=webhook_test#webhook-{id}"))),
        Err(error) => match field_errors(&error) {
            Some(errors) => render(&state, &who, Shown { errors, ..Shown::default() }).await,
            None => Err(error.into()),
        },
    }
}
