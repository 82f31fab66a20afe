//! OP Stack block witnesses from an L2 node (op-reth, op-geth, or anvil in OP mode).
//!
//! The same sources as [`crate::fetch`] for Ethereum blocks, with what an OP block needs besides:
//! - the block with its deposit transactions: `debug_getRawBlock` decoded as an OP block, else
//!   `eth_getBlockByNumber(n, true)` with each transaction read by its type (anvil serves no raw
//!   block, and crashes on a deposit's raw transaction);
//! - what op-revm reads outside traced calls: the L1Block slots of the L1 fee, the operator fee and
//!   the DA footprint, and the fee vaults it credits;
//! - the L2ToL1MessagePasser's account path at the parent, for the output roots (a node's
//!   `debug_executionWitness` lacks it unless the block touched the contract); the root after the
//!   block comes from the trie the STF updates.

use alloy::{eips::BlockNumberOrTag, rpc::types::Header as RpcHeader};
use alloy_consensus::{Block, BlockBody, proofs::calculate_transaction_root};
use alloy_eips::eip4895::Withdrawal;
use alloy_primitives::{Address, B256, Bytes, U64, U256, address};
use op_alloy_consensus::{L2_TO_L1_MESSAGE_PASSER_ADDRESS, OpBlock, OpTxEnvelope, TxDeposit};
use phat_prover_core::{
    op::{OpChainConfig, OpFork, OpStatelessInput, l1_info::L1_BLOCK},
    witness::decode_exact,
};
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    error::FetchError,
    fetch::{Node, ProofWitness, with_parent},
    files::WitnessFile,
};

/// The fee vaults op-revm credits: base fee, L1 fee, operator fee.
pub const FEE_VAULTS: [Address; 3] = [
    address!("0x4200000000000000000000000000000000000019"),
    address!("0x420000000000000000000000000000000000001A"),
    address!("0x420000000000000000000000000000000000001B"),
];
/// L1Block slots op-revm reads: L1 base fee (1), fee scalars (3), overhead and scalar before
/// Ecotone (5, 6), blob base fee (7), operator fee scalars and the DA footprint scalar (8).
pub const L1_BLOCK_SLOTS: [u64; 6] = [1, 3, 5, 6, 7, 8];

/// Builds the witness of OP block `number` from an L2 node, for the chain `chain` (from the caller's
/// configuration; a node of another chain is refused).
pub async fn fetch_op_witness(rpc_url: &str, number: u64, chain: &OpChainConfig) -> Result<WitnessFile, FetchError> {
    Node::connect(rpc_url)?.op_witness(number, chain).await
}

impl Node {
    /// [`fetch_op_witness`] from this node.
    pub async fn op_witness(&self, number: u64, chain: &OpChainConfig) -> Result<WitnessFile, FetchError> {
        if number == 0 {
            return Err(FetchError::Genesis);
        }
        let chain_id = self.same_chain(chain.chain_id()).await?;
        let (block_rlp, block) = self.op_block(number).await?;
        let parent = self.parent_of(&block.header).await?;
        let witness = match self.execution_witness(number).await? {
            Some(mut witness) => {
                // The message passer's path at the parent, for the output roots (a node's witness
                // holds it only when the block touched the contract).
                let message_passer = BTreeMap::from([(L2_TO_L1_MESSAGE_PASSER_ADDRESS, BTreeSet::new())]);
                for proof in self.proofs(&message_passer, number - 1).await? {
                    for node in proof.account_proof {
                        if !witness.state.contains(&node) {
                            witness.state.push(node);
                        }
                    }
                }
                with_parent(&mut witness, &parent);
                witness
            }
            None => {
                let prague = chain.fork_at(block.header.timestamp).is_ok_and(|f| f >= OpFork::Isthmus);
                let slots: Vec<B256> = L1_BLOCK_SLOTS.iter().map(|s| B256::from(U256::from(*s))).collect();
                let system = std::iter::once((L1_BLOCK, slots))
                    .chain(FEE_VAULTS.iter().map(|v| (*v, Vec::new())))
                    .chain(std::iter::once((L2_TO_L1_MESSAGE_PASSER_ADDRESS, Vec::new())));
                let mut witness = ProofWitness::for_header(self, &block.header, Vec::new(), &parent, prague)
                    .with_system(system)
                    .build()
                    .await?;
                witness.headers = vec![alloy_rlp::encode(&parent).into()];
                let input = OpStatelessInput { block: block.clone(), witness: witness.clone(), l1_origin: None };
                self.after_dry_run(number, &mut witness, phat_prover_core::op::execute(chain, &input).map(drop))
                    .await?;
                witness
            }
        };
        Ok(WitnessFile { chain_id, block: block_rlp, witness })
    }

