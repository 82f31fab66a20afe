//! The OP Stack stateless STF: re-execute one L2 block of an OP Stack chain from its witness, check
//! every header commitment, and compute the block's output root.
//!
//! Same shape and order as the Ethereum [`crate::stf`]: ancestors → parent state root in the witness
//! → header rules (OP's: EIP-1559 parameters in `extraData`, the base fee they give, no blobs) →
//! transactions root → deposit rules (the L1-attributes deposit first, deposits before everything
//! else) → execution (op-revm through alloy-op-evm: deposits, L1 data fee, operator fee, fee vaults,
//! the EIP-4788 / EIP-2935 system calls) → gas used, receipts root, logs bloom, DA footprint → post
//! state root → the L2ToL1MessagePasser storage root (Isthmus: the withdrawals root) → output root.
//!
//! What no stateless check can show: that the deposits are the ones L1 holds and that the block was
//! derived from the L1 batch data. The L1-attributes deposit is checked against an L1 origin header
//! when the input carries one; the rest is the dispute layer's (`docs/security-model.md`).

use alloc::vec::Vec;
use alloy_consensus::{
    BlockHeader, EMPTY_OMMER_ROOT_HASH, Header, Transaction, proofs::calculate_transaction_root, transaction::Recovered,
};
use alloy_eips::{eip1559::BaseFeeParams, eip7685::EMPTY_REQUESTS_HASH};
use alloy_evm::{
    EvmFactory,
    block::{BlockExecutionResult, BlockExecutor},
};
use alloy_op_evm::{
    OpBlockExecutionCtx, OpBlockExecutor, OpEvmFactory, OpTx, block::OpAlloyReceiptBuilder, evm_env_for_op_block,
};
use alloy_primitives::{B256, TxKind, U256, keccak256};
use alloy_trie::EMPTY_ROOT_HASH;
use op_alloy_consensus::{
    L2_TO_L1_MESSAGE_PASSER_ADDRESS, OpBlock, OpReceiptEnvelope, OpTxEnvelope, decode_holocene_extra_data,
    decode_jovian_extra_data,
};
use revm::database::{BundleState, State, states::bundle_state::BundleRetention};

use crate::{
    db::WitnessDb,
    error::{ExecutionError, HeaderError, OpBlockError, StfError},
    op::{
        OpChainConfig, OpFork,
        l1_info::{self, L1_BLOCK, L1_INFO_DEPOSITOR, L1Origin},
    },
    stf::{BlockOutcome, MAX_EXTRA_DATA, MAX_GAS_LIMIT, check_receipts, open_parent, presence, recover_all},
    witness::{ExecutionWitness, IndexedWitness},
};

/// Version 0 of the OP output root: its first 32-byte word.
pub const OUTPUT_VERSION_V0: B256 = B256::ZERO;

/// `keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`, 128 bytes hashed (the
/// version is a full word): the L2 output an OP dispute or validity game settles.
pub fn output_root_v0(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> B256 {
    let mut buf = [0u8; 128];
    buf[..32].copy_from_slice(OUTPUT_VERSION_V0.as_slice());
    buf[32..64].copy_from_slice(state_root.as_slice());
    buf[64..96].copy_from_slice(message_passer_storage_root.as_slice());
    buf[96..].copy_from_slice(block_hash.as_slice());
    keccak256(buf)
}

/// Everything the OP STF consumes to prove one block.
#[derive(Debug, Clone)]
pub struct OpStatelessInput {
    /// The block to prove.
    pub block: OpBlock,
    /// Trie nodes (including the L2ToL1MessagePasser's account path at the parent, for output roots),
    /// codes and ancestor headers.
    pub witness: ExecutionWitness,
    /// The L1 origin's header, if the caller has it: the L1-attributes deposit must then name it.
    pub l1_origin: Option<Header>,
}

/// What the OP STF established about a block it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpBlockOutcome {
    /// The facts every STF establishes (its `chain_config_hash` is the [`OpChainConfig`]'s).
    pub block: BlockOutcome,
    /// The L1 origin the L1-attributes deposit names.
    pub l1_origin: L1Origin,
    /// The L2ToL1MessagePasser storage root before the block, if the witness reaches it.
    pub pre_message_passer_root: Option<B256>,
    /// The same after the block, if the witness reaches it (always from Isthmus).
    pub message_passer_root: Option<B256>,
}

