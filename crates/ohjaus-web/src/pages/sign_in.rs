//! Signing in and out, the front page that sends each reader to their own pages, the
//! language switch, and the calendar-feed link.

use crate::ctx::{Ctx, Viewer};
use crate::errors::PageError;
use crate::form::FormData;
use crate::layout::{csrf_field, page};
use crate::limits::{ADDRESS_WINDOW, ClientAddress};
use crate::security::{BrowserKey, CookieNames, local_path, see_other, set_cookie};
use crate::state::WebState;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use ohjaus_core::Locale;
use ohjaus_store::write::sign_in::SignInOwner;
use serde::Deserialize;

/// `?next=`.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /`: each reader to their own pages; a visitor to the sign-in page.
pub async fn home(ctx: Ctx) -> Response {
    match &ctx.account {
        None => see_other("/sign-in"),
        Some(account) if matches!(account.owner, SignInOwner::Supervisor(_)) => see_other("/supervisor"),
        Some(account) if account.coordinator => see_other("/coordinator"),
        Some(_) => see_other("/me"),
    }
}

fn sign_in_form(ctx: &Ctx, next: &str, email: &str) -> maud::Markup {
    let l = ctx.locale;
    html! {
        form.stack method="post" action="/sign-in" {
            (csrf_field(ctx))
            input type="hidden" name="next" value=(next);
            div.field {
                label for="email" { (tr!(l, "Sähköpostiosoite", "E-postadress", "Email address")) }
                input #email type="email" name="email" autocomplete="email" required value=(email)
                    aria-describedby="email-help";
                p #email-help .help { (tr!(l,
                    "Lähetämme osoitteeseen kertakäyttöisen kirjautumislinkin.",
                    "Vi skickar en inloggningslänk för engångsbruk till adressen.",
                    "We send a one-time sign-in link to this address.")) }
            }
            button.primary type="submit" { (tr!(l, "Lähetä kirjautumislinkki", "Skicka inloggningslänk", "Send me a sign-in link")) }
        }
    }
}

/// `GET /sign-in`.
pub async fn sign_in_page(ctx: Ctx, Query(query): Query<Next>) -> maud::Markup {
    let l = ctx.locale;
    let next = local_path(query.next.as_deref());
    let title = tr!(l, "Kirjaudu sisään", "Logga in", "Sign in");
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            p.lead { (tr!(l,
                "Ohjauksessa näet työnohjaus- ja valmennustapaamisesi. Kirjaudu sähköpostiisi tulevalla linkillä – salasanaa ei tarvita.",
                "I Ohjaus ser du dina handlednings- och coachningsträffar. Logga in med en länk som skickas till din e-post – inget lösenord behövs.",
                "Ohjaus shows your supervision and coaching sessions. Sign in with a link sent to your email – no password needed.")) }
            (sign_in_form(&ctx, &next, ""))
        },
    )
}

/// `POST /sign-in`: sends links to the address's owners; says the same whoever it is.
///
/// What the asker waits for is the same for every address: the client's allowance (in
/// memory), then one count of the links the address had this hour (one statement, known
/// address or not). The links themselves are made and queued after the answer, in the
/// background, so that the time of the answer does not tell whether the address is known.
/// An address over its hourly allowance gets the same page and no new email.
pub async fn request_link(
    State(state): State<WebState>,
    ctx: Ctx,
    ClientAddress(client): ClientAddress,
    form: FormData,
) -> Result<maud::Markup, PageError> {
    let l = ctx.locale;
    let limits = &state.config.sign_in_limits;
    if let Err(retry_after) = limits.check_client(client) {
        tracing::info!("sign-in refused: too many requests from one client address");
        return Err(PageError::Limited { retry_after });
    }
    let email = form.get("email").unwrap_or_default().to_owned();
    let next = local_path(form.get("next"));
    let now = state.clock.now();
    let recent = state.store.sign_in_links_since(&email, now - ADDRESS_WINDOW).await?;
    if limits.address_allows(recent) {
        let store = state.store.clone();
        let config = state.config.clone();
        state.background.spawn(async move {
            let url_of = |secret: &str| {
                let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish();
                config.absolute(&format!("/sign-in/{secret}?{query}"))
            };
            match store.send_sign_in_links(&email, &url_of, config.link_lifetime, now).await {
                Ok(sent) => tracing::info!(links = sent, "sign-in asked for"),
                Err(error) if error.is_unavailable() => ohjaus_store::reach::log_unavailable(&error),
                Err(error) => tracing::error!(%error, "sign-in links not sent"),
            }
        });
    } else {
        tracing::info!("sign-in link not sent: the address has had its links for this hour");
    }
    let minutes = state.config.link_lifetime.num_minutes();
    let title = tr!(l, "Tarkista sähköpostisi", "Kontrollera din e-post", "Check your email");
    Ok(page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            p.lead role="status" { (tr!(l,
                "Jos osoite on Ohjauksen tiedossa, lähetimme siihen kirjautumislinkin.",
                "Om adressen är känd i Ohjaus har vi skickat en inloggningslänk till den.",
                "If Ohjaus knows the address, we have sent a sign-in link to it.")) }
            p { (tr!(l, "Linkki toimii kerran ja vanhenee", "Länken fungerar en gång och går ut om", "The link works once and expires in"))
                " " (minutes) " " (tr!(l, "minuutissa.", "minuter.", "minutes.")) }
            p { a href="/sign-in" { (tr!(l, "Lähetä uusi linkki", "Skicka en ny länk", "Send a new link")) } }
        },
    ))
}

