//! Prover registration end to end: a quote binding a fresh key → three quorum services on loopback
//! (dcap-qvl, the production service) → k signatures → `ProverRegistry.register` on anvil → active
//! after the delay → its TEE-proof verifies on L1. And every refusal on the way: wrong binding,
//! stale or forked L1 block, reused report, DEBUG enclave, Revoked platform, untrusted
//! measurement, k−1 signatures. And a key rotation that someone front-runs by registering the
//! heir with its own evidence still hands over. The quotes come from the test PKI (no SGX hardware
//! here).

use std::path::PathBuf;

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::SolValue,
};
use phat_attestation::{TcbStatus, testkit::Enclave};
use phat_devkit::Anvil;
use phat_e2e::{
    l1::{self, Addresses},
    quorum::{self, QuorumOperators, devnet_enclave},
};
use phat_l1::{BlockClaim, ProverRegistry, QuorumAttestationVerifier, TeeVerifier};
use phat_prover_core::{LocalSigner, TeeProof, public_input::BlockPublicInput};
use phat_quorum::Registration;

const L1_CHAIN_ID: u64 = 31_337;
const L2_CHAIN_ID: u64 = 167_001;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn selector(error: &str) -> String {
    alloy::hex::encode(&keccak256(error)[..4])
}

struct L1 {
    node: Anvil,
    a: Addresses,
    quorum: QuorumOperators,
    admin: DynProvider,
}

async fn start() -> L1 {
    let node = Anvil::spawn(&["--chain-id", &L1_CHAIN_ID.to_string()]).expect("anvil");
    let fund = U256::from(10u64).pow(U256::from(18u64));
    let chain = phat_devkit::l2_chain_config(L2_CHAIN_ID).hash();
    let a =
        l1::deploy(&repo(), &node.url, (1, B256::repeat_byte(1), B256::repeat_byte(2)), chain, fund).expect("deploy");
    l1::trust_devnet_measurement(&node.url, &a).await.expect("trust");
    let quorum = QuorumOperators::start(&node.url, L1_CHAIN_ID, &a).await.expect("quorum operators");
    let admin = l1::wallet(&node.url, l1::keys::ADMIN).expect("wallet");
    L1 { node, a, quorum, admin }
}

impl L1 {
    /// A registration of `prover` anchored at the block before the head.
    async fn anchor(&self, prover: Address, beneficiary: Address) -> Registration {
        let head = self.admin.get_block_number().await.expect("head");
        let block = self.admin.get_block_by_number((head - 1).into()).await.expect("rpc").expect("block");
        quorum::registration(prover, beneficiary, head - 1, block.header.hash)
    }

    fn tx(
        &self,
        r: &Registration,
        evidence: (phat_attestation::NormalizedAttestation, Bytes),
    ) -> ProverRegistry::Registration {
        ProverRegistry::Registration {
            adapter: self.a.quorum,
            evidence: evidence.abi_encode_params().into(),
            prover: r.prover,
            beneficiary: r.beneficiary,
            l1BlockNumber: r.l1_block_number,
        }
    }

    /// Submits a registration; Ok on success, the revert text otherwise.
    async fn register(&self, tx: ProverRegistry::Registration) -> Result<(), String> {
        let registry = TeeVerifier::new(self.a.tee, self.admin.clone());
        registry.register(tx.clone()).call().await.map_err(|e| e.to_string())?;
        let receipt = registry
            .register(tx)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .get_receipt()
            .await
            .map_err(|e| e.to_string())?;
        if receipt.status() { Ok(()) } else { Err("reverted".into()) }
    }

    async fn mine(&self, blocks: u64) {
        self.admin.raw_request::<_, serde_json::Value>("anvil_mine".into(), (blocks,)).await.expect("mine");
    }
}

