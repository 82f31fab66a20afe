//! The service: configuration, the attest procedure and its HTTP routes.

use std::{sync::Arc, time::Duration};

use alloy::{
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::{SignerSync, local::PrivateKeySigner},
};
use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::{Eip712Domain, SolStruct};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use phat_attestation::{
    Binding, Collateral, NormalizedAttestation, Policy, VerifiedAny, Verifier, eventlog, quorum_domain,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::{error::QuorumError, limit::TokenBucket, pccs::Pccs};

/// How many L1 blocks back a binding may point (`ProverRegistry.MAX_L1_BLOCK_AGE`).
pub const MAX_L1_BLOCK_AGE: u64 = 256;

/// How far a requested verification time may be from the operator's clock, in seconds.
pub const MAX_CLOCK_SKEW: u64 = 60;

/// Verifications in flight at most, by default (a verification is CPU work: a few per core).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// `POST /v1/attest` requests a second, on average, by default.
pub const DEFAULT_RATE_PER_SEC: u32 = 10;
/// `POST /v1/attest` requests at once (the token bucket's size), by default.
pub const DEFAULT_RATE_BURST: u32 = 20;

/// What an operator configures.
#[derive(Debug, Clone)]
pub struct Config {
    /// L1 chain id.
    pub chain_id: u64,
    /// The `ProverRegistry` (TeeVerifier) registrations are for.
    pub registry: Address,
    /// The `QuorumAttestationVerifier` whose EIP-712 domain the signatures are for.
    pub adapter: Address,
    /// The operator's admission policy (what it refuses to sign).
    pub policy: Policy,
    /// A PCCS to fetch collateral from when a request brings none.
    pub pccs_url: Option<String>,
    /// An L1 JSON-RPC endpoint to check that the binding's block is canonical and recent.
    pub l1_rpc: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest a verification may take (and the L1 node's answer, and each PCCS request).
    pub verify_timeout: Duration,
    /// Verifications in flight at most; a request beyond gets 429 (it does not wait).
    pub max_in_flight: usize,
    /// `POST /v1/attest` requests a second, on average; beyond, 429 with `Retry-After`.
    pub rate_per_sec: u32,
    /// `POST /v1/attest` requests at once before the rate applies.
    pub rate_burst: u32,
    /// Where "now" comes from. The `phat-quorum` binary always uses [`Clock::System`]; the L1
    /// head's clock is for devnets that run this service in-process.
    pub clock: Clock,
}

/// The time quotes are verified at (and `verifiedAt` says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// This machine's clock: production.
    #[default]
    System,
    /// The timestamp of the L1 head (needs `l1_rpc`): for devnets that move L1 time forward,
    /// so that `verifiedAt` is fresh by L1's clock. Never in production: whoever runs the L1
    /// endpoint would set the time quotes and collateral are judged at. No flag of the
    /// `phat-quorum` binary selects it.
    L1Head,
}

impl Config {
    /// A configuration with the default limits (256 KiB bodies, 10 s verification, 4
    /// verifications in flight, 10 requests a second with bursts of 20).
    pub fn new(chain_id: u64, registry: Address, adapter: Address) -> Self {
        Self {
            chain_id,
            registry,
            adapter,
            policy: Policy::default(),
            pccs_url: None,
            l1_rpc: None,
            max_body_bytes: 256 * 1024,
            verify_timeout: Duration::from_secs(10),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            rate_per_sec: DEFAULT_RATE_PER_SEC,
            rate_burst: DEFAULT_RATE_BURST,
            clock: Clock::System,
        }
    }
}

/// The registration a quote is for (its report_data must bind exactly this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub prover: Address,
    pub beneficiary: Address,
    pub l1_block_number: u64,
    pub l1_block_hash: B256,
}

impl Registration {
    /// What a quote for this registration on `registry` (chain `chain_id`) must bind.
    pub fn binding(&self, chain_id: u64, registry: Address) -> Binding {
        Binding {
            chain_id,
            registry,
            prover: self.prover,
            beneficiary: self.beneficiary,
            l1_block_number: self.l1_block_number,
            l1_block_hash: self.l1_block_hash,
        }
    }
}

/// `POST /v1/attest`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestRequest {
    /// The DCAP quote, hex.
    pub quote: Bytes,
    /// Its collateral (Intel PCS / PCCS documents); fetched from the service's PCCS when absent.
    #[serde(default)]
    pub collateral: Option<Collateral>,
    pub registration: Registration,
    /// A dstack VM's event log (its guest agent's JSON text), with a TDX quote: replayed against
    /// the quote's RTMRs; the app's compose hash it names goes into the attestation.
    #[serde(default, rename = "eventLog", alias = "event_log")]
    pub event_log: Option<String>,
    /// The unix time to verify at, so that the k operators of one registration sign the same
    /// attestation (`verifiedAt` is part of it); refused unless within [`MAX_CLOCK_SKEW`] of this
    /// operator's clock. Absent: the operator's own "now".
    #[serde(default, rename = "verifiedAt", alias = "verified_at")]
    pub verified_at: Option<u64>,
}

