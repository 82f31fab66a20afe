//! The real `phat_prover.wasm` in the real pink runtime (pink-drink): three instances with distinct
//! TEE-derived keys, real Ethereum test blocks proven inside the runtime under the configured chain
//! config and checked with the core, key rotation, the transaction context refused, and the same
//! blocks timed natively and in the runtime (printed, not asserted).

use std::{path::PathBuf, time::Instant};

use drink::session::Session;
use ink::codegen::TraitCallBuilder;
use phat_prover_contract::{Config, Error, PhatProverRef, Proved};
use phat_prover_core::{
    BlockPublicInput, ChainConfig, ChainConfigParts, Fork, ProofDomain, TeeProof, WitnessBundle, execute,
};
use pink_drink::{Callable, DeployBundle, PinkRuntime};

phat_pink_cluster::probestack!();

#[path = "runtime/http.rs"]
mod http;
#[path = "runtime/refusal.rs"]
mod refusal;
#[path = "runtime/registry.rs"]
mod registry;
#[path = "runtime/sidevm.rs"]
mod sidevm;

const L1_CHAIN_ID: u64 = 31_337;
const VERIFIER: [u8; 20] = [0x5f; 20];

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run through `make test-contracts`")),
    )
}

fn wasm() -> Vec<u8> {
    std::fs::read(env_path("PHAT_CONTRACT_WASM")).expect("contract wasm")
}

/// The block bundles `phat-prover bundle --ethtest` (or `--heavy`) wrote into
/// `PHAT_BLOCK_BUNDLES/set`, with what the STF proved natively and the chain config it proved
/// them under.
fn blocks(set: &str) -> Vec<(Vec<u8>, serde_json::Value)> {
    let dir = env_path("PHAT_BLOCK_BUNDLES").join(set);
    let index: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("index")).expect("json");
    index
        .into_iter()
        .map(|e| (std::fs::read(dir.join(e["file"].as_str().expect("file"))).expect("bundle"), e))
        .collect()
}

/// The chain config a bundle of the index was proven under (its `chain_config` entry).
fn chain_of(entry: &serde_json::Value) -> ChainConfig {
    let hex = entry["chain_config"].as_str().expect("the index names the chain config of each bundle");
    phat_pink_cluster::chain_config_from_hex(hex).expect("chain config")
}

/// The one chain config of a set of bundles.
fn set_chain(blocks: &[(Vec<u8>, serde_json::Value)]) -> ChainConfig {
    let chain = chain_of(&blocks[0].1);
    assert!(blocks.iter().all(|(_, e)| chain_of(e) == chain), "one chain config per set");
    chain
}

/// A chain config's rules as parts, to derive variants of it.
fn parts(chain: &ChainConfig) -> ChainConfigParts {
    let parts = ChainConfigParts {
        chain_id: chain.chain_id(),
        merged: true,
        fork_times: Fork::TIMED.into_iter().filter_map(|f| chain.activation(f).map(|t| (f, t))).collect(),
        unsupported_from: chain.unsupported_from(),
        blob_schedule: Fork::WITH_BLOBS.into_iter().filter_map(|f| chain.blob_schedule(f).map(|s| (f, s))).collect(),
        deposit_contract: chain.deposit_contract(),
        devnet_absent_system_contracts: chain.devnet_absent_system_contracts(),
    };
    assert_eq!(&ChainConfig::new(parts.clone()).expect("valid"), chain, "the parts rebuild the config");
    parts
}

/// The same rules on another chain (chain id + 1).
fn other_chain(chain: &ChainConfig) -> ChainConfig {
    ChainConfig::new(ChainConfigParts { chain_id: chain.chain_id() + 1, ..parts(chain) }).expect("valid")
}

/// The same chain id under other rules that the test blocks do not reach (a fork the STF does not
/// implement, scheduled ≈ 35 000 years from the epoch): another hash, the same execution.
fn other_rules(chain: &ChainConfig) -> ChainConfig {
    assert_eq!(chain.unsupported_from(), None);
    let other = ChainConfig::new(ChainConfigParts { unsupported_from: Some(1 << 40), ..parts(chain) }).expect("valid");
    assert_ne!(other.hash(), chain.hash());
    other
}

/// A chain with every fork up to Cancun from genesis (for tests that prove nothing).
fn cancun(chain_id: u64) -> ChainConfig {
    ChainConfig::new(ChainConfigParts::from_genesis_up_to(chain_id, Fork::Cancun)).expect("valid")
}

fn config(chain: &ChainConfig) -> Config {
    Config {
        l2_rpcs: vec!["http://127.0.0.1:8545".into()],
        chain_config: chain.to_canonical(),
        l1_chain_id: L1_CHAIN_ID,
        l1_verifier: VERIFIER,
        l1_rpcs: Vec::new(),
        l1_multi_proof: [0; 20],
        relay_callers: Vec::new(),
        relay_max_fee_per_gas: 1_000_000_000_000,
    }
}

