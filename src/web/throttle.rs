//! The sign-in rate limit of the member pages: at most [`EMAIL_FAILURES_MAX`] failed sign-ins
//! per email address and [`ADDRESS_FAILURES_MAX`] per client address in any
//! [`WINDOW_S`]-second window; past that, sign-in answers 429 with `Retry-After` without
//! checking the password. Kept in memory, per server process: a restart forgets it, and
//! several instances each count their own (documented in the README). The JSON sign-in API is
//! not throttled here.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per email address in the window.
pub const EMAIL_FAILURES_MAX: usize = 5;
/// Failed sign-ins allowed per client address in the window (a shop's or a family's network
/// shares one address).
pub const ADDRESS_FAILURES_MAX: usize = 20;
/// The window, in seconds.
pub const WINDOW_S: u64 = 15 * 60;
/// Most keys remembered; past it, keys whose failures are all older than the window are
/// forgotten, and if none is, the oldest key.
const KEYS_MAX: usize = 100_000;

/// Failed sign-ins by key (`email:<sha-256>`, `ip:<address>`), each a list of times.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// A key of the throttle and how many failures it allows.
#[derive(Debug, Clone)]
pub struct Key {
    name: String,
    max: usize,
}

impl Key {
    /// The key of an email address (hashed: the throttle keeps no personal data).
    pub fn email(email: &str) -> Key {
        let normal = email.trim().to_lowercase();
        Key {
            name: format!("email:{}", crate::crypto::sha256_hex(&normal)),
            max: EMAIL_FAILURES_MAX,
        }
    }

    /// The key of a client address.
    pub fn address(address: &str) -> Key {
        Key {
            name: format!("ip:{address}"),
            max: ADDRESS_FAILURES_MAX,
        }
    }
}

fn window() -> Duration {
    Duration::from_secs(WINDOW_S)
}

impl SignInThrottle {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Seconds to wait before trying again, when any of the keys is at its limit.
    pub fn retry_after_s(&self, keys: &[Key], now: Instant) -> Option<u64> {
        let map = self.map();
        keys.iter()
            .filter_map(|key| {
                let times = map.get(&key.name)?;
                let recent: Vec<&Instant> = times
                    .iter()
                    .filter(|t| now.duration_since(**t) < window())
                    .collect();
                if recent.len() < key.max {
                    return None;
                }
                let oldest = recent.into_iter().min()?;
                let wait = window().saturating_sub(now.duration_since(*oldest));
                Some(wait.as_secs().max(1))
            })
            .max()
    }

    /// Records a failed sign-in against every key.
    pub fn failed(&self, keys: &[Key], now: Instant) {
        let mut map = self.map();
        if map.len() >= KEYS_MAX {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < window()));
        }
        if map.len() >= KEYS_MAX {
            let oldest = map
                .iter()
                .min_by_key(|(_, times)| times.iter().max().copied())
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        for key in keys {
            let times = map.entry(key.name.clone()).or_default();
            times.retain(|t| now.duration_since(*t) < window());
            times.push(now);
        }
    }

    /// Forgets the failures of a key (an email that signed in).
    pub fn succeeded(&self, key: &Key) {
        self.map().remove(&key.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_of_an_email_waits_for_the_window() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        let keys = [Key::email("A@example.com "), Key::address("192.0.2.1")];
        for _ in 0..EMAIL_FAILURES_MAX {
            assert_eq!(throttle.retry_after_s(&keys, start), None);
            throttle.failed(&keys, start);
        }
        assert_eq!(throttle.retry_after_s(&keys, start), Some(WINDOW_S));
        let later = start + Duration::from_secs(60);
        assert_eq!(throttle.retry_after_s(&keys, later), Some(WINDOW_S - 60));
        // Another email from the same address may still try.
        let other = [Key::email("b@example.com"), Key::address("192.0.2.1")];
        assert_eq!(throttle.retry_after_s(&other, later), None);
        throttle.succeeded(&Key::email("a@example.com"));
        assert_eq!(throttle.retry_after_s(&keys, later), None);
    }
}
