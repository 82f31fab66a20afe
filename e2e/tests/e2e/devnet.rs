//! End to end on the devnet, asserting on L1 state: every L2 block finalized through the dual
//! check and paid once; 1-of-N failover, a full outage that stalls and resumes; a relayer restart
//! that neither repeats nor skips a block; a prover signing a wrong post-state root refused; a
//! compromised registered key's valid proof of a wrong root only soft, then contested by the true
//! root's zk proof and never final; a TEE-only relayer having each proposal's proof mix drawn from
//! an L1 block after the proposal; and the provers as `phat-prover` contracts in a local pink
//! cluster, with `phat-registry` crediting.

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, U256, keccak256},
    providers::{Provider, ProviderBuilder},
};
use phat_devkit::{DEV_KEY, Traffic};
use phat_e2e::{Devnet, cluster::ClusterFiles, devnet::Provers, l1};
use phat_l1::{MultiProofVerifier, RollupSettlement, RollupZkVerifierStandIn, Transition};
use phat_relayer::{
    Relayer, RelayerError,
    config::RegistryConfig,
    prover::{LocalProver, ProveFuture, TeeProver, WitnessSource},
    registry::{RegistryReporter, Reported},
};
use tokio::{sync::watch, task::JoinHandle};

/// 0.001 PHA per finalized block, as `deploy/l1.toml` sets.
const REWARD_PER_BLOCK: u64 = 1_000_000_000_000_000;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A prover that can be taken down and brought back (the test's switch on a worker).
struct Switchable {
    inner: LocalProver,
    up: AtomicBool,
}

impl TeeProver for Switchable {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn address(&self) -> Address {
        self.inner.address()
    }
    fn prove_block(&self, n: u64) -> ProveFuture<'_> {
        if self.up.load(Ordering::SeqCst) {
            self.inner.prove_block(n)
        } else {
            let name = self.inner.name().to_string();
            Box::pin(async move { Err(RelayerError::Prover { prover: name, reason: "worker down".into() }) })
        }
    }
}

pub(crate) struct Running {
    pub(crate) relayer: Arc<Relayer>,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), RelayerError>>,
}

