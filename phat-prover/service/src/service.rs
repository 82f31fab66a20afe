//! The service: its key, the work it takes, and its routes.

use std::{sync::Arc, time::Instant};

use alloy_primitives::{Address, B256, Bytes};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use futures_util::future::BoxFuture;
use phat_attestation::Binding;
use phat_prover_core::{ChainConfig, LocalSigner, ProofDomain, Signer, op::OpChainConfig};
use phat_witness::{
    BatchProof, OpOutputProof, RefusalProof, WitnessFile, fetch,
    prove::{self},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::{config::Config, error::ServiceError};

/// A TEE's evidence for a report_data: the quote, and the event log that lets a verifier replay
/// its runtime registers (dstack's JSON text; empty when the TEE has none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub quote: Bytes,
    pub event_log: String,
}

/// What quotes for the service: the dstack guest agent in a dstack VM (the `phat-prover serve`
/// binary passes only that); tests put a mock agent with a test PKI behind the same client.
pub trait Attester: Send + Sync {
    /// A quote whose report_data is exactly `report_data`.
    fn quote(&self, report_data: [u8; 64]) -> BoxFuture<'_, Result<Evidence, ServiceError>>;
}

/// The dstack guest agent quotes: v0 `GetQuote` with the raw report_data (never the legacy
/// `TdxQuote`, which hashes a prefix into it), its event log passed on for the replay.
impl Attester for phat_dstack::DstackClient {
    fn quote(&self, report_data: [u8; 64]) -> BoxFuture<'_, Result<Evidence, ServiceError>> {
        Box::pin(async move {
            let answer = self.get_quote(report_data).await?;
            Ok(Evidence { quote: answer.quote, event_log: answer.event_log })
        })
    }
}

/// What the service proves under.
#[derive(Debug, Clone)]
pub struct Settings {
    pub l2_rpc: String,
    pub chain: Rules,
    pub l1_chain_id: u64,
    /// The L1 `TeeVerifier` (= `ProverRegistry`).
    pub verifier: Address,
    pub max_batch: u64,
    pub stf_slots: usize,
}

impl Settings {
    /// The settings of a config file (its chain config read).
    pub fn of(config: &Config) -> Result<Self, ServiceError> {
        let chain = match (&config.chain_config, &config.rollup_config) {
            (Some(path), _) => Rules::Ethereum(Arc::new(
                phat_witness::files::read_chain_config(path).map_err(ServiceError::ChainConfig)?,
            )),
            (None, Some(path)) => {
                Rules::Op(Arc::new(phat_witness::files::read_rollup_config(path).map_err(ServiceError::ChainConfig)?))
            }
            (None, None) => return Err(ServiceError::BadRequest("no chain_config or rollup_config".into())),
        };
        Ok(Self {
            l2_rpc: config.l2_rpc.clone(),
            chain,
            l1_chain_id: config.l1.chain_id,
            verifier: config.l1.verifier,
            max_batch: config.limits.max_batch,
            stf_slots: config.limits.stf_slots,
        })
    }
}

/// The rules the service proves under, from its configuration: an Ethereum-rules L2 (blocks,
/// batches, refusals) or an OP Stack chain (output roots).
#[derive(Debug, Clone)]
pub enum Rules {
    Ethereum(Arc<ChainConfig>),
    Op(Arc<OpChainConfig>),
}

impl Rules {
    /// The L2 chain id.
    pub fn chain_id(&self) -> u64 {
        match self {
            Self::Ethereum(c) => c.chain_id(),
            Self::Op(c) => c.chain_id(),
        }
    }

    /// The config hash every proof carries.
    pub fn hash(&self) -> B256 {
        match self {
            Self::Ethereum(c) => c.hash(),
            Self::Op(c) => c.hash(),
        }
    }
}

/// `POST /v1/prover/attest`: what the registration binds besides the key.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttestRequest {
    pub beneficiary: Address,
    pub l1_block_number: u64,
    pub l1_block_hash: B256,
}

/// The answer: the quote binding this service's key to the registration, and its event log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestAnswer {
    pub prover: Address,
    /// The 64-byte report_data the quote carries ([`Binding::report_data`]).
    pub report_data: Bytes,
    pub quote: Bytes,
    pub event_log: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    kind: &'static str,
    outcome: &'static str,
}

