// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice The shape of a RISC Zero `IRiscZeroVerifier` (SP1's `ISP1Verifier` is the same idea with
/// the public values passed whole): checks a succinct proof that the program `imageId` ran and
/// committed a journal whose SHA-256 is `journalDigest`.
interface IZkVerifier {
    /// @notice Reverts unless `seal` proves that program `imageId` produced a journal with
    /// SHA-256 `journalDigest`.
    /// @param seal The proof.
    /// @param imageId The program id (RISC Zero image id / SP1 verification key hash).
    /// @param journalDigest sha256(journal).
    function verify(bytes calldata seal, bytes32 imageId, bytes32 journalDigest) external view;
}
