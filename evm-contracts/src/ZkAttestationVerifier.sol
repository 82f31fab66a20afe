// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAttestationVerifier, NormalizedAttestation} from "./interfaces/IAttestationVerifier.sol";
import {IZkVerifier} from "./interfaces/IZkVerifier.sol";

/// @title ZkAttestationVerifier
/// @notice The trust-minimized attestation path: a zkVM program (RISC Zero / SP1) verifies the
/// DCAP quote against Intel's collateral and commits a journal; this adapter checks the proof
/// through a verifier of that shape, then checks the journal: Intel's root CA, and that every piece
/// of collateral used (TCB info, QE identity, CRLs) is one governance currently accepts.
/// @dev Evidence: `abi.encode(bytes32 programId, bytes journal, bytes seal)`, with
/// `journal = abi.encode(NormalizedAttestation attestation, bytes32 rootCaHash)` and the proof
/// checked as `zkVerifier.verify(seal, programId, sha256(journal))`. The zk verifier and the root
/// CA are immutable: no owner can re-route this entrypoint; a new one is a new adapter, which the
/// registry must allow (with an event).
contract ZkAttestationVerifier is IAttestationVerifier, AccessControl {
    /// @notice Allows and removes zkVM programs (DCAP verifier builds).
    bytes32 public constant PROGRAM_ADMIN_ROLE = keccak256("PROGRAM_ADMIN_ROLE");
    /// @notice Posts and withdraws collateral hashes as Intel re-issues collateral.
    bytes32 public constant COLLATERAL_ROLE = keccak256("COLLATERAL_ROLE");
    /// @notice Longest acceptance a collateral hash can be given at once (Intel re-issues TCB info
    /// and CRLs monthly or faster; acceptance past `nextUpdate` is the grace).
    uint64 public constant MAX_COLLATERAL_ACCEPTANCE = 60 days;

    /// @notice The RISC Zero / SP1 style verifier.
    IZkVerifier public immutable zkVerifier;
    /// @notice keccak256 of Intel's SGX root CA certificate (DER) the program must have used.
    bytes32 public immutable rootCaHash;

    /// @notice Programs whose proofs are accepted.
    mapping(bytes32 programId => bool) public programAllowed;
    /// @notice Until when a piece of collateral (by hash) is accepted.
    mapping(bytes32 collateralHash => uint64 until) public collateralAcceptedUntil;

    /// @notice A program was allowed or removed.
    event ProgramSet(bytes32 indexed programId, bool allowed, address indexed by);
    /// @notice A collateral hash is accepted until `until` (0: withdrawn).
    event CollateralSet(bytes32 indexed collateralHash, uint64 until, address indexed by);

    error ZeroAddress();
    error ProgramNotAllowed(bytes32 programId);
    error ZkProofInvalid(bytes32 programId);
    error RootCaMismatch(bytes32 rootCaHash);
    error CollateralNotAccepted(bytes32 collateralHash);
    error AcceptanceTooLong(uint64 until);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE, PROGRAM_ADMIN_ROLE and COLLATERAL_ROLE.
    /// @param verifier The zk verifier (must be a contract).
    /// @param intelRootCaHash keccak256 of Intel's SGX root CA certificate.
    constructor(address admin, IZkVerifier verifier, bytes32 intelRootCaHash) {
        if (admin == address(0) || address(verifier).code.length == 0 || intelRootCaHash == bytes32(0)) {
            revert ZeroAddress();
        }
        zkVerifier = verifier;
        rootCaHash = intelRootCaHash;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROGRAM_ADMIN_ROLE, admin);
        _grantRole(COLLATERAL_ROLE, admin);
    }

    /// @inheritdoc IAttestationVerifier
    function verifyAttestation(bytes calldata evidence) external view returns (NormalizedAttestation memory a) {
        (bytes32 programId, bytes memory journal, bytes memory seal) = abi.decode(evidence, (bytes32, bytes, bytes));
        if (!programAllowed[programId]) revert ProgramNotAllowed(programId);
        try zkVerifier.verify(seal, programId, sha256(journal)) {}
        catch {
            revert ZkProofInvalid(programId);
        }
        bytes32 root;
        (a, root) = abi.decode(journal, (NormalizedAttestation, bytes32));
        if (root != rootCaHash) revert RootCaMismatch(root);
        _requireAccepted(a.tcbInfoHash);
        _requireAccepted(a.qeIdentityHash);
        _requireAccepted(a.crlsHash);
    }

    /// @notice Allows or removes a zkVM program.
    function setProgram(bytes32 programId, bool allowed) external onlyRole(PROGRAM_ADMIN_ROLE) {
        programAllowed[programId] = allowed;
        emit ProgramSet(programId, allowed, msg.sender);
    }

    /// @notice Accepts a collateral hash until `until` (at most {MAX_COLLATERAL_ACCEPTANCE} ahead);
    /// 0 withdraws it.
    function setCollateral(bytes32 collateralHash, uint64 until) external onlyRole(COLLATERAL_ROLE) {
        if (until > block.timestamp + MAX_COLLATERAL_ACCEPTANCE) revert AcceptanceTooLong(until);
        collateralAcceptedUntil[collateralHash] = until;
        emit CollateralSet(collateralHash, until, msg.sender);
    }

    function _requireAccepted(bytes32 collateralHash) private view {
        if (block.timestamp > collateralAcceptedUntil[collateralHash]) revert CollateralNotAccepted(collateralHash);
    }
}
