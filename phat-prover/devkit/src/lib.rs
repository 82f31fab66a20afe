//! Test and devnet tooling (never in a production path): a local anvil node and real L2 traffic
//! (transfers, deployments, storage writes, logs, compute- and storage-heavy blocks), and an OP Stack
//! L2 (anvil in OP mode, blocks opened by L1-attributes deposits).

pub mod anvil;
pub mod error;
pub mod op;
pub mod tools;
pub mod traffic;

pub use anvil::{Anvil, DEV_KEY, L2_HARDFORK, l2_chain_config};
pub use error::DevkitError;
pub use op::{L1Ref, OpTraffic, op_l2_chain_config, spawn_op_l2};
pub use traffic::Traffic;