fn link_gone(ctx: &Ctx) -> Response {
    let l = ctx.locale;
    let title = tr!(l, "Linkki ei enää toimi", "Länken fungerar inte längre", "This link no longer works");
    let body = page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (tr!(l,
                "Kirjautumislinkki toimii vain kerran ja vain hetken. Pyydä uusi linkki.",
                "En inloggningslänk fungerar bara en gång och en kort stund. Be om en ny länk.",
                "A sign-in link works only once and only for a while. Ask for a new one.")) }
            (sign_in_form(ctx, "/", ""))
        },
    );
    (StatusCode::GONE, body).into_response()
}

/// `GET /sign-in/{secret}`: asks to confirm, so that a mail scanner opening the link does
/// not use it up.
pub async fn confirm_page(
    State(state): State<WebState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    Query(query): Query<Next>,
) -> Result<Response, PageError> {
    let l = ctx.locale;
    let now = state.clock.now();
    let Some(owner) = state.store.check_sign_in_link(&secret, now).await? else {
        return Ok(link_gone(&ctx));
    };
    let account = state.store.account(owner).await?;
    let next = local_path(query.next.as_deref());
    let title = tr!(l, "Kirjaudu sisään", "Logga in", "Sign in");
    Ok(page(&ctx, title, html! {
        h1 { (title) }
        p.lead { (tr!(l, "Kirjaudut nimellä", "Du loggar in som", "You are signing in as")) " " strong { (account.name) }
            @if let Some((_, organization)) = &account.organization { " (" (organization) ")" } "." }
        form method="post" action={ "/sign-in/" (secret) } {
            (csrf_field(&ctx))
            input type="hidden" name="next" value=(next);
            button.primary type="submit" { (tr!(l, "Kirjaudu sisään", "Logga in", "Sign in")) }
        }
    })
    .into_response())
}

/// `POST /sign-in/{secret}`: uses the link up, opens the session, sets the cookie.
pub async fn redeem(
    State(state): State<WebState>,
    ctx: Ctx,
    Extension(key): Extension<BrowserKey>,
    Path(secret): Path<String>,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let https = state.config.is_https();
    let names = CookieNames::new(https);
    let Some((session, cookie_secret)) =
        state.store.sign_in_with_link(&secret, state.config.session_lifetime, now).await?
    else {
        return Ok(link_gone(&ctx));
    };
    tracing::info!(session = %session.id, "signed in");
    let mut response = see_other(&local_path(form.get("next")));
    let cookies = response.headers_mut();
    let max_age = state.config.session_lifetime.num_seconds();
    cookies.append(header::SET_COOKIE, set_cookie(names.session(), cookie_secret.expose(), max_age, https));
    if key.pre.is_some() {
        cookies.append(header::SET_COOKIE, set_cookie(names.pre(), "", 0, https));
    }
    // The account's language, unless the reader has chosen one.
    if crate::security::cookie_value(&headers, names.lang()).is_none() {
        let account = state.store.account(session.owner).await?;
        cookies.append(header::SET_COOKIE, set_cookie(names.lang(), account.locale.as_str(), 31_536_000, https));
    }
    Ok(response)
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<WebState>,
    Extension(key): Extension<BrowserKey>,
) -> Result<Response, PageError> {
    if let Some(secret) = key.session.as_deref() {
        state.store.sign_out(secret, state.clock.now()).await?;
    }
    let https = state.config.is_https();
    let mut response = see_other("/sign-in?notice=signed_out");
    response.headers_mut().append(header::SET_COOKIE, set_cookie(CookieNames::new(https).session(), "", 0, https));
    Ok(response)
}

