//! The voter's page of a rhythm poll, at the personal link of their invitation
//! (`/vote/{secret}`): no account and no sign-in — the link is the key, and it answers for its
//! own person of its own poll only (the store looks the secret up by its hash; an unknown,
//! tampered or expired link is the site's 404 page, never "wrong link").
//!
//! One form: yes / if need be / no per option and a comment. It works without JavaScript and
//! on a phone (radio buttons in fieldsets, the site's layout). The page shows the voter's
//! current answers and lets them change them until the poll stops taking votes; then it shows
//! the outcome. A vote that arrives after that is refused with a 409 page that says so, and
//! nothing changes.
//!
//! Forms: the link's secret alone would let a page on another site that learnt it post a vote;
//! so the vote carries the guard's CSRF token too (from the pre-session cookie set when the
//! link is first opened), and the guard refuses a cross-site post. The secret never leaves the
//! site in a `Referer` (`Referrer-Policy: same-origin`).

use crate::ctx::Ctx;
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::{CookieNames, cookie_value, see_other};
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use ohjaus_core::{FieldError, Locale};
use ohjaus_store::StoreError;
use ohjaus_store::status::{PollAnswer, PollStatus};
use ohjaus_store::write::poll_votes::{Ballot, BallotAnswer, BallotOption, PollVote};
use std::collections::HashMap;
use uuid::Uuid;

/// The form field of an option's answer.
fn answer_field(option: Uuid) -> String {
    format!("answer-{option}")
}

/// The page speaks the voter's own language unless they picked another with the switch.
fn voter_ctx(state: &WebState, mut ctx: Ctx, headers: &HeaderMap, ballot: &Ballot) -> Ctx {
    let chosen = cookie_value(headers, CookieNames::new(state.config.is_https()).lang()).is_some();
    if !chosen && let Some(locale) = Locale::parse(&ballot.locale) {
        ctx.locale = locale;
    }
    ctx.zone = i18n::reader_zone(&ballot.timezone);
    ctx
}

/// What went wrong with a vote, shown above the form.
enum Trouble {
    /// The poll no longer takes votes (409).
    Closed,
    /// The form is incomplete or wrong (422), with what was submitted.
    Invalid { errors: Vec<FieldError>, answers: HashMap<Uuid, PollAnswer>, comment: Option<String> },
}

fn option_text(ctx: &Ctx, option: &BallotOption) -> String {
    i18n::poll_option(
        ctx.locale,
        ctx.zone,
        option.first_starts_at.with_timezone(&Utc),
        option.duration_minutes,
        &option.recurrence,
        option.sessions,
    )
}

fn option_heading(locale: Locale, position: i32) -> String {
    format!("{} {position}", tr!(locale, "Vaihtoehto", "Alternativ", "Option"))
}

fn outcome(ctx: &Ctx, ballot: &Ballot) -> Markup {
    let l = ctx.locale;
    let chosen = ballot.chosen_option_id.and_then(|id| ballot.options.iter().find(|o| o.id == id));
    html! {
        section.card.outcome aria-labelledby="outcome-heading" {
            h2 #outcome-heading { (tr!(l, "Tulos", "Resultat", "Outcome")) }
            @match (ballot.status, chosen) {
                (PollStatus::Decided, Some(option)) => {
                    p.ok { (tr!(l, "Valittu rytmi", "Vald rytm", "The rhythm chosen")) ": " (option_heading(l, option.position)) }
                    p { (option_text(ctx, option)) @if let Some(place) = &option.location { ", " (place) } }
                    p { (tr!(l,
                        "Kalenterikutsut istuntoihin tulevat sähköpostiisi.",
                        "Kalenderinbjudningarna till träffarna kommer till din e-post.",
                        "The calendar invitations to the sessions come to your email.")) }
                }
                (PollStatus::Closed, _) | (PollStatus::Decided, None) => {
                    p { (tr!(l,
                        "Kysely suljettiin ilman valintaa, eikä sen perusteella varattu istuntoja.",
                        "Förfrågan stängdes utan val, och inga träffar bokades utifrån den.",
                        "The poll was closed without a choice; no sessions were booked from it.")) }
                }
                (PollStatus::Open, _) => {
                    p { (tr!(l,
                        "Vastausaika on päättynyt. Rytmi valitaan pian, ja saat siitä viestin.",
                        "Svarstiden har gått ut. Rytmen väljs snart, och du får ett meddelande om den.",
                        "Answering has ended. The rhythm will be chosen soon, and you will get a message.")) }
                }
            }
        }
    }
}

