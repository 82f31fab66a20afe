// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IZkVerifier} from "../../src/interfaces/IZkVerifier.sol";

/// @title ZkVerifierStandIn
/// @notice A STAND-IN for a RISC Zero / SP1 verifier, for tests only: no ZK proof can be produced
/// on these machines. It proves nothing: it accepts exactly the seal {sealFor} computes, so a test
/// decides which (program, journal) pairs count as "proven".
contract ZkVerifierStandIn is IZkVerifier {
    /// @notice The stand-in's stand-in for a proof.
    error StandInSealInvalid();

    /// @notice The seal this stand-in accepts for `imageId` and `journalDigest`.
    function sealFor(bytes32 imageId, bytes32 journalDigest) public pure returns (bytes memory) {
        return abi.encode(keccak256(abi.encode("ZkVerifierStandIn", imageId, journalDigest)));
    }

    /// @inheritdoc IZkVerifier
    function verify(bytes calldata seal, bytes32 imageId, bytes32 journalDigest) external pure {
        if (keccak256(seal) != keccak256(sealFor(imageId, journalDigest))) revert StandInSealInvalid();
    }
}
