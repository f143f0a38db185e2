use std::{
    collections::HashMap,
    fmt::Display,
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::Duration,
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use actix_web::HttpRequest;

use crate::{
    error::ApiError,
    http::client_ip::{TrustedProxies, client_ip},
};

/// Attempts per key (a client IP, a voter) and period, replenished evenly, the whole budget
/// usable as a burst (GCRA). Counted in Redis when the processes share one
/// (`PRIX_REDIS_URL`), so that a client spreading its attempts over the instances behind a
/// load balancer gets no more; in this process otherwise, or while Redis cannot be reached.
pub struct KeyedRateLimiter<K: Hash + Eq + Clone> {
    /// Names the limit's keys in Redis.
    name: &'static str,
    interval: Duration,
    burst: u32,
    local: DefaultKeyedRateLimiter<K>,
    shared: Option<SharedLimits>,
}

pub type IpRateLimiter = KeyedRateLimiter<IpAddr>;

/// Forget idle clients once the table grows this large.
const PRUNE_ABOVE: usize = 10_000;

impl<K: Hash + Eq + Clone + Display> KeyedRateLimiter<K> {
    /// `attempts` per `period`, replenished evenly, the whole budget usable as a burst.
    pub fn new(
        name: &'static str,
        attempts: u32,
        period: Duration,
        shared: Option<SharedLimits>,
    ) -> Self {
        let burst = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        let interval = period / burst.get();
        let quota = Quota::with_period(interval)
            .expect("a non-zero period")
            .allow_burst(burst);
        Self {
            name,
            interval,
            burst: burst.get(),
            local: RateLimiter::keyed(quota),
            shared,
        }
    }

    pub fn per_minute(name: &'static str, attempts: u32, shared: Option<SharedLimits>) -> Self {
        Self::new(name, attempts, Duration::from_secs(60), shared)
    }

    pub async fn check(&self, key: K) -> Result<(), ApiError> {
        if let Some(shared) = &self.shared {
            let key = format!("{}:limit:{}:{key}", shared.prefix, self.name);
            match shared.wait(&key, self.interval, self.burst).await {
                Ok(wait) if wait.is_zero() => return Ok(()),
                Ok(wait) => return Err(limited(wait)),
                Err(error) => {
                    tracing::warn!(%error, limit = self.name, "Redis unreachable: this limit is counted per process meanwhile");
                }
            }
        }
        if self.local.len() > PRUNE_ABOVE {
            self.local.retain_recent();
        }
        self.local
            .check_key(&key)
            .map_err(|not_until| limited(not_until.wait_time_from(DefaultClock::default().now())))
    }
}

impl IpRateLimiter {
    /// Counts an attempt of the request's client (its address, through trusted proxies).
    pub async fn check_client(
        &self,
        request: &HttpRequest,
        proxies: &TrustedProxies,
    ) -> Result<(), ApiError> {
        match client_ip(request, proxies) {
            Some(ip) => self.check(ip).await,
            None => Ok(()),
        }
    }
}

fn limited(wait: Duration) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: wait.as_secs() + 1,
    }
}

/// GCRA in one atomic step on the Redis server, with its clock: the key holds the theoretical
/// arrival time in microseconds (a limit of more than one attempt a millisecond still counts).
/// Answers 0 when the attempt is allowed (and counts it), or the microseconds to wait.
const GCRA: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
local next = tat + interval
local allowed_at = next - interval * tonumber(ARGV[2])
if allowed_at > now then
  return allowed_at - now
end
-- Written in full: Lua would print so large a number with 14 digits only.
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.max(1, math.ceil((next - now) / 1000)))
return 0
";

/// Redis slower than this is treated as unreachable: a limit must not stall requests.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// The limits' counts kept in Redis, shared by every process using the same server.
#[derive(Clone)]
pub struct SharedLimits {
    prefix: String,
    connection: redis::aio::ConnectionManager,
    gcra: Arc<redis::Script>,
}

