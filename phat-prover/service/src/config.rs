//! The service's configuration file (TOML). What it names is what the service proves under and
//! binds its key to; the chain config is read from a file inside the VM's image or compose (so it
//! is measured), never from the L2 node or a request.

use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use serde::Deserialize;

use crate::error::ServiceError;

/// `service.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the HTTP API listens.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The L2 node: blocks and witnesses (`debug_executionWitness`, or `eth_getProof` and
    /// `prestateTracer`), checked against the chain config and by the STF.
    pub l2_rpc: String,
    /// The L2's chain config file (a geth genesis `config` object, or a genesis holding one): an
    /// Ethereum-rules L2, proven block by block.
    #[serde(default)]
    pub chain_config: Option<PathBuf>,
    /// Or an OP Stack chain's rollup config (op-node's `rollup.json`): proven as output roots
    /// (`/v1/prover/prove-op-output/{first}/{count}`). Exactly one of the two.
    #[serde(default)]
    pub rollup_config: Option<PathBuf>,
    /// The dstack guest agent's socket.
    #[serde(default = "default_dstack_socket")]
    pub dstack_socket: PathBuf,
    pub l1: L1Config,
    #[serde(default)]
    pub limits: LimitsConfig,
}

/// The L1 side every proof and the registration are bound to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L1Config {
    pub chain_id: u64,
    /// The `TeeVerifier` (it is the `ProverRegistry`).
    pub verifier: Address,
}

/// How much work the service takes at once.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Most blocks in one batch proof.
    #[serde(default = "default_max_batch")]
    pub max_batch: u64,
    /// Requests worked on at once (a block, a batch, a refusal or a quote, from the fetch on);
    /// more are answered 503.
    #[serde(default = "default_stf_slots")]
    pub stf_slots: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self { max_batch: default_max_batch(), stf_slots: default_stf_slots() }
    }
}

fn default_listen() -> String {
    "0.0.0.0:8080".into()
}

/// Where dstack mounts its guest agent in an app's containers.
pub const DSTACK_SOCKET: &str = "/var/run/dstack.sock";

fn default_dstack_socket() -> PathBuf {
    DSTACK_SOCKET.into()
}

fn default_max_batch() -> u64 {
    64
}

fn default_stf_slots() -> usize {
    2
}

impl Config {
    /// Parses a config file's text.
    pub fn parse(text: &str) -> Result<Self, ServiceError> {
        let config: Self = toml::from_str(text)?;
        if config.chain_config.is_some() == config.rollup_config.is_some() {
            return Err(ServiceError::BadRequest("give exactly one of chain_config and rollup_config".into()));
        }
        if config.limits.max_batch == 0 || config.limits.stf_slots == 0 {
            return Err(ServiceError::BadRequest("limits.max_batch and limits.stf_slots must be at least 1".into()));
        }
        Ok(config)
    }

    /// Reads and parses the config file at `path`.
    pub fn load(path: &Path) -> Result<Self, ServiceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ServiceError::ConfigRead { path: path.to_owned(), source })?;
        Self::parse(&text)
    }
}
