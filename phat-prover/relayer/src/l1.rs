//! L1: the rollup's `RollupSettlement` and, behind it, `MultiProofVerifier` and `TeeVerifier`.
//!
//! Every step first reads what L1 already has — proposed, proven, final — and only sends what is
//! missing, so a relayer that restarts (or runs beside another) never submits a block twice.
//!
//! A proposal proven by its TEE-proof alone (no zk source) is final only once its proof mix is
//! drawn TEE-first, from the hash of an L1 block after the proposal: [`Settlement::draw_pending`]
//! has it drawn (anyone may) while that hash is in `blockhash`'s reach. A proposal nobody draws in
//! time needs a zk proof for good.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use phat_witness::ProofFile;
use serde::{Deserialize, Serialize};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{
    error::RelayerError,
    prover::{BatchProof, RefusalProof},
};

use phat_l1::{
    MultiProofVerifier::{self, MultiProofVerifierInstance, TeeEvidence, TeeRefusal},
    RollupSettlement::{self, RollupSettlementInstance},
    RollupZkVerifierStandIn::{self, RollupZkVerifierStandInInstance},
    Transition,
};

/// Longest wait for a sent transaction's receipt before the block is retried.
const RECEIPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Most proof-mix draws sent in one round of [`Settlement::draw_pending`].
const MAX_DRAWS_PER_ROUND: usize = 16;

/// What a TEE-proof claims, as the settlement takes it: the transition over L2 blocks
/// `first..=last` and its evidence (a single-block proof, or one batch proof for the range).
#[derive(Clone)]
pub struct Claim {
    pub first: u64,
    pub last: u64,
    pub parent_hash: B256,
    pub pre_state_root: B256,
    pub block_hash: B256,
    pub post_state_root: B256,
    pub tee: TeeEvidence,
}

impl Claim {
    /// The claim of a single-block proof.
    pub fn block(proof: &ProofFile) -> Self {
        let p = &proof.public_input;
        Self {
            first: p.block_number,
            last: p.block_number,
            parent_hash: p.parent_hash,
            pre_state_root: p.pre_state_root,
            block_hash: p.block_hash,
            post_state_root: p.post_state_root,
            tee: TeeEvidence {
                batch: false,
                commitment: p.witness_commitment,
                chainConfigHash: p.chain_config_hash,
                proof: proof.proof.clone(),
            },
        }
    }

    /// The claim of a batch proof.
    pub fn batch(b: &BatchProof) -> Self {
        Self {
            first: b.first_block,
            last: b.last_block,
            parent_hash: b.first_parent_hash,
            pre_state_root: b.first_pre_state_root,
            block_hash: b.last_block_hash,
            post_state_root: b.last_post_state_root,
            tee: TeeEvidence {
                batch: true,
                commitment: b.blocks_commitment,
                chainConfigHash: b.chain_config_hash,
                proof: b.proof.clone(),
            },
        }
    }

    fn transition(&self) -> Transition {
        Transition {
            firstBlock: self.first,
            lastBlock: self.last,
            parentHash: self.parent_hash,
            preStateRoot: self.pre_state_root,
            blockHash: self.block_hash,
            postStateRoot: self.post_state_root,
        }
    }
}

/// What the relayer did on L1 for one block.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    /// Index of the proposal the block is in.
    pub proposal: u64,
    pub propose_tx: Option<B256>,
    pub prove_tx: Option<B256>,
    pub finalize_tx: Option<B256>,
    /// Gas of the transactions above.
    pub gas: u64,
    /// Whether the block is final on L1 (finalized through the dual check).
    pub finalized: bool,
    /// The L1 block of the last of those transactions.
    #[serde(default)]
    pub l1_block: Option<u64>,
}

