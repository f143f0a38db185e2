//! The councillors' ballot at the ceremony: secrecy, one vote each, results, laureates.
use prix_ceser::domain::Role;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    jury::{Run, shortlisted},
};

/// An edition at the ceremony with its five shortlisted applications, and the councillors'
/// prize (their ballot opens at the ceremony).
pub async fn ceremony(app: &TestApp) -> (Run, String) {
    let (run, prize) = shortlisted(app, "councillors").await;
    let path = format!("/api/v1/editions/{}/transitions", run.edition);
    // Its ceremony day (2099) has not come: the move needs a written reason.
    let early = app
        .post(&path, &json!({"to": "ceremony"}))
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_problem(early, 409, "ceremony_not_reached").await;
    to_ceremony(app, &run).await;
    (run, prize)
}

/// Councillors on the roster of the run's organization (invited, and accepted).
pub async fn councillors(app: &TestApp, run: &Run, count: usize) -> Vec<TestUser> {
    let mut seated = Vec::new();
    for _ in 0..count {
        let councillor = app.create_user(&[]).await;
        app.join_roster(&run.organization, &councillor, "Collège 2")
            .await;
        seated.push(councillor);
    }
    seated
}

pub async fn vote(app: &TestApp, prize: &str, voter: &TestUser, file: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/prizes/{prize}/votes"),
        &json!({"application_id": file}),
    )
    .bearer_auth(&voter.token)
    .send()
    .await
    .unwrap()
}

pub async fn staff(app: &TestApp, run: &Run, action: &str, prize: &str) -> Value {
    let response = app
        .post(&format!("/api/v1/prizes/{prize}/{action}"), &json!({}))
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{action}");
    json(response).await
}

