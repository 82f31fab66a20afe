//! Signing what the STF concluded about a block, outside a Phat contract: the TEE-proof of a block
//! or of a batch of blocks, and the TEE refusal of an invalid block. The relayer's development
//! prover and the prover service of a confidential VM (`phat-prover serve`) both sign here, with
//! the core's public inputs, so every prover outside the contract signs the same statements.
//!
//! These run the STF: CPU-bound, to be called off async workers.

use alloy_primitives::{Address, B256, Bytes};
use phat_prover_core::{
    BatchPublicInput, BlockPublicInput, ChainConfig, ProofDomain, RefusalPublicInput, Signer, TeeProof,
    op::{OpChainConfig, OpOutputPublicInput, public_input::OP_OUTPUT_TAG},
    public_input::BATCH_TAG,
    refusal::{REFUSAL_TAG, refusal_of},
};
use serde::{Deserialize, Serialize};

use crate::{
    error::ProveError,
    files::{ProofFile, WitnessFile},
};

/// The TEE-proof of the block in `file`, executed under `chain`, for `domain` (its prover the
/// signer's), signed by `signer`.
pub fn prove(
    chain: &ChainConfig,
    domain: &ProofDomain,
    signer: &impl Signer,
    file: &WitnessFile,
) -> Result<ProofFile, ProveError> {
    let input = file.input(chain)?;
    let outcome = phat_prover_core::execute(chain, &input).map_err(ProveError::Stf)?;
    let digest = BlockPublicInput::new(domain, &outcome).digest();
    let proof = TeeProof::sign(signer, digest)?;
    Ok(ProofFile::new(domain, &outcome, &proof))
}

/// One TEE-proof over the consecutive blocks of `files`.
pub fn prove_batch(
    chain: &ChainConfig,
    domain: &ProofDomain,
    signer: &impl Signer,
    files: &[WitnessFile],
) -> Result<BatchProof, ProveError> {
    let mut outcomes = Vec::with_capacity(files.len());
    for file in files {
        let input = file.input(chain)?;
        outcomes.push(phat_prover_core::execute(chain, &input).map_err(ProveError::Stf)?);
    }
    let input = BatchPublicInput::new(domain, &outcomes)?;
    let proof = TeeProof::sign(signer, input.digest())?;
    Ok(BatchProof::from_input(&input, &proof))
}

/// One TEE-proof of the OP output roots over the consecutive OP blocks of `files`, executed under
/// `chain` (the OP STF): from the first block's parent output root to the last block's.
pub fn prove_op_output(
    chain: &OpChainConfig,
    domain: &ProofDomain,
    signer: &impl Signer,
    files: &[WitnessFile],
) -> Result<OpOutputProof, ProveError> {
    let mut outcomes = Vec::with_capacity(files.len());
    for file in files {
        let input = crate::op::op_input(file, chain)?;
        outcomes.push(phat_prover_core::op::execute(chain, &input).map_err(ProveError::Stf)?);
    }
    let input = OpOutputPublicInput::new(domain, &outcomes)?;
    let proof = TeeProof::sign(signer, input.digest())?;
    Ok(OpOutputProof::from_input(&input, &proof))
}

/// A TEE-proof of an OP output-root transition (`OpOutputPublicInput`, one signature): the claim an
/// L1 `OpOutputOracle` or an OP dispute game takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpOutputProof {
    pub l1_origin_hash: B256,
    pub l1_origin_number: u64,
    pub starting_block: u64,
    pub starting_output_root: B256,
    pub ending_block: u64,
    pub ending_output_root: B256,
    pub blocks_commitment: B256,
    /// The OP chain config (rollup config) hash the blocks were executed under.
    pub rollup_config_hash: B256,
    /// The prover's address (the signer).
    pub prover: Address,
    /// `keccak256(abi.encode(OpOutputPublicInput))`.
    pub digest: B256,
    /// 85 bytes: prover address ‖ r ‖ s ‖ v.
    pub proof: Bytes,
}

impl OpOutputProof {
    /// The answer for `input`, signed as `proof`.
    pub fn from_input(input: &OpOutputPublicInput, proof: &TeeProof) -> Self {
        Self {
            l1_origin_hash: input.l1OriginHash,
            l1_origin_number: input.l1OriginNumber,
            starting_block: input.startingBlockNumber,
            starting_output_root: input.startingOutputRoot,
            ending_block: input.endingBlockNumber,
            ending_output_root: input.endingOutputRoot,
            blocks_commitment: input.blocksCommitment,
            rollup_config_hash: input.rollupConfigHash,
            prover: input.prover,
            digest: input.digest(),
            proof: proof.to_bytes().to_vec().into(),
        }
    }

