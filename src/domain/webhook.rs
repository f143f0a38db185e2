//! Webhooks: which events exist and what they say, where deliveries may go, and how often a
//! failed delivery is tried again.
use crate::domain::Text;
use std::{net::IpAddr, sync::LazyLock, time::Duration};

use ipnet::IpNet;
use serde_json::{Map, Value, json};
use strum::IntoEnumIterator;

use super::{
    refusal::{ProblemCode, Refusal, refuse},
    validation::{FieldError, is_hidden_character},
};

/// Webhooks an organization may have at once.
pub const MAX_PER_ORGANIZATION: u64 = 10;
/// Tries of one delivery before it is given up (then only a manual redelivery sends it).
pub const MAX_ATTEMPTS: i32 = 8;
/// The longest wait between two tries.
const MAX_DELAY: Duration = Duration::from_secs(10 * 3600);
/// How long the secret before a rotation keeps signing deliveries, so receivers can switch.
pub const PREVIOUS_SECRET_GRACE: Duration = Duration::from_secs(24 * 3600);

stored_state! {
    /// Where a delivery stands: `pending` until the receiver answers 2xx (`delivered`) or
    /// every try has failed (`failed`; a manual redelivery makes it `pending` again).
    pub enum DeliveryStatus {
        Pending,
        Delivered,
        Failed,
    }
}

/// What happened, as a webhook subscriber names it. Each one comes from an entry of the audit
/// trail ([`events_of`]), so an event is announced exactly when the change is committed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
pub enum EventType {
    #[serde(rename = "application.submitted")]
    #[strum(serialize = "application.submitted")]
    ApplicationSubmitted,
    #[serde(rename = "application.reviewed")]
    #[strum(serialize = "application.reviewed")]
    ApplicationReviewed,
    #[serde(rename = "edition.transitioned")]
    #[strum(serialize = "edition.transitioned")]
    EditionTransitioned,
    #[serde(rename = "shortlist.confirmed")]
    #[strum(serialize = "shortlist.confirmed")]
    ShortlistConfirmed,
    #[serde(rename = "audition.scheduled")]
    #[strum(serialize = "audition.scheduled")]
    AuditionScheduled,
    #[serde(rename = "prize.decided")]
    #[strum(serialize = "prize.decided")]
    PrizeDecided,
    #[serde(rename = "ballot.opened")]
    #[strum(serialize = "ballot.opened")]
    BallotOpened,
    #[serde(rename = "ballot.closed")]
    #[strum(serialize = "ballot.closed")]
    BallotClosed,
    #[serde(rename = "results.published")]
    #[strum(serialize = "results.published")]
    ResultsPublished,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The events a subscription asks for, by name: at least one, each known, each once, in a
/// stable order.
pub fn parse_events(names: &[String]) -> Result<Vec<EventType>, FieldError> {
    let kinds = EventType::iter().count();
    if names.len() > kinds {
        // As the contract's `maxItems` says: a list longer than the events there are.
        return Err(FieldError::new(
            "",
            "too_long",
            text!("field-name-at-most-events-each", kinds),
        ));
    }
    let mut events = Vec::with_capacity(names.len());
    for name in names {
        let event = name.parse().map_err(|_| {
            let known: Vec<&str> = EventType::iter().map(EventType::as_str).collect();
            FieldError::new(
                "",
                "invalid_value",
                text!(
                    "field-unknown-event-expected-one-of",
                    name,
                    known = known.join(", ")
                ),
            )
        })?;
        events.push(event);
    }
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(FieldError::new(
            "",
            "required",
            text!("field-name-at-least-one-event"),
        ));
    }
    Ok(events)
}

/// The events stored as text (comma-separated); names this version does not know are skipped.
pub fn stored_events(stored: &str) -> Vec<EventType> {
    stored
        .split(',')
        .filter_map(|name| name.parse().ok())
        .collect()
}

