//! The chain configuration: the one source of the rules the STF applies.
//!
//! A [`ChainConfig`] names the L2 chain and when each post-merge fork activates: Paris from genesis,
//! then Shanghai, Cancun, Prague, Osaka and the blob-parameter-only forks BPO1–BPO5 at any
//! timestamp, with each blob-carrying fork's blob schedule. It comes from configuration — a geth
//! genesis `config` object (feature `genesis`), or its canonical encoding stored by the Phat
//! contract — and never from a block, a witness or a node. Every TEE-proof commits to
//! [`ChainConfig::hash`], so a proof made under other rules is refused on L1.
//!
//! The rules themselves are revm's and alloy-evm's ([`EthereumHardforks`] below drives them); the
//! header rules that no crate checks are in [`crate::stf`].
//!
//! Refused here, with a [`ConfigError`]: a chain that has not merged, forks out of order, a blob
//! schedule missing for a BPO fork or out of range. Refused at execution, with a [`ForkError`]: a
//! block at or after a fork this STF does not implement (Amsterdam and later, or any fork the
//! config names that this build does not know).

use alloc::vec::Vec;
use alloy_eips::{eip4844::BLOB_TX_MIN_BLOB_GASPRICE, eip7594::MAX_BLOBS_PER_TX_FUSAKA, eip7840::BlobParams};
use alloy_evm::eth::spec::EthExecutorSpec;
use alloy_hardforks::{EthereumChainHardforks, EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::{SolValue, sol};

use crate::error::{ConfigError, ForkError, TestNetworkError};

/// The post-merge forks the STF implements, in activation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fork {
    /// The merge: proof of stake, no ommers, PREVRANDAO.
    Paris,
    /// EIP-4895 withdrawals, PUSH0, EIP-3860 initcode limit.
    Shanghai,
    /// EIP-4844 blobs, EIP-4788 beacon root, EIP-1153, EIP-6780.
    Cancun,
    /// EIP-2935 history, EIP-7002/7251 requests, EIP-7685 requests hash, EIP-7702, EIP-7623, EIP-7691.
    Prague,
    /// EIP-7594 blobs per tx, EIP-7823/7883 modexp, EIP-7825 tx gas cap, EIP-7918 blob reserve
    /// price, EIP-7934 block size cap, EIP-7939 CLZ, EIP-7951 P256VERIFY.
    Osaka,
    /// Blob-parameter-only fork 1 (EIP-7892): Osaka rules, its own blob schedule.
    Bpo1,
    /// Blob-parameter-only fork 2.
    Bpo2,
    /// Blob-parameter-only fork 3.
    Bpo3,
    /// Blob-parameter-only fork 4.
    Bpo4,
    /// Blob-parameter-only fork 5.
    Bpo5,
}

impl Fork {
    /// Every fork, in activation order.
    pub const ALL: [Fork; 10] = [
        Fork::Paris,
        Fork::Shanghai,
        Fork::Cancun,
        Fork::Prague,
        Fork::Osaka,
        Fork::Bpo1,
        Fork::Bpo2,
        Fork::Bpo3,
        Fork::Bpo4,
        Fork::Bpo5,
    ];

    /// The forks activated by timestamp (all but Paris), in order.
    pub const TIMED: [Fork; 9] = [
        Fork::Shanghai,
        Fork::Cancun,
        Fork::Prague,
        Fork::Osaka,
        Fork::Bpo1,
        Fork::Bpo2,
        Fork::Bpo3,
        Fork::Bpo4,
        Fork::Bpo5,
    ];

    /// The forks that carry a blob schedule (Cancun on), in order.
    pub const WITH_BLOBS: [Fork; 8] =
        [Fork::Cancun, Fork::Prague, Fork::Osaka, Fork::Bpo1, Fork::Bpo2, Fork::Bpo3, Fork::Bpo4, Fork::Bpo5];

