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
use phat_prover_core::{ChainConfig, LocalSigner, ProofDomain, Signer, public_input::BLOCK_TAG};
pub use phat_witness::prove::{BatchProof, RefusalProof};
use phat_witness::{ProofFile, ProveError, PublicInputJson, WitnessFile, fetch, prove};
use serde::Serialize;

use crate::error::RelayerError;

/// What a prover returns for a block.
pub type ProveFuture<'a> = BoxFuture<'a, Result<ProofFile, RelayerError>>;
/// What a prover returns for a range of blocks.
pub type BatchFuture<'a> = BoxFuture<'a, Result<BatchProof, RelayerError>>;
/// What a prover returns when asked to refuse a block.
pub type RefuseFuture<'a> = BoxFuture<'a, Result<RefusalProof, RelayerError>>;

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
        let signer = crate::op::dev_signer(name, secret)?;
        domain.prover = signer.address();
        Ok(Self { name: name.into(), rpc: rpc.into(), signer, domain, chain: Arc::new(chain) })
    }

    /// A prover signing with `signer` (a key held in memory by the embedding program, e.g. the
    /// prover service of a confidential VM).
    pub fn with_signer(
        name: &str,
        rpc: &str,
        signer: LocalSigner,
        mut domain: ProofDomain,
        chain: ChainConfig,
    ) -> Self {
        domain.prover = signer.address();
        Self { name: name.into(), rpc: rpc.into(), signer, domain, chain: Arc::new(chain) }
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
            let file = self.fetch(number).await?;
            self.run(move |chain, domain, signer| prove::prove(chain, domain, signer, &file)).await
        })
    }

    fn prove_batch(&self, first: u64, count: u64) -> BatchFuture<'_> {
        Box::pin(async move {
            let mut files = Vec::new();
            for number in first..first.saturating_add(count) {
                files.push(self.fetch(number).await?);
            }
            self.run(move |chain, domain, signer| prove::prove_batch(chain, domain, signer, &files)).await
        })
    }

    fn refuse_block(&self, number: u64) -> RefuseFuture<'_> {
        Box::pin(async move {
            let file = self.fetch(number).await?;
            self.run(move |chain, domain, signer| prove::refuse(chain, domain, signer, &file)).await
        })
    }
}

impl LocalProver {
    fn fail(&self, reason: String) -> RelayerError {
        RelayerError::Prover { prover: self.name.clone(), reason }
    }

    /// Block `number` and its witness, from the L2 node.
    async fn fetch(&self, number: u64) -> Result<WitnessFile, RelayerError> {
        fetch::fetch_witness(&self.rpc, number, &self.chain).await.map_err(|e| self.fail(e.to_string()))
    }

