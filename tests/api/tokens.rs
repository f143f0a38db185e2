//! Every way a bearer token can be wrong gets a 401, one case at a time.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use prix_ceser::domain::Role;
use serde_json::{Value, json};

use crate::helpers::*;

fn claims(sub: uuid::Uuid) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": sub, "roles": ["applicant"], "iat": now, "exp": now + 600,
        "iss": "prix-ceser", "aud": "prix-ceser-api", "jti": uuid::Uuid::new_v4()
    })
}

fn sign(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

async fn assert_rejected(app: &TestApp, token: &str, case: &str) {
    let response = app
        .get("/api/v1/me")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "{case} should be rejected");
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let problem = json(response).await;
    assert_eq!(problem["code"], "invalid_token", "{case}");
}

api_test!(async fn a_valid_token_is_accepted(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let token = sign(&claims(user.id), Algorithm::HS256, TEST_SECRET.as_bytes());
    let response = app.get("/api/v1/me").bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["id"], json!(user.id));
});

api_test!(async fn missing_token_is_401_authentication_required(app) {
    let response = app.get("/api/v1/me").send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, 401, "authentication_required").await;
});

api_test!(async fn every_forged_or_stale_token_is_401(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let good = claims(user.id);
    let secret = TEST_SECRET.as_bytes();
    let now = chrono::Utc::now().timestamp();

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    assert_rejected(&app, &format!("{none_header}.{payload}."), "alg none").await;
    assert_rejected(&app, &sign(&good, Algorithm::HS512, secret), "another algorithm (HS512)").await;
    assert_rejected(&app, &sign(&good, Algorithm::HS384, secret), "another algorithm (HS384)").await;
    assert_rejected(&app, &sign(&good, Algorithm::HS256, b"a different secret, also 32 bytes!"), "bad signature").await;
    assert_rejected(&app, &sign(&with(good.clone(), "iss", json!("someone-else")), Algorithm::HS256, secret), "wrong issuer").await;
    assert_rejected(&app, &sign(&with(good.clone(), "aud", json!("another-api")), Algorithm::HS256, secret), "wrong audience").await;
    assert_rejected(&app, &sign(&with(good.clone(), "exp", json!(now - 3600)), Algorithm::HS256, secret), "expired").await;
    assert_rejected(&app, &sign(&with(good.clone(), "exp", json!("9999999999")), Algorithm::HS256, secret), "exp not a number").await;
    assert_rejected(&app, &sign(&without(good.clone(), "exp"), Algorithm::HS256, secret), "no exp").await;
    assert_rejected(&app, &sign(&without(good.clone(), "jti"), Algorithm::HS256, secret), "no jti").await;
    assert_rejected(&app, &sign(&without(good.clone(), "roles"), Algorithm::HS256, secret), "no roles").await;
    assert_rejected(&app, &sign(&without(good.clone(), "iat"), Algorithm::HS256, secret), "no iat").await;
    assert_rejected(&app, &sign(&with(good.clone(), "sub", json!("not-a-uuid")), Algorithm::HS256, secret), "bad sub").await;

    // Tampered claims: a valid token whose payload is swapped for one claiming admin.
    let valid = sign(&good, Algorithm::HS256, secret);
    let parts: Vec<&str> = valid.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(with(good.clone(), "roles", json!(["admin"])).to_string());
    assert_rejected(&app, &format!("{}.{}.{}", parts[0], forged_payload, parts[2]), "tampered claims").await;

    assert_rejected(&app, "not-a-jwt", "garbage").await;
    let response = app.get("/api/v1/me").header("authorization", format!("Basic {valid}")).send().await.unwrap();
    assert_problem(response, 401, "invalid_token").await;
});

api_test!(async fn tokens_of_disabled_or_unknown_accounts_are_401(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    app.execute(&format!("UPDATE users SET disabled = true WHERE email = '{}'", user.email)).await;
    assert_rejected(&app, &user.token, "disabled account").await;
    let ghost = app.token_for(uuid::Uuid::new_v4(), &[Role::Admin]);
    assert_rejected(&app, &ghost, "unknown account").await;
});

api_test!(async fn roles_come_from_the_account_not_the_token(app) {
    // A token claiming admin for an applicant account is not enough.
    let user = app.create_user(&[Role::Applicant]).await;
    let token = app.token_for(user.id, &[Role::Admin]);
    let response = app.get("/api/v1/users").bearer_auth(token).send().await.unwrap();
    assert_problem(response, 403, "forbidden").await;
});
