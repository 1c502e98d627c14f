//! Partners, contracts, keys and their journal entries.

pub(crate) mod admission;
pub(crate) mod entries;
pub mod json;
pub(crate) mod keys;
pub(crate) mod lifecycle;
