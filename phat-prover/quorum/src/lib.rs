//! The attestation quorum service. An independent operator runs one; k of the n operators
//! registered in `QuorumAttestationVerifier` must sign an attestation before L1 accepts it.
//!
//! `POST /v1/attest` takes a quote, its collateral (or fetches it from a configured PCCS) and the
//! registration it is for; the service
//! verifies the quote with dcap-qvl (Intel's root, the current time), checks that report_data
//! binds the registration, that the L1 block is canonical and recent (when an L1 RPC is
//! configured) and the operator's policy, and only then returns its EIP-712 signature over the
//! normalized attestation. Anything else gets a 4xx with the reason, and no signature.

pub mod error;
pub mod pccs;
pub mod service;

pub use error::QuorumError;
pub use service::{AttestRequest, AttestResponse, Clock, Config, Quorum, Registration};
