//! What the fuzz targets and the seed generator share: the chain configs `stf_eest` runs blocks
//! under, and its input format.
//!
//! `stf_eest` input: one header byte, then a witness bundle (v2):
//!
//! ```text
//! config selector (1 byte: index into chain_configs(), modulo its length) ‖ WitnessBundle bytes
//! ```
//!
//! A mutated selector is always a valid config (another fork, or a transition at 15 000), so every
//! execution reaches the STF; the bundle bytes carry the block, its ancestors and the witness.

use std::sync::OnceLock;

use phat_prover_core::{ChainConfig, ChainConfigParts, Fork, chain::BlobSchedule};

/// Chain id of the Ethereum test chain (and of every config here).
pub const CHAIN_ID: u64 = 1;
/// Timestamp of the second fork in an `AToBAtTime15k` transition test.
pub const TRANSITION_TIME: u64 = phat_prover_core::chain::TEST_TRANSITION_TIME;

/// The BPO forks' blob schedules of the execution spec tests (BPO5 has none there: BPO4's).
const BPO_SCHEDULES: [(Fork, BlobSchedule); 5] = [
    (Fork::Bpo1, BlobSchedule { target: 10, max: 15, base_fee_update_fraction: 8_346_193 }),
    (Fork::Bpo2, BlobSchedule { target: 14, max: 21, base_fee_update_fraction: 11_684_671 }),
    (Fork::Bpo3, BlobSchedule { target: 21, max: 32, base_fee_update_fraction: 20_609_697 }),
    (Fork::Bpo4, BlobSchedule { target: 14, max: 21, base_fee_update_fraction: 13_739_630 }),
    (Fork::Bpo5, BlobSchedule { target: 14, max: 21, base_fee_update_fraction: 13_739_630 }),
];

/// Every config `stf_eest` selects from, chain id 1: each fork from genesis (Paris … BPO5), then
/// each fork followed by the next at [`TRANSITION_TIME`] — the networks of the execution spec tests
/// (`Prague`, `CancunToPragueAtTime15k`, `BPO2ToBPO3AtTime15k`, …), built as
/// `phat-prover ethtest` builds them.
pub fn chain_configs() -> &'static [ChainConfig] {
    static CONFIGS: OnceLock<Vec<ChainConfig>> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let mut configs = Vec::new();
        for (i, fork) in Fork::ALL.into_iter().enumerate() {
            configs.push(config(fork, None));
            if let Some(next) = Fork::ALL.get(i + 1) {
                configs.push(config(fork, Some(*next)));
            }
        }
        configs
    })
}

/// `first` from genesis, then `second` at [`TRANSITION_TIME`].
fn config(first: Fork, second: Option<Fork>) -> ChainConfig {
    let mut parts = ChainConfigParts::from_genesis_up_to(CHAIN_ID, first);
    if let Some(second) = second {
        parts = parts.with_fork(second, TRANSITION_TIME);
    }
    let scheduled: Vec<Fork> = parts.fork_times.iter().map(|(f, _)| *f).collect();
    parts.blob_schedule = BPO_SCHEDULES.into_iter().filter(|(f, _)| scheduled.contains(f)).collect();
    ChainConfig::new(parts).expect("a valid chain config")
}

/// The selector of `chain` in [`chain_configs`], if it is there.
pub fn selector(chain: &ChainConfig) -> Option<u8> {
    chain_configs().iter().position(|c| c == chain).map(|i| i as u8)
}

/// Splits an `stf_eest` input into its chain config and bundle bytes.
pub fn split_stf_input(data: &[u8]) -> Option<(&'static ChainConfig, &[u8])> {
    let (&selector, bundle) = data.split_first()?;
    let configs = chain_configs();
    Some((&configs[usize::from(selector) % configs.len()], bundle))
}

/// The config the `witness_bundle` target executes every bundle under: Osaka from genesis.
pub fn osaka() -> &'static ChainConfig {
    static OSAKA: OnceLock<ChainConfig> = OnceLock::new();
    OSAKA.get_or_init(|| config(Fork::Osaka, None))
}
