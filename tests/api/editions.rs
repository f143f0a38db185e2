use prix_ceser::domain::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

fn organization_body(short_name: &str) -> serde_json::Value {
    json!({"short_name": short_name, "name": "CESER PACA", "region": "Provence-Alpes-Côte d'Azur",
           "default_departements": ["04", "05", "06", "13", "83", "84"], "contact_email": "contact@example.fr"})
}

api_test!(async fn only_platform_admins_create_organizations(app) {
    let platform = app.create_platform_admin().await;
    let admin = app.create_user(&[Role::Admin]).await;
    let refused = app.post("/api/v1/organizations", &organization_body("ceser-paca")).bearer_auth(&admin.token).send().await.unwrap();
    assert_problem(refused, 403, "forbidden").await;
    let created = app.post("/api/v1/organizations", &organization_body("ceser-paca")).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let organization = json(created).await;
    assert_eq!(organization["default_departements"], json!(["04", "05", "06", "13", "83", "84"]));
    let duplicate = app.post("/api/v1/organizations", &organization_body("ceser-paca")).bearer_auth(&platform.token).send().await.unwrap();
    assert_problem(duplicate, 409, "short_name_taken").await;
    let bad = json!({"short_name": "CESER PACA", "name": "", "region": "PACA", "default_departements": ["99"], "contact_email": "nope"});
    let response = app.post("/api/v1/organizations", &bad).bearer_auth(&platform.token).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["short_name", "name", "contact_email", "default_departements"]);
    // Organizers are public.
    let listed = json(app.get("/api/v1/organizations").send().await.unwrap()).await;
    assert_eq!(listed["items"][0]["short_name"], "ceser-paca");
});