    /// The name geth's `blobSchedule` and the execution spec tests use, lower-cased.
    pub const fn name(self) -> &'static str {
        match self {
            Fork::Paris => "paris",
            Fork::Shanghai => "shanghai",
            Fork::Cancun => "cancun",
            Fork::Prague => "prague",
            Fork::Osaka => "osaka",
            Fork::Bpo1 => "bpo1",
            Fork::Bpo2 => "bpo2",
            Fork::Bpo3 => "bpo3",
            Fork::Bpo4 => "bpo4",
            Fork::Bpo5 => "bpo5",
        }
    }

    /// The fork named `name` (any case), if the STF implements it.
    pub fn from_name(name: &str) -> Option<Fork> {
        Fork::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    const fn timed_index(self) -> Option<usize> {
        match self {
            Fork::Paris => None,
            Fork::Shanghai => Some(0),
            Fork::Cancun => Some(1),
            Fork::Prague => Some(2),
            Fork::Osaka => Some(3),
            Fork::Bpo1 => Some(4),
            Fork::Bpo2 => Some(5),
            Fork::Bpo3 => Some(6),
            Fork::Bpo4 => Some(7),
            Fork::Bpo5 => Some(8),
        }
    }

    const fn blob_index(self) -> Option<usize> {
        match self.timed_index() {
            Some(i) if i >= 1 => Some(i - 1),
            _ => None,
        }
    }

    /// The blob schedule Ethereum fixed for this fork, where an EIP did (Cancun, Prague, Osaka);
    /// the BPO forks exist to set their own, so a config must give it.
    pub const fn default_blob_schedule(self) -> Option<BlobSchedule> {
        match self {
            Fork::Cancun => Some(BlobSchedule { target: 3, max: 6, base_fee_update_fraction: 3_338_477 }),
            Fork::Prague | Fork::Osaka => Some(BlobSchedule { target: 6, max: 9, base_fee_update_fraction: 5_007_716 }),
            _ => None,
        }
    }

    fn hardfork(self) -> EthereumHardfork {
        match self {
            Fork::Paris => EthereumHardfork::Paris,
            Fork::Shanghai => EthereumHardfork::Shanghai,
            Fork::Cancun => EthereumHardfork::Cancun,
            Fork::Prague => EthereumHardfork::Prague,
            Fork::Osaka => EthereumHardfork::Osaka,
            Fork::Bpo1 => EthereumHardfork::Bpo1,
            Fork::Bpo2 => EthereumHardfork::Bpo2,
            Fork::Bpo3 => EthereumHardfork::Bpo3,
            Fork::Bpo4 => EthereumHardfork::Bpo4,
            Fork::Bpo5 => EthereumHardfork::Bpo5,
        }
    }
}

impl core::fmt::Display for Fork {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// One fork's blob schedule (geth's `blobSchedule` entry; EIP-7840).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobSchedule {
    /// Target blobs per block.
    pub target: u64,
    /// Most blobs per block.
    pub max: u64,
    /// Denominator of the blob base fee's exponential update.
    pub base_fee_update_fraction: u64,
}

/// Most blobs per block a schedule may allow (4096 × 128 KiB: far beyond any proposal).
pub const MAX_BLOBS_PER_BLOCK: u64 = 4096;

/// The genesis-config JSON key of [`ChainConfigParts::devnet_absent_system_contracts`].
pub const DEVNET_ABSENT_SYSTEM_CONTRACTS: &str = "phatDevnetAbsentSystemContracts";

/// "Never" in the canonical encoding.
pub const NEVER: u64 = u64::MAX;

sol! {
    /// The canonical encoding of a chain config (`docs/proof-format.md`): `abi.encode` of this
    /// struct, all fields static. Fork times are `type(uint64).max` when the fork never activates;
    /// blob schedules are indexed Cancun, Prague, Osaka, BPO1 … BPO5, zero where the fork never
    /// activates.
    #[derive(Debug, PartialEq, Eq)]
    struct CanonicalChainConfig {
        bytes32 tag;
        uint256 chainId;
        uint64[9] forkTimes;
        uint64 unsupportedFrom;
        uint64[3][8] blobSchedule;
        address depositContract;
        bool devnetAbsentSystemContracts;
    }
}

