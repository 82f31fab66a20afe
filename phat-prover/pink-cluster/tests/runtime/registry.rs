//! The real `phat_registry.wasm` beside real `phat_prover.wasm` instances in the pink runtime:
//! pools and stakers, prover registration read from the prover contracts (cross-contract calls),
//! a rollup subscribing, proofs proven in the runtime and reported once each, the fee split
//! between the pool owner and its stakers pro rata, key rotation followed, unbonding and claims
//! paid in real balances — and the registry holding exactly what it owes.

use drink::{runtime::AccountIdFor, session::Session};
use ink::{ToAccountId, codegen::TraitCallBuilder};
use phat_prover_contract::PhatProverRef;
use phat_prover_core::{TeeProof, WitnessBundle};
use phat_registry::{Error, PhatRegistryRef, ProofMix, Subscription};
use pink_drink::{Callable, DeployBundle, PinkRuntime};

use super::{blocks, cancun, config, deploy, env_path, set_chain};

type Account = AccountIdFor<PinkRuntime>;

const POOL_OWNER: [u8; 32] = [2; 32];
const OTHER_OWNER: [u8; 32] = [3; 32];
const STAKER_A: [u8; 32] = [4; 32];
const STAKER_B: [u8; 32] = [5; 32];
const ROLLUP_ADMIN: [u8; 32] = [6; 32];
const RELAYER: [u8; 32] = [8; 32];
const FUNDS: u128 = 1_000_000_000;
const FEE: u128 = 1_000;

fn ink_id(a: [u8; 32]) -> ink::primitives::AccountId {
    a.into()
}

/// Runs `f` as `who`, then restores the previous actor.
fn as_actor<T>(session: &mut Session<PinkRuntime>, who: [u8; 32], f: impl FnOnce(&mut Session<PinkRuntime>) -> T) -> T {
    let previous = session.set_actor(Account::new(who));
    let out = f(session);
    session.set_actor(previous);
    out
}

fn free(session: &mut Session<PinkRuntime>, who: &Account) -> u128 {
    session.sandbox().free_balance(who)
}

