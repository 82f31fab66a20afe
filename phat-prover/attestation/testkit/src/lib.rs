//! `phat-attestation` and, in [`testkit`], a test-only DCAP PKI (SGX and TDX quotes); in
//! [`dstack_agent`], a mock dstack guest agent serving that PKI's TD quotes on a unix socket.
//!
//! Tests and the devnet only. It is a crate of its own rather than a feature of
//! `phat-attestation` so that no production binary can link it: a feature enabled by any crate of
//! a `cargo build --workspace` would be on in the `phat-attestation` every binary of that build
//! links, while this crate reaches only what depends on it (`phat-quorum` checks that its binary
//! does not, `tests/quorum/production.rs`).
//!
//! Everything of `phat-attestation` is re-exported, so a crate that needs the test PKI can take
//! this one under the name `phat_attestation` (the devnet, `e2e`, does) and find
//! `phat_attestation::testkit` where it always was.

pub use phat_attestation::*;

pub mod dstack_agent;
pub mod testkit;
