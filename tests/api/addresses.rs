//! Proof of address: registration confirmed by an emailed link before submitting, password
//! reset by email, and answers that never tell whether an address has an account.
use prix_ceser::{domain::Role, entities::user_role};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::{applications::complete_file, helpers::*};

/// The messages emailed to `address`, oldest first: (subject, body).
async fn mailbox(app: &TestApp, address: &str) -> Vec<(String, String)> {
    app.outbox()
        .await
        .into_iter()
        .filter(|message| message.recipient.as_deref() == Some(address))
        .map(|message| (message.subject, message.body))
        .collect()
}

/// The token of the last link to `page` emailed to `address`.
async fn emailed_token(app: &TestApp, address: &str, page: &str) -> String {
    let messages = mailbox(app, address).await;
    messages
        .iter()
        .rev()
        .find_map(|(_, body)| link_token(body, page))
        .expect("a link was emailed")
}

async fn register(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/register",
        &json!({"email": email, "password": password, "display_name": "Claire Martin"}),
    )
    .send()
    .await
    .unwrap()
}

async fn access_token(app: &TestApp, email: &str, password: &str) -> String {
    let tokens = json(app.login(email, password).await).await;
    tokens["access_token"]
        .as_str()
        .expect("logged in")
        .to_owned()
}