/// `keccak256("phat-sgx-prover.chain-config.v1")`: the first word of the canonical encoding.
pub const CHAIN_CONFIG_TAG: B256 =
    alloy_primitives::b256!("0x9cd90ac750cbd830389a3b3be99faf42583d5bc77ba4a04b21356a9997c32da9");

/// Length of the canonical encoding: 1 + 1 + 9 + 1 + 24 + 1 + 1 words.
pub const CANONICAL_LEN: usize = 38 * 32;

/// The rules of one chain, validated: what the STF executes a block under.
#[derive(Debug, Clone)]
pub struct ChainConfig {
    chain_id: u64,
    /// Shanghai … BPO5 activation times, `None` = never; in order, each set fork at or after the
    /// previous one.
    fork_times: [Option<u64>; 9],
    /// Earliest activation of a fork this STF does not implement.
    unsupported_from: Option<u64>,
    /// Cancun … BPO5 schedules, present exactly for the forks that activate.
    blob_schedule: [Option<BlobSchedule>; 8],
    deposit_contract: Option<Address>,
    devnet_absent_system_contracts: bool,
    hardforks: EthereumChainHardforks,
    hash: B256,
}

/// A chain config before validation: what a caller assembles from a file or a test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainConfigParts {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Whether the chain has merged (a terminal total difficulty is set): required.
    pub merged: bool,
    /// Activation time of each timed fork (Shanghai … BPO5); absent = never.
    pub fork_times: Vec<(Fork, u64)>,
    /// Earliest activation time of a fork the STF does not implement (Amsterdam, …), if any.
    pub unsupported_from: Option<u64>,
    /// Blob schedules by fork; Cancun, Prague and Osaka default to their EIPs' values.
    pub blob_schedule: Vec<(Fork, BlobSchedule)>,
    /// EIP-6110 deposit contract, if the chain has one (L2s usually do not).
    pub deposit_contract: Option<Address>,
    /// **Devnet only** (anvil, which neither deploys the EIP-7002 / EIP-7251 request contracts nor
    /// runs their system calls): blocks whose request contracts have no code are accepted, where
    /// Prague's rules refuse them. Bound into the hash like every rule, so an L1 that expects a
    /// real chain's config refuses proofs made under it.
    pub devnet_absent_system_contracts: bool,
}

impl ChainConfigParts {
    /// A merged chain with every fork up to and including `last` active from genesis.
    pub fn from_genesis_up_to(chain_id: u64, last: Fork) -> Self {
        Self {
            chain_id,
            merged: true,
            fork_times: Fork::TIMED.into_iter().filter(|f| *f <= last).map(|f| (f, 0)).collect(),
            ..Self::default()
        }
    }

    /// Sets `fork`'s activation time (replacing an earlier setting).
    pub fn with_fork(mut self, fork: Fork, time: u64) -> Self {
        self.fork_times.retain(|(f, _)| *f != fork);
        self.fork_times.push((fork, time));
        self
    }
}

/// When an execution-spec test's `…AtTime15k` network activates its second fork.
pub const TEST_TRANSITION_TIME: u64 = 15_000;

impl ChainConfigParts {
    /// The rules an Ethereum execution-spec test names by its `network`: one fork from genesis
    /// (`Prague`), or a timed transition (`PragueToOsakaAtTime15k`: the second fork at
    /// [`TEST_TRANSITION_TIME`]), on chain `chain_id`, with the test's blob schedule by fork name.
    /// A schedule for a fork the network never reaches is dropped, as a node ignores it. The
    /// conformance runner and the fuzzer's seeds read tests through this one function.
    pub fn of_test_network<'a>(
        network: &str,
        chain_id: u64,
        blob_schedule: impl IntoIterator<Item = (&'a str, BlobSchedule)>,
    ) -> Result<Self, TestNetworkError> {
        let (first, second) = match network.split_once("To") {
            Some((a, rest)) => match rest.strip_suffix("AtTime15k") {
                Some(b) => (a, Some(b)),
                None => return Err(TestNetworkError::BlockTransition(network.into())),
            },
            None => (network, None),
        };
        let fork = |name: &str| {
            Fork::from_name(name)
                .ok_or_else(|| TestNetworkError::UnknownFork { network: network.into(), fork: name.into() })
        };
        let mut parts = Self::from_genesis_up_to(chain_id, fork(first)?);
        if let Some(second) = second {
            parts = parts.with_fork(fork(second)?, TEST_TRANSITION_TIME);
        }
        for (name, schedule) in blob_schedule {
            parts.blob_schedule.push((fork(name)?, schedule));
        }
        let scheduled: Vec<Fork> = parts.fork_times.iter().map(|(f, _)| *f).collect();
        parts.blob_schedule.retain(|(f, _)| scheduled.contains(f));
        Ok(parts)
    }
}

