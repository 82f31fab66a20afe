//! `phat-prover witness-rpc` in front of a real anvil, read with the core's JSON-RPC witness path —
//! the very request and parsing the Phat contract's `prove_block` uses: every block of real traffic
//! comes back as a bundle the STF proves to the node's own block hash and state root; batches of
//! several blocks work; anvil itself (no `debug_executionWitness`), a node of another chain and
//! garbage are refused with the reason.

use alloy::providers::{Provider, ProviderBuilder};
use phat_devkit::{Anvil, DEV_KEY, Traffic};
use phat_prover_core::execute;
use phat_rpc::{RpcError, witness_bundles, witness_request};
use phat_witness::serve;

const CHAIN_ID: u64 = 167_002;

async fn post(url: &str, body: Vec<u8>) -> Vec<u8> {
    let client = reqwest::Client::new();
    let response = client.post(url).header("content-type", "application/json").body(body).send().await.expect("post");
    response.bytes().await.expect("body").to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_witness_rpc_serves_what_prove_block_needs() {
    let anvil = Anvil::spawn(&["--hardfork", "prague", "--chain-id", &CHAIN_ID.to_string()]).expect("anvil");
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    for _ in 0..7 {
        traffic.step().await.expect("tx");
    }
    let head = traffic.head().await.expect("head");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let chain = phat_devkit::l2_chain_config(CHAIN_ID);
    tokio::spawn(serve::serve(listener, anvil.url.clone(), chain.clone()));

    // One block per request, then the rest in one batch: each proves to the node's own block
    // (from block 2: anvil seals block 1 with a base fee of its own choosing).
    let node = ProviderBuilder::new().connect_http(anvil.url.parse().expect("url"));
    let mut bundles = Vec::new();
    for n in 2..=3 {
        let answer = post(&url, witness_request(n, 1).expect("request")).await;
        bundles.extend(witness_bundles(&answer, n, 1, CHAIN_ID).expect("bundle"));
    }
    let answer = post(&url, witness_request(4, head - 3).expect("request")).await;
    bundles.extend(witness_bundles(&answer, 4, head - 3, CHAIN_ID).expect("bundles"));
    assert_eq!(bundles.len() as u64, head - 1);
    for (n, bundle) in (2..).zip(bundles) {
        let input = bundle.into_input(&chain).expect("input");
        let outcome = execute(&chain, &input).expect("proves");
        let block = node.get_block_by_number(n.into()).await.expect("rpc").expect("block");
        assert_eq!((outcome.number, outcome.block_hash), (n, block.header.hash));
        assert_eq!(outcome.post_state_root, block.header.state_root);
    }

    // Refusals, each with its reason.
    let at_anvil = post(&anvil.url, witness_request(1, 1).expect("request")).await;
    let err = witness_bundles(&at_anvil, 1, 1, CHAIN_ID).expect_err("anvil has no witness calls");
    assert!(matches!(&err, RpcError::Node { message, .. } if message.contains("not found")), "{err}");
    let err = witness_bundles(&post(&url, witness_request(1, 1).expect("request")).await, 1, 1, 1).expect_err("chain");
    assert_eq!(err, RpcError::WrongChain { expected: 1, got: u128::from(CHAIN_ID) });
    let beyond = post(&url, witness_request(head + 1, 1).expect("request")).await;
    let err = witness_bundles(&beyond, head + 1, 1, CHAIN_ID).expect_err("no such block");
    assert!(matches!(&err, RpcError::Node { message, .. } if message.contains("not found")), "{err}");
    // An answer for other blocks than asked is refused, not misread.
    let err = witness_bundles(&post(&url, witness_request(2, 1).expect("request")).await, 1, 1, CHAIN_ID)
        .expect_err("other block");
    assert!(matches!(err, RpcError::Missing(_)), "{err}");
}

/// What is not a JSON-RPC 2.0 request is answered with its error code, before anything reaches
/// the node (here a dead one): -32700 for what is not JSON, -32600 for what is not a request, an
/// empty batch or one over `MAX_BATCH` calls; bodies over the cap get an immediate 413.
#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_oversized_requests_are_refused_with_their_codes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(serve::serve(listener, "http://127.0.0.1:9".into(), phat_devkit::l2_chain_config(1)));
    let code = |answer: &[u8]| -> Option<i64> {
        let v: serde_json::Value = serde_json::from_slice(answer).expect("a JSON answer");
        v["error"]["code"].as_i64()
    };
    assert_eq!(code(&post(&url, b"{not json".to_vec()).await), Some(-32700));
    for invalid in [
        r#"[]"#,
        r#"42"#,
        r#"{"id":1,"method":"eth_chainId"}"#,
        r#"{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":7}"#,
    ] {
        assert_eq!(code(&post(&url, invalid.into()).await), Some(-32600), "{invalid}");
    }
    let unknown = post(&url, br#"{"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction"}"#.to_vec()).await;
    assert_eq!(code(&unknown), Some(-32601));
    // In a batch, each invalid element is answered on its own.
    let mixed: serde_json::Value =
        serde_json::from_slice(&post(&url, br#"[1, {"jsonrpc":"2.0","id":2,"method":"nope"}]"#.to_vec()).await)
            .expect("json");
    assert_eq!(mixed[0]["error"]["code"], -32600);
    assert_eq!((mixed[1]["id"].as_i64(), mixed[1]["error"]["code"].as_i64()), (Some(2), Some(-32601)));
    let call = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"});
    let too_many = serde_json::to_vec(&vec![call; serve::MAX_BATCH + 1]).expect("json");
    assert_eq!(code(&post(&url, too_many).await), Some(-32600));

    let client = reqwest::Client::new();
    let over = client.post(&url).body(vec![b' '; (2 << 20) + 1]).send().await.expect("post");
    assert_eq!(over.status(), 413);
}

/// After a reorg the witness-rpc serves the new block's witness, never the cached one of the old
/// fork at the same height.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_reorg_the_new_block_is_served() {
    let anvil = Anvil::spawn(&["--hardfork", "prague", "--chain-id", &CHAIN_ID.to_string()]).expect("anvil");
    let node = ProviderBuilder::new().connect_http(anvil.url.parse().expect("url"));
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    for _ in 0..3 {
        traffic.step().await.expect("tx");
    }
    let snapshot: alloy::primitives::U256 = node.raw_request("evm_snapshot".into(), ()).await.expect("snapshot");
    traffic.step().await.expect("tx");
    let n = traffic.head().await.expect("head");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let chain = phat_devkit::l2_chain_config(CHAIN_ID);
    tokio::spawn(serve::serve(listener, anvil.url.clone(), chain.clone()));
    // The block a served bundle is of (anvil's base fee after `evm_revert` does not follow the
    // parent, so the fork's block is not provable: which block is served is what matters here).
    let proven = |answer: Vec<u8>| {
        let bundle = witness_bundles(&answer, n, 1, CHAIN_ID).expect("bundle").remove(0);
        bundle.into_input(&chain).expect("input").block.header.hash_slow()
    };
    let old = proven(post(&url, witness_request(n, 1).expect("request")).await);
    assert_eq!(old, node.get_block_by_number(n.into()).await.expect("rpc").expect("block").header.hash);

    // The fork: back to before block n, and another block n (another transaction, later).
    let reverted: bool = node.raw_request("evm_revert".into(), (snapshot,)).await.expect("revert");
    assert!(reverted);
    node.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (7u64,)).await.expect("time");
    // A fresh sender: the old provider's block watcher has seen heights the fork took back.
    Traffic::new(&anvil.url, DEV_KEY).expect("traffic").step().await.expect("tx");
    assert_eq!(traffic.head().await.expect("head"), n);
    let new_hash = node.get_block_by_number(n.into()).await.expect("rpc").expect("block").header.hash;
    assert_ne!(new_hash, old);
    assert_eq!(proven(post(&url, witness_request(n, 1).expect("request")).await), new_hash);
}
