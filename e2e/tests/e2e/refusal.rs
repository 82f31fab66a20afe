//! The dual check's third case end to end: a proposer proposes an invalid block and the rollup's
//! zk verifier (a soundness bug, played by the stand-in) says yes to it. The relayer's prover
//! cannot prove the block, signs a TEE refusal of it, and the relayer submits the refusal: the
//! proposal is contested and the rollup paused; governance discards it and finalization resumes.
//! A prover that cannot fetch the witness signs nothing, and nothing is contested.
//!
//! The invalid block is served by a **tampering L2 endpoint** (a test fixture standing for a
//! faulty sequencer's node): a JSON-RPC proxy in front of the devnet's anvil that, while switched
//! on, gives one block another receipts root (and so another hash), its body, parent and state
//! unchanged: a block whose header commits to receipts its transactions do not produce.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy::{
    consensus::Header,
    primitives::{B256, Bytes, U256},
    providers::{Provider, ProviderBuilder},
    rlp::{Decodable, Encodable},
};
use axum::{Json, extract::State, routing::post};
use phat_devkit::{DEV_KEY, Traffic};
use phat_e2e::{Devnet, l1};
use phat_l1::{MultiProofVerifier, RollupSettlement, RollupZkVerifierStandIn};
use phat_prover_core::witness::L2Block;
use phat_relayer::prover::{LocalProver, TeeProver};
use serde_json::Value;

use super::devnet::{finalized, mined, propose, repo, run_relayer, start_relayer, temp_db, until_finalized};

/// The receipts root the tampered block claims.
const BAD_ROOT: B256 = B256::repeat_byte(0xbd);

#[derive(Clone)]
struct Tamper {
    upstream: String,
    block: u64,
    on: Arc<AtomicBool>,
    http: reqwest::Client,
}

impl Tamper {
    /// Starts the endpoint in front of `upstream`, tampering with block `block` while `on`.
    async fn start(upstream: &str, block: u64, on: Arc<AtomicBool>) -> String {
        let tamper = Tamper { upstream: upstream.into(), block, on, http: reqwest::Client::new() };
        let app = axum::Router::new().route("/", post(forward)).with_state(tamper);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    fn is_target(&self, params: &Value) -> bool {
        let number = |v: &Value| v.as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
        self.on.load(Ordering::SeqCst) && params.get(0).and_then(number) == Some(self.block)
    }

    /// One call's answer, with block `block` tampered: its header (in the JSON block and the raw
    /// RLP) gets [`BAD_ROOT`] as receipts root and the hash that header has.
    fn rewrite(&self, request: &Value, mut answer: Value) -> Value {
        let method = request["method"].as_str().unwrap_or_default();
        // (An error answer, e.g. to a method the node does not serve, passes as it is.)
        if !self.is_target(&request["params"]) || answer["result"].is_null() {
            return answer;
        }
        match method {
            "eth_getBlockByNumber" => {
                let result = &mut answer["result"];
                let mut header: Header =
                    serde_json::from_value(result.clone()).expect("the node's block header as JSON");
                header.receipts_root = BAD_ROOT;
                result["receiptsRoot"] = serde_json::json!(BAD_ROOT);
                result["hash"] = serde_json::json!(header.hash_slow());
            }
            "debug_getRawBlock" => {
                let raw: Bytes = serde_json::from_value(answer["result"].clone()).expect("raw block");
                let mut block = L2Block::decode(&mut raw.as_ref()).expect("block");
                block.header.receipts_root = BAD_ROOT;
                let mut rlp = Vec::new();
                block.encode(&mut rlp);
                answer["result"] = serde_json::json!(Bytes::from(rlp));
            }
            _ => {}
        }
        answer
    }
}

async fn forward(State(t): State<Tamper>, Json(request): Json<Value>) -> Json<Value> {
    let answer: Value = match t.http.post(&t.upstream).json(&request).send().await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => {
            serde_json::json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": e.to_string()}})
        }
    };
    Json(match (&request, answer) {
        (Value::Array(calls), Value::Array(answers)) => {
            Value::Array(calls.iter().zip(answers).map(|(c, a)| t.rewrite(c, a)).collect())
        }
        (call, answer) => t.rewrite(call, answer),
    })
}

