//! The rules of an OP Stack chain: its fork schedule and EIP-1559 parameters, from the rollup
//! config, bound into every proof by their hash as the Ethereum [`crate::ChainConfig`] is.
//!
//! alloy-op-hardforks has a fork list (`OpChainHardforks`), but it looks forks up by position, so a
//! rollup config that leaves one out (kona's omits Regolith) would shift every later fork. The
//! schedule here is keyed by name and implements `OpHardforks` itself.

use alloc::vec::Vec;
use alloy_eips::eip1559::BaseFeeParams;
use alloy_hardforks::{EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_op_hardforks::{OpHardfork, OpHardforks};
use alloy_primitives::{B256, U256, keccak256};
use alloy_sol_types::{SolValue, sol};

use crate::{
    chain::NEVER,
    error::{ForkError, OpConfigError},
};

/// The OP forks the STF implements, in activation order. Older ones (before Holocene) and newer
/// ones (Karst, Interop) are refused by [`OpChainConfig::fork_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpFork {
    /// EIP-1559 parameters in `extraData`, set by the rollup's SystemConfig (Cancun EVM).
    Holocene,
    /// Operator fee, withdrawals root = the L2ToL1MessagePasser storage root, Prague EVM.
    Isthmus,
    /// Minimum base fee, DA footprint in `blobGasUsed`.
    Jovian,
}

impl OpFork {
    /// The name used in configs and errors.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Holocene => "holocene",
            Self::Isthmus => "isthmus",
            Self::Jovian => "jovian",
        }
    }
}

impl core::fmt::Display for OpFork {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The rollup-config fork times the schedule holds, in order.
pub const OP_FORKS: [OpHardfork; 8] = [
    OpHardfork::Regolith,
    OpHardfork::Canyon,
    OpHardfork::Ecotone,
    OpHardfork::Fjord,
    OpHardfork::Granite,
    OpHardfork::Holocene,
    OpHardfork::Isthmus,
    OpHardfork::Jovian,
];

/// The schedule's forks from Regolith through `last`, in order (empty if `last` is not one of them).
pub fn op_forks_through(last: OpHardfork) -> impl Iterator<Item = OpHardfork> {
    let end = index(last).map_or(0, |i| i + 1);
    OP_FORKS.into_iter().take(end)
}

/// Name of the devnet relaxation in configs (see [`OpChainConfigParts::devnet_anvil`]).
pub const DEVNET_ANVIL: &str = "phatDevnetAnvilOp";

sol! {
    /// The canonical encoding of an OP chain config (`docs/proof-format.md`): `abi.encode` of this
    /// struct, all fields static. Fork times are `type(uint64).max` for never, indexed Regolith,
    /// Canyon, Ecotone, Fjord, Granite, Holocene, Isthmus, Jovian.
    #[derive(Debug, PartialEq, Eq)]
    struct CanonicalOpChainConfig {
        bytes32 tag;
        uint256 chainId;
        uint64[8] forkTimes;
        uint64 unsupportedFrom;
        uint64 eip1559Elasticity;
        uint64 eip1559DenominatorCanyon;
        bool devnetAnvil;
    }
}

/// `keccak256("phat-sgx-prover.op-chain-config.v1")`: the first word of the canonical encoding.
pub const OP_CHAIN_CONFIG_TAG: B256 =
    alloy_primitives::b256!("0x1812e9817d7b6f6911081a063ea340da8e349694b681364fe7e0e908271cbae8");

/// An OP chain config before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpChainConfigParts {
    /// The L2 chain id.
    pub chain_id: u64,
    /// Activation time of each OP fork from Regolith on; absent = never. Bedrock is taken as the
    /// chain's start (pre-Bedrock blocks are not executable by any OP EVM).
    pub fork_times: Vec<(OpHardfork, u64)>,
    /// Earliest activation of a fork the STF does not implement (Karst, Interop), if scheduled.
    pub unsupported_from: Option<u64>,
    /// EIP-1559 elasticity (the rollup config's `eip1559Elasticity`).
    pub eip1559_elasticity: u64,
    /// EIP-1559 denominator from Canyon (`eip1559DenominatorCanyon`): the base-fee parameters until
    /// Holocene moves them into each header.
    pub eip1559_denominator_canyon: u64,
    /// **Devnet only** (anvil `--optimism`, which runs OP execution but writes no EIP-1559
    /// parameters into `extraData`): a block's base fee follows the config's Canyon parameters, not
    /// its parent's `extraData`, and its own `extraData` is Ethereum's (at most 32 bytes). Every
    /// other rule holds (the L1-attributes deposit first, deposits first, the message passer root).
    /// Bound into the hash, so an L1 that expects a real rollup's config refuses proofs made under
    /// it.
    pub devnet_anvil: bool,
}

