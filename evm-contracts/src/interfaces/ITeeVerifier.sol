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

/// @notice What an OP Stack output-root TEE-proof claims (`OpOutputPublicInput` fields 7-13 in
/// `docs/proof-format.md`): executing the L2 blocks after `startingBlockNumber` up to
/// `endingBlockNumber` takes the chain from output root `startingOutputRoot` to `endingOutputRoot`
/// (output root v0: `keccak256(bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`).
/// `l1OriginHash` and `l1OriginNumber` are the L1 block the last L2 block derives from (its
/// L1-attributes deposit), `blocksCommitment` the hash chain over every executed block, as in a
/// {BatchClaim}.
struct OpOutputClaim {
    bytes32 l1OriginHash;
    uint64 l1OriginNumber;
    uint64 startingBlockNumber;
    bytes32 startingOutputRoot;
    uint64 endingBlockNumber;
    bytes32 endingOutputRoot;
    bytes32 blocksCommitment;
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

    /// @notice As {verifyBlock}, for an OP Stack output-root proof: `proof` signs that the blocks
    /// after `claim.startingBlockNumber` up to `claim.endingBlockNumber` of OP chain `l2ChainId`,
    /// executed under the rollup config whose hash is `rollupConfigHash`, take its output root from
    /// `claim.startingOutputRoot` to `claim.endingOutputRoot`. The range must hold at least one
    /// block. Whether `claim.l1OriginHash` is a block of this L1 is the caller's to check
    /// (e.g. {OpOutputOracle}).
    /// @param l2ChainId Chain id of the OP chain.
    /// @param rollupConfigHash keccak256 of the canonical encoding of the OP chain's rollup config.
    /// @param claim What the proof claims about the range.
    /// @param proof The 85-byte TEE-proof: prover ‖ r ‖ s ‖ v.
    /// @return prover The instance that signed.
    function verifyOpOutput(
        uint256 l2ChainId,
        bytes32 rollupConfigHash,
        OpOutputClaim calldata claim,
        bytes calldata proof
    ) external view returns (address prover);
}
