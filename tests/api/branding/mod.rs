//! Branding: partners' brands (validation, versions, logos, suspension, the public view), and
//! the member pages that show them.

pub mod brands;
pub mod page_client;
mod pages;
