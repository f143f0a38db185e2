//! API tokens for scripts: shown once, stored hashed, expiring, read-only or read-write,
//! limited to some organizations, never more than their account may do now, audited.
use prix_ceser::domain::Role;
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::*;

async fn create_token(app: &TestApp, session: &str, body: Value) -> reqwest::Response {
    app.post("/api/v1/me/tokens", &body)
        .bearer_auth(session)
        .send()
        .await
        .unwrap()
}

async fn new_token(app: &TestApp, session: &str, body: Value) -> (String, String) {
    let created = create_token(app, session, body).await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    (
        created["id"].as_str().unwrap().to_owned(),
        created["token"].as_str().unwrap().to_owned(),
    )
}

async fn status(app: &TestApp, method: Method, path: &str, token: &str) -> u16 {
    let mut request = app.request(method.clone(), path).bearer_auth(token);
    if method == Method::POST {
        request = request.json(&json!({}));
    }
    request.send().await.unwrap().status().as_u16()
}

api_test!(async fn a_token_is_shown_once_stored_hashed_and_revoked_at_once(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let created = create_token(&app, &user.token, json!({"name": "Export nightly", "read_only": false})).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let created = json(created).await;
    let (id, secret) = (created["id"].as_str().unwrap(), created["token"].as_str().unwrap());
    assert!(secret.starts_with("pxc_") && secret.len() > 40, "{secret}");
    assert_eq!(location, format!("/api/v1/me/tokens/{id}"));
    assert_eq!(created["read_only"], false);
    assert!(created["organizations"].is_null());

    let me = json(app.get("/api/v1/me").bearer_auth(secret).send().await.unwrap()).await;
    assert_eq!(me["id"], user.id.to_string());
    let listed = app.get("/api/v1/me/tokens").bearer_auth(&user.token).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains(id) && !listed.contains(secret), "listed without its secret");
    assert!(listed.contains("last_used_at") && !listed.contains("\"last_used_at\":null"), "{listed}");
    let rows = format!("{:?}", prix_ceser::entities::api_token::Entity::find().all(&app.db).await.unwrap());
    assert!(!rows.contains(secret) && !rows.contains(&secret[4..]), "stored hashed only");

    // Its address answers, without the secret; the owner's export lists it.
    let found = app.get(&location).bearer_auth(&user.token).send().await.unwrap().text().await.unwrap();
    assert!(found.contains(id) && !found.contains(secret), "{found}");
    let export = app.get("/api/v1/me/export").bearer_auth(&user.token).send().await.unwrap().text().await.unwrap();
    assert!(export.contains("Export nightly") && !export.contains(secret));
    // Another account cannot see or revoke it; its owner revokes it, at once.
    let other = app.create_user(&[Role::Applicant]).await;
    assert_eq!(status(&app, Method::GET, &location, &other.token).await, 404);
    assert_eq!(status(&app, Method::DELETE, &location, &other.token).await, 404);
    assert_eq!(status(&app, Method::DELETE, &location, &user.token).await, 204);
    assert_eq!(status(&app, Method::DELETE, &location, &user.token).await, 204);
    assert_eq!(status(&app, Method::GET, "/api/v1/me", secret).await, 401);
    // A token does not make, list or revoke tokens.
    let (_, second) = new_token(&app, &user.token, json!({"name": "CI", "read_only": false})).await;
    assert_problem(create_token(&app, &second, json!({"name": "x", "read_only": false})).await, 403, "forbidden").await;
    assert_eq!(status(&app, Method::GET, "/api/v1/me/tokens", &second).await, 403);
});

api_test!(async fn a_token_never_does_more_than_its_scope_and_its_account(app) {
    let org_a = app.create_organization("ceser-tok-a").await;
    let org_b = app.create_organization("ceser-tok-b").await;
    let platform = app.create_platform_admin().await;
    let admins = |org: &TestOrganization| format!("/api/v1/organizations/{}/admins", org.id);

    // Read-only: reads, and nothing else.
    let (_, reader) = new_token(&app, &org_a.admin.token, json!({"name": "Lecture", "read_only": true})).await;
    assert_eq!(status(&app, Method::GET, &admins(&org_a), &reader).await, 200);
    assert_eq!(status(&app, Method::HEAD, &admins(&org_a), &reader).await, 200);
    let write = format!("/api/v1/organizations/{}/editions", org_a.id);
    assert_eq!(status(&app, Method::POST, &write, &reader).await, 403);

    // Limited to one organization: the others are out of reach, platform powers too.
    let (_, limited) = new_token(&app, &platform.token, json!({"name": "A seulement", "read_only": false, "organizations": [org_a.id]})).await;
    assert_eq!(status(&app, Method::GET, &admins(&org_a), &limited).await, 200);
    assert_eq!(status(&app, Method::GET, &admins(&org_b), &limited).await, 404);
    let organization = json!({"short_name": "ceser-tok-c", "name": "C", "region": "R", "default_departements": ["69"], "contact_email": "c@example.fr"});
    let made = app.post("/api/v1/organizations", &organization).bearer_auth(&limited).send().await.unwrap();
    assert_eq!(made.status(), 403);
    // Only organizations its creator manages.
    let refused = create_token(&app, &org_a.admin.token, json!({"name": "B", "read_only": true, "organizations": [org_b.id]})).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "organizations[0]");

    // A role its account loses, the token loses too.
    let (_, staff_token) = new_token(&app, &org_a.admin.token, json!({"name": "Staff", "read_only": false})).await;
    assert_eq!(status(&app, Method::GET, &admins(&org_a), &staff_token).await, 200);
    let demoted = app
        .patch(&format!("/api/v1/users/{}", org_a.admin.id), &json!({"roles": []}))
        .bearer_auth(&platform.token)
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), 200);
    assert_eq!(status(&app, Method::GET, &admins(&org_a), &staff_token).await, 403);
});