/// The voter's own answers, read only (after voting has ended).
fn own_answers(ctx: &Ctx, ballot: &Ballot) -> Markup {
    let l = ctx.locale;
    let answers: HashMap<Uuid, PollAnswer> = ballot.answers.iter().map(|a| (a.option_id, a.answer)).collect();
    html! {
        h2 { (tr!(l, "Vastauksesi", "Dina svar", "Your answers")) }
        ul.plain {
            @for option in &ballot.options {
                li {
                    strong { (option_heading(l, option.position)) ": " }
                    (i18n::poll_answer(l, answers.get(&option.id).map_or("", |a| a.as_str())))
                    " – " (option_text(ctx, option))
                }
            }
        }
        @if let Some(comment) = &ballot.comment {
            p { strong { (tr!(l, "Kommenttisi", "Din kommentar", "Your comment")) ": " } (comment) }
        }
    }
}

fn ballot_form(ctx: &Ctx, secret: &str, ballot: &Ballot, trouble: Option<&Trouble>) -> Markup {
    let l = ctx.locale;
    let (answers, comment): (HashMap<Uuid, PollAnswer>, Option<&str>) = match trouble {
        Some(Trouble::Invalid { answers, comment, .. }) => (answers.clone(), comment.as_deref()),
        _ => (ballot.answers.iter().map(|a| (a.option_id, a.answer)).collect(), ballot.comment.as_deref()),
    };
    html! {
        form #ballot .stack method="post" action={ "/vote/" (secret) } {
            (csrf_field(ctx))
            @for option in &ballot.options {
                @let field = answer_field(option.id);
                fieldset.choice.poll-option {
                    legend { (option_heading(l, option.position)) }
                    p.rhythm { (option_text(ctx, option)) }
                    @if let Some(place) = &option.location { p.meta { (tr!(l, "Paikka", "Plats", "Place")) ": " (place) } }
                    @for answer in PollAnswer::ALL {
                        @let id = format!("{field}-{}", answer.as_str());
                        span.option {
                            input type="radio" id=(id) name=(field) value=(answer.as_str()) required
                                checked[answers.get(&option.id) == Some(answer)];
                            label for=(id) { (i18n::poll_answer(l, answer.as_str())) }
                        }
                    }
                }
            }
            div.field {
                label for="comment" { (tr!(l, "Kommentti (vapaaehtoinen)", "Kommentar (frivillig)", "Comment (optional)")) }
                textarea #comment name="comment" rows="3" maxlength="1000" aria-describedby="comment-help" { (comment.unwrap_or_default()) }
                p #comment-help .help { (tr!(l,
                    "Kommentin näkevät koordinaattori ja ohjaaja.",
                    "Kommentaren syns för koordinatorn och handledaren.",
                    "The coordinator and the supervisor see your comment.")) }
            }
            button.primary type="submit" {
                @if ballot.answered_at.is_some() {
                    (tr!(l, "Tallenna muutokset", "Spara ändringarna", "Save changes"))
                } @else {
                    (tr!(l, "Lähetä vastaus", "Skicka svaret", "Send my answer"))
                }
            }
        }
    }
}

