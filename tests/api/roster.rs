//! Councillor rosters imported as CSV, and invitations.
use prix_ceser::domain::Role;
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
    app.outbox()
        .await
        .into_iter()
        .filter(|message| message.subject == "Votre invitation au Prix du CESER")
        .map(|message| link_token(&message.body, "/invitation?token=").unwrap())
        .collect()
}

api_test!(async fn a_roster_import_invites_and_is_idempotent(app) {
    let ara = app.create_organization("ceser-ara").await;
    let existing = app.create_user(&[Role::Applicant]).await;
    let csv = format!("email,name,college\nanne.dupont@example.fr,Anne Dupont,Collège 1\nbenoit.ecole@example.fr,Benoît École,Collège 2\n{},Déjà Inscrite,Collège 3\n", existing.email);
    let first = import(&app, &ara, &ara.admin.token, &csv).await;
    assert_eq!(first.status(), 200);
    assert_eq!(json(first).await, json!({"invited": 3, "updated": 0, "unchanged": 0}));
    // Nobody is on the roster, nor holds the role, before accepting.
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(roster, json!([]));
    let existing_token = app.token_for(existing.id, &[Role::Applicant]);
    let me = json(app.get("/api/v1/me").bearer_auth(&existing_token).send().await.unwrap()).await;
    assert_eq!(me["roles"], json!(["applicant"]));

    let again = import(&app, &ara, &ara.admin.token, &csv).await;
    assert_eq!(json(again).await, json!({"invited": 0, "updated": 0, "unchanged": 3}));
    let tokens = invitation_tokens(&app).await;
    assert_eq!(tokens.len(), 3, "no second invitation");

    // A new account chooses its password with the token; it works once.
    assert_problem(app.login("anne.dupont@example.fr", "a long councillor password").await, 401, "invalid_credentials").await;
    let missing = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[0]})).send().await.unwrap();
    assert_eq!(assert_problem(missing, 422, "validation_failed").await["errors"][0]["field"], "password");
    let accepted = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[0], "password": "a long councillor password"})).send().await.unwrap();
    assert_eq!(accepted.status(), 204, "{}", accepted.text().await.unwrap());
    let anne = json(app.login("anne.dupont@example.fr", "a long councillor password").await).await;
    let anne_me = json(app.get("/api/v1/me").bearer_auth(anne["access_token"].as_str().unwrap()).send().await.unwrap()).await;
    assert_eq!((anne_me["roles"].clone(), anne_me["email_verified"].clone()), (json!(["councillor"]), json!(true)));
    let reused = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[0], "password": "another long password"})).send().await.unwrap();
    assert_problem(reused, 422, "validation_failed").await;

    // An existing account accepts while logged in as itself, not with a password, not as another.
    let with_password = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[2], "password": "a long new password"})).send().await.unwrap();
    assert_problem(with_password, 422, "validation_failed").await;
    let anonymous = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[2]})).send().await.unwrap();
    assert_problem(anonymous, 401, "authentication_required").await;
    let other = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[2]})).bearer_auth(anne["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_problem(other, 403, "forbidden").await;
    let own = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[2]})).bearer_auth(&existing_token).send().await.unwrap();
    assert_eq!(own.status(), 204, "{}", own.text().await.unwrap());
    let me = json(app.get("/api/v1/me").bearer_auth(&existing_token).send().await.unwrap()).await;
    assert_eq!(me["roles"], json!(["applicant", "councillor"]));

    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(roster.as_array().unwrap().len(), 2);
    // Once on the roster, a new college in the file is an update.
    let moved = csv.replace("Collège 3", "Collège 4");
    assert_eq!(json(import(&app, &ara, &ara.admin.token, &moved).await).await, json!({"invited": 0, "updated": 1, "unchanged": 2}));
});

