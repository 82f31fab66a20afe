//! Every way an L2 node's JSON-RPC answer is refused. Call names (`debug_getRawBlock:7`) and the
//! node's own error message are data; each variant says what was wrong with them.

use alloc::string::String;
use alloy_primitives::B256;
use phat_prover_core::WitnessError;

use crate::MAX_BLOCKS_PER_REQUEST;

/// An answer (or a request) that cannot be turned into witness bundles or transaction parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// Block 0 has no parent, so it cannot be proven.
    #[error("block 0 has no parent: nothing to prove")]
    GenesisHasNoParent,
    /// A range of no blocks, or of more than one request carries.
    #[error("{0} blocks: ask for 1 to {MAX_BLOCKS_PER_REQUEST}")]
    RangeLength(u64),
    /// The range's last block number overflows.
    #[error("block range overflows")]
    RangeOverflow,
    /// The request could not be written as JSON.
    #[error("the request could not be encoded as JSON")]
    Encode,
    /// The body is not a JSON-RPC answer (or batch of answers).
    #[error("not a JSON-RPC answer")]
    NotJsonRpc,
    /// The answer has no result for this call.
    #[error("no answer to {0}")]
    Missing(String),
    /// The node answered this call with an error object.
    #[error("the node refused {call}: {message}")]
    Node {
        /// The call's id.
        call: String,
        /// The node's error message.
        message: String,
    },
    /// The result has another JSON type than the call returns.
    #[error("{call}: expected {expected}")]
    Unexpected {
        /// The call's id.
        call: String,
        /// What the result should have been.
        expected: &'static str,
    },
    /// Hex text that does not decode.
    #[error("{call}: not hex")]
    NotHex {
        /// The call's id.
        call: String,
    },
    /// Not a `0x`-prefixed hex quantity.
    #[error("{call}: not a hex quantity")]
    NotQuantity {
        /// The call's id.
        call: String,
    },
    /// A quantity too large for its field.
    #[error("{call}: quantity out of range")]
    QuantityOutOfRange {
        /// The call's id.
        call: String,
    },
    /// Bytes that should be a 32-byte hash.
    #[error("{call}: not a 32-byte hash")]
    NotHash {
        /// The call's id.
        call: String,
    },
    /// The node serves another chain.
    #[error("the node serves chain {got}, expected {expected}")]
    WrongChain {
        /// The configured L2 chain id.
        expected: u64,
        /// What the node said.
        got: u128,
    },
    /// The served block does not decode.
    #[error("block {number}: {source}")]
    Block {
        /// The block asked for.
        number: u64,
        /// Why it does not decode.
        source: WitnessError,
    },
    /// The served parent header does not decode.
    #[error("header {number}: {source}")]
    Header {
        /// The header asked for.
        number: u64,
        /// Why it does not decode.
        source: WitnessError,
    },
    /// The node served another block than the one asked for.
    #[error("asked for block {asked}, got block {got}")]
    WrongBlock {
        /// The block number asked for.
        asked: u64,
        /// The number of the block served.
        got: u64,
    },
    /// The served parent header is not the block's parent.
    #[error("block {number}'s parent hash is {parent_hash}, the served parent header hashes to {served}")]
    ParentMismatch {
        /// The block.
        number: u64,
        /// The parent hash in the block's header.
        parent_hash: B256,
        /// The hash of the header served as its parent.
        served: B256,
    },
}
