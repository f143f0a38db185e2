//! The public's online vote: emailed codes, voter tokens, one vote per person.
use std::time::Duration;

use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::{
    ballots::{publish_results, to_ceremony},
    helpers::*,
    jury::{Run, shortlisted},
};

/// An edition in audition with its public prize's ballot open.
async fn open_public_ballot(app: &TestApp) -> (Run, String) {
    let (run, prize) = shortlisted(app, "public").await;
    let opened = app
        .post(&format!("/api/v1/prizes/{prize}/ballot/open"), &json!({}))
        .bearer_auth(&run.organization.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    (run, prize)
}

async fn ask_code(app: &TestApp, prize: &str, email: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/prizes/{prize}/voter-verifications"),
        &json!({"email": email}),
    )
    .send()
    .await
    .unwrap()
}

async fn confirm(app: &TestApp, prize: &str, email: &str, code: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/prizes/{prize}/voter-verifications/confirm"),
        &json!({"email": email, "code": code}),
    )
    .send()
    .await
    .unwrap()
}

/// The code of the latest message in the outbox (as the log or the mailbox would show it).
async fn latest_code(app: &TestApp) -> String {
    use prix_ceser::entities::outbox_message;
    let message = outbox_message::Entity::find()
        .order_by_desc(outbox_message::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a message was queued");
    message.body.split("Prix du public : ").nth(1).unwrap()[..6].to_owned()
}

pub async fn voter_token(app: &TestApp, prize: &str, email: &str) -> String {
    assert_eq!(ask_code(app, prize, email).await.status(), 202);
    let response = confirm(app, prize, email, &latest_code(app).await).await;
    assert_eq!(response.status(), 200);
    json(response).await["voter_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn vote(app: &TestApp, prize: &str, token: &str, file: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/prizes/{prize}/votes"),
        &json!({"application_id": file}),
    )
    .bearer_auth(token)
    .send()
    .await
    .unwrap()
}

api_test!(async fn a_public_voter_votes_once_per_address(app) {
    let (run, prize) = open_public_ballot(&app).await;
    let token = voter_token(&app, &prize, "Electeur@Example.org").await;
    let response = vote(&app, &prize, &token, &run.files[2]).await;
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let receipt = json(response).await["receipt"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/prizes/{prize}/receipts/{receipt}")).send().await.unwrap().status(), 200);
    assert_problem(vote(&app, &prize, &token, &run.files[1]).await, 409, "already_voted").await;
    // The same person with a sub-address and other case: the same voter.
    let again = voter_token(&app, &prize, " electeur+bis@EXAMPLE.org").await;
    assert_problem(vote(&app, &prize, &again, &run.files[1]).await, 409, "already_voted").await;
    // A voter token votes for its prize only, and opens nothing else.
    let councillors_prize = json(app.get(&format!("/api/v1/editions/{}", run.edition)).send().await.unwrap()).await["prizes"]
        .as_array().unwrap().iter().find(|p| p["kind"] == "councillors").unwrap()["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/prizes/{councillors_prize}/ballot/open"), &json!({})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    assert_problem(vote(&app, &councillors_prize, &token, &run.files[1]).await, 409, "not_entitled").await;
    assert_problem(app.get("/api/v1/me").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;
    // Where a token is optional, a voter's token reads what anyone reads.
    assert_eq!(app.get("/api/v1/editions").bearer_auth(&token).send().await.unwrap().status(), 200);
    assert_problem(app.get("/api/v1/applications").bearer_auth(&token).send().await.unwrap(), 403, "forbidden").await;

    // The address is not kept: the verification holds a keyed hash; the delivered message
    // loses its recipient.
    use prix_ceser::entities::{outbox_message, voter_verification};
    let verifications = voter_verification::Entity::find().all(&app.db).await.unwrap();
    assert!(verifications.iter().all(|v| v.identity.len() == 64 && !v.identity.contains('@')));
    assert!(prix_ceser::services::mail::deliver_due(&app.db, &prix_ceser::services::mail::Mailer::Log).await.unwrap() > 0);
    let sent = outbox_message::Entity::find().all(&app.db).await.unwrap();
    assert!(sent.iter().all(|m| m.recipient.is_none() && m.sent_at.is_some()), "delivered, and the address erased");
    assert!(sent.iter().all(|m| m.body.is_empty()), "and the code with it");
});

api_test!(async fn wrong_codes_count_against_the_attempts(app) {
    let (_, prize) = open_public_ballot(&app).await;
    assert_eq!(ask_code(&app, &prize, "voter@example.org").await.status(), 202);
    let right = latest_code(&app).await;
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_problem(confirm(&app, &prize, "voter@example.org", wrong).await, 422, "validation_failed").await;
    }
    assert_problem(confirm(&app, &prize, "voter@example.org", &right).await, 409, "too_many_attempts").await;
    // The answer does not say whether an address is known.
    assert_problem(confirm(&app, &prize, "unknown@example.org", "123456").await, 422, "validation_failed").await;
});

api_test!(async fn expired_or_forged_voter_tokens_are_refused(app) {
    let (run, prize) = open_public_ballot(&app).await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": uuid::Uuid::new_v4(), "roles": ["public"], "prize": prize, "iat": now - 4000, "exp": now - 2000,
                        "iss": "prix-ceser", "aud": "prix-ceser-voter", "jti": uuid::Uuid::new_v4()});
    let key = jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes());
    let expired = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap();
    assert_problem(vote(&app, &prize, &expired, &run.files[0]).await, 401, "invalid_token").await;
    let mut fresh = claims.clone();
    fresh["exp"] = json!(now + 600);
    let forged = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &fresh, &jsonwebtoken::EncodingKey::from_secret(b"not the server secret at all, no")).unwrap();
    assert_problem(vote(&app, &prize, &forged, &run.files[0]).await, 401, "invalid_token").await;
});

