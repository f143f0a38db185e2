//! Cross-origin requests: public reads and the public vote answer any origin; every other
//! operation only the configured origins; preflights are judged on the operation they name.
use prix_ceser::auth::{access::RouteTable, policy};
use reqwest::{Method, Response};

use crate::helpers::{TestApp, with_new_ids};

const STAFF_SITE: &str = "https://admin.ceser.example";
const OTHER_SITE: &str = "https://elsewhere.example";

async fn preflight(app: &TestApp, method: &Method, path: &str, origin: &str) -> Response {
    app.request(Method::OPTIONS, path)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method.as_str())
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, if-none-match, accept-language",
        )
        .send()
        .await
        .unwrap()
}

fn allow_origin(response: &Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|value| value.to_str().unwrap())
}

api_test!(async fn preflights_succeed_for_every_operation_from_the_origins_it_answers(app) env ["PRIX_CORS_ORIGINS" = "https://admin.ceser.example"] {
    let table = RouteTable::from_openapi(&prix_ceser::openapi::document()).unwrap();
    for route in table.routes() {
        let path = with_new_ids(&route.path);
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let any_origin = policy::any_origin(&route.operation_id);

        let staff = preflight(&app, &method, &path, STAFF_SITE).await;
        assert_eq!(staff.status(), 204, "{} {}", route.method, route.path);
        let expected = if any_origin { "*" } else { STAFF_SITE };
        assert_eq!(allow_origin(&staff), Some(expected), "{}", route.operation_id);
        assert_eq!(
            staff.headers()["access-control-allow-methods"],
            route.method.as_str()
        );
        let allowed_headers = staff.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for header in ["authorization", "content-type", "if-none-match", "accept-language"] {
            assert!(allowed_headers.contains(header), "{header} in {allowed_headers}");
        }

        let other = preflight(&app, &method, &path, OTHER_SITE).await;
        if any_origin {
            assert_eq!(other.status(), 204, "{}", route.operation_id);
            assert_eq!(allow_origin(&other), Some("*"));
        } else {
            assert_eq!(allow_origin(&other), None, "{} open to {OTHER_SITE}", route.operation_id);
            assert!(!other.status().is_success(), "{}", route.operation_id);
        }
    }
});

api_test!(async fn preflights_for_paths_that_name_no_operation_open_nothing(app) env ["PRIX_CORS_ORIGINS" = "https://admin.ceser.example"] {
    // A percent-encoded spelling, an unknown path and a method the resource lacks: judged as
    // naming no public operation, so another origin gets no access.
    for (method, path) in [
        (Method::GET, "/api/v1/%75sers"),
        (Method::GET, "/api/v1/nothing-here"),
        (Method::DELETE, "/api/v1/editions"),
        (Method::PUT, &format!("/api/v1/prizes/{}/ballot", uuid::Uuid::new_v4())),
    ] {
        let response = preflight(&app, &method, path, OTHER_SITE).await;
        assert_eq!(allow_origin(&response), None, "{method} {path}");
        assert!(!response.status().is_success(), "{method} {path}");
    }
});

api_test!(async fn requests_from_another_origin_read_public_answers_only(app) env ["PRIX_CORS_ORIGINS" = "https://admin.ceser.example"] {
    let admin = app.create_platform_admin().await;
    // A public read: any origin, its ETag and request id readable by the script.
    let public = app.get("/api/v1/editions").header("Origin", OTHER_SITE).send().await.unwrap();
    assert_eq!(public.status(), 200);
    assert_eq!(allow_origin(&public), Some("*"));
    assert!(public.headers().get("access-control-allow-credentials").is_none());
    let exposed = public.headers()["access-control-expose-headers"].to_str().unwrap().to_owned();
    for header in ["ETag", "Location", "Retry-After", "X-Request-Id"] {
        assert!(exposed.contains(header), "{header} in {exposed}");
    }
    // A staff operation: the configured origin reads it (and its refusals), another does not.
    for (origin, expected) in [(STAFF_SITE, Some(STAFF_SITE)), (OTHER_SITE, None)] {
        let staff = app
            .get("/api/v1/users")
            .bearer_auth(&admin.token)
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(staff.status(), 200);
        assert_eq!(allow_origin(&staff), expected, "{origin}");
        if expected.is_some() {
            assert!(staff.headers().get_all("vary").iter().any(|v| v == "Origin"));
        }
        let refused = app.get("/api/v1/users").header("Origin", origin).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        assert_eq!(allow_origin(&refused), expected, "{origin}");
    }
    // Login is not a public read: a site of its own may not script it.
    let login = app
        .post("/api/v1/auth/token", &serde_json::json!({"email": admin.email, "password": "x"}))
        .header("Origin", OTHER_SITE)
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&login), None);
});

api_test!(async fn without_configured_origins_only_public_operations_answer_other_sites(app) {
    let admin = app.create_platform_admin().await;
    let public = app.get("/api/v1/organizations").header("Origin", OTHER_SITE).send().await.unwrap();
    assert_eq!(allow_origin(&public), Some("*"));
    let staff = app
        .get("/api/v1/users")
        .bearer_auth(&admin.token)
        .header("Origin", STAFF_SITE)
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&staff), None);
    let preflight = preflight(&app, &Method::GET, "/api/v1/users", STAFF_SITE).await;
    assert_eq!(allow_origin(&preflight), None);
});