fn refused_by_all(answers: &[quorum::OperatorAnswer], says: &str) {
    assert_eq!(answers.len(), 3);
    for answer in answers {
        match answer {
            Err((status, body)) => {
                assert_eq!(*status, 422, "{body}");
                assert!(body.contains(says), "{body:?} should say {says:?}");
            }
            Ok(signed) => panic!("operator {} signed what it must refuse", signed.signer),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_key_registers_through_two_of_three_operators_and_its_proofs_verify_on_l1() {
    let l1 = start().await;
    let prover = PrivateKeySigner::random();
    let beneficiary = Address::repeat_byte(0xbe);
    let r = l1.anchor(prover.address(), beneficiary).await;

    // The binding the enclave embeds is the one the registry rebuilds.
    let registry = TeeVerifier::new(l1.a.tee, l1.admin.clone());
    let expected = registry.expectedReportData(r.prover, r.beneficiary, r.l1_block_number).call().await.expect("view");
    assert_eq!(l1.quorum.binding(&r).digest(), expected);

    let enclave = devnet_enclave().reporting(l1.quorum.binding(&r).report_data());
    let answers = l1.quorum.ask(&l1.quorum.request(&enclave, TcbStatus::UpToDate, r).expect("request")).await;
    let signed: Vec<_> = answers.iter().map(|a| a.as_ref().expect("every operator signs")).collect();
    // Every operator signed the same digest, the adapter's EIP-712 digest of the attestation.
    let digest = QuorumAttestationVerifier::new(l1.a.quorum, l1.admin.clone())
        .attestationDigest(signed[0].attestation.clone())
        .call()
        .await
        .expect("view");
    assert!(signed.iter().all(|s| s.digest == digest));

    // k − 1 signatures: refused by the adapter.
    let one = l1.tx(&r, quorum::evidence(&answers, 1).expect("one"));
    let err = l1.register(one).await.expect_err("k-1 signatures");
    assert!(err.contains(&selector("NotEnoughSignatures(uint256,uint256)")), "{err}");

    // k of n: registered, but not active before the delay.
    let tx = l1.tx(&r, quorum::evidence(&answers, 2).expect("two"));
    l1.register(tx.clone()).await.expect("registered");
    assert!(!l1::is_active(&l1.node.url, &l1.a, prover.address()).await.expect("view"));

    // The same report again: refused.
    let err = l1.register(tx).await.expect_err("report reused");
    assert!(err.contains(&selector("ReportAlreadyUsed(bytes32)")), "{err}");

    // A TEE-proof from it: refused before the delay, accepted after.
    let input = BlockPublicInput {
        tag: phat_prover_core::public_input::BLOCK_TAG,
        l1ChainId: U256::from(L1_CHAIN_ID),
        verifier: l1.a.tee,
        l2ChainId: U256::from(L2_CHAIN_ID),
        chainConfigHash: phat_devkit::l2_chain_config(L2_CHAIN_ID).hash(),
        prover: prover.address(),
        blockNumber: 7,
        parentHash: B256::repeat_byte(6),
        blockHash: B256::repeat_byte(7),
        preStateRoot: B256::repeat_byte(0x16),
        postStateRoot: B256::repeat_byte(0x17),
        witnessCommitment: B256::repeat_byte(0x77),
    };
    let key = LocalSigner::from_bytes(&prover.to_bytes()).expect("key");
    let proof = TeeProof::sign(&key, input.digest()).expect("sign").to_bytes();
    let claim = BlockClaim {
        blockNumber: input.blockNumber,
        parentHash: input.parentHash,
        blockHash: input.blockHash,
        preStateRoot: input.preStateRoot,
        postStateRoot: input.postStateRoot,
        witnessCommitment: input.witnessCommitment,
    };
    let tee = TeeVerifier::new(l1.a.tee, l1.admin.clone());
    let early = tee
        .verifyBlock(U256::from(L2_CHAIN_ID), input.chainConfigHash, claim.clone(), proof.to_vec().into())
        .call()
        .await;
    assert!(early.expect_err("not yet active").to_string().contains(&selector("ProverNotYetActive(address,uint32)")));
    l1::pass_registration_delay(&l1.node.url, &l1.a).await.expect("time travel");
    assert!(l1::is_active(&l1.node.url, &l1.a, prover.address()).await.expect("view"));
    let signer = tee
        .verifyBlock(U256::from(L2_CHAIN_ID), input.chainConfigHash, claim, proof.to_vec().into())
        .call()
        .await
        .expect("verifies");
    assert_eq!(signer, prover.address());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_bindings_stale_blocks_debug_revoked_and_untrusted_enclaves_never_register() {
    let l1 = start().await;
    let prover = PrivateKeySigner::random().address();
    let beneficiary = Address::repeat_byte(0xbe);
    let r = l1.anchor(prover, beneficiary).await;
    let bound = devnet_enclave().reporting(l1.quorum.binding(&r).report_data());
    let quorum = &l1.quorum;
    let ask = |enclave: Enclave, status, r| {
        let req = quorum.request(&enclave, status, r).expect("request");
        async move { quorum.ask(&req).await }
    };

    // A quote bound to another prover, or to another beneficiary.
    let other = quorum::registration(Address::repeat_byte(0x0f), beneficiary, r.l1_block_number, r.l1_block_hash);
    refused_by_all(&ask(bound, TcbStatus::UpToDate, other).await, "binding");
    let thief = quorum::registration(prover, Address::repeat_byte(0x7f), r.l1_block_number, r.l1_block_hash);
    refused_by_all(&ask(bound, TcbStatus::UpToDate, thief).await, "binding");
    // A block hash that is not L1's (bound consistently, but to a fork).
    let fork = quorum::registration(prover, beneficiary, r.l1_block_number, B256::repeat_byte(0xf0));
    let forked = devnet_enclave().reporting(l1.quorum.binding(&fork).report_data());
    refused_by_all(&ask(forked, TcbStatus::UpToDate, fork).await, "has hash");
    // DEBUG enclave, Revoked platform.
    refused_by_all(&ask(bound.debug(), TcbStatus::UpToDate, r).await, "Debug");
    refused_by_all(&ask(bound, TcbStatus::Revoked, r).await, "Revoked");

    // An enclave build L1 does not trust: the operators (no allow-list of their own) sign, the
    // registry refuses.
    let stranger = Enclave { isv_svn: bound.isv_svn + 1, ..bound };
    let answers = ask(stranger, TcbStatus::UpToDate, r).await;
    let err = l1.register(l1.tx(&r, quorum::evidence(&answers, 2).expect("signed"))).await.expect_err("untrusted");
    assert!(err.contains(&selector("MeasurementNotAllowed(bytes32)")), "{err}");

    // Signed while fresh, submitted 300 blocks later: the registry refuses the stale block; asked
    // now, the operators refuse it too.
    let answers = ask(bound, TcbStatus::UpToDate, r).await;
    let tx = l1.tx(&r, quorum::evidence(&answers, 2).expect("signed"));
    l1.mine(300).await;
    let err = l1.register(tx).await.expect_err("stale");
    assert!(err.contains(&selector("L1BlockNotRecent(uint64)")), "{err}");
    refused_by_all(&ask(bound, TcbStatus::UpToDate, r).await, "not within the last 256");
    assert!(!l1::is_active(&l1.node.url, &l1.a, prover).await.expect("view"));
}

/// The heir's evidence binds its key, not the purpose: whoever sees a rotation pending can submit
/// the same evidence to `register` first. The rotation still goes through and takes that
/// registration over: the old key retires, the heir is active at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_front_run_by_registering_the_heir_with_its_evidence_still_hands_over() {
    let l1 = start().await;
    let beneficiary = Address::repeat_byte(0xbe);
    let old = PrivateKeySigner::random();
    l1::register(&l1.node.url, &l1.a, &l1.quorum, old.address(), beneficiary).await.expect("registered");
    l1::pass_registration_delay(&l1.node.url, &l1.a).await.expect("time travel");
    assert!(l1::is_active(&l1.node.url, &l1.a, old.address()).await.expect("view"));

    // The heir's evidence (its quote through two operators) and the old key's consent.
    let heir = PrivateKeySigner::random().address();
    let tx = l1::registration(&l1.admin, &l1.a, &l1.quorum, heir, beneficiary).await.expect("attested");
    let registry = TeeVerifier::new(l1.a.tee, l1.admin.clone());
    let digest = registry.handoverDigest(old.address(), heir).call().await.expect("view");
    let handover: Bytes = old.sign_hash_sync(&digest).expect("sign").as_bytes().to_vec().into();

    // The front-run, from another account: the heir becomes an ordinary new instance.
    let front_runner = l1::wallet(&l1.node.url, l1::keys::PROPOSER).expect("wallet");
    let receipt = TeeVerifier::new(l1.a.tee, front_runner)
        .register(tx.clone())
        .send()
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status(), "front-run registration");
    assert!(!l1::is_active(&l1.node.url, &l1.a, heir).await.expect("view"), "waits out the delay");

    // The rotation lands after it and takes the registration over.
    let receipt =
        registry.rotate(old.address(), handover, tx).send().await.expect("sent").get_receipt().await.expect("receipt");
    assert!(receipt.status(), "rotation");
    let handed = receipt.decoded_log::<ProverRegistry::InstanceHandedOver>().expect("handed over");
    assert_eq!((handed.data.oldProver, handed.data.newProver), (old.address(), heir));
    let taken = receipt.decoded_log::<ProverRegistry::RegistrationTakenOver>().expect("taken over");
    assert_eq!(taken.data.prover, heir);
    let now = l1.admin.get_block_by_number(receipt.block_number.expect("mined").into()).await.expect("rpc");
    assert_eq!(u64::from(taken.data.validSince), now.expect("block").header.timestamp);
    assert!(l1::is_active(&l1.node.url, &l1.a, heir).await.expect("view"), "heir active at once");
    assert!(!l1::is_active(&l1.node.url, &l1.a, old.address()).await.expect("view"), "old key retired");
    assert!(registry.isTrustedSigner(old.address()).call().await.expect("view"), "its earlier proofs still count");
}
