//! The JSON files of a block witness and of a TEE-proof, as the CLI writes them and the relayer
//! stores them.

use alloy_primitives::{Address, B256, Bytes, U256};
use phat_prover_core::{
    BlockOutcome, BlockPublicInput, ChainConfig, ExecutionWitness, ProofDomain, StatelessInput, TeeProof,
    WitnessBundle, public_input::BLOCK_TAG,
};
use serde::{Deserialize, Serialize};

use crate::error::FileError;

/// A block and everything needed to prove it statelessly (`phat-prover witness` output). It carries
/// no rules: it is proven under a chain config given by the prover's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WitnessFile {
    /// L2 chain id (checked against the chain config's).
    pub chain_id: u64,
    /// RLP of the whole block (header, transactions, ommers, withdrawals).
    pub block: Bytes,
    /// Trie nodes, codes, keys and RLP ancestor headers (`debug_executionWitness` shape).
    pub witness: ExecutionWitness,
}

impl WitnessFile {
    /// The witness bundle of this file (the Phat contract's `prove` input).
    pub fn bundle(&self) -> WitnessBundle {
        WitnessBundle::new(self.chain_id, self.block.clone(), self.witness.clone())
    }

    /// The decoded stateless input, for `chain` (a file of another chain is refused).
    pub fn input(&self, chain: &ChainConfig) -> Result<StatelessInput, FileError> {
        Ok(self.bundle().into_input(chain)?)
    }
}

/// Reads an OP Stack rollup config file (op-node's `rollup.json`, kona's `RollupConfig`): the rules
/// an OP prover applies.
pub fn read_rollup_config(path: &std::path::Path) -> Result<phat_prover_core::op::OpChainConfig, FileError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| FileError::Io { path: path.display().to_string(), source })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|source| FileError::ChainConfigJson { path: path.display().to_string(), source })?;
    Ok(phat_prover_core::op::OpChainConfig::from_rollup_config(&value)?)
}

/// Reads a chain config file: a geth genesis `config` object, or a whole genesis file holding one
/// under `config`. The rules a prover applies come from here, never from a block or a node.
pub fn read_chain_config(path: &std::path::Path) -> Result<ChainConfig, FileError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| FileError::Io { path: path.display().to_string(), source })?;
    chain_config_from_json(&text).map_err(|e| match e {
        FileError::Json(source) => FileError::ChainConfigJson { path: path.display().to_string(), source },
        other => other,
    })
}

/// [`read_chain_config`] of a JSON text.
pub fn chain_config_from_json(text: &str) -> Result<ChainConfig, FileError> {
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(FileError::Json)?;
    if let Some(config) = value.get_mut("config").map(serde_json::Value::take) {
        value = config;
    }
    let config: alloy_genesis::ChainConfig = serde_json::from_value(value).map_err(FileError::Json)?;
    Ok(ChainConfig::from_genesis(&config)?)
}

/// `config` as a geth genesis `config` object, which [`chain_config_from_json`] reads back to the
/// same config (same hash). The earliest fork the STF does not implement is written as
/// `amsterdamTime`.
pub fn chain_config_json(config: &ChainConfig) -> serde_json::Value {
    use phat_prover_core::Fork;
    let mut json = serde_json::json!({ "chainId": config.chain_id(), "terminalTotalDifficulty": 0 });
    let mut blobs = serde_json::Map::new();
    for fork in Fork::TIMED {
        let Some(time) = config.activation(fork) else { break };
        json[format!("{}Time", fork.name())] = time.into();
        if let Some(s) = config.blob_schedule(fork) {
            let entry = serde_json::json!({ "target": s.target, "max": s.max, "baseFeeUpdateFraction": s.base_fee_update_fraction });
            blobs.insert(fork.name().into(), entry);
        }
    }
    json["blobSchedule"] = blobs.into();
    if let Some(time) = config.unsupported_from() {
        json["amsterdamTime"] = time.into();
    }
    if let Some(address) = config.deposit_contract() {
        json["depositContractAddress"] = address.to_string().into();
    }
    if config.devnet_absent_system_contracts() {
        json[phat_prover_core::chain::DEVNET_ABSENT_SYSTEM_CONTRACTS] = true.into();
    }
    json
}

