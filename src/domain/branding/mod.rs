//! Branding over the shared ledger: what a partner's brand may look like. [`colors`]: colours
//! as the brand gives them and whether text on them is readable (WCAG 2.1).

pub mod colors;
