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

#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod error;

use alloc::{format, string::String, vec::Vec};
use core::fmt;

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, hex};
use serde::{
    Deserialize, Deserializer, Serialize,
    de::{MapAccess, Visitor, value::MapAccessDeserializer},
};

use phat_l1::TxParams;
use phat_prover_core::{
    bundle::WitnessBundle,
    witness::{ExecutionWitness, L2Block, decode_exact},
};

pub use crate::error::RpcError;

/// Most blocks one request (and one `prove_blocks` / `prove_batch` query) asks for (4 calls each).
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
    params: Vec<Param>,
}

impl<'a> Call<'a> {
    fn new(id: impl Into<String>, method: &'a str, params: Vec<Param>) -> Self {
        Self { jsonrpc: "2.0", id: id.into(), method, params }
    }
}

/// A call parameter: text, or a transaction object (`eth_estimateGas`).
#[derive(Serialize)]
#[serde(untagged)]
enum Param {
    Text(String),
    Tx { from: String, to: String, data: String },
}

fn encode(calls: &[Call<'_>]) -> Result<Vec<u8>, RpcError> {
    pink_json::to_vec(calls).map_err(|_| RpcError::Encode)
}

/// A node's answer to a batch of calls, read by call id.
struct Batch<'a>(Vec<Answer<'a>>);

impl<'a> Batch<'a> {
    fn read(body: &'a [u8]) -> Result<Self, RpcError> {
        let answers = match body.first() {
            Some(b'[') => pink_json::from_slice(body),
            _ => pink_json::from_slice(body).map(|one| alloc::vec![one]),
        };
        answers.map(Self).map_err(|_| RpcError::NotJsonRpc)
    }

    fn result(&self, id: &str) -> Result<&Outcome<'a>, RpcError> {
        let answer = self.0.iter().find(|a| a.id == id).ok_or_else(|| RpcError::Missing(id.into()))?;
        match (&answer.error, &answer.result) {
            (Some(fault), _) => Err(RpcError::Node { call: id.into(), message: fault.message.clone() }),
            (None, Some(outcome)) => Ok(outcome),
            (None, None) => Err(RpcError::Missing(id.into())),
        }
    }

    fn text(&self, id: &str) -> Result<&'a str, RpcError> {
        match self.result(id)? {
            Outcome::Text(text) => Ok(text),
            Outcome::Witness(_) => Err(RpcError::Unexpected { call: id.into(), expected: "hex text" }),
        }
    }

    fn bytes(&self, id: &str) -> Result<Bytes, RpcError> {
        hex_bytes(id, self.text(id)?)
    }

    /// A hex quantity (`0x1a`).
    fn quantity(&self, id: &str) -> Result<u128, RpcError> {
        let text = self.text(id)?;
        text.strip_prefix("0x")
            .filter(|digits| !digits.is_empty())
            .and_then(|digits| u128::from_str_radix(digits, 16).ok())
            .ok_or_else(|| RpcError::NotQuantity { call: id.into() })
    }
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
    calls.push(Call::new("chain", "eth_chainId", Vec::new()));
    for n in first..first + count {
        for (method, at) in [(BLOCK, n), (PARENT, n - 1), (WITNESS, n)] {
            calls.push(Call::new(format!("{method}:{n}"), method, alloc::vec![Param::Text(quantity(at))]));
        }
    }
    encode(&calls)
}

/// Whether `first .. first + count` is a range [`witness_request`] asks for: not from block 0, 1 to
/// [`MAX_BLOCKS_PER_REQUEST`] blocks, no overflow.
pub fn check_range(first: u64, count: u64) -> Result<(), RpcError> {
    if first == 0 {
        return Err(RpcError::GenesisHasNoParent);
    }
    if count == 0 || count > MAX_BLOCKS_PER_REQUEST {
        return Err(RpcError::RangeLength(count));
    }
    if first.checked_add(count).is_none() {
        return Err(RpcError::RangeOverflow);
    }
    Ok(())
}

