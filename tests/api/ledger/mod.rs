//! The ledger: tamper detection and time (maturation, expiry).

mod tamper;
mod time;
