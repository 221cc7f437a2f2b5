//! OpenAPI links (OpenAPI 3.1 §4.8.20): which operations take the id of a resource that
//! another operation answered with. A client generator or a fuzzer (schemathesis' stateful
//! phase) follows them from a created organization to its teams, from a list of series to one
//! series' sessions, and so reaches the operations that made-up ids only ever answer 404.
//!
//! The links are derived from the paths, by one rule, so an endpoint added later gets its links
//! without a list to keep: an operation on a collection `…/{collection}` that answers a record
//! (`201` to a POST: `id`) or a page of records (`200` to a GET: `items[0].id`) links to every
//! operation on an item of that collection — `…/{collection}/{id}…` under the same path,
//! `/api/v1/{collection}/{id}…` at the top, or `/api/v1/{parent}/{collection}/{id}…` for a
//! collection of a `{parent}` item — with the item's id, and with the path parameters
//! the two share taken from the request. The work is done on the document as JSON (the
//! schemas are easiest to follow there) and read back.

use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// Adds the links to `openapi`; leaves it as it was if it cannot be read as JSON.
pub fn add(openapi: &mut OpenApi) {
    let Ok(mut document) = serde_json::to_value(&*openapi) else { return };
    let operations = operations(&document);
    let mut added = Vec::new();
    for source in &operations {
        let Some((status, pointer)) = answer_of(&document, source) else { continue };
        let Some(collection) = source.path.rsplit('/').next().filter(|s| !s.starts_with('{')) else { continue };
        let nested = format!("{}/{{", source.path);
        let top = format!("/api/v1/{collection}/{{");
        // `/api/v1/{parent}/{id}/{collection}` also reaches `/api/v1/{parent}/{collection}/{id}…`
        // (a webhook's deliveries: `/webhooks/deliveries/{id}/retry`).
        let grouped = source
            .path
            .strip_prefix("/api/v1/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(_, rest)| rest.starts_with('{'))
            .map(|(parent, _)| format!("/api/v1/{parent}/{collection}/{{"));
        let mut links = Map::new();
        for target in &operations {
            let rest = if let Some(rest) = target.path.strip_prefix(&nested) {
                rest
            } else if let Some(rest) = target.path.strip_prefix(&top) {
                rest
            } else if let Some(rest) = grouped.as_deref().and_then(|g| target.path.strip_prefix(g)) {
                rest
            } else {
                continue;
            };
            let Some((id, _)) = rest.split_once('}') else { continue };
            let mut parameters = Map::new();
            parameters.insert(id.to_owned(), json!(format!("$response.body#{pointer}")));
            let mut complete = true;
            for other in target.parameters.iter().filter(|p| p.as_str() != id) {
                if source.parameters.contains(other) {
                    parameters.insert(other.clone(), json!(format!("$request.path.{other}")));
                } else {
                    complete = false;
                }
            }
            if complete {
                links.insert(target.id.clone(), json!({ "operationId": target.id, "parameters": parameters }));
            }
        }
        if !links.is_empty() {
            added.push((source.path.clone(), source.method, status, links));
        }
    }
    for (path, method, status, links) in added {
        if let Some(response) = document.pointer_mut(&format!("/paths/{}/{method}/responses/{status}", escape(&path)))
            && let Some(response) = response.as_object_mut()
        {
            response.insert("links".to_owned(), Value::Object(links));
        }
    }
    if let Ok(linked) = serde_json::from_value(document) {
        *openapi = linked;
    }
}

struct Operation {
    path: String,
    method: &'static str,
    id: String,
    /// The names of its path parameters, in order.
    parameters: Vec<String>,
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    let Some(paths) = document["paths"].as_object() else { return found };
    for (path, item) in paths {
        for method in METHODS {
            let Some(id) = item[method]["operationId"].as_str() else { continue };
            let parameters =
                path.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(name, _)| name.to_owned()).collect();
            found.push(Operation { path: path.clone(), method, id: id.to_owned(), parameters });
        }
    }
    found
}

/// The status of the answer that carries a record's id and the JSON pointer to it: a created
/// record, the first of a page (`items`) or of a bare list.
fn answer_of(document: &Value, operation: &Operation) -> Option<(&'static str, &'static str)> {
    let status = match operation.method {
        "post" => "201",
        "get" => "200",
        _ => return None,
    };
    let response = &document["paths"][&operation.path][operation.method]["responses"][status];
    let schema = resolve(document, &response["content"]["application/json"]["schema"])?;
    let (record, pointer) = if status == "201" {
        (schema, "/id")
    } else if schema["type"] == "array" {
        (resolve(document, &schema["items"])?, "/0/id")
    } else {
        (resolve(document, &schema["properties"]["items"]["items"])?, "/items/0/id")
    };
    record["properties"].get("id").map(|_| (status, pointer))
}

/// A schema, its `$ref` followed.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => document.pointer(reference.strip_prefix('#')?),
        None => schema.is_object().then_some(schema),
    }
}

/// A path as one JSON pointer token (RFC 6901).
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_record_links_to_its_operations() {
        let document = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/v1/organizations/{org}/teams": {
                    "post": {"operationId": "create_team", "responses": {"201": {"description": "made",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Team"}}}}}},
                    "get": {"operationId": "list_teams", "responses": {"200": {"description": "page",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}
                },
                "/api/v1/teams/{id}": {"get": {"operationId": "get_team", "responses": {"200": {"description": "one"}}}},
                "/api/v1/teams/{id}/members/{person}": {"delete": {"operationId": "remove_member", "responses": {"204": {"description": "gone"}}}}
            },
            "components": {"schemas": {
                "Team": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Team"}}}}
            }}
        });
        let mut openapi: OpenApi = serde_json::from_value(document).unwrap();
        add(&mut openapi);
        let linked = serde_json::to_value(&openapi).unwrap();
        let created = &linked["paths"]["/api/v1/organizations/{org}/teams"]["post"]["responses"]["201"]["links"];
        assert_eq!(created["get_team"]["parameters"]["id"], "$response.body#/id");
        assert!(created.get("remove_member").is_none(), "a parameter the source does not know");
        let listed = &linked["paths"]["/api/v1/organizations/{org}/teams"]["get"]["responses"]["200"]["links"];
        assert_eq!(listed["get_team"]["parameters"]["id"], "$response.body#/items/0/id");
    }

    #[test]
    fn a_collection_of_an_item_links_to_its_operations_grouped_under_the_parent() {
        let document = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/api/v1/webhooks/{id}/deliveries": {
                    "get": {"operationId": "list_deliveries", "responses": {"200": {"description": "page",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}
                },
                "/api/v1/webhooks/deliveries/{id}/retry": {"post": {"operationId": "retry", "responses": {"202": {"description": "queued"}}}},
                "/api/v1/webhooks/{id}": {"get": {"operationId": "get_webhook", "responses": {"200": {"description": "one"}}}}
            },
            "components": {"schemas": {
                "Delivery": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}}
            }}
        });
        let mut openapi: OpenApi = serde_json::from_value(document).unwrap();
        add(&mut openapi);
        let linked = serde_json::to_value(&openapi).unwrap();
        let links = &linked["paths"]["/api/v1/webhooks/{id}/deliveries"]["get"]["responses"]["200"]["links"];
        assert_eq!(links["retry"]["parameters"]["id"], "$response.body#/items/0/id");
        assert!(links.get("get_webhook").is_none(), "a delivery's id is not a webhook's");
    }
}
