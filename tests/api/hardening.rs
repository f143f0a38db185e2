//! Bounds on what one caller can make the server hold, exports a spreadsheet will not run,
//! and the headers every answer carries.
use serde_json::json;

use crate::{
    applications::{complete_file, draft, setup},
    helpers::*,
};

const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n%%EOF\n";

api_test!(async fn csv_exports_neutralise_formulas(app) {
    let setup = setup(&app).await;
    let mut body = complete_file();
    body["action_title"] = json!("=HYPERLINK(\"http://evil.example\",\"Cliquez\")");
    body["structure_name"] = json!("@SUM(A1:A9)");
    assert_eq!(draft(&app, &setup, &body).await.status(), 201);
    let csv = app.get(&format!("/api/v1/editions/{}/applications.csv", setup.edition_id)).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert!(row.iter().any(|cell| cell == "'=HYPERLINK(\"http://evil.example\",\"Cliquez\")"), "{text}");
    assert!(row.iter().any(|cell| cell == "'@SUM(A1:A9)"), "{text}");
    assert!(!row.iter().any(|cell| cell.starts_with('=') || cell.starts_with('@')), "{text}");
});

api_test!(async fn an_applicant_makes_a_bounded_number_of_applications(app) {
    let setup = setup(&app).await;
    // Withdrawing does not free a place: a withdrawn file keeps its attachments.
    let first = json(draft(&app, &setup, &json!({"action_title": "Un projet"})).await).await;
    let withdrawn = app.post(&format!("/api/v1/applications/{}/withdraw", first["id"].as_str().unwrap()), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(withdrawn.status(), 200);
    // Racing requests cannot pass the bound either.
    let body = json!({"action_title": "Un projet"});
    let racing = futures::future::join_all((0..12).map(|_| draft(&app, &setup, &body))).await;
    assert_eq!(racing.iter().filter(|response| response.status() == 201).count(), 4);
    assert!(racing.iter().all(|response| [201, 409].contains(&response.status().as_u16())));
    assert_problem(draft(&app, &setup, &json!({"action_title": "Un de trop"})).await, 409, "too_many_applications").await;
});

api_test!(async fn uploads_carry_no_large_extra_parts(app) {
    let setup = setup(&app).await;
    let file = json(draft(&app, &setup, &json!({"action_title": "Un projet"})).await).await;
    let path = format!("/api/v1/applications/{}/attachments", file["id"].as_str().unwrap());
    let junk = vec![b'x'; 64 * 1024];
    let form = reqwest::multipart::Form::new()
        .part("junk", reqwest::multipart::Part::bytes(junk))
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("dossier.pdf"));
    let response = app.request(reqwest::Method::POST, &path).bearer_auth(&setup.applicant.token).multipart(form).send().await.unwrap();
    assert_problem(response, 413, "payload_too_large").await;
    assert!(app.stored_files().is_empty());
    // A small extra part is read and ignored.
    let form = reqwest::multipart::Form::new()
        .text("note", "bonjour")
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("dossier.pdf"));
    let response = app.request(reqwest::Method::POST, &path).bearer_auth(&setup.applicant.token).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 201);
});

api_test!(async fn every_answer_carries_the_security_headers(app) env ["PRIX_HSTS_MAX_AGE" = "31536000"] {
    let user = app.create_user(&[prix_ceser::domain::Role::Applicant]).await;
    let anonymous = [
        app.get("/health/live").send().await.unwrap(),
        app.get("/api/v1/nowhere").send().await.unwrap(),
        app.get("/api/v1/users").send().await.unwrap(),
        app.get("/api/v1/editions").send().await.unwrap(),
    ];
    for response in &anonymous {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{}", response.url());
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
    }
    // What identifies or authenticates someone is never stored by a cache.
    let login = app.login(&user.email, PASSWORD).await;
    assert_eq!(login.headers()["cache-control"], "no-store");
    let me = app.get("/api/v1/me").bearer_auth(&user.token).send().await.unwrap();
    assert_eq!(me.headers()["cache-control"], "no-store");
    assert_eq!(me.headers()["x-content-type-options"], "nosniff");
});

api_test!(async fn without_https_settings_no_hsts_is_sent(app) {
    let response = app.get("/health/live").send().await.unwrap();
    assert!(!response.headers().contains_key("strict-transport-security"));
});

api_test!(async fn nul_characters_are_bad_input_not_a_server_error(app) {
    let setup = setup(&app).await;
    let created = draft(&app, &setup, &json!({"action_title": "a\u{0}b"})).await;
    let postgres = app.database_url.starts_with("postgres");
    // SQLite stores the character; PostgreSQL cannot, and the request is refused whole.
    assert_eq!(created.status(), if postgres { 422 } else { 201 });
    let platform = app.create_platform_admin().await;
    for path in ["/api/v1/users?email=a%00b", "/api/v1/audit?action=a%00b"] {
        let response = app.get(path).bearer_auth(&platform.token).send().await.unwrap();
        assert!(response.status().is_success() || response.status() == 422, "{path}: {}", response.status());
    }
});
