//! The error answers of the OpenAPI document, written once: each is a response component
//! (`#/components/responses/…`) whose body is a [`Problem`] in `application/problem+json`, and
//! each handler lists the ones it can give with the marker types here, e.g.
//! `responses((status = 200, body = Series), Unauthorized, NotFound)`. The answers any
//! request with a token can get whatever it asks — 429 over the token's rate limit, 503 while
//! the database cannot be reached — are added to every such operation by [`add_common`].

use crate::problem::{PROBLEM_JSON, Problem};
use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

/// Every error answer: status, component name, description.
const ANSWERS: [(&str, &str, &str); 10] = [
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
    (
        "429",
        "TooManyRequests",
        "The token (or feed link) has made more requests than its rate limit allows; `Retry-After` says \
         in how many seconds to try again.",
    ),
    (
        "503",
        "ServiceUnavailable",
        "The database cannot be reached right now; nothing was changed. `Retry-After` says in how many \
         seconds to try again.",
    ),
];

/// The answers every request with a token or feed link can get, whatever it asks.
const COMMON: [&str; 2] = ["429", "503"];

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
    for (status, name, description) in ANSWERS {
        let mut response = ResponseBuilder::new()
            .description(description)
            .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name(Problem::name()))).build());
        if COMMON.contains(&status) {
            let seconds = HeaderBuilder::new()
                .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))))
                .description(Some("Seconds to wait before trying again"))
                .build();
            response = response.header("Retry-After", seconds);
        }
        let response = response.build();
        components.responses.insert(name.to_owned(), RefOr::T(response));
    }
    let mut schemas = vec![(Problem::name().into_owned(), Problem::schema())];
    Problem::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
}

/// Adds [`COMMON`] answers to every operation that takes a token (those that answer 401) and
/// to `extra` paths (the calendar feed, whose link is its token).
pub fn add_common(openapi: &mut OpenApi, extra: &[&str]) {
    for (path, item) in &mut openapi.paths.paths {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ];
        for operation in operations.into_iter().flatten() {
            let answers = &mut operation.responses.responses;
            if answers.contains_key("401") || extra.contains(&path.as_str()) {
                answers.extend(refs(&COMMON));
            }
        }
    }
}
