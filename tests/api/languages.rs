//! `Accept-Language`: French unless the caller prefers English, said in `Content-Language`;
//! problem documents (title, detail, field messages) in that language.
use serde_json::{Value, json};

use crate::helpers::*;

/// The language an answer says it is in.
fn language_of(response: &reqwest::Response) -> &str {
    response.headers()["content-language"].to_str().unwrap()
}

api_test!(async fn problems_are_in_english_when_asked_in_french_otherwise(app) {
    let english = app.get("/api/v1/nowhere").header("accept-language", "en-GB,en;q=0.9").send().await.unwrap();
    assert_eq!(english.status(), 404);
    assert_eq!(language_of(&english), "en");
    assert!(english.headers().get_all("vary").iter().any(|value| value == "Accept-Language"));
    assert_eq!(
        json(english).await,
        json!({
            "type": "urn:prix-ceser:problem:not_found",
            "title": "No resource exists at this address",
            "status": 404,
            "detail": "No resource exists at this address.",
            "code": "not_found"
        })
    );
    let french = app.get("/api/v1/nowhere").send().await.unwrap();
    assert_eq!(language_of(&french), "fr");
    assert_eq!(json(french).await["detail"], "Aucune ressource n'existe à cette adresse.");
});

api_test!(async fn the_most_wanted_language_spoken_here_wins(app) {
    for (asked, answered) in [
        ("en", "en"),
        ("EN-us", "en"),
        ("de, en;q=0.8, fr;q=0.5", "en"),
        ("fr;q=0.5, en;q=0.9", "en"),
        ("en;q=0.5, fr;q=0.9", "fr"),
        ("fr-CH, en", "fr"),
        ("de, it", "fr"),
        ("en;q=0", "fr"),
        ("*", "fr"),
        ("*, en", "fr"),
        ("", "fr"),
        ("not a language list;;q=7", "fr"),
    ] {
        let response = app.get("/health/live").header("accept-language", asked).send().await.unwrap();
        assert_eq!(language_of(&response), answered, "{asked}");
    }
});

api_test!(async fn refusals_by_middleware_and_by_rules_are_in_the_language_asked(app) {
    // Refused before any handler runs: no token.
    let anonymous = app.get("/api/v1/users").header("accept-language", "en").send().await.unwrap();
    assert_eq!(language_of(&anonymous), "en");
    let problem = assert_problem(anonymous, 401, "authentication_required").await;
    assert_eq!(problem["detail"], "This operation requires a bearer token.");
    let anonymous = app.get("/api/v1/users").send().await.unwrap();
    assert_eq!(language_of(&anonymous), "fr");
    let problem = assert_problem(anonymous, 401, "authentication_required").await;
    assert_eq!(problem["detail"], "Cette opération nécessite un jeton (bearer).");

    // Refused by a rule of the prize, with the values it names.
    let organization = app.create_organization("ceser-langues").await;
    let edition = app.create_edition(&organization, open_calendar()).await;
    let path = format!("/api/v1/editions/{}/transitions", edition["id"].as_str().unwrap());
    let jump = json!({"to": "ceremony"});
    let refused = |lang: &'static str| {
        app.post(&path, &jump).bearer_auth(&organization.admin.token).header("accept-language", lang).send()
    };
    let english = assert_problem(refused("en").await.unwrap(), 409, "invalid_transition").await;
    assert_eq!(english["detail"], "An edition in `draft` cannot move to `ceremony`.");
    let french = assert_problem(refused("fr").await.unwrap(), 409, "invalid_transition").await;
    assert_eq!(french["title"], "L'édition ne peut pas passer à ce statut depuis son statut actuel");
    assert!(french["detail"].as_str().unwrap().contains("`draft`"), "{french}");
    assert_ne!(english["detail"], french["detail"]);
});

