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

use crate::helpers::{TestApp, with_new_ids};

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
        let path = with_new_ids(&route.path);
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

/// Ways a client or a proxy may spell `path` (a documented path with its parameters filled in).
fn spellings(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let join = |segments: Vec<String>, separator: &str| format!("/{}", segments.join(separator));
    let each_segment = |change: &dyn Fn(&str) -> String| {
        join(
            segments.iter().map(|segment| change(segment)).collect(),
            "/",
        )
    };
    let encode = |segment: &str, upper: bool| {
        segment
            .bytes()
            .map(|byte| {
                if upper {
                    format!("%{byte:02X}")
                } else {
                    format!("%{byte:02x}")
                }
            })
            .collect::<String>()
    };
    let last = segments.len() - 1;
    let mut variants = vec![
        // Percent-encoded letters, in either case of hexadecimal digits.
        each_segment(&|segment| encode(segment, false)),
        each_segment(&|segment| encode(segment, true)),
        // Only the first letter of the last segment, as in the reported `%75sers`.
        join(
            segments
                .iter()
                .enumerate()
                .map(|(i, segment)| {
                    if i == last {
                        format!("{}{}", encode(&segment[..1], false), &segment[1..])
                    } else {
                        (*segment).to_owned()
                    }
                })
                .collect(),
            "/",
        ),
        // Encoded and doubled slashes.
        join(segments.iter().map(|s| (*s).to_owned()).collect(), "%2F"),
        join(segments.iter().map(|s| (*s).to_owned()).collect(), "%2f"),
        join(segments.iter().map(|s| (*s).to_owned()).collect(), "//"),
        format!("/{path}"),
        // Trailing slash, dot segments (plain and encoded), letter case.
        format!("{path}/"),
        format!("{path}/."),
        join(segments.iter().map(|s| format!("{s}/.")).collect(), "/"),
        join(segments.iter().map(|s| format!("x/../{s}")).collect(), "/"),
        join(
            segments.iter().map(|s| format!("x/%2e%2e/{s}")).collect(),
            "/",
        ),
        join(
            segments.iter().map(|s| format!("x/%2E%2E/{s}")).collect(),
            "/",
        ),
        path.to_uppercase(),
        each_segment(&|segment| {
            let mut chars = segment.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }),
        // Backslashes, matrix parameters.
        join(segments.iter().map(|s| (*s).to_owned()).collect(), "\\"),
        format!("{path};x=1"),
    ];
    variants.sort();
    variants.dedup();
    variants.retain(|variant| variant != path);
    variants
}

api_test!(async fn no_spelling_of_a_protected_path_lets_an_anonymous_caller_through(app) {
    let document = prix_ceser::openapi::document();
    let table = RouteTable::from_openapi(&document).unwrap();
    let mut checked = 0;
    for route in table.routes().iter().filter(|route| !matches!(route.rule, Rule::Public | Rule::Optional)) {
        let path = with_new_ids(&route.path);
        // The plain spelling is refused as the rule says; every other one too, or names nothing.
        let (status, _) = app.raw_request(route.method.as_str(), &path, None).await;
        assert_eq!(status, 401, "{} {path} ({})", route.method, route.operation_id);
        for variant in spellings(&path) {
            let (status, head) = app.raw_request(route.method.as_str(), &variant, None).await;
            assert!(
                [400, 401, 404, 405].contains(&status),
                "{} {variant} ({}) as anonymous: {head}",
                route.method,
                route.operation_id
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} spellings tried");
});

api_test!(async fn the_reported_encoded_paths_are_refused(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    for target in ["/api/v1/%75sers?limit=3", "/api/v1/%61udit", &format!("/api/v1/%75sers/{}", user.id), "/api/v1/%55SERS"] {
        let (status, head) = app.raw_request("GET", target, None).await;
        assert!(status == 401 || status == 404, "GET {target}: {head}");
    }
});

api_test!(async fn a_wrong_method_names_the_methods_of_that_exact_resource(app) {
    let edition = uuid::Uuid::new_v4();
    let (status, head) = app
        .raw_request("OPTIONS", &format!("/api/v1/editions/{edition}/jury/composition-check"), None)
        .await;
    assert_eq!(status, 405, "{head}");
    let allow = head.lines().find_map(|line| line.strip_prefix("allow: ")).unwrap_or_default();
    assert_eq!(allow, "GET, HEAD", "{head}");
    let (status, head) = app
        .raw_request("POST", &format!("/api/v1/editions/{edition}/jury/{}", uuid::Uuid::new_v4()), None)
        .await;
    assert_eq!(status, 405, "{head}");
    let allow = head.lines().find_map(|line| line.strip_prefix("allow: ")).unwrap_or_default();
    assert_eq!(allow, "DELETE, PUT", "{head}");
});

plain_test!(
    /// Every route attribute wraps its handler in the access middleware: a route without it would
    /// run with no rule decided (the role test above would also notice, operation by operation).
    fn every_route_is_wrapped_in_the_access_middleware() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
        let mut routes = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for start in ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("] {
                for (at, _) in source.match_indices(start) {
                    let attribute: String = source[at..]
                        .split(")]")
                        .next()
                        .unwrap()
                        .split_whitespace()
                        .collect();
                    routes += 1;
                    assert!(
                        attribute.ends_with(r#",wrap="from_fn(authorize)""#),
                        "{}: {attribute}",
                        path.display()
                    );
                }
            }
        }
        assert_eq!(routes, RULES.len(), "one route attribute per access rule");
    }
);

api_test!(async fn every_undocumented_method_of_a_documented_path_is_405_with_its_allow(app) {
    let document = prix_ceser::openapi::document();
    let value = serde_json::to_value(&document).unwrap();
    let admin = app.create_platform_admin().await;
    let mut checked = 0;
    for (template, item) in value["paths"].as_object().unwrap() {
        let documented: Vec<String> = ["get", "post", "put", "patch", "delete"]
            .iter()
            .filter(|method| item.get(**method).is_some())
            .map(|method| method.to_uppercase())
            .collect();
        // Every GET answers HEAD too.
        let mut allow = documented.clone();
        if allow.iter().any(|method| method == "GET") {
            allow.push("HEAD".to_owned());
        }
        allow.sort();
        let path = with_new_ids(template);
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"].into_iter().filter(|m| !documented.iter().any(|d| d == m)) {
            // As the most privileged caller: nothing but routing may refuse it.
            let (status, head) = app.raw_request(method, &path, Some(&admin.token)).await;
            assert_eq!(status, 405, "{method} {path}: {head}");
            let header = head.lines().find_map(|line| line.strip_prefix("allow: ")).unwrap_or_default();
            assert_eq!(header, allow.join(", "), "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} methods tried");
});