/// The operator's signature over the normalized attestation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttestResponse {
    pub attestation: NormalizedAttestation,
    /// The EIP-712 digest signed (`QuorumAttestationVerifier.attestationDigest`).
    pub digest: B256,
    pub signer: Address,
    /// 65 bytes `r ‖ s ‖ v`, low s.
    pub signature: Bytes,
}

/// One quorum operator's service.
pub struct Quorum {
    config: Config,
    verifier: Arc<Verifier>,
    signer: PrivateKeySigner,
    domain: Eip712Domain,
    l1: Option<DynProvider>,
    pccs: Option<Pccs>,
    /// One permit per verification in flight.
    slots: Arc<Semaphore>,
    rate: TokenBucket,
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Quorum {
    /// A service verifying with `verifier` and signing with `signer`. The `phat-quorum` binary
    /// passes [`Verifier::intel`]; another root (a test PKI's) is for tests and devnets that run
    /// the service in-process, and is logged as a warning.
    pub fn new(config: Config, verifier: Verifier, signer: PrivateKeySigner) -> Result<Self, QuorumError> {
        if config.max_in_flight == 0 || config.rate_per_sec == 0 || config.rate_burst == 0 {
            return Err(QuorumError::BadRequest("the request limits must be at least 1".into()));
        }
        let l1 = match &config.l1_rpc {
            Some(url) => {
                let url = url.parse().map_err(|e| QuorumError::BadRequest(format!("L1 RPC URL {url}: {e}")))?;
                Some(ProviderBuilder::new().connect_http(url).erased())
            }
            None => None,
        };
        if config.clock == Clock::L1Head && l1.is_none() {
            return Err(QuorumError::BadRequest("the L1 head clock needs an L1 RPC endpoint".into()));
        }
        let pccs = config.pccs_url.as_deref().map(|url| Pccs::new(url, config.verify_timeout)).transpose()?;
        if !verifier.is_intel() {
            tracing::warn!(root = %verifier.root_description(), "trusting a root CA other than Intel's: tests and devnets only");
        }
        if config.clock == Clock::L1Head {
            tracing::warn!("taking \"now\" from the L1 head, not this machine's clock: devnets only");
        }
        let domain = quorum_domain(config.chain_id, config.adapter);
        let slots = Arc::new(Semaphore::new(config.max_in_flight));
        let rate = TokenBucket::new(config.rate_per_sec, config.rate_burst);
        Ok(Self { config, verifier: Arc::new(verifier), signer, domain, l1, pccs, slots, rate })
    }

    /// The configuration it runs under.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The operator's signing address (as registered in the adapter).
    pub fn signer(&self) -> Address {
        self.signer.address()
    }

    /// Verifies `req` now and signs its attestation, or says why not. At most
    /// [`Config::max_in_flight`] run at once: beyond, [`QuorumError::Busy`] at once.
    pub async fn attest(&self, req: AttestRequest) -> Result<AttestResponse, QuorumError> {
        let _slot = self.slots.try_acquire().map_err(|_| QuorumError::Busy(self.config.max_in_flight))?;
        let r = req.registration;
        let binding = r.binding(self.config.chain_id, self.config.registry);
        // One look at the L1 head serves both the binding's block window and the L1-head clock.
        // Bounded in time, as every step that holds a slot is.
        let head = match &self.l1 {
            Some(l1) => Some(self.check_l1_block_in_time(l1, &r).await?),
            None => None,
        };
        let collateral = match (&req.collateral, &self.pccs) {
            (Some(c), _) => c.to_dcap()?,
            (None, Some(pccs)) => pccs.fetch(&req.quote).await?,
            (None, None) => {
                return Err(QuorumError::BadRequest("no collateral given and no PCCS configured".into()));
            }
        };
        let verifier = self.verifier.clone();
        let clock = match (self.config.clock, head) {
            (Clock::L1Head, Some(timestamp)) => timestamp,
            _ => now(),
        };
        let at = match req.verified_at {
            Some(at) if at.abs_diff(clock) <= MAX_CLOCK_SKEW => at,
            Some(at) => {
                return Err(QuorumError::BadRequest(format!(
                    "verification time {at} is more than {MAX_CLOCK_SKEW} s from this operator's clock ({clock})"
                )));
            }
            None => clock,
        };
        let (quote, event_log, policy) = (req.quote, req.event_log, self.config.policy.clone());
        let attestation = tokio::time::timeout(
            self.config.verify_timeout,
            tokio::task::spawn_blocking(move || {
                normalize(&verifier, (&quote, &collateral, at), event_log.as_deref(), &binding, &policy)
            }),
        )
        .await
        .map_err(|_| QuorumError::Timeout)?
        .map_err(|e| QuorumError::Internal(e.to_string()))??;
        self.config.policy.check(&attestation, at).map_err(phat_attestation::AttestError::from)?;
        let digest = attestation.eip712_signing_hash(&self.domain);
        let signature = self.signer.sign_hash_sync(&digest).map_err(|e| QuorumError::Internal(e.to_string()))?;
        tracing::info!(
            prover = %r.prover,
            tee_type = attestation.teeType,
            mr_enclave = %attestation.mrEnclave,
            td_measurement = %attestation.tdMeasurement,
            compose_hash = %attestation.composeHash,
            %digest,
            "attestation signed"
        );
        Ok(AttestResponse {
            attestation,
            digest,
            signer: self.signer.address(),
            signature: signature.as_bytes().to_vec().into(),
        })
    }

    /// [`Self::check_l1_block`] within the verification timeout (an L1 node that never answers
    /// would otherwise hold a verification slot for good).
    async fn check_l1_block_in_time(&self, l1: &DynProvider, r: &Registration) -> Result<u64, QuorumError> {
        let limit = self.config.verify_timeout;
        tokio::time::timeout(limit, self.check_l1_block(l1, r))
            .await
            .map_err(|_| QuorumError::L1Unavailable(format!("no answer within {} s", limit.as_secs_f64())))?
    }

    /// The binding's block must be canonical on `l1` and within the registry's window. Returns
    /// the timestamp of the L1 head it was judged against.
    async fn check_l1_block(&self, l1: &DynProvider, r: &Registration) -> Result<u64, QuorumError> {
        let unavailable = |e: alloy::transports::TransportError| QuorumError::L1Unavailable(e.to_string());
        let latest = l1
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| QuorumError::L1Unavailable("no head block".into()))?
            .header;
        let head = latest.number;
        // The registration lands in a later block than `head`.
        if r.l1_block_number > head || head + 1 - r.l1_block_number > MAX_L1_BLOCK_AGE {
            return Err(QuorumError::L1Block(format!(
                "block {} is not within the last {MAX_L1_BLOCK_AGE} blocks (head {head})",
                r.l1_block_number
            )));
        }
        let block = l1
            .get_block_by_number(r.l1_block_number.into())
            .await
            .map_err(unavailable)?
            .ok_or_else(|| QuorumError::L1Block(format!("block {} not found", r.l1_block_number)))?;
        if block.header.hash != r.l1_block_hash {
            return Err(QuorumError::L1Block(format!(
                "block {} has hash {}, not {}",
                r.l1_block_number, block.header.hash, r.l1_block_hash
            )));
        }
        Ok(latest.timestamp)
    }