impl ChainConfig {
    /// Validates `parts` into the rules the STF applies.
    pub fn new(parts: ChainConfigParts) -> Result<Self, ConfigError> {
        if !parts.merged {
            return Err(ConfigError::PreMerge);
        }
        if parts.chain_id == 0 {
            return Err(ConfigError::ZeroChainId);
        }
        let mut fork_times = [None; 9];
        for (fork, time) in &parts.fork_times {
            let Some(i) = fork.timed_index() else { return Err(ConfigError::NotTimed(*fork)) };
            if fork_times[i].replace(*time).is_some() {
                return Err(ConfigError::Duplicate(*fork));
            }
        }
        // Each fork needs the one before it, no later than itself.
        let mut previous: Option<(Fork, Option<u64>)> = None;
        for (fork, time) in Fork::TIMED.into_iter().zip(fork_times) {
            if let (Some((before, before_time)), Some(time)) = (previous, time) {
                match before_time {
                    Some(t) if t <= time => {}
                    _ => return Err(ConfigError::ForkOrder { fork, before }),
                }
            }
            previous = Some((fork, time));
        }
        if fork_times.contains(&Some(NEVER)) || parts.unsupported_from == Some(NEVER) {
            return Err(ConfigError::TimeOutOfRange);
        }
        let mut blob_schedule = [None; 8];
        for (fork, schedule) in &parts.blob_schedule {
            let Some(i) = fork.blob_index() else { return Err(ConfigError::BlobScheduleForFork(*fork)) };
            if blob_schedule[i].replace(*schedule).is_some() {
                return Err(ConfigError::Duplicate(*fork));
            }
        }
        for fork in Fork::WITH_BLOBS {
            let (Some(t), Some(b)) = (fork.timed_index(), fork.blob_index()) else { continue };
            if fork_times[t].is_none() {
                // A schedule for a fork that never comes changes nothing: keep the encoding unique.
                blob_schedule[b] = None;
                continue;
            }
            let schedule =
                blob_schedule[b].or(fork.default_blob_schedule()).ok_or(ConfigError::MissingBlobSchedule(fork))?;
            if schedule.max == 0
                || schedule.max > MAX_BLOBS_PER_BLOCK
                || schedule.target > schedule.max
                || schedule.base_fee_update_fraction == 0
            {
                return Err(ConfigError::BlobScheduleOutOfRange(fork));
            }
            blob_schedule[b] = Some(schedule);
        }
        let unsupported_from = parts.unsupported_from;
        let mut config = Self {
            chain_id: parts.chain_id,
            fork_times,
            unsupported_from,
            blob_schedule,
            deposit_contract: parts.deposit_contract,
            devnet_absent_system_contracts: parts.devnet_absent_system_contracts,
            hardforks: hardforks(&fork_times),
            hash: B256::ZERO,
        };
        config.hash = keccak256(config.to_canonical());
        Ok(config)
    }

    /// EIP-155 chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// `keccak256` of [`Self::to_canonical`]: what a TEE-proof commits to.
    pub const fn hash(&self) -> B256 {
        self.hash
    }

    /// Activation time of `fork` (`Some(0)` for Paris, which is active from genesis).
    pub fn activation(&self, fork: Fork) -> Option<u64> {
        match fork.timed_index() {
            None => Some(0),
            Some(i) => self.fork_times[i],
        }
    }

