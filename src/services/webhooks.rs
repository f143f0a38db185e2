//! Webhooks: an organization's subscriptions, the deliveries its events make, and the worker
//! that sends them, signed as the Standard Webhooks specification says, with retries.
//!
//! A delivery is written in the transaction of the change it announces ([`announce`], called
//! by the audit trail), so an event is sent exactly when its change is committed, never for a
//! change rolled back. Destinations are checked when subscribed and again at every delivery,
//! on the addresses the name resolves to then.
use std::{
    collections::{BTreeMap, HashSet},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::{
        pagination::{Page, PageRequest},
        validation::Violations,
        webhook::{self as rules, DeliveryStatus, EventType, SecretSeal},
    },
    entities::{webhook, webhook_delivery},
    error::ApiError,
    services::{
        audit::{self, AuditEntry},
        staff,
    },
};

/// A subscription as staff see it (its secret only when made or rotated).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub organization_id: Uuid,
    #[schema(example = "https://hooks.ceser.example/prix")]
    pub url: String,
    #[schema(example = "Site du CESER")]
    pub description: String,
    pub events: Vec<EventType>,
    /// A disabled webhook is sent nothing (events while disabled are not kept for it).
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Until then, deliveries are also signed with the secret before the last rotation.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
}

impl From<webhook::Model> for Webhook {
    fn from(model: webhook::Model) -> Self {
        Self {
            id: model.id,
            organization_id: model.organization_id,
            events: rules::stored_events(&model.events),
            url: model.url,
            description: model.description,
            enabled: model.enabled,
            created_at: model.created_at,
            updated_at: model.updated_at,
            previous_secret_valid_until: model
                .previous_secret_until
                .filter(|until| *until > db::now()),
        }
    }
}

/// One event sent (or to be sent) to one webhook.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDelivery {
    /// Also the `webhook-id` header, the same on every try: receivers deduplicate on it.
    pub id: Uuid,
    pub webhook_id: Uuid,
    #[schema(example = "application.submitted")]
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Tries so far.
    pub attempts: i32,
    /// When the next try is due; `null` unless pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status the receiver last answered; `null` when it could not be reached.
    pub response_status: Option<i32>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body sent, as signed.
    #[schema(value_type = Object, example = json!({"type": "application.submitted", "timestamp": "2026-03-02T09:00:00Z", "data": {"application_id": "0193a7c4-5e1f-7000-8000-000000000001", "edition_id": "0193a7c4-5e1f-7000-8000-000000000002", "organization_id": "0193a7c4-5e1f-7000-8000-000000000003"}}))]
    pub payload: Value,
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(model: webhook_delivery::Model) -> Self {
        Self {
            id: model.id,
            webhook_id: model.webhook_id,
            event_type: model.event_type,
            next_attempt_at: (model.status == DeliveryStatus::Pending)
                .then_some(model.next_attempt_at),
            status: model.status,
            attempts: model.attempts,
            last_attempt_at: model.last_attempt_at,
            response_status: model.response_status,
            last_error: model.last_error,
            created_at: model.created_at,
            delivered_at: model.delivered_at,
            payload: serde_json::from_str(&model.payload).unwrap_or(Value::Null),
        }
    }
}

/// A subscription as asked for, before validation.
pub struct WebhookFields {
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<String>,
    pub enabled: bool,
}

struct ValidFields {
    url: String,
    description: String,
    events: String,
}

fn validate(fields: &WebhookFields, allow_private: bool) -> Result<ValidFields, ApiError> {
    let mut violations = Violations::default();
    let url = violations.check("url", rules::parse_destination(&fields.url, allow_private));
    let description = violations.check(
        "description",
        rules::parse_description(fields.description.as_deref().unwrap_or_default()),
    );
    let events = violations.check("events", rules::parse_events(&fields.events));
    violations.finish().map_err(ApiError::Validation)?;
    // Every field passed: each `check` kept its value.
    Ok(ValidFields {
        url: url.unwrap_or_default(),
        description: description.unwrap_or_default(),
        events: rules::store_events(&events.unwrap_or_default()),
    })
}

/// `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries read it.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

async fn audit_change(
    txn: &sea_orm::DatabaseTransaction,
    caller: &Principal,
    action: &'static str,
    model: &webhook::Model,
) -> Result<(), DbErr> {
    audit::record(
        txn,
        AuditEntry::by(
            caller.id,
            action,
            "organization",
            model.organization_id,
            json!({
                "webhook_id": model.id,
                "url": rules::url_for_the_record(&model.url),
                "events": model.events,
                "enabled": model.enabled,
            }),
        ),
    )
    .await
}

