// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProverRegistry} from "./IProverRegistry.sol";

/// @notice What a single-block TEE-proof claims, besides its domain (tag, L1 chain id, verifier, L2
/// chain id, chain config hash, prover), which the verifier and its caller supply. Field order is
/// that of `BlockPublicInput` fields 7-12 in `docs/proof-format.md`, and of a batch's per-block link.
struct BlockClaim {
    uint64 blockNumber;
    bytes32 parentHash;
    bytes32 blockHash;
    bytes32 preStateRoot;
    bytes32 postStateRoot;
    bytes32 witnessCommitment;
}

/// @notice What a batch TEE-proof claims (`BatchPublicInput` fields 7-13 in `docs/proof-format.md`).
struct BatchClaim {
    uint64 firstBlockNumber;
    uint64 lastBlockNumber;
    bytes32 firstParentHash;
    bytes32 lastBlockHash;
    bytes32 firstPreStateRoot;
    bytes32 lastPostStateRoot;
    bytes32 blocksCommitment;
}

/// @notice What a TEE refusal states (`RefusalPublicInput` fields 7-11 in `docs/proof-format.md`):
/// block `blockNumber` with hash `blockHash`, on parent `parentHash` with state root `preStateRoot`,
/// is invalid for `reason` (1 header rule, 2 transaction, 3 gas used, 4 receipts, 5 requests,
/// 6 state root, 7 system call).
struct RefusalClaim {
    uint64 blockNumber;
    bytes32 parentHash;
    bytes32 blockHash;
    bytes32 preStateRoot;
    uint16 reason;
}

/// @notice Verifies TEE-proofs (format v2) from registered, active prover instances.
interface ITeeVerifier is IProverRegistry {
    /// @notice Reverts unless `proof` is a valid TEE-proof of `claim` on rollup `l2ChainId`, executed
    /// under the chain config whose hash is `chainConfigHash`, by an instance that is active now with
    /// a trusted measurement.
    /// @dev Which chain config is the right one for the rollup is the caller's to know (the
    /// {MultiProofVerifier} keeps it per rollup): a proof made under another config fails here as a
    /// signature of another digest.
    /// @param l2ChainId Chain id of the L2 the block belongs to.
    /// @param chainConfigHash keccak256 of the canonical encoding of the L2's chain config.
    /// @param claim What the proof claims about the block.
    /// @param proof The 85-byte TEE-proof: prover ‖ r ‖ s ‖ v.
    /// @return prover The instance that signed.
    function verifyBlock(uint256 l2ChainId, bytes32 chainConfigHash, BlockClaim calldata claim, bytes calldata proof)
        external
        view
        returns (address prover);

    /// @notice As {verifyBlock}, for a batch proof over `claim.firstBlockNumber..lastBlockNumber`.
    function verifyBatch(uint256 l2ChainId, bytes32 chainConfigHash, BatchClaim calldata claim, bytes calldata proof)
        external
        view
        returns (address prover);

    /// @notice As {verifyBatch}, rebuilding the batch claim (and its `blocksCommitment`) from every
    /// block of the range, checking that the blocks chain.
    function verifyBatchBlocks(
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        BlockClaim[] calldata blocks,
        bytes calldata proof
    ) external view returns (address prover);

    /// @notice As {verifyBlock}, for a TEE refusal: `proof` signs that the block of `claim` is
    /// invalid under the chain config whose hash is `chainConfigHash`.
    function verifyRefusal(
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        RefusalClaim calldata claim,
        bytes calldata proof
    ) external view returns (address prover);
}