/// The public input of a single-block TEE-proof, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicInputJson {
    pub tag: B256,
    pub l1_chain_id: u64,
    pub verifier: Address,
    pub l2_chain_id: u64,
    pub chain_config_hash: B256,
    pub prover: Address,
    pub block_number: u64,
    pub parent_hash: B256,
    pub block_hash: B256,
    pub pre_state_root: B256,
    pub post_state_root: B256,
    pub witness_commitment: B256,
}

impl PublicInputJson {
    /// The JSON form of a public input.
    pub fn from_sol(p: &BlockPublicInput) -> Self {
        Self {
            tag: p.tag,
            l1_chain_id: p.l1ChainId.saturating_to(),
            verifier: p.verifier,
            l2_chain_id: p.l2ChainId.saturating_to(),
            chain_config_hash: p.chainConfigHash,
            prover: p.prover,
            block_number: p.blockNumber,
            parent_hash: p.parentHash,
            block_hash: p.blockHash,
            pre_state_root: p.preStateRoot,
            post_state_root: p.postStateRoot,
            witness_commitment: p.witnessCommitment,
        }
    }

    /// The ABI struct (whose `digest()` is what was signed).
    pub fn to_sol(&self) -> BlockPublicInput {
        BlockPublicInput {
            tag: self.tag,
            l1ChainId: U256::from(self.l1_chain_id),
            verifier: self.verifier,
            l2ChainId: U256::from(self.l2_chain_id),
            chainConfigHash: self.chain_config_hash,
            prover: self.prover,
            blockNumber: self.block_number,
            parentHash: self.parent_hash,
            blockHash: self.block_hash,
            preStateRoot: self.pre_state_root,
            postStateRoot: self.post_state_root,
            witnessCommitment: self.witness_commitment,
        }
    }
}

/// What the STF computed beyond the public input, for the operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeJson {
    pub receipts_root: B256,
    pub gas_used: u64,
    pub tx_count: usize,
}

/// A signed single-block TEE-proof (`phat-prover prove` output, `phat-prover verify` input).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofFile {
    pub public_input: PublicInputJson,
    /// `keccak256(abi.encode(publicInput))`.
    pub digest: B256,
    /// 85 bytes: prover address ‖ r ‖ s ‖ v.
    pub proof: Bytes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeJson>,
}

impl ProofFile {
    /// Builds the file for a proof of `outcome` under `domain`.
    pub fn new(domain: &ProofDomain, outcome: &BlockOutcome, proof: &TeeProof) -> Self {
        let public_input = BlockPublicInput::new(domain, outcome);
        Self {
            digest: public_input.digest(),
            public_input: PublicInputJson::from_sol(&public_input),
            proof: Bytes::copy_from_slice(&proof.to_bytes()),
            outcome: Some(OutcomeJson {
                receipts_root: outcome.receipts_root,
                gas_used: outcome.gas_used,
                tx_count: outcome.tx_count,
            }),
        }
    }

    /// Offline verification: the tag is the v2 block tag, the digest is rebuilt from the public
    /// input, the proof's prover is the public input's prover, the signature (low-s, v 27/28)
    /// recovers to it, and — when given — it is the expected signer.
    pub fn verify(&self, expected_signer: Option<Address>) -> Result<TeeProof, FileError> {
        if self.public_input.tag != BLOCK_TAG {
            return Err(FileError::Tag(self.public_input.tag));
        }
        let digest = self.public_input.to_sol().digest();
        if digest != self.digest {
            return Err(FileError::Digest { claimed: self.digest, computed: digest });
        }
        let proof = TeeProof::from_bytes(&self.proof)?;
        if proof.prover != self.public_input.prover {
            return Err(FileError::ProverMismatch { proof: proof.prover, public_input: self.public_input.prover });
        }
        proof.verify(digest)?;
        if let Some(expected) = expected_signer
            && expected != proof.prover
        {
            return Err(FileError::UnexpectedSigner { signer: proof.prover, expected });
        }
        Ok(proof)
    }
}
