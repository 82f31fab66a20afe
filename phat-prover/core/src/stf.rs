//! The stateless state transition function: re-execute one block from its witness and check every
//! header commitment against our own computation.
//!
//! Order of checks (`docs/proof-format.md` lists them too): ancestor hash chain → parent state root
//! in the witness → header rules → transactions root → execution (revm via alloy-evm: system calls,
//! transactions, withdrawals, requests) → gas used, receipts root, logs bloom, requests hash → post
//! state root from the partial trie. The block hash is the keccak of the checked header.

use alloc::{borrow::Cow, vec::Vec};
use alloy_consensus::{
    BlockHeader, EMPTY_OMMER_ROOT_HASH, Header, Transaction, TxReceipt,
    proofs::{calculate_receipt_root, calculate_transaction_root, calculate_withdrawals_root},
    transaction::{Recovered, SignerRecoverable},
};
use alloy_consensus::{ReceiptEnvelope, TxEnvelope};
use alloy_eips::{eip1559::BaseFeeParams, eip4844::DATA_GAS_PER_BLOB, eip7840::BlobParams};
use alloy_eips::{eip7002::WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, eip7251::CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS};
use alloy_evm::{
    EvmEnv, EvmFactory,
    block::{BlockExecutionResult, BlockExecutor},
    eth::{EthBlockExecutionCtx, EthBlockExecutor, EthEvmFactory, receipt_builder::AlloyReceiptBuilder},
};
use alloy_primitives::{B256, Bloom, U256, map::B256Map};
use alloy_rlp::Encodable;
use alloy_trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY};
use revm::database::{BundleState, Database, State, states::bundle_state::BundleRetention};

use crate::{
    chain::{ChainConfig, Fork},
    db::WitnessDb,
    error::{ExecutionError, HeaderError, StfError, SystemCall},
    witness::{IndexedWitness, L2Block, MAX_ANCESTORS, StatelessInput},
};

/// Lowest gas limit a block may have.
pub const MIN_GAS_LIMIT: u64 = 5000;
/// Largest gas limit (EIP-1985).
pub const MAX_GAS_LIMIT: u64 = i64::MAX as u64;
/// A block's gas limit moves by less than parent / 1024.
pub const GAS_LIMIT_BOUND_DIVISOR: u64 = 1024;
/// Longest extra data after the merge.
pub const MAX_EXTRA_DATA: usize = 32;
/// Largest block RLP from Osaka (EIP-7934: 10 MiB less a 2 MiB margin for the beacon block).
pub const MAX_RLP_BLOCK_SIZE: usize = 10_485_760 - 2_097_152;

/// What the STF established about a block it accepted: the facts a TEE-proof signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOutcome {
    /// Block number.
    pub number: u64,
    /// Hash of the parent header.
    pub parent_hash: B256,
    /// Hash of the block header.
    pub block_hash: B256,
    /// State root before the block (the parent's).
    pub pre_state_root: B256,
    /// State root after the block, computed from the witness.
    pub post_state_root: B256,
    /// Receipts root, computed.
    pub receipts_root: B256,
    /// Gas used, computed.
    pub gas_used: u64,
    /// Number of transactions executed.
    pub tx_count: usize,
    /// Commitment to the witness the block was executed from.
    pub witness_commitment: B256,
    /// [`ChainConfig::hash`] of the rules the block was executed under.
    pub chain_config_hash: B256,
}

/// Executes `input` statelessly under `chain` and returns what it proved, or why it refused.
pub fn execute(chain: &ChainConfig, input: &StatelessInput) -> Result<BlockOutcome, StfError> {
    execute_with_changes(chain, input).map(|(outcome, _)| outcome)
}

