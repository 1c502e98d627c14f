//! Pure types and rules of the network. No actix, no diesel, no database here (a test checks).
//!
//! The shared kernel sits at the top: [`ids`] and [`money`] (typed identifiers and amounts with
//! checked arithmetic), [`input`] (the rules every text and number field obeys), [`limits`],
//! and the network [`clock`]. Below it, one folder per capability, with the same names as in
//! `http/`, `service/` and `db/queries/`: [`ledger`] (entry hashes, balance checks, expiry
//! policy), [`earning`] (sale checks, earn and claw-back rules), [`members`] (member numbers),
//! [`settlement`] (the tally, the flow matrix, rounding, statement status and CSV).

pub mod clock;
pub mod earning;
pub mod ids;
pub mod input;
pub mod ledger;
pub mod limits;
pub mod members;
pub mod money;
pub mod settlement;