impl SharedLimits {
    /// The shared limits `PRIX_REDIS_URL` names, if it is set.
    pub async fn configured(settings: &crate::config::Settings) -> anyhow::Result<Option<Self>> {
        match &settings.redis_url {
            Some(url) => Ok(Some(Self::connect(url, &settings.redis_prefix).await?)),
            None => Ok(None),
        }
    }

    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let connection = tokio::time::timeout(
            Duration::from_secs(5),
            redis::aio::ConnectionManager::new(client),
        )
        .await
        .map_err(|_| anyhow::anyhow!("PRIX_REDIS_URL: no answer from {url}"))??;
        Ok(Self {
            prefix: prefix.to_owned(),
            connection,
            gcra: Arc::new(redis::Script::new(GCRA)),
        })
    }

    /// How long before an attempt on `key` is allowed; zero when it is, and it is counted.
    async fn wait(&self, key: &str, interval: Duration, burst: u32) -> anyhow::Result<Duration> {
        let mut connection = self.connection.clone();
        let mut invocation = self.gcra.key(key);
        invocation
            .arg(interval.as_micros().max(1) as u64)
            .arg(burst);
        let wait: u64 =
            tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut connection))
                .await
                .map_err(|_| anyhow::anyhow!("no answer within {REDIS_TIMEOUT:?}"))??;
        Ok(Duration::from_micros(wait))
    }
}

/// Long-lived streams open at once per client address: each holds a connection and a task.
pub struct StreamSlots {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open stream; dropping it (the stream ends or the client leaves) frees the slot.
pub struct StreamSlot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl StreamSlots {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    pub fn acquire(&self, ip: IpAddr) -> Result<StreamSlot, ApiError> {
        let mut open = self.open.lock().expect("the slots' lock is never poisoned");
        let count = open.entry(ip).or_default();
        if *count >= self.max {
            return Err(ApiError::RateLimited {
                retry_after_secs: 10,
            });
        }
        *count += 1;
        Ok(StreamSlot {
            ip,
            open: Arc::clone(&self.open),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().expect("the slots' lock is never poisoned");
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn refuses_after_the_budget_with_a_retry_delay() {
        let limiter = IpRateLimiter::per_minute("test", 2, None);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(block_on(limiter.check(ip)).is_ok());
        assert!(block_on(limiter.check(ip)).is_ok());
        match block_on(limiter.check(ip)) {
            Err(ApiError::RateLimited { retry_after_secs }) => {
                assert!((1..=31).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(
            block_on(limiter.check("192.0.2.2".parse().unwrap())).is_ok(),
            "other clients are not affected"
        );
    }

    #[test]
    fn stream_slots_are_freed_when_streams_end() {
        let slots = StreamSlots::new(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = slots.acquire(ip).unwrap();
        let _second = slots.acquire(ip).unwrap();
        assert!(matches!(
            slots.acquire(ip),
            Err(ApiError::RateLimited { .. })
        ));
        assert!(slots.acquire("192.0.2.2".parse().unwrap()).is_ok());
        drop(first);
        assert!(slots.acquire(ip).is_ok());
    }

    /// Against a real Redis when `TEST_REDIS_URL` is set (CI sets it).
    #[test]
    fn redis_counts_like_the_local_limiter_at_any_rate() {
        let Some(url) = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            return eprintln!("TEST_REDIS_URL is not set: Redis limits not tested");
        };
        block_on(async {
            let prefix = format!("prix-unit-{}", uuid::Uuid::new_v4().simple());
            let shared = SharedLimits::connect(&url, &prefix).await.unwrap();
            let ip: IpAddr = "192.0.2.1".parse().unwrap();
            let slow =
                IpRateLimiter::new("slow", 3, Duration::from_secs(600), Some(shared.clone()));
            for _ in 0..3 {
                slow.check(ip).await.unwrap();
            }
            match slow.check(ip).await {
                Err(ApiError::RateLimited { retry_after_secs }) => {
                    assert!(
                        (190..=201).contains(&retry_after_secs),
                        "{retry_after_secs}"
                    )
                }
                other => panic!("expected a rate limit, got {other:?}"),
            }
            // More than one attempt a millisecond: counted, not refused by Redis.
            let fast = IpRateLimiter::per_minute("fast", 100_000, Some(shared));
            for _ in 0..50 {
                fast.check(ip).await.unwrap();
            }
            assert!(
                fast.local.is_empty(),
                "counted in Redis, not in this process"
            );
        });
    }
}