fn render(ctx: &Ctx, secret: &str, ballot: &Ballot, trouble: Option<&Trouble>) -> Markup {
    let l = ctx.locale;
    let supervisors = ballot.supervisors.join(tr!(l, " ja ", " och ", " and "));
    page(
        ctx,
        &ballot.title,
        html! {
            h1 { (ballot.title) }
            p.meta {
                (i18n::kind(l, &ballot.kind)) " · " (ballot.organization_name)
                @if !supervisors.is_empty() { " · " (supervisors) }
            }
            p.lead {
                (tr!(l, "Hei", "Hej", "Hello")) " " (ballot.name) "! "
                @if ballot.voting {
                    (tr!(l,
                        "Kerro, mitkä ehdotetuista rytmeistä sopivat sinulle. Vastaus on vain sinun, eikä sinun tarvitse kirjautua.",
                        "Berätta vilka av de föreslagna rytmerna som passar dig. Svaret är bara ditt, och du behöver inte logga in.",
                        "Say which of the proposed rhythms suit you. The answer is yours alone, and you need not sign in."))
                } @else {
                    (tr!(l,
                        "Tämä kysely ei enää ota vastaan vastauksia.",
                        "Den här förfrågan tar inte längre emot svar.",
                        "This poll no longer takes answers."))
                }
            }
            p {
                strong { @if ballot.voting { (tr!(l, "Vastaa viimeistään", "Svara senast", "Answer by")) } @else { (tr!(l, "Vastausaika", "Svarstid", "Answers until")) } ": " }
                (i18n::instant(l, ctx.zone, ballot.deadline.with_timezone(&Utc)))
            }
            @match trouble {
                Some(Trouble::Closed) => {
                    div.problems role="alert" tabindex="-1" {
                        h2 { (tr!(l, "Vastausta ei tallennettu", "Svaret sparades inte", "Your answer was not saved")) }
                        p { (tr!(l,
                            "Kysely ei enää ota vastaan vastauksia. Aiemmat vastauksesi ovat ennallaan.",
                            "Förfrågan tar inte längre emot svar. Dina tidigare svar är oförändrade.",
                            "The poll no longer takes answers. Your earlier answers are unchanged.")) }
                    }
                }
                Some(Trouble::Invalid { errors, .. }) => { (super::problems(l, errors)) }
                None => {}
            }
            @if ballot.voting {
                @if let Some(at) = ballot.answered_at {
                    p.ok role="status" {
                        (tr!(l, "Vastasit", "Du svarade", "You answered")) " " (i18n::instant(l, ctx.zone, at.with_timezone(&Utc))) ". "
                        (tr!(l,
                            "Voit muuttaa vastaustasi, kunnes kysely sulkeutuu.",
                            "Du kan ändra ditt svar tills förfrågan stänger.",
                            "You can change your answer until the poll closes."))
                    }
                }
                (ballot_form(ctx, secret, ballot, trouble))
            } @else {
                (outcome(ctx, ballot))
                @if ballot.answered_at.is_some() { (own_answers(ctx, ballot)) }
            }
        },
    )
}

/// `GET /vote/{secret}`: the poll, the voter's answers, and the form while it takes votes.
pub async fn ballot(
    State(state): State<WebState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, PageError> {
    let ballot = state.store.poll_ballot(&secret, state.clock.now()).await?;
    let ctx = voter_ctx(&state, ctx, &headers, &ballot);
    Ok(render(&ctx, &secret, &ballot, None).into_response())
}

/// `POST /vote/{secret}`: casts or changes the vote; 409 once the poll takes no votes.
pub async fn vote(
    State(state): State<WebState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(secret): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let ballot = state.store.poll_ballot(&secret, now).await?;
    let ctx = voter_ctx(&state, ctx, &headers, &ballot);
    let answers: HashMap<Uuid, PollAnswer> = ballot
        .options
        .iter()
        .filter_map(|o| Some((o.id, form.get(&answer_field(o.id)).and_then(PollAnswer::parse)?)))
        .collect();
    let comment = form.get("comment").map(str::to_owned);
    let vote = PollVote {
        answers: ballot
            .options
            .iter()
            .filter_map(|o| Some(BallotAnswer { option_id: o.id, answer: *answers.get(&o.id)? }))
            .collect(),
        comment: comment.clone(),
    };
    match state.store.vote_in_poll(&secret, &vote, now).await {
        Ok(_) => Ok(see_other(&format!("/vote/{secret}?notice=voted"))),
        Err(StoreError::State(_)) => {
            // As it stands now (decided, closed, or past its deadline).
            let ballot = state.store.poll_ballot(&secret, now).await?;
            Ok((StatusCode::CONFLICT, render(&ctx, &secret, &ballot, Some(&Trouble::Closed))).into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            let trouble = Trouble::Invalid { errors: errors.errors().to_vec(), answers, comment };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&ctx, &secret, &ballot, Some(&trouble))).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
