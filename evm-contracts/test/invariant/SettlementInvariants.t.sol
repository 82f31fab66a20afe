// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {MultiProofFixture} from "../MultiProofVerifier.t.sol";
import {MultiProofVerifier} from "../../src/MultiProofVerifier.sol";
import {RollupSettlement} from "../../src/RollupSettlement.sol";
import {ProverRewards} from "../../src/ProverRewards.sol";
import {Transition} from "../../src/interfaces/IRollupZkVerifier.sol";

/// @notice Drives a rollup at random: honest and lying proposals, honest proofs, a rogue enclave
/// that signs lies, a zk "soundness bug" that proves lies, contests and their resolution, time,
/// finalization. Counts every finalization that should not have happened.
contract SettlementHandler is MultiProofFixture {
    RollupSettlement public settlement;
    uint256 internal rogueKey;
    bytes32[] internal slots;
    uint256 public lastFinalizedSeen;

    /// @notice Finalizations while the rollup had an open contest.
    uint256 public finalizedWhileContested;
    /// @notice Finalizations without a zk proof before the soft-finality delay had passed.
    uint256 public finalizedTeeOnlyEarly;
    /// @notice Times the finalized head went backwards.
    uint256 public headWentBack;
    /// @notice Finalizations without a zk proof of a proposal not drawn TEE-first from an L1 block
    /// after the one it was proposed in.
    uint256 public finalizedTeeOnlyUndrawn;
    /// @dev The L1 block each slot was first proposed in (a slot proposed again keeps its draw).
    mapping(bytes32 slot => uint256) internal firstProposedAt;

    constructor() {
        setUpMultiProof();
        (rogueKey,) = _activeProver();
        vm.prank(admin);
        mpv.setProofMix(L2, 5_000, 1 hours);
        settlement = new RollupSettlement(
            admin,
            address(this),
            L2,
            mpv,
            ProverRewards(address(0)),
            RollupSettlement.Proposal(9, _claim(9).blockHash, _claim(9).postStateRoot)
        );
        vm.prank(admin);
        mpv.setInbox(L2, address(settlement));
    }

    function verifier() external view returns (MultiProofVerifier) {
        return mpv;
    }

    // ------------------------------------------------------------------ actions

    /// @dev The true post-state root of the block with hash `blockHash` (a block hash commits to
    /// its state root).
    function truth(bytes32 blockHash) public pure returns (bytes32) {
        return keccak256(abi.encode("state", blockHash));
    }

    /// @dev Proposes the next block (its hash varies with `salt`, so the ZK draw varies), with its
    /// true post-state root or a lie.
    function propose(bool lie, uint256 salt) external {
        uint256 count = settlement.proposalCount();
        if (count - settlement.lastFinalized() > 8) return;
        uint64 n = settlement.proposalOf(count - 1).lastBlock + 1;
        bytes32 blockHash = keccak256(abi.encode("block", n, salt));
        uint256 index =
            settlement.propose(n, blockHash, lie ? keccak256(abi.encode("lie", blockHash)) : truth(blockHash));
        bytes32 slot = mpv.slotOf(L2, settlement.transitionOf(index));
        if (firstProposedAt[slot] == 0) firstProposedAt[slot] = block.number;
    }

    /// @dev Honest provers prove the true post-state root of a pending proposal's block.
    function proveHonest(uint256 i) external {
        (bool ok, Transition memory t) = _pendingTransition(i);
        if (!ok) return;
        t.postStateRoot = truth(t.blockHash);
        _track(t);
        try mpv.prove(L2, t, _zk(t), _tee(key, t)) {} catch {}
    }

    /// @dev A rogue (compromised) enclave signs whatever the proposal says.
    function rogueTee(uint256 i) external {
        (bool ok, Transition memory t) = _pendingTransition(i);
        if (!ok) return;
        _track(t);
        try mpv.submitTeeProof(L2, t, _tee(rogueKey, t)) {} catch {}
    }

    /// @dev A zk soundness bug proves whatever the proposal says.
    function zkBug(uint256 i) external {
        (bool ok, Transition memory t) = _pendingTransition(i);
        if (!ok) return;
        _track(t);
        try mpv.submitZkProof(L2, t, _zk(t)) {} catch {}
    }

    /// @dev The rogue enclave contradicts the honest one on some block of the rollup, not
    /// necessarily a proposed one: that alone pauses the rollup.
    function contestElsewhere(uint64 n, uint256 salt) external {
        bytes32 blockHash = keccak256(abi.encode("side block", n, salt));
        Transition memory t =
            Transition(n, n, keccak256(abi.encode(salt)), keccak256(abi.encode(n)), blockHash, truth(blockHash));
        _track(t);
        try mpv.submitTeeProof(L2, t, _tee(key, t)) {} catch {}
        t.postStateRoot = keccak256(abi.encode("lie", blockHash));
        try mpv.submitTeeProof(L2, t, _tee(rogueKey, t)) {} catch {}
    }

    function resolve(uint256 i) external {
        if (slots.length == 0) return;
        bytes32 slot = slots[bound(i, 0, slots.length - 1)];
        if (!mpv.evidenceOf(slot).contested) return;
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
    }

    function discardFromFirstPending() external {
        uint256 first = settlement.lastFinalized() + 1;
        if (first >= settlement.proposalCount()) return;
        vm.prank(admin);
        settlement.discardFrom(first);
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 3 hours));
    }

    /// @dev L1 blocks go by (sometimes past a draw window).
    function mine(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 400));
    }

    /// @dev Anyone has a pending proposal drawn, whenever (too early, in the window, too late), from
    /// whatever hash its L1 block turned out to have.
    function draw(uint256 i, bytes32 l1Hash) external {
        uint256 first = settlement.lastFinalized() + 1;
        if (first >= settlement.proposalCount()) return;
        uint256 index = i % 4 == 0 ? bound(i / 4, first, settlement.proposalCount() - 1) : first;
        uint256 from = settlement.proposedAt(index) + mpv.DRAW_DELAY();
        if (l1Hash != bytes32(0) && block.number > from && block.number - from <= 256) vm.setBlockhash(from, l1Hash);
        try settlement.drawZk(index) {} catch {}
    }

    function finalize(uint8 maxCount) external {
        bool contested = mpv.rollupOf(L2).openContests > 0;
        uint256 before = settlement.lastFinalized();
        try settlement.finalize(bound(maxCount, 1, 5)) returns (uint256) {
            if (contested) ++finalizedWhileContested;
            for (uint256 idx = before + 1; idx <= settlement.lastFinalized(); ++idx) {
                Transition memory t = settlement.transitionOf(idx);
                MultiProofVerifier.Evidence memory e = mpv.evidenceOf(mpv.slotOf(L2, t));
                bool zk = e.zkEpoch == mpv.rollupOf(L2).zkEpoch;
                if (!zk && block.timestamp < uint256(e.teeProvenAt) + 1 hours) ++finalizedTeeOnlyEarly;
                bytes32 slot = mpv.slotOf(L2, t);
                MultiProofVerifier.Draw memory d = mpv.drawOf(slot);
                if (!zk && (d.l1Block <= firstProposedAt[slot] || d.roll < 5_000)) ++finalizedTeeOnlyUndrawn;
            }
        } catch {}
        uint256 head = settlement.lastFinalized();
        if (head < lastFinalizedSeen) ++headWentBack;
        lastFinalizedSeen = head;
    }

    // ------------------------------------------------------------------ helpers

    function _pendingTransition(uint256 i) internal view returns (bool, Transition memory t) {
        uint256 first = settlement.lastFinalized() + 1;
        uint256 count = settlement.proposalCount();
        if (first >= count) return (false, t);
        // mostly the first pending proposal: that is the one finalization waits for
        uint256 index = i % 4 == 0 ? bound(i / 4, first, count - 1) : first;
        return (true, settlement.transitionOf(index));
    }

    function _track(Transition memory t) internal {
        slots.push(mpv.slotOf(L2, t));
    }

    function pendingCount() external view returns (uint256) {
        return settlement.proposalCount() - settlement.lastFinalized() - 1;
    }
}

