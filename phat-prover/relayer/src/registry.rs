//! The Phala-side `phat-registry`: reporting settled proofs, which it credits to the prover's pool
//! owner and stakers, and reading the rollup's subscription, which the relayer follows when
//! configured to (`registry.follow_subscription`).
//!
//! A report carries the TEE-proof itself (its public input and its 85 bytes): the registry
//! rebuilds the signed digest, checks it against the subscription and the prover's registered key,
//! and credits each (rollup, block) once, refusing a repeat (`AlreadyCredited`), so a report
//! repeated after a restart is harmless. A block settled with a batch proof is reported with the
//! batch's proof: each block of the range is credited on its own report.

use std::time::Duration;

use alloy_primitives::Address;
use phat_prover_core::ProofDomain;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::{config::RegistryConfig, error::RelayerError, store::BlockRecord};

const REPORT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a followed subscription is read again.
pub const SUBSCRIPTION_POLL: Duration = Duration::from_secs(3);

pub struct RegistryReporter {
    url: String,
    rollup_url: String,
    rollup: u32,
    follow: bool,
    http: reqwest::Client,
}

/// What the registry said of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    /// Credited now, with this fee.
    Credited(u128),
    /// The registry already credited this block.
    AlreadyCredited,
}

/// A rollup's subscription, as `GET /v1/registry/rollups/{id}` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub l2_chain_id: u64,
    /// The rollup's L2 endpoint.
    pub rpc: String,
    pub l1_chain_id: u64,
    /// The L1 `TeeVerifier` its proofs are for.
    pub l1_verifier: Address,
    pub policy: ProofMix,
    /// While paused, a following relayer proves nothing and the registry credits nothing.
    pub paused: bool,
}

/// The proof mix the subscription names (the L1 `MultiProofVerifier`'s, mirrored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofMix {
    pub zk_share_bps: u16,
    pub tee_finality_delay_s: u64,
}

impl Subscription {
    /// Whether proofs for `domain` (the settlement's) are what this subscription pays for.
    pub fn check(&self, domain: &ProofDomain) -> Result<(), RelayerError> {
        let ours = (self.l1_chain_id, self.l1_verifier, self.l2_chain_id);
        let settlement = (domain.l1_chain_id, domain.verifier, domain.l2_chain_id);
        if ours == settlement {
            return Ok(());
        }
        Err(RelayerError::Config(format!(
            "the registry's subscription is for L1 {} verifier {} L2 {}, the settlement is L1 {} verifier {} L2 {}",
            ours.0, ours.1, ours.2, settlement.0, settlement.1, settlement.2
        )))
    }
}

impl RegistryReporter {
    pub fn new(config: &RegistryConfig) -> Self {
        let base = config.url.trim_end_matches('/');
        Self {
            url: format!("{base}/v1/registry/report"),
            rollup_url: format!("{base}/v1/registry/rollups/{}", config.rollup),
            rollup: config.rollup,
            follow: config.follow_subscription,
            // A registry that does not answer must not hold up relaying for long.
            http: reqwest::Client::builder().timeout(REPORT_TIMEOUT).build().unwrap_or_default(),
        }
    }

    /// Whether the relayer follows the subscription (pauses with it).
    pub fn follows(&self) -> bool {
        self.follow
    }

