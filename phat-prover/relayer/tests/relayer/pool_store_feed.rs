//! The relayer's parts on a real L2 (anvil) with real proofs: the 1-of-N pool fails over past
//! provers that are down, too slow or answer with the wrong key; the store survives a restart; the
//! feed serves what was stored and streams what is published.

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, B256, keccak256};
use futures_util::StreamExt;
use phat_devkit::{Anvil, DEV_KEY, Traffic};
use phat_prover_core::ProofDomain;
use phat_relayer::{
    RelayerError,
    feed::Feed,
    l1::Settled,
    prover::{LocalProver, ProveFuture, ProverPool, TeeProver},
    store::{BlockRecord, Store},
};

const L2: u64 = 167_001;

fn domain() -> ProofDomain {
    ProofDomain { l1_chain_id: 31_337, verifier: Address::repeat_byte(0x7e), l2_chain_id: L2, prover: Address::ZERO }
}

fn key(i: u8) -> String {
    keccak256([i]).to_string()
}

/// A prover that is down: every call fails at once.
struct Down;
impl TeeProver for Down {
    fn name(&self) -> &str {
        "down"
    }
    fn address(&self) -> Address {
        Address::repeat_byte(1)
    }
    fn prove_block(&self, _: u64) -> ProveFuture<'_> {
        Box::pin(async { Err(RelayerError::Prover { prover: "down".into(), reason: "connection refused".into() }) })
    }
}

/// A prover that hangs past any timeout.
struct Hung;
impl TeeProver for Hung {
    fn name(&self) -> &str {
        "hung"
    }
    fn address(&self) -> Address {
        Address::repeat_byte(2)
    }
    fn prove_block(&self, _: u64) -> ProveFuture<'_> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(RelayerError::Prover { prover: "hung".into(), reason: "never".into() })
        })
    }
}

/// A real prover registered under one address that signs with another key (a compromised or
/// misconfigured instance): its proofs must not pass.
struct Impostor(LocalProver);
impl TeeProver for Impostor {
    fn name(&self) -> &str {
        "impostor"
    }
    fn address(&self) -> Address {
        Address::repeat_byte(3)
    }
    fn prove_block(&self, n: u64) -> ProveFuture<'_> {
        self.0.prove_block(n)
    }
}

async fn l2_with_blocks() -> (Anvil, u64) {
    let anvil = Anvil::spawn(&["--hardfork", "prague", "--chain-id", &L2.to_string()]).expect("anvil");
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    for _ in 0..3 {
        traffic.step().await.expect("tx");
    }
    let head = traffic.head().await.expect("head");
    (anvil, head)
}

