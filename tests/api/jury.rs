//! A full run from the jury's seating to the jury prize.
use prix_ceser::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{applications::complete_file, helpers::*};

const CRITERIA: [&str; 5] = [
    "general_interest",
    "reproducibility",
    "efficiency",
    "sustainability",
    "innovativeness",
];

fn scores(value: i32) -> Value {
    json!({ "scores": CRITERIA.iter().map(|key| (key.to_string(), json!(value))).collect::<serde_json::Map<_, _>>() })
}

pub struct Run {
    pub organization: TestOrganization,
    pub edition: String,
    pub files: Vec<String>,
    pub applicants: Vec<TestUser>,
    /// president, youth president, three qualified personalities (the first the previous laureate), two councillors.
    pub jury: Vec<TestUser>,
}

pub async fn score(
    app: &TestApp,
    juror: &TestUser,
    file: &str,
    round: &str,
    value: i32,
) -> reqwest::Response {
    let saved = app
        .request(
            Method::PUT,
            &format!("/api/v1/applications/{file}/scorecards/{round}"),
        )
        .json(&scores(value))
        .bearer_auth(&juror.token)
        .send()
        .await
        .unwrap();
    if saved.status() != 200 {
        return saved;
    }
    app.post(
        &format!("/api/v1/applications/{file}/scorecards/{round}/submit"),
        &json!({}),
    )
    .bearer_auth(&juror.token)
    .send()
    .await
    .unwrap()
}

