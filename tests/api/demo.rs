use serde_json::{Value, json};

use crate::helpers::*;

api_test!(async fn demo_data_is_the_reference_case_and_loads_idempotently(app) {
    prix_ceser::demo::seed(&app.db, &app.voter_keys).await.unwrap();
    prix_ceser::demo::seed(&app.db, &app.voter_keys).await.unwrap();

    let editions = json(app.get("/api/v1/editions").send().await.unwrap()).await;
    let items = editions["items"].as_array().unwrap();
    let summary: Vec<(i64, &str, &str)> = items.iter().map(|e| (e["number"].as_i64().unwrap(), e["title"].as_str().unwrap(), e["status"].as_str().unwrap())).collect();
    assert_eq!(summary, [
        (5, "Prix du CESER 2025", "archived"),
        (6, "Prix du CESER 2026", "audition"),
        (7, "Prix du CESER 2027", "applications_open"),
        (1, "Graines de l'innovation sociale", "archived"),
    ]);
    let sixth = &items[1];
    assert_eq!(sixth["calendar"], sixth_edition_calendar());
    assert_eq!(sixth["action_window"], json!({"start": "2024-01-01", "end": "2025-12-31"}));
    assert_eq!(sixth["theme"], "Actions améliorant les conditions de vie des habitants de la région Auvergne-Rhône-Alpes");
    assert_eq!(sixth["departements"], json!(ARA));
    assert_eq!(sixth["shortlist_size"], 5);
    let prizes: Vec<&str> = sixth["prizes"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(prizes, ["councillors", "jury", "public"]);
    assert_eq!(sixth["criteria"].as_array().unwrap().len(), 5);

    let gallery = json(app.get(&format!("/api/v1/editions/{}/candidates", sixth["id"].as_str().unwrap())).send().await.unwrap()).await["items"].clone();
    assert_eq!(gallery.as_array().unwrap().len(), 5);
    let fifth = json(app.get(&format!("/api/v1/editions/{}/candidates", items[0]["id"].as_str().unwrap())).send().await.unwrap()).await["items"].clone();
    let names: Vec<&str> = fifth.as_array().unwrap().iter().map(|c| c["action_title"].as_str().unwrap()).collect();
    assert_eq!(names, ["Résonansemble", "Concertina-Rencontres", "Solivet"]);

    // The archived editions' laureates are published.
    let laureates = json(app.get(&format!("/api/v1/editions/{}/laureates", items[0]["id"].as_str().unwrap())).send().await.unwrap()).await;
    let names: Vec<(&str, &str)> = laureates.as_array().unwrap().iter().map(|l| (l["prize_name"].as_str().unwrap(), l["laureate"]["action_title"].as_str().unwrap())).collect();
    assert_eq!(names, [
        ("Prix des conseillers du CESER", "Résonansemble"),
        ("Prix du jury", "Concertina-Rencontres"),
        ("Prix du public", "Solivet"),
    ]);
    let graines = &items[3];
    let cress = json(app.get(&format!("/api/v1/editions/{}/laureates", graines["id"].as_str().unwrap())).send().await.unwrap()).await;
    let names: Vec<&str> = cress.as_array().unwrap().iter().map(|l| l["laureate"]["action_title"].as_str().unwrap()).collect();
    assert_eq!(names, ["Simplon.Co", "Habitat et humanisme — Les escales solidaires", "Coopérative auvergnate de l'alimentation de proximité (Caap)", "Artex"]);
    let sixth_laureates = json(app.get(&format!("/api/v1/editions/{}/laureates", sixth["id"].as_str().unwrap())).send().await.unwrap()).await;
    assert_eq!(sixth_laureates, json!([]), "nothing is published before the ceremony");
    let categories: Vec<(&str, &serde_json::Value)> = graines["prizes"].as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap(), &p["sponsors"])).collect();
    assert_eq!(categories, [
        ("Entreprise inclusive", &json!(["Agefiph", "Adepei63"])),
        ("Développement local", &json!(["VVF Village"])),
        ("Entreprise coopérative", &json!(["Pix'n Prod"])),
        ("Femmes engagées dans l'entrepreneuriat", &json!(["Caisse d'Épargne Auvergne"])),
    ]);
    assert!(graines["prizes"].as_array().unwrap().iter().all(|p| p["kind"] == "category" && p["mentions_allowed"] == true));

    // The CRESS jury noticed one association without awarding it a prize: its mention.
    assert_eq!(cress[0]["mentions"][0]["action_title"], "1 cabas pour 1 étudiant");

    // The 6th edition's jury passes its own composition check, its previous laureate a
    // laureate of the 5th; its candidates are presented as videos; its ballots open on the
    // ceremony day.
    let admin = app.login_token("secretariat@ceser-ara.example", "demo-secretariat-2026").await;
    let sixth_id = sixth["id"].as_str().unwrap();
    let check = json(app.get(&format!("/api/v1/editions/{sixth_id}/jury/composition-check")).bearer_auth(&admin).send().await.unwrap()).await;
    assert_eq!(check, json!([]));
    let jury = json(app.get(&format!("/api/v1/editions/{sixth_id}/jury")).bearer_auth(&admin).send().await.unwrap()).await;
    let laureate = jury.as_array().unwrap().iter().find(|m| m["previous_laureate"] == true).unwrap();
    let resonansemble = fifth.as_array().unwrap().iter().find(|c| c["action_title"] == "Résonansemble").unwrap();
    let own = json(app.get(&format!("/api/v1/applications/{}", resonansemble["id"].as_str().unwrap())).bearer_auth(&app.login_token("contact@resonansemble.example", "demo-jury-2026").await).send().await.unwrap()).await;
    assert_eq!((own["id"].as_str(), laureate["seat"].as_str()), (resonansemble["id"].as_str(), Some("qualified_personality")));
    assert!(gallery.as_array().unwrap().iter().all(|c| c["video_url"].as_str().is_some_and(|url| url.starts_with("https://vimeo.com/"))), "{gallery}");
    for prize in sixth["prizes"].as_array().unwrap().iter().filter(|p| p["kind"] != "jury") {
        let ballot = json(app.get(&format!("/api/v1/prizes/{}/ballot", prize["id"].as_str().unwrap())).send().await.unwrap()).await;
        for end in ["opens_at", "closes_at"] {
            assert!(ballot[end].as_str().unwrap().starts_with("2026-12-14T"), "{ballot}");
        }
    }

    for account in &prix_ceser::demo::ACCOUNTS {
        assert_eq!(app.login(account.email, account.password).await.status(), 200, "{}", account.email);
    }
    assert_eq!(prix_ceser::services::audit::verify(&app.db).await.unwrap(), 73);
});

