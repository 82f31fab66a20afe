// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice A claimed state transition of a rollup over the contiguous L2 blocks
/// `firstBlock..lastBlock`.
struct Transition {
    /// @notice First L2 block of the range.
    uint64 firstBlock;
    /// @notice Last L2 block of the range (>= firstBlock).
    uint64 lastBlock;
    /// @notice Hash of block `firstBlock - 1`.
    bytes32 parentHash;
    /// @notice State root after block `firstBlock - 1`.
    bytes32 preStateRoot;
    /// @notice Hash of block `lastBlock`.
    bytes32 blockHash;
    /// @notice State root after block `lastBlock`.
    bytes32 postStateRoot;
}

/// @notice The rollup's own validity-proof verifier, outside this system (each rollup brings one).
interface IRollupZkVerifier {
    /// @notice Whether `proof` proves transition `t` of rollup `l2ChainId`. May also revert on a
    /// bad proof; callers treat a revert as false.
    function verifyTransition(uint256 l2ChainId, Transition calldata t, bytes calldata proof)
        external
        view
        returns (bool);
}
