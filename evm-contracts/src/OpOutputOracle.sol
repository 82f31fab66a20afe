// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ITeeVerifier, OpOutputClaim} from "./interfaces/ITeeVerifier.sol";

/// @title OpOutputOracle
/// @notice The L2 output roots of one OP Stack chain, proven by TEE-proofs: what the chain (or its
/// dispute or validity game) reads to settle withdrawals. It starts from an anchor output root and
/// moves forward only: anyone may {propose} the next output root with a TEE-proof that executing
/// the blocks after the latest proven one takes the chain from its output root to the new one,
/// under this rollup's config, with an L1 origin that is a block of this L1.
/// @dev The L1 origin is checked with `blockhash`: a proof must be submitted within 256 L1 blocks of
/// the L1 block its last L2 block derives from. Output roots between two proven blocks are not
/// stored.
contract OpOutputOracle {
    /// @notice The verifier of TEE-proofs (and registry of prover instances).
    ITeeVerifier public immutable tee;
    /// @notice Chain id of the OP chain.
    uint256 public immutable l2ChainId;
    /// @notice keccak256 of the canonical encoding of the OP chain's rollup config: proofs made
    /// under any other config are refused.
    bytes32 public immutable rollupConfigHash;

    /// @notice The L2 block of the latest proven output root.
    uint64 public latestBlockNumber;
    /// @dev Proven output root of each L2 block (zero: none).
    mapping(uint64 l2BlockNumber => bytes32 outputRoot) internal _outputs;

    /// @notice `outputRoot` is proven for L2 block `l2BlockNumber` by `prover`, from a range whose
    /// last block derives from L1 block `l1OriginHash`.
    event OutputProven(uint64 indexed l2BlockNumber, bytes32 outputRoot, address indexed prover, bytes32 l1OriginHash);

    /// @notice A constructor argument is zero.
    error ZeroArgument();
    /// @notice This L1 has no hash for block `number` (in the future, or older than 256 blocks).
    error L1OriginUnavailable(uint64 number);
    /// @notice L1 block `number` has hash `actual`, not the claimed `claimed`.
    error L1OriginMismatch(uint64 number, bytes32 actual, bytes32 claimed);
    /// @notice The claim does not start at the latest proven block.
    error StartingBlockMismatch(uint64 latest, uint64 claimed);
    /// @notice The claim's starting output root is not the one proven for its starting block.
    error StartingOutputRootMismatch(bytes32 latest, bytes32 claimed);

    /// @param verifier The TEE-proof verifier.
    /// @param chainId Chain id of the OP chain.
    /// @param configHash keccak256 of the canonical encoding of the OP chain's rollup config.
    /// @param anchorBlockNumber The L2 block of the trusted starting output root.
    /// @param anchorOutputRoot The trusted starting output root.
    constructor(
        ITeeVerifier verifier,
        uint256 chainId,
        bytes32 configHash,
        uint64 anchorBlockNumber,
        bytes32 anchorOutputRoot
    ) {
        if (address(verifier) == address(0) || configHash == bytes32(0) || anchorOutputRoot == bytes32(0)) {
            revert ZeroArgument();
        }
        tee = verifier;
        l2ChainId = chainId;
        rollupConfigHash = configHash;
        latestBlockNumber = anchorBlockNumber;
        _outputs[anchorBlockNumber] = anchorOutputRoot;
        emit OutputProven(anchorBlockNumber, anchorOutputRoot, address(0), bytes32(0));
    }

    /// @notice Reverts unless `proof` is a valid TEE-proof of `claim` for this OP chain and its
    /// rollup config, by an active prover instance, and `claim`'s L1 origin is a block of this L1
    /// (one of the last 256).
    /// @param claim The output-root transition.
    /// @param proof The 85-byte TEE-proof: prover ‖ r ‖ s ‖ v.
    /// @return prover The instance that signed.
    function verify(OpOutputClaim calldata claim, bytes calldata proof) public view returns (address prover) {
        bytes32 actual = blockhash(claim.l1OriginNumber);
        if (actual == bytes32(0)) revert L1OriginUnavailable(claim.l1OriginNumber);
        if (actual != claim.l1OriginHash) revert L1OriginMismatch(claim.l1OriginNumber, actual, claim.l1OriginHash);
        return tee.verifyOpOutput(l2ChainId, rollupConfigHash, claim, proof);
    }

    /// @notice Records `claim.endingOutputRoot` for `claim.endingBlockNumber`: `claim` must start at
    /// the latest proven output root and pass {verify}.
    /// @param claim The output-root transition from the latest proven output root.
    /// @param proof The 85-byte TEE-proof: prover ‖ r ‖ s ‖ v.
    /// @return prover The instance that signed.
    function propose(OpOutputClaim calldata claim, bytes calldata proof) external returns (address prover) {
        uint64 latest = latestBlockNumber;
        if (claim.startingBlockNumber != latest) revert StartingBlockMismatch(latest, claim.startingBlockNumber);
        bytes32 latestRoot = _outputs[latest];
        if (claim.startingOutputRoot != latestRoot) {
            revert StartingOutputRootMismatch(latestRoot, claim.startingOutputRoot);
        }
        prover = verify(claim, proof);

        latestBlockNumber = claim.endingBlockNumber;
        _outputs[claim.endingBlockNumber] = claim.endingOutputRoot;
        emit OutputProven(claim.endingBlockNumber, claim.endingOutputRoot, prover, claim.l1OriginHash);
    }

    /// @notice The proven output root of L2 block `l2BlockNumber` (zero: none).
    function outputAt(uint64 l2BlockNumber) external view returns (bytes32) {
        return _outputs[l2BlockNumber];
    }

    /// @notice The output root of {latestBlockNumber}.
    function latestOutputRoot() external view returns (bytes32) {
        return _outputs[latestBlockNumber];
    }
}
