//! The frame of every page: language, skip link, header with the reader's places and the
//! language switch, the main landmark, and the notice a form's redirect left.

use crate::ctx::Ctx;
use crate::security::{CSRF_FIELD, language_links};
use maud::{DOCTYPE, Markup, html};
use ohjaus_core::Locale;

/// The hidden CSRF field every form carries.
pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf); }
}

fn head(locale: Locale, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " – Ohjaus" }
            link rel="stylesheet" href="/static/ohjaus.css";
            script src="/static/ohjaus.js" defer {}
            meta name="description" content=(tr!(locale, "Työnohjauksen ja valmennuksen ajanvaraus", "Bokning av handledning och coachning", "Booking of work supervision and coaching"));
        }
    }
}

fn skip_link(locale: Locale) -> Markup {
    html! { a.skip href="#main" { (tr!(locale, "Siirry sisältöön", "Hoppa till innehållet", "Skip to content")) } }
}

/// The text of a notice code a redirect carries (`?notice=…`).
fn notice_text(locale: Locale, code: &str) -> Option<&'static str> {
    Some(match code {
        "booked" => tr!(
            locale,
            "Sarja on varattu ja kutsut lähtevät osallistujille.",
            "Serien är bokad och inbjudningarna skickas.",
            "The series is booked and the invitations are on their way."
        ),
        "moved" => tr!(
            locale,
            "Tapaaminen on siirretty ja osallistujille lähtee päivitys.",
            "Träffen är flyttad och deltagarna får en uppdatering.",
            "The session has moved and everyone gets an update."
        ),
        "cancelled" => tr!(locale, "Tapaaminen on peruttu.", "Träffen är avbokad.", "The session is cancelled."),
        "attendance" => tr!(locale, "Läsnäolot on tallennettu.", "Närvaron är sparad.", "Attendance saved."),
        "note" => tr!(locale, "Muistiinpano on tallennettu.", "Anteckningen är sparad.", "Note saved."),
        "excused" => tr!(
            locale,
            "Poissaolo on ilmoitettu ohjaajalle.",
            "Frånvaron är anmäld till handledaren.",
            "Your supervisor has been told you cannot attend."
        ),
        "review" => tr!(locale, "Arvio on tallennettu.", "Bedömningen är sparad.", "Review saved."),
        "signed_out" => tr!(locale, "Olet kirjautunut ulos.", "Du har loggat ut.", "You have signed out."),
        "voted" => tr!(
            locale,
            "Vastauksesi on tallennettu. Voit muuttaa sitä, kunnes kysely sulkeutuu.",
            "Ditt svar är sparat. Du kan ändra det tills förfrågan stänger.",
            "Your answer is saved. You can change it until the poll closes."
        ),
        "poll_created" => tr!(
            locale,
            "Kysely on luotu, ja vastauslinkit lähtevät kysytyille.",
            "Förfrågan är skapad och svarslänkarna skickas till de tillfrågade.",
            "The poll is created and the links to answer are on their way."
        ),
        "poll_chosen" => tr!(
            locale,
            "Rytmi on valittu ja sarja varattu; kutsut ja tieto valinnasta lähtevät kaikille.",
            "Rytmen är vald och serien bokad; inbjudningarna och beskedet skickas till alla.",
            "The rhythm is chosen and the series booked; the invitations and the decision are on their way."
        ),
        "poll_closed" => tr!(
            locale,
            "Kysely on suljettu ilman valintaa, ja kysytyille kerrotaan siitä.",
            "Förfrågan är stängd utan val, och de tillfrågade får veta det.",
            "The poll is closed without a choice, and everyone asked is told."
        ),
        "webhook_test" => tr!(
            locale,
            "Testitapahtuma on jonossa; sen toimitus näkyy alla.",
            "Testhändelsen är köad; leveransen syns nedan.",
            "The test event is queued; its delivery shows below."
        ),
        _ => return None,
    })
}

fn notice_of(ctx: &Ctx) -> Option<&'static str> {
    let query = ctx.path.split_once('?')?.1;
    let code = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "notice")?.1;
    notice_text(ctx.locale, &code)
}

