//! `phat-prover`: the prover's command line, as a library so tests drive the same code.
//!
//! - [`ethtest`]: Ethereum BlockchainTests through the stateless STF.
//! - [`rpc`]: build a block witness from an L2 node.
//! - [`files`]: witness and proof JSON files; offline verification.
//! - [`state`]: full in-memory state (for tests and benchmarks) and the witness of all of it.
//! - [`vectors`]: cross-language test vectors for the Solidity verifier.

pub mod anvil;
pub mod attest;
pub mod bench;
pub mod bundle;
pub mod devnet;
pub mod error;
pub mod ethtest;
pub mod files;
pub mod process;
pub mod rpc;
pub mod state;
pub mod traffic;
pub mod vectors;
pub mod witness_rpc;
