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
use phat_devkit::{Anvil, L2_HARDFORK, l2_chain_config};
use phat_prover_core::{ChainConfig, ProofDomain};
use phat_relayer::{
    Config,
    config::{HeadTag, L1Config, L2Config, RegistryConfig, ServiceConfig, ZkConfig},
    prover::{ClusterProver, LocalProver, TeeProver, WitnessSource},
};

use crate::{
    cluster::{ClusterFiles, ClusterL1, PinkCluster},
    error::DevnetError,
    l1::{self, Addresses},
    quorum::QuorumOperators,
    tdx::TdxProver,
};
use phat_prover_service::Settings;

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
    /// The L2's chain config: the rules its provers execute under (L1 expects its hash).
    pub chain: ChainConfig,
    pub addresses: Addresses,
    /// The provers' keys (development keys, not TEE keys).
    pub prover_keys: Vec<String>,
    /// Each prover's reward beneficiary.
    pub beneficiaries: Vec<Address>,
    /// The attestation quorum operators (and the test PKI that quotes for the provers).
    pub quorum: QuorumOperators,
    /// The pink cluster hosting the prover contracts, when the provers are contracts.
    pub cluster: Option<PinkCluster>,
    /// `phat-prover witness-rpc` in front of L2 (anvil lacks `debug_executionWitness`): the
    /// contracts' L2 RPC, from which they fetch their witnesses themselves. Stopped on drop.
    pub witness_rpc: Option<WitnessRpc>,
    /// The TDX prover services, when the provers are those; their mock guest agents' sockets are
    /// in `tdx_dir`, removed on drop.
    pub tdx: Vec<TdxProver>,
    tdx_dir: Option<std::path::PathBuf>,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        self.tdx.clear();
        if let Some(dir) = &self.tdx_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A `phat-prover witness-rpc` task of this process.
pub struct WitnessRpc {
    /// Its `http://host:port`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl WitnessRpc {
    /// Serves the witness calls for the node at `l2_rpc` (of chain `chain`) on a free local port.
    pub async fn start(l2_rpc: &str, chain: &ChainConfig) -> Result<Self, DevnetError> {
        let fail = |e: std::io::Error| DevnetError::Cluster(format!("witness-rpc: {e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(fail)?;
        let url = format!("http://{}", listener.local_addr().map_err(fail)?);
        let (l2_rpc, chain) = (l2_rpc.to_string(), chain.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = phat_witness::serve::serve(listener, l2_rpc, chain).await {
                tracing::error!("witness-rpc stopped: {e}");
            }
        });
        Ok(Self { url, task })
    }
}

impl Drop for WitnessRpc {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Who proves on the devnet.
#[derive(Debug, Clone)]
pub enum Provers {
    /// N development provers in this process.
    Local(usize),
    /// N `phat-prover` contracts in a local pink cluster, with `phat-registry`.
    Cluster(usize, ClusterFiles),
    /// N prover services (`phat-prover serve`) in this process, each behind a mock dstack guest
    /// agent quoting TDX with the test PKI, registered with their TDX quotes ([`crate::tdx`]).
    Tdx(usize),
}

impl Provers {
    fn count(&self) -> usize {
        match self {
            Provers::Local(n) | Provers::Cluster(n, _) | Provers::Tdx(n) => *n,
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
        let l2 = Anvil::spawn(&["--hardfork", L2_HARDFORK, "--chain-id", &L2_CHAIN_ID.to_string()])?;
        let chain = l2_chain_config(L2_CHAIN_ID);
        let l2_provider = ProviderBuilder::new().connect_http(l2.url.parse().map_err(l1_err)?);
        l2_provider.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.map_err(l1_err)?;
        let genesis = l2_provider
            .get_block_by_number(BlockNumberOrTag::Number(GENESIS_BLOCK))
            .await
            .map_err(l1_err)?
            .ok_or_else(|| DevnetError::L1("L2 has no block 1".into()))?
            .header;
        let fund = U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64));
        let genesis = (GENESIS_BLOCK, genesis.hash, genesis.state_root);
        let addresses = l1::deploy(repo, &l1.url, genesis, chain.hash(), fund)?;
        l1::trust_devnet_measurement(&l1.url, &addresses).await?;
        crate::tdx::trust(&l1.url, &addresses, &crate::tdx::devnet_vm()).await?;
        let n = provers.count();
        let prover_keys: Vec<String> =
            (0..n).map(|i| keccak256(format!("phat-sgx-prover devnet prover {i}")).to_string()).collect();
        let beneficiaries: Vec<Address> = (0..n)
            .map(|i| Address::from_slice(&keccak256(format!("phat-sgx-prover devnet beneficiary {i}"))[12..]))
            .collect();
        let quorum = QuorumOperators::start(&l1.url, L1_CHAIN_ID, &addresses).await?;
        let (mut tdx, mut tdx_dir) = (Vec::new(), None);
        if let Provers::Tdx(n) = provers {
            let dir = std::env::temp_dir().join(format!(
                "phat-devnet-tdx-{}-{}",
                std::process::id(),
                l1.url.rsplit(':').next().unwrap_or("0")
            ));
            std::fs::create_dir_all(&dir).map_err(l1_err)?;
            for i in 0..n {
                let settings = Settings {
                    l2_rpc: l2.url.clone(),
                    chain: phat_prover_service::Rules::Ethereum(chain.clone().into()),
                    l1_chain_id: L1_CHAIN_ID,
                    verifier: addresses.tee,
                    max_batch: 64,
                    stf_slots: 2,
                };
                let socket = dir.join(format!("dstack-{i}.sock"));
                tdx.push(
                    TdxProver::start(&format!("tdx-{i}"), &socket, &quorum, crate::tdx::devnet_vm(), settings).await?,
                );
            }
            tdx_dir = Some(dir);
        }
        let (cluster, witness_rpc) = match &provers {
            Provers::Local(_) | Provers::Tdx(_) => (None, None),
            Provers::Cluster(_, files) => {
                let witness_rpc = WitnessRpc::start(&l2.url, &chain).await?;
                let on_l1 =
                    ClusterL1 { rpc: l1.url.clone(), verifier: addresses.tee, multi_proof: addresses.multi_proof };
                let cluster = PinkCluster::spawn(files, n, (&witness_rpc.url, &chain), L1_CHAIN_ID, &on_l1)?;
                (Some(cluster), Some(witness_rpc))
            }
        };
        let devnet =
            Self { l1, l2, chain, addresses, prover_keys, beneficiaries, quorum, cluster, witness_rpc, tdx, tdx_dir };
        if devnet.tdx.is_empty() {
            for (i, p) in devnet.provers()?.iter().enumerate() {
                l1::register(&devnet.l1.url, &devnet.addresses, &devnet.quorum, p.address(), devnet.beneficiaries[i])
                    .await?;
            }
        } else {
            for (p, beneficiary) in devnet.tdx.iter().zip(&devnet.beneficiaries) {
                crate::tdx::register(&devnet.l1.url, &devnet.addresses, &devnet.quorum, p, *beneficiary).await?;
            }
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
        Ok(LocalProver::new(&format!("prover-{i}"), &self.l2.url, key, self.domain(), self.chain.clone())?)
    }