api_test!(async fn admins_manage_only_their_organizations(app) {
    let ara = app.create_organization("ceser-ara").await;
    let paca = app.create_organization("ceser-paca").await;
    let path = format!("/api/v1/organizations/{}", ara.id);
    let mut body = organization_body("ceser-ara");
    body["name"] = json!("CESER Auvergne-Rhône-Alpes");
    let own = app.request(Method::PUT, &path).json(&body).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let other = app.request(Method::PUT, &path).json(&body).bearer_auth(&paca.admin.token).send().await.unwrap();
    assert_problem(other, 404, "not_found").await;
    let staff = app.get(&format!("{path}/admins")).bearer_auth(&paca.admin.token).send().await.unwrap();
    assert_problem(staff, 404, "not_found").await;
    let staff = json(app.get(&format!("{path}/admins")).bearer_auth(&ara.admin.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(staff[0]["user_id"], json!(ara.admin.id));

    // Only admin accounts join a staff; an admin cannot add themselves to another organization.
    let jury = app.create_user(&[Role::Jury]).await;
    let not_admin = app.request(Method::PUT, &format!("{path}/admins/{}", jury.id)).bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap();
    assert_problem(not_admin, 409, "not_an_admin").await;
    // Staff bring in only people of their organization: this juror is not.
    let outsider = app.request(Method::PUT, &format!("{path}/admins/{}", jury.id)).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(outsider, 404, "not_found").await;
    let intrusion = app.request(Method::PUT, &format!("{path}/admins/{}", paca.admin.id)).bearer_auth(&paca.admin.token).send().await.unwrap();
    assert_problem(intrusion, 404, "not_found").await;
    // Another admin (here the platform's) takes someone off the staff, never themselves.
    let platform = app.create_platform_admin().await;
    let removed = app.request(Method::DELETE, &format!("{path}/admins/{}", ara.admin.id)).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    let gone = app.request(Method::PUT, &path).json(&body).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(gone, 404, "not_found").await;
});

api_test!(async fn a_new_edition_is_a_draft_with_the_five_criteria(app) {
    let ara = app.create_organization("ceser-ara").await;
    let paca = app.create_organization("ceser-paca").await;
    let edition = app.create_edition(&ara, sixth_edition_calendar()).await;
    assert_eq!(edition["status"], "draft");
    assert_eq!(edition["departements"], json!(ARA));
    assert_eq!(edition["shortlist_size"], 5);
    assert_eq!(edition["scoring_scale"], json!({"min": 0, "max": 20}));
    let keys: Vec<&str> = edition["criteria"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["general_interest", "reproducibility", "efficiency", "sustainability", "innovativeness"]);
    assert_eq!(edition["criteria"][0]["label_fr"], "Intérêt général");
    assert_eq!(edition["prizes"].as_array().unwrap().len(), 3);
    assert_eq!(edition["calendar"], sixth_edition_calendar());

    let path = format!("/api/v1/editions/{}", edition["id"].as_str().unwrap());
    assert_problem(app.get(&path).send().await.unwrap(), 404, "not_found").await;
    assert_problem(app.get(&path).bearer_auth(&paca.admin.token).send().await.unwrap(), 404, "not_found").await;
    assert_eq!(app.get(&path).bearer_auth(&ara.admin.token).send().await.unwrap().status(), 200);
    let public = json(app.get("/api/v1/editions").send().await.unwrap()).await;
    assert_eq!(public["items"], json!([]));
    let staff = json(app.get("/api/v1/editions").bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    assert_eq!(staff["items"].as_array().unwrap().len(), 1);

    let again = app.post(&format!("/api/v1/organizations/{}/editions", ara.id), &json!({"number": 6, "year": 2026, "title": "Bis", "action_window": {"start": "2024-01-01", "end": "2025-12-31"}}))
        .bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(again, 409, "edition_number_taken").await;
    let foreign = app.post(&format!("/api/v1/organizations/{}/editions", ara.id), &json!({"number": 7, "year": 2027, "title": "Intrus", "action_window": {"start": "2024-01-01", "end": "2025-12-31"}}))
        .bearer_auth(&paca.admin.token).send().await.unwrap();
    assert_problem(foreign, 404, "not_found").await;
});

api_test!(async fn edition_settings_are_validated(app) {
    let ara = app.create_organization("ceser-ara").await;
    let body = json!({
        "number": 0, "year": 2026, "title": "", "action_window": {"start": "2026-01-01", "end": "2025-01-01"},
        "departements": ["69", "XX"], "scoring_scale": {"min": 10, "max": 5},
        "calendar": {"applications_open_on": "2026-06-01", "applications_deadline": "2026-05-01"},
        "criteria": [{"key": "Bad Key", "label_fr": "x", "label_en": "x"}],
        "prizes": [{"kind": "jury", "name": "", "laureate_count": 0}]
    });
    let response = app.post(&format!("/api/v1/organizations/{}/editions", ara.id), &body).bearer_auth(&ara.admin.token).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["departements", "number", "title", "action_window", "scoring_scale", "calendar.applications_deadline", "criteria[0].key", "prizes[0].name"]);
});

api_test!(async fn transitions_are_guarded_and_audited(app) {
    let ara = app.create_organization("ceser-ara").await;
    let draft = app.create_edition(&ara, json!({"applications_open_on": "2026-03-31"})).await;
    let id = draft["id"].as_str().unwrap();
    let transition = |to: &str, reason: Option<&str>| {
        let mut body = json!({"to": to});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        app.post(&format!("/api/v1/editions/{id}/transitions"), &body).bearer_auth(&ara.admin.token).send()
    };
    assert_problem(transition("applications_open", None).await.unwrap(), 409, "calendar_incomplete").await;
    let patched = app.patch(&format!("/api/v1/editions/{id}"), &json!({"calendar": sixth_edition_calendar()})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(patched.status(), 200);
    assert_problem(transition("selection", None).await.unwrap(), 409, "invalid_transition").await;
    let opened = json(transition("applications_open", None).await.unwrap()).await;
    assert_eq!(opened["status"], "applications_open");
    // Published: anonymous visitors see it now.
    assert_eq!(app.get(&format!("/api/v1/editions/{id}")).send().await.unwrap().status(), 200);

    // The settings are frozen, the calendar is not.
    let locked = app.patch(&format!("/api/v1/editions/{id}"), &json!({"departements": ["69"]})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(locked, 409, "edition_locked").await;
    let criteria = app.request(Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&json!([{"key": "impact", "label_fr": "Impact", "label_en": "Impact"}])).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(criteria, 409, "edition_locked").await;
    let prize = app.post(&format!("/api/v1/editions/{id}/prizes"), &json!({"kind": "category", "name": "Prix spécial"})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(prize, 409, "edition_locked").await;

    // The 2026-06-08 deadline has passed: selection can start without a reason.
    let selection = json(transition("selection", None).await.unwrap()).await;
    assert_eq!(selection["status"], "selection");

    let events = json(app.get(&format!("/api/v1/audit?action=edition.transitioned&target_id={id}")).bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap()).await;
    let details: Vec<&serde_json::Value> = events["items"].as_array().unwrap().iter().map(|e| &e["details"]).collect();
    assert_eq!(details, [
        &json!({"from": "applications_open", "to": "selection", "forced": false, "reason": null}),
        &json!({"from": "draft", "to": "applications_open", "forced": false, "reason": null}),
    ]);
});

api_test!(async fn leaving_applications_early_needs_a_written_reason(app) {
    let ara = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&ara).await;
    let path = format!("/api/v1/editions/{}/transitions", edition["id"].as_str().unwrap());
    let refused = app.post(&path, &json!({"to": "selection"})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(refused, 409, "deadline_not_passed").await;
    let terse = app.post(&path, &json!({"to": "selection", "reason": "because"})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(terse, 422, "validation_failed").await;
    let invisible = app.post(&path, &json!({"to": "selection", "reason": "\u{200b}".repeat(12)})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(invisible, 422, "validation_failed").await;
    let forced = app.post(&path, &json!({"to": "selection", "reason": "Le bureau avance la sélection."})).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(forced.status(), 200);
    let other = app.create_organization("ceser-paca").await;
    let foreign = app.post(&path, &json!({"to": "audition"})).bearer_auth(&other.admin.token).send().await.unwrap();
    assert_problem(foreign, 404, "not_found").await;
});

api_test!(async fn draft_criteria_and_prizes_can_be_edited(app) {
    let ara = app.create_organization("ceser-ara").await;
    let edition = app.create_edition(&ara, sixth_edition_calendar()).await;
    let id = edition["id"].as_str().unwrap();
    let criteria = json!([
        {"key": "impact", "label_fr": "Impact social", "label_en": "Social impact", "weight": 2.0},
        {"key": "innovation", "label_fr": "Innovation", "label_en": "Innovation"}
    ]);
    let replaced = json(app.request(Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&criteria).bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    assert_eq!(replaced["criteria"][0]["weight"], 2.0);
    assert_eq!(replaced["criteria"][1]["weight"], 1.0);
    let duplicate = json!([{"key": "a", "label_fr": "A", "label_en": "A"}, {"key": "a", "label_fr": "B", "label_en": "B"}]);
    let response = app.request(Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&duplicate).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_problem(response, 422, "validation_failed").await;

    let category = json!({"kind": "category", "name": "Entreprendre autrement", "sponsors": ["Crédit Coopératif"], "pool": "eligible", "mentions_allowed": true});
    let created = app.post(&format!("/api/v1/editions/{id}/prizes"), &category).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let prize = json(created).await;
    assert_eq!(prize["sponsors"], json!(["Crédit Coopératif"]));
    let prize_path = format!("/api/v1/prizes/{}", prize["id"].as_str().unwrap());
    // Its address answers: to its staff while the edition is a draft, to no one else.
    assert_eq!(location, prize_path);
    let read = app.get(&location).bearer_auth(&ara.admin.token).send().await.unwrap();
    assert_eq!(json(read).await, prize);
    assert_problem(app.get(&location).send().await.unwrap(), 404, "not_found").await;
    let mut renamed = category.clone();
    renamed["name"] = json!("Coopérer pour innover");
    let updated = json(app.request(Method::PUT, &prize_path).json(&renamed).bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    assert_eq!(updated["name"], "Coopérer pour innover");
    let other = app.create_organization("ceser-paca").await;
    assert_problem(app.request(Method::DELETE, &prize_path).bearer_auth(&other.admin.token).send().await.unwrap(), 404, "not_found").await;
    assert_eq!(app.request(Method::DELETE, &prize_path).bearer_auth(&ara.admin.token).send().await.unwrap().status(), 204);
    let edition = json(app.get(&format!("/api/v1/editions/{id}")).bearer_auth(&ara.admin.token).send().await.unwrap()).await;
    assert_eq!(edition["prizes"].as_array().unwrap().len(), 3);
});

api_test!(async fn a_stored_state_that_cannot_be_read_is_an_error_not_another_state(app) {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await;
    let id = edition["id"].as_str().unwrap();
    // A value no release wrote (a hand edit, a bad restore): never read as some other status.
    app.execute("UPDATE editions SET status = 'paused'").await;
    let response = app.get(&format!("/api/v1/editions/{id}")).send().await.unwrap();
    assert_problem(response, 500, "internal_error").await;
});