fn deploy(session: &mut Session<PinkRuntime>, wasm: &[u8], salt: u8) -> PhatProverRef {
    PhatProverRef::new().salt_bytes(vec![salt]).deploy_wasm(wasm, session).expect("deploy")
}

/// The proof domain of the contract's key `prover` on `chain`.
fn domain(chain: &ChainConfig, prover: [u8; 20]) -> ProofDomain {
    ProofDomain {
        l1_chain_id: L1_CHAIN_ID,
        verifier: VERIFIER.into(),
        l2_chain_id: chain.chain_id(),
        prover: prover.into(),
    }
}

/// Checks a proof the contract returned: it names the configured chain config, the digest is the
/// core's for these fields under the contract's domain, and the signature recovers to `prover`.
fn check(proved: &Proved, prover: [u8; 20], chain: &ChainConfig) {
    assert_eq!(proved.chain_config_hash, chain.hash().0, "executed under the configured chain config");
    let input = proved.public_input(&domain(chain, prover));
    assert_eq!(input.chainConfigHash, chain.hash());
    assert_eq!(input.digest().0, proved.digest);
    let proof = TeeProof::from_bytes(&proved.proof).expect("85-byte proof");
    assert_eq!(proof.prover.0.0, prover);
    proof.verify(input.digest()).expect("signature recovers to the prover");
}

/// The secp256k1 secret the contract at `contract` uses in key epoch `epoch` under pink-drink, whose
/// `derive_sr25519_key` is pink-chain-extension's default (an sr25519 pair seeded with the salt).
fn drink_secret(contract: &[u8], epoch: u32, binding: &[u8; 32]) -> alloy_primitives::B256 {
    use sp_core::Pair;
    let salt = alloy_primitives::keccak256(
        [phat_prover_contract::PROVER_KEY_DOMAIN, contract, &epoch.to_be_bytes(), binding].concat(),
    );
    let pair = sp_core::sr25519::Pair::from_seed(&salt.0);
    alloy_primitives::B256::from_slice(&pair.as_ref().secret.to_bytes()[..32])
}

