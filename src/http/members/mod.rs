//! Members: enrolment and links, sign-in, their own account, operator adjustments.

pub(crate) mod account;
pub(crate) mod adjustments;
pub(crate) mod balances;
pub(crate) mod enrolment;
pub mod json;
pub(crate) mod sessions;