    /// The public input under `domain` and the rollup config with hash `rollup_config`.
    pub fn input(&self, domain: &ProofDomain, rollup_config: B256) -> OpOutputPublicInput {
        OpOutputPublicInput {
            tag: OP_OUTPUT_TAG,
            l1ChainId: alloy_primitives::U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: alloy_primitives::U256::from(domain.l2_chain_id),
            rollupConfigHash: rollup_config,
            prover: self.prover,
            l1OriginHash: self.l1_origin_hash,
            l1OriginNumber: self.l1_origin_number,
            startingBlockNumber: self.starting_block,
            startingOutputRoot: self.starting_output_root,
            endingBlockNumber: self.ending_block,
            endingOutputRoot: self.ending_output_root,
            blocksCommitment: self.blocks_commitment,
        }
    }

    /// Whether this proves blocks `first..=last` under `domain` and the rollup config with hash
    /// `rollup_config`, signed by `prover` (the digest rebuilt, the signature recovered).
    pub fn check(
        &self,
        (domain, rollup_config): (&ProofDomain, B256),
        first: u64,
        last: u64,
        prover: Address,
    ) -> Result<(), String> {
        if first == 0 || (self.starting_block, self.ending_block) != (first - 1, last) {
            return Err(format!(
                "answered blocks {}..={} for {first}..={last}",
                self.starting_block + 1,
                self.ending_block
            ));
        }
        if self.rollup_config_hash != rollup_config {
            return Err(format!("made under rollup config {}, expected {rollup_config}", self.rollup_config_hash));
        }
        let digest = self.input(domain, rollup_config).digest();
        if digest != self.digest {
            return Err(format!("digest {} is not the public input's {digest}", self.digest));
        }
        let proof = TeeProof::from_bytes(&self.proof).map_err(|e| e.to_string())?;
        if proof.prover != prover || self.prover != prover {
            return Err(format!("signed for {}, asked {prover}", proof.prover));
        }
        proof.verify(digest).map(drop).map_err(|e| e.to_string())
    }
}

/// The TEE refusal of the block in `file`: signed only when the STF refuses it and the core says
/// the block itself is at fault ([`refusal_of`]); a valid block is [`ProveError::BlockValid`], a
/// failure that does not show the block invalid (a missing witness node, …) is
/// [`ProveError::NoRefusal`]. Nothing is signed in either case.
pub fn refuse(
    chain: &ChainConfig,
    domain: &ProofDomain,
    signer: &impl Signer,
    file: &WitnessFile,
) -> Result<RefusalProof, ProveError> {
    let input = file.input(chain)?;
    let err = match phat_prover_core::execute(chain, &input) {
        Ok(_) => return Err(ProveError::BlockValid),
        Err(e) => e,
    };
    let Some(block) = refusal_of(&input, chain.hash(), &err) else {
        return Err(ProveError::NoRefusal(err));
    };
    let digest = RefusalPublicInput::new(domain, &block).digest();
    let proof = TeeProof::sign(signer, digest)?;
    Ok(RefusalProof {
        block_number: block.number,
        parent_hash: block.parent_hash,
        block_hash: block.block_hash,
        pre_state_root: block.pre_state_root,
        reason: block.reason.code(),
        chain_config_hash: block.chain_config_hash,
        detail: err.to_string(),
        digest,
        proof: proof.to_bytes().to_vec().into(),
    })
}

/// A TEE refusal a prover signed: block `block_number` (hash `block_hash`, on parent
/// `parent_hash` with state root `pre_state_root`) is invalid under the chain config, for
/// `reason` (`RefusalPublicInput`, the L1 `RefusalClaim`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusalProof {
    pub block_number: u64,
    pub parent_hash: B256,
    pub block_hash: B256,
    pub pre_state_root: B256,
    pub reason: u16,
    pub chain_config_hash: B256,
    /// What failed, as the prover's STF said it (not signed).
    #[serde(default)]
    pub detail: String,
    /// `keccak256(abi.encode(RefusalPublicInput))`.
    pub digest: B256,
    /// 85 bytes: prover address ‖ r ‖ s ‖ v.
    pub proof: Bytes,
}

impl RefusalProof {
    /// The public input under `domain` (its prover the proof's).
    pub fn input(&self, domain: &ProofDomain) -> Result<RefusalPublicInput, String> {
        let proof = TeeProof::from_bytes(&self.proof).map_err(|e| e.to_string())?;
        Ok(RefusalPublicInput {
            tag: REFUSAL_TAG,
            l1ChainId: alloy_primitives::U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: alloy_primitives::U256::from(domain.l2_chain_id),
            chainConfigHash: self.chain_config_hash,
            prover: proof.prover,
            blockNumber: self.block_number,
            parentHash: self.parent_hash,
            blockHash: self.block_hash,
            preStateRoot: self.pre_state_root,
            reason: self.reason,
        })
    }

