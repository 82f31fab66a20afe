//! Phat SGX-Prover core: the part of the prover that runs inside the TEE.
//!
//! Data path: [`witness`] (block + ancestors + trie nodes) → [`stf`] (stateless re-execution over a
//! [`db::WitnessDb`] backed by the [`trie`]) → [`public_input`] (what is signed, hashed as Solidity
//! hashes it) → [`signature`] (65-byte low-s secp256k1) → proof bytes checked by the L1 `TeeVerifier`.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod bundle;
pub mod chain;
pub mod db;
pub mod error;
pub mod op;
pub mod stf;
pub mod trie;
pub mod witness;

pub use bundle::WitnessBundle;
pub use chain::{ChainConfig, ChainConfigParts, Fork};
pub use error::{
    ConfigError, DbError, ExecutionError, ForkError, HeaderError, OpBlockError, OpConfigError, StfError,
    TestNetworkError, WitnessError,
};
pub use stf::{BlockOutcome, execute};
pub use witness::{ExecutionWitness, StatelessInput};
pub mod public_input;
pub mod refusal;
pub mod signature;

pub use public_input::{BatchPublicInput, BlockPublicInput, ProofDomain};
pub use refusal::{RefusalPublicInput, RefusalReason, RefusedBlock};
pub use signature::{LocalSigner, Signer, TeeProof};