    /// The OP block's RLP and decoded form, checked against the node's block hash and its
    /// transactions root.
    pub async fn op_block(&self, number: u64) -> Result<(Bytes, OpBlock), FetchError> {
        let value: Option<serde_json::Value> =
            self.call("eth_getBlockByNumber", (BlockNumberOrTag::Number(number), true)).await?;
        let value = value.ok_or(FetchError::BlockNotFound(number))?;
        let rpc_header: RpcHeader = serde_json::from_value(value.clone())
            .map_err(|e| FetchError::BlockShape { number, message: e.to_string() })?;
        let hash = rpc_header.hash;
        if rpc_header.number != number {
            return Err(FetchError::WrongBlock { asked: number, got: rpc_header.number });
        }
        let block = match self.optional::<_, Bytes>("debug_getRawBlock", (U64::from(number),)).await? {
            Some(raw) => decode_exact::<OpBlock>(&raw).map_err(|e| FetchError::RawBlock { number, source: e })?,
            None => {
                let shape = |message: String| FetchError::BlockShape { number, message };
                let txs = value
                    .get("transactions")
                    .and_then(|t| t.as_array())
                    .ok_or_else(|| shape("no transactions".into()))?;
                let transactions =
                    txs.iter().map(|tx| op_transaction(tx).map_err(shape)).collect::<Result<Vec<_>, _>>()?;
                let withdrawals: Option<Vec<Withdrawal>> = match value.get("withdrawals") {
                    None | Some(serde_json::Value::Null) => None,
                    Some(w) => Some(serde_json::from_value(w.clone()).map_err(|e| shape(e.to_string()))?),
                };
                Block {
                    header: rpc_header.inner,
                    body: BlockBody { transactions, ommers: vec![], withdrawals: withdrawals.map(Into::into) },
                }
            }
        };
        let computed = block.header.hash_slow();
        if computed != hash {
            return Err(FetchError::BlockHash { number, computed, claimed: hash });
        }
        let transactions_root = calculate_transaction_root(&block.body.transactions);
        if transactions_root != block.header.transactions_root {
            return Err(FetchError::TransactionsRoot {
                number,
                computed: transactions_root,
                header: block.header.transactions_root,
            });
        }
        Ok((alloy_rlp::encode(&block).into(), block))
    }
}

/// One transaction of an `eth_getBlockByNumber(n, true)` answer: a deposit by its fields, any other
/// type as Ethereum's.
fn op_transaction(tx: &serde_json::Value) -> Result<OpTxEnvelope, String> {
    let ty = tx.get("type").and_then(|t| t.as_str()).unwrap_or("0x0");
    if ty.eq_ignore_ascii_case("0x7e") {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Deposit {
            source_hash: B256,
            from: Address,
            to: Option<Address>,
            #[serde(default)]
            mint: Option<U256>,
            value: U256,
            gas: U64,
            #[serde(default)]
            is_system_tx: Option<bool>,
            input: Bytes,
        }
        let d: Deposit = serde_json::from_value(tx.clone()).map_err(|e| format!("deposit: {e}"))?;
        let mint = d.mint.unwrap_or_default();
        return Ok(TxDeposit {
            source_hash: d.source_hash,
            from: d.from,
            to: d.to.map_or(alloy_primitives::TxKind::Create, alloy_primitives::TxKind::Call),
            mint: u128::try_from(mint).map_err(|_| "deposit mint above 2^128".to_string())?,
            value: d.value,
            gas_limit: d.gas.to(),
            is_system_transaction: d.is_system_tx.unwrap_or(false),
            input: d.input,
        }
        .into());
    }
    let tx: alloy::rpc::types::Transaction =
        serde_json::from_value(tx.clone()).map_err(|e| format!("transaction: {e}"))?;
    OpTxEnvelope::try_from(tx.into_inner()).map_err(|_| "a transaction type OP chains do not have (blob)".to_string())
}

/// The stateless input of an OP witness file, for `chain` (a file of another chain is refused).
pub fn op_input(file: &WitnessFile, chain: &OpChainConfig) -> Result<OpStatelessInput, crate::FileError> {
    if file.chain_id != chain.chain_id() {
        return Err(
            phat_prover_core::WitnessError::WrongChain { config: chain.chain_id(), bundle: file.chain_id }.into()
        );
    }
    let block = decode_exact::<OpBlock>(&file.block)?;
    Ok(OpStatelessInput { block, witness: file.witness.clone(), l1_origin: None })
}