/// Publishes the results of the run's edition, at the ceremony, once every prize the test left
/// open is settled: the jury's (or a category's) decided by staff with a reason, a ballot never
/// opened opened then closed. A ballot still open closes with the edition.
pub async fn publish_results(app: &TestApp, run: &Run) -> Value {
    let admin = &run.organization.admin.token;
    let edition = json(
        app.get(&format!("/api/v1/editions/{}", run.edition))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    for prize in edition["prizes"].as_array().unwrap() {
        let id = prize["id"].as_str().unwrap();
        if matches!(prize["kind"].as_str(), Some("jury" | "category")) {
            let decision =
                json!({"laureate": run.files[0], "reason": "Le jury a délibéré pour ce test."});
            let decided = app
                .post(&format!("/api/v1/prizes/{id}/decision"), &decision)
                .bearer_auth(admin)
                .send()
                .await
                .unwrap();
            assert!(
                decided.status().is_success() || decided.status() == 409,
                "{}",
                decided.text().await.unwrap()
            );
            continue;
        }
        let ballot = json(
            app.get(&format!("/api/v1/prizes/{id}/ballot"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if ballot["state"] == "scheduled" {
            staff(app, run, "ballot/open", id).await;
            staff(app, run, "ballot/close", id).await;
        }
    }
    let published = app
        .post(
            &format!("/api/v1/editions/{}/transitions", run.edition),
            &json!({"to": "results_published"}),
        )
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        published.status(),
        200,
        "{}",
        published.text().await.unwrap()
    );
    json(published).await
}

/// Moves the run's edition to the ceremony, earlier than its date, with a reason.
pub async fn to_ceremony(app: &TestApp, run: &Run) {
    let moved = app
        .post(
            &format!("/api/v1/editions/{}/transitions", run.edition),
            &json!({"to": "ceremony", "reason": "La cérémonie est avancée pour les essais."}),
        )
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
}

/// The councillors' ballot at the ceremony, open, its two votes tied between the first two files.
async fn tied_at_the_ceremony(app: &TestApp) -> (Run, String) {
    let (run, prize) = ceremony(app).await;
    let voters = councillors(app, &run, 2).await;
    staff(app, &run, "ballot/open", &prize).await;
    assert_eq!(
        vote(app, &prize, &voters[0], &run.files[0]).await.status(),
        201
    );
    assert_eq!(
        vote(app, &prize, &voters[1], &run.files[1]).await.status(),
        201
    );
    (run, prize)
}

api_test!(async fn the_results_are_published_once_every_prize_is_settled(app) {
    let (run, prize) = tied_at_the_ceremony(&app).await;
    let admin = &run.organization.admin.token;
    let publish = || app.post(&format!("/api/v1/editions/{}/transitions", run.edition), &json!({"to": "results_published"})).bearer_auth(admin).send();
    // The jury has not decided, the public ballot never opened, the councillors' is tied.
    let refused = assert_problem(publish().await.unwrap(), 409, "prizes_undecided").await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(["Prix des conseillers", "Prix du jury", "Prix du public"].iter().all(|name| detail.contains(name)), "{detail}");
    // Nothing of the refused move stays: the edition is at the ceremony, the ballot open.
    let edition = json(app.get(&format!("/api/v1/editions/{}", run.edition)).bearer_auth(admin).send().await.unwrap()).await;
    assert_eq!(edition["status"], "ceremony");
    assert_eq!(json(app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap()).await["state"], "open");
    staff(&app, &run, "ballot/close", &prize).await;
    let jury_prize = edition["prizes"].as_array().unwrap().iter().find(|p| p["kind"] == "jury").unwrap()["id"].as_str().unwrap().to_owned();
    let decided = app.post(&format!("/api/v1/prizes/{jury_prize}/decision"), &json!({"laureate": run.files[2], "reason": "Le jury a délibéré après les auditions."})).bearer_auth(admin).send().await.unwrap();
    assert!(decided.status().is_success(), "{}", decided.text().await.unwrap());
    let public_prize = edition["prizes"].as_array().unwrap().iter().find(|p| p["kind"] == "public").unwrap()["id"].as_str().unwrap().to_owned();
    staff(&app, &run, "ballot/open", &public_prize).await;
    staff(&app, &run, "ballot/close", &public_prize).await;
    // The public ballot nobody voted in is settled, without a laureate; the tie is not.
    let refused = assert_problem(publish().await.unwrap(), 409, "prizes_undecided").await;
    assert_eq!(refused["detail"].as_str().unwrap().matches("Prix").count(), 1, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("Prix des conseillers"));
    let tie_break = json!({"application_id": run.files[1], "reason": "Tirage au sort en séance."});
    assert_eq!(app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &tie_break).bearer_auth(admin).send().await.unwrap().status(), 200);
    // Publications racing each other, and the jury's decision changed while they run: one
    // publication, and no decision after it.
    let change = json!({"laureate": run.files[3], "reason": "Le jury a changé d'avis en séance."});
    let publications = futures::future::join_all((0..4).map(|_| publish()));
    let changes = futures::future::join_all((0..6).map(|_| app.post(&format!("/api/v1/prizes/{jury_prize}/decision"), &change).bearer_auth(admin).send()));
    let (publications, changes) = tokio::join!(publications, changes);
    let statuses: Vec<u16> = publications.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(changes.into_iter().all(|r| matches!(r.unwrap().status().as_u16(), 200 | 409)));
    let platform = app.create_platform_admin().await;
    let events = json(app.get(&format!("/api/v1/audit?target_id={}&action=edition.transitioned", run.edition)).bearer_auth(&platform.token).send().await.unwrap()).await;
    let published: Vec<i64> = events["items"].as_array().unwrap().iter().filter(|e| e["details"]["to"] == "results_published").map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(published.len(), 1, "{events}");
    let decisions = json(app.get(&format!("/api/v1/audit?target_id={jury_prize}&action=prize.decided")).bearer_auth(&platform.token).send().await.unwrap()).await;
    assert!(decisions["items"].as_array().unwrap().iter().all(|e| e["seq"].as_i64().unwrap() < published[0]), "{decisions}");
    // What the edition published stays: no tie is broken again.
    let again = json!({"application_id": run.files[0], "reason": "Changement après la publication."});
    assert_problem(app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &again).bearer_auth(admin).send().await.unwrap(), 409, "edition_closed").await;
});

api_test!(async fn a_tie_break_racing_the_ballot_s_publication_is_published_or_refused(app) {
    let (run, prize) = tied_at_the_ceremony(&app).await;
    let admin = &run.organization.admin.token;
    staff(&app, &run, "ballot/close", &prize).await;
    let first = json!({"application_id": run.files[0], "reason": "Tirage au sort en séance."});
    assert_eq!(app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &first).bearer_auth(admin).send().await.unwrap().status(), 200);
    let other = json!({"application_id": run.files[1], "reason": "Second tirage au sort en séance."});
    let breaks = futures::future::join_all((0..6).map(|_| app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &other).bearer_auth(admin).send()));
    let publication = app.post(&format!("/api/v1/prizes/{prize}/results/publish"), &json!({})).bearer_auth(admin).send();
    let (breaks, publication) = tokio::join!(breaks, publication);
    assert_eq!(publication.unwrap().status(), 200);
    assert!(breaks.into_iter().all(|r| matches!(r.unwrap().status().as_u16(), 200 | 409)));
    // The winner the publication announced is the winner the results show.
    let platform = app.create_platform_admin().await;
    let events = json(app.get(&format!("/api/v1/audit?target_id={prize}&action=ballot.published")).bearer_auth(&platform.token).send().await.unwrap()).await;
    let results = json(app.get(&format!("/api/v1/prizes/{prize}/results")).send().await.unwrap()).await;
    assert_eq!(events["items"][0]["details"]["winner"], results["winner"], "{events} {results}");
});