/// The validated rules of one OP Stack chain.
#[derive(Debug, Clone)]
pub struct OpChainConfig {
    chain_id: u64,
    fork_times: [Option<u64>; 8],
    unsupported_from: Option<u64>,
    eip1559_elasticity: u64,
    eip1559_denominator_canyon: u64,
    devnet_anvil: bool,
    hash: B256,
}

impl PartialEq for OpChainConfig {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}
impl Eq for OpChainConfig {}

fn index(fork: OpHardfork) -> Option<usize> {
    OP_FORKS.iter().position(|f| *f == fork)
}

impl OpChainConfig {
    /// Validates `parts`. Forks must be in order (each at or after the one before it, a missing
    /// earlier fork taken as active with the first later one, as op-node does for Regolith).
    pub fn new(parts: OpChainConfigParts) -> Result<Self, OpConfigError> {
        if parts.chain_id == 0 {
            return Err(OpConfigError::ZeroChainId);
        }
        let mut fork_times = [None; 8];
        for (fork, time) in &parts.fork_times {
            let i = index(*fork).ok_or(OpConfigError::NotScheduled(*fork))?;
            if fork_times[i].replace(*time).is_some() {
                return Err(OpConfigError::Duplicate(*fork));
            }
            if *time == NEVER {
                return Err(OpConfigError::TimeOutOfRange);
            }
        }
        // An unset fork before a set one is active with it (kona leaves Regolith out).
        for i in (0..fork_times.len() - 1).rev() {
            if fork_times[i].is_none() {
                fork_times[i] = fork_times[i + 1];
            }
        }
        for i in 1..fork_times.len() {
            if let (Some(before), Some(this)) = (fork_times[i - 1], fork_times[i])
                && before > this
            {
                return Err(OpConfigError::ForkOrder { fork: OP_FORKS[i], before: OP_FORKS[i - 1] });
            }
        }
        if parts.unsupported_from == Some(NEVER) {
            return Err(OpConfigError::TimeOutOfRange);
        }
        if parts.eip1559_elasticity == 0
            || parts.eip1559_denominator_canyon == 0
            || parts.eip1559_elasticity > u64::from(u32::MAX)
            || parts.eip1559_denominator_canyon > u64::from(u32::MAX)
        {
            return Err(OpConfigError::BaseFeeParams);
        }
        let mut config = Self {
            chain_id: parts.chain_id,
            fork_times,
            unsupported_from: parts.unsupported_from,
            eip1559_elasticity: parts.eip1559_elasticity,
            eip1559_denominator_canyon: parts.eip1559_denominator_canyon,
            devnet_anvil: parts.devnet_anvil,
            hash: B256::ZERO,
        };
        config.hash = keccak256(config.to_canonical());
        Ok(config)
    }

    /// The L2 chain id.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// `keccak256` of [`Self::to_canonical`]: what an OP TEE-proof commits to.
    pub const fn hash(&self) -> B256 {
        self.hash
    }

