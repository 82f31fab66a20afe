//! The OP Stack devnet: the devnet's L1 (contracts, attestation-gated registry, registered
//! provers), an OP-mode anvil as the L2 (its blocks built as a sequencer builds them: the
//! L1-attributes deposit naming the L1 head, user deposits, transactions), the chain's
//! `OpOutputOracle` on L1 anchored at L2 block 1, and the OP relayer proposing the proven output
//! roots, 1-of-N.
//!
//! What stands in: the provers are development keys (registered through the same quorum path as
//! the Ethereum devnet's), the L2 derives nothing from L1 (the devnet plays the sequencer), and
//! the chain config carries the named relaxation `phatDevnetAnvilOp` (anvil's EIP-1559 parameters
//! and its deposit-receipt nonce). The Ethereum devnet's L2 runs idle beside it.

use std::{path::Path, process::Command, sync::Arc, time::Duration};

use alloy::{
    primitives::{Address, B256},
    providers::ProviderBuilder,
};
use phat_devkit::{Anvil, DEV_KEY, L1Ref, OpTraffic, op::output_root_at, op_l2_chain_config, spawn_op_l2};
use phat_prover_core::{ProofDomain, op::OpChainConfig};
use phat_relayer::{
    config::HeadTag,
    op::{LocalOpProver, OpOutputProver, OpOutputRelayer, OpRelayerConfig},
};

use crate::{Devnet, DevnetError, l1::keys};

/// The OP devnet L2's chain id.
pub const OP_L2_CHAIN_ID: u64 = 167_010;
/// The oracle is anchored at this L2 block (anvil's block 1 keeps the genesis base fee, which
/// EIP-1559 would not give it: the first provable block is 2).
pub const OP_ANCHOR_BLOCK: u64 = 1;

/// A running OP devnet; its nodes stop when it is dropped.
pub struct OpDevnet {
    /// L1, the registry and the registered provers' keys.
    pub devnet: Devnet,
    /// The OP L2.
    pub l2: Anvil,
    /// Its chain config (what the oracle expects the proofs to be made under).
    pub chain: OpChainConfig,
    /// The chain's `OpOutputOracle`.
    pub oracle: Address,
    traffic: OpTraffic,
}

fn err(e: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1(e.to_string())
}

impl OpDevnet {
    /// Starts L1 with `provers` registered provers, the OP L2 with its anchor block, and deploys
    /// the oracle from `repo`'s contracts.
    pub async fn start(repo: &Path, provers: usize) -> Result<Self, DevnetError> {
        let devnet = Devnet::start(repo, provers).await?;
        let l2 = spawn_op_l2(OP_L2_CHAIN_ID)?;
        let chain = op_l2_chain_config(OP_L2_CHAIN_ID);
        let mut traffic = OpTraffic::start(&l2.url, DEV_KEY).await?;
        let l1 = ProviderBuilder::new().connect_http(devnet.l1.url.parse().map_err(err)?);
        let (anchor, _) = traffic.block(&L1Ref::latest(&l1).await?).await?;
        let anchor_root = output_root_at(&l2.url, anchor).await?;
        let oracle = deploy_oracle(repo, &devnet.l1.url, devnet.addresses.tee, &chain, anchor, anchor_root)?;
        Ok(Self { devnet, l2, chain, oracle, traffic })
    }

    /// Mines the next L2 block on the current L1 head; returns its number and what it did.
    pub async fn block(&mut self) -> Result<(u64, String), DevnetError> {
        let l1 = ProviderBuilder::new().connect_http(self.devnet.l1.url.parse().map_err(err)?);
        Ok(self.traffic.block(&L1Ref::latest(&l1).await?).await?)
    }

    /// The domain every OP proof of this devnet is bound to (prover left zero).
    pub fn domain(&self) -> ProofDomain {
        ProofDomain { l2_chain_id: OP_L2_CHAIN_ID, ..self.devnet.domain() }
    }

    /// Every prover of the devnet, as OP provers (the same registered keys).
    pub fn provers(&self) -> Result<Vec<Arc<dyn OpOutputProver>>, DevnetError> {
        let domain = self.domain();
        self.devnet
            .prover_keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let prover =
                    LocalOpProver::new(&format!("op-prover-{i}"), &self.l2.url, key, domain, self.chain.clone())?;
                Ok(Arc::new(prover) as Arc<dyn OpOutputProver>)
            })
            .collect()
    }

    /// The OP relayer over `provers`, proposing at most `max_blocks` blocks per proof.
    pub async fn relayer(
        &self,
        provers: Vec<Arc<dyn OpOutputProver>>,
        max_blocks: u64,
    ) -> Result<OpOutputRelayer, DevnetError> {
        let config = OpRelayerConfig {
            l2_rpc: self.l2.url.clone(),
            // anvil derives nothing from L1: the devnet proposes its latest blocks.
            head: HeadTag::Latest,
            l1_rpc: self.devnet.l1.url.clone(),
            oracle: self.oracle,
            l1_key: keys::ADMIN.into(),
            max_blocks,
            prover_timeout: Duration::from_secs(30),
        };
        Ok(OpOutputRelayer::connect(config, &self.chain, provers).await?)
    }
}

/// Deploys the chain's `OpOutputOracle` with forge, anchored at `anchor` / `root`.
fn deploy_oracle(
    repo: &Path,
    l1_rpc: &str,
    tee: Address,
    chain: &OpChainConfig,
    anchor: u64,
    root: B256,
) -> Result<Address, DevnetError> {
    let forge = phat_devkit::tools::foundry("forge");
    let out = Command::new(&forge)
        .current_dir(repo.join("evm-contracts"))
        .args(["create", "src/OpOutputOracle.sol:OpOutputOracle", "--rpc-url", l1_rpc, "--private-key", keys::ADMIN])
        .args(["--broadcast", "--json", "--constructor-args"])
        .args([
            tee.to_string(),
            chain.chain_id().to_string(),
            chain.hash().to_string(),
            anchor.to_string(),
            root.to_string(),
        ])
        .output()
        .map_err(|e| DevnetError::Deploy(format!("{}: {e}", forge.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(DevnetError::Deploy(format!(
            "forge create failed: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    // One JSON object, possibly over several lines, after any compiler output.
    let json = stdout.find('{').map(|start| &stdout[start..]).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("deployedTo")?.as_str()?.parse().ok())
        .ok_or_else(|| DevnetError::Deploy(format!("no deployedTo in forge output: {stdout}")))
}
