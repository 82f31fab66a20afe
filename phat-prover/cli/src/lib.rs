//! `phat-prover`: the prover's command line. A thin binary over the libraries (the core STF,
//! `phat-witness`, `phat-attestation`, `phat-devkit`); what is here are its commands, as a library so
//! the tests drive the same code. Nothing depends on this crate.
//!
//! - [`ethtest`]: Ethereum BlockchainTests through the stateless STF.
//! - [`optest`]: real OP Stack blocks through the OP STF.
//! - [`stateless`]: the zkEVM ecosystem's stateless inputs through the STF.
//! - [`state`]: full in-memory state (for the conformance runner and the benchmark) and the witness
//!   of all of it.
//! - [`bench`]: plain vs stateless execution of the same blocks.
//! - [`bundle`]: witness bundles, the Phat contract's `prove` input.
//! - [`vectors`]: cross-language test vectors for the Solidity verifier.
//! - [`attest`]: DCAP quote verification and the registration binding.
//! - [`devnet`]: a local L2 with real traffic, every block proven and verified.

pub mod attest;
pub mod bench;
pub mod bundle;
pub mod devnet;
pub mod error;
pub mod ethtest;
pub mod optest;
pub mod state;
pub mod stateless;
pub mod vectors;
