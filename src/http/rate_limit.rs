use std::{hash::Hash, net::IpAddr, num::NonZeroU32};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// Attempts per key (a client IP, a voter) and period, the whole budget usable as a burst.
pub struct KeyedRateLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

pub type IpRateLimiter = KeyedRateLimiter<IpAddr>;

/// Forget idle clients once the table grows this large.
const PRUNE_ABOVE: usize = 10_000;

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    pub fn per_minute(attempts: u32) -> Self {
        let attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(attempts)),
        }
    }

    /// `attempts` per `period`, replenished evenly, the whole budget usable as a burst.
    pub fn per_period(attempts: u32, period: std::time::Duration) -> Self {
        let attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period / attempts.get())
            .expect("a non-zero period")
            .allow_burst(attempts);
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }

    pub fn check(&self, key: K) -> Result<(), ApiError> {
        if self.limiter.len() > PRUNE_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs() + 1,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_budget_with_a_retry_delay() {
        let limiter = IpRateLimiter::per_minute(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limiter.check(ip).is_ok());
        assert!(limiter.check(ip).is_ok());
        match limiter.check(ip) {
            Err(ApiError::RateLimited { retry_after_secs }) => {
                assert!((1..=31).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(
            limiter.check("192.0.2.2".parse().unwrap()).is_ok(),
            "other clients are not affected"
        );
    }
}
