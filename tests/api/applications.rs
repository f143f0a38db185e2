use prix_ceser::domain::Role;
use serde_json::{Value, json};

use crate::helpers::*;

pub fn complete_file() -> Value {
    json!({
        "applicant_kind": "association", "structure_name": "Résonansemble", "siret": "732 829 320 00074",
        "contact_name": "Claire Martin", "contact_email": "claire.martin@example.fr", "contact_phone": "04 72 00 00 00",
        "action_title": "De la musique live à l'hôpital",
        "summary": "Des concerts dans les EHPAD et les hôpitaux.",
        "description": "Depuis janvier 2024, nos musiciens jouent chaque semaine auprès des résidents.",
        "action_start": "2024-01-15", "action_end": "2025-11-30",
        "locations": [{"commune": "Lyon", "postal_code": "69003"}],
        "answers": {
            "general_interest": "Rompre l'isolement.", "reproducibility": "Essaimage dans trois villes.",
            "efficiency": "Peu de moyens.", "sustainability": "Financements pluriannuels.", "innovativeness": "Concerts participatifs."
        },
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "website": "https://resonansemble.example.fr"
    })
}

pub struct Setup {
    pub organization: TestOrganization,
    pub edition_id: String,
    pub applicant: TestUser,
}

pub async fn setup(app: &TestApp) -> Setup {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await;
    Setup {
        organization,
        edition_id: edition["id"].as_str().unwrap().to_owned(),
        applicant: app.create_user(&[Role::Applicant]).await,
    }
}

pub async fn draft(app: &TestApp, setup: &Setup, body: &Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/editions/{}/applications", setup.edition_id),
        body,
    )
    .bearer_auth(&setup.applicant.token)
    .send()
    .await
    .unwrap()
}

