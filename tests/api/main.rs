//! Integration tests: each drives the real server over HTTP, partner calls through
//! `partner-sdk`, on SQLite and on PostgreSQL, and verifies the ledger after every test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "test code: a panic is a failed test"
)]

mod helpers;

mod analytics;
pub mod branding;
mod catalog;
mod earning;
mod flow;
mod ledger;
mod local_programs;
mod members;
mod platform;
mod promotions;
mod redemption;
pub mod settlement;
mod tiers;
