use std::collections::BTreeSet;

use prix_ceser::domain::Role;
use serde_json::json;

use crate::helpers::*;

fn register_body(email: &str) -> serde_json::Value {
    json!({"email": email, "password": PASSWORD, "display_name": "Claire Martin"})
}

api_test!(async fn register_then_log_in_then_me(app) {
    let response = app.post("/api/v1/auth/register", &register_body("Claire.Martin@Example.FR")).send().await.unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(json(response).await, json!({"status": "sent"}));

    let response = app.login("CLAIRE.martin@example.fr", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let tokens = json(response).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 43);

    let me = app.get("/api/v1/me").bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let account = json(me).await;
    let keys: BTreeSet<&str> = account.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["id", "email", "display_name", "roles", "disabled", "email_verified", "platform_admin", "language", "created_at", "updated_at"]));
    assert_eq!(account["email"], "claire.martin@example.fr");
    assert_eq!(account["language"], "fr", "registered without asking for English");
    assert_eq!(account["roles"], json!(["applicant"]));
    assert_eq!(account["email_verified"], false);
});

api_test!(async fn registration_cannot_set_roles_or_other_fields(app) {
    for (field, value) in [("roles", json!(["admin"])), ("id", json!(uuid::Uuid::new_v4())), ("password_hash", json!("x")), ("created_at", json!("2020-01-01T00:00:00Z"))] {
        let mut body = register_body("sneaky@example.fr");
        body[field] = value;
        let response = app.post("/api/v1/auth/register", &body).send().await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
        assert_eq!(problem["errors"][0]["code"], "unknown_field");
    }
    assert_problem(app.login("sneaky@example.fr", PASSWORD).await, 401, "invalid_credentials").await;
});

api_test!(async fn concurrent_registrations_of_one_email_create_one_account(app) {
    // Three: a fourth email to one address within ten minutes would be refused.
    let attempts = (0..3).map(|i| {
        let email = if i % 2 == 0 { "race@example.fr" } else { "RACE@example.fr" };
        app.post("/api/v1/auth/register", &register_body(email)).send()
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    // Every attempt gets the same answer; one account exists.
    assert_eq!(statuses, [202; 3]);
    let platform = app.create_platform_admin().await;
    let found = json(app.get("/api/v1/users?email=race@").bearer_auth(&platform.token).send().await.unwrap()).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
});

api_test!(async fn failed_logins_do_not_reveal_whether_the_email_exists(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let wrong_password = json(app.login(&user.email, "not the password at all").await).await;
    let unknown_email = json(app.login("nobody-here@example.fr", PASSWORD).await).await;
    let malformed_email = json(app.login("nobody", PASSWORD).await).await;
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, malformed_email);
    assert_eq!(wrong_password["code"], "invalid_credentials");
    assert_eq!(wrong_password["status"], 401);
});

async fn login_tokens(app: &TestApp, email: &str) -> serde_json::Value {
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

async fn refresh(app: &TestApp, refresh_token: &serde_json::Value) -> reqwest::Response {
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh_token}),
    )
    .send()
    .await
    .unwrap()
}

api_test!(async fn refresh_tokens_rotate_and_reuse_revokes_the_family(app) {
    let user = app.create_user(&[Role::Jury]).await;
    let first = login_tokens(&app, &user.email).await;

    let response = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(response.status(), 200);
    let second = json(response).await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let me = app.get("/api/v1/me").bearer_auth(second["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), 200);

    // The first token again: theft is assumed, and the whole session dies.
    assert_problem(refresh(&app, &first["refresh_token"]).await, 401, "invalid_refresh_token").await;
    assert_problem(refresh(&app, &second["refresh_token"]).await, 401, "invalid_refresh_token").await;

    // Another login is a separate family and still works.
    let other = login_tokens(&app, &user.email).await;
    assert_eq!(refresh(&app, &other["refresh_token"]).await.status(), 200);
});

api_test!(async fn concurrent_refreshes_of_one_token_succeed_once(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let tokens = login_tokens(&app, &user.email).await;
    let attempts = (0..6).map(|_| refresh(&app, &tokens["refresh_token"]));
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.into_iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 401), "{statuses:?}");
});

api_test!(async fn unknown_and_expired_refresh_tokens_are_401(app) {
    assert_problem(refresh(&app, &json!("made-up-token")).await, 401, "invalid_refresh_token").await;
    let user = app.create_user(&[Role::Applicant]).await;
    let tokens = login_tokens(&app, &user.email).await;
    app.execute("UPDATE refresh_tokens SET expires_at = created_at").await;
    assert_problem(refresh(&app, &tokens["refresh_token"]).await, 401, "invalid_refresh_token").await;
});

api_test!(async fn logout_ends_the_session(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let tokens = login_tokens(&app, &user.email).await;
    let response = app.post("/api/v1/auth/logout", &json!({"refresh_token": tokens["refresh_token"]})).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_problem(refresh(&app, &tokens["refresh_token"]).await, 401, "invalid_refresh_token").await;
    // Logging out again, or with an unknown token, is harmless.
    let again = app.post("/api/v1/auth/logout", &json!({"refresh_token": "unknown"})).send().await.unwrap();
    assert_eq!(again.status(), 204);
});

api_test!(async fn a_disabled_account_can_neither_log_in_nor_refresh(app) {
    let admin = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let tokens = login_tokens(&app, &user.email).await;
    let response = app
        .patch(&format!("/api/v1/users/{}", user.id), &json!({"disabled": true}))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_problem(app.login(&user.email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_problem(refresh(&app, &tokens["refresh_token"]).await, 401, "invalid_refresh_token").await;
    let me = app.get("/api/v1/me").bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(me, 401, "invalid_token").await;
});

api_test!(async fn the_bearer_scheme_is_case_insensitive(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = app.get("/api/v1/me").header("authorization", format!("{scheme} {}", user.token)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
});
