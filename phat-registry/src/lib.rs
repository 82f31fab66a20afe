//! `phat-registry`: the Phala-side book of Phat SGX-Prover, as an ink! Phat Contract.
//!
//! - **Stake pools.** A worker owner opens a pool for a worker (commission in ppm); PHA stakers
//!   stake into it and leave through an unbonding period. Stake is what funds the worker.
//! - **Prover deployments.** A pool owner registers the `phat-prover` contracts its workers run:
//!   the registry reads the owner, Ethereum address and key epoch from the prover contract itself
//!   (nobody can claim another's prover), and follows key rotations the same way.
//! - **Subscriptions.** A rollup subscribes to the proof feed: L2 chain id, RPC, L1 verifier,
//!   proof-mix policy, a fee per proven block paid from a deposit; its admin pauses or resumes it.
//! - **Rewards.** A relayer reports each proof L1 accepted: the TEE-proof itself (its public input
//!   and the 85 signed bytes) and the L1 transaction. The registry rebuilds the signed digest with
//!   `phat-prover-core`, checks its domain against the subscription and recovers the signer, which
//!   must be a registered prover's current key: a relayer can report only what a prover signed.
//!   Each block is credited once, and its fee is split between the prover's pool owner
//!   (commission) and the pool's stakers pro rata ([`ledger`]); a paused rollup is not charged.
//!   Rewards are claimed by their holders.
//!
//! Governance (the owner) appoints relayers, sets the unbonding period and may retire provers.
//! Every change emits an event; every balance operation is checked; a refused call changes nothing.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// ink! 4.3's macros test `feature = "__ink_dylint_*"` cfgs that no crate declares.
#![allow(unexpected_cfgs)]

extern crate alloc;

pub mod ledger;

pub use phat_registry::*;

// ink!'s generated message decoder is an enum holding each message's arguments by value: the
// reported proof (its public input and 85 bytes, ≈ 400 bytes) makes one variant large, decoded
// once per call.
#[allow(clippy::large_enum_variant)]
#[ink::contract(env = pink::PinkEnvironment)]
mod phat_registry {
    use alloc::string::String;

    use alloy_primitives::{Address, B256, U256};
    use ink::{codegen::TraitCallBuilder, env::call::FromAccountId, storage::Mapping};
    use phat_prover_contract::PhatProverRef;
    use phat_prover_core::{
        public_input::{BATCH_TAG, BLOCK_TAG},
        signature::PROOF_LEN,
        BatchPublicInput, BlockPublicInput, TeeProof,
    };

    use crate::ledger::{self, PPM};

    pub type PoolId = u32;
    pub type ProverId = u32;
    pub type RollupId = u32;

    /// Default unbonding period: 7 days.
    pub const DEFAULT_UNBONDING_MS: u64 = 7 * 24 * 3600 * 1000;
    /// Largest share of blocks a policy may send to ZK + TEE (basis points).
    pub const MAX_BPS: u16 = 10_000;
    /// Longest RPC endpoint stored.
    pub const MAX_RPC_LEN: usize = 256;