#[tokio::test(flavor = "multi_thread")]
async fn pool_fails_over_to_the_one_good_prover() {
    let (anvil, head) = l2_with_blocks().await;
    let good =
        LocalProver::new("good", &anvil.url, &key(9), domain(), phat_devkit::l2_chain_config(L2)).expect("prover");
    let good_address = good.address();
    let impostor = Impostor(
        LocalProver::new("impostor", &anvil.url, &key(8), domain(), phat_devkit::l2_chain_config(L2)).expect("prover"),
    );
    let provers: Vec<Arc<dyn TeeProver>> = vec![Arc::new(Down), Arc::new(Hung), Arc::new(impostor), Arc::new(good)];
    let pool = ProverPool::new(provers, Duration::from_millis(500)).expect("pool");

    // Whichever prover the round starts at, the answer comes from the good one.
    for block in [2, head, 2, head] {
        let answer = pool.prove(block).await.expect("one prover suffices");
        assert_eq!(answer.prover, "good");
        assert_eq!(answer.proof.public_input.block_number, block);
        answer.proof.verify(Some(good_address)).expect("signed by the good prover");
    }
    let stats = pool.stats();
    let by_name = |n: &str| stats.iter().find(|s| s.name == n).expect("stats").clone();
    assert_eq!(by_name("good").proofs, 4);
    assert!(by_name("down").failures >= 1);
    assert!(by_name("hung").last_error.as_deref().is_some_and(|e| e.contains("no answer within")));
    assert!(by_name("impostor").last_error.as_deref().is_some_and(|e| e.contains("expected")));
    assert_eq!(by_name("impostor").proofs, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_good_prover_is_a_clear_error_and_a_block_that_does_not_exist_is_refused() {
    let (anvil, head) = l2_with_blocks().await;
    let pool = ProverPool::new(vec![Arc::new(Down), Arc::new(Hung)], Duration::from_millis(200)).expect("pool");
    assert!(matches!(pool.prove(2).await, Err(RelayerError::NoProver { block: 2, failures: 2 })));
    let good =
        LocalProver::new("good", &anvil.url, &key(9), domain(), phat_devkit::l2_chain_config(L2)).expect("prover");
    let pool = ProverPool::new(vec![Arc::new(good)], Duration::from_secs(10)).expect("pool");
    assert!(matches!(pool.prove(head + 100).await, Err(RelayerError::NoProver { .. })));
    assert!(ProverPool::new(Vec::new(), Duration::from_secs(1)).is_err());
}

fn record(block: u64, proof: phat_witness::ProofFile) -> BlockRecord {
    BlockRecord {
        block,
        prover: "good".into(),
        prove_ms: 3,
        latency_ms: 40,
        latency_l1_blocks: Some(1),
        proof: Some(proof),
        batch: None,
        l1: Settled {
            proposal: block - 1,
            prove_tx: Some(B256::repeat_byte(1)),
            gas: 123_456,
            finalized: true,
            ..Default::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn store_survives_a_restart_and_the_feed_serves_and_streams() {
    let (anvil, _) = l2_with_blocks().await;
    let prover =
        LocalProver::new("good", &anvil.url, &key(9), domain(), phat_devkit::l2_chain_config(L2)).expect("prover");
    let dir = std::env::temp_dir().join(format!("phat-relayer-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("relayer.redb");

    let proof2 = prover.prove_block(2).await.expect("proof");
    {
        let store = Store::open(&path).expect("open");
        assert_eq!(store.next_block().expect("read"), None);
        store.put(&record(2, proof2.clone()), true).expect("put");
    }
    // Reopened, as after a restart: the next block and the record are there, and block 2 still
    // waits for the registry's acknowledgement until it is marked.
    let store = Arc::new(Store::open(&path).expect("reopen"));
    assert_eq!(store.next_block().expect("read"), Some(3));
    assert_eq!(store.get(2).expect("read").expect("record").proof.map(|p| p.digest), Some(proof2.digest));
    assert_eq!(store.len().expect("len"), 1);
    assert_eq!(store.unreported(10).expect("read"), vec![2]);
    store.mark_reported(2).expect("mark");
    assert_eq!(store.unreported(10).expect("read"), Vec::<u64>::new());

    let feed = Feed::new(store.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let server = {
        let feed = feed.clone();
        tokio::spawn(async move {
            feed.serve(listener, async move {
                let _ = stopped.changed().await;
            })
            .await
        })
    };
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{url}{path}")).send();

    let r = get("/proofs/2").await.expect("get");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["proof"]["digest"], proof2.digest.to_string());
    assert_eq!(get("/proofs/3").await.expect("get").status(), 404);
    assert_eq!(get("/proofs/not-a-number").await.expect("get").status(), 400);

    // A subscriber sees the next published block.
    let mut events = get("/events").await.expect("sse").bytes_stream();
    let proof3 = prover.prove_block(3).await.expect("proof");
    let rec3 = record(3, proof3.clone());
    store.put(&rec3, false).expect("put");
    assert!(store.unreported(10).expect("read").is_empty(), "no registry: nothing to report");
    // The subscription is live once the response started; publish until the event arrives.
    let mut seen = String::new();
    for _ in 0..50 {
        feed.publish(&rec3, 3);
        if let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_millis(100), events.next()).await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&proof3.digest.to_string()) {
                break;
            }
        }
    }
    assert!(seen.contains("event: proof") && seen.contains(&proof3.digest.to_string()), "{seen}");

    let metrics = get("/metrics").await.expect("get").text().await.expect("text");
    assert!(metrics.contains("phat_relayer_blocks_relayed_total"), "{metrics}");
    assert!(metrics.contains("phat_relayer_finalized_block 3"), "{metrics}");
    assert!(metrics.contains("prover=\"good\""), "{metrics}");
    let status: serde_json::Value = get("/status").await.expect("get").json().await.expect("json");
    assert!(status.get("l2Head").is_some(), "{status}");

    stop.send(true).expect("stop");
    server.await.expect("join").expect("clean shutdown");
    let _ = std::fs::remove_dir_all(&dir);
}