struct Metrics {
    registry: Registry,
    answers: Family<Outcome, Counter>,
    stf: Histogram,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("phat_prover");
        let answers = Family::<Outcome, Counter>::default();
        let stf = Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0]);
        registry.register("answers", "Requests answered, by kind and outcome", answers.clone());
        registry.register("stf_seconds", "Time to execute and sign one request's blocks", stf.clone());
        Self { registry, answers, stf }
    }
}

/// One prover: the key, the rules, the L1 binding.
pub struct ProverService {
    signer: LocalSigner,
    domain: ProofDomain,
    chain: Rules,
    l2_rpc: String,
    attester: Box<dyn Attester>,
    max_batch: u64,
    slots: Arc<Semaphore>,
    stf_slots: usize,
    metrics: Metrics,
}

/// A fresh secp256k1 key from the system's randomness (in a TDX VM: the guest kernel's, seeded
/// by the CPU's RDRAND/RDSEED, which the host cannot read or set).
fn fresh_key() -> Result<LocalSigner, ServiceError> {
    use ring::rand::SecureRandom;
    let rng = ring::rand::SystemRandom::new();
    // A 32-byte string is a valid secret with probability 1 - 2^-128; retry on the rare miss.
    for _ in 0..8 {
        let mut secret = [0u8; 32];
        rng.fill(&mut secret).map_err(|_| ServiceError::Key("the system's randomness failed"))?;
        if let Ok(signer) = LocalSigner::from_bytes(&B256::from(secret)) {
            return Ok(signer);
        }
    }
    Err(ServiceError::Key("no valid secret drawn"))
}

impl ProverService {
    /// The service under `settings`, quoting with `attester`, with a key made now.
    pub fn new(settings: Settings, attester: Box<dyn Attester>) -> Result<Self, ServiceError> {
        let signer = fresh_key()?;
        let domain = ProofDomain {
            l1_chain_id: settings.l1_chain_id,
            verifier: settings.verifier,
            l2_chain_id: settings.chain.chain_id(),
            prover: signer.address(),
        };
        Ok(Self {
            signer,
            domain,
            chain: settings.chain,
            l2_rpc: settings.l2_rpc,
            attester,
            max_batch: settings.max_batch,
            slots: Arc::new(Semaphore::new(settings.stf_slots)),
            stf_slots: settings.stf_slots,
            metrics: Metrics::new(),
        })
    }

    /// The address every proof recovers to.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The domain the proofs are signed for.
    pub fn domain(&self) -> ProofDomain {
        self.domain
    }

    /// The binding of a registration of this key with `req` on the configured registry.
    pub fn binding(&self, req: &AttestRequest) -> Binding {
        Binding {
            chain_id: self.domain.l1_chain_id,
            registry: self.domain.verifier,
            prover: self.address(),
            beneficiary: req.beneficiary,
            l1_block_number: req.l1_block_number,
            l1_block_hash: req.l1_block_hash,
        }
    }

    /// A quote binding this key to the registration `req`. The registry and the quorum check the
    /// L1 block; the service binds what it is asked (a wrong block only fails registration).
    pub async fn attest(&self, req: AttestRequest) -> Result<AttestAnswer, ServiceError> {
        // A guest-agent call per request: under the same slots as the STF work.
        let _slot = self.slot()?;
        let report_data = self.binding(&req).report_data();
        let evidence = self.attester.quote(report_data).await?;
        Ok(AttestAnswer {
            prover: self.address(),
            report_data: report_data.to_vec().into(),
            quote: evidence.quote,
            event_log: evidence.event_log,
        })
    }

    /// The Ethereum chain config, or [`ServiceError::WrongChainKind`] on an OP prover.
    fn ethereum(&self) -> Result<Arc<ChainConfig>, ServiceError> {
        match &self.chain {
            Rules::Ethereum(c) => Ok(c.clone()),
            Rules::Op(_) => Err(ServiceError::WrongChainKind { serves: "OP Stack" }),
        }
    }

