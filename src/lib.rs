//! Coalition loyalty network server: the shared points ledger, the signed partner API, the
//! member and operator APIs, and the clearing jobs.

pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod service;
pub mod startup;
pub mod web;
