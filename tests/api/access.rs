//! The role test: every operation of the generated OpenAPI document, called as anonymous,
//! applicant, jury, councillor and admin, must answer as its access rule says.
use prix_ceser::{
    auth::{
        access::RouteTable,
        policy::{RULES, Rule},
    },
    domain::Role,
};
use reqwest::Method;

use crate::helpers::TestApp;

async fn make_callers(app: &TestApp) -> Vec<(&'static str, Option<String>, Vec<Role>)> {
    let mut callers: Vec<(&str, Option<String>, Vec<Role>)> = vec![("anonymous", None, vec![])];
    for (name, role) in [
        ("applicant", Role::Applicant),
        ("jury", Role::Jury),
        ("councillor", Role::Councillor),
    ] {
        callers.push((name, Some(app.create_user(&[role]).await.token), vec![role]));
    }
    // The most privileged admin: organization scoping (404 for others' resources) is tested
    // with each resource.
    callers.push((
        "admin",
        Some(app.create_platform_admin().await.token),
        vec![Role::Admin],
    ));
    callers
}

api_test!(async fn every_operation_enforces_its_access_rule(app) {
    let document = prix_ceser::openapi::document();
    let table = RouteTable::from_openapi(&document).expect("every documented operation has an access rule");

    let mut callers = make_callers(&app).await;
    for route in table.routes() {
        // A resource that does not exist: the rule must be applied before anything else.
        let path = route
            .path
            .split('/')
            .map(|segment| if segment.starts_with('{') { uuid::Uuid::new_v4().to_string() } else { segment.to_owned() })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        for (caller, token, roles) in &callers {
            let mut request = app.request(method.clone(), &path);
            if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
                request = request.json(&serde_json::json!({}));
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let status = request.send().await.unwrap().status().as_u16();
            let context = format!("{method} {path} ({}) as {caller}: {status}", route.operation_id);
            assert!(status < 500, "{context}");
            match route.rule {
                Rule::Public => assert!(status != 401 && status != 403, "{context}"),
                Rule::Optional if token.is_none() => assert!(status != 401 && status != 403, "{context}"),
                _ if token.is_none() => assert_eq!(status, 401, "{context}"),
                rule if rule.allows(roles) => assert!(status != 401 && status != 403, "{context}"),
                _ => assert!(status == 403 || status == 404, "{context}"),
            }
        }
        if method == Method::DELETE {
            // A deletion may have removed the callers themselves (`DELETE /me`).
            callers = make_callers(&app).await;
        }
    }

    // No stale rows: every rule names a documented operation.
    for (operation_id, _) in RULES {
        assert!(table.routes().iter().any(|route| route.operation_id == *operation_id), "rule for unknown operation {operation_id}");
    }
});