#[test]
fn registry_pools_provers_subscriptions_and_rewards_end_to_end() {
    let registry_wasm = std::fs::read(env_path("PHAT_REGISTRY_WASM")).expect("registry wasm");
    let prover_wasm = super::wasm();
    let blocks = blocks("wallet");
    let chain = set_chain(&blocks);
    let chain_id = WitnessBundle::from_bytes(&blocks[0].0).expect("bundle").chain_id;
    let mut session = Session::<PinkRuntime>::new().expect("session");
    for who in [POOL_OWNER, OTHER_OWNER, STAKER_A, STAKER_B, ROLLUP_ADMIN, RELAYER] {
        session.sandbox().mint_into(Account::new(who), FUNDS).expect("mint");
    }
    let mut registry: PhatRegistryRef =
        PhatRegistryRef::new().salt_bytes(vec![0]).deploy_wasm(&registry_wasm, &mut session).expect("deploy");
    let registry_account = Account::new(*ToAccountId::<pink::PinkEnvironment>::to_account_id(&registry).as_ref());

    // Governance: a relayer, a short unbonding period.
    registry.call_mut().set_relayer(ink_id(RELAYER), true).submit_tx(&mut session).expect("tx").expect("relayer");
    registry.call_mut().set_unbonding_period(60_000).submit_tx(&mut session).expect("tx").expect("period");

    // Two pools; each owner deploys and configures a prover contract on its worker's cluster.
    let pool = as_actor(&mut session, POOL_OWNER, |s| {
        registry.call_mut().create_pool([0xaa; 32], 100_000).submit_tx(s).expect("tx").expect("pool")
    });
    let other_pool = as_actor(&mut session, OTHER_OWNER, |s| {
        registry.call_mut().create_pool([0xbb; 32], 0).submit_tx(s).expect("tx").expect("pool")
    });
    let mut prover: PhatProverRef = as_actor(&mut session, POOL_OWNER, |s| {
        let mut p = deploy(s, &prover_wasm, 1);
        p.call_mut().configure(config(&chain)).submit_tx(s).expect("tx").expect("configured");
        p
    });
    let prover_id = ToAccountId::<pink::PinkEnvironment>::to_account_id(&prover);
    let address = prover.call().prover_address().query(&mut session).expect("query").expect("address");

    // Registration reads the prover contract: only its owner registers it, once; a contract that
    // is not a prover is refused.
    let refused = as_actor(&mut session, OTHER_OWNER, |s| {
        registry.call_mut().register_prover(other_pool, prover_id).submit_tx(s).expect("tx")
    });
    assert_eq!(refused, Err(Error::ProverOwnerMismatch));
    let other: PhatRegistryRef =
        PhatRegistryRef::new().salt_bytes(vec![1]).deploy_wasm(&registry_wasm, &mut session).expect("deploy");
    let ids = [&registry, &other].map(ToAccountId::<pink::PinkEnvironment>::to_account_id);
    for id in ids {
        let refused = as_actor(&mut session, POOL_OWNER, |s| {
            registry.call_mut().register_prover(pool, id).submit_tx(s).expect("tx")
        });
        assert_eq!(refused, Err(Error::NotAProver));
    }
    let id = as_actor(&mut session, POOL_OWNER, |s| {
        registry.call_mut().register_prover(pool, prover_id).submit_tx(s).expect("tx").expect("registered")
    });
    let again = as_actor(&mut session, POOL_OWNER, |s| {
        registry.call_mut().register_prover(pool, prover_id).submit_tx(s).expect("tx")
    });
    assert_eq!(again, Err(Error::AlreadyRegistered));
    let info = registry.call().prover_info(id).query(&mut session).expect("query").expect("prover");
    assert_eq!((info.eth_address, info.key_epoch, info.pool), (address, 0, pool));

    // Stakers fund the pool 3 : 1; a rollup subscribes with a deposit for 4 blocks and a bit.
    for (who, amount) in [(STAKER_A, 300_000u128), (STAKER_B, 100_000)] {
        as_actor(&mut session, who, |s| {
            registry.call_mut().stake(pool).transferred_value(amount).submit_tx(s).expect("tx").expect("staked")
        });
    }
    let sub = Subscription {
        l2_chain_id: chain_id,
        rpc: "http://127.0.0.1:8546".into(),
        l1_verifier: [0x5f; 20],
        policy: ProofMix { zk_share_bps: 1_000, tee_finality_delay_s: 3_600 },
        fee_per_block: FEE,
    };
    let rollup = as_actor(&mut session, ROLLUP_ADMIN, |s| {
        registry.call_mut().subscribe(sub).transferred_value(4 * FEE + 10).submit_tx(s).expect("tx").expect("rollup")
    });

    // Each block proven inside the runtime; the relayer reports the signer the proof names.
    let report = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, block: u64, signer: [u8; 20]| {
        as_actor(session, RELAYER, |s| {
            registry.call_mut().report_proof(rollup, block, signer, [block as u8; 32]).submit_tx(s).expect("tx")
        })
    };
    let mut proven = Vec::new();
    for (bundle, _) in &blocks {
        let proved = prover.call().prove(bundle.clone()).query(&mut session).expect("query").expect("proved");
        let signer = TeeProof::from_bytes(&proved.proof).expect("proof").prover.0.0;
        assert_eq!(signer, address);
        proven.push((proved.block_number, signer));
    }
    let (first_block, signer) = proven[0];
    assert_eq!(report(&mut session, &mut registry, first_block, signer), Ok(FEE));
    assert_eq!(report(&mut session, &mut registry, first_block, signer), Err(Error::AlreadyCredited));
    let stranger = registry.call_mut().report_proof(rollup, first_block + 100, signer, [0; 32]).submit_tx(&mut session);
    assert_eq!(stranger.expect("tx"), Err(Error::NotRelayer));
    assert_eq!(report(&mut session, &mut registry, first_block + 100, [0x99; 20]), Err(Error::UnknownProver));

    // 10 % commission: 100 to the owner, 900 shared 675 / 225.
    let claimable = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, who: [u8; 32]| {
        registry.call().claimable(pool, ink_id(who)).query(session).expect("query").expect("claimable")
    };
    assert_eq!(claimable(&mut session, &mut registry, POOL_OWNER), 100);
    assert_eq!(claimable(&mut session, &mut registry, STAKER_A), 675);
    assert_eq!(claimable(&mut session, &mut registry, STAKER_B), 225);

    // Staker B leaves: the next fee goes to A alone (after commission).
    as_actor(&mut session, STAKER_B, |s| {
        registry.call_mut().unstake(pool, 100_000).submit_tx(s).expect("tx").expect("unstaked")
    });
    assert_eq!(report(&mut session, &mut registry, first_block + 1, signer), Ok(FEE));
    assert_eq!(claimable(&mut session, &mut registry, STAKER_A), 675 + 900);
    assert_eq!(claimable(&mut session, &mut registry, STAKER_B), 225);

    // Key rotation: the registry follows the prover contract; the old key is no longer credited.
    as_actor(&mut session, POOL_OWNER, |s| prover.call_mut().rotate_key().submit_tx(s).expect("tx").expect("rotated"));
    registry.call_mut().sync_prover_key(id).submit_tx(&mut session).expect("tx").expect("synced");
    let rotated = prover.call().prover_address().query(&mut session).expect("query").expect("address");
    assert_eq!(registry.call().prover_by_address(rotated).query(&mut session).expect("query"), Some(id));
    assert_eq!(report(&mut session, &mut registry, first_block + 2, signer), Err(Error::UnknownProver));
    assert_eq!(report(&mut session, &mut registry, first_block + 2, rotated), Ok(FEE));
    assert_eq!(registry.call_mut().sync_prover_key(id).submit_tx(&mut session).expect("tx"), Err(Error::KeyUnchanged));

    // The deposit runs out after four fees: the fifth is refused and nothing moves.
    assert_eq!(report(&mut session, &mut registry, first_block + 3, rotated), Ok(FEE));
    assert_eq!(report(&mut session, &mut registry, first_block + 4, rotated), Err(Error::InsufficientDeposit));
    let info = registry.call().rollup_info(rollup).query(&mut session).expect("query").expect("rollup");
    assert_eq!((info.deposit, info.proven), (10, 4));

    // Claims pay real balances: owner 4 × 100, A 675 + 3 × 900, B 225.
    for (who, expected) in [(POOL_OWNER, 400u128), (STAKER_A, 675 + 3 * 900), (STAKER_B, 225)] {
        let account = Account::new(who);
        let before = free(&mut session, &account);
        let paid = as_actor(&mut session, who, |s| registry.call_mut().claim(pool).submit_tx(s).expect("tx"));
        assert_eq!(paid, Ok(expected));
        assert_eq!(free(&mut session, &account), before + expected);
    }

    // Unbonding: refused before the period, paid after it.
    let refused = as_actor(&mut session, STAKER_B, |s| registry.call_mut().withdraw(pool).submit_tx(s).expect("tx"));
    assert_eq!(refused, Err(Error::StillUnbonding));
    let now = session.sandbox().get_timestamp();
    session.sandbox().set_timestamp(now + 60_000);
    let paid = as_actor(&mut session, STAKER_B, |s| registry.call_mut().withdraw(pool).submit_tx(s).expect("tx"));
    assert_eq!(paid, Ok(100_000));

    // The registry holds exactly what it owes: A's stake and the rollup's deposit (above the
    // existential deposit the runtime keeps on every account).
    let held = free(&mut session, &registry_account);
    let owed = 300_000 + info.deposit;
    assert!(held >= owed && held - owed <= 1, "held {held}, owed {owed}");
}

