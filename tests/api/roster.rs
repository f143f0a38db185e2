//! Councillor rosters imported as CSV, and invitations.
use prix_ceser::{domain::Role, entities::outbox_message};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::helpers::*;

async fn import(
    app: &TestApp,
    organization: &TestOrganization,
    token: &str,
    csv: &str,
) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!(
            "/api/v1/organizations/{}/councillors/import",
            organization.id
        ),
    )
    .header("content-type", "text/csv; charset=utf-8")
    .body(csv.to_owned())
    .bearer_auth(token)
    .send()
    .await
    .unwrap()
}

/// The invitation tokens emailed so far, oldest first.
async fn invitation_tokens(app: &TestApp) -> Vec<String> {
    outbox_message::Entity::find()
        .order_by_asc(outbox_message::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|message| message.subject == "Votre invitation au Prix du CESER")
        .map(|message| {
            message
                .body
                .split("/invitation?token=")
                .nth(1)
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect()
}

api_test!(async fn a_roster_import_creates_invites_and_is_idempotent(app) {
    let ara = app.create_organization("ceser-ara").await;
    let existing = app.create_user(&[Role::Applicant]).await;
    let csv = format!("email,name,college\nanne.dupont@example.fr,Anne Dupont,Collège 1 — entreprises\nbenoit.ecole@example.fr,Benoît École,Collège 2 — syndicats\n{},Déjà Inscrite,Collège 3 — associations\n", existing.email);
    let first = import(&app, &ara, &ara.admin.token, &csv).await;
    assert_eq!(first.status(), 200);
    assert_eq!(json(first).await, json!({"created": 2, "updated": 1, "unchanged": 0}));
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    assert_eq!(roster.as_array().unwrap().len(), 3);
    let me = json(app.get("/api/v1/me").bearer_auth(app.token_for(existing.id, &[Role::Applicant])).send().await.unwrap()).await;
    assert_eq!(me["roles"], json!(["applicant", "councillor"]));
    assert_eq!(me["display_name"], "Déjà Inscrite");

    let again = import(&app, &ara, &ara.admin.token, &csv).await;
    assert_eq!(json(again).await, json!({"created": 0, "updated": 0, "unchanged": 3}));
    assert_eq!(invitation_tokens(&app).await.len(), 2, "no second invitation");

    // The invitation sets the password; it works once.
    let token = invitation_tokens(&app).await.remove(0);
    assert_problem(app.login("anne.dupont@example.fr", "a long councillor password").await, 401, "invalid_credentials").await;
    let accepted = app.post("/api/v1/auth/invitations/accept", &json!({"token": token, "password": "a long councillor password"})).send().await.unwrap();
    assert_eq!(accepted.status(), 204);
    assert_eq!(app.login("anne.dupont@example.fr", "a long councillor password").await.status(), 200);
    let reused = app.post("/api/v1/auth/invitations/accept", &json!({"token": token, "password": "another long password"})).send().await.unwrap();
    assert_problem(reused, 422, "validation_failed").await;
});

api_test!(async fn a_bad_line_rejects_the_whole_file(app) {
    let ara = app.create_organization("ceser-ara").await;
    let csv = "email,name,college\nfirst@example.fr,First,Collège 1\nnot-an-address,Second,Collège 2\nthird@example.fr,,Collège 3\n";
    let response = import(&app, &ara, &ara.admin.token, csv).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["line 3.email", "line 4.name"]);
    assert_problem(app.login("first@example.fr", "whatever at all").await, 401, "invalid_credentials").await;
    let admin = app.create_platform_admin().await;
    let users = json(app.get("/api/v1/users?email=first@").bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!(users["items"], json!([]), "nothing of the file is written");

    let json_body = app.post(&format!("/api/v1/organizations/{}/councillors/import", ara.id), &json!({"email": "x"})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(json_body, 415, "unsupported_media_type").await;
    let other = app.create_organization("ceser-paca").await;
    assert_problem(import(&app, &ara, &other.admin.token, "email,name,college\na@example.fr,A,C\n").await, 404, "not_found").await;
    // Even a platform admin gets 404 for an organization that does not exist.
    let platform = app.create_platform_admin().await;
    let ghost = TestOrganization { id: uuid::Uuid::new_v4().to_string(), admin: platform };
    assert_problem(import(&app, &ghost, &ghost.admin.token, "email,name,college\na@example.fr,A,C\n").await, 404, "not_found").await;
    let councillor = app.create_user(&[Role::Councillor]).await;
    let seat = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/councillors/{}", ghost.id, councillor.id)).json(&json!({"college": "C"})).bearer_auth(&ghost.admin.token).send().await.unwrap();
    assert_problem(seat, 404, "not_found").await;
});
