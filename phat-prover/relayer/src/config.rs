//! The relayer's config file (TOML). Secrets are never in the file: it names the environment
//! variables that hold them.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy_primitives::Address;
use serde::Deserialize;

use crate::{error::RelayerError, prover::WitnessSource};

/// The whole config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub l2: L2Config,
    pub l1: L1Config,
    #[serde(default)]
    pub zk: ZkConfig,
    /// Provers named in the file; more can be attached by the embedding program (the devnet
    /// attaches its Phat contracts).
    #[serde(default)]
    pub provers: Vec<ProverConfig>,
    pub relayer: ServiceConfig,
    /// The Phala-side `phat-registry` to report each settled proof to (rewards for the prover's
    /// pool and stakers); none: no reporting.
    #[serde(default)]
    pub registry: Option<RegistryConfig>,
}

/// Where accepted proofs are reported: a pink cluster's `phat-cluster` service hosting
/// `phat-registry`, which acts as the registry's appointed relayer account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    pub url: String,
    /// The rollup's id in the registry.
    pub rollup: u32,
    /// Follow the rollup's subscription in the registry: at start its L2 chain id, L1 chain id
    /// and L1 verifier must be the settlement's (an error otherwise); while it is paused, the
    /// relayer proves nothing (status: "subscription paused") and resumes when it is resumed.
    /// Read at start and every few seconds.
    #[serde(default)]
    pub follow_subscription: bool,
    /// With `follow_subscription`: the L2 endpoint is the subscription's `rpc` (read at start),
    /// not `l2.rpc`.
    #[serde(default)]
    pub l2_rpc_from_subscription: bool,
}

/// The rollup's L2 node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L2Config {
    /// The L2 node; may be left out with `registry.l2_rpc_from_subscription`.
    #[serde(default)]
    pub rpc: String,
    /// The rollup's chain config (a geth genesis `config` object, or a genesis file): the rules
    /// its blocks are executed under. Its hash must be the one L1 expects for the rollup.
    pub chain_config: PathBuf,
    /// First block to prove when the store is empty and L1 has nothing after it.
    #[serde(default = "default_first_block")]
    pub first_block: u64,
    /// Which of the node's blocks is the head the relayer proves (and proposes) up to.
    #[serde(default)]
    pub head: HeadTag,
}

/// The L2 node's block the relayer takes as its head: it proves, and proposes, nothing after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadTag {
    /// The node's `safe` block: for a rollup node, one derived from what the rollup committed to
    /// L1 (its batches), so a proposal never gets ahead of the rollup's own L1 data. The default.
    #[default]
    Safe,
    /// The node's `finalized` block: derived from L1 data that L1 has finalized.
    Finalized,
    /// The node's `latest` block: whatever the sequencer made last, committed nowhere yet. A local
    /// devnet only (`relayer.devnet = true`; anvil derives nothing from L1).
    Latest,
}

impl HeadTag {
    /// The JSON-RPC block tag.
    pub fn tag(self) -> alloy::eips::BlockNumberOrTag {
        match self {
            Self::Safe => alloy::eips::BlockNumberOrTag::Safe,
            Self::Finalized => alloy::eips::BlockNumberOrTag::Finalized,
            Self::Latest => alloy::eips::BlockNumberOrTag::Latest,
        }
    }
}

fn default_first_block() -> u64 {
    1
}

/// L1 and the rollup's settlement contract.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L1Config {
    pub rpc: String,
    /// `RollupSettlement` of the rollup.
    pub settlement: Address,
    /// Environment variable holding the relayer's L1 key (hex).
    pub key_env: String,
    /// Whether the relayer proposes blocks itself, up to `l2.head` (it must hold `PROPOSER_ROLE`);
    /// opt-in. Otherwise (the default) it proves the proposals the rollup's proposer makes.
    #[serde(default)]
    pub propose: bool,
}

/// Where zk proofs come from. The rollup's zk prover is outside this system; the devnet uses the
/// stand-in contract, named as one. Without a source, proofs go TEE-first (soft finality: final
/// after the delay if the proposal's proof mix, which the relayer has drawn, says it needs no zk).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZkConfig {
    /// A `RollupZkVerifierStandIn` whose `proofFor` gives the proof it accepts (devnet only).
    pub stand_in: Option<Address>,
}

/// A prover the relayer asks.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ProverConfig {
    /// The stateless STF in this process, signing with a key from the environment: a development
    /// prover, not a TEE (its key is not attested unless registered like any other).
    Local { name: String, key_env: String },
    /// A `phat-prover` contract in a pink cluster (`phat-cluster` at `url`, contract `index`),
    /// whose current key has `address`. `witness`: `"contract"` (default: the contract fetches
    /// it from its own L2 RPC) or `"relayer"` (the relayer fetches it and sends the bundle).
    PhatCluster {
        name: String,
        url: String,
        index: usize,
        address: Address,
        #[serde(default)]
        witness: WitnessSource,
    },
    /// A prover service (`phat-prover serve`, in an Intel TDX confidential VM on dstack) at
    /// `url`. Its key is made in the VM at start: `address` when given must be that key's (else
    /// the relayer asks the service at start, `GET /v1/prover`); the pool checks every signature
    /// against it, and L1 against the registry.
    Service {
        name: String,
        url: String,
        #[serde(default)]
        address: Option<Address>,
    },
}

