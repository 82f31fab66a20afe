//! The L2 chain the STF executes: chain id and fork schedule.
//!
//! The prover supports post-merge chains from Cancun on: Paris, Shanghai and Cancun are active from
//! genesis, Prague from an optional timestamp. Osaka and later are refused rather than executed with
//! the wrong rules.

use alloy_eips::eip7840::BlobParams;
use alloy_evm::eth::spec::EthExecutorSpec;
use alloy_hardforks::{EthereumChainHardforks, EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_primitives::Address;

/// Fork rules of one block, as the STF applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fork {
    /// EIP-4844 blobs, EIP-4788 beacon root, EIP-1153, EIP-6780.
    Cancun,
    /// Cancun plus EIP-2935 history, EIP-7002/7251 requests, EIP-7685 requests hash, EIP-7702.
    Prague,
}

/// Chain id and fork schedule of an L2 (or of the Ethereum test chain).
#[derive(Debug, Clone)]
pub struct ChainSpec {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Timestamp from which Prague rules apply; `None` = never.
    pub prague_time: Option<u64>,
    /// EIP-6110 deposit contract, if the chain has one (L2s usually do not).
    pub deposit_contract: Option<Address>,
    hardforks: EthereumChainHardforks,
}

impl ChainSpec {
    /// A chain with Cancun from genesis and Prague from `prague_time`.
    pub fn new(chain_id: u64, prague_time: Option<u64>) -> Self {
        use EthereumHardfork::*;
        let mut forks: alloc::vec::Vec<(EthereumHardfork, ForkCondition)> = [
            Frontier,
            Homestead,
            Tangerine,
            SpuriousDragon,
            Byzantium,
            Constantinople,
            Petersburg,
            Istanbul,
            Berlin,
            London,
        ]
        .into_iter()
        .map(|f| (f, ForkCondition::Block(0)))
        .collect();
        forks.push((
            Paris,
            ForkCondition::TTD {
                activation_block_number: 0,
                fork_block: None,
                total_difficulty: alloy_primitives::U256::ZERO,
            },
        ));
        forks.push((Shanghai, ForkCondition::Timestamp(0)));
        forks.push((Cancun, ForkCondition::Timestamp(0)));
        if let Some(t) = prague_time {
            forks.push((Prague, ForkCondition::Timestamp(t)));
        }
        Self { chain_id, prague_time, deposit_contract: None, hardforks: EthereumChainHardforks::new(forks) }
    }

    /// Cancun from genesis, Prague never (the chain of the Cancun Ethereum test vectors, id 1).
    pub fn cancun(chain_id: u64) -> Self {
        Self::new(chain_id, None)
    }

    /// Cancun and Prague from genesis (e.g. `anvil --hardfork prague`).
    pub fn prague(chain_id: u64) -> Self {
        Self::new(chain_id, Some(0))
    }

    /// The fork in force at `timestamp`.
    pub fn fork_at(&self, timestamp: u64) -> Fork {
        match self.prague_time {
            Some(t) if timestamp >= t => Fork::Prague,
            _ => Fork::Cancun,
        }
    }

    /// EIP-4844 / EIP-7691 blob schedule of a fork.
    pub fn blob_params(&self, fork: Fork) -> BlobParams {
        match fork {
            Fork::Cancun => BlobParams::cancun(),
            Fork::Prague => BlobParams::prague(),
        }
    }
}

impl EthereumHardforks for ChainSpec {
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        self.hardforks.ethereum_fork_activation(fork)
    }
}

impl EthExecutorSpec for ChainSpec {
    fn deposit_contract_address(&self) -> Option<Address> {
        self.deposit_contract
    }
}