api_test!(async fn tokens_expire_and_their_life_is_bounded(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    for (days, field) in [(json!(0), "expires_in_days"), (json!(366), "expires_in_days")] {
        let refused = create_token(&app, &user.token, json!({"name": "x", "read_only": true, "expires_in_days": days})).await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let refused = create_token(&app, &user.token, json!({"name": " \u{0}", "read_only": true})).await;
    assert_problem(refused, 422, "validation_failed").await;
    let created = json(create_token(&app, &user.token, json!({"name": "Court", "read_only": true, "expires_in_days": 1})).await).await;
    let secret = created["token"].as_str().unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(created["expires_at"].as_str().unwrap()).unwrap();
    let lifetime = expires.signed_duration_since(chrono::Utc::now());
    assert!(lifetime > chrono::Duration::hours(23) && lifetime <= chrono::Duration::hours(24));
    assert_eq!(status(&app, Method::GET, "/api/v1/me", secret).await, 200);
    app.execute("UPDATE api_tokens SET expires_at = created_at").await;
    assert_eq!(status(&app, Method::GET, "/api/v1/me", secret).await, 401);
});

api_test!(async fn creation_use_from_a_new_address_and_revocation_are_audited(app) {
    let platform = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let (id, secret) = new_token(&app, &user.token, json!({"name": "Audit", "read_only": true})).await;
    assert_eq!(status(&app, Method::GET, "/api/v1/me", &secret).await, 200);
    assert_eq!(status(&app, Method::GET, "/api/v1/me", &secret).await, 200);
    assert_eq!(status(&app, Method::DELETE, &format!("/api/v1/me/tokens/{id}"), &user.token).await, 204);
    for (action, count) in [("api_token.created", 1), ("api_token.used_from_new_address", 1), ("api_token.revoked", 1)] {
        let page = json(app.get(&format!("/api/v1/audit?action={action}")).bearer_auth(&platform.token).send().await.unwrap()).await;
        let events: Vec<&Value> = page["items"].as_array().unwrap().iter().filter(|event| event["target_id"] == id.as_str()).collect();
        assert_eq!(events.len(), count, "{action}: {page}");
    }
});

api_test!(async fn an_account_holds_a_bounded_number_of_live_tokens(app) {
    let user = app.create_user(&[Role::Applicant]).await;
    let (first, _) = new_token(&app, &user.token, json!({"name": "Script 0", "read_only": true})).await;
    // Asked for all at once, still twenty at most.
    let racing = futures::future::join_all((1..26).map(|index| {
        create_token(&app, &user.token, json!({"name": format!("Script {index}"), "read_only": true}))
    })).await;
    assert_eq!(racing.iter().filter(|response| response.status() == 201).count(), 19);
    let refused = create_token(&app, &user.token, json!({"name": "One more", "read_only": true})).await;
    assert_problem(refused, 409, "too_many_tokens").await;
    assert_eq!(status(&app, Method::DELETE, &format!("/api/v1/me/tokens/{first}"), &user.token).await, 204);
    new_token(&app, &user.token, json!({"name": "In its place", "read_only": true})).await;
});

api_test!(async fn a_token_limited_to_an_organization_reads_only_its_trail(app) {
    let org_a = app.create_organization("ceser-trail-a").await;
    let org_b = app.create_organization("ceser-trail-b").await;
    let platform = app.create_platform_admin().await;
    let (_, limited) = new_token(&app, &platform.token, json!({"name": "A", "read_only": true, "organizations": [org_a.id]})).await;
    // The platform admin acts on B: their session reads it, their token limited to A does not.
    let current = json(app.get(&format!("/api/v1/organizations/{}", org_b.id)).send().await.unwrap()).await;
    let mut changed = current.clone();
    for field in ["id", "created_at", "updated_at", "localized_name"] {
        changed.as_object_mut().unwrap().remove(field);
    }
    changed["name"] = json!("CESER B renommé");
    let updated = app
        .request(Method::PUT, &format!("/api/v1/organizations/{}", org_b.id))
        .json(&changed)
        .bearer_auth(&platform.token)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let trail = |token: &str| {
        let request = app.get("/api/v1/audit?action=organization.updated&limit=200").bearer_auth(token);
        async move { json(request.send().await.unwrap()).await.to_string() }
    };
    assert!(trail(&platform.token).await.contains(&org_b.id));
    assert!(!trail(&limited).await.contains(&org_b.id), "a limited token reads its organizations' trail only");
});

api_test!(async fn disabling_an_account_or_erasing_it_ends_its_tokens_for_good(app) {
    let platform = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let (_, secret) = new_token(&app, &user.token, json!({"name": "Script", "read_only": true})).await;
    assert_eq!(status(&app, Method::GET, "/api/v1/me", &secret).await, 200);
    for disabled in [true, false] {
        let changed = app
            .patch(&format!("/api/v1/users/{}", user.id), &json!({"disabled": disabled}))
            .bearer_auth(&platform.token)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 200);
        assert_eq!(status(&app, Method::GET, "/api/v1/me", &secret).await, 401, "disabled: {disabled}");
    }
    // Erased, the account keeps no token at all.
    let other = app.create_user(&[Role::Applicant]).await;
    new_token(&app, &other.token, json!({"name": "Script", "read_only": true})).await;
    let erased = app
        .request(Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    let left = prix_ceser::entities::api_token::Entity::find().all(&app.db).await.unwrap();
    assert!(left.iter().all(|token| token.user_id != other.id), "{left:?}");
});
