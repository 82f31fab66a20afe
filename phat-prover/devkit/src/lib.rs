//! Test and devnet tooling (never in a production path): a local anvil node and real L2 traffic
//! (transfers, deployments, storage writes, logs, compute- and storage-heavy blocks).

pub mod anvil;
pub mod error;
pub mod tools;
pub mod traffic;

pub use anvil::{Anvil, DEV_KEY, L2_HARDFORK, l2_chain_config};
pub use error::DevkitError;
pub use traffic::Traffic;
