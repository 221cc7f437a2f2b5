//! The error answers of the OpenAPI document, written once: each is a response component
//! (`#/components/responses/…`) whose body is a [`Problem`] in `application/problem+json`, and
//! each handler lists the ones it can give with the marker types here, e.g.
//! `responses((status = 200, body = Series), Unauthorized, NotFound)`.

use crate::problem::{PROBLEM_JSON, Problem};
use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

/// Every error answer: status, component name, description.
const ANSWERS: [(&str, &str, &str); 8] = [
    ("400", "BadRequest", "The body is not valid JSON."),
    ("401", "Unauthorized", "No valid bearer token: none, unknown or revoked."),
    ("403", "Forbidden", "The caller is known but their role may not do this."),
    ("404", "NotFound", "Nothing the caller may see goes by that id (or route)."),
    (
        "409",
        "Conflict",
        "The change collides with other bookings (`conflicts` lists every conflicting occurrence), or the \
         resource's state refuses it (type `urn:ohjaus:problem:state`, e.g. a cancelled series).",
    ),
    ("413", "PayloadTooLarge", "The body is larger than the server accepts."),
    ("415", "UnsupportedMediaType", "The body is not sent as application/json."),
    ("422", "Invalid", "The body or query does not fit: `errors` names every wrong field."),
];

fn refs(statuses: &[&str]) -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
    statuses
        .iter()
        .filter_map(|status| ANSWERS.iter().find(|(s, _, _)| s == status))
        .map(|(status, name, _)| ((*status).to_owned(), RefOr::Ref(Ref::from_response_name(*name))))
        .collect()
}

macro_rules! answers {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal),*];)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
                    refs(&[$($status),*])
                }
            }
        )*
    };
}

answers! {
    /// 401: every endpoint that takes a token.
    Unauthorized => ["401"];
    /// 403: the caller's role may not do this.
    Forbidden => ["403"];
    /// 404: the resource named in the path is not visible to the caller.
    NotFound => ["404"];
    /// 409: conflicting bookings.
    Conflict => ["409"];
    /// 422: a query parameter (or an id given in the body) is wrong.
    Invalid => ["422"];
    /// What reading a JSON body can answer: 400, 413, 415 and 422.
    BodyErrors => ["400", "413", "415", "422"];
}

/// Adds the error responses and the schemas they name to the document's components.
pub fn register(openapi: &mut OpenApi) {
    let components = openapi.components.get_or_insert_with(Default::default);
    for (_, name, description) in ANSWERS {
        let response = ResponseBuilder::new()
            .description(description)
            .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name(Problem::name()))).build())
            .build();
        components.responses.insert(name.to_owned(), RefOr::T(response));
    }
    let mut schemas = vec![(Problem::name().into_owned(), Problem::schema())];
    Problem::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
}
