//! The exact wire format of every kind of error, in French (the language answered when the
//! caller asks for none; `languages.rs` asks for English).
use serde_json::json;

use crate::helpers::*;

api_test!(async fn unknown_route_is_a_problem_404(app) {
    let response = app.get("/api/v1/nowhere").header("x-request-id", "trace-42").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:not_found",
            "title": "Aucune ressource n'existe à cette adresse",
            "status": 404,
            "detail": "Aucune ressource n'existe à cette adresse.",
            "code": "not_found"
        })
    );
});

api_test!(async fn wrong_method_is_405_with_allow(app) {
    let response = app.request(reqwest::Method::DELETE, "/api/v1/users").send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:method_not_allowed",
            "title": "La ressource ne prend pas en charge cette méthode",
            "status": 405,
            "detail": "Cette ressource prend en charge : GET, HEAD, POST.",
            "code": "method_not_allowed"
        })
    );
});

api_test!(async fn malformed_json_is_400(app) {
    let response = app
        .request(reqwest::Method::POST, "/api/v1/auth/token")
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:malformed_request",
            "title": "Le corps ou les paramètres de la requête sont mal formés",
            "status": 400,
            "detail": "Le corps n'est pas un JSON valide (ligne 1, colonne 10).",
            "code": "malformed_request"
        })
    );
});

api_test!(async fn wrong_content_type_is_415(app) {
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut request = app.request(reqwest::Method::POST, "/api/v1/auth/token").body("email=a");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        assert_eq!(
            json(response).await,
            json!({
                "type": "urn:prix-ceser:problem:unsupported_media_type",
                "title": "Le corps n'est pas envoyé dans un type de média pris en charge",
                "status": 415,
                "detail": "Le corps de la requête doit être envoyé au format application/json.",
                "code": "unsupported_media_type"
            })
        );
    }
});

api_test!(async fn oversized_body_is_413(app) {
    let huge = json!({"email": "a".repeat(1_100_000), "password": "x"});
    let response = app.post("/api/v1/auth/token", &huge).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:payload_too_large",
            "title": "Le corps dépasse la taille acceptée par l'opération",
            "status": 413,
            "detail": "Le corps de la requête ne doit pas dépasser 1048576 octets.",
            "code": "payload_too_large"
        })
    );
});

api_test!(async fn validation_lists_every_field(app) {
    let body = json!({"email": "not-an-email", "password": "short", "display_name": "  "});
    let response = app.post("/api/v1/auth/register", &body).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:validation_failed",
            "title": "Des champs sont invalides, chacun est listé dans `errors`",
            "status": 422,
            "detail": "La requête comporte des champs invalides ; consultez `errors`.",
            "code": "validation_failed",
            "errors": [
                {"field": "email", "code": "invalid_format", "message": "doit être une adresse e-mail valide"},
                {"field": "password", "code": "too_short", "message": "doit comporter au moins 12 caractères"},
                {"field": "display_name", "code": "required", "message": "ne doit pas être vide"}
            ]
        })
    );
});

api_test!(async fn wrong_json_types_are_422_not_500(app) {
    for body in [json!([]), json!("text"), json!({"email": 1, "password": "x"}), json!({"password": "x"})] {
        let response = app.post("/api/v1/auth/token", &body).send().await.unwrap();
        assert_problem(response, 422, "validation_failed").await;
    }
    let missing = app.post("/api/v1/auth/token", &json!({"password": "x"})).send().await.unwrap();
    let problem = json(missing).await;
    assert_eq!(problem["errors"], json!([{"field": "email", "code": "required", "message": "est obligatoire"}]));
});

api_test!(async fn conflict_is_409(app) {
    let user = app.create_user(&[prix_ceser::domain::Role::Applicant]).await;
    let platform = app.create_platform_admin().await;
    let body = json!({"email": user.email.to_uppercase(), "password": PASSWORD, "display_name": "Twin", "roles": ["jury"]});
    let response = app.post("/api/v1/users", &body).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(response.status(), 409);
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:email_taken",
            "title": "Un compte existe déjà avec cette adresse e-mail",
            "status": 409,
            "detail": "Un compte existe déjà avec cette adresse e-mail.",
            "code": "email_taken"
        })
    );
});

api_test!(async fn rate_limit_is_429_with_retry_after(app) env ["PRIX_AUTH_RATE_LIMIT" = "3"] {
    for _ in 0..3 {
        let response = app.login("nobody@example.fr", "wrong password!").await;
        assert_eq!(response.status(), 401);
    }
    let response = app.login("nobody@example.fr", "wrong password!").await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=21).contains(&retry_after), "{retry_after}");
    let problem = json(response).await;
    assert_eq!(
        problem,
        json!({
            "type": "urn:prix-ceser:problem:rate_limited",
            "title": "Trop de requêtes",
            "status": 429,
            "detail": format!("Trop de requêtes ; réessayez dans {retry_after} secondes."),
            "code": "rate_limited"
        })
    );
    // Registration shares the per-IP budget.
    let body = json!({"email": "new@example.fr", "password": PASSWORD, "display_name": "New"});
    assert_eq!(app.post("/api/v1/auth/register", &body).send().await.unwrap().status(), 429);
});

api_test!(async fn internal_error_leaks_nothing_and_writes_nothing(app) {
    // Break the audit table: the account insert succeeds, the audit append fails, and the
    // whole transaction must roll back.
    app.execute("DROP TABLE audit_events").await;
    let body = json!({"email": "rollback@example.fr", "password": PASSWORD, "display_name": "Rollback"});
    let response = app.post("/api/v1/auth/register", &body).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(
        json(response).await,
        json!({
            "type": "urn:prix-ceser:problem:internal_error",
            "title": "Erreur inattendue du serveur",
            "status": 500,
            "detail": "Une erreur inattendue s'est produite ; elle a été journalisée.",
            "code": "internal_error"
        })
    );
    let login = app.login("rollback@example.fr", PASSWORD).await;
    assert_problem(login, 401, "invalid_credentials").await;
});

api_test!(async fn request_ids_are_generated_or_echoed(app) {
    let generated = app.get("/health/live").send().await.unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let echoed = app.get("/health/live").header("x-request-id", "abc-DEF_123").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-DEF_123");
    for unsensible in ["x".repeat(200), "<script>\"x\"".to_owned(), "a b".to_owned()] {
        let replaced = app.get("/health/live").header("x-request-id", &unsensible).send().await.unwrap();
        let id = replaced.headers()["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{unsensible:?} replaced by a fresh id, not {id}");
    }
});

api_test!(async fn health_probes_answer(app) {
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(json(response).await, json!({"status": "ok"}));
    }
});