    /// Earliest activation of a fork the STF does not implement.
    pub const fn unsupported_from(&self) -> Option<u64> {
        self.unsupported_from
    }

    /// EIP-6110 deposit contract.
    pub const fn deposit_contract(&self) -> Option<Address> {
        self.deposit_contract
    }

    /// Whether the devnet rule of [`ChainConfigParts::devnet_absent_system_contracts`] is on.
    pub const fn devnet_absent_system_contracts(&self) -> bool {
        self.devnet_absent_system_contracts
    }

    /// The fork in force at `timestamp`, or why no implemented fork is.
    pub fn fork_at(&self, timestamp: u64) -> Result<Fork, ForkError> {
        if let Some(from) = self.unsupported_from.filter(|from| timestamp >= *from) {
            return Err(ForkError::Unsupported { timestamp, from });
        }
        let mut fork = Fork::Paris;
        for candidate in Fork::TIMED {
            match self.activation(candidate) {
                Some(t) if timestamp >= t => fork = candidate,
                _ => break,
            }
        }
        Ok(fork)
    }

    /// The blob schedule in force under `fork` (`None` before Cancun).
    pub fn blob_schedule(&self, fork: Fork) -> Option<BlobSchedule> {
        fork.blob_index().and_then(|i| self.blob_schedule[i])
    }

    /// The blob parameters revm and alloy-evm take for `fork`: the schedule, EIP-4844's minimum
    /// blob fee, EIP-7594's cap of blobs per transaction and EIP-7918's base cost from Osaka.
    pub fn blob_params(&self, fork: Fork) -> Option<BlobParams> {
        let schedule = self.blob_schedule(fork)?;
        let osaka = fork >= Fork::Osaka;
        Some(BlobParams {
            target_blob_count: schedule.target,
            max_blob_count: schedule.max,
            update_fraction: u128::from(schedule.base_fee_update_fraction),
            min_blob_fee: BLOB_TX_MIN_BLOB_GASPRICE,
            max_blobs_per_tx: if osaka { MAX_BLOBS_PER_TX_FUSAKA } else { schedule.max },
            blob_base_cost: if osaka { alloy_eips::eip7840::BLOB_BASE_COST } else { 0 },
        })
    }

    /// The canonical encoding (`docs/proof-format.md`): what the Phat contract stores and what
    /// [`Self::hash`] hashes.
    pub fn to_canonical(&self) -> Vec<u8> {
        let mut blob_schedule = [[0u64; 3]; 8];
        for (out, schedule) in blob_schedule.iter_mut().zip(self.blob_schedule) {
            if let Some(s) = schedule {
                *out = [s.target, s.max, s.base_fee_update_fraction];
            }
        }
        CanonicalChainConfig {
            tag: CHAIN_CONFIG_TAG,
            chainId: U256::from(self.chain_id),
            forkTimes: self.fork_times.map(|t| t.unwrap_or(NEVER)),
            unsupportedFrom: self.unsupported_from.unwrap_or(NEVER),
            blobSchedule: blob_schedule,
            depositContract: self.deposit_contract.unwrap_or(Address::ZERO),
            devnetAbsentSystemContracts: self.devnet_absent_system_contracts,
        }
        .abi_encode()
    }

    /// Reads a canonical encoding back; it must be exactly what [`Self::to_canonical`] writes for a
    /// valid config.
    pub fn from_canonical(bytes: &[u8]) -> Result<Self, ConfigError> {
        if bytes.len() != CANONICAL_LEN {
            return Err(ConfigError::CanonicalLength(bytes.len()));
        }
        let c = CanonicalChainConfig::abi_decode_validate(bytes).map_err(|_| ConfigError::NotCanonical)?;
        if c.tag != CHAIN_CONFIG_TAG {
            return Err(ConfigError::NotCanonical);
        }
        let chain_id = u64::try_from(c.chainId).map_err(|_| ConfigError::NotCanonical)?;
        let set = |t: u64| (t != NEVER).then_some(t);
        let parts = ChainConfigParts {
            chain_id,
            merged: true,
            fork_times: Fork::TIMED.into_iter().zip(c.forkTimes).filter_map(|(f, t)| set(t).map(|t| (f, t))).collect(),
            unsupported_from: set(c.unsupportedFrom),
            blob_schedule: Fork::WITH_BLOBS
                .into_iter()
                .zip(c.blobSchedule)
                .filter(|(_, s)| *s != [0; 3])
                .map(|(f, [target, max, base_fee_update_fraction])| {
                    (f, BlobSchedule { target, max, base_fee_update_fraction })
                })
                .collect(),
            deposit_contract: (c.depositContract != Address::ZERO).then_some(c.depositContract),
            devnet_absent_system_contracts: c.devnetAbsentSystemContracts,
        };
        let config = Self::new(parts)?;
        // One config, one encoding: a schedule given for a fork that never comes is dropped by
        // `new`, so the round trip differs and the bytes are refused.
        if config.to_canonical() != bytes {
            return Err(ConfigError::NotCanonical);
        }
        Ok(config)
    }
}