/// @notice Nothing finalizes while contested; TEE-only never finalizes before the delay, nor unless
/// drawn TEE-first after its proposal; the head only moves forward.
contract SettlementInvariantsTest is Test {
    SettlementHandler internal handler;

    function setUp() public {
        handler = new SettlementHandler();
        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = SettlementHandler.propose.selector;
        selectors[1] = SettlementHandler.proveHonest.selector;
        selectors[2] = SettlementHandler.rogueTee.selector;
        selectors[3] = SettlementHandler.zkBug.selector;
        selectors[4] = SettlementHandler.resolve.selector;
        selectors[5] = SettlementHandler.discardFromFirstPending.selector;
        selectors[6] = SettlementHandler.warp.selector;
        selectors[7] = SettlementHandler.finalize.selector;
        selectors[8] = SettlementHandler.propose.selector; // twice as often
        selectors[9] = SettlementHandler.finalize.selector; // twice as often
        selectors[10] = SettlementHandler.contestElsewhere.selector;
        selectors[11] = SettlementHandler.mine.selector;
        selectors[12] = SettlementHandler.draw.selector;
        selectors[13] = SettlementHandler.draw.selector; // twice as often
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_nothingFinalizesWhileContested() public view {
        assertEq(handler.finalizedWhileContested(), 0);
    }

    function invariant_nothingPendingIsFinalWhileContested() public view {
        MultiProofVerifier mpv = handler.verifier();
        if (mpv.rollupOf(167_000).openContests == 0) return;
        RollupSettlement s = handler.settlement();
        for (uint256 i = s.lastFinalized() + 1; i < s.proposalCount(); ++i) {
            assertFalse(mpv.isFinal(167_000, s.transitionOf(i)));
        }
    }

    function invariant_teeOnlyNeverFinalEarly() public view {
        assertEq(handler.finalizedTeeOnlyEarly(), 0);
    }

    /// @dev A proposal finalized without a zk proof was drawn TEE-first, from an L1 block after
    /// the one it was proposed in.
    function invariant_teeOnlyOnlyWhenDrawnSoAfterTheProposal() public view {
        assertEq(handler.finalizedTeeOnlyUndrawn(), 0);
    }

    function invariant_headOnlyMovesForward() public view {
        assertEq(handler.headWentBack(), 0);
    }
}