pub(crate) async fn start_relayer(devnet: &Devnet, db: &std::path::Path, provers: Vec<Arc<dyn TeeProver>>) -> Running {
    run_relayer(&devnet.relayer_config(db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config"), provers)
        .await
}

/// A relayer with `config` (as the rollup's proposer), running.
pub(crate) async fn run_relayer(config: &phat_relayer::Config, provers: Vec<Arc<dyn TeeProver>>) -> Running {
    let relayer = Arc::new(Relayer::with_key(config, l1::keys::PROPOSER, provers).await.expect("relayer"));
    let (stop, stopped) = watch::channel(false);
    let task = {
        let relayer = relayer.clone();
        tokio::spawn(async move { relayer.run(stopped).await })
    };
    Running { relayer, stop, task }
}

impl Running {
    pub(crate) async fn stop(self) {
        self.stop.send(true).expect("stop");
        self.task.await.expect("join").expect("relayer ended cleanly");
    }
}

pub(crate) async fn finalized(devnet: &Devnet) -> u64 {
    let provider = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
    RollupSettlement::new(devnet.addresses.settlement, provider).finalizedHead().call().await.expect("head").blockNumber
}

/// Waits until L1 has finalized L2 block `block` (or panics after `secs`).
pub(crate) async fn until_finalized(devnet: &Devnet, block: u64, secs: u64) {
    for _ in 0..secs * 10 {
        if finalized(devnet).await >= block {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("block {block} not finalized within {secs} s (finalized: {})", finalized(devnet).await);
}

/// The relayer's status once `done` holds of it (or as it is after 10 s).
async fn until_status(
    relayer: &Relayer,
    done: impl Fn(&phat_relayer::feed::Status) -> bool,
) -> phat_relayer::feed::Status {
    for _ in 0..100 {
        let status = relayer.feed().status.read().await.clone();
        if done(&status) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    relayer.feed().status.read().await.clone()
}

pub(crate) async fn traffic(devnet: &Devnet, n: usize) -> u64 {
    let mut t = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    for _ in 0..n {
        t.step().await.expect("tx");
    }
    t.head().await.expect("head")
}

pub(crate) fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phat-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir.join("relayer.redb")
}

/// The settlement as the rollup's proposer, after proposing `block` with `hash` and `root`.
pub(crate) async fn propose(
    devnet: &Devnet,
    block: u64,
    hash: alloy::primitives::B256,
    root: alloy::primitives::B256,
) -> RollupSettlement::RollupSettlementInstance<alloy::providers::DynProvider> {
    let proposer = l1::wallet(&devnet.l1.url, l1::keys::PROPOSER).expect("wallet");
    let settlement = RollupSettlement::new(devnet.addresses.settlement, proposer);
    let receipt =
        settlement.propose(block, hash, root).send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(receipt.status());
    settlement
}

/// The 4-byte selector of a custom error, as it appears (hex) in a revert message.
fn selector(error: &str) -> String {
    alloy::hex::encode(&keccak256(error)[..4])
}

#[tokio::test(flavor = "multi_thread")]
async fn every_block_finalizes_once_paid_once_with_failover_outage_and_restart() {
    let devnet = Devnet::start(&repo(), 3).await.expect("devnet");
    let provers: Vec<Arc<Switchable>> = (0..3)
        .map(|i| Arc::new(Switchable { inner: devnet.local_prover(i).expect("prover"), up: AtomicBool::new(true) }))
        .collect();
    let as_dyn = || provers.iter().map(|p| p.clone() as Arc<dyn TeeProver>).collect::<Vec<_>>();
    let db = temp_db("happy");
    let mut mine = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    let mut head = 0;

    // Happy path: real transactions, every block final on L1.
    let running = start_relayer(&devnet, &db, as_dyn()).await;
    for _ in 0..10 {
        mine.step().await.expect("tx");
    }
    head = head.max(mine.head().await.expect("head"));
    until_finalized(&devnet, head, 60).await;

    // Two of three provers down: 1-of-N carries on.
    provers[0].up.store(false, Ordering::SeqCst);
    provers[1].up.store(false, Ordering::SeqCst);
    for _ in 0..4 {
        mine.step().await.expect("tx");
    }
    head = mine.head().await.expect("head");
    until_finalized(&devnet, head, 60).await;

    // All down: finalization stalls on the next block, nothing is skipped …
    provers[2].up.store(false, Ordering::SeqCst);
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    let stalled_at = finalized(&devnet).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(finalized(&devnet).await, stalled_at, "nothing finalizes without a prover");
    let status = running.relayer.feed().status.read().await.clone();
    assert!(status.stalled.as_deref().is_some_and(|s| s.contains("no prover")), "{status:?}");
    // … and resumes when one comes back.
    provers[1].up.store(true, Ordering::SeqCst);
    head = mine.head().await.expect("head");
    until_finalized(&devnet, head, 60).await;

    // Restart: a new relayer on the same store resumes without repeating or skipping.
    running.stop().await;
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    provers.iter().for_each(|p| p.up.store(true, Ordering::SeqCst));
    let running = start_relayer(&devnet, &db, as_dyn()).await;
    head = mine.head().await.expect("head");
    until_finalized(&devnet, head, 60).await;
    running.stop().await;
    assert!(head >= 21, "at least 20 proven blocks (2..={head})");

    // L1 state: one proposal per block, consecutive, each final and equal to the L2 node's block.
    let provider = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
    let settlement = RollupSettlement::new(devnet.addresses.settlement, provider);
    let l2 = ProviderBuilder::new().connect_http(devnet.l2.url.parse().expect("url"));
    let count: u64 = settlement.proposalCount().call().await.expect("count").saturating_to();
    assert_eq!(count, head, "genesis + one proposal per block {}..={head}", 2);
    assert_eq!(settlement.lastFinalized().call().await.expect("last").saturating_to::<u64>(), head - 1);
    for index in 1..count {
        let p = settlement.proposalOf(U256::from(index)).call().await.expect("proposal");
        let block = l2.get_block_by_number(p.lastBlock.into()).await.expect("rpc").expect("block").header;
        assert_eq!(p.lastBlock, index + 1);
        assert_eq!((p.blockHash, p.postStateRoot), (block.hash, block.state_root));
    }
    // Rewards: each finalized block paid once, to the beneficiary of the prover that proved it.
    let mut paid = U256::ZERO;
    for b in &devnet.beneficiaries {
        paid += l1::owed(&devnet.l1.url, &devnet.addresses, *b).await.expect("owed");
    }
    assert_eq!(paid, U256::from(REWARD_PER_BLOCK) * U256::from(head - 1));
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_post_state_root_and_an_expired_instance_are_refused_on_l1() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let head = traffic(&devnet, 1).await;
    let prover = devnet.local_prover(0).expect("prover");
    let honest = prover.prove_block(head).await.expect("proof");
    let p = &honest.public_input;
    // The proposer proposes the true block; a compromised prover signs another post-state root.
    let settlement = propose(&devnet, head, p.block_hash, p.post_state_root).await;
    let mut forged = p.clone();
    forged.post_state_root = keccak256("a state the block does not produce");
    let digest = forged.to_sol().digest();
    let key: alloy::signers::local::PrivateKeySigner = devnet.prover_keys[0].parse().expect("key");
    let signature = alloy::signers::SignerSync::sign_hash_sync(&key, &digest).expect("sign");
    let proof = [prover.address().as_slice(), &signature.as_bytes()].concat();
    let evidence = MultiProofVerifier::TeeEvidence {
        batch: false,
        commitment: p.witness_commitment,
        chainConfigHash: p.chain_config_hash,
        proof: proof.into(),
    };
    let refused = settlement.proveTee(U256::from(1), evidence).send().await.expect_err("must be refused").to_string();
    // TeeVerifier's custom error: the signature over the proposal's digest recovers to another key.
    assert!(refused.contains(&selector("SignerMismatch(address,address)")), "{refused}");
    assert_eq!(finalized(&devnet).await, 1, "nothing finalized");

    // 90 days on, the instance has expired: even its honest proof is refused.
    let admin = l1::wallet(&devnet.l1.url, l1::keys::ADMIN).expect("wallet");
    admin.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (90u64 * 24 * 3600,)).await.expect("warp");
    admin.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.expect("mine");
    let evidence = MultiProofVerifier::TeeEvidence {
        batch: false,
        commitment: p.witness_commitment,
        chainConfigHash: p.chain_config_hash,
        proof: honest.proof.clone(),
    };
    let refused = settlement.proveTee(U256::from(1), evidence).send().await.expect_err("expired").to_string();
    assert!(refused.contains(&selector("ProverExpired(address,uint32)")), "{refused}");
    assert_eq!(finalized(&devnet).await, 1, "nothing finalized");
}

/// Deploys a fresh `RollupZkVerifierStandIn` from its Foundry artifact.
async fn deploy_zk_stand_in(admin: &alloy::providers::DynProvider) -> Address {
    let artifact = repo().join("evm-contracts/out/RollupZkVerifierStandIn.sol/RollupZkVerifierStandIn.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(artifact).expect("artifact")).expect("json");
    let code: alloy::primitives::Bytes = json["bytecode"]["object"].as_str().expect("bytecode").parse().expect("hex");
    let tx =
        alloy::network::TransactionBuilder::with_deploy_code(alloy::rpc::types::TransactionRequest::default(), code);
    let receipt = admin.send_transaction(tx).await.expect("send").get_receipt().await.expect("receipt");
    receipt.contract_address.expect("created")
}

#[tokio::test(flavor = "multi_thread")]
async fn zk_yes_tee_no_contests_pauses_and_resumes_only_through_governance() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let db = temp_db("contest");
    let prover = || vec![Arc::new(devnet.local_prover(0).expect("prover")) as Arc<dyn TeeProver>];
    let mut mine = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    let running = start_relayer(&devnet, &db, prover()).await;
    let honest_head = mine.head().await.expect("head");
    until_finalized(&devnet, honest_head, 60).await;
    running.stop().await;

    // A faulty proposer claims a wrong post-state root for the next block, and the rollup's zk
    // verifier (a soundness bug, played by the stand-in) says yes to it.
    mine.step().await.expect("tx");
    let bad_block = mine.head().await.expect("head");
    let l2 = ProviderBuilder::new().connect_http(devnet.l2.url.parse().expect("url"));
    let header = l2.get_block_by_number(bad_block.into()).await.expect("rpc").expect("block").header;
    let admin = l1::wallet(&devnet.l1.url, l1::keys::ADMIN).expect("wallet");
    let proposer = l1::wallet(&devnet.l1.url, l1::keys::PROPOSER).expect("wallet");
    let a = devnet.addresses;
    RollupSettlement::new(a.settlement, proposer)
        .propose(bad_block, header.hash, keccak256("a root the block does not produce"))
        .send()
        .await
        .expect("send")
        .get_receipt()
        .await
        .expect("receipt");
    let settlement = RollupSettlement::new(a.settlement, admin.clone());
    let index = U256::from(bad_block - 1);
    let claim = settlement.transitionOf(index).call().await.expect("transition");
    let zk_proof = RollupZkVerifierStandIn::new(a.zk_stand_in, admin.clone())
        .proofFor(U256::from(phat_e2e::devnet::L2_CHAIN_ID), claim.clone())
        .call()
        .await
        .expect("proofFor");
    settlement.proveZk(index, zk_proof).send().await.expect("send").get_receipt().await.expect("receipt");

    // The relayer's TEE-proof of the true root contests it: finalization pauses.
    let running = start_relayer(&devnet, &db, prover()).await;
    for _ in 0..2 {
        mine.step().await.expect("tx");
    }
    let multi = MultiProofVerifier::new(a.multi_proof, admin.clone());
    let l2_id = U256::from(phat_e2e::devnet::L2_CHAIN_ID);
    for _ in 0..100 {
        if multi.rollupOf(l2_id).call().await.expect("rollup").openContests == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(multi.rollupOf(l2_id).call().await.expect("rollup").openContests, 1, "contested");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(finalized(&devnet).await, honest_head, "nothing finalizes while contested");
    let status = running.relayer.feed().status.read().await.clone();
    assert!(status.stalled.as_deref().is_some_and(|s| s.contains("contested")), "{status:?}");

    // Governance: replace the faulty zk verifier, end the contest, drop the bad proposal. The
    // relayer then proposes the true block and finalization resumes.
    let fixed = deploy_zk_stand_in(&admin).await;
    let slot = multi.slotOf(l2_id, claim).call().await.expect("slot");
    let r = multi.setZkVerifier(l2_id, fixed).send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(r.status());
    let r = multi.resolveContest(l2_id, slot).send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(r.status());
    let r = settlement.discardFrom(index).send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(r.status());
    let head = mine.head().await.expect("head");
    until_finalized(&devnet, head, 60).await;
    running.stop().await;
    let provider = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
    let s = RollupSettlement::new(a.settlement, provider);
    let p = s.proposalOf(index).call().await.expect("proposal");
    assert_eq!((p.lastBlock, p.blockHash, p.postStateRoot), (bad_block, header.hash, header.state_root));
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

/// Sends `call` and waits for its receipt, which must show success.
pub(crate) async fn mined<C: alloy::sol_types::SolCall>(
    call: alloy::contract::SolCallBuilder<&alloy::providers::DynProvider, C>,
) -> alloy::rpc::types::TransactionReceipt {
    let receipt = call.send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(receipt.status(), "{receipt:?}");
    receipt
}

/// Moves L1 time `secs` forward and mines a block there.
async fn warp(l1: &alloy::providers::DynProvider, secs: u64) {
    l1.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,)).await.expect("warp");
    l1.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await.expect("mine");
}

/// A registered prover key that is compromised signs a TEE-proof of a wrong proposal: a post-state
/// root the block does not produce. The proof verifies on L1 (the key is registered and active), so
/// only the dual check stands between it and finality. TEE-first (zk share 0) it is soft: not final
/// before the soft-finality delay; the zk proof of the true root arrives within it, the slot is
/// contested, the rollup pauses, and the wrong root is never final, also after the delay. With every
/// transition needing zk (share 100 %) it is never final without a zk proof, the zk proof it would
/// need does not exist (a proof of the true root, presented for it, is refused), and the true
/// root's zk proof contests it. The zk share is 0 or 100 % so that the draw does not matter.
#[tokio::test(flavor = "multi_thread")]
async fn a_compromised_key_proving_a_wrong_root_is_soft_then_contested_and_never_final() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let block = traffic(&devnet, 1).await;
    let prover = devnet.local_prover(0).expect("prover");
    let truth = prover.prove_block(block).await.expect("proof");
    let p = &truth.public_input;
    let wrong_root = keccak256("a state the block does not produce");
    assert_ne!(wrong_root, p.post_state_root);

    // The compromised key: prover 0's, registered on L1 through the attestation quorum. Whoever holds
    // it signs the public input of the wrong proposal: a TEE-proof that verifies.
    assert!(l1::is_active(&devnet.l1.url, &devnet.addresses, prover.address()).await.expect("active"));
    let mut lie = p.clone();
    lie.post_state_root = wrong_root;
    let key: alloy::signers::local::PrivateKeySigner = devnet.prover_keys[0].parse().expect("key");
    let signature = alloy::signers::SignerSync::sign_hash_sync(&key, &lie.to_sol().digest()).expect("sign");
    let forged = MultiProofVerifier::TeeEvidence {
        batch: false,
        commitment: p.witness_commitment,
        chainConfigHash: p.chain_config_hash,
        proof: [prover.address().as_slice(), &signature.as_bytes()].concat().into(),
    };

    let admin = l1::wallet(&devnet.l1.url, l1::keys::ADMIN).expect("wallet");
    let a = devnet.addresses;
    let l2_id = U256::from(phat_e2e::devnet::L2_CHAIN_ID);
    let multi = MultiProofVerifier::new(a.multi_proof, admin.clone());
    let governor = RollupSettlement::new(a.settlement, admin.clone());
    let zk = RollupZkVerifierStandIn::new(a.zk_stand_in, admin.clone());
    let delay = multi.rollupOf(l2_id).call().await.expect("rollup").softFinalityDelay;
    let is_final = |t: Transition| {
        let multi = multi.clone();
        async move { multi.isFinal(l2_id, t).call().await.expect("isFinal") }
    };
    // Refusals are asked with eth_call: a `send` refused at gas estimation would still take a nonce
    // from the provider's nonce cache and leave the account's next transaction stuck behind a gap.
    let nothing_to_finalize = || async {
        let refused = governor.finalize(U256::from(64)).call().await.expect_err("nothing final").to_string();
        assert!(refused.contains(&selector("NothingToFinalize()")), "{refused}");
        assert_eq!(finalized(&devnet).await, phat_e2e::devnet::GENESIS_BLOCK, "the finalized head did not move");
    };
    let index = U256::from(1);

    // (a) TEE-first: the zk share is 0.
    mined(multi.setProofMix(l2_id, 0, delay)).await;
    let settlement = propose(&devnet, block, p.block_hash, wrong_root).await;
    let wrong = settlement.transitionOf(index).call().await.expect("transition");
    assert_eq!(
        (wrong.parentHash, wrong.preStateRoot, wrong.postStateRoot),
        (p.parent_hash, p.pre_state_root, wrong_root)
    );
    let right = Transition { postStateRoot: p.post_state_root, ..wrong.clone() };
    let slot = multi.slotOf(l2_id, wrong.clone()).call().await.expect("slot");
    assert_eq!(slot, multi.slotOf(l2_id, right.clone()).call().await.expect("slot"), "one block, one slot");
    let r = mined(settlement.proveTee(index, forged.clone())).await;
    let accepted = r.decoded_log::<MultiProofVerifier::TeeProofAccepted>().expect("TEE-proof accepted");
    assert_eq!((accepted.data.prover, accepted.data.postStateRoot), (prover.address(), wrong_root));
    let proven_at = multi.evidenceOf(slot).call().await.expect("evidence").teeProvenAt.to::<u64>();
    // Its proof mix is drawn (as the relayer would), from an L1 block 64 after the proposal: at
    // share 0 it may go TEE-first, and the draw tells the verifier when it was proposed.
    let draw_delay: u64 = multi.DRAW_DELAY().call().await.expect("delay").saturating_to();
    admin.raw_request::<_, serde_json::Value>("anvil_mine".into(), (draw_delay + 1,)).await.expect("mine");
    mined(settlement.drawZk(index)).await;
    // Soft: not final now, nor ten minutes before the delay ends.
    assert!(!is_final(wrong.clone()).await, "a TEE-only acceptance is never final at once");
    nothing_to_finalize().await;
    warp(&admin, u64::from(delay) - 600).await;
    assert!(!is_final(wrong.clone()).await, "not final before the soft-finality delay");
    // The window is real: asked as of the delay's last second and its end (an eth_call at that
    // block time), L1 says not final, then final — left uncontested, the wrong root would be.
    let final_at = |t: Transition, time: u64| {
        let multi = multi.clone();
        async move {
            let at = alloy::rpc::types::BlockOverrides { time: Some(time), ..Default::default() };
            multi.isFinal(l2_id, t).call().with_block_overrides(at).await.expect("isFinal")
        }
    };
    let window_end = proven_at + u64::from(delay);
    assert!(!final_at(wrong.clone(), window_end - 1).await, "soft until the delay has passed");
    assert!(final_at(wrong.clone(), window_end).await, "uncontested, the soft acceptance ends with the delay");

    // Within the window the rollup's zk prover proves the true root (anyone may submit it to the
    // verifier): the slot is contested and the rollup paused.
    let zk_truth = zk.proofFor(l2_id, right.clone()).call().await.expect("proofFor");
    let r = mined(multi.submitZkProof(l2_id, right.clone(), zk_truth.clone())).await;
    let contested = r.decoded_log::<MultiProofVerifier::TransitionContested>().expect("contested");
    assert_eq!(
        (contested.data.slot, contested.data.recordedPostStateRoot, contested.data.conflictingPostStateRoot),
        (slot, wrong_root, p.post_state_root)
    );
    assert!(r.decoded_log::<MultiProofVerifier::ZkProofAccepted>().is_none(), "the zk proof is not recorded");
    let contested_at =
        admin.get_block_by_number(Default::default()).await.expect("rpc").expect("head").header.timestamp;
    assert!(contested_at < window_end, "contested within the window ({contested_at} < {window_end})");
    assert_eq!(multi.rollupOf(l2_id).call().await.expect("rollup").openContests, 1, "paused");
    assert!(multi.evidenceOf(slot).call().await.expect("evidence").contested);
    assert!(!final_at(wrong.clone(), window_end).await, "contested: not final at the window's end");
    // Never final, also long after the delay; neither root is; the slot takes no more proofs.
    warp(&admin, 2 * u64::from(delay)).await;
    assert!(!is_final(wrong.clone()).await, "contested: never final");
    assert!(!is_final(right.clone()).await, "paused: the true root waits for governance too");
    nothing_to_finalize().await;
    let refused = settlement.proveTee(index, forged.clone()).call().await.expect_err("contested").to_string();
    assert!(refused.contains(&selector("TransitionIsContested(bytes32)")), "{refused}");

    // Governance ends the contest and drops the wrong proposal (it would also revoke the key; it
    // stays active here, for part b).
    mined(multi.resolveContest(l2_id, slot)).await;
    mined(governor.discardFrom(index)).await;
    assert_eq!(multi.rollupOf(l2_id).call().await.expect("rollup").openContests, 0);

    // (b) Every transition needs zk: the zk share is 100 %.
    mined(multi.setProofMix(l2_id, 10_000, delay)).await;
    let settlement = propose(&devnet, block, p.block_hash, wrong_root).await;
    assert_eq!(settlement.transitionOf(index).call().await.expect("transition"), wrong);
    let r = mined(settlement.proveTee(index, forged.clone())).await;
    let accepted = r.decoded_log::<MultiProofVerifier::TeeProofAccepted>().expect("TEE-proof accepted");
    assert_eq!((accepted.data.prover, accepted.data.postStateRoot), (prover.address(), wrong_root));
    assert!(!is_final(wrong.clone()).await, "no zk proof: not final");
    warp(&admin, 2 * u64::from(delay)).await;
    assert!(!is_final(wrong.clone()).await, "no zk proof: not final after the delay either");
    nothing_to_finalize().await;
    // The zk proof the wrong root needs does not exist (the stand-in, like a sound verifier, accepts
    // only a proof made for the transition): the true root's, presented for the wrong proposal,
    // is refused, alone and with the forged TEE-proof.
    let rejected = selector("ZkProofRejected(uint256,bytes32)");
    let refused = settlement.proveZk(index, zk_truth.clone()).call().await.expect_err("zk false").to_string();
    assert!(refused.contains(&rejected), "{refused}");
    let refused =
        settlement.prove(index, zk_truth.clone(), forged.clone()).call().await.expect_err("zk false").to_string();
    assert!(refused.contains(&rejected), "{refused}");
    // The true root's zk proof contests the forged TEE-proof: paused, never final.
    let r = mined(multi.submitZkProof(l2_id, right.clone(), zk_truth)).await;
    let contested = r.decoded_log::<MultiProofVerifier::TransitionContested>().expect("contested");
    assert_eq!(
        (contested.data.recordedPostStateRoot, contested.data.conflictingPostStateRoot),
        (wrong_root, p.post_state_root)
    );
    assert_eq!(multi.rollupOf(l2_id).call().await.expect("rollup").openContests, 1, "paused");
    warp(&admin, 2 * u64::from(delay)).await;
    assert!(!is_final(wrong).await && !is_final(right).await, "never final");
    nothing_to_finalize().await;
    let provider = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
    let head = RollupSettlement::new(a.settlement, provider).finalizedHead().call().await.expect("head");
    assert_ne!(head.stateRoot, wrong_root);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_rotation_mid_stream_then_replays_and_an_untrusted_measurement_are_refused() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let db = temp_db("rotate");
    let old = Arc::new(Switchable { inner: devnet.local_prover(0).expect("prover"), up: AtomicBool::new(true) });
    let new_key = keccak256("phat-sgx-prover devnet prover 0, epoch 2").to_string();
    let new = Arc::new(Switchable {
        inner: LocalProver::new("prover-0-epoch-2", &devnet.l2.url, &new_key, devnet.domain(), devnet.chain.clone())
            .expect("prover"),
        up: AtomicBool::new(false),
    });
    let running = start_relayer(&devnet, &db, vec![old.clone(), new.clone() as Arc<dyn TeeProver>]).await;
    let mut mine = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    until_finalized(&devnet, mine.head().await.expect("head"), 60).await;

    // Rotation: the old key hands over to a newly attested one, active at once; the old retires.
    l1::rotate(
        &devnet.l1.url,
        &devnet.addresses,
        &devnet.quorum,
        &devnet.prover_keys[0],
        new.address(),
        devnet.beneficiaries[0],
    )
    .await
    .expect("rotate");
    new.up.store(true, Ordering::SeqCst);
    assert!(l1::is_active(&devnet.l1.url, &devnet.addresses, new.address()).await.expect("active"));
    assert!(!l1::is_active(&devnet.l1.url, &devnet.addresses, old.address()).await.expect("retired"));
    for _ in 0..3 {
        mine.step().await.expect("tx");
    }
    let head = mine.head().await.expect("head");
    until_finalized(&devnet, head, 60).await; // no gap: every block after the rotation too
    running.stop().await;

    // A proof of the next block bound to another verifier, or to another L1 chain: refused.
    mine.step().await.expect("tx");
    let next = mine.head().await.expect("head");
    let truth = new.prove_block(next).await.expect("proof");
    let p = &truth.public_input;
    let settlement = propose(&devnet, next, p.block_hash, p.post_state_root).await;
    let index = U256::from(next - 1);
    let mismatch = selector("SignerMismatch(address,address)");
    for domain in [
        phat_prover_core::ProofDomain { verifier: Address::repeat_byte(0x11), ..devnet.domain() },
        phat_prover_core::ProofDomain { l1_chain_id: 1, ..devnet.domain() },
        phat_prover_core::ProofDomain { l2_chain_id: 10, ..devnet.domain() },
    ] {
        let replay =
            LocalProver::new("replay", &devnet.l2.url, &new_key, domain, devnet.chain.clone()).expect("prover");
        let proof = replay.prove_block(next).await.expect("proof");
        let tee = MultiProofVerifier::TeeEvidence {
            batch: false,
            commitment: p.witness_commitment,
            chainConfigHash: p.chain_config_hash,
            proof: proof.proof,
        };
        let refused = settlement.proveTee(index, tee).send().await.expect_err("replay refused").to_string();
        assert!(refused.contains(&mismatch), "{refused}");
    }

    // The same key proving the same block under other rules (a config that also schedules
    // Amsterdam, far off: the block executes the same, the config hash differs): L1, configured
    // with the devnet's config, refuses it with ChainConfigMismatch; named as the devnet's hash, the
    // signature no longer matches.
    let mut parts = phat_prover_core::ChainConfigParts {
        devnet_absent_system_contracts: true,
        ..phat_prover_core::ChainConfigParts::from_genesis_up_to(
            phat_e2e::devnet::L2_CHAIN_ID,
            phat_prover_core::Fork::Prague,
        )
    };
    parts.unsupported_from = Some(u64::MAX - 1);
    let other_rules = phat_prover_core::ChainConfig::new(parts).expect("config");
    assert_ne!(other_rules.hash(), devnet.chain.hash());
    let other = LocalProver::new("other-rules", &devnet.l2.url, &new_key, devnet.domain(), other_rules.clone())
        .expect("prover")
        .prove_block(next)
        .await
        .expect("proof");
    assert_eq!(other.public_input.chain_config_hash, other_rules.hash());
    for (named, expected) in [
        (other_rules.hash(), selector("ChainConfigMismatch(uint256,bytes32,bytes32)")),
        (devnet.chain.hash(), mismatch.clone()),
    ] {
        let tee = MultiProofVerifier::TeeEvidence {
            batch: false,
            commitment: p.witness_commitment,
            chainConfigHash: named,
            proof: other.proof.clone(),
        };
        let refused = settlement.proveTee(index, tee).send().await.expect_err("other rules refused").to_string();
        assert!(refused.contains(&expected), "{refused}");
    }

    // The guardian untrusts the enclave's measurement: even the right proof is refused now.
    l1::untrust_devnet_measurement(&devnet.l1.url, &devnet.addresses).await.expect("untrust");
    let tee = MultiProofVerifier::TeeEvidence {
        batch: false,
        commitment: p.witness_commitment,
        chainConfigHash: p.chain_config_hash,
        proof: truth.proof.clone(),
    };
    let refused = settlement.proveTee(index, tee).send().await.expect_err("untrusted refused").to_string();
    assert!(refused.contains(&selector("ProverMeasurementUntrusted(address)")), "{refused}");
    assert_eq!(finalized(&devnet).await, head);
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

/// The devnet as `make devnet` runs it: the provers are `phat-prover` contracts (release wasm) in
/// a local pink cluster, and `phat-registry` credits every settled proof once — also those settled
/// while the registry was out of reach, after a relayer restart. Needs the cluster's
/// binary and bundles: `make test-contracts` runs it (`--ignored`) after building them.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs phat-cluster and the contract bundles: run by `make test-contracts`"]
async fn contracts_in_the_pink_cluster_prove_every_block_and_the_registry_credits_each_once() {
    let env = |name: &str| PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set")));
    let files = ClusterFiles { bin: env("PHAT_CLUSTER_BIN"), bundles: env("PHAT_BUNDLES") };
    let devnet = Devnet::start_with(&repo(), Provers::Cluster(3, files), None).await.expect("devnet");
    let cluster = devnet.cluster.as_ref().expect("cluster");
    let addresses: Vec<Address> = cluster.provers.iter().map(|p| p.address).collect();
    assert_eq!(addresses.len(), 3);
    assert!(addresses[0] != addresses[1] && addresses[1] != addresses[2] && addresses[0] != addresses[2]);
    for a in &addresses {
        assert!(l1::is_active(&devnet.l1.url, &devnet.addresses, *a).await.expect("active"), "{a} registered on L1");
    }
    let rollup_url = format!("{}/v1/registry/rollups/{}", cluster.url, cluster.rollup);
    let rollup =
        || async { reqwest::get(&rollup_url).await.expect("get").json::<serde_json::Value>().await.expect("json") };
    let before = rollup().await;
    assert_eq!(before["proven"], 0);

    let db = temp_db("cluster");
    // First with the registry out of reach: L1 settlement goes on, the credits wait in the store.
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config");
    config.registry =
        Some(RegistryConfig { url: "http://127.0.0.1:9".into(), rollup: cluster.rollup, ..Default::default() });
    let running = run_relayer(&config, devnet.provers().expect("provers")).await;
    let first = traffic(&devnet, 3).await;
    until_finalized(&devnet, first, 120).await;
    // L1 finalizes a block before the relayer has recorded it: wait for the record.
    let unreachable = until_status(&running.relayer, |s| s.relayed == first - 1).await;
    running.stop().await; // and closes its store
    assert_eq!(unreachable.registry_credited, 0);
    assert!(unreachable.registry_error.is_some(), "{unreachable:?}");
    assert_eq!(rollup().await["proven"], 0, "nothing credited while the registry was out of reach");

    // Restarted with the registry: the waiting credits are paid, then the new blocks'. Until here
    // the contracts fetched each block's witness themselves over pink HTTP (`prove_block`, through
    // witness-rpc); from here the relayer fetches it and sends the bundle (`prove`).
    let provers = devnet.provers_with(WitnessSource::Relayer).expect("provers");
    let running = start_relayer(&devnet, &db, provers).await;
    let head = traffic(&devnet, 3).await;
    until_finalized(&devnet, head, 120).await;
    let blocks = head - 1;
    let status = until_status(&running.relayer, |s| s.relayed == blocks && s.registry_credited == blocks).await;
    running.stop().await;

    // Every block from 2 to head was proven by a contract, settled on L1, and credited once.
    let proofs = unreachable.provers.iter().chain(&status.provers).map(|p| p.proofs).sum::<u64>();
    assert_eq!(proofs, blocks, "{unreachable:?} {status:?}");
    assert_eq!(status.registry_credited, blocks, "{status:?}");
    let after = rollup().await;
    assert_eq!(after["proven"], blocks);
    let fee: u128 = after["feePerBlock"].as_str().expect("fee").parse().expect("fee");
    let deposit = |v: &serde_json::Value| v["deposit"].as_str().expect("deposit").parse::<u128>().expect("deposit");
    assert_eq!(deposit(&before) - deposit(&after), fee * u128::from(blocks));
    // A repeated report (a relayer restarted before it recorded the credit) is refused, not paid;
    // so is a report of a proof the prover did not sign (its post-state root altered).
    let reporter = RegistryReporter::new(&RegistryConfig {
        url: cluster.url.clone(),
        rollup: cluster.rollup,
        ..Default::default()
    });
    let record = phat_relayer::store::Store::open(&db).expect("store").get(2).expect("read").expect("block 2");
    assert_eq!(reporter.report(&record, &devnet.domain()).await.expect("report"), Reported::AlreadyCredited);
    let mut forged = record.clone();
    let proof = forged.proof.as_mut().expect("a block proof");
    proof.public_input.block_number = head + 100;
    proof.public_input.post_state_root = keccak256("another root");
    forged.block = head + 100;
    let refused = reporter.report(&forged, &devnet.domain()).await.expect_err("a forged report");
    assert!(refused.to_string().contains("BadSignature"), "{refused}");
    assert_eq!(deposit(&rollup().await), deposit(&after));

    // The other path: the contract relays its proof to L1 itself — a transaction signed in the
    // runtime with its relay key (funded here), sent over pink HTTP to L1.
    let block = traffic(&devnet, 1).await;
    let l1 = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
    let relay = cluster.provers[1].relay_address;
    l1.raw_request::<_, ()>("anvil_setBalance".into(), (relay, U256::from(10u64).pow(U256::from(18u64))))
        .await
        .expect("fund the relay key");
    let http = reqwest::Client::new();
    let answer: serde_json::Value = http
        .post(format!("{}/v1/provers/1/relay-block/{block}", cluster.url))
        .send()
        .await
        .expect("relay")
        .json()
        .await
        .expect("json");
    let hash: alloy::primitives::B256 = answer["txHash"].as_str().expect("txHash").parse().expect("hash");
    let receipt = loop {
        if let Some(r) = l1.get_transaction_receipt(hash).await.expect("receipt") {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(receipt.status(), "the relayed submitTeeProof succeeded");
    assert_eq!(receipt.from, relay);
    let p = &answer["proved"];
    let word = |k: &str| -> alloy::primitives::B256 { p[k].as_str().expect(k).parse().expect(k) };
    let t = Transition {
        firstBlock: block,
        lastBlock: block,
        parentHash: word("parentHash"),
        preStateRoot: word("preStateRoot"),
        blockHash: word("blockHash"),
        postStateRoot: word("postStateRoot"),
    };
    let verifier = MultiProofVerifier::new(devnet.addresses.multi_proof, &l1);
    let slot = verifier.slotOf(U256::from(phat_e2e::devnet::L2_CHAIN_ID), t.clone()).call().await.expect("slot");
    let evidence = verifier.evidenceOf(slot).call().await.expect("evidence");
    assert_eq!((evidence.teeProver, evidence.postStateRoot), (addresses[1], t.postStateRoot));
    // A block L2 does not have yet: refused, nothing signed or sent.
    let refused =
        http.post(format!("{}/v1/provers/0/relay-block/{}", cluster.url, block + 1)).send().await.expect("post");
    assert_eq!(refused.status(), 422, "block {} does not exist yet", block + 1);

    // Batches from the contracts: the blocks waiting — the one the contract relayed itself, whose
    // TEE-proof L1 already holds, and three more — settle as one proposal with one batch proof
    // (`prove_batch`), and the registry credits each block once.
    let last = traffic(&devnet, 3).await;
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config");
    config.relayer.batch_blocks = 8;
    let running = run_relayer(&config, devnet.provers().expect("provers")).await;
    let mut records = running.relayer.feed().subscribe();
    until_finalized(&devnet, last, 120).await;
    let record = records.recv().await.expect("record");
    let batch = record.batch.expect("a batch proof");
    assert_eq!((record.block, batch.first_block, batch.last_block), (block, block, last));
    assert!(addresses.contains(&batch.prover));
    let status = until_status(&running.relayer, |s| s.registry_credited == last - block + 1).await;
    assert_eq!(status.registry_credited, last - block + 1, "{status:?}");
    running.stop().await;

    // Key rotation of a contract prover on L1: the contract moves to its next key, its previous
    // key signs the handover (`handover` query), L1's `rotate` retires the old address and admits
    // the new one, newly attested; then the new key's proofs settle.
    let post = http.post(format!("{}/v1/provers/2/rotate-key", cluster.url)).send().await.expect("rotate");
    assert!(post.status().is_success(), "{:?}", post.text().await);
    let handover: serde_json::Value = http
        .get(format!("{}/v1/provers/2/handover", cluster.url))
        .send()
        .await
        .expect("handover")
        .json()
        .await
        .expect("json");
    let address = |k: &str| -> Address { handover[k].as_str().expect(k).parse().expect(k) };
    let (old, new) = (address("old"), address("new"));
    assert_eq!(old, addresses[2]);
    let signature = alloy::hex::decode(handover["signature"].as_str().expect("signature")).expect("hex");
    let (url, a) = (&devnet.l1.url, &devnet.addresses);
    l1::rotate_signed(url, a, &devnet.quorum, (old, &signature), new, devnet.beneficiaries[2]).await.expect("rotated");
    assert!(l1::is_active(url, a, new).await.expect("active") && !l1::is_active(url, a, old).await.expect("retired"));
    let rotated: Arc<dyn TeeProver> = Arc::new(phat_relayer::prover::ClusterProver::new(
        "contract-2",
        (&cluster.url, 2),
        new,
        devnet.domain(),
        (WitnessSource::Contract, &devnet.l2.url, devnet.chain.clone()),
    ));
    let head = traffic(&devnet, 1).await;
    let running = run_relayer(&config, vec![rotated]).await;
    until_finalized(&devnet, head, 60).await;
    running.stop().await;
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_waiting_together_settle_with_one_batch_proof_and_cost_less_l1_gas_each() {
    let devnet = Devnet::start(&repo(), 3).await.expect("devnet");
    let proposals = || async {
        let provider = ProviderBuilder::new().connect_http(devnet.l1.url.parse().expect("url"));
        let count =
            RollupSettlement::new(devnet.addresses.settlement, provider).proposalCount().call().await.expect("count");
        count.to::<u64>()
    };
    let before = proposals().await;
    // Six blocks wait before the relayer starts: one batch proof settles them as one proposal.
    let head = traffic(&devnet, 6).await;
    let db = temp_db("batch");
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config");
    config.relayer.batch_blocks = 16;
    let running = run_relayer(&config, devnet.provers().expect("provers")).await;
    let mut records = running.relayer.feed().subscribe();
    until_finalized(&devnet, head, 60).await;
    assert_eq!(proposals().await, before + 1, "blocks 2..={head} in one proposal");
    let mut batched = Vec::new();
    while batched.len() < (head - 1) as usize {
        batched.push(records.recv().await.expect("record"));
    }
    let batch = batched[0].batch.clone().expect("settled with a batch proof");
    assert_eq!((batch.first_block, batch.last_block), (2, head));
    assert!(batched.iter().all(|r| r.batch.as_ref() == Some(&batch) && r.proof.is_none() && r.l1.finalized));

    // A block alone is settled with its own proof, in its own proposal.
    let single = traffic(&devnet, 1).await;
    until_finalized(&devnet, single, 60).await;
    let alone = records.recv().await.expect("record");
    assert_eq!((alone.block, alone.batch.is_none()), (single, true));
    assert_eq!(proposals().await, before + 2);
    let per_block = batched[0].l1.gas;
    println!("L1 gas per block: {per_block} in a batch of {}, {} alone", batched.len(), alone.l1.gas);
    assert!(per_block < alone.l1.gas, "a batch costs less per block ({per_block} vs {})", alone.l1.gas);
    running.stop().await; // and closes its store

    // Provers that make no batch proofs (these refuse them): waiting blocks go one by one.
    let switchable: Vec<Arc<dyn TeeProver>> = (0..3)
        .map(|i| {
            let inner = devnet.local_prover(i).expect("prover");
            Arc::new(Switchable { inner, up: AtomicBool::new(true) }) as Arc<dyn TeeProver>
        })
        .collect();
    let head = traffic(&devnet, 2).await;
    let running = run_relayer(&config, switchable).await;
    until_finalized(&devnet, head, 60).await;
    assert_eq!(proposals().await, before + 4, "blocks {}..={head} one by one", head - 1);
    running.stop().await;
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

/// A relayer without a zk source settles TEE-first: it proposes each block and proves it with the
/// TEE-proof alone. The proof mix of a proposal (does it need a zk proof?) is drawn from the hash
/// of the L1 block `DRAW_DELAY` after the one it was proposed in, which did not exist when the
/// proposer committed to its block: until that L1 block exists nothing is drawn, the proposal
/// needs zk and is not final however long it waits; then the relayer has it drawn, from exactly
/// that block's hash, and it is final (after the soft-finality delay) only if drawn TEE-first.
#[tokio::test(flavor = "multi_thread")]
async fn a_tee_only_relayer_has_the_proof_mix_drawn_from_an_l1_block_after_the_proposal() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let db = temp_db("draw");
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config");
    config.zk.stand_in = None;
    let block = traffic(&devnet, 1).await;
    let running = run_relayer(&config, devnet.provers().expect("provers")).await;
    let status = until_status(&running.relayer, |s| s.next_block > block).await;
    assert!(status.next_block > block, "relayed TEE-first: {status:?}");
    assert_eq!(finalized(&devnet).await, phat_e2e::devnet::GENESIS_BLOCK, "nothing final at once");

    let admin = l1::wallet(&devnet.l1.url, l1::keys::ADMIN).expect("wallet");
    let l2_id = U256::from(phat_e2e::devnet::L2_CHAIN_ID);
    let multi = MultiProofVerifier::new(devnet.addresses.multi_proof, admin.clone());
    let settlement = RollupSettlement::new(devnet.addresses.settlement, admin.clone());
    let rollup = multi.rollupOf(l2_id).call().await.expect("rollup");
    assert!(rollup.zkShareBps > 0 && rollup.zkShareBps < 10_000, "a real draw: share {}", rollup.zkShareBps);
    let draw_delay: u64 = multi.DRAW_DELAY().call().await.expect("delay").saturating_to();
    let count: u64 = settlement.proposalCount().call().await.expect("count").saturating_to();
    assert!(count > 1, "proposed");
    let mut pending = Vec::new();
    for index in 1..count {
        let t = settlement.transitionOf(U256::from(index)).call().await.expect("transition");
        let slot = multi.slotOf(l2_id, t.clone()).call().await.expect("slot");
        let at = settlement.proposedAt(U256::from(index)).call().await.expect("proposedAt");
        assert!(multi.evidenceOf(slot).call().await.expect("evidence").teeProver != Address::ZERO, "proven");
        pending.push((t, slot, at));
    }

    // Before the L1 block it is drawn from exists: not drawn, needs zk, not final after the delay.
    warp(&admin, u64::from(rollup.softFinalityDelay) + 1).await;
    let head = admin.get_block_number().await.expect("head");
    for (t, slot, at) in &pending {
        assert!(head <= at + draw_delay, "the draw block {} is still to come (head {head})", at + draw_delay);
        assert_eq!(multi.drawOf(*slot).call().await.expect("draw").l1Block, 0);
        assert!(multi.needsZk(l2_id, t.clone()).call().await.expect("needsZk"));
        assert!(!multi.isFinal(l2_id, t.clone()).call().await.expect("isFinal"), "not final before the draw");
    }

    // L1 moves past it: the relayer has every proposal drawn, from that block's hash.
    admin.raw_request::<_, serde_json::Value>("anvil_mine".into(), (draw_delay + 2,)).await.expect("mine");
    for (t, slot, at) in &pending {
        let mut draw = multi.drawOf(*slot).call().await.expect("draw");
        for _ in 0..100 {
            if draw.l1Block != 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            draw = multi.drawOf(*slot).call().await.expect("draw");
        }
        assert_eq!(draw.l1Block, at + draw_delay, "drawn from the block DRAW_DELAY after the proposal");
        let from = admin
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Number(at + draw_delay))
            .await
            .expect("rpc")
            .expect("block");
        let roll = multi.rollOf(l2_id, t.firstBlock, t.lastBlock, from.header.hash).call().await.expect("rollOf");
        assert_eq!(draw.roll, roll);
        let tee_first = roll >= rollup.zkShareBps;
        assert_eq!(multi.needsZk(l2_id, t.clone()).call().await.expect("needsZk"), !tee_first);
        assert_eq!(multi.isFinal(l2_id, t.clone()).call().await.expect("isFinal"), tee_first);
    }
    running.stop().await;
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

/// A stand-in for the registry's routes on `phat-cluster`: the subscription as the test sets it,
/// and the reports it receives (each answered as credited).
#[derive(Clone, Default)]
struct FakeRegistry {
    subscription: Arc<std::sync::Mutex<serde_json::Value>>,
    reports: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl FakeRegistry {
    /// Serves it on a free local port; returns its URL.
    async fn serve(&self) -> String {
        use axum::{Json, extract::State, routing};
        let app = axum::Router::new()
            .route(
                "/v1/registry/rollups/{id}",
                routing::get(|State(r): State<FakeRegistry>| async move {
                    Json(r.subscription.lock().expect("lock").clone())
                }),
            )
            .route(
                "/v1/registry/report",
                routing::post(|State(r): State<FakeRegistry>, Json(report): Json<serde_json::Value>| async move {
                    r.reports.lock().expect("lock").push(report);
                    Json(serde_json::json!({ "fee": "1" }))
                }),
            )
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    fn set(&self, subscription: serde_json::Value) {
        *self.subscription.lock().expect("lock") = subscription;
    }
}

/// The relayer following the rollup's subscription in the registry: a subscription for another
/// L1 verifier than the settlement's is refused at start; the L2 endpoint is the subscription's;
/// while the subscription is paused nothing is proven (status: "subscription paused"), and once
/// it is resumed every block is, each reported with its TEE-proof, which verifies against the
/// prover's key.
#[tokio::test(flavor = "multi_thread")]
async fn a_relayer_following_the_subscription_proves_nothing_while_it_is_paused() {
    use phat_e2e::devnet::{GENESIS_BLOCK, L1_CHAIN_ID, L2_CHAIN_ID};
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let subscription = |verifier: Address, paused: bool| {
        serde_json::json!({
            "l2ChainId": L2_CHAIN_ID,
            "rpc": devnet.l2.url,
            "l1ChainId": L1_CHAIN_ID,
            "l1Verifier": verifier,
            "policy": { "zkShareBps": 0, "teeFinalityDelayS": 0 },
            "feePerBlock": "1",
            "deposit": "1000",
            "proven": 0,
            "paused": paused,
        })
    };
    let registry = FakeRegistry::default();
    registry.set(subscription(Address::repeat_byte(0x11), false));
    let url = registry.serve().await;
    let db = temp_db("follow");
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("relayer config");
    config.l2.rpc = String::new();
    config.registry =
        Some(RegistryConfig { url, rollup: 0, follow_subscription: true, l2_rpc_from_subscription: true });
    let provers = devnet.provers().expect("provers");
    let refused = Relayer::with_key(&config, l1::keys::PROPOSER, provers.clone()).await.err().expect("refused");
    assert!(matches!(&refused, RelayerError::Config(e) if e.contains("subscription")), "{refused}");

    // Paused: blocks come, nothing is proven or reported.
    registry.set(subscription(devnet.addresses.tee, true));
    let running = run_relayer(&config, provers).await;
    let head = traffic(&devnet, 2).await;
    let paused =
        |s: &phat_relayer::feed::Status| s.stalled.as_deref().is_some_and(|s| s.contains("subscription paused"));
    let status = until_status(&running.relayer, paused).await;
    assert!(paused(&status), "{status:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let status = running.relayer.feed().status.read().await.clone();
    assert_eq!(finalized(&devnet).await, GENESIS_BLOCK, "nothing settled while paused");
    assert_eq!(status.provers.iter().map(|p| p.proofs).sum::<u64>(), 0, "nothing proven while paused: {status:?}");
    assert!(registry.reports.lock().expect("lock").is_empty());

    // Resumed: every block is proven, settled and reported with its proof.
    registry.set(subscription(devnet.addresses.tee, false));
    until_finalized(&devnet, head, 60).await;
    let status = until_status(&running.relayer, |s| s.registry_credited == head - GENESIS_BLOCK).await;
    assert_eq!(status.registry_credited, head - GENESIS_BLOCK, "{status:?}");
    assert!(status.stalled.is_none(), "{status:?}");
    running.stop().await;
    let prover = devnet.local_prover(0).expect("prover").address();
    let reports = registry.reports.lock().expect("lock").clone();
    let blocks: Vec<u64> = reports.iter().map(|r| r["block"].as_u64().expect("block")).collect();
    assert_eq!(blocks, (GENESIS_BLOCK + 1..=head).collect::<Vec<_>>());
    for report in &reports {
        let i = &report["input"];
        assert_eq!(i["kind"], "block");
        let word = |k: &str| -> alloy::primitives::B256 { i[k].as_str().expect(k).parse().expect(k) };
        let number = |k: &str| i[k].as_u64().expect(k);
        let proof = alloy::hex::decode(report["proof"].as_str().expect("proof")).expect("hex");
        let proof = phat_prover_core::TeeProof::from_bytes(&proof).expect("85 bytes");
        let input = phat_prover_core::BlockPublicInput {
            tag: phat_prover_core::public_input::BLOCK_TAG,
            l1ChainId: U256::from(number("l1ChainId")),
            verifier: i["verifier"].as_str().expect("verifier").parse().expect("verifier"),
            l2ChainId: U256::from(number("l2ChainId")),
            chainConfigHash: word("chainConfigHash"),
            prover: proof.prover,
            blockNumber: number("blockNumber"),
            parentHash: word("parentHash"),
            blockHash: word("blockHash"),
            preStateRoot: word("preStateRoot"),
            postStateRoot: word("postStateRoot"),
            witnessCommitment: word("witnessCommitment"),
        };
        assert_eq!(input.blockNumber, report["block"].as_u64().expect("block"));
        assert_eq!(input.verifier, devnet.addresses.tee);
        proof.verify(input.digest()).expect("the reported proof is the prover's signature");
        assert_eq!(proof.prover, prover);
    }
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}