/// The tampered block's hash: the node's header of `block` with [`BAD_ROOT`].
async fn tampered_hash(devnet: &Devnet, block: u64) -> (B256, Header) {
    let l2 = ProviderBuilder::new().connect_http(devnet.l2.url.parse().expect("url"));
    let header = l2.get_block_by_number(block.into()).await.expect("rpc").expect("block").header.inner;
    let mut bad = header.clone();
    bad.receipts_root = BAD_ROOT;
    (bad.hash_slow(), header)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_block_that_zk_accepts_is_refused_by_the_tee_and_pauses_the_rollup() {
    let devnet = Devnet::start(&repo(), 1).await.expect("devnet");
    let db = temp_db("refusal");
    let mut mine = Traffic::new(&devnet.l2.url, DEV_KEY).expect("traffic");
    for _ in 0..2 {
        mine.step().await.expect("tx");
    }
    let honest = || vec![Arc::new(devnet.local_prover(0).expect("prover")) as Arc<dyn TeeProver>];
    let running = start_relayer(&devnet, &db, honest()).await;
    let honest_head = mine.head().await.expect("head");
    until_finalized(&devnet, honest_head, 60).await;
    running.stop().await;

    // A faulty sequencer's block: the next block with a receipts root its transactions do not
    // produce. Its proposer proposes it (with the state root the block does produce), and the
    // buggy zk verifier proves it.
    mine.step().await.expect("tx");
    let bad_block = mine.head().await.expect("head");
    let (bad_hash, header) = tampered_hash(&devnet, bad_block).await;
    let settlement = propose(&devnet, bad_block, bad_hash, header.state_root).await;
    let a = devnet.addresses;
    let admin = l1::wallet(&devnet.l1.url, l1::keys::ADMIN).expect("wallet");
    let index = U256::from(bad_block - 1);
    let claim = settlement.transitionOf(index).call().await.expect("transition");
    let l2_id = U256::from(phat_e2e::devnet::L2_CHAIN_ID);
    let zk_proof = RollupZkVerifierStandIn::new(a.zk_stand_in, admin.clone())
        .proofFor(l2_id, claim.clone())
        .call()
        .await
        .expect("proofFor");
    mined(settlement.proveZk(index, zk_proof)).await;
    let multi = MultiProofVerifier::new(a.multi_proof, admin.clone());
    let open = || async { multi.rollupOf(l2_id).call().await.expect("rollup").openContests };

    // The relayer proves what the proposer proposed (it does not propose). Its provers read the
    // L2 through the tampering endpoint.
    let mut config = devnet.relayer_config(&db, "127.0.0.1:0".parse().expect("addr")).expect("config");
    config.l1.propose = false;
    let key = &devnet.prover_keys[0];
    let prover_at = |rpc: &str| {
        vec![Arc::new(LocalProver::new("prover-0", rpc, key, devnet.domain(), devnet.chain.clone()).expect("prover"))
            as Arc<dyn TeeProver>]
    };

    // A prover that cannot fetch the block signs nothing: the relayer stalls, nothing is contested.
    let running = run_relayer(&config, prover_at("http://127.0.0.1:9")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let status = running.relayer.feed().status.read().await.clone();
    assert!(status.stalled.is_some(), "{status:?}");
    assert_eq!(open().await, 0, "a fetch failure refuses nothing");
    running.stop().await;

    // A prover that gets the invalid block refuses it; the relayer submits the refusal.
    let on = Arc::new(AtomicBool::new(true));
    let tampering = Tamper::start(&devnet.l2.url, bad_block, on.clone()).await;
    let running = run_relayer(&config, prover_at(&tampering)).await;
    for _ in 0..150 {
        if open().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = running.relayer.feed().status.read().await.clone();
    assert_eq!(open().await, 1, "the TEE refusal contested the zk-proven proposal: {status:?}");
    let slot = multi.slotOf(l2_id, claim.clone()).call().await.expect("slot");
    assert!(multi.evidenceOf(slot).call().await.expect("evidence").contested);
    let refused = admin
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(a.multi_proof)
                .event_signature(<MultiProofVerifier::TransitionRefused as alloy::sol_types::SolEvent>::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .expect("logs");
    let log = refused
        .first()
        .expect("a TransitionRefused event")
        .log_decode::<MultiProofVerifier::TransitionRefused>()
        .expect("decodes");
    assert_eq!(log.inner.data.slot, slot);
    assert_eq!(log.inner.data.prover, devnet.local_prover(0).expect("prover").address());
    assert_eq!(log.inner.data.reason, phat_prover_core::RefusalReason::Receipts.code());
    assert!(!multi.isFinal(l2_id, claim.clone()).call().await.expect("isFinal"));
    assert_eq!(finalized(&devnet).await, honest_head, "nothing finalizes while contested");
    running.stop().await;

    // Governance: the block was invalid. The proposal is discarded and the contest resolved; the
    // node is fixed, the true block proposed, and the relayer proves it.
    on.store(false, Ordering::SeqCst);
    let governance = RollupSettlement::new(a.settlement, admin.clone());
    mined(governance.discardFrom(index)).await;
    mined(multi.resolveContest(l2_id, slot)).await;
    assert_eq!(open().await, 0);
    propose(&devnet, bad_block, header.hash_slow(), header.state_root).await;
    let running = run_relayer(&config, prover_at(&tampering)).await;
    until_finalized(&devnet, bad_block, 60).await;
    running.stop().await;
    let s = RollupSettlement::new(a.settlement, admin);
    let p = s.proposalOf(index).call().await.expect("proposal");
    assert_eq!((p.blockHash, p.postStateRoot), (header.hash_slow(), header.state_root));
    assert_ne!(p.blockHash, bad_hash);
    let _ = std::fs::remove_dir_all(db.parent().expect("dir"));
}
