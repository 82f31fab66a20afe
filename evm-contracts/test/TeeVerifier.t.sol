// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {TeeVerifier} from "../src/TeeVerifier.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {BlockClaim, BatchClaim, OpOutputClaim} from "../src/interfaces/ITeeVerifier.sol";

/// @notice The Rust reference structs (`public_input.rs`), to check the digest independently.
struct BlockPublicInput {
    bytes32 tag;
    uint256 l1ChainId;
    address verifier;
    uint256 l2ChainId;
    bytes32 chainConfigHash;
    address prover;
    uint64 blockNumber;
    bytes32 parentHash;
    bytes32 blockHash;
    bytes32 preStateRoot;
    bytes32 postStateRoot;
    bytes32 witnessCommitment;
}

struct BatchPublicInput {
    bytes32 tag;
    uint256 l1ChainId;
    address verifier;
    uint256 l2ChainId;
    bytes32 chainConfigHash;
    address prover;
    uint64 firstBlockNumber;
    uint64 lastBlockNumber;
    bytes32 firstParentHash;
    bytes32 lastBlockHash;
    bytes32 firstPreStateRoot;
    bytes32 lastPostStateRoot;
    bytes32 blocksCommitment;
}

/// @notice The Rust reference struct of an OP output-root proof (`op/public_input.rs`).
struct OpOutputPublicInput {
    bytes32 tag;
    uint256 l1ChainId;
    address verifier;
    uint256 l2ChainId;
    bytes32 rollupConfigHash;
    address prover;
    bytes32 l1OriginHash;
    uint64 l1OriginNumber;
    uint64 startingBlockNumber;
    bytes32 startingOutputRoot;
    uint64 endingBlockNumber;
    bytes32 endingOutputRoot;
    bytes32 blocksCommitment;
}