api_test!(async fn field_messages_are_in_the_language_asked(app) {
    let body = json!({"email": "not-an-email", "password": "short", "display_name": "  "});
    let english = app.post("/api/v1/auth/register", &body).header("accept-language", "en").send().await.unwrap();
    assert_eq!(language_of(&english), "en");
    let problem = assert_problem(english, 422, "validation_failed").await;
    assert_eq!(problem["title"], "Fields are invalid, each listed in `errors`");
    assert_eq!(
        problem["errors"],
        json!([
            {"field": "email", "code": "invalid_format", "message": "must be a valid email address"},
            {"field": "password", "code": "too_short", "message": "must be at least 12 characters"},
            {"field": "display_name", "code": "required", "message": "must not be empty"}
        ])
    );
});

api_test!(async fn public_reads_kept_in_memory_keep_their_language(app) {
    let organization = app.create_organization("ceser-memoire").await;
    let edition = app.open_edition(&organization).await;
    let path = format!("/api/v1/editions/{}", edition["id"].as_str().unwrap());
    for _ in 0..2 {
        for lang in ["fr", "en", "fr"] {
            let response = app.get(&path).header("accept-language", lang).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(language_of(&response), lang);
        }
    }
});

api_test!(async fn what_organizers_write_is_read_in_english_when_written_else_in_french(app) {
    let organization = app.create_organization("ceser-bilingue").await;
    let token = &organization.admin.token;
    let body = json!({
        "number": 6, "year": 2026, "title": "Prix du CESER 2026", "title_en": "CESER Prize 2026",
        "theme": "Vivre mieux en région", "theme_en": "Living better in the region",
        "action_window": {"start": "2024-01-01", "end": "2025-12-31"},
        "prizes": [
            {"kind": "jury", "name": "Prix du jury", "name_en": "Jury's prize",
             "description": "Décerné après les auditions.", "description_en": "Awarded after the auditions."},
            {"kind": "public", "name": "Prix du public"}
        ]
    });
    let created = app.post(&format!("/api/v1/organizations/{}/editions", organization.id), &body)
        .bearer_auth(token).header("accept-language", "en").send().await.unwrap();
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    assert_eq!((created["title"].as_str(), created["localized"]["title"].as_str()), (Some("Prix du CESER 2026"), Some("CESER Prize 2026")));
    let id = created["id"].as_str().unwrap();
    let read = |lang: &'static str| {
        app.get(&format!("/api/v1/editions/{id}")).bearer_auth(token).header("accept-language", lang).send()
    };
    let french = json(read("fr").await.unwrap()).await;
    assert_eq!(french["localized"], json!({"title": "Prix du CESER 2026", "theme": "Vivre mieux en région"}));
    assert_eq!(french["title_en"], "CESER Prize 2026", "the English as written, for editors");
    assert_eq!(french["prizes"][0]["localized"]["description"], "Décerné après les auditions.");
    let english = json(read("en").await.unwrap()).await;
    assert_eq!(english["localized"], json!({"title": "CESER Prize 2026", "theme": "Living better in the region"}));
    assert_eq!((english["title"].as_str(), english["theme"].as_str()), (Some("Prix du CESER 2026"), Some("Vivre mieux en région")), "the French as written, whatever the language");
    assert_eq!(english["prizes"][0]["localized"], json!({"name": "Jury's prize", "description": "Awarded after the auditions."}));
    assert_eq!((english["prizes"][1]["localized"]["name"].as_str(), &english["prizes"][1]["name_en"]), (Some("Prix du public"), &json!(null)), "French when no English was written");
    assert_eq!(english["criteria"][0]["localized"], json!({"label": "General interest", "description": "The action serves the general interest of the territory and its people."}));
    let prize = english["prizes"][0]["id"].as_str().unwrap();
    let prize_read = app.get(&format!("/api/v1/prizes/{prize}")).bearer_auth(token).header("accept-language", "en").send().await.unwrap();
    let prize_read = json(prize_read).await;
    assert_eq!((prize_read["name"].as_str(), prize_read["localized"]["name"].as_str()), (Some("Prix du jury"), Some("Jury's prize")));

    // An empty English text removes it; an English text is checked as the French one.
    let removed = app.patch(&format!("/api/v1/editions/{id}"), &json!({"title_en": ""})).bearer_auth(token).send().await.unwrap();
    assert_eq!(json(removed).await["title_en"], json!(null));
    assert_eq!(json(read("en").await.unwrap()).await["localized"]["title"], "Prix du CESER 2026");
    // No English without its French; no hidden characters in a theme or a description.
    for bad in [json!({"theme": "", "theme_en": "Only English"}), json!({"theme": "Vivre\u{202e} mieux"})] {
        let refused = app.patch(&format!("/api/v1/editions/{id}"), &bad).bearer_auth(token).send().await.unwrap();
        assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "theme");
    }
    for bad in [json!({"title_en": "CESER\u{202e} Prize"}), json!({"title_en": "x".repeat(201)}), json!({"theme_en": "x".repeat(201)})] {
        let refused = app.patch(&format!("/api/v1/editions/{id}"), &bad).bearer_auth(token).send().await.unwrap();
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert!(problem["errors"][0]["field"].as_str().unwrap().ends_with("_en"), "{problem}");
    }
    let bad_prize = json!({"kind": "jury", "name": "Prix du jury", "name_en": "\u{200b}"});
    let refused = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}")).json(&bad_prize).bearer_auth(token).send().await.unwrap();
    assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "name_en");
    let hidden = json!({"kind": "jury", "name": "Prix du jury", "description": "Ligne\u{0007}"});
    let refused = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}")).json(&hidden).bearer_auth(token).send().await.unwrap();
    assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "description");
    // A blank English description is none: the French shows.
    let blank = json!({"kind": "jury", "name": "Prix du jury", "description": "Décerné après les auditions.", "description_en": "  "});
    let saved = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}")).json(&blank).bearer_auth(token).header("accept-language", "en").send().await.unwrap();
    let saved = json(saved).await;
    assert_eq!((&saved["description_en"], saved["localized"]["description"].as_str()), (&json!(null), Some("Décerné après les auditions.")));
    // A criterion's English label is optional too: the French stands in for it.
    let criteria = json!([{"key": "impact", "label_fr": "Impact social"}, {"key": "innovation", "label_fr": "Innovation", "label_en": "Innovativeness"}]);
    let saved = app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&criteria).bearer_auth(token).header("accept-language", "en").send().await.unwrap();
    assert_eq!(saved.status(), 200);
    let english = json(read("en").await.unwrap()).await;
    assert_eq!((&english["criteria"][0]["label_en"], &english["criteria"][0]["localized"]["label"]), (&json!(null), &json!("Impact social")));
    assert_eq!(english["criteria"][1]["localized"]["label"], "Innovativeness");
    // A blank English label is none, a written one is trimmed as the French; hidden characters are refused.
    let blank = json!([{"key": "impact", "label_fr": " Impact social ", "label_en": " "}, {"key": "b", "label_fr": "B", "label_en": "  Criterion B  "}]);
    let saved = json(app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&blank).bearer_auth(token).send().await.unwrap()).await;
    let labels: Vec<(&Value, &Value)> = saved["criteria"].as_array().unwrap().iter().map(|c| (&c["label_fr"], &c["label_en"])).collect();
    assert_eq!(labels, [(&json!("Impact social"), &json!(null)), (&json!("B"), &json!("Criterion B"))]);
    let hidden = json!([{"key": "impact", "label_fr": "Impact social", "label_en": "Impact\u{202e}"}]);
    let refused = app.request(reqwest::Method::PUT, &format!("/api/v1/editions/{id}/criteria")).json(&hidden).bearer_auth(token).send().await.unwrap();
    assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "criteria[0].label_en");
});

