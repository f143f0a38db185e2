use prix_ceser::{domain::Role, services::audit};
use serde_json::json;

use crate::helpers::*;

api_test!(async fn every_change_is_chained_and_tampering_is_detected(app) {
    let admin = app.create_platform_admin().await;
    let user = app.create_user(&[Role::Applicant]).await;
    let path = format!("/api/v1/users/{}", user.id);
    app.patch(&path, &json!({"disabled": true})).bearer_auth(&admin.token).send().await.unwrap();
    app.patch(&path, &json!({"disabled": false})).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(audit::verify(&app.db).await.unwrap(), 4);

    let page = json(app.get("/api/v1/audit?action=user.disabled").bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["target_id"], json!(user.id.to_string()));

    app.execute("UPDATE audit_events SET details = '{\"roles\":[\"admin\"]}' WHERE seq = 2").await;
    let broken = audit::verify(&app.db).await.unwrap_err().to_string();
    assert_eq!(broken, "audit chain broken at event 2: content does not match its hash: the event was edited");
});

api_test!(async fn a_deleted_event_is_detected(app) {
    for _ in 0..3 {
        app.create_user(&[Role::Applicant]).await;
    }
    app.execute("DELETE FROM audit_events WHERE seq = 2").await;
    let broken = audit::verify(&app.db).await.unwrap_err().to_string();
    assert_eq!(broken, "audit chain broken at event 3: sequence gap: an event was deleted or inserted");
});

api_test!(async fn concurrent_changes_keep_one_unbroken_chain(app) {
    let registrations = (0..12).map(|i| {
        app.post(
            "/api/v1/auth/register",
            &json!({"email": format!("voter{i}@example.fr"), "password": PASSWORD, "display_name": "Voter"}),
        )
        .send()
    });
    for response in futures::future::join_all(registrations).await {
        assert_eq!(response.unwrap().status(), 202);
    }
    assert_eq!(audit::verify(&app.db).await.unwrap(), 12);
});

api_test!(async fn audit_list_paginates_newest_first(app) {
    let admin = app.create_platform_admin().await;
    for _ in 0..4 {
        app.create_user(&[Role::Jury]).await;
    }
    let first = json(app.get("/api/v1/audit?limit=3").bearer_auth(&admin.token).send().await.unwrap()).await;
    let seqs: Vec<i64> = first["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [5, 4, 3]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = json(app.get(&format!("/api/v1/audit?limit=3&cursor={cursor}")).bearer_auth(&admin.token).send().await.unwrap()).await;
    let seqs: Vec<i64> = second["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [2, 1]);
    assert_eq!(second["next_cursor"], json!(null));
    let bad = app.get("/api/v1/audit?actor_id=nope").bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(bad, 422, "validation_failed").await;
});
