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

mod auth_matrix;
mod bad_input;
mod concurrency;
mod flow;
mod idempotency;
mod layering;
mod limits;
mod money_paths;
mod openapi;
mod refund_property;
mod resilience;
mod settlement;
mod settlement_property;
mod signing;
mod tamper;
mod time;
