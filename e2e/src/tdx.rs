//! The devnet's TDX provers: N prover services (`phat-prover serve`'s library,
//! `phat-prover-service`) in this process, the deployment a rollup runs in a dstack VM today. No
//! TDX hardware runs here, so each service's dstack guest agent is a MOCK (`phat-attestation-
//! testkit`'s `MockDstackAgent`, on its own unix socket) that quotes with the devnet's test PKI;
//! the service talks to it with the production client (`phat-dstack`), and everything after the
//! quote is production code: the quorum operators verify it with dcap-qvl, replay the event log
//! and sign; `ProverRegistry` applies the TDX policy.

use std::{path::Path, sync::Arc};

use alloy::{
    primitives::{Address, B256},
    providers::DynProvider,
};
use phat_attestation::{
    Collateral, TcbStatus, TdOwner,
    dstack_agent::{DstackVm, MockDstackAgent},
    tdx::tdx_measurement_hash,
};
use phat_l1::TeeVerifier;
use phat_prover_service::{AttestAnswer, AttestRequest, ProverService, Settings};
use phat_quorum::AttestRequest as QuorumRequest;

use crate::{
    error::DevnetError,
    l1::{self, Addresses, keys},
    quorum::{OperatorAnswer, QuorumOperators},
};

/// The devnet prover app's `app-compose.json` (what dstack hashes into the compose hash): the
/// prover image and its config, as `deploy/dstack/docker-compose.yml` ships them.
pub const DEVNET_APP_COMPOSE: &str = r#"{"manifest_version":2,"name":"phat-prover-devnet","runner":"docker-compose","docker_compose_file":"services:\n  phat-prover:\n    image: phat-prover:devnet\n","kms_enabled":true,"public_logs":false,"public_sysinfo":false}"#;

/// The devnet's prover VM: the mock's OS image, running the devnet prover app.
pub fn devnet_vm() -> DstackVm {
    DstackVm::new().with_app_compose(DEVNET_APP_COMPOSE)
}

/// What L1 allow-lists for `vm`: `ProverRegistry.tdxMeasurementHash(tdMeasurement, tdOwner,
/// composeHash)`.
pub fn measurement_of(vm: &DstackVm) -> B256 {
    let owner = TdOwner { mr_owner: vm.mr_owner.into(), mr_owner_config: vm.mr_owner_config.into() };
    tdx_measurement_hash(vm.measurement().hash(), owner.hash(), vm.compose_hash.into())
}

/// Policy: trusts the TDX measurement of `vm` (as governance does for a release of the app on a
/// dstack OS image).
pub async fn trust(rpc: &str, a: &Addresses, vm: &DstackVm) -> Result<B256, DevnetError> {
    let m = measurement_of(vm);
    let registry = TeeVerifier::new(a.tee, l1::wallet(rpc, keys::POLICY)?);
    registry.trustMeasurement(m).send().await.map_err(err)?.get_receipt().await.map_err(err)?;
    Ok(m)
}

/// One prover service behind its mock guest agent; both stop when it is dropped.
pub struct TdxProver {
    pub name: String,
    /// The service's `http://host:port`.
    pub url: String,
    /// The key it made at start (its address).
    pub address: Address,
    pub agent: MockDstackAgent,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TdxProver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TdxProver {
    /// Starts a mock guest agent for `vm` at `socket` (quoting with `quorum`'s test PKI) and a
    /// prover service under `settings` that quotes through it.
    pub async fn start(
        name: &str,
        socket: &Path,
        quorum: &QuorumOperators,
        vm: DstackVm,
        settings: Settings,
    ) -> Result<Self, DevnetError> {
        let agent = MockDstackAgent::start(socket, quorum.pki.clone(), vm).map_err(err)?;
        let client = phat_dstack::DstackClient::new(socket);
        let service = Arc::new(ProverService::new(settings, Box::new(client)).map_err(err)?);
        let address = service.address();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(err)?;
        let url = format!("http://{}", listener.local_addr().map_err(err)?);
        let task = tokio::spawn(async move {
            if let Err(e) = phat_process::http::serve(listener, service.router(), Default::default()).await {
                tracing::error!("prover service stopped: {e}");
            }
        });
        Ok(Self { name: name.into(), url, address, agent, task })
    }

    /// Stops the service (its agent stays): an outage.
    pub fn stop(&self) {
        self.task.abort();
    }

    /// Asks the service for a quote binding its key to a registration with `beneficiary` anchored
    /// at L1 block `number` / `hash`.
    pub async fn attest(&self, beneficiary: Address, number: u64, hash: B256) -> Result<AttestAnswer, DevnetError> {
        let req = AttestRequest { beneficiary, l1_block_number: number, l1_block_hash: hash };
        let res = reqwest::Client::new()
            .post(format!("{}/v1/prover/attest", self.url))
            .json(&req)
            .send()
            .await
            .map_err(err)?;
        if !res.status().is_success() {
            let status = res.status();
            return Err(DevnetError::L1(format!(
                "{}: attest answered {status}: {}",
                self.name,
                res.text().await.unwrap_or_default()
            )));
        }
        res.json().await.map_err(err)
    }
}

/// The quorum's answers to the registration of `prover` (paid to `beneficiary`) anchored at the L1
/// block before the head, and that registration: the service quotes, the operators verify the
/// quote and replay its event log.
pub async fn ask_quorum(
    provider: &DynProvider,
    quorum: &QuorumOperators,
    prover: &TdxProver,
    beneficiary: Address,
) -> Result<(Vec<OperatorAnswer>, phat_quorum::Registration, AttestAnswer), DevnetError> {
    let (anchor, hash) = l1::anchor(provider).await?;
    let answer = prover.attest(beneficiary, anchor, hash).await?;
    let r = crate::quorum::registration(answer.prover, beneficiary, anchor, hash);
    let collateral = quorum.pki.td_collateral(TcbStatus::UpToDate, &[]).map_err(err)?;
    let req = QuorumRequest {
        quote: answer.quote.clone(),
        collateral: Some(Collateral::from_dcap(&collateral)),
        registration: r,
        event_log: Some(answer.event_log.clone()),
        verified_at: None,
    };
    Ok((quorum.ask(&req).await, r, answer))
}

/// The registry call for `r` with the k signatures of `answers` ([`l1::registration_of`]).
pub use l1::registration_of;

/// Registers `prover` through the quorum with its TDX quote and event log.
pub async fn register(
    rpc: &str,
    a: &Addresses,
    quorum: &QuorumOperators,
    prover: &TdxProver,
    beneficiary: Address,
) -> Result<(), DevnetError> {
    let provider = l1::wallet(rpc, keys::ADMIN)?;
    let (answers, r, _) = ask_quorum(&provider, quorum, prover, beneficiary).await?;
    let registration = registration_of(&provider, a, &answers, &r).await?;
    let receipt = TeeVerifier::new(a.tee, provider)
        .register(registration)
        .send()
        .await
        .map_err(err)?
        .get_receipt()
        .await
        .map_err(err)?;
    if !receipt.status() {
        return Err(DevnetError::L1(format!("registration of {} ({}) reverted", prover.name, prover.address)));
    }
    Ok(())
}

fn err(e: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1(e.to_string())
}