/// [`execute`], also returning the block's state changes (for a caller that keeps full state, such
/// as the conformance-test runner).
pub fn execute_with_changes(
    chain: &ChainConfig,
    input: &StatelessInput,
) -> Result<(BlockOutcome, BundleState), StfError> {
    let block = &input.block;
    let header = &block.header;
    // The rules come from the config alone: the fork at the block's timestamp.
    let fork = chain.fork_at(header.timestamp).map_err(HeaderError::from)?;
    let witness = IndexedWitness::new(&input.witness)?;
    let witness_commitment = witness.commitment();

    // 1. Ancestors, 2. the witness opens at the parent's state root.
    let ancestors = open_parent(header, &witness.headers, &witness.nodes)?;
    let (_, parent) = ancestors[0];

    // 3. Header rules relative to the parent.
    validate_header(chain, fork, block, parent)?;

    // 4. Transactions root.
    let transactions_root = calculate_transaction_root(&block.body.transactions);
    if transactions_root != header.transactions_root {
        return Err(StfError::TransactionsRoot { header: header.transactions_root, computed: transactions_root });
    }
    let transactions = recover_senders(block)?;

    // 5. Execution over the witness.
    let block_hashes = ancestors.iter().zip(1u64..).map(|((hash, _), back)| (header.number - back, *hash)).collect();
    let mut db = WitnessDb::new(parent.state_root, witness.nodes, witness.codes, block_hashes)?;
    let executed = execute_transactions(chain, fork, block, &transactions, &mut db);
    if let Some(missing) = db.first_error.take() {
        return Err(StfError::MissingWitness(missing));
    }
    let (result, bundle) = executed?;
    // EIP-7002 / EIP-7251: the request contracts' system calls are checked calls — a block whose
    // contract has no code when it is called (the block's end) is invalid.
    if fork >= Fork::Prague && !chain.devnet_absent_system_contracts() {
        for (address, call) in [
            (WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, SystemCall::WithdrawalRequests),
            (CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS, SystemCall::ConsolidationRequests),
        ] {
            let code_hash = match bundle.state.get(&address) {
                Some(account) => account.info.as_ref().map(|info| info.code_hash),
                None => db.basic(address).map_err(StfError::MissingWitness)?.map(|info| info.code_hash),
            };
            if code_hash.is_none_or(|hash| hash == KECCAK_EMPTY) {
                return Err(ExecutionError::SystemContractEmpty(call).into());
            }
        }
    }

    // 6. Commitments of the execution.
    let receipts_root = check_receipts(header, result.gas_used, &result.receipts)?;
    if fork >= Fork::Prague {
        let requests_hash = result.requests.requests_hash();
        if header.requests_hash != Some(requests_hash) {
            return Err(StfError::RequestsHash { header: header.requests_hash, computed: requests_hash });
        }
    }
    if fork >= Fork::Cancun && header.blob_gas_used != Some(result.blob_gas_used) {
        return Err(HeaderError::BlobGasUsed { expected: result.blob_gas_used, got: header.blob_gas_used }.into());
    }

    // 7. Post-state root from our own trie.
    let post_state_root = db.apply(&bundle)?;
    if post_state_root != header.state_root {
        return Err(StfError::StateRoot { header: header.state_root, computed: post_state_root });
    }

    let outcome = BlockOutcome {
        number: header.number,
        parent_hash: header.parent_hash,
        block_hash: header.hash_slow(),
        pre_state_root: parent.state_root,
        post_state_root,
        receipts_root,
        gas_used: result.gas_used,
        tx_count: block.body.transactions.len(),
        witness_commitment,
        chain_config_hash: chain.hash(),
    };
    Ok((outcome, bundle))
}

/// The database the STF executes `input` over — the parent state as the witness reveals it, with
/// the ancestors' hashes — for callers that replay execution outside the STF (the benchmark's
/// in-memory baseline is filled by one pass over it). Checks the ancestor chain, as [`execute`]
/// does, and nothing else.
pub fn witness_db(input: &StatelessInput) -> Result<WitnessDb, StfError> {
    let header = &input.block.header;
    let witness = IndexedWitness::new(&input.witness)?;
    let ancestors = ancestor_chain(header, &witness.headers)?;
    let parent_state_root = ancestors[0].1.state_root;
    let block_hashes = ancestors.iter().zip(1u64..).map(|((hash, _), back)| (header.number - back, *hash)).collect();
    Ok(WitnessDb::new(parent_state_root, witness.nodes, witness.codes, block_hashes)?)
}

