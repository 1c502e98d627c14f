//! What every capability stands on: who is calling (partner signatures, operator and member
//! tokens), idempotency keys, background jobs, the network clock and the network settings.

pub mod auth;
pub mod clock;
pub mod health;
pub mod idempotency;
pub mod jobs;
pub mod memo;
pub mod metrics;
pub mod settings;
pub mod writer;
