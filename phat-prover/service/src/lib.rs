//! The prover as a native service, for an Intel TDX confidential VM (a dstack CVM on Phala
//! Cloud): the deployment a rollup can run today, beside the Phat contract.
//!
//! ```text
//! L2 node ──block + witness──► core STF (chain config from the measured config file)
//!                                   │
//!                     public input ─┴─► signature (key made in this VM's memory at start)
//!
//! registrar ──{beneficiary, L1 block}──► report_data = registration binding ──► TDX quote
//!                                         (TEE: dstack guest agent GetQuote, raw report_data)
//! ```
//!
//! The signing key is a secp256k1 key drawn from the system's randomness when the service starts.
//! It lives in this process only: never written, logged or returned (only its address). A
//! restart makes a new key, which must register again. What binds it to the VM is the quote: its
//! report_data is the registration binding of [`phat_attestation::Binding`] (the key, the
//! registry, the L1 chain, the beneficiary and a recent L1 block), the same bytes L1 rebuilds.
//!
//! The HTTP API is the one the relayer already speaks to a pink cluster's prover contract, for
//! this one prover (`/v1/prover/...`); see [`ProverService::router`].

pub mod config;
pub mod error;
mod service;

pub use config::Config;
pub use error::ServiceError;
pub use service::{AttestAnswer, AttestRequest, Attester, Evidence, ProverService, Rules, Settings, serve};
