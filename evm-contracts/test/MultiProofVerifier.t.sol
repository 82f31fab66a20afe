// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {MultiProofVerifier} from "../src/MultiProofVerifier.sol";
import {TeeVerifier} from "../src/TeeVerifier.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {IRollupZkVerifier, Transition} from "../src/interfaces/IRollupZkVerifier.sol";
import {BlockClaim, BatchClaim, RefusalClaim} from "../src/interfaces/ITeeVerifier.sol";
import {NormalizedAttestation} from "../src/interfaces/IAttestationVerifier.sol";
import {RollupZkVerifierStandIn} from "./standins/RollupZkVerifierStandIn.sol";

/// @notice Shared by the MultiProofVerifier and RollupSettlement tests.
abstract contract MultiProofFixture is Fixture {
    MultiProofVerifier internal mpv;
    RollupZkVerifierStandIn internal zkStandIn;
    uint256 internal key;
    address internal prover;

    function setUpMultiProof() internal {
        setUpRegistry(address(0));
        (key, prover) = _activeProver();
        mpv = new MultiProofVerifier(admin, tee);
        zkStandIn = new RollupZkVerifierStandIn();
        vm.startPrank(admin);
        mpv.addRollup(L2, CHAIN_CONFIG, zkStandIn);
        // The test is the rollup's inbox: it says when a transition was proposed (RollupSettlement's
        // tests use the settlement).
        mpv.setInbox(L2, address(this));
        vm.stopPrank();
    }

    function _transition(uint64 n) internal pure returns (Transition memory) {
        BlockClaim memory c = _claim(n);
        return Transition(n, n, c.parentHash, c.preStateRoot, c.blockHash, c.postStateRoot);
    }

    function _withPost(Transition memory t, bytes32 post) internal pure returns (Transition memory u) {
        u = Transition(t.firstBlock, t.lastBlock, t.parentHash, t.preStateRoot, t.blockHash, post);
    }

    /// @dev A single-block TEE-proof of `t` by `k`, made under {CHAIN_CONFIG}.
    function _tee(uint256 k, Transition memory t) internal view returns (MultiProofVerifier.TeeEvidence memory) {
        return _tee(k, t, CHAIN_CONFIG);
    }

    /// @dev A single-block TEE-proof of `t` by `k`, made under chain config `config`.
    function _tee(uint256 k, Transition memory t, bytes32 config)
        internal
        view
        returns (MultiProofVerifier.TeeEvidence memory)
    {
        bytes32 w = keccak256(abi.encode("witness", t.lastBlock));
        BlockClaim memory c = BlockClaim(t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, t.postStateRoot, w);
        return MultiProofVerifier.TeeEvidence(false, w, config, _blockProof(k, L2, config, c));
    }

    /// @dev A batch TEE-proof of `t` by `k`, made under {CHAIN_CONFIG}.
    function _teeBatch(uint256 k, Transition memory t) internal view returns (MultiProofVerifier.TeeEvidence memory) {
        return _teeBatch(k, t, CHAIN_CONFIG);
    }

    /// @dev A batch TEE-proof of `t` by `k`, made under chain config `config`.
    function _teeBatch(uint256 k, Transition memory t, bytes32 config)
        internal
        view
        returns (MultiProofVerifier.TeeEvidence memory)
    {
        bytes32 commitment = keccak256(abi.encode("blocks", t.firstBlock, t.lastBlock));
        BatchClaim memory c = BatchClaim(
            t.firstBlock, t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, t.postStateRoot, commitment
        );
        return MultiProofVerifier.TeeEvidence(true, commitment, config, _batchProof(k, L2, config, c));
    }

    /// @dev A TEE refusal of single-block transition `t` by `k` for `reason`, under `config`.
    function _refusal(uint256 k, Transition memory t, uint16 reason, bytes32 config)
        internal
        view
        returns (MultiProofVerifier.TeeRefusal memory)
    {
        RefusalClaim memory c = RefusalClaim(t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, reason);
        return MultiProofVerifier.TeeRefusal(config, reason, _refusalProof(k, L2, config, c));
    }

    /// @dev A TEE refusal of `t` by `k` (state root, code 6) under {CHAIN_CONFIG}.
    function _refusal(uint256 k, Transition memory t) internal view returns (MultiProofVerifier.TeeRefusal memory) {
        return _refusal(k, t, 6, CHAIN_CONFIG);
    }

    function _zk(Transition memory t) internal view returns (bytes memory) {
        return zkStandIn.proofFor(L2, t);
    }

    /// @dev An L1 block hash from which `t` is drawn to need ZK (or not) under the rollup's share.
    function _l1HashDrawing(Transition memory t, bool zk) internal view returns (bytes32 h) {
        uint16 share = mpv.rollupOf(L2).zkShareBps;
        for (uint256 i = 0; i < 10_000; ++i) {
            h = keccak256(abi.encode("l1 block", t.firstBlock, t.lastBlock, i));
            if ((mpv.rollOf(L2, t.firstBlock, t.lastBlock, h) < share) == zk) return h;
        }
        revert("no such L1 block hash");
    }

    /// @dev Makes L1 block `proposedAt + DRAW_DELAY` one whose hash draws `t` to need ZK (or not),
    /// and moves the chain just past it (if it is not past already) so the draw can be made.
    function _drawBlockFor(Transition memory t, uint256 proposedAt, bool zk) internal returns (uint256 from) {
        from = proposedAt + mpv.DRAW_DELAY();
        if (block.number <= from) vm.roll(from + 1);
        vm.setBlockhash(from, _l1HashDrawing(t, zk));
    }

    /// @dev As the inbox: `t` was proposed in the current L1 block; draws it (`zk`: to need ZK or
    /// not) once the draw block exists.
    function _draw(Transition memory t, bool zk) internal {
        uint256 proposedAt = block.number;
        _drawBlockFor(t, proposedAt, zk);
        assertEq(mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp)), zk);
    }
}

