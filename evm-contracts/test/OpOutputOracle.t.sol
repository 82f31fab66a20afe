// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {TeeVerifier} from "../src/TeeVerifier.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {OpOutputOracle} from "../src/OpOutputOracle.sol";
import {ITeeVerifier, OpOutputClaim} from "../src/interfaces/ITeeVerifier.sol";

/// @notice The OP output oracle: it moves forward from its anchor only with TEE-proofs of its own
/// rollup and config, from the latest proven output root, with an L1 origin of this L1.
contract OpOutputOracleTest is Fixture {
    /// @dev The anchor: the output root of synthetic L2 block 10.
    uint64 internal constant ANCHOR = 10;

    uint256 internal key;
    address internal prover;
    OpOutputOracle internal oracle;

    event OutputProven(uint64 indexed l2BlockNumber, bytes32 outputRoot, address indexed prover, bytes32 l1OriginHash);

    function setUp() public {
        setUpRegistry(address(0));
        (key, prover) = _activeProver();
        oracle = new OpOutputOracle(tee, L2, CHAIN_CONFIG, ANCHOR, _outputRoot(ANCHOR));
    }

    // ------------------------------------------------------------------ acceptance

    function test_constructor_anchors() public {
        assertEq(address(oracle.tee()), address(tee));
        assertEq(oracle.l2ChainId(), L2);
        assertEq(oracle.rollupConfigHash(), CHAIN_CONFIG);
        assertEq(oracle.latestBlockNumber(), ANCHOR);
        assertEq(oracle.latestOutputRoot(), _outputRoot(ANCHOR));
        assertEq(oracle.outputAt(ANCHOR), _outputRoot(ANCHOR));
        vm.expectEmit();
        emit OutputProven(7, bytes32(uint256(1)), address(0), bytes32(0));
        new OpOutputOracle(tee, L2, CHAIN_CONFIG, 7, bytes32(uint256(1)));
    }

    function test_constructor_refusesZeroArguments() public {
        vm.expectRevert(OpOutputOracle.ZeroArgument.selector);
        new OpOutputOracle(ITeeVerifier(address(0)), L2, CHAIN_CONFIG, ANCHOR, _outputRoot(ANCHOR));
        vm.expectRevert(OpOutputOracle.ZeroArgument.selector);
        new OpOutputOracle(tee, L2, bytes32(0), ANCHOR, _outputRoot(ANCHOR));
        vm.expectRevert(OpOutputOracle.ZeroArgument.selector);
        new OpOutputOracle(tee, L2, CHAIN_CONFIG, ANCHOR, bytes32(0));
    }

    function test_propose_recordsAndChains() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        assertNotEq(c.l1OriginHash, bytes32(0), "this L1 knows its previous block");
        vm.expectEmit(address(oracle));
        emit OutputProven(13, _outputRoot(13), prover, c.l1OriginHash);
        assertEq(oracle.propose(c, _proof(c)), prover);
        assertEq(oracle.latestBlockNumber(), 13);
        assertEq(oracle.latestOutputRoot(), _outputRoot(13));
        assertEq(oracle.outputAt(13), _outputRoot(13));
        assertEq(oracle.outputAt(12), bytes32(0), "blocks inside a range are not stored");
        assertEq(oracle.outputAt(ANCHOR), _outputRoot(ANCHOR), "the anchor stays");

        // The next range, proven by another instance.
        (uint256 key2, address prover2) = _activeProver();
        vm.roll(block.number + 5);
        c = _opClaim(13, 14);
        assertEq(oracle.propose(c, _opOutputProof(key2, L2, CHAIN_CONFIG, c)), prover2);
        assertEq(oracle.latestBlockNumber(), 14);
        assertEq(oracle.latestOutputRoot(), _outputRoot(14));
    }

    function test_verify_isAViewThatStoresNothing() public view {
        OpOutputClaim memory c = _opClaim(20, 30); // not from the latest: verify does not care
        assertEq(oracle.verify(c, _proof(c)), prover);
        assertEq(oracle.latestBlockNumber(), ANCHOR);
    }

    /// @dev An origin up to 256 L1 blocks old is accepted; one older is not.
    function test_l1Origin_lastOf256Blocks() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        vm.roll(c.l1OriginNumber + 256);
        assertEq(oracle.verify(c, proof), prover);
        vm.roll(c.l1OriginNumber + 257);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.L1OriginUnavailable.selector, c.l1OriginNumber));
        oracle.propose(c, proof);
    }

    // ------------------------------------------------------------------ refusals: the TEE-proof

    function test_refuses_otherRollupConfig() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _opOutputProof(key, L2, keccak256("another rollup config"), c);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        oracle.propose(c, proof);
    }

    function test_refuses_otherL2ChainId() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _opOutputProof(key, L2 + 1, CHAIN_CONFIG, c);
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        oracle.propose(c, proof);
    }

    function test_refuses_proofNamingAnotherProver() public {
        (, address other) = _activeProver();
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        for (uint256 i = 0; i < 20; ++i) {
            proof[i] = bytes20(other)[i];
        }
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector); // recovers to some other key
        oracle.propose(c, proof);
    }

    function test_refuses_unregisteredProver() public {
        uint256 k = _newProverKey();
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _opOutputProof(k, L2, CHAIN_CONFIG, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotRegistered.selector, vm.addr(k)));
        oracle.propose(c, proof);
    }

    function test_refuses_revokedProver() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        vm.prank(guardian);
        tee.revoke(prover);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRevoked.selector, prover));
        oracle.propose(c, proof);
    }

    function test_refuses_malleableS() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        bytes32 s;
        assembly {
            s := mload(add(proof, 84)) // proof[52:84]
        }
        bytes memory twin = abi.encodePacked(
            bytes20(prover), _rOf(proof), bytes32(N - uint256(s)), proof[84] == 0x1b ? uint8(28) : uint8(27)
        );
        vm.expectRevert(TeeVerifier.SignatureSMalleable.selector);
        oracle.propose(c, twin);
    }

    function test_refuses_emptyRange() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, ANCHOR);
        bytes memory proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidOutputRange.selector, ANCHOR, ANCHOR));
        oracle.propose(c, proof);
        c = _opClaim(ANCHOR, ANCHOR - 1);
        proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidOutputRange.selector, ANCHOR, ANCHOR - 1));
        oracle.propose(c, proof);
    }

    function test_refuses_tamperedEndingOutputRoot() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        c.endingOutputRoot = keccak256("forged output root");
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        oracle.propose(c, proof);
    }

    // ------------------------------------------------------------------ refusals: the L1 origin

    function test_refuses_l1OriginInTheFuture() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        c.l1OriginNumber = uint64(block.number); // the current block has no hash yet
        c.l1OriginHash = keccak256("next L1 block");
        bytes memory proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.L1OriginUnavailable.selector, c.l1OriginNumber));
        oracle.propose(c, proof);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.L1OriginUnavailable.selector, c.l1OriginNumber));
        oracle.verify(c, proof);
    }

    /// @dev The devnet relaxation's proofs carry no L1 origin (zero, zero): refused here.
    function test_refuses_noL1Origin() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        (c.l1OriginNumber, c.l1OriginHash) = (0, bytes32(0));
        bytes memory proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.L1OriginUnavailable.selector, 0));
        oracle.propose(c, proof);
    }

    function test_refuses_l1OriginMismatch() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes32 actual = c.l1OriginHash;
        c.l1OriginHash = keccak256("an L1 block of another chain");
        bytes memory proof = _proof(c);
        vm.expectRevert(
            abi.encodeWithSelector(OpOutputOracle.L1OriginMismatch.selector, c.l1OriginNumber, actual, c.l1OriginHash)
        );
        oracle.propose(c, proof);
        // A reorg of L1 after the proof was made: the same number now has another hash.
        c = _opClaim(ANCHOR, 13);
        proof = _proof(c);
        vm.setBlockhash(c.l1OriginNumber, keccak256("reorged"));
        vm.expectRevert(
            abi.encodeWithSelector(
                OpOutputOracle.L1OriginMismatch.selector, c.l1OriginNumber, keccak256("reorged"), c.l1OriginHash
            )
        );
        oracle.propose(c, proof);
    }

    // ------------------------------------------------------------------ refusals: the chain of outputs

    function test_refuses_startingBlockNotTheLatest() public {
        OpOutputClaim memory c = _opClaim(ANCHOR + 1, 13);
        bytes memory proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.StartingBlockMismatch.selector, ANCHOR, ANCHOR + 1));
        oracle.propose(c, proof);
        assertEq(oracle.verify(c, proof), prover, "a valid proof, of another range");
        // Even starting from the latest output root: the starting block number is bound too.
        c.startingOutputRoot = _outputRoot(ANCHOR);
        proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.StartingBlockMismatch.selector, ANCHOR, ANCHOR + 1));
        oracle.propose(c, proof);
    }

    function test_refuses_startingOutputRootMismatch() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        c.startingOutputRoot = keccak256("another output at the anchor");
        bytes memory proof = _proof(c);
        vm.expectRevert(
            abi.encodeWithSelector(
                OpOutputOracle.StartingOutputRootMismatch.selector, _outputRoot(ANCHOR), c.startingOutputRoot
            )
        );
        oracle.propose(c, proof);
    }

    function test_refuses_replayOfAProvenRange() public {
        OpOutputClaim memory c = _opClaim(ANCHOR, 13);
        bytes memory proof = _proof(c);
        oracle.propose(c, proof);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.StartingBlockMismatch.selector, 13, ANCHOR));
        oracle.propose(c, proof);
        // Nor a shorter range from the anchor, nor one inside the proven range.
        c = _opClaim(ANCHOR, 12);
        proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.StartingBlockMismatch.selector, 13, ANCHOR));
        oracle.propose(c, proof);
        c = _opClaim(11, 13);
        proof = _proof(c);
        vm.expectRevert(abi.encodeWithSelector(OpOutputOracle.StartingBlockMismatch.selector, 13, 11));
        oracle.propose(c, proof);
        assertEq(oracle.latestOutputRoot(), _outputRoot(13));
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Any run of ranges from the anchor is recorded in order; a proof whose claim is changed
    /// in any field (or that is made for another rollup or config) is refused, and the oracle is
    /// then unchanged.
    function testFuzz_proposeRunsAndRefusesTampering(uint8[4] memory lengths, uint8 field, bytes32 noise) public {
        vm.assume(noise != bytes32(0));
        uint64 latest = ANCHOR;
        for (uint256 i = 0; i < lengths.length; ++i) {
            uint64 end = latest + 1 + uint64(lengths[i]);
            vm.roll(block.number + 1 + lengths[i] % 7);
            OpOutputClaim memory c = _opClaim(latest, end);
            assertEq(oracle.propose(c, _proof(c)), prover);
            latest = end;
            assertEq(oracle.latestBlockNumber(), latest);
            assertEq(oracle.latestOutputRoot(), _outputRoot(latest));
        }

        OpOutputClaim memory t = _opClaim(latest, latest + 5);
        uint256 l2 = L2;
        bytes32 config = CHAIN_CONFIG;
        bytes memory proof = _proof(t);
        field = uint8(bound(field, 0, 8));
        if (field == 0) t.l1OriginHash ^= noise;
        else if (field == 1) t.l1OriginNumber -= 1;
        else if (field == 2) t.startingBlockNumber -= 1;
        else if (field == 3) t.startingOutputRoot ^= noise;
        else if (field == 4) t.endingBlockNumber += 1;
        else if (field == 5) t.endingOutputRoot ^= noise;
        else if (field == 6) t.blocksCommitment ^= noise;
        else if (field == 7) l2 ^= uint256(noise);
        else config ^= noise;
        if (field >= 7) proof = _opOutputProof(key, l2, config, t);
        try oracle.propose(t, proof) returns (address) {
            revert("tampered claim accepted");
        } catch {}
        assertEq(oracle.latestBlockNumber(), latest);
        assertEq(oracle.latestOutputRoot(), _outputRoot(latest));
    }

    // ------------------------------------------------------------------ helpers

    function _proof(OpOutputClaim memory c) internal view returns (bytes memory) {
        return _opOutputProof(key, L2, CHAIN_CONFIG, c);
    }

    function _rOf(bytes memory proof) internal pure returns (bytes32 r) {
        assembly {
            r := mload(add(proof, 52)) // proof[20:52]
        }
    }
}
