//! Earning: what a sale or a return must look like before anything is read ([`sale`]), and how
//! a sale becomes points and a return claws them back ([`rules`]).

pub mod categories;
pub mod rules;
pub mod sale;
