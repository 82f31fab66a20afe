//! Native tests on ink!'s off-chain environment: roles, stake pools, unbonding, subscriptions and
//! the refusals. Prover registration and proof crediting read the prover contract through a
//! cross-contract call, which the off-chain environment cannot make: they are tested on the real
//! wasm in the pink runtime (`phat-prover/pink-cluster`), with the reward split's arithmetic here
//! in `ledger`.

use ink::env::test::{self, DefaultAccounts};
use pink::PinkEnvironment as Env;

use crate::{Error, PhatRegistry, ProofMix, Stake, Subscription};

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

#[ink::test]
fn only_relayers_report_and_only_for_known_rollups_and_provers() {
    let a = accounts();
    let mut r = registry();
    paying(a.eve, 1_000);
    let id = r.subscribe(subscription(10)).unwrap();
    as_caller(a.django);
    assert_eq!(r.report_proof(id, 1, [9; 20], [0; 32]), Err(Error::NotRelayer));
    as_caller(a.alice);
    r.set_relayer(a.django, true).unwrap();
    as_caller(a.django);
    assert_eq!(r.report_proof(id + 1, 1, [9; 20], [0; 32]), Err(Error::UnknownRollup));
    assert_eq!(r.report_proof(id, 1, [9; 20], [0; 32]), Err(Error::UnknownProver));
    assert_eq!(r.rollup_info(id).unwrap().deposit, 1_000, "nothing was charged");
    assert_eq!(r.credit_of(id, 1), None);
    // A stranger's contract (or none) at that address is not a prover: the read is refused before
    // anything is stored (the off-chain environment has no contracts to call).
    as_caller(a.bob);
    let pool = r.create_pool([3; 32], 0).unwrap();
    as_caller(a.charlie);
    assert_eq!(r.register_prover(pool, a.frank), Err(Error::NotPoolOwner));
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
