//! `phat-prover prove` / `verify` as a user runs them, on a real Cancun block from the Ethereum
//! tests, and the refusals: bad JSON, a missing trie node, a forged header, a tampered proof.

use super::common;

use std::path::PathBuf;

use common::{Dir, chain_config, phat_prover, prove, signer};

use alloy_primitives::{Address, Bytes, keccak256};
use phat_prover_cli::ethtest;
use phat_witness::WitnessFile;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/ethereum-tests/BlockchainTests").join(rel)
}

/// The first block of a fixture test with the full genesis state as its witness.
fn witness_file() -> WitnessFile {
    let tests = ethtest::read_file(&fixture("ValidBlocks/bcExample/basefeeExample.json")).expect("fixture");
    let test = tests.values().next().expect("one test");
    let genesis = phat_prover_core::witness::decode_exact::<phat_prover_core::witness::L2Block>(&test.genesis_rlp)
        .expect("genesis");
    let (_, mut witness) = test.pre.witness().expect("witness");
    witness.headers = vec![alloy_rlp::encode(&genesis.header).into()];
    WitnessFile { chain_id: 1, block: test.blocks[0].rlp.clone(), witness }
}

/// Proves `file` under the test chain's rules (Cancun, chain 1).
fn prove_file(dir: &Dir, file: &WitnessFile) -> (bool, String, PathBuf) {
    prove_under(dir, file, &chain_config(dir, 1, "cancun"))
}

fn prove_under(dir: &Dir, file: &WitnessFile, config: &std::path::Path) -> (bool, String, PathBuf) {
    let (w, p) = (dir.path("w.json"), dir.path("p.json"));
    let _ = std::fs::remove_file(&p);
    std::fs::write(&w, serde_json::to_string(file).expect("json")).expect("write");
    let run = prove(&w, config, &p);
    (run.ok, run.stderr, p)
}

#[test]
fn the_rules_come_from_the_chain_config() {
    let dir = Dir::new("rules");
    // A Cancun block under a config that says Prague from genesis: refused (no requests hash).
    let (ok, err, proof) = prove_under(&dir, &witness_file(), &chain_config(&dir, 1, "prague"));
    assert!(!ok && err.contains("requests hash is missing"), "{err}");
    assert!(!proof.exists());
    // A config that names a fork the STF does not implement: refused at its timestamp.
    let amsterdam = dir.path("amsterdam.json");
    let config = r#"{"chainId":1,"terminalTotalDifficulty":0,"shanghaiTime":0,"cancunTime":0,"amsterdamTime":0}"#;
    std::fs::write(&amsterdam, config).expect("write");
    let (ok, err, _) = prove_under(&dir, &witness_file(), &amsterdam);
    assert!(!ok && err.contains("does not implement"), "{err}");
    // Pre-merge and unknown forks are refused as configs.
    for (config, expected) in [
        (r#"{"chainId":1,"shanghaiTime":0,"cancunTime":0}"#, "pre-merge"),
        (r#"{"chainId":1,"terminalTotalDifficulty":0,"shanghaiTime":0,"fooTime":5}"#, "fooTime"),
    ] {
        std::fs::write(&amsterdam, config).expect("write");
        let (ok, err, _) = prove_under(&dir, &witness_file(), &amsterdam);
        assert!(!ok && err.contains(expected), "{err}");
    }
    // The chain config command prints the hash the proof commits to.
    let cancun = chain_config(&dir, 1, "cancun");
    let run = phat_prover(&["chain-config", cancun.to_str().expect("utf8")]);
    assert!(run.ok, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let (ok, err, proof) = prove_file(&dir, &witness_file());
    assert!(ok, "{err}");
    let proof: serde_json::Value = serde_json::from_slice(&std::fs::read(&proof).expect("read")).expect("json");
    assert_eq!(proof["publicInput"]["chainConfigHash"], report["hash"]);
}

#[test]
fn proves_and_verifies_a_real_block() {
    let dir = Dir::new("ok");
    let (ok, err, proof) = prove_file(&dir, &witness_file());
    assert!(ok, "prove failed: {err}");
    let run = phat_prover(&["verify", "--proof", proof.to_str().expect("utf8"), "--signer", &signer().to_string()]);
    assert!(run.ok, "verify failed: {}", run.stderr);
    assert!(run.stdout.contains("\"valid\": true"), "{}", run.stdout);
    // Another expected signer is refused.
    let run = phat_prover(&[
        "verify",
        "--proof",
        proof.to_str().expect("utf8"),
        "--signer",
        &Address::repeat_byte(7).to_string(),
    ]);
    assert!(!run.ok && run.stderr.contains("expected"), "{}", run.stderr);
}

#[test]
fn tampered_proof_is_refused() {
    let dir = Dir::new("tamper");
    let (ok, err, proof) = prove_file(&dir, &witness_file());
    assert!(ok, "{err}");
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&proof).expect("read")).expect("json");
    json["publicInput"]["postStateRoot"] = serde_json::json!(keccak256("forged").to_string());
    std::fs::write(&proof, json.to_string()).expect("write");
    let run = phat_prover(&["verify", "--proof", proof.to_str().expect("utf8")]);
    assert!(!run.ok, "a forged post-state root must not verify");
    assert!(run.stderr.starts_with("error: proof rejected"), "{}", run.stderr);
}

#[test]
fn malformed_witness_json_is_one_error_line_and_nothing_signed() {
    let dir = Dir::new("badjson");
    let w = dir.path("w.json");
    let p = dir.path("p.json");
    std::fs::write(&w, "{\"chainId\": 1, \"block\": ").expect("write");
    let run = prove(&w, &chain_config(&dir, 1, "cancun"), &p);
    assert!(!run.ok);
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(!p.exists(), "nothing may be written");
}

#[test]
fn missing_trie_node_is_refused_and_nothing_signed() {
    let dir = Dir::new("missing");
    let mut file = witness_file();
    // Drop every node but the root: the first account read hits a blinded node.
    let (root, _) = ethtest::read_file(&fixture("ValidBlocks/bcExample/basefeeExample.json"))
        .expect("fixture")
        .values()
        .next()
        .expect("test")
        .pre
        .witness()
        .expect("witness");
    file.witness.state.retain(|n| keccak256(n) == root);
    assert_eq!(file.witness.state.len(), 1);
    let (ok, err, proof) = prove_file(&dir, &file);
    assert!(!ok);
    assert!(err.contains("not in the witness"), "{err}");
    assert!(!proof.exists());
}

#[test]
fn forged_header_is_refused_and_nothing_signed() {
    let dir = Dir::new("forged");
    let mut file = witness_file();
    let mut block =
        phat_prover_core::witness::decode_exact::<phat_prover_core::witness::L2Block>(&file.block).expect("block");
    block.header.state_root = keccak256("a state root the block does not produce");
    file.block = Bytes::from(alloy_rlp::encode(&block));
    let (ok, err, proof) = prove_file(&dir, &file);
    assert!(!ok);
    assert!(err.contains("state root"), "{err}");
    assert!(!proof.exists());
}
