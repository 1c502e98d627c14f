//! Pure types and rules of the network. No actix, no diesel, no database here (a test checks).
//!
//! The shared kernel sits at the top: [`ids`] and [`money`] (typed identifiers and amounts with
//! checked arithmetic), [`input`] (the rules every text and number field obeys), [`limits`],
//! and the network [`clock`]. Below it, one folder per capability, with the same names as in
//! `http/`, `service/` and `db/queries/`: [`ledger`] (entry hashes, balance checks, expiry
//! policy), [`earning`] (sale checks, earn and claw-back rules), [`members`] (member numbers),
//! [`settlement`] (the tally, the flow matrix, rounding, statement status and CSV).

/// A newtype over `i64` (an id or an amount): `get()`, conversions both ways, `Display` as the
/// number. Each user adds what its kind needs (serde for ids, checked arithmetic for amounts).
macro_rules! i64_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(i64);

        impl $name {
            /// The value as stored and as sent on the wire.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl AsRef<i64> for $name {
            fn as_ref(&self) -> &i64 {
                &self.0
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
use i64_newtype;

pub mod analytics;
pub mod branding;
pub mod catalog;
pub mod clock;
pub mod earning;
pub mod ids;
pub mod input;
pub mod ledger;
pub mod limits;
pub mod local_programs;
pub mod members;
pub mod money;
pub mod promotions;
pub mod settlement;
pub mod tiers;