api_test!(async fn an_organization_is_named_in_english_when_it_says_how(app) {
    let platform = app.create_platform_admin().await;
    let body = json!({
        "short_name": "ceser-test-en", "name": "Conseil économique, social et environnemental régional",
        "name_en": "Regional Economic, Social and Environmental Council", "region": "Auvergne-Rhône-Alpes",
        "default_departements": ["69"], "contact_email": "prix@ceser.example.fr"
    });
    let created = app.post("/api/v1/organizations", &body).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let id = json(created).await["id"].as_str().unwrap().to_owned();
    for (lang, name) in [("en", "Regional Economic, Social and Environmental Council"), ("fr", "Conseil économique, social et environnemental régional"), ("en", "Regional Economic, Social and Environmental Council")] {
        // Anonymous: kept in memory, one answer per language.
        let read = app.get(&format!("/api/v1/organizations/{id}")).header("accept-language", lang).send().await.unwrap();
        assert_eq!(json(read).await["localized_name"], name, "{lang}");
    }
    let listed = app.get("/api/v1/organizations").header("accept-language", "en").send().await.unwrap();
    let listed = json(listed).await;
    assert!(listed["items"].as_array().unwrap().iter().any(|item| item["localized_name"] == "Regional Economic, Social and Environmental Council"), "{listed}");
    // What a front end reading English sends back keeps the French.
    let read = json(app.get(&format!("/api/v1/organizations/{id}")).header("accept-language", "en").send().await.unwrap()).await;
    let mut sent_back = read.clone();
    for read_only in ["id", "created_at", "updated_at", "localized_name"] {
        sent_back.as_object_mut().unwrap().remove(read_only);
    }
    let saved = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{id}")).json(&sent_back).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(json(saved).await["name"], "Conseil économique, social et environnemental régional");
    let mut hidden = body.clone();
    hidden["short_name"] = json!("ceser-test-en2");
    hidden["name_en"] = json!("Council\u{2066}");
    let refused = app.post("/api/v1/organizations", &hidden).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "name_en");
});

