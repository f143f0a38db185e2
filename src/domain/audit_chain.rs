//! The audit trail is a hash chain: each event stores the hash of the previous one, so an
//! edited, inserted or deleted event breaks the chain and is detected by [`verify`].
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed content of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    /// JSON text, hashed byte for byte.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The organization the event belongs to.
    pub organization_id: Option<Uuid>,
}

/// Timestamps are kept to the microsecond, the precision both databases store.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The hash of an event: SHA-256 over its length-prefixed fields and the previous hash.
pub fn event_hash(event: &ChainedEvent) -> String {
    let actor = event.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let fields = [
        event.seq.to_string(),
        event
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        actor,
        event.action.clone(),
        event.target_type.clone(),
        event.target_id.clone().unwrap_or_default(),
        event.details.clone(),
        event.prev_hash.clone(),
    ];
    // Hashed only when present, so that events written before it existed still verify.
    let organization = event.organization_id.map(|id| id.to_string());
    let mut hasher = Sha256::new();
    for field in fields.into_iter().chain(organization) {
        // Length prefixes make the encoding unambiguous ("ab"+"c" ≠ "a"+"bc").
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at event {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: &'static str,
}

/// Checks events in `seq` order; returns how many were verified.
pub fn verify(events: impl IntoIterator<Item = ChainedEvent>) -> Result<u64, ChainBreak> {
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    for (expected_seq, event) in (1..).zip(events) {
        let fail = |reason| {
            Err(ChainBreak {
                seq: event.seq,
                reason,
            })
        };
        if event.seq != expected_seq {
            return fail("sequence gap: an event was deleted or inserted");
        }
        if event.prev_hash != expected_prev {
            return fail("previous hash does not match the preceding event");
        }
        if event_hash(&event) != event.hash {
            return fail("content does not match its hash: the event was edited");
        }
        expected_prev = event.hash;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: i64) -> Vec<ChainedEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=length)
            .map(|seq| {
                let mut event = ChainedEvent {
                    seq,
                    occurred_at: DateTime::from_timestamp(1_790_000_000 + seq, 0).unwrap(),
                    actor_id: None,
                    action: "user.created".into(),
                    target_type: "user".into(),
                    target_id: Some(format!("u{seq}")),
                    details: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    // Every other event belongs to an organization.
                    organization_id: (seq % 2 == 0).then(|| Uuid::from_u128(seq as u128)),
                };
                event.hash = event_hash(&event);
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(chain(3)), Ok(3));
        assert_eq!(verify(Vec::new()), Ok(0));
    }

    #[test]
    fn an_event_moved_to_another_organization_is_detected() {
        let mut events = chain(3);
        events[1].organization_id = Some(Uuid::from_u128(99));
        assert_eq!(verify(events.clone()).unwrap_err().seq, 2);
        events[1].organization_id = None;
        assert_eq!(verify(events).unwrap_err().seq, 2);
    }

    #[test]
    fn an_edited_event_is_detected() {
        let mut events = chain(3);
        events[1].details = r#"{"roles":["admin"]}"#.into();
        assert_eq!(verify(events).unwrap_err().seq, 2);
    }

    #[test]
    fn a_deleted_event_is_detected() {
        let mut events = chain(3);
        events.remove(1);
        assert_eq!(verify(events).unwrap_err().seq, 3);
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_next_link() {
        let mut events = chain(3);
        events[1].action = "user.deleted".into();
        events[1].hash = event_hash(&events[1]);
        let broken = verify(events).unwrap_err();
        assert_eq!(
            (broken.seq, broken.reason),
            (3, "previous hash does not match the preceding event")
        );
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.action = "ab".into();
        a.target_type = "c".into();
        b.action = "a".into();
        b.target_type = "bc".into();
        assert_ne!(event_hash(&a), event_hash(&b));
    }
}
