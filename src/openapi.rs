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
        description = "Runs a regional civic prize end to end: editions, applications, jury, ballots, results.\n\nErrors are RFC 9457 `application/problem+json` documents with a stable `code`. Lists take `limit` and `cursor` and return `{items, next_cursor}`, or are bounded and say so.\n\nJSON bodies are limited to 1 MiB by default (`PRIX_MAX_BODY_BYTES`; 413 `payload_too_large` beyond), attachments to 10 MiB.",
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

/// The lists answered whole, not as `{items, next_cursor}` pages, and what bounds each:
/// `(operationId, the bound in words, the most items when a number says it)`. Every other list
/// is a page; [`document_bounded_lists`] refuses a bare array that is not listed here.
pub const BOUNDED_LISTS: &[(&str, &str, Option<u64>)] = &[
    (
        "list_attachments",
        "the application's attachments",
        Some(crate::domain::attachment::MAX_PER_APPLICATION as u64),
    ),
    (
        "list_api_tokens",
        "the caller's live tokens",
        Some(crate::domain::api_token::MAX_LIVE),
    ),
    (
        "list_webhooks",
        "the organization's webhooks",
        Some(crate::domain::webhook::MAX_PER_ORGANIZATION),
    ),
    (
        "list_colleges",
        "the organization's colleges",
        Some(crate::domain::college::MAX_PER_ORGANIZATION as u64),
    ),
    ("list_laureates", "one per prize of the edition", None),
    (
        "list_application_conflicts",
        "one per member of the edition's jury",
        None,
    ),
    (
        "list_jury_members",
        "one per seat of the edition's jury",
        None,
    ),
    (
        "check_jury_composition",
        "one per rule of the jury's composition the jury departs from",
        None,
    ),
    (
        "list_scorecards",
        "one per reviewer of the application in the round",
        None,
    ),
    (
        "get_rankings",
        "one per file of the round: a ranking is read whole",
        None,
    ),
    (
        "assign_reviewers",
        "one per reviewer and file of the round: what the assignment made, whole",
        None,
    ),
];

/// Writes each bounded list's bound into its `200` answer (`maxItems` where a number says it,
/// the bound in words in its description). Panics on a bare array answer not in
/// [`BOUNDED_LISTS`]: a list that can grow is a page.
pub fn document_bounded_lists(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, schema::Schema};
    for operation in operations_mut(openapi) {
        let id = operation.operation_id.clone().unwrap_or_default();
        let Some(RefOr::T(answer)) = operation.responses.responses.get_mut("200") else {
            continue;
        };
        let Some(RefOr::T(content)) = answer.content.get_mut("application/json") else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(array))) = content.schema.as_mut() else {
            continue;
        };
        let Some((_, words, most)) = BOUNDED_LISTS.iter().find(|(listed, ..)| *listed == id) else {
            panic!("{id} answers a bare array: make it a page, or list its bound in BOUNDED_LISTS");
        };
        array.max_items = most.map(|most| most as usize);
        let bound = match most {
            Some(most) => format!("at most {most}, {words}"),
            None => words.to_string(),
        };
        answer.description = format!("{}; a bounded list: {bound}", answer.description);
    }
}

/// Makes each page schema (`Page_X`) reference its item schema `X` instead of repeating it, so
/// that generated clients type a page's items as the very type the single reads answer.
pub fn reference_page_items(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        Ref, RefOr,
        schema::{ArrayItems, Schema},
    };
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in &names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !names.iter().any(|other| other == item) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(name)
            && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
        {
            items.items =
                ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}

/// Schemas that state a request rule the server checks, for fields the server reads as plain
/// strings: so that a request valid for the contract is not refused.
pub mod rules {
    use utoipa::{
        PartialSchema, ToSchema,
        openapi::{
            Ref, RefOr,
            schema::{ArrayBuilder, ObjectBuilder, Schema, Type},
        },
    };

    /// A string schema with a pattern and an example.
    fn text(description: &str, pattern: &str, example: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .pattern(Some(pattern))
            .examples([example])
    }

