//! Seed inputs for the fuzz targets, from the execution spec tests:
//!
//! ```sh
//! cd phat-prover/fuzz
//! cargo run --release --features seeds --example seeds -- ../../../shared/fixtures/eest/blockchain_tests corpus-work
//! ```
//!
//! For each test file, the first block of its first test (and of its first test whose first block
//! is invalid), proven on top of genesis with the full pre-state as witness — as `phat-prover
//! ethtest` does (`phat-prover/cli/src/ethtest.rs`, `state.rs`), and under the same chain config,
//! which must be one of `phat_prover_fuzz::chain_configs()`. Blocks the STF takes longer than
//! `MAX_MILLIS` over are left out (the fuzzer would crawl). Writes into OUT/<target>/:
//!
//! - `stf_eest`: selector byte ‖ bundle;
//! - `witness_bundle`: the bundle;
//! - `rpc_answer`: `[1, 1]` ‖ the JSON-RPC batch answer a node gives for block 1 (witness cut short);
//! - `proof_bytes`: digests with valid proofs, their high-s twins, a wrong length.
//!
//! Nothing here is run by the fuzz targets; they only read the files.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Instant,
};

use alloy_primitives::{Address, B256, Bytes, U64, U256, hex, keccak256};
use alloy_rlp::Encodable;
use phat_prover_core::{
    ChainConfig, ChainConfigParts, ExecutionWitness, LocalSigner, TeeProof, WitnessBundle, chain::BlobSchedule,
    execute, trie::PartialTrie, witness::L2Block,
};
use phat_prover_fuzz::{CHAIN_ID, selector};
use serde::Deserialize;

