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
use phat_prover_core::{
    BatchPublicInput, BlockPublicInput, ChainConfig, LocalSigner, ProofDomain, RefusalPublicInput, Signer, TeeProof,
    public_input::{BATCH_TAG, BLOCK_TAG},
    refusal::{REFUSAL_TAG, refusal_of},
};
use phat_witness::{ProofFile, PublicInputJson, fetch};
use serde::{Deserialize, Serialize};

use crate::error::RelayerError;

/// What a prover returns for a block.
pub type ProveFuture<'a> = BoxFuture<'a, Result<ProofFile, RelayerError>>;
/// What a prover returns for a range of blocks.
pub type BatchFuture<'a> = BoxFuture<'a, Result<BatchProof, RelayerError>>;
/// What a prover returns when asked to refuse a block.
pub type RefuseFuture<'a> = BoxFuture<'a, Result<RefusalProof, RelayerError>>;

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
    fn from_input(input: &BatchPublicInput, proof: &TeeProof) -> Self {
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

/// A prover: a Phat contract in a worker cluster, or the development prover of this process.
pub trait TeeProver: Send + Sync {
    /// A name for logs and the feed.
    fn name(&self) -> &str;
    /// The address its proofs must recover to.
    fn address(&self) -> Address;
    /// The TEE-proof of L2 block `number`.
    fn prove_block(&self, number: u64) -> ProveFuture<'_>;
    /// One TEE-proof over L2 blocks `first .. first + count`; provers that cannot refuse.
    fn prove_batch(&self, first: u64, count: u64) -> BatchFuture<'_> {
        let _ = (first, count);
        let prover = self.name().to_string();
        Box::pin(async move { Err(RelayerError::Prover { prover, reason: "does not make batch proofs".into() }) })
    }
    /// A TEE refusal of L2 block `number`, which the prover signs only if the block itself is
    /// invalid (never for a witness it could not get or check); provers that cannot refuse.
    fn refuse_block(&self, number: u64) -> RefuseFuture<'_> {
        let _ = number;
        let prover = self.name().to_string();
        Box::pin(async move { Err(RelayerError::Prover { prover, reason: "does not sign refusals".into() }) })
    }
}

/// The stateless STF in this process with a key from the environment: a development prover, not
/// a TEE. It fetches the witness from the L2 node like the Phat contract does.
pub struct LocalProver {
    name: String,
    rpc: String,
    signer: LocalSigner,
    domain: ProofDomain,
    chain: Arc<ChainConfig>,
}

impl LocalProver {
    /// A prover reading `rpc`, executing under `chain`, signing for `domain` (its `prover` field is
    /// set to the key's address).
    pub fn new(
        name: &str,
        rpc: &str,
        secret: &str,
        mut domain: ProofDomain,
        chain: ChainConfig,
    ) -> Result<Self, RelayerError> {
        let secret = secret.parse().map_err(|e| RelayerError::Config(format!("prover {name} key: {e}")))?;
        let signer =
            LocalSigner::from_bytes(&secret).map_err(|e| RelayerError::Config(format!("prover {name}: {e}")))?;
        domain.prover = signer.address();
        Ok(Self { name: name.into(), rpc: rpc.into(), signer, domain, chain: Arc::new(chain) })
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
            let file = fetch::fetch_witness(&self.rpc, number, &self.chain).await.map_err(|e| fail(e.to_string()))?;
            let (signer, domain, chain) = (self.signer.clone(), self.domain, self.chain.clone());
            // The STF is CPU-bound: off the async workers.
            tokio::task::spawn_blocking(move || {
                let input = file.input(&chain).map_err(|e| e.to_string())?;
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

    fn prove_batch(&self, first: u64, count: u64) -> BatchFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let mut files = Vec::new();
            for number in first..first + count {
                files
                    .push(fetch::fetch_witness(&self.rpc, number, &self.chain).await.map_err(|e| fail(e.to_string()))?);
            }
            let (signer, domain, chain) = (self.signer.clone(), self.domain, self.chain.clone());
            tokio::task::spawn_blocking(move || {
                let mut outcomes = Vec::with_capacity(files.len());
                for file in &files {
                    let input = file.input(&chain).map_err(|e| e.to_string())?;
                    outcomes.push(phat_prover_core::execute(&chain, &input).map_err(|e| e.to_string())?);
                }
                let input = BatchPublicInput::new(&domain, &outcomes).map_err(|e| e.to_string())?;
                let proof = TeeProof::sign(&signer, input.digest()).map_err(|e| e.to_string())?;
                Ok(BatchProof::from_input(&input, &proof))
            })
            .await
            .map_err(|e| fail(e.to_string()))?
            .map_err(fail)
        })
    }