/// Retiring a prover: only its pool's owner or governance may, once; a retired prover's proofs are
/// no longer credited and its key no longer followed.
#[test]
fn registry_retires_provers_for_good() {
    let registry_wasm = std::fs::read(env_path("PHAT_REGISTRY_WASM")).expect("registry wasm");
    let prover_wasm = super::wasm();
    let chain = cancun(1);
    let chain_id = chain.chain_id();
    let mut session = Session::<PinkRuntime>::new().expect("session");
    for who in [POOL_OWNER, OTHER_OWNER, ROLLUP_ADMIN, RELAYER] {
        session.sandbox().mint_into(Account::new(who), FUNDS).expect("mint");
    }
    let mut registry: PhatRegistryRef =
        PhatRegistryRef::new().salt_bytes(vec![0]).deploy_wasm(&registry_wasm, &mut session).expect("deploy");
    registry.call_mut().set_relayer(ink_id(RELAYER), true).submit_tx(&mut session).expect("tx").expect("relayer");
    let pool = as_actor(&mut session, POOL_OWNER, |s| {
        registry.call_mut().create_pool([0xaa; 32], 0).submit_tx(s).expect("tx").expect("pool")
    });
    as_actor(&mut session, OTHER_OWNER, |s| {
        registry.call_mut().create_pool([0xbb; 32], 0).submit_tx(s).expect("tx").expect("pool")
    });
    let register = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, salt: u8| {
        as_actor(session, POOL_OWNER, |s| {
            let mut p = deploy(s, &prover_wasm, salt);
            p.call_mut().configure(config(&chain)).submit_tx(s).expect("tx").expect("configured");
            let contract = ToAccountId::<pink::PinkEnvironment>::to_account_id(&p);
            let id = registry.call_mut().register_prover(pool, contract).submit_tx(s).expect("tx").expect("registered");
            let address = p.call().prover_address().query(s).expect("query").expect("address");
            (p, id, address)
        })
    };
    let (mut first, first_id, first_address) = register(&mut session, &mut registry, 1);
    let (_, second_id, second_address) = register(&mut session, &mut registry, 2);
    let sub = Subscription {
        l2_chain_id: chain_id,
        rpc: "http://127.0.0.1:8546".into(),
        l1_verifier: [0x5f; 20],
        policy: ProofMix { zk_share_bps: 0, tee_finality_delay_s: 0 },
        fee_per_block: FEE,
    };
    let rollup = as_actor(&mut session, ROLLUP_ADMIN, |s| {
        registry.call_mut().subscribe(sub).transferred_value(10 * FEE).submit_tx(s).expect("tx").expect("rollup")
    });
    let report = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, block: u64, signer: [u8; 20]| {
        as_actor(session, RELAYER, |s| {
            registry.call_mut().report_proof(rollup, block, signer, [0; 32]).submit_tx(s).expect("tx")
        })
    };
    assert_eq!(report(&mut session, &mut registry, 1, first_address), Ok(FEE));

    // Another pool's owner and a stranger may not retire it; nothing changes.
    for who in [OTHER_OWNER, RELAYER] {
        let refused =
            as_actor(&mut session, who, |s| registry.call_mut().retire_prover(first_id).submit_tx(s).expect("tx"));
        assert_eq!(refused, Err(Error::NotPoolOwner));
    }
    assert_eq!(registry.call().prover_by_address(first_address).query(&mut session).expect("query"), Some(first_id));

    // Its pool's owner retires it once; a second time is refused.
    let retire = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, who: [u8; 32], id| {
        as_actor(session, who, |s| registry.call_mut().retire_prover(id).submit_tx(s).expect("tx"))
    };
    assert_eq!(retire(&mut session, &mut registry, POOL_OWNER, first_id), Ok(()));
    assert_eq!(retire(&mut session, &mut registry, POOL_OWNER, first_id), Err(Error::ProverRetired));
    let info = registry.call().prover_info(first_id).query(&mut session).expect("query").expect("prover");
    assert_eq!((info.status, info.proofs), (phat_registry::ProverStatus::Retired, 1));
    assert_eq!(registry.call().prover_by_address(first_address).query(&mut session).expect("query"), None);

    // Its proofs are no longer credited; the deposit stays where it was.
    assert_eq!(report(&mut session, &mut registry, 2, first_address), Err(Error::UnknownProver));
    let deposit = registry.call().rollup_info(rollup).query(&mut session).expect("query").expect("rollup").deposit;
    assert_eq!(deposit, 9 * FEE);

    // A rotation of the retired contract is not followed.
    as_actor(&mut session, POOL_OWNER, |s| first.call_mut().rotate_key().submit_tx(s).expect("tx").expect("rotated"));
    let synced = registry.call_mut().sync_prover_key(first_id).submit_tx(&mut session).expect("tx");
    assert_eq!(synced, Err(Error::ProverRetired));

    // Governance (the registry's owner, the default actor) may retire any prover.
    assert_eq!(registry.call_mut().retire_prover(second_id).submit_tx(&mut session).expect("tx"), Ok(()));
    assert_eq!(report(&mut session, &mut registry, 2, second_address), Err(Error::UnknownProver));
}
