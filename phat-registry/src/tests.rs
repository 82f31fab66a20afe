//! Native tests on ink!'s off-chain environment: roles, stake pools, unbonding, subscriptions and
//! the refusals, among them every check of a reported proof short of a registered signer (real
//! signatures by keys made here). Prover registration and proof crediting read the prover contract
//! through a cross-contract call, which the off-chain environment cannot make: they are tested on
//! the real wasm in the pink runtime (`phat-prover/pink-cluster`), with the reward split's
//! arithmetic here in `ledger`.

use alloy_primitives::{keccak256, U256};
use ink::env::test::{self, DefaultAccounts};
use phat_prover_core::{
    signature::{Signer, PROOF_LEN},
    LocalSigner, TeeProof,
};
use pink::PinkEnvironment as Env;

use crate::{BatchInput, BlockInput, Error, PhatRegistry, ProofMix, ProvenInput, Stake, Subscription};

type AccountId = <Env as ink::env::Environment>::AccountId;

fn accounts() -> DefaultAccounts<Env> {
    test::default_accounts::<Env>()
}

fn as_caller(who: AccountId) {
    test::set_caller::<Env>(who);
}

/// Calls a payable message as `who`, moving `value` from `who` to the contract first.
fn paying(who: AccountId, value: u128) {
    as_caller(who);
    test::transfer_in::<Env>(value);
}

fn balance(who: AccountId) -> u128 {
    test::get_account_balance::<Env>(who).expect("balance")
}

fn events() -> usize {
    test::recorded_events().count()
}

fn registry() -> PhatRegistry {
    let a = accounts();
    as_caller(a.alice);
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        test::set_account_balance::<Env>(who, 1_000_000);
    }
    test::set_account_balance::<Env>(test::callee::<Env>(), 0);
    PhatRegistry::new()
}

fn subscription(chain: u64) -> Subscription {
    Subscription {
        l2_chain_id: chain,
        rpc: "http://127.0.0.1:8546".into(),
        l1_chain_id: 31_337,
        l1_verifier: [0x11; 20],
        policy: ProofMix { zk_share_bps: 1_000, tee_finality_delay_s: 3_600 },
        fee_per_block: 100,
    }
}

#[ink::test]
fn governance_is_the_owners_and_every_change_is_an_event() {
    let a = accounts();
    let mut r = registry();
    let before = events();
    as_caller(a.bob);
    assert_eq!(r.set_relayer(a.bob, true), Err(Error::NotOwner));
    assert_eq!(r.set_unbonding_period(1), Err(Error::NotOwner));
    assert_eq!(r.transfer_ownership(a.bob), Err(Error::NotOwner));
    assert_eq!(events(), before, "a refused call emits nothing");

    as_caller(a.alice);
    r.set_relayer(a.django, true).unwrap();
    assert!(r.is_relayer(a.django));
    r.set_relayer(a.django, false).unwrap();
    assert!(!r.is_relayer(a.django));
    r.set_unbonding_period(5_000).unwrap();
    assert_eq!(r.unbonding_period(), 5_000);
    r.transfer_ownership(a.bob).unwrap();
    assert_eq!(r.owner(), a.bob);
    assert_eq!(r.set_relayer(a.django, true), Err(Error::NotOwner), "the old owner lost the role");
    assert_eq!(events(), before + 4);
}

#[ink::test]
fn pools_refuse_bad_commission_and_strangers() {
    let a = accounts();
    let mut r = registry();
    as_caller(a.bob);
    assert_eq!(r.create_pool([1; 32], 1_000_001), Err(Error::CommissionTooHigh));
    let pool = r.create_pool([1; 32], 200_000).unwrap();
    assert_eq!(r.pool_info(pool).unwrap().owner, a.bob);
    as_caller(a.charlie);
    assert_eq!(r.set_commission(pool, 0), Err(Error::NotPoolOwner));
    assert_eq!(r.set_commission(pool + 1, 0), Err(Error::UnknownPool));
    as_caller(a.bob);
    assert_eq!(r.set_commission(pool, 2_000_000), Err(Error::CommissionTooHigh));
    r.set_commission(pool, 50_000).unwrap();
    assert_eq!(r.pool_info(pool).unwrap().commission_ppm, 50_000);
}

