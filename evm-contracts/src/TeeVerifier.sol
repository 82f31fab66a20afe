// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ProverRegistry} from "./ProverRegistry.sol";
import {ITeeVerifier, BlockClaim, BatchClaim, RefusalClaim, OpOutputClaim} from "./interfaces/ITeeVerifier.sol";
import {PublicInput} from "./libraries/PublicInput.sol";

/// @title TeeVerifier
/// @notice Verifies TEE-proofs in the format of `docs/proof-format.md` (v2): the digest is rebuilt
/// here from the claim and the domain (tag, `block.chainid`, `address(this)`, L2 chain id, chain
/// config hash given by the caller, prover), the 85-byte proof is `prover ‖ r ‖ s ‖ v` with
/// v ∈ {27, 28} and low s, the signature must recover to `prover`, and `prover` must be an instance
/// of this registry that is active now (past its delay, before its expiry, not revoked or retired)
/// with a measurement still trusted. Any one such instance suffices (1-of-N).
/// @dev The registry is a base contract, not a separate one, so that a proof costs two storage
/// loads (instance, measurement trust) and no external call.
contract TeeVerifier is ProverRegistry, ITeeVerifier {
    /// @notice Length of a TEE-proof: 20-byte prover address, 65-byte signature.
    uint256 public constant PROOF_LENGTH = 85;
    /// @dev secp256k1n / 2: a larger s is the malleable twin of a valid signature.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice The proof is not 85 bytes long.
    error InvalidProofLength(uint256 length);
    /// @notice v is not 27 or 28.
    error InvalidSignatureV(uint8 v);
    /// @notice s is in the upper half of the curve order.
    error SignatureSMalleable();
    /// @notice The signature recovers to no key.
    error SignatureUnrecoverable();
    /// @notice The signature recovers to another address than the proof's prover.
    error SignerMismatch(address prover, address recovered);
    /// @notice A batch whose first block comes after its last.
    error InvalidBlockRange(uint64 firstBlockNumber, uint64 lastBlockNumber);
    /// @notice An OP output-root claim whose ending block is not after its starting block.
    error InvalidOutputRange(uint64 startingBlockNumber, uint64 endingBlockNumber);
    /// @notice A batch with no blocks.
    error EmptyBatch();
    /// @notice Block `index` of a batch does not continue the one before it (number, parent hash,
    /// pre-state root).
    error BlocksNotContiguous(uint256 index);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    /// @param policy Holder of POLICY_ROLE.
    /// @param guardian Holder of GUARDIAN_ROLE.
    constructor(address admin, address policy, address guardian) ProverRegistry(admin, policy, guardian) {}

    /// @inheritdoc ITeeVerifier
    function verifyBlock(uint256 l2ChainId, bytes32 chainConfigHash, BlockClaim calldata claim, bytes calldata proof)
        external
        view
        returns (address prover)
    {
        prover = _proofProver(proof);
        _checkSignature(
            PublicInput.blockDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim),
            prover,
            proof
        );
        _requireActive(prover);
    }

    /// @inheritdoc ITeeVerifier
    function verifyBatch(uint256 l2ChainId, bytes32 chainConfigHash, BatchClaim calldata claim, bytes calldata proof)
        external
        view
        returns (address prover)
    {
        return _verifyBatch(l2ChainId, chainConfigHash, claim, proof);
    }

    /// @inheritdoc ITeeVerifier
    function verifyBatchBlocks(
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        BlockClaim[] calldata blocks,
        bytes calldata proof
    ) external view returns (address prover) {
        uint256 n = blocks.length;
        if (n == 0) revert EmptyBatch();
        (bytes32 acc, uint256 broken) = _foldBlocks(blocks);
        if (broken != 0) revert BlocksNotContiguous(broken);
        BlockClaim calldata first = blocks[0];
        BlockClaim calldata last = blocks[n - 1];
        return _verifyBatch(
            l2ChainId,
            chainConfigHash,
            BatchClaim({
                firstBlockNumber: first.blockNumber,
                lastBlockNumber: last.blockNumber,
                firstParentHash: first.parentHash,
                lastBlockHash: last.blockHash,
                firstPreStateRoot: first.preStateRoot,
                lastPostStateRoot: last.postStateRoot,
                blocksCommitment: acc
            }),
            proof
        );
    }

    /// @inheritdoc ITeeVerifier
    function verifyRefusal(
        uint256 l2ChainId,
        bytes32 chainConfigHash,
        RefusalClaim calldata claim,
        bytes calldata proof
    ) external view returns (address prover) {
        prover = _proofProver(proof);
        _checkSignature(
            PublicInput.refusalDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim),
            prover,
            proof
        );
        _requireActive(prover);
    }

    /// @inheritdoc ITeeVerifier
    function verifyOpOutput(
        uint256 l2ChainId,
        bytes32 rollupConfigHash,
        OpOutputClaim calldata claim,
        bytes calldata proof
    ) external view returns (address prover) {
        if (claim.startingBlockNumber >= claim.endingBlockNumber) {
            revert InvalidOutputRange(claim.startingBlockNumber, claim.endingBlockNumber);
        }
        prover = _proofProver(proof);
        _checkSignature(
            PublicInput.opOutputDigest(block.chainid, address(this), l2ChainId, rollupConfigHash, prover, claim),
            prover,
            proof
        );
        _requireActive(prover);
    }

    /// @notice The digest a prover signs for an OP output-root `claim` (the Rust
    /// `OpOutputPublicInput::digest`).
    /// @param l2ChainId Chain id of the OP chain.
    /// @param rollupConfigHash keccak256 of the canonical encoding of the OP chain's rollup config.
    /// @param prover The prover instance's address.
    /// @param claim What the proof claims about the range.
    function opOutputDigest(uint256 l2ChainId, bytes32 rollupConfigHash, address prover, OpOutputClaim calldata claim)
        external
        view
        returns (bytes32)
    {
        return PublicInput.opOutputDigest(block.chainid, address(this), l2ChainId, rollupConfigHash, prover, claim);
    }

    /// @notice The digest a prover signs for a refusal `claim` (the Rust `RefusalPublicInput::digest`).
    /// @param l2ChainId Chain id of the L2.
    /// @param chainConfigHash keccak256 of the canonical encoding of the L2's chain config.
    /// @param prover The prover instance's address.
    /// @param claim What the refusal states about the block.
    function refusalDigest(uint256 l2ChainId, bytes32 chainConfigHash, address prover, RefusalClaim calldata claim)
        external
        view
        returns (bytes32)
    {
        return PublicInput.refusalDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim);
    }

    /// @notice The digest a prover signs for `claim` (the same as the Rust `BlockPublicInput::digest`).
    /// @param l2ChainId Chain id of the L2.
    /// @param chainConfigHash keccak256 of the canonical encoding of the L2's chain config.
    /// @param prover The prover instance's address.
    /// @param claim What the proof claims about the block.
    function blockDigest(uint256 l2ChainId, bytes32 chainConfigHash, address prover, BlockClaim calldata claim)
        external
        view
        returns (bytes32)
    {
        return PublicInput.blockDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim);
    }

    /// @notice The digest a prover signs for a batch `claim` (the Rust `BatchPublicInput::digest`).
    /// @param l2ChainId Chain id of the L2.
    /// @param chainConfigHash keccak256 of the canonical encoding of the L2's chain config.
    /// @param prover The prover instance's address.
    /// @param claim What the proof claims about the range.
    function batchDigest(uint256 l2ChainId, bytes32 chainConfigHash, address prover, BatchClaim calldata claim)
        external
        view
        returns (bytes32)
    {
        return PublicInput.batchDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim);
    }

    /// @dev {verifyBatch} of a claim in memory (given, or rebuilt by {verifyBatchBlocks}).
    function _verifyBatch(uint256 l2ChainId, bytes32 chainConfigHash, BatchClaim memory claim, bytes calldata proof)
        internal
        view
        returns (address prover)
    {
        if (claim.firstBlockNumber > claim.lastBlockNumber) {
            revert InvalidBlockRange(claim.firstBlockNumber, claim.lastBlockNumber);
        }
        prover = _proofProver(proof);
        _checkSignature(
            PublicInput.batchDigest(block.chainid, address(this), l2ChainId, chainConfigHash, prover, claim),
            prover,
            proof
        );
        _requireActive(prover);
    }

    /// @dev The batch hash chain over `blocks` (`acc_i = keccak256(abi.encode(acc_{i-1}, block_i))`,
    /// `acc_0 = 0`), checking that each block continues the one before it (number + 1, parent hash =
    /// previous block hash, pre-state root = previous post-state root). Returns the commitment and
    /// 0, or the index of the first block that does not continue. Each element of `blocks` is six
    /// words in calldata; one scratch buffer is reused for every link.
    function _foldBlocks(BlockClaim[] calldata blocks) private pure returns (bytes32 acc, uint256 broken) {
        uint64 firstNumber = blocks[0].blockNumber; // checks the first number is a clean uint64
        firstNumber;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let p := blocks.offset
            let end := add(p, mul(blocks.length, 0xc0))
            for { let i := 0 } lt(p, end) {
                p := add(p, 0xc0)
                i := add(i, 1)
            } {
                if i {
                    let q := sub(p, 0xc0)
                    let n := calldataload(p)
                    if or(
                        or(gt(n, 0xffffffffffffffff), iszero(eq(n, add(calldataload(q), 1)))),
                        or(
                            iszero(eq(calldataload(add(p, 0x20)), calldataload(add(q, 0x40)))),
                            iszero(eq(calldataload(add(p, 0x60)), calldataload(add(q, 0x80))))
                        )
                    ) {
                        broken := i
                        break
                    }
                }
                mstore(m, acc)
                calldatacopy(add(m, 0x20), p, 0xc0)
                acc := keccak256(m, 0xe0)
            }
        }
    }

    /// @dev The prover named by an 85-byte proof (its first 20 bytes).
    function _proofProver(bytes calldata proof) private pure returns (address prover) {
        if (proof.length != PROOF_LENGTH) revert InvalidProofLength(proof.length);
        assembly ("memory-safe") {
            prover := shr(96, calldataload(proof.offset))
        }
    }

    /// @dev Reverts unless `proof[20:85]` = r ‖ s ‖ v is a canonical signature of `digest` by
    /// `prover`. Calls the ecrecover precompile directly (Solidity's `ecrecover` with calldata
    /// slices costs ~600 gas more).
    function _checkSignature(bytes32 digest, address prover, bytes calldata proof) private view {
        bytes32 r;
        bytes32 s;
        uint256 v;
        assembly ("memory-safe") {
            r := calldataload(add(proof.offset, 20))
            s := calldataload(add(proof.offset, 52))
            v := byte(0, calldataload(add(proof.offset, 84)))
        }
        // casting to 'uint8' is safe because v is a single byte (BYTE opcode)
        // forge-lint: disable-next-line(unsafe-typecast)
        if (v != 27 && v != 28) revert InvalidSignatureV(uint8(v));
        if (uint256(s) > HALF_N) revert SignatureSMalleable();
        address recovered;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), v)
            mstore(add(m, 0x40), r)
            mstore(add(m, 0x60), s)
            // On failure the precompile returns no data: recovered stays zero.
            let ok := staticcall(gas(), 0x01, m, 0x80, m, 0x20)
            recovered := mul(mload(m), and(ok, eq(returndatasize(), 0x20)))
        }
        if (recovered == address(0)) revert SignatureUnrecoverable();
        if (recovered != prover) revert SignerMismatch(prover, recovered);
    }
}