impl OpBlockOutcome {
    /// The block's output root, when the witness gave the message passer's storage root.
    pub fn output_root(&self) -> Option<B256> {
        self.message_passer_root.map(|mp| output_root_v0(self.block.post_state_root, mp, self.block.block_hash))
    }

    /// The parent's output root, when the witness gave the message passer's storage root before.
    pub fn parent_output_root(&self) -> Option<B256> {
        self.pre_message_passer_root.map(|mp| output_root_v0(self.block.pre_state_root, mp, self.block.parent_hash))
    }
}

/// Executes `input` statelessly under `chain` and returns what it proved, or why it refused.
pub fn execute(chain: &OpChainConfig, input: &OpStatelessInput) -> Result<OpBlockOutcome, StfError> {
    let block = &input.block;
    let header = &block.header;
    let fork = chain.fork_at(header.timestamp).map_err(HeaderError::from)?;
    let witness = IndexedWitness::new(&input.witness)?;
    let witness_commitment = witness.commitment();

    // 1. Ancestors, 2. the witness opens at the parent's state root.
    let ancestors = open_parent(header, &witness.headers, &witness.nodes)?;
    let (_, parent) = ancestors[0];
    let parent_fork = chain.fork_at(parent.timestamp).ok();

    // 3. Header rules.
    validate_header(chain, fork, parent_fork, block, parent)?;

    // 4. Transactions root, deposit rules, senders.
    let transactions_root = calculate_transaction_root(&block.body.transactions);
    if transactions_root != header.transactions_root {
        return Err(StfError::TransactionsRoot { header: header.transactions_root, computed: transactions_root });
    }
    let l1_origin = check_deposits(parent_fork, block)?;
    if let Some(l1_header) = &input.l1_origin {
        check_l1_origin(&l1_origin, l1_header)?;
    }
    let transactions = recover_senders(block)?;

    // 5. Execution over the witness.
    let block_hashes = ancestors.iter().zip(1u64..).map(|((hash, _), back)| (header.number - back, *hash)).collect();
    let mut db = WitnessDb::new(parent.state_root, witness.nodes, witness.codes, block_hashes)?;
    // The parent's message passer root, for the starting output root (absent from a witness that
    // never reached the account: then no output root is claimed for the parent).
    let pre_message_passer_root = message_passer_root(&mut db).ok();
    let executed = execute_transactions(chain, block, &transactions, &mut db);
    if let Some(missing) = db.first_error.take() {
        return Err(StfError::MissingWitness(missing));
    }
    let (mut result, bundle) = executed?;
    if chain.devnet_anvil() {
        // anvil (1.7.1) writes a deposit receipt's nonce after the deposit, where OP writes it
        // before: the devnet relaxation reads its receipts as anvil writes them.
        for receipt in &mut result.receipts {
            if let OpReceiptEnvelope::Deposit(deposit) = receipt {
                deposit.receipt.deposit_nonce = deposit.receipt.deposit_nonce.map(|n| n.saturating_add(1));
            }
        }
    }

    // 6. Commitments of the execution.
    let receipts_root = check_receipts(header, result.gas_used, &result.receipts)?;
    // Jovian: blobGasUsed carries the block's DA footprint; before, zero.
    let blob_gas_used = if fork >= OpFork::Jovian { result.blob_gas_used } else { 0 };
    if header.blob_gas_used != Some(blob_gas_used) {
        return Err(HeaderError::BlobGasUsed { expected: blob_gas_used, got: header.blob_gas_used }.into());
    }

    // 7. Post-state root, 8. the message passer's storage root after the block.
    let post_state_root = db.apply(&bundle)?;
    if post_state_root != header.state_root {
        return Err(StfError::StateRoot { header: header.state_root, computed: post_state_root });
    }
    let message_passer_root = message_passer_root(&mut db).ok();
    if fork >= OpFork::Isthmus {
        let computed = message_passer_root.ok_or(OpBlockError::MissingMessagePasser)?;
        if header.withdrawals_root != Some(computed) {
            return Err(OpBlockError::MessagePasserRoot { header: header.withdrawals_root, computed }.into());
        }
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
    Ok(OpBlockOutcome { block: outcome, l1_origin, pre_message_passer_root, message_passer_root })
}

/// The L2ToL1MessagePasser's storage root as the db's trie holds it now (empty if the account does
/// not exist); an error if the witness lacks its path.
fn message_passer_root(db: &mut WitnessDb) -> Result<B256, crate::error::DbError> {
    Ok(db.account(L2_TO_L1_MESSAGE_PASSER_ADDRESS)?.map_or(EMPTY_ROOT_HASH, |a| a.storage_root))
}

/// Runs the block's system calls and transactions over `db` with alloy-op-evm's executor.
pub fn execute_transactions<DB: revm::Database + core::fmt::Debug>(
    chain: &OpChainConfig,
    block: &OpBlock,
    transactions: &[Recovered<&OpTxEnvelope>],
    db: DB,
) -> Result<(BlockExecutionResult<OpReceiptEnvelope>, BundleState), StfError> {
    let header = &block.header;
    let mut state = State::builder().with_database(db).with_bundle_update().build();
    let evm_env = evm_env_for_op_block(header, chain, chain.chain_id());
    let evm = OpEvmFactory::<OpTx>::default().create_evm(&mut state, evm_env);
    let ctx = OpBlockExecutionCtx {
        parent_hash: header.parent_hash,
        parent_beacon_block_root: header.parent_beacon_block_root,
        extra_data: header.extra_data.clone(),
    };
    let result = OpBlockExecutor::new(evm, ctx, chain, OpAlloyReceiptBuilder::default())
        .execute_block(transactions.iter().copied())
        .map_err(|e| StfError::Execution(ExecutionError::from_block(&e)))?;
    state.merge_transitions(BundleRetention::PlainState);
    Ok((result, state.take_bundle()))
}

/// Recovers every transaction's sender (a deposit's is its `from`).
pub fn recover_senders(block: &OpBlock) -> Result<Vec<Recovered<&OpTxEnvelope>>, StfError> {
    recover_all(&block.body.transactions)
}

/// The deposit rules of the derivation pipeline that a block alone shows: the L1-attributes deposit
/// first, deposits before any other transaction, no system deposits, no post-exec transactions.
/// Returns the L1 origin the L1-attributes deposit names.
fn check_deposits(parent_fork: Option<OpFork>, block: &OpBlock) -> Result<L1Origin, OpBlockError> {
    let mut past_deposits = false;
    for (index, tx) in block.body.transactions.iter().enumerate() {
        match tx {
            OpTxEnvelope::Deposit(deposit) => {
                if past_deposits {
                    return Err(OpBlockError::DepositAfterTransaction { index });
                }
                if deposit.is_system_transaction {
                    return Err(OpBlockError::SystemDeposit { index });
                }
            }
            OpTxEnvelope::PostExec(_) => return Err(OpBlockError::UnsupportedTransaction { index }),
            _ => past_deposits = true,
        }
    }
    let first = match block.body.transactions.first() {
        Some(OpTxEnvelope::Deposit(d)) if d.from == L1_INFO_DEPOSITOR && d.to == TxKind::Call(L1_BLOCK) => d,
        _ => return Err(OpBlockError::NoL1InfoDeposit),
    };
    l1_info::decode(first.input(), parent_fork)
}

/// The L1 origin header given with the input must be the one the L1-attributes deposit names.
fn check_l1_origin(origin: &L1Origin, l1: &Header) -> Result<(), OpBlockError> {
    let field = if l1.hash_slow() != origin.hash {
        "hash"
    } else if l1.number != origin.number {
        "number"
    } else if l1.timestamp != origin.timestamp {
        "timestamp"
    } else if l1.base_fee_per_gas.map(U256::from) != Some(origin.base_fee) {
        "base fee"
    } else {
        return Ok(());
    };
    Err(OpBlockError::L1Origin { field })
}

/// The EIP-1559 parameters (and Jovian's minimum base fee) a block carries in `extraData` under
/// `fork`. Both parameters must be non-zero (a zero would divide the next base fee by zero; the
/// sequencer writes the Canyon defaults when the SystemConfig holds zeros).
fn eip1559_params(extra_data: &[u8], fork: OpFork) -> Result<(BaseFeeParams, u64), OpBlockError> {
    let decoded = match fork {
        OpFork::Holocene | OpFork::Isthmus => decode_holocene_extra_data(extra_data).map(|(e, d)| (e, d, 0)),
        OpFork::Jovian => decode_jovian_extra_data(extra_data),
    };
    match decoded {
        Ok((elasticity, denominator, min_base_fee)) if elasticity != 0 && denominator != 0 => {
            Ok((BaseFeeParams::new(u128::from(denominator), u128::from(elasticity)), min_base_fee))
        }
        _ => Err(OpBlockError::ExtraData { fork }),
    }
}

/// The base fee a child of `parent` must carry: EIP-1559 under the parent's parameters (its
/// `extraData` from Holocene, the config's Canyon parameters before), counting the parent's DA
/// footprint and its minimum base fee from Jovian.
fn next_base_fee(chain: &OpChainConfig, parent_fork: Option<OpFork>, parent: &Header) -> Result<u64, StfError> {
    let parent_base_fee = parent.base_fee_per_gas.ok_or(HeaderError::BaseFee { expected: None, got: None })?;
    let (params, min_base_fee, used) = match parent_fork {
        Some(fork) if !chain.devnet_anvil() => {
            let (params, min) = eip1559_params(&parent.extra_data, fork).map_err(|_| OpBlockError::ParentExtraData)?;
            let used = if fork >= OpFork::Jovian {
                parent.gas_used.max(parent.blob_gas_used.unwrap_or(0))
            } else {
                parent.gas_used
            };
            (params, min, used)
        }
        _ => (chain.canyon_base_fee_params(), 0, parent.gas_used),
    };
    let next = alloy_eips::eip1559::calc_next_block_base_fee(used, parent.gas_limit, parent_base_fee, params);
    Ok(next.max(min_base_fee))
}

/// OP header rules against the parent and body under `fork`.
fn validate_header(
    chain: &OpChainConfig,
    fork: OpFork,
    parent_fork: Option<OpFork>,
    block: &OpBlock,
    parent: &Header,
) -> Result<(), StfError> {
    let header = &block.header;
    let expected_number = parent.number.saturating_add(1);
    if header.number != expected_number {
        return Err(HeaderError::Number { expected: expected_number, got: header.number }.into());
    }
    if header.timestamp <= parent.timestamp {
        return Err(HeaderError::Timestamp { parent: parent.timestamp, got: header.timestamp }.into());
    }
    // The gas limit is the SystemConfig's (through the payload attributes), not bounded by the
    // parent's: op-geth skips Ethereum's 1/1024 rule.
    if header.gas_limit > MAX_GAS_LIMIT {
        return Err(HeaderError::GasLimit { parent: parent.gas_limit, got: header.gas_limit }.into());
    }
    if header.gas_used > header.gas_limit {
        return Err(HeaderError::GasUsedOverLimit { used: header.gas_used, limit: header.gas_limit }.into());
    }
    let base_fee = next_base_fee(chain, parent_fork, parent)?;
    if header.base_fee_per_gas != Some(base_fee) {
        return Err(HeaderError::BaseFee { expected: Some(base_fee), got: header.base_fee_per_gas }.into());
    }
    if chain.devnet_anvil() {
        if header.extra_data.len() > MAX_EXTRA_DATA {
            return Err(HeaderError::ExtraData(header.extra_data.len()).into());
        }
    } else {
        eip1559_params(&header.extra_data, fork)?;
    }
    if !header.difficulty.is_zero() {
        return Err(HeaderError::Difficulty.into());
    }
    if !header.nonce.is_zero() {
        return Err(HeaderError::Nonce.into());
    }
    if header.ommers_hash != EMPTY_OMMER_ROOT_HASH || !block.body.ommers.is_empty() {
        return Err(HeaderError::Ommers.into());
    }
    // Every supported fork is past Canyon and Ecotone: withdrawals (always none), blob fields,
    // the beacon root; Isthmus adds the requests hash.
    let eth_fork = if fork >= OpFork::Isthmus { crate::Fork::Prague } else { crate::Fork::Cancun };
    presence("withdrawals root", header.withdrawals_root.is_some(), true, eth_fork)?;
    presence("blob gas used", header.blob_gas_used.is_some(), true, eth_fork)?;
    presence("excess blob gas", header.excess_blob_gas.is_some(), true, eth_fork)?;
    presence("parent beacon block root", header.parent_beacon_block_root.is_some(), true, eth_fork)?;
    presence("requests hash", header.requests_hash.is_some(), fork >= OpFork::Isthmus, eth_fork)?;
    presence("block access list hash", header.block_access_list_hash.is_some(), false, eth_fork)?;
    presence("slot number", header.slot_number().is_some(), false, eth_fork)?;
    // Canyon: an empty withdrawals list. Before Isthmus its root is the empty root; from Isthmus
    // it is the message passer's storage root, checked after execution.
    if block.body.withdrawals.as_ref().is_none_or(|w| !w.is_empty()) {
        return Err(HeaderError::Withdrawals.into());
    }
    if fork < OpFork::Isthmus && header.withdrawals_root != Some(EMPTY_ROOT_HASH) {
        return Err(HeaderError::Withdrawals.into());
    }
    // No blob transactions on L2: excess blob gas stays zero.
    if header.excess_blob_gas != Some(0) {
        return Err(HeaderError::ExcessBlobGas { expected: Some(0), got: header.excess_blob_gas }.into());
    }
    if fork >= OpFork::Isthmus && header.requests_hash != Some(EMPTY_REQUESTS_HASH) {
        return Err(StfError::RequestsHash { header: header.requests_hash, computed: EMPTY_REQUESTS_HASH });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    #[test]
    fn output_root_v0_hashes_a_full_version_word() {
        // Hand computation: keccak256 of four words, the first zero.
        let (s, m, b) = (B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
        let mut buf = Vec::new();
        for w in [B256::ZERO, s, m, b] {
            buf.extend_from_slice(w.as_slice());
        }
        assert_eq!(output_root_v0(s, m, b), keccak256(&buf));
        assert_ne!(output_root_v0(s, m, b), output_root_v0(m, s, b));
        assert_ne!(
            output_root_v0(s, m, b),
            b256!("0x0000000000000000000000000000000000000000000000000000000000000000")
        );
    }

    #[test]
    fn the_l1_origin_header_must_be_the_one_the_deposit_names() {
        let l1 = Header { number: 8, timestamp: 96, base_fee_per_gas: Some(7), ..Default::default() };
        let origin = L1Origin {
            number: 8,
            timestamp: 96,
            base_fee: U256::from(7),
            blob_base_fee: U256::from(1),
            hash: l1.hash_slow(),
        };
        assert_eq!(check_l1_origin(&origin, &l1), Ok(()));
        let other = Header { number: 9, ..l1.clone() };
        assert_eq!(check_l1_origin(&origin, &other), Err(OpBlockError::L1Origin { field: "hash" }));
        for (changed, field) in [
            (L1Origin { number: 9, ..origin }, "number"),
            (L1Origin { timestamp: 97, ..origin }, "timestamp"),
            (L1Origin { base_fee: U256::from(8), ..origin }, "base fee"),
        ] {
            assert_eq!(check_l1_origin(&changed, &l1), Err(OpBlockError::L1Origin { field }));
        }
    }

    #[test]
    fn extra_data_rules() {
        let holocene = [0u8, 0, 0, 0, 250, 0, 0, 0, 6];
        let (params, min) = eip1559_params(&holocene, OpFork::Holocene).unwrap();
        assert_eq!((params.max_change_denominator, params.elasticity_multiplier, min), (250, 6, 0));
        for bad in [
            &[0u8, 0, 0, 0, 0, 0, 0, 0, 6][..],
            &[0, 0, 0, 0, 250, 0, 0, 0, 0],
            &[1, 0, 0, 0, 250, 0, 0, 0, 6],
            &[0; 8],
        ] {
            assert_eq!(eip1559_params(bad, OpFork::Holocene), Err(OpBlockError::ExtraData { fork: OpFork::Holocene }));
        }
        assert!(eip1559_params(&holocene, OpFork::Jovian).is_err());
        let jovian = [1u8, 0, 0, 0, 250, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7];
        assert_eq!(eip1559_params(&jovian, OpFork::Jovian).map(|(_, m)| m), Ok(7));
        assert!(eip1559_params(&jovian, OpFork::Isthmus).is_err());
    }
}