    fn refuse_block(&self, number: u64) -> RefuseFuture<'_> {
        self.refuse(number)
    }
}

impl LocalProver {
    /// [`TeeProver::refuse_block`]: the STF's refusal of `number`, signed when the core says the
    /// block itself is at fault.
    fn refuse(&self, number: u64) -> RefuseFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let file = fetch::fetch_witness(&self.rpc, number, &self.chain).await.map_err(|e| fail(e.to_string()))?;
            let (signer, domain, chain) = (self.signer.clone(), self.domain, self.chain.clone());
            tokio::task::spawn_blocking(move || {
                let input = file.input(&chain).map_err(|e| e.to_string())?;
                let err = match phat_prover_core::execute(&chain, &input) {
                    Ok(_) => return Err("the block is valid".to_string()),
                    Err(e) => e,
                };
                let block = refusal_of(&input, chain.hash(), &err).ok_or_else(|| format!("no refusal: {err}"))?;
                let digest = RefusalPublicInput::new(&domain, &block).digest();
                let proof = TeeProof::sign(&signer, digest).map_err(|e| e.to_string())?;
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
    source: WitnessSource,
    prover_url: String,
    address: Address,
    domain: ProofDomain,
    /// The L2 node (with [`WitnessSource::Relayer`]) and the chain config the relayer expects.
    l2: (String, Arc<ChainConfig>),
    http: reqwest::Client,
}

/// What `POST /v1/provers/{i}/prove` answers (the contract's `Proved`): the L1 `BlockClaim`
/// (camelCase fields, as the Solidity names them), the digest signed and the TEE-proof.
#[derive(Debug, serde::Deserialize)]
struct ProvedJson {
    #[serde(flatten)]
    claim: phat_l1::BlockClaim,
    /// The hash of the chain config the contract executed the block under.
    #[serde(rename = "chainConfigHash")]
    chain_config_hash: B256,
    digest: B256,
    proof: Bytes,
}

impl ClusterProver {
    /// Contract `index` of the cluster at `url`, whose key has `address`, proving for `domain` under
    /// `chain`; with [`WitnessSource::Relayer`] the witness comes from the L2 node at `rpc`.
    pub fn new(
        name: &str,
        (url, index): (&str, usize),
        address: Address,
        mut domain: ProofDomain,
        (source, rpc, chain): (WitnessSource, &str, ChainConfig),
    ) -> Self {
        domain.prover = address;
        Self {
            name: name.into(),
            source,
            prover_url: format!("{}/v1/provers/{index}", url.trim_end_matches('/')),
            address,
            domain,
            l2: (rpc.into(), Arc::new(chain)),
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
            let request = self.block_request(number, ("prove-block", "prove")).await.map_err(fail)?;
            let p: ProvedJson = self.ask(request).await.map_err(fail)?;
            if p.chain_config_hash != self.l2.1.hash() {
                return Err(fail(format!(
                    "proved under chain config {}, the relayer's is {}",
                    p.chain_config_hash,
                    self.l2.1.hash()
                )));
            }
            Ok(ProofFile {
                public_input: PublicInputJson {
                    tag: BLOCK_TAG,
                    l1_chain_id: self.domain.l1_chain_id,
                    verifier: self.domain.verifier,
                    l2_chain_id: self.domain.l2_chain_id,
                    chain_config_hash: p.chain_config_hash,
                    prover: self.address,
                    block_number: p.claim.blockNumber,
                    parent_hash: p.claim.parentHash,
                    block_hash: p.claim.blockHash,
                    pre_state_root: p.claim.preStateRoot,
                    post_state_root: p.claim.postStateRoot,
                    witness_commitment: p.claim.witnessCommitment,
                },
                digest: p.digest,
                proof: p.proof,
                // The contract answers with the public input's fields and the gas used only.
                outcome: None,
            })
        })
    }

    fn prove_batch(&self, first: u64, count: u64) -> BatchFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            if self.source != WitnessSource::Contract {
                return Err(fail("batch proofs need witness = \"contract\"".into()));
            }
            let url = format!("{}/prove-batch/{first}/{count}", self.prover_url);
            // The cluster's answer (the contract's `ProvedBatch`) names no prover: it is the one
            // asked, and the pool checks that the signature recovers to it and the digest is this
            // relayer's domain's.
            let mut proof: BatchProof = self.ask(self.http.post(url)).await.map_err(fail)?;
            proof.prover = self.address;
            proof.chain_config_hash = self.l2.1.hash();
            Ok(proof)
        })
    }

    fn refuse_block(&self, number: u64) -> RefuseFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| RelayerError::Prover { prover: self.name.clone(), reason };
            let request = self.block_request(number, ("refuse-block", "refuse")).await.map_err(fail)?;
            self.ask(request).await.map_err(fail)
        })
    }
}

