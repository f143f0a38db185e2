use serde_json::json;

use crate::{
    applications::{complete_file, draft, setup, submitted},
    helpers::*,
};

const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n%%EOF\n";

api_test!(async fn export_holds_everything_about_the_caller_and_no_secret(app) {
    let setup = setup(&app).await;
    let tokens = json(app.login(&setup.applicant.email, PASSWORD).await).await;
    let file = submitted(&app, &setup, &complete_file()).await;
    let pending = json(draft(&app, &setup, &json!({"action_title": "Un autre projet"})).await).await;
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("cv.pdf"));
    let uploaded = app.request(reqwest::Method::POST, &format!("/api/v1/applications/{}/attachments", pending["id"].as_str().unwrap()))
        .bearer_auth(&setup.applicant.token).multipart(form).send().await.unwrap();
    assert_eq!(uploaded.status(), 201);

    let response = app.get("/api/v1/me/export").bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["account"]["email"], setup.applicant.email);
    let ids: Vec<&str> = export["applications"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [file["id"].as_str().unwrap(), pending["id"].as_str().unwrap()]);
    assert_eq!(export["applications"][0]["contact_email"], "claire.martin@example.fr");
    assert_eq!(export["attachments"][0]["filename"], "cv.pdf");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert!(export["audit_events"].as_array().unwrap().iter().any(|e| e["action"] == "application.submitted"));
    for secret in ["$argon2", tokens["refresh_token"].as_str().unwrap(), "password"] {
        assert!(!text.contains(secret), "the export contains {secret}");
    }
});

api_test!(async fn erasure_deletes_drafts_and_anonymises_submitted_files(app) {
    let setup = setup(&app).await;
    let file = submitted(&app, &setup, &complete_file()).await;
    let pending = json(draft(&app, &setup, &json!({"action_title": "Un autre projet"})).await).await;
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("cv.pdf"));
    app.request(reqwest::Method::POST, &format!("/api/v1/applications/{}/attachments", pending["id"].as_str().unwrap()))
        .bearer_auth(&setup.applicant.token).multipart(form).send().await.unwrap();

    let erase = |password: &str| app.request(reqwest::Method::DELETE, "/api/v1/me").json(&json!({"password": password})).bearer_auth(&setup.applicant.token).send();
    assert_problem(erase("not the password").await.unwrap(), 422, "validation_failed").await;
    let response = erase(PASSWORD).await.unwrap();
    assert_eq!(response.status(), 204);
    assert_problem(app.login(&setup.applicant.email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_problem(app.get("/api/v1/me").bearer_auth(&setup.applicant.token).send().await.unwrap(), 401, "invalid_token").await;

    let admin = &setup.organization.admin.token;
    let kept = json(app.get(&format!("/api/v1/applications/{}", file["id"].as_str().unwrap())).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(kept["applicant_id"], json!(null));
    assert_eq!((&kept["contact_name"], &kept["contact_email"], &kept["contact_phone"]), (&json!(null), &json!(null), &json!(null)));
    assert_eq!(kept["action_title"], "De la musique live à l'hôpital");
    assert_eq!(kept["structure_name"], "Résonansemble");
    let gone = app.get(&format!("/api/v1/applications/{}", pending["id"].as_str().unwrap())).bearer_auth(admin).send().await.unwrap();
    assert_problem(gone, 404, "not_found").await;
    let leftover = app.stored_files();
    assert!(leftover.is_empty(), "{leftover:?}");

    let events = json(app.get("/api/v1/audit?action=user.erased").bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap()).await;
    assert_eq!(events["items"][0]["details"], json!({"drafts_deleted": 1, "files_anonymised": 1}));
});

api_test!(async fn an_erased_account_stays_erased_whoever_writes_to_it_meanwhile(app) {
    let user = app.create_user(&[prix_ceser::domain::Role::Applicant]).await;
    let rename = |i: usize| app.patch("/api/v1/me", &json!({"display_name": format!("Nom secret {i}"), "language": "en"})).bearer_auth(&user.token).send();
    let erase = app.request(reqwest::Method::DELETE, "/api/v1/me").json(&json!({"password": PASSWORD})).bearer_auth(&user.token).send();
    let (erased, renames) = tokio::join!(erase, futures::future::join_all((0..6).map(rename)));
    assert_eq!(erased.unwrap().status(), 204);
    for renamed in renames {
        let status = renamed.unwrap().status();
        assert!(status == 200 || status == 401, "{status}");
    }
    let admin = app.create_platform_admin().await;
    let path = format!("/api/v1/users/{}", user.id);
    let account = json(app.get(&path).bearer_auth(&admin.token).send().await.unwrap()).await;
    assert_eq!((account["display_name"].as_str(), account["language"].as_str(), account["disabled"].as_bool()), (Some("Compte supprimé"), Some("fr"), Some(true)));
    // Nor may an admin give it a name, roles or its use back.
    for change in [json!({"display_name": "Ressuscité"}), json!({"disabled": false}), json!({"roles": ["applicant"]})] {
        let refused = app.patch(&path, &change).bearer_auth(&admin.token).send().await.unwrap();
        assert_problem(refused, 409, "account_erased").await;
    }
});