/// Runs a block's system calls, transactions, withdrawals and requests over `db` with alloy-evm's
/// Ethereum executor, returning the receipts and the state changes. No header check happens here:
/// [`execute`] does those. Shared by the stateless path and the in-memory baseline of the benchmark.
pub fn execute_transactions<DB: Database + core::fmt::Debug>(
    chain: &ChainConfig,
    fork: Fork,
    block: &L2Block,
    transactions: &[Recovered<&TxEnvelope>],
    db: DB,
) -> Result<(BlockExecutionResult<ReceiptEnvelope>, BundleState), StfError> {
    let header = &block.header;
    let mut state = State::builder().with_database(db).with_bundle_update().build();
    let evm_env = EvmEnv::for_eth_block(header, chain, chain.chain_id(), chain.blob_params(fork));
    let evm = EthEvmFactory::default().create_evm(&mut state, evm_env);
    let ctx = EthBlockExecutionCtx {
        parent_hash: header.parent_hash,
        parent_beacon_block_root: header.parent_beacon_block_root,
        ommers: &[],
        withdrawals: block.body.withdrawals.as_ref().map(|w| Cow::Borrowed(w.as_slice())),
        extra_data: header.extra_data.clone(),
        tx_count_hint: Some(transactions.len()),
        slot_number: None,
    };
    let result = EthBlockExecutor::new(evm, ctx, chain, AlloyReceiptBuilder::default())
        .execute_block(transactions.iter().copied())
        .map_err(|e| StfError::Execution(ExecutionError::from_block(&e)))?;
    state.merge_transitions(BundleRetention::PlainState);
    Ok((result, state.take_bundle()))
}

/// Recovers every transaction's sender (EIP-2 low-s rule included).
pub fn recover_senders(block: &L2Block) -> Result<Vec<Recovered<&TxEnvelope>>, StfError> {
    recover_all(&block.body.transactions)
}

/// Every transaction with its recovered sender (an OP deposit's is its `from`); the index of the
/// first whose signature does not recover.
pub(crate) fn recover_all<T: SignerRecoverable>(transactions: &[T]) -> Result<Vec<Recovered<&T>>, StfError> {
    transactions
        .iter()
        .enumerate()
        .map(|(index, tx)| {
            tx.recover_signer().map(|s| Recovered::new_unchecked(tx, s)).map_err(|_| StfError::Signature { index })
        })
        .collect()
}

/// Steps 1 and 2 of every STF: the ancestors from the block's parent back (parent first), and the
/// witness must hold the parent's state root.
pub(crate) fn open_parent<'a>(
    header: &Header,
    headers: &'a B256Map<Header>,
    nodes: &crate::trie::NodePool,
) -> Result<Vec<(B256, &'a Header)>, StfError> {
    let ancestors = ancestor_chain(header, headers)?;
    let parent = ancestors[0].1;
    if parent.state_root != EMPTY_ROOT_HASH && !nodes.contains(&parent.state_root) {
        return Err(StfError::PreStateRootMissing(parent.state_root));
    }
    Ok(ancestors)
}

/// The commitments of an execution every STF checks: gas used, the receipts root and the logs
/// bloom against the header's. Returns the receipts root.
pub(crate) fn check_receipts<R: TxReceipt<Log = alloy_primitives::Log> + alloy_eips::Encodable2718>(
    header: &Header,
    gas_used: u64,
    receipts: &[R],
) -> Result<B256, StfError> {
    if gas_used != header.gas_used {
        return Err(StfError::GasUsed { header: header.gas_used, computed: gas_used });
    }
    let receipts_root = calculate_receipt_root(receipts);
    if receipts_root != header.receipts_root {
        return Err(StfError::ReceiptsRoot { header: header.receipts_root, computed: receipts_root });
    }
    let logs_bloom = receipts.iter().fold(Bloom::ZERO, |bloom, r| bloom | r.bloom());
    if logs_bloom != header.logs_bloom {
        return Err(StfError::LogsBloom {
            header: alloc::boxed::Box::new(header.logs_bloom),
            computed: alloc::boxed::Box::new(logs_bloom),
        });
    }
    Ok(receipts_root)
}

