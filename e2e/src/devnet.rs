//! The devnet: anvil as L1 and as L2, the L1 contracts deployed from `deploy/l1.toml`, N provers
//! registered through the attestation-gated registry, and the relayer settling every L2 block.
//!
//! The provers are either `phat-prover` contracts in a local pink cluster (the real release wasm in
//! the real pink runtime, with `phat-registry` crediting each settled proof), or the stateless STF
//! of this process with development keys (`Provers::Local`, what most end-to-end tests use: it
//! lets a test stop, corrupt or rotate one prover). What stands in for what is said on screen:
//! the SGX quotes come from a test PKI (no SGX hardware here) and are verified by three real quorum
//! services under that PKI's root; the rollup's zk verifier and PHA are stand-in contracts.

use std::{net::SocketAddr, path::Path, sync::Arc};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, U256, keccak256},
    providers::{Provider, ProviderBuilder},
};
use phat_prover_cli::anvil::Anvil;
use phat_prover_core::ProofDomain;
use phat_relayer::{
    Config, Relayer,
    config::{L1Config, L2Config, RegistryConfig, ServiceConfig, ZkConfig},
    prover::{ClusterProver, LocalProver, TeeProver},
};

use crate::{
    cluster::{ClusterFiles, PinkCluster},
    error::DevnetError,
    l1::{self, Addresses},
    quorum::QuorumOperators,
};

/// L1 chain id (anvil's default).
pub const L1_CHAIN_ID: u64 = 31_337;
/// The devnet rollup's chain id (as in `deploy/l1.toml`).
pub const L2_CHAIN_ID: u64 = 167_001;
/// The settlement is anchored at L2 block 1 (anvil's genesis header carries a placeholder state
/// root, so block 1 is the first whose state can be checked).
pub const GENESIS_BLOCK: u64 = 1;

/// A running devnet; its nodes stop when it is dropped.
pub struct Devnet {
    pub l1: Anvil,
    pub l2: Anvil,
    pub addresses: Addresses,
    /// The provers' keys (development keys, not TEE keys).
    pub prover_keys: Vec<String>,
    /// Each prover's reward beneficiary.
    pub beneficiaries: Vec<Address>,
    /// The attestation quorum operators (and the test PKI that quotes for the provers).
    pub quorum: QuorumOperators,
    /// The pink cluster hosting the prover contracts, when the provers are contracts.
    pub cluster: Option<PinkCluster>,
}

/// Who proves on the devnet.
#[derive(Debug, Clone)]
pub enum Provers {
    /// N development provers in this process.
    Local(usize),
    /// N `phat-prover` contracts in a local pink cluster, with `phat-registry`.
    Cluster(usize, ClusterFiles),
}

impl Provers {
    fn count(&self) -> usize {
        match self {
            Provers::Local(n) | Provers::Cluster(n, _) => *n,
        }
    }
}

impl Devnet {
    /// Starts both chains, deploys L1 from `repo`'s forge script and registers `provers`
    /// development provers.
    pub async fn start(repo: &Path, provers: usize) -> Result<Self, DevnetError> {
        Self::start_with(repo, Provers::Local(provers), None).await
    }