#[ink::test]
fn stake_unbond_and_withdraw_after_the_period_only() {
    let a = accounts();
    let mut r = registry();
    as_caller(a.alice);
    r.set_unbonding_period(10_000).unwrap();
    as_caller(a.bob);
    let pool = r.create_pool([2; 32], 100_000).unwrap();

    paying(a.charlie, 0);
    assert_eq!(r.stake(pool), Err(Error::ZeroAmount));
    paying(a.charlie, 700);
    assert_eq!(r.stake(pool + 9), Err(Error::UnknownPool));
    paying(a.charlie, 700);
    r.stake(pool).unwrap();
    assert_eq!(r.stake_of(pool, a.charlie).amount, 700);
    assert_eq!(r.pool_info(pool).unwrap().total_stake, 700);

    as_caller(a.charlie);
    assert_eq!(r.unstake(pool, 701), Err(Error::InsufficientStake));
    assert_eq!(r.withdraw(pool), Err(Error::NothingDue));
    test::set_block_timestamp::<Env>(1_000);
    r.unstake(pool, 300).unwrap();
    assert_eq!(r.pool_info(pool).unwrap().total_stake, 400, "unbonding stake stops earning");
    assert_eq!(r.stake_of(pool, a.charlie), Stake { amount: 400, reward_debt: 0, unbonding: 300, release_at: 11_000 });

    test::set_block_timestamp::<Env>(10_999);
    assert_eq!(r.withdraw(pool), Err(Error::StillUnbonding));
    test::set_block_timestamp::<Env>(11_000);
    let before = balance(a.charlie);
    assert_eq!(r.withdraw(pool), Ok(300));
    assert_eq!(balance(a.charlie), before + 300);
    assert_eq!(r.withdraw(pool), Err(Error::NothingDue), "paid once");
    assert_eq!(r.stake_of(pool, a.charlie).amount, 400);
}

#[ink::test]
fn subscriptions_are_validated_and_one_per_chain() {
    let a = accounts();
    let mut r = registry();
    let bad = [
        Subscription { l2_chain_id: 0, ..subscription(1) },
        Subscription { l1_chain_id: 0, ..subscription(1) },
        Subscription { rpc: String::new(), ..subscription(1) },
        Subscription { rpc: "h".repeat(crate::MAX_RPC_LEN + 1), ..subscription(1) },
        Subscription { l1_verifier: [0; 20], ..subscription(1) },
        Subscription { policy: ProofMix { zk_share_bps: 10_001, tee_finality_delay_s: 0 }, ..subscription(1) },
    ];
    for sub in bad {
        paying(a.eve, 5);
        assert_eq!(r.subscribe(sub.clone()), Err(Error::InvalidSubscription), "{sub:?}");
    }
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(167_000)).unwrap();
    let info = r.rollup_info(id).unwrap();
    assert_eq!((info.admin, info.deposit, info.paused), (a.eve, 1_000, false));
    assert_eq!(r.rollup_by_chain(167_000), Some(id));
    paying(a.frank, 1);
    assert_eq!(r.subscribe(subscription(167_000)), Err(Error::ChainTaken));
}

#[ink::test]
fn deposits_top_up_by_anyone_and_leave_only_a_paused_rollup_to_its_admin() {
    let a = accounts();
    let mut r = registry();
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(10)).unwrap();
    paying(a.frank, 500);
    r.top_up(id).unwrap();
    assert_eq!(r.rollup_info(id).unwrap().deposit, 1_500);

    as_caller(a.frank);
    assert_eq!(r.withdraw_deposit(id, 1), Err(Error::NotRollupAdmin));
    assert_eq!(r.set_paused(id, true), Err(Error::NotRollupAdmin));
    as_caller(a.eve);
    assert_eq!(r.withdraw_deposit(id, 1), Err(Error::NotPaused));
    r.set_paused(id, true).unwrap();
    assert_eq!(r.withdraw_deposit(id, 1_501), Err(Error::InsufficientDeposit));
    let before = balance(a.eve);
    r.withdraw_deposit(id, 1_200).unwrap();
    assert_eq!(balance(a.eve), before + 1_200);
    assert_eq!(r.rollup_info(id).unwrap().deposit, 300);

    let policy = ProofMix { zk_share_bps: 10_000, tee_finality_delay_s: 0 };
    r.update_rollup(id, policy, 7).unwrap();
    let info = r.rollup_info(id).unwrap();
    assert_eq!((info.policy, info.fee_per_block), (policy, 7));
    assert_eq!(r.update_rollup(id, ProofMix { zk_share_bps: 10_001, ..policy }, 7), Err(Error::InvalidSubscription));
}