/// Walks from the block's parent back through the witness headers. Every witness header must be on
/// that chain, with consecutive numbers; at least the parent must be there.
fn ancestor_chain<'a>(header: &Header, headers: &'a B256Map<Header>) -> Result<Vec<(B256, &'a Header)>, StfError> {
    if headers.is_empty() {
        return Err(StfError::NoAncestors);
    }
    if headers.len() > MAX_ANCESTORS {
        return Err(StfError::TooManyAncestors(headers.len()));
    }
    let mut chain: Vec<(B256, &Header)> = Vec::with_capacity(headers.len());
    let (mut hash, mut child_number) = (header.parent_hash, header.number);
    while let Some(ancestor) = headers.get(&hash) {
        if child_number.checked_sub(1) != Some(ancestor.number) {
            return Err(StfError::UnlinkedAncestor(hash));
        }
        chain.push((hash, ancestor));
        (hash, child_number) = (ancestor.parent_hash, ancestor.number);
    }
    if chain.is_empty() {
        return Err(StfError::MissingParent(header.parent_hash));
    }
    if chain.len() != headers.len() {
        let stray = headers.keys().find(|h| !chain.iter().any(|(c, _)| c == *h)).copied().unwrap_or_default();
        return Err(StfError::UnlinkedAncestor(stray));
    }
    Ok(chain)
}

