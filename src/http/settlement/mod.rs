//! Clearing and settlement: runs, statements, payments, disputes, liability, reconciliation, signing keys.

pub(crate) mod disputes;
pub mod json;
pub(crate) mod liability;
pub(crate) mod network_keys;
pub(crate) mod payments;
pub(crate) mod reconciliation;
pub(crate) mod runs;
pub(crate) mod statements;
