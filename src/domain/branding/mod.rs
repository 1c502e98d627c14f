//! Branding over the shared ledger: what a partner's brand may look like. [`colors`]: colours
//! and whether text on them is readable (WCAG 2.1); [`logo`]: the PNG checks; [`rules`]: the
//! program rules in Markdown, rendered safely; [`network_rules`]: the network's own rules.

pub mod colors;
pub mod logo;
pub mod network_rules;
pub mod rules;