pub fn store_events(events: &[EventType]) -> String {
    events
        .iter()
        .map(|event| event.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The events an audit entry announces, each with its `data`. Only identifiers, states and
/// what is public once it happened are sent: never a vote, a reason written about a person or
/// anyone's contact details. `ids` holds the target's and its parents' identifiers.
pub fn events_of(
    action: &str,
    details: &Value,
    ids: Map<String, Value>,
) -> Vec<(EventType, Value)> {
    let with = |fields: &[&str]| {
        let mut data = ids.clone();
        for field in fields {
            if let Some(value) = details.get(*field) {
                data.insert((*field).to_owned(), value.clone());
            }
        }
        Value::Object(data)
    };
    match action {
        "application.submitted" => vec![(EventType::ApplicationSubmitted, with(&[]))],
        "application.reviewed" => vec![(EventType::ApplicationReviewed, with(&["decision"]))],
        "edition.transitioned" => {
            let mut events = vec![(EventType::EditionTransitioned, with(&["from", "to"]))];
            if details.get("to") == Some(&json!("results_published")) {
                events.push((EventType::ResultsPublished, with(&[])));
            }
            events
        }
        "edition.shortlist_confirmed" => {
            vec![(EventType::ShortlistConfirmed, with(&["shortlisted"]))]
        }
        "audition.scheduled" => vec![(EventType::AuditionScheduled, with(&["starts_at", "place"]))],
        "prize.decided" => vec![(EventType::PrizeDecided, with(&["laureate", "mentions"]))],
        "ballot.opened" => vec![(EventType::BallotOpened, with(&[]))],
        "ballot.closed" => vec![(EventType::BallotClosed, with(&[]))],
        _ => Vec::new(),
    }
}

/// Addresses no delivery goes to unless private destinations are allowed (development):
/// loopback, private, shared, link-local, documentation, benchmarking, multicast and reserved
/// ranges, and IPv6 forms that embed them.
static NON_PUBLIC: LazyLock<Vec<IpNet>> = LazyLock::new(|| {
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        // IPv4-compatible (deprecated) and IPv4-translated addresses, loopback and unspecified
        // included, and local-use NAT64.
        "::/96",
        "::ffff:0:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    ]
    .iter()
    .map(|net| net.parse().expect("a valid network"))
    .collect()
});

/// Whether a delivery may reach this address on the public Internet.
pub fn is_public_address(address: IpAddr) -> bool {
    let address = match address {
        // IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:abcd:efgh::)
        // reach an IPv4 address: judge that one.
        IpAddr::V6(v6) => match v6.segments() {
            [0, 0, 0, 0, 0, 0xffff, ..] | [0x64, 0xff9b, 0, 0, 0, 0, ..] => {
                let octets = v6.octets();
                IpAddr::from([octets[12], octets[13], octets[14], octets[15]])
            }
            [0x2002, high, low, ..] => {
                IpAddr::from([(high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8])
            }
            _ => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    !NON_PUBLIC.iter().any(|net| net.contains(&address))
}

/// A webhook's URL: `https://` (or `http://` where private destinations are allowed), no
/// credentials or fragment, at most 2,048 characters; a host that is an address or a local
/// name must be public unless private destinations are allowed. Names are resolved and checked
/// again at every delivery.
pub fn parse_destination(raw: &str, allow_private: bool) -> Result<String, FieldError> {
    let invalid = |message: Text| FieldError::new("", "invalid_format", message);
    let raw = raw.trim();
    // A URL parser drops tabs and line breaks silently: refuse them rather than store a URL
    // other than the one written.
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(text!("field-url-no-spaces")));
    }
    if raw.chars().count() > 2048 {
        return Err(FieldError::new(
            "",
            "too_long",
            text!("field-must-be-at-most-characters", max = 2048),
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid(text!("field-url-absolute")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid(text!("field-url-https"))),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(invalid(text!("field-url-no-credentials")));
    }
    if url.port() == Some(0) {
        return Err(invalid(text!("field-url-port-zero")));
    }
    let local = match url.host() {
        Some(url::Host::Ipv4(v4)) => !is_public_address(v4.into()),
        Some(url::Host::Ipv6(v6)) => !is_public_address(v6.into()),
        Some(url::Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.');
            domain == "localhost"
                || domain.ends_with(".localhost")
                || domain.ends_with(".local")
                || domain.ends_with(".internal")
                || !domain.contains('.')
        }
        None => return Err(invalid(text!("field-url-host"))),
    };
    if local && !allow_private {
        return Err(FieldError::new(
            "",
            "destination_not_allowed",
            text!("field-must-be-a-public-host"),
        ));
    }
    Ok(url.to_string())
}

/// What staff note about a webhook: at most 200 characters, without control or invisible
/// formatting characters (zero-width spaces, direction overrides), which would hide its text.
pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    let description = raw.trim();
    if description.chars().count() > 200 {
        return Err(FieldError::new(
            "",
            "too_long",
            text!("field-must-be-at-most-characters", max = 200),
        ));
    }
    if description.chars().any(is_hidden_character) {
        return Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-must-hold-no-control-or"),
        ));
    }
    Ok(description.to_owned())
}

/// A webhook's URL as the audit trail keeps it: without its query, which may hold a token.
pub fn url_for_the_record(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            parsed.to_string()
        }
        Err(_) => String::new(),
    }
}

