use std::collections::BTreeSet;

use prix_ceser::{
    auth::{access::RouteTable, policy::Rule},
    openapi,
};

use crate::helpers::*;

plain_test!(
    fn committed_document_matches_the_code() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = openapi::to_pretty_json(&openapi::document());
        assert!(
            committed == generated,
            "openapi/openapi.json is stale; regenerate it with: cargo run -- openapi --write"
        );
    }
);

plain_test!(
    fn every_operation_documents_its_errors() {
        let document = openapi::document();
        let table = RouteTable::from_openapi(&document).unwrap();
        let value = serde_json::to_value(&document).unwrap();
        for route in table.routes() {
            let operation = &value["paths"][&route.path][route.method.as_str().to_lowercase()];
            let statuses: BTreeSet<&str> = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let context = format!("{} {} ({})", route.method, route.path, route.operation_id);
            assert!(
                statuses.iter().any(|s| s.starts_with('2')),
                "{context}: no success response"
            );
            assert!(operation["summary"].is_string(), "{context}: no summary");
            if route.operation_id != "health_live" {
                assert!(
                    statuses.contains("500") || statuses.contains("503"),
                    "{context}: no 5xx response"
                );
            }
            if route.rule != Rule::Public {
                assert!(statuses.contains("401"), "{context}: no 401");
                assert!(
                    operation["security"].is_array(),
                    "{context}: no security requirement"
                );
            }
            if matches!(route.rule, Rule::AnyOf(_)) {
                assert!(statuses.contains("403"), "{context}: no 403");
            }
        }
        for name in [
            "NotFound",
            "ValidationFailed",
            "Unauthorized",
            "InternalError",
        ] {
            let response = &value["components"]["responses"][name];
            assert!(
                response["content"]["application/problem+json"]["example"]["code"].is_string(),
                "{name} has no example"
            );
        }
    }
);

api_test!(async fn served_document_and_swagger_ui(app) {
    let served = json(app.get("/api-docs/openapi.json").send().await.unwrap()).await;
    assert_eq!(served, serde_json::to_value(openapi::document()).unwrap());
    let ui = app.get("/docs/").send().await.unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
    let redirect = app.get("/docs").send().await.unwrap();
    assert!(redirect.status().is_redirection());
});

plain_test!(
    fn each_operation_states_its_access_rule_and_answers_keep_their_fields() {
        let document = serde_json::to_value(openapi::document()).unwrap();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap();
                let rule = prix_ceser::auth::policy::rule_for(id).unwrap();
                let expected = match rule {
                    Rule::Public => serde_json::json!([]),
                    Rule::Optional => serde_json::json!([{}, {"bearer": []}]),
                    _ => serde_json::json!([{"bearer": []}]),
                };
                assert_eq!(operation["security"], expected, "{method} {path}");
                if let Some(created) = operation["responses"].get("201") {
                    assert!(
                        created["headers"].get("Location").is_some(),
                        "{method} {path}"
                    );
                }
            }
        }
        // A field the server always sends is required, even when it may be null.
        let results = &document["components"]["schemas"]["Results"];
        let required: BTreeSet<&str> = results["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field.as_str().unwrap())
            .collect();
        assert!(
            required.contains("tally") && required.contains("winner"),
            "{required:?}"
        );
    }
);

plain_test!(
    fn every_operation_has_a_one_line_summary_and_a_description() {
        let document = openapi::document();
        let table = RouteTable::from_openapi(&document).unwrap();
        let value = serde_json::to_value(&document).unwrap();
        for route in table.routes() {
            let operation = &value["paths"][&route.path][route.method.as_str().to_lowercase()];
            let summary = operation["summary"].as_str().unwrap_or_default();
            let id = &route.operation_id;
            assert!(
                !summary.is_empty() && summary.chars().count() <= 80 && !summary.contains('\n'),
                "{id}: the summary is one line of at most 80 characters: {summary:?}"
            );
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|text| text.len() > 20),
                "{id}: the description says what it does and who may call it"
            );
        }
    }
);
