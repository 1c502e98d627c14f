//! Row types and queries, one module per table family. Services call these; nothing else
//! builds SQL.

pub mod journal;
pub mod ledger_state;
pub mod members;
pub mod partners;
pub mod settlement;
pub mod system;
