//! What every request shares: the database, keys, settings, limiters and caches.
use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

use crate::{
    auth::JwtKeys,
    config::Settings,
    domain::{voter::VoterKeys, webhook::SecretSeal},
    http::{
        public_cache::PublicReads,
        rate_limit::{IpRateLimiter, KeyedRateLimiter, SharedLimits, StreamSlots},
    },
    services::{
        attachments::Storage,
        ballots::{BallotCache, VoteWriter},
        live::LiveHub,
        signing::ResultsSigner,
    },
};

/// A venue may show the ceremony on several screens behind one address; more is abuse.
const LIVE_STREAMS_PER_ADDRESS: usize = 10;

/// Shared by every request.
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub settings: Settings,
    pub auth_limiter: IpRateLimiter,
    pub storage: Storage,
    /// Keys the public voters' identities and the participation records (`PRIX_VOTER_KEY`).
    pub voter_keys: VoterKeys,
    pub voter_ip_limiter: IpRateLimiter,
    /// Code requests per voter address: 3 per 10 minutes.
    pub voter_address_limiter: KeyedRateLimiter<String>,
    /// Code requests per email domain (see `Settings::voter_codes_per_domain_per_hour`).
    pub voter_domain_limiter: KeyedRateLimiter<String>,
    /// Emails (confirmation, reset) sent to one address: 3 per 10 minutes.
    pub address_email_limiter: KeyedRateLimiter<String>,
    pub ballot_cache: BallotCache,
    /// Writes the votes that arrive together in one transaction (group commit).
    pub vote_writer: VoteWriter,
    pub live_hub: LiveHub,
    /// Live streams open at once per client address.
    pub live_slots: StreamSlots,
    /// The public reads answered from memory.
    pub public_reads: Arc<PublicReads>,
    /// Signs the published results documents.
    pub results_signer: Arc<ResultsSigner>,
    /// Seals the webhooks' signing secrets at rest.
    pub webhook_seal: SecretSeal,
}

impl AppState {
    /// `shared`: the Redis server the rate limits are counted in, when processes share one.
    pub fn new(
        settings: Settings,
        db: DatabaseConnection,
        voter_keys: VoterKeys,
        shared: Option<SharedLimits>,
    ) -> Self {
        let ten_minutes = Duration::from_secs(600);
        Self {
            webhook_seal: SecretSeal::new(&voter_keys.webhook_secrets),
            results_signer: Arc::new(
                ResultsSigner::new(&voter_keys.results_signing).expect("a 32-byte derived seed"),
            ),
            live_hub: LiveHub::new(voter_keys.clone()),
            voter_keys,
            jwt: JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl),
            auth_limiter: IpRateLimiter::per_minute(
                "auth",
                settings.auth_rate_limit_per_minute,
                shared.clone(),
            ),
            storage: Storage::new(settings.storage_dir.clone()),
            voter_ip_limiter: IpRateLimiter::per_minute(
                "voter-ip",
                settings.voter_rate_limit_per_minute,
                shared.clone(),
            ),
            voter_address_limiter: KeyedRateLimiter::new(
                "voter-address",
                3,
                ten_minutes,
                shared.clone(),
            ),
            voter_domain_limiter: KeyedRateLimiter::new(
                "voter-domain",
                settings.voter_codes_per_domain_per_hour,
                Duration::from_secs(3600),
                shared.clone(),
            ),
            address_email_limiter: KeyedRateLimiter::new("address-email", 3, ten_minutes, shared),
            ballot_cache: BallotCache::default(),
            vote_writer: VoteWriter::start(db.clone()),
            live_slots: StreamSlots::new(LIVE_STREAMS_PER_ADDRESS),
            public_reads: Arc::default(),
            db,
            settings,
        }
    }
}

/// The voter key: `PRIX_VOTER_KEY`, or in development a key generated once into a file beside
/// the database (never inside it), so that a restart neither reopens a ballot to past voters
/// nor forgets who voted. An in-memory database gets a key for its lifetime.
pub fn voter_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    if let Some(key) = &settings.voter_key {
        return Ok(key.clone());
    }
    let fresh = || {
        let mut key = vec![0u8; 48];
        rand::rng().fill_bytes(&mut key);
        key
    };
    if settings.database_url.contains(":memory:") {
        return Ok(fresh());
    }
    let path = crate::config::voter_key_file(&settings.database_url);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(hex::decode(text.trim())?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = fresh();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(&mut options.open(&path)?, hex::encode(&key).as_bytes())?;
            tracing::warn!(path = %path.display(), "PRIX_VOTER_KEY is not set: generated a development voter key file; keep it");
            Ok(key)
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(database_url: &str, voter_key: Option<&str>) -> Settings {
        let lookup = |name: &str| match name {
            "DATABASE_URL" => Some(database_url.to_owned()),
            "PRIX_VOTER_KEY" => voter_key.map(str::to_owned),
            _ => None,
        };
        Settings::from_lookup(lookup).unwrap()
    }

    #[test]
    fn the_development_voter_key_is_kept_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/prix.db?mode=rwc", dir.path().display());
        let first = voter_key(&settings(&url, None)).unwrap();
        assert_eq!(first.len(), 48);
        assert!(dir.path().join("prix-ceser.voter-key").exists());
        // A restart reads the same key: past voters stay counted as having voted.
        assert_eq!(voter_key(&settings(&url, None)).unwrap(), first);
        // A configured key wins, and no file is read.
        let configured = "a configured voter key of thirty-two bytes";
        assert_eq!(
            voter_key(&settings(&url, Some(configured))).unwrap(),
            configured.as_bytes()
        );
    }
}
