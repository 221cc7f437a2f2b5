//! What goes wrong on a page, and the page that says so. Handlers answer a [`PageError`];
//! the [`guard`](crate::security::guard) middleware renders it in the reader's language.
//! Internal causes are logged, never shown.

use crate::layout;
use crate::security::see_other;
use axum::http::StatusCode;
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
    /// Something failed on our side (500).
    Internal,
}

impl ErrorKind {
    fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
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
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::Page(ErrorKind::NotFound),
            StoreError::Forbidden => Self::Page(ErrorKind::Forbidden),
            StoreError::Invalid(_) | StoreError::State(_) | StoreError::Conflict(_) => {
                Self::Page(ErrorKind::BadRequest)
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
