//! Webhooks: signed (Standard Webhooks) deliveries of an organization's events to a real
//! receiver on loopback, retried until it recovers, logged and redelivered; destinations
//! checked when subscribed and at delivery; no vote ever sent.
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use prix_ceser::entities::webhook;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use standardwebhooks::Webhook as Verifier;

use crate::{
    ballots::{ceremony, councillors, staff, vote},
    helpers::*,
};

/// Private destinations allowed (the receiver is on loopback), deliveries by the worker, the
/// first retry after 200 ms.
macro_rules! webhook_test {
    (async fn $name:ident($app:ident) $body:block) => {
        api_test!(async fn $name($app) env [
            "PRIX_OUTBOX_WORKER" = "true",
            "PRIX_WEBHOOK_PRIVATE_DESTINATIONS" = "true",
            "PRIX_WEBHOOK_RETRY_BASE_MS" = "200"
        ] $body);
    };
}

#[derive(Clone)]
struct Delivery {
    headers: HeaderMap,
    body: String,
}

/// An HTTP server on loopback that records what it receives and answers 500 to the first
/// `failures` requests, then 204, each after `delay`.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    fn start(failures: usize) -> Receiver {
        Self::answering_after(failures, Duration::ZERO)
    }

    fn answering_after(failures: usize, delay: Duration) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(failures));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/prix", listener.local_addr().unwrap());
        let (log, left) = (received.clone(), failures.clone());
        let server = HttpServer::new(move || {
            let (log, left) = (log.clone(), left.clone());
            App::new().default_service(web::to(move |request: HttpRequest, body: String| {
                let (log, left) = (log.clone(), left.clone());
                async move {
                    let mut headers = HeaderMap::new();
                    for (name, value) in request.headers() {
                        headers.append(
                            HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                        );
                    }
                    tokio::time::sleep(delay).await;
                    log.lock().unwrap().push(Delivery { headers, body });
                    let failing = left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if failing {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::NoContent().finish()
                    }
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Receiver { url, received }
    }

    fn received(&self) -> Vec<Delivery> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `count` requests have arrived.
    async fn wait_for(&self, count: usize) -> Vec<Delivery> {
        for _ in 0..200 {
            if self.received().len() >= count {
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} deliveries, got {}", self.received().len());
    }
}

fn hooks(org: &TestOrganization) -> String {
    format!("/api/v1/organizations/{}/webhooks", org.id)
}

async fn subscribe(app: &TestApp, org: &TestOrganization, body: Value) -> reqwest::Response {
    app.post(&hooks(org), &body)
        .bearer_auth(&org.admin.token)
        .send()
        .await
        .unwrap()
}

async fn deliveries(app: &TestApp, org: &TestOrganization, location: &str) -> Vec<Value> {
    let page = json(
        app.get(&format!("{location}/deliveries"))
            .bearer_auth(&org.admin.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

/// Waits (at most 20 s) until the webhook's newest delivery is no longer pending.
async fn settled(app: &TestApp, org: &TestOrganization, location: &str) -> Vec<Value> {
    for _ in 0..200 {
        let items = deliveries(app, org, location).await;
        if items
            .first()
            .is_some_and(|newest| newest["status"] != "pending")
        {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery stayed pending");
}

fn verify(secret: &str, delivery: &Delivery) -> bool {
    Verifier::new(secret)
        .unwrap()
        .verify(delivery.body.as_bytes(), &delivery.headers)
        .is_ok()
}

fn header<'a>(delivery: &'a Delivery, name: &str) -> &'a str {
    delivery.headers[name].to_str().unwrap()
}

webhook_test!(async fn a_receiver_gets_signed_events_logged_and_redelivered(app) {
    let org = app.create_organization("ceser-hooks").await;
    let receiver = Receiver::start(0);
    let created = subscribe(&app, &org, json!({
        "url": receiver.url, "description": "Site du CESER", "events": ["edition.transitioned"]
    })).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let created = json(created).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(location, format!("{}/{}", hooks(&org), created["id"].as_str().unwrap()));
    assert_eq!(created["events"], json!(["edition.transitioned"]));
    assert_eq!(created["enabled"], true);
    for path in [hooks(&org), location.clone()] {
        let read = app.get(&path).bearer_auth(&org.admin.token).send().await.unwrap().text().await.unwrap();
        assert!(read.contains(&receiver.url) && !read.contains(&secret[6..]), "no secret: {read}");
    }

    // An edition opens: the receiver hears of it, signed.
    let edition = app.open_edition(&org).await;
    let first = receiver.wait_for(1).await.remove(0);
    assert!(verify(&secret, &first), "the signature verifies with the secret");
    assert!(!verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7OpN4sBGdQ0=", &first));
    assert_eq!(header(&first, "content-type"), "application/json");
    let event: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(event["type"], "edition.transitioned");
    assert_eq!(event["data"], json!({
        "edition_id": edition["id"], "organization_id": org.id, "from": "draft", "to": "applications_open"
    }));
    // A tampered body does not verify.
    let tampered = Delivery { body: first.body.replace("applications_open", "results_published"), ..first.clone() };
    assert!(!verify(&secret, &tampered));

    // The log shows it delivered at the first try; its id is the `webhook-id` sent.
    let log = settled(&app, &org, &location).await;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64(), log[0]["response_status"].as_i64()),
        (Some("delivered"), Some(1), Some(204)));
    assert_eq!(log[0]["id"], header(&first, "webhook-id"));
    assert_eq!(log[0]["payload"], event);
    assert!(log[0]["next_attempt_at"].is_null() && log[0]["last_error"].is_null());

    // Sent again on demand, with the same id (the receiver can tell it has it).
    let delivery = log[0]["id"].as_str().unwrap();
    let again = app.post(&format!("{location}/deliveries/{delivery}/redeliver"), &json!({}))
        .bearer_auth(&org.admin.token).send().await.unwrap();
    assert_eq!(again.status(), 202);
    assert_eq!(json(again).await["status"], "pending");
    let second = receiver.wait_for(2).await.remove(1);
    assert_eq!(header(&second, "webhook-id"), delivery);
    assert_eq!(second.body, first.body);

    // A rotated secret signs from now on; the previous one still signs for a day.
    let rotated = json(app.post(&format!("{location}/rotate-secret"), &json!({}))
        .bearer_auth(&org.admin.token).send().await.unwrap()).await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated["previous_secret_valid_until"].is_string());
    app.post(&format!("{location}/deliveries/{delivery}/redeliver"), &json!({}))
        .bearer_auth(&org.admin.token).send().await.unwrap();
    let third = receiver.wait_for(3).await.remove(2);
    assert!(verify(&new_secret, &third) && verify(&secret, &third));
    assert_eq!(header(&third, "webhook-signature").split(' ').count(), 2);
    // A leaked secret ends at once.
    let revoked = json(app.post(&format!("{location}/rotate-secret?revoke_previous=true"), &json!({}))
        .bearer_auth(&org.admin.token).send().await.unwrap()).await;
    let newest = revoked["secret"].as_str().unwrap().to_owned();
    assert!(revoked["previous_secret_valid_until"].is_null());
    app.post(&format!("{location}/deliveries/{delivery}/redeliver"), &json!({}))
        .bearer_auth(&org.admin.token).send().await.unwrap();
    let fourth = receiver.wait_for(4).await.remove(3);
    assert!(verify(&newest, &fourth) && !verify(&new_secret, &fourth) && !verify(&secret, &fourth));

    // Disabled, it hears nothing; deleted, it is gone with its log.
    let paused = app.request(reqwest::Method::PUT, &location).bearer_auth(&org.admin.token)
        .json(&json!({"url": receiver.url, "events": ["edition.transitioned"], "enabled": false}))
        .send().await.unwrap();
    assert_eq!(paused.status(), 200);
    assert_eq!(json(paused).await["description"], "", "PUT replaces every field");
    app.open_edition(&org).await;
    assert_eq!(deliveries(&app, &org, &location).await.len(), 1, "nothing queued while disabled");
    let deleted = app.request(reqwest::Method::DELETE, &location).bearer_auth(&org.admin.token).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = app.get(&location).bearer_auth(&org.admin.token).send().await.unwrap();
    assert_problem(gone, 404, "not_found").await;
    assert_eq!(receiver.received().len(), 4);
});

webhook_test!(async fn a_failing_receiver_is_tried_again_until_it_recovers(app) {
    let org = app.create_organization("ceser-retry").await;
    let receiver = Receiver::start(2);
    let created = json(subscribe(&app, &org, json!({"url": receiver.url, "events": ["edition.transitioned"]})).await).await;
    let location = format!("{}/{}", hooks(&org), created["id"].as_str().unwrap());
    app.open_edition(&org).await;

    let tries = receiver.wait_for(3).await;
    let log = settled(&app, &org, &location).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64(), log[0]["response_status"].as_i64()),
        (Some("delivered"), Some(3), Some(204)));
    // Every try is the same message: same id, same body; each signed when sent.
    let secret = created["secret"].as_str().unwrap();
    for attempt in &tries {
        assert_eq!(header(attempt, "webhook-id"), log[0]["id"]);
        assert_eq!(attempt.body, tries[0].body);
        assert!(verify(secret, attempt));
    }
    assert_eq!(receiver.received().len(), 3, "not sent again once delivered");
});

webhook_test!(async fn a_failed_try_is_logged_with_its_answer_and_its_next_time(app) {
    let org = app.create_organization("ceser-fails").await;
    let receiver = Receiver::start(usize::MAX);
    let created = json(subscribe(&app, &org, json!({"url": receiver.url, "events": ["edition.transitioned"]})).await).await;
    let location = format!("{}/{}", hooks(&org), created["id"].as_str().unwrap());
    app.open_edition(&org).await;
    receiver.wait_for(1).await;
    for _ in 0..100 {
        let log = deliveries(&app, &org, &location).await;
        if log[0]["attempts"].as_i64() >= Some(1) && log[0]["response_status"].is_number() {
            assert_eq!(log[0]["status"], "pending");
            assert_eq!(log[0]["response_status"], 500);
            assert!(log[0]["last_error"].as_str().unwrap().contains("500"));
            assert!(log[0]["next_attempt_at"].is_string());
            // Disabled meanwhile: not tried again, given up at once.
            let paused = app.request(reqwest::Method::PUT, &location).bearer_auth(&org.admin.token)
                .json(&json!({"url": receiver.url, "events": ["edition.transitioned"], "enabled": false}))
                .send().await.unwrap();
            assert_eq!(paused.status(), 200);
            let tries = receiver.received().len();
            for _ in 0..100 {
                let log = deliveries(&app, &org, &location).await;
                if log[0]["status"] == "failed" {
                    assert_eq!(log[0]["last_error"], "the webhook is disabled");
                    assert_eq!(receiver.received().len(), tries);
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the delivery of a disabled webhook stayed pending");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the failed try was not logged");
});

api_test!(async fn destinations_are_public_when_subscribed_and_when_delivered(app) env [
    "PRIX_OUTBOX_WORKER" = "true"
] {
    let org = app.create_organization("ceser-ssrf").await;
    let receiver = Receiver::start(0);
    for (url, code) in [
        (receiver.url.as_str(), "invalid_format"),
        ("https://127.0.0.1/hook", "destination_not_allowed"),
        ("https://[::ffff:127.0.0.1]/hook", "destination_not_allowed"),
        ("https://169.254.169.254/latest/meta-data", "destination_not_allowed"),
        ("https://10.0.0.8/hook", "destination_not_allowed"),
        ("https://localhost/hook", "destination_not_allowed"),
        ("https://user:pw@hooks.example.fr/", "invalid_format"),
        ("not a url", "invalid_format"),
    ] {
        let refused = assert_problem(subscribe(&app, &org, json!({"url": url, "events": ["ballot.opened"]})).await, 422, "validation_failed").await;
        assert_eq!(refused["errors"][0]["field"], "url", "{url}");
        assert_eq!(refused["errors"][0]["code"], code, "{url}");
    }
    for (body, field) in [
        (json!({"url": "https://hooks.example.fr/", "events": []}), "events"),
        (json!({"url": "https://hooks.example.fr/", "events": ["vote.cast"]}), "events"),
        (json!({"url": "https://hooks.example.fr/", "events": ["ballot.opened"], "description": "a\u{202e}b"}), "description"),
    ] {
        let refused = assert_problem(subscribe(&app, &org, body).await, 422, "validation_failed").await;
        assert_eq!(refused["errors"][0]["field"], field);
    }
    let unknown = subscribe(&app, &org, json!({"url": "https://hooks.example.fr/", "events": ["ballot.opened"], "secret": "mine"})).await;
    assert_eq!(unknown.status(), 422);

    // A URL changed around the API to the loopback receiver: the delivery refuses to go.
    let created = json(subscribe(&app, &org, json!({"url": "https://hooks.example.fr/prix", "events": ["edition.transitioned"]})).await).await;
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let mut stored = webhook::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().into_active_model();
    stored.url = Set(receiver.url.replace("http://", "https://"));
    stored.update(&app.db).await.unwrap();
    app.open_edition(&org).await;
    let location = format!("{}/{id}", hooks(&org));
    for _ in 0..100 {
        let log = deliveries(&app, &org, &location).await;
        if let Some(error) = log.first().and_then(|delivery| delivery["last_error"].as_str()) {
            assert!(error.contains("destination not allowed"), "{error}");
            assert!(log[0]["response_status"].is_null());
            assert!(receiver.received().is_empty());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(deliveries(&app, &org, &location).await[0]["last_error"].is_string(), "the try was logged");

    // Names are judged on the addresses they resolve to, at delivery.
    let refused = prix_ceser::services::webhooks::resolve_destination("localhost", false).await.unwrap_err();
    assert!(refused.to_string().contains("a non-public address"), "{refused}");
    assert!(prix_ceser::services::webhooks::resolve_destination("localhost", true).await.is_ok());
});

api_test!(async fn webhooks_belong_to_their_organization_and_are_bounded(app) {
    let org = app.create_organization("ceser-hooks-a").await;
    let other = app.create_organization("ceser-hooks-b").await;
    let body = json!({"url": "https://hooks.example.fr/prix", "events": ["results.published"]});
    let created = json(subscribe(&app, &org, body.clone()).await).await;
    let location = format!("{}/{}", hooks(&org), created["id"].as_str().unwrap());
    let delivery = format!("{location}/deliveries/{}/redeliver", uuid::Uuid::now_v7());
    // Another organization's staff neither see nor touch it, even through their own path.
    let elsewhere = location.replace(&org.id, &other.id);
    for (method, path) in [
        (reqwest::Method::GET, location.clone()),
        (reqwest::Method::PUT, location.clone()),
        (reqwest::Method::DELETE, location.clone()),
        (reqwest::Method::GET, format!("{location}/deliveries")),
        (reqwest::Method::POST, format!("{location}/rotate-secret")),
        (reqwest::Method::POST, delivery.clone()),
        (reqwest::Method::GET, elsewhere.clone()),
        (reqwest::Method::DELETE, elsewhere),
        (reqwest::Method::GET, hooks(&org)),
        (reqwest::Method::POST, hooks(&org)),
    ] {
        let response = app.request(method.clone(), &path).bearer_auth(&other.admin.token).json(&body).send().await.unwrap();
        assert_problem(response, 404, "not_found").await;
    }
    // A delivery that is not this webhook's is not found.
    let missing = app.post(&delivery, &json!({})).bearer_auth(&org.admin.token).send().await.unwrap();
    assert_problem(missing, 404, "not_found").await;
    // Ten at most, even asked for all at once.
    let racing = futures::future::join_all((0..14).map(|_| subscribe(&app, &org, json!({
        "url": "https://hooks.example.fr/prix?token=secret-in-query", "events": ["results.published"]
    })))).await;
    let created = racing.iter().filter(|response| response.status() == 201).count();
    assert_eq!(created, 9, "one existed, nine more fit");
    assert_problem(subscribe(&app, &org, body.clone()).await, 409, "too_many_webhooks").await;
    let listed = json(app.get(&hooks(&org)).bearer_auth(&org.admin.token).send().await.unwrap()).await;
    assert_eq!(listed.as_array().unwrap().len(), 10);
    // The changes are in the organization's audit trail.
    let platform = app.create_platform_admin().await;
    let trail = app.get("/api/v1/audit?action=webhook.created").bearer_auth(&platform.token).send().await.unwrap().text().await.unwrap();
    assert_eq!(trail.matches("webhook.created").count(), 10, "{trail}");
    assert!(!trail.contains("secret-in-query"), "the trail keeps URLs without their query");
});

webhook_test!(async fn ballot_events_say_the_state_never_the_votes(app) {
    let (run, prize) = ceremony(&app).await;
    let receiver = Receiver::start(0);
    let created = subscribe(&app, &run.organization, json!({
        "url": receiver.url, "events": ["ballot.opened", "ballot.closed", "prize.decided"]
    })).await;
    assert_eq!(created.status(), 201);
    let voters = councillors(&app, &run, 2).await;
    staff(&app, &run, "ballot/open", &prize).await;
    for voter in &voters {
        assert_eq!(vote(&app, &prize, voter, &run.files[0]).await.status(), 201);
    }
    staff(&app, &run, "ballot/close", &prize).await;
    let received = receiver.wait_for(2).await;
    let events: Vec<Value> = received.iter().map(|delivery| serde_json::from_str(&delivery.body).unwrap()).collect();
    assert_eq!(events.iter().map(|event| event["type"].as_str().unwrap()).collect::<Vec<_>>(), ["ballot.opened", "ballot.closed"]);
    for (event, delivery) in events.iter().zip(&received) {
        let mut keys: Vec<&str> = event["data"].as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["edition_id", "organization_id", "prize_id"], "{event}");
        assert_eq!(event["data"]["prize_id"], prize);
        assert!(!delivery.body.contains(&run.files[0]), "no vote in {}", delivery.body);
    }
});

webhook_test!(async fn a_slow_receiver_delays_only_its_own_deliveries(app) {
    let org = app.create_organization("ceser-slow").await;
    let slow = Receiver::answering_after(0, Duration::from_secs(8));
    let fast = Receiver::start(0);
    for receiver in [&slow, &fast] {
        let created = subscribe(&app, &org, json!({"url": receiver.url, "events": ["edition.transitioned"]})).await;
        assert_eq!(created.status(), 201);
    }
    app.open_edition(&org).await;
    let started = std::time::Instant::now();
    fast.wait_for(1).await;
    assert!(started.elapsed() < Duration::from_secs(6), "the fast receiver waited {:?}", started.elapsed());
    assert!(slow.received().is_empty(), "the slow one is still answering");
});

webhook_test!(async fn secrets_are_sealed_at_rest_for_their_own_webhook(app) {
    let org = app.create_organization("ceser-sealed").await;
    let receiver = Receiver::start(0);
    let body = json!({"url": receiver.url, "events": ["edition.transitioned"]});
    let first = json(subscribe(&app, &org, body.clone()).await).await;
    let second = json(subscribe(&app, &org, body).await).await;
    let id = |hook: &Value| -> uuid::Uuid { hook["id"].as_str().unwrap().parse().unwrap() };
    let row = webhook::Entity::find_by_id(id(&first)).one(&app.db).await.unwrap().unwrap();
    let secret = first["secret"].as_str().unwrap();
    assert!(!row.secret.contains(&secret[6..]) && row.secret.starts_with("sealed-v1:"), "{}", row.secret);
    // A sealed secret copied onto another webhook's row does not sign for it.
    let mut copied = webhook::Entity::find_by_id(id(&second)).one(&app.db).await.unwrap().unwrap().into_active_model();
    copied.secret = Set(row.secret.clone());
    copied.update(&app.db).await.unwrap();
    app.open_edition(&org).await;
    let delivered = receiver.wait_for(1).await;
    assert!(verify(secret, &delivered[0]));
    let location = format!("{}/{}", hooks(&org), id(&second));
    for _ in 0..200 {
        let log = deliveries(&app, &org, &location).await;
        if let Some(error) = log[0]["last_error"].as_str() {
            assert!(error.contains("signing secret unusable"), "{error}");
            assert_eq!(receiver.received().len(), 1);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery with a copied secret was not tried");
});
