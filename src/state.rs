//! What every request shares: the database, keys, settings, limiters and caches.
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use crate::{
    auth::JwtKeys,
    config::Settings,
    http::rate_limit::{IpRateLimiter, KeyedRateLimiter, StreamSlots},
    services::{attachments::Storage, ballots::BallotCache, live::LiveHub},
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
    /// Keys the voters' identities (derived from the JWT secret).
    pub voter_identity_key: Vec<u8>,
    pub voter_ip_limiter: IpRateLimiter,
    /// Code requests per voter address: 3 per 10 minutes.
    pub voter_address_limiter: KeyedRateLimiter<String>,
    /// Code requests per email domain (see `Settings::voter_codes_per_domain_per_hour`).
    pub voter_domain_limiter: KeyedRateLimiter<String>,
    /// Emails (confirmation, reset) sent to one address: 3 per 10 minutes.
    pub address_email_limiter: KeyedRateLimiter<String>,
    pub ballot_cache: BallotCache,
    pub live_hub: LiveHub,
    /// Live streams open at once per client address.
    pub live_slots: StreamSlots,
}

impl AppState {
    pub fn new(settings: Settings, db: DatabaseConnection) -> Self {
        Self {
            jwt: JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl),
            auth_limiter: IpRateLimiter::per_minute(settings.auth_rate_limit_per_minute),
            storage: Storage::new(settings.storage_dir.clone()),
            voter_identity_key: Sha256::digest(
                [
                    b"prix-ceser voter identity:".as_slice(),
                    &settings.jwt_secret,
                ]
                .concat(),
            )
            .to_vec(),
            voter_ip_limiter: IpRateLimiter::per_minute(settings.voter_rate_limit_per_minute),
            voter_address_limiter: KeyedRateLimiter::per_period(
                3,
                std::time::Duration::from_secs(600),
            ),
            voter_domain_limiter: KeyedRateLimiter::per_period(
                settings.voter_codes_per_domain_per_hour,
                std::time::Duration::from_secs(3600),
            ),
            address_email_limiter: KeyedRateLimiter::per_period(
                3,
                std::time::Duration::from_secs(600),
            ),
            ballot_cache: BallotCache::default(),
            live_hub: LiveHub::default(),
            live_slots: StreamSlots::new(LIVE_STREAMS_PER_ADDRESS),
            db,
            settings,
        }
    }
}
