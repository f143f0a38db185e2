//! The audit trail: append (in the caller's transaction), list, verify.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    db,
    domain::{
        audit_chain::{self, ChainBreak, ChainedEvent, GENESIS_HASH},
        pagination::{Page, PageRequest},
    },
    entities::{application, audit_event, edition, prize},
    services::{staff::StaffScope, webhooks},
};

/// Advisory-lock key serialising audit appends on PostgreSQL.
const AUDIT_CHAIN_LOCK: i64 = 0x5052_4958_4155_4454; // "PRIXAUDT"

/// A state change to record.
pub struct AuditEntry {
    pub actor_id: Option<Uuid>,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
}

impl AuditEntry {
    /// What `actor` did (`action`) to the `target_type` identified by `target`.
    pub fn by(
        actor: Uuid,
        action: &'static str,
        target_type: &'static str,
        target: Uuid,
        details: serde_json::Value,
    ) -> Self {
        AuditEntry {
            actor_id: Some(actor),
            action,
            target_type,
            target_id: Some(target.to_string()),
            details,
        }
    }
}

/// Where a target belongs: its organization (whose trail holds the event) and edition; both
/// `None` for targets that belong to no organization (accounts, sessions).
#[derive(Default)]
struct Owners {
    organization_id: Option<Uuid>,
    edition_id: Option<Uuid>,
}

async fn owners_of(
    txn: &DatabaseTransaction,
    target_type: &str,
    target_id: Option<&str>,
) -> Result<Owners, DbErr> {
    let Some(id) = target_id.and_then(|id| Uuid::parse_str(id).ok()) else {
        return Ok(Owners::default());
    };
    let edition_id = match target_type {
        "organization" => {
            return Ok(Owners {
                organization_id: Some(id),
                edition_id: None,
            });
        }
        "edition" => Some(id),
        "application" => application::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|model| model.edition_id),
        "prize" => prize::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|model| model.edition_id),
        _ => None,
    };
    let Some(edition_id) = edition_id else {
        return Ok(Owners::default());
    };
    Ok(Owners {
        organization_id: edition::Entity::find_by_id(edition_id)
            .one(txn)
            .await?
            .map(|model| model.organization_id),
        edition_id: Some(edition_id),
    })
}

/// The identifiers a webhook event about this target carries.
fn event_ids(entry: &AuditEntry, owners: &Owners) -> Map<String, Value> {
    let mut ids = Map::new();
    if let Some(target) = &entry.target_id {
        ids.insert(format!("{}_id", entry.target_type), json!(target));
    }
    if let Some(edition) = owners.edition_id {
        ids.insert("edition_id".into(), json!(edition));
    }
    if let Some(organization) = owners.organization_id {
        ids.insert("organization_id".into(), json!(organization));
    }
    ids
}

/// Appends `entry` to the chain, inside the transaction making the change it records.
pub async fn record(txn: &DatabaseTransaction, entry: AuditEntry) -> Result<(), DbErr> {
    let owners = owners_of(txn, entry.target_type, entry.target_id.as_deref()).await?;
    let organization_id = owners.organization_id;
    if let Some(organization_id) = organization_id {
        // The organization's webhooks hear of the change in its own transaction.
        webhooks::announce(
            txn,
            organization_id,
            entry.action,
            &entry.details,
            event_ids(&entry, &owners),
        )
        .await?;
    }
    db::lock_for_chain(txn, AUDIT_CHAIN_LOCK).await?;
    let last = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Seq)
        .one(txn)
        .await?;
    let mut event = ChainedEvent {
        seq: last.as_ref().map_or(1, |last| last.seq + 1),
        occurred_at: db::now(),
        actor_id: entry.actor_id,
        action: entry.action.to_owned(),
        target_type: entry.target_type.to_owned(),
        target_id: entry.target_id,
        details: entry.details.to_string(),
        prev_hash: last.map_or_else(|| GENESIS_HASH.to_owned(), |last| last.hash),
        hash: String::new(),
        organization_id,
    };
    event.hash = audit_chain::event_hash(&event);
    audit_event::Entity::insert(audit_event::ActiveModel {
        seq: Set(event.seq),
        occurred_at: Set(event.occurred_at),
        actor_id: Set(event.actor_id),
        action: Set(event.action),
        target_type: Set(event.target_type),
        target_id: Set(event.target_id),
        details: Set(event.details),
        prev_hash: Set(event.prev_hash),
        hash: Set(event.hash),
        organization_id: Set(event.organization_id),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// One event of the trail, as shown to staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    #[schema(example = 1)]
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    /// The account that acted; `null` for the command line.
    pub actor_id: Option<Uuid>,
    #[schema(example = "user.created")]
    pub action: String,
    #[schema(example = "user")]
    pub target_type: String,
    pub target_id: Option<String>,
    #[schema(value_type = Object, example = json!({"roles": ["jury"]}))]
    pub details: serde_json::Value,
    /// The organization whose trail holds the event; `null` for events about accounts.
    pub organization_id: Option<Uuid>,
    /// SHA-256 of this event chained to the previous one.
    pub hash: String,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(model: audit_event::Model) -> Self {
        Self {
            seq: model.seq,
            occurred_at: model.occurred_at,
            actor_id: model.actor_id,
            action: model.action,
            target_type: model.target_type,
            target_id: model.target_id,
            details: serde_json::from_str(&model.details).unwrap_or(serde_json::Value::Null),
            organization_id: model.organization_id,
            hash: model.hash,
        }
    }
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
}

/// The events `scope` may read, newest first: every event for a platform admin; for an
/// organization's staff, their organizations' events, and the actions of `own_actions` (the
/// caller, unless a token limits it to some organizations).
pub async fn list(
    db: &DatabaseConnection,
    own_actions: Option<Uuid>,
    scope: &StaffScope,
    filter: AuditFilter,
    page: PageRequest<i64>,
) -> Result<Page<AuditEvent>, DbErr> {
    let mut query = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Seq)
        .limit(page.fetch_limit());
    if let StaffScope::Only(organizations) = scope {
        let mut visible = Condition::any()
            .add(audit_event::Column::OrganizationId.is_in(organizations.iter().copied()));
        if let Some(caller) = own_actions {
            visible = visible.add(audit_event::Column::ActorId.eq(caller));
        }
        query = query.filter(visible);
    }
    if let Some(after) = page.after {
        query = query.filter(audit_event::Column::Seq.lt(after));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_event::Column::Action.eq(action));
    }
    if let Some(actor_id) = filter.actor_id {
        query = query.filter(audit_event::Column::ActorId.eq(actor_id));
    }
    if let Some(target_type) = filter.target_type {
        query = query.filter(audit_event::Column::TargetType.eq(target_type));
    }
    if let Some(target_id) = filter.target_id {
        query = query.filter(audit_event::Column::TargetId.eq(target_id));
    }
    let rows = query
        .all(db)
        .await?
        .into_iter()
        .map(AuditEvent::from)
        .collect();
    Ok(page.paginate(rows, |event| event.seq.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Re-computes the whole chain, in batches; returns the number of events verified.
pub async fn verify(db: &DatabaseConnection) -> Result<u64, VerifyError> {
    const BATCH: u64 = 1000;
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        events.extend(batch.into_iter().map(|model| ChainedEvent {
            seq: model.seq,
            occurred_at: model.occurred_at,
            actor_id: model.actor_id,
            action: model.action,
            target_type: model.target_type,
            target_id: model.target_id,
            details: model.details,
            prev_hash: model.prev_hash,
            hash: model.hash,
            organization_id: model.organization_id,
        }));
    }
    Ok(audit_chain::verify(events)?)
}
