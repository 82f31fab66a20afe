//! Witness bundles: written for the accepted blocks of a real BlockchainTests file, each decodes
//! and re-proves to the block the test accepted; damaged bundles are refused.

use std::{path::PathBuf, process::Command};

use phat_prover_core::{ChainConfig, ChainConfigParts, Fork, WitnessBundle, execute};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/ethereum-tests/BlockchainTests/ValidBlocks")
        .join(name)
}

#[test]
fn bundles_of_a_conformance_test_reprove_to_its_blocks_and_damage_is_refused() {
    let out = std::env::temp_dir().join(format!("phat-bundles-{}", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_phat-prover"))
        .args(["bundle", "--ethtest"])
        .arg(fixture("bcWalletTest/wallet2outOf3txs2.json"))
        .arg("--out")
        .arg(&out)
        .env("RUST_LOG", "off")
        .status()
        .expect("runs");
    assert!(status.success());
    let index: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).expect("index")).expect("json");
    assert!(index.len() >= 3, "{index:?}");
    let chain = ChainConfig::new(ChainConfigParts::from_genesis_up_to(1, Fork::Cancun)).expect("config");
    for entry in &index {
        assert_eq!(
            entry["chain_config"],
            serde_json::to_value(alloy_primitives::Bytes::from(chain.to_canonical())).unwrap()
        );
        let bytes = std::fs::read(out.join(entry["file"].as_str().unwrap())).expect("bundle");
        assert_eq!(bytes.len() as u64, entry["bytes"].as_u64().unwrap());
        let bundle = WitnessBundle::from_bytes(&bytes).expect("decodes");
        assert_eq!(WitnessBundle::from_bytes(&bundle.to_bytes()).expect("round trip"), bundle);
        let input = bundle.clone().into_input(&chain).expect("input");
        let outcome = execute(&chain, &input).expect("proves");
        // Another chain's config refuses the bundle.
        let other = ChainConfig::new(ChainConfigParts::from_genesis_up_to(2, Fork::Cancun)).expect("config");
        assert!(bundle.clone().into_input(&other).is_err());
        assert_eq!(serde_json::to_value(outcome.block_hash).unwrap(), entry["block_hash"]);
        assert_eq!(serde_json::to_value(outcome.post_state_root).unwrap(), entry["post_state_root"]);

        // Truncated, extended, another version: refused, never a panic.
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(WitnessBundle::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(WitnessBundle::from_bytes(&longer).is_err());
        for version in [1, 3] {
            let mut other = WitnessBundle::from_bytes(&bytes).expect("decodes");
            other.version = version;
            assert_eq!(
                WitnessBundle::from_bytes(&other.to_bytes()),
                Err(phat_prover_core::WitnessError::UnknownVersion(version))
            );
        }
        // A bundle whose state lost its root node no longer proves.
        let mut starved = WitnessBundle::from_bytes(&bytes).expect("decodes");
        starved.state.retain(|node| alloy_primitives::keccak256(node) != outcome.pre_state_root);
        let input = starved.into_input(&chain).expect("input");
        assert!(execute(&chain, &input).is_err());
    }
    std::fs::remove_dir_all(&out).ok();
}