/// The service itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The embedded store (redb file): what was proven and settled, to resume after a restart.
    pub db: PathBuf,
    /// Where the proof feed listens (HTTP: `/status`, `/proofs/{block}`, `/events`, `/metrics`).
    pub feed: SocketAddr,
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    #[serde(default = "default_prover_timeout_ms")]
    pub prover_timeout_ms: u64,
    /// Most blocks settled with one batch TEE-proof (1: a proof per block). A batch takes the
    /// blocks waiting at that moment, up to this many: a relayer that keeps up settles block by
    /// block, one that falls behind catches up in batches. Only with `l1.propose` (the batch is
    /// proposed as one range); otherwise blocks go one by one.
    #[serde(default = "default_batch_blocks")]
    pub batch_blocks: u64,
    /// A local devnet: allows `l2.head = "latest"`.
    #[serde(default)]
    pub devnet: bool,
}

fn default_batch_blocks() -> u64 {
    1
}

fn default_poll_ms() -> u64 {
    250
}

fn default_prover_timeout_ms() -> u64 {
    10_000
}

impl ServiceConfig {
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms)
    }

    pub fn prover_timeout(&self) -> Duration {
        Duration::from_millis(self.prover_timeout_ms)
    }
}

impl Config {
    /// Parses a config file's text.
    pub fn parse(text: &str) -> Result<Self, RelayerError> {
        let config: Self = toml::from_str(text).map_err(|e| RelayerError::Config(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses combinations that would be unsafe outside a devnet: proving or proposing the
    /// node's `latest` blocks, which nothing on L1 backs yet.
    pub fn check(&self) -> Result<(), RelayerError> {
        if self.l2.head == HeadTag::Latest && !self.relayer.devnet {
            return Err(RelayerError::Config(
                "l2.head = \"latest\" takes blocks no L1 commitment backs: only with relayer.devnet = true \
                 (use \"safe\" or \"finalized\")"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Reads and parses a config file.
    pub fn read(path: &std::path::Path) -> Result<Self, RelayerError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| RelayerError::Config(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }
}

/// The value of environment variable `name`, or a clear error.
pub fn secret(name: &str) -> Result<String, RelayerError> {
    std::env::var(name).map_err(|_| RelayerError::Config(format!("environment variable {name} is not set")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../relayer.example.toml");

    #[test]
    fn example_config_parses() {
        let c = Config::parse(EXAMPLE).expect("example parses");
        assert_eq!(c.provers.len(), 3);
        assert!(
            matches!(&c.provers[1], ProverConfig::Service { url, address: None, .. } if url == "https://prover-0.example")
        );
        assert!(matches!(&c.provers[0], ProverConfig::PhatCluster { index: 0, witness: WitnessSource::Relayer, .. }));
        assert_eq!(c.registry.as_ref().map(|r| (r.rollup, r.follow_subscription)), Some((0, true)));
        assert!(c.l1.propose);
        assert_eq!(c.l2.head, HeadTag::Safe);
        assert_eq!(c.relayer.prover_timeout(), Duration::from_secs(10));
    }

    /// Proposing is opt-in; the head is the node's safe block unless set; `latest` only in a devnet.
    #[test]
    fn proposing_is_opt_in_and_latest_is_for_devnets_only() {
        let quiet: String = EXAMPLE.lines().filter(|l| !l.starts_with("propose =")).map(|l| format!("{l}\n")).collect();
        let c = Config::parse(&quiet).expect("parses");
        assert!(!c.l1.propose, "no propose key: the relayer proves others' proposals");
        let finalized = EXAMPLE.replace("head = \"safe\"", "head = \"finalized\"");
        assert_eq!(Config::parse(&finalized).expect("parses").l2.head, HeadTag::Finalized);
        let latest = EXAMPLE.replace("head = \"safe\"", "head = \"latest\"");
        let refused = Config::parse(&latest).expect_err("latest outside a devnet");
        assert!(refused.to_string().contains("relayer.devnet"), "{refused}");
        let devnet = latest.replace("[relayer]\n", "[relayer]\ndevnet = true\n");
        assert_eq!(Config::parse(&devnet).expect("a devnet may").l2.head, HeadTag::Latest);
    }

    #[test]
    fn unknown_keys_and_kinds_are_refused() {
        let typo = EXAMPLE.replace("poll_ms", "pol_ms");
        assert!(matches!(Config::parse(&typo), Err(RelayerError::Config(_))));
        let kind = EXAMPLE.replace("kind = \"local\"", "kind = \"quantum\"");
        assert!(matches!(Config::parse(&kind), Err(RelayerError::Config(_))));
    }
}