/// The organization's webhook, for its staff; 404 otherwise.
async fn owned(
    db: &impl ConnectionTrait,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
) -> Result<webhook::Model, ApiError> {
    staff::ensure_staff(db, caller, organization_id).await?;
    webhook::Entity::find_by_id(id)
        .filter(webhook::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Subscribes a URL; returns the webhook and its signing secret, shown this once.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    fields: WebhookFields,
    allow_private: bool,
    seal: &SecretSeal,
) -> Result<(Webhook, String), ApiError> {
    let valid = validate(&fields, allow_private)?;
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    // Two racing subscriptions must not both pass the bound.
    db::lock_on(&txn, organization_id).await?;
    let existing = webhook::Entity::find()
        .filter(webhook::Column::OrganizationId.eq(organization_id))
        .count(&txn)
        .await?;
    rules::check_another(existing)?;
    let secret = new_secret();
    let now = db::now();
    let id = Uuid::now_v7();
    let model = webhook::Model {
        id,
        organization_id,
        url: valid.url,
        description: valid.description,
        events: valid.events,
        enabled: fields.enabled,
        secret: seal.seal(id, &secret),
        previous_secret: None,
        previous_secret_until: None,
        created_at: now,
        updated_at: now,
    };
    webhook::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await?;
    audit_change(&txn, caller, "webhook.created", &model).await?;
    txn.commit().await?;
    Ok((model.into(), secret))
}

/// The organization's webhooks (at most [`rules::MAX_PER_ORGANIZATION`]), oldest first.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<Vec<Webhook>, ApiError> {
    staff::ensure_staff(db, caller, organization_id).await?;
    Ok(webhook::Entity::find()
        .filter(webhook::Column::OrganizationId.eq(organization_id))
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

pub async fn find(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
) -> Result<Webhook, ApiError> {
    Ok(owned(db, caller, organization_id, id).await?.into())
}

/// Replaces the URL, description, events and whether it is enabled; the secret stays.
pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    fields: WebhookFields,
    allow_private: bool,
) -> Result<Webhook, ApiError> {
    let valid = validate(&fields, allow_private)?;
    let txn = db::begin_write(db).await?;
    let mut active = owned(&txn, caller, organization_id, id)
        .await?
        .into_active_model();
    active.url = Set(valid.url);
    active.description = Set(valid.description);
    active.events = Set(valid.events);
    active.enabled = Set(fields.enabled);
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit_change(&txn, caller, "webhook.updated", &model).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Deletes the webhook and its delivery log; nothing more is sent to it.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    let model = owned(&txn, caller, organization_id, id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    webhook::Entity::delete_by_id(id).exec(&txn).await?;
    audit_change(&txn, caller, "webhook.deleted", &model).await?;
    txn.commit().await?;
    Ok(())
}

/// A new signing secret, shown this once; the previous one keeps signing deliveries (as a
/// second signature) for [`rules::PREVIOUS_SECRET_GRACE`], so receivers can switch, unless
/// `revoke_previous` (a leaked secret) ends it at once.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    revoke_previous: bool,
    seal: &SecretSeal,
) -> Result<(Webhook, String), ApiError> {
    let txn = db::begin_write(db).await?;
    let current = owned(&txn, caller, organization_id, id).await?;
    let secret = new_secret();
    let now = db::now();
    let mut active = current.clone().into_active_model();
    if revoke_previous {
        active.previous_secret = Set(None);
        active.previous_secret_until = Set(None);
    } else {
        active.previous_secret = Set(Some(current.secret));
        active.previous_secret_until = Set(Some(now + rules::PREVIOUS_SECRET_GRACE));
    }
    active.secret = Set(seal.seal(id, &secret));
    active.updated_at = Set(now);
    let model = active.update(&txn).await?;
    audit_change(&txn, caller, "webhook.secret_rotated", &model).await?;
    txn.commit().await?;
    Ok((model.into(), secret))
}

/// The webhook's deliveries, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    page: PageRequest<Uuid>,
) -> Result<Page<WebhookDelivery>, ApiError> {
    owned(db, caller, organization_id, id).await?;
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(webhook_delivery::Column::Id.lt(after));
    }
    let rows = query
        .all(db)
        .await?
        .into_iter()
        .map(WebhookDelivery::from)
        .collect();
    Ok(page.paginate(rows, |delivery| delivery.id.to_string()))
}