    /// `GET /v1/info` and `POST /v1/attest` (under the rate limit).
    pub fn router(self: Arc<Self>) -> Router {
        let limit = self.config.max_body_bytes;
        let attest = post(attest).layer(middleware::from_fn_with_state(self.clone(), rate_limit));
        Router::new()
            .route("/v1/info", get(info))
            .route("/v1/attest", attest)
            .layer(DefaultBodyLimit::max(limit))
            .with_state(self)
    }
}

/// Verifies a quote (SGX or TDX) at `at`, checks its report_data carries `binding` and, for a TDX
/// quote, the TDX rules and allow-lists of `policy` and the dstack event log (replayed against the
/// quote, its app checked); returns what L1 consumes. CPU work: run off the async workers.
fn normalize(
    verifier: &Verifier,
    (quote, collateral, at): (&[u8], &dcap_qvl::QuoteCollateralV3, u64),
    event_log: Option<&str>,
    binding: &Binding,
    policy: &Policy,
) -> Result<NormalizedAttestation, phat_attestation::AttestError> {
    match verifier.verify_any(quote, collateral, at)? {
        VerifiedAny::Sgx(q) => {
            if event_log.is_some() {
                return Err(phat_attestation::AttestError::EventLogForSgx);
            }
            q.check_binding(binding)?;
            Ok(q.normalized())
        }
        VerifiedAny::Tdx(q) => {
            q.check_binding(binding)?;
            let app = event_log.map(|text| eventlog::check(&eventlog::parse(text)?, &q.rtmr)).transpose()?;
            q.check(policy, at)?;
            policy.tdx.check_app(app.as_ref())?;
            Ok(q.normalized(app.as_ref()))
        }
    }
}

/// 429 with `Retry-After` for a request over the rate, before its body is read.
async fn rate_limit(State(q): State<Arc<Quorum>>, request: Request, next: Next) -> Response {
    match q.rate.take() {
        Ok(()) => next.run(request).await,
        Err(retry_after) => QuorumError::RateLimited { retry_after }.into_response(),
    }
}

async fn info(State(q): State<Arc<Quorum>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "signer": q.signer.address(),
        "chain_id": q.config.chain_id,
        "registry": q.config.registry,
        "adapter": q.config.adapter,
        "root": q.verifier.root_description(),
        "policy": q.config.policy,
        "checks_l1_block": q.l1.is_some(),
        "clock": match q.config.clock { Clock::System => "system", Clock::L1Head => "L1 head" },
        "pccs": q.config.pccs_url,
        "max_in_flight": q.config.max_in_flight,
        "rate_per_sec": q.config.rate_per_sec,
        "rate_burst": q.config.rate_burst,
    }))
}

async fn attest(State(q): State<Arc<Quorum>>, body: axum::body::Bytes) -> Result<Json<AttestResponse>, QuorumError> {
    let req: AttestRequest = serde_json::from_slice(&body).map_err(|e| QuorumError::BadRequest(e.to_string()))?;
    q.attest(req).await.map(Json)
}
