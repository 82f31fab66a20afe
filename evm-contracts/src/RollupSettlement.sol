// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {MultiProofVerifier} from "./MultiProofVerifier.sol";
import {ProverRewards} from "./ProverRewards.sol";
import {Transition} from "./interfaces/IRollupZkVerifier.sol";

/// @title RollupSettlement
/// @notice A small, complete example rollup inbox on L1: a proposer posts state roots (each
/// proposal covers the blocks after the previous one), anyone proves them through the
/// {MultiProofVerifier}, and they finalize strictly in order once the verifier calls them final.
/// Anyone may submit a prover's TEE refusal of a pending proposal ({refuse}): it is contested and the
/// rollup paused until governance resolves it.
/// Each finalized proposal credits its TEE prover's beneficiary in {ProverRewards}.
/// It is the rollup's inbox in the verifier ({MultiProofVerifier-setInbox}): it records the L1 block
/// of each proposal and lets anyone have the proposal's proof mix drawn from a later L1 block hash
/// ({drawZk}), which the proposer cannot know when it proposes.
contract RollupSettlement is AccessControl, Multicall {
    /// @notice Posts proposals.
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @notice Discards pending proposals (after a contest showed them wrong).
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @notice A proposed state: the rollup after block `lastBlock`.
    struct Proposal {
        uint64 lastBlock;
        bytes32 blockHash;
        bytes32 postStateRoot;
    }

    /// @dev A proposal as stored: {Proposal} and the L1 block and time it was made in (packed with
    /// `lastBlock`, so recording them costs no storage write of their own).
    struct Stored {
        uint64 lastBlock;
        uint64 proposedAt;
        uint64 proposedTime;
        bytes32 blockHash;
        bytes32 postStateRoot;
    }

    /// @notice The rollup's L2 chain id.
    uint256 public immutable l2ChainId;
    /// @notice The dual-check verifier.
    MultiProofVerifier public immutable verifier;
    /// @notice The reward pool (zero: no rewards).
    ProverRewards public immutable rewards;

    /// @notice Gas given to each reward credit.
    uint256 public constant CREDIT_GAS = 150_000;

    Stored[] internal _proposals;
    /// @notice Index of the last finalized proposal (0 = the genesis anchor).
    uint256 public lastFinalized;

    /// @notice Proposal `index` claims blocks `firstBlock..lastBlock` end in `blockHash` with state
    /// `postStateRoot`.
    event Proposed(
        uint256 indexed index, uint64 firstBlock, uint64 lastBlock, bytes32 blockHash, bytes32 postStateRoot
    );
    /// @notice Proposal `index` is final; `teeProver` proved it.
    event Finalized(
        uint256 indexed index, uint64 lastBlock, bytes32 blockHash, bytes32 postStateRoot, address teeProver
    );
    /// @notice Crediting the prover of proposal `index` failed with `reason` (finalization went on).
    event RewardCreditFailed(uint256 indexed index, bytes reason);
    /// @notice Pending proposals from `fromIndex` on (`count` of them) were discarded.
    event Discarded(uint256 indexed fromIndex, uint256 count, address indexed by);

    error ZeroAddress();
    error InvalidProposal();
    error ProposalUnknown(uint256 index);
    error ProposalFinalized(uint256 index);
    error NothingToFinalize();
    error InsufficientGasForRewards();

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE.
    /// @param proposer Holder of PROPOSER_ROLE.
    /// @param chainId The L2 chain id.
    /// @param multiProof The dual-check verifier (the rollup must be added there).
    /// @param pool The reward pool, or zero.
    /// @param genesis The anchor: the finalized state proposals build on.
    constructor(
        address admin,
        address proposer,
        uint256 chainId,
        MultiProofVerifier multiProof,
        ProverRewards pool,
        Proposal memory genesis
    ) {
        if (admin == address(0) || proposer == address(0) || address(multiProof) == address(0)) {
            revert ZeroAddress();
        }
        l2ChainId = chainId;
        verifier = multiProof;
        rewards = pool;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PROPOSER_ROLE, proposer);
        _proposals.push(
            Stored(
                genesis.lastBlock,
                uint64(block.number),
                uint64(block.timestamp),
                genesis.blockHash,
                genesis.postStateRoot
            )
        );
        emit Finalized(0, genesis.lastBlock, genesis.blockHash, genesis.postStateRoot, address(0));
    }

    // ------------------------------------------------------------------ propose, prove, finalize

    /// @notice Proposes that the blocks after the latest proposal up to `lastBlock` end in
    /// `blockHash` with state root `postStateRoot`. The L1 block it is made in is recorded: the
    /// proposal's proof mix is drawn from a later one ({drawZk}); so is its time: a TEE-first
    /// proposal's soft-finality delay counts from it too (the draw gives it to the verifier).
    /// @return index The proposal's index.
    function propose(uint64 lastBlock, bytes32 blockHash, bytes32 postStateRoot)
        external
        onlyRole(PROPOSER_ROLE)
        returns (uint256 index)
    {
        Stored storage prev = _proposals[_proposals.length - 1];
        if (lastBlock <= prev.lastBlock || blockHash == bytes32(0) || postStateRoot == bytes32(0)) {
            revert InvalidProposal();
        }
        index = _proposals.length;
        _proposals.push(Stored(lastBlock, uint64(block.number), uint64(block.timestamp), blockHash, postStateRoot));
        emit Proposed(index, prev.lastBlock + 1, lastBlock, blockHash, postStateRoot);
    }

    /// @notice Proves proposal `index` with both proofs (see {MultiProofVerifier-prove}).
    function prove(uint256 index, bytes calldata zkProof, MultiProofVerifier.TeeEvidence calldata tee)
        external
        returns (bool)
    {
        return verifier.prove(l2ChainId, _pending(index), zkProof, tee);
    }

    /// @notice Proves proposal `index` with a zk proof only.
    function proveZk(uint256 index, bytes calldata zkProof) external returns (bool) {
        return verifier.submitZkProof(l2ChainId, _pending(index), zkProof);
    }

    /// @notice Proves proposal `index` with a TEE-proof only (TEE-first, soft finality).
    function proveTee(uint256 index, MultiProofVerifier.TeeEvidence calldata tee) external returns (bool) {
        return verifier.submitTeeProof(l2ChainId, _pending(index), tee);
    }

    /// @notice Submits a TEE refusal of pending single-block proposal `index`: a registered prover
    /// signed that its block is invalid. The proposal is contested and the rollup paused (see
    /// {MultiProofVerifier-submitTeeRefusal}); governance then discards it ({discardFrom}) and
    /// resolves the contest, or, if the prover lied, revokes it and resolves the contest.
    function refuse(uint256 index, MultiProofVerifier.TeeRefusal calldata refusal) external {
        verifier.submitTeeRefusal(l2ChainId, _pending(index), refusal);
    }

    /// @notice Has pending proposal `index`'s proof mix drawn (anyone may): whether it needs a zk
    /// proof or may go TEE-first, from the hash of the L1 block {MultiProofVerifier-DRAW_DELAY}
    /// blocks after the one it was proposed in, in the window {MultiProofVerifier-drawZk} allows.
    /// Until it is drawn, and for good if nobody draws it in that window, it needs a zk proof.
    /// @return zkNeeded Whether it needs a zk proof (under the rollup's share now).
    function drawZk(uint256 index) external returns (bool zkNeeded) {
        Transition memory t = _pending(index);
        Stored storage p = _proposals[index];
        // casting to 'uint40' is safe because it is a block timestamp
        // forge-lint: disable-next-line(unsafe-typecast)
        return verifier.drawZk(l2ChainId, t, p.proposedAt, uint40(p.proposedTime));
    }

    /// @notice Finalizes, in order, up to `maxCount` proposals that the verifier calls final (a
    /// proposal not zk-proven only after the soft-finality delay since the later of its TEE-proof
    /// and its proposal, whose time this contract gives the verifier with the draw).
    /// @return count How many were finalized (reverts if none).
    function finalize(uint256 maxCount) external returns (uint256 count) {
        uint256 next = lastFinalized + 1;
        uint256 end = _proposals.length;
        while (count < maxCount && next < end) {
            Transition memory t = transitionOf(next);
            if (!verifier.isFinal(l2ChainId, t)) break;
            address prover = verifier.evidenceOf(verifier.slotOf(l2ChainId, t)).teeProver;
            lastFinalized = next;
            ++count;
            emit Finalized(next, t.lastBlock, t.blockHash, t.postStateRoot, prover);
            _credit(next, t, prover);
            ++next;
        }
        if (count == 0) revert NothingToFinalize();
    }

    /// @notice Discards the pending proposals from `fromIndex` on.
    function discardFrom(uint256 fromIndex) external onlyRole(GOVERNOR_ROLE) {
        uint256 end = _proposals.length;
        if (fromIndex >= end) revert ProposalUnknown(fromIndex);
        if (fromIndex <= lastFinalized) revert ProposalFinalized(fromIndex);
        for (uint256 i = end; i > fromIndex; --i) {
            _proposals.pop();
        }
        emit Discarded(fromIndex, end - fromIndex, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice The finalized head: last finalized block, its hash and state root.
    function finalizedHead() external view returns (uint64 blockNumber, bytes32 blockHash, bytes32 stateRoot) {
        Stored storage p = _proposals[lastFinalized];
        return (p.lastBlock, p.blockHash, p.postStateRoot);
    }

    /// @notice Number of proposals, the genesis anchor included.
    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    /// @notice Proposal `index`.
    function proposalOf(uint256 index) external view returns (Proposal memory) {
        if (index >= _proposals.length) revert ProposalUnknown(index);
        Stored storage p = _proposals[index];
        return Proposal(p.lastBlock, p.blockHash, p.postStateRoot);
    }

    /// @notice The L1 block proposal `index` was made in (for the anchor: the block of deployment).
    function proposedAt(uint256 index) external view returns (uint64) {
        if (index >= _proposals.length) revert ProposalUnknown(index);
        return _proposals[index].proposedAt;
    }

    /// @notice The transition proposal `index` (>= 1) claims, from proposal `index - 1`.
    function transitionOf(uint256 index) public view returns (Transition memory) {
        if (index == 0 || index >= _proposals.length) revert ProposalUnknown(index);
        Stored storage prev = _proposals[index - 1];
        Stored storage p = _proposals[index];
        return Transition({
            firstBlock: prev.lastBlock + 1,
            lastBlock: p.lastBlock,
            parentHash: prev.blockHash,
            preStateRoot: prev.postStateRoot,
            blockHash: p.blockHash,
            postStateRoot: p.postStateRoot
        });
    }

    /// @dev Credits the prover's beneficiary. A failing credit (pool misconfigured) must not block
    /// finalization, so it is caught and reported; the call gets a fixed gas allowance, and the
    /// caller must leave enough gas for it, so a caller cannot starve it on purpose.
    function _credit(uint256 index, Transition memory t, address prover) private {
        if (address(rewards) == address(0)) return;
        if (gasleft() < (CREDIT_GAS * 64) / 63 + 10_000) revert InsufficientGasForRewards();
        try rewards.credit{gas: CREDIT_GAS}(l2ChainId, t.firstBlock, t.lastBlock, prover) {}
        catch (bytes memory reason) {
            emit RewardCreditFailed(index, reason);
        }
    }

    function _pending(uint256 index) private view returns (Transition memory) {
        if (index <= lastFinalized && index < _proposals.length) revert ProposalFinalized(index);
        return transitionOf(index);
    }
}
