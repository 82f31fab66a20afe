//! An L2 node that lies or breaks: garbage, truncated answers, a block whose header was altered.
//! The prover refuses with a clear error and signs nothing. The hostile node is a proxy in front
//! of a real anvil (a test double for a party outside the system: a broken or malicious RPC).

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, keccak256};
use axum::{Router, body::Bytes, extract::State, routing::post};
use phat_devkit::{Anvil, DEV_KEY, Traffic};
use phat_prover_core::ProofDomain;
use phat_relayer::{
    RelayerError,
    prover::{LocalProver, ProverPool, TeeProver},
};

#[derive(Clone, Copy, Debug)]
enum Lie {
    Garbage,
    Truncated,
    AlteredHeader,
    AlteredProof,
    /// A lie in a field the witness builder does not trust (the balance next to the proof).
    IgnoredField,
}

struct Proxy {
    upstream: String,
    lie: Lie,
    http: reqwest::Client,
}

async fn relay(State(proxy): State<Arc<Proxy>>, body: Bytes) -> Vec<u8> {
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let method = request["method"].as_str().unwrap_or_default().to_string();
    let answer = match proxy
        .http
        .post(&proxy.upstream)
        .body(body.to_vec())
        .header("content-type", "application/json")
        .send()
        .await
    {
        Ok(r) => r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    match proxy.lie {
        Lie::Garbage if method != "eth_chainId" => b"\x00\xffnot json at all".to_vec(),
        Lie::Truncated => answer[..answer.len() / 2].to_vec(),
        Lie::AlteredHeader | Lie::AlteredProof | Lie::IgnoredField => {
            // Single answers and batches alike: alter every answer of the kind.
            let mut v: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
            match v.as_array_mut() {
                Some(batch) => batch.iter_mut().for_each(|a| tamper(proxy.lie, a)),
                None => tamper(proxy.lie, &mut v),
            }
            serde_json::to_vec(&v).unwrap_or_default()
        }
        _ => answer,
    }
}

fn tamper(lie: Lie, answer: &mut serde_json::Value) {
    let Some(result) = answer.get_mut("result") else {
        return;
    };
    match lie {
        Lie::AlteredHeader if result.get("stateRoot").is_some() => {
            result["stateRoot"] = serde_json::json!(keccak256("another state").to_string());
        }
        // Every account proof cut down to its root node: the paths the block needs are missing.
        Lie::AlteredProof => {
            if let Some(nodes) = result.get_mut("accountProof").and_then(|n| n.as_array_mut()) {
                nodes.truncate(1);
            }
        }
        Lie::IgnoredField if result.get("accountProof").is_some() => {
            result["balance"] = serde_json::json!("0xde0b6b3a7640000");
        }
        _ => {}
    }
}

async fn hostile(upstream: &str, lie: Lie) -> String {
    let proxy = Arc::new(Proxy { upstream: upstream.into(), lie, http: reqwest::Client::new() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = Router::new().route("/", post(relay)).with_state(proxy);
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_or_broken_l2_node_gets_a_clear_refusal_and_nothing_signed() {
    let anvil = Anvil::spawn(&["--hardfork", "prague", "--chain-id", "167001"]).expect("anvil");
    let mut traffic = Traffic::new(&anvil.url, DEV_KEY).expect("traffic");
    for _ in 0..4 {
        traffic.step().await.expect("tx");
    }
    let domain = ProofDomain {
        l1_chain_id: 31_337,
        verifier: Address::repeat_byte(7),
        l2_chain_id: 167_001,
        prover: Address::ZERO,
    };
    let key = keccak256("hostile l2 test prover").to_string();
    // Through the honest node the block proves.
    let honest =
        LocalProver::new("honest", &anvil.url, &key, domain, phat_devkit::l2_chain_config(167_001)).expect("prover");
    let truth = honest.prove_block(3).await.expect("honest node, honest proof");

    // A lie the witness does not depend on changes nothing: the proof is the true one.
    let url = hostile(&anvil.url, Lie::IgnoredField).await;
    let prover =
        LocalProver::new("lied-to", &url, &key, domain, phat_devkit::l2_chain_config(167_001)).expect("prover");
    assert_eq!(prover.prove_block(3).await.expect("proof").digest, truth.digest);

    for lie in [Lie::Garbage, Lie::Truncated, Lie::AlteredHeader, Lie::AlteredProof] {
        let url = hostile(&anvil.url, lie).await;
        let prover =
            LocalProver::new("lied-to", &url, &key, domain, phat_devkit::l2_chain_config(167_001)).expect("prover");
        let err = prover.prove_block(3).await.expect_err("nothing may be signed");
        let text = err.to_string();
        assert!(matches!(err, RelayerError::Prover { .. }), "{lie:?}: {text}");
        assert_eq!(text.lines().count(), 1, "{lie:?}: one clear line: {text}");
        let pool =
            ProverPool::new(vec![Arc::new(prover) as Arc<dyn TeeProver>], Duration::from_secs(10)).expect("pool");
        assert!(matches!(pool.prove(3).await, Err(RelayerError::NoProver { .. })), "{lie:?}");
        println!("{lie:?}: {text}");
    }
}
