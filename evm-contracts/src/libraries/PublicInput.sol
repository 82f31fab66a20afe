// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BlockClaim, BatchClaim, RefusalClaim, OpOutputClaim} from "../interfaces/ITeeVerifier.sol";

/// @title PublicInput
/// @notice The public input of a TEE-proof (format v2), hashed exactly as `docs/proof-format.md`
/// (and the Rust `public_input.rs`) define it: `digest = keccak256(abi.encode(input))`.
/// @dev `abi.encode(tag, l1ChainId, verifier, l2ChainId, chainConfigHash, prover, claim)` is
/// byte-for-byte `abi.encode(BlockPublicInput)` / `abi.encode(BatchPublicInput)` (and of the OP
/// `OpOutputPublicInput`, `op/public_input.rs`): a struct of static fields is encoded in place, one
/// word per field.
library PublicInput {
    /// @notice keccak256("phat-sgx-prover.tee-proof.block.v2").
    bytes32 internal constant BLOCK_TAG = keccak256("phat-sgx-prover.tee-proof.block.v2");
    /// @notice keccak256("phat-sgx-prover.tee-proof.batch.v2").
    bytes32 internal constant BATCH_TAG = keccak256("phat-sgx-prover.tee-proof.batch.v2");
    /// @notice keccak256("phat-sgx-prover.tee-refusal.v1").
    bytes32 internal constant REFUSAL_TAG = keccak256("phat-sgx-prover.tee-refusal.v1");
    /// @notice keccak256("phat-sgx-prover.tee-proof.op-output.v1").
    bytes32 internal constant OP_OUTPUT_TAG = keccak256("phat-sgx-prover.tee-proof.op-output.v1");

    /// @notice The digest a prover signs for one block.
    /// @dev Equals `keccak256(abi.encode(BLOCK_TAG, l1ChainId, verifier, l2ChainId, chainConfigHash,
    /// prover, c))` (12 words), built in scratch memory (the hot path of every proof).
    function blockDigest(
        uint256 l1ChainId,
        address verifier,
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        address prover,
        BlockClaim calldata c
    ) internal pure returns (bytes32 digest) {
        bytes32 tag = BLOCK_TAG;
        uint64 blockNumber = c.blockNumber; // reading it checks the calldata word is a clean uint64
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, tag)
            mstore(add(m, 0x20), l1ChainId)
            mstore(add(m, 0x40), and(verifier, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x60), l2ChainId)
            mstore(add(m, 0x80), chainConfigHash)
            mstore(add(m, 0xa0), and(prover, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0xc0), and(blockNumber, 0xffffffffffffffff))
            calldatacopy(add(m, 0xe0), add(c, 0x20), 0xa0) // parentHash .. witnessCommitment
            digest := keccak256(m, 0x180)
        }
    }

    /// @notice The digest a prover signs for a batch.
    function batchDigest(
        uint256 l1ChainId,
        address verifier,
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        address prover,
        BatchClaim memory c
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_TAG, l1ChainId, verifier, l2ChainId, chainConfigHash, prover, c));
    }

    /// @notice The digest a prover signs for a refusal.
    function refusalDigest(
        uint256 l1ChainId,
        address verifier,
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        address prover,
        RefusalClaim memory c
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(REFUSAL_TAG, l1ChainId, verifier, l2ChainId, chainConfigHash, prover, c));
    }

    /// @notice The digest a prover signs for an OP Stack output-root transition (the Rust
    /// `OpOutputPublicInput::digest`).
    function opOutputDigest(
        uint256 l1ChainId,
        address verifier,
        uint256 l2ChainId,
        bytes32 rollupConfigHash,
        address prover,
        OpOutputClaim calldata c
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(OP_OUTPUT_TAG, l1ChainId, verifier, l2ChainId, rollupConfigHash, prover, c));
    }
}
