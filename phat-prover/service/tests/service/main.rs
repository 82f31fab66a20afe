//! The prover service over HTTP on loopback, against a real L2 node (anvil with traffic) and the
//! mock dstack guest agent quoting under the test PKI: proofs that recover to the service's key,
//! quotes binding that key to the registration asked, and clear refusals with nothing signed.

use std::{path::PathBuf, sync::Arc};

use alloy_primitives::{Address, B256, U256, address};
use phat_attestation::{Binding, TcbStatus, VerifiedAny, Verifier, eventlog};
use phat_attestation_testkit::{
    dstack_agent::{DstackVm, MockDstackAgent},
    testkit::TestPki,
};
use phat_devkit::{Anvil, DEV_KEY, L2_HARDFORK, Traffic, l2_chain_config};
use phat_dstack::DstackClient;
use phat_prover_core::{BlockPublicInput, TeeProof, public_input::BLOCK_TAG};
use phat_prover_service::{AttestAnswer, ProverService, Rules, Settings};
use serde_json::Value;

const L1_CHAIN_ID: u64 = 31_337;
const L2_CHAIN_ID: u64 = 167_001;
const VERIFIER: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");
const MAX_BATCH: u64 = 4;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

fn pki() -> Arc<TestPki> {
    Arc::new(TestPki::new(now() - 3600, now() + 86_400).expect("test pki"))
}

/// A socket path of this test process's own (unix socket paths are short: the temp dir).
fn socket_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("phat-service-{}-{name}.sock", std::process::id()))
}

/// A service proving `l2_rpc`'s blocks, quoting through the guest agent at `socket`; its URL.
async fn start(l2_rpc: &str, socket: PathBuf) -> String {
    start_with(l2_rpc, socket, Rules::Ethereum(l2_chain_config(L2_CHAIN_ID).into())).await
}

/// [`start`] under `rules`.
async fn start_with(l2_rpc: &str, socket: PathBuf, rules: Rules) -> String {
    let settings = Settings {
        l2_rpc: l2_rpc.into(),
        chain: rules,
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER,
        max_batch: MAX_BATCH,
        stf_slots: 2,
    };
    let service = ProverService::new(settings, Box::new(DstackClient::new(socket))).expect("service");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, Arc::new(service).router()).await });
    url
}

/// An L2 node with a few blocks of traffic.
async fn l2() -> Anvil {
    let chain_id = L2_CHAIN_ID.to_string();
    let anvil = Anvil::spawn(&["--hardfork", L2_HARDFORK, "--chain-id", &chain_id]).expect("anvil");
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    for _ in 0..6 {
        traffic.step().await.expect("tx");
    }
    assert!(traffic.head().await.expect("head") >= 6);
    anvil
}

async fn get(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.expect("get");
    (res.status().as_u16(), res.text().await.expect("text"))
}

async fn post(url: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(url);
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body.to_string());
    }
    let res = req.send().await.expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// `GET /v1/prover`.
async fn info(url: &str) -> Value {
    let (status, text) = get(&format!("{url}/v1/prover")).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("json")
}

fn field<T: serde::de::DeserializeOwned>(v: &Value, name: &str) -> T {
    serde_json::from_value(v[name].clone()).unwrap_or_else(|e| panic!("{name} in {v}: {e}"))
}

