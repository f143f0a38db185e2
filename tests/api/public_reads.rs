//! The public reads a widget makes are answered from memory: `ETag` and `304`, and never an
//! answer older than the last write, in this process or another on the same database.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    ballots::{ceremony, staff},
    helpers::{TestApp, json},
};

async fn title_seen(app: &TestApp, edition: &str) -> String {
    let response = app
        .get(&format!("/api/v1/editions/{edition}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    json(response).await["title"].as_str().unwrap().to_owned()
}

async fn rename(app: &TestApp, token: &str, edition: &str, title: &str) {
    let response = app
        .patch(
            &format!("/api/v1/editions/{edition}"),
            &json!({"title": title}),
        )
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

api_test!(async fn public_reads_answer_304_for_the_version_the_caller_holds(app) {
    let organization = app.create_organization("ceser-etag").await;
    let edition = app.open_edition(&organization).await;
    let path = format!("/api/v1/editions/{}", edition["id"].as_str().unwrap());
    let first = app.get(&path).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "public, max-age=30");
    assert!(first.headers().get_all("vary").iter().any(|value| value == "Authorization"));
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\"") && etag.ends_with('"'), "{etag}");
    let body = first.bytes().await.unwrap();

    let strong = etag.trim_start_matches("W/").to_owned();
    for held in [etag.clone(), strong, format!("\"other\", {etag}"), "*".into()] {
        let again = app.get(&path).header("If-None-Match", &held).send().await.unwrap();
        assert_eq!(again.status(), 304, "{held}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
    }
    let other = app.get(&path).header("If-None-Match", "\"other\"").send().await.unwrap();
    assert_eq!(other.status(), 200);
    assert_eq!(other.bytes().await.unwrap(), body, "the cached answer is the answer");
    // Another query is another answer, not this one.
    let listed = app.get("/api/v1/editions?limit=1").send().await.unwrap();
    assert_eq!(listed.status(), 200);
    assert_ne!(listed.headers()["etag"], etag.as_str());
});

api_test!(async fn a_write_is_seen_by_the_next_public_read(app) {
    let organization = app.create_organization("ceser-fresh").await;
    let edition = app.open_edition(&organization).await;
    let id = edition["id"].as_str().unwrap();
    let token = &organization.admin.token;
    for round in 0..5 {
        let title = format!("Prix de l'édition, version {round}");
        rename(&app, token, id, &title).await;
        assert_eq!(title_seen(&app, id).await, title);
        assert_eq!(title_seen(&app, id).await, title, "from memory now");
    }
    // A refused write changes nothing, and its answer is not cached either.
    let refused = app
        .patch(&format!("/api/v1/editions/{id}"), &json!({"title": ""}))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(title_seen(&app, id).await, "Prix de l'édition, version 4");
});

api_test!(async fn a_caller_with_a_token_is_never_given_the_anonymous_answer(app) {
    let organization = app.create_organization("ceser-drafts").await;
    let draft = app
        .create_numbered_edition(&organization, 42, crate::helpers::open_calendar())
        .await;
    let anonymous = app.get(&format!("/api/v1/editions/{}", draft["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(anonymous.status(), 404, "a draft is not public");
    let staff_view = app
        .get(&format!("/api/v1/editions/{}", draft["id"].as_str().unwrap()))
        .bearer_auth(&organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(staff_view.status(), 200, "its staff see it");
    assert_eq!(staff_view.headers()["cache-control"], "no-store");
    let listed = app.get("/api/v1/editions").send().await.unwrap();
    let staff_listed = app
        .get("/api/v1/editions")
        .bearer_auth(&organization.admin.token)
        .send()
        .await
        .unwrap();
    let count = |value: serde_json::Value| value["items"].as_array().map_or(0, Vec::len);
    assert!(count(json(staff_listed).await) > count(json(listed).await));
});

api_test!(async fn the_ballot_read_follows_its_state_at_once(app) {
    let (run, prize) = ceremony(&app).await;
    let path = format!("/api/v1/prizes/{prize}/ballot");
    let state = |response: serde_json::Value| response["state"].as_str().unwrap().to_owned();
    assert_eq!(state(json(app.get(&path).send().await.unwrap()).await), "scheduled");
    staff(&app, &run, "ballot/open", &prize).await;
    assert_eq!(state(json(app.get(&path).send().await.unwrap()).await), "open");
    staff(&app, &run, "ballot/close", &prize).await;
    assert_eq!(state(json(app.get(&path).send().await.unwrap()).await), "closed");
});

api_test!(async fn a_write_on_another_server_reaches_this_ones_public_reads(app) {
    if app.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return; // one process per SQLite file
    }
    let organization = app.create_organization("ceser-two").await;
    let edition = app.open_edition(&organization).await;
    let id = edition["id"].as_str().unwrap();
    let other = app.another_server(&[]).await;
    let before = title_seen(&other, id).await;
    rename(&app, &organization.admin.token, id, "Renommée sur l'autre serveur").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let seen = title_seen(&other, id).await;
        if seen != before {
            assert_eq!(seen, "Renommée sur l'autre serveur");
            break;
        }
        assert!(Instant::now() < deadline, "the other server still answers the old title");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
});
