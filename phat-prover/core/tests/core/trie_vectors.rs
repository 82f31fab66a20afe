//! The official Ethereum trie vectors (`ethereum/tests`, `TrieTests/`) against `PartialTrie`: each
//! case's root, then the trie reopened from its own `nodes()` (same root, same values).

use std::{collections::BTreeMap, fs, path::PathBuf};

use alloy_primitives::{hex, keccak256};
use phat_prover_core::trie::{NodePool, PartialTrie};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/ethereum-tests/TrieTests")
}

/// A vector string: `0x`-prefixed hex, else raw UTF-8 bytes; `null` is the empty value (delete).
fn bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(h) => hex::decode(h).unwrap_or_else(|e| panic!("bad hex {s}: {e}")),
            None => s.as_bytes().to_vec(),
        },
        other => panic!("unexpected vector item {other}"),
    }
}

/// Runs one case; returns an error message on mismatch.
fn run_case(input: &Value, root: &str, secure: bool) -> Result<(), String> {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = match input {
        Value::Array(items) => items.iter().map(|kv| (bytes(&kv[0]), bytes(&kv[1]))).collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (bytes(&Value::String(k.clone())), bytes(v))).collect(),
        other => panic!("unexpected \"in\": {other}"),
    };
    let mut trie = PartialTrie::empty();
    let mut model = BTreeMap::new();
    for (key, value) in pairs {
        let key = if secure { keccak256(&key).to_vec() } else { key };
        trie.insert(&key, value.clone()).map_err(|e| format!("insert: {e}"))?;
        if value.is_empty() {
            model.insert(key, None);
        } else {
            model.insert(key, Some(value));
        }
    }
    let expected = root.parse().map_err(|e| format!("bad root {root}: {e}"))?;
    if trie.root() != expected {
        return Err(format!("root {} != {expected}", trie.root()));
    }
    let pool: NodePool = trie.nodes().into_iter().collect();
    let mut reopened = PartialTrie::open(expected, &pool).map_err(|e| format!("reopen: {e}"))?;
    if reopened.root() != expected {
        return Err(format!("reopened root {} != {expected}", reopened.root()));
    }
    for (key, value) in &model {
        let got = reopened.get(key).map_err(|e| format!("get {}: {e}", hex::encode(key)))?;
        if got != value.as_deref() {
            return Err(format!("get {}: {got:02x?} != {value:02x?}", hex::encode(key)));
        }
    }
    Ok(())
}

#[test]
fn ethereum_trie_vectors() {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures())
        .unwrap_or_else(|e| panic!("reading {}: {e}", fixtures().display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut cases, mut failures) = (0, Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let secure = name.to_lowercase().contains("securetrie");
        let json: Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
        for (case, body) in json.as_object().unwrap_or_else(|| panic!("{name}: not an object")) {
            cases += 1;
            let root = body["root"].as_str().unwrap_or_else(|| panic!("{name}/{case}: no root"));
            if let Err(e) = run_case(&body["in"], root, secure) {
                failures.push(format!("{name}/{case}: {e}"));
            }
        }
    }
    println!("{cases} trie vectors in {} files", files.len());
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
    assert!(files.len() >= 5 && cases >= 25, "only {cases} cases in {} files", files.len());
}
