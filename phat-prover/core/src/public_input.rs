//! The public input of a TEE-proof: what a prover signs and what the L1 `TeeVerifier` rebuilds.
//!
//! Hashed exactly as Solidity hashes it: `keccak256(abi.encode(input))` over a struct of static
//! fields (alloy-sol-types encodes the same bytes). The format is specified in
//! `docs/proof-format.md`; the tag carries the version.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::{SolValue, sol};

use crate::stf::BlockOutcome;

sol! {
    /// Public input of a single-block TEE-proof (version 2).
    #[derive(Debug, PartialEq, Eq)]
    struct BlockPublicInput {
        bytes32 tag;
        uint256 l1ChainId;
        address verifier;
        uint256 l2ChainId;
        bytes32 chainConfigHash;
        address prover;
        uint64 blockNumber;
        bytes32 parentHash;
        bytes32 blockHash;
        bytes32 preStateRoot;
        bytes32 postStateRoot;
        bytes32 witnessCommitment;
    }

    /// Public input of a batch TEE-proof over a contiguous range of blocks (version 2).
    #[derive(Debug, PartialEq, Eq)]
    struct BatchPublicInput {
        bytes32 tag;
        uint256 l1ChainId;
        address verifier;
        uint256 l2ChainId;
        bytes32 chainConfigHash;
        address prover;
        uint64 firstBlockNumber;
        uint64 lastBlockNumber;
        bytes32 firstParentHash;
        bytes32 lastBlockHash;
        bytes32 firstPreStateRoot;
        bytes32 lastPostStateRoot;
        bytes32 blocksCommitment;
    }

    /// One link of a batch's block chain: `acc_i = keccak256(abi.encode(BlockLink))`.
    #[derive(Debug, PartialEq, Eq)]
    struct BlockLink {
        bytes32 previous;
        uint64 blockNumber;
        bytes32 parentHash;
        bytes32 blockHash;
        bytes32 preStateRoot;
        bytes32 postStateRoot;
        bytes32 witnessCommitment;
    }
}

/// `keccak256("phat-sgx-prover.tee-proof.block.v2")`.
pub const BLOCK_TAG: B256 =
    alloy_primitives::b256!("0x7f73553ddd13da7cff5124a396bd9825f0ff90001074501b0112717987037ca9");
/// `keccak256("phat-sgx-prover.tee-proof.batch.v2")`.
pub const BATCH_TAG: B256 =
    alloy_primitives::b256!("0xa58286af8262aae33533e1f2021f6d5ebc76b7e8e9c4d7f098da3b034cc9ced4");

/// Where a TEE-proof is valid and who made it: the domain separation of every public input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofDomain {
    /// Chain id of L1, where the verifier lives.
    pub l1_chain_id: u64,
    /// Address of the L1 `TeeVerifier` contract.
    pub verifier: Address,
    /// Chain id of the L2 whose block is proven.
    pub l2_chain_id: u64,
    /// Ethereum address of the prover instance (its signing key).
    pub prover: Address,
}

/// A batch must be a contiguous chain of proven blocks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// No blocks given.
    #[error("a batch needs at least one block")]
    Empty,
    /// Block `index` does not continue block `index - 1` (number, parent hash or state root).
    #[error("block {index} of the batch does not continue the one before it")]
    NotContiguous {
        /// Position in the batch.
        index: usize,
    },
    /// Block `index` was executed under another chain config than block 0.
    #[error("block {index} of the batch was executed under another chain config")]
    MixedChainConfig {
        /// Position in the batch.
        index: usize,
    },
}

impl BlockPublicInput {
    /// The public input of `outcome` under `domain`.
    pub fn new(domain: &ProofDomain, outcome: &BlockOutcome) -> Self {
        Self {
            tag: BLOCK_TAG,
            l1ChainId: U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: U256::from(domain.l2_chain_id),
            chainConfigHash: outcome.chain_config_hash,
            prover: domain.prover,
            blockNumber: outcome.number,
            parentHash: outcome.parent_hash,
            blockHash: outcome.block_hash,
            preStateRoot: outcome.pre_state_root,
            postStateRoot: outcome.post_state_root,
            witnessCommitment: outcome.witness_commitment,
        }
    }

    /// `keccak256(abi.encode(input))`: the 32 bytes the prover signs.
    pub fn digest(&self) -> B256 {
        keccak256(self.abi_encode())
    }
}

