//! The pages' strings, one typed [`Strings`](super::i18n::Strings) per language: a field left
//! out in one of them fails the build.

pub mod en;
pub mod fr;
