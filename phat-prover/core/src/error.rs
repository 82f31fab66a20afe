//! Every way the core refuses an input. Each refusal names what failed; none is a panic.
// Each variant is documented by its `#[error]` text.
#![allow(missing_docs)]

use alloc::{boxed::Box, string::String};
use alloy_primitives::{Address, B256, Bloom};
use revm::context::result::InvalidTransaction;

use crate::{chain::Fork, trie::TrieError};

/// A chain config that the STF cannot run under.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the chain has not merged (no terminal total difficulty): pre-merge chains are not supported")]
    PreMerge,
    #[error("chain id 0")]
    ZeroChainId,
    #[error("{0} is not activated by timestamp")]
    NotTimed(Fork),
    #[error("{0} is given twice")]
    Duplicate(Fork),
    #[error("{fork} is scheduled but {before}, which must come first, is not scheduled at or before it")]
    ForkOrder { fork: Fork, before: Fork },
    #[error("a fork time of 2^64-1 (reserved for never)")]
    TimeOutOfRange,
    #[error("{0} has no blob schedule")]
    BlobScheduleForFork(Fork),
    #[error("{0} is scheduled without a blob schedule (BPO forks must give theirs)")]
    MissingBlobSchedule(Fork),
    #[error("the blob schedule of {0} is out of range (need 0 < max <= 4096, target <= max, fraction > 0)")]
    BlobScheduleOutOfRange(Fork),
    #[error("the config names fork {0:?}, which this STF does not know")]
    UnknownFork(String),
    #[error("a canonical chain config is 1216 bytes, got {0}")]
    CanonicalLength(usize),
    #[error("not the canonical encoding of a valid chain config")]
    NotCanonical,
    #[error("{0} must be true or false")]
    NotABool(&'static str),
}

/// An execution-spec test's `network` names no rules the STF has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestNetworkError {
    #[error("network {0}: a transition at a block number (pre-merge)")]
    BlockTransition(String),
    #[error("network {network}: fork {fork} is not supported")]
    UnknownFork { network: String, fork: String },
}

/// A block's timestamp falls under rules the STF does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkError {
    #[error("timestamp {timestamp} is under a fork the STF does not implement (from {from})")]
    Unsupported { timestamp: u64, from: u64 },
    #[error("timestamp {timestamp} is before {first}, the first fork the STF implements")]
    BeforeSupported { timestamp: u64, first: &'static str },
}

/// An OP Stack rollup config the STF cannot run under.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpConfigError {
    #[error("chain id 0")]
    ZeroChainId,
    #[error("{0} is not a fork the OP schedule holds (Regolith … Jovian)")]
    NotScheduled(alloy_op_hardforks::OpHardfork),
    #[error("{0} is given twice")]
    Duplicate(alloy_op_hardforks::OpHardfork),
    #[error("{fork} is scheduled before {before}")]
    ForkOrder { fork: alloy_op_hardforks::OpHardfork, before: alloy_op_hardforks::OpHardfork },
    #[error("a fork time of 2^64-1 (reserved for never)")]
    TimeOutOfRange,
    #[error("the EIP-1559 elasticity and Canyon denominator must be in 1..2^32")]
    BaseFeeParams,
    #[error("not the canonical encoding of a valid OP chain config")]
    NotCanonical,
    #[error("rollup config field {0} is missing or not the right type")]
    Field(&'static str),
}

