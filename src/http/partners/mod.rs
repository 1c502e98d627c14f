//! Partners, contracts, keys and their journal entries.

pub(crate) mod admission;
pub mod json;
pub(crate) mod keys;
pub(crate) mod transactions;
