// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {OpOutputOracle} from "../../src/OpOutputOracle.sol";
import {OpOutputClaim} from "../../src/interfaces/ITeeVerifier.sol";

/// @notice Drives an {OpOutputOracle} at random: honest proposals from the latest output with L1
/// origins of every age, forgeries of every kind (unregistered signer, another rollup or config,
/// another L1 origin, a range not from the latest output, a replay) and L1 blocks passing. It keeps
/// the honest chain of outputs as its model and counts every answer that departs from it.
contract OpOutputHandler is Fixture {
    uint64 public constant ANCHOR = 100;

    OpOutputOracle public oracle;
    uint256 internal honestKey;
    uint256 internal rogueKey;

    /// @notice The latest output the model says is proven.
    uint64 public modelLatest;
    /// @notice Every L2 block with a proven output (the anchor first).
    uint64[] public proven;
    /// @notice Forged or stale proposals that were accepted.
    uint256 public acceptedForged;
    /// @notice Honest proposals with an L1 origin this L1 still knows that were refused.
    uint256 public refusedHonest;
    uint256 public accepted;

    OpOutputClaim internal lastClaim;
    bytes internal lastProof;

    constructor() {
        setUpRegistry(address(0));
        (honestKey,) = _activeProver();
        rogueKey = _newProverKey(); // never registered
        oracle = new OpOutputOracle(tee, L2, CHAIN_CONFIG, ANCHOR, _outputRoot(ANCHOR));
        modelLatest = ANCHOR;
        proven.push(ANCHOR);
    }

    function provenCount() external view returns (uint256) {
        return proven.length;
    }

    /// @notice The honest output root of L2 block `n`.
    function truth(uint64 n) external pure returns (bytes32) {
        return _outputRoot(n);
    }

    // ------------------------------------------------------------------ actions

    /// @dev The next `1 + len % 16` blocks, with an L1 origin `age` blocks old (accepted only while
    /// this L1 still has its hash: at most 256 blocks old).
    function proposeHonest(uint8 len, uint16 age) external {
        age = uint16(bound(age, 1, 300));
        if (age > block.number) return;
        uint64 origin = uint64(block.number - age);
        OpOutputClaim memory c = _claimFrom(modelLatest, modelLatest + 1 + len % 16, origin);
        bytes memory proof = _opOutputProof(honestKey, L2, CHAIN_CONFIG, c);
        bool allowed = age <= 256;
        try oracle.propose(c, proof) {
            if (!allowed) ++acceptedForged;
            _record(c, proof);
        } catch {
            if (allowed) ++refusedHonest;
        }
    }

    /// @dev A proposal that must be refused, of kind `kind % 7`.
    function proposeForged(uint8 kind, uint8 len, bytes32 noise) external {
        if (noise == bytes32(0)) noise = keccak256("noise");
        uint64 end = modelLatest + 1 + len % 16;
        OpOutputClaim memory c = _claimFrom(modelLatest, end, uint64(block.number - 1));
        uint256 k = honestKey;
        uint256 l2 = L2;
        bytes32 config = CHAIN_CONFIG;
        bytes memory proof;
        kind %= 7;
        if (kind == 0) {
            // an enclave that is not registered signs a lie
            c.endingOutputRoot ^= noise;
            k = rogueKey;
        } else if (kind == 1) {
            l2 = L2 + 1 + uint256(noise) % 1000; // proven for another rollup
        } else if (kind == 2) {
            config ^= noise; // under another rollup config
        } else if (kind == 3) {
            c.l1OriginHash ^= noise; // an L1 origin this L1 does not have
        } else if (kind == 4) {
            c.startingOutputRoot ^= noise; // from another output at the latest block
        } else if (kind == 5) {
            // from another block than the latest
            c = _claimFrom(modelLatest - 1 - uint64(uint256(noise) % 3), end, uint64(block.number - 1));
        } else {
            // a replay of the last accepted proposal
            if (accepted == 0) return;
            c = lastClaim;
            proof = lastProof;
        }
        if (proof.length == 0) proof = _opOutputProof(k, l2, config, c);
        try oracle.propose(c, proof) {
            ++acceptedForged;
        } catch {}
    }

    function rollL1(uint16 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 300));
        vm.warp(block.timestamp + 12);
    }

    // ------------------------------------------------------------------ helpers

    function _claimFrom(uint64 start, uint64 end, uint64 origin) internal view returns (OpOutputClaim memory) {
        return OpOutputClaim({
            l1OriginHash: blockhash(origin),
            l1OriginNumber: origin,
            startingBlockNumber: start,
            startingOutputRoot: _outputRoot(start),
            endingBlockNumber: end,
            endingOutputRoot: _outputRoot(end),
            blocksCommitment: keccak256(abi.encode("blocks", start, end))
        });
    }

    function _record(OpOutputClaim memory c, bytes memory proof) internal {
        ++accepted;
        modelLatest = c.endingBlockNumber;
        proven.push(c.endingBlockNumber);
        lastClaim = c;
        lastProof = proof;
    }
}

/// @notice The oracle's latest output is always the model's, every output it holds is the honest
/// one, no forged or stale proposal passes and no honest one is refused.
contract OpOutputInvariantsTest is Test {
    OpOutputHandler internal handler;

    function setUp() public {
        handler = new OpOutputHandler();
        bytes4[] memory selectors = new bytes4[](4);
        selectors[0] = OpOutputHandler.proposeHonest.selector;
        selectors[1] = OpOutputHandler.proposeHonest.selector; // twice: chains grow
        selectors[2] = OpOutputHandler.proposeForged.selector;
        selectors[3] = OpOutputHandler.rollL1.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_noForgedOrStaleProposalPasses() public view {
        assertEq(handler.acceptedForged(), 0);
    }

    function invariant_noHonestProposalIsRefused() public view {
        assertEq(handler.refusedHonest(), 0);
    }

    function invariant_latestIsTheModels() public view {
        OpOutputOracle oracle = handler.oracle();
        assertEq(oracle.latestBlockNumber(), handler.modelLatest());
        assertEq(oracle.latestOutputRoot(), handler.truth(handler.modelLatest()));
    }

    function invariant_everyProvenOutputIsHonest() public view {
        OpOutputOracle oracle = handler.oracle();
        uint256 n = handler.provenCount();
        for (uint256 i = 0; i < n; ++i) {
            uint64 b = handler.proven(i);
            assertEq(oracle.outputAt(b), handler.truth(b));
            if (i > 0) assertGt(b, handler.proven(i - 1), "outputs move forward only");
        }
    }
}
