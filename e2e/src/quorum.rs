//! The devnet's attestation path. No SGX hardware runs here, so a test PKI (its own root CA, PCK
//! and quoting key) issues the provers' quotes; everything after the quote is production code:
//! three `phat-quorum` operators verify each quote with dcap-qvl under that PKI's root, check the
//! binding against L1 and sign; the registry takes k of their signatures.
//!
//! The operators run in-process, through the `phat-quorum` library: the test root and the L1
//! head's clock are library configuration the production `phat-quorum` binary has no flag for
//! (it trusts Intel's root and its own clock only).

use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, Bytes};
use phat_attestation::{
    Binding, Collateral, NormalizedAttestation, TcbStatus, Verifier,
    testkit::{Enclave, TestPki},
};
use phat_quorum::{AttestRequest, AttestResponse, Clock, Config, Quorum, Registration};
use tokio::task::JoinHandle;

use crate::{
    error::DevnetError,
    l1::{self, Addresses},
};

/// The devnet enclave as the test PKI quotes it (its measurement is what L1 trusts).
pub fn devnet_enclave() -> Enclave {
    let (mr_enclave, mr_signer, isv_prod_id, isv_svn) = l1::devnet_enclave();
    Enclave::new(mr_enclave.0, mr_signer.0, isv_prod_id, isv_svn)
}

/// Three quorum operators on loopback (anvil accounts 5, 6, 7, as `deploy/l1.toml` registers).
pub struct QuorumOperators {
    pub pki: Arc<TestPki>,
    pub urls: Vec<String>,
    pub signers: Vec<Address>,
    chain_id: u64,
    registry: Address,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for QuorumOperators {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// One operator's answer: its signature, or the HTTP status and reason of its refusal.
pub type OperatorAnswer = Result<AttestResponse, (u16, String)>;

impl QuorumOperators {
    /// Starts the operators for the registry and adapter in `a` on L1 `l1_rpc` (chain `chain_id`),
    /// with a fresh test PKI valid for 30 days around now.
    pub async fn start(l1_rpc: &str, chain_id: u64, a: &Addresses) -> Result<Self, DevnetError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| DevnetError::L1(e.to_string()))?
            .as_secs();
        let pki = TestPki::new(now - 3600, now + 30 * 86_400).map_err(|e| DevnetError::L1(e.to_string()))?;
        let (mut urls, mut signers, mut tasks) = (Vec::new(), Vec::new(), Vec::new());
        for key in l1::keys::QUORUM {
            let mut config = Config::new(chain_id, a.tee, a.quorum);
            config.l1_rpc = Some(l1_rpc.to_owned());
            // The devnet moves L1 time forward (registration delay): verify by L1's clock.
            config.clock = Clock::L1Head;
            let signer: PrivateKeySigner = key.parse().map_err(|e| DevnetError::L1(format!("quorum key: {e}")))?;
            let quorum = Quorum::new(config, Verifier::with_root_ca(pki.root_ca_der()), signer)
                .map_err(|e| DevnetError::L1(e.to_string()))?;
            signers.push(quorum.signer());
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| DevnetError::L1(e.to_string()))?;
            urls.push(format!("http://{}", listener.local_addr().map_err(|e| DevnetError::L1(e.to_string()))?));
            let router = Arc::new(quorum).router();
            tasks.push(tokio::spawn(async move {
                if let Err(e) = phat_process::http::serve(listener, router, Default::default()).await {
                    tracing::error!(error = %e, "quorum operator stopped");
                }
            }));
        }
        Ok(Self { pki: Arc::new(pki), urls, signers, chain_id, registry: a.tee, tasks })
    }

    /// The binding of `r` on this devnet's registry.
    pub fn binding(&self, r: &Registration) -> Binding {
        r.binding(self.chain_id, self.registry)
    }

    /// A request for `r` with a quote of `enclave` (its report_data as given) and collateral in
    /// which the platform has `status`.
    pub fn request(&self, enclave: &Enclave, status: TcbStatus, r: Registration) -> Result<AttestRequest, DevnetError> {
        let err = |e: phat_attestation::testkit::PkiError| DevnetError::L1(format!("test PKI: {e}"));
        Ok(AttestRequest {
            quote: self.pki.quote(enclave).map_err(err)?.into(),
            collateral: Some(Collateral::from_dcap(&self.pki.collateral(status, &[]).map_err(err)?)),
            registration: r,
            event_log: None,
            verified_at: None,
        })
    }

    /// Asks every operator to attest `req`.
    pub async fn ask(&self, req: &AttestRequest) -> Vec<OperatorAnswer> {
        let client = reqwest::Client::new();
        let mut answers = Vec::with_capacity(self.urls.len());
        for url in &self.urls {
            let res = client.post(format!("{url}/v1/attest")).json(req).send().await;
            answers.push(match res {
                Ok(res) if res.status().is_success() => {
                    res.json::<AttestResponse>().await.map_err(|e| (0, e.to_string()))
                }
                Ok(res) => {
                    let status = res.status().as_u16();
                    Err((status, res.text().await.unwrap_or_default()))
                }
                Err(e) => Err((0, e.to_string())),
            });
        }
        answers
    }
}

/// The adapter's evidence from `k` signatures of `answers` (ascending by signer, as it requires):
/// `abi.encode(attestation, signatures)`. Fails when fewer than `k` operators signed.
pub fn evidence(answers: &[OperatorAnswer], k: usize) -> Result<(NormalizedAttestation, Bytes), DevnetError> {
    let mut signed: Vec<&AttestResponse> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
    if signed.len() < k {
        let refusals: Vec<String> =
            answers.iter().filter_map(|a| a.as_ref().err()).map(|(s, m)| format!("{s} {m}")).collect();
        return Err(DevnetError::L1(format!("{} of {k} quorum signatures: {}", signed.len(), refusals.join("; "))));
    }
    signed.sort_by_key(|r| r.signer);
    let signatures: Vec<u8> = signed.iter().take(k).flat_map(|r| r.signature.iter().copied()).collect();
    Ok((signed[0].attestation.clone(), signatures.into()))
}

/// Registration of `prover` anchored at L1 block `number` / `hash`.
pub fn registration(prover: Address, beneficiary: Address, number: u64, hash: B256) -> Registration {
    Registration { prover, beneficiary, l1_block_number: number, l1_block_hash: hash }
}
