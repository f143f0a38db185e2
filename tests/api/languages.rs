//! `Accept-Language`: French unless the caller prefers English, said in `Content-Language`;
//! problem documents (title, detail, field messages) in that language.
use serde_json::json;

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
