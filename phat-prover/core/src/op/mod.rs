//! The OP Stack STF: the same witness → STF → public input path as the Ethereum one, under OP
//! Stack rules (op-revm through alloy-op-evm) and with the OP output root as its result.

pub mod chain;
pub mod l1_info;
pub mod public_input;
pub mod stf;

pub use chain::{OpChainConfig, OpChainConfigParts, OpFork};
pub use public_input::OpOutputPublicInput;
pub use stf::{OpBlockOutcome, OpStatelessInput, execute, output_root_v0};
