//! Why the relay transaction was not built.

/// Parameters from the sender's L1 node that no honest node gives for `submitTeeProof`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    /// The node's gas estimate is over [`crate::MAX_RELAY_GAS`].
    #[error("gas estimate {0} above {max}", max = crate::MAX_RELAY_GAS)]
    GasEstimate(u64),
    /// The suggested tip is above the gas price.
    #[error("tip {tip} above the gas price {gas_price}")]
    TipAboveGasPrice {
        /// The suggested priority fee.
        tip: u128,
        /// The node's gas price.
        gas_price: u128,
    },
    /// The transaction's fee cap (twice the node's gas price plus the tip) is over the cap the
    /// sender's configuration allows.
    #[error("max fee per gas {max_fee} above the configured cap {cap}")]
    AboveCap {
        /// The fee cap the transaction would carry.
        max_fee: u128,
        /// The configured cap.
        cap: u128,
    },
}