/// Seals webhook signing secrets at rest (AES-256-GCM under a key derived from the voter key,
/// bound to their webhook's id): a copy of the database alone cannot forge deliveries.
#[derive(Clone)]
pub struct SecretSeal {
    cipher: aes_gcm::Aes256Gcm,
}

/// What starts a sealed secret as stored.
const SEALED_PREFIX: &str = "sealed-v1:";

impl SecretSeal {
    pub fn new(key: &[u8]) -> Self {
        use aes_gcm::KeyInit;
        Self {
            cipher: aes_gcm::Aes256Gcm::new_from_slice(key).expect("a 32-byte key"),
        }
    }

    /// `secret` as stored for the webhook `id`.
    pub fn seal(&self, id: uuid::Uuid, secret: &str) -> String {
        use aes_gcm::aead::{Aead, Payload};
        use base64::Engine;
        use rand::RngCore;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: secret.as_bytes(),
                    aad: id.as_bytes(),
                },
            )
            .expect("sealing a secret cannot fail");
        let stored = [&nonce[..], &sealed].concat();
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(stored)
        )
    }

    /// The secret stored for the webhook `id`, if it was sealed for it with this key.
    pub fn open(&self, id: uuid::Uuid, stored: &str) -> Option<String> {
        use aes_gcm::aead::{Aead, Payload};
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(stored.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(12);
        let secret = self
            .cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: sealed,
                    aad: id.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(secret).ok()
    }
}

/// One more webhook, for an organization that has `existing` of them.
pub fn check_another(existing: u64) -> Result<(), Refusal> {
    if existing >= MAX_PER_ORGANIZATION {
        return refuse(
            ProblemCode::TooManyWebhooks,
            text!(
                "too-many-webhooks",
                max_per_organization = MAX_PER_ORGANIZATION
            ),
        );
    }
    Ok(())
}

