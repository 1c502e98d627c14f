//! Authentication records, idempotency records, network settings, the clock offset and job
//! leases.

pub mod auth;
pub mod idempotency;
pub mod system;
