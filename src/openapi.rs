//! The OpenAPI document: generated from the same route list the server uses.
use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use crate::error;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "prix-ceser",
        description = "Runs a regional civic prize end to end: editions, applications, jury, ballots, results.\n\nErrors are RFC 9457 `application/problem+json` documents with a stable `code`. Lists take `limit` and `cursor` and return `{items, next_cursor}`.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "The prix-ceser team")
    ),
    servers((url = "http://127.0.0.1:8080", description = "Development (`cargo run -- serve --demo`); production serves the same paths under its own address")),
    modifiers(&BearerAuth),
    components(
        schemas(error::Problem),
        responses(
            error::BadRequest,
            error::Unauthorized,
            error::Forbidden,
            error::NotFound,
            error::PayloadTooLarge,
            error::UnsupportedMediaType,
            error::ValidationFailed,
            error::TooManyRequests,
            error::ServiceUnavailable,
            error::InternalError,
        )
    ),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "auth", description = "Registration, login, token refresh and the caller's account"),
        (name = "users", description = "Account management by staff"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "organizations", description = "Organizers (CESER, CRESS…) and their staff"),
        (name = "editions", description = "Editions of a prize: calendar, criteria, prizes, lifecycle"),
        (name = "jury", description = "The jury: members, conflicts of interest, scoring, rankings, shortlist, auditions, decisions"),
        (name = "ballots", description = "The councillors' and the public's ballots, votes, receipts, results and laureates"),
        (name = "applications", description = "Applications: drafts, submission, eligibility review, the public gallery"),
        (name = "webhooks", description = "Signed notifications of an organization's events to the URLs its staff subscribe"),
        (name = "widget", description = "The embeddable public vote and the ceremony screen (HTML pages and their files)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description = Some(
            "An access token from `POST /api/v1/auth/token` (a JWT), or an API token from \
             `POST /api/v1/me/tokens` (`pxc_…`)."
                .to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every operation of the document, to complete its documentation.
pub fn operations_mut(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// The document, built by registering the routes exactly as the server does.
pub fn document() -> utoipa::openapi::OpenApi {
    crate::startup::mount(App::new()).1
}

/// The document as committed in `openapi/openapi.json`.
pub fn to_pretty_json(document: &utoipa::openapi::OpenApi) -> String {
    let mut json = document
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// Marks every field of the schemas only answers use as `required`: the server always sends
/// them (`null` when empty), so generated clients must not read them as optional
/// (`field?: T | null`). Schemas that requests also use keep their optional fields optional.
pub fn require_answer_fields(openapi: &mut utoipa::openapi::OpenApi) {
    use std::collections::BTreeSet;
    use utoipa::openapi::{RefOr, schema::Schema};

    let document = serde_json::to_value(&*openapi).expect("the document serialises");
    let schemas = &document["components"]["schemas"];
    // The schemas a JSON value names, directly or through other schemas.
    let reachable = |roots: Vec<&serde_json::Value>| {
        let mut found = BTreeSet::new();
        let mut pending = roots;
        while let Some(value) = pending.pop() {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(reference)) = map.get("$ref")
                        && let Some(name) = reference.strip_prefix("#/components/schemas/")
                        && found.insert(name.to_owned())
                    {
                        pending.push(&schemas[name]);
                    }
                    pending.extend(map.values());
                }
                serde_json::Value::Array(items) => pending.extend(items),
                _ => {}
            }
        }
        found
    };
    let operations: Vec<&serde_json::Value> = document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|item| item.values()))
        .collect();
    let requests = reachable(
        operations
            .iter()
            .flat_map(|operation| [&operation["requestBody"], &operation["parameters"]])
            .collect(),
    );
    let answers = reachable(
        operations
            .iter()
            .map(|operation| &operation["responses"])
            .chain([&document["components"]["responses"]])
            .collect(),
    );
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for name in answers.difference(&requests) {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name)
            && name != "Problem"
        {
            object.required = object.properties.keys().cloned().collect();
        }
    }
}
