//! Members: privacy between partners and sessions.

mod privacy;
mod sessions;
