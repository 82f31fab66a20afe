// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {MultiProofFixture} from "./MultiProofVerifier.t.sol";
import {MultiProofVerifier} from "../src/MultiProofVerifier.sol";
import {RollupSettlement} from "../src/RollupSettlement.sol";
import {ProverRewards} from "../src/ProverRewards.sol";
import {Transition} from "../src/interfaces/IRollupZkVerifier.sol";
import {TestToken} from "./standins/TestToken.sol";

contract RollupSettlementTest is MultiProofFixture {
    RollupSettlement internal settlement;
    ProverRewards internal rewards;
    TestToken internal token;
    address internal proposer = makeAddr("proposer");
    uint128 internal constant REWARD = 5 ether;

    function setUp() public {
        setUpMultiProof();
        token = new TestToken();
        rewards = new ProverRewards(admin, token, tee);
        settlement = new RollupSettlement(
            admin,
            proposer,
            L2,
            mpv,
            rewards,
            RollupSettlement.Proposal(
                9, keccak256(abi.encode("block", uint64(9))), keccak256(abi.encode("state", uint64(9)))
            )
        );
        vm.startPrank(admin);
        rewards.createPool(L2, address(settlement), REWARD, 10);
        mpv.setInbox(L2, address(settlement));
        vm.stopPrank();
        token.mint(address(this), 1_000 ether);
        token.approve(address(rewards), type(uint256).max);
        rewards.fund(L2, 1_000 ether);
    }

    /// @dev Proposes block `n` (as {_claim} describes it).
    function _propose(uint64 n) internal returns (uint256 index) {
        vm.prank(proposer);
        index = settlement.propose(n, _claim(n).blockHash, _claim(n).postStateRoot);
    }

    function _proveBoth(uint256 index) internal {
        Transition memory t = settlement.transitionOf(index);
        assertTrue(settlement.prove(index, _zk(t), _tee(key, t)));
    }

    // ------------------------------------------------------------------ the flow

    function test_proposeProveFinalize_andRewards() public {
        uint256 i = _propose(10);
        assertEq(i, 1);
        Transition memory t = settlement.transitionOf(i);
        assertEq(keccak256(abi.encode(t)), keccak256(abi.encode(_transition(10))));
        _proveBoth(i);
        vm.expectEmit(address(settlement));
        emit RollupSettlement.Finalized(1, 10, t.blockHash, t.postStateRoot, prover);
        assertEq(settlement.finalize(10), 1);
        (uint64 n, bytes32 h, bytes32 root) = settlement.finalizedHead();
        assertEq(n, 10);
        assertEq(h, t.blockHash);
        assertEq(root, t.postStateRoot);
        assertEq(rewards.owed(beneficiary), REWARD);
        vm.prank(beneficiary);
        rewards.claim(beneficiary);
        assertEq(token.balanceOf(beneficiary), REWARD);
    }

    /// @notice A relayer settles a block in one transaction (one L1 block of latency): propose,
    /// prove with both proofs and finalize, batched with `multicall` (roles still apply per call).
    function test_proposeProveFinalize_inOneTransaction() public {
        Transition memory t = _transition(10);
        bytes[] memory calls = new bytes[](3);
        calls[0] = abi.encodeCall(settlement.propose, (10, t.blockHash, t.postStateRoot));
        calls[1] = abi.encodeCall(settlement.prove, (1, _zk(t), _tee(key, t)));
        calls[2] = abi.encodeCall(settlement.finalize, (1));
        vm.prank(proposer);
        settlement.multicall(calls);
        (uint64 n,, bytes32 root) = settlement.finalizedHead();
        assertEq(n, 10);
        assertEq(root, t.postStateRoot);
        // Without the proposer role the batch reverts as a whole.
        t = _transition(11);
        calls[0] = abi.encodeCall(settlement.propose, (11, t.blockHash, t.postStateRoot));
        calls[1] = abi.encodeCall(settlement.prove, (2, _zk(t), _tee(key, t)));
        calls[2] = abi.encodeCall(settlement.finalize, (1));
        vm.expectRevert();
        settlement.multicall(calls);
        assertEq(settlement.proposalCount(), 2);
    }

    function test_genesisIsTheFirstFinalizedHead() public view {
        (uint64 n, bytes32 h, bytes32 root) = settlement.finalizedHead();
        assertEq(n, 9);
        assertEq(h, keccak256(abi.encode("block", uint64(9))));
        assertEq(root, keccak256(abi.encode("state", uint64(9))));
        assertEq(settlement.proposalCount(), 1);
    }

    function test_finalizesStrictlyInOrder() public {
        _propose(10);
        _propose(11);
        _propose(12);
        _proveBoth(2);
        _proveBoth(3);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(10);
        _proveBoth(1);
        assertEq(settlement.finalize(2), 2, "maxCount respected");
        assertEq(settlement.lastFinalized(), 2);
        assertEq(settlement.finalize(10), 1);
        (uint64 n,,) = settlement.finalizedHead();
        assertEq(n, 12);
        assertEq(rewards.owed(beneficiary), 3 * REWARD);
    }

    function test_multiBlockProposal_withBatchProof() public {
        vm.prank(proposer);
        settlement.propose(20, keccak256("block 20"), keccak256("state 20"));
        Transition memory t = settlement.transitionOf(1);
        assertEq(t.firstBlock, 10);
        assertEq(t.lastBlock, 20);
        settlement.prove(1, _zk(t), _teeBatch(key, t));
        settlement.finalize(1);
        assertEq(rewards.owed(beneficiary), 11 * REWARD);
    }

    function test_teeFirstProposal_finalAfterTheDelay() public {
        vm.prank(proposer);
        settlement.propose(12, _claim(12).blockHash, _claim(12).postStateRoot);
        Transition memory t = settlement.transitionOf(1); // blocks 10..12
        assertTrue(settlement.proveTee(1, _teeBatch(key, t)));
        // not drawn yet: needs ZK
        vm.warp(block.timestamp + 24 hours);
        assertTrue(mpv.needsZk(L2, t));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        // drawn TEE-first from the L1 block DRAW_DELAY after the proposal: final (the delay passed)
        _drawBlockFor(t, settlement.proposedAt(1), false);
        assertFalse(settlement.drawZk(1));
        assertFalse(mpv.needsZk(L2, t));
        assertEq(settlement.finalize(1), 1);
    }

    function test_teeFirstProposal_notFinalBeforeTheDelay() public {
        _propose(10);
        Transition memory t = settlement.transitionOf(1);
        assertTrue(settlement.proveTee(1, _tee(key, t)));
        _drawBlockFor(t, settlement.proposedAt(1), false);
        settlement.drawZk(1);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        vm.warp(block.timestamp + 24 hours);
        assertEq(settlement.finalize(1), 1);
    }

    /// @dev A proposer holding a (compromised) registered key records TEE evidence of its block
    /// long before it proposes it: with no zk share the verifier calls it final, but it is not
    /// finalized until the soft-finality delay has passed since the proposal (the zk prover's window
    /// to contest it).
    function test_teeFirstProposal_delayCountsFromTheProposal_notTheEvidence() public {
        vm.prank(admin);
        mpv.setProofMix(L2, 0, 24 hours);
        Transition memory t = _transition(10);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        vm.warp(block.timestamp + 30 days);
        vm.roll(block.number + 1_000);
        assertFalse(mpv.isFinal(L2, t), "the verifier: never proposed, never drawn");
        uint256 proposedTime = block.timestamp;
        uint256 proposedAt = block.number;
        _propose(10);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        _drawBlockFor(t, proposedAt, false);
        assertFalse(settlement.drawZk(1));
        assertFalse(mpv.isFinal(L2, t), "the verifier: the delay counts from the proposal");
        vm.warp(proposedTime + 24 hours - 1);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        vm.warp(proposedTime + 24 hours);
        assertEq(settlement.finalize(1), 1);
        (uint64 n,,) = settlement.finalizedHead();
        assertEq(n, 10);
    }

    /// @dev A zk-proven proposal is final at once, however old or new its evidence.
    function test_zkProvenProposal_evidenceBeforeTheProposal_finalAtOnce() public {
        // both proofs recorded long before the proposal
        Transition memory t = _transition(10);
        assertTrue(mpv.prove(L2, t, _zk(t), _tee(key, t)));
        vm.warp(block.timestamp + 30 days);
        _propose(10);
        assertEq(settlement.finalize(1), 1);
        // TEE evidence recorded before the proposal, the zk proof after it
        t = _transition(11);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        vm.warp(block.timestamp + 30 days);
        _propose(11);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        assertTrue(settlement.proveZk(2, _zk(t)));
        assertEq(settlement.finalize(1), 1);
        (uint64 n,,) = settlement.finalizedHead();
        assertEq(n, 11);
    }

    // ------------------------------------------------------------------ the proof-mix draw

    /// @dev The proposal's L1 block is recorded, and its draw comes from the hash of the block
    /// DRAW_DELAY after it: not before that block exists, through anyone.
    function test_drawZk_fromTheL1BlockAfterTheProposal() public {
        assertEq(settlement.proposedAt(0), block.number, "the anchor: the deployment's block");
        vm.roll(block.number + 7);
        uint256 proposedAt = block.number;
        _propose(10);
        assertEq(settlement.proposedAt(1), proposedAt);
        Transition memory t = settlement.transitionOf(1);
        bytes32 slot = mpv.slotOf(L2, t);
        uint256 from = proposedAt + mpv.DRAW_DELAY();
        vm.roll(from);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.DrawNotReady.selector, slot, from));
        settlement.drawZk(1);
        _drawBlockFor(t, proposedAt, true);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.ZkDrawn(L2, slot, from, mpv.rollOf(L2, 10, 10, blockhash(from)));
        vm.prank(makeAddr("anyone"));
        assertTrue(settlement.drawZk(1));
        assertTrue(mpv.needsZk(L2, t));
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.AlreadyDrawn.selector, slot));
        settlement.drawZk(1);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 2));
        settlement.proposedAt(2);
    }

    /// @dev A proposer that records TEE evidence of variants of its block before proposing (to see
    /// their draws, then propose the best) sees nothing: only the settlement draws, and only from
    /// the block after the proposal.
    function test_drawZk_evidenceBeforeTheProposalRevealsNothing() public {
        Transition memory t = _transition(10);
        assertTrue(mpv.submitTeeProof(L2, t, _tee(key, t)));
        vm.roll(block.number + 500);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, proposer));
        mpv.drawZk(L2, t, block.number - 400, uint40(block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 1));
        settlement.drawZk(1);
        vm.warp(block.timestamp + 24 hours);
        assertTrue(mpv.needsZk(L2, t));
        uint256 proposedAt = block.number;
        _propose(10);
        assertEq(keccak256(abi.encode(settlement.transitionOf(1))), keccak256(abi.encode(t)));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        uint256 from = _drawBlockFor(t, proposedAt, false);
        assertGt(from, proposedAt);
        assertFalse(settlement.drawZk(1));
        // drawn TEE-first, and the evidence is older than the delay: the delay still counts from
        // the proposal, in the verifier itself
        assertFalse(mpv.isFinal(L2, t));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        vm.warp(block.timestamp + 24 hours);
        assertEq(settlement.finalize(1), 1);
    }

    function test_drawZk_refusals() public {
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 0));
        settlement.drawZk(0);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 1));
        settlement.drawZk(1);
        uint256 proposedAt = block.number;
        _propose(10);
        Transition memory t = settlement.transitionOf(1);
        bytes32 slot = mpv.slotOf(L2, t);
        uint256 from = _drawBlockFor(t, proposedAt, false);
        vm.roll(from + mpv.DRAW_WINDOW() + 1);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.DrawWindowMissed.selector, slot, from));
        settlement.drawZk(1);
        // missed: TEE alone never finalizes it; the zk proof does, and then it cannot be drawn
        assertTrue(settlement.proveTee(1, _tee(key, t)));
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        assertTrue(settlement.proveZk(1, _zk(t)));
        assertEq(settlement.finalize(1), 1);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 1));
        settlement.drawZk(1);
    }

    /// @dev A proposal discarded and made again keeps its transition's first draw.
    function test_drawZk_reproposedTransitionKeepsItsDraw() public {
        uint256 proposedAt = block.number;
        _propose(10);
        Transition memory t = settlement.transitionOf(1);
        _drawBlockFor(t, proposedAt, true);
        assertTrue(settlement.drawZk(1));
        vm.prank(admin);
        settlement.discardFrom(1);
        proposedAt = block.number;
        _propose(10);
        _drawBlockFor(t, proposedAt, false);
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.AlreadyDrawn.selector, mpv.slotOf(L2, t)));
        settlement.drawZk(1);
        assertTrue(mpv.needsZk(L2, t));
    }

    function test_contestPausesFinalization() public {
        _propose(10);
        _proveBoth(1);
        // a second enclave signs another post-state root for block 10: contested
        (uint256 key2,) = _activeProver();
        Transition memory t = settlement.transitionOf(1);
        Transition memory forged = _withPost(t, keccak256("forged"));
        assertFalse(mpv.submitTeeProof(L2, forged, _tee(key2, forged)));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        // governance: revoke the lying instance, clear the slot, re-prove
        vm.prank(guardian);
        tee.revoke(vm.addr(key2));
        bytes32 slot = mpv.slotOf(L2, t);
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
        _proveBoth(1);
        assertEq(settlement.finalize(1), 1);
    }

    /// @dev The seed's third case: the zk proof holds, the TEE refuses the proposed block. Not
    /// accepted: contested, paused; governance discards the proposal and resolves the contest, and
    /// the rollup goes on from a valid proposal.
    function test_teeRefusal_zkTrue_contested_governanceDiscards() public {
        vm.prank(proposer);
        settlement.propose(10, keccak256("an invalid block"), keccak256("its claimed root"));
        Transition memory bad = settlement.transitionOf(1);
        assertTrue(settlement.proveZk(1, _zk(bad)), "a buggy zk verifier says yes");
        settlement.refuse(1, _refusal(key, bad));
        bytes32 slot = mpv.slotOf(L2, bad);
        assertTrue(mpv.evidenceOf(slot).contested);
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        // governance: the block was invalid
        vm.startPrank(admin);
        settlement.discardFrom(1);
        mpv.resolveContest(L2, slot);
        vm.stopPrank();
        _propose(10);
        _proveBoth(1);
        assertEq(settlement.finalize(1), 1);
        (, bytes32 hash,) = settlement.finalizedHead();
        assertEq(hash, _claim(10).blockHash);
    }

    /// @dev A lying TEE refuses a valid block: contested all the same; governance revokes the
    /// instance and resolves the contest the other way, and the proposal is proven again.
    function test_teeRefusal_lyingTee_governanceRevokesIt() public {
        _propose(10);
        _proveBoth(1);
        (uint256 liar,) = _activeProver();
        Transition memory t = settlement.transitionOf(1);
        settlement.refuse(1, _refusal(liar, t));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        vm.prank(guardian);
        tee.revoke(vm.addr(liar));
        bytes32 slot = mpv.slotOf(L2, t);
        vm.prank(admin);
        mpv.resolveContest(L2, slot);
        _proveBoth(1);
        assertEq(settlement.finalize(1), 1);
    }

    function test_teeRefusal_onlyOfAPendingProposal() public {
        _propose(10);
        _proveBoth(1);
        settlement.finalize(1);
        Transition memory t = settlement.transitionOf(1);
        MultiProofVerifier.TeeRefusal memory r = _refusal(key, t);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 1));
        settlement.refuse(1, r);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 2));
        settlement.refuse(2, r);
        // straight to the verifier: only the inbox
        vm.expectRevert(abi.encodeWithSelector(MultiProofVerifier.NotInbox.selector, L2, address(this)));
        mpv.submitTeeRefusal(L2, t, r);
    }

    function test_zkOnlyProposal_neverFinal() public {
        _propose(10);
        Transition memory t = settlement.transitionOf(1);
        settlement.proveZk(1, _zk(t));
        vm.warp(block.timestamp + 365 days);
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
    }

    // ------------------------------------------------------------------ refusals

    function test_propose_refusals() public {
        bytes32 role = settlement.PROPOSER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), role)
        );
        settlement.propose(10, keccak256("h"), keccak256("s"));
        vm.startPrank(proposer);
        vm.expectRevert(RollupSettlement.InvalidProposal.selector);
        settlement.propose(9, keccak256("h"), keccak256("s"));
        vm.expectRevert(RollupSettlement.InvalidProposal.selector);
        settlement.propose(10, bytes32(0), keccak256("s"));
        vm.expectRevert(RollupSettlement.InvalidProposal.selector);
        settlement.propose(10, keccak256("h"), bytes32(0));
        vm.stopPrank();
    }

    function test_prove_refusals() public {
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 1));
        settlement.proveZk(1, "");
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 0));
        settlement.proveZk(0, "");
        _propose(10);
        _proveBoth(1);
        settlement.finalize(1);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 1));
        settlement.proveZk(1, "");
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 5));
        settlement.proposalOf(5);
    }

    function test_prove_proofUnderAnotherChainConfig_refused() public {
        _propose(10);
        Transition memory t = settlement.transitionOf(1);
        bytes32 other = keccak256("chain config with another fork schedule");
        bytes memory mismatch =
            abi.encodeWithSelector(MultiProofVerifier.ChainConfigMismatch.selector, L2, CHAIN_CONFIG, other);
        MultiProofVerifier.TeeEvidence memory ev = _tee(key, t, other);
        vm.expectRevert(mismatch);
        settlement.proveTee(1, ev);
        vm.expectEmit(address(mpv));
        emit MultiProofVerifier.TeeProofRefused(L2, mpv.slotOf(L2, t), mismatch);
        assertFalse(settlement.prove(1, _zk(t), ev));
        vm.expectRevert(RollupSettlement.NothingToFinalize.selector);
        settlement.finalize(1);
        assertTrue(settlement.proveTee(1, _tee(key, t)));
        assertEq(settlement.finalize(1), 1);
    }

    function test_discardFrom() public {
        _propose(10);
        _propose(11);
        _propose(12);
        _proveBoth(1);
        settlement.finalize(1);
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalFinalized.selector, 1));
        settlement.discardFrom(1);
        vm.expectRevert(abi.encodeWithSelector(RollupSettlement.ProposalUnknown.selector, 4));
        settlement.discardFrom(4);
        vm.expectEmit(address(settlement));
        emit RollupSettlement.Discarded(2, 2, admin);
        settlement.discardFrom(2);
        vm.stopPrank();
        assertEq(settlement.proposalCount(), 2);
        assertEq(_propose(11), 2);
        bytes32 role = settlement.GOVERNOR_ROLE();
        vm.prank(proposer);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, proposer, role)
        );
        settlement.discardFrom(2);
    }

    function test_rewardFailureDoesNotBlockFinalization() public {
        vm.prank(admin);
        rewards.setCrediter(L2, makeAddr("someone else"));
        _propose(10);
        _proveBoth(1);
        vm.expectEmit(address(settlement));
        emit RollupSettlement.RewardCreditFailed(
            1, abi.encodeWithSelector(ProverRewards.NotCrediter.selector, address(settlement))
        );
        assertEq(settlement.finalize(1), 1);
        assertEq(rewards.owed(beneficiary), 0);
    }

    function test_finalizeNeedsGasForTheRewardCredit() public {
        _propose(10);
        _proveBoth(1);
        vm.expectRevert(RollupSettlement.InsufficientGasForRewards.selector);
        settlement.finalize{gas: 150_000}(1);
        settlement.finalize(1);
        assertEq(rewards.owed(beneficiary), REWARD);
    }

    function test_withoutRewards() public {
        RollupSettlement plain = new RollupSettlement(
            admin,
            proposer,
            L2,
            mpv,
            ProverRewards(address(0)),
            RollupSettlement.Proposal(
                9, keccak256(abi.encode("block", uint64(9))), keccak256(abi.encode("state", uint64(9)))
            )
        );
        vm.prank(proposer);
        plain.propose(10, _claim(10).blockHash, _claim(10).postStateRoot);
        Transition memory t = plain.transitionOf(1);
        plain.prove(1, _zk(t), _tee(key, t));
        assertEq(plain.finalize(1), 1);
    }
}
