//! What an L2 node must answer for a block to be proven, as one JSON-RPC batch: the request body
//! and the reading of the answer into [`WitnessBundle`]s. Transport-free, so the Phat contract
//! (pink HTTP), the CLI and the tests share it.
//!
//! Per block `n`, four calls every reth or geth node serves:
//! `eth_chainId`, `debug_getRawBlock(n)`, `debug_getRawHeader(n - 1)`, `debug_executionWitness(n)`.
//! Nodes without `debug_executionWitness` (anvil) can be fronted by `phat-prover witness-rpc`, which
//! serves the same calls from `eth_getProof`.
//!
//! Nothing the node returns is trusted: the parent header must hash to the block's parent hash, the
//! chain id must be the expected one, and the STF then checks the witness against the parent's
//! state root. Every malformed, missing or inconsistent answer is an [`RpcError`].
//!
//! JSON is read and written with `pink-json` (serde-json-core with `alloc`): the contract runtime
//! refuses wasm with float instructions, and serde_json's number parser and error messages bring
//! them in. Ids are strings, results hex text or the witness object; no number is ever parsed.

use alloc::{format, string::String, vec::Vec};
use core::fmt;

use alloy_consensus::Header;
use alloy_primitives::{Bytes, hex};
use serde::{
    Deserialize, Deserializer, Serialize,
    de::{MapAccess, Visitor, value::MapAccessDeserializer},
};

use crate::{
    bundle::WitnessBundle,
    chain::ChainSpec,
    error::RpcError,
    witness::{ExecutionWitness, L2Block, decode_exact},
};

/// Most blocks one request asks for (4 calls each).
pub const MAX_BLOCKS_PER_REQUEST: u64 = 8;

/// The calls of one block, in the order of their ids' suffixes.
const BLOCK: &str = "debug_getRawBlock";
const PARENT: &str = "debug_getRawHeader";
const WITNESS: &str = "debug_executionWitness";

#[derive(Serialize)]
struct Call<'a> {
    jsonrpc: &'static str,
    id: String,
    method: &'a str,
    params: Vec<String>,
}

#[derive(Deserialize)]
struct Answer<'a> {
    id: String,
    #[serde(borrow, default)]
    result: Option<Outcome<'a>>,
    #[serde(default)]
    error: Option<Fault>,
}

/// A call's result: hex text (chain id, raw block, raw header) or the witness object.
enum Outcome<'a> {
    Text(&'a str),
    Witness(WitnessJson<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Outcome<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect<'a>(core::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Expect<'a> {
            type Value = Outcome<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("hex text or a witness object")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Outcome::Text(text))
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                WitnessJson::deserialize(MapAccessDeserializer::new(map)).map(Outcome::Witness)
            }
        }
        deserializer.deserialize_any(Expect(core::marker::PhantomData))
    }
}

/// `debug_executionWitness`'s answer, every item as hex text.
#[derive(Deserialize)]
struct WitnessJson<'a> {
    #[serde(borrow, default)]
    state: Vec<&'a str>,
    #[serde(borrow, default)]
    codes: Vec<&'a str>,
    #[serde(borrow, default)]
    keys: Vec<&'a str>,
    #[serde(borrow, default)]
    headers: Vec<&'a str>,
}

/// A JSON-RPC error object; its numeric code is not read (no number parsing, see the module doc).
#[derive(Deserialize)]
struct Fault {
    message: String,
}

fn quantity(n: u64) -> String {
    format!("{n:#x}")
}

/// The JSON-RPC batch that fetches blocks `first .. first + count`: the chain id, then per block its
/// raw block, its parent's raw header and its execution witness.
pub fn witness_request(first: u64, count: u64) -> Result<Vec<u8>, RpcError> {
    check_range(first, count)?;
    let mut calls = Vec::with_capacity(1 + 3 * count as usize);
    calls.push(Call { jsonrpc: "2.0", id: "chain".into(), method: "eth_chainId", params: Vec::new() });
    for n in first..first + count {
        for (method, at) in [(BLOCK, n), (PARENT, n - 1), (WITNESS, n)] {
            calls.push(Call { jsonrpc: "2.0", id: format!("{method}:{n}"), method, params: alloc::vec![quantity(at)] });
        }
    }
    pink_json::to_vec(&calls).map_err(|e| RpcError::Encode(format!("{e:?}")))
}

