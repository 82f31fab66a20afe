//! The proving input as one byte string: what the Phat contract's `prove` query takes and what the
//! CLI and the relayer hand it. RLP, versioned:
//!
//! ```text
//! rlp([version = 1, chain_id, [prague_time]?, block_rlp, [state nodes], [codes], [keys], [ancestor headers]])
//! ```
//!
//! `[prague_time]` is an empty list when Prague never activates. Nothing in a bundle is trusted: the
//! STF checks every part of it as it checks any witness.

use alloc::vec::Vec;
use alloy_primitives::Bytes;
use alloy_rlp::{Encodable, RlpDecodable, RlpEncodable};

use crate::{
    chain::ChainSpec,
    error::WitnessError,
    witness::{ExecutionWitness, StatelessInput, decode_exact},
};

/// Current bundle version.
pub const BUNDLE_VERSION: u8 = 1;

/// A block, its chain and its witness, encoded as one RLP list.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct WitnessBundle {
    /// [`BUNDLE_VERSION`].
    pub version: u8,
    /// EIP-155 chain id of the L2.
    pub chain_id: u64,
    /// Prague activation time: empty, or one timestamp.
    pub prague_time: Vec<u64>,
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
    /// The bundle of `block_rlp` with `witness` on chain `chain`.
    pub fn new(chain: &ChainSpec, block_rlp: Bytes, witness: ExecutionWitness) -> Self {
        Self {
            version: BUNDLE_VERSION,
            chain_id: chain.chain_id,
            prague_time: chain.prague_time.into_iter().collect(),
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

    /// Decodes a bundle; the whole buffer must be one bundle of a known version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WitnessError> {
        let bundle: Self = decode_exact(bytes)?;
        if bundle.version != BUNDLE_VERSION {
            return Err(WitnessError::UnknownVersion(bundle.version));
        }
        if bundle.prague_time.len() > 1 {
            return Err(WitnessError::Rlp(alloy_rlp::Error::Custom("more than one Prague time")));
        }
        Ok(bundle)
    }

    /// The chain and the stateless input, the block decoded.
    pub fn into_input(self) -> Result<(ChainSpec, StatelessInput), WitnessError> {
        let chain = ChainSpec::new(self.chain_id, self.prague_time.first().copied());
        let witness = ExecutionWitness { state: self.state, codes: self.codes, keys: self.keys, headers: self.headers };
        Ok((chain, StatelessInput::from_rlp(&self.block, witness)?))
    }
}