/// The settlement contracts of one rollup, seen from the relayer's account.
pub struct Settlement {
    provider: DynProvider,
    settlement: RollupSettlementInstance<DynProvider>,
    multi_proof: MultiProofVerifierInstance<DynProvider>,
    zk_stand_in: Option<RollupZkVerifierStandInInstance<DynProvider>>,
    propose: bool,
    pub l1_chain_id: u64,
    pub l2_chain_id: u64,
    pub tee_verifier: Address,
    /// The hash of the chain config L1 expects the rollup's proofs under.
    pub chain_config_hash: B256,
    /// L1 blocks between a proposal and the block its proof mix is drawn from
    /// (`MultiProofVerifier.DRAW_DELAY`).
    draw_delay: u64,
    /// How many blocks after that one the draw can be made (`DRAW_WINDOW`).
    draw_window: u64,
    /// The first proposal [`Settlement::draw_pending`] has not dealt with yet.
    next_draw: AtomicU64,
}

fn l1(e: impl std::fmt::Display) -> RelayerError {
    RelayerError::L1(e.to_string())
}

impl Settlement {
    /// Connects to `settlement` on `rpc` as the account of `key`.
    pub async fn connect(
        rpc: &str,
        settlement: Address,
        key: &str,
        propose: bool,
        zk_stand_in: Option<Address>,
    ) -> Result<Self, RelayerError> {
        let signer: PrivateKeySigner = key.parse().map_err(|e| RelayerError::Config(format!("L1 key: {e}")))?;
        let url = rpc.parse().map_err(|e| RelayerError::Config(format!("L1 rpc url: {e}")))?;
        // The nonce is asked of the node for every transaction: a transaction refused before it
        // was sent (e.g. at gas estimation) must not leave a gap that stalls the next one.
        let provider = ProviderBuilder::new()
            .with_simple_nonce_management()
            .wallet(EthereumWallet::from(signer))
            .connect_http(url)
            .erased();
        let instance = RollupSettlement::new(settlement, provider.clone());
        let l2_chain_id = instance.l2ChainId().call().await.map_err(l1)?.saturating_to();
        let multi_proof = MultiProofVerifier::new(instance.verifier().call().await.map_err(l1)?, provider.clone());
        let tee_verifier = multi_proof.teeVerifier().call().await.map_err(l1)?;
        let chain_config_hash = multi_proof.rollupOf(U256::from(l2_chain_id)).call().await.map_err(l1)?.chainConfigHash;
        let l1_chain_id = provider.get_chain_id().await.map_err(l1)?;
        let draw_delay = multi_proof.DRAW_DELAY().call().await.map_err(l1)?.saturating_to();
        let draw_window = multi_proof.DRAW_WINDOW().call().await.map_err(l1)?.saturating_to();
        Ok(Self {
            zk_stand_in: zk_stand_in.map(|a| RollupZkVerifierStandIn::new(a, provider.clone())),
            provider,
            settlement: instance,
            multi_proof,
            propose,
            l1_chain_id,
            l2_chain_id,
            tee_verifier,
            chain_config_hash,
            draw_delay,
            draw_window,
            next_draw: AtomicU64::new(1),
        })
    }

    /// Whether this relayer proposes (and so chooses the proposals' ranges).
    pub fn proposes(&self) -> bool {
        self.propose
    }

    /// The finalized L2 head: block number, hash, state root.
    pub async fn finalized_head(&self) -> Result<(u64, B256, B256), RelayerError> {
        let h = self.settlement.finalizedHead().call().await.map_err(l1)?;
        Ok((h.blockNumber, h.blockHash, h.stateRoot))
    }

    /// The last L2 block proposed on L1.
    pub async fn last_proposed(&self) -> Result<u64, RelayerError> {
        let count: u64 = self.settlement.proposalCount().call().await.map_err(l1)?.saturating_to();
        let last = self.settlement.proposalOf(U256::from(count.saturating_sub(1))).call().await.map_err(l1)?;
        Ok(last.lastBlock)
    }

    /// The last block of the proposal that starts at `block`, if there is one.
    pub async fn proposal_from(&self, block: u64) -> Result<Option<u64>, RelayerError> {
        let count: u64 = self.settlement.proposalCount().call().await.map_err(l1)?.saturating_to();
        // Proposal 0 is the anchor: it makes no transition.
        for index in (1..count).rev() {
            let t = self.settlement.transitionOf(U256::from(index)).call().await.map_err(l1)?;
            if t.firstBlock == block {
                return Ok(Some(t.lastBlock));
            }
            if t.lastBlock < block {
                break;
            }
        }
        Ok(None)
    }