api_test!(async fn an_account_chooses_its_own_language_and_name(app) {
    let user = app.create_user(&[]).await;
    let me = |body: Value| app.patch("/api/v1/me", &body).bearer_auth(&user.token).send();
    let changed = json(me(json!({"language": "en", "display_name": "Claire M."})).await.unwrap()).await;
    assert_eq!((changed["language"].as_str(), changed["display_name"].as_str()), (Some("en"), Some("Claire M.")));
    assert_eq!(json(app.get("/api/v1/me").bearer_auth(&user.token).send().await.unwrap()).await["language"], "en");
    for bad in [json!({"language": "de"}), json!({"display_name": " "}), json!({"display_name": "Claire\u{202e}"}), json!({"roles": ["admin"]})] {
        let refused = me(bad.clone()).await.unwrap();
        assert_eq!(refused.status(), 422, "{bad}");
    }
    // A value of the wrong kind is named, and told in the answer's language only.
    let wrong = assert_problem(me(json!({"language": "EN"})).await.unwrap(), 422, "validation_failed").await;
    assert_eq!(wrong["errors"][0], json!({"field": "language", "code": "invalid_value", "message": "n'a pas le type ou la valeur que le contrat lui donne"}));
    // An object, as the contract says, not its fields in an array.
    for array in [json!(["Claire Array", "en"]), json!([null, null])] {
        let refused = assert_problem(me(array).await.unwrap(), 422, "validation_failed").await;
        assert_eq!(refused["errors"][0]["field"], "body");
    }
    // Nobody else's account: there is no id to name, and no token no change.
    let anonymous = app.patch("/api/v1/me", &json!({"language": "fr"})).send().await.unwrap();
    assert_problem(anonymous, 401, "authentication_required").await;
    // The same language again changes nothing and records nothing.
    let again = me(json!({"language": "en"})).await.unwrap();
    assert_eq!(again.status(), 200);
    use prix_ceser::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let changes = audit_event::Entity::find().filter(audit_event::Column::Action.eq("user.language_changed")).all(&app.db).await.unwrap();
    assert_eq!(changes.len(), 1);
});

api_test!(async fn only_answers_in_words_say_their_language(app) {
    let json_answer = app.get("/api/v1/organizations").header("accept-language", "en").send().await.unwrap();
    assert_eq!(json_answer.headers()["content-language"], "en");
    for path in ["/widget/v1/widget.js", "/widget/v1/widget.css", "/.well-known/jwks.json"] {
        let response = app.get(path).header("accept-language", "en").send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().get("content-language").is_none(), "{path}: a script, a style sheet, keys");
    }
});
