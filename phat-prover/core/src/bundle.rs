//! The proving input as one byte string: what the Phat contract's `prove` query takes and what the
//! CLI and the relayer hand it. RLP, versioned:
//!
//! ```text
//! rlp([version = 2, chain_id, block_rlp, [state nodes], [codes], [keys], [ancestor headers]])
//! ```
//!
//! A bundle carries no rules: the prover executes it under its own configured [`ChainConfig`],
//! and `chain_id` only lets a bundle for another chain fail early with a clear error (version 1
//! carried a Prague time, which let the input choose the rules; it is refused). Nothing in a
//! bundle is trusted: the STF checks every part of it as it checks any witness.

use alloc::vec::Vec;
use alloy_primitives::Bytes;
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};

use crate::{
    chain::ChainConfig,
    error::WitnessError,
    witness::{ExecutionWitness, StatelessInput, decode_exact},
};

/// Current bundle version.
pub const BUNDLE_VERSION: u8 = 2;

/// A block and its witness, encoded as one RLP list.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct WitnessBundle {
    /// [`BUNDLE_VERSION`].
    pub version: u8,
    /// EIP-155 chain id of the L2 the block belongs to.
    pub chain_id: u64,
    /// The block, RLP.
    pub block: Bytes,
    /// Trie node preimages.
    pub state: Vec<Bytes>,
    /// Contract codes.
    pub codes: Vec<Bytes>,
    /// Key preimages.
    pub keys: Vec<Bytes>,
    /// Ancestor headers, RLP.
    pub headers: Vec<Bytes>,
}

impl WitnessBundle {
    /// The bundle of `block_rlp` with `witness` on the chain with id `chain_id`.
    pub fn new(chain_id: u64, block_rlp: Bytes, witness: ExecutionWitness) -> Self {
        Self {
            version: BUNDLE_VERSION,
            chain_id,
            block: block_rlp,
            state: witness.state,
            codes: witness.codes,
            keys: witness.keys,
            headers: witness.headers,
        }
    }

    /// Encodes the bundle.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.length());
        self.encode(&mut out);
        out
    }

    /// Decodes a bundle; the whole buffer must be one bundle of the current version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WitnessError> {
        // The version comes first: an old bundle is named as such, not as malformed.
        let mut payload = bytes;
        let header = alloy_rlp::Header::decode(&mut payload).map_err(WitnessError::Rlp)?;
        if header.list {
            let version = u8::decode(&mut payload).map_err(WitnessError::Rlp)?;
            if version != BUNDLE_VERSION {
                return Err(WitnessError::UnknownVersion(version));
            }
        }
        decode_exact(bytes)
    }

    /// The stateless input for `chain`, the block decoded. A bundle for another chain is refused.
    pub fn into_input(self, chain: &ChainConfig) -> Result<StatelessInput, WitnessError> {
        if self.chain_id != chain.chain_id() {
            return Err(WitnessError::WrongChain { config: chain.chain_id(), bundle: self.chain_id });
        }
        let witness = ExecutionWitness { state: self.state, codes: self.codes, keys: self.keys, headers: self.headers };
        StatelessInput::from_rlp(&self.block, witness)
    }
}