pub async fn submitted(app: &TestApp, setup: &Setup, body: &Value) -> Value {
    let created = json(draft(app, setup, body).await).await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .post(&format!("/api/v1/applications/{id}/submit"), &json!({}))
        .bearer_auth(&setup.applicant.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    json(response).await
}

api_test!(async fn from_draft_to_the_public_gallery(app) {
    let setup = setup(&app).await;
    let response = draft(&app, &setup, &json!({"action_title": "De la musique live à l'hôpital"})).await;
    assert_eq!(response.status(), 201);
    let file = json(response).await;
    assert_eq!((file["status"].as_str(), file["eligibility"].as_str()), (Some("draft"), Some("pending")));
    let id = file["id"].as_str().unwrap().to_owned();

    // Incomplete: every missing field is listed.
    let early = app.post(&format!("/api/v1/applications/{id}/submit"), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    let problem = assert_problem(early, 422, "validation_failed").await;
    let missing: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(missing.contains(&"contact_email") && missing.contains(&"locations") && missing.contains(&"answers.general_interest"), "{missing:?}");

    let updated = app.patch(&format!("/api/v1/applications/{id}"), &complete_file()).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(updated.status(), 200);
    assert_eq!(json(updated).await["siret"], "73282932000074");
    let submitted = json(app.post(&format!("/api/v1/applications/{id}/submit"), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap()).await;
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["automatic_check"], json!({"eligible": true, "findings": []}));
    let locked = app.patch(&format!("/api/v1/applications/{id}"), &json!({"summary": "Trop tard"})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(locked, 409, "not_a_draft").await;

    // Not public before staff say so.
    let gallery = format!("/api/v1/editions/{}/candidates", setup.edition_id);
    assert_eq!(json(app.get(&gallery).send().await.unwrap()).await["items"], json!([]));
    let admin = &setup.organization.admin.token;
    let early_publish = app.post(&format!("/api/v1/applications/{id}/visibility"), &json!({"public": true})).bearer_auth(admin).send().await.unwrap();
    assert_problem(early_publish, 409, "not_eligible").await;
    let reviewed = json(app.post(&format!("/api/v1/applications/{id}/review"), &json!({"decision": "eligible"})).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(reviewed["eligibility"], "eligible");
    let published = app.post(&format!("/api/v1/applications/{id}/visibility"), &json!({"public": true})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(published.status(), 200);

    let candidates = json(app.get(&gallery).send().await.unwrap()).await;
    assert_eq!(candidates["items"], json!([{
        "id": id, "action_title": "De la musique live à l'hôpital",
        "summary": "Des concerts dans les EHPAD et les hôpitaux.", "communes": ["Lyon"],
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "video_embed_url": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "shortlisted": false
    }]));
    // The applicant sees the decision.
    let own = json(app.get(&format!("/api/v1/applications/{id}")).bearer_auth(&setup.applicant.token).send().await.unwrap()).await;
    assert_eq!(own["review"]["decision"], "eligible");
});

api_test!(async fn invalid_fields_are_rejected_clearly(app) {
    let setup = setup(&app).await;
    let mut body = complete_file();
    body["siret"] = json!("73282932000075");
    body["video_url"] = json!("https://evil.example/video.mp4");
    body["contact_phone"] = json!("12");
    body["locations"] = json!([{"commune": "Lyon", "postal_code": "6900"}]);
    body["answers"] = json!({"general_interest": "", "ghost": "x"});
    body["summary"] = json!("x".repeat(501));
    let problem = assert_problem(draft(&app, &setup, &body).await, 422, "validation_failed").await;
    let errors: Vec<(&str, &str)> = problem["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(errors, [
        ("siret", "invalid_checksum"), ("contact_phone", "invalid_format"), ("summary", "too_long"),
        ("video_url", "invalid_value"), ("locations[0].postal_code", "invalid_format"), ("answers.general_interest", "required"),
    ]);
    let mut unknown = complete_file();
    unknown["answers"]["ghost"] = json!("Un critère qui n'existe pas");
    let problem = assert_problem(draft(&app, &setup, &unknown).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"], json!([{"field": "answers.ghost", "code": "unknown_criterion", "message": "cette édition ne comporte pas ce critère"}]));
    let mut reversed = complete_file();
    reversed["action_end"] = json!("2023-01-01");
    assert_problem(draft(&app, &setup, &reversed).await, 422, "validation_failed").await;
    let mut legal = complete_file();
    legal.as_object_mut().unwrap().remove("siret");
    let created = json(draft(&app, &setup, &legal).await).await;
    let response = app.post(&format!("/api/v1/applications/{}/submit", created["id"].as_str().unwrap()), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "siret");
});

api_test!(async fn outside_the_window_or_region_is_flagged_and_overriding_needs_a_reason(app) {
    let setup = setup(&app).await;
    // An association active since 2019 and still going ran during the window: eligible there.
    let mut ongoing = complete_file();
    ongoing["action_start"] = json!("2019-09-01");
    ongoing["action_end"] = json!("2027-06-30");
    let ongoing = submitted(&app, &setup, &ongoing).await;
    assert_eq!(ongoing["automatic_check"], json!({"eligible": true, "findings": []}));
    // Over before the window opened, and elsewhere.
    let mut body = complete_file();
    body["action_start"] = json!("2022-06-01");
    body["action_end"] = json!("2023-12-31");
    body["locations"] = json!([{"commune": "Marseille", "postal_code": "13001"}]);
    let file = submitted(&app, &setup, &body).await;
    assert_eq!(file["automatic_check"]["eligible"], false);
    let codes: Vec<&str> = file["automatic_check"]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["action_outside_window", "no_location_in_region"]);
    // Told in French, or in English when asked; the kept values stay out of the answer.
    assert_eq!(file["automatic_check"]["findings"][0], json!({"code": "action_outside_window",
        "message": "L'action (du 01/06/2022 au 31/12/2023) doit s'être déroulée entre le 01/01/2024 et le 31/12/2025."}));
    let english = json(app.get(&format!("/api/v1/applications/{}", file["id"].as_str().unwrap())).bearer_auth(&setup.applicant.token).header("accept-language", "en").send().await.unwrap()).await;
    assert_eq!(english["automatic_check"]["findings"][0]["message"], "The action (2022-06-01 to 2023-12-31) must have run between 2024-01-01 and 2025-12-31.");
    assert_eq!(english["automatic_check"]["findings"][1]["message"], "At least one location must be in the départements 01, 03, 07, 15, 26, 38, 42, 43, 63, 69, 73, 74.");

    let path = format!("/api/v1/applications/{}/review", file["id"].as_str().unwrap());
    let admin = &setup.organization.admin.token;
    let silent = app.post(&path, &json!({"decision": "eligible"})).bearer_auth(admin).send().await.unwrap();
    let problem = assert_problem(silent, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "reason");
    let agreed = app.post(&path, &json!({"decision": "ineligible"})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(json(agreed).await["eligibility"], "ineligible");
    let overridden = app.post(&path, &json!({"decision": "eligible", "reason": "L'action a commencé fin 2023 mais l'essentiel date de 2024."})).bearer_auth(admin).send().await.unwrap();
    let overridden = json(overridden).await;
    assert_eq!(overridden["eligibility"], "eligible");
    assert_eq!(overridden["review"]["reason"], "L'action a commencé fin 2023 mais l'essentiel date de 2024.");
    let pending_filter = json(app.get(&format!("/api/v1/applications?edition_id={}&eligibility=eligible", setup.edition_id)).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(pending_filter["items"].as_array().unwrap().len(), 1);
});

api_test!(async fn nothing_is_taken_after_the_deadline(app) {
    let setup = setup(&app).await;
    let created = json(draft(&app, &setup, &complete_file()).await).await;
    // Staff move the deadline to yesterday (Paris): the draft can no longer be submitted.
    let yesterday = (chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive() - chrono::Days::new(1)).to_string();
    let calendar = json!({"applications_open_on": "2026-01-01", "applications_deadline": yesterday,
                          "selection_on": "2099-06-25", "audition_on": "2099-11-04", "ceremony_on": "2099-12-14"});
    let moved = app.patch(&format!("/api/v1/editions/{}", setup.edition_id), &json!({"calendar": calendar})).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_eq!(moved.status(), 200);
    let late = app.post(&format!("/api/v1/applications/{}/submit", created["id"].as_str().unwrap()), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(late, 409, "applications_closed").await;
    assert_problem(draft(&app, &setup, &complete_file()).await, 409, "applications_closed").await;
});

api_test!(async fn files_are_reachable_by_their_owner_and_their_staff_only(app) {
    let setup = setup(&app).await;
    let file = submitted(&app, &setup, &complete_file()).await;
    let path = format!("/api/v1/applications/{}", file["id"].as_str().unwrap());
    let intruder = app.create_user(&[Role::Applicant]).await;
    let other_staff = app.create_organization("ceser-paca").await.admin;
    for token in [&intruder.token, &other_staff.token] {
        assert_problem(app.get(&path).bearer_auth(token).send().await.unwrap(), 404, "not_found").await;
    }
    assert_problem(app.post(&format!("{path}/withdraw"), &json!({})).bearer_auth(&intruder.token).send().await.unwrap(), 404, "not_found").await;
    assert_problem(app.post(&format!("{path}/review"), &json!({"decision": "eligible"})).bearer_auth(&other_staff.token).send().await.unwrap(), 404, "not_found").await;
    assert_eq!(app.get(&path).bearer_auth(&setup.organization.admin.token).send().await.unwrap().status(), 200);
    // Staff read, they do not write in the applicant's name.
    let staff_submit = app.post(&format!("{path}/submit"), &json!({})).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_problem(staff_submit, 403, "forbidden").await;

    let own = json(app.get("/api/v1/applications").bearer_auth(&intruder.token).send().await.unwrap()).await;
    assert_eq!(own["items"], json!([]));
    let staff = json(app.get("/api/v1/applications").bearer_auth(&setup.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(staff["items"].as_array().unwrap().len(), 1);
    let other = json(app.get("/api/v1/applications").bearer_auth(&other_staff.token).send().await.unwrap()).await;
    assert_eq!(other["items"], json!([]));

    // Drafts of an edition are invisible, so no one can apply to them.
    let hidden = app.create_numbered_edition(&setup.organization, 7, open_calendar()).await;
    let response = app.post(&format!("/api/v1/editions/{}/applications", hidden["id"].as_str().unwrap()), &complete_file()).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(response, 404, "not_found").await;
});

api_test!(async fn withdrawal_and_reopening(app) {
    let setup = setup(&app).await;
    let file = submitted(&app, &setup, &complete_file()).await;
    let path = format!("/api/v1/applications/{}", file["id"].as_str().unwrap());
    let admin = &setup.organization.admin.token;

    let terse = app.post(&format!("{path}/reopen"), &json!({"reason": "non"})).bearer_auth(admin).send().await.unwrap();
    assert_problem(terse, 422, "validation_failed").await;
    let reopened = json(app.post(&format!("{path}/reopen"), &json!({"reason": "Merci de compléter la réponse sur la pérennité."})).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!((reopened["status"].as_str(), &reopened["automatic_check"]), (Some("draft"), &json!(null)));
    let edited = app.patch(&path, &json!({"answers": {"general_interest": "a", "reproducibility": "b", "efficiency": "c", "sustainability": "Plus détaillé.", "innovativeness": "e"}}))
        .bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(edited.status(), 200);

    let withdrawn = json(app.post(&format!("{path}/withdraw"), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap()).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    let again = app.post(&format!("{path}/withdraw"), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(again, 409, "already_withdrawn").await;
    let reopen_withdrawn = app.post(&format!("{path}/reopen"), &json!({"reason": "On ne rouvre pas un retrait."})).bearer_auth(admin).send().await.unwrap();
    assert_problem(reopen_withdrawn, 409, "not_submitted").await;
    let events = json(app.get(&format!("/api/v1/audit?target_id={}", file["id"].as_str().unwrap())).bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap()).await;
    let actions: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["application.withdrawn", "application.updated", "application.reopened", "application.submitted", "application.created"]);
});

api_test!(async fn staff_export_one_csv_row_per_file_in_utf8(app) {
    let setup = setup(&app).await;
    submitted(&app, &setup, &complete_file()).await;
    let mut second = complete_file();
    second["action_title"] = json!("Paw'sitive Job, « chiens » et insertion");
    draft(&app, &setup, &second).await;
    let path = format!("/api/v1/editions/{}/applications.csv", setup.edition_id);
    let french = app.get(&path).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_eq!(french.headers()["content-language"], "fr");
    let french = french.text().await.unwrap();
    assert!(french.starts_with("Identifiant,Statut,Éligibilité,"), "{french}");
    assert!(french.lines().next().unwrap().ends_with(",Réponse : innovativeness"), "{french}");
    let response = app.get(&path).bearer_auth(&setup.organization.admin.token).header("accept-language", "en").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(response.headers()["content-language"], "en");
    let body = response.text().await.unwrap();
    assert_eq!(body.lines().skip(1).collect::<Vec<_>>(), french.lines().skip(1).collect::<Vec<_>>(), "only the header is in another language");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["Id", "Status", "Eligibility"]);
    assert_eq!(header.last().unwrap(), "Answer: innovativeness");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    // Everything staff read in the JSON view is in the export, description included.
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column"));
    assert_eq!(&rows[0][column("Action title")], "De la musique live à l'hôpital");
    assert_eq!(&rows[1][column("Action title")], "Paw'sitive Job, « chiens » et insertion");
    assert_eq!(&rows[0][column("Locations")], "Lyon (69003)");
    assert!(rows[0][column("Description")].starts_with("Depuis janvier 2024"));
    for name in ["Applicant account", "Public", "Shortlisted", "Review reason", "Reviewed at", "Created at", "Updated at"] {
        column(name);
    }
    let refused = app.get(&path).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(refused, 403, "forbidden").await;
    let foreign = app.get(&path).bearer_auth(&app.create_organization("ceser-paca").await.admin.token).send().await.unwrap();
    assert_problem(foreign, 404, "not_found").await;
});

api_test!(async fn an_association_applies_with_its_rna_number_and_a_person_with_neither(app) {
    let setup = setup(&app).await;
    let mut association = complete_file();
    association.as_object_mut().unwrap().remove("siret");
    association["rna"] = json!(" w691234567 ");
    let file = submitted(&app, &setup, &association).await;
    assert_eq!((file["status"].as_str(), file["rna"].as_str(), &file["siret"]), (Some("submitted"), Some("W691234567"), &json!(null)));
    let export = app.get(&format!("/api/v1/editions/{}/applications.csv", setup.edition_id))
        .bearer_auth(&setup.organization.admin.token).send().await.unwrap().text().await.unwrap();
    assert!(export.lines().next().unwrap().contains(",RNA,") && export.contains("W691234567"), "{export}");
    // A company has no RNA number: without its SIRET it cannot submit.
    let mut company = association.clone();
    company["applicant_kind"] = json!("company");
    let created = json(draft(&app, &setup, &company).await).await;
    let refused = app.post(&format!("/api/v1/applications/{}/submit", created["id"].as_str().unwrap()), &json!({}))
        .bearer_auth(&setup.applicant.token).send().await.unwrap();
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "siret");
    // A natural person gives neither.
    let mut person = complete_file();
    for field in ["siret", "structure_name"] {
        person.as_object_mut().unwrap().remove(field);
    }
    person["applicant_kind"] = json!("natural_person");
    assert_eq!(submitted(&app, &setup, &person).await["status"], "submitted");
    let bad = draft(&app, &setup, &json!({"rna": "W12345"})).await;
    assert_eq!(assert_problem(bad, 422, "validation_failed").await["errors"][0]["field"], "rna");
});
