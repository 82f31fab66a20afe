//! The zkEVM ecosystem's stateless input: every fixture file reads into the STF's input and back
//! to the same JSON (block through its RLP, witness as is, chain config through alloy's type), and
//! its chain config converts to ours and back to the same hash.

use std::path::PathBuf;

use alloy_rlp::Decodable;
use phat_prover_core::{StatelessInput, witness::L2Block};
use phat_witness::{
    files::{chain_config_from_json, chain_config_json},
    stateless::StatelessFile,
};

pub fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/stateless");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("stateless fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no stateless fixtures in {}", dir.display());
    files
}

#[test]
fn stateless_inputs_convert_losslessly() {
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).expect("read");
        let original: serde_json::Value = serde_json::from_str(&text).expect("json");
        let file = StatelessFile::from_json(&text).expect("a stateless input");
        let (chain, input) = file.input().expect("input");

        // Through our form: the block as RLP (what a bundle carries), the witness as is.
        let rlp = alloy_rlp::encode(&input.block);
        let block = L2Block::decode(&mut rlp.as_slice()).expect("RLP round trip");
        let ours = StatelessInput { block, witness: input.witness.clone() };
        let back = StatelessFile::from_input(
            file.name.clone(),
            file.success,
            &ours,
            file.block_and_witness.chain_config.clone(),
        );
        // An absent optional field and a null one are the same value (alloy writes `null` for the
        // fields of later forks that the file's writer did not know yet).
        let back = without_nulls(serde_json::to_value(&back).expect("json"));
        if let Some(at) = first_difference(&back, &without_nulls(original), String::new()) {
            panic!("{}: differs at {at}", path.display());
        }

        // The chain config through our JSON form: the same rules, the same hash.
        let again = chain_config_from_json(&chain_config_json(&chain).to_string()).expect("reads back");
        assert_eq!(again.hash(), chain.hash(), "{}", path.display());
    }
}

fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect()
        }
        serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

/// The path of the first place where `a` and `b` differ.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(u), Some(v)) => first_difference(u, v, format!("{at}.{k}")),
                (u, _) => Some(format!("{at}.{k} ({})", if u.is_some() { "only ours" } else { "only theirs" })),
            })
        }
        (Array(x), Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| first_difference(u, v, format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}").chars().take(300).collect()),
    }
}

#[test]
fn a_damaged_stateless_input_is_an_error_not_a_panic() {
    let path = &fixtures()[0];
    let text = std::fs::read_to_string(path).expect("read");
    for cut in [0, 1, text.len() / 3, text.len() - 2] {
        assert!(StatelessFile::from_json(&text[..cut]).is_err(), "cut at {cut}");
    }
    // An unknown field is refused, not dropped (the conversion must stay lossless).
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
    value["block_and_witness"]["block"]["body"]["surprise"] = serde_json::json!(1);
    assert!(StatelessFile::from_json(&value.to_string()).is_err());
}