/// `GET /lang/{code}?next=`: remembers the language and goes back.
pub async fn switch_language(
    State(state): State<WebState>,
    Path(code): Path<String>,
    Query(query): Query<Next>,
) -> Response {
    let https = state.config.is_https();
    let mut response = see_other(&local_path(query.next.as_deref()));
    if let Some(locale) = Locale::parse(&code) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(CookieNames::new(https).lang(), locale.as_str(), 31_536_000, https));
    }
    response
}

/// `POST /calendar-link`: a new private feed link for the reader's own calendar (the
/// earlier one stops working).
pub async fn calendar_link(State(state): State<WebState>, viewer: Viewer) -> Result<maud::Markup, PageError> {
    let ctx = &viewer.ctx;
    let l = ctx.locale;
    let created = state.store.create_calendar_token(&viewer.account.own_caller(), state.clock.now()).await?;
    let url = created.feed_url(state.config.public_url.as_str());
    let webcal = url.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1);
    let title = tr!(l, "Kalenterin tilaus", "Kalenderprenumeration", "Calendar subscription");
    let back = if ctx.is_supervisor() { "/supervisor" } else { "/me" };
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.lead { (tr!(l,
                "Tällä yksityisellä linkillä kalenterisi näyttää tapaamisesi ja pysyy ajan tasalla. Älä jaa linkkiä: sillä näkee tapaamisesi.",
                "Med den här privata länken visar din kalender dina träffar och hålls uppdaterad. Dela inte länken: med den ser man dina träffar.",
                "With this private link your calendar shows your sessions and stays up to date. Do not share it: it shows your sessions.")) }
            p { a.button.primary href=(webcal) #subscribe { (tr!(l, "Tilaa kalenteriin", "Prenumerera i kalendern", "Subscribe in your calendar")) } }
            div.field {
                label for="feed-url" { (tr!(l, "Tilauslinkki", "Prenumerationslänk", "Subscription link")) }
                input #feed-url type="text" readonly value=(url) aria-describedby="feed-help";
                p #feed-help .help { (tr!(l,
                    "Kopioi linkki kalenterisovelluksen kohtaan ”Lisää kalenteri URL-osoitteesta”. Aiempi linkki lakkasi toimimasta.",
                    "Kopiera länken till kalenderappens ”Lägg till kalender från URL”. Den tidigare länken slutade fungera.",
                    "Paste the link into your calendar app's “Add calendar from URL”. Any earlier link has stopped working.")) }
            }
            p { a href=(back) { (tr!(l, "Takaisin", "Tillbaka", "Back")) } }
        },
    ))
}

/// The calendar-subscription section of a reader's own page.
pub fn calendar_section(ctx: &Ctx) -> maud::Markup {
    let l = ctx.locale;
    html! {
        section.card aria-labelledby="calendar-heading" {
            h2 #calendar-heading { (tr!(l, "Kalenteri", "Kalender", "Calendar")) }
            p { (tr!(l,
                "Tilaa tapaamisesi omaan kalenteriisi. Kalenteri päivittyy, kun aikoja muutetaan.",
                "Prenumerera på dina träffar i din egen kalender. Den uppdateras när tider ändras.",
                "Subscribe to your sessions in your own calendar. It updates when times change.")) }
            form method="post" action="/calendar-link" {
                (csrf_field(ctx))
                button type="submit" { (tr!(l, "Luo tilauslinkki", "Skapa prenumerationslänk", "Create a subscription link")) }
            }
        }
    }
}
