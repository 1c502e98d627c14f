//! One module per resource of the partner API, each an `impl Client` block.

mod analytics;
mod branding;
mod catalog;
mod earning;
mod entries;
mod local_program;
mod members;
mod promotions;
mod redemptions;
mod statements;
pub use catalog::{CatalogUpload, ProductQuery};