    /// Why a call was refused. A refused call changes nothing.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub enum Error {
        /// Only the registry owner (governance) may do this.
        NotOwner,
        /// Only an appointed relayer may report proofs.
        NotRelayer,
        /// Only the pool's owner may do this.
        NotPoolOwner,
        /// Only the rollup's admin may do this.
        NotRollupAdmin,
        UnknownPool,
        UnknownProver,
        UnknownRollup,
        /// The commission is above 1 000 000 ppm.
        CommissionTooHigh,
        /// The amount is zero.
        ZeroAmount,
        /// The staker has less stake in the pool than asked.
        InsufficientStake,
        /// No unbonded stake is due yet.
        StillUnbonding,
        /// Nothing to withdraw or claim.
        NothingDue,
        /// The contract at that address does not answer as a `phat-prover`.
        NotAProver,
        /// The prover contract's owner is not the pool owner.
        ProverOwnerMismatch,
        /// That Ethereum address (or prover contract) is already registered.
        AlreadyRegistered,
        /// The prover is retired.
        ProverRetired,
        /// The prover contract's key epoch has not advanced.
        KeyUnchanged,
        /// A rollup already subscribed for that L2 chain id.
        ChainTaken,
        /// A chain id zero, an empty or over-long RPC, a zero verifier or a share above 100 %.
        InvalidSubscription,
        /// The rollup's subscription is paused: nothing is credited or charged.
        RollupPaused,
        /// The proof is for another L1 chain, L1 verifier or L2 chain than the subscription's.
        WrongDomain,
        /// The reported block is not the one the proof is of (or outside its batch's range, or the
        /// range is empty).
        WrongBlock,
        /// The TEE-proof's signature does not recover to the prover it names over the rebuilt
        /// digest (wrong input, altered bytes, high `s`, `v` not 27/28).
        BadSignature,
        /// The proof's signer is not the current key of an active registered prover.
        SignerNotProver,
        /// The rollup is not paused (deposits are withdrawn from paused rollups only).
        NotPaused,
        /// This block of this rollup has already been credited.
        AlreadyCredited,
        /// The rollup's deposit does not cover the fee.
        InsufficientDeposit,
        /// A balance computation left the u128 range.
        Overflow,
        /// The runtime refused a transfer.
        TransferFailed,
    }

    impl From<ledger::Overflow> for Error {
        fn from(_: ledger::Overflow) -> Self {
            Error::Overflow
        }
    }

    pub type Result<T> = core::result::Result<T, Error>;

    /// A stake pool funding one worker.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Pool {
        pub owner: AccountId,
        /// The worker's public key.
        pub worker: [u8; 32],
        /// The owner's commission on each fee, in parts per million.
        pub commission_ppm: u32,
        /// Stake currently earning (unbonding stake excluded).
        pub total_stake: Balance,
        /// Reward per unit staked since the pool opened, scaled by `ledger::ACC_PRECISION`.
        pub acc_reward_per_share: u128,
    }

    /// One staker's position in one pool.
    #[derive(Debug, Clone, Default, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Stake {
        pub amount: Balance,
        /// `ledger::accrued(amount, acc)` at the last change: what is not this stake's to claim.
        pub reward_debt: u128,
        /// Stake leaving the pool, withdrawable from `release_at`.
        pub unbonding: Balance,
        /// Block timestamp (ms) from which `unbonding` can be withdrawn.
        pub release_at: Timestamp,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub enum ProverStatus {
        Active,
        Retired,
    }

    /// A `phat-prover` contract deployment.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Prover {
        /// The prover contract (on the cluster the pool's worker serves).
        pub contract: AccountId,
        pub pool: PoolId,
        /// Its current signing key's Ethereum address and epoch, as the contract reports them.
        pub eth_address: [u8; 20],
        pub key_epoch: u32,
        pub status: ProverStatus,
        /// Proofs credited to it.
        pub proofs: u64,
    }

    /// Which blocks need the ZK proof as well as the TEE-proof (the L1 `MultiProofVerifier`'s
    /// per-rollup policy, mirrored so that provers and relayers can read it).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct ProofMix {
        /// Share of blocks (basis points) that need ZK + TEE.
        pub zk_share_bps: u16,
        /// Seconds before a TEE-only acceptance becomes final.
        pub tee_finality_delay_s: u64,
    }

    /// A rollup subscribed to the proof feed.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Rollup {
        pub admin: AccountId,
        pub l2_chain_id: u64,
        pub rpc: String,
        /// The L1 its proofs are for: chain id and `TeeVerifier` (the proofs' domain).
        pub l1_chain_id: u64,
        pub l1_verifier: [u8; 20],
        pub policy: ProofMix,
        /// Paid from `deposit` for each proven block.
        pub fee_per_block: Balance,
        pub deposit: Balance,
        pub paused: bool,
        /// Blocks credited so far.
        pub proven: u64,
    }

    /// What a subscription asks for.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub struct Subscription {
        pub l2_chain_id: u64,
        pub rpc: String,
        pub l1_chain_id: u64,
        pub l1_verifier: [u8; 20],
        pub policy: ProofMix,
        pub fee_per_block: Balance,
    }

    /// The public input of a single-block TEE-proof (`BlockPublicInput`, `docs/proof-format.md`),
    /// without its tag (implied) and its prover (the proof's first 20 bytes).
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub struct BlockInput {
        pub l1_chain_id: u64,
        pub verifier: [u8; 20],
        pub l2_chain_id: u64,
        pub chain_config_hash: [u8; 32],
        pub block_number: u64,
        pub parent_hash: [u8; 32],
        pub block_hash: [u8; 32],
        pub pre_state_root: [u8; 32],
        pub post_state_root: [u8; 32],
        pub witness_commitment: [u8; 32],
    }

    /// The public input of a batch TEE-proof over blocks `first_block..=last_block`
    /// (`BatchPublicInput`), without its tag and its prover.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub struct BatchInput {
        pub l1_chain_id: u64,
        pub verifier: [u8; 20],
        pub l2_chain_id: u64,
        pub chain_config_hash: [u8; 32],
        pub first_block: u64,
        pub last_block: u64,
        pub first_parent_hash: [u8; 32],
        pub last_block_hash: [u8; 32],
        pub first_pre_state_root: [u8; 32],
        pub last_post_state_root: [u8; 32],
        pub blocks_commitment: [u8; 32],
    }

    /// What a reported TEE-proof signed: one block, or a contiguous range of blocks.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub enum ProvenInput {
        Block(BlockInput),
        Batch(BatchInput),
    }

    impl ProvenInput {
        /// (L1 chain id, L1 verifier, L2 chain id) the proof is bound to.
        fn domain(&self) -> (u64, [u8; 20], u64) {
            match self {
                ProvenInput::Block(b) => (b.l1_chain_id, b.verifier, b.l2_chain_id),
                ProvenInput::Batch(b) => (b.l1_chain_id, b.verifier, b.l2_chain_id),
            }
        }

        /// Whether `block` is a block this proof proves.
        fn covers(&self, block: u64) -> bool {
            match self {
                ProvenInput::Block(b) => b.block_number == block,
                ProvenInput::Batch(b) => b.first_block <= block && block <= b.last_block,
            }
        }

        /// `keccak256(abi.encode(public input))` with `prover`: the digest the prover signed,
        /// rebuilt by the core's own code.
        pub fn digest(&self, prover: Address) -> [u8; 32] {
            match self {
                ProvenInput::Block(b) => {
                    BlockPublicInput {
                        tag: BLOCK_TAG,
                        l1ChainId: U256::from(b.l1_chain_id),
                        verifier: Address::from(b.verifier),
                        l2ChainId: U256::from(b.l2_chain_id),
                        chainConfigHash: B256::from(b.chain_config_hash),
                        prover,
                        blockNumber: b.block_number,
                        parentHash: B256::from(b.parent_hash),
                        blockHash: B256::from(b.block_hash),
                        preStateRoot: B256::from(b.pre_state_root),
                        postStateRoot: B256::from(b.post_state_root),
                        witnessCommitment: B256::from(b.witness_commitment),
                    }
                    .digest()
                    .0
                }
                ProvenInput::Batch(b) => {
                    BatchPublicInput {
                        tag: BATCH_TAG,
                        l1ChainId: U256::from(b.l1_chain_id),
                        verifier: Address::from(b.verifier),
                        l2ChainId: U256::from(b.l2_chain_id),
                        chainConfigHash: B256::from(b.chain_config_hash),
                        prover,
                        firstBlockNumber: b.first_block,
                        lastBlockNumber: b.last_block,
                        firstParentHash: B256::from(b.first_parent_hash),
                        lastBlockHash: B256::from(b.last_block_hash),
                        firstPreStateRoot: B256::from(b.first_pre_state_root),
                        lastPostStateRoot: B256::from(b.last_post_state_root),
                        blocksCommitment: B256::from(b.blocks_commitment),
                    }
                    .digest()
                    .0
                }
            }
        }
    }

    /// The record of a credited block.
    #[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout))]
    pub struct Credit {
        pub prover: ProverId,
        /// The L1 transaction that carried the accepted proof.
        pub l1_tx: [u8; 32],
        pub fee: Balance,
    }

    #[ink(event)]
    pub struct OwnershipTransferred {
        pub from: AccountId,
        pub to: AccountId,
    }

    #[ink(event)]
    pub struct RelayerSet {
        #[ink(topic)]
        pub relayer: AccountId,
        pub allowed: bool,
    }

    #[ink(event)]
    pub struct UnbondingPeriodSet {
        pub period_ms: u64,
    }

    #[ink(event)]
    pub struct PoolCreated {
        #[ink(topic)]
        pub pool: PoolId,
        pub owner: AccountId,
        pub worker: [u8; 32],
        pub commission_ppm: u32,
    }

    #[ink(event)]
    pub struct CommissionSet {
        #[ink(topic)]
        pub pool: PoolId,
        pub commission_ppm: u32,
    }

    #[ink(event)]
    pub struct Staked {
        #[ink(topic)]
        pub pool: PoolId,
        #[ink(topic)]
        pub staker: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct Unstaked {
        #[ink(topic)]
        pub pool: PoolId,
        #[ink(topic)]
        pub staker: AccountId,
        pub amount: Balance,
        pub release_at: Timestamp,
    }

    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub pool: PoolId,
        #[ink(topic)]
        pub staker: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct RewardsClaimed {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct ProverRegistered {
        #[ink(topic)]
        pub prover: ProverId,
        pub pool: PoolId,
        pub contract: AccountId,
        pub eth_address: [u8; 20],
        pub key_epoch: u32,
    }

    #[ink(event)]
    pub struct ProverKeyRotated {
        #[ink(topic)]
        pub prover: ProverId,
        pub old: [u8; 20],
        pub new: [u8; 20],
        pub key_epoch: u32,
    }

    #[ink(event)]
    pub struct ProverRetiredEvent {
        #[ink(topic)]
        pub prover: ProverId,
    }

    #[ink(event)]
    pub struct RollupSubscribed {
        #[ink(topic)]
        pub rollup: RollupId,
        pub admin: AccountId,
        pub l2_chain_id: u64,
        pub fee_per_block: Balance,
        pub deposit: Balance,
    }

    #[ink(event)]
    pub struct RollupUpdated {
        #[ink(topic)]
        pub rollup: RollupId,
        pub policy: ProofMix,
        pub fee_per_block: Balance,
    }

    #[ink(event)]
    pub struct RollupPaused {
        #[ink(topic)]
        pub rollup: RollupId,
        pub paused: bool,
    }

    #[ink(event)]
    pub struct DepositChanged {
        #[ink(topic)]
        pub rollup: RollupId,
        /// What was added (by `top_up`) or withdrawn (by `withdraw_deposit`); the other is zero.
        pub added: Balance,
        pub withdrawn: Balance,
        pub deposit: Balance,
    }

    #[ink(event)]
    pub struct ProofCredited {
        #[ink(topic)]
        pub rollup: RollupId,
        pub block_number: u64,
        #[ink(topic)]
        pub prover: ProverId,
        pub pool: PoolId,
        pub l1_tx: [u8; 32],
        pub fee: Balance,
        pub to_owner: Balance,
        pub to_stakers: Balance,
    }

    #[ink(storage)]
    pub struct PhatRegistry {
        owner: AccountId,
        relayers: Mapping<AccountId, ()>,
        unbonding_ms: u64,
        pool_count: PoolId,
        pools: Mapping<PoolId, Pool>,
        stakes: Mapping<(PoolId, AccountId), Stake>,
        /// Settled, claimable rewards (commissions and stakers' settled shares).
        rewards: Mapping<AccountId, Balance>,
        prover_count: ProverId,
        provers: Mapping<ProverId, Prover>,
        prover_by_address: Mapping<[u8; 20], ProverId>,
        prover_by_contract: Mapping<AccountId, ProverId>,
        rollup_count: RollupId,
        rollups: Mapping<RollupId, Rollup>,
        rollup_by_chain: Mapping<u64, RollupId>,
        credits: Mapping<(RollupId, u64), Credit>,
    }

    impl Default for PhatRegistry {
        fn default() -> Self {
            Self::new()
        }
    }

    impl PhatRegistry {
        /// The caller becomes the owner (governance); the unbonding period starts at 7 days.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                owner: Self::env().caller(),
                relayers: Mapping::default(),
                unbonding_ms: DEFAULT_UNBONDING_MS,
                pool_count: 0,
                pools: Mapping::default(),
                stakes: Mapping::default(),
                rewards: Mapping::default(),
                prover_count: 0,
                provers: Mapping::default(),
                prover_by_address: Mapping::default(),
                prover_by_contract: Mapping::default(),
                rollup_count: 0,
                rollups: Mapping::default(),
                rollup_by_chain: Mapping::default(),
                credits: Mapping::default(),
            }
        }

        // ---- governance ----

        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.owner
        }

        /// Owner: hands governance to `to`.
        #[ink(message)]
        pub fn transfer_ownership(&mut self, to: AccountId) -> Result<()> {
            self.ensure_owner()?;
            self.emit(OwnershipTransferred { from: self.owner, to });
            self.owner = to;
            Ok(())
        }

        /// Owner: appoints (or dismisses) a relayer, who may report accepted proofs.
        #[ink(message)]
        pub fn set_relayer(&mut self, relayer: AccountId, allowed: bool) -> Result<()> {
            self.ensure_owner()?;
            if allowed {
                self.relayers.insert(relayer, &());
            } else {
                self.relayers.remove(relayer);
            }
            self.emit(RelayerSet { relayer, allowed });
            Ok(())
        }

        #[ink(message)]
        pub fn is_relayer(&self, account: AccountId) -> bool {
            self.relayers.contains(account)
        }

        /// Owner: sets the unbonding period for stake unstaked from now on.
        #[ink(message)]
        pub fn set_unbonding_period(&mut self, period_ms: u64) -> Result<()> {
            self.ensure_owner()?;
            self.unbonding_ms = period_ms;
            self.emit(UnbondingPeriodSet { period_ms });
            Ok(())
        }

        #[ink(message)]
        pub fn unbonding_period(&self) -> u64 {
            self.unbonding_ms
        }

        // ---- stake pools ----

        /// Opens a pool for `worker`; the caller owns it.
        #[ink(message)]
        pub fn create_pool(&mut self, worker: [u8; 32], commission_ppm: u32) -> Result<PoolId> {
            if commission_ppm > PPM {
                return Err(Error::CommissionTooHigh);
            }
            let id = self.pool_count;
            self.pool_count = id.checked_add(1).ok_or(Error::Overflow)?;
            let owner = self.env().caller();
            self.pools.insert(id, &Pool { owner, worker, commission_ppm, total_stake: 0, acc_reward_per_share: 0 });
            self.emit(PoolCreated { pool: id, owner, worker, commission_ppm });
            Ok(id)
        }

        /// Pool owner: sets the commission on fees credited from now on.
        #[ink(message)]
        pub fn set_commission(&mut self, pool: PoolId, commission_ppm: u32) -> Result<()> {
            let mut p = self.pool(pool)?;
            if p.owner != self.env().caller() {
                return Err(Error::NotPoolOwner);
            }
            if commission_ppm > PPM {
                return Err(Error::CommissionTooHigh);
            }
            p.commission_ppm = commission_ppm;
            self.pools.insert(pool, &p);
            self.emit(CommissionSet { pool, commission_ppm });
            Ok(())
        }

        #[ink(message)]
        pub fn pool_info(&self, pool: PoolId) -> Option<Pool> {
            self.pools.get(pool)
        }

        #[ink(message)]
        pub fn stake_of(&self, pool: PoolId, staker: AccountId) -> Stake {
            self.stakes.get((pool, staker)).unwrap_or_default()
        }

        /// Stakes the transferred value into `pool`. Rewards earned so far are settled first.
        #[ink(message, payable)]
        pub fn stake(&mut self, pool: PoolId) -> Result<()> {
            let amount = self.env().transferred_value();
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let staker = self.env().caller();
            let mut p = self.pool(pool)?;
            let mut s = self.settle(pool, &p, staker)?;
            s.amount = s.amount.checked_add(amount).ok_or(Error::Overflow)?;
            s.reward_debt = ledger::accrued(s.amount, p.acc_reward_per_share)?;
            p.total_stake = p.total_stake.checked_add(amount).ok_or(Error::Overflow)?;
            self.stakes.insert((pool, staker), &s);
            self.pools.insert(pool, &p);
            self.emit(Staked { pool, staker, amount });
            Ok(())
        }

        /// Moves `amount` of the caller's stake to unbonding: it stops earning now and can be
        /// withdrawn after the unbonding period (a later unstake restarts the period).
        #[ink(message)]
        pub fn unstake(&mut self, pool: PoolId, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let staker = self.env().caller();
            let mut p = self.pool(pool)?;
            let mut s = self.settle(pool, &p, staker)?;
            s.amount = s.amount.checked_sub(amount).ok_or(Error::InsufficientStake)?;
            s.reward_debt = ledger::accrued(s.amount, p.acc_reward_per_share)?;
            s.unbonding = s.unbonding.checked_add(amount).ok_or(Error::Overflow)?;
            s.release_at = self.env().block_timestamp().checked_add(self.unbonding_ms).ok_or(Error::Overflow)?;
            p.total_stake = p.total_stake.checked_sub(amount).ok_or(Error::Overflow)?;
            self.stakes.insert((pool, staker), &s);
            self.pools.insert(pool, &p);
            self.emit(Unstaked { pool, staker, amount, release_at: s.release_at });
            Ok(())
        }

        /// Pays out the caller's unbonded stake of `pool` once its period is over.
        #[ink(message)]
        pub fn withdraw(&mut self, pool: PoolId) -> Result<Balance> {
            let staker = self.env().caller();
            let mut s = self.stakes.get((pool, staker)).ok_or(Error::NothingDue)?;
            if s.unbonding == 0 {
                return Err(Error::NothingDue);
            }
            if self.env().block_timestamp() < s.release_at {
                return Err(Error::StillUnbonding);
            }
            let amount = s.unbonding;
            s.unbonding = 0;
            self.stakes.insert((pool, staker), &s);
            self.emit(Withdrawn { pool, staker, amount });
            self.pay(staker, amount)?;
            Ok(amount)
        }

        /// The caller's rewards in `pool` not yet settled, plus everything already settled.
        #[ink(message)]
        pub fn claimable(&self, pool: PoolId, account: AccountId) -> Result<Balance> {
            let settled = self.rewards.get(account).unwrap_or(0);
            let Some(p) = self.pools.get(pool) else { return Ok(settled) };
            let s = self.stakes.get((pool, account)).unwrap_or_default();
            let pending = ledger::pending(s.amount, p.acc_reward_per_share, s.reward_debt)?;
            settled.checked_add(pending).ok_or(Error::Overflow)
        }

        /// Settles the caller's rewards in `pool` and pays out all their settled rewards.
        #[ink(message)]
        pub fn claim(&mut self, pool: PoolId) -> Result<Balance> {
            let account = self.env().caller();
            if let Some(p) = self.pools.get(pool) {
                let s = self.settle(pool, &p, account)?;
                if s != Stake::default() {
                    self.stakes.insert((pool, account), &s);
                }
            }
            let amount = self.rewards.take(account).unwrap_or(0);
            if amount == 0 {
                return Err(Error::NothingDue);
            }
            self.emit(RewardsClaimed { account, amount });
            self.pay(account, amount)?;
            Ok(amount)
        }

        // ---- prover deployments ----

        /// Pool owner: registers the `phat-prover` contract at `contract`, which the pool's worker
        /// runs. Its owner must be the caller; its address and key epoch are read from it.
        #[ink(message)]
        pub fn register_prover(&mut self, pool: PoolId, contract: AccountId) -> Result<ProverId> {
            let p = self.pool(pool)?;
            let caller = self.env().caller();
            if p.owner != caller {
                return Err(Error::NotPoolOwner);
            }
            if self.prover_by_contract.contains(contract) {
                return Err(Error::AlreadyRegistered);
            }
            // A call into itself would be refused by the runtime (re-entrance) as a trap.
            if contract == self.env().account_id() {
                return Err(Error::NotAProver);
            }
            let (owner, eth_address, key_epoch) = Self::read_prover(contract)?;
            if owner != caller {
                return Err(Error::ProverOwnerMismatch);
            }
            if self.prover_by_address.contains(eth_address) {
                return Err(Error::AlreadyRegistered);
            }
            let id = self.prover_count;
            self.prover_count = id.checked_add(1).ok_or(Error::Overflow)?;
            self.provers.insert(
                id,
                &Prover { contract, pool, eth_address, key_epoch, status: ProverStatus::Active, proofs: 0 },
            );
            self.prover_by_address.insert(eth_address, &id);
            self.prover_by_contract.insert(contract, &id);
            self.emit(ProverRegistered { prover: id, pool, contract, eth_address, key_epoch });
            Ok(id)
        }

        /// Anyone: follows a key rotation of the prover contract (reads its new address and epoch).
        /// Proofs signed by the old key are no longer credited.
        #[ink(message)]
        pub fn sync_prover_key(&mut self, prover: ProverId) -> Result<()> {
            let mut pr = self.prover(prover)?;
            if pr.status == ProverStatus::Retired {
                return Err(Error::ProverRetired);
            }
            let (_, eth_address, key_epoch) = Self::read_prover(pr.contract)?;
            if key_epoch <= pr.key_epoch || eth_address == pr.eth_address {
                return Err(Error::KeyUnchanged);
            }
            if self.prover_by_address.contains(eth_address) {
                return Err(Error::AlreadyRegistered);
            }
            let old = pr.eth_address;
            self.prover_by_address.remove(old);
            self.prover_by_address.insert(eth_address, &prover);
            pr.eth_address = eth_address;
            pr.key_epoch = key_epoch;
            self.provers.insert(prover, &pr);
            self.emit(ProverKeyRotated { prover, old, new: eth_address, key_epoch });
            Ok(())
        }

        /// Pool owner or governance: retires a prover for good; its proofs are no longer credited.
        #[ink(message)]
        pub fn retire_prover(&mut self, prover: ProverId) -> Result<()> {
            let mut pr = self.prover(prover)?;
            let caller = self.env().caller();
            if caller != self.owner && caller != self.pool(pr.pool)?.owner {
                return Err(Error::NotPoolOwner);
            }
            if pr.status == ProverStatus::Retired {
                return Err(Error::ProverRetired);
            }
            pr.status = ProverStatus::Retired;
            self.provers.insert(prover, &pr);
            self.prover_by_address.remove(pr.eth_address);
            self.emit(ProverRetiredEvent { prover });
            Ok(())
        }

        #[ink(message)]
        pub fn prover_info(&self, prover: ProverId) -> Option<Prover> {
            self.provers.get(prover)
        }

        /// The active prover whose current key has this Ethereum address.
        #[ink(message)]
        pub fn prover_by_address(&self, eth_address: [u8; 20]) -> Option<ProverId> {
            self.prover_by_address.get(eth_address)
        }

        // ---- rollup subscriptions ----

        /// Subscribes a rollup to the proof feed; the transferred value is its fee deposit and the
        /// caller its admin.
        #[ink(message, payable)]
        pub fn subscribe(&mut self, sub: Subscription) -> Result<RollupId> {
            if sub.l2_chain_id == 0
                || sub.l1_chain_id == 0
                || sub.rpc.is_empty()
                || sub.rpc.len() > MAX_RPC_LEN
                || sub.l1_verifier == [0u8; 20]
                || sub.policy.zk_share_bps > MAX_BPS
            {
                return Err(Error::InvalidSubscription);
            }
            if self.rollup_by_chain.contains(sub.l2_chain_id) {
                return Err(Error::ChainTaken);
            }
            let id = self.rollup_count;
            self.rollup_count = id.checked_add(1).ok_or(Error::Overflow)?;
            let admin = self.env().caller();
            let deposit = self.env().transferred_value();
            self.rollups.insert(
                id,
                &Rollup {
                    admin,
                    l2_chain_id: sub.l2_chain_id,
                    rpc: sub.rpc,
                    l1_chain_id: sub.l1_chain_id,
                    l1_verifier: sub.l1_verifier,
                    policy: sub.policy,
                    fee_per_block: sub.fee_per_block,
                    deposit,
                    paused: false,
                    proven: 0,
                },
            );
            self.rollup_by_chain.insert(sub.l2_chain_id, &id);
            self.emit(RollupSubscribed {
                rollup: id,
                admin,
                l2_chain_id: sub.l2_chain_id,
                fee_per_block: sub.fee_per_block,
                deposit,
            });
            Ok(id)
        }

        /// Rollup admin: changes the proof-mix policy and the fee for blocks credited from now on.
        #[ink(message)]
        pub fn update_rollup(&mut self, rollup: RollupId, policy: ProofMix, fee_per_block: Balance) -> Result<()> {
            let mut r = self.rollup_of_admin(rollup)?;
            if policy.zk_share_bps > MAX_BPS {
                return Err(Error::InvalidSubscription);
            }
            r.policy = policy;
            r.fee_per_block = fee_per_block;
            self.rollups.insert(rollup, &r);
            self.emit(RollupUpdated { rollup, policy, fee_per_block });
            Ok(())
        }

        /// Rollup admin: pauses (relayers following the subscription stop proving its blocks, and
        /// nothing is credited or charged) or resumes the subscription.
        #[ink(message)]
        pub fn set_paused(&mut self, rollup: RollupId, paused: bool) -> Result<()> {
            let mut r = self.rollup_of_admin(rollup)?;
            r.paused = paused;
            self.rollups.insert(rollup, &r);
            self.emit(RollupPaused { rollup, paused });
            Ok(())
        }

        /// Anyone: adds the transferred value to a rollup's fee deposit.
        #[ink(message, payable)]
        pub fn top_up(&mut self, rollup: RollupId) -> Result<()> {
            let added = self.env().transferred_value();
            if added == 0 {
                return Err(Error::ZeroAmount);
            }
            let mut r = self.rollup(rollup)?;
            r.deposit = r.deposit.checked_add(added).ok_or(Error::Overflow)?;
            self.rollups.insert(rollup, &r);
            self.emit(DepositChanged { rollup, added, withdrawn: 0, deposit: r.deposit });
            Ok(())
        }

        /// Rollup admin: takes `amount` back from the deposit of a paused rollup.
        #[ink(message)]
        pub fn withdraw_deposit(&mut self, rollup: RollupId, amount: Balance) -> Result<()> {
            let mut r = self.rollup_of_admin(rollup)?;
            if !r.paused {
                return Err(Error::NotPaused);
            }
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            r.deposit = r.deposit.checked_sub(amount).ok_or(Error::InsufficientDeposit)?;
            self.rollups.insert(rollup, &r);
            self.emit(DepositChanged { rollup, added: 0, withdrawn: amount, deposit: r.deposit });
            self.pay(r.admin, amount)
        }

        #[ink(message)]
        pub fn rollup_info(&self, rollup: RollupId) -> Option<Rollup> {
            self.rollups.get(rollup)
        }

        #[ink(message)]
        pub fn rollup_by_chain(&self, l2_chain_id: u64) -> Option<RollupId> {
            self.rollup_by_chain.get(l2_chain_id)
        }

        // ---- rewards ----

        /// Relayer: credits block `block_number` of `rollup`, proven by the TEE-proof `proof`
        /// (85 bytes: prover address ‖ r ‖ s ‖ v) over `input`, which L1 accepted in transaction
        /// `l1_tx`. The registry rebuilds the signed digest from `input` and the proof's prover,
        /// requires the domain to be the subscription's (L1 chain id, L1 verifier, L2 chain id),
        /// the block to be the proof's (a batch proof covers each block of its range: one report,
        /// one credit, one fee per block), the signature to recover (low `s`) to that prover, and
        /// the prover to be an active registered prover's current key. The rollup's fee moves from
        /// its deposit to the prover's pool: commission to the owner, the rest to the stakers. A
        /// paused rollup is neither credited nor charged (`RollupPaused`).
        ///
        /// What the registry cannot check is L1: that `l1_tx` carried the proof and that L1
        /// accepted it is still the appointed relayer's word.
        #[ink(message)]
        pub fn report_proof(
            &mut self,
            rollup: RollupId,
            block_number: u64,
            input: ProvenInput,
            proof: [u8; PROOF_LEN],
            l1_tx: [u8; 32],
        ) -> Result<Balance> {
            if !self.relayers.contains(self.env().caller()) {
                return Err(Error::NotRelayer);
            }
            let mut r = self.rollup(rollup)?;
            if r.paused {
                return Err(Error::RollupPaused);
            }
            if input.domain() != (r.l1_chain_id, r.l1_verifier, r.l2_chain_id) {
                return Err(Error::WrongDomain);
            }
            if !input.covers(block_number) {
                return Err(Error::WrongBlock);
            }
            let signer = Self::signer(&input, &proof)?;
            if self.credits.contains((rollup, block_number)) {
                return Err(Error::AlreadyCredited);
            }
            let prover = self.prover_by_address.get(signer).ok_or(Error::SignerNotProver)?;
            let mut pr = self.prover(prover)?;
            let mut p = self.pool(pr.pool)?;
            let fee = r.fee_per_block;
            r.deposit = r.deposit.checked_sub(fee).ok_or(Error::InsufficientDeposit)?;
            r.proven = r.proven.checked_add(1).ok_or(Error::Overflow)?;
            let split = ledger::split_fee(fee, p.commission_ppm, p.total_stake)?;
            p.acc_reward_per_share = p.acc_reward_per_share.checked_add(split.acc_increment).ok_or(Error::Overflow)?;
            pr.proofs = pr.proofs.checked_add(1).ok_or(Error::Overflow)?;
            self.credit(p.owner, split.owner)?;
            self.rollups.insert(rollup, &r);
            self.pools.insert(pr.pool, &p);
            self.provers.insert(prover, &pr);
            self.credits.insert((rollup, block_number), &Credit { prover, l1_tx, fee });
            self.emit(ProofCredited {
                rollup,
                block_number,
                prover,
                pool: pr.pool,
                l1_tx,
                fee,
                to_owner: split.owner,
                to_stakers: split.stakers,
            });
            Ok(fee)
        }

        #[ink(message)]
        pub fn credit_of(&self, rollup: RollupId, block_number: u64) -> Option<Credit> {
            self.credits.get((rollup, block_number))
        }

        // ---- internals ----

        /// Emits one of this contract's events (named in full: the prover contract, linked for its
        /// call builder, implements event emission for the same environment too).
        fn emit<E: Into<<PhatRegistry as ink::reflect::ContractEventBase>::Type>>(&self, event: E) {
            ink::codegen::EmitEvent::<PhatRegistry>::emit_event(self.env(), event);
        }

        /// Moves `staker`'s pending reward in `pool` into their settled rewards; returns the stake
        /// with its debt brought up to date (the caller stores it).
        fn settle(&mut self, id: PoolId, pool: &Pool, staker: AccountId) -> Result<Stake> {
            let mut s = self.stakes.get((id, staker)).unwrap_or_default();
            let due = ledger::pending(s.amount, pool.acc_reward_per_share, s.reward_debt)?;
            if due > 0 {
                self.credit(staker, due)?;
            }
            s.reward_debt = ledger::accrued(s.amount, pool.acc_reward_per_share)?;
            Ok(s)
        }

        fn credit(&mut self, account: AccountId, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Ok(());
            }
            let total = self.rewards.get(account).unwrap_or(0).checked_add(amount).ok_or(Error::Overflow)?;
            self.rewards.insert(account, &total);
            Ok(())
        }

        /// The last step of a call (checks, effects, then this interaction); a failed transfer
        /// fails the call, which reverts its effects.
        fn pay(&mut self, to: AccountId, amount: Balance) -> Result<()> {
            self.env().transfer(to, amount).map_err(|_| Error::TransferFailed)
        }

        /// The prover that signed `proof` over `input`: the address the proof names, if the
        /// signature over the digest rebuilt with it recovers to it (the core's check: `v` 27/28,
        /// low `s`).
        fn signer(input: &ProvenInput, proof: &[u8; PROOF_LEN]) -> Result<[u8; 20]> {
            let tee = TeeProof::from_bytes(proof).map_err(|_| Error::BadSignature)?;
            let digest = input.digest(tee.prover);
            tee.verify(B256::from(digest)).map_err(|_| Error::BadSignature)?;
            Ok(tee.prover.0 .0)
        }

        /// Reads (owner, Ethereum address, key epoch) from a `phat-prover` contract.
        fn read_prover(contract: AccountId) -> Result<(AccountId, [u8; 20], u32)> {
            let mut prover: PhatProverRef = FromAccountId::from_account_id(contract);
            let call = prover.call_mut();
            let owner = call.owner().try_invoke().map_err(|_| Error::NotAProver)?.map_err(|_| Error::NotAProver)?;
            let epoch = call.key_epoch().try_invoke().map_err(|_| Error::NotAProver)?.map_err(|_| Error::NotAProver)?;
            let address = call
                .prover_address()
                .try_invoke()
                .map_err(|_| Error::NotAProver)?
                .map_err(|_| Error::NotAProver)?
                .map_err(|_| Error::NotAProver)?;
            Ok((owner, address, epoch))
        }

        fn pool(&self, pool: PoolId) -> Result<Pool> {
            self.pools.get(pool).ok_or(Error::UnknownPool)
        }

        fn prover(&self, prover: ProverId) -> Result<Prover> {
            self.provers.get(prover).ok_or(Error::UnknownProver)
        }

        fn rollup(&self, rollup: RollupId) -> Result<Rollup> {
            self.rollups.get(rollup).ok_or(Error::UnknownRollup)
        }

        fn rollup_of_admin(&self, rollup: RollupId) -> Result<Rollup> {
            let r = self.rollup(rollup)?;
            if r.admin != self.env().caller() {
                return Err(Error::NotRollupAdmin);
            }
            Ok(r)
        }

        fn ensure_owner(&self) -> Result<()> {
            if self.env().caller() == self.owner {
                Ok(())
            } else {
                Err(Error::NotOwner)
            }
        }
    }
}

#[cfg(test)]
mod tests;