    /// A French département code: `01`–`95` (not `20`), `2A`, `2B` or `971`–`976`.
    pub struct DepartementCode;

    impl PartialSchema for DepartementCode {
        fn schema() -> RefOr<Schema> {
            text(
                "A French département code: 01 to 95 (not 20), 2A, 2B or 971 to 976",
                r"^\s*(0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5]|2[AaBb]|97[1-6])\s*$",
                "69",
            )
            .into()
        }
    }

    impl ToSchema for DepartementCode {}

    /// A web origin: scheme, host and optional port, nothing after.
    pub struct Origin;

    impl PartialSchema for Origin {
        fn schema() -> RefOr<Schema> {
            text(
                "A web origin: https:// (or http:// for local development), a host, an optional port",
                r"^\s*https?://([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?\s*$",
                "https://www.ceser-ara.example",
            )
            .into()
        }
    }

    impl ToSchema for Origin {}

    /// An answer to a criterion: 1 to 5,000 characters once trimmed.
    pub struct AnswerText;

    impl PartialSchema for AnswerText {
        fn schema() -> RefOr<Schema> {
            text(
                "An answer to a criterion: 1 to 5,000 characters once trimmed",
                r"\S",
                "Rompre l'isolement des résidents.",
            )
            .min_length(Some(1))
            .max_length(Some(5000))
            .into()
        }
    }

    impl ToSchema for AnswerText {}

    /// A sponsor's name: 1 to 200 characters once trimmed.
    pub struct SponsorName;

    impl PartialSchema for SponsorName {
        fn schema() -> RefOr<Schema> {
            text(
                "A sponsor's name: 1 to 200 characters once trimmed",
                r"\S",
                "Crédit Coopératif",
            )
            .min_length(Some(1))
            .max_length(Some(200))
            .into()
        }
    }

    impl ToSchema for SponsorName {}

    /// A name in English shown to visitors: as its French counterpart, 1 to 200 characters, not
    /// only spaces, without hidden characters.
    pub struct EnglishName;

    impl PartialSchema for EnglishName {
        fn schema() -> RefOr<Schema> {
            text(
                "In English (optional; visitors reading English see the French without it): 1 to 200 characters, not only spaces, without control or invisible characters",
                r"^[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*\S[^\x00-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\uffa0]*$",
                "Jury's prize",
            )
            .min_length(Some(1))
            .max_length(Some(200))
            .into()
        }
    }

    impl ToSchema for EnglishName {}

    /// A role an account can be given: `public` belongs to the public voters' tokens only.
    pub struct AssignableRole;

    impl PartialSchema for AssignableRole {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "A role an account can be given (`public` belongs to public voters' tokens only)",
                ))
                .enum_values(Some(["admin", "applicant", "jury", "councillor"]))
                .into()
        }
    }

    impl ToSchema for AssignableRole {}

    /// What staff decide of an application: `pending` is the state before, not a decision.
    pub struct ReviewDecision;

    impl PartialSchema for ReviewDecision {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("`eligible` or `ineligible`"))
                .enum_values(Some(["eligible", "ineligible"]))
                .into()
        }
    }

    impl ToSchema for ReviewDecision {}

    /// An edition's criteria, replaced together: 1 to 20.
    pub struct CriteriaList;

    impl PartialSchema for CriteriaList {
        fn schema() -> RefOr<Schema> {
            ArrayBuilder::new()
                .items(Ref::from_schema_name("CriterionSpec"))
                .min_items(Some(1))
                .max_items(Some(20))
                .into()
        }
    }

    impl ToSchema for CriteriaList {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::KINDS;

    #[test]
    fn an_edition_switches_off_at_most_every_notification_kind() {
        let document = serde_json::to_value(document()).unwrap();
        for request in ["CreateEditionRequest", "UpdateEditionRequest"] {
            assert_eq!(
                document["components"]["schemas"][request]["properties"]["notifications_off"]["maxItems"],
                KINDS,
                "{request}"
            );
        }
    }
}
