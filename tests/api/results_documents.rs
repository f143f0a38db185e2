//! Results as documents: the published results as CSV (comma or semicolon, with or without a
//! byte-order mark) and as a JWS signed with Ed25519 that verifies with the key published at
//! `/.well-known/jwks.json`, and with no other.
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde_json::{Value, json};

use crate::{
    ballots::{ceremony, councillors, staff, vote},
    helpers::*,
};

async fn text(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.get(path).send().await.unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.text().await.unwrap())
}

/// The claims of a signed document, checked with the published keys.
async fn verified(app: &TestApp, token: &str) -> Result<Value, jsonwebtoken::errors::Error> {
    let jwks: JwkSet = serde_json::from_str(&text(app, "/.well-known/jwks.json").await.2).unwrap();
    let kid = jsonwebtoken::decode_header(token)?.kid;
    let jwk = jwks
        .keys
        .iter()
        .find(|key| key.common.key_id == kid)
        .expect("a published key of this kid");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    Ok(jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk)?, &validation)?.claims)
}

api_test!(async fn published_results_are_a_csv_and_a_signed_document(app) {
    let (run, prize) = ceremony(&app).await;
    let results = |suffix: &str| format!("/api/v1/editions/{}/results.{suffix}", run.edition);
    // Nothing published yet: a header row only, an empty signed document.
    let (status, media, csv) = text(&app, &results("csv")).await;
    assert_eq!((status, media.as_str()), (200, "text/csv; charset=utf-8"));
    assert_eq!(csv, "Prix,Type,Candidat,Résultat,Voix,Participation\n");

    let voters = councillors(&app, &run, 3).await;
    staff(&app, &run, "ballot/open", &prize).await;
    for (voter, file) in voters.iter().zip([&run.files[0], &run.files[0], &run.files[1]]) {
        assert_eq!(vote(&app, &prize, voter, file).await.status(), 201);
    }
    staff(&app, &run, "ballot/close", &prize).await;
    let (_, _, closed) = text(&app, &results("csv")).await;
    assert_eq!(closed, csv, "a closed ballot's count is not public until published");
    staff(&app, &run, "results/publish", &prize).await;

    let (_, _, csv) = text(&app, &results("csv")).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6, "{csv}");
    let counted: Vec<(&str, &str, &str)> = lines[1..].iter().map(|line| {
        let cells: Vec<&str> = line.split(',').collect();
        (cells[3], cells[4], cells[5])
    }).collect();
    assert_eq!(counted.iter().filter(|row| row.0 == "laureate").count(), 1);
    assert!(counted.contains(&("laureate", "2", "3")) && counted.contains(&("", "1", "3")), "{csv}");
    assert!(lines[1].starts_with("Prix des conseillers du CESER,councillors,"));

    // For French spreadsheets: semicolons and a byte-order mark.
    let (_, _, french) = text(&app, &format!("{}?separator=semicolon&bom=true", results("csv"))).await;
    assert!(french.starts_with("\u{feff}Prix;Type;Candidat;Résultat;Voix;Participation\n"), "{french}");
    assert_eq!(french.trim_start_matches('\u{feff}').replace(';', ","), csv);
    // In English when asked: the header only, kept in memory apart from the French one.
    let english = app.get(&results("csv")).header("accept-language", "en").send().await.unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    let english = english.text().await.unwrap();
    assert_eq!(english.replacen("Prize,Kind,Candidate,Outcome,Votes,Turnout\n", "Prix,Type,Candidat,Résultat,Voix,Participation\n", 1), csv);
    for bad in ["separator=tab", "bom=yes", "sep=;"] {
        assert_problem(app.get(&format!("{}?{bad}", results("csv"))).send().await.unwrap(), 422, "validation_failed").await;
    }

    // Public documents: cached, with validators.
    for path in [results("csv"), results("jws"), format!("/api/v1/prizes/{prize}")] {
        let first = app.get(&path).send().await.unwrap();
        assert_eq!(first.headers()["cache-control"], "public, max-age=30", "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = app.get(&path).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }

    // Signed: verifies with the published key, says what the CSV says.
    let (status, media, token) = text(&app, &results("jws")).await;
    assert_eq!((status, media.as_str()), (200, "application/jose"));
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!((header.alg, header.typ.as_deref()), (Algorithm::EdDSA, Some("prix-ceser-results+jwt")));
    let claims = verified(&app, &token).await.unwrap();
    assert_eq!(claims["iss"], "prix-ceser");
    assert_eq!(claims["edition"]["id"], run.edition);
    assert_eq!(claims["complete"], false);
    let ballot = &claims["ballots"][0];
    assert_eq!((ballot["prize_id"].as_str(), ballot["turnout"].as_u64()), (Some(prize.as_str()), Some(3)));
    assert_eq!(ballot["winner"], run.files[0]);
    assert_eq!(claims["laureates"][0]["laureate"]["id"], run.files[0]);
    assert_eq!((&claims["edition"]["title"], &claims["edition"]["localized_title"]), (&json!("Prix du CESER 2026"), &json!("Prix du CESER 2026")));
    // In English: the edition's and the prizes' names as English readers read them.
    app.execute("UPDATE editions SET title_en = 'CESER Prize 2026'").await;
    let english = app.get(&results("jws")).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
    let english = verified(&app, &english).await.unwrap();
    assert_eq!((&english["edition"]["title"], &english["edition"]["localized_title"]), (&json!("Prix du CESER 2026"), &json!("CESER Prize 2026")));
    // A changed payload or a signature from another key does not verify.
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = base64_url(&serde_json::to_vec(&json!({"iss": "prix-ceser", "ballots": []})).unwrap());
    assert!(verified(&app, &format!("{}.{forged_payload}.{}", parts[0], parts[2])).await.is_err());
    let jwks = text(&app, "/.well-known/jwks.json").await;
    assert_eq!(jwks.1, "application/jwk-set+json");
    let other_key = jsonwebtoken::EncodingKey::from_ed_der(&[
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
        9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ]);
    let mut forged_header = jsonwebtoken::Header::new(Algorithm::EdDSA);
    forged_header.kid = header.kid.clone();
    let forged = jsonwebtoken::encode(&forged_header, &claims, &other_key).unwrap();
    assert!(verified(&app, &forged).await.is_err(), "another key's signature");
    // The same key after a restart (a second server on the same database and voter key).
    let second = app.another_server(&[]).await;
    assert_eq!(text(&second, "/.well-known/jwks.json").await.2, jwks.2);

    // An edition that does not exist, or is not public, has no results document.
    let unknown = uuid::Uuid::now_v7().to_string();
    for missing in [results("csv").replace(&run.edition, &unknown), results("jws").replace(&run.edition, &unknown)] {
        assert_problem(app.get(&missing).send().await.unwrap(), 404, "not_found").await;
    }
});

api_test!(async fn an_archived_edition_documents_its_laureates_and_mentions(app) {
    prix_ceser::demo::seed(&app.db, &app.voter_keys).await.unwrap();
    let editions = json(app.get("/api/v1/editions").send().await.unwrap()).await;
    let fifth = editions["items"][0]["id"].as_str().unwrap().to_owned();
    let cress = editions["items"][3]["id"].as_str().unwrap().to_owned();
    let (_, _, csv) = text(&app, &format!("/api/v1/editions/{fifth}/results.csv")).await;
    assert_eq!(csv, "Prix,Type,Candidat,Résultat,Voix,Participation\n\
        Prix des conseillers du CESER,councillors,Résonansemble,laureate,,\n\
        Prix du jury,jury,Concertina-Rencontres,laureate,,\n\
        Prix du public,public,Solivet,laureate,,\n");
    let (_, _, cress_csv) = text(&app, &format!("/api/v1/editions/{cress}/results.csv")).await;
    assert!(cress_csv.contains(",category,Simplon.Co,laureate,,"), "{cress_csv}");
    let (_, _, token) = text(&app, &format!("/api/v1/editions/{fifth}/results.jws")).await;
    assert_eq!(verified(&app, &token).await.unwrap()["complete"], true);
});

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
