//! The stateless input: a block, its ancestors and the witness of the state it touches.
//!
//! The witness has the shape of `debug_executionWitness` (reth, geth): trie node preimages, contract
//! codes, key preimages and RLP ancestor headers. Nothing in it is trusted: every node is reached
//! from the parent's state root by hash, every header by the parent-hash chain.

use alloc::vec::Vec;
use alloy_consensus::{Block, Header, TxEnvelope};
use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use alloy_rlp::Decodable;
pub use alloy_rpc_types_debug::ExecutionWitness;

use crate::{error::WitnessError, trie::NodePool};

/// An L2 block with its transactions, as the STF executes it.
pub type L2Block = Block<TxEnvelope>;

/// Most ancestors a witness may carry: BLOCKHASH reaches 256 blocks back.
pub const MAX_ANCESTORS: usize = 256;
/// Largest trie node a witness may carry. A state or storage trie node is at most a full branch of
/// 16 hashes (532 bytes) or a leaf with a 32-byte path and an account (≈ 150 bytes).
pub const MAX_NODE_BYTES: usize = 1024;
/// Largest contract code a witness may carry: twice EIP-3860's initcode cap, so chains that raise
/// EIP-170's 24 KiB code cap (some L2s do) are covered.
pub const MAX_CODE_BYTES: usize = 2 * 49_152;
/// Largest ancestor header: every post-merge field with 32 bytes of extra data is ≈ 650 bytes.
pub const MAX_HEADER_BYTES: usize = 1024;

/// Everything the STF consumes to prove one block.
#[derive(Debug, Clone)]
pub struct StatelessInput {
    /// The block to prove.
    pub block: L2Block,
    /// Trie nodes, codes, keys and ancestor headers.
    pub witness: ExecutionWitness,
}

impl StatelessInput {
    /// Decodes a block from its RLP encoding (the whole buffer must be one block).
    pub fn from_rlp(block_rlp: &[u8], witness: ExecutionWitness) -> Result<Self, WitnessError> {
        Ok(Self { block: decode_exact::<L2Block>(block_rlp)?, witness })
    }
}

/// Decodes one RLP item that must span the whole buffer.
pub fn decode_exact<T: Decodable>(mut buf: &[u8]) -> Result<T, WitnessError> {
    let value = T::decode(&mut buf).map_err(WitnessError::Rlp)?;
    if buf.is_empty() { Ok(value) } else { Err(WitnessError::TrailingBytes(buf.len())) }
}

/// The witness after hashing: nodes and codes by their keccak256, headers decoded.
#[derive(Debug, Default)]
pub struct IndexedWitness {
    /// State and storage trie nodes by hash.
    pub nodes: NodePool,
    /// Contract codes by code hash.
    pub codes: B256Map<Bytes>,
    /// Ancestor headers by block hash.
    pub headers: B256Map<Header>,
}

impl IndexedWitness {
    /// Hashes every node and code once and decodes the headers. An item over its cap
    /// ([`MAX_NODE_BYTES`], [`MAX_CODE_BYTES`], [`MAX_HEADER_BYTES`]) refuses the witness.
    pub fn new(witness: &ExecutionWitness) -> Result<Self, WitnessError> {
        cap("trie node", &witness.state, MAX_NODE_BYTES)?;
        cap("code", &witness.codes, MAX_CODE_BYTES)?;
        cap("header", &witness.headers, MAX_HEADER_BYTES)?;
        let nodes = witness.state.iter().cloned().collect();
        let codes = witness.codes.iter().map(|c| (keccak256(c), c.clone())).collect();
        let headers = witness
            .headers
            .iter()
            .map(|h| decode_exact::<Header>(h).map(|header| (header.hash_slow(), header)))
            .collect::<Result<_, _>>()?;
        Ok(Self { nodes, codes, headers })
    }

    /// The witness commitment of `docs/proof-format.md`:
    /// `keccak256(abi.encode(digest(nodes), digest(codes), digest(headers)))`, where `digest(set)` is
    /// the keccak256 of the sorted, de-duplicated keccak256 hashes of the set's items. Independent of
    /// the order in which a node served the witness; any added or removed item changes it.
    pub fn commitment(&self) -> B256 {
        let nodes = set_digest(self.nodes.hashes());
        let codes = set_digest(self.codes.keys());
        let headers = set_digest(self.headers.keys());
        let mut buf = [0u8; 96];
        buf[..32].copy_from_slice(nodes.as_slice());
        buf[32..64].copy_from_slice(codes.as_slice());
        buf[64..].copy_from_slice(headers.as_slice());
        keccak256(buf)
    }
}

fn cap(kind: &'static str, items: &[Bytes], max: usize) -> Result<(), WitnessError> {
    match items.iter().find(|item| item.len() > max) {
        Some(item) => Err(WitnessError::TooLarge { kind, size: item.len(), max }),
        None => Ok(()),
    }
}

fn set_digest<'a>(hashes: impl Iterator<Item = &'a B256>) -> B256 {
    let mut sorted: Vec<&B256> = hashes.collect();
    sorted.sort_unstable();
    let mut buf = Vec::with_capacity(sorted.len() * 32);
    for h in sorted {
        buf.extend_from_slice(h.as_slice());
    }
    keccak256(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_over_their_caps_are_refused() {
        let big = |n: usize| Bytes::from(alloc::vec![0xc0u8; n]);
        for (witness, kind, max) in [
            (
                ExecutionWitness { state: alloc::vec![big(MAX_NODE_BYTES + 1)], ..Default::default() },
                "trie node",
                MAX_NODE_BYTES,
            ),
            (
                ExecutionWitness { codes: alloc::vec![big(MAX_CODE_BYTES + 1)], ..Default::default() },
                "code",
                MAX_CODE_BYTES,
            ),
            (
                ExecutionWitness { headers: alloc::vec![big(MAX_HEADER_BYTES + 1)], ..Default::default() },
                "header",
                MAX_HEADER_BYTES,
            ),
        ] {
            assert_eq!(IndexedWitness::new(&witness).unwrap_err(), WitnessError::TooLarge { kind, size: max + 1, max });
        }
        // At the cap: accepted (a node and a code are opaque until reached).
        let at_cap = ExecutionWitness {
            state: alloc::vec![big(MAX_NODE_BYTES)],
            codes: alloc::vec![big(MAX_CODE_BYTES)],
            ..Default::default()
        };
        assert!(IndexedWitness::new(&at_cap).is_ok());
    }
}
