//! The dstack deployment end to end: prover services (`phat-prover serve`'s library) each behind a
//! mock dstack guest agent (no TDX hardware here) quoting TDX with the test PKI. Each service makes
//! its key in memory, asks its agent for a quote binding that key to the registration, the three
//! quorum operators verify the quote and replay its event log, two sign, and `ProverRegistry`
//! admits the key under the app's TDX measurement; the relayer then settles every block with the
//! services' proofs, 1-of-N, through an outage. And the refusals: a DEBUG TD, an app or a config
//! id L1 does not trust, a binding to another beneficiary, a stale L1 block, a replayed report.

use alloy::{
    primitives::{Address, keccak256},
    providers::Provider,
};
use phat_e2e::{
    Devnet,
    devnet::Provers,
    l1::{self, keys},
    tdx::{self, TdxProver, devnet_vm},
};
use phat_l1::TeeVerifier;
use phat_prover_service::Settings;

use super::devnet::{repo, start_relayer, temp_db, traffic, until_finalized};

fn selector(error: &str) -> String {
    alloy::hex::encode(&keccak256(error)[..4])
}

fn settings(devnet: &Devnet) -> Settings {
    Settings {
        l2_rpc: devnet.l2.url.clone(),
        chain: phat_prover_service::Rules::Ethereum(devnet.chain.clone().into()),
        l1_chain_id: phat_e2e::devnet::L1_CHAIN_ID,
        verifier: devnet.addresses.tee,
        max_batch: 64,
        stf_slots: 2,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tdx_prover_services_register_with_their_quotes_and_settle_every_block_one_of_n() {
    let devnet = Devnet::start_with(&repo(), Provers::Tdx(2), None).await.expect("devnet");
    let registry = TeeVerifier::new(devnet.addresses.tee, l1::wallet(&devnet.l1.url, keys::ADMIN).expect("wallet"));
    let trusted = registry.measurementId(tdx::measurement_of(&devnet_vm())).call().await.expect("id");
    for p in &devnet.tdx {
        assert!(l1::is_active(&devnet.l1.url, &devnet.addresses, p.address).await.expect("view"), "{}", p.name);
        let instance = registry.instanceOf(p.address).call().await.expect("instance");
        assert_eq!(instance.measurementId.to::<u32>(), trusted.to::<u32>(), "{}: its app's measurement", p.name);
    }
    assert_ne!(devnet.tdx[0].address, devnet.tdx[1].address, "each service makes its own key");

    let db = temp_db("tdx");
    let running = start_relayer(&devnet, &db, devnet.provers().expect("provers")).await;
    let head = traffic(&devnet, 4).await;
    until_finalized(&devnet, head, 60).await;
    // One service down: the other carries on.
    devnet.tdx[0].stop();
    let head = traffic(&devnet, 3).await;
    until_finalized(&devnet, head, 60).await;
    running.stop().await;

    // A valid block is not refused: the service signs nothing and says why.
    let res = reqwest::Client::new()
        .post(format!("{}/v1/prover/refuse-block/{head}", devnet.tdx[1].url))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.expect("body").contains("valid"));
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_debug_td_an_untrusted_app_a_stolen_binding_a_stale_block_and_a_replay_never_register() {
    let devnet = Devnet::start_with(&repo(), Provers::Tdx(1), None).await.expect("devnet");
    let admin = l1::wallet(&devnet.l1.url, keys::ADMIN).expect("wallet");
    let registry = TeeVerifier::new(devnet.addresses.tee, admin.clone());
    let dir = std::env::temp_dir().join(format!("phat-e2e-tdx-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let start = |name: &str, vm| {
        let (socket, settings) = (dir.join(format!("{name}.sock")), settings(&devnet));
        let quorum = &devnet.quorum;
        let name = name.to_string();
        async move { TdxProver::start(&name, &socket, quorum, vm, settings).await.expect("service") }
    };
    let beneficiary = Address::repeat_byte(0xbe);
    let register = |tx| {
        let registry = registry.clone();
        async move { registry.register(tx).call().await.map(drop).map_err(|e| e.to_string()) }
    };

    // A TD under debug: the host reads its memory. Every operator refuses (dcap-qvl and the policy).
    let debug = start("debug", devnet_vm().debug()).await;
    let (answers, _, _) = tdx::ask_quorum(&admin, &devnet.quorum, &debug, beneficiary).await.expect("asked");
    for answer in &answers {
        let (status, body) = answer.as_ref().expect_err("a debug TD is never signed");
        assert_eq!(*status, 422, "{body}");
        assert!(body.contains("ebug"), "{body}");
    }

    // Another app (compose hash), or another config id, on the same OS image: the operators (no
    // allow-list of their own) sign, L1 refuses the measurement.
    let other_app = devnet_vm().with_app_compose(r#"{"name":"not-the-prover"}"#);
    let mut other_config = devnet_vm();
    other_config.mr_config_id = [7; 48];
    for (name, vm) in [("other-app", other_app), ("other-config", other_config)] {
        let service = start(name, vm).await;
        let (answers, r, _) = tdx::ask_quorum(&admin, &devnet.quorum, &service, beneficiary).await.expect("asked");
        let tx = tdx::registration_of(&admin, &devnet.addresses, &answers, &r).await.expect("signed");
        let err = register(tx).await.expect_err("an untrusted measurement");
        assert!(err.contains(&selector("MeasurementNotAllowed(bytes32)")), "{name}: {err}");
    }

    // The real app's quote, signed for one beneficiary, submitted for another: the binding fails.
    let honest = start("honest", devnet_vm()).await;
    let (answers, r, _) = tdx::ask_quorum(&admin, &devnet.quorum, &honest, beneficiary).await.expect("asked");
    let mut tx = tdx::registration_of(&admin, &devnet.addresses, &answers, &r).await.expect("signed");
    tx.beneficiary = Address::repeat_byte(0x7f);
    let err = register(tx).await.expect_err("a stolen binding");
    assert!(err.contains(&selector("ReportDataMismatch(bytes32)")), "{err}");

    // A report registers once: the same evidence, submitted again, is refused.
    let fresh = start("fresh", devnet_vm()).await;
    let (answers, r, _) = tdx::ask_quorum(&admin, &devnet.quorum, &fresh, beneficiary).await.expect("asked");
    let tx = tdx::registration_of(&admin, &devnet.addresses, &answers, &r).await.expect("signed");
    let receipt = registry.register(tx.clone()).send().await.expect("send").get_receipt().await.expect("receipt");
    assert!(receipt.status(), "the first registration of a fresh key");
    let err = register(tx).await.expect_err("a replay");
    assert!(err.contains(&selector("ReportAlreadyUsed(bytes32)")), "{err}");

    // Signed while fresh, submitted 300 L1 blocks later: L1 refuses the stale block; asked now, the
    // operators refuse it too.
    let (answers, r, _) = tdx::ask_quorum(&admin, &devnet.quorum, &honest, beneficiary).await.expect("asked");
    let tx = tdx::registration_of(&admin, &devnet.addresses, &answers, &r).await.expect("signed");
    admin.raw_request::<_, serde_json::Value>("anvil_mine".into(), (300,)).await.expect("mine");
    let err = register(tx).await.expect_err("stale");
    assert!(err.contains(&selector("L1BlockNotRecent(uint64)")), "{err}");
    let answer = honest.attest(beneficiary, r.l1_block_number, r.l1_block_hash).await.expect("quote");
    let collateral = devnet.quorum.pki.td_collateral(phat_attestation::TcbStatus::UpToDate, &[]).expect("collateral");
    let req = phat_quorum::AttestRequest {
        quote: answer.quote,
        collateral: Some(phat_attestation::Collateral::from_dcap(&collateral)),
        registration: r,
        event_log: Some(answer.event_log),
        verified_at: None,
    };
    for answer in devnet.quorum.ask(&req).await {
        let (_, body) = answer.expect_err("a stale block is never signed");
        assert!(body.contains("not within the last 256"), "{body}");
    }
    for p in [&debug, &honest] {
        assert!(!l1::is_active(&devnet.l1.url, &devnet.addresses, p.address).await.expect("view"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