/// When to try a delivery again after its `attempts`-th failed try: `base`, then four times
/// longer each time (at most ten hours); `None` once it has been tried [`MAX_ATTEMPTS`] times.
pub fn retry_delay(attempts: i32, base: Duration) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let factor = 4u32.saturating_pow(attempts.saturating_sub(1).max(0) as u32);
    Some(base.saturating_mul(factor).min(MAX_DELAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_only_unless_private_destinations_are_allowed() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "64:ff9b:1::a00:1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "ff02::1",
        ] {
            assert!(!is_public_address(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public_address(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn destinations_are_https_public_urls_without_credentials() {
        assert_eq!(
            parse_destination(" https://hooks.example.fr/prix?x=1 ", false).unwrap(),
            "https://hooks.example.fr/prix?x=1"
        );
        for (bad, code) in [
            ("http://hooks.example.fr/", "invalid_format"),
            ("ftp://hooks.example.fr/", "invalid_format"),
            ("https://user:pw@hooks.example.fr/", "invalid_format"),
            ("https://hooks.example.fr/#top", "invalid_format"),
            ("https://hooks.example.fr:0/", "invalid_format"),
            ("hooks.example.fr", "invalid_format"),
            ("https://a.example/\r\nX-Injected: 1", "invalid_format"),
            ("https://a.exa mple/", "invalid_format"),
            ("https://127.0.0.1/", "destination_not_allowed"),
            ("https://[::1]/", "destination_not_allowed"),
            ("https://[::ffff:10.0.0.1]/", "destination_not_allowed"),
            ("https://169.254.169.254/latest", "destination_not_allowed"),
            ("https://2130706433/", "destination_not_allowed"),
            ("https://localhost/", "destination_not_allowed"),
            ("https://api.localhost./", "destination_not_allowed"),
            ("https://intranet/", "destination_not_allowed"),
            ("https://printer.local/", "destination_not_allowed"),
        ] {
            assert_eq!(
                parse_destination(bad, false).unwrap_err().code,
                code,
                "{bad}"
            );
        }
        let long = format!("https://hooks.example.fr/{}", "a".repeat(2048));
        assert_eq!(
            parse_destination(&long, false).unwrap_err().code,
            "too_long"
        );
        // Development: loopback over plain HTTP.
        assert!(parse_destination("http://127.0.0.1:8080/hook", true).is_ok());
        assert!(parse_destination("http://localhost:8080/hook", true).is_ok());
    }

    #[test]
    fn events_are_named_once_each_and_unknown_stored_names_are_skipped() {
        use EventType::*;
        let names = |names: &[&str]| {
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            parse_events(&names(&[
                "ballot.closed",
                "application.submitted",
                "ballot.closed"
            ]))
            .unwrap(),
            vec![ApplicationSubmitted, BallotClosed]
        );
        assert_eq!(parse_events(&[]).unwrap_err().code, "required");
        let every_kind_and_one_more =
            vec!["ballot.closed".to_owned(); EventType::iter().count() + 1];
        assert_eq!(
            parse_events(&every_kind_and_one_more).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            parse_events(&names(&["ballot.counted"])).unwrap_err().code,
            "invalid_value"
        );
        let stored = store_events(&[ApplicationSubmitted, ResultsPublished]);
        assert_eq!(stored, "application.submitted,results.published");
        assert_eq!(
            stored_events(&format!("{stored},something.else")),
            vec![ApplicationSubmitted, ResultsPublished]
        );
    }

    #[test]
    fn events_carry_identifiers_and_states_never_reasons_or_votes() {
        let ids = || {
            let mut ids = Map::new();
            ids.insert("application_id".into(), json!("a"));
            ids
        };
        let reviewed = events_of(
            "application.reviewed",
            &json!({"decision": "ineligible", "reason": "about a person", "overrides_automatic_check": true}),
            ids(),
        );
        assert_eq!(
            reviewed,
            vec![(
                EventType::ApplicationReviewed,
                json!({"application_id": "a", "decision": "ineligible"})
            )]
        );
        let published = events_of(
            "edition.transitioned",
            &json!({"from": "ceremony", "to": "results_published", "reason": "early"}),
            ids(),
        );
        assert_eq!(
            published
                .iter()
                .map(|(event, _)| *event)
                .collect::<Vec<_>>(),
            vec![EventType::EditionTransitioned, EventType::ResultsPublished]
        );
        assert_eq!(published[0].1.get("reason"), None);
        assert!(events_of("ballot.published", &json!({"turnout": 3}), ids()).is_empty());
        assert!(events_of("user.created", &json!({}), ids()).is_empty());
    }

    #[test]
    fn retries_wait_four_times_longer_each_time_and_stop() {
        let base = Duration::from_secs(5);
        assert_eq!(retry_delay(1, base), Some(Duration::from_secs(5)));
        assert_eq!(retry_delay(2, base), Some(Duration::from_secs(20)));
        assert_eq!(retry_delay(3, base), Some(Duration::from_secs(80)));
        assert_eq!(retry_delay(7, base), Some(Duration::from_secs(20_480)));
        assert_eq!(retry_delay(7, Duration::from_secs(60)), Some(MAX_DELAY));
        assert_eq!(retry_delay(MAX_ATTEMPTS, base), None);
    }

    #[test]
    fn descriptions_are_short_visible_text() {
        assert_eq!(
            parse_description("  Site du CESER ").unwrap(),
            "Site du CESER"
        );
        assert_eq!(parse_description("").unwrap(), "");
        for bad in [
            "a\u{0}b",
            "line\nbreak",
            "zero\u{200b}width",
            "\u{202e}reversed",
        ] {
            assert_eq!(parse_description(bad).unwrap_err().code, "invalid_format");
        }
        assert_eq!(
            parse_description(&"é".repeat(201)).unwrap_err().code,
            "too_long"
        );
    }

    #[test]
    fn secrets_are_sealed_for_their_webhook_and_key() {
        let seal = SecretSeal::new(&[3; 32]);
        let (id, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let stored = seal.seal(id, "whsec_c2VjcmV0");
        assert!(!stored.contains("c2VjcmV0"));
        assert_eq!(seal.open(id, &stored).as_deref(), Some("whsec_c2VjcmV0"));
        assert_eq!(seal.open(other, &stored), None, "copied to another webhook");
        assert_eq!(
            SecretSeal::new(&[4; 32]).open(id, &stored),
            None,
            "another key"
        );
        assert_eq!(seal.open(id, "whsec_c2VjcmV0"), None, "not sealed");
        assert_ne!(
            seal.seal(id, "whsec_c2VjcmV0"),
            stored,
            "a fresh nonce each time"
        );
    }

    #[test]
    fn an_organization_has_at_most_ten_webhooks() {
        assert!(check_another(9).is_ok());
        assert_eq!(
            check_another(10).unwrap_err().code,
            ProblemCode::TooManyWebhooks
        );
    }
}
