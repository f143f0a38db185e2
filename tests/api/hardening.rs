//! Bounds on what one caller can make the server hold, exports a spreadsheet will not run,
//! and the headers every answer carries.
use serde_json::{Value, json};

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

api_test!(async fn answers_are_compressed_when_asked_and_the_live_stream_never(app) {
    let organization = app.create_organization("ceser-gzip").await;
    app.open_edition(&organization).await;
    let plain = app.get("/api/v1/editions").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    for encoding in ["gzip", "br"] {
        let compressed = app.get("/api/v1/editions").header("Accept-Encoding", encoding).send().await.unwrap();
        assert_eq!(compressed.status(), 200);
        assert_eq!(compressed.headers()["content-encoding"], encoding);
        assert!(compressed
            .headers()
            .get_all("vary")
            .iter()
            .any(|vary| vary.to_str().unwrap().eq_ignore_ascii_case("accept-encoding")));
        let body = compressed.bytes().await.unwrap();
        assert!(!body.is_empty() && body != plain, "{encoding}");
    }
    let (_, prize) = crate::ballots::ceremony(&app).await;
    let mut live = app
        .get(&format!("/api/v1/prizes/{prize}/live"))
        .header("Accept-Encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert_ne!(live.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let first = live.chunk().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: turnout"), "events arrive as sent: {first:?}");
});

api_test!(async fn head_answers_every_get_without_its_body(app) {
    let organization = app.create_organization("ceser-head").await;
    let edition = app.open_edition(&organization).await;
    let admin = &organization.admin.token;
    for (path, token) in [
        ("/api/v1/editions".to_owned(), None),
        (format!("/api/v1/editions/{}", edition["id"].as_str().unwrap()), None),
        ("/api/v1/users".to_owned(), Some(admin)),
        ("/health/live".to_owned(), None),
        ("/widget/v1/embed.js".to_owned(), None),
    ] {
        let with_token = |request: reqwest::RequestBuilder| match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let get = with_token(app.get(&path)).send().await.unwrap();
        let head = with_token(app.request(reqwest::Method::HEAD, &path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // The rules are the GET's: HEAD reads nothing GET would not.
    let refused = app.request(reqwest::Method::HEAD, "/api/v1/users").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    // HEAD is not a way to call another method's operation.
    let no_such = app.request(reqwest::Method::HEAD, "/api/v1/auth/token").send().await.unwrap();
    assert_eq!(no_such.status(), 405);
});

api_test!(async fn a_created_resource_says_where_it_is(app) {
    let platform = app.create_platform_admin().await;
    let organization = app
        .post("/api/v1/organizations", &json!({
            "short_name": "ceser-location", "name": "CESER Location", "region": "Auvergne-Rhône-Alpes",
            "default_departements": ["69"], "contact_email": "prix@example.fr"
        }))
        .bearer_auth(&platform.token)
        .send()
        .await
        .unwrap();
    assert_eq!(organization.status(), 201);
    let location = organization.headers()["location"].to_str().unwrap().to_owned();
    let id = json(organization).await["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/organizations/{id}"));
    let found = app.get(&location).send().await.unwrap();
    assert_eq!(json(found).await["id"], id.as_str());

    let (run, prize) = crate::ballots::ceremony(&app).await;
    crate::ballots::staff(&app, &run, "ballot/open", &prize).await;
    let councillor = &crate::ballots::councillors(&app, &run, 1).await[0];
    let vote = crate::ballots::vote(&app, &prize, councillor, &run.files[0]).await;
    assert_eq!(vote.status(), 201);
    let location = vote.headers()["location"].to_str().unwrap().to_owned();
    let receipt = json(vote).await["receipt"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/prizes/{prize}/receipts/{receipt}"));
    assert_eq!(app.get(&location).send().await.unwrap().status(), 200);
});

api_test!(async fn a_file_at_its_documented_maxima_fits_and_hidden_names_do_not(app) {
    let setup = crate::applications::setup(&app).await;
    let file = json(crate::applications::draft(&app, &setup, &json!({"action_title": "Un projet"})).await).await;
    let criteria = ["general_interest", "reproducibility", "efficiency", "sustainability", "innovativeness"];
    let answers: serde_json::Map<String, Value> = criteria.iter().map(|key| (key.to_string(), json!("é".repeat(5000)))).collect();
    let full = json!({"description": "é".repeat(10_000), "answers": answers});
    let patched = app.patch(&format!("/api/v1/applications/{}", file["id"].as_str().unwrap()), &full)
        .bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(patched.status(), 200, "an application at the contract's maxima is taken");

    // Names that would show nothing, or reversed: refused wherever others read them.
    let edition = format!("/api/v1/editions/{}/prizes", setup.edition_id);
    for name in ["\u{3164}", "ab\u{061c}cd", "@evil\u{202e} gpj.exe", "soft\u{ad}hyphen"] {
        let token = app.post("/api/v1/me/tokens", &json!({"name": name, "read_only": true}))
            .bearer_auth(&setup.applicant.token).send().await.unwrap();
        assert_eq!(assert_problem(token, 422, "validation_failed").await["errors"][0]["field"], "name", "{name:?}");
        let prize = app.post(&edition, &json!({"kind": "category", "name": name, "sponsors": ["Crédit Coopératif"]}))
            .bearer_auth(&setup.organization.admin.token).send().await.unwrap();
        assert_eq!(prize.status(), 422, "{name:?}");
    }
});
