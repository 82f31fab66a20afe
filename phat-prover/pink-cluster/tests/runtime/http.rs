//! The contract's HTTP paths in the pink runtime. `prove_block` / `prove_blocks`: the contract
//! fetches a block and its witness over pink HTTP (one JSON-RPC batch per block) and proves it.
//! The L2 node is outside our system; here it is `FixtureNode`, a JSON-RPC server answering the
//! four witness calls from the Ethereum test blocks (what reth and geth serve; `phat-prover
//! witness-rpc` serves the same for anvil, tested in the CLI). Asserted: the same proof bytes as
//! `prove` on the same bundle, a batch, endpoint failover, and refusals — a dead endpoint,
//! garbage, another chain, a transaction — with nothing signed.
//! `relay`: its refusals here — among them a proof of its own key made under another chain config
//! (it sends to L1 for real in the e2e cluster test, against anvil).

use std::{collections::BTreeMap, sync::Arc, thread};

use drink::session::Session;
use ink::codegen::TraitCallBuilder;
use phat_prover_contract::{Config, Error};
use phat_prover_core::{ChainConfig, WitnessBundle};
use pink_drink::{Callable, PinkRuntime};
use serde_json::{Value, json};

use super::{blocks, config, deploy, other_rules, set_chain};

/// What a fixture node answers.
#[derive(Clone, Copy)]
pub(super) enum Behaviour {
    Honest,
    Garbage,
    ChainId(u64),
}

/// An L2 node serving `eth_chainId`, `debug_getRawBlock`, `debug_getRawHeader` and
/// `debug_executionWitness` for a set of test blocks, on a local port.
pub(super) struct FixtureNode {
    pub(super) url: String,
}

impl FixtureNode {
    pub(super) fn start(bundles: &[WitnessBundle], chain: &ChainConfig, behaviour: Behaviour) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let chain = chain.clone();
        let chain_id = chain.chain_id();
        let by_number: BTreeMap<u64, WitnessBundle> = bundles
            .iter()
            .map(|b| (b.clone().into_input(&chain).expect("input").block.header.number, b.clone()))
            .collect();
        thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = Vec::new();
                request.as_reader().read_to_end(&mut body).expect("body");
                let answer = match behaviour {
                    Behaviour::Garbage => b"<html>502 Bad Gateway</html>".to_vec(),
                    Behaviour::Honest => answer(&by_number, &chain, chain_id, &body),
                    Behaviour::ChainId(id) => answer(&by_number, &chain, id, &body),
                };
                let _ = request.respond(tiny_http::Response::from_data(answer));
            }
        });
        Self { url }
    }
}

fn hex0x(b: &[u8]) -> Value {
    json!(format!("0x{}", hex::encode(b)))
}

/// The answer to a JSON-RPC batch, the node claiming chain `chain_id` (the blocks are `chain`'s).
fn answer(blocks: &BTreeMap<u64, WitnessBundle>, chain: &ChainConfig, chain_id: u64, request: &[u8]) -> Vec<u8> {
    let calls: Vec<Value> = serde_json::from_slice(request).expect("a JSON-RPC batch");
    let answers: Vec<Value> = calls
        .iter()
        .map(|call| {
            let at = call["params"][0].as_str().map(|n| u64::from_str_radix(&n[2..], 16).expect("hex number"));
            let result = match (call["method"].as_str().expect("method"), at) {
                ("eth_chainId", _) => json!(format!("{chain_id:#x}")),
                ("debug_getRawBlock", Some(n)) => hex0x(&blocks[&n].block),
                ("debug_getRawHeader", Some(n)) => {
                    let input = blocks[&(n + 1)].clone().into_input(chain).expect("input");
                    let parent = input.block.header.parent_hash;
                    let header = input.witness.headers.iter().find(|h| alloy_primitives::keccak256(h) == parent);
                    hex0x(header.expect("parent among the headers"))
                }
                ("debug_executionWitness", Some(n)) => {
                    let b = &blocks[&n];
                    let all = |items: &[alloy_primitives::Bytes]| items.iter().map(|i| hex0x(i)).collect::<Vec<_>>();
                    json!({"state": all(&b.state), "codes": all(&b.codes), "keys": all(&b.keys), "headers": all(&b.headers)})
                }
                (method, _) => panic!("unexpected call {method}"),
            };
            json!({"jsonrpc": "2.0", "id": call["id"], "result": result})
        })
        .collect();
    serde_json::to_vec(&answers).expect("json")
}

