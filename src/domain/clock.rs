//! The one clock every time-dependent rule reads: pending ends, expiry, hold time-outs, code
//! and session lifetimes. Tests, and a demo server, move it forward instead of sleeping.
//!
//! The offset lives in the database (`network_clock`), so that every instance sharing it reads
//! the same time: [`Clock::observe_offset_s`] takes a stored offset in, forward only.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};

/// System time plus an offset that only an adjustable clock lets anyone change.
#[derive(Debug, Clone)]
pub struct Clock {
    offset_s: Arc<AtomicI64>,
    adjustable: bool,
}

impl Clock {
    /// The real time; the operator cannot move it and a stored offset is ignored.
    pub fn system() -> Clock {
        Clock {
            offset_s: Arc::new(AtomicI64::new(0)),
            adjustable: false,
        }
    }

    /// A clock that tests and the demo may move forward.
    pub fn adjustable() -> Clock {
        Clock {
            offset_s: Arc::new(AtomicI64::new(0)),
            adjustable: true,
        }
    }

    /// Whether the clock may be moved.
    pub fn is_adjustable(&self) -> bool {
        self.adjustable
    }

    /// Now, in UTC, truncated to microseconds: both databases store microseconds, and the hash
    /// chain must read back exactly what it hashed.
    pub fn now(&self) -> DateTime<Utc> {
        let offset = Duration::seconds(self.offset_s.load(Ordering::SeqCst));
        (Utc::now() + offset).trunc_subsecs(6)
    }

    /// Now as the naive UTC value the database stores.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// The current offset from system time, in seconds.
    pub fn offset_s(&self) -> i64 {
        self.offset_s.load(Ordering::SeqCst)
    }

    /// Takes in the offset stored in the database, moved there by this or another instance.
    /// Forward only: time going back would let a closed window reopen.
    pub fn observe_offset_s(&self, offset_s: i64) {
        self.offset_s.fetch_max(offset_s, Ordering::SeqCst);
    }
}

/// A stored naive UTC time as a `DateTime<Utc>`.
pub fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(naive, Utc)
}
