//! Relayer and proof feed of Phat SGX-Prover.
//!
//! L2 block → provers (1-of-N, failover, timeouts) → TEE-proof checked against the L2 node and the
//! L1 domain → `RollupSettlement` (propose, dual-check prove, finalize) → store (redb) → feed
//! (HTTP JSON, server-sent events, Prometheus) → the Phala-side registry (rewards), when configured.

pub mod config;
pub mod error;
pub mod feed;
pub mod l1;
pub mod op;
pub mod prover;
pub mod registry;
pub mod service;
pub mod store;

pub use config::Config;
pub use error::RelayerError;
pub use service::Relayer;
