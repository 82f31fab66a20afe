//! Why the relayer could not do something.

use std::time::Duration;

/// A relayer error. A prover failure is not fatal: the pool fails over to the next prover.
#[derive(Debug, thiserror::Error)]
pub enum RelayerError {
    #[error("config: {0}")]
    Config(String),
    #[error("L2 rpc: {0}")]
    L2(String),
    #[error("L1: {0}")]
    L1(String),
    #[error("prover {prover}: {reason}")]
    Prover { prover: String, reason: String },
    #[error("prover {prover}: no answer within {timeout:?}")]
    ProverTimeout { prover: String, timeout: Duration },
    #[error("no prover could prove block {block} ({failures} failed)")]
    NoProver { block: u64, failures: usize },
    #[error("proof of block {block} does not match the L2 node: {reason}")]
    Mismatch { block: u64, reason: String },
    #[error("store: {0}")]
    Store(String),
    #[error("feed: {0}")]
    Feed(String),
    #[error("registry: {0}")]
    Registry(String),
}

impl From<redb::Error> for RelayerError {
    fn from(e: redb::Error) -> Self {
        Self::Store(e.to_string())
    }
}

macro_rules! store_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for RelayerError {
            fn from(e: $t) -> Self {
                Self::Store(e.to_string())
            }
        }
    )*};
}
store_errors!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error
);