#[test]
fn three_provers_prove_real_blocks_in_the_pink_runtime_rotate_and_refuse_transactions() {
    let wasm = wasm();
    let blocks = blocks("wallet");
    let mut session = Session::<PinkRuntime>::new().expect("session");
    let mut provers: Vec<PhatProverRef> = (1..=3).map(|salt| deploy(&mut session, &wasm, salt)).collect();
    let chain = set_chain(&blocks);
    let chain_id = WitnessBundle::from_bytes(&blocks[0].0).expect("bundle").chain_id;
    assert_eq!(chain.chain_id(), chain_id);

    // Not configured yet (no key either: it is bound to the configuration); then configured by
    // its owner; a stranger may not configure.
    let first = &blocks[0].0;
    assert_eq!(provers[0].call().prove(first.clone()).query(&mut session).expect("query"), Err(Error::NotConfigured));
    assert_eq!(provers[0].call().prover_address().query(&mut session).expect("query"), Err(Error::NotConfigured));
    for p in provers.iter_mut() {
        p.call_mut().configure(config(&chain)).submit_tx(&mut session).expect("tx").expect("configured");
    }
    // Distinct derivations: three addresses.
    let addresses: Vec<[u8; 20]> = provers
        .iter_mut()
        .map(|p| p.call().prover_address().query(&mut session).expect("query").expect("address"))
        .collect();
    assert!(addresses[0] != addresses[1] && addresses[1] != addresses[2] && addresses[0] != addresses[2]);

    // The key is bound to what the proofs are for: another chain config, L1, verifier or
    // MultiProofVerifier gives another key (to be attested and registered); endpoints and relay
    // settings do not. Back to the first configuration, the first key.
    let address = |p: &mut PhatProverRef, session: &mut Session<PinkRuntime>, c: Config| {
        p.call_mut().configure(c).submit_tx(session).expect("tx").expect("configured");
        p.call().prover_address().query(session).expect("query").expect("address")
    };
    for (c, same) in [
        (config(&other_rules(&chain)), false),
        (Config { l1_chain_id: L1_CHAIN_ID + 1, ..config(&chain) }, false),
        (Config { l1_verifier: [0x42; 20], ..config(&chain) }, false),
        (Config { l1_multi_proof: [0x43; 20], l1_rpcs: vec!["http://127.0.0.1:9".into()], ..config(&chain) }, false),
        (Config { l2_rpcs: vec!["http://127.0.0.1:1".into(), "https://l2.example".into()], ..config(&chain) }, true),
        (Config { relay_callers: vec![[5u8; 32].into()], relay_max_fee_per_gas: 1, ..config(&chain) }, true),
        (config(&chain), true),
    ] {
        let got = address(&mut provers[1], &mut session, c.clone());
        assert_eq!(got == addresses[1], same, "{c:?}");
    }
    // Unusable configurations are refused: among them chain configs that do not decode (chain id
    // 0, truncated, another tag, not canonical, empty).
    let canonical = chain.to_canonical();
    let with = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = canonical.clone();
        edit(&mut bytes);
        Config { chain_config: bytes, ..config(&chain) }
    };
    let bad = [
        with(&|b| b[32..64].fill(0)),
        with(&|b| b.truncate(b.len() - 1)),
        with(&|b| b[0] ^= 1),
        with(&|b| b[64..96].fill(0xff)),
        with(&|b| b.clear()),
        Config { l1_verifier: [0; 20], ..config(&chain) },
        Config { l2_rpcs: vec!["file:///etc/passwd".into()], ..config(&chain) },
    ];
    for c in bad {
        let refused = provers[0].call_mut().configure(c).submit_tx(&mut session).expect("tx");
        assert!(matches!(refused, Err(Error::InvalidConfig(_))), "{refused:?}");
    }
    assert_eq!(provers[0].call().config().query(&mut session).expect("query"), Some(config(&chain)), "unchanged");
    let owner = session.set_actor([7u8; 32].into());
    let stranger = provers[0].call_mut().configure(config(&other_chain(&chain))).submit_tx(&mut session).expect("tx");
    assert_eq!(stranger, Err(Error::NotOwner));
    session.set_actor(owner);

    // Every block proven by every prover inside the runtime, matching the native STF under the
    // same chain config: the digest is the core's public input over the native outcome.
    for (bundle, expected) in &blocks {
        let input = WitnessBundle::from_bytes(bundle).expect("bundle").into_input(&chain).expect("input");
        let outcome = execute(&chain, &input).expect("native");
        assert_eq!(outcome.chain_config_hash, chain.hash());
        for (p, address) in provers.iter_mut().zip(&addresses) {
            let proved = p.call().prove(bundle.clone()).query(&mut session).expect("query").expect("proved");
            assert_eq!(
                serde_json::to_value(alloy_primitives::B256::from(proved.block_hash)).unwrap(),
                expected["block_hash"]
            );
            check(&proved, *address, &chain);
            assert_eq!(proved.digest, BlockPublicInput::new(&domain(&chain, *address), &outcome).digest().0);
        }
    }

    // The key the runtime derived is the one the contract's derivation names, and the proof is
    // byte for byte what the core's local signer makes with that key (RFC 6979 on both sides).
    let contract = ink::ToAccountId::<pink::PinkEnvironment>::to_account_id(&provers[0]);
    let secret = drink_secret(contract.as_ref(), 0, &phat_prover_contract::config_binding(&config(&chain)));
    let local = phat_prover_core::LocalSigner::from_bytes(&secret).expect("secret");
    assert_eq!(phat_prover_core::Signer::address(&local).0.0, addresses[0]);
    let proved = provers[0].call().prove(first.clone()).query(&mut session).expect("query").expect("proved");
    let digest = alloy_primitives::B256::from(proved.digest);
    assert_eq!(TeeProof::sign(&local, digest).expect("sign").to_bytes().to_vec(), proved.proof);

    // The attestation binds the current key and the code the cluster runs (blake2-256 of the wasm).
    let attestation = provers[0].call().attestation().query(&mut session).expect("query").expect("attestation");
    assert_eq!((attestation.prover, attestation.key_epoch), (addresses[0], 0));
    assert_eq!(attestation.code_hash, sp_core::hashing::blake2_256(&wasm));
    let quote = attestation.worker_quote.map(|q| q.len());
    println!("worker quote served by the local runtime (pink-chain-extension's recorded quote): {quote:?} bytes");
    assert_eq!(provers[0].call().attestation().submit_tx(&mut session).expect("tx"), Err(Error::TransactionContext));

    // In a transaction: refused, nothing signed.
    let tx = provers[0].call().prove(first.clone()).submit_tx(&mut session).expect("tx");
    assert_eq!(tx, Err(Error::TransactionContext));
    // Bad input: refused with a reason, never a trap.
    let garbage = provers[0].call().prove(vec![0xc0, 0x01]).query(&mut session).expect("query");
    assert!(matches!(garbage, Err(Error::BadBundle(_))), "{garbage:?}");
    let mut other_chain = WitnessBundle::from_bytes(first).expect("bundle");
    other_chain.chain_id += 1;
    let wrong = provers[0].call().prove(other_chain.to_bytes()).query(&mut session).expect("query");
    assert_eq!(wrong, Err(Error::WrongChain { expected: chain_id, got: chain_id + 1 }));
    // A prover configured for another chain (another chain id, the same rules) refuses the bundle.
    let elsewhere = self::other_chain(&chain);
    provers[2].call_mut().configure(config(&elsewhere)).submit_tx(&mut session).expect("tx").expect("configured");
    let wrong = provers[2].call().prove(first.clone()).query(&mut session).expect("query");
    assert_eq!(wrong, Err(Error::WrongChain { expected: chain_id + 1, got: chain_id }));

    // Rotation: a new address, whose proofs verify; the other provers keep theirs.
    provers[0].call_mut().rotate_key().submit_tx(&mut session).expect("tx").expect("rotated");
    let rotated = provers[0].call().prover_address().query(&mut session).expect("query").expect("address");
    assert!(!addresses.contains(&rotated));
    let proved = provers[0].call().prove(first.clone()).query(&mut session).expect("query").expect("proved");
    check(&proved, rotated, &chain);
    assert_eq!(provers[1].call().prover_address().query(&mut session).expect("query").expect("address"), addresses[1]);
}