impl PartialEq for ChainConfig {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}

impl Eq for ChainConfig {}

/// alloy-hardforks' view of the schedule, which revm's spec selection and alloy-evm's executor read.
/// Every pre-merge fork is active from block 0: the STF executes post-merge blocks only.
fn hardforks(fork_times: &[Option<u64>; 9]) -> EthereumChainHardforks {
    use EthereumHardfork::*;
    let mut forks: Vec<(EthereumHardfork, ForkCondition)> = [
        Frontier,
        Homestead,
        Dao,
        Tangerine,
        SpuriousDragon,
        Byzantium,
        Constantinople,
        Petersburg,
        Istanbul,
        MuirGlacier,
        Berlin,
        London,
        ArrowGlacier,
        GrayGlacier,
    ]
    .into_iter()
    .map(|f| (f, ForkCondition::Block(0)))
    .collect();
    forks.push((
        Fork::Paris.hardfork(),
        ForkCondition::TTD { activation_block_number: 0, fork_block: None, total_difficulty: U256::ZERO },
    ));
    for (fork, time) in Fork::TIMED.into_iter().zip(fork_times) {
        if let Some(t) = time {
            forks.push((fork.hardfork(), ForkCondition::Timestamp(*t)));
        }
    }
    EthereumChainHardforks::new(forks)
}

impl EthereumHardforks for ChainConfig {
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        self.hardforks.ethereum_fork_activation(fork)
    }
}

impl EthExecutorSpec for ChainConfig {
    fn deposit_contract_address(&self) -> Option<Address> {
        self.deposit_contract
    }
}

#[cfg(feature = "genesis")]
mod genesis {
    //! Reading a geth genesis `config` object (alloy-genesis's `ChainConfig`).
    use alloc::{borrow::ToOwned, string::String};

    use super::*;

    /// Timed forks alloy-genesis knows that this STF does not implement.
    fn unsupported_times(c: &alloy_genesis::ChainConfig) -> [Option<u64>; 2] {
        [c.amsterdam_time, c.bogota_time]
    }

