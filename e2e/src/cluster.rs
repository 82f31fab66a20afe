//! A local pink cluster (`phat-cluster`, built from `phat-prover/pink-cluster` by `make
//! test-contracts` / `make devnet`): the `phat-prover` release wasm as N contracts, and
//! `phat-registry` with a pool and two stakers per prover and the rollup subscribed, in the real
//! pink runtime. It runs as a child process, stopped when dropped.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use alloy::primitives::Address;
use serde::Deserialize;

use crate::error::DevnetError;

/// Where the cluster's binary and the contract bundles are.
#[derive(Debug, Clone)]
pub struct ClusterFiles {
    /// The `phat-cluster` binary.
    pub bin: PathBuf,
    /// The folder holding `phat_prover.wasm` and `phat_registry.wasm`.
    pub bundles: PathBuf,
}

/// One prover contract, as the cluster reports it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterProverInfo {
    /// The contract's account (hex).
    pub contract: String,
    /// Its current key's Ethereum address.
    pub address: Address,
    /// The L1 account its `relay` sends from.
    pub relay_address: Address,
    pub key_epoch: u32,
}

#[derive(Deserialize)]
struct Started {
    listen: String,
    provers: Vec<ClusterProverInfo>,
    rollup: Option<u32>,
}

/// What the contracts are bound to and relay through on L1.
#[derive(Debug, Clone)]
pub struct ClusterL1 {
    pub rpc: String,
    /// The `TeeVerifier` (the proofs' domain).
    pub verifier: Address,
    /// The `MultiProofVerifier` `relay` submits to.
    pub multi_proof: Address,
}

/// A running cluster.
pub struct PinkCluster {
    child: Child,
    /// `http://host:port` of its service.
    pub url: String,
    pub provers: Vec<ClusterProverInfo>,
    /// The rollup's id in the registry.
    pub rollup: u32,
}

impl PinkCluster {
    /// Starts `count` prover contracts bound to (`l1_chain_id`, `l1.verifier`) and configured with
    /// the L2's `chain` config, fetching from `l2_rpc` and relaying through `l1.rpc` to
    /// `l1.multi_proof`, and the registry; returns once they are deployed and the service listens.
    pub fn spawn(
        files: &ClusterFiles,
        count: usize,
        (l2_rpc, chain): (&str, &phat_prover_core::ChainConfig),
        l1_chain_id: u64,
        l1: &ClusterL1,
    ) -> Result<Self, DevnetError> {
        let fail = |e: String| DevnetError::Cluster(format!("{}: {e}", files.bin.display()));
        let bundle = |name: &str| -> PathBuf { files.bundles.join(name) };
        let mut child = Command::new(&files.bin)
            .arg("--prover-wasm")
            .arg(bundle("phat_prover.wasm"))
            .arg("--registry-wasm")
            .arg(bundle("phat_registry.wasm"))
            .args(["--provers", &count.to_string(), "--l2-rpc", l2_rpc])
            .args(["--chain-config", &alloy::primitives::hex::encode_prefixed(chain.to_canonical())])
            .args(["--l1-chain-id", &l1_chain_id.to_string()])
            .args(["--verifier", &l1.verifier.to_string()])
            .args(["--l1-rpc", &l1.rpc, "--multi-proof", &l1.multi_proof.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| fail(e.to_string()))?;
        let mut line = String::new();
        let read = child.stdout.take().map(|out| BufReader::new(out).read_line(&mut line));
        let started = match read {
            Some(Ok(n)) if n > 0 => serde_json::from_str::<Started>(&line).map_err(|e| fail(format!("{e}: {line}"))),
            _ => Err(fail("exited before it was ready".into())),
        };
        let started = match started {
            Ok(s) => s,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let Some(rollup) = started.rollup else {
            let _ = child.kill();
            return Err(fail("no registry deployed".into()));
        };
        Ok(Self { child, url: format!("http://{}", started.listen), provers: started.provers, rollup })
    }

    /// The cluster's files as `make` builds them under `target` (`$CARGO_TARGET_DIR`).
    pub fn files_in(target: &Path) -> ClusterFiles {
        ClusterFiles { bin: target.join("drink/release/phat-cluster"), bundles: target.join("bundles") }
    }
}

impl Drop for PinkCluster {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