api_test!(async fn an_applicant_confirms_the_address_before_submitting(app) {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await;
    assert_eq!(register(&app, "claire@example.fr", PASSWORD).await.status(), 202);
    let token = access_token(&app, "claire@example.fr", PASSWORD).await;
    let file = json(app.post(&format!("/api/v1/editions/{}/applications", edition["id"].as_str().unwrap()), &complete_file()).bearer_auth(&token).send().await.unwrap()).await;
    let submit = format!("/api/v1/applications/{}/submit", file["id"].as_str().unwrap());
    let refused = app.post(&submit, &json!({})).bearer_auth(&token).send().await.unwrap();
    assert_problem(refused, 409, "email_unverified").await;

    let link = emailed_token(&app, "claire@example.fr", "/verify-email?token=").await;
    let wrong = app.post("/api/v1/auth/email/verify", &json!({"token": "not-the-token"})).bearer_auth(&token).send().await.unwrap();
    assert_problem(wrong, 422, "validation_failed").await;
    // The link confirms only while logged in as its account: not anonymously, not as another.
    let anonymous = app.post("/api/v1/auth/email/verify", &json!({"token": link})).send().await.unwrap();
    assert_problem(anonymous, 401, "authentication_required").await;
    let squatter = app.create_user(&[Role::Applicant]).await;
    let other = app.post("/api/v1/auth/email/verify", &json!({"token": link})).bearer_auth(&squatter.token).send().await.unwrap();
    assert_problem(other, 422, "validation_failed").await;
    let verified = app.post("/api/v1/auth/email/verify", &json!({"token": link})).bearer_auth(&token).send().await.unwrap();
    assert_eq!(verified.status(), 204);
    let again = app.post("/api/v1/auth/email/verify", &json!({"token": link})).bearer_auth(&token).send().await.unwrap();
    assert_problem(again, 422, "validation_failed").await;
    let submitted = app.post(&submit, &json!({})).bearer_auth(&token).send().await.unwrap();
    assert_eq!(submitted.status(), 200);
    let me = json(app.get("/api/v1/me").bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(me["email_verified"], true);
});

api_test!(async fn registering_a_taken_address_answers_as_for_a_new_one(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let new = register(&app, "someone.new@example.fr", PASSWORD).await;
    let taken = register(&app, &user.email.to_uppercase(), "another password entirely").await;
    assert_eq!((new.status().as_u16(), taken.status().as_u16()), (202, 202));
    assert_eq!(new.headers().get("content-type"), taken.headers().get("content-type"));
    assert_eq!(json(new).await, json(taken).await);
    // The holder hears that they already have an account; nothing else changed.
    let messages = mailbox(&app, &user.email).await;
    assert_eq!(messages.len(), 1);
    assert!(messages[0].1.contains("vous en avez déjà un"));
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
    assert_problem(app.login(&user.email, "another password entirely").await, 401, "invalid_credentials").await;
});

api_test!(async fn an_unverified_account_receives_no_role(app) {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await;
    assert_eq!(register(&app, "pending@example.fr", PASSWORD).await.status(), 202);
    let platform = app.create_platform_admin().await;
    let found = json(app.get("/api/v1/users?email=pending@").bearer_auth(&platform.token).send().await.unwrap()).await;
    let id = found["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found["items"][0]["email_verified"], false);
    for roles in [json!(["applicant", "jury"]), json!(["applicant", "councillor"]), json!(["applicant", "admin"])] {
        let response = app.patch(&format!("/api/v1/users/{id}"), &json!({"roles": roles})).bearer_auth(&platform.token).send().await.unwrap();
        assert_problem(response, 409, "email_unverified").await;
    }
    // Roles the account already holds may be removed.
    let removed = app.patch(&format!("/api/v1/users/{id}"), &json!({"roles": []})).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(removed.status(), 200);
    // Seats and rosters need a proved address too (the role is set behind the API's back here).
    user_role::Entity::insert_many([Role::Jury, Role::Councillor, Role::Admin].map(|role| user_role::ActiveModel { user_id: Set(id.parse().unwrap()), role: Set(role) }))
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    let seat = app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{}/jury/{id}", edition["id"].as_str().unwrap())).json(&json!({"seat": "councillor"})).bearer_auth(&organization.admin.token).send().await.unwrap();
    assert_problem(seat, 409, "email_unverified").await;
    let roster = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/councillors/{id}", organization.id)).json(&json!({"college": "Collège 1"})).bearer_auth(&organization.admin.token).send().await.unwrap();
    assert_problem(roster, 409, "not_on_roster").await;
    let staff = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/admins/{id}", organization.id)).bearer_auth(&platform.token).send().await.unwrap();
    assert_problem(staff, 409, "email_unverified").await;
});

/// Asks for a reset link; the email is written after the answer, so this waits (a while) for
/// a new message to the address.
async fn forgot(app: &TestApp, email: &str) -> (u16, Value) {
    let before = mailbox(app, email).await.len();
    let response = app
        .post("/api/v1/auth/password/forgot", &json!({"email": email}))
        .send()
        .await
        .unwrap();
    let answer = (response.status().as_u16(), json(response).await);
    for _ in 0..40 {
        if answer.0 != 202 || mailbox(app, email).await.len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    answer
}

api_test!(async fn a_password_is_reset_by_email_once(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let session = json(app.login(&user.email, PASSWORD).await).await;
    // Known and unknown addresses get the same answer; only the known one gets a message.
    assert_eq!(forgot(&app, &user.email).await, forgot(&app, "nobody@example.fr").await);
    assert!(mailbox(&app, "nobody@example.fr").await.is_empty());
    let token = emailed_token(&app, &user.email, "/reset-password?token=").await;

    let weak = app.post("/api/v1/auth/password/reset", &json!({"token": token, "password": "short"})).send().await.unwrap();
    assert_problem(weak, 422, "validation_failed").await;
    let reset = app.post("/api/v1/auth/password/reset", &json!({"token": token, "password": "a brand new password"})).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    assert_problem(app.login(&user.email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_eq!(app.login(&user.email, "a brand new password").await.status(), 200);
    // Every session of the account ended, access tokens already issued included; the link
    // works once.
    let old_access = session["access_token"].as_str().unwrap();
    assert_problem(app.get("/api/v1/me").bearer_auth(old_access).send().await.unwrap(), 401, "invalid_token").await;
    let fresh = json(app.login(&user.email, "a brand new password").await).await;
    assert_eq!(app.get("/api/v1/me").bearer_auth(fresh["access_token"].as_str().unwrap()).send().await.unwrap().status(), 200);
    let refreshed = app.post("/api/v1/auth/refresh", &json!({"refresh_token": session["refresh_token"]})).send().await.unwrap();
    assert_problem(refreshed, 401, "invalid_refresh_token").await;
    let reused = app.post("/api/v1/auth/password/reset", &json!({"token": token, "password": "yet another password"})).send().await.unwrap();
    assert_problem(reused, 422, "validation_failed").await;
});

api_test!(async fn reset_links_expire_and_a_new_password_voids_the_others(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    forgot(&app, &user.email).await;
    let first = emailed_token(&app, &user.email, "/reset-password?token=").await;
    forgot(&app, &user.email).await;
    let second = emailed_token(&app, &user.email, "/reset-password?token=").await;
    let reset = app.post("/api/v1/auth/password/reset", &json!({"token": second, "password": "a brand new password"})).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    let stale = app.post("/api/v1/auth/password/reset", &json!({"token": first, "password": "an attacker's password"})).send().await.unwrap();
    assert_problem(stale, 422, "validation_failed").await;

    forgot(&app, &user.email).await;
    let third = emailed_token(&app, &user.email, "/reset-password?token=").await;
    app.execute("UPDATE account_tokens SET expires_at = '2020-01-01 00:00:00+00:00' WHERE used_at IS NULL").await;
    let expired = app.post("/api/v1/auth/password/reset", &json!({"token": third, "password": "an expired password"})).send().await.unwrap();
    assert_problem(expired, 422, "validation_failed").await;
    // The fourth email to one address within ten minutes is refused.
    assert_eq!(forgot(&app, &user.email).await.0, 429);
});

api_test!(async fn malformed_addresses_are_refused_before_anything_is_sent(app) {
    let too_long = format!("{}@example.fr", "a".repeat(250));
    for path in ["/api/v1/auth/password/forgot", "/api/v1/auth/email/resend"] {
        for email in ["not an address", too_long.as_str()] {
            let response = app.post(path, &json!({"email": email})).send().await.unwrap();
            let problem = assert_problem(response, 422, "validation_failed").await;
            assert_eq!(problem["errors"][0]["field"], "email");
        }
    }
});