fn key(i: u8) -> LocalSigner {
    LocalSigner::from_bytes(&keccak256([b"registry test key ".as_slice(), &[i]].concat())).expect("key")
}

/// A block proof's public input under `subscription(chain)`'s domain.
fn block_input(chain: u64, block: u64) -> BlockInput {
    let sub = subscription(chain);
    BlockInput {
        l1_chain_id: sub.l1_chain_id,
        verifier: sub.l1_verifier,
        l2_chain_id: chain,
        chain_config_hash: [1; 32],
        block_number: block,
        parent_hash: [2; 32],
        block_hash: [3; 32],
        pre_state_root: [4; 32],
        post_state_root: [5; 32],
        witness_commitment: [6; 32],
    }
}

fn batch_input(chain: u64, first: u64, last: u64) -> BatchInput {
    let sub = subscription(chain);
    BatchInput {
        l1_chain_id: sub.l1_chain_id,
        verifier: sub.l1_verifier,
        l2_chain_id: chain,
        chain_config_hash: [1; 32],
        first_block: first,
        last_block: last,
        first_parent_hash: [2; 32],
        last_block_hash: [3; 32],
        first_pre_state_root: [4; 32],
        last_post_state_root: [5; 32],
        blocks_commitment: [6; 32],
    }
}

/// The 85-byte TEE-proof of `input` by `key`, as a prover makes it (the core's signing).
fn signed(input: &ProvenInput, key: &LocalSigner) -> [u8; PROOF_LEN] {
    TeeProof::sign(key, input.digest(key.address()).into()).expect("sign").to_bytes()
}

#[ink::test]
fn only_relayers_report_and_only_for_known_rollups() {
    let a = accounts();
    let mut r = registry();
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(10)).unwrap();
    let input = ProvenInput::Block(block_input(10, 1));
    let proof = signed(&input, &key(1));
    as_caller(a.django);
    assert_eq!(r.report_proof(id, 1, input.clone(), proof, [0; 32]), Err(Error::NotRelayer));
    as_caller(a.alice);
    r.set_relayer(a.django, true).unwrap();
    as_caller(a.django);
    assert_eq!(r.report_proof(id + 1, 1, input.clone(), proof, [0; 32]), Err(Error::UnknownRollup));
    // Signed, but not by a registered prover (none is: the off-chain environment cannot register).
    assert_eq!(r.report_proof(id, 1, input, proof, [0; 32]), Err(Error::SignerNotProver));
    assert_eq!(r.rollup_info(id).unwrap().deposit, 1_000, "nothing was charged");
    assert_eq!(r.credit_of(id, 1), None);
    // A stranger's contract (or none) at that address is not a prover: the read is refused before
    // anything is stored (the off-chain environment has no contracts to call).
    as_caller(a.bob);
    let pool = r.create_pool([3; 32], 0).unwrap();
    as_caller(a.charlie);
    assert_eq!(r.register_prover(pool, a.frank), Err(Error::NotPoolOwner));
}

