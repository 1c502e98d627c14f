//! Client for the coalition loyalty network's partner API.
//!
//! - [`signing`]: the v1 request signature (HMAC-SHA256), usable without the client.
//! - [`types`]: the request and response bodies.
//! - [`branding`]: the partner's brand over the shared points.
//! - [`catalog`]: categories, catalog uploads and products, compatibility reports.
//! - [`statement`]: settlement statements and their offline signature check.
//! - [`Client`]: signs every request, sends an `Idempotency-Key` on each request that moves
//!   points and reuses it across its retries, retries network errors, 429 and 5xx answers with
//!   exponential back-off, and turns problem answers into [`Error::Problem`].

pub mod analytics;
pub mod batch;
pub mod branding;
pub mod catalog;
pub mod client;
pub mod error;
pub mod history;
pub mod local_program;
pub mod promotions;
pub mod signing;
pub mod statement;
pub mod tiers;
pub mod types;
mod wire;

pub use client::{
    Answer, CatalogUpload, Client, ClientConfig, Error, ProductQuery, RawResponse, RequestOptions,
};