api_test!(async fn every_list_is_paged_with_its_limit_honoured(app) {
    prix_ceser::demo::seed(&app.db, &app.voter_keys).await.unwrap();
    let editions = json(app.get("/api/v1/editions").send().await.unwrap()).await;
    let sixth = editions["items"][1]["id"].as_str().unwrap().to_owned();
    let gallery = format!("/api/v1/editions/{sixth}/candidates");
    let whole = json(app.get(&gallery).send().await.unwrap()).await;
    assert!(whole["next_cursor"].is_null());
    let all: Vec<Value> = whole["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    // Two at a time, the same five in the same order, the last page without a cursor.
    let (mut seen, mut cursor) = (Vec::new(), String::new());
    for expected in [2, 2, 1] {
        let page = json(app.get(&format!("{gallery}?limit=2&cursor={cursor}")).send().await.unwrap()).await;
        assert_eq!(page["items"].as_array().unwrap().len(), expected);
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    }
    assert_eq!((seen, cursor.as_str()), (all, ""));
    for bad in ["limit=0", "limit=201", "cursor=nonsense"] {
        assert_problem(app.get(&format!("{gallery}?{bad}")).send().await.unwrap(), 422, "validation_failed").await;
    }
    // Staff lists too: the roster of the CESER, one at a time.
    let secretariat = json(app.login("secretariat@ceser-ara.example", "demo-secretariat-2026").await).await;
    let token = secretariat["access_token"].as_str().unwrap();
    let ara = editions["items"][1]["organization_id"].as_str().unwrap();
    let roster = json(app.get(&format!("/api/v1/organizations/{ara}/councillors?limit=1")).bearer_auth(token).send().await.unwrap()).await;
    assert_eq!(roster["items"].as_array().unwrap().len(), 1);
    let next = roster["next_cursor"].as_str().expect("the demo roster has two councillors");
    let rest = json(app.get(&format!("/api/v1/organizations/{ara}/councillors?limit=1&cursor={next}")).bearer_auth(token).send().await.unwrap()).await;
    assert_ne!(rest["items"][0]["user_id"], roster["items"][0]["user_id"]);
});
