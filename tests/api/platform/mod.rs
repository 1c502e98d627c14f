//! Authentication, idempotency, input rules and limits, resilience, the OpenAPI document and the layering rules.

mod auth_matrix;
mod bad_input;
mod idempotency;
mod input;
mod layering;
mod limits;
mod migrations;
mod openapi;
mod resilience;
mod signing;