/// Consensus rules of a post-merge header against its parent and body, under `fork` (the fork at
/// its timestamp, from the chain config): which fields exist, and the values no executor checks.
fn validate_header(chain: &ChainConfig, fork: Fork, block: &L2Block, parent: &Header) -> Result<(), HeaderError> {
    let header = &block.header;
    let expected_number = parent.number.saturating_add(1);
    if header.number != expected_number {
        return Err(HeaderError::Number { expected: expected_number, got: header.number });
    }
    if header.timestamp <= parent.timestamp {
        return Err(HeaderError::Timestamp { parent: parent.timestamp, got: header.timestamp });
    }
    let max_delta = parent.gas_limit / GAS_LIMIT_BOUND_DIVISOR;
    if header.gas_limit.abs_diff(parent.gas_limit) >= max_delta
        || !(MIN_GAS_LIMIT..=MAX_GAS_LIMIT).contains(&header.gas_limit)
    {
        return Err(HeaderError::GasLimit { parent: parent.gas_limit, got: header.gas_limit });
    }
    if header.gas_used > header.gas_limit {
        return Err(HeaderError::GasUsedOverLimit { used: header.gas_used, limit: header.gas_limit });
    }
    let base_fee = parent.next_block_base_fee(BaseFeeParams::ethereum());
    if base_fee.is_none() || header.base_fee_per_gas != base_fee {
        return Err(HeaderError::BaseFee { expected: base_fee, got: header.base_fee_per_gas });
    }
    if header.extra_data.len() > MAX_EXTRA_DATA {
        return Err(HeaderError::ExtraData(header.extra_data.len()));
    }
    if !header.difficulty.is_zero() {
        return Err(HeaderError::Difficulty);
    }
    if !header.nonce.is_zero() {
        return Err(HeaderError::Nonce);
    }
    if header.ommers_hash != EMPTY_OMMER_ROOT_HASH || !block.body.ommers.is_empty() {
        return Err(HeaderError::Ommers);
    }
    // Which fields the fork has.
    presence("withdrawals root", header.withdrawals_root.is_some(), fork >= Fork::Shanghai, fork)?;
    presence("withdrawals", block.body.withdrawals.is_some(), fork >= Fork::Shanghai, fork)?;
    presence("blob gas used", header.blob_gas_used.is_some(), fork >= Fork::Cancun, fork)?;
    presence("excess blob gas", header.excess_blob_gas.is_some(), fork >= Fork::Cancun, fork)?;
    presence("parent beacon block root", header.parent_beacon_block_root.is_some(), fork >= Fork::Cancun, fork)?;
    presence("requests hash", header.requests_hash.is_some(), fork >= Fork::Prague, fork)?;
    presence("block access list hash", header.block_access_list_hash.is_some(), false, fork)?;
    presence("slot number", header.slot_number().is_some(), false, fork)?;

    if let Some(withdrawals) = &block.body.withdrawals
        && header.withdrawals_root != Some(calculate_withdrawals_root(withdrawals))
    {
        return Err(HeaderError::Withdrawals);
    }
    if let Some(blob_params) = chain.blob_params(fork) {
        // EIP-4844 / EIP-7918: excess blob gas follows the parent; blob gas used counts this
        // block's blobs.
        let expected_excess = next_excess_blob_gas(parent, blob_params);
        if expected_excess.is_none() || header.excess_blob_gas != expected_excess {
            return Err(HeaderError::ExcessBlobGas { expected: expected_excess, got: header.excess_blob_gas });
        }
        let blob_gas: u64 =
            block.body.transactions.iter().filter_map(|tx| tx.blob_gas_used()).fold(0, u64::saturating_add);
        if header.blob_gas_used != Some(blob_gas)
            || blob_gas > blob_params.max_blob_gas_per_block()
            || !blob_gas.is_multiple_of(DATA_GAS_PER_BLOB)
        {
            return Err(HeaderError::BlobGasUsed { expected: blob_gas, got: header.blob_gas_used });
        }
    }
    if fork >= Fork::Osaka {
        let size = block.length();
        if size > MAX_RLP_BLOCK_SIZE {
            return Err(HeaderError::BlockTooLarge { size, max: MAX_RLP_BLOCK_SIZE });
        }
    }
    Ok(())
}

/// A header field must exist exactly when the fork has it.
pub(crate) fn presence(field: &'static str, present: bool, required: bool, fork: Fork) -> Result<(), HeaderError> {
    match (present, required) {
        (false, true) => Err(HeaderError::MissingField { field, fork }),
        (true, false) => Err(HeaderError::UnexpectedField { field, fork }),
        _ => Ok(()),
    }
}

/// The excess blob gas a child of `parent` must carry under `params` (the child's fork), as the
/// execution specs compute it: EIP-4844, with EIP-7918's reserve price from Osaka, all under the
/// child's schedule. A parent before Cancun counts as zero excess and zero use. `None` on overflow
/// (a hostile header). (alloy-eips' `next_block_excess_blob_gas_osaka` is the same rule, but adds
/// without overflow checks.)
pub fn next_excess_blob_gas(parent: &Header, params: BlobParams) -> Option<u64> {
    let parent_excess = parent.excess_blob_gas.unwrap_or(0);
    let parent_used = parent.blob_gas_used.unwrap_or(0);
    let total = parent_excess.checked_add(parent_used)?;
    let target = params.target_blob_gas_per_block();
    if total < target {
        return Some(0);
    }
    if params.blob_base_cost > 0 {
        let blob_fee = U256::from(params.calc_blob_fee(parent_excess));
        let reserve = U256::from(params.blob_base_cost) * U256::from(parent.base_fee_per_gas.unwrap_or(0));
        if reserve > U256::from(DATA_GAS_PER_BLOB) * blob_fee {
            let scaled = u128::from(parent_used) * u128::from(params.max_blob_count - params.target_blob_count)
                / u128::from(params.max_blob_count);
            return parent_excess.checked_add(u64::try_from(scaled).ok()?);
        }
    }
    Some(total - target)
}
