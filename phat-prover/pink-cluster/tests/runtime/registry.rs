//! The real `phat_registry.wasm` beside real `phat_prover.wasm` instances in the pink runtime:
//! pools and stakers, prover registration read from the prover contracts (cross-contract calls),
//! a rollup subscribing, proofs proven in the runtime and reported once each — the proof itself,
//! whose signature the registry checks against the registered prover's key, so a report of
//! anything the prover did not sign is refused — a paused rollup not charged, a batch proof
//! crediting each block of its range, the fee split between the pool owner and its stakers pro
//! rata, key rotation followed, unbonding and claims paid in real balances — and the registry
//! holding exactly what it owes.

use drink::{runtime::AccountIdFor, session::Session};
use ink::{ToAccountId, codegen::TraitCallBuilder};
use phat_prover_contract::{Config, PhatProverRef, Proved, ProvedBatch};
use phat_prover_core::{TeeProof, WitnessBundle};
use phat_registry::{BatchInput, BlockInput, Error, PhatRegistryRef, ProofMix, ProvenInput, Subscription};
use pink_drink::{Callable, DeployBundle, PinkRuntime};

use super::{
    L1_CHAIN_ID, VERIFIER, blocks, config, deploy, env_path,
    http::{Behaviour, FixtureNode},
    set_chain,
};

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

/// What a relayer reports of a block proof: its public input (under the test provers' domain)
/// and its 85 bytes.
type Report = (ProvenInput, [u8; 85]);

fn block_report(p: &Proved, l2_chain_id: u64) -> Report {
    let input = BlockInput {
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER,
        l2_chain_id,
        chain_config_hash: p.chain_config_hash,
        block_number: p.block_number,
        parent_hash: p.parent_hash,
        block_hash: p.block_hash,
        pre_state_root: p.pre_state_root,
        post_state_root: p.post_state_root,
        witness_commitment: p.witness_commitment,
    };
    (ProvenInput::Block(input), p.proof.as_slice().try_into().expect("85 bytes"))
}

fn batch_report(b: &ProvedBatch, l2_chain_id: u64, chain_config_hash: [u8; 32]) -> Report {
    let input = BatchInput {
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER,
        l2_chain_id,
        chain_config_hash,
        first_block: b.first_block,
        last_block: b.last_block,
        first_parent_hash: b.first_parent_hash,
        last_block_hash: b.last_block_hash,
        first_pre_state_root: b.first_pre_state_root,
        last_post_state_root: b.last_post_state_root,
        blocks_commitment: b.blocks_commitment,
    };
    (ProvenInput::Batch(input), b.proof.as_slice().try_into().expect("85 bytes"))
}