/// An OP Stack block breaks a rule of the OP protocol (beside the Ethereum header rules).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpBlockError {
    #[error("extraData is not the {fork} encoding of non-zero EIP-1559 parameters")]
    ExtraData { fork: crate::op::OpFork },
    #[error("the parent's extraData does not give the EIP-1559 parameters")]
    ParentExtraData,
    #[error(
        "transaction 0 is not the L1-attributes deposit (from 0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001 to L1Block)"
    )]
    NoL1InfoDeposit,
    #[error("the L1-attributes deposit's calldata is not the {expected} layout")]
    L1InfoCalldata { expected: &'static str },
    #[error("deposit at index {index} follows a non-deposit transaction (deposits come first)")]
    DepositAfterTransaction { index: usize },
    #[error("deposit at index {index} is a system transaction (none after Regolith)")]
    SystemDeposit { index: usize },
    #[error("transaction {index} has a type the STF does not execute (post-exec 0x7d)")]
    UnsupportedTransaction { index: usize },
    #[error("the L1 origin header given disagrees with the L1-attributes deposit on {field}")]
    L1Origin { field: &'static str },
    #[error("withdrawals root {header:?} is not the L2ToL1MessagePasser storage root {computed}")]
    MessagePasserRoot { header: Option<B256>, computed: B256 },
    #[error("the witness lacks the L2ToL1MessagePasser account (the withdrawals root needs its storage root)")]
    MissingMessagePasser,
}

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
    /// A witness bundle for another chain than the prover's.
    #[error("the bundle is for chain {bundle}, the prover's config for chain {config}")]
    WrongChain { config: u64, bundle: u64 },
    /// A witness item over its size cap.
    #[error("a witness {kind} of {size} bytes is over the {max}-byte cap")]
    TooLarge { kind: &'static str, size: usize, max: usize },
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
    #[error("{field} is missing: {fork} requires it")]
    MissingField { field: &'static str, fork: Fork },
    #[error("{field} is present: {fork} has no such field")]
    UnexpectedField { field: &'static str, fork: Fork },
    #[error("block is {size} bytes of RLP, over the {max}-byte cap (EIP-7934)")]
    BlockTooLarge { size: usize, max: usize },
    #[error("the block's fork: {0}")]
    Fork(#[from] ForkError),
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
    Execution(#[from] ExecutionError),
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
    #[error(transparent)]
    Op(#[from] OpBlockError),
}

/// A block system call of the executor (EIP-4788, EIP-2935, EIP-7002, EIP-7251).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemCall {
    /// EIP-4788 beacon roots contract.
    BeaconRoots,
    /// EIP-2935 block hash history contract.
    BlockHashes,
    /// EIP-7002 withdrawal requests contract.
    WithdrawalRequests,
    /// EIP-7251 consolidation requests contract.
    ConsolidationRequests,
}

impl core::fmt::Display for SystemCall {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::BeaconRoots => "EIP-4788 beacon roots",
            Self::BlockHashes => "EIP-2935 block hashes",
            Self::WithdrawalRequests => "EIP-7002 withdrawal requests",
            Self::ConsolidationRequests => "EIP-7251 consolidation requests",
        })
    }
}

/// Why the block executor (revm through alloy-evm) refused the block's transactions or system
/// calls; alloy-evm's error reduced to what failed, keeping its message where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// A transaction is invalid in the state it runs in (nonce, balance, gas, fee, type, cap…).
    #[error("transaction {hash} is invalid: {reason}")]
    InvalidTransaction { hash: alloy_primitives::B256, reason: InvalidTransaction },
    /// A transaction is invalid for a reason revm does not name.
    #[error("transaction {0} is invalid")]
    InvalidTransactionOther(alloy_primitives::B256),
    /// A transaction's gas limit is above what the block has left.
    #[error("transaction gas limit {gas_limit} is more than the block's available gas {available}")]
    GasLimitOverAvailable { gas_limit: u64, available: u64 },
    /// The block used more gas than its limit.
    #[error("block gas used exceeds the block gas limit")]
    BlockGasExceeded,
    /// A system call failed.
    #[error("{call} system call failed: {message}")]
    SystemCall { call: SystemCall, message: String },
    /// A request contract (EIP-7002, EIP-7251) has no code when its system call runs.
    #[error("{0} system contract has no code")]
    SystemContractEmpty(SystemCall),
    /// The parent beacon block root the EIP-4788 call needs is missing.
    #[error("parent beacon block root missing")]
    MissingParentBeaconBlockRoot,
    /// The EIP-6110 deposit logs do not decode.
    #[error("deposit requests do not decode: {0}")]
    DepositRequests(String),
    /// Crediting withdrawals or rewards after the transactions failed.
    #[error("balance increment after execution failed")]
    BalanceIncrement,
    /// The EVM failed internally on a transaction (e.g. a state read the witness could not answer).
    #[error("EVM failure in transaction {0}")]
    Evm(alloy_primitives::B256),
    /// Any other executor failure.
    #[error("block executor failure")]
    Other,
}

impl ExecutionError {
    /// The STF's reading of alloy-evm's block execution error.
    pub fn from_block(e: &alloy_evm::block::BlockExecutionError) -> Self {
        use alloy_evm::block::{BlockExecutionError as E, BlockValidationError as V, InternalBlockExecutionError as I};
        match e {
            E::Validation(V::InvalidTx { hash, error }) => match error.as_invalid_tx_err() {
                Some(reason) => Self::InvalidTransaction { hash: *hash, reason: reason.clone() },
                None => Self::InvalidTransactionOther(*hash),
            },
            E::Validation(V::TransactionGasLimitMoreThanAvailableBlockGas {
                transaction_gas_limit,
                block_available_gas,
            }) => Self::GasLimitOverAvailable { gas_limit: *transaction_gas_limit, available: *block_available_gas },
            E::Validation(V::BlockGasExceeded) => Self::BlockGasExceeded,
            E::Validation(V::MissingParentBeaconBlockRoot) => Self::MissingParentBeaconBlockRoot,
            E::Validation(V::BeaconRootContractCall { message, .. }) => {
                Self::SystemCall { call: SystemCall::BeaconRoots, message: message.clone() }
            }
            E::Validation(V::BlockHashContractCall { message }) => {
                Self::SystemCall { call: SystemCall::BlockHashes, message: message.clone() }
            }
            E::Validation(V::WithdrawalRequestsContractCall { message }) => {
                Self::SystemCall { call: SystemCall::WithdrawalRequests, message: message.clone() }
            }
            E::Validation(V::ConsolidationRequestsContractCall { message }) => {
                Self::SystemCall { call: SystemCall::ConsolidationRequests, message: message.clone() }
            }
            E::Validation(V::DepositRequestDecode(message)) => Self::DepositRequests(message.clone()),
            E::Validation(V::IncrementBalanceFailed) => Self::BalanceIncrement,
            E::Internal(I::EVM { hash, .. }) => Self::Evm(*hash),
            _ => Self::Other,
        }
    }
}