    /// Starts both chains, deploys L1, starts the provers and registers each on L1 through the
    /// attestation path. With `l1_block_time` (seconds) L1 mines on that interval, as a real
    /// chain does; without it, a block per transaction (anvil's automining).
    pub async fn start_with(repo: &Path, provers: Provers, l1_block_time: Option<u64>) -> Result<Self, DevnetError> {
        let chain_id = L1_CHAIN_ID.to_string();
        let block_time = l1_block_time.map(|t| t.to_string());
        let mut l1_args = vec!["--chain-id", &chain_id];
        if let Some(t) = &block_time {
            l1_args.extend(["--block-time", t]);
        }
        let l1 = Anvil::spawn(&l1_args)?;
        let l2 = Anvil::spawn(&["--hardfork", "prague", "--chain-id", &L2_CHAIN_ID.to_string()])?;
        let l2_provider = ProviderBuilder::new().connect_http(l2.url.parse().map_err(l1_err)?);
        l2_provider.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.map_err(l1_err)?;
        let genesis = l2_provider
            .get_block_by_number(BlockNumberOrTag::Number(GENESIS_BLOCK))
            .await
            .map_err(l1_err)?
            .ok_or_else(|| DevnetError::L1("L2 has no block 1".into()))?
            .header;
        let fund = U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64));
        let addresses = l1::deploy(repo, &l1.url, (GENESIS_BLOCK, genesis.hash, genesis.state_root), fund)?;
        l1::trust_devnet_measurement(&l1.url, &addresses).await?;
        let n = provers.count();
        let prover_keys: Vec<String> =
            (0..n).map(|i| keccak256(format!("phat-sgx-prover devnet prover {i}")).to_string()).collect();
        let beneficiaries: Vec<Address> = (0..n)
            .map(|i| Address::from_slice(&keccak256(format!("phat-sgx-prover devnet beneficiary {i}"))[12..]))
            .collect();
        let quorum = QuorumOperators::start(&l1.url, L1_CHAIN_ID, &addresses).await?;
        let cluster = match &provers {
            Provers::Local(_) => None,
            Provers::Cluster(_, files) => {
                Some(PinkCluster::spawn(files, n, &l2.url, L2_CHAIN_ID, L1_CHAIN_ID, addresses.tee)?)
            }
        };
        let devnet = Self { l1, l2, addresses, prover_keys, beneficiaries, quorum, cluster };
        for (i, p) in devnet.provers()?.iter().enumerate() {
            l1::register(&devnet.l1.url, &devnet.addresses, &devnet.quorum, p.address(), devnet.beneficiaries[i])
                .await?;
        }
        l1::pass_registration_delay(&devnet.l1.url, &devnet.addresses).await?;
        Ok(devnet)
    }

    /// The domain every proof of this devnet is bound to (prover left zero).
    pub fn domain(&self) -> ProofDomain {
        ProofDomain {
            l1_chain_id: L1_CHAIN_ID,
            verifier: self.addresses.tee,
            l2_chain_id: L2_CHAIN_ID,
            prover: Address::ZERO,
        }
    }

    /// Prover `i`: the stateless STF in this process with its development key.
    pub fn local_prover(&self, i: usize) -> Result<LocalProver, DevnetError> {
        let key = self.prover_keys.get(i).ok_or_else(|| DevnetError::L1(format!("no prover {i}")))?;
        Ok(LocalProver::new(&format!("prover-{i}"), &self.l2.url, key, self.domain())?)
    }

    /// Every prover of this devnet: the cluster's contracts, or the development provers.
    pub fn provers(&self) -> Result<Vec<Arc<dyn TeeProver>>, DevnetError> {
        match &self.cluster {
            Some(c) => Ok(c
                .provers
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let name = format!("contract-{i}");
                    Arc::new(ClusterProver::new(&name, &self.l2.url, &c.url, i, p.address, self.domain()))
                        as Arc<dyn TeeProver>
                })
                .collect()),
            None => {
                (0..self.prover_keys.len()).map(|i| Ok(Arc::new(self.local_prover(i)?) as Arc<dyn TeeProver>)).collect()
            }
        }
    }

    /// The relayer's config for this devnet.
    pub fn relayer_config(&self, db: &Path, feed: SocketAddr) -> Config {
        Config {
            l2: L2Config { rpc: self.l2.url.clone(), first_block: GENESIS_BLOCK + 1 },
            l1: L1Config {
                rpc: self.l1.url.clone(),
                settlement: self.addresses.settlement,
                key_env: String::new(),
                propose: true,
            },
            zk: ZkConfig { stand_in: Some(self.addresses.zk_stand_in) },
            provers: Vec::new(),
            relayer: ServiceConfig { db: db.to_path_buf(), feed, poll_ms: 100, prover_timeout_ms: 10_000 },
            registry: self.cluster.as_ref().map(|c| RegistryConfig { url: c.url.clone(), rollup: c.rollup }),
        }
    }

    /// A relayer for this devnet asking `provers`, proposing as the rollup's proposer.
    pub async fn relayer(
        &self,
        db: &Path,
        feed: SocketAddr,
        provers: Vec<Arc<dyn TeeProver>>,
    ) -> Result<Relayer, DevnetError> {
        Ok(Relayer::with_key(&self.relayer_config(db, feed), l1::keys::PROPOSER, provers).await?)
    }
}

fn l1_err(e: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1(e.to_string())
}