/// Sends a delivery again, whatever became of it, with a fresh series of tries; the receiver
/// sees the same `webhook-id`.
pub async fn redeliver(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    delivery_id: Uuid,
) -> Result<WebhookDelivery, ApiError> {
    let txn = db::begin_write(db).await?;
    owned(&txn, caller, organization_id, id).await?;
    let delivery = webhook_delivery::Entity::find_by_id(delivery_id)
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut active = delivery.into_active_model();
    active.status = Set(DeliveryStatus::Pending);
    active.attempts = Set(0);
    active.next_attempt_at = Set(db::now());
    let model = active.update(&txn).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Queues the events an audited change announces to the organization's enabled webhooks that
/// subscribe to them, in the change's transaction.
pub async fn announce(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    action: &str,
    details: &Value,
    ids: Map<String, Value>,
) -> Result<(), DbErr> {
    let events = rules::events_of(action, details, ids);
    if events.is_empty() {
        return Ok(());
    }
    let subscribed = webhook::Entity::find()
        .filter(webhook::Column::OrganizationId.eq(organization_id))
        .filter(webhook::Column::Enabled.eq(true))
        .all(txn)
        .await?;
    let now = db::now();
    let mut rows = Vec::new();
    for (event, data) in events {
        let payload = json!({
            "type": event.as_str(),
            "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": data,
        })
        .to_string();
        for hook in &subscribed {
            if rules::stored_events(&hook.events).contains(&event) {
                rows.push(webhook_delivery::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    webhook_id: Set(hook.id),
                    event_type: Set(event.as_str().to_owned()),
                    payload: Set(payload.clone()),
                    status: Set(DeliveryStatus::Pending),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    last_attempt_at: Set(None),
                    response_status: Set(None),
                    last_error: Set(None),
                    created_at: Set(now),
                    delivered_at: Set(None),
                });
            }
        }
    }
    if !rows.is_empty() {
        webhook_delivery::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Resolves names for deliveries, refusing any name with an address that is not public
/// (unless private destinations are allowed): the check is made on the very addresses the
/// connection will use, at each delivery, so a name that changes after subscribing is caught.
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addresses = resolve_destination(name.as_str(), allow_private).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The addresses a delivery to `host` may use: all it resolves to, or an error when one of
/// them is not public (unless private destinations are allowed).
pub async fn resolve_destination(
    host: &str,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    // Which address it was is not said: the delivery log must not map internal names.
    if !allow_private
        && addresses
            .iter()
            .any(|address| !rules::is_public_address(address.ip()))
    {
        return Err(
            format!("destination not allowed: {host} resolves to a non-public address").into(),
        );
    }
    Ok(addresses)
}

/// Sends deliveries: one HTTP client, its names resolved by [`PublicOnly`], no redirect
/// followed, no proxy, ten seconds at most per try.
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
    retry_base: Duration,
    seal: SecretSeal,
}

impl Sender {
    pub fn new(
        allow_private: bool,
        retry_base: Duration,
        seal: SecretSeal,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("prix-ceser-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private,
            retry_base,
            seal,
        })
    }

    /// One try: the receiver's status, or why it could not be reached.
    async fn send(
        &self,
        hook: &webhook::Model,
        delivery: &webhook_delivery::Model,
    ) -> (Option<u16>, Result<(), String>) {
        // The stored URL is checked again: it may have been written around the API.
        if let Err(error) = rules::parse_destination(&hook.url, self.allow_private) {
            return (
                None,
                Err(format!(
                    "destination not allowed: {}",
                    crate::i18n::for_operators(&error.message)
                )),
            );
        }
        let timestamp = db::now().timestamp();
        let id = delivery.id.to_string();
        let now = db::now();
        let stored = std::iter::once(hook.secret.as_str()).chain(
            hook.previous_secret
                .as_deref()
                .filter(|_| hook.previous_secret_until.is_some_and(|until| until > now)),
        );
        let mut signatures = Vec::new();
        for stored in stored {
            let Some(secret) = self.seal.open(hook.id, stored) else {
                return (
                    None,
                    Err("signing secret unusable: sealed for another webhook or with another voter key".to_owned()),
                );
            };
            match standardwebhooks::Webhook::new(&secret)
                .and_then(|signer| signer.sign(&id, timestamp, delivery.payload.as_bytes()))
            {
                Ok(signature) => signatures.push(signature),
                Err(error) => return (None, Err(format!("signing secret unusable: {error}"))),
            }
        }
        let response = self
            .client
            .post(&hook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(standardwebhooks::HEADER_WEBHOOK_ID, &id)
            .header(
                standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
                timestamp.to_string(),
            )
            .header(
                standardwebhooks::HEADER_WEBHOOK_SIGNATURE,
                signatures.join(" "),
            )
            .body(delivery.payload.clone())
            .send()
            .await;
        match response {
            Ok(response) if response.status().is_success() => {
                (Some(response.status().as_u16()), Ok(()))
            }
            Ok(response) => (
                Some(response.status().as_u16()),
                Err(format!("the receiver answered {}", response.status())),
            ),
            Err(error) => (None, Err(describe(&error))),
        }
    }
}

/// A transport error with its causes (reqwest's own message stops at "error sending request").
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

/// Webhooks served at once by one process.
const CONCURRENT_WEBHOOKS: usize = 32;

/// The due deliveries of the webhooks not being served, each webhook's in the order of its
/// events, so that a receiver that is up hears of a ballot opening before its closing.
async fn due_by_webhook(
    db: &DatabaseConnection,
    busy: &[Uuid],
) -> Result<BTreeMap<Uuid, Vec<webhook_delivery::Model>>, DbErr> {
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(db::now()))
        .filter(webhook_delivery::Column::WebhookId.is_not_in(busy.iter().copied()))
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let mut by_webhook: BTreeMap<Uuid, Vec<webhook_delivery::Model>> = BTreeMap::new();
    for delivery in due {
        by_webhook
            .entry(delivery.webhook_id)
            .or_default()
            .push(delivery);
    }
    Ok(by_webhook)
}