    /// Every prover of this devnet: the cluster's contracts (fetching their witnesses themselves),
    /// or the development provers.
    pub fn provers(&self) -> Result<Vec<Arc<dyn TeeProver>>, DevnetError> {
        self.provers_with(WitnessSource::Contract)
    }

    /// [`Self::provers`], the contracts' witnesses fetched by `source`.
    pub fn provers_with(&self, source: WitnessSource) -> Result<Vec<Arc<dyn TeeProver>>, DevnetError> {
        if !self.tdx.is_empty() {
            return Ok(self
                .tdx
                .iter()
                .map(|p| {
                    Arc::new(ClusterProver::service(&p.name, &p.url, p.address, self.domain(), self.chain.clone()))
                        as Arc<dyn TeeProver>
                })
                .collect());
        }
        match &self.cluster {
            Some(c) => Ok(c
                .provers
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let name = format!("contract-{i}");
                    let witness = (source, self.l2.url.as_str(), self.chain.clone());
                    Arc::new(ClusterProver::new(&name, (&c.url, i), p.address, self.domain(), witness))
                        as Arc<dyn TeeProver>
                })
                .collect()),
            None => {
                (0..self.prover_keys.len()).map(|i| Ok(Arc::new(self.local_prover(i)?) as Arc<dyn TeeProver>)).collect()
            }
        }
    }

    /// The relayer's config for this devnet; the L2's chain config is written beside `db`.
    pub fn relayer_config(&self, db: &Path, feed: SocketAddr) -> Result<Config, DevnetError> {
        let chain_config = db.with_file_name("l2-chain.json");
        std::fs::write(&chain_config, phat_witness::files::chain_config_json(&self.chain).to_string())
            .map_err(|e| DevnetError::L1(format!("{}: {e}", chain_config.display())))?;
        Ok(Config {
            // anvil derives nothing from L1: the devnet proposes its latest blocks (devnet mode).
            l2: L2Config {
                rpc: self.l2.url.clone(),
                chain_config,
                first_block: GENESIS_BLOCK + 1,
                head: HeadTag::Latest,
            },
            l1: L1Config {
                rpc: self.l1.url.clone(),
                settlement: self.addresses.settlement,
                key_env: String::new(),
                propose: true,
            },
            zk: ZkConfig { stand_in: Some(self.addresses.zk_stand_in) },
            provers: Vec::new(),
            relayer: ServiceConfig {
                db: db.to_path_buf(),
                feed,
                poll_ms: 100,
                prover_timeout_ms: 10_000,
                batch_blocks: 1,
                devnet: true,
            },
            // The relayer follows the rollup's subscription: it checks the subscription pays for
            // this settlement's proofs and proves nothing while it is paused.
            registry: self.cluster.as_ref().map(|c| RegistryConfig {
                url: c.url.clone(),
                rollup: c.rollup,
                follow_subscription: true,
                ..Default::default()
            }),
        })
    }
}

fn l1_err(e: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1(e.to_string())
}
