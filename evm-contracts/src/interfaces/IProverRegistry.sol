// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice What other contracts ask the prover registry.
interface IProverRegistry {
    /// @notice Whether a proof signed by `prover` now would pass the signer checks: registered,
    /// active (past its delay, before its expiry, not revoked or retired), measurement trusted.
    function isActive(address prover) external view returns (bool);

    /// @notice Whether proofs already accepted from `prover` may still count: it was registered, it
    /// is not revoked and its measurement is still trusted (expiry and hand-over do not matter here:
    /// they were checked when the proof was verified).
    function isTrustedSigner(address prover) external view returns (bool);

    /// @notice The address that collects `prover`'s rewards (zero for an unknown prover).
    function beneficiaryOf(address prover) external view returns (address);
}
