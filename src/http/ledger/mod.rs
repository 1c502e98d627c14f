//! The shared ledger: verification.

pub(crate) mod verify;
