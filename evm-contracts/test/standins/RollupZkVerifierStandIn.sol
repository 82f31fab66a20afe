// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRollupZkVerifier, Transition} from "../../src/interfaces/IRollupZkVerifier.sol";

/// @title RollupZkVerifierStandIn
/// @notice A STAND-IN for a rollup's own zk verifier, for tests only. It proves nothing: it accepts
/// exactly the proof {proofFor} computes, so a test decides which transitions are "zk-proven" —
/// including false ones, to play a zk soundness bug.
contract RollupZkVerifierStandIn is IRollupZkVerifier {
    /// @notice The proof this stand-in accepts for transition `t` of rollup `l2ChainId`.
    function proofFor(uint256 l2ChainId, Transition memory t) public pure returns (bytes memory) {
        return abi.encode(keccak256(abi.encode("RollupZkVerifierStandIn", l2ChainId, t)));
    }

    /// @inheritdoc IRollupZkVerifier
    function verifyTransition(uint256 l2ChainId, Transition calldata t, bytes calldata proof)
        external
        pure
        returns (bool)
    {
        return keccak256(proof) == keccak256(proofFor(l2ChainId, t));
    }
}
