//! Every way the core refuses an input. Each refusal names what failed; none is a panic.
// Each variant is documented by its `#[error]` text.
#![allow(missing_docs)]

use alloc::{boxed::Box, string::String};
use alloy_primitives::{Address, B256, Bloom};

use crate::trie::TrieError;

/// The witness or block bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// Malformed RLP (block, header or node).
    #[error("malformed RLP: {0}")]
    Rlp(alloy_rlp::Error),
    /// An RLP item was followed by extra bytes.
    #[error("{0} trailing bytes after RLP item")]
    TrailingBytes(usize),
    /// A witness bundle of a version this build does not know.
    #[error("witness bundle version {0} is not supported")]
    UnknownVersion(u8),
}

/// A state read during execution could not be answered from the witness.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// A trie node on the path is not in the witness (or is malformed).
    #[error(transparent)]
    Trie(#[from] TrieError),
    /// Contract code with this hash is not in the witness.
    #[error("code {0} is not in the witness")]
    MissingCode(B256),
    /// BLOCKHASH asked for a block the ancestors do not cover.
    #[error("block hash of block {0} is not in the witness ancestors")]
    MissingBlockHash(u64),
    /// An account leaf does not decode as `[nonce, balance, storageRoot, codeHash]`.
    #[error("account {0} has a malformed trie leaf")]
    InvalidAccount(Address),
    /// A storage leaf does not decode as an RLP integer.
    #[error("storage slot of {0} has a malformed trie leaf")]
    InvalidStorage(Address),
}

impl revm::database::DBErrorMarker for DbError {}

/// A header field breaks the consensus rules relative to its parent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("block number {got}, expected parent + 1 = {expected}")]
    Number { expected: u64, got: u64 },
    #[error("timestamp {got} is not after the parent's {parent}")]
    Timestamp { parent: u64, got: u64 },
    #[error("gas limit {got} out of bounds (parent {parent})")]
    GasLimit { parent: u64, got: u64 },
    #[error("gas used {used} exceeds gas limit {limit}")]
    GasUsedOverLimit { used: u64, limit: u64 },
    #[error("base fee {got:?}, expected {expected:?}")]
    BaseFee { expected: Option<u64>, got: Option<u64> },
    #[error("extra data is {0} bytes, at most 32")]
    ExtraData(usize),
    #[error("difficulty must be zero after the merge")]
    Difficulty,
    #[error("nonce must be zero after the merge")]
    Nonce,
    #[error("ommers must be empty after the merge")]
    Ommers,
    #[error("withdrawals (or their root) missing or mismatched")]
    Withdrawals,
    #[error("excess blob gas {got:?}, expected {expected:?}")]
    ExcessBlobGas { expected: Option<u64>, got: Option<u64> },
    #[error("blob gas used {got:?}, expected {expected}")]
    BlobGasUsed { expected: u64, got: Option<u64> },
    #[error("parent beacon block root missing")]
    ParentBeaconBlockRoot,
    #[error("requests hash missing (Prague) or present (before Prague)")]
    RequestsHashPresence,
    #[error("header field of a later fork is present")]
    UnsupportedFork,
}

/// Why the STF refused a block. Nothing is signed after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StfError {
    #[error("witness: {0}")]
    Witness(#[from] WitnessError),
    #[error("the witness has no ancestor headers")]
    NoAncestors,
    #[error("{0} ancestor headers, at most 256")]
    TooManyAncestors(usize),
    #[error("parent {0} is not among the ancestor headers")]
    MissingParent(B256),
    #[error("ancestor header {0} is not on the parent-hash chain")]
    UnlinkedAncestor(B256),
    #[error("the witness does not contain the parent state root {0}")]
    PreStateRootMissing(B256),
    #[error("header: {0}")]
    Header(#[from] HeaderError),
    #[error("transactions root {computed}, header says {header}")]
    TransactionsRoot { header: B256, computed: B256 },
    #[error("transaction {index}: invalid signature")]
    Signature { index: usize },
    #[error("state read failed: {0}")]
    MissingWitness(#[from] DbError),
    #[error("execution: {0}")]
    Execution(String),
    #[error("gas used {computed}, header says {header}")]
    GasUsed { header: u64, computed: u64 },
    #[error("receipts root {computed}, header says {header}")]
    ReceiptsRoot { header: B256, computed: B256 },
    #[error("logs bloom mismatch")]
    LogsBloom { header: Box<Bloom>, computed: Box<Bloom> },
    #[error("requests hash {computed}, header says {header:?}")]
    RequestsHash { header: Option<B256>, computed: B256 },
    #[error("state root {computed}, header says {header}")]
    StateRoot { header: B256, computed: B256 },
    #[error("post-state update: {0}")]
    Trie(#[from] TrieError),
}

/// An L2 node's JSON-RPC answer could not be turned into a witness bundle (see [`crate::rpc`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("block range: {0}")]
    Range(String),
    #[error("request encoding: {0}")]
    Encode(String),
    #[error("malformed answer: {0}")]
    Malformed(String),
    #[error("no answer to {0}")]
    Missing(String),
    #[error("the node refused {call}: {message}")]
    Node { call: String, message: String },
    #[error("the node serves chain {got}, expected {expected}")]
    WrongChain { expected: u64, got: u64 },
    #[error("inconsistent answer: {0}")]
    Inconsistent(String),
}
