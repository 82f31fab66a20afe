//! The local devnet of Phat SGX-Prover and what the end-to-end tests drive.

pub mod cluster;
pub mod devnet;
pub mod error;
pub mod l1;
pub mod op;
pub mod quorum;
pub mod tdx;

pub use devnet::Devnet;
pub use error::DevnetError;