/// A relayer can report only what a prover signed, for the subscription's domain and the block
/// the proof is of: every refusal here comes before the signer is looked up, and changes nothing.
#[ink::test]
fn a_report_is_the_proof_itself_checked_against_its_signature_and_the_subscription() {
    let a = accounts();
    let mut r = registry();
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(10)).unwrap();
    as_caller(a.alice);
    r.set_relayer(a.django, true).unwrap();
    as_caller(a.django);
    let before = events();
    let prover = key(1);
    let good = block_input(10, 5);
    let report = |r: &mut PhatRegistry, block: u64, input: ProvenInput, proof: [u8; PROOF_LEN]| {
        r.report_proof(id, block, input, proof, [7; 32])
    };
    let input = ProvenInput::Block(good.clone());
    let proof = signed(&input, &prover);
    // The signature checks out: what stops it is that the key is not a registered prover's.
    assert_eq!(report(&mut r, 5, input.clone(), proof), Err(Error::SignerNotProver));

    // Another domain than the subscription's, even correctly signed.
    for wrong in [
        BlockInput { l1_chain_id: 1, ..good.clone() },
        BlockInput { verifier: [0x12; 20], ..good.clone() },
        BlockInput { l2_chain_id: 11, ..good.clone() },
    ] {
        let input = ProvenInput::Block(wrong);
        let proof = signed(&input, &prover);
        assert_eq!(report(&mut r, 5, input, proof), Err(Error::WrongDomain));
    }
    // Another block than the proof's.
    assert_eq!(report(&mut r, 6, input.clone(), proof), Err(Error::WrongBlock));

    // Any field of the public input altered: the digest changes, the signature no longer
    // recovers to the prover the proof names.
    let altered = [
        BlockInput { post_state_root: [0x55; 32], ..good.clone() },
        BlockInput { block_hash: [0x33; 32], ..good.clone() },
        BlockInput { chain_config_hash: [0x11; 32], ..good.clone() },
        BlockInput { witness_commitment: [0x66; 32], ..good.clone() },
    ];
    for wrong in altered {
        assert_eq!(report(&mut r, 5, ProvenInput::Block(wrong), proof), Err(Error::BadSignature));
    }
    // The proof naming another prover than its signer (a relayer claiming a registered prover's
    // address for a key of its own), the malleable high-s twin, a bad v, a zero signature.
    let mut claimed = proof;
    claimed[..20].copy_from_slice(key(2).address().as_slice());
    assert_eq!(report(&mut r, 5, input.clone(), claimed), Err(Error::BadSignature));
    let n = U256::from_str_radix("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16).unwrap();
    let mut high = proof;
    let s = U256::from_be_slice(&proof[52..84]);
    high[52..84].copy_from_slice(&(n - s).to_be_bytes::<32>());
    high[84] = 55 - high[84];
    assert_eq!(report(&mut r, 5, input.clone(), high), Err(Error::BadSignature));
    let mut bad_v = proof;
    bad_v[84] = 1;
    assert_eq!(report(&mut r, 5, input.clone(), bad_v), Err(Error::BadSignature));
    let mut zero = proof;
    zero[20..].fill(0);
    assert_eq!(report(&mut r, 5, input, zero), Err(Error::BadSignature));

    // A batch proof covers each block of its range, and no other; a block proof's signature does
    // not pass for a batch's (the tags differ).
    let batch = ProvenInput::Batch(batch_input(10, 5, 7));
    let batch_proof = signed(&batch, &prover);
    for block in [5, 6, 7] {
        assert_eq!(report(&mut r, block, batch.clone(), batch_proof), Err(Error::SignerNotProver));
    }
    for block in [4, 8] {
        assert_eq!(report(&mut r, block, batch.clone(), batch_proof), Err(Error::WrongBlock));
    }
    assert_eq!(report(&mut r, 5, batch, proof), Err(Error::BadSignature));
    let backwards = ProvenInput::Batch(batch_input(10, 7, 5));
    let backwards_proof = signed(&backwards, &prover);
    assert_eq!(report(&mut r, 6, backwards, backwards_proof), Err(Error::WrongBlock));

    assert_eq!(r.rollup_info(id).unwrap().deposit, 1_000, "nothing was charged");
    assert_eq!(r.rollup_info(id).unwrap().proven, 0);
    assert_eq!(r.credit_of(id, 5), None);
    assert_eq!(events(), before, "a refused report emits nothing");
}

/// A paused subscription is not charged: a report is refused before anything else is looked at,
/// and accepted again (up to the signer here) once the admin resumes it.
#[ink::test]
fn a_paused_rollup_is_neither_credited_nor_charged() {
    let a = accounts();
    let mut r = registry();
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(10)).unwrap();
    as_caller(a.alice);
    r.set_relayer(a.django, true).unwrap();
    as_caller(a.eve);
    r.set_paused(id, true).unwrap();
    let before = events();
    let input = ProvenInput::Block(block_input(10, 5));
    let proof = signed(&input, &key(1));
    as_caller(a.django);
    assert_eq!(r.report_proof(id, 5, input.clone(), proof, [0; 32]), Err(Error::RollupPaused));
    let info = r.rollup_info(id).unwrap();
    assert_eq!((info.deposit, info.proven), (1_000, 0));
    assert_eq!(r.credit_of(id, 5), None);
    assert_eq!(events(), before, "a refused report emits nothing");
    as_caller(a.eve);
    r.set_paused(id, false).unwrap();
    as_caller(a.django);
    assert_eq!(r.report_proof(id, 5, input, proof, [0; 32]), Err(Error::SignerNotProver));
}

#[ink::test]
fn claim_without_rewards_is_refused() {
    let a = accounts();
    let mut r = registry();
    as_caller(a.bob);
    let pool = r.create_pool([4; 32], 0).unwrap();
    as_caller(a.charlie);
    assert_eq!(r.claimable(pool, a.charlie), Ok(0));
    assert_eq!(r.claim(pool), Err(Error::NothingDue));
    assert_eq!(r.claim(pool + 1), Err(Error::NothingDue));
}
