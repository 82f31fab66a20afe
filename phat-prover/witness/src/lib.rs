//! Witnesses from an L2 node, for everything outside the TEE that feeds a prover (std).
//!
//! - [`fetch`]: a block and its witness from a node's JSON-RPC — `debug_executionWitness` where
//!   the node serves it (reth, geth), else built from `eth_getProof` and `prestateTracer` (anvil).
//! - [`op`]: the same for OP Stack blocks (deposits, the L1Block slots and fee vaults op-revm
//!   reads, the L2ToL1MessagePasser's path for output roots).
//! - [`serve`]: `witness-rpc`, the calls a Phat prover contract's `prove_block` makes, served for
//!   a node that lacks `debug_executionWitness`.
//! - [`files`]: the JSON files of a witness and of a TEE-proof, and chain config files.
//! - [`prove`]: the TEE-proof of a block or a batch, and the TEE refusal of an invalid block,
//!   signed with the core's public inputs by a prover outside the contract.
//! - [`stateless`]: the stateless input zkEVM guests and stateless validators share (block,
//!   `ExecutionWitness`, chain config), read and written losslessly.
//!
//! Nothing a node returns is trusted here either: hashes are checked as far as they can be, and
//! the STF checks the rest.

pub mod error;
pub mod fetch;
pub mod files;
pub mod op;
pub mod prove;
pub mod serve;
pub mod stateless;

pub use error::{FetchError, FileError, ProveError, ServeError};
pub use fetch::fetch_witness;
pub use files::{ProofFile, PublicInputJson, WitnessFile};
pub use prove::{BatchProof, OpOutputProof, RefusalProof};