    /// Block `number` and its witness from the L2 node (by the service's rules).
    async fn fetch(&self, number: u64) -> Result<WitnessFile, ServiceError> {
        let fetched = match &self.chain {
            Rules::Ethereum(c) => fetch::fetch_witness(&self.l2_rpc, number, c).await,
            Rules::Op(c) => phat_witness::op::fetch_op_witness(&self.l2_rpc, number, c).await,
        };
        fetched.map_err(|source| ServiceError::Fetch { block: number, source })
    }

    /// Runs `job` (STF and signature) on a blocking thread (the caller holds a slot).
    /// One of the work slots, or [`ServiceError::Busy`] at once: taken before any fetch or quote,
    /// so a busy service does no work for a request it then refuses.
    fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ServiceError> {
        self.slots.clone().try_acquire_owned().map_err(|_| ServiceError::Busy(self.stf_slots))
    }

    async fn run<T: Send + 'static>(
        &self,
        kind: &'static str,
        job: impl FnOnce(&ProofDomain, &LocalSigner) -> Result<T, phat_witness::ProveError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let (domain, signer) = (self.domain, self.signer.clone());
        let start = Instant::now();
        let result = tokio::task::spawn_blocking(move || job(&domain, &signer))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(ServiceError::from);
        self.metrics.stf.observe(start.elapsed().as_secs_f64());
        let outcome = if result.is_ok() { "signed" } else { "refused" };
        self.metrics.answers.get_or_create(&Outcome { kind, outcome }).inc();
        result
    }

    /// The TEE-proof of block `number`.
    pub async fn prove_block(&self, number: u64) -> Result<phat_witness::ProofFile, ServiceError> {
        let chain = self.ethereum()?;
        let _slot = self.slot()?;
        let file = self.fetch(number).await?;
        self.run("block", move |domain, signer| prove::prove(&chain, domain, signer, &file)).await
    }

    /// One TEE-proof over blocks `first .. first + count`.
    pub async fn prove_batch(&self, first: u64, count: u64) -> Result<BatchProof, ServiceError> {
        let chain = self.ethereum()?;
        let (_slot, files) = self.fetch_range(first, count).await?;
        self.run("batch", move |domain, signer| prove::prove_batch(&chain, domain, signer, &files)).await
    }

    /// One TEE-proof of the OP output roots over blocks `first .. first + count` (an OP prover).
    pub async fn prove_op_output(&self, first: u64, count: u64) -> Result<OpOutputProof, ServiceError> {
        let chain = match &self.chain {
            Rules::Op(c) => c.clone(),
            Rules::Ethereum(_) => return Err(ServiceError::WrongChainKind { serves: "Ethereum-rules" }),
        };
        let (_slot, files) = self.fetch_range(first, count).await?;
        self.run("op-output", move |domain, signer| prove::prove_op_output(&chain, domain, signer, &files)).await
    }

    /// The witnesses of blocks `first .. first + count` (1 to `max_batch`), with the work slot
    /// taken before the first fetch, which the caller keeps until it has signed.
    async fn fetch_range(
        &self,
        first: u64,
        count: u64,
    ) -> Result<(tokio::sync::OwnedSemaphorePermit, Vec<WitnessFile>), ServiceError> {
        if count == 0 || count > self.max_batch || first.checked_add(count).is_none() {
            return Err(ServiceError::BatchSize { count, max: self.max_batch });
        }
        let slot = self.slot()?;
        let mut files = Vec::with_capacity(count as usize);
        for number in first..first + count {
            files.push(self.fetch(number).await?);
        }
        Ok((slot, files))
    }

    /// The TEE refusal of block `number`, signed only if the block itself is invalid.
    pub async fn refuse_block(&self, number: u64) -> Result<RefusalProof, ServiceError> {
        let chain = self.ethereum()?;
        let _slot = self.slot()?;
        let file = self.fetch(number).await?;
        self.run("refusal", move |domain, signer| prove::refuse(&chain, domain, signer, &file)).await
    }

    /// The routes:
    /// - `GET  /v1/prover`: `{address, teeType, l1ChainId, verifier, l2ChainId, chainConfigHash}`
    /// - `POST /v1/prover/attest`: [`AttestRequest`] → [`AttestAnswer`]
    /// - `POST /v1/prover/prove-block/{n}`: the block claim, `chainConfigHash`, `digest`, `proof`
    ///   (the Phat contract's `Proved` shape), or 422 `{"error"}` with nothing signed
    /// - `POST /v1/prover/prove-batch/{first}/{count}`: a batch proof, or 422
    /// - `POST /v1/prover/refuse-block/{n}`: a TEE refusal, or 422 (the block is valid, or nothing
    ///   shows it invalid)
    /// - `POST /v1/prover/prove-op-output/{first}/{count}`: on an OP prover, the output-root proof
    ///   of those blocks ([`OpOutputProof`]), or 422; the routes above answer 422 on an OP prover,
    ///   this one on an Ethereum-rules prover
    /// - `GET  /health`, `GET /metrics` (Prometheus text)
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/v1/prover", get(info))
            .route("/v1/prover/attest", post(attest))
            .route("/v1/prover/prove-block/{n}", post(prove_block))
            .route("/v1/prover/prove-batch/{first}/{count}", post(prove_batch))
            .route("/v1/prover/refuse-block/{n}", post(refuse_block))
            .route("/v1/prover/prove-op-output/{first}/{count}", post(prove_op_output))
            .route("/health", get(health))
            .route("/metrics", get(metrics))
            .with_state(self)
    }
}

