//! Making contract bundles the pink runtime loads: the module rules ([`wasm`]) and the errors.

pub mod error;
pub mod wasm;
