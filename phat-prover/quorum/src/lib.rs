//! The attestation quorum service. An independent operator runs one; k of the n operators
//! registered in `QuorumAttestationVerifier` must sign an attestation before L1 accepts it.
//!
//! `POST /v1/attest` takes a quote (an SGX enclave's, or a TDX VM's with its dstack event log),
//! its collateral (or fetches it from a configured PCCS), the registration it is for, and
//! optionally the time to verify at (within 60 s of the operator's clock, so the k operators sign
//! one attestation); the service verifies the quote with dcap-qvl (Intel's root), checks that
//! report_data binds the registration, that the L1 block is canonical and recent (when an L1 RPC
//! is configured), replays a TDX quote's event log (the app's compose hash), applies the
//! operator's policy, and only then returns its EIP-712 signature over the normalized
//! attestation. Anything else gets a 4xx with the reason, and no signature.

//!
//! The `phat-quorum` binary is the production service: it trusts Intel's SGX root only, takes
//! "now" from this machine's clock and its key from a file or the environment, and has no flag to
//! do otherwise, in any build. A test PKI's root ([`phat_attestation::Verifier::with_root_ca`]) and
//! the L1 head's clock ([`Clock::L1Head`]) are reachable through this library only, for tests and
//! for the devnet, which run the service in-process.
//!
//! Requests are limited: a token bucket over `POST /v1/attest` and at most a few verifications in
//! flight, both answered 429 with `Retry-After` beyond ([`Config`]); body size and read times are
//! bounded by the HTTP server (`phat_process::http`).

pub mod error;
pub mod limit;
pub mod pccs;
pub mod service;

pub use error::QuorumError;
pub use service::{AttestRequest, AttestResponse, Clock, Config, Quorum, Registration};
