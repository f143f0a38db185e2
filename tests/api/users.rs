use prix_ceser::domain::Role;
use serde_json::json;

use crate::helpers::*;

fn new_user(email: &str, roles: serde_json::Value) -> serde_json::Value {
    json!({"email": email, "password": PASSWORD, "display_name": "Jeanne Juré", "roles": roles})
}

api_test!(async fn admin_creates_a_jury_account_that_can_log_in(app) {
    let admin = app.create_platform_admin().await;
    let response = app
        .post("/api/v1/users", &new_user("jeanne@example.fr", json!(["jury", "councillor"])))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let account = json(response).await;
    assert_eq!(account["roles"], json!(["jury", "councillor"]));
    assert_eq!(account["display_name"], "Jeanne Juré");
    assert!(account.get("password_hash").is_none());

    let fetched = app.get(&format!("/api/v1/users/{}", account["id"].as_str().unwrap())).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(json(fetched).await, account);
    assert_eq!(app.login("jeanne@example.fr", PASSWORD).await.status(), 200);
});

api_test!(async fn account_roles_are_validated(app) {
    let admin = app.create_platform_admin().await;
    for (roles, code) in [(json!([]), "required"), (json!(["public"]), "invalid_value")] {
        let response = app.post("/api/v1/users", &new_user("x@example.fr", roles)).bearer_auth(&admin.token).send().await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"], json!([{"field": "roles", "code": code, "message": problem["errors"][0]["message"]}]));
    }
    let response = app.post("/api/v1/users", &new_user("x@example.fr", json!(["root"]))).bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(response, 422, "validation_failed").await;
    // Every invalid field is reported together.
    let body = json!({"email": "bad", "password": PASSWORD, "display_name": "Ok", "roles": []});
    let response = app.post("/api/v1/users", &body).bearer_auth(&admin.token).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "roles"]);
});

api_test!(async fn users_list_filters_searches_and_paginates(app) {
    let admin = app.create_platform_admin().await;
    let mut jury = Vec::new();
    for _ in 0..5 {
        jury.push(app.create_user(&[Role::Jury]).await.id);
    }
    app.create_user(&[Role::Councillor]).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/users?role=jury&limit=2".to_owned();
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = json(app.get(&path).bearer_auth(&admin.token).send().await.unwrap()).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|item| item["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, jury, "every jury account once, oldest first");

    let admin_email_part = admin.email[..10].to_uppercase();
    let found = json(app.get(&format!("/api/v1/users?email={admin_email_part}")).bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], json!(admin.id));

    // LIKE wildcards in the search are literal.
    let wildcard = json(app.get("/api/v1/users?email=%25").bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!(wildcard["items"], json!([]));
});

api_test!(async fn invalid_list_parameters_are_422(app) {
    let admin = app.create_platform_admin().await;
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("cursor=garbage", "cursor"), ("limit=abc", "limit"), ("role=root", "role")] {
        let response = app.get(&format!("/api/v1/users?{query}")).bearer_auth(&admin.token).send().await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    let response = app.get("/api/v1/users?unknown=1").bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(response, 422, "validation_failed").await;
});

api_test!(async fn unknown_or_malformed_user_ids(app) {
    let admin = app.create_platform_admin().await;
    let missing = app.get(&format!("/api/v1/users/{}", uuid::Uuid::new_v4())).bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(missing, 404, "not_found").await;
    let malformed = app.get("/api/v1/users/not-a-uuid").bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(malformed, 422, "validation_failed").await;
    let patch = app.patch(&format!("/api/v1/users/{}", uuid::Uuid::new_v4()), &json!({"disabled": true})).bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(patch, 404, "not_found").await;
});

api_test!(async fn patch_changes_roles_name_and_disabled_and_audits_each(app) {
    let admin = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let path = format!("/api/v1/users/{}", user.id);
    let response = app
        .patch(&path, &json!({"roles": ["jury", "councillor", "jury"], "display_name": "  Paul Conseiller "}))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let account = json(response).await;
    assert_eq!(account["roles"], json!(["jury", "councillor"]));
    assert_eq!(account["display_name"], "Paul Conseiller");

    // The new roles apply at once, even to a token issued before the change.
    let jury_only = app.get("/api/v1/users").bearer_auth(&user.token).send().await.unwrap();
    assert_problem(jury_only, 403, "forbidden").await;

    let events = json(app.get(&format!("/api/v1/audit?target_id={}", user.id)).bearer_auth(&admin.token).send().await.unwrap()).await;
    let actions: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.roles_changed", "user.renamed", "user.created"]);
    assert_eq!(events["items"][0]["details"], json!({"from": ["applicant"], "to": ["jury", "councillor"]}));
    assert_eq!(events["items"][0]["actor_id"], json!(admin.id));
});

api_test!(async fn patch_rejects_fields_it_may_not_set(app) {
    let admin = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let path = format!("/api/v1/users/{}", user.id);
    for (field, value) in [("email", json!("other@example.fr")), ("id", json!(uuid::Uuid::new_v4())), ("password_hash", json!("x")), ("updated_at", json!("2020-01-01T00:00:00Z"))] {
        let response = app.patch(&path, &json!({field: value, "disabled": true})).bearer_auth(&admin.token).send().await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let unchanged = json(app.get(&path).bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!(unchanged["disabled"], false);
    assert_eq!(unchanged["email"], user.email);
    let blank = app.patch(&path, &json!({"display_name": ""})).bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(blank, 422, "validation_failed").await;
});

api_test!(async fn admins_cannot_lock_themselves_out(app) {
    let admin = app.create_platform_admin().await;
    let path = format!("/api/v1/users/{}", admin.id);
    for body in [json!({"disabled": true}), json!({"roles": ["jury"]})] {
        let response = app.patch(&path, &body).bearer_auth(&admin.token).send().await.unwrap();
        assert_problem(response, 409, "cannot_lock_out_self").await;
    }
    let renamed = app.patch(&path, &json!({"display_name": "Still admin"})).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(renamed.status(), 200);
});
