//! A TEE refusal: the prover's signed statement that a block is invalid under the chain config.
//!
//! The dual check's third case — the rollup's zk proof says yes, the TEE says no — must pause the
//! rollup, not leave the transition waiting for a TEE-proof that never comes. So when the STF
//! refuses a block *for what the block is* (a header rule, a transaction, a commitment that its
//! execution does not reproduce), the prover signs a [`RefusalPublicInput`]; L1 accepts it for a
//! pending proposal from a registered instance and marks the transition contested.
//!
//! A refusal must never be signed for what the *input* is: a witness that lacks a node or a code,
//! ancestors that do not link, a body that is not the header's, a fork the STF does not implement.
//! Those say nothing about the block (whoever fetched the witness may have erred or lied), so
//! [`refusal_reason`] returns `None` for them. It first checks that the body is the one the header
//! commits to (transactions, ommers and withdrawals roots): then every check the STF makes is a
//! function of the block hash, the parent's state (by its root, which the parent's hash fixes) and
//! the chain config, and the refusal is as reproducible as a proof.
//!
//! Hashed as Solidity hashes it (`keccak256(abi.encode(input))`), specified in
//! `docs/proof-format.md` §5.

use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, Header, proofs};
use alloy_primitives::{B256, U256, keccak256};
use alloy_rlp::Decodable;
use alloy_sol_types::{SolValue, sol};

use crate::{
    error::{ExecutionError, HeaderError, StfError},
    public_input::ProofDomain,
    witness::{L2Block, StatelessInput},
};

sol! {
    /// Public input of a TEE refusal (version 1): block `blockNumber` with hash `blockHash`, on
    /// parent `parentHash` whose state root is `preStateRoot`, is invalid under the chain config
    /// `chainConfigHash`, for `reason` (a [`RefusalReason`] code).
    #[derive(Debug, PartialEq, Eq)]
    struct RefusalPublicInput {
        bytes32 tag;
        uint256 l1ChainId;
        address verifier;
        uint256 l2ChainId;
        bytes32 chainConfigHash;
        address prover;
        uint64 blockNumber;
        bytes32 parentHash;
        bytes32 blockHash;
        bytes32 preStateRoot;
        uint16 reason;
    }
}

/// `keccak256("phat-sgx-prover.tee-refusal.v1")`.
pub const REFUSAL_TAG: B256 =
    alloy_primitives::b256!("0x111e43eb78e6896723a5fa26ed7efd0bd0e18d1b0b7d4074c76b660a4c66354c");

/// What made a block invalid: the `reason` code of a refusal. Coarse on purpose: the code tells
/// governance where to look; the prover's log names the exact check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum RefusalReason {
    /// A header rule relative to the parent (number, time, gas limit, base fee, blob gas, fields
    /// of the fork, size).
    Header = 1,
    /// A transaction is invalid (signature, nonce, balance, gas, fee, type) or does not fit the block.
    Transaction = 2,
    /// The gas used is not what the header says.
    GasUsed = 3,
    /// The receipts root or logs bloom is not what the header says.
    Receipts = 4,
    /// The EIP-7685 requests (hash or deposit logs) are not what the header says.
    Requests = 5,
    /// The post-state root is not what the header says.
    StateRoot = 6,
    /// A block system call (EIP-4788, EIP-2935, EIP-7002, EIP-7251) failed.
    SystemCall = 7,
}

impl RefusalReason {
    /// The reason of `code`, if it is one.
    pub fn from_code(code: u16) -> Option<Self> {
        Some(match code {
            1 => Self::Header,
            2 => Self::Transaction,
            3 => Self::GasUsed,
            4 => Self::Receipts,
            5 => Self::Requests,
            6 => Self::StateRoot,
            7 => Self::SystemCall,
            _ => return None,
        })
    }

    /// Its code in a refusal.
    pub fn code(self) -> u16 {
        self as u16
    }
}

impl core::fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Header => "header rule",
            Self::Transaction => "invalid transaction",
            Self::GasUsed => "gas used",
            Self::Receipts => "receipts",
            Self::Requests => "requests",
            Self::StateRoot => "state root",
            Self::SystemCall => "system call",
        })
    }
}

/// An invalid block, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusedBlock {
    /// Its number.
    pub number: u64,
    /// Its parent's hash.
    pub parent_hash: B256,
    /// Its hash (of the header the STF checked).
    pub block_hash: B256,
    /// The parent's state root: the state it was executed on.
    pub pre_state_root: B256,
    /// The chain config it is invalid under.
    pub chain_config_hash: B256,
    /// What failed.
    pub reason: RefusalReason,
}