#[test]
fn prove_block_fetches_its_witness_over_pink_http() {
    let wasm = super::wasm();
    let blocks = blocks("wallet");
    let chain = set_chain(&blocks);
    let bundles: Vec<WitnessBundle> =
        blocks.iter().map(|(b, _)| WitnessBundle::from_bytes(b).expect("bundle")).collect();
    let chain_id = bundles[0].chain_id;
    let numbers: Vec<u64> =
        bundles.iter().map(|b| b.clone().into_input(&chain).expect("input").block.header.number).collect();
    let node = FixtureNode::start(&bundles, &chain, Behaviour::Honest);
    let mut session = Session::<PinkRuntime>::new().expect("session");
    let mut prover = deploy(&mut session, &wasm, 21);
    // The first endpoint is dead: the contract moves on to the next.
    let dead = "http://127.0.0.1:9".to_string();
    let configure = |session: &mut Session<PinkRuntime>, prover: &mut phat_prover_contract::PhatProverRef, rpcs| {
        let c = Config { l2_rpcs: rpcs, ..config(&chain) };
        prover.call_mut().configure(c).submit_tx(session).expect("tx").expect("configured");
    };
    configure(&mut session, &mut prover, vec![dead.clone(), node.url.clone()]);

    // Block by block: the very proof `prove` gives for the same bundle.
    for (bundle, &n) in bundles.iter().zip(&numbers).skip(1) {
        let fetched = prover.call().prove_block(n).query(&mut session).expect("query").expect("proved");
        let given = prover.call().prove(bundle.to_bytes()).query(&mut session).expect("query").expect("proved");
        assert_eq!(fetched, given);
    }
    // Three blocks in one query (a request per block).
    let first = numbers[1];
    let batch = prover.call().prove_blocks(first, 3).query(&mut session).expect("query").expect("proved");
    assert_eq!(batch.iter().map(|p| p.block_number).collect::<Vec<_>>(), vec![first, first + 1, first + 2]);
    let single = prover.call().prove_block(first + 2).query(&mut session).expect("query").expect("proved");
    assert_eq!(batch[2], single);
    // One batch proof over the same three blocks: the digest the core computes from the native
    // outcomes under the contract's domain, signed by its key.
    let batch_proof = prover.call().prove_batch(first, 3).query(&mut session).expect("query").expect("batch");
    let outcomes: Vec<_> = bundles[1..4]
        .iter()
        .map(|b| {
            let input = b.clone().into_input(&chain).expect("input");
            phat_prover_core::execute(&chain, &input).expect("native")
        })
        .collect();
    let address = prover.call().prover_address().query(&mut session).expect("query").expect("address");
    let domain = phat_prover_core::ProofDomain {
        l1_chain_id: super::L1_CHAIN_ID,
        verifier: super::VERIFIER.into(),
        l2_chain_id: chain_id,
        prover: address.into(),
    };
    let input = phat_prover_core::BatchPublicInput::new(&domain, &outcomes).expect("contiguous");
    assert_eq!(input.chainConfigHash, chain.hash(), "the batch commits to the configured chain config");
    assert_eq!(batch_proof.digest, input.digest().0);
    assert_eq!((batch_proof.first_block, batch_proof.last_block), (first, first + 2));
    assert_eq!(batch_proof.blocks_commitment, input.blocksCommitment.0);
    let proof = phat_prover_core::TeeProof::from_bytes(&batch_proof.proof).expect("85 bytes");
    proof.verify(input.digest()).expect("signed by the prover");
    assert_eq!(proof.prover.0.0, address);

    // Refusals, nothing signed: every endpoint's failure is named.
    let refused = prover.call().prove_block(first).submit_tx(&mut session).expect("tx");
    assert_eq!(refused, Err(Error::TransactionContext));
    let range = prover.call().prove_blocks(first, 0).query(&mut session).expect("query");
    assert!(matches!(range, Err(Error::InvalidRange(_))), "{range:?}");
    let garbage = FixtureNode::start(&bundles, &chain, Behaviour::Garbage);
    let other_chain = FixtureNode::start(&bundles, &chain, Behaviour::ChainId(chain_id + 1));
    configure(&mut session, &mut prover, vec![dead.clone(), garbage.url.clone(), other_chain.url.clone()]);
    match prover.call().prove_block(first).query(&mut session).expect("query") {
        Err(Error::L2Rpc(failures)) => {
            assert_eq!(failures.len(), 3, "{failures:?}");
            assert!(failures[0].starts_with(&dead), "{failures:?}");
            assert!(failures[1].contains("not a JSON-RPC answer"), "{failures:?}");
            assert!(failures[2].contains(&format!("serves chain {}", chain_id + 1)), "{failures:?}");
        }
        other => panic!("expected L2Rpc, got {other:?}"),
    }
}

