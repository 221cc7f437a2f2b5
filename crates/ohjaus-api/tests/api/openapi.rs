//! The OpenAPI document against the router that serves it: the same operations as the
//! authorization matrix (which covers every route), every documented operation routed, every
//! other method refused with 405, and the document complete where clients and fuzzers rely on
//! it (errors, bodies refusing unknown fields, formats).

use crate::api_test;
use crate::matrix::{normalized, operations};
use axum::http::Method;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The document's operations as `(METHOD, path)`.
fn documented(openapi: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method.to_ascii_lowercase()).is_some() {
                all.insert((method.to_owned(), path.clone()));
            }
        }
    }
    all
}

/// A concrete path for a template: every parameter a fresh id.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        out.push_str(&uuid::Uuid::now_v7().to_string());
        rest = &rest[rest[start..].find('}').map_or(rest.len(), |end| start + end + 1)..];
    }
    out.push_str(rest);
    out
}

api_test! {
    async fn the_document_lists_every_route(app: TestApp) {
        let documented: BTreeSet<(String, String)> =
            documented(&app.openapi).into_iter().map(|(m, p)| (m, normalized(&p))).collect();
        let tested = operations();
        let untested: Vec<_> = documented.difference(&tested).collect();
        let undocumented: Vec<_> = tested.difference(&documented).collect();
        assert!(untested.is_empty(), "documented but not in the authorization matrix: {untested:?}");
        assert!(undocumented.is_empty(), "in the matrix but not documented: {undocumented:?}");

        // Every documented operation reaches a handler; every other method on its path is 405.
        let paths: BTreeSet<String> = documented_paths(&app.openapi);
        for path in paths {
            let item = &app.openapi["paths"][&path];
            for method in METHODS {
                let answer = app.call(method.parse::<Method>().unwrap(), &concrete(&path), None, None).await;
                if item.get(method.to_ascii_lowercase()).is_some() {
                    assert!(
                        !(answer.status == 404 && answer.json["detail"] == "route not found") && answer.status != 405,
                        "{method} {path} is documented but not routed: {}",
                        answer.status
                    );
                } else {
                    answer.problem(405);
                }
            }
        }
    }
}

fn documented_paths(openapi: &Value) -> BTreeSet<String> {
    openapi["paths"].as_object().unwrap().keys().cloned().collect()
}