/// The refusal the STF's error `err` on `input` (executed under the config whose hash is
/// `chain_config_hash`) warrants, or `None` when the error is about the input rather than the block
/// (see the module docs): then nothing may be signed.
pub fn refusal_of(input: &StatelessInput, chain_config_hash: B256, err: &StfError) -> Option<RefusedBlock> {
    let reason = refusal_reason(&input.block, err)?;
    let header = &input.block.header;
    // The parent is the ancestor whose hash the block names: the header the STF checked it against.
    let parent = input.witness.headers.iter().find(|h| keccak256(h) == header.parent_hash)?;
    let parent = Header::decode(&mut parent.as_ref()).ok()?;
    Some(RefusedBlock {
        number: header.number,
        parent_hash: header.parent_hash,
        block_hash: header.hash_slow(),
        pre_state_root: parent.state_root,
        chain_config_hash,
        reason,
    })
}

/// Why `block` is invalid, if the STF's error `err` says something about the block itself.
pub fn refusal_reason(block: &L2Block, err: &StfError) -> Option<RefusalReason> {
    if !body_is_the_headers(block) {
        return None;
    }
    Some(match err {
        StfError::Header(HeaderError::Fork(_)) => return None,
        StfError::Header(_) => RefusalReason::Header,
        StfError::Signature { .. } => RefusalReason::Transaction,
        StfError::Execution(e) => match e {
            ExecutionError::InvalidTransaction { .. }
            | ExecutionError::InvalidTransactionOther(_)
            | ExecutionError::GasLimitOverAvailable { .. } => RefusalReason::Transaction,
            ExecutionError::BlockGasExceeded => RefusalReason::GasUsed,
            ExecutionError::MissingParentBeaconBlockRoot => RefusalReason::Header,
            ExecutionError::SystemCall { .. } | ExecutionError::SystemContractEmpty(_) => RefusalReason::SystemCall,
            ExecutionError::DepositRequests(_) => RefusalReason::Requests,
            // A state read the executor could not make, or a failure it does not name: possibly
            // the witness's fault.
            ExecutionError::BalanceIncrement | ExecutionError::Evm(_) | ExecutionError::Other => return None,
        },
        StfError::GasUsed { .. } => RefusalReason::GasUsed,
        StfError::ReceiptsRoot { .. } | StfError::LogsBloom { .. } => RefusalReason::Receipts,
        StfError::RequestsHash { .. } => RefusalReason::Requests,
        StfError::StateRoot { .. } => RefusalReason::StateRoot,
        // The input's faults: witness bytes, ancestors, missing nodes or code, a trie that cannot
        // be updated, a body that is not the header's.
        StfError::Witness(_)
        | StfError::NoAncestors
        | StfError::TooManyAncestors(_)
        | StfError::MissingParent(_)
        | StfError::UnlinkedAncestor(_)
        | StfError::PreStateRootMissing(_)
        | StfError::MissingWitness(_)
        | StfError::Trie(_)
        | StfError::TransactionsRoot { .. } => return None,
        // OP rules: never from the Ethereum STF, whose blocks these refusals are about.
        StfError::Op(_) => return None,
    })
}

/// Whether the block's body is the one its header commits to: its transactions, ommers and
/// withdrawals hash to the header's roots (withdrawals absent from both, or present in both).
pub fn body_is_the_headers(block: &L2Block) -> bool {
    let (header, body) = (&block.header, &block.body);
    let ommers =
        if body.ommers.is_empty() { EMPTY_OMMER_ROOT_HASH } else { proofs::calculate_ommers_root(&body.ommers) };
    let withdrawals = match (&body.withdrawals, header.withdrawals_root) {
        (Some(w), Some(root)) => proofs::calculate_withdrawals_root(w) == root,
        (None, None) => true,
        _ => false,
    };
    withdrawals
        && ommers == header.ommers_hash
        && proofs::calculate_transaction_root(&body.transactions) == header.transactions_root
}

impl RefusalPublicInput {
    /// The public input of the refusal of `block` under `domain`.
    pub fn new(domain: &ProofDomain, block: &RefusedBlock) -> Self {
        Self {
            tag: REFUSAL_TAG,
            l1ChainId: U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: U256::from(domain.l2_chain_id),
            chainConfigHash: block.chain_config_hash,
            prover: domain.prover,
            blockNumber: block.number,
            parentHash: block.parent_hash,
            blockHash: block.block_hash,
            preStateRoot: block.pre_state_root,
            reason: block.reason.code(),
        }
    }

    /// `keccak256(abi.encode(input))`: the 32 bytes the prover signs.
    pub fn digest(&self) -> B256 {
        keccak256(self.abi_encode())
    }
}
