//! Members: the network-wide member number with its check digit.

pub mod member_number;
