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
