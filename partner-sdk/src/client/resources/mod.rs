//! One module per resource of the partner API, each an `impl Client` block.

mod earning;
mod entries;
mod members;
mod redemptions;
mod statements;