fn current(ctx: &Ctx, prefix: &str) -> Option<&'static str> {
    let path = ctx.path.split('?').next().unwrap_or_default();
    let here = if prefix == "/coordinator" {
        path == prefix || path.starts_with("/coordinator/series")
    } else if prefix == "/supervisor" {
        path.starts_with(prefix) && !path.starts_with("/supervisor/invoic") && !path.starts_with("/supervisor/polls")
    } else {
        path.starts_with(prefix)
    };
    here.then_some("page")
}

fn language_switch(ctx: &Ctx) -> Markup {
    let next: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &ctx.path).finish();
    html! {
        nav.languages aria-label=(tr!(ctx.locale, "Kieli", "Språk", "Language")) {
            ul {
                @for (locale, name, here) in language_links(ctx.locale) {
                    li {
                        a href={ "/lang/" (locale.as_str()) "?" (next) } lang=(locale.as_str()) hreflang=(locale.as_str())
                            aria-current=[here.then_some("true")] { (name) }
                    }
                }
            }
        }
    }
}

/// A whole page for `ctx` titled `title`.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    let l = ctx.locale;
    html! {
        (DOCTYPE)
        html lang=(l.as_str()) {
            (head(l, title))
            body {
                (skip_link(l))
                header.site {
                    div.bar {
                        a.brand href="/" { "Ohjaus" }
                        (language_switch(ctx))
                    }
                    @if let Some(account) = &ctx.account {
                        nav.places aria-label=(tr!(l, "Päävalikko", "Huvudmeny", "Main menu")) {
                            ul {
                                @if ctx.is_supervisor() {
                                    li { a href="/supervisor" aria-current=[current(ctx, "/supervisor")] { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) } }
                                    li { a href="/supervisor/invoicing" aria-current=[current(ctx, "/supervisor/invoic")] { (tr!(l, "Laskutus", "Fakturering", "Invoicing")) } }
                                    li { a href="/supervisor/polls" aria-current=[current(ctx, "/supervisor/polls")] { (tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls")) } }
                                }
                                @if ctx.is_coordinator() {
                                    li { a href="/coordinator" aria-current=[current(ctx, "/coordinator")] { (tr!(l, "Sarjat", "Serier", "Series")) } }
                                    li { a href="/coordinator/book" aria-current=[current(ctx, "/coordinator/book")] { (tr!(l, "Varaa sarja", "Boka serie", "Book a series")) } }
                                    li { a href="/coordinator/polls" aria-current=[current(ctx, "/coordinator/polls")] { (tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls")) } }
                                    li { a href="/coordinator/people" aria-current=[current(ctx, "/coordinator/people")] { (tr!(l, "Ihmiset ja ryhmät", "Personer och grupper", "People and teams")) } }
                                    li { a href="/coordinator/report" aria-current=[current(ctx, "/coordinator/report")] { (tr!(l, "Raportti", "Rapport", "Report")) } }
                                    li { a href="/coordinator/webhooks" aria-current=[current(ctx, "/coordinator/webhooks")] { "Webhooks" } }
                                }
                                @if ctx.is_person() {
                                    li { a href="/me" aria-current=[current(ctx, "/me")] { (tr!(l, "Omat tapaamiset", "Mina träffar", "My sessions")) } }
                                }
                            }
                        }
                        div.who {
                            span { (account.name) }
                            form method="post" action="/sign-out" {
                                (csrf_field(ctx))
                                button.link type="submit" { (tr!(l, "Kirjaudu ulos", "Logga ut", "Sign out")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    @if let Some(text) = notice_of(ctx) {
                        p.notice role="status" { (text) }
                    }
                    (body)
                }
                footer.site {
                    p { (tr!(l, "Ohjaus – työnohjauksen ajanvaraus", "Ohjaus – bokning av handledning", "Ohjaus – booking work supervision")) }
                }
            }
        }
    }
}

/// A page without a reader (error pages).
pub fn bare(locale: Locale, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.as_str()) {
            (head(locale, title))
            body {
                (skip_link(locale))
                header.site { div.bar { a.brand href="/" { "Ohjaus" } } }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}