    /// The rollup's subscription as the registry holds it now.
    pub async fn subscription(&self) -> Result<Subscription, RelayerError> {
        let fail = |e: String| RelayerError::Registry(format!("subscription {}: {e}", self.rollup));
        let response = self.http.get(&self.rollup_url).send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| fail(e.to_string()))?;
        if !status.is_success() {
            return Err(fail(format!("{status}: {answer}")));
        }
        serde_json::from_value(answer).map_err(|e| fail(e.to_string()))
    }

    /// Reports that L1 accepted the proof `record` was settled with: the proof itself (for a batch
    /// proof, made under `domain`, the settlement's) and the L1 transaction that carried it.
    pub async fn report(&self, record: &BlockRecord, domain: &ProofDomain) -> Result<Reported, RelayerError> {
        let block = record.block;
        let fail = |e: String| RelayerError::Registry(format!("block {block}: {e}"));
        let (input, proof) = proof_json(record, domain).ok_or_else(|| fail("no proof recorded".into()))?;
        let l1_tx = record.l1.prove_tx.or(record.l1.finalize_tx).unwrap_or_default();
        let body = json!({ "rollup": self.rollup, "block": block, "input": input, "proof": proof, "l1Tx": l1_tx });
        let response = self.http.post(&self.url).json(&body).send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| fail(e.to_string()))?;
        if status.is_success() {
            let fee = answer["fee"].as_str().and_then(|f| f.parse().ok()).ok_or_else(|| fail(format!("{answer}")))?;
            return Ok(Reported::Credited(fee));
        }
        match answer["error"].as_str() {
            Some("AlreadyCredited") => Ok(Reported::AlreadyCredited),
            Some(e) => Err(fail(format!("{status}: {e}"))),
            None => Err(fail(format!("{status}: {answer}"))),
        }
    }
}

/// The public input (`phat-cluster`'s report form) and the 85 proof bytes of the proof `record`
/// was settled with.
fn proof_json(record: &BlockRecord, domain: &ProofDomain) -> Option<(Value, String)> {
    if let Some(p) = &record.proof {
        let i = &p.public_input;
        let input = json!({
            "kind": "block",
            "l1ChainId": i.l1_chain_id,
            "verifier": i.verifier,
            "l2ChainId": i.l2_chain_id,
            "chainConfigHash": i.chain_config_hash,
            "blockNumber": i.block_number,
            "parentHash": i.parent_hash,
            "blockHash": i.block_hash,
            "preStateRoot": i.pre_state_root,
            "postStateRoot": i.post_state_root,
            "witnessCommitment": i.witness_commitment,
        });
        return Some((input, p.proof.to_string()));
    }
    let b = record.batch.as_ref()?;
    let i = b.input(domain, b.chain_config_hash);
    let input = json!({
        "kind": "batch",
        "l1ChainId": domain.l1_chain_id,
        "verifier": i.verifier,
        "l2ChainId": domain.l2_chain_id,
        "chainConfigHash": i.chainConfigHash,
        "firstBlock": i.firstBlockNumber,
        "lastBlock": i.lastBlockNumber,
        "firstParentHash": i.firstParentHash,
        "lastBlockHash": i.lastBlockHash,
        "firstPreStateRoot": i.firstPreStateRoot,
        "lastPostStateRoot": i.lastPostStateRoot,
        "blocksCommitment": i.blocksCommitment,
    });
    Some((input, b.proof.to_string()))
}

/// A followed subscription's pause, read again every [`SUBSCRIPTION_POLL`]. A registry that does
/// not answer leaves the last answer standing (logged), so an outage of the registry neither
/// pauses nor resumes proving.
#[derive(Debug, Default)]
pub struct SubscriptionWatch {
    read_at: Option<Instant>,
    paused: bool,
}

impl SubscriptionWatch {
    /// Whether the subscription is paused, as last read.
    pub async fn paused(&mut self, registry: &RegistryReporter) -> bool {
        if self.read_at.is_none_or(|t| t.elapsed() >= SUBSCRIPTION_POLL) {
            self.read_at = Some(Instant::now());
            match registry.subscription().await {
                Ok(s) => {
                    if s.paused != self.paused {
                        tracing::info!(
                            paused = s.paused,
                            "subscription {}",
                            if s.paused { "paused" } else { "resumed" }
                        );
                    }
                    self.paused = s.paused;
                }
                Err(e) => tracing::warn!("{e} (kept: paused = {})", self.paused),
            }
        }
        self.paused
    }
}
