//! An organization's colleges: records its councillors belong to.
use prix_ceser::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Value,
    token: &str,
) -> reqwest::Response {
    app.request(method, path)
        .json(&body)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn names(colleges: &Value) -> Vec<&str> {
    colleges
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

api_test!(async fn colleges_are_public_records_kept_by_the_organization_s_staff(app) {
    let ara = app.create_organization("ceser-ara").await;
    let other = app.create_organization("ceser-paca").await;
    let path = format!("/api/v1/organizations/{}/colleges", ara.id);
    // Anyone reads them, in order.
    let listed = json(app.get(&path).send().await.unwrap()).await;
    assert_eq!(names(&listed), COLLEGES);
    assert_eq!(listed[3]["position"], 4);
    assert_problem(app.get(&format!("/api/v1/organizations/{}/colleges", uuid::Uuid::new_v4())).send().await.unwrap(), 404, "not_found").await;

    let created = send(&app, Method::POST, &path, json!({"name": "  Collège 5 — jeunesse "}), &ara.admin.token).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let college = json(created).await;
    assert_eq!((college["name"].as_str(), college["position"].as_i64()), (Some("Collège 5 — jeunesse"), Some(5)));
    assert!(location.ends_with(&format!("/colleges/{}", college["id"].as_str().unwrap())));
    assert_problem(send(&app, Method::POST, &path, json!({"name": "Collège 1"}), &ara.admin.token).await, 409, "college_name_taken").await;
    // A name that looks like another's is that name: case, decomposed accents, spaces.
    for alike in ["COLLÈGE 1", "Colle\u{300}ge 1", "Collège\u{a0} 1"] {
        assert_problem(send(&app, Method::POST, &path, json!({"name": alike}), &ara.admin.token).await, 409, "college_name_taken").await;
    }
    for hidden in ["Collège\u{200b}6", "Collège\u{206a}6", "Collège 6\u{fe0f}", "Collège\u{fff9}6"] {
        let refused = send(&app, Method::POST, &path, json!({"name": hidden}), &ara.admin.token).await;
        assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "name");
    }
    // Another organization's staff, an applicant: not theirs.
    assert_problem(send(&app, Method::POST, &path, json!({"name": "Intrus"}), &other.admin.token).await, 404, "not_found").await;
    let applicant = app.create_user(&[Role::Applicant]).await;
    assert_problem(send(&app, Method::POST, &path, json!({"name": "Intrus"}), &applicant.token).await, 403, "forbidden").await;
    let foreign = format!("/api/v1/organizations/{}/colleges/{}", other.id, college["id"].as_str().unwrap());
    assert_problem(send(&app, Method::PUT, &foreign, json!({"name": "Ailleurs"}), &other.admin.token).await, 404, "not_found").await;
    assert_eq!(names(&json(app.get(&path).send().await.unwrap()).await).len(), 5);
});

api_test!(async fn a_college_s_councillors_follow_its_new_name_and_keep_it_from_deletion(app) {
    let ara = app.create_organization("ceser-ara").await;
    let admin = &ara.admin.token;
    let colleges = json(app.get(&format!("/api/v1/organizations/{}/colleges", ara.id)).send().await.unwrap()).await;
    let college = |index: usize| format!("/api/v1/organizations/{}/colleges/{}", ara.id, colleges[index]["id"].as_str().unwrap());
    let seated = app.create_user(&[Role::Councillor]).await;
    app.join_roster(&ara, &seated, "Collège 1").await;
    // Another is invited to the second college and has not answered yet.
    let invited = app.create_user(&[]).await;
    let csv = format!("email,name,college\n{},Invitée,Collège 2\n", invited.email);
    let import = app.request(Method::POST, &format!("/api/v1/organizations/{}/councillors/import", ara.id)).header("content-type", "text/csv").body(csv).bearer_auth(admin).send().await.unwrap();
    assert_eq!(import.status(), 200);

    let renamed = json(send(&app, Method::PUT, &college(0), json!({"name": "Collège 1 — entreprises"}), admin).await).await;
    assert_eq!(renamed["name"], "Collège 1 — entreprises");
    assert_problem(send(&app, Method::PUT, &college(0), json!({"name": "Collège 3"}), admin).await, 409, "college_name_taken").await;
    send(&app, Method::PUT, &college(1), json!({"name": "Collège 2 — syndicats"}), admin).await;
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(roster["items"][0]["college"], "Collège 1 — entreprises");
    // The pending invitation follows too: accepting it puts them in the renamed college.
    let invitation = app.outbox().await.pop().unwrap();
    let token = link_token(&invitation.body, "/invitation?token=").unwrap();
    let accepted = app.post("/api/v1/auth/invitations/accept", &json!({"token": token})).bearer_auth(&invited.token).send().await.unwrap();
    assert_eq!(accepted.status(), 204);
    let roster = json(app.get(&format!("/api/v1/organizations/{}/councillors", ara.id)).bearer_auth(admin).send().await.unwrap()).await;
    let mut colleges_on_roster: Vec<&str> = roster["items"].as_array().unwrap().iter().map(|c| c["college"].as_str().unwrap()).collect();
    colleges_on_roster.sort();
    assert_eq!(colleges_on_roster, ["Collège 1 — entreprises", "Collège 2 — syndicats"]);

    // In use: kept. Empty: deleted, and nobody can be put in it any more.
    assert_problem(send(&app, Method::DELETE, &college(0), json!({}), admin).await, 409, "college_in_use").await;
    assert_eq!(send(&app, Method::DELETE, &college(3), json!({}), admin).await.status(), 204);
    assert_problem(send(&app, Method::DELETE, &college(3), json!({}), admin).await, 404, "not_found").await;
    let moved = send(&app, Method::PUT, &format!("/api/v1/organizations/{}/councillors/{}", ara.id, seated.id), json!({"college": "Collège 4"}), admin).await;
    let refused = assert_problem(moved, 422, "validation_failed").await;
    assert_eq!(refused["errors"][0]["field"], "college");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("Collège 1 — entreprises"), "{refused}");
    let unknown = "email,name,college\nnouvelle@example.fr,Nouvelle,Collège 1\n";
    let import = app.request(Method::POST, &format!("/api/v1/organizations/{}/councillors/import", ara.id)).header("content-type", "text/csv").body(unknown).bearer_auth(admin).send().await.unwrap();
    assert_eq!(assert_problem(import, 422, "validation_failed").await["errors"][0]["field"], "line 2.college");

    // Written another way, a college is found, and kept as the organization writes it.
    let moved = send(&app, Method::PUT, &format!("/api/v1/organizations/{}/councillors/{}", ara.id, seated.id), json!({"college": "COLLÈGE  2 — SYNDICATS"}), admin).await;
    assert_eq!(json(moved).await["college"], "Collège 2 — syndicats");
    // A database administrator cannot put a councillor in a college that does not exist.
    use prix_ceser::entities::councillor;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let forged = councillor::Entity::update_many()
        .col_expr(councillor::Column::College, Expr::value("Collège fantôme"))
        .filter(councillor::Column::UserId.eq(seated.id))
        .exec(&app.db)
        .await;
    assert!(forged.is_err(), "the foreign key refuses an unknown college");
});

api_test!(async fn an_organization_has_a_bounded_number_of_colleges_even_under_a_race(app) {
    let ara = app.create_organization("ceser-ara").await;
    let path = format!("/api/v1/organizations/{}/colleges", ara.id);
    let attempts = (0..20).map(|index| {
        let (app, path, token) = (&app, &path, &ara.admin.token);
        async move { send(app, Method::POST, path, json!({"name": format!("Collège supplémentaire {index}")}), token).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 16, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(s, 201 | 409)), "{statuses:?}");
    assert_problem(send(&app, Method::POST, &path, json!({"name": "Un de trop"}), &ara.admin.token).await, 409, "too_many_colleges").await;
    assert_eq!(json(app.get(&path).send().await.unwrap()).await.as_array().unwrap().len(), 20);
});