/// A prepared run with its first five files shortlisted (the edition in audition), and the id
/// of its prize of this kind.
pub async fn shortlisted(app: &TestApp, prize_kind: &str) -> (Run, String) {
    let run = prepare(app).await;
    let shortlist =
        json!({"application_ids": run.files[..5], "reason": "Le jury a délibéré sans grille."});
    let edition = json(
        app.post(
            &format!("/api/v1/editions/{}/shortlist", run.edition),
            &shortlist,
        )
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap(),
    )
    .await;
    let prize = edition["prizes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == prize_kind)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (run, prize)
}

/// Six eligible files in selection, and a seated jury following the rule.
pub async fn prepare(app: &TestApp) -> Run {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = &organization.admin.token;
    let (mut files, mut applicants) = (Vec::new(), Vec::new());
    for index in 0..6 {
        let applicant = app.create_user(&[Role::Applicant]).await;
        let mut body = complete_file();
        body["action_title"] = json!(format!("Initiative numéro {index}"));
        let created = json(
            app.post(&format!("/api/v1/editions/{edition}/applications"), &body)
                .bearer_auth(&applicant.token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(
            app.post(&format!("/api/v1/applications/{id}/submit"), &json!({}))
                .bearer_auth(&applicant.token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/applications/{id}/review"),
                &json!({"decision": "eligible"})
            )
            .bearer_auth(admin)
            .send()
            .await
            .unwrap()
            .status(),
            200
        );
        files.push(id);
        applicants.push(applicant);
    }
    let seats = [
        ("president", false),
        ("youth_president", false),
        ("qualified_personality", true),
        ("qualified_personality", false),
        ("qualified_personality", false),
        ("councillor", false),
        ("councillor", false),
    ];
    let mut jury = Vec::new();
    for (seat, laureate) in seats {
        let member = app.create_user(&[Role::Jury, Role::Councillor]).await;
        let response = app
            .request(
                Method::PUT,
                &format!("/api/v1/editions/{edition}/jury/{}", member.id),
            )
            .json(&json!({"seat": seat, "previous_laureate": laureate}))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        jury.push(member);
    }
    let selection = app
        .post(
            &format!("/api/v1/editions/{edition}/transitions"),
            &json!({"to": "selection", "reason": "Sélection anticipée pour le test."}),
        )
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(selection.status(), 200);
    Run {
        organization,
        edition,
        files,
        applicants,
        jury,
    }
}

api_test!(async fn from_the_jury_to_the_jury_prize(app) {
    let run = prepare(&app).await;
    let admin = &run.organization.admin.token;
    let edition = &run.edition;
    let (president, harsh, conflicted) = (&run.jury[0], &run.jury[6], &run.jury[5]);

    // The jury follows the rule.
    let check = json(app.get(&format!("/api/v1/editions/{edition}/jury/composition-check")).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(check, json!([]));

    // A councillor declares a conflict on file 0: no scoring, no scores seen there.
    let declared = app.post(&format!("/api/v1/applications/{}/conflicts", run.files[0]), &json!({"reason": "Je préside cette association."})).bearer_auth(&conflicted.token).send().await.unwrap();
    assert_eq!(declared.status(), 201);
    assert_problem(score(&app, conflicted, &run.files[0], "selection", 10).await, 409, "conflict_of_interest").await.to_string();

    // The jury sees the files without contact details.
    let files = json(app.get(&format!("/api/v1/editions/{edition}/jury/files?round=selection")).bearer_auth(&president.token).send().await.unwrap()).await["items"].clone();
    assert_eq!(files.as_array().unwrap().len(), 6);
    assert!(files[0].get("contact_email").is_none() && files[0].get("contact_phone").is_none());

    // Independence: no one else's scores before one's own scorecard is submitted.
    let early = app.get(&format!("/api/v1/applications/{}/scorecards?round=selection", run.files[1])).bearer_auth(&president.token).send().await.unwrap();
    assert_problem(early, 409, "own_scorecard_pending").await;

    // Everyone scores: file i gets 18 - 2i; the harsh juror gives 5 points less everywhere.
    for (index, file) in run.files.iter().enumerate() {
        for juror in &run.jury {
            if juror.id == conflicted.id && index == 0 {
                continue;
            }
            let value = 18 - 2 * index as i32 - if juror.id == harsh.id { 5 } else { 0 };
            assert_eq!(score(&app, juror, file, "selection", value).await.status(), 200);
        }
    }
    let seen = json(app.get(&format!("/api/v1/applications/{}/scorecards?round=selection", run.files[1])).bearer_auth(&president.token).send().await.unwrap()).await;
    assert_eq!(seen.as_array().unwrap().len(), 7);
    assert_problem(app.get(&format!("/api/v1/applications/{}/scorecards?round=selection", run.files[0])).bearer_auth(&conflicted.token).send().await.unwrap(), 404, "not_found").await;

    // Locked once submitted; staff reopen with a reason.
    let locked = app.request(Method::PUT, &format!("/api/v1/applications/{}/scorecards/selection", run.files[1])).json(&scores(1)).bearer_auth(&president.token).send().await.unwrap();
    assert_problem(locked, 409, "scorecard_submitted").await;
    let card_id = seen.as_array().unwrap().iter().find(|card| card["user_id"] == json!(president.id)).unwrap()["id"].as_str().unwrap().to_owned();
    let reopened = app.post(&format!("/api/v1/scorecards/{card_id}/reopen"), &json!({"reason": "Erreur de saisie signalée."})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(json(reopened).await["status"], "draft");
    assert_eq!(score(&app, president, &run.files[1], "selection", 16).await.status(), 200);

    // The ranking: the conflicted member is left out of file 0, which misses nothing.
    let ranking = json(app.get(&format!("/api/v1/editions/{edition}/rankings?round=selection")).bearer_auth(admin).send().await.unwrap()).await;
    let order: Vec<&str> = ranking.as_array().unwrap().iter().map(|file| file["application_id"].as_str().unwrap()).collect();
    assert_eq!(order, run.files.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((ranking[0]["scorecards"].as_u64(), ranking[0]["missing"].as_u64()), (Some(6), Some(0)));
    assert_eq!(ranking[0]["rank"], 1);
    assert_eq!(ranking[0]["normalized_rank"], 1);
    assert_eq!(app.get(&format!("/api/v1/editions/{edition}/rankings?round=selection")).bearer_auth(&president.token).send().await.unwrap().status(), 200);
    assert_problem(app.get(&format!("/api/v1/editions/{edition}/rankings?round=selection")).bearer_auth(&harsh.token).send().await.unwrap(), 403, "forbidden").await;
    let csv = app.get(&format!("/api/v1/editions/{edition}/rankings.csv?round=selection")).bearer_auth(admin).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("Rang,Candidature,Total,") && csv.lines().count() == 7, "{csv}");

    // The shortlist: the top five, or another choice with a reason.
    let other_choice = json!({"application_ids": [run.files[0], run.files[1], run.files[2], run.files[3], run.files[5]]});
    let refused = app.post(&format!("/api/v1/editions/{edition}/shortlist"), &other_choice).bearer_auth(admin).send().await.unwrap();
    assert_eq!(assert_problem(refused, 422, "validation_failed").await["errors"][0]["field"], "reason");
    let top_five = json!({"application_ids": run.files[..5]});
    let confirmed = json(app.post(&format!("/api/v1/editions/{edition}/shortlist"), &top_five).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(confirmed["status"], "audition");
    let gallery = json(app.get(&format!("/api/v1/editions/{edition}/candidates")).send().await.unwrap()).await["items"].clone();
    assert_eq!(gallery.as_array().unwrap().len(), 5);
    let own = json(app.get(&format!("/api/v1/applications/{}", run.files[0])).bearer_auth(&run.applicants[0].token).send().await.unwrap()).await;
    assert_eq!(own["shortlisted"], true);

    // Auditions: a slot each, seen by the applicant and the jury.
    let slot = json!({"starts_at": "2026-11-04T09:30:00+01:00", "place": "Hôtel de Région, Lyon"});
    assert_eq!(app.request(Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[0])).json(&slot).bearer_auth(admin).send().await.unwrap().status(), 200);
    let not_shortlisted = app.request(Method::PUT, &format!("/api/v1/applications/{}/audition", run.files[5])).json(&slot).bearer_auth(admin).send().await.unwrap();
    assert_problem(not_shortlisted, 409, "not_shortlisted").await;
    let own = json(app.get(&format!("/api/v1/applications/{}", run.files[0])).bearer_auth(&run.applicants[0].token).send().await.unwrap()).await;
    assert_eq!(own["audition"], json!({"starts_at": "2026-11-04T08:30:00Z", "place": "Hôtel de Région, Lyon"}));

    // Audition round: files 1 and 2 tie for first. The president scores last.
    let jury_prize = confirmed["prizes"].as_array().unwrap().iter().find(|p| p["kind"] == "jury").unwrap()["id"].as_str().unwrap().to_owned();
    let decide = |token: &str, body: Value| app.post(&format!("/api/v1/prizes/{jury_prize}/decision"), &body).bearer_auth(token).send();
    for juror in run.jury.iter().skip(1).chain([president]) {
        if juror.id == president.id {
            // Before their own cards, no answer derived from the others' scores: deciding
            // would tell which file is on top.
            for file in &run.files[..5] {
                assert_problem(decide(&president.token, json!({"laureate": file, "casting_vote": true})).await.unwrap(), 409, "own_scorecard_pending").await;
            }
            let read = app.get(&format!("/api/v1/prizes/{jury_prize}/decision")).bearer_auth(&president.token).send().await.unwrap();
            assert_problem(read, 409, "own_scorecard_pending").await;
        }
        for (index, file) in run.files[..5].iter().enumerate() {
            if juror.id == conflicted.id && index == 0 {
                continue;
            }
            let value = match index { 1 | 2 => 19, _ => 12 };
            assert_eq!(score(&app, juror, file, "audition", value).await.status(), 200);
        }
    }
    let audition_ranking = json(app.get(&format!("/api/v1/editions/{edition}/rankings?round=audition")).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!((audition_ranking[0]["tied"].as_bool(), audition_ranking[1]["tied"].as_bool()), (Some(true), Some(true)));

    assert_problem(decide(&president.token, json!({"laureate": run.files[1]})).await.unwrap(), 409, "tie_needs_casting_vote").await;
    assert_problem(decide(&president.token, json!({"laureate": run.files[3]})).await.unwrap(), 409, "not_top_ranked").await;
    assert_problem(decide(&harsh.token, json!({"laureate": run.files[2], "casting_vote": true})).await.unwrap(), 403, "forbidden").await;
    let decided = json(decide(&president.token, json!({"laureate": run.files[2], "casting_vote": true})).await.unwrap()).await;
    assert_eq!((decided["laureate_id"].as_str(), decided["casting_vote"].as_bool()), (Some(run.files[2].as_str()), Some(true)));
    assert_problem(decide(&president.token, json!({"laureate": run.files[1], "casting_vote": true})).await.unwrap(), 409, "decision_exists").await;
    let changed = decide(admin, json!({"laureate": run.files[1], "casting_vote": true, "reason": "Le président a corrigé son vote prépondérant."})).await.unwrap();
    assert_eq!(json(changed).await["laureate_id"], json!(run.files[1]));
    let events = json(app.get(&format!("/api/v1/audit?action=prize.decided&target_id={jury_prize}")).bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap()).await;
    assert_eq!(events["items"].as_array().unwrap().len(), 2);
    assert_eq!(events["items"][0]["details"]["previous_laureate"], json!(run.files[2]));
    // The jury deliberates: its prize may go below the top of the scores, the reason written.
    let reason = "Le jury a délibéré : l'action touche le plus d'habitants de la région.";
    let casting = decide(admin, json!({"laureate": run.files[3], "casting_vote": true, "reason": reason})).await.unwrap();
    assert_eq!(assert_problem(casting, 422, "validation_failed").await["errors"][0]["field"], "casting_vote");
    let deliberated = json(decide(admin, json!({"laureate": run.files[3], "reason": reason})).await.unwrap()).await;
    assert_eq!((deliberated["laureate_id"].as_str(), deliberated["reason"].as_str()), (Some(run.files[3].as_str()), Some(reason)));
});

api_test!(async fn jury_access_is_limited_to_the_editions_one_sits_on(app) {
    let run = prepare(&app).await;
    let outsider = app.create_user(&[Role::Jury]).await;
    for path in [
        format!("/api/v1/editions/{}/jury/files?round=selection", run.edition),
        format!("/api/v1/editions/{}/jury", run.edition),
        format!("/api/v1/editions/{}/rankings?round=selection", run.edition),
        format!("/api/v1/applications/{}/scorecards?round=selection", run.files[0]),
    ] {
        assert_problem(app.get(&path).bearer_auth(&outsider.token).send().await.unwrap(), 404, "not_found").await;
    }
    assert_problem(score(&app, &outsider, &run.files[0], "selection", 10).await, 404, "not_found").await;
    let other_staff = app.create_organization("ceser-paca").await.admin;
    let seat = app.request(Method::PUT, &format!("/api/v1/editions/{}/jury/{}", run.edition, outsider.id)).json(&json!({"seat": "councillor"})).bearer_auth(&other_staff.token).send().await.unwrap();
    assert_problem(seat, 404, "not_found").await;
    let applicant = &run.applicants[0];
    assert_problem(app.get(&format!("/api/v1/editions/{}/jury/files?round=selection", run.edition)).bearer_auth(&applicant.token).send().await.unwrap(), 403, "forbidden").await;
    // Only jury accounts are seated.
    let not_juror = app.request(Method::PUT, &format!("/api/v1/editions/{}/jury/{}", run.edition, applicant.id)).json(&json!({"seat": "councillor"})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_problem(not_juror, 409, "not_a_juror").await;
});

api_test!(async fn scorecards_are_validated_and_conflicts_withdraw_them(app) {
    let run = prepare(&app).await;
    let juror = &run.jury[3];
    let path = format!("/api/v1/applications/{}/scorecards/selection", run.files[0]);
    let mut out_of_scale = scores(10);
    out_of_scale["scores"]["efficiency"] = json!(21);
    out_of_scale["scores"]["ghost"] = json!(3);
    let problem = assert_problem(app.request(Method::PUT, &path).json(&out_of_scale).bearer_auth(&juror.token).send().await.unwrap(), 422, "validation_failed").await;
    let codes: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["out_of_range", "unknown_criterion"]);
    let partial = json!({"scores": {"efficiency": 12}});
    assert_eq!(app.request(Method::PUT, &path).json(&partial).bearer_auth(&juror.token).send().await.unwrap().status(), 200);
    let incomplete = app.post(&format!("{path}/submit"), &json!({})).bearer_auth(&juror.token).send().await.unwrap();
    assert_eq!(assert_problem(incomplete, 422, "validation_failed").await["errors"].as_array().unwrap().len(), 4);
    assert_eq!(score(&app, juror, &run.files[0], "selection", 14).await.status(), 200);

    // Once the card is submitted, the juror alone cannot withdraw it by declaring a conflict.
    let admin = &run.organization.admin.token;
    let conflicts_path = format!("/api/v1/applications/{}/conflicts", run.files[0]);
    let by_juror = app.post(&conflicts_path, &json!({"reason": "Lien familial avec le porteur."})).bearer_auth(&juror.token).send().await.unwrap();
    assert_problem(by_juror, 409, "scorecard_submitted").await;
    // Staff record it with their reason: the card is kept, withdrawn, and the audit says so.
    let declared = app.post(&conflicts_path, &json!({"reason": "Lien familial avec le porteur.", "user_id": juror.id})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(declared.status(), 201);
    // Its Location answers: staff read every conflict on the file, the juror their own, others nothing.
    let location = declared.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, conflicts_path);
    for token in [admin, &juror.token] {
        let listed = json(app.get(&location).bearer_auth(token).send().await.unwrap()).await;
        assert_eq!((listed.as_array().unwrap().len(), &listed[0]["user_id"]), (1, &json!(juror.id)));
    }
    let other_juror = run.jury.iter().find(|member| member.id != juror.id).unwrap();
    assert_eq!(json(app.get(&location).bearer_auth(&other_juror.token).send().await.unwrap()).await, json!([]));
    let stranger = app.create_user(&[Role::Jury]).await;
    assert_problem(app.get(&location).bearer_auth(&stranger.token).send().await.unwrap(), 404, "not_found").await;
    let cards = json(app.get(&format!("/api/v1/applications/{}/scorecards?round=selection", run.files[0])).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(cards.as_array().unwrap().len(), 1);
    assert_eq!(cards[0]["status"], "withdrawn");
    assert_eq!(cards[0]["scores"]["efficiency"], 14);
    let ranking = json(app.get(&format!("/api/v1/editions/{}/rankings?round=selection", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    let first = ranking.as_array().unwrap().iter().find(|file| file["application_id"] == json!(run.files[0])).unwrap();
    assert_eq!(first["scorecards"], 0, "a withdrawn card counts nowhere");
    let events = json(app.get("/api/v1/audit?action=jury.conflict_declared").bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(events["items"][0]["details"]["scorecards_withdrawn"], json!([cards[0]["id"]]));
    assert_eq!(events["items"][0]["details"]["recorded_by_staff"], true);
    let again = app.post(&format!("/api/v1/applications/{}/conflicts", run.files[0]), &json!({"reason": "Lien familial avec le porteur.", "user_id": juror.id})).bearer_auth(admin).send().await.unwrap();
    assert_problem(again, 409, "conflict_already_declared").await;
    let conflicts = json(app.get(&format!("/api/v1/editions/{}/conflicts", run.edition)).bearer_auth(admin).send().await.unwrap()).await["items"].clone();
    assert_eq!(conflicts[0]["user_id"], json!(juror.id));
    // The audition round is not open yet.
    assert_problem(score(&app, juror, &run.files[1], "audition", 10).await, 404, "not_found").await;
});

api_test!(async fn composition_departures_need_a_reason_to_open_the_auditions(app) {
    let run = prepare(&app).await;
    let admin = &run.organization.admin.token;
    let removed = app.request(Method::DELETE, &format!("/api/v1/editions/{}/jury/{}", run.edition, run.jury[2].id)).bearer_auth(admin).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    let findings = json(app.get(&format!("/api/v1/editions/{}/jury/composition-check", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    let codes: Vec<&str> = findings.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["qualified_personalities", "previous_laureate"]);
    // Said in French, or in English when asked.
    assert_eq!(findings[0]["message"], "Personnalités qualifiées : 3 attendu, 2 en place.");
    let english = json(app.get(&format!("/api/v1/editions/{}/jury/composition-check", run.edition)).bearer_auth(admin).header("accept-language", "en").send().await.unwrap()).await;
    assert_eq!(english[1]["message"], "Qualified personalities who are the previous laureate: expected 1, found 0.");
    // No scores yet: the proposal is empty, any shortlist needs a reason — and so does the jury.
    let shortlist = json!({"application_ids": run.files[..5], "reason": "Le jury a délibéré sans grille."});
    let response = app.post(&format!("/api/v1/editions/{}/shortlist", run.edition), &shortlist).bearer_auth(admin).send().await.unwrap();
    assert_eq!(json(response).await["status"], "audition", "a reason covers both departures");
    let transitions = json(app.get(&format!("/api/v1/audit?action=edition.transitioned&target_id={}", run.edition)).bearer_auth(&app.create_platform_admin().await.token).send().await.unwrap()).await;
    assert_eq!(transitions["items"][0]["details"]["forced"], true);
});

api_test!(async fn reviewers_are_assigned_evenly_and_never_when_conflicted(app) {
    let run = prepare(&app).await;
    let admin = &run.organization.admin.token;
    let conflicted = &run.jury[0];
    app.post(&format!("/api/v1/applications/{}/conflicts", run.files[0]), &json!({"reason": "Ancien trésorier de la structure."})).bearer_auth(&conflicted.token).send().await.unwrap();
    let assigned = json(app.post(&format!("/api/v1/editions/{}/assignments", run.edition), &json!({"round": "selection", "reviewers_per_file": 3})).bearer_auth(admin).send().await.unwrap()).await;
    let rows = assigned.as_array().unwrap();
    assert_eq!(rows.len(), 18, "three reviewers for each of the six files");
    let mut load = std::collections::HashMap::new();
    for row in rows {
        *load.entry(row["user_id"].as_str().unwrap().to_owned()).or_insert(0) += 1;
        assert!(!(row["application_id"] == json!(run.files[0]) && row["user_id"] == json!(conflicted.id)), "a conflicted member is never assigned");
    }
    let (min, max) = (load.values().min().unwrap(), load.values().max().unwrap());
    assert!(max - min <= 1, "balanced load: {load:?}");

    // A member scores only what they are assigned.
    let files = json(app.get(&format!("/api/v1/editions/{}/jury/files?round=selection", run.edition)).bearer_auth(&run.jury[1].token).send().await.unwrap()).await["items"].clone();
    let not_mine = files.as_array().unwrap().iter().find(|file| file["to_score"] == false).unwrap()["application_id"].as_str().unwrap().to_owned();
    assert_problem(score(&app, &run.jury[1], &not_mine, "selection", 12).await, 409, "not_assigned").await;
    // Adjusted by hand.
    let path = format!("/api/v1/editions/{}/assignments/{not_mine}/{}?round=selection", run.edition, run.jury[1].id);
    assert_eq!(app.request(Method::PUT, &path).bearer_auth(admin).send().await.unwrap().status(), 204);
    assert_eq!(score(&app, &run.jury[1], &not_mine, "selection", 12).await.status(), 200);
    let forbidden = format!("/api/v1/editions/{}/assignments/{}/{}?round=selection", run.edition, run.files[0], conflicted.id);
    assert_problem(app.request(Method::PUT, &forbidden).bearer_auth(admin).send().await.unwrap(), 409, "conflict_of_interest").await;
    assert_eq!(app.request(Method::DELETE, &path).bearer_auth(admin).send().await.unwrap().status(), 204);
    let ranking = json(app.get(&format!("/api/v1/editions/{}/rankings?round=selection", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    assert!(ranking.as_array().unwrap().iter().all(|file| file["missing"].as_u64().unwrap() <= 3));
});

api_test!(async fn category_prizes_take_mentions_where_allowed(app) {
    let run = prepare(&app).await;
    let admin = &run.organization.admin.token;
    // A CRESS-style edition: a sponsored category decided by the jury, with mentions.
    let edition = json(app.post(&format!("/api/v1/organizations/{}/editions", run.organization.id), &json!({
        "number": 1, "year": 2023, "title": "Graines de l'innovation sociale",
        "action_window": {"start": "2024-01-01", "end": "2025-12-31"}, "calendar": open_calendar(),
        "prizes": [{"kind": "category", "name": "Entreprise inclusive", "sponsors": ["Agefiph", "Adepei63"], "pool": "eligible", "mentions_allowed": true}]
    })).bearer_auth(admin).send().await.unwrap()).await;
    let (edition_id, category) = (edition["id"].as_str().unwrap().to_owned(), edition["prizes"][0]["id"].as_str().unwrap().to_owned());
    let step = |to: &str| app.post(&format!("/api/v1/editions/{edition_id}/transitions"), &json!({"to": to, "reason": "Calendrier de démonstration."})).bearer_auth(admin).send();
    assert_eq!(step("applications_open").await.unwrap().status(), 200);
    let mut files = Vec::new();
    for applicant in &run.applicants[..3] {
        let created = json(app.post(&format!("/api/v1/editions/{edition_id}/applications"), &complete_file()).bearer_auth(&applicant.token).send().await.unwrap()).await;
        let id = created["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/applications/{id}/submit"), &json!({})).bearer_auth(&applicant.token).send().await.unwrap();
        app.post(&format!("/api/v1/applications/{id}/review"), &json!({"decision": "eligible"})).bearer_auth(admin).send().await.unwrap();
        files.push(id);
    }
    let early = app.post(&format!("/api/v1/prizes/{category}/decision"), &json!({"laureate": files[0]})).bearer_auth(admin).send().await.unwrap();
    assert_problem(early, 409, "decisions_closed").await;
    assert_eq!(step("selection").await.unwrap().status(), 200);
    assert_eq!(step("audition").await.unwrap().status(), 200);
    let decided = app.post(&format!("/api/v1/prizes/{category}/decision"), &json!({"laureate": files[0], "mentions": [files[2]]})).bearer_auth(admin).send().await.unwrap();
    let decided = json(decided).await;
    assert_eq!((decided["laureate_id"].as_str(), &decided["mentions"]), (Some(files[0].as_str()), &json!([files[2]])));
    let read = json(app.get(&format!("/api/v1/prizes/{category}/decision")).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(read, decided);

    // On the running edition: ballot prizes are not the jury's; the jury prize has no mentions.
    let prizes = json(app.get(&format!("/api/v1/editions/{}", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    let prize_of = |kind: &str| prizes["prizes"].as_array().unwrap().iter().find(|p| p["kind"] == kind).unwrap()["id"].as_str().unwrap().to_owned();
    let shortlist = json!({"application_ids": run.files[..5], "reason": "Le jury a délibéré sans grille."});
    app.post(&format!("/api/v1/editions/{}/shortlist", run.edition), &shortlist).bearer_auth(admin).send().await.unwrap();
    let decide = |prize: String, body: Value| app.post(&format!("/api/v1/prizes/{prize}/decision"), &body).bearer_auth(admin).send();
    assert_problem(decide(prize_of("public"), json!({"laureate": run.files[0]})).await.unwrap(), 409, "decided_by_ballot").await;
    let mentions = decide(prize_of("jury"), json!({"laureate": run.files[0], "mentions": [run.files[1]]})).await.unwrap();
    assert_eq!(assert_problem(mentions, 422, "validation_failed").await["errors"][0]["field"], "mentions");
    assert_problem(decide(prize_of("jury"), json!({"laureate": run.files[0]})).await.unwrap(), 409, "no_ranking").await;
    assert_problem(decide(prize_of("jury"), json!({"laureate": run.files[5]})).await.unwrap(), 422, "validation_failed").await;
    // A jury that deliberated without scoring: its decision stands with the reason written.
    let deliberated = decide(prize_of("jury"), json!({"laureate": run.files[0], "reason": "Le jury a délibéré sur les dossiers, sans grille."})).await.unwrap();
    assert_eq!(deliberated.status(), 200);
});

api_test!(async fn the_president_sees_no_ranking_before_their_own_cards(app) {
    let run = prepare(&app).await;
    let president = &run.jury[0];
    let others = &run.jury[1..];
    let rankings = format!("/api/v1/editions/{}/rankings?round=selection", run.edition);
    let csv = format!("/api/v1/editions/{}/rankings.csv?round=selection", run.edition);
    // Another juror scored file 0; the president has no card at all.
    assert_eq!(score(&app, &others[0], &run.files[0], "selection", 17).await.status(), 200);
    for path in [&rankings, &csv] {
        let refused = app.get(path).bearer_auth(&president.token).send().await.unwrap();
        assert_problem(refused, 409, "own_scorecard_pending").await;
    }
    // Some of their cards are not enough.
    for file in &run.files[..5] {
        assert_eq!(score(&app, president, file, "selection", 12).await.status(), 200);
    }
    assert_problem(app.get(&rankings).bearer_auth(&president.token).send().await.unwrap(), 409, "own_scorecard_pending").await;
    // A conflict declared before scoring takes the file out of what they owe and see.
    let declared = app.post(&format!("/api/v1/applications/{}/conflicts", run.files[5]), &json!({"reason": "Membre du conseil d'administration."})).bearer_auth(&president.token).send().await.unwrap();
    assert_eq!(declared.status(), 201);
    let ranking = json(app.get(&rankings).bearer_auth(&president.token).send().await.unwrap()).await;
    let seen: Vec<&str> = ranking.as_array().unwrap().iter().map(|file| file["application_id"].as_str().unwrap()).collect();
    assert_eq!(seen.len(), 5);
    assert!(!seen.contains(&run.files[5].as_str()));
    // Ranked among what they see: no rank counts the hidden file.
    let ranks: Vec<u64> = ranking.as_array().unwrap().iter().filter_map(|file| file["rank"].as_u64()).collect();
    assert!(ranks.contains(&1) && ranks.iter().all(|rank| *rank <= 5), "{ranks:?}");
    let csv_text = app.get(&csv).bearer_auth(&president.token).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv_text.lines().count(), 6, "{csv_text}");
    assert!(!csv_text.contains(&run.files[5]));
    // Staff see everything at any time.
    let staff = json(app.get(&rankings).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(staff.as_array().unwrap().len(), 6);
});

api_test!(async fn an_erased_juror_leaves_their_submitted_cards(app) {
    let run = prepare(&app).await;
    let juror = &run.jury[6];
    assert_eq!(score(&app, juror, &run.files[0], "selection", 18).await.status(), 200);
    let admin = &run.organization.admin.token;
    let rankings = format!("/api/v1/editions/{}/rankings?round=selection", run.edition);
    let before = json(app.get(&rankings).bearer_auth(admin).send().await.unwrap()).await;
    let erased = app.request(Method::DELETE, "/api/v1/me").json(&json!({"password": PASSWORD})).bearer_auth(&juror.token).send().await.unwrap();
    assert_eq!(erased.status(), 204);
    assert_problem(app.login(&juror.email, PASSWORD).await, 401, "invalid_credentials").await;
    let cards = json(app.get(&format!("/api/v1/applications/{}/scorecards?round=selection", run.files[0])).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(cards.as_array().unwrap().len(), 1);
    assert_eq!((&cards[0]["status"], &cards[0]["user_id"]), (&json!("submitted"), &json!(juror.id)));
    assert_eq!(json(app.get(&rankings).bearer_auth(admin).send().await.unwrap()).await, before);
    // The person is anonymised: nothing of their address or name is left.
    let platform = app.create_platform_admin().await;
    let account = json(app.get(&format!("/api/v1/users/{}", juror.id)).bearer_auth(&platform.token).send().await.unwrap()).await;
    assert_eq!((&account["display_name"], &account["disabled"], &account["roles"]), (&json!("Compte supprimé"), &json!(true), &json!([])));
    assert!(!account["email"].as_str().unwrap().contains(juror.email.split('@').next().unwrap()));
});

api_test!(async fn the_previous_laureate_is_one_of_the_previous_edition_s_laureates(app) {
    let (run, _) = shortlisted(&app, "jury").await;
    let admin = &run.organization.admin.token;
    crate::ballots::to_ceremony(&app, &run).await;
    // The jury's prize goes to the first file: its applicant is the laureate.
    let published = crate::ballots::publish_results(&app, &run).await;
    let number = published["number"].as_i64().unwrap() as i32;
    let next = app.create_numbered_edition(&run.organization, number + 1, open_calendar()).await;
    let next = next["id"].as_str().unwrap();
    let laureate = &run.applicants[0];
    let platform = app.create_platform_admin().await;
    let granted = app.patch(&format!("/api/v1/users/{}", laureate.id), &json!({"roles": ["applicant", "jury"]})).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(granted.status(), 200);
    let seat = |user: &TestUser, body: Value| app.request(Method::PUT, &format!("/api/v1/editions/{next}/jury/{}", user.id)).json(&body).bearer_auth(admin).send();
    let stranger = app.create_user(&[Role::Jury]).await;
    let as_laureate = json!({"seat": "qualified_personality", "previous_laureate": true});
    let refused = assert_problem(seat(&stranger, as_laureate.clone()).await.unwrap(), 409, "not_previous_laureate").await;
    assert!(refused["detail"].as_str().unwrap().contains(&format!("édition {number}")), "{refused}");
    let elsewhere = seat(laureate, json!({"seat": "councillor", "previous_laureate": true})).await.unwrap();
    assert_problem(elsewhere, 409, "not_previous_laureate").await;
    let seated = seat(laureate, as_laureate).await.unwrap();
    assert_eq!(json(seated).await["previous_laureate"], true);
    // The stranger sits as a qualified personality, not as the laureate.
    let seated = seat(&stranger, json!({"seat": "qualified_personality", "previous_laureate": false})).await.unwrap();
    assert_eq!(seated.status(), 200);
    let members = json(app.get(&format!("/api/v1/editions/{next}/jury")).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(members.as_array().unwrap().iter().filter(|m| m["previous_laureate"] == true).count(), 1);

    // Seated while the previous edition was a draft, then that draft renumbered out of the
    // way: the composition check looks again, and finds the member is not a laureate.
    let later = app.create_numbered_edition(&run.organization, number + 2, open_calendar()).await;
    let later = later["id"].as_str().unwrap();
    let seat_later = app.request(Method::PUT, &format!("/api/v1/editions/{later}/jury/{}", stranger.id)).json(&json!({"seat": "qualified_personality", "previous_laureate": true})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(seat_later.status(), 200);
    let (app_ref, admin_ref) = (&app, admin);
    let check = |edition: String| async move { json(app_ref.get(&format!("/api/v1/editions/{edition}/jury/composition-check")).bearer_auth(admin_ref).send().await.unwrap()).await };
    let codes = |findings: Value| findings.as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert!(!codes(check(later.to_owned()).await).contains(&"previous_laureate_unverified".to_owned()));
    let renumbered = app.patch(&format!("/api/v1/editions/{next}"), &json!({"number": number + 10})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(renumbered.status(), 200);
    assert!(codes(check(later.to_owned()).await).contains(&"previous_laureate_unverified".to_owned()));
});