fn subscription(l2_chain_id: u64, policy: ProofMix) -> Subscription {
    Subscription {
        l2_chain_id,
        rpc: "http://127.0.0.1:8546".into(),
        l1_chain_id: L1_CHAIN_ID,
        l1_verifier: VERIFIER,
        policy,
        fee_per_block: FEE,
    }
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
    let sub = subscription(chain_id, ProofMix { zk_share_bps: 1_000, tee_finality_delay_s: 3_600 });
    let rollup = as_actor(&mut session, ROLLUP_ADMIN, |s| {
        registry.call_mut().subscribe(sub).transferred_value(4 * FEE + 10).submit_tx(s).expect("tx").expect("rollup")
    });

    // Each block proven inside the runtime; the relayer reports the proof itself.
    let report = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, block: u64, r: &Report| {
        as_actor(session, RELAYER, |s| {
            let (input, proof) = r.clone();
            registry.call_mut().report_proof(rollup, block, input, proof, [block as u8; 32]).submit_tx(s).expect("tx")
        })
    };
    let prove_all = |session: &mut Session<PinkRuntime>, prover: &PhatProverRef| -> Vec<(u64, Report)> {
        let mut proven = Vec::new();
        for (bundle, _) in &blocks {
            let proved = prover.call().prove(bundle.clone()).query(session).expect("query").expect("proved");
            proven.push((proved.block_number, block_report(&proved, chain_id)));
        }
        proven
    };
    let proven = prove_all(&mut session, &prover);
    assert_eq!(TeeProof::from_bytes(&proven[0].1.1).expect("proof").prover.0.0, address);
    let [(b0, p0), (b1, p1), (b2, p2), ..] = proven.as_slice() else { panic!("at least three blocks") };
    let (b0, b1, b2) = (*b0, *b1, *b2);
    assert_eq!(report(&mut session, &mut registry, b0, p0), Ok(FEE));
    assert_eq!(report(&mut session, &mut registry, b0, p0), Err(Error::AlreadyCredited));
    let (input, proof) = p1.clone();
    let stranger = registry.call_mut().report_proof(rollup, b1, input, proof, [0; 32]).submit_tx(&mut session);
    assert_eq!(stranger.expect("tx"), Err(Error::NotRelayer));

    // The relayer can report only what the prover signed: another block with a proof, a public
    // input altered under the prover's signature, a proof claiming the registered prover with
    // another key's signature (another prover contract's, not registered), that key's own proof.
    assert_eq!(report(&mut session, &mut registry, b1, p0), Err(Error::WrongBlock));
    let mut altered = p1.clone();
    if let ProvenInput::Block(b) = &mut altered.0 {
        b.post_state_root = [0xee; 32];
    }
    assert_eq!(report(&mut session, &mut registry, b1, &altered), Err(Error::BadSignature));
    let stranger_prover: PhatProverRef = as_actor(&mut session, OTHER_OWNER, |s| {
        let mut p = deploy(s, &prover_wasm, 9);
        p.call_mut().configure(config(&chain)).submit_tx(s).expect("tx").expect("configured");
        p
    });
    let theirs = prove_all(&mut session, &stranger_prover).remove(1).1;
    let mut claimed = theirs.clone();
    claimed.1[..20].copy_from_slice(&address);
    assert_eq!(report(&mut session, &mut registry, b1, &claimed), Err(Error::BadSignature));
    assert_eq!(report(&mut session, &mut registry, b1, &theirs), Err(Error::SignerNotProver));
    let mut other_l1 = p1.clone();
    if let ProvenInput::Block(b) = &mut other_l1.0 {
        b.l1_chain_id = 1;
    }
    assert_eq!(report(&mut session, &mut registry, b1, &other_l1), Err(Error::WrongDomain));

    // A paused rollup is not charged: its valid proof is refused and nothing moves.
    let pause = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, paused: bool| {
        as_actor(session, ROLLUP_ADMIN, |s| {
            registry.call_mut().set_paused(rollup, paused).submit_tx(s).expect("tx").expect("paused")
        })
    };
    pause(&mut session, &mut registry, true);
    assert_eq!(report(&mut session, &mut registry, b1, p1), Err(Error::RollupPaused));
    let info = registry.call().rollup_info(rollup).query(&mut session).expect("query").expect("rollup");
    assert_eq!((info.deposit, info.proven), (3 * FEE + 10, 1));
    assert_eq!(registry.call().credit_of(rollup, b1).query(&mut session).expect("query"), None);
    pause(&mut session, &mut registry, false);

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
    assert_eq!(report(&mut session, &mut registry, b1, p1), Ok(FEE));
    assert_eq!(claimable(&mut session, &mut registry, STAKER_A), 675 + 900);
    assert_eq!(claimable(&mut session, &mut registry, STAKER_B), 225);

    // Key rotation: the registry follows the prover contract; the old key is no longer credited.
    as_actor(&mut session, POOL_OWNER, |s| prover.call_mut().rotate_key().submit_tx(s).expect("tx").expect("rotated"));
    registry.call_mut().sync_prover_key(id).submit_tx(&mut session).expect("tx").expect("synced");
    let rotated = prover.call().prover_address().query(&mut session).expect("query").expect("address");
    assert_eq!(registry.call().prover_by_address(rotated).query(&mut session).expect("query"), Some(id));
    assert_eq!(report(&mut session, &mut registry, b2, p2), Err(Error::SignerNotProver));
    let reproven = prove_all(&mut session, &prover);
    assert_eq!(TeeProof::from_bytes(&reproven[2].1.1).expect("proof").prover.0.0, rotated);
    assert_eq!(report(&mut session, &mut registry, b2, &reproven[2].1), Ok(FEE));
    assert_eq!(registry.call_mut().sync_prover_key(id).submit_tx(&mut session).expect("tx"), Err(Error::KeyUnchanged));

    // The deposit runs out after four fees: the fifth is refused and nothing moves.
    let [(b3, p3), (b4, p4)] = &reproven[3..5] else { panic!("at least five blocks") };
    assert_eq!(report(&mut session, &mut registry, *b3, p3), Ok(FEE));
    assert_eq!(report(&mut session, &mut registry, *b4, p4), Err(Error::InsufficientDeposit));
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

/// A batch proof credits each block of its range once, one report per block; retiring a prover:
/// only its pool's owner or governance may, once; a retired prover's proofs are no longer
/// credited and its key no longer followed.
#[test]
fn registry_credits_a_batch_block_by_block_and_retires_provers_for_good() {
    let registry_wasm = std::fs::read(env_path("PHAT_REGISTRY_WASM")).expect("registry wasm");
    let prover_wasm = super::wasm();
    let blocks = blocks("wallet");
    let chain = set_chain(&blocks);
    let bundles: Vec<WitnessBundle> =
        blocks.iter().map(|(b, _)| WitnessBundle::from_bytes(b).expect("bundle")).collect();
    let chain_id = bundles[0].chain_id;
    // The L2 node the provers fetch their batches from.
    let node = FixtureNode::start(&bundles, &chain, Behaviour::Honest);
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
            let c = Config { l2_rpcs: vec![node.url.clone()], ..config(&chain) };
            p.call_mut().configure(c).submit_tx(s).expect("tx").expect("configured");
            let contract = ToAccountId::<pink::PinkEnvironment>::to_account_id(&p);
            let id = registry.call_mut().register_prover(pool, contract).submit_tx(s).expect("tx").expect("registered");
            let address = p.call().prover_address().query(s).expect("query").expect("address");
            (p, id, address)
        })
    };
    let (mut first, first_id, first_address) = register(&mut session, &mut registry, 1);
    let (second, second_id, second_address) = register(&mut session, &mut registry, 2);
    let sub = subscription(chain_id, ProofMix { zk_share_bps: 0, tee_finality_delay_s: 0 });
    let rollup = as_actor(&mut session, ROLLUP_ADMIN, |s| {
        registry.call_mut().subscribe(sub).transferred_value(10 * FEE).submit_tx(s).expect("tx").expect("rollup")
    });
    let report = |session: &mut Session<PinkRuntime>, registry: &mut PhatRegistryRef, block: u64, r: &Report| {
        as_actor(session, RELAYER, |s| {
            let (input, proof) = r.clone();
            registry.call_mut().report_proof(rollup, block, input, proof, [0; 32]).submit_tx(s).expect("tx")
        })
    };
    let prove = |session: &mut Session<PinkRuntime>, prover: &PhatProverRef, i: usize| {
        let proved = prover.call().prove(bundles[i].to_bytes()).query(session).expect("query").expect("proved");
        (proved.block_number, block_report(&proved, chain_id))
    };
    let (b0, p0) = prove(&mut session, &first, 0);
    assert_eq!(report(&mut session, &mut registry, b0, &p0), Ok(FEE));

    // One batch proof over three blocks (fetched by the contract over pink HTTP): each block of
    // its range is credited once, with its own report and fee; nothing outside the range.
    let batch = first.call().prove_batch(b0 + 1, 3).query(&mut session).expect("query").expect("batch");
    assert_eq!(TeeProof::from_bytes(&batch.proof).expect("proof").prover.0.0, first_address);
    let batch = batch_report(&batch, chain_id, chain.hash().0);
    for block in b0 + 1..=b0 + 3 {
        assert_eq!(report(&mut session, &mut registry, block, &batch), Ok(FEE));
        assert_eq!(report(&mut session, &mut registry, block, &batch), Err(Error::AlreadyCredited));
    }
    assert_eq!(report(&mut session, &mut registry, b0 + 4, &batch), Err(Error::WrongBlock));
    let info = registry.call().rollup_info(rollup).query(&mut session).expect("query").expect("rollup");
    assert_eq!((info.deposit, info.proven), (6 * FEE, 4));
    let credited = registry.call().prover_info(first_id).query(&mut session).expect("query").expect("prover");
    assert_eq!(credited.proofs, 4);

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
    assert_eq!((info.status, info.proofs), (phat_registry::ProverStatus::Retired, 4));
    assert_eq!(registry.call().prover_by_address(first_address).query(&mut session).expect("query"), None);

    // Its proofs are no longer credited; the deposit stays where it was.
    let (b5, p5) = prove(&mut session, &first, 5);
    assert_eq!(report(&mut session, &mut registry, b5, &p5), Err(Error::SignerNotProver));
    let deposit = registry.call().rollup_info(rollup).query(&mut session).expect("query").expect("rollup").deposit;
    assert_eq!(deposit, 6 * FEE);

    // A rotation of the retired contract is not followed.
    as_actor(&mut session, POOL_OWNER, |s| first.call_mut().rotate_key().submit_tx(s).expect("tx").expect("rotated"));
    let synced = registry.call_mut().sync_prover_key(first_id).submit_tx(&mut session).expect("tx");
    assert_eq!(synced, Err(Error::ProverRetired));

    // Governance (the registry's owner, the default actor) may retire any prover.
    let (b4, p4) = prove(&mut session, &second, 4);
    assert_eq!(TeeProof::from_bytes(&p4.1).expect("proof").prover.0.0, second_address);
    assert_eq!(registry.call_mut().retire_prover(second_id).submit_tx(&mut session).expect("tx"), Ok(()));
    assert_eq!(report(&mut session, &mut registry, b4, &p4), Err(Error::SignerNotProver));
}