/// A refusal: `want`, an error saying `says`, and no proof.
fn refused((status, body): (u16, Value), want: u16, says: &str) {
    assert_eq!(status, want, "{body}");
    assert!(body.get("proof").is_none() && body.get("digest").is_none(), "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(says), "{error:?} should say {says:?}");
}

/// The block `number` as the node has it.
async fn block_hash(l2_rpc: &str, number: u64) -> B256 {
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": [format!("{number:#x}"), false],
    });
    let (status, answer) = post(l2_rpc, Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    field(&answer["result"], "hash")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proof_of_a_real_block_recovers_to_the_services_address_and_bad_requests_are_refused() {
    let anvil = l2().await;
    let url = start(&anvil.url, socket_path("unused")).await;
    let info = info(&url).await;
    let address: Address = field(&info, "address");

    let (status, p) = post(&format!("{url}/v1/prover/prove-block/2"), None).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(field::<u64>(&p, "blockNumber"), 2);
    assert_eq!(field::<B256>(&p, "blockHash"), block_hash(&anvil.url, 2).await);
    assert_eq!(field::<B256>(&p, "parentHash"), block_hash(&anvil.url, 1).await);
    assert_eq!(field::<B256>(&p, "chainConfigHash"), l2_chain_config(L2_CHAIN_ID).hash());
    assert_eq!(field::<B256>(&p, "chainConfigHash"), field::<B256>(&info, "chainConfigHash"));
    // The digest rebuilt from the answer's fields, under the domain `GET /v1/prover` names.
    let input = BlockPublicInput {
        tag: BLOCK_TAG,
        l1ChainId: U256::from(field::<u64>(&info, "l1ChainId")),
        verifier: field(&info, "verifier"),
        l2ChainId: U256::from(field::<u64>(&info, "l2ChainId")),
        chainConfigHash: field(&p, "chainConfigHash"),
        prover: address,
        blockNumber: field(&p, "blockNumber"),
        parentHash: field(&p, "parentHash"),
        blockHash: field(&p, "blockHash"),
        preStateRoot: field(&p, "preStateRoot"),
        postStateRoot: field(&p, "postStateRoot"),
        witnessCommitment: field(&p, "witnessCommitment"),
    };
    assert_eq!(
        (input.l1ChainId, input.verifier, input.l2ChainId),
        (U256::from(L1_CHAIN_ID), VERIFIER, U256::from(L2_CHAIN_ID))
    );
    let digest = input.digest();
    assert_eq!(field::<B256>(&p, "digest"), digest);
    let proof = TeeProof::from_bytes(&field::<alloy_primitives::Bytes>(&p, "proof")).expect("85 bytes");
    assert_eq!(proof.prover, address);
    proof.verify(digest).expect("the signature recovers to the service's address");
    // Another block's digest does not verify under it.
    assert!(proof.verify(BlockPublicInput { blockNumber: 3, ..input }.digest()).is_err());

    // A batch within the limit proves (under the same key). Not from block 1: anvil keeps the
    // genesis base fee in block 1, which the STF refuses (EIP-1559 says 0.875 gwei).
    let (status, batch) = post(&format!("{url}/v1/prover/prove-batch/2/{MAX_BATCH}"), None).await;
    assert_eq!(status, 200, "{batch}");
    let batch: phat_witness::BatchProof = serde_json::from_value(batch).expect("batch proof");
    assert_eq!((batch.first_block, batch.last_block), (2, MAX_BATCH + 1));
    let proof = TeeProof::from_bytes(&batch.proof).expect("85 bytes");
    assert_eq!(proof.prover, address);
    proof.verify(batch.digest).expect("recovers to the service's address");

    // Refusals, nothing signed.
    refused(post(&format!("{url}/v1/prover/prove-batch/1/0"), None).await, 422, "a batch of 0 blocks: 1 to 4 only");
    let over = MAX_BATCH + 1;
    refused(
        post(&format!("{url}/v1/prover/prove-batch/1/{over}"), None).await,
        422,
        "a batch of 5 blocks: 1 to 4 only",
    );
    refused(post(&format!("{url}/v1/prover/refuse-block/2"), None).await, 422, "the block is valid");
    refused(post(&format!("{url}/v1/prover/prove-block/1000"), None).await, 502, "fetching block 1000");
    refused(post(&format!("{url}/v1/prover/refuse-block/1000"), None).await, 502, "fetching block 1000");

    // The metrics count what was signed and refused.
    let (status, metrics) = get(&format!("{url}/metrics")).await;
    assert_eq!(status, 200, "{metrics}");
    assert!(metrics.contains(r#"phat_prover_answers_total{kind="block",outcome="signed"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"phat_prover_answers_total{kind="refusal",outcome="refused"} 1"#), "{metrics}");
}

#[tokio::test(flavor = "multi_thread")]
async fn attest_returns_a_genuine_td_quote_binding_the_registration_with_its_event_log() {
    let pki = pki();
    let vm = DstackVm::new();
    let socket = socket_path("attest");
    let _agent = MockDstackAgent::start(&socket, pki.clone(), vm.clone()).expect("agent");
    // No L2 node is needed to attest.
    let url = start("http://127.0.0.1:9", socket).await;
    let address: Address = field(&info(&url).await, "address");

    let (beneficiary, l1_block_number, l1_block_hash) = (Address::repeat_byte(0xbe), 77, B256::repeat_byte(0x77));
    let body = serde_json::json!({ "beneficiary": beneficiary, "l1BlockNumber": l1_block_number, "l1BlockHash": l1_block_hash });
    let (status, answer) = post(&format!("{url}/v1/prover/attest"), Some(body.clone())).await;
    assert_eq!(status, 200, "{answer}");
    let answer: AttestAnswer = serde_json::from_value(answer).expect("answer");
    let binding = Binding {
        chain_id: L1_CHAIN_ID,
        registry: VERIFIER,
        prover: address,
        beneficiary,
        l1_block_number,
        l1_block_hash,
    };
    assert_eq!(answer.prover, address);
    assert_eq!(answer.report_data.as_ref(), binding.report_data());

    let collateral = pki.td_collateral(TcbStatus::UpToDate, &[]).expect("collateral");
    let verified =
        Verifier::with_root_ca(pki.root_ca_der()).verify_any(&answer.quote, &collateral, now()).expect("genuine");
    let VerifiedAny::Tdx(q) = verified else { panic!("not a TD quote") };
    assert_eq!(q.report_data.0, binding.report_data());
    q.check_binding(&binding).expect("binds the registration");
    assert_eq!(q.measurement(), vm.measurement());
    let app =
        eventlog::check(&eventlog::parse(&answer.event_log).expect("parses"), &q.rtmr).expect("replays to the quote");
    assert_eq!(app.compose_hash, B256::from(vm.compose_hash));
    // Another registration, another report_data (the service binds what it is asked).
    let other = serde_json::json!({ "beneficiary": beneficiary, "l1BlockNumber": 78, "l1BlockHash": l1_block_hash });
    let (status, again) = post(&format!("{url}/v1/prover/attest"), Some(other)).await;
    assert_eq!(status, 200, "{again}");
    let again: AttestAnswer = serde_json::from_value(again).expect("answer");
    assert_ne!(again.report_data, answer.report_data);
    assert_eq!(again.report_data.as_ref(), Binding { l1_block_number: 78, ..binding }.report_data());

    // Requests that are not a registration: 400.
    let mut extra = body.clone();
    extra["prover"] = serde_json::to_value(Address::repeat_byte(1)).unwrap();
    let (status, err) = post(&format!("{url}/v1/prover/attest"), Some(extra)).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["error"].as_str().unwrap_or_default().contains("unknown field"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_a_dstack_vm_attest_is_a_502_saying_so() {
    let socket = socket_path("absent");
    let _ = std::fs::remove_file(&socket);
    let url = start("http://127.0.0.1:9", socket).await;
    let body = serde_json::json!({ "beneficiary": Address::ZERO, "l1BlockNumber": 1, "l1BlockHash": B256::ZERO });
    let (status, answer) = post(&format!("{url}/v1/prover/attest"), Some(body)).await;
    assert_eq!(status, 502, "{answer}");
    assert!(answer.get("quote").is_none(), "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(error.contains("not inside a dstack VM"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_service_has_a_key_of_its_own_and_shows_only_its_address() {
    let (a, b) =
        (start("http://127.0.0.1:9", socket_path("a")).await, start("http://127.0.0.1:9", socket_path("b")).await);
    let (info_a, info_b) = (info(&a).await, info(&b).await);
    let (address_a, address_b): (Address, Address) = (field(&info_a, "address"), field(&info_b, "address"));
    assert_ne!(address_a, address_b, "a key made at start, not a fixed one");
    assert_ne!(address_a, Address::ZERO);
    // `GET /v1/prover` exposes exactly the listed fields.
    let mut keys: Vec<&str> = info_a.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["address", "chainConfigHash", "l1ChainId", "l2ChainId", "teeType", "verifier"]);
    assert_eq!(info_a["teeType"], "tdx");
    assert_eq!(field::<u64>(&info_a, "l1ChainId"), L1_CHAIN_ID);
    assert_eq!(field::<u64>(&info_a, "l2ChainId"), L2_CHAIN_ID);
    assert_eq!(field::<Address>(&info_a, "verifier"), VERIFIER);
    // `/health` names the address only.
    let (status, health) = get(&format!("{a}/health")).await;
    assert_eq!(status, 200, "{health}");
    let health: Value = serde_json::from_str(&health).expect("json");
    assert_eq!(health, serde_json::json!({ "ok": true, "address": address_a }));
    // `/metrics` carries counters and timings, no 32-byte value.
    let (status, metrics) = get(&format!("{a}/metrics")).await;
    assert_eq!(status, 200, "{metrics}");
    assert!(metrics.contains("phat_prover_stf_seconds"), "{metrics}");
    assert!(!metrics.contains("0x"), "{metrics}");
}

/// An OP prover (a rollup config): OP blocks from an OP-mode anvil proven as one output-root
/// transition signed by the service's key; the Ethereum routes refuse, and an Ethereum-rules prover
/// refuses the OP route.
#[tokio::test(flavor = "multi_thread")]
async fn an_op_prover_proves_output_roots_and_only_those() {
    const OP_CHAIN_ID: u64 = 167_010;
    let l1 = Anvil::spawn(&[]).expect("L1 anvil");
    let op = phat_devkit::spawn_op_l2(OP_CHAIN_ID).expect("OP anvil");
    let l1_provider = alloy::providers::ProviderBuilder::new().connect_http(l1.url.parse().expect("url"));
    let mut traffic = phat_devkit::OpTraffic::start(&op.url, DEV_KEY).await.expect("OP traffic");
    for _ in 0..4 {
        let origin = phat_devkit::L1Ref::latest(&l1_provider).await.expect("L1 head");
        traffic.block(&origin).await.expect("OP block");
    }
    let chain = phat_devkit::op_l2_chain_config(OP_CHAIN_ID);
    let url = start_with(&op.url, socket_path("op"), Rules::Op(chain.clone().into())).await;
    let about = info(&url).await;
    assert_eq!(field::<B256>(&about, "chainConfigHash"), chain.hash());
    let prover: Address = field(&about, "address");

    let (status, body) = post(&format!("{url}/v1/prover/prove-op-output/2/3"), None).await;
    assert_eq!(status, 200, "{body}");
    let proof: phat_witness::OpOutputProof = serde_json::from_value(body).expect("an OP output proof");
    let domain = phat_prover_core::ProofDomain {
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER,
        l2_chain_id: OP_CHAIN_ID,
        prover,
    };
    proof.check((&domain, chain.hash()), 2, 4, prover).expect("signed by the service for blocks 2..=4");
    assert_eq!(proof.ending_output_root, phat_devkit::op::output_root_at(&op.url, 4).await.expect("node's root"));

    refused(post(&format!("{url}/v1/prover/prove-block/2"), None).await, 422, "proves OP Stack blocks");
    refused(post(&format!("{url}/v1/prover/prove-op-output/2/0"), None).await, 422, "1 to 4 only");
    let eth = start(&op.url, socket_path("eth-on-op")).await;
    refused(post(&format!("{eth}/v1/prover/prove-op-output/2/1"), None).await, 422, "proves Ethereum-rules blocks");
}

/// `deploy/dstack/service.toml` (the file the image ships) parses; a config names exactly one of
/// `chain_config` and `rollup_config`.
#[test]
fn the_shipped_config_parses_and_names_exactly_one_rule_file() {
    use phat_prover_service::{Config, ServiceError};
    const SHIPPED: &str = include_str!("../../../../deploy/dstack/service.toml");
    let config = Config::parse(SHIPPED).expect("the shipped service.toml parses");
    assert!(config.chain_config.is_some() && config.rollup_config.is_none());
    let op = SHIPPED.replace(
        "chain_config = \"/etc/phat-prover/l2-chain.json\"",
        "rollup_config = \"/etc/phat-prover/rollup.json\"",
    );
    let config = Config::parse(&op).expect("an OP prover's config parses");
    assert_eq!(config.rollup_config.as_deref(), Some(std::path::Path::new("/etc/phat-prover/rollup.json")));
    let both = format!("rollup_config = \"/r.json\"\n{SHIPPED}");
    assert!(matches!(Config::parse(&both), Err(ServiceError::BadRequest(_))));
    let neither = SHIPPED.replace("chain_config = \"/etc/phat-prover/l2-chain.json\"", "");
    assert!(matches!(Config::parse(&neither), Err(ServiceError::BadRequest(_))));
}