/// Each set of blocks proven natively and in the runtime: wall time and the weight the query used
/// against pink's 10 s query budget. Figures are printed, not asserted; what is asserted is that
/// the runtime proves every block (the local runtime lets a query run past the budget, which is
/// reported) and agrees with the native STF.
#[test]
fn the_same_blocks_natively_and_in_the_runtime() {
    const QUERY_BUDGET_PS: u64 = 10_000_000_000_000; // 10 s of weight (ref_time is in picoseconds)
    let wasm = wasm();
    let mut session = Session::<PinkRuntime>::new().expect("session");
    let mut prover = deploy(&mut session, &wasm, 9);
    let sets = std::env::var("PHAT_BLOCK_SETS").unwrap_or_else(|_| "wallet".into());
    println!("set | block | gas | witness bytes | native ms | runtime ms | ratio | weight (s) | result");
    for set in sets.split(',') {
        let blocks = blocks(set);
        let chain = set_chain(&blocks);
        prover.call_mut().configure(config(&chain)).submit_tx(&mut session).expect("tx").expect("configured");
        for (bundle, _) in &blocks {
            let start = Instant::now();
            let input = WitnessBundle::from_bytes(bundle).expect("bundle").into_input(&chain).expect("input");
            let outcome = execute(&chain, &input).expect("native");
            let native = start.elapsed().as_secs_f64();
            let start = Instant::now();
            let raw = prover.call().prove(bundle.clone()).bare_query(&mut session);
            let runtime = start.elapsed().as_secs_f64();
            let weight = raw.gas_consumed.ref_time();
            let result = match raw.result {
                Ok(ret) => {
                    match <Result<Result<Proved, Error>, ink::LangError> as parity_scale_codec::Decode>::decode(
                        &mut &ret.data[..],
                    ) {
                        Ok(Ok(Ok(proved))) => {
                            assert_eq!(proved.block_hash, outcome.block_hash.0, "runtime and native disagree");
                            assert_eq!(proved.chain_config_hash, chain.hash().0, "under the configured rules");
                            if weight <= QUERY_BUDGET_PS { "proved".to_string() } else { "proved, over budget".into() }
                        }
                        other => format!("refused: {other:?}"),
                    }
                }
                Err(e) => format!("failed: {e:?}"),
            };
            println!(
                "{set} | {} | {} | {} | {:.2} | {:.1} | {:.0}x | {:.2} | {result}",
                outcome.number,
                outcome.gas_used,
                bundle.len(),
                native * 1e3,
                runtime * 1e3,
                runtime / native,
                weight as f64 / 1e12,
            );
            assert!(result.starts_with("proved"), "{set} block {}: {result}", outcome.number);
        }
    }
}

/// The `Cluster` wrapper (what `phat-cluster` serves): a prover deployed by a worker owner is
/// rotated as that owner, whoever the cluster's current actor is.
#[test]
fn the_cluster_rotates_a_prover_key_as_its_owner() {
    let owner = phat_pink_cluster::accounts::worker_owner(0);
    let mut cluster = phat_pink_cluster::Cluster::new().expect("cluster");
    cluster.mint(owner, 1_000_000_000_000).expect("mint");
    let i = cluster.as_actor(owner, |c| c.deploy_prover(&wasm(), &[7], config(&cancun(1)))).expect("deploy");
    let before = cluster.prover_info(i).expect("info");
    cluster.rotate_key(i).expect("rotated");
    let after = cluster.prover_info(i).expect("info");
    assert_eq!((before.key_epoch, after.key_epoch), (0, 1));
    assert_ne!(before.address, after.address);
    assert!(cluster.rotate_key(i + 1).is_err(), "no such prover");
}