/// Reads the node's answer to [`witness_request`]`(first, count)` into one bundle per block, for
/// the L2 `chain_id`. The bundles carry no rules: the prover executes them under its own chain
/// config.
pub fn witness_bundles(body: &[u8], first: u64, count: u64, chain_id: u64) -> Result<Vec<WitnessBundle>, RpcError> {
    check_range(first, count)?;
    let batch = Batch::read(body)?;
    let node_chain = batch.quantity("chain")?;
    if node_chain != u128::from(chain_id) {
        return Err(RpcError::WrongChain { expected: chain_id, got: node_chain });
    }
    let mut bundles = Vec::with_capacity(count as usize);
    for n in first..first + count {
        let block_rlp = batch.bytes(&format!("{BLOCK}:{n}"))?;
        let parent_rlp = batch.bytes(&format!("{PARENT}:{n}"))?;
        let id = format!("{WITNESS}:{n}");
        let Outcome::Witness(json) = batch.result(&id)? else {
            return Err(RpcError::Unexpected { call: id, expected: "a witness object" });
        };
        let all = |items: &[&str]| items.iter().map(|h| hex_bytes(&id, h)).collect::<Result<Vec<_>, _>>();
        let mut witness = ExecutionWitness {
            state: all(&json.state)?,
            codes: all(&json.codes)?,
            keys: all(&json.keys)?,
            headers: all(&json.headers)?,
        };
        let block: L2Block = decode_exact(&block_rlp).map_err(|source| RpcError::Block { number: n, source })?;
        if block.header.number != n {
            return Err(RpcError::WrongBlock { asked: n, got: block.header.number });
        }
        let parent: Header = decode_exact(&parent_rlp).map_err(|source| RpcError::Header { number: n - 1, source })?;
        if parent.hash_slow() != block.header.parent_hash {
            return Err(RpcError::ParentMismatch {
                number: n,
                parent_hash: block.header.parent_hash,
                served: parent.hash_slow(),
            });
        }
        let has_parent = witness.headers.iter().any(|h| h == &parent_rlp);
        if !has_parent {
            witness.headers.insert(0, parent_rlp);
        }
        bundles.push(WitnessBundle::new(chain_id, block_rlp, witness));
    }
    Ok(bundles)
}

/// The calls that give an EIP-1559 transaction's parameters, for `from` calling `to` with `data`:
/// pending nonce, gas price, suggested tip and gas estimate.
pub fn transaction_request(from: Address, to: Address, data: &[u8]) -> Result<Vec<u8>, RpcError> {
    let (from, to) = (format!("{from:#x}"), format!("{to:#x}"));
    let tx = Param::Tx { from: from.clone(), to, data: format!("0x{}", hex::encode(data)) };
    encode(&[
        Call::new("nonce", "eth_getTransactionCount", alloc::vec![Param::Text(from), Param::Text("pending".into())]),
        Call::new("price", "eth_gasPrice", Vec::new()),
        Call::new("tip", "eth_maxPriorityFeePerGas", Vec::new()),
        Call::new("gas", "eth_estimateGas", alloc::vec![tx]),
    ])
}

/// Reads the answer to [`transaction_request`]. A call the node refuses (e.g. the estimate of a
/// call that would revert) is an [`RpcError::Node`] carrying the node's message.
pub fn transaction_params(body: &[u8]) -> Result<TxParams, RpcError> {
    let batch = Batch::read(body)?;
    let small = |id: &str| -> Result<u64, RpcError> {
        u64::try_from(batch.quantity(id)?).map_err(|_| RpcError::QuantityOutOfRange { call: id.into() })
    };
    Ok(TxParams {
        nonce: small("nonce")?,
        gas_price: batch.quantity("price")?,
        max_priority_fee_per_gas: batch.quantity("tip")?,
        gas_estimate: small("gas")?,
    })
}