    /// Index of the proposal ending at `block`, if any.
    async fn proposal_ending_at(&self, block: u64) -> Result<Option<u64>, RelayerError> {
        let count: u64 = self.settlement.proposalCount().call().await.map_err(l1)?.saturating_to();
        for index in (0..count).rev() {
            let p = self.settlement.proposalOf(U256::from(index)).call().await.map_err(l1)?;
            if p.lastBlock == block {
                return Ok(Some(index));
            }
            if p.lastBlock < block {
                break;
            }
        }
        Ok(None)
    }

    async fn send<C: alloy::sol_types::SolCall>(
        &self,
        call: alloy::contract::SolCallBuilder<&DynProvider, C>,
    ) -> Result<TransactionReceipt, RelayerError> {
        let receipt =
            call.send().await.map_err(l1)?.with_timeout(Some(RECEIPT_TIMEOUT)).get_receipt().await.map_err(l1)?;
        if !receipt.status() {
            return Err(RelayerError::L1(format!("transaction {} reverted", receipt.transaction_hash)));
        }
        Ok(receipt)
    }

    /// Settles `claim` (one block, or a batch of blocks): proposes it if needed and allowed,
    /// proves the proposal with the TEE-proof (and the zk proof, when a source is configured),
    /// finalizes what is final. Returns `None` when the blocks are not proposed yet and the relayer
    /// does not propose.
    pub async fn settle(&self, claim: &Claim) -> Result<Option<Settled>, RelayerError> {
        let block = claim.last;
        let mut out = Settled::default();
        let index = match self.proposal_ending_at(block).await? {
            Some(index) => index,
            None if !self.propose => return Ok(None),
            None => {
                let last = self.last_proposed().await?;
                if last + 1 != claim.first {
                    return Err(RelayerError::L1(format!(
                        "L1 has blocks up to {last} proposed, cannot propose {}..={block}",
                        claim.first
                    )));
                }
                if let Some(settled) = self.settle_in_one_transaction(claim).await? {
                    return Ok(Some(settled));
                }
                let r = self.send(self.settlement.propose(block, claim.block_hash, claim.post_state_root)).await?;
                out.propose_tx = Some(r.transaction_hash);
                out.gas += r.gas_used;
                out.l1_block = r.block_number;
                self.proposal_ending_at(block)
                    .await?
                    .ok_or_else(|| RelayerError::L1(format!("proposal of block {block} not found after proposing")))?
            }
        };
        out.proposal = index;
        let finalized: u64 = self.settlement.lastFinalized().call().await.map_err(l1)?.saturating_to();
        if index <= finalized {
            out.finalized = true;
            return Ok(Some(out));
        }
        let t = self.settlement.transitionOf(U256::from(index)).call().await.map_err(l1)?;
        let l2 = U256::from(self.l2_chain_id);
        let tee = claim.tee.clone();
        if (t.firstBlock, t.parentHash, t.preStateRoot, t.blockHash)
            != (claim.first, claim.parent_hash, claim.pre_state_root, claim.block_hash)
        {
            return Err(RelayerError::Mismatch {
                block,
                reason: format!("proposal {index} on L1 is not of the blocks the TEE proved"),
            });
        }
        if t.postStateRoot != claim.post_state_root {
            // The proposal claims another result of the same blocks: put the TEE-proof of the true
            // one on record. Against a zk proof of the claim this contests the transition and
            // pauses finalization until governance resolves it; either way the claim cannot
            // become final through a TEE.
            let truth = Transition { postStateRoot: claim.post_state_root, ..t.clone() };
            let contested = self.multi_proof.rollupOf(l2).call().await.map_err(l1)?.openContests > 0;
            if !contested {
                self.send(self.multi_proof.submitTeeProof(l2, truth, tee)).await?;
            }
            return Err(RelayerError::Mismatch {
                block,
                reason: format!(
                    "contested: proposal {index} claims post-state root {}, the TEE proved {}; the TEE-proof is on \
                     record and finalization waits for governance",
                    t.postStateRoot, claim.post_state_root
                ),
            });
        }
        if !self.multi_proof.isFinal(l2, t.clone()).call().await.map_err(l1)? {
            let r = match &self.zk_stand_in {
                Some(zk) => {
                    let zk_proof: Bytes = zk.proofFor(l2, t).call().await.map_err(l1)?;
                    self.send(self.settlement.prove(U256::from(index), zk_proof, tee)).await?
                }
                None => self.send(self.settlement.proveTee(U256::from(index), tee)).await?,
            };
            out.prove_tx = Some(r.transaction_hash);
            out.gas += r.gas_used;
            out.l1_block = r.block_number;
            // `prove` records the zk proof even when the TEE-proof fails (and says so in an event):
            // a refused TEE-proof is this block's failure, to retry with another prover.
            if let Some(refused) = r.decoded_log::<MultiProofVerifier::TeeProofRefused>() {
                return Err(RelayerError::L1(format!(
                    "TEE-proof of block {block} refused by the verifier (error data {})",
                    refused.data.reason
                )));
            }
        }
        // Finalize what is final, in order; "nothing to finalize" (TEE-first, waiting) is no error.
        if let Ok(r) = self.send(self.settlement.finalize(U256::from(64))).await {
            out.finalize_tx = Some(r.transaction_hash);
            out.gas += r.gas_used;
            out.l1_block = r.block_number;
        }
        let last_finalized: u64 = self.settlement.lastFinalized().call().await.map_err(l1)?.saturating_to();
        out.finalized = index <= last_finalized;
        Ok(Some(out))
    }