async fn deliver_one(
    db: &DatabaseConnection,
    sender: &Sender,
    delivery: webhook_delivery::Model,
) -> Result<bool, DbErr> {
    // Claim the try by counting it, so that two workers never send it at once; if this
    // process dies mid-try, the lease makes it due again in a minute.
    let attempts = delivery.attempts + 1;
    let claimed = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(db::now() + Duration::from_secs(60)),
        )
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .filter(webhook_delivery::Column::Attempts.eq(delivery.attempts))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Ok(false);
    }
    let hook = webhook::Entity::find_by_id(delivery.webhook_id)
        .one(db)
        .await?;
    let Some(hook) = hook.filter(|hook| hook.enabled) else {
        // Disabled since the event: not sent, and not tried again (a redelivery can send it).
        webhook_delivery::Entity::update(webhook_delivery::ActiveModel {
            id: Set(delivery.id),
            status: Set(DeliveryStatus::Failed),
            last_error: Set(Some("the webhook is disabled".to_owned())),
            ..Default::default()
        })
        .exec(db)
        .await?;
        return Ok(false);
    };
    let (status, outcome) = sender.send(&hook, &delivery).await;
    let now = db::now();
    let mut update = webhook_delivery::ActiveModel {
        id: Set(delivery.id),
        last_attempt_at: Set(Some(now)),
        response_status: Set(status.map(i32::from)),
        ..Default::default()
    };
    let delivered = outcome.is_ok();
    match outcome {
        Ok(()) => {
            update.status = Set(DeliveryStatus::Delivered);
            update.delivered_at = Set(Some(now));
            update.last_error = Set(None);
        }
        Err(error) => {
            tracing::warn!(delivery_id = %delivery.id, attempts, error, "webhook delivery failed");
            match rules::retry_delay(attempts, sender.retry_base) {
                Some(delay) => update.next_attempt_at = Set(now + delay),
                None => update.status = Set(DeliveryStatus::Failed),
            }
            update.last_error = Set(Some(error));
        }
    }
    webhook_delivery::Entity::update(update).exec(db).await?;
    Ok(delivered)
}

/// Runs the delivery loop until the process stops. Each webhook is served by a task of its
/// own, so a slow or unreachable receiver delays only its own deliveries, never another
/// organization's; a webhook being served is left out of the next passes until it is done.
pub fn spawn_worker(db: DatabaseConnection, sender: Sender) {
    let sender = Arc::new(sender);
    let busy: Arc<Mutex<HashSet<Uuid>>> = Arc::default();
    tokio::spawn(async move {
        loop {
            let serving: Vec<Uuid> = busy.lock().expect("not poisoned").iter().copied().collect();
            match due_by_webhook(&db, &serving).await {
                Ok(queues) => {
                    for (webhook_id, queue) in queues {
                        {
                            let mut busy = busy.lock().expect("not poisoned");
                            if busy.len() >= CONCURRENT_WEBHOOKS || !busy.insert(webhook_id) {
                                continue;
                            }
                        }
                        let (db, sender, busy) = (db.clone(), sender.clone(), busy.clone());
                        tokio::spawn(async move {
                            for delivery in queue {
                                if let Err(error) = deliver_one(&db, &sender, delivery).await {
                                    tracing::error!(error = %error, "webhook delivery failed to record");
                                    break;
                                }
                            }
                            busy.lock().expect("not poisoned").remove(&webhook_id);
                        });
                    }
                }
                Err(error) => tracing::error!(error = %error, "webhook delivery pass failed"),
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
}
