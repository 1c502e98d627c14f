//! The shared kernel's tables: journal entries and postings, lots and their movements.

pub mod journal;
pub mod lots;
