//! One module per resource of the partner API, each an `impl Client` block.

mod earning;
mod members;
mod redemptions;
mod statements;
mod transactions;