    impl ChainConfig {
        /// The rules of a geth genesis `config` object. Refused: a chain without a terminal total
        /// difficulty (pre-merge), a fork key this build does not know (`…Block` / `…Time` among
        /// the unknown fields), a blob schedule for an unknown fork.
        pub fn from_genesis(c: &alloy_genesis::ChainConfig) -> Result<Self, ConfigError> {
            if let Some(key) = c.extra_fields.keys().find(|k| k.ends_with("Time") || k.ends_with("Block")) {
                return Err(ConfigError::UnknownFork(key.to_owned()));
            }
            let fork_times = [
                (Fork::Shanghai, c.shanghai_time),
                (Fork::Cancun, c.cancun_time),
                (Fork::Prague, c.prague_time),
                (Fork::Osaka, c.osaka_time),
                (Fork::Bpo1, c.bpo1_time),
                (Fork::Bpo2, c.bpo2_time),
                (Fork::Bpo3, c.bpo3_time),
                (Fork::Bpo4, c.bpo4_time),
                (Fork::Bpo5, c.bpo5_time),
            ];
            let mut blob_schedule = Vec::new();
            for (name, params) in &c.blob_schedule {
                let fork =
                    Fork::from_name(name).ok_or_else(|| ConfigError::UnknownFork(String::from(name.as_str())))?;
                let fraction =
                    u64::try_from(params.update_fraction).map_err(|_| ConfigError::BlobScheduleOutOfRange(fork))?;
                blob_schedule.push((
                    fork,
                    BlobSchedule {
                        target: params.target_blob_count,
                        max: params.max_blob_count,
                        base_fee_update_fraction: fraction,
                    },
                ));
            }
            ChainConfig::new(ChainConfigParts {
                chain_id: c.chain_id,
                merged: c.terminal_total_difficulty.is_some(),
                fork_times: fork_times.into_iter().filter_map(|(f, t)| t.map(|t| (f, t))).collect(),
                unsupported_from: unsupported_times(c).into_iter().flatten().min(),
                blob_schedule,
                deposit_contract: c.deposit_contract_address,
                devnet_absent_system_contracts: match c.extra_fields.get(DEVNET_ABSENT_SYSTEM_CONTRACTS) {
                    None => false,
                    Some(v) => v.as_bool().ok_or(ConfigError::NotABool(DEVNET_ABSENT_SYSTEM_CONTRACTS))?,
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_is_the_hash_of_its_string() {
        assert_eq!(keccak256("phat-sgx-prover.chain-config.v1"), CHAIN_CONFIG_TAG);
    }

    fn prague() -> ChainConfig {
        ChainConfig::new(ChainConfigParts::from_genesis_up_to(7, Fork::Prague)).unwrap()
    }

    #[test]
    fn forks_by_timestamp() {
        let c = ChainConfig::new(
            ChainConfigParts::from_genesis_up_to(7, Fork::Cancun)
                .with_fork(Fork::Prague, 100)
                .with_fork(Fork::Osaka, 200)
                .with_fork(Fork::Bpo1, 300),
        );
        // BPO1 without a schedule is refused; with one it works.
        assert_eq!(c.unwrap_err(), ConfigError::MissingBlobSchedule(Fork::Bpo1));
        let mut parts = ChainConfigParts::from_genesis_up_to(7, Fork::Cancun)
            .with_fork(Fork::Prague, 100)
            .with_fork(Fork::Osaka, 200)
            .with_fork(Fork::Bpo1, 300);
        parts
            .blob_schedule
            .push((Fork::Bpo1, BlobSchedule { target: 10, max: 15, base_fee_update_fraction: 8_346_193 }));
        parts.unsupported_from = Some(400);
        let c = ChainConfig::new(parts).unwrap();
        assert_eq!(c.fork_at(0), Ok(Fork::Cancun));
        assert_eq!(c.fork_at(99), Ok(Fork::Cancun));
        assert_eq!(c.fork_at(100), Ok(Fork::Prague));
        assert_eq!(c.fork_at(250), Ok(Fork::Osaka));
        assert_eq!(c.fork_at(300), Ok(Fork::Bpo1));
        assert_eq!(c.fork_at(400), Err(ForkError::Unsupported { timestamp: 400, from: 400 }));
        assert_eq!(c.blob_params(Fork::Bpo1).map(|p| p.max_blob_count), Some(15));
        assert_eq!(c.blob_params(Fork::Bpo1).map(|p| p.max_blobs_per_tx), Some(6));
        assert_eq!(c.blob_params(Fork::Cancun).map(|p| p.max_blobs_per_tx), Some(6));
        assert_eq!(c.blob_params(Fork::Shanghai), None);
        assert!(c.is_osaka_active_at_timestamp(200) && !c.is_osaka_active_at_timestamp(199));
    }

    #[test]
    fn refusals() {
        let base = ChainConfigParts::from_genesis_up_to(7, Fork::Prague);
        assert_eq!(
            ChainConfig::new(ChainConfigParts { merged: false, ..base.clone() }).unwrap_err(),
            ConfigError::PreMerge
        );
        assert_eq!(
            ChainConfig::new(ChainConfigParts { chain_id: 0, ..base.clone() }).unwrap_err(),
            ConfigError::ZeroChainId
        );
        // Osaka before Prague.
        assert_eq!(
            ChainConfig::new(base.clone().with_fork(Fork::Prague, 10).with_fork(Fork::Osaka, 5)).unwrap_err(),
            ConfigError::ForkOrder { fork: Fork::Osaka, before: Fork::Prague }
        );
        // A gap: Osaka without Prague.
        let gap = ChainConfigParts::from_genesis_up_to(7, Fork::Cancun).with_fork(Fork::Osaka, 5);
        assert_eq!(
            ChainConfig::new(gap).unwrap_err(),
            ConfigError::ForkOrder { fork: Fork::Osaka, before: Fork::Prague }
        );
        let mut bad = base.clone();
        bad.blob_schedule.push((Fork::Prague, BlobSchedule { target: 10, max: 9, base_fee_update_fraction: 1 }));
        assert_eq!(ChainConfig::new(bad).unwrap_err(), ConfigError::BlobScheduleOutOfRange(Fork::Prague));
        let mut bad = base.clone();
        bad.blob_schedule.push((Fork::Shanghai, BlobSchedule { target: 1, max: 1, base_fee_update_fraction: 1 }));
        assert_eq!(ChainConfig::new(bad).unwrap_err(), ConfigError::BlobScheduleForFork(Fork::Shanghai));
        assert_eq!(ChainConfig::new(base.with_fork(Fork::Osaka, NEVER)).unwrap_err(), ConfigError::TimeOutOfRange);
    }

    #[test]
    fn canonical_round_trip_and_hash() {
        let c = prague();
        let bytes = c.to_canonical();
        assert_eq!(bytes.len(), CANONICAL_LEN);
        let back = ChainConfig::from_canonical(&bytes).unwrap();
        assert_eq!(back.to_canonical(), bytes);
        assert_eq!(back.hash(), keccak256(&bytes));
        // Every rule changes the hash.
        let variants = [
            ChainConfigParts::from_genesis_up_to(8, Fork::Prague),
            ChainConfigParts::from_genesis_up_to(7, Fork::Cancun),
            ChainConfigParts::from_genesis_up_to(7, Fork::Prague).with_fork(Fork::Osaka, 1),
            ChainConfigParts { unsupported_from: Some(9), ..ChainConfigParts::from_genesis_up_to(7, Fork::Prague) },
            ChainConfigParts {
                deposit_contract: Some(Address::repeat_byte(1)),
                ..ChainConfigParts::from_genesis_up_to(7, Fork::Prague)
            },
            ChainConfigParts {
                blob_schedule: alloc::vec![(
                    Fork::Prague,
                    BlobSchedule { target: 6, max: 9, base_fee_update_fraction: 1 }
                )],
                ..ChainConfigParts::from_genesis_up_to(7, Fork::Prague)
            },
            ChainConfigParts {
                devnet_absent_system_contracts: true,
                ..ChainConfigParts::from_genesis_up_to(7, Fork::Prague)
            },
        ];
        for parts in variants {
            assert_ne!(ChainConfig::new(parts.clone()).unwrap().hash(), c.hash(), "{parts:?}");
        }
        // Not canonical: wrong length, wrong tag, a schedule for a fork that never comes.
        assert_eq!(
            ChainConfig::from_canonical(&bytes[1..]).unwrap_err(),
            ConfigError::CanonicalLength(bytes.len() - 1)
        );
        let mut wrong = bytes.clone();
        wrong[0] ^= 1;
        assert_eq!(ChainConfig::from_canonical(&wrong).unwrap_err(), ConfigError::NotCanonical);
        let mut stray = bytes.clone();
        // blobSchedule[2] (Osaka) = (6, 9, 1): Osaka never activates in `c`.
        let osaka = (12 + 2 * 3) * 32;
        for (i, v) in [6u8, 9, 1].into_iter().enumerate() {
            stray[osaka + i * 32 + 31] = v;
        }
        assert_eq!(ChainConfig::from_canonical(&stray).unwrap_err(), ConfigError::NotCanonical);
    }
}
