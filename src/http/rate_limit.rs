use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
};

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
}
