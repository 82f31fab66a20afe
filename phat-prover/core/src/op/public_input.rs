//! The public input of an OP Stack TEE-proof: a transition from one L2 output root to another,
//! what an OP dispute or validity game settles. Hashed as Solidity hashes it
//! (`keccak256(abi.encode(input))`, static fields); specified in `docs/proof-format.md` §OP.

use alloy_primitives::{B256, U256, keccak256};
use alloy_sol_types::{SolValue, sol};

use crate::{
    op::OpBlockOutcome,
    public_input::{BatchError, BatchPublicInput, ProofDomain},
    stf::BlockOutcome,
};

sol! {
    /// Public input of an OP Stack output-root TEE-proof (version 1): the blocks after
    /// `startingBlockNumber` up to `endingBlockNumber` take the chain from the starting to the
    /// ending output root.
    #[derive(Debug, PartialEq, Eq)]
    struct OpOutputPublicInput {
        bytes32 tag;
        uint256 l1ChainId;
        address verifier;
        uint256 l2ChainId;
        bytes32 rollupConfigHash;
        address prover;
        bytes32 l1OriginHash;
        uint64 l1OriginNumber;
        uint64 startingBlockNumber;
        bytes32 startingOutputRoot;
        uint64 endingBlockNumber;
        bytes32 endingOutputRoot;
        bytes32 blocksCommitment;
    }
}

/// `keccak256("phat-sgx-prover.tee-proof.op-output.v1")`.
pub const OP_OUTPUT_TAG: B256 =
    alloy_primitives::b256!("0x3c7c4f343428f7ccaa692b73a4674fe3a0a59b2d043ae27ac8178b5a53846f7e");

/// Why no OP output proof can be made from a run of outcomes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpOutputError {
    /// The blocks are not one contiguous chain under one config.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The witness of the first block did not reach the L2ToL1MessagePasser before it.
    #[error("the first block's witness lacks the L2ToL1MessagePasser account: no starting output root")]
    NoStartingOutputRoot,
    /// The witness of the last block did not reach the L2ToL1MessagePasser after it.
    #[error("the last block's witness lacks the L2ToL1MessagePasser account: no ending output root")]
    NoEndingOutputRoot,
}

impl OpOutputPublicInput {
    /// The public input of a contiguous run of OP outcomes under `domain`: the parent's output root
    /// of the first, the output root of the last, the L1 origin of the last and the same hash chain
    /// over every block as a batch proof (`blocksCommitment`).
    pub fn new(domain: &ProofDomain, outcomes: &[OpBlockOutcome]) -> Result<Self, OpOutputError> {
        let blocks: alloc::vec::Vec<BlockOutcome> = outcomes.iter().map(|o| o.block.clone()).collect();
        let batch = BatchPublicInput::new(domain, &blocks)?;
        let (first, last) = match (outcomes.first(), outcomes.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => return Err(BatchError::Empty.into()),
        };
        let starting = first.parent_output_root().ok_or(OpOutputError::NoStartingOutputRoot)?;
        let ending = last.output_root().ok_or(OpOutputError::NoEndingOutputRoot)?;
        let origin = last.l1_origin;
        Ok(Self {
            tag: OP_OUTPUT_TAG,
            l1ChainId: batch.l1ChainId,
            verifier: batch.verifier,
            l2ChainId: U256::from(domain.l2_chain_id),
            rollupConfigHash: batch.chainConfigHash,
            prover: batch.prover,
            l1OriginHash: origin.hash,
            l1OriginNumber: origin.number,
            startingBlockNumber: first.block.number.saturating_sub(1),
            startingOutputRoot: starting,
            endingBlockNumber: last.block.number,
            endingOutputRoot: ending,
            blocksCommitment: batch.blocksCommitment,
        })
    }

    /// `keccak256(abi.encode(input))`: the 32 bytes the prover signs.
    pub fn digest(&self) -> B256 {
        keccak256(self.abi_encode())
    }
}
