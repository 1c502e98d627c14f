//! The shared ledger: verification.

pub mod json;
pub(crate) mod verify;