impl ClusterProver {
    /// The request about block `number`: to `{prover}/{by_number}/{number}` (the contract fetches
    /// the witness), or with the witness bundle fetched here to `{prover}/{by_bundle}`.
    async fn block_request(
        &self,
        number: u64,
        (by_number, by_bundle): (&str, &str),
    ) -> Result<reqwest::RequestBuilder, String> {
        Ok(match self.source {
            WitnessSource::Contract => self.http.post(format!("{}/{by_number}/{number}", self.prover_url)),
            WitnessSource::Relayer => {
                let (rpc, chain) = &self.l2;
                let file = fetch::fetch_witness(rpc, number, chain).await.map_err(|e| e.to_string())?;
                self.http.post(format!("{}/{by_bundle}", self.prover_url)).body(file.bundle().to_bytes())
            }
        })
    }

    /// Sends `request` to the cluster and reads its JSON answer; a refusal is its status and text.
    async fn ask<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, String> {
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("cluster answered {status}: {}", String::from_utf8_lossy(&body)));
        }
        serde_json::from_slice(&body).map_err(|e| format!("cluster answer: {e}"))
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
pub struct Answer<P = ProofFile> {
    pub proof: P,
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
        self.ask(number, |p| p.prove_block(number), |proof, prover| check(proof, number, prover.address())).await
    }

    /// Asks the provers in turn until one returns a batch proof of `first .. first + count`, under
    /// `domain` and the chain config with hash `chain_config`, signed by it.
    pub async fn prove_batch(
        &self,
        first: u64,
        count: u64,
        (domain, chain_config): (&ProofDomain, B256),
    ) -> Result<Answer<BatchProof>, RelayerError> {
        self.ask(
            first,
            |p| p.prove_batch(first, count),
            |b, p| b.check((domain, chain_config), first, count, p.address()),
        )
        .await
    }

    /// Asks the provers in turn until one returns a TEE refusal of block `number`, under `domain`
    /// and the chain config with hash `chain_config`, signed by it. An honest prover refuses only
    /// an invalid block, so for a valid one (or one no prover could fetch) this fails.
    pub async fn refuse(
        &self,
        number: u64,
        (domain, chain_config): (&ProofDomain, B256),
    ) -> Result<Answer<RefusalProof>, RelayerError> {
        self.ask(number, |p| p.refuse_block(number), |r, p| r.check((domain, chain_config), number, p.address())).await
    }

    /// 1-of-N: `call` on each prover in turn (from a rotating start) until an answer passes `check`.
    async fn ask<'a, T>(
        &'a self,
        block: u64,
        call: impl Fn(&'a dyn TeeProver) -> BoxFuture<'a, Result<T, RelayerError>>,
        check: impl Fn(&T, &dyn TeeProver) -> Result<(), String>,
    ) -> Result<Answer<T>, RelayerError> {
        let n = self.provers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in (0..n).map(|k| (start + k) % n) {
            let prover = self.provers[i].as_ref();
            let t = Instant::now();
            let result = match tokio::time::timeout(self.timeout, call(prover)).await {
                Err(_) => Err(RelayerError::ProverTimeout { prover: prover.name().into(), timeout: self.timeout }),
                Ok(Err(e)) => Err(e),
                Ok(Ok(proof)) => check(&proof, prover)
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
                    tracing::warn!(block, "{e}");
                    self.record(i, Err(e.to_string()));
                }
            }
        }
        Err(RelayerError::NoProver { block, failures: n })
    }
}

/// A proof is only passed on if it is of the block asked for and signed by the prover asked.
fn check(proof: &ProofFile, number: u64, prover: Address) -> Result<(), String> {
    if proof.public_input.block_number != number {
        return Err(format!("answered block {} for block {number}", proof.public_input.block_number));
    }
    proof.verify(Some(prover)).map(drop).map_err(|e| e.to_string())
}
