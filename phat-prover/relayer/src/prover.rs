//! The provers the relayer asks, 1-of-N: any one answer that checks out is enough. Each call has
//! a timeout; a prover that fails or times out is skipped for that block and the next one is
//! asked. The start of the round rotates so the load spreads across healthy provers.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, Bytes};
use futures_util::future::BoxFuture;
use phat_prover_cli::{
    files::{ProofFile, PublicInputJson},
    rpc,
};
use phat_prover_core::{BlockPublicInput, LocalSigner, ProofDomain, Signer, TeeProof, public_input::BLOCK_TAG};
use serde::Serialize;

use crate::error::RelayerError;

/// What a prover returns for a block.
pub type ProveFuture<'a> = BoxFuture<'a, Result<ProofFile, RelayerError>>;

/// A prover: a Phat contract in a worker cluster, or the development prover of this process.
pub trait TeeProver: Send + Sync {
    /// A name for logs and the feed.
    fn name(&self) -> &str;
    /// The address its proofs must recover to.
    fn address(&self) -> Address;
    /// The TEE-proof of L2 block `number`.
    fn prove_block(&self, number: u64) -> ProveFuture<'_>;
}

/// The stateless STF in this process with a key from the environment: a development prover, not
/// a TEE. It fetches the witness from the L2 node like the Phat contract does.
pub struct LocalProver {
    name: String,
    rpc: String,
    signer: LocalSigner,
    domain: ProofDomain,
}

impl LocalProver {
    /// A prover reading `rpc`, signing for `domain` (its `prover` field is set to the key's address).
    pub fn new(name: &str, rpc: &str, secret: &str, mut domain: ProofDomain) -> Result<Self, RelayerError> {
        let secret = secret.parse().map_err(|e| RelayerError::Config(format!("prover {name} key: {e}")))?;
        let signer =
            LocalSigner::from_bytes(&secret).map_err(|e| RelayerError::Config(format!("prover {name}: {e}")))?;
        domain.prover = signer.address();
        Ok(Self { name: name.into(), rpc: rpc.into(), signer, domain })
    }
}

impl TeeProver for LocalProver {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> Address {
        self.signer.address()
    }

    fn prove_block(&self, number: u64) -> ProveFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let file = rpc::fetch_witness(&self.rpc, number, None).await.map_err(|e| fail(e.to_string()))?;
            let (signer, domain) = (self.signer.clone(), self.domain);
            // The STF is CPU-bound: off the async workers.
            tokio::task::spawn_blocking(move || {
                let (chain, input) = file.input().map_err(|e| e.to_string())?;
                let outcome = phat_prover_core::execute(&chain, &input).map_err(|e| e.to_string())?;
                let digest = BlockPublicInput::new(&domain, &outcome).digest();
                let proof = TeeProof::sign(&signer, digest).map_err(|e| e.to_string())?;
                Ok(ProofFile::new(&domain, &outcome, &proof))
            })
            .await
            .map_err(|e| fail(e.to_string()))?
            .map_err(fail)
        })
    }
}

/// Who fetches a block's witness for a contract prover.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WitnessSource {
    /// The contract, from its own L2 RPC over pink HTTP (`prove_block`): the relayer sends only
    /// the block number. The L2 endpoint must serve `debug_executionWitness` (reth, geth) or be
    /// fronted by `phat-prover witness-rpc` (anvil).
    #[default]
    Contract,
    /// The relayer, from its L2 RPC; the contract gets the witness bundle (`prove`).
    Relayer,
}

/// A `phat-prover` contract in a pink cluster, reached through the cluster's HTTP service
/// (`phat-cluster`): the contract fetches the witness itself, or the relayer fetches it and sends
/// the bundle ([`WitnessSource`]). The relayer rebuilds the public input from its own domain and
/// the answer — so a contract configured for another chain or verifier is refused by the digest
/// check.
pub struct ClusterProver {
    name: String,
    rpc: String,
    source: WitnessSource,
    prover_url: String,
    address: Address,
    domain: ProofDomain,
    http: reqwest::Client,
}

/// What `POST /v1/provers/{i}/prove` answers (the contract's `Proved`).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvedJson {
    block_number: u64,
    parent_hash: B256,
    block_hash: B256,
    pre_state_root: B256,
    post_state_root: B256,
    witness_commitment: B256,
    digest: B256,
    proof: Bytes,
}

impl ClusterProver {
    /// Contract `index` of the cluster at `url`, whose key has `address`, proving for `domain`; with
    /// [`WitnessSource::Relayer`] the witness comes from the L2 node at `rpc`.
    pub fn new(
        name: &str,
        (url, index): (&str, usize),
        address: Address,
        mut domain: ProofDomain,
        (source, rpc): (WitnessSource, &str),
    ) -> Self {
        domain.prover = address;
        Self {
            name: name.into(),
            rpc: rpc.into(),
            source,
            prover_url: format!("{}/v1/provers/{index}", url.trim_end_matches('/')),
            address,
            domain,
            http: reqwest::Client::new(),
        }
    }
}