    /// Whether this is a refusal of block `number` under `domain` and the chain config with hash
    /// `chain_config`, signed by `prover`.
    pub fn check(
        &self,
        (domain, chain_config): (&ProofDomain, B256),
        number: u64,
        prover: Address,
    ) -> Result<(), String> {
        if self.block_number != number {
            return Err(format!("refused block {} for block {number}", self.block_number));
        }
        if self.chain_config_hash != chain_config {
            return Err(format!("refused under chain config {}, expected {chain_config}", self.chain_config_hash));
        }
        let digest = self.input(domain)?.digest();
        if digest != self.digest {
            return Err(format!("digest {} is not the refusal's {digest} under this domain", self.digest));
        }
        let proof = TeeProof::from_bytes(&self.proof).map_err(|e| e.to_string())?;
        if proof.prover != prover {
            return Err(format!("signed for {}, asked {prover}", proof.prover));
        }
        proof.verify(digest).map(drop).map_err(|e| e.to_string())
    }
}

/// One TEE-proof over L2 blocks `first_block..=last_block` (`BatchPublicInput`, one signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchProof {
    pub first_block: u64,
    pub last_block: u64,
    pub first_parent_hash: B256,
    pub last_block_hash: B256,
    pub first_pre_state_root: B256,
    pub last_post_state_root: B256,
    pub blocks_commitment: B256,
    /// The hash of the chain config the blocks were executed under (absent from a cluster's
    /// answer: set to the one the relayer expects, which the digest check then holds it to).
    #[serde(default)]
    pub chain_config_hash: B256,
    /// The prover's address (the signer; absent from a cluster's answer, which is of the prover
    /// asked).
    #[serde(default)]
    pub prover: Address,
    /// `keccak256(abi.encode(BatchPublicInput))`.
    pub digest: B256,
    /// 85 bytes: prover address ‖ r ‖ s ‖ v.
    pub proof: Bytes,
}

impl BatchProof {
    /// The answer for `input`, signed as `proof`.
    pub fn from_input(input: &BatchPublicInput, proof: &TeeProof) -> Self {
        Self {
            first_block: input.firstBlockNumber,
            last_block: input.lastBlockNumber,
            first_parent_hash: input.firstParentHash,
            last_block_hash: input.lastBlockHash,
            first_pre_state_root: input.firstPreStateRoot,
            last_post_state_root: input.lastPostStateRoot,
            blocks_commitment: input.blocksCommitment,
            chain_config_hash: input.chainConfigHash,
            prover: input.prover,
            digest: input.digest(),
            proof: proof.to_bytes().to_vec().into(),
        }
    }

    /// The public input under `domain` and the chain config with hash `chain_config` (its prover
    /// replaced by this proof's).
    pub fn input(&self, domain: &ProofDomain, chain_config: B256) -> BatchPublicInput {
        BatchPublicInput {
            tag: BATCH_TAG,
            l1ChainId: alloy_primitives::U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: alloy_primitives::U256::from(domain.l2_chain_id),
            chainConfigHash: chain_config,
            prover: self.prover,
            firstBlockNumber: self.first_block,
            lastBlockNumber: self.last_block,
            firstParentHash: self.first_parent_hash,
            lastBlockHash: self.last_block_hash,
            firstPreStateRoot: self.first_pre_state_root,
            lastPostStateRoot: self.last_post_state_root,
            blocksCommitment: self.blocks_commitment,
        }
    }

    /// Whether this is a proof of `first..first + count` under `domain` and the chain config with
    /// hash `chain_config`, signed by `prover`.
    pub fn check(
        &self,
        (domain, chain_config): (&ProofDomain, B256),
        first: u64,
        count: u64,
        prover: Address,
    ) -> Result<(), String> {
        let last = first.checked_add(count).and_then(|end| end.checked_sub(1)).filter(|_| count > 0);
        if Some((self.first_block, self.last_block)) != last.map(|last| (first, last)) {
            return Err(format!(
                "answered blocks {}..={} for {first}..={}",
                self.first_block,
                self.last_block,
                first.saturating_add(count).saturating_sub(1)
            ));
        }
        if self.chain_config_hash != chain_config {
            return Err(format!("made under chain config {}, expected {chain_config}", self.chain_config_hash));
        }
        let digest = self.input(domain, chain_config).digest();
        if digest != self.digest {
            return Err(format!(
                "digest {} is not the public input's {digest} under this domain and chain config",
                self.digest
            ));
        }
        let proof = TeeProof::from_bytes(&self.proof).map_err(|e| e.to_string())?;
        if proof.prover != prover || self.prover != prover {
            return Err(format!("signed for {}, asked {prover}", proof.prover));
        }
        proof.verify(digest).map(drop).map_err(|e| e.to_string())
    }
}
