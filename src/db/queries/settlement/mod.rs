//! Clearing and settlement tables: clearing events, the network's chain head and signing keys,
//! settlement runs, statements, payments and disputes.

mod chains;
mod disputes;
mod events;
mod payments;
mod runs;
mod statements;

pub use chains::*;
pub use disputes::*;
pub use events::*;
pub use payments::*;
pub use runs::*;
pub use statements::*;