api_test!(async fn the_councillors_vote_at_the_ceremony(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 4).await;
    let (a, b) = (run.files[0].as_str(), run.files[1].as_str());

    let response = app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let ballot = json(response).await;
    assert_eq!((ballot["state"].as_str(), ballot["candidates"].as_array().unwrap().len()), (Some("scheduled"), 5));
    let cached = app.get(&format!("/api/v1/prizes/{prize}/ballot")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(cached.status(), 304);

    assert_problem(vote(&app, &prize, &voters[0], a).await, 409, "ballot_not_open").await;
    assert_eq!(staff(&app, &run, "ballot/open", &prize).await["state"], "open");
    let first = vote(&app, &prize, &voters[0], a).await;
    assert_eq!(first.status(), 201);
    let receipt = json(first).await["receipt"].as_str().unwrap().to_owned();
    assert_problem(vote(&app, &prize, &voters[0], b).await, 409, "already_voted").await;
    // A councillor of another organization is not entitled.
    let paca = app.create_organization("ceser-paca").await;
    let outsider = app.create_user(&[Role::Councillor]).await;
    app.join_roster(&paca, &outsider, "Collège 1").await;
    assert_problem(vote(&app, &prize, &outsider, a).await, 409, "not_entitled").await;
    assert_problem(vote(&app, &prize, &voters[1], &run.files[5]).await, 422, "validation_failed").await;

    // While open: anyone sees how many have voted, nobody the split.
    let open = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    assert_eq!((open["turnout"].as_u64(), &open["tally"]), (Some(1), &json!(null)));
    for token in [None, Some(voters[0].token.as_str())] {
        let mut request = app.get(&format!("/api/v1/prizes/{prize}/results"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let seen = json(request.send().await.unwrap()).await;
        assert_eq!((seen["turnout"].as_u64(), &seen["tally"], &seen["winner"]), (Some(1), &json!(null), &json!(null)));
    }
    assert!(app.receipt_hashes(&prize, None).await.is_empty(), "no receipt hash before the close");

    for (voter, choice) in [(&voters[1], b), (&voters[2], b), (&voters[3], a)] {
        assert_eq!(vote(&app, &prize, voter, choice).await.status(), 201);
    }
    staff(&app, &run, "ballot/close", &prize).await;
    assert_problem(vote(&app, &prize, &outsider, a).await, 409, "not_entitled").await;
    let late = councillors(&app, &run, 1).await;
    assert_problem(vote(&app, &prize, &late[0], a).await, 409, "ballot_not_open").await;

    // Closed: staff see the tie; the public still sees nothing.
    let closed = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    let mut leaders = vec![a, b];
    leaders.sort();
    assert_eq!(closed["tally"]["leaders"], json!(leaders));
    assert_eq!(closed["winner"], json!(null));
    assert_problem(app.get(&format!("/api/v1/prizes/{prize}/results")).send().await.unwrap(), 409, "results_not_published").await;
    assert_problem(app.get(&format!("/api/v1/prizes/{prize}/results/receipts")).send().await.unwrap(), 409, "results_not_published").await;
    let refused = app.post(&format!("/api/v1/prizes/{prize}/results/publish"), &json!({})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_problem(refused, 409, "tie_unresolved").await;
    let broken = app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &json!({"application_id": a, "reason": "Tirage au sort en séance."})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_eq!(json(broken).await["winner"], json!(a));
    staff(&app, &run, "results/publish", &prize).await;

    let public = json(app.get(&format!("/api/v1/prizes/{prize}/results")).send().await.unwrap()).await;
    assert_eq!((public["state"].as_str(), public["turnout"].as_u64(), &public["winner"]), (Some("published"), Some(4), &json!(a)));
    let hashes = app.receipt_hashes(&prize, None).await;
    assert_eq!(hashes.len(), 4);
    let receipt_hash = prix_ceser::auth::secret_token::digest(&receipt);
    assert!(hashes.contains(&receipt_hash), "the voter finds their receipt's hash");
    assert_eq!(public["tie_break_reason"], "Tirage au sort en séance.");
    let check = app.get(&format!("/api/v1/prizes/{prize}/receipts/{receipt}")).send().await.unwrap();
    assert_eq!(json(check).await, json!({"counted": true}));
    assert_problem(app.get(&format!("/api/v1/prizes/{prize}/receipts/not-a-receipt")).send().await.unwrap(), 404, "not_found").await;

    let laureates = json(app.get(&format!("/api/v1/editions/{}/laureates", run.edition)).send().await.unwrap()).await;
    assert_eq!(laureates.as_array().unwrap().len(), 1);
    assert_eq!((laureates[0]["kind"].as_str(), &laureates[0]["laureate"]["id"]), (Some("councillors"), &json!(a)));
});

api_test!(async fn ballots_keep_no_link_between_voter_and_choice(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 2).await;
    staff(&app, &run, "ballot/open", &prize).await;
    vote(&app, &prize, &voters[0], &run.files[0]).await;
    vote(&app, &prize, &voters[1], &run.files[1]).await;
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let columns = |table: &str| {
        let sql = match backend {
            sea_orm::DbBackend::Postgres => format!("SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY column_name"),
            _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY name"),
        };
        let db = app.db.clone();
        async move {
            db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap().iter().map(|row| row.try_get::<String>("", "name").unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(columns("ballot_choices").await, ["application_id", "id", "prize_id", "receipt_hash", "sealed_choice"], "no voter, no time");
    assert_eq!(columns("ballot_voters").await, ["prize_id", "voter_key"], "no choice");
    // What was chosen is sealed: no candidate's id, in any form, in the choices.
    let choices = prix_ceser::entities::ballot_choice::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(choices.len(), 2);
    for choice in &choices {
        let sealed = choice.sealed_choice.as_deref().expect("sealed");
        assert!(choice.application_id.is_nil());
        for candidate in &run.files {
            let id: uuid::Uuid = candidate.parse().unwrap();
            assert!(!sealed.windows(16).any(|window| window == id.as_bytes()));
        }
    }
    // Who voted is keyed with the voter key: no account id in the participation records.
    use sea_orm::EntityTrait;
    let records = prix_ceser::entities::ballot_voter::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(records.len(), 2);
    for record in records {
        assert!(!record.voter_key.contains("account"), "{}", record.voter_key);
        for voter in &voters {
            assert!(!record.voter_key.contains(&voter.id.to_string()));
        }
    }
});

api_test!(async fn participation_written_in_clear_by_an_earlier_version_is_keyed_at_start(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 1).await;
    staff(&app, &run, "ballot/open", &prize).await;
    // A participation record as earlier versions wrote it: the councillor's account in clear.
    use prix_ceser::entities::ballot_voter;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    ballot_voter::Entity::insert(ballot_voter::ActiveModel {
        prize_id: Set(prize.parse().unwrap()),
        voter_key: Set(format!("account:{}", voters[0].id)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    let keys = prix_ceser::domain::voter::VoterKeys::derive(TEST_VOTER_KEY.as_bytes());
    let keyed = prix_ceser::services::ballots::key_participation(&app.db, &keys).await.unwrap();
    assert_eq!(keyed, 1);
    // Keyed, it still says that this councillor has voted.
    assert_problem(vote(&app, &prize, &voters[0], &run.files[0]).await, 409, "already_voted").await;
    assert_eq!(prix_ceser::services::ballots::key_participation(&app.db, &keys).await.unwrap(), 0);
});

api_test!(async fn choices_written_in_clear_by_an_earlier_version_are_sealed_and_counted(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 2).await;
    staff(&app, &run, "ballot/open", &prize).await;
    assert_eq!(vote(&app, &prize, &voters[0], &run.files[0]).await.status(), 201);
    // A vote as earlier versions wrote it: the voter's account and the candidate in clear.
    use prix_ceser::entities::{ballot_choice, ballot_voter};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let prize_id: uuid::Uuid = prize.parse().unwrap();
    ballot_voter::Entity::insert(ballot_voter::ActiveModel {
        prize_id: Set(prize_id),
        voter_key: Set(format!("account:{}", voters[1].id)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    ballot_choice::Entity::insert(ballot_choice::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        prize_id: Set(prize_id),
        application_id: Set(run.files[1].parse().unwrap()),
        sealed_choice: Set(None),
        receipt_hash: Set("0".repeat(64)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    let keys = prix_ceser::domain::voter::VoterKeys::derive(TEST_VOTER_KEY.as_bytes());
    assert_eq!(prix_ceser::services::ballots::seal_choices(&app.db, &keys).await.unwrap(), 1);
    assert_eq!(prix_ceser::services::ballots::seal_choices(&app.db, &keys).await.unwrap(), 0);
    prix_ceser::services::ballots::key_participation(&app.db, &keys).await.unwrap();
    staff(&app, &run, "ballot/close", &prize).await;
    let results = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    let counted: u64 = results["tally"]["counts"].as_array().unwrap().iter().map(|count| count["votes"].as_u64().unwrap()).sum();
    assert_eq!(counted, 2, "{results}");
});

api_test!(async fn concurrent_votes_count_once_each(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 40).await;
    staff(&app, &run, "ballot/open", &prize).await;
    // One voter, many concurrent attempts: exactly one vote.
    let attempts = (0..30).map(|i| vote(&app, &prize, &voters[0], &run.files[i % 5]));
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    // Many distinct voters at once: every vote counted.
    let distinct = voters[1..].iter().enumerate().map(|(i, voter)| vote(&app, &prize, voter, &run.files[i % 5]));
    let statuses: Vec<u16> = futures::future::join_all(distinct).await.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    staff(&app, &run, "ballot/close", &prize).await;
    let results = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(results["turnout"], 40);
    let counted: u64 = results["tally"]["counts"].as_array().unwrap().iter().map(|c| c["votes"].as_u64().unwrap()).sum();
    assert_eq!(counted, 40);
});

api_test!(async fn votes_racing_the_close_are_counted_only_if_accepted(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 30).await;
    staff(&app, &run, "ballot/open", &prize).await;
    let votes = voters.iter().enumerate().map(|(i, voter)| vote(&app, &prize, voter, &run.files[i % 5]));
    let close = async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.post(&format!("/api/v1/prizes/{prize}/ballot/close"), &json!({})).bearer_auth(&run.organization.admin.token).send().await.unwrap().status()
    };
    let (responses, closed) = tokio::join!(futures::future::join_all(votes), close);
    assert_eq!(closed, 200);
    let accepted = responses.iter().filter(|r| r.status() == 201).count() as u64;
    assert!(responses.iter().all(|r| r.status() == 201 || r.status() == 409));
    let results = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(results["turnout"].as_u64(), Some(accepted), "every accepted vote, and nothing else, is counted");
    let hashes = app.receipt_hashes(&prize, Some(&run.organization.admin.token)).await;
    assert_eq!(hashes.len() as u64, accepted);
});

api_test!(async fn the_ceremony_screen_follows_the_ballot_live(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 1).await;
    staff(&app, &run, "ballot/open", &prize).await;
    assert_eq!(vote(&app, &prize, &voters[0], &run.files[0]).await.status(), 201);
    let mut live = app.get(&format!("/api/v1/prizes/{prize}/live")).send().await.unwrap();
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    let first = String::from_utf8(live.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert_eq!(first, "event: turnout\ndata: {\"state\":\"open\",\"turnout\":1}\n\n");
    drop(live);
    staff(&app, &run, "ballot/close", &prize).await;
    staff(&app, &run, "results/publish", &prize).await;
    // Once published: the result event (after at most the turnout the shared poller last read),
    // and the stream ends.
    let ended = app.get(&format!("/api/v1/prizes/{prize}/live")).send().await.unwrap().text().await.unwrap();
    let last = ended.rsplit("event: ").next().unwrap();
    assert!(last.starts_with("result\ndata: {") && ended.ends_with("\n\n") && ended.matches("event: result").count() == 1, "{ended}");
    assert!(ended.contains(&format!("\"winner\":\"{}\"", run.files[0])), "{ended}");
    assert_problem(app.get(&format!("/api/v1/prizes/{}/live", uuid::Uuid::new_v4())).send().await.unwrap(), 404, "not_found").await;
});

api_test!(async fn one_address_holds_a_bounded_number_of_live_streams(app) {
    let (_, prize) = ceremony(&app).await;
    let path = format!("/api/v1/prizes/{prize}/live");
    let mut streams = Vec::new();
    for _ in 0..10 {
        let mut stream = app.get(&path).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        assert!(stream.chunk().await.unwrap().is_some());
        streams.push(stream);
    }
    let refused = app.get(&path).send().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, 429, "rate_limited").await;
    // A stream that ends frees its slot.
    drop(streams.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let response = app.get(&path).send().await.unwrap();
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "the slot was not freed");
});

api_test!(async fn a_ballot_refuses_every_step_out_of_order(app) {
    let (run, prize) = ceremony(&app).await;
    let admin = &run.organization.admin.token;
    let post = |action: &str, body: Value| app.post(&format!("/api/v1/prizes/{prize}/{action}"), &body).bearer_auth(admin).send();
    let tie_break = json!({"application_id": run.files[0], "reason": "Départage par le bureau du CESER."});
    // Scheduled: nothing to close, break or publish.
    assert_problem(post("ballot/close", json!({})).await.unwrap(), 409, "invalid_ballot_transition").await;
    assert_problem(post("results/tie-break", tie_break.clone()).await.unwrap(), 409, "ballot_not_closed").await;
    assert_problem(post("results/publish", json!({})).await.unwrap(), 409, "ballot_not_closed").await;
    // Open: its window is fixed, and it cannot open again.
    staff(&app, &run, "ballot/open", &prize).await;
    let window = json!({"opens_at": "2026-12-14T18:00:00+01:00", "closes_at": "2026-12-14T19:00:00+01:00"});
    let moved = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(admin).send().await.unwrap();
    assert_problem(moved, 409, "ballot_started").await;
    assert_problem(post("ballot/open", json!({})).await.unwrap(), 409, "invalid_ballot_transition").await;
    // Closed with one vote: no tie to break.
    let voters = councillors(&app, &run, 1).await;
    assert_eq!(vote(&app, &prize, &voters[0], &run.files[0]).await.status(), 201);
    staff(&app, &run, "ballot/close", &prize).await;
    assert_problem(post("results/tie-break", tie_break).await.unwrap(), 409, "no_tie").await;
    // Only councillors are on a roster.
    let applicant = &run.applicants[0];
    let seated = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/councillors/{}", run.organization.id, applicant.id)).json(&json!({"college": "Collège 1"})).bearer_auth(admin).send().await.unwrap();
    assert_problem(seated, 409, "not_a_councillor").await;
});

api_test!(async fn a_count_that_does_not_add_up_fails_rather_than_miscounts(app) {
    let (run, prize) = ceremony(&app).await;
    let voters = councillors(&app, &run, 2).await;
    staff(&app, &run, "ballot/open", &prize).await;
    vote(&app, &prize, &voters[0], &run.files[0]).await;
    vote(&app, &prize, &voters[1], &run.files[1]).await;
    staff(&app, &run, "ballot/close", &prize).await;
    let results = || async {
        app.get(&format!("/api/v1/prizes/{prize}/results"))
            .bearer_auth(&run.organization.admin.token)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(results().await.status(), 200);
    // A DBA copies a sealed choice into a new row with a new receipt: it does not open there.
    use prix_ceser::entities::{ballot_choice, ballot_voter};
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ModelTrait, QueryFilter};
    let original = ballot_choice::Entity::find().one(&app.db).await.unwrap().unwrap();
    let copy = ballot_choice::Entity::insert(ballot_choice::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        prize_id: Set(original.prize_id),
        application_id: Set(original.application_id),
        sealed_choice: Set(original.sealed_choice.clone()),
        receipt_hash: Set("d".repeat(64)),
    });
    copy.exec_without_returning(&app.db).await.unwrap();
    assert_problem(results().await, 500, "internal_error").await;
    ballot_choice::Entity::delete_many()
        .filter(ballot_choice::Column::ReceiptHash.eq("d".repeat(64)))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(results().await.status(), 200);
    // A participation record removed: choices and voters no longer match.
    let record = ballot_voter::Entity::find().one(&app.db).await.unwrap().unwrap();
    record.delete(&app.db).await.unwrap();
    assert_problem(results().await, 500, "internal_error").await;
});

api_test!(async fn a_window_opens_the_councillors_ballot_only_at_the_ceremony(app) {
    // Shortlisted: the edition is at the auditions.
    let (run, prize) = crate::jury::shortlisted(&app, "councillors").await;
    let admin = &run.organization.admin.token;
    let now = chrono::Utc::now();
    let window = json!({"opens_at": now + chrono::Duration::seconds(1), "closes_at": now + chrono::Duration::hours(1)});
    let set = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(admin).send().await.unwrap();
    assert_eq!(set.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // Its opening time has passed, but the ceremony has not begun: still scheduled.
    let ballot = json(app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap()).await;
    assert_eq!(ballot["state"], "scheduled");
    let voters = councillors(&app, &run, 1).await;
    assert_problem(vote(&app, &prize, &voters[0], &run.files[0]).await, 409, "ballot_not_open").await;
    // At the ceremony the window opens it.
    let moved = app
        .post(&format!("/api/v1/editions/{}/transitions", run.edition), &json!({"to": "ceremony", "reason": "La cérémonie est avancée pour les essais."}))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let ballot = json(app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap()).await;
    assert_eq!(ballot["state"], "open");
    assert_eq!(vote(&app, &prize, &voters[0], &run.files[0]).await.status(), 201);
});

api_test!(async fn a_ballot_its_window_closed_stays_closed_and_publishable_after_the_edition(app) {
    let (run, prize) = crate::jury::shortlisted(&app, "public").await;
    let admin = &run.organization.admin.token;
    let now = chrono::Utc::now();
    let window = json!({"opens_at": now - chrono::Duration::hours(2), "closes_at": now - chrono::Duration::hours(1)});
    let set = app.request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot")).json(&window).bearer_auth(admin).send().await.unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(json(set).await["state"], "closed");
    to_ceremony(&app, &run).await;
    publish_results(&app, &run).await;
    let ballot = json(app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap()).await;
    assert_eq!(ballot["state"], "closed");
    staff(&app, &run, "results/publish", &prize).await;
});

api_test!(async fn a_ballot_window_is_a_date_both_databases_compare(app) {
    let (run, prize) = crate::jury::shortlisted(&app, "public").await;
    let admin = &run.organization.admin.token;
    for (opens, closes, field) in [
        (json!(null), json!("+10000-01-01T00:00:00Z"), "closes_at"),
        (json!("-5000-01-01T00:00:00Z"), json!(null), "opens_at"),
    ] {
        let set = app
            .request(reqwest::Method::PUT, &format!("/api/v1/prizes/{prize}/ballot"))
            .json(&json!({"opens_at": opens, "closes_at": closes}))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(set, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
});

api_test!(async fn the_councillors_results_are_read_by_college_once_published(app) {
    let (run, prize) = ceremony(&app).await;
    let admin = &run.organization.admin.token;
    // Three councillors of the first college, one of the second (the helper seats them in it).
    let voters = councillors(&app, &run, 4).await;
    for voter in &voters[..3] {
        let moved = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/councillors/{}", run.organization.id, voter.id)).json(&json!({"college": "Collège 1"})).bearer_auth(admin).send().await.unwrap();
        assert_eq!(moved.status(), 200);
    }
    staff(&app, &run, "ballot/open", &prize).await;
    let (a, b) = (&run.files[0], &run.files[1]);
    for (voter, file) in voters.iter().zip([a, a, b, b]) {
        assert_eq!(vote(&app, &prize, voter, file).await.status(), 201);
    }
    // A copy of the database tells no college: every sealed choice has the same length.
    use sea_orm::EntityTrait;
    let sealed: Vec<usize> = prix_ceser::entities::ballot_choice::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| c.sealed_choice.unwrap().len()).collect();
    assert_eq!(sealed, [61; 4]);
    staff(&app, &run, "ballot/close", &prize).await;
    let closed = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(admin).send().await.unwrap()).await;
    assert!(closed["by_college"].is_null(), "not before publication, staff included: {closed}");
    let tie_break = json!({"application_id": a, "reason": "Tirage au sort en séance."});
    assert_eq!(app.post(&format!("/api/v1/prizes/{prize}/results/tie-break"), &tie_break).bearer_auth(admin).send().await.unwrap().status(), 200);
    staff(&app, &run, "results/publish", &prize).await;
    let published = json(app.get(&format!("/api/v1/prizes/{prize}/results")).send().await.unwrap()).await;
    let by_college = published["by_college"].as_array().unwrap();
    let summary: Vec<(&str, u64, bool)> = by_college.iter().map(|c| (c["college"].as_str().unwrap(), c["turnout"].as_u64().unwrap(), c["counts"].is_null())).collect();
    assert_eq!(summary, [("Collège 1", 3, false), ("Collège 2", 1, true), ("Collège 3", 0, true), ("Collège 4", 0, true)]);
    let first = &by_college[0]["counts"];
    assert_eq!((first[0]["application_id"].as_str(), first[0]["votes"].as_u64()), (Some(a.as_str()), Some(2)));
    assert_eq!((first[1]["application_id"].as_str(), first[1]["votes"].as_u64()), (Some(b.as_str()), Some(1)));
    // A college renamed after the publication leaves the published results as they were.
    let colleges = json(app.get(&format!("/api/v1/organizations/{}/colleges", run.organization.id)).send().await.unwrap()).await;
    let renamed = app.request(reqwest::Method::PUT, &format!("/api/v1/organizations/{}/colleges/{}", run.organization.id, colleges[0]["id"].as_str().unwrap())).json(&json!({"name": "Collège 1 — entreprises"})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(renamed.status(), 200);
    let again = json(app.get(&format!("/api/v1/prizes/{prize}/results")).send().await.unwrap()).await;
    assert_eq!(again["by_college"], published["by_college"]);
});