    /// Whether the devnet relaxation of [`OpChainConfigParts::devnet_anvil`] is on.
    pub const fn devnet_anvil(&self) -> bool {
        self.devnet_anvil
    }

    /// Activation time of `fork` (Bedrock: 0).
    pub fn activation(&self, fork: OpHardfork) -> Option<u64> {
        match fork {
            OpHardfork::Bedrock => Some(0),
            other => index(other).and_then(|i| self.fork_times[i]),
        }
    }

    fn active(&self, fork: OpHardfork, timestamp: u64) -> bool {
        self.activation(fork).is_some_and(|t| timestamp >= t)
    }

    /// The fork in force at `timestamp`, or why the STF does not implement the rules there.
    pub fn fork_at(&self, timestamp: u64) -> Result<OpFork, ForkError> {
        if let Some(from) = self.unsupported_from.filter(|from| timestamp >= *from) {
            return Err(ForkError::Unsupported { timestamp, from });
        }
        if self.active(OpHardfork::Jovian, timestamp) {
            Ok(OpFork::Jovian)
        } else if self.active(OpHardfork::Isthmus, timestamp) {
            Ok(OpFork::Isthmus)
        } else if self.active(OpHardfork::Holocene, timestamp) {
            Ok(OpFork::Holocene)
        } else {
            Err(ForkError::BeforeSupported { timestamp, first: "holocene" })
        }
    }

    /// The EIP-1559 parameters of the Canyon rules (before Holocene moves them into headers).
    pub fn canyon_base_fee_params(&self) -> BaseFeeParams {
        BaseFeeParams::new(u128::from(self.eip1559_denominator_canyon), u128::from(self.eip1559_elasticity))
    }

    /// The canonical encoding: what [`Self::hash`] hashes and Solidity can rebuild.
    pub fn to_canonical(&self) -> Vec<u8> {
        CanonicalOpChainConfig {
            tag: OP_CHAIN_CONFIG_TAG,
            chainId: U256::from(self.chain_id),
            forkTimes: self.fork_times.map(|t| t.unwrap_or(NEVER)),
            unsupportedFrom: self.unsupported_from.unwrap_or(NEVER),
            eip1559Elasticity: self.eip1559_elasticity,
            eip1559DenominatorCanyon: self.eip1559_denominator_canyon,
            devnetAnvil: self.devnet_anvil,
        }
        .abi_encode()
    }

    /// Reads a canonical encoding back; it must be exactly what [`Self::to_canonical`] writes.
    pub fn from_canonical(bytes: &[u8]) -> Result<Self, OpConfigError> {
        let c = CanonicalOpChainConfig::abi_decode_validate(bytes).map_err(|_| OpConfigError::NotCanonical)?;
        if c.tag != OP_CHAIN_CONFIG_TAG {
            return Err(OpConfigError::NotCanonical);
        }
        let chain_id = u64::try_from(c.chainId).map_err(|_| OpConfigError::NotCanonical)?;
        let set = |t: u64| (t != NEVER).then_some(t);
        let config = Self::new(OpChainConfigParts {
            chain_id,
            fork_times: OP_FORKS.iter().zip(c.forkTimes).filter_map(|(f, t)| set(t).map(|t| (*f, t))).collect(),
            unsupported_from: set(c.unsupportedFrom),
            eip1559_elasticity: c.eip1559Elasticity,
            eip1559_denominator_canyon: c.eip1559DenominatorCanyon,
            devnet_anvil: c.devnetAnvil,
        })?;
        if config.to_canonical() != bytes {
            return Err(OpConfigError::NotCanonical);
        }
        Ok(config)
    }
}