#[test]
fn relay_sends_only_its_own_proofs_and_says_why_it_cannot() {
    let wasm = super::wasm();
    let blocks = blocks("wallet");
    let chain = set_chain(&blocks);
    let bundle = WitnessBundle::from_bytes(&blocks[0].0).expect("bundle");
    let mut session = Session::<PinkRuntime>::new().expect("session");
    let mut prover = deploy(&mut session, &wasm, 31);
    let mut other = deploy(&mut session, &wasm, 32);
    for p in [&mut prover, &mut other] {
        p.call_mut().configure(config(&chain)).submit_tx(&mut session).expect("tx").expect("configured");
    }
    let proved = prover.call().prove(bundle.to_bytes()).query(&mut session).expect("query").expect("proved");

    // Relaying is off until L1 is configured; a half configuration is refused.
    assert_eq!(prover.call().relay(proved.clone()).query(&mut session).expect("query"), Err(Error::RelayNotConfigured));
    let half = Config { l1_rpcs: vec!["http://127.0.0.1:9".into()], ..config(&chain) };
    let refused = prover.call_mut().configure(half).submit_tx(&mut session).expect("tx");
    assert!(matches!(refused, Err(Error::InvalidConfig(_))), "{refused:?}");
    let me = actor(&session);
    let relaying = |chain: &ChainConfig| Config {
        l1_rpcs: vec!["http://127.0.0.1:9".into()],
        l1_multi_proof: [0x77; 20],
        relay_callers: vec![me],
        ..config(chain)
    };
    let others = other_rules(&chain);
    let (relaying, relaying_under_others) = (relaying(&chain), relaying(&others));
    prover.call_mut().configure(relaying.clone()).submit_tx(&mut session).expect("tx").expect("configured");
    // The key is bound to the L1 it relays to: the proof made before names another key.
    let before = proved;
    let proved = prover.call().prove(bundle.to_bytes()).query(&mut session).expect("query").expect("proved");
    assert_ne!(proved.proof, before.proof);
    assert_eq!(prover.call().relay(before).query(&mut session).expect("query"), Err(Error::NotOurProof));

    // Only an allowed caller may spend the relay key's gas.
    let previous = session.set_actor([9u8; 32].into());
    assert_eq!(prover.call().relay(proved.clone()).query(&mut session).expect("query"), Err(Error::NotAllowedToRelay));
    session.set_actor(previous);

    // Another prover's proof, or its own proof altered, is not relayed (no gas spent on it).
    let foreign = other.call().prove(bundle.to_bytes()).query(&mut session).expect("query").expect("proved");
    assert_eq!(prover.call().relay(foreign).query(&mut session).expect("query"), Err(Error::NotOurProof));
    let mut altered = proved.clone();
    altered.post_state_root[0] ^= 1;
    assert_eq!(prover.call().relay(altered).query(&mut session).expect("query"), Err(Error::NotOurProof));
    let mut renamed = proved.clone();
    renamed.chain_config_hash = others.hash().0;
    assert_eq!(prover.call().relay(renamed).query(&mut session).expect("query"), Err(Error::NotOurProof));
    // Its own key's proof made under another chain config (same chain id, other rules: the
    // signature is good, the rules are not the configured ones) is not relayed either; the proof
    // it makes under the new configuration is.
    prover.call_mut().configure(relaying_under_others).submit_tx(&mut session).expect("tx").expect("configured");
    let under_others = prover.call().prove(bundle.to_bytes()).query(&mut session).expect("query").expect("proved");
    assert_eq!(under_others.chain_config_hash, others.hash().0);
    assert_eq!((under_others.block_hash, under_others.post_state_root), (proved.block_hash, proved.post_state_root));
    assert_ne!(under_others.digest, proved.digest);
    assert_eq!(prover.call().relay(proved.clone()).query(&mut session).expect("query"), Err(Error::NotOurProof));
    match prover.call().relay(under_others).query(&mut session).expect("query") {
        Err(Error::L1Rpc(failures)) => assert!(failures.len() == 1 && failures[0].starts_with("http://127.0.0.1:9")),
        other => panic!("expected L1Rpc, got {other:?}"),
    }
    prover.call_mut().configure(relaying.clone()).submit_tx(&mut session).expect("tx").expect("configured");
    // Its own proof goes to L1 — here unreachable, which it reports per endpoint; in a
    // transaction it refuses before anything.
    match prover.call().relay(proved.clone()).query(&mut session).expect("query") {
        Err(Error::L1Rpc(failures)) => assert!(failures.len() == 1 && failures[0].starts_with("http://127.0.0.1:9")),
        other => panic!("expected L1Rpc, got {other:?}"),
    }
    assert_eq!(
        prover.call().relay(proved.clone()).submit_tx(&mut session).expect("tx"),
        Err(Error::TransactionContext)
    );
    // The relay key is not the prover key.
    let relay = prover.call().relay_address().query(&mut session).expect("query").expect("address");
    assert_ne!(relay, prover.call().prover_address().query(&mut session).expect("query").expect("address"));

    // The fee cap: an L1 endpoint asking 600 gwei (a 1 200 gwei fee cap) is refused under a
    // 1 000 gwei cap — nothing is signed or sent — and taken under a 2 000 gwei one.
    let l1 = FixtureL1::start(600_000_000_000);
    let gwei = 1_000_000_000u128;
    for (cap, sent) in [(1_000 * gwei, false), (2_000 * gwei, true)] {
        let c = Config { l1_rpcs: vec![l1.url.clone()], relay_max_fee_per_gas: cap, ..relaying.clone() };
        prover.call_mut().configure(c).submit_tx(&mut session).expect("tx").expect("configured");
        match (prover.call().relay(proved.clone()).query(&mut session).expect("query"), sent) {
            (Ok(hash), true) => assert_eq!(hash, [0xab; 32]),
            (Err(Error::L1Rpc(failures)), false) => {
                assert!(failures.len() == 1 && failures[0].contains("above the configured cap"), "{failures:?}")
            }
            (other, _) => panic!("cap {cap}: unexpected {other:?}"),
        }
        assert_eq!(l1.sent(), usize::from(sent));
    }
}

