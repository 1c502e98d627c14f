//! Branding: partners' brands (validation, versions, logos, suspension, the public view).

pub mod brands;