    /// With a zk source: propose, prove with both proofs and finalize in one transaction
    /// (`multicall`), so the blocks are final one L1 block after they are relayed. `None` when
    /// that transaction reverts (e.g. an earlier proposal is not final yet): the caller then takes
    /// the step-by-step path, which says what is missing.
    async fn settle_in_one_transaction(&self, claim: &Claim) -> Result<Option<Settled>, RelayerError> {
        use alloy::sol_types::SolCall;
        let Some(zk) = &self.zk_stand_in else {
            return Ok(None);
        };
        let index: u64 = self.settlement.proposalCount().call().await.map_err(l1)?.saturating_to();
        // The transition the proposal will make: from the last proposal to the claim's last block.
        let zk_proof: Bytes = zk.proofFor(U256::from(self.l2_chain_id), claim.transition()).call().await.map_err(l1)?;
        let calls = vec![
            RollupSettlement::proposeCall {
                lastBlock: claim.last,
                blockHash: claim.block_hash,
                postStateRoot: claim.post_state_root,
            }
            .abi_encode()
            .into(),
            RollupSettlement::proveCall { index: U256::from(index), zkProof: zk_proof, tee: claim.tee.clone() }
                .abi_encode()
                .into(),
            RollupSettlement::finalizeCall { maxCount: U256::from(64) }.abi_encode().into(),
        ];
        let receipt = match self.send(self.settlement.multicall(calls)).await {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(block = claim.last, "one-transaction settlement refused, step by step: {e}");
                return Ok(None);
            }
        };
        if let Some(refused) = receipt.decoded_log::<MultiProofVerifier::TeeProofRefused>() {
            return Err(RelayerError::L1(format!(
                "TEE-proof of blocks {}..={} refused by the verifier (error data {})",
                claim.first, claim.last, refused.data.reason
            )));
        }
        let finalized: u64 = self.settlement.lastFinalized().call().await.map_err(l1)?.saturating_to();
        let tx = Some(receipt.transaction_hash);
        Ok(Some(Settled {
            proposal: index,
            propose_tx: tx,
            prove_tx: tx,
            finalize_tx: tx,
            gas: receipt.gas_used,
            finalized: index <= finalized,
            l1_block: receipt.block_number,
        }))
    }

    /// Has the proof mix of pending proposals drawn, oldest first: each one not final yet whose
    /// draw block (`DRAW_DELAY` after the proposal's L1 block) exists and whose draw window is
    /// still open, unless someone drew it already. Returns the proposals drawn in this round (at
    /// most [`MAX_DRAWS_PER_ROUND`]). A proposal whose window closed before it was drawn needs a zk
    /// proof: it is logged and passed over. Run it every few seconds (the window is 256 L1 blocks).
    pub async fn draw_pending(&self) -> Result<Vec<u64>, RelayerError> {
        let count: u64 = self.settlement.proposalCount().call().await.map_err(l1)?.saturating_to();
        let mut index = self.next_draw.load(Ordering::Relaxed);
        if index > count {
            // Proposals were discarded: the ones made again in their place are drawn anew.
            index = count;
            self.next_draw.store(index, Ordering::Relaxed);
        }
        if index >= count {
            return Ok(Vec::new());
        }
        let finalized: u64 = self.settlement.lastFinalized().call().await.map_err(l1)?.saturating_to();
        index = index.max(finalized + 1);
        self.next_draw.store(index, Ordering::Relaxed);
        if index >= count {
            return Ok(Vec::new());
        }
        let head = self.block_number().await?;
        let l2 = U256::from(self.l2_chain_id);
        let mut drawn = Vec::new();
        while index < count && drawn.len() < MAX_DRAWS_PER_ROUND {
            let at: u64 = self.settlement.proposedAt(U256::from(index)).call().await.map_err(l1)?;
            let from = at.saturating_add(self.draw_delay);
            // Proposals are in L1 order: if this one's draw block is not there yet, no later one's
            // is. (Waits one block more than the contract needs, so that estimating the gas at the
            // head, as some nodes do, sees the block too.)
            if head <= from {
                break;
            }
            // The transaction lands in the next block at the earliest.
            if head - from >= self.draw_window {
                tracing::warn!(proposal = index, "proof-mix draw window missed: the proposal needs a zk proof");
                index += 1;
                self.next_draw.store(index, Ordering::Relaxed);
                continue;
            }
            let t = self.settlement.transitionOf(U256::from(index)).call().await.map_err(l1)?;
            let slot = self.multi_proof.slotOf(l2, t.clone()).call().await.map_err(l1)?;
            let done = self.multi_proof.drawOf(slot).call().await.map_err(l1)?.l1Block != 0
                || self.multi_proof.isFinal(l2, t).call().await.map_err(l1)?;
            if !done {
                let r = self.send(self.settlement.drawZk(U256::from(index))).await?;
                if let Some(d) = r.decoded_log::<MultiProofVerifier::ZkDrawn>() {
                    tracing::info!(proposal = index, l1_block = %d.data.l1Block, roll = d.data.roll, "proof mix drawn");
                }
                drawn.push(index);
            }
            index += 1;
            self.next_draw.store(index, Ordering::Relaxed);
        }
        Ok(drawn)
    }

    /// Submits `refusal` against the pending single-block proposal of its block (same block hash,
    /// parent and pre-state root): the proposal is contested and the rollup paused until
    /// governance resolves it. Returns the proposal and the transaction, or `None` when there is
    /// no such pending proposal or it is contested already (nothing is sent).
    pub async fn refuse(&self, refusal: &RefusalProof) -> Result<Option<(u64, B256)>, RelayerError> {
        let block = refusal.block_number;
        let Some(index) = self.proposal_ending_at(block).await? else { return Ok(None) };
        let finalized: u64 = self.settlement.lastFinalized().call().await.map_err(l1)?.saturating_to();
        if index <= finalized {
            return Ok(None);
        }
        let t = self.settlement.transitionOf(U256::from(index)).call().await.map_err(l1)?;
        if (t.firstBlock, t.lastBlock, t.parentHash, t.preStateRoot, t.blockHash)
            != (block, block, refusal.parent_hash, refusal.pre_state_root, refusal.block_hash)
        {
            return Ok(None);
        }
        let slot = self.multi_proof.slotOf(U256::from(self.l2_chain_id), t).call().await.map_err(l1)?;
        if self.multi_proof.evidenceOf(slot).call().await.map_err(l1)?.contested {
            return Ok(None);
        }
        let evidence = TeeRefusal {
            chainConfigHash: refusal.chain_config_hash,
            reason: refusal.reason,
            proof: refusal.proof.clone(),
        };
        let r = self.send(self.settlement.refuse(U256::from(index), evidence)).await?;
        Ok(Some((index, r.transaction_hash)))
    }

    /// The L1 block number (for the feed).
    pub async fn block_number(&self) -> Result<u64, RelayerError> {
        self.provider.get_block_number().await.map_err(l1)
    }
}