    /// Runs `job` (the STF and the signature: CPU-bound) off the async workers.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&ChainConfig, &ProofDomain, &LocalSigner) -> Result<T, ProveError> + Send + 'static,
    ) -> Result<T, RelayerError> {
        let (signer, domain, chain) = (self.signer.clone(), self.domain, self.chain.clone());
        tokio::task::spawn_blocking(move || job(&chain, &domain, &signer))
            .await
            .map_err(|e| self.fail(e.to_string()))?
            .map_err(|e| self.fail(e.to_string()))
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
/// the bundle ([`WitnessSource`]). Also the prover service of a confidential VM (`phat-prover
/// serve`, [`Self::service`]), which serves the same routes for its one prover. The relayer rebuilds the public input from its own domain and
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

    /// The address the prover service at `url` signs with (`GET /v1/prover`), asked within 10 s.
    pub async fn service_address(url: &str) -> Result<Address, RelayerError> {
        #[derive(serde::Deserialize)]
        struct Info {
            address: Address,
        }
        let fail = |reason: String| RelayerError::Config(format!("prover service {url}: {reason}"));
        let info = reqwest::Client::new()
            .get(format!("{}/v1/prover", url.trim_end_matches('/')))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| fail(e.to_string()))?
            .json::<Info>()
            .await
            .map_err(|e| fail(e.to_string()))?;
        Ok(info.address)
    }

    /// The prover service at `url` (`phat-prover serve`, in a dstack VM), whose key has
    /// `address`, proving for `domain` under `chain`. It fetches each witness from its own L2 node.
    pub fn service(name: &str, url: &str, address: Address, mut domain: ProofDomain, chain: ChainConfig) -> Self {
        domain.prover = address;
        Self {
            name: name.into(),
            source: WitnessSource::Contract,
            prover_url: format!("{}/v1/prover", url.trim_end_matches('/')),
            address,
            domain,
            l2: (String::new(), Arc::new(chain)),
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
            return Err(format!("the prover answered {status}: {}", String::from_utf8_lossy(&body)));
        }
        serde_json::from_slice(&body).map_err(|e| format!("the prover's answer: {e}"))
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

/// What a pool needs of each of its provers: a name for logs and the address its answers must
/// recover to. Block provers ([`TeeProver`]) and OP output provers
/// ([`crate::op::OpOutputProver`]) share the pool's 1-of-N round.
pub trait PoolMember: Send + Sync {
    /// The prover's name and signing address.
    fn id(&self) -> (&str, Address);
}

impl PoolMember for dyn TeeProver {
    fn id(&self) -> (&str, Address) {
        (self.name(), self.address())
    }
}

/// N provers, 1-of-N with failover.
pub struct ProverPool<P: ?Sized + PoolMember = dyn TeeProver> {
    provers: Vec<Arc<P>>,
    timeout: Duration,
    next: AtomicUsize,
    stats: Mutex<Vec<ProverStats>>,
}

impl ProverPool {
    pub fn new(provers: Vec<Arc<dyn TeeProver>>, timeout: Duration) -> Result<Self, RelayerError> {
        Self::of(provers, timeout)
    }
}

impl<P: ?Sized + PoolMember> ProverPool<P> {
    /// A pool of `provers`, each call bounded by `timeout`.
    pub fn of(provers: Vec<Arc<P>>, timeout: Duration) -> Result<Self, RelayerError> {
        if provers.is_empty() {
            return Err(RelayerError::Config("no prover configured".into()));
        }
        let stats = provers
            .iter()
            .map(|p| {
                let (name, address) = p.id();
                ProverStats { name: name.into(), address, ..Default::default() }
            })
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

    /// 1-of-N: `call` on each prover in turn (from a rotating start) until an answer passes `check`.
    pub(crate) async fn ask<'a, T>(
        &'a self,
        block: u64,
        call: impl Fn(&'a P) -> BoxFuture<'a, Result<T, RelayerError>>,
        check: impl Fn(&T, &P) -> Result<(), String>,
    ) -> Result<Answer<T>, RelayerError> {
        let n = self.provers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in (0..n).map(|k| (start + k) % n) {
            let prover = self.provers[i].as_ref();
            let name = prover.id().0;
            let t = Instant::now();
            let result = match tokio::time::timeout(self.timeout, call(prover)).await {
                Err(_) => Err(RelayerError::ProverTimeout { prover: name.into(), timeout: self.timeout }),
                Ok(Err(e)) => Err(e),
                Ok(Ok(proof)) => check(&proof, prover)
                    .map(|()| proof)
                    .map_err(|reason| RelayerError::Prover { prover: name.into(), reason }),
            };
            match result {
                Ok(proof) => {
                    let latency = t.elapsed();
                    self.record(i, Ok(latency));
                    return Ok(Answer { proof, prover: name.into(), latency });
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

impl ProverPool {
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
}

/// A proof is only passed on if it is of the block asked for and signed by the prover asked.
fn check(proof: &ProofFile, number: u64, prover: Address) -> Result<(), String> {
    if proof.public_input.block_number != number {
        return Err(format!("answered block {} for block {number}", proof.public_input.block_number));
    }
    proof.verify(Some(prover)).map(drop).map_err(|e| e.to_string())
}