async fn info(State(s): State<Arc<ProverService>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "address": s.address(),
        "teeType": "tdx",
        "l1ChainId": s.domain.l1_chain_id,
        "verifier": s.domain.verifier,
        "l2ChainId": s.domain.l2_chain_id,
        "chainConfigHash": s.chain.hash(),
    }))
}

async fn attest(
    State(s): State<Arc<ProverService>>,
    body: axum::body::Bytes,
) -> Result<Json<AttestAnswer>, ServiceError> {
    let req: AttestRequest = serde_json::from_slice(&body).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    s.attest(req).await.map(Json)
}

async fn prove_block(
    State(s): State<Arc<ProverService>>,
    Path(n): Path<u64>,
) -> Result<Json<serde_json::Value>, ServiceError> {
    let file = s.prove_block(n).await?;
    let p = &file.public_input;
    Ok(Json(serde_json::json!({
        "blockNumber": p.block_number,
        "parentHash": p.parent_hash,
        "blockHash": p.block_hash,
        "preStateRoot": p.pre_state_root,
        "postStateRoot": p.post_state_root,
        "witnessCommitment": p.witness_commitment,
        "chainConfigHash": p.chain_config_hash,
        "digest": file.digest,
        "proof": file.proof,
    })))
}

async fn prove_op_output(
    State(s): State<Arc<ProverService>>,
    Path((first, count)): Path<(u64, u64)>,
) -> Result<Json<OpOutputProof>, ServiceError> {
    s.prove_op_output(first, count).await.map(Json)
}

async fn prove_batch(
    State(s): State<Arc<ProverService>>,
    Path((first, count)): Path<(u64, u64)>,
) -> Result<Json<BatchProof>, ServiceError> {
    s.prove_batch(first, count).await.map(Json)
}

async fn refuse_block(
    State(s): State<Arc<ProverService>>,
    Path(n): Path<u64>,
) -> Result<Json<RefusalProof>, ServiceError> {
    s.refuse_block(n).await.map(Json)
}

async fn health(State(s): State<Arc<ProverService>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true, "address": s.address() }))
}

async fn metrics(State(s): State<Arc<ProverService>>) -> Response {
    let mut text = String::new();
    match encode(&mut text, &s.metrics.registry) {
        Ok(()) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Serves `service` on `listen` (phat-process's bounded server) until the process ends.
pub async fn serve(service: Arc<ProverService>, listen: &str) -> Result<(), ServiceError> {
    let serve_err = |source| ServiceError::Serve { addr: listen.to_owned(), source };
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(serve_err)?;
    tracing::info!(address = %service.address(), listen = %listener.local_addr().map_err(serve_err)?, "prover service up");
    phat_process::http::serve(listener, service.router(), Default::default()).await.map_err(serve_err)
}
