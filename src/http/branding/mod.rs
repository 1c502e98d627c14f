//! Branding: partners' brands over the shared points ([`brands`]).

pub(crate) mod brands;
pub mod json;
pub(crate) mod views;