/// The call that sends the signed transaction `raw` (EIP-2718 bytes).
pub fn send_request(raw: &[u8]) -> Result<Vec<u8>, RpcError> {
    let raw = format!("0x{}", hex::encode(raw));
    encode(&[Call::new("send", "eth_sendRawTransaction", alloc::vec![Param::Text(raw)])])
}

/// Reads the answer to [`send_request`]: the transaction hash.
pub fn sent(body: &[u8]) -> Result<B256, RpcError> {
    let hash = Batch::read(body)?.bytes("send")?;
    B256::try_from(hash.as_ref()).map_err(|_| RpcError::NotHash { call: "send".into() })
}

fn hex_bytes(id: &str, text: &str) -> Result<Bytes, RpcError> {
    hex::decode(text).map(Bytes::from).map_err(|_| RpcError::NotHex { call: id.into() })
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
    fn transaction_parameters_and_the_sent_hash_are_read_and_refusals_say_why() {
        let ok = br#"[{"jsonrpc":"2.0","id":"nonce","result":"0x3"},{"id":"price","result":"0x77359400"},
            {"id":"tip","result":"0x1"},{"id":"gas","result":"0x186a0"}]"#;
        let expected =
            TxParams { nonce: 3, gas_price: 2_000_000_000, max_priority_fee_per_gas: 1, gas_estimate: 100_000 };
        assert_eq!(transaction_params(ok), Ok(expected));
        let reverted = br#"[{"id":"nonce","result":"0x3"},{"id":"price","result":"0x1"},{"id":"tip","result":"0x1"},
            {"id":"gas","error":{"code":3,"message":"execution reverted: custom error 0x5c3a1b0f"}}]"#;
        let err = transaction_params(reverted).expect_err("refused");
        assert!(matches!(&err, RpcError::Node { call, message } if call == "gas" && message.contains("reverted")));
        let not_hex = br#"[{"id":"nonce","result":"3"},{"id":"price","result":"0x1"},{"id":"tip","result":"0x1"},{"id":"gas","result":"0x1"}]"#;
        assert!(matches!(transaction_params(not_hex), Err(RpcError::NotQuantity { .. })));
        let hash = alloy_primitives::B256::repeat_byte(0x11);
        let answer = format!(r#"{{"jsonrpc":"2.0","id":"send","result":"{hash}"}}"#);
        assert_eq!(sent(answer.as_bytes()), Ok(hash));
        let nonce_low = br#"{"jsonrpc":"2.0","id":"send","error":{"code":-32003,"message":"nonce too low"}}"#;
        assert!(matches!(sent(nonce_low), Err(RpcError::Node { message, .. }) if message == "nonce too low"));
        let request: serde_json::Value = serde_json::from_slice(
            &transaction_request(Address::ZERO, Address::repeat_byte(1), &[1, 2]).expect("request"),
        )
        .expect("json");
        assert_eq!(request[3]["params"][0]["data"], "0x0102");
        assert_eq!(request[0]["params"][1], "pending");
    }

    #[test]
    fn ranges_out_of_bounds_are_refused() {
        assert_eq!(witness_request(0, 1), Err(RpcError::GenesisHasNoParent));
        assert_eq!(witness_request(1, 0), Err(RpcError::RangeLength(0)));
        assert_eq!(
            witness_request(1, MAX_BLOCKS_PER_REQUEST + 1),
            Err(RpcError::RangeLength(MAX_BLOCKS_PER_REQUEST + 1))
        );
        assert_eq!(witness_request(u64::MAX, 1), Err(RpcError::RangeOverflow));
    }

    #[test]
    fn garbage_errors_and_wrong_chains_are_refused() {
        type Expected = fn(&RpcError) -> bool;
        let cases: [(&[u8], Expected); 5] = [
            (b"<html>502</html>", |e| matches!(e, RpcError::NotJsonRpc)),
            (br#"[{"jsonrpc":"2.0","id":"chain","result":"0x1"}"#, |e| matches!(e, RpcError::NotJsonRpc)),
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
        assert!(matches!(err, RpcError::Unexpected { .. } | RpcError::Missing(_)), "{err:?}");
    }
}