impl BatchPublicInput {
    /// The public input of a contiguous run of outcomes under `domain`.
    pub fn new(domain: &ProofDomain, outcomes: &[BlockOutcome]) -> Result<Self, BatchError> {
        let (first, last) = match (outcomes.first(), outcomes.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => return Err(BatchError::Empty),
        };
        for (index, pair) in outcomes.windows(2).enumerate() {
            let (prev, next) = (&pair[0], &pair[1]);
            if next.number != prev.number.wrapping_add(1)
                || next.parent_hash != prev.block_hash
                || next.pre_state_root != prev.post_state_root
            {
                return Err(BatchError::NotContiguous { index: index + 1 });
            }
            if next.chain_config_hash != first.chain_config_hash {
                return Err(BatchError::MixedChainConfig { index: index + 1 });
            }
        }
        Ok(Self {
            tag: BATCH_TAG,
            l1ChainId: U256::from(domain.l1_chain_id),
            verifier: domain.verifier,
            l2ChainId: U256::from(domain.l2_chain_id),
            chainConfigHash: first.chain_config_hash,
            prover: domain.prover,
            firstBlockNumber: first.number,
            lastBlockNumber: last.number,
            firstParentHash: first.parent_hash,
            lastBlockHash: last.block_hash,
            firstPreStateRoot: first.pre_state_root,
            lastPostStateRoot: last.post_state_root,
            blocksCommitment: blocks_commitment(outcomes),
        })
    }

    /// `keccak256(abi.encode(input))`: the 32 bytes the prover signs.
    pub fn digest(&self) -> B256 {
        keccak256(self.abi_encode())
    }
}

/// The hash chain over every block of a batch, starting from zero.
pub fn blocks_commitment(outcomes: &[BlockOutcome]) -> B256 {
    outcomes.iter().fold(B256::ZERO, |previous, o| {
        keccak256(
            BlockLink {
                previous,
                blockNumber: o.number,
                parentHash: o.parent_hash,
                blockHash: o.block_hash,
                preStateRoot: o.pre_state_root,
                postStateRoot: o.post_state_root,
                witnessCommitment: o.witness_commitment,
            }
            .abi_encode(),
        )
    })
}

/// Every tag with the string it hashes, for tests and docs.
pub fn tags() -> Vec<(&'static str, B256)> {
    alloc::vec![
        ("phat-sgx-prover.tee-proof.block.v2", BLOCK_TAG),
        ("phat-sgx-prover.tee-proof.batch.v2", BATCH_TAG),
        ("phat-sgx-prover.tee-refusal.v1", crate::refusal::REFUSAL_TAG),
        ("phat-sgx-prover.chain-config.v1", crate::chain::CHAIN_CONFIG_TAG),
        ("phat-sgx-prover.tee-proof.op-output.v1", crate::op::public_input::OP_OUTPUT_TAG),
        ("phat-sgx-prover.op-chain-config.v1", crate::op::chain::OP_CHAIN_CONFIG_TAG),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_the_hashes_of_their_strings() {
        for (text, tag) in tags() {
            assert_eq!(keccak256(text), tag, "{text}");
        }
    }

    #[test]
    fn digest_is_keccak_of_twelve_words() {
        let input = BlockPublicInput::new(
            &ProofDomain {
                l1_chain_id: 1,
                verifier: Address::repeat_byte(1),
                l2_chain_id: 2,
                prover: Address::repeat_byte(2),
            },
            &BlockOutcome {
                number: 7,
                parent_hash: B256::repeat_byte(3),
                block_hash: B256::repeat_byte(4),
                pre_state_root: B256::repeat_byte(5),
                post_state_root: B256::repeat_byte(6),
                receipts_root: B256::ZERO,
                gas_used: 0,
                tx_count: 0,
                witness_commitment: B256::repeat_byte(7),
                chain_config_hash: B256::repeat_byte(8),
            },
        );
        let encoded = input.abi_encode();
        assert_eq!(encoded.len(), 12 * 32);
        assert_eq!(&encoded[4 * 32..5 * 32], B256::repeat_byte(8).as_slice());
        assert_eq!(&encoded[..32], BLOCK_TAG.as_slice());
        assert_eq!(input.digest(), keccak256(&encoded));
    }
}