api_test!(async fn code_requests_are_rate_limited(app) env ["PRIX_VOTER_RATE_LIMIT" = "4"] {
    let (_, prize) = open_public_ballot(&app).await;
    for _ in 0..3 {
        assert_eq!(ask_code(&app, &prize, "same@example.org").await.status(), 202);
    }
    let per_address = ask_code(&app, &prize, "same+x@example.org").await;
    assert!(per_address.headers().contains_key("retry-after"));
    assert_problem(per_address, 429, "rate_limited").await;
    let per_ip = ask_code(&app, &prize, "other@example.org").await;
    assert_problem(per_ip, 429, "rate_limited").await;
});

plain_test!(
    /// Delivery through a real SMTP server on loopback (aiosmtpd), as production would.
    async fn codes_are_delivered_over_smtp() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = std::process::Command::new("python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Debugging",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn();
        let mut server = match server {
            Ok(child) => child,
            Err(_) if std::env::var("CI").is_err() => {
                return eprintln!("python3 with aiosmtpd is not available: SMTP test skipped");
            }
            Err(error) => panic!("CI needs python3 with aiosmtpd: {error}"),
        };
        tokio::time::sleep(Duration::from_millis(800)).await;
        if let Ok(Some(status)) = server.try_wait() {
            assert!(
                std::env::var("CI").is_err(),
                "aiosmtpd did not start on CI ({status}); .ci/run installs it"
            );
            return eprintln!("aiosmtpd is not installed: SMTP test skipped");
        }
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let app = spawn_app(
            Backend::Sqlite,
            &[
                ("PRIX_SMTP_URL", smtp_url.as_str()),
                ("PRIX_OUTBOX_WORKER", "true"),
            ],
        )
        .await
        .unwrap();
        let (_, prize) = open_public_ballot(&app).await;
        assert_eq!(
            ask_code(&app, &prize, "smtp-voter@example.org")
                .await
                .status(),
            202
        );
        let stdout = server.stdout.take().unwrap();
        let received = tokio::task::spawn_blocking(move || {
            use std::io::BufRead;
            let mut lines = std::io::BufReader::new(stdout).lines();
            let mut seen = String::new();
            while let Some(Ok(line)) = lines.next() {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("Prix du public") || line.contains("Prix du public =") {
                    break;
                }
            }
            seen
        });
        let received = tokio::time::timeout(Duration::from_secs(20), received)
            .await
            .expect("a message reaches the SMTP server")
            .unwrap();
        server.kill().ok();
        assert!(received.contains("smtp-voter@example.org"), "{received}");
        assert!(
            received.contains("Votre code de vote") || received.contains("Subject:"),
            "{received}"
        );
    }
);

