//! Health, metrics, network settings and the clock.

pub(crate) mod clock;
pub(crate) mod health;
pub(crate) mod metrics;
pub(crate) mod settings;