impl EthereumHardforks for OpChainConfig {
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        use EthereumHardfork as E;
        let by_time = |op: OpHardfork| self.activation(op).map_or(ForkCondition::Never, ForkCondition::Timestamp);
        match fork {
            E::Frontier
            | E::Homestead
            | E::Tangerine
            | E::SpuriousDragon
            | E::Byzantium
            | E::Constantinople
            | E::Petersburg
            | E::Istanbul
            | E::MuirGlacier
            | E::Berlin
            | E::London
            | E::ArrowGlacier
            | E::GrayGlacier => ForkCondition::ZERO_BLOCK,
            E::Paris => {
                ForkCondition::TTD { activation_block_number: 0, fork_block: Some(0), total_difficulty: U256::ZERO }
            }
            E::Shanghai => by_time(OpHardfork::Canyon),
            E::Cancun => by_time(OpHardfork::Ecotone),
            E::Prague => by_time(OpHardfork::Isthmus),
            // Karst brings Osaka; the STF refuses it (`unsupported_from`).
            _ => ForkCondition::Never,
        }
    }
}

impl OpHardforks for OpChainConfig {
    fn op_fork_activation(&self, fork: OpHardfork) -> ForkCondition {
        self.activation(fork).map_or(ForkCondition::Never, ForkCondition::Timestamp)
    }
}

#[cfg(feature = "genesis")]
mod rollup_config {
    //! Reading a rollup config as op-node and kona write it (`rollup.json`).
    use super::*;
    use crate::error::OpConfigError;