impl TeeProver for ClusterProver {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> Address {
        self.address
    }

    fn prove_block(&self, number: u64) -> ProveFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let request = match self.source {
                WitnessSource::Contract => self.http.post(format!("{}/prove-block/{number}", self.prover_url)),
                WitnessSource::Relayer => {
                    let file = rpc::fetch_witness(&self.rpc, number, None).await.map_err(|e| fail(e.to_string()))?;
                    let bundle = phat_prover_cli::bundle::from_witness(&file).to_bytes();
                    self.http.post(format!("{}/prove", self.prover_url)).body(bundle)
                }
            };
            let response = request.send().await.map_err(|e| fail(e.to_string()))?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| fail(e.to_string()))?;
            if !status.is_success() {
                return Err(fail(format!("cluster answered {status}: {}", String::from_utf8_lossy(&body))));
            }
            let p: ProvedJson = serde_json::from_slice(&body).map_err(|e| fail(format!("cluster answer: {e}")))?;
            Ok(ProofFile {
                public_input: PublicInputJson {
                    tag: BLOCK_TAG,
                    l1_chain_id: self.domain.l1_chain_id,
                    verifier: self.domain.verifier,
                    l2_chain_id: self.domain.l2_chain_id,
                    prover: self.address,
                    block_number: p.block_number,
                    parent_hash: p.parent_hash,
                    block_hash: p.block_hash,
                    pre_state_root: p.pre_state_root,
                    post_state_root: p.post_state_root,
                    witness_commitment: p.witness_commitment,
                },
                digest: p.digest,
                proof: p.proof,
                // The contract answers with the public input's fields and the gas used only.
                outcome: None,
            })
        })
    }
}

/// Per-prover figures for the feed.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProverStats {
    pub name: String,
    pub address: Address,
    pub proofs: u64,
    pub failures: u64,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<u64>,
}

/// A proof and who gave it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub proof: ProofFile,
    pub prover: String,
    pub latency: Duration,
}

/// N provers, 1-of-N with failover.
pub struct ProverPool {
    provers: Vec<Arc<dyn TeeProver>>,
    timeout: Duration,
    next: AtomicUsize,
    stats: Mutex<Vec<ProverStats>>,
}

impl ProverPool {
    pub fn new(provers: Vec<Arc<dyn TeeProver>>, timeout: Duration) -> Result<Self, RelayerError> {
        if provers.is_empty() {
            return Err(RelayerError::Config("no prover configured".into()));
        }
        let stats = provers
            .iter()
            .map(|p| ProverStats { name: p.name().into(), address: p.address(), ..Default::default() })
            .collect();
        Ok(Self { provers, timeout, next: AtomicUsize::new(0), stats: Mutex::new(stats) })
    }

    /// Figures per prover.
    pub fn stats(&self) -> Vec<ProverStats> {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn record(&self, index: usize, result: Result<Duration, String>) {
        if let Ok(mut stats) = self.stats.lock() {
            let s = &mut stats[index];
            match result {
                Ok(latency) => {
                    s.proofs += 1;
                    s.last_latency_ms = Some(latency.as_millis() as u64);
                }
                Err(e) => {
                    s.failures += 1;
                    s.last_error = Some(e);
                }
            }
        }
    }

    /// Asks the provers in turn until one returns a proof of `number` that is signed by it.
    pub async fn prove(&self, number: u64) -> Result<Answer, RelayerError> {
        let n = self.provers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in (0..n).map(|k| (start + k) % n) {
            let prover = &self.provers[i];
            let t = Instant::now();
            let result = match tokio::time::timeout(self.timeout, prover.prove_block(number)).await {
                Err(_) => Err(RelayerError::ProverTimeout { prover: prover.name().into(), timeout: self.timeout }),
                Ok(Err(e)) => Err(e),
                Ok(Ok(proof)) => check(&proof, number, prover.address())
                    .map(|()| proof)
                    .map_err(|reason| RelayerError::Prover { prover: prover.name().into(), reason }),
            };
            match result {
                Ok(proof) => {
                    let latency = t.elapsed();
                    self.record(i, Ok(latency));
                    return Ok(Answer { proof, prover: prover.name().into(), latency });
                }
                Err(e) => {
                    tracing::warn!(block = number, "{e}");
                    self.record(i, Err(e.to_string()));
                }
            }
        }
        Err(RelayerError::NoProver { block: number, failures: n })
    }
}

/// A proof is only passed on if it is of the block asked for and signed by the prover asked.
fn check(proof: &ProofFile, number: u64, prover: Address) -> Result<(), String> {
    if proof.public_input.block_number != number {
        return Err(format!("answered block {} for block {number}", proof.public_input.block_number));
    }
    proof.verify(Some(prover)).map(drop).map_err(|e| e.to_string())
}
