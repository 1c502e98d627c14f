//! Authentication, idempotency, group commit, input rules and limits, resilience, metrics, the
//! OpenAPI document and the layering rules.

mod auth_matrix;
mod bad_input;
mod group_commit;
mod idempotency;
mod input;
mod layering;
mod limits;
mod metrics;
mod migrations;
mod openapi;
mod resilience;
mod signing;