/// Slowest block kept as a seed (release build, natively).
const MAX_MILLIS: u128 = 50;
/// Largest bundle kept as a seed (the committed corpora stay small).
const MAX_BUNDLE: usize = 24 * 1024;
/// Items of each witness list an `rpc_answer` seed carries (the reader's work, not the STF's).
const RPC_ITEMS: usize = 4;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Test {
    #[serde(rename = "genesisRLP")]
    genesis_rlp: Bytes,
    blocks: Vec<Block>,
    pre: BTreeMap<Address, Account>,
    network: String,
    #[serde(default)]
    config: Option<Config>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    chainid: Option<U64>,
    #[serde(default)]
    blob_schedule: BTreeMap<String, Schedule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Schedule {
    target: U64,
    max: U64,
    base_fee_update_fraction: U64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Block {
    rlp: Bytes,
    expect_exception: Option<String>,
}

#[derive(Deserialize)]
struct Account {
    nonce: U64,
    balance: U256,
    #[serde(default)]
    code: Bytes,
    #[serde(default)]
    storage: BTreeMap<U256, U256>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, fixtures, out] = &args[..] else {
        eprintln!("usage: seeds FIXTURES_DIR OUT_DIR");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    for target in ["stf_eest", "witness_bundle", "rpc_answer", "proof_bytes"] {
        std::fs::create_dir_all(out.join(target)).expect("output folder");
    }
    let mut files = Vec::new();
    walk(Path::new(fixtures), &mut files);
    files.sort();
    let (mut written, mut skipped) = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable test file");
        let tests: BTreeMap<String, Test> = serde_json::from_str(&text).expect("a BlockchainTests file");
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let (mut valid, mut invalid) = (false, false);
        for (name, test) in &tests {
            let Some(first) = test.blocks.first() else { continue };
            let is_invalid = first.expect_exception.is_some();
            if (is_invalid && invalid) || (!is_invalid && valid) {
                continue;
            }
            match seed(test) {
                Err(why) => {
                    skipped += 1;
                    eprintln!("skipped {stem}:{name}: {why}");
                }
                Ok((selector, bundle, millis, verdict)) => {
                    let tag = format!("{stem}-{}", if is_invalid { "invalid" } else { "valid" });
                    write(&out, "stf_eest", &tag, &[&[selector][..], &bundle].concat());
                    write(&out, "witness_bundle", &tag, &bundle);
                    write(&out, "rpc_answer", &tag, &[&[1u8, 1][..], &rpc_answer(&bundle)].concat());
                    println!("{tag}: {} bytes, {millis} ms, {verdict}", bundle.len());
                    written += 1;
                    if is_invalid {
                        invalid = true;
                    } else {
                        valid = true;
                    }
                }
            }
            if valid && invalid {
                break;
            }
        }
    }
    proof_seeds(&out);
    println!("{written} blocks written, {skipped} skipped, from {} files", files.len());
}

/// The `stf_eest` seed of a test's first block: selector, bundle, the STF's time and verdict.
fn seed(test: &Test) -> Result<(u8, Vec<u8>, u128, String), String> {
    let chain = chain_config(test)?;
    let selector = selector(&chain).ok_or("its chain config is not among chain_configs()")?;
    let genesis = decode::<L2Block>(&test.genesis_rlp)?.header;
    let block_rlp = &test.blocks[0].rlp;
    decode::<L2Block>(block_rlp)?;
    let mut witness = full_witness(&test.pre)?;
    witness.headers.push(alloy_rlp::encode(&genesis).into());
    let bundle = WitnessBundle::new(CHAIN_ID, block_rlp.clone(), witness);
    let input = bundle.clone().into_input(&chain).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let result = execute(&chain, &input);
    let millis = start.elapsed().as_millis();
    if millis > MAX_MILLIS {
        return Err(format!("the STF takes {millis} ms"));
    }
    let bytes = bundle.to_bytes();
    if bytes.len() > MAX_BUNDLE {
        return Err(format!("the bundle is {} bytes", bytes.len()));
    }
    let verdict = match result {
        Ok(outcome) => format!("accepted ({} gas)", outcome.gas_used),
        Err(e) => format!("refused: {e}"),
    };
    Ok((selector, bytes, millis, verdict))
}

fn decode<T: alloy_rlp::Decodable>(bytes: &[u8]) -> Result<T, String> {
    phat_prover_core::witness::decode_exact(bytes).map_err(|e| e.to_string())
}

/// The test's rules, as `phat-prover ethtest` reads them (`ethtest::chain_config`).
fn chain_config(test: &Test) -> Result<ChainConfig, String> {
    let chain_id = test.config.as_ref().and_then(|c| c.chainid).map_or(CHAIN_ID, |id| id.to());
    let schedules = test.config.iter().flat_map(|c| &c.blob_schedule).map(|(name, s)| {
        let schedule = BlobSchedule {
            target: s.target.to(),
            max: s.max.to(),
            base_fee_update_fraction: s.base_fee_update_fraction.to(),
        };
        (name.as_str(), schedule)
    });
    let parts = ChainConfigParts::of_test_network(&test.network, chain_id, schedules).map_err(|e| e.to_string())?;
    ChainConfig::new(parts).map_err(|e| e.to_string())
}

/// Every node, code and key of the state (`FullState::witness` of the CLI).
fn full_witness(pre: &BTreeMap<Address, Account>) -> Result<ExecutionWitness, String> {
    let mut witness = ExecutionWitness::default();
    let mut accounts = PartialTrie::empty();
    for (address, account) in pre {
        let mut storage = PartialTrie::empty();
        for (slot, value) in account.storage.iter().filter(|(_, v)| !v.is_zero()) {
            let mut leaf = Vec::with_capacity(33);
            value.encode(&mut leaf);
            storage.insert(keccak256(slot.to_be_bytes::<32>()).as_slice(), leaf).map_err(|e| e.to_string())?;
        }
        let leaf = alloy_trie::TrieAccount {
            nonce: account.nonce.to(),
            balance: account.balance,
            storage_root: storage.root(),
            code_hash: keccak256(&account.code),
        };
        accounts.insert(keccak256(address).as_slice(), alloy_rlp::encode(leaf)).map_err(|e| e.to_string())?;
        witness.state.extend(storage.nodes());
        if !account.code.is_empty() {
            witness.codes.push(account.code.clone());
        }
        witness.keys.push(Bytes::copy_from_slice(address.as_slice()));
    }
    witness.state.extend(accounts.nodes());
    Ok(witness)
}

/// A node's answer to `phat_rpc::witness_request(1, 1)` serving `bundle`, its witness cut to
/// [`RPC_ITEMS`] items of at most 512 bytes per list.
fn rpc_answer(bundle: &[u8]) -> Vec<u8> {
    let bundle = WitnessBundle::from_bytes(bundle).expect("a bundle");
    let hexes = |items: &[Bytes]| {
        items
            .iter()
            .filter(|i| i.len() <= 512)
            .take(RPC_ITEMS)
            .map(|i| format!("\"0x{}\"", hex::encode(i)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let parent = bundle.headers.first().cloned().unwrap_or_default();
    format!(
        concat!(
            r#"[{{"jsonrpc":"2.0","id":"chain","result":"0x{:x}"}},"#,
            r#"{{"jsonrpc":"2.0","id":"debug_getRawBlock:1","result":"0x{}"}},"#,
            r#"{{"jsonrpc":"2.0","id":"debug_getRawHeader:1","result":"0x{}"}},"#,
            r#"{{"jsonrpc":"2.0","id":"debug_executionWitness:1","result":"#,
            r#"{{"state":[{}],"codes":[{}],"keys":[{}],"headers":[{}]}}}}]"#
        ),
        bundle.chain_id,
        hex::encode(&bundle.block),
        hex::encode(&parent),
        hexes(&bundle.state),
        hexes(&bundle.codes),
        hexes(&bundle.keys),
        hexes(&bundle.headers),
    )
    .into_bytes()
}

/// Digests with a valid proof, its high-s twin (refused), pink's raw recid form, a short proof.
fn proof_seeds(out: &Path) {
    let n = U256::from_be_bytes(hex!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
    for i in 0u8..4 {
        let digest = keccak256([i]);
        let signer = LocalSigner::from_bytes(&keccak256(b"phat-prover fuzz seed key")).expect("a valid key");
        let proof = TeeProof::sign(&signer, digest).expect("signs");
        let bytes = proof.to_bytes();
        write(out, "proof_bytes", &format!("valid-{i}"), &[digest.as_slice(), &bytes].concat());
        let mut high = bytes;
        let s = U256::from_be_slice(&high[52..84]);
        high[52..84].copy_from_slice(&(n - s).to_be_bytes::<32>());
        high[84] = 55 - high[84];
        write(out, "proof_bytes", &format!("high-s-{i}"), &[digest.as_slice(), &high].concat());
        let mut raw = bytes;
        raw[84] -= 27;
        write(out, "proof_bytes", &format!("recid-{i}"), &[digest.as_slice(), &raw].concat());
    }
    write(out, "proof_bytes", "short", &[B256::ZERO.as_slice(), &[0u8; 84]].concat());
}

fn write(out: &Path, target: &str, name: &str, bytes: &[u8]) {
    let file = out.join(target).join(name);
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("readable folder") {
            walk(&entry.expect("folder entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "json") {
        out.push(path.to_path_buf());
    }
}