contract TeeVerifierTest is Fixture {
    uint256 internal key;
    address internal prover;

    function setUp() public {
        setUpRegistry(address(0));
        (key, prover) = _activeProver();
    }

    // ------------------------------------------------------------------ acceptance

    function test_verifyBlock_acceptsActiveProver() public view {
        BlockClaim memory c = _claim(100);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, _blockProof(key, L2, c)), prover);
    }

    function test_verifyBatch_acceptsActiveProver() public view {
        BatchClaim memory c = _batchOf(_chain(10, 5));
        assertEq(tee.verifyBatch(L2, CHAIN_CONFIG, c, _batchProof(key, L2, c)), prover);
    }

    function test_verifyBatchBlocks_rebuildsTheCommitment() public view {
        BlockClaim[] memory blocks = _chain(10, 5);
        bytes memory proof = _batchProof(key, L2, _batchOf(blocks));
        assertEq(tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof), prover);
    }

    function test_singleBlockBatch() public view {
        BlockClaim[] memory blocks = _chain(10, 1);
        BatchClaim memory c = _batchOf(blocks);
        bytes memory proof = _batchProof(key, L2, c);
        assertEq(tee.verifyBatch(L2, CHAIN_CONFIG, c, proof), prover);
        assertEq(tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof), prover);
    }

    function test_anyOfSeveralProversSuffices() public {
        (uint256 key2, address prover2) = _activeProver();
        BlockClaim memory c = _claim(100);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, _blockProof(key, L2, c)), prover);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, _blockProof(key2, L2, c)), prover2);
    }

    function test_tagsAreTheHashesOfTheirStrings() public view {
        BlockClaim memory c = _claim(1);
        BlockPublicInput memory pi = BlockPublicInput(
            keccak256("phat-sgx-prover.tee-proof.block.v2"),
            block.chainid,
            address(tee),
            L2,
            CHAIN_CONFIG,
            prover,
            c.blockNumber,
            c.parentHash,
            c.blockHash,
            c.preStateRoot,
            c.postStateRoot,
            c.witnessCommitment
        );
        assertEq(tee.blockDigest(L2, CHAIN_CONFIG, prover, c), keccak256(abi.encode(pi)));
    }

    // ------------------------------------------------------------------ proof format refusals

    function test_refuses_wrongLength() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidProofLength.selector, 84));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, _slice(proof, 0, 84));
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidProofLength.selector, 86));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, bytes.concat(proof, hex"00"));
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidProofLength.selector, 0));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, "");
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidProofLength.selector, 65));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, _slice(proof, 20, 65)); // a bare signature
    }

    function test_refuses_badV() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        uint8[4] memory bad = [uint8(0), 1, 29, 255];
        for (uint256 i = 0; i < bad.length; ++i) {
            proof[84] = bytes1(bad[i]);
            vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidSignatureV.selector, bad[i]));
            tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        }
    }

    function test_refuses_highSTwin() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        uint256 s = uint256(_word(proof, 52));
        bytes memory twin =
            abi.encodePacked(_slice(proof, 0, 52), bytes32(N - s), proof[84] == 0x1b ? uint8(28) : uint8(27));
        vm.expectRevert(TeeVerifier.SignatureSMalleable.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, twin);
    }

    function test_refuses_unrecoverable() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = abi.encodePacked(prover, bytes32(0), bytes32(uint256(1)), uint8(27));
        vm.expectRevert(TeeVerifier.SignatureUnrecoverable.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
    }

    function test_refuses_tamperedClaim() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        BlockClaim memory t = _claim(100);
        t.postStateRoot = keccak256("forged");
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, t, proof);
        t = _claim(100);
        t.witnessCommitment = bytes32(0);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, t, proof);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2 + 1, CHAIN_CONFIG, c, proof); // another rollup
    }

    function test_refuses_otherL1() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.chainId(1);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
    }

    function test_refuses_otherVerifierDeployment() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        TeeVerifier first = tee;
        // A second deployment where the same key is registered too.
        setUpRegistry(address(0));
        _register(prover);
        vm.warp(block.timestamp + 1 days);
        assertTrue(tee.isActive(prover));
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        assertTrue(address(first) != address(tee));
    }

    function test_refuses_otherChainConfig() public {
        bytes32 other = keccak256("chain config with another fork schedule");
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, other, c, proof);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, bytes32(0), c, proof);
        // made under the other config: valid only against it
        bytes memory otherProof = _blockProof(key, L2, other, c);
        assertEq(tee.verifyBlock(L2, other, c, otherProof), prover);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, otherProof);

        BlockClaim[] memory blocks = _chain(10, 3);
        BatchClaim memory b = _batchOf(blocks);
        bytes memory batchProof = _batchProof(key, L2, b);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBatch(L2, other, b, batchProof);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBatchBlocks(L2, other, blocks, batchProof);
        assertEq(tee.verifyBatchBlocks(L2, other, blocks, _batchProof(key, L2, other, b)), prover);
    }

    function test_refuses_stolenProof() public {
        (, address thief) = _activeProver();
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        bytes memory stolen = abi.encodePacked(thief, _slice(proof, 20, 65));
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, stolen);
    }

    function test_refuses_blockProofAsBatchAndBack() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        BatchClaim memory b = _batchOf(_chain(100, 1));
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBatch(L2, CHAIN_CONFIG, b, proof);
        bytes memory batchProof = _batchProof(key, L2, b);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, batchProof);
    }

    // ------------------------------------------------------------------ signer refusals

    function test_refuses_unregistered() public {
        uint256 k = _newProverKey();
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(k, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotRegistered.selector, vm.addr(k)));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
    }

    function test_refuses_beforeDelay() public {
        uint256 k = _newProverKey();
        address p = vm.addr(k);
        _register(p);
        uint32 validSince = uint32(block.timestamp + 24 hours);
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(k, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotYetActive.selector, p, validSince));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        vm.warp(validSince - 1);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotYetActive.selector, p, validSince));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        vm.warp(validSince);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, proof), p);
    }

    function test_refuses_expired() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        uint32 expiry = tee.instanceOf(prover).expiry;
        vm.warp(expiry - 1);
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        vm.warp(expiry);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverExpired.selector, prover, expiry));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
    }

    function test_refuses_revoked() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.prank(guardian);
        tee.revoke(prover);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRevoked.selector, prover));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        assertFalse(tee.isTrustedSigner(prover));
    }

    function test_refuses_untrustedMeasurement() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.prank(guardian);
        tee.untrustMeasurement(measurement);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverMeasurementUntrusted.selector, prover));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        assertFalse(tee.isTrustedSigner(prover));
        // and permanently
        vm.prank(policy);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.MeasurementPermanentlyUntrusted.selector, measurement));
        tee.trustMeasurement(measurement);
    }

    // ------------------------------------------------------------------ batch refusals

    function test_refuses_reversedRange() public {
        BatchClaim memory c = _batchOf(_chain(10, 3));
        (c.firstBlockNumber, c.lastBlockNumber) = (c.lastBlockNumber, c.firstBlockNumber);
        bytes memory proof = _batchProof(key, L2, c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidBlockRange.selector, 12, 10));
        tee.verifyBatch(L2, CHAIN_CONFIG, c, proof);
    }

    function test_refuses_emptyBatch() public {
        vm.expectRevert(TeeVerifier.EmptyBatch.selector);
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, new BlockClaim[](0), new bytes(85));
    }

    function test_refuses_brokenChain() public {
        BlockClaim[] memory blocks = _chain(10, 4);
        bytes memory proof = _batchProof(key, L2, _batchOf(blocks));
        blocks[2].blockNumber = 13;
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.BlocksNotContiguous.selector, 2));
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof);
        blocks = _chain(10, 4);
        blocks[3].parentHash = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.BlocksNotContiguous.selector, 3));
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof);
        blocks = _chain(10, 4);
        blocks[1].preStateRoot = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.BlocksNotContiguous.selector, 1));
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof);
    }

    function test_refuses_tamperedIntermediateBlock() public {
        BlockClaim[] memory blocks = _chain(10, 4);
        bytes memory proof = _batchProof(key, L2, _batchOf(blocks));
        blocks[1].witnessCommitment = keccak256("other witness");
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof);
    }

    // ------------------------------------------------------------------ OP output roots

    function test_verifyOpOutput_acceptsActiveProver() public view {
        OpOutputClaim memory c = _opClaim(10, 13);
        assertEq(tee.verifyOpOutput(L2, CHAIN_CONFIG, c, _opOutputProof(key, L2, CHAIN_CONFIG, c)), prover);
        c = _opClaim(10, 11); // a single block
        assertEq(tee.verifyOpOutput(L2, CHAIN_CONFIG, c, _opOutputProof(key, L2, CHAIN_CONFIG, c)), prover);
    }

    function test_opOutputDigest_isTheRustStructsHash() public view {
        OpOutputClaim memory c = _opClaim(10, 13);
        assertEq(tee.opOutputDigest(L2, CHAIN_CONFIG, prover, c), keccak256(abi.encode(_opInput(L2, CHAIN_CONFIG, c))));
    }

    function test_verifyOpOutput_refusesAnEmptyOrReversedRange() public {
        OpOutputClaim memory c = _opClaim(10, 10);
        bytes memory proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidOutputRange.selector, 10, 10));
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, proof);
        c = _opClaim(10, 9);
        proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidOutputRange.selector, 10, 9));
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, proof);
    }

    function test_verifyOpOutput_refusesOtherRollupOrConfig() public {
        OpOutputClaim memory c = _opClaim(10, 13);
        bytes memory proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyOpOutput(L2 + 1, CHAIN_CONFIG, c, proof);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyOpOutput(L2, keccak256("another rollup config"), c, proof);
    }

    function test_verifyOpOutput_refusesMalleableAndUnregistered() public {
        OpOutputClaim memory c = _opClaim(10, 13);
        bytes memory proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        uint256 s = uint256(_word(proof, 52));
        bytes memory twin =
            abi.encodePacked(_slice(proof, 0, 52), bytes32(N - s), proof[84] == 0x1b ? uint8(28) : uint8(27));
        vm.expectRevert(TeeVerifier.SignatureSMalleable.selector);
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, twin);

        uint256 k = _newProverKey();
        bytes memory unregistered = _opOutputProof(k, L2, CHAIN_CONFIG, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotRegistered.selector, vm.addr(k)));
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, unregistered);
    }

    /// @dev The tags keep the three statements apart: a batch proof of the same range, with the same
    /// words where they line up, is no output-root proof.
    function test_verifyOpOutput_refusesABatchProof() public {
        OpOutputClaim memory c = _opClaim(10, 13);
        BatchClaim memory b = _batchOf(_chain(11, 3));
        bytes memory batchProof = _batchProof(key, L2, b);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, batchProof);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Any 85 bytes not signed by a registered key are refused (by one of the named errors).
    function testFuzz_randomProofNeverVerifies(bytes calldata proof, uint64 n) public {
        BlockClaim memory c = _claim(uint64(bound(n, 1, type(uint64).max)));
        try tee.verifyBlock(L2, CHAIN_CONFIG, c, proof) returns (address) {
            fail();
        } catch (bytes memory err) {
            bytes4 sel = bytes4(err);
            assertTrue(
                sel == TeeVerifier.InvalidProofLength.selector || sel == TeeVerifier.InvalidSignatureV.selector
                    || sel == TeeVerifier.SignatureSMalleable.selector
                    || sel == TeeVerifier.SignatureUnrecoverable.selector || sel == TeeVerifier.SignerMismatch.selector
                    || sel == ProverRegistry.ProverNotRegistered.selector
            );
        }
    }

    /// @dev 85-byte proofs naming the real prover with random r, s, v are refused.
    function testFuzz_randomSignatureOfRealProver(bytes32 r, bytes32 s, uint8 v, uint64 n) public view {
        BlockClaim memory c = _claim(uint64(bound(n, 1, type(uint64).max)));
        v = uint8(bound(v, 27, 28));
        s = bytes32(bound(uint256(s), 1, HALF_N));
        try tee.verifyBlock(L2, CHAIN_CONFIG, c, abi.encodePacked(prover, r, s, v)) returns (address) {
            revert("forged proof accepted");
        } catch {}
    }

    /// @dev A proof over any public input verifies, and changing any one field breaks it.
    function testFuzz_anyClaimVerifiesAndEveryFieldIsBound(BlockClaim memory c, uint256 l2, uint8 field, bytes32 noise)
        public
        view
    {
        vm.assume(noise != bytes32(0));
        bytes memory proof = _blockProof(key, l2, c);
        assertEq(tee.verifyBlock(l2, CHAIN_CONFIG, c, proof), prover);
        // digest = keccak256(abi.encode(BlockPublicInput)) exactly
        BlockPublicInput memory pi = BlockPublicInput(
            keccak256("phat-sgx-prover.tee-proof.block.v2"),
            block.chainid,
            address(tee),
            l2,
            CHAIN_CONFIG,
            prover,
            c.blockNumber,
            c.parentHash,
            c.blockHash,
            c.preStateRoot,
            c.postStateRoot,
            c.witnessCommitment
        );
        assertEq(tee.blockDigest(l2, CHAIN_CONFIG, prover, c), keccak256(abi.encode(pi)));

        field = uint8(bound(field, 0, 6));
        if (field == 0) c.blockNumber ^= uint64(uint256(noise)) | 1;
        else if (field == 1) c.parentHash ^= noise;
        else if (field == 2) c.blockHash ^= noise;
        else if (field == 3) c.preStateRoot ^= noise;
        else if (field == 4) c.postStateRoot ^= noise;
        else if (field == 5) c.witnessCommitment ^= noise;
        else l2 ^= uint256(noise);
        try tee.verifyBlock(l2, CHAIN_CONFIG, c, proof) returns (address) {
            revert("tampered claim accepted");
        } catch (bytes memory err) {
            assertEq(bytes4(err), TeeVerifier.SignerMismatch.selector);
        }
    }

    /// @dev The chain config hash is the fifth word of both public inputs: the digests change with
    /// it, and a proof made under one config is refused under any other.
    function testFuzz_digestChangesWithChainConfigHash(bytes32 a, bytes32 b, uint64 n) public view {
        vm.assume(a != b);
        BlockClaim memory c = _claim(uint64(bound(n, 1, type(uint64).max - 1)));
        bytes32 digestA = tee.blockDigest(L2, a, prover, c);
        assertNotEq(digestA, tee.blockDigest(L2, b, prover, c));
        assertEq(
            digestA,
            keccak256(
                abi.encode(
                    BlockPublicInput(
                        keccak256("phat-sgx-prover.tee-proof.block.v2"),
                        block.chainid,
                        address(tee),
                        L2,
                        a,
                        prover,
                        c.blockNumber,
                        c.parentHash,
                        c.blockHash,
                        c.preStateRoot,
                        c.postStateRoot,
                        c.witnessCommitment
                    )
                )
            )
        );
        BatchClaim memory batch = _batchOf(_chain(c.blockNumber, 1));
        bytes32 batchA = tee.batchDigest(L2, a, prover, batch);
        assertNotEq(batchA, tee.batchDigest(L2, b, prover, batch));
        assertEq(
            batchA,
            keccak256(
                abi.encode(
                    BatchPublicInput(
                        keccak256("phat-sgx-prover.tee-proof.batch.v2"),
                        block.chainid,
                        address(tee),
                        L2,
                        a,
                        prover,
                        batch.firstBlockNumber,
                        batch.lastBlockNumber,
                        batch.firstParentHash,
                        batch.lastBlockHash,
                        batch.firstPreStateRoot,
                        batch.lastPostStateRoot,
                        batch.blocksCommitment
                    )
                )
            )
        );

        bytes memory proof = _blockProof(key, L2, a, c);
        assertEq(tee.verifyBlock(L2, a, c, proof), prover);
        try tee.verifyBlock(L2, b, c, proof) returns (address) {
            revert("proof accepted under another chain config");
        } catch (bytes memory err) {
            assertEq(bytes4(err), TeeVerifier.SignerMismatch.selector);
        }
    }

    /// @dev The batch digest is keccak256(abi.encode(BatchPublicInput)) and the on-chain
    /// commitment equals the reference fold, for any chain length.
    function testFuzz_batchDigestAndCommitment(uint64 first, uint8 len) public view {
        first = uint64(bound(first, 1, type(uint64).max - 300));
        BlockClaim[] memory blocks = _chain(first, bound(len, 1, 40));
        BatchClaim memory c = _batchOf(blocks);
        BatchPublicInput memory pi = BatchPublicInput(
            keccak256("phat-sgx-prover.tee-proof.batch.v2"),
            block.chainid,
            address(tee),
            L2,
            CHAIN_CONFIG,
            prover,
            c.firstBlockNumber,
            c.lastBlockNumber,
            c.firstParentHash,
            c.lastBlockHash,
            c.firstPreStateRoot,
            c.lastPostStateRoot,
            c.blocksCommitment
        );
        assertEq(tee.batchDigest(L2, CHAIN_CONFIG, prover, c), keccak256(abi.encode(pi)));
        assertEq(tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, _batchProof(key, L2, c)), prover);
    }

    /// @dev An output-root proof over any claim verifies, its digest is the Rust struct's hash, and
    /// changing any one field (or the rollup) breaks it.
    function testFuzz_opOutputEveryFieldIsBound(OpOutputClaim memory c, uint256 l2, uint8 field, bytes32 noise)
        public
        view
    {
        vm.assume(noise != bytes32(0));
        c.startingBlockNumber = uint64(bound(c.startingBlockNumber, 0, type(uint64).max - 1));
        c.endingBlockNumber = uint64(bound(c.endingBlockNumber, c.startingBlockNumber + 1, type(uint64).max));
        bytes memory proof = _opOutputProof(key, l2, CHAIN_CONFIG, c);
        assertEq(tee.opOutputDigest(l2, CHAIN_CONFIG, prover, c), keccak256(abi.encode(_opInput(l2, CHAIN_CONFIG, c))));
        assertEq(tee.verifyOpOutput(l2, CHAIN_CONFIG, c, proof), prover);

        field = uint8(bound(field, 0, 7));
        if (field == 0) c.l1OriginHash ^= noise;
        else if (field == 1) c.l1OriginNumber ^= uint64(uint256(noise)) | 1;
        else if (field == 2) c.startingBlockNumber = c.startingBlockNumber == 0 ? 1 : c.startingBlockNumber - 1;
        else if (field == 3) c.startingOutputRoot ^= noise;
        else if (field == 4) c.endingBlockNumber = c.endingBlockNumber == type(uint64).max ? 0 : c.endingBlockNumber + 1;
        else if (field == 5) c.endingOutputRoot ^= noise;
        else if (field == 6) c.blocksCommitment ^= noise;
        else l2 ^= uint256(noise);
        try tee.verifyOpOutput(l2, CHAIN_CONFIG, c, proof) returns (address) {
            revert("tampered claim accepted");
        } catch (bytes memory err) {
            bytes4 sel = bytes4(err);
            assertTrue(sel == TeeVerifier.SignerMismatch.selector || sel == TeeVerifier.InvalidOutputRange.selector);
        }
    }

    // ------------------------------------------------------------------ helpers

    function _opInput(uint256 l2, bytes32 config, OpOutputClaim memory c)
        internal
        view
        returns (OpOutputPublicInput memory)
    {
        return OpOutputPublicInput(
            keccak256("phat-sgx-prover.tee-proof.op-output.v1"),
            block.chainid,
            address(tee),
            l2,
            config,
            prover,
            c.l1OriginHash,
            c.l1OriginNumber,
            c.startingBlockNumber,
            c.startingOutputRoot,
            c.endingBlockNumber,
            c.endingOutputRoot,
            c.blocksCommitment
        );
    }

    function _slice(bytes memory b, uint256 start, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            out[i] = b[start + i];
        }
    }

    function _word(bytes memory b, uint256 at) internal pure returns (bytes32 w) {
        assembly {
            w := mload(add(add(b, 0x20), at))
        }
    }
}