/// The account the session calls from.
fn actor(session: &Session<PinkRuntime>) -> ink::primitives::AccountId {
    let actor: [u8; 32] = *session.get_actor().as_ref();
    actor.into()
}

/// An L1 node answering the relay's parameter calls with a given gas price, and taking (counting)
/// raw transactions.
struct FixtureL1 {
    url: String,
    sent: Arc<std::sync::atomic::AtomicUsize>,
}

impl FixtureL1 {
    fn start(gas_price: u128) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = sent.clone();
        thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = Vec::new();
                request.as_reader().read_to_end(&mut body).expect("body");
                let calls: Vec<Value> = serde_json::from_slice(&body).expect("a JSON-RPC batch");
                let answers: Vec<Value> = calls
                    .iter()
                    .map(|call| {
                        let result = match call["method"].as_str().expect("method") {
                            "eth_getTransactionCount" => json!("0x0"),
                            "eth_gasPrice" => json!(format!("{gas_price:#x}")),
                            "eth_maxPriorityFeePerGas" => json!("0x1"),
                            "eth_estimateGas" => json!("0x186a0"),
                            "eth_sendRawTransaction" => {
                                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                hex0x(&[0xab; 32])
                            }
                            method => panic!("unexpected call {method}"),
                        };
                        json!({"jsonrpc": "2.0", "id": call["id"], "result": result})
                    })
                    .collect();
                let _ = request.respond(tiny_http::Response::from_data(serde_json::to_vec(&answers).expect("json")));
            }
        });
        Self { url, sent }
    }

    fn sent(&self) -> usize {
        self.sent.load(std::sync::atomic::Ordering::SeqCst)
    }
}