api_test! {
    async fn the_served_document_is_openapi_3_1_and_complete(app: TestApp) {
        let served = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert_eq!(served.expect(200), &app.openapi);
        assert!(served.content_type().starts_with("application/json"));
        let doc = &app.openapi;
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let responses = doc["components"]["responses"].as_object().unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let answers = operation["responses"].as_object().unwrap();
                let secured = operation.get("security").is_some();
                let public = ["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"].contains(&path.as_str())
                    || path.starts_with("/calendar/")
                    || path.starts_with("/api/v1/poll-votes/");
                assert_eq!(secured, !public, "{method} {path}: security");
                if secured {
                    assert!(answers.contains_key("401"), "{method} {path} does not document 401");
                }
                if path.contains('{') {
                    assert!(answers.contains_key("404"), "{method} {path} does not document 404");
                }
                if let Some(body) = operation.get("requestBody") {
                    for status in ["400", "413", "415", "422"] {
                        assert!(answers.contains_key(status), "{method} {path} takes a body but does not document {status}");
                    }
                    // A body type refuses unknown fields, and says so.
                    let schema = &body["content"]["application/json"]["schema"];
                    let reference = schema["$ref"].as_str().or_else(|| schema["oneOf"][0]["$ref"].as_str());
                    if let Some(reference) = reference {
                        let name = reference.trim_start_matches("#/components/schemas/");
                        assert_eq!(schemas[name]["additionalProperties"], false, "{name} allows unknown fields");
                    } else {
                        assert_eq!(schema["type"], "array", "{method} {path}: an inline body");
                        assert_eq!(schema["items"]["$ref"], "#/components/schemas/WorkingHoursEntry");
                    }
                }
                for (status, answer) in answers {
                    if status.starts_with('4') || status.starts_with('5') {
                        let name = answer["$ref"].as_str().map(|r| r.trim_start_matches("#/components/responses/"));
                        let answer = name.map_or(answer, |name| &responses[name]);
                        assert!(
                            answer["content"]["application/problem+json"]["schema"].is_object(),
                            "{method} {path} {status} is not a problem"
                        );
                    }
                    if status == "201" {
                        assert!(answer["headers"]["Location"].is_object(), "{method} {path} 201 without Location");
                    }
                }
            }
        }
        // Every reference resolves.
        let text = serde_json::to_string(doc).unwrap();
        for reference in text.split("\"$ref\":\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            let (kind, name) = reference.trim_start_matches("#/components/").split_once('/').unwrap();
            assert!(doc["components"][kind][name].is_object(), "dangling reference {reference}");
        }
        // Formats and enums that clients and fuzzers rely on.
        assert_eq!(schemas["Series"]["properties"]["id"]["format"], "uuid");
        assert_eq!(schemas["Closure"]["properties"]["start_date"]["format"], "date");
        assert_eq!(schemas["Absence"]["properties"]["starts_at"]["format"], "date-time");
        for (name, values) in [
            ("SeriesKind", vec!["individual_supervision", "group_supervision", "work_community_supervision", "individual_coaching", "team_coaching"]),
            ("SessionStatus", vec!["scheduled", "cancelled", "held"]),
            ("Phase", vec!["goal_setting", "midpoint_review", "final_review"]),
            ("NoteVisibility", vec!["supervisor", "participants"]),
            ("GoalFocus", vec!["project", "growth", "wellbeing", "work_community"]),
            ("HolidayPolicy", vec!["skip", "shift", "keep"]),
            ("ReviewPhase", vec!["start", "midpoint", "final"]),
        ] {
            let listed: BTreeSet<&str> = schemas[name]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            assert_eq!(listed, values.into_iter().collect(), "{name}");
        }
        assert_eq!(schemas["SessionDuration"]["minimum"], 15);
        assert_eq!(schemas["SessionDuration"]["maximum"], 480);
        assert_eq!(schemas["RecurrenceBody"]["properties"]["count"]["maximum"], 200);
        assert_eq!(schemas["NewReview"]["properties"]["rating"]["minimum"], 1);
        assert!(schemas["TimeZone"]["enum"].as_array().unwrap().contains(&Value::from("Europe/Helsinki")));
        let limit = &doc["paths"]["/api/v1/series"]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit").unwrap()["schema"];
        assert_eq!((limit["minimum"].as_u64(), limit["maximum"].as_u64()), (Some(1), Some(200)));
    }
}

api_test! {
    async fn unknown_routes_and_methods_are_problems(app: TestApp) {
        for path in ["/", "/api/v1", "/api/v1/nothing", "/api/v2/series", "/api/v1/series/x/y/z", "/calendar/x"] {
            let answer = app.call(Method::GET, path, None, None).await;
            answer.problem(404);
        }
        let answer = app.call(Method::DELETE, "/api/v1/series", None, None).await;
        answer.problem(405);
        assert!(answer.headers.get("allow").is_some(), "405 without Allow");
        let answer = app.call("PROPFIND".parse().unwrap(), "/api/v1/series", None, None).await;
        assert!(answer.status == 405 || answer.status == 404, "{}", answer.status);
        answer.problem(answer.status.as_u16());
    }
}

api_test! {
    async fn the_documented_limits_are_the_stores(app: TestApp) {
        use ohjaus_store::limits::{MAX_PAGE, MAX_SLOTS, MAX_UPCOMING_DAYS, SLOT_COUNT, SLOT_INTERVAL_WEEKS};
        // The OpenAPI attributes take no constants: every number they repeat is checked here.
        let expected = |path: &str, name: &str| -> Option<u64> {
            match name {
                "limit" if path == "/api/v1/slots" => Some(MAX_SLOTS as u64),
                "limit" => Some(u64::from(MAX_PAGE)),
                "days" => Some(u64::from(MAX_UPCOMING_DAYS)),
                "count" if path == "/api/v1/slots" => Some(u64::from(*SLOT_COUNT.end())),
                "interval_weeks" if path == "/api/v1/slots" => Some(u64::from(*SLOT_INTERVAL_WEEKS.end())),
                _ => None,
            }
        };
        let mut checked = 0;
        for (path, item) in app.openapi["paths"].as_object().unwrap() {
            for operation in item.as_object().unwrap().values() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap();
                    if let Some(maximum) = expected(path, name) {
                        assert_eq!(parameter["schema"]["maximum"].as_u64(), Some(maximum), "{path} {name}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 10, "{checked} limits checked");
    }
}