fn check_range(first: u64, count: u64) -> Result<(), RpcError> {
    if first == 0 {
        return Err(RpcError::Range("block 0 has no parent: nothing to prove".into()));
    }
    if count == 0 || count > MAX_BLOCKS_PER_REQUEST {
        return Err(RpcError::Range(format!("{count} blocks: ask for 1 to {MAX_BLOCKS_PER_REQUEST}")));
    }
    if first.checked_add(count).is_none() {
        return Err(RpcError::Range("block range overflows".into()));
    }
    Ok(())
}

/// Reads the node's answer to [`witness_request`]`(first, count)` into one bundle per block, for
/// the L2 `chain_id`. Prague applies from genesis when the block carries a requests hash.
pub fn witness_bundles(body: &[u8], first: u64, count: u64, chain_id: u64) -> Result<Vec<WitnessBundle>, RpcError> {
    check_range(first, count)?;
    let answers: Vec<Answer<'_>> =
        pink_json::from_slice(body).map_err(|e| RpcError::Malformed(format!("not a JSON-RPC batch answer ({e:?})")))?;
    let result = |id: &str| -> Result<&Outcome<'_>, RpcError> {
        let answer = answers.iter().find(|a| a.id == id).ok_or_else(|| RpcError::Missing(id.into()))?;
        match (&answer.error, &answer.result) {
            (Some(fault), _) => Err(RpcError::Node { call: id.into(), message: fault.message.clone() }),
            (None, Some(outcome)) => Ok(outcome),
            (None, None) => Err(RpcError::Missing(id.into())),
        }
    };
    let text = |id: &str| -> Result<&str, RpcError> {
        match result(id)? {
            Outcome::Text(text) => Ok(text),
            Outcome::Witness(_) => Err(RpcError::Malformed(format!("{id}: an object, expected hex text"))),
        }
    };
    let parse = |id: &str| -> Result<Bytes, RpcError> { hex_bytes(id, text(id)?) };

    let chain = text("chain")?;
    let node_chain = chain
        .strip_prefix("0x")
        .and_then(|digits| u64::from_str_radix(digits, 16).ok())
        .ok_or_else(|| RpcError::Malformed(format!("eth_chainId: {chain:?} is not a hex quantity")))?;
    if node_chain != chain_id {
        return Err(RpcError::WrongChain { expected: chain_id, got: node_chain });
    }
    let mut bundles = Vec::with_capacity(count as usize);
    for n in first..first + count {
        let block_rlp = parse(&format!("{BLOCK}:{n}"))?;
        let parent_rlp = parse(&format!("{PARENT}:{n}"))?;
        let id = format!("{WITNESS}:{n}");
        let Outcome::Witness(json) = result(&id)? else {
            return Err(RpcError::Malformed(format!("{id}: hex text, expected a witness object")));
        };
        let all = |items: &[&str]| items.iter().map(|h| hex_bytes(&id, h)).collect::<Result<Vec<_>, _>>();
        let mut witness = ExecutionWitness {
            state: all(&json.state)?,
            codes: all(&json.codes)?,
            keys: all(&json.keys)?,
            headers: all(&json.headers)?,
        };
        let block: L2Block = decode_exact(&block_rlp).map_err(|e| RpcError::Malformed(format!("block {n}: {e}")))?;
        if block.header.number != n {
            return Err(RpcError::Inconsistent(format!("asked for block {n}, got block {}", block.header.number)));
        }
        let parent: Header =
            decode_exact(&parent_rlp).map_err(|e| RpcError::Malformed(format!("header {}: {e}", n - 1)))?;
        if parent.hash_slow() != block.header.parent_hash {
            return Err(RpcError::Inconsistent(format!(
                "block {n}'s parent hash is {}, header {} hashes to {}",
                block.header.parent_hash,
                n - 1,
                parent.hash_slow()
            )));
        }
        let has_parent = witness.headers.iter().any(|h| h == &parent_rlp);
        if !has_parent {
            witness.headers.insert(0, parent_rlp);
        }
        let chain = ChainSpec::new(chain_id, block.header.requests_hash.map(|_| 0));
        bundles.push(WitnessBundle::new(&chain, block_rlp, witness));
    }
    Ok(bundles)
}