    impl OpChainConfig {
        /// Builds the config from a rollup config JSON object (op-node's `rollup.json`, kona's
        /// `RollupConfig`): `l2_chain_id`, `<fork>_time`, `chain_op_config`.
        pub fn from_rollup_config(value: &serde_json::Value) -> Result<Self, OpConfigError> {
            let field = |name: &'static str| value.get(name).filter(|v| !v.is_null());
            let number = |name: &'static str| -> Result<Option<u64>, OpConfigError> {
                field(name).map(|v| v.as_u64().ok_or(OpConfigError::Field(name))).transpose()
            };
            let chain_id = number("l2_chain_id")?.ok_or(OpConfigError::Field("l2_chain_id"))?;
            let names: [(&'static str, OpHardfork); 8] = [
                ("regolith_time", OpHardfork::Regolith),
                ("canyon_time", OpHardfork::Canyon),
                ("ecotone_time", OpHardfork::Ecotone),
                ("fjord_time", OpHardfork::Fjord),
                ("granite_time", OpHardfork::Granite),
                ("holocene_time", OpHardfork::Holocene),
                ("isthmus_time", OpHardfork::Isthmus),
                ("jovian_time", OpHardfork::Jovian),
            ];
            let mut fork_times = Vec::new();
            for (name, fork) in names {
                if let Some(t) = number(name)? {
                    fork_times.push((fork, t));
                }
            }
            let mut unsupported_from: Option<u64> = None;
            for name in ["karst_time", "interop_time"] {
                if let Some(t) = number(name)? {
                    unsupported_from = Some(unsupported_from.map_or(t, |u| u.min(t)));
                }
            }
            let op = field("chain_op_config").ok_or(OpConfigError::Field("chain_op_config"))?;
            let param = |name: &'static str| op.get(name).and_then(|v| v.as_u64()).ok_or(OpConfigError::Field(name));
            Self::new(OpChainConfigParts {
                chain_id,
                fork_times,
                unsupported_from,
                eip1559_elasticity: param("eip1559Elasticity")?,
                eip1559_denominator_canyon: param("eip1559DenominatorCanyon")?,
                devnet_anvil: match field(DEVNET_ANVIL) {
                    None => false,
                    Some(v) => v.as_bool().ok_or(OpConfigError::Field(DEVNET_ANVIL))?,
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> OpChainConfigParts {
        OpChainConfigParts {
            chain_id: 11_155_420,
            fork_times: alloc::vec![
                (OpHardfork::Canyon, 100),
                (OpHardfork::Ecotone, 200),
                (OpHardfork::Holocene, 300),
                (OpHardfork::Isthmus, 400)
            ],
            eip1559_elasticity: 6,
            eip1559_denominator_canyon: 250,
            ..Default::default()
        }
    }

    #[test]
    fn tag_is_the_hash_of_its_name() {
        assert_eq!(keccak256("phat-sgx-prover.op-chain-config.v1"), OP_CHAIN_CONFIG_TAG);
    }

    #[test]
    fn a_gap_takes_the_next_fork_time_and_the_schedule_is_by_name() {
        let c = OpChainConfig::new(parts()).unwrap();
        // Regolith unset: active with Canyon; Fjord and Granite unset: with Holocene.
        assert_eq!(c.activation(OpHardfork::Regolith), Some(100));
        assert_eq!(c.activation(OpHardfork::Fjord), Some(300));
        assert!(c.is_isthmus_active_at_timestamp(400) && !c.is_isthmus_active_at_timestamp(399));
        assert!(!c.is_jovian_active_at_timestamp(u64::MAX - 1));
        assert!(c.is_cancun_active_at_timestamp(200) && c.is_prague_active_at_timestamp(400));
        assert_eq!(c.fork_at(299), Err(ForkError::BeforeSupported { timestamp: 299, first: "holocene" }));
        assert_eq!(c.fork_at(300), Ok(OpFork::Holocene));
        assert_eq!(c.fork_at(400), Ok(OpFork::Isthmus));
    }

    #[test]
    fn refusals() {
        let mut p = parts();
        p.fork_times.push((OpHardfork::Granite, 500));
        assert_eq!(
            OpChainConfig::new(p).unwrap_err(),
            OpConfigError::ForkOrder { fork: OpHardfork::Holocene, before: OpHardfork::Granite }
        );
        let mut p = parts();
        p.fork_times.push((OpHardfork::Canyon, 1));
        assert_eq!(OpChainConfig::new(p).unwrap_err(), OpConfigError::Duplicate(OpHardfork::Canyon));
        let mut p = parts();
        p.fork_times.push((OpHardfork::Karst, 1));
        assert_eq!(OpChainConfig::new(p).unwrap_err(), OpConfigError::NotScheduled(OpHardfork::Karst));
        for (e, d) in [(0, 250), (6, 0), (1 << 32, 250)] {
            let p = OpChainConfigParts { eip1559_elasticity: e, eip1559_denominator_canyon: d, ..parts() };
            assert_eq!(OpChainConfig::new(p).unwrap_err(), OpConfigError::BaseFeeParams);
        }
        assert_eq!(
            OpChainConfig::new(OpChainConfigParts { chain_id: 0, ..parts() }).unwrap_err(),
            OpConfigError::ZeroChainId
        );
        let c = OpChainConfig::new(OpChainConfigParts { unsupported_from: Some(500), ..parts() }).unwrap();
        assert_eq!(c.fork_at(500), Err(ForkError::Unsupported { timestamp: 500, from: 500 }));
    }

    #[test]
    fn canonical_round_trip_and_every_rule_changes_the_hash() {
        let c = OpChainConfig::new(parts()).unwrap();
        assert_eq!(OpChainConfig::from_canonical(&c.to_canonical()).unwrap(), c);
        let mut jovian = parts();
        jovian.fork_times.push((OpHardfork::Jovian, 800));
        let others = [
            OpChainConfigParts { chain_id: 10, ..parts() },
            OpChainConfigParts { eip1559_elasticity: 2, ..parts() },
            OpChainConfigParts { eip1559_denominator_canyon: 50, ..parts() },
            OpChainConfigParts { devnet_anvil: true, ..parts() },
            OpChainConfigParts { unsupported_from: Some(900), ..parts() },
            jovian,
        ];
        for other in others {
            assert_ne!(OpChainConfig::new(other).unwrap().hash(), c.hash());
        }
        let mut bytes = c.to_canonical();
        bytes[0] ^= 1;
        assert_eq!(OpChainConfig::from_canonical(&bytes).unwrap_err(), OpConfigError::NotCanonical);
    }
}
