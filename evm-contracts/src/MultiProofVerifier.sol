// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ITeeVerifier, BlockClaim, BatchClaim, RefusalClaim} from "./interfaces/ITeeVerifier.sol";
import {IRollupZkVerifier, Transition} from "./interfaces/IRollupZkVerifier.sol";

/// @title MultiProofVerifier
/// @notice The dual check of a rollup state transition: the rollup's own zk proof and a TEE-proof.
/// - zk false: the submission is rejected, whatever the TEE says.
/// - zk true and TEE true for the same post-state root: accepted, final.
/// - a valid proof (zk or TEE) for a different post-state root of the same block than one already
///   recorded: **contested** — not accepted, an event, and nothing of that rollup is final until
///   governance resolves it (e.g. untrusts the TEE measurement, or replaces the zk verifier, then
///   clears the transition for re-proving).
/// - a **TEE refusal** (a registered instance signs that the proposed block is invalid, see
///   {submitTeeRefusal}): the transition is contested the same way, whatever the zk proof says — the
///   "zk true, TEE false" case is never accepted and goes to governance, which either discards the
///   proposal (the block was invalid) or revokes the instance (it lied) and clears the slot.
/// - Proof mix: a share of transitions, drawn at random, needs ZK and TEE; the others may go
///   TEE-first: a TEE-only acceptance is soft and becomes final only after `softFinalityDelay` (at
///   least {MIN_SOFT_FINALITY_DELAY}, never instant), counted from the later of the TEE-proof and
///   the proposal, or when the zk proof arrives. The draw must be
///   something the proposer cannot know, or it would grind its block (e.g. its `extraData`) until
///   the block needs no zk proof: it is taken from the hash of the L1 block {DRAW_DELAY} blocks
///   after the transition was proposed (see {drawZk}), which does not exist when the proposer
///   commits to the transition. Only the rollup's inbox (its settlement contract, which records when
///   each proposal was made) can have a transition drawn, once; a transition not drawn — not yet,
///   never proposed, or its draw window of {DRAW_WINDOW} blocks missed — is never final without zk.
/// A TEE-proof whose signer is later revoked or whose measurement is untrusted stops counting, and
/// a zk proof stops counting when the rollup's zk verifier is replaced.
/// A TEE-proof commits to the chain config (fork times, blob schedule: the rules) its block was
/// executed under; only proofs made under the config the rollup admin set for the rollup are
/// accepted.
/// @dev Evidence is keyed by a *slot*: rollup, block range, parent hash, pre-state root and last
/// block hash. The block hash is part of the key, so proving a different (valid) block at the same
/// height is not a conflict; a conflict is two proofs giving one block two post-state roots.
/// A TEE-proof that fails verification is not evidence of anything (anyone can produce one), so it
/// is refused rather than allowed to pause a rollup.
contract MultiProofVerifier is AccessControl {
    /// @notice Adds rollups, sets their zk verifier, chain config and proof mix.
    bytes32 public constant ROLLUP_ADMIN_ROLE = keccak256("ROLLUP_ADMIN_ROLE");
    /// @notice Resolves contests.
    bytes32 public constant RESOLVER_ROLE = keccak256("RESOLVER_ROLE");

    uint16 public constant BPS = 10_000;
    /// @notice Default share of transitions that need ZK and TEE (10 %).
    uint16 public constant DEFAULT_ZK_SHARE_BPS = 1_000;
    uint32 public constant DEFAULT_SOFT_FINALITY_DELAY = 24 hours;
    uint32 public constant MIN_SOFT_FINALITY_DELAY = 1 hours;
    uint32 public constant MAX_SOFT_FINALITY_DELAY = 30 days;
    /// @notice A transition proposed in L1 block `p` is drawn from the hash of L1 block
    /// `p + DRAW_DELAY`. Any delay >= 1 keeps the hash unknown to the proposer when it proposes;
    /// 64 blocks (at least 64 slots) also lie beyond the beacon chain's proposer lookahead (at most
    /// 63 slots), so a proposer that is also an L1 validator cannot time its proposal so that its
    /// own validator builds the block drawn from.
    uint256 public constant DRAW_DELAY = 64;
    /// @notice `blockhash` reaches back 256 blocks: the draw of a transition proposed in L1 block `p`
    /// can be made in blocks `p + DRAW_DELAY + 1` to `p + DRAW_DELAY + DRAW_WINDOW`, and not after.
    uint256 public constant DRAW_WINDOW = 256;

    /// @notice A rollup's configuration.
    struct Rollup {
        /// @notice The rollup's zk verifier (zero: disabled, no zk proof is accepted).
        IRollupZkVerifier zkVerifier;
        /// @notice Increases whenever the zk verifier changes; older zk evidence no longer counts.
        uint32 zkEpoch;
        /// @notice Contested transitions not yet resolved; the rollup is paused while > 0.
        uint32 openContests;
        /// @notice Delay after which a TEE-only acceptance is final.
        uint32 softFinalityDelay;
        /// @notice Share (basis points) of transitions that need both proofs.
        uint16 zkShareBps;
        /// @notice Whether the rollup was added.
        bool registered;
        /// @notice The rollup's inbox (its settlement contract): the only caller of {drawZk} for
        /// the rollup (zero: none, no transition is drawn).
        address inbox;
        /// @notice keccak256 of the canonical encoding of the L2's chain config
        /// (`docs/proof-format.md`): every TEE-proof must have been made under it.
        bytes32 chainConfigHash;
    }

    /// @notice A TEE refusal of a single-block transition: a registered instance signs that the
    /// block (number, parent hash, block hash, pre-state root) is invalid under the chain config.
    struct TeeRefusal {
        /// @notice The chain config hash the block was refused under; must be the rollup's.
        bytes32 chainConfigHash;
        /// @notice What failed (see {RefusalClaim}).
        uint16 reason;
        /// @notice The 85-byte signature of the refusal: prover ‖ r ‖ s ‖ v.
        bytes proof;
    }

    /// @notice A TEE-proof of a transition: a single-block proof (`batch` false, `commitment` =
    /// witness commitment; only for one-block transitions) or a batch proof (`commitment` = blocks
    /// commitment).
    struct TeeEvidence {
        /// @notice Whether `proof` is a batch proof.
        bool batch;
        /// @notice The witness commitment (single block) or blocks commitment (batch).
        bytes32 commitment;
        /// @notice The chain config hash the proof was made under; must be the rollup's.
        bytes32 chainConfigHash;
        /// @notice The 85-byte TEE-proof.
        bytes proof;
    }

    /// @notice What is recorded for a slot.
    struct Evidence {
        /// @notice The post-state root the recorded proofs attest.
        bytes32 postStateRoot;
        /// @notice The instance whose TEE-proof was accepted (zero: none).
        address teeProver;
        /// @notice When the TEE-proof was accepted.
        uint40 teeProvenAt;
        /// @notice The zk epoch of the accepted zk proof (0: none).
        uint32 zkEpoch;
        /// @notice Two proofs disagree; cleared only by {resolveContest}.
        bool contested;
    }

    /// @notice The proof-mix draw of a slot.
    struct Draw {
        /// @notice The L1 block whose hash the draw was made from (0: not drawn).
        uint64 l1Block;
        /// @notice The roll, in [0, {BPS}): the transition needs ZK while `roll < zkShareBps` (the
        /// rollup's share now, so governance raising the share reaches drawn transitions too). A
        /// transition not drawn counts as roll 0.
        uint16 roll;
        /// @notice When the transition was proposed, as its inbox vouched: a TEE-only acceptance's
        /// delay counts from the later of this and its TEE-proof.
        uint40 proposedTime;
    }

    /// @notice The TEE verifier and prover registry.
    ITeeVerifier public immutable teeVerifier;

    mapping(uint256 l2ChainId => Rollup) internal _rollups;
    mapping(bytes32 slot => Evidence) internal _evidence;
    /// @notice The rollup of each contested slot, set when it becomes contested and cleared when
    /// the contest is resolved, so that a contest is resolved only for (and un-pauses only) its own
    /// rollup. Kept apart from {Evidence}, whose second word has no room for it, so proving does not
    /// pay for a third word; only the (rare) contest does. Read only for a contested slot, so a
    /// rollup with chain id 0 is not mistaken for "none".
    mapping(bytes32 slot => uint256 l2ChainId) internal _contestedRollup;
    /// @notice The proof-mix draw of each slot. Kept apart from {Evidence}: it outlives evidence
    /// that is cleared (a contest resolved, a signer revoked), so clearing cannot re-draw it.
    mapping(bytes32 slot => Draw) internal _draws;

    /// @notice Rollup `l2ChainId` was added.
    event RollupAdded(uint256 indexed l2ChainId, address zkVerifier, uint16 zkShareBps, uint32 softFinalityDelay);
    /// @notice TEE-proofs for rollup `l2ChainId` must now be made under the chain config whose hash is
    /// `chainConfigHash` (also emitted when the rollup is added).
    event ChainConfigSet(uint256 indexed l2ChainId, bytes32 chainConfigHash);
    /// @notice Rollup `l2ChainId`'s zk verifier is now `zkVerifier` (epoch `zkEpoch`).
    event ZkVerifierSet(uint256 indexed l2ChainId, address zkVerifier, uint32 zkEpoch);
    /// @notice Rollup `l2ChainId`'s proof mix changed.
    event ProofMixSet(uint256 indexed l2ChainId, uint16 zkShareBps, uint32 softFinalityDelay);
    /// @notice Rollup `l2ChainId`'s inbox, the only caller of {drawZk} for it, is now `inbox`.
    event InboxSet(uint256 indexed l2ChainId, address inbox);
    /// @notice `slot`'s proof mix was drawn from the hash of L1 block `l1Block`: `roll` (it needs
    /// ZK while `roll` is below the rollup's share).
    event ZkDrawn(uint256 indexed l2ChainId, bytes32 indexed slot, uint256 l1Block, uint16 roll);
    /// @notice A zk proof of `postStateRoot` for `slot` was accepted.
    event ZkProofAccepted(uint256 indexed l2ChainId, bytes32 indexed slot, bytes32 postStateRoot);
    /// @notice A TEE-proof of `postStateRoot` for `slot` by `prover` was accepted.
    event TeeProofAccepted(uint256 indexed l2ChainId, bytes32 indexed slot, bytes32 postStateRoot, address prover);
    /// @notice In a dual submission the zk proof held but the TEE-proof did not (`reason`: the
    /// verifier's revert data, or {ChainConfigMismatch} / {InvalidTransition} encoded as an error).
    /// The zk proof is recorded; nothing is accepted as final.
    event TeeProofRefused(uint256 indexed l2ChainId, bytes32 indexed slot, bytes reason);
    /// @notice Two valid proofs disagree on `slot`'s post-state root; the rollup is paused.
    event TransitionContested(
        uint256 indexed l2ChainId, bytes32 indexed slot, bytes32 recordedPostStateRoot, bytes32 conflictingPostStateRoot
    );
    /// @notice Instance `prover` signed that `slot`'s block is invalid (`reason`, see {RefusalClaim});
    /// the transition is contested (a {TransitionContested} with conflicting root zero comes with it).
    event TransitionRefused(uint256 indexed l2ChainId, bytes32 indexed slot, address indexed prover, uint16 reason);
    /// @notice Governance resolved the contest on `slot`, clearing its evidence.
    event ContestResolved(uint256 indexed l2ChainId, bytes32 indexed slot, address indexed by);

    error ZeroAddress();
    /// @notice A zero chain config hash (no config) was given.
    error ZeroChainConfigHash();
    /// @notice The TEE-proof was made under chain config `got`, rollup `l2ChainId` expects `expected`.
    error ChainConfigMismatch(uint256 l2ChainId, bytes32 expected, bytes32 got);
    error RollupUnknown(uint256 l2ChainId);
    error RollupAlreadyAdded(uint256 l2ChainId);
    error ParameterOutOfBounds();
    error InvalidTransition();
    error ZkVerifierDisabled(uint256 l2ChainId);
    error ZkProofRejected(uint256 l2ChainId, bytes32 slot);
    error TransitionIsContested(bytes32 slot);
    error NotContested(bytes32 slot);
    /// @notice `slot` is contested, but not on rollup `l2ChainId`.
    error SlotNotOfRollup(uint256 l2ChainId, bytes32 slot);
    /// @notice `caller` is not rollup `l2ChainId`'s inbox.
    error NotInbox(uint256 l2ChainId, address caller);
    /// @notice `slot` was drawn already (a draw is never repeated).
    error AlreadyDrawn(bytes32 slot);
    /// @notice L1 block `l1Block`, which `slot` is drawn from, does not exist yet: the draw can be
    /// made from block `l1Block + 1` on.
    error DrawNotReady(bytes32 slot, uint256 l1Block);
    /// @notice The hash of L1 block `l1Block` is out of `blockhash`'s reach: `slot` can no longer be
    /// drawn and needs ZK (while the rollup's share is above zero).
    error DrawWindowMissed(bytes32 slot, uint256 l1Block);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE, ROLLUP_ADMIN_ROLE and RESOLVER_ROLE.
    /// @param tee The TEE verifier.
    constructor(address admin, ITeeVerifier tee) {
        if (admin == address(0) || address(tee) == address(0)) revert ZeroAddress();
        teeVerifier = tee;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ROLLUP_ADMIN_ROLE, admin);
        _grantRole(RESOLVER_ROLE, admin);
    }

    // ------------------------------------------------------------------ proving (anyone)

    /// @notice The dual check in one call: the zk proof must hold (else this reverts); then the
    /// TEE-proof. If the TEE-proof fails (made under another chain config than the rollup's included,
    /// reason {ChainConfigMismatch}), the zk proof is still recorded, {TeeProofRefused} is emitted
    /// and nothing becomes final through it.
    /// @return teeAccepted Whether the TEE-proof was accepted too.
    function prove(uint256 l2ChainId, Transition calldata t, bytes calldata zkProof, TeeEvidence calldata tee)
        external
        returns (bool teeAccepted)
    {
        (Rollup storage r, bytes32 slot) = _load(l2ChainId, t);
        _requireZk(r, l2ChainId, t, zkProof, slot);
        (bool ok, address prover, bytes memory reason) = _tryTee(r, l2ChainId, t, tee);
        if (!_recordZk(r, l2ChainId, slot, t.postStateRoot)) return false;
        if (!ok) {
            emit TeeProofRefused(l2ChainId, slot, reason);
            return false;
        }
        return _recordTee(r, l2ChainId, slot, t.postStateRoot, prover);
    }

    /// @notice Records a zk proof of `t` (reverts if it does not hold).
    /// @return accepted False if it contradicts recorded evidence (the transition is now contested).
    function submitZkProof(uint256 l2ChainId, Transition calldata t, bytes calldata zkProof)
        external
        returns (bool accepted)
    {
        (Rollup storage r, bytes32 slot) = _load(l2ChainId, t);
        _requireZk(r, l2ChainId, t, zkProof, slot);
        return _recordZk(r, l2ChainId, slot, t.postStateRoot);
    }

    /// @notice Records a TEE-proof of `t` (reverts with {ChainConfigMismatch} if it was made under
    /// another chain config than the rollup's, else with the verifier's error if it does not hold).
    /// @return accepted False if it contradicts recorded evidence (the transition is now contested).
    function submitTeeProof(uint256 l2ChainId, Transition calldata t, TeeEvidence calldata tee)
        external
        returns (bool accepted)
    {
        (Rollup storage r, bytes32 slot) = _load(l2ChainId, t);
        address prover = _verifyTee(r, l2ChainId, t, tee);
        return _recordTee(r, l2ChainId, slot, t.postStateRoot, prover);
    }

    /// @notice Records a TEE refusal of `t`, a single-block transition pending in rollup
    /// `l2ChainId`'s inbox: reverts unless `refusal` was made under the rollup's chain config
    /// ({ChainConfigMismatch}) and signed by an instance that is active now (the verifier's error);
    /// then the transition is contested and the rollup paused until {resolveContest}.
    /// Only the inbox may call it (its settlement contract lets anyone, for a pending proposal, see
    /// {RollupSettlement-refuse}): a refusal of a block nobody proposed — anyone can make an invalid
    /// block on a real parent — must not pause the rollup.
    function submitTeeRefusal(uint256 l2ChainId, Transition calldata t, TeeRefusal calldata refusal) external {
        (Rollup storage r, bytes32 slot) = _load(l2ChainId, t);
        if (msg.sender != r.inbox) revert NotInbox(l2ChainId, msg.sender);
        if (t.firstBlock != t.lastBlock) revert InvalidTransition();
        bytes32 config = r.chainConfigHash;
        if (refusal.chainConfigHash != config) revert ChainConfigMismatch(l2ChainId, config, refusal.chainConfigHash);
        address prover = teeVerifier.verifyRefusal(
            l2ChainId,
            config,
            RefusalClaim(t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, refusal.reason),
            refusal.proof
        );
        emit TransitionRefused(l2ChainId, slot, prover, refusal.reason);
        _contest(r, l2ChainId, slot, _evidence[slot], bytes32(0));
    }

    /// @notice Draws whether `t` needs ZK, from the hash of L1 block `proposedAt + DRAW_DELAY`.
    /// Only rollup `l2ChainId`'s inbox may call it, vouching that `t` was proposed in L1 block
    /// `proposedAt` at time `proposedTime` (its own settlement contract lets anyone ask it, see
    /// {RollupSettlement-drawZk}). The draw can be made once a slot, in L1 blocks
    /// `proposedAt + DRAW_DELAY + 1` to `proposedAt + DRAW_DELAY + DRAW_WINDOW`; a transition not drawn
    /// by then needs ZK for good (the safe default: a draw missed on purpose gains nothing).
    /// The roll depends on the rollup, the block range and that L1 block hash only — not on the
    /// L2 block hash or anything else the proposer chooses when it proposes.
    /// @dev The L1 block's builder chooses its hash and so could bias the draw; see
    /// `docs/security-model.md` (proof mix).
    /// @return zkNeeded Whether `t` needs ZK under the rollup's share now.
    function drawZk(uint256 l2ChainId, Transition calldata t, uint256 proposedAt, uint40 proposedTime)
        external
        returns (bool zkNeeded)
    {
        Rollup storage r = _registered(l2ChainId);
        if (msg.sender != r.inbox) revert NotInbox(l2ChainId, msg.sender);
        bytes32 slot = slotOf(l2ChainId, t);
        Draw storage d = _draws[slot];
        if (d.l1Block != 0) revert AlreadyDrawn(slot);
        uint256 from = proposedAt + DRAW_DELAY;
        if (block.number <= from) revert DrawNotReady(slot, from);
        bytes32 h = blockhash(from);
        if (block.number - from > DRAW_WINDOW || h == bytes32(0)) revert DrawWindowMissed(slot, from);
        uint16 roll = rollOf(l2ChainId, t.firstBlock, t.lastBlock, h);
        // casting to 'uint64' is safe because `from` is below `block.number`
        // forge-lint: disable-next-line(unsafe-typecast)
        d.l1Block = uint64(from);
        d.roll = roll;
        d.proposedTime = proposedTime;
        emit ZkDrawn(l2ChainId, slot, from, roll);
        return roll < r.zkShareBps;
    }

    // ------------------------------------------------------------------ views

    /// @notice Whether `t` is final: the rollup has no open contest, the recorded evidence attests
    /// `t.postStateRoot`, its TEE signer is still trusted, and either a zk proof of the current
    /// epoch is recorded or the transition was drawn (so its inbox vouched for its proposal) not to
    /// need ZK (see {needsZk}) and the soft-finality delay has passed since the later of its
    /// TEE-proof and its proposal. (TEE evidence may be recorded by anyone before any proposal: a
    /// delay counted from it alone would let an old TEE-proof make a new proposal final at once.)
    function isFinal(uint256 l2ChainId, Transition calldata t) external view returns (bool) {
        Rollup storage r = _rollups[l2ChainId];
        if (!r.registered || r.openContests != 0) return false;
        bytes32 slot = slotOf(l2ChainId, t);
        Evidence storage e = _evidence[slot];
        if (e.contested || e.postStateRoot != t.postStateRoot || e.teeProver == address(0)) return false;
        if (!teeVerifier.isTrustedSigner(e.teeProver)) return false;
        if (e.zkEpoch == r.zkEpoch) return true;
        Draw storage d = _draws[slot];
        if (d.l1Block == 0 || d.roll < r.zkShareBps) return false;
        uint256 since = e.teeProvenAt > d.proposedTime ? e.teeProvenAt : d.proposedTime;
        return block.timestamp >= since + r.softFinalityDelay;
    }

    /// @notice Whether `t` needs both proofs: its roll (see {drawZk}) is below the rollup's share.
    /// A transition not drawn (yet, or ever) needs them whenever the share is above zero.
    function needsZk(uint256 l2ChainId, Transition calldata t) external view returns (bool) {
        return _draws[slotOf(l2ChainId, t)].roll < _rollups[l2ChainId].zkShareBps;
    }

    /// @notice The roll of the transition over blocks `firstBlock..lastBlock` of rollup `l2ChainId`
    /// drawn from L1 block hash `l1BlockHash`, in [0, {BPS}).
    function rollOf(uint256 l2ChainId, uint64 firstBlock, uint64 lastBlock, bytes32 l1BlockHash)
        public
        pure
        returns (uint16)
    {
        return uint16(uint256(keccak256(abi.encode(l2ChainId, firstBlock, lastBlock, l1BlockHash))) % BPS);
    }

    /// @notice The proof-mix draw of `slot` (`l1Block` 0: not drawn).
    function drawOf(bytes32 slot) external view returns (Draw memory) {
        return _draws[slot];
    }

    /// @notice The evidence slot of `t`.
    function slotOf(uint256 l2ChainId, Transition calldata t) public pure returns (bytes32) {
        return keccak256(abi.encode(l2ChainId, t.firstBlock, t.lastBlock, t.parentHash, t.preStateRoot, t.blockHash));
    }

    /// @notice The evidence recorded for `slot`.
    function evidenceOf(bytes32 slot) external view returns (Evidence memory) {
        return _evidence[slot];
    }

    /// @notice The configuration of rollup `l2ChainId`.
    function rollupOf(uint256 l2ChainId) external view returns (Rollup memory) {
        return _rollups[l2ChainId];
    }

    // ------------------------------------------------------------------ governance

    /// @notice Adds rollup `l2ChainId` with the default proof mix; its TEE-proofs must be made under
    /// the chain config whose hash is `chainConfigHash` (see {setChainConfig}).
    function addRollup(uint256 l2ChainId, bytes32 chainConfigHash, IRollupZkVerifier zkVerifier)
        external
        onlyRole(ROLLUP_ADMIN_ROLE)
    {
        Rollup storage r = _rollups[l2ChainId];
        if (r.registered) revert RollupAlreadyAdded(l2ChainId);
        if (address(zkVerifier) == address(0)) revert ZeroAddress();
        if (chainConfigHash == bytes32(0)) revert ZeroChainConfigHash();
        r.registered = true;
        r.zkVerifier = zkVerifier;
        r.zkEpoch = 1;
        r.zkShareBps = DEFAULT_ZK_SHARE_BPS;
        r.softFinalityDelay = DEFAULT_SOFT_FINALITY_DELAY;
        r.chainConfigHash = chainConfigHash;
        emit RollupAdded(l2ChainId, address(zkVerifier), DEFAULT_ZK_SHARE_BPS, DEFAULT_SOFT_FINALITY_DELAY);
        emit ChainConfigSet(l2ChainId, chainConfigHash);
    }

    /// @notice Sets the chain config (keccak256 of its canonical encoding) that rollup `l2ChainId`'s
    /// TEE-proofs must be made under from now on, e.g. when the L2 schedules a fork. Evidence
    /// already recorded keeps counting; a TEE-proof made under the previous config is refused from
    /// now on, so set it once the provers run the new config and before the L2 reaches the first
    /// activation time that differs.
    function setChainConfig(uint256 l2ChainId, bytes32 chainConfigHash) external onlyRole(ROLLUP_ADMIN_ROLE) {
        Rollup storage r = _registered(l2ChainId);
        if (chainConfigHash == bytes32(0)) revert ZeroChainConfigHash();
        r.chainConfigHash = chainConfigHash;
        emit ChainConfigSet(l2ChainId, chainConfigHash);
    }

    /// @notice Replaces (or, with zero, disables) rollup `l2ChainId`'s zk verifier. Every zk proof
    /// recorded so far stops counting.
    function setZkVerifier(uint256 l2ChainId, IRollupZkVerifier zkVerifier) external onlyRole(ROLLUP_ADMIN_ROLE) {
        Rollup storage r = _registered(l2ChainId);
        r.zkVerifier = zkVerifier;
        uint32 epoch = ++r.zkEpoch;
        emit ZkVerifierSet(l2ChainId, address(zkVerifier), epoch);
    }

    /// @notice Sets rollup `l2ChainId`'s inbox: the settlement contract that records when each of
    /// its transitions was proposed and is the only caller of {drawZk} for the rollup (zero: none;
    /// then no transition is drawn and, with a share above zero, every one needs ZK).
    function setInbox(uint256 l2ChainId, address inbox) external onlyRole(ROLLUP_ADMIN_ROLE) {
        Rollup storage r = _registered(l2ChainId);
        r.inbox = inbox;
        emit InboxSet(l2ChainId, inbox);
    }

    /// @notice Sets the share of transitions needing both proofs and the soft-finality delay.
    function setProofMix(uint256 l2ChainId, uint16 zkShareBps, uint32 softFinalityDelay)
        external
        onlyRole(ROLLUP_ADMIN_ROLE)
    {
        Rollup storage r = _registered(l2ChainId);
        if (
            zkShareBps > BPS || softFinalityDelay < MIN_SOFT_FINALITY_DELAY
                || softFinalityDelay > MAX_SOFT_FINALITY_DELAY
        ) revert ParameterOutOfBounds();
        r.zkShareBps = zkShareBps;
        r.softFinalityDelay = softFinalityDelay;
        emit ProofMixSet(l2ChainId, zkShareBps, softFinalityDelay);
    }

    /// @notice Ends the contest on `slot`: its evidence is cleared and the transition must be proven
    /// again (after governance has dealt with the cause: untrusted the measurement, revoked the
    /// instance or replaced the zk verifier). Reverts with {SlotNotOfRollup} if `slot` was
    /// contested on another rollup: a contest is resolved only through the rollup it pauses.
    function resolveContest(uint256 l2ChainId, bytes32 slot) external onlyRole(RESOLVER_ROLE) {
        Rollup storage r = _registered(l2ChainId);
        if (!_evidence[slot].contested) revert NotContested(slot);
        if (_contestedRollup[slot] != l2ChainId) revert SlotNotOfRollup(l2ChainId, slot);
        delete _evidence[slot];
        delete _contestedRollup[slot];
        --r.openContests;
        emit ContestResolved(l2ChainId, slot, msg.sender);
    }

    // ------------------------------------------------------------------ internals

    function _registered(uint256 l2ChainId) private view returns (Rollup storage r) {
        r = _rollups[l2ChainId];
        if (!r.registered) revert RollupUnknown(l2ChainId);
    }

    function _load(uint256 l2ChainId, Transition calldata t) private view returns (Rollup storage r, bytes32 slot) {
        r = _registered(l2ChainId);
        if (t.firstBlock > t.lastBlock || t.blockHash == bytes32(0) || t.postStateRoot == bytes32(0)) {
            revert InvalidTransition();
        }
        slot = slotOf(l2ChainId, t);
        if (_evidence[slot].contested) revert TransitionIsContested(slot);
    }

    /// @dev zk false (or a reverting verifier) rejects the submission.
    function _requireZk(Rollup storage r, uint256 l2ChainId, Transition calldata t, bytes calldata proof, bytes32 slot)
        private
        view
    {
        IRollupZkVerifier zk = r.zkVerifier;
        if (address(zk) == address(0)) revert ZkVerifierDisabled(l2ChainId);
        bool ok;
        try zk.verifyTransition(l2ChainId, t, proof) returns (bool valid) {
            ok = valid;
        } catch {}
        if (!ok) revert ZkProofRejected(l2ChainId, slot);
    }

    /// @dev Verifies `tee` for `t` under rollup `r`'s chain config, reverting with
    /// {ChainConfigMismatch} if it was made under another, else bubbling the verifier's error.
    function _verifyTee(Rollup storage r, uint256 l2ChainId, Transition calldata t, TeeEvidence calldata tee)
        private
        view
        returns (address)
    {
        bytes32 config = r.chainConfigHash;
        if (tee.chainConfigHash != config) revert ChainConfigMismatch(l2ChainId, config, tee.chainConfigHash);
        if (tee.batch) return teeVerifier.verifyBatch(l2ChainId, config, _batchClaim(t, tee.commitment), tee.proof);
        return teeVerifier.verifyBlock(l2ChainId, config, _blockClaim(t, tee.commitment), tee.proof);
    }

    /// @dev As {_verifyTee}, returning the failure instead of reverting.
    function _tryTee(Rollup storage r, uint256 l2ChainId, Transition calldata t, TeeEvidence calldata tee)
        private
        view
        returns (bool ok, address prover, bytes memory reason)
    {
        bytes32 config = r.chainConfigHash;
        if (tee.chainConfigHash != config) {
            return (
                false,
                address(0),
                abi.encodeWithSelector(ChainConfigMismatch.selector, l2ChainId, config, tee.chainConfigHash)
            );
        }
        if (tee.batch) {
            try teeVerifier.verifyBatch(l2ChainId, config, _batchClaim(t, tee.commitment), tee.proof) returns (
                address p
            ) {
                return (true, p, "");
            } catch (bytes memory err) {
                return (false, address(0), err);
            }
        }
        if (t.firstBlock != t.lastBlock) {
            return (false, address(0), abi.encodeWithSelector(InvalidTransition.selector));
        }
        try teeVerifier.verifyBlock(l2ChainId, config, _blockClaim(t, tee.commitment), tee.proof) returns (address p) {
            return (true, p, "");
        } catch (bytes memory err) {
            return (false, address(0), err);
        }
    }

    function _blockClaim(Transition calldata t, bytes32 witnessCommitment) private pure returns (BlockClaim memory) {
        if (t.firstBlock != t.lastBlock) revert InvalidTransition();
        return BlockClaim(t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, t.postStateRoot, witnessCommitment);
    }

    function _batchClaim(Transition calldata t, bytes32 blocksCommitment) private pure returns (BatchClaim memory) {
        return BatchClaim(
            t.firstBlock, t.lastBlock, t.parentHash, t.blockHash, t.preStateRoot, t.postStateRoot, blocksCommitment
        );
    }

    /// @dev Whether `e` holds evidence that still counts.
    function _live(Rollup storage r, Evidence storage e) private view returns (bool) {
        if (e.postStateRoot == bytes32(0)) return false;
        if (e.zkEpoch != 0 && e.zkEpoch == r.zkEpoch) return true;
        return e.teeProver != address(0) && teeVerifier.isTrustedSigner(e.teeProver);
    }

    /// @dev Prepares `slot` to take a proof of `postStateRoot`: clears evidence that no longer
    /// counts; on a conflict with evidence that does, contests the slot and returns false.
    function _admit(Rollup storage r, uint256 l2ChainId, bytes32 slot, bytes32 postStateRoot)
        private
        returns (Evidence storage e, bool ok)
    {
        e = _evidence[slot];
        if (!_live(r, e)) {
            delete _evidence[slot];
            e.postStateRoot = postStateRoot;
            return (e, true);
        }
        if (e.postStateRoot != postStateRoot) {
            _contest(r, l2ChainId, slot, e, postStateRoot);
            return (e, false);
        }
        return (e, true);
    }

    /// @dev Marks `slot` contested on rollup `l2ChainId` (pausing it) against `conflicting` (zero:
    /// a refusal).
    function _contest(Rollup storage r, uint256 l2ChainId, bytes32 slot, Evidence storage e, bytes32 conflicting)
        private
    {
        e.contested = true;
        _contestedRollup[slot] = l2ChainId;
        ++r.openContests;
        emit TransitionContested(l2ChainId, slot, e.postStateRoot, conflicting);
    }

    function _recordZk(Rollup storage r, uint256 l2ChainId, bytes32 slot, bytes32 postStateRoot)
        private
        returns (bool)
    {
        (Evidence storage e, bool ok) = _admit(r, l2ChainId, slot, postStateRoot);
        if (!ok) return false;
        if (e.zkEpoch != r.zkEpoch) {
            e.zkEpoch = r.zkEpoch;
            emit ZkProofAccepted(l2ChainId, slot, postStateRoot);
        }
        return true;
    }

    function _recordTee(Rollup storage r, uint256 l2ChainId, bytes32 slot, bytes32 postStateRoot, address prover)
        private
        returns (bool)
    {
        (Evidence storage e, bool ok) = _admit(r, l2ChainId, slot, postStateRoot);
        if (!ok) return false;
        if (e.teeProver == address(0) || !teeVerifier.isTrustedSigner(e.teeProver)) {
            e.teeProver = prover;
            e.teeProvenAt = uint40(block.timestamp);
            emit TeeProofAccepted(l2ChainId, slot, postStateRoot, prover);
        }
        return true;
    }
}