api_test!(async fn a_burst_of_voters_is_counted_exactly(app) {
    let (run, prize) = open_public_ballot(&app).await;
    // One voter trying 100 times at once: one vote.
    let one = app.new_voter_token(&prize);
    let attempts = (0..100).map(|i| vote(&app, &prize, &one, &run.files[i % 5]));
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409));
    // 500 distinct voters at once: 500 votes.
    let tokens: Vec<String> = (0..500).map(|_| app.new_voter_token(&prize)).collect();
    let burst = tokens.iter().enumerate().map(|(i, token)| vote(&app, &prize, token, &run.files[i % 5]));
    let statuses: Vec<u16> = futures::future::join_all(burst).await.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{:?}", statuses.iter().filter(|s| **s != 201).collect::<Vec<_>>());
    app.post(&format!("/api/v1/prizes/{prize}/ballot/close"), &json!({})).bearer_auth(&run.organization.admin.token).send().await.unwrap();
    let results = json(app.get(&format!("/api/v1/prizes/{prize}/results")).bearer_auth(&run.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(results["turnout"], 501);
    let counted: u64 = results["tally"]["counts"].as_array().unwrap().iter().map(|c| c["votes"].as_u64().unwrap()).sum();
    assert_eq!(counted, 501);
    let hashes = app.receipt_hashes(&prize, Some(&run.organization.admin.token)).await;
    assert_eq!(hashes.len(), 501);
    assert!(hashes.windows(2).all(|pair| pair[0] < pair[1]), "in order, each once");
});

api_test!(async fn a_failed_delivery_is_retried_not_lost(app) {
    use prix_ceser::{entities::outbox_message, services::mail::{self, Mailer}};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    // No worker in this server: the test delivers, deterministically.
    let id = uuid::Uuid::now_v7();
    let due = chrono::Utc::now() - chrono::Duration::seconds(1);
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(id), recipient: Set(Some("retry@example.org".into())), subject: Set("Test".into()), body: Set("Corps".into()),
        attempts: Set(0), next_attempt_at: Set(due), sent_at: Set(None), last_error: Set(None), created_at: Set(chrono::Utc::now()),
        language: Set("fr".into()), attachment_name: Set(None), attachment_type: Set(None), attachment: Set(None),
    }).exec_without_returning(&app.db).await.unwrap();
    // An SMTP server that is not there: the message stays, with its error and a later attempt.
    let unreachable = Mailer::new(Some("smtp://127.0.0.1:1"), "Prix <no-reply@example.org>").unwrap();
    assert_eq!(mail::deliver_due(&app.db, &unreachable).await.unwrap(), 0);
    let message = outbox_message::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((message.attempts, message.sent_at), (1, None));
    assert!(message.last_error.is_some());
    assert!(message.next_attempt_at > chrono::Utc::now(), "retried later");
    assert_eq!(message.recipient.as_deref(), Some("retry@example.org"), "kept until delivered");
    // Not due yet: nothing happens.
    assert_eq!(mail::deliver_due(&app.db, &Mailer::Log).await.unwrap(), 0);
    // Due again: delivered this time, and the address erased.
    outbox_message::Entity::update(outbox_message::ActiveModel { id: Set(id), next_attempt_at: Set(due), ..Default::default() }).exec(&app.db).await.unwrap();
    assert_eq!(mail::deliver_due(&app.db, &Mailer::Log).await.unwrap(), 1);
    let message = outbox_message::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert!(message.sent_at.is_some());
    assert_eq!(message.recipient, None);
});

api_test!(async fn racing_wrong_codes_get_no_more_than_the_allowed_attempts(app) env ["PRIX_VOTER_RATE_LIMIT" = "1000"] {
    let (_, prize) = open_public_ballot(&app).await;
    assert_eq!(ask_code(&app, &prize, "racer@example.org").await.status(), 202);
    let right = latest_code(&app).await;
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let tries = futures::future::join_all((0..20).map(|_| confirm(&app, &prize, "racer@example.org", wrong))).await;
    let statuses: Vec<u16> = tries.iter().map(|response| response.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|status| **status == 422).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|status| **status == 409).count(), 15, "{statuses:?}");
    // Even the right code is refused now.
    assert_problem(confirm(&app, &prize, "racer@example.org", &right).await, 409, "too_many_attempts").await;
});

api_test!(async fn publishing_the_results_ends_the_vote(app) {
    let (run, prize) = open_public_ballot(&app).await;
    let early = voter_token(&app, &prize, "premiere@example.org").await;
    let late = voter_token(&app, &prize, "retardataire@example.org").await;
    assert_eq!(vote(&app, &prize, &early, &run.files[0]).await.status(), 201);
    to_ceremony(&app, &run).await;
    publish_results(&app, &run).await;
    // The ballot closed with the edition: no receipt for a vote after the results.
    assert_problem(vote(&app, &prize, &late, &run.files[1]).await, 409, "ballot_not_open").await;
    let ballot = json(app.get(&format!("/api/v1/prizes/{prize}/ballot")).send().await.unwrap()).await;
    assert_eq!(ballot["state"], "closed");
});
