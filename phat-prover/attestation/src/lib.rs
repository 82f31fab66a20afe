//! From an SGX DCAP quote to the attestation the L1 prover registry accepts; and TDX quotes of
//! confidential VMs (`tdx`, `eventlog`), verified under the TDX rules and normalized for L1 alike.
//!
//! ```text
//! quote + collateral ──dcap-qvl──► VerifiedQuote ──► NormalizedAttestation ──EIP-712──► quorum signature
//!        (Intel root CA, time)          │                    │
//!                                       │                    └─ Policy (same rules as ProverRegistry)
//!                                       └─ report_data == Binding (prover, beneficiary, registry, chain, L1 block)
//! ```
//!
//! The registry on L1 applies the policy again; checking it here too means a quorum operator never
//! signs what L1 would refuse, and a prover learns why before paying for a transaction.

pub mod attestation;
pub mod binding;
mod chain;
pub mod collateral;
pub mod error;
pub mod eventlog;
pub mod policy;
pub mod tdx;
pub mod verify;

pub use attestation::{NormalizedAttestation, TcbStatus, quorum_domain};
pub use binding::Binding;
pub use collateral::Collateral;
pub use error::{AttestError, ChainFault, PolicyViolation};
pub use policy::{Measurement, Policy};
pub use tdx::{TdMeasurement, TdOwner, TdxPolicy, VerifiedTdQuote};
pub use verify::{INTEL_SGX_ROOT_CA_DER, VerifiedAny, VerifiedQuote, Verifier};