fn hex_bytes(id: &str, text: &str) -> Result<Bytes, RpcError> {
    hex::decode(text).map(Bytes::from).map_err(|e| RpcError::Malformed(format!("{id}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_asks_for_chain_block_parent_and_witness_of_each_block() {
        let body = witness_request(7, 2).expect("request");
        let calls: Vec<serde_json::Value> = serde_json::from_slice(&body).expect("json");
        let summary: Vec<(String, String, serde_json::Value)> = calls
            .iter()
            .map(|c| (c["id"].as_str().unwrap().into(), c["method"].as_str().unwrap().into(), c["params"].clone()))
            .collect();
        assert_eq!(summary[0], ("chain".into(), "eth_chainId".into(), serde_json::json!([])));
        assert_eq!(summary[1], ("debug_getRawBlock:7".into(), BLOCK.into(), serde_json::json!(["0x7"])));
        assert_eq!(summary[2], ("debug_getRawHeader:7".into(), PARENT.into(), serde_json::json!(["0x6"])));
        assert_eq!(summary[3], ("debug_executionWitness:7".into(), WITNESS.into(), serde_json::json!(["0x7"])));
        assert_eq!(summary[6], ("debug_executionWitness:8".into(), WITNESS.into(), serde_json::json!(["0x8"])));
        assert_eq!(calls.len(), 7);
    }

    #[test]
    fn ranges_out_of_bounds_are_refused() {
        assert!(matches!(witness_request(0, 1), Err(RpcError::Range(_))));
        assert!(matches!(witness_request(1, 0), Err(RpcError::Range(_))));
        assert!(matches!(witness_request(1, MAX_BLOCKS_PER_REQUEST + 1), Err(RpcError::Range(_))));
        assert!(matches!(witness_request(u64::MAX, 1), Err(RpcError::Range(_))));
    }

    #[test]
    fn garbage_errors_and_wrong_chains_are_refused() {
        type Expected = fn(&RpcError) -> bool;
        let cases: [(&[u8], Expected); 5] = [
            (b"<html>502</html>", |e| matches!(e, RpcError::Malformed(_))),
            (br#"[{"jsonrpc":"2.0","id":"chain","result":"0x1"}"#, |e| matches!(e, RpcError::Malformed(_))),
            (br#"[]"#, |e| matches!(e, RpcError::Missing(_))),
            (
                br#"[{"id":"chain","error":{"code":-32601,"message":"Method not found"}}]"#,
                |e| matches!(e, RpcError::Node { message, .. } if message == "Method not found"),
            ),
            (br#"[{"id":"chain","result":"0x2"}]"#, |e| matches!(e, RpcError::WrongChain { expected: 1, got: 2 })),
        ];
        for (body, expected) in cases {
            let err = witness_bundles(body, 1, 1, 1).expect_err("refused");
            assert!(expected(&err), "{err:?}");
        }
        let no_witness = br#"[{"id":"chain","result":"0x1"},{"id":"debug_getRawBlock:1","result":"0xc0"},
            {"id":"debug_getRawHeader:1","result":"0xc0"},{"id":"debug_executionWitness:1","result":null}]"#;
        let err = witness_bundles(no_witness, 1, 1, 1).expect_err("refused");
        assert!(matches!(err, RpcError::Malformed(_) | RpcError::Missing(_)), "{err:?}");
    }
}
