//! What goes wrong on a page, and the page that says so. Handlers answer a [`PageError`];
//! the [`guard`](crate::security::guard) middleware renders it in the reader's language.
//! Internal causes are logged, never shown.

use crate::layout;
use crate::security::see_other;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use ohjaus_core::Locale;
use ohjaus_store::StoreError;

/// The kinds of error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing the reader may see is here (404; another organization's page, say).
    NotFound,
    /// The reader's role may not open this (403).
    Forbidden,
    /// A form without the right CSRF token, or from another site (403).
    Csrf,
    /// A form too large (413).
    TooLarge,
    /// A request the page cannot read (400).
    BadRequest,
    /// Too many requests from this browser's address (429, with `Retry-After`).
    TooManyRequests,
    /// The database cannot be reached right now (503, with `Retry-After`).
    Unavailable,
    /// Something failed on our side (500).
    Internal,
}

/// What a reader is told to wait while the database cannot be reached (as the API says).
const RETRY_AFTER_UNAVAILABLE_SECONDS: u64 = 5;

impl ErrorKind {
    fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Why a page cannot be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the cookie is forged, expired or signed out): to the sign-in page,
    /// then back to `next`.
    SignIn {
        /// Where to come back to.
        next: String,
    },
    /// An error page.
    Page(ErrorKind),
    /// Over a rate limit: the 429 page, and when to try again.
    Limited {
        /// How long to wait.
        retry_after: std::time::Duration,
    },
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::Page(ErrorKind::NotFound),
            StoreError::Forbidden => Self::Page(ErrorKind::Forbidden),
            StoreError::Invalid(_) | StoreError::State(_) | StoreError::Conflict(_) => {
                Self::Page(ErrorKind::BadRequest)
            }
            error if error.is_unavailable() => {
                ohjaus_store::reach::log_unavailable(&error);
                Self::Page(ErrorKind::Unavailable)
            }
            StoreError::StaleLease | StoreError::Database(_) => {
                tracing::error!(error = %error, "a page failed");
                Self::Page(ErrorKind::Internal)
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn { next } => {
                let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish();
                see_other(&format!("/sign-in?{query}"))
            }
            Self::Page(kind) => {
                // An empty body marked with the kind: the guard renders it in the reader's language.
                let mut response = kind.status().into_response();
                response.extensions_mut().insert(kind);
                if kind == ErrorKind::Unavailable {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECONDS));
                }
                response
            }
            Self::Limited { retry_after } => {
                let kind = ErrorKind::TooManyRequests;
                let mut response = kind.status().into_response();
                response.extensions_mut().insert(kind);
                let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                response
            }
        }
    }
}

/// The error page of `kind` in `locale`.
pub fn render_error(locale: Locale, kind: ErrorKind) -> Response {
    let (title, text) = match kind {
        ErrorKind::NotFound => (
            tr!(locale, "Sivua ei löytynyt", "Sidan hittades inte", "Page not found"),
            tr!(
                locale,
                "Täällä ei ole mitään, mitä voisit nähdä. Tarkista osoite tai palaa etusivulle.",
                "Här finns inget som du kan se. Kontrollera adressen eller gå tillbaka till startsidan.",
                "There is nothing here you can see. Check the address or go back to the front page."
            ),
        ),
        ErrorKind::Forbidden => (
            tr!(locale, "Ei käyttöoikeutta", "Ingen behörighet", "Not allowed"),
            tr!(
                locale,
                "Roolisi ei salli tätä toimintoa.",
                "Din roll tillåter inte den här åtgärden.",
                "Your role does not allow this."
            ),
        ),
        ErrorKind::Csrf => (
            tr!(locale, "Lomake vanheni", "Formuläret har gått ut", "The form has expired"),
            tr!(
                locale,
                "Lomaketta ei voitu hyväksyä. Lataa sivu uudelleen ja yritä uudestaan.",
                "Formuläret kunde inte godkännas. Ladda om sidan och försök igen.",
                "The form could not be accepted. Reload the page and try again."
            ),
        ),
        ErrorKind::TooLarge => (
            tr!(locale, "Liian suuri lomake", "För stort formulär", "Form too large"),
            tr!(
                locale,
                "Lyhennä tekstiä ja yritä uudestaan.",
                "Korta texten och försök igen.",
                "Shorten the text and try again."
            ),
        ),
        ErrorKind::BadRequest => (
            tr!(
                locale,
                "Pyyntöä ei voitu käsitellä",
                "Begäran kunde inte behandlas",
                "The request could not be handled"
            ),
            tr!(
                locale,
                "Tarkista tiedot ja yritä uudestaan.",
                "Kontrollera uppgifterna och försök igen.",
                "Check the details and try again."
            ),
        ),
        ErrorKind::TooManyRequests => (
            tr!(locale, "Liian monta yritystä", "För många försök", "Too many attempts"),
            tr!(
                locale,
                "Tästä osoitteesta on tullut juuri nyt liian monta pyyntöä. Odota hetki ja yritä uudestaan.",
                "Det har kommit för många förfrågningar från den här adressen just nu. Vänta en stund och försök igen.",
                "There have been too many requests from this address just now. Wait a moment and try again."
            ),
        ),
        ErrorKind::Unavailable => (
            tr!(
                locale,
                "Palvelu ei ole juuri nyt käytettävissä",
                "Tjänsten är inte tillgänglig just nu",
                "The service is unavailable right now"
            ),
            tr!(
                locale,
                "Tietokantaan ei saada juuri nyt yhteyttä, eikä mitään muutettu. Yritä hetken kuluttua uudestaan.",
                "Databasen kan inte nås just nu, och ingenting ändrades. Försök igen om en stund.",
                "The database cannot be reached just now, and nothing was changed. Try again in a moment."
            ),
        ),
        ErrorKind::Internal => (
            tr!(locale, "Jokin meni vikaan", "Något gick fel", "Something went wrong"),
            tr!(
                locale,
                "Virhe on kirjattu. Yritä hetken kuluttua uudestaan.",
                "Felet har loggats. Försök igen om en stund.",
                "The error has been logged. Try again in a moment."
            ),
        ),
    };
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/" { (tr!(locale, "Etusivulle", "Till startsidan", "To the front page")) } }
    };
    (kind.status(), layout::bare(locale, title, body)).into_response()
}