api_test!(async fn registering_an_address_before_the_import_gives_no_role(app) {
    let ara = app.create_organization("ceser-ara").await;
    // A visitor registers the address of a future councillor, who will never give them the link.
    let registered = app.post("/api/v1/auth/register", &json!({"email": "nouveau.conseiller@ceser-ara.example", "password": PASSWORD, "display_name": "Visiteur"})).send().await.unwrap();
    assert_eq!(registered.status(), 202);
    let summary = json(import(&app, &ara, &ara.admin.token, "email,name,college\nnouveau.conseiller@ceser-ara.example,Nouveau Conseiller,Collège 1\n").await).await;
    assert_eq!(summary["invited"], 1);
    let visitor = json(app.login("nouveau.conseiller@ceser-ara.example", PASSWORD).await).await;
    let visitor_token = visitor["access_token"].as_str().unwrap();
    let me = json(app.get("/api/v1/me").bearer_auth(visitor_token).send().await.unwrap()).await;
    assert_eq!(me["roles"], json!(["applicant"]));
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(roster, json!([]));
    // Even a guessed token is refused; the emailed one reaches only the address's owner.
    let guessed = app.post("/api/v1/auth/invitations/accept", &json!({"token": "guessed-token"})).bearer_auth(visitor_token).send().await.unwrap();
    assert_problem(guessed, 422, "validation_failed").await;
    // Nor can staff hand the role to the unverified account directly.
    let platform = app.create_platform_admin().await;
    let id = me["id"].as_str().unwrap();
    let granted = app.patch(&format!("/api/v1/users/{id}"), &json!({"roles": ["applicant", "councillor"]})).bearer_auth(&platform.token).send().await.unwrap();
    assert_problem(granted, 409, "email_unverified").await;
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

api_test!(async fn staff_change_a_college_but_put_nobody_on_the_roster(app) {
    let ara = app.create_organization("ceser-ara").await;
    // A councillor of another organization, or one the platform admin made: not ours to take.
    let councillor = app.create_user(&[Role::Councillor]).await;
    let path = format!("/api/v1/organizations/{}/councillors/{}", ara.id, councillor.id);
    let put = |college: &'static str| app.request(reqwest::Method::PUT, &path).json(&json!({"college": college})).bearer_auth(&ara.admin.token).send();
    assert_problem(put("Collège 1").await.unwrap(), 409, "not_on_roster").await;
    let me = json(app.get("/api/v1/me").bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    let promote = app.patch(&format!("/api/v1/users/{}", me["id"].as_str().unwrap()), &json!({"roles": ["admin", "councillor"]})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(promote, 403, "forbidden").await;
    // Once they accepted the invitation, staff keep their college current.
    app.join_roster(&ara, &councillor, "Collège 1").await;
    assert_eq!(json(put("Collège 2").await.unwrap()).await["college"], "Collège 2");
});

api_test!(async fn staff_cancel_a_pending_invitation_and_a_disabled_account_accepts_none(app) {
    let ara = app.create_organization("ceser-ara").await;
    let csv = "email,name,college\nmauvaise.adresse@example.fr,Erreur,Collège 1\nautre@example.fr,Autre,Collège 1\n";
    assert_eq!(import(&app, &ara, &ara.admin.token, csv).await.status(), 200);
    let tokens = invitation_tokens(&app).await;
    let platform = app.create_platform_admin().await;
    let find = |email: &'static str| {
        let app = &app;
        let token = platform.token.clone();
        async move { json(app.get(&format!("/api/v1/users?email={email}")).bearer_auth(&token).send().await.unwrap()).await["items"][0]["id"].as_str().unwrap().to_owned() }
    };
    // A wrong line of the import: staff withdraw its invitation.
    let wrong = find("mauvaise.adresse@").await;
    let cancelled = app.request(reqwest::Method::DELETE, &format!("/api/v1/organizations/{}/councillors/{wrong}", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(cancelled.status(), 204);
    let refused = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[0], "password": "a long councillor password"})).send().await.unwrap();
    assert_problem(refused, 422, "validation_failed").await;
    // A disabled account accepts nothing.
    let other = find("autre@").await;
    app.patch(&format!("/api/v1/users/{other}"), &json!({"disabled": true})).bearer_auth(&platform.token).send().await.unwrap();
    let refused = app.post("/api/v1/auth/invitations/accept", &json!({"token": tokens[1], "password": "a long councillor password"})).send().await.unwrap();
    assert_problem(refused, 422, "validation_failed").await;
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(&ara.admin.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(roster, json!([]));
});