contract MultiProofVerifierTest is MultiProofFixture {
    function setUp() public {
        setUpMultiProof();
    }

    // ------------------------------------------------------------------ the dual check

    function test_bothTrue_finalAtOnce() public {
        Transition memory t = _transition(10);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ZkProofAccepted(L2, mpv.slotOf(L2, t), t.postStateRoot);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofAccepted(L2, mpv.slotOf(L2, t), t.postStateRoot, prover);
        assertTrue(mpv.prove(L2, t, _zk(t), _tee(key, t)));
        assertTrue(mpv.isFinal(L2, t));
        assertFalse(mpv.isFinal(L2, _withPost(t, keccak256("other"))));
    }

    function test_zkFalse_rejectedWhateverTheTeeSays() public {
        Transition memory t = _transition(10);
        MultiProofVerifier.TeeEvidence memory tee_ = _tee(key, t);
        bytes32 slot = mpv.slotOf(L2, t);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.ZkProofRejected.selector, L2, slot));
        mpv.prove(L2, t, hex"deadbeef", tee_);
        bytes memory otherProof = _zk(_withPost(t, keccak256("x")));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.ZkProofRejected.selector, L2, slot));
        mpv.submitZkProof(L2, t, otherProof);
        assertEq(mpv.evidenceOf(slot).postStateRoot, bytes32(0));
    }

    function test_zkTrue_teeInvalid_notAccepted() public {
        Transition memory t = _transition(10);
        MultiProofVerifier.TeeEvidence memory bad = _tee(key, _withPost(t, keccak256("forged")));
        bytes32 slot = mpv.slotOf(L2, t);
        vm.expectEmit(false, false, false, false, address(mpv));
        emit MultiProofVerifier.TeeProofRefused(L2, slot, "");
        assertFalse(mpv.prove(L2, t, _zk(t), bad));
        assertFalse(mpv.isFinal(L2, t));
        assertEq(mpv.rollupOf(L2).openContests, 0, "junk TEE bytes cannot pause a rollup");
        // the zk proof stays; a valid TEE-proof completes it
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_zkTrue_teeForAnotherPostRoot_contested() public {
        Transition memory good = _transition(10);
        Transition memory other = _transition(11);
        assertTrue(mpv.prove(L2, other, _zk(other), _tee(key, other)));
        assertTrue(mpv.isFinal(L2, other));

        assertTrue(mpv.submitZkProof(L2, good, _zk(good)));
        Transition memory forged = _withPost(good, keccak256("forged"));
        bytes32 slot = mpv.slotOf(L2, good);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TransitionContested(L2, slot, good.postStateRoot, forged.postStateRoot);
        assertFalse(mpv.submitTeeProof(L2, forged, _tee(key, forged)));

        assertTrue(mpv.evidenceOf(slot).contested);
        assertEq(mpv.rollupOf(L2).openContests, 1);
        // the whole rollup is paused, also what was final before
        assertFalse(mpv.isFinal(L2, other));
        assertFalse(mpv.isFinal(L2, good));
        MultiProofVerifier.TeeEvidence memory again = _tee(key, good);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.TransitionIsContested.selector, slot));
        mpv.submitTeeProof(L2, good, again);
    }

    function test_teeFirst_thenZkDisagrees_contested() public {
        Transition memory t = _transition(10);
        _draw(t, false);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        Transition memory z = _withPost(t, keccak256("zk says otherwise"));
        assertFalse(mpv.submitZkProof(L2, z, _zk(z)));
        assertEq(mpv.rollupOf(L2).openContests, 1);
        vm.warp(block.timestamp + 30 days);
        assertFalse(mpv.isFinal(L2, t), "soft finality never completes while contested");
    }

    function test_twoTeesDisagree_contested() public {
        (uint256 key2,) = _activeProver();
        Transition memory t = _transition(10);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        Transition memory u = _withPost(t, keccak256("second enclave disagrees"));
        assertFalse(mpv.submitTeeProof(L2, u, _tee(key2, u)));
        assertEq(mpv.rollupOf(L2).openContests, 1);
    }

    function test_differentBlockAtSameHeight_isNotAConflict() public {
        Transition memory t = _transition(10);
        Transition memory fork =
            Transition(10, 10, t.parentHash, t.preStateRoot, keccak256("fork"), keccak256("fork post"));
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        assertTrue(mpv.submitTeeProof(L2, fork, _tee(key, fork)));
        assertEq(mpv.rollupOf(L2).openContests, 0);
    }

    // ------------------------------------------------------------------ resolution

    function test_resolve_afterUntrustingTheMeasurement() public {
        Transition memory t = _transition(10);
        mpv.submitZkProof(L2, t, _zk(t));
        Transition memory forged = _withPost(t, keccak256("forged"));
        mpv.submitTeeProof(L2, forged, _tee(key, forged));
        bytes32 slot = mpv.slotOf(L2, t);

        address nobody = makeAddr("nobody");
        bytes32 role = mpv.RESOLVER_ROLE();
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role));
        mpv.resolveContest(L2, slot);

        // governance: the enclave build is bad — untrust it for good, then clear the slot
        vm.prank(guardian);
        tee.untrustMeasurement(measurement);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ContestResolved(L2, slot, admin);
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
        assertEq(mpv.rollupOf(L2).openContests, 0);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotContested.selector, slot));
        mpv.resolveContest(L2, slot);

        // the old key can no longer prove; a new measurement's instance can
        MultiProofVerifier.TeeEvidence memory old = _tee(key, t);
        bytes memory zkProof = _zk(t);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofRefused(
            L2, slot, abi.encodeWithSelector(ProverRegistry.ProverMeasurementUntrusted.selector, prover)
        );
        assertFalse(mpv.prove(L2, t, zkProof, old));
        assertFalse(mpv.isFinal(L2, t));
        (uint256 key2,) = _proverWithNewMeasurement();
        assertTrue(mpv.prove(L2, t, _zk(t), _tee(key2, t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_resolve_byReplacingTheZkVerifier() public {
        Transition memory t = _transition(10);
        Transition memory forged = _withPost(t, keccak256("zk soundness bug"));
        mpv.submitTeeProof(L2, t, _tee(key, t));
        mpv.submitZkProof(L2, forged, _zk(forged));
        bytes32 slot = mpv.slotOf(L2, t);
        RollupZkVerifierStandIn fixed_ = new RollupZkVerifierStandIn();
        vm.startPrank(admin);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ZkVerifierSet(L2, address(fixed_), 2);
        mpv.setZkVerifier(L2, fixed_);
        mpv.resolveContest(L2, slot);
        vm.stopPrank();
        assertTrue(mpv.prove(L2, t, fixed_.proofFor(L2, t), _tee(key, t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_resolve_onlyWithTheRollupsOwnSlot() public {
        uint256 l2b = L2 + 1;
        vm.prank(admin);
        mpv.addRollup(l2b, CHAIN_CONFIG, zkStandIn);
        (uint256 key2,) = _activeProver();
        bytes32 slotA = _contestOn(L2, key2, _transition(10));
        bytes32 slotB = _contestOn(l2b, key2, _transition(10));
        assertNotEq(slotA, slotB);

        // B's contest cannot be resolved with A's slot: nothing changes, both stay paused
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.SlotNotOfRollup.selector, l2b, slotA));
        mpv.resolveContest(l2b, slotA);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.SlotNotOfRollup.selector, L2, slotB));
        mpv.resolveContest(L2, slotB);
        assertEq(mpv.rollupOf(L2).openContests, 1);
        assertEq(mpv.rollupOf(l2b).openContests, 1);
        assertTrue(mpv.evidenceOf(slotA).contested);
        assertTrue(mpv.evidenceOf(slotB).contested);

        // each with its own slot: each un-pauses
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ContestResolved(l2b, slotB, admin);
        vm.prank(admin);
        mpv.resolveContest(l2b, slotB);
        assertEq(mpv.rollupOf(l2b).openContests, 0);
        assertEq(mpv.rollupOf(L2).openContests, 1, "A still paused");
        assertTrue(mpv.evidenceOf(slotA).contested);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ContestResolved(L2, slotA, admin);
        vm.prank(admin);
        mpv.resolveContest(L2, slotA);
        assertEq(mpv.rollupOf(L2).openContests, 0);
        assertFalse(mpv.evidenceOf(slotA).contested);
        assertFalse(mpv.evidenceOf(slotB).contested);
    }

    /// @dev Contests `t` on rollup `l2ChainId`: `key` and `k2` attest different post-state roots.
    function _contestOn(uint256 l2ChainId, uint256 k2, Transition memory t) internal returns (bytes32 slot) {
        assertTrue(mpv.submitTeeProof(l2ChainId, t, _teeOn(key, l2ChainId, t)));
        Transition memory u = _withPost(t, keccak256(abi.encode("disagrees", l2ChainId)));
        assertFalse(mpv.submitTeeProof(l2ChainId, u, _teeOn(k2, l2ChainId, u)));
        slot = mpv.slotOf(l2ChainId, t);
        assertTrue(mpv.evidenceOf(slot).contested);
    }

    /// @dev A single-block TEE-proof of `t` on rollup `l2ChainId` by `k`.
    function _teeOn(uint256 k, uint256 l2ChainId, Transition memory t)
        internal
        view
        returns (MultiProofVerifier.TeeEvidence memory)
    {
        bytes32 w = keccak256(abi.encode("witness", t.lastBlock));
        BlockClaim memory c = BlockClaim(t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, t.postStateRoot, w);
        return MultiProofVerifier.TeeEvidence(false, w, CHAIN_CONFIG, _blockProof(k, l2ChainId, c));
    }

    /// @dev An active prover running a newly trusted enclave version (SVN + 1).
    function _proverWithNewMeasurement() internal returns (uint256 k, address p) {
        bytes32 m2 = tee.measurementHash(MR_ENCLAVE, MR_SIGNER, PROD_ID, SVN + 1);
        vm.prank(policy);
        tee.trustMeasurement(m2);
        k = _newProverKey();
        p = vm.addr(k);
        NormalizedAttestation memory a = _goodAttestation(p);
        a.isvSvn = SVN + 1;
        tee.register(_registration(p, _quorumEvidence(a, 2)));
        vm.warp(block.timestamp + 24 hours);
    }

    // ------------------------------------------------------------------ proof mix and soft finality

    function test_defaults() public view {
        MultiProofVerifier.Rollup memory r = mpv.rollupOf(L2);
        assertEq(r.zkShareBps, 1_000);
        assertEq(r.softFinalityDelay, 24 hours);
        assertEq(r.zkEpoch, 1);
        assertTrue(r.registered);
    }

    function test_teeFirst_softThenFinalAfterDelay() public {
        Transition memory t = _transition(10);
        _draw(t, false);
        assertFalse(mpv.needsZk(L2, t));
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        assertFalse(mpv.isFinal(L2, t), "never instant");
        vm.warp(block.timestamp + 24 hours - 1);
        assertFalse(mpv.isFinal(L2, t));
        vm.warp(block.timestamp + 1);
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_teeFirst_zkArrivalMakesItFinalAtOnce() public {
        Transition memory t = _transition(10);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        assertTrue(mpv.submitZkProof(L2, t, _zk(t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_drawnForZk_teeAloneNeverFinal() public {
        Transition memory t = _transition(10);
        _draw(t, true);
        assertTrue(mpv.needsZk(L2, t));
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.warp(block.timestamp + 365 days);
        assertFalse(mpv.isFinal(L2, t));
    }

    function test_zkAloneNeverFinal() public {
        Transition memory t = _transition(10);
        _draw(t, false);
        mpv.submitZkProof(L2, t, _zk(t));
        vm.warp(block.timestamp + 365 days);
        assertFalse(mpv.isFinal(L2, t));
    }

    function test_untrustOrRevokeAfterAcceptance_stopsFinality() public {
        Transition memory soft = _transition(10);
        Transition memory both = _transition(11);
        _draw(soft, false);
        mpv.submitTeeProof(L2, soft, _tee(key, soft));
        mpv.prove(L2, both, _zk(both), _tee(key, both));
        vm.warp(block.timestamp + 24 hours);
        assertTrue(mpv.isFinal(L2, soft));
        assertTrue(mpv.isFinal(L2, both));
        uint256 snap = vm.snapshotState();
        vm.prank(guardian);
        tee.revoke(prover);
        assertFalse(mpv.isFinal(L2, soft));
        assertFalse(mpv.isFinal(L2, both));
        vm.revertToState(snap);
        vm.prank(guardian);
        tee.untrustMeasurement(measurement);
        assertFalse(mpv.isFinal(L2, soft));
        assertFalse(mpv.isFinal(L2, both));
    }

    function test_expiryAfterAcceptance_doesNotMatter() public {
        Transition memory t = _transition(10);
        _draw(t, false);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.warp(block.timestamp + 200 days);
        assertFalse(tee.isActive(prover));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_staleTeeEvidenceIsReplaced() public {
        (uint256 key2, address prover2) = _activeProver();
        Transition memory t = _transition(10);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.prank(guardian);
        tee.revoke(prover);
        // a revoked signer's evidence does not count: a later proof takes its place, no contest
        Transition memory u = _withPost(t, keccak256("corrected"));
        assertTrue(mpv.submitTeeProof(L2, u, _tee(key2, u)));
        assertEq(mpv.rollupOf(L2).openContests, 0);
        assertEq(mpv.evidenceOf(mpv.slotOf(L2, t)).teeProver, prover2);
    }

    function test_sameProofTwice_isANoOp() public {
        Transition memory t = _transition(10);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.recordLogs();
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_batchEvidence() public {
        Transition memory t =
            Transition(10, 20, keccak256("p"), keccak256("pre"), keccak256("last block"), keccak256("post"));
        vm.prank(admin);
        mpv.setProofMix(L2, 10_000, 1 hours);
        assertTrue(mpv.prove(L2, t, _zk(t), _teeBatch(key, t)));
        assertTrue(mpv.isFinal(L2, t));
        // a single-block proof form does not fit a range
        MultiProofVerifier.TeeEvidence memory blockForm = _teeBatch(key, t);
        blockForm.batch = false;
        vm.expectRevert(MultiProofVerifier.InvalidTransition.selector);
        mpv.submitTeeProof(L2, t, blockForm);
    }

    // ------------------------------------------------------------------ the proof-mix draw

    /// @dev The old draw's grinding: a proposer varies its block (e.g. its `extraData`) until the
    /// block needs no zk proof. The draw now comes from an L1 block hash after the proposal, and
    /// given that hash every variant of the block draws the same: varying it changes nothing.
    function testFuzz_draw_proposerVaryingTheBlockHashCannotChangeIt(
        bytes32 l1Hash,
        bytes32 variantA,
        bytes32 variantB,
        uint16 share
    ) public {
        vm.assume(l1Hash != bytes32(0) && variantA != bytes32(0) && variantB != bytes32(0) && variantA != variantB);
        vm.prank(admin);
        mpv.setProofMix(L2, uint16(bound(share, 0, 10_000)), 1 hours);
        Transition memory a = _transition(10);
        Transition memory b = _transition(10);
        (a.blockHash, a.postStateRoot) = (variantA, keccak256(abi.encode(variantA)));
        (b.blockHash, b.postStateRoot) = (variantB, keccak256(abi.encode(variantB)));
        uint256 proposedAt = block.number;
        uint256 from = proposedAt + mpv.DRAW_DELAY();
        vm.roll(from + 1);
        vm.setBlockhash(from, l1Hash);
        assertEq(
            mpv.drawZk(L2, a, proposedAt, uint40(block.timestamp)),
            mpv.drawZk(L2, b, proposedAt, uint40(block.timestamp))
        );
        assertEq(mpv.drawOf(mpv.slotOf(L2, a)).roll, mpv.drawOf(mpv.slotOf(L2, b)).roll);
        assertEq(mpv.drawOf(mpv.slotOf(L2, a)).roll, mpv.rollOf(L2, 10, 10, l1Hash));
    }

    /// @dev The grinding that used to work finds nothing: of 64 variants of block 10, the old draw
    /// (from the block hash) let some go TEE-first and sent others to ZK, so a proposer picked one;
    /// drawn from the same later L1 block hash, they all draw alike.
    function test_draw_grindingTheBlockHashFindsNothing() public {
        uint16 share = mpv.rollupOf(L2).zkShareBps;
        bytes32 l1Hash = _l1HashDrawing(_transition(10), true); // the L1 block says: ZK
        uint256 proposedAt = block.number;
        uint256 from = proposedAt + mpv.DRAW_DELAY();
        vm.roll(from + 1);
        vm.setBlockhash(from, l1Hash);
        uint256 oldTeeFirst;
        for (uint256 i = 0; i < 64; ++i) {
            Transition memory v = _transition(10);
            v.blockHash = keccak256(abi.encode("extraData", i));
            if (uint256(keccak256(abi.encode(L2, v.blockHash))) % 10_000 >= share) ++oldTeeFirst;
            assertTrue(mpv.drawZk(L2, v, proposedAt, uint40(block.timestamp)), "every variant needs ZK");
            assertTrue(mpv.needsZk(L2, v));
        }
        assertGt(oldTeeFirst, 0, "the old draw had a TEE-first variant to pick");
    }

    /// @dev Until the L1 block it is drawn from exists, a transition is not drawn: it needs ZK, and
    /// TEE alone never makes it final, however long it waits.
    function test_draw_notDecidedBeforeTheL1BlockExists() public {
        Transition memory t = _transition(10);
        bytes32 slot = mpv.slotOf(L2, t);
        uint256 proposedAt = block.number;
        uint40 proposedTime = uint40(block.timestamp);
        uint256 from = proposedAt + mpv.DRAW_DELAY();
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        vm.warp(block.timestamp + 365 days);
        uint256[3] memory heights = [proposedAt, from - 1, from];
        for (uint256 i = 0; i < 3; ++i) {
            vm.roll(heights[i]);
            vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.DrawNotReady.selector, slot, from));
            mpv.drawZk(L2, t, proposedAt, proposedTime);
            assertTrue(mpv.needsZk(L2, t));
            assertFalse(mpv.isFinal(L2, t), "not final without ZK before the draw");
        }
        assertEq(mpv.drawOf(slot).l1Block, 0);
        _drawBlockFor(t, proposedAt, false);
        assertFalse(mpv.drawZk(L2, t, proposedAt, proposedTime));
        assertTrue(mpv.isFinal(L2, t));
    }

    /// @dev The draw can be made up to 256 blocks after its L1 block (`blockhash`'s reach); a
    /// transition nobody drew by then needs ZK for good, and a zk proof still makes it final.
    function test_draw_missedWindow_needsZkForGood() public {
        Transition memory t = _transition(10);
        bytes32 slot = mpv.slotOf(L2, t);
        uint256 proposedAt = block.number;
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        uint256 from = _drawBlockFor(t, proposedAt, false);
        // the last block of the window
        uint256 snap = vm.snapshotState();
        vm.roll(from + mpv.DRAW_WINDOW());
        assertFalse(mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp)));
        vm.revertToState(snap);
        // one block later
        vm.roll(from + mpv.DRAW_WINDOW() + 1);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.DrawWindowMissed.selector, slot, from));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));
        vm.warp(block.timestamp + 365 days);
        assertTrue(mpv.needsZk(L2, t));
        assertFalse(mpv.isFinal(L2, t), "missed: TEE alone never finalizes it");
        assertTrue(mpv.submitZkProof(L2, t, _zk(t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    /// @dev Only the rollup's inbox has transitions drawn: it alone knows when they were proposed.
    function test_draw_onlyTheRollupsInbox() public {
        Transition memory t = _transition(10);
        uint256 proposedAt = block.number;
        _drawBlockFor(t, proposedAt, false);
        address nobody = makeAddr("nobody");
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, nobody));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupUnknown.selector, L2 + 1));
        mpv.drawZk(L2 + 1, t, proposedAt, uint40(block.timestamp));

        // another rollup's inbox cannot draw this one's transitions
        vm.startPrank(admin);
        mpv.addRollup(L2 + 1, CHAIN_CONFIG, zkStandIn);
        mpv.setInbox(L2 + 1, nobody);
        vm.stopPrank();
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, nobody));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));

        // the inbox is the rollup admin's to set; the previous one can no longer draw
        bytes32 role = mpv.ROLLUP_ADMIN_ROLE();
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role));
        mpv.setInbox(L2, nobody);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupUnknown.selector, L2 + 2));
        mpv.setInbox(L2 + 2, nobody);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.InboxSet(L2, address(0));
        vm.prank(admin);
        mpv.setInbox(L2, address(0));
        assertEq(mpv.rollupOf(L2).inbox, address(0));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, address(this)));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));
        assertTrue(mpv.needsZk(L2, t), "no inbox: nothing drawn, ZK needed");
        assertEq(mpv.drawOf(mpv.slotOf(L2, t)).l1Block, 0);
    }

    /// @dev A slot is drawn once, with an event; clearing its evidence (a contest resolved) does not
    /// clear the draw, so nothing re-draws it.
    function test_draw_onceWithAnEvent_keptWhenEvidenceIsCleared() public {
        Transition memory t = _transition(10);
        bytes32 slot = mpv.slotOf(L2, t);
        uint256 proposedAt = block.number;
        uint256 from = _drawBlockFor(t, proposedAt, false);
        uint16 roll = mpv.rollOf(L2, 10, 10, blockhash(from));
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ZkDrawn(L2, slot, from, roll);
        assertFalse(mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp)));
        assertEq(mpv.drawOf(slot).l1Block, from);
        assertEq(mpv.drawOf(slot).roll, roll);
        vm.setBlockhash(from, _l1HashDrawing(t, true));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.AlreadyDrawn.selector, slot));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));
        vm.roll(block.number + 10);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.AlreadyDrawn.selector, slot));
        mpv.drawZk(L2, t, proposedAt + 5, uint40(block.timestamp));

        (uint256 key2,) = _activeProver();
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        Transition memory u = _withPost(t, keccak256("disagrees"));
        assertFalse(mpv.submitTeeProof(L2, u, _tee(key2, u)));
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
        assertEq(mpv.evidenceOf(slot).postStateRoot, bytes32(0));
        assertEq(mpv.drawOf(slot).roll, roll, "the draw outlives the evidence");
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.AlreadyDrawn.selector, slot));
        mpv.drawZk(L2, t, proposedAt, uint40(block.timestamp));
    }

    /// @dev The share applies to the roll when finality is asked: governance raising it reaches
    /// transitions already drawn TEE-first.
    function test_draw_raisingTheShareReachesDrawnTransitions() public {
        Transition memory t = _transition(10);
        _draw(t, false);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.warp(block.timestamp + 24 hours);
        assertTrue(mpv.isFinal(L2, t));
        vm.prank(admin);
        mpv.setProofMix(L2, 10_000, 24 hours);
        assertTrue(mpv.needsZk(L2, t));
        assertFalse(mpv.isFinal(L2, t));
    }

    /// @dev With a share of 0 no transition needs ZK, drawn or not: there is nothing to grind.
    /// @dev At a share of zero no transition needs ZK, but a TEE-only one is final only once drawn:
    /// the draw is how the inbox vouches for the proposal and its time.
    function test_draw_shareZero_stillFinalOnlyOnceDrawn() public {
        vm.prank(admin);
        mpv.setProofMix(L2, 0, 1 hours);
        Transition memory t = _transition(10);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        assertFalse(mpv.needsZk(L2, t));
        assertFalse(mpv.isFinal(L2, t), "never instant");
        vm.warp(block.timestamp + 1 hours);
        assertFalse(mpv.isFinal(L2, t), "not drawn: no proposal vouched for");
        _draw(t, false);
        assertFalse(mpv.isFinal(L2, t), "the delay counts from the proposal (the draw's time here)");
        vm.warp(block.timestamp + 1 hours);
        assertTrue(mpv.isFinal(L2, t));
    }

    /// @dev TEE evidence recorded long before the proposal: the delay counts from the proposal.
    function test_isFinal_delayCountsFromTheLaterOfEvidenceAndProposal() public {
        vm.prank(admin);
        mpv.setProofMix(L2, 0, 24 hours);
        Transition memory t = _transition(10);
        mpv.submitTeeProof(L2, t, _tee(key, t));
        vm.warp(block.timestamp + 30 days);
        uint256 proposedAt = block.number;
        uint40 proposedTime = uint40(block.timestamp);
        _drawBlockFor(t, proposedAt, false);
        assertFalse(mpv.drawZk(L2, t, proposedAt, proposedTime));
        vm.warp(uint256(proposedTime) + 24 hours - 1);
        assertFalse(mpv.isFinal(L2, t), "old evidence, new proposal");
        vm.warp(uint256(proposedTime) + 24 hours);
        assertTrue(mpv.isFinal(L2, t));
        // and from the evidence when it is the later one
        Transition memory u = _transition(11);
        proposedAt = block.number;
        proposedTime = uint40(block.timestamp);
        _drawBlockFor(u, proposedAt, false);
        assertFalse(mpv.drawZk(L2, u, proposedAt, proposedTime));
        vm.warp(block.timestamp + 10 hours);
        uint256 provenAt = block.timestamp;
        mpv.submitTeeProof(L2, u, _tee(key, u));
        vm.warp(provenAt + 24 hours - 1);
        assertFalse(mpv.isFinal(L2, u), "new evidence, older proposal");
        vm.warp(provenAt + 24 hours);
        assertTrue(mpv.isFinal(L2, u));
    }

    // ------------------------------------------------------------------ TEE refusals

    /// @dev zk true, TEE refuses: contested, the rollup paused, nothing final; governance resolves.
    function test_teeRefusal_zkTrue_contestedAndPaused() public {
        Transition memory t = _transition(10);
        Transition memory other = _transition(11);
        mpv.prove(L2, other, _zk(other), _tee(key, other));
        assertTrue(mpv.isFinal(L2, other));
        assertTrue(mpv.submitZkProof(L2, t, _zk(t)));
        bytes32 slot = mpv.slotOf(L2, t);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TransitionRefused(L2, slot, prover, 6);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TransitionContested(L2, slot, t.postStateRoot, bytes32(0));
        mpv.submitTeeRefusal(L2, t, _refusal(key, t));
        assertTrue(mpv.evidenceOf(slot).contested);
        assertEq(mpv.rollupOf(L2).openContests, 1);
        assertFalse(mpv.isFinal(L2, t));
        assertFalse(mpv.isFinal(L2, other), "the whole rollup is paused");
        // nothing more is recorded for the slot until governance resolves it
        MultiProofVerifier.TeeEvidence memory proof = _tee(key, t);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.TransitionIsContested.selector, slot));
        mpv.submitTeeProof(L2, t, proof);
        MultiProofVerifier.TeeRefusal memory again = _refusal(key, t);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.TransitionIsContested.selector, slot));
        mpv.submitTeeRefusal(L2, t, again);
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
        assertEq(mpv.rollupOf(L2).openContests, 0);
        assertTrue(mpv.isFinal(L2, other));
    }

    /// @dev A refusal with no evidence recorded yet contests too (the TEE spoke first).
    function test_teeRefusal_beforeAnyProof_contests() public {
        Transition memory t = _transition(10);
        mpv.submitTeeRefusal(L2, t, _refusal(key, t, 1, CHAIN_CONFIG));
        bytes32 slot = mpv.slotOf(L2, t);
        assertTrue(mpv.evidenceOf(slot).contested);
        bytes memory zk = _zk(t);
        MultiProofVerifier.TeeEvidence memory proof = _tee(key, t);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.TransitionIsContested.selector, slot));
        mpv.prove(L2, t, zk, proof);
    }

    function test_teeRefusal_refusals() public {
        Transition memory t = _transition(10);
        // an unregistered key
        uint256 stranger = 0xbad;
        MultiProofVerifier.TeeRefusal memory r = _refusal(stranger, t);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotRegistered.selector, vm.addr(stranger)));
        mpv.submitTeeRefusal(L2, t, r);
        // made under another chain config
        r = _refusal(key, t, 6, keccak256("another config"));
        vm.expectRevert(
            abi.encodeWithSelector(
                MultiProofVerifier.ChainConfigMismatch.selector, L2, CHAIN_CONFIG, keccak256("another config")
            )
        );
        mpv.submitTeeRefusal(L2, t, r);
        // signed for another block, or with another reason than the one submitted
        Transition memory u = _transition(11);
        r = _refusal(key, u);
        vm.expectRevert();
        mpv.submitTeeRefusal(L2, t, r);
        r = _refusal(key, t);
        r.reason = 2;
        vm.expectRevert();
        mpv.submitTeeRefusal(L2, t, r);
        // a proof of the block is not a refusal of it
        MultiProofVerifier.TeeEvidence memory proof = _tee(key, t);
        r = MultiProofVerifier.TeeRefusal(CHAIN_CONFIG, 6, proof.proof);
        vm.expectRevert();
        mpv.submitTeeRefusal(L2, t, r);
        // not the inbox
        r = _refusal(key, t);
        vm.prank(prover);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, prover));
        mpv.submitTeeRefusal(L2, t, r);
        // a multi-block transition
        Transition memory range = Transition(9, 10, t.parentHash, t.preStateRoot, t.blockHash, t.postStateRoot);
        vm.expectRevert(MultiProofVerifier.InvalidTransition.selector);
        mpv.submitTeeRefusal(L2, range, r);
        // a revoked instance
        vm.prank(guardian);
        tee.revoke(prover);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRevoked.selector, prover));
        mpv.submitTeeRefusal(L2, t, r);
        assertFalse(mpv.evidenceOf(mpv.slotOf(L2, t)).contested);
        assertEq(mpv.rollupOf(L2).openContests, 0);
    }

    // ------------------------------------------------------------------ governance and refusals

    function test_zkVerifier_replacedOrDisabled_voidsZkEvidence() public {
        Transition memory t = _transition(10);
        mpv.prove(L2, t, _zk(t), _tee(key, t));
        assertTrue(mpv.isFinal(L2, t));
        vm.prank(admin);
        mpv.setZkVerifier(L2, IRollupZkVerifier(address(0)));
        assertFalse(mpv.isFinal(L2, t));
        Transition memory u = _transition(11);
        bytes memory zkProof = _zk(u);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.ZkVerifierDisabled.selector, L2));
        mpv.submitZkProof(L2, u, zkProof);
    }

    function test_proofMix_boundsAndEvents() public {
        vm.startPrank(admin);
        vm.expectRevert(MultiProofVerifier.ParameterOutOfBounds.selector);
        mpv.setProofMix(L2, 10_001, 1 days);
        vm.expectRevert(MultiProofVerifier.ParameterOutOfBounds.selector);
        mpv.setProofMix(L2, 1_000, 1 hours - 1); // TEE-only can never be (nearly) instant
        vm.expectRevert(MultiProofVerifier.ParameterOutOfBounds.selector);
        mpv.setProofMix(L2, 1_000, 30 days + 1);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ProofMixSet(L2, 0, 1 hours);
        mpv.setProofMix(L2, 0, 1 hours);
        vm.stopPrank();
        // not drawn: no transition needs ZK at share 0, every one at a share above
        assertFalse(mpv.needsZk(L2, _transition(10)));
        vm.prank(admin);
        mpv.setProofMix(L2, 1, 1 hours);
        assertTrue(mpv.needsZk(L2, _transition(10)));
        vm.prank(admin);
        mpv.setProofMix(L2, 10_000, 1 hours);
        assertTrue(mpv.needsZk(L2, _transition(10)));
    }

    function test_rollup_refusals() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupAlreadyAdded.selector, L2));
        mpv.addRollup(L2, CHAIN_CONFIG, zkStandIn);
        vm.expectRevert(MultiProofVerifier.ZeroAddress.selector);
        mpv.addRollup(L2 + 1, CHAIN_CONFIG, IRollupZkVerifier(address(0)));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupUnknown.selector, L2 + 1));
        mpv.setProofMix(L2 + 1, 0, 1 hours);
        vm.stopPrank();
        Transition memory t = _transition(10);
        bytes memory zkProof = _zk(t);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupUnknown.selector, L2 + 1));
        mpv.submitZkProof(L2 + 1, t, zkProof);
        assertFalse(mpv.isFinal(L2 + 1, t));

        Transition memory bad = Transition(11, 10, t.parentHash, t.preStateRoot, t.blockHash, t.postStateRoot);
        vm.expectRevert(MultiProofVerifier.InvalidTransition.selector);
        mpv.submitZkProof(L2, bad, zkProof);
        bad = _withPost(t, bytes32(0));
        vm.expectRevert(MultiProofVerifier.InvalidTransition.selector);
        mpv.submitZkProof(L2, bad, zkProof);

        address nobody = makeAddr("nobody");
        bytes32 role = mpv.ROLLUP_ADMIN_ROLE();
        bytes memory err =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role);
        vm.startPrank(nobody);
        vm.expectRevert(err);
        mpv.addRollup(5, CHAIN_CONFIG, zkStandIn);
        vm.expectRevert(err);
        mpv.setZkVerifier(L2, zkStandIn);
        vm.expectRevert(err);
        mpv.setProofMix(L2, 0, 1 hours);
        vm.stopPrank();
    }

    function test_teeRefusal_bubblesTheVerifierError() public {
        Transition memory t = _transition(10);
        MultiProofVerifier.TeeEvidence memory ev = _tee(key, t);
        ev.proof = hex"00";
        vm.expectRevert(abi.encodeWithSelector(TeeVerifier.InvalidProofLength.selector, 1));
        mpv.submitTeeProof(L2, t, ev);
    }

    // ------------------------------------------------------------------ chain config

    bytes32 internal constant OTHER_CONFIG = keccak256("chain config with another fork schedule");

    function _mismatch(bytes32 expected, bytes32 got) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(MultiProofVerifier.ChainConfigMismatch.selector, L2, expected, got);
    }

    function test_chainConfig_setOnAdd() public {
        assertEq(mpv.rollupOf(L2).chainConfigHash, CHAIN_CONFIG);
        uint256 l2b = L2 + 1;
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.RollupAdded(l2b, address(zkStandIn), 1_000, 24 hours);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ChainConfigSet(l2b, OTHER_CONFIG);
        vm.prank(admin);
        mpv.addRollup(l2b, OTHER_CONFIG, zkStandIn);
        assertEq(mpv.rollupOf(l2b).chainConfigHash, OTHER_CONFIG);
    }

    function test_addRollup_zeroChainConfigHashRefused() public {
        vm.prank(admin);
        vm.expectRevert(MultiProofVerifier.ZeroChainConfigHash.selector);
        mpv.addRollup(L2 + 1, bytes32(0), zkStandIn);
        assertFalse(mpv.rollupOf(L2 + 1).registered);
    }

    function test_submitTeeProof_otherChainConfig_refused() public {
        Transition memory t = _transition(10);
        MultiProofVerifier.TeeEvidence memory ev = _tee(key, t, OTHER_CONFIG);
        vm.expectRevert(_mismatch(CHAIN_CONFIG, OTHER_CONFIG));
        mpv.submitTeeProof(L2, t, ev);
        ev = _teeBatch(key, t, OTHER_CONFIG);
        vm.expectRevert(_mismatch(CHAIN_CONFIG, OTHER_CONFIG));
        mpv.submitTeeProof(L2, t, ev);
        // made under another config but claiming the rollup's: the signature does not match
        ev = _tee(key, t, OTHER_CONFIG);
        ev.chainConfigHash = CHAIN_CONFIG;
        vm.expectPartialRevert(TeeVerifier.SignerMismatch.selector);
        mpv.submitTeeProof(L2, t, ev);
        assertEq(mpv.evidenceOf(mpv.slotOf(L2, t)).teeProver, address(0));
        // made and claimed under the rollup's config: accepted
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
    }

    function test_prove_otherChainConfig_refusedZkKept() public {
        Transition memory t = _transition(10);
        bytes32 slot = mpv.slotOf(L2, t);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ZkProofAccepted(L2, slot, t.postStateRoot);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofRefused(L2, slot, _mismatch(CHAIN_CONFIG, OTHER_CONFIG));
        assertFalse(mpv.prove(L2, t, _zk(t), _tee(key, t, OTHER_CONFIG)));
        assertEq(mpv.evidenceOf(slot).zkEpoch, 1);
        assertEq(mpv.evidenceOf(slot).teeProver, address(0));
        assertFalse(mpv.isFinal(L2, t));
        assertEq(mpv.rollupOf(L2).openContests, 0);

        // the batch form, on a range
        Transition memory r =
            Transition(20, 30, keccak256("p"), keccak256("pre"), keccak256("last block"), keccak256("post"));
        bytes32 rangeSlot = mpv.slotOf(L2, r);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofRefused(L2, rangeSlot, _mismatch(CHAIN_CONFIG, OTHER_CONFIG));
        assertFalse(mpv.prove(L2, r, _zk(r), _teeBatch(key, r, OTHER_CONFIG)));

        // a proof under the rollup's config completes both
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        assertTrue(mpv.isFinal(L2, t));
    }

    function test_setChainConfig_eventAndAdminOnly() public {
        address nobody = makeAddr("nobody");
        bytes32 role = mpv.ROLLUP_ADMIN_ROLE();
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role));
        mpv.setChainConfig(L2, OTHER_CONFIG);
        assertEq(mpv.rollupOf(L2).chainConfigHash, CHAIN_CONFIG);

        vm.startPrank(admin);
        vm.expectRevert(MultiProofVerifier.ZeroChainConfigHash.selector);
        mpv.setChainConfig(L2, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.RollupUnknown.selector, L2 + 1));
        mpv.setChainConfig(L2 + 1, OTHER_CONFIG);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ChainConfigSet(L2, OTHER_CONFIG);
        mpv.setChainConfig(L2, OTHER_CONFIG);
        vm.stopPrank();
        assertEq(mpv.rollupOf(L2).chainConfigHash, OTHER_CONFIG);
    }

    function test_setChainConfig_oldHashRefusedNewAccepted() public {
        Transition memory earlier = _transition(10);
        _draw(earlier, false);
        assertTrue(mpv.submitTeeProof(L2, earlier, _tee(key, earlier)));

        vm.prank(admin);
        mpv.setChainConfig(L2, OTHER_CONFIG);

        Transition memory t = _transition(11);
        MultiProofVerifier.TeeEvidence memory old = _tee(key, t);
        vm.expectRevert(_mismatch(OTHER_CONFIG, CHAIN_CONFIG));
        mpv.submitTeeProof(L2, t, old);
        bytes memory zkProof = _zk(t);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofRefused(L2, mpv.slotOf(L2, t), _mismatch(OTHER_CONFIG, CHAIN_CONFIG));
        assertFalse(mpv.prove(L2, t, zkProof, old));
        assertFalse(mpv.isFinal(L2, t));

        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofAccepted(L2, mpv.slotOf(L2, t), t.postStateRoot, prover);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t, OTHER_CONFIG)));
        assertTrue(mpv.isFinal(L2, t));

        // evidence recorded under the previous config keeps counting
        vm.warp(block.timestamp + 24 hours);
        assertTrue(mpv.isFinal(L2, earlier));
    }

    /// @dev The draw follows the share: 0 never, 10 000 always, and about the share in between
    /// (200 transitions, each drawn from its own L1 block hash).
    function testFuzz_proofMixDraw(uint16 share, bytes32 seed) public {
        share = uint16(bound(share, 0, 10_000));
        vm.prank(admin);
        mpv.setProofMix(L2, share, 1 hours);
        uint256 drawn;
        for (uint64 i = 0; i < 200; ++i) {
            Transition memory t = _transition(10 + i);
            uint256 from = block.number + mpv.DRAW_DELAY();
            vm.roll(from + 1);
            vm.setBlockhash(from, keccak256(abi.encode(seed, i)));
            bool zk = mpv.drawZk(L2, t, from - mpv.DRAW_DELAY(), uint40(block.timestamp));
            assertEq(zk, mpv.needsZk(L2, t));
            if (zk) ++drawn;
        }
        if (share == 0) assertEq(drawn, 0);
        if (share == 10_000) assertEq(drawn, 200);
        // loose binomial bound (mean 200·p, sd <= 7.1): 6 sd
        assertApproxEqAbs(drawn, uint256(share) * 200 / 10_000, 43);
    }
}
