//! What the CLI tests share: running the `phat-prover` binary as a user does, a temp folder, the
//! test key.

#![allow(dead_code)] // each test binary uses its own part of this

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// A secp256k1 test key (never a TEE key).
pub const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
/// The L1 verifier address the proofs are bound to.
pub const VERIFIER: &str = "0x00000000000000000000000000000000000a11ce";

/// The outcome of one `phat-prover` run.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `phat-prover args…` with logging off.
pub fn phat_prover(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_phat-prover")).args(args).env("RUST_LOG", "off").output().expect("run");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// A chain config file (geth genesis `config` shape) of chain `chain_id` with every fork through
/// `last` (`"cancun"`, `"prague"`, `"osaka"`) from genesis, written into `dir`.
pub fn chain_config(dir: &Dir, chain_id: u64, last: &str) -> PathBuf {
    let forks = ["shanghai", "cancun", "prague", "osaka"];
    let mut config = serde_json::json!({ "chainId": chain_id, "terminalTotalDifficulty": 0 });
    for fork in forks.iter().take(forks.iter().position(|f| *f == last).expect("a known fork") + 1) {
        config[format!("{fork}Time")] = serde_json::json!(0);
    }
    let path = dir.path(&format!("chain-{chain_id}-{last}.json"));
    std::fs::write(&path, config.to_string()).expect("write");
    path
}

/// The chain config file of an anvil L2 of chain `chain_id` (`phat_devkit::l2_chain_config`: Prague
/// from genesis, with the devnet rule for anvil's missing request contracts), written into `dir`.
pub fn anvil_chain_config(dir: &Dir, chain_id: u64) -> PathBuf {
    let config = phat_witness::files::chain_config_json(&phat_devkit::l2_chain_config(chain_id));
    let path = dir.path(&format!("anvil-{chain_id}.json"));
    std::fs::write(&path, config.to_string()).expect("write");
    path
}

/// `phat-prover prove --witness W --chain-config C --key KEY --verifier VERIFIER --out P`.
pub fn prove(witness: &Path, config: &Path, proof: &Path) -> Run {
    phat_prover(&[
        "prove",
        "--witness",
        witness.to_str().expect("utf8"),
        "--chain-config",
        config.to_str().expect("utf8"),
        "--key",
        KEY,
        "--verifier",
        VERIFIER,
        "--out",
        proof.to_str().expect("utf8"),
    ])
}

/// The address of [`KEY`].
pub fn signer() -> alloy_primitives::Address {
    let key = phat_prover_core::LocalSigner::from_bytes(&KEY.parse().expect("key")).expect("key");
    phat_prover_core::Signer::address(&key)
}

/// A fresh folder under the system temp dir, removed on drop.
pub struct Dir(PathBuf);

impl Dir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("phat-prover-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
