//! Every refusal an operation documents is answered by it, in the state that calls for it:
//! the refusals not already met along the journeys of the other tests.
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::{
    applications::{Setup, complete_file, draft, setup, submitted},
    attachments::{PDF, form, upload},
    ballots::{publish_results, to_ceremony},
    helpers::*,
    jury::{prepare, score, shortlisted},
};

async fn send(app: &TestApp, method: Method, path: &str, body: Value, token: &str) -> Response {
    app.request(method, path)
        .json(&body)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn transition(app: &TestApp, setup: &Setup, to: &str, reason: Option<&str>) -> Response {
    let mut body = json!({"to": to});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    send(
        app,
        Method::POST,
        &format!("/api/v1/editions/{}/transitions", setup.edition_id),
        body,
        &setup.organization.admin.token,
    )
    .await
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

api_test!(async fn an_application_refuses_each_step_out_of_its_time(app) {
    let setup = setup(&app).await;
    let applicant = setup.applicant.token.clone();
    let admin = setup.organization.admin.token.clone();
    let file = id(&submitted(&app, &setup, &complete_file()).await);
    let unsent = id(&json(draft(&app, &setup, &complete_file()).await).await);
    upload(&app, &applicant, &unsent, form("budget.pdf", PDF, "application/pdf")).await;
    let attachment = json(app.get(&format!("/api/v1/applications/{unsent}/attachments")).bearer_auth(&applicant).send().await.unwrap()).await;
    let attachment = attachment["items"].as_array().or(attachment.as_array()).unwrap()[0]["id"].as_str().unwrap().to_owned();

    // While applications are open: a submitted file is no draft, a draft is not reviewed.
    let submit_again = send(&app, Method::POST, &format!("/api/v1/applications/{file}/submit"), json!({}), &applicant).await;
    assert_problem(submit_again, 409, "not_a_draft").await;
    let file_attachment = send(&app, Method::DELETE, &format!("/api/v1/attachments/{attachment}"), json!({}), &applicant).await;
    assert_eq!(file_attachment.status(), 204);
    upload(&app, &applicant, &unsent, form("budget.pdf", PDF, "application/pdf")).await;
    let listed = json(app.get(&format!("/api/v1/applications/{unsent}/attachments")).bearer_auth(&applicant).send().await.unwrap()).await;
    let attachment = listed["items"].as_array().or(listed.as_array()).unwrap()[0]["id"].as_str().unwrap().to_owned();
    let review = send(&app, Method::POST, &format!("/api/v1/applications/{unsent}/review"), json!({"decision": "eligible"}), &admin).await;
    assert_problem(review, 409, "not_submitted").await;

    // Once the application phase is over, nothing changes any more.
    assert_eq!(transition(&app, &setup, "selection", Some("Sélection anticipée pour le test.")).await.status(), 200);
    let update = send(&app, Method::PATCH, &format!("/api/v1/applications/{unsent}"), json!({"summary": "Trop tard."}), &applicant).await;
    assert_problem(update, 409, "applications_closed").await;
    let late_upload = upload(&app, &applicant, &unsent, form("late.pdf", PDF, "application/pdf")).await;
    assert_problem(late_upload, 409, "applications_closed").await;
    let late_delete = send(&app, Method::DELETE, &format!("/api/v1/attachments/{attachment}"), json!({}), &applicant).await;
    assert_problem(late_delete, 409, "applications_closed").await;
    let reopen = send(&app, Method::POST, &format!("/api/v1/applications/{file}/reopen"), json!({"reason": "Une pièce manquait au dossier."}), &admin).await;
    assert_problem(reopen, 409, "applications_closed").await;

    // After the selection, a file can no longer be withdrawn.
    assert_eq!(transition(&app, &setup, "audition", Some("Auditions sans liste restreinte pour le test.")).await.status(), 200);
    let withdraw = send(&app, Method::POST, &format!("/api/v1/applications/{file}/withdraw"), json!({}), &applicant).await;
    assert_problem(withdraw, 409, "withdrawal_closed").await;
});

api_test!(async fn attachments_of_a_submitted_file_stay(app) {
    let setup = setup(&app).await;
    let applicant = setup.applicant.token.clone();
    let unsent = id(&json(draft(&app, &setup, &complete_file()).await).await);
    upload(&app, &applicant, &unsent, form("budget.pdf", PDF, "application/pdf")).await;
    let listed = json(app.get(&format!("/api/v1/applications/{unsent}/attachments")).bearer_auth(&applicant).send().await.unwrap()).await;
    let attachment = listed["items"].as_array().or(listed.as_array()).unwrap()[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(send(&app, Method::POST, &format!("/api/v1/applications/{unsent}/submit"), json!({}), &applicant).await.status(), 200);
    let delete = send(&app, Method::DELETE, &format!("/api/v1/attachments/{attachment}"), json!({}), &applicant).await;
    assert_problem(delete, 409, "not_a_draft").await;
});

api_test!(async fn an_edition_refuses_what_its_stage_forbids(app) {
    let setup = setup(&app).await;
    let admin = setup.organization.admin.token.clone();
    let edition = json(app.get(&format!("/api/v1/editions/{}", setup.edition_id)).bearer_auth(&admin).send().await.unwrap()).await;
    let prize = &edition["prizes"][0];
    let prize_id = id(prize);

    // Prizes are set while the edition is a draft.
    let spec = json!({"kind": prize["kind"], "name": "Prix renommé"});
    assert_problem(send(&app, Method::PUT, &format!("/api/v1/prizes/{prize_id}"), spec, &admin).await, 409, "edition_locked").await;
    assert_problem(send(&app, Method::DELETE, &format!("/api/v1/prizes/{prize_id}"), json!({}), &admin).await, 409, "edition_locked").await;

    // The shortlist belongs to the selection; reviewers need a jury.
    let shortlist = json!({"application_ids": [], "reason": "Le jury a délibéré sans grille."});
    assert_problem(send(&app, Method::POST, &format!("/api/v1/editions/{}/shortlist", setup.edition_id), shortlist, &admin).await, 409, "not_in_selection").await;
    assert_eq!(transition(&app, &setup, "selection", Some("Sélection anticipée pour le test.")).await.status(), 200);
    let assign = json!({"round": "selection", "reviewers_per_file": 3});
    assert_problem(send(&app, Method::POST, &format!("/api/v1/editions/{}/assignments", setup.edition_id), assign, &admin).await, 409, "no_jury").await;

    // No audition without a shortlist, unless a reason is written.
    assert_problem(transition(&app, &setup, "audition", None).await, 409, "no_shortlist").await;
});

api_test!(async fn an_edition_opens_with_a_prize_and_keeps_its_number(app) {
    let organization = app.create_organization("ceser-ara").await;
    let admin = organization.admin.token.clone();
    let sixth = app.create_numbered_edition(&organization, 6, open_calendar()).await;
    let seventh = app.create_numbered_edition(&organization, 7, open_calendar()).await;
    let renumber = send(&app, Method::PATCH, &format!("/api/v1/editions/{}", id(&seventh)), json!({"number": 6}), &admin).await;
    assert_problem(renumber, 409, "edition_number_taken").await;

    for prize in sixth["prizes"].as_array().unwrap() {
        let removed = send(&app, Method::DELETE, &format!("/api/v1/prizes/{}", id(prize)), json!({}), &admin).await;
        assert_eq!(removed.status(), 204);
    }
    let open = send(&app, Method::POST, &format!("/api/v1/editions/{}/transitions", id(&sixth)), json!({"to": "applications_open"}), &admin).await;
    assert_problem(open, 409, "no_prizes").await;
});

api_test!(async fn an_organization_keeps_its_short_name(app) {
    app.create_organization("ceser-ara").await;
    let second = app.create_organization("cress-ara").await;
    let platform = app.create_platform_admin().await;
    let body = json!({
        "short_name": "ceser-ara", "name": "CRESS Auvergne-Rhône-Alpes", "region": "Auvergne-Rhône-Alpes",
        "default_departements": ["69"], "contact_email": "prix@cress-ara.example.fr"
    });
    let renamed = send(&app, Method::PUT, &format!("/api/v1/organizations/{}", second.id), body, &platform.token).await;
    assert_problem(renamed, 409, "short_name_taken").await;
});

api_test!(async fn the_jury_refuses_scoring_out_of_turn(app) {
    let run = prepare(&app).await;
    let admin = run.organization.admin.token.clone();
    let (juror, other) = (&run.jury[3], &run.jury[4]);
    let file = &run.files[1];

    // A conflict is declared once, and not after one's scorecard is submitted.
    let conflicts = format!("/api/v1/applications/{}/conflicts", run.files[0]);
    let reason = json!({"reason": "Je préside cette association."});
    assert_eq!(send(&app, Method::POST, &conflicts, reason.clone(), &juror.token).await.status(), 201);
    assert_problem(send(&app, Method::POST, &conflicts, reason.clone(), &juror.token).await, 409, "conflict_already_declared").await;
    let submit_conflicted = send(&app, Method::POST, &format!("/api/v1/applications/{}/scorecards/selection/submit", run.files[0]), json!({}), &juror.token).await;
    assert_problem(submit_conflicted, 409, "conflict_of_interest").await;
    assert_eq!(score(&app, other, file, "selection", 12).await.status(), 200);
    let late_conflict = send(&app, Method::POST, &format!("/api/v1/applications/{file}/conflicts"), reason, &other.token).await;
    assert_problem(late_conflict, 409, "scorecard_submitted").await;
    let submit_again = send(&app, Method::POST, &format!("/api/v1/applications/{file}/scorecards/selection/submit"), json!({}), &other.token).await;
    assert_problem(submit_again, 409, "scorecard_submitted").await;

    // Staff reopen submitted scorecards only.
    let saved = send(&app, Method::PUT, &format!("/api/v1/applications/{}/scorecards/selection", run.files[2]), json!({"scores": {"general_interest": 10}}), &juror.token).await;
    assert_eq!(saved.status(), 200);
    let card = id(&json(saved).await);
    let reopen = send(&app, Method::POST, &format!("/api/v1/scorecards/{card}/reopen"), json!({"reason": "Le juré s'est trompé de dossier."}), &admin).await;
    assert_problem(reopen, 409, "scorecard_not_submitted").await;

    // With reviewers assigned, a juror scores the files given to them only.
    let assign = json!({"round": "selection", "reviewers_per_file": 1});
    assert_eq!(send(&app, Method::POST, &format!("/api/v1/editions/{}/assignments", run.edition), assign, &admin).await.status(), 200);
    let mut refused = 0;
    for file in &run.files[3..] {
        let response = send(&app, Method::POST, &format!("/api/v1/applications/{file}/scorecards/selection/submit"), json!({}), &run.jury[5].token).await;
        if response.status() == 409 {
            assert_problem(response, 409, "not_assigned").await;
            refused += 1;
        }
    }
    assert!(refused > 0, "one reviewer per file leaves files to others");
});

api_test!(async fn the_selection_is_not_scored_during_the_auditions(app) {
    let (run, prize) = shortlisted(&app, "jury").await;
    let outside = &run.files[5];
    let juror = &run.jury[3];
    let save = send(&app, Method::PUT, &format!("/api/v1/applications/{outside}/scorecards/selection"), json!({"scores": {"general_interest": 10}}), &juror.token).await;
    assert_problem(save, 409, "scoring_closed").await;
    let submit = send(&app, Method::POST, &format!("/api/v1/applications/{outside}/scorecards/selection/submit"), json!({}), &juror.token).await;
    assert_problem(submit, 409, "scoring_closed").await;

    // A president conflicted on a candidate leaves the decision to staff.
    let president = &run.jury[0];
    let conflict = send(&app, Method::POST, &format!("/api/v1/applications/{}/conflicts", run.files[0]), json!({"reason": "Je préside cette association."}), &president.token).await;
    assert_eq!(conflict.status(), 201);
    for file in &run.files[1..5] {
        assert_eq!(score(&app, president, file, "audition", 14).await.status(), 200);
    }
    let decide = send(&app, Method::POST, &format!("/api/v1/prizes/{prize}/decision"), json!({"laureate": run.files[1]}), &president.token).await;
    assert_problem(decide, 409, "president_conflicted").await;
});

api_test!(async fn ballots_open_at_their_stage_only(app) {
    let run = prepare(&app).await;
    let edition = json(app.get(&format!("/api/v1/editions/{}", run.edition)).send().await.unwrap()).await;
    let prize_of = |kind: &str| id(edition["prizes"].as_array().unwrap().iter().find(|p| p["kind"] == kind).unwrap());
    let open = send(&app, Method::POST, &format!("/api/v1/prizes/{}/ballot/open", prize_of("councillors")), json!({}), &run.organization.admin.token).await;
    assert_problem(open, 409, "edition_not_voting").await;
    let code = app.post(&format!("/api/v1/prizes/{}/voter-verifications", prize_of("public")), &json!({"email": "electeur@example.org"})).send().await.unwrap();
    assert_problem(code, 409, "ballot_not_open").await;
});

api_test!(async fn the_councillors_vote_at_the_ceremony_not_before(app) {
    let (run, prize) = shortlisted(&app, "councillors").await;
    let open = send(&app, Method::POST, &format!("/api/v1/prizes/{prize}/ballot/open"), json!({}), &run.organization.admin.token).await;
    assert_problem(open, 409, "edition_not_voting").await;
});

api_test!(async fn an_unverified_applicant_stores_no_attachment(app) {
    let organization = app.create_organization("ceser-ara").await;
    let edition = app.open_edition(&organization).await;
    let registered = app.post("/api/v1/auth/register", &json!({"email": "claire@example.fr", "password": PASSWORD, "display_name": "Claire Martin"})).send().await.unwrap();
    assert_eq!(registered.status(), 202);
    let token = json(app.login("claire@example.fr", PASSWORD).await).await["access_token"].as_str().unwrap().to_owned();
    let file = json(app.post(&format!("/api/v1/editions/{}/applications", id(&edition)), &complete_file()).bearer_auth(&token).send().await.unwrap()).await;
    let stored = upload(&app, &token, &id(&file), form("budget.pdf", PDF, "application/pdf")).await;
    assert_problem(stored, 409, "email_unverified").await;
});

api_test!(async fn a_shortlist_with_a_jury_off_the_rule_needs_a_reason(app) {
    let run = prepare(&app).await;
    let admin = run.organization.admin.token.clone();
    let removed = send(&app, Method::DELETE, &format!("/api/v1/editions/{}/jury/{}", run.edition, run.jury[1].id), json!({}), &admin).await;
    assert_eq!(removed.status(), 204);
    // One juror's scores make the proposed shortlist: the first five files.
    for (index, file) in run.files.iter().enumerate() {
        assert_eq!(score(&app, &run.jury[3], file, "selection", 18 - index as i32).await.status(), 200);
    }
    let shortlist = format!("/api/v1/editions/{}/shortlist", run.edition);
    let unexplained = send(&app, Method::POST, &shortlist, json!({"application_ids": run.files[..5]}), &admin).await;
    assert_problem(unexplained, 409, "jury_composition").await;
});

api_test!(async fn what_an_edition_decided_stays_once_its_results_are_out(app) {
    let (run, prize) = shortlisted(&app, "councillors").await;
    let admin = run.organization.admin.token.clone();
    let file = &run.files[0];
    // Eligibility is settled before the shortlist is drawn from it.
    let review = send(&app, Method::POST, &format!("/api/v1/applications/{file}/review"), json!({"decision": "ineligible", "reason": "Hors du territoire finalement."}), &admin).await;
    assert_problem(review, 409, "review_closed").await;
    let slot = json!({"starts_at": "2026-11-04T09:30:00+01:00", "place": "Salle du conseil, Lyon"});
    let audition = format!("/api/v1/applications/{file}/audition");
    assert_eq!(send(&app, Method::PUT, &audition, slot.clone(), &admin).await.status(), 200);
    to_ceremony(&app, &run).await;
    publish_results(&app, &run).await;
    assert_problem(send(&app, Method::PUT, &audition, slot, &admin).await, 409, "edition_closed").await;
    let hide = send(&app, Method::POST, &format!("/api/v1/applications/{file}/visibility"), json!({"public": false}), &admin).await;
    assert_problem(hide, 409, "edition_closed").await;
    let window = send(&app, Method::PUT, &format!("/api/v1/prizes/{prize}/ballot"), json!({"opens_at": null, "closes_at": null}), &admin).await;
    assert_problem(window, 409, "edition_closed").await;
});

api_test!(async fn the_jury_s_record_stays_once_the_results_are_out(app) {
    let (run, _) = shortlisted(&app, "jury").await;
    let admin = run.organization.admin.token.clone();
    let (edition, juror, application) = (&run.edition, &run.jury[3], &run.files[0]);
    let card = id(&json(score(&app, juror, application, "audition", 14).await).await);
    to_ceremony(&app, &run).await;
    publish_results(&app, &run).await;
    let closed = [
        (Method::PUT, format!("/api/v1/editions/{edition}/jury/{}", juror.id), json!({"seat": "councillor"})),
        (Method::DELETE, format!("/api/v1/editions/{edition}/jury/{}", juror.id), json!({})),
        (Method::POST, format!("/api/v1/editions/{edition}/assignments"), json!({"round": "audition", "reviewers_per_file": 2})),
        (Method::PUT, format!("/api/v1/editions/{edition}/assignments/{application}/{}?round=audition", juror.id), json!({})),
        (Method::DELETE, format!("/api/v1/editions/{edition}/assignments/{application}/{}?round=audition", juror.id), json!({})),
        (Method::POST, format!("/api/v1/scorecards/{card}/reopen"), json!({"reason": "Après la proclamation des résultats."})),
        (Method::POST, format!("/api/v1/applications/{application}/conflicts"), json!({"reason": "Après la proclamation des résultats.", "user_id": juror.id})),
    ];
    for (method, path, body) in closed {
        assert_problem(send(&app, method, &path, body, &admin).await, 409, "edition_closed").await;
    }
});

api_test!(async fn a_jury_has_one_president(app) {
    let run = prepare(&app).await;
    let second = send(&app, Method::PUT, &format!("/api/v1/editions/{}/jury/{}", run.edition, run.jury[3].id), json!({"seat": "president"}), &run.organization.admin.token).await;
    assert_problem(second, 409, "seat_taken").await;
    // The president keeps their own seat.
    let same = send(&app, Method::PUT, &format!("/api/v1/editions/{}/jury/{}", run.edition, run.jury[0].id), json!({"seat": "president"}), &run.organization.admin.token).await;
    assert_eq!(same.status(), 200);
});

api_test!(async fn an_upload_says_which_media_type_it_expects(app) {
    let setup = setup(&app).await;
    let unsent = id(&json(draft(&app, &setup, &complete_file()).await).await);
    let sent_as_json = send(&app, Method::POST, &format!("/api/v1/applications/{unsent}/attachments"), json!({}), &setup.applicant.token).await;
    let problem = assert_problem(sent_as_json, 415, "unsupported_media_type").await;
    assert_eq!(problem["detail"], "Le corps de la requête doit être envoyé au format multipart/form-data.");
});

api_test!(async fn staff_do_not_remove_themselves(app) {
    let organization = app.create_organization("ceser-ara").await;
    let admin = &organization.admin;
    let own = send(&app, Method::DELETE, &format!("/api/v1/organizations/{}/admins/{}", organization.id, admin.id), json!({}), &admin.token).await;
    assert_problem(own, 409, "cannot_lock_out_self").await;
});

api_test!(async fn an_unreadable_review_decision_is_an_error_not_pending(app) {
    let setup = setup(&app).await;
    let file = id(&submitted(&app, &setup, &complete_file()).await);
    app.execute("UPDATE applications SET review_decision = 'BOGUS'").await;
    let read = app.get(&format!("/api/v1/applications/{file}")).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_problem(read, 500, "internal_error").await;
});
