// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IAttestationVerifier, NormalizedAttestation} from "./interfaces/IAttestationVerifier.sol";

/// @title QuorumAttestationVerifier
/// @notice The cheap attestation path: k of n off-chain verifiers each check an Intel DCAP quote
/// with dcap-qvl against Intel's collateral and sign (EIP-712) the normalized attestation. This
/// adapter only establishes that the quote is genuine; the registry applies the policy.
/// @dev Evidence: `abi.encode(NormalizedAttestation attestation, bytes signatures)`, where
/// `signatures` is the concatenation of 65-byte `r ‖ s ‖ v` signatures (low s) over
/// {attestationDigest}, by distinct verifiers in strictly ascending address order, at least
/// `threshold` of them. Removing a verifier voids its signatures at once.
contract QuorumAttestationVerifier is IAttestationVerifier, EIP712, AccessControl {
    /// @notice Manages the verifier set and the threshold.
    bytes32 public constant QUORUM_ADMIN_ROLE = keccak256("QUORUM_ADMIN_ROLE");
    /// @notice EIP-712 type of {NormalizedAttestation}.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "NormalizedAttestation(uint8 teeType,uint8 tcbStatus,bytes32 advisoriesHash,bytes32 mrEnclave,bytes32 mrSigner,"
        "uint16 isvProdId,uint16 isvSvn,bytes16 attributes,bytes32 tdMeasurement,bytes32 tdOwner,bytes32 composeHash,"
        "bool serviceTdBound,bytes reportData,uint64 verifiedAt,bytes32 tcbInfoHash,bytes32 qeIdentityHash,"
        "bytes32 crlsHash)"
    );
    uint256 private constant SIGNATURE_LENGTH = 65;

    /// @notice Whether `account` is one of the n verifiers.
    mapping(address account => bool) public isSigner;
    /// @notice n: number of verifiers.
    uint128 public signerCount;
    /// @notice k: signatures needed.
    uint128 public threshold;

    /// @notice `signer` joined the verifier set.
    event SignerAdded(address indexed signer, address indexed by);
    /// @notice `signer` left the verifier set.
    event SignerRemoved(address indexed signer, address indexed by);
    /// @notice The threshold is now `threshold`.
    event ThresholdSet(uint256 threshold, address indexed by);

    error ZeroAddress();
    error SignerAlreadyAdded(address signer);
    error SignerNotFound(address signer);
    /// @notice k must satisfy 1 <= k <= n.
    error InvalidThreshold(uint256 threshold, uint256 signerCount);
    /// @notice The signatures are not a whole number of 65-byte signatures.
    error SignaturesLength(uint256 length);
    error NotEnoughSignatures(uint256 given, uint256 threshold);
    /// @notice Signature `index` is malformed, has a high s or recovers to no key.
    error InvalidSignature(uint256 index);
    /// @notice Signature `index` is not by a verifier above the previous one's address.
    error SignersNotAscending(uint256 index);
    error UnknownSigner(address signer);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and QUORUM_ADMIN_ROLE.
    /// @param signers The initial verifiers.
    /// @param k The initial threshold.
    constructor(address admin, address[] memory signers, uint256 k) EIP712("PhatSgxProverQuorumAttestation", "1") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(QUORUM_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < signers.length; ++i) {
            _addSigner(signers[i]);
        }
        _setThreshold(k);
    }

    /// @inheritdoc IAttestationVerifier
    function verifyAttestation(bytes calldata evidence) external view returns (NormalizedAttestation memory a) {
        bytes memory signatures;
        (a, signatures) = abi.decode(evidence, (NormalizedAttestation, bytes));
        _checkQuorum(attestationDigest(a), signatures);
    }

    /// @notice The EIP-712 digest the verifiers sign for `a`.
    function attestationDigest(NormalizedAttestation memory a) public view returns (bytes32) {
        return _hashTypedDataV4(hashAttestation(a));
    }

    /// @notice EIP-712 `hashStruct(a)`.
    function hashAttestation(NormalizedAttestation memory a) public pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                abi.encode(
                    ATTESTATION_TYPEHASH, a.teeType, a.tcbStatus, a.advisoriesHash, a.mrEnclave, a.mrSigner, a.isvProdId
                ),
                abi.encode(
                    a.isvSvn,
                    a.attributes,
                    a.tdMeasurement,
                    a.tdOwner,
                    a.composeHash,
                    a.serviceTdBound,
                    keccak256(a.reportData),
                    a.verifiedAt,
                    a.tcbInfoHash,
                    a.qeIdentityHash,
                    a.crlsHash
                )
            )
        );
    }

    /// @notice Adds a verifier.
    function addSigner(address signer) external onlyRole(QUORUM_ADMIN_ROLE) {
        _addSigner(signer);
    }

    /// @notice Removes a verifier; n may not fall below k.
    function removeSigner(address signer) external onlyRole(QUORUM_ADMIN_ROLE) {
        if (!isSigner[signer]) revert SignerNotFound(signer);
        if (signerCount - 1 < threshold) revert InvalidThreshold(threshold, signerCount - 1);
        isSigner[signer] = false;
        --signerCount;
        emit SignerRemoved(signer, msg.sender);
    }

    /// @notice Sets k (1 <= k <= n).
    function setThreshold(uint256 k) external onlyRole(QUORUM_ADMIN_ROLE) {
        _setThreshold(k);
    }

    /// @dev Reverts unless `signatures` holds at least k valid signatures of `digest` by distinct
    /// verifiers in ascending order.
    function _checkQuorum(bytes32 digest, bytes memory signatures) private view {
        uint256 length = signatures.length;
        if (length % SIGNATURE_LENGTH != 0) revert SignaturesLength(length);
        uint256 count = length / SIGNATURE_LENGTH;
        if (count < threshold) revert NotEnoughSignatures(count, threshold);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(add(signatures, 0x20), mul(i, SIGNATURE_LENGTH))
                r := mload(p)
                s := mload(add(p, 0x20))
                v := byte(0, mload(add(p, 0x40)))
            }
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= previous) revert SignersNotAscending(i);
            if (!isSigner[signer]) revert UnknownSigner(signer);
            previous = signer;
        }
    }

    function _addSigner(address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        if (isSigner[signer]) revert SignerAlreadyAdded(signer);
        isSigner[signer] = true;
        ++signerCount;
        emit SignerAdded(signer, msg.sender);
    }

    function _setThreshold(uint256 k) private {
        if (k == 0 || k > signerCount) revert InvalidThreshold(k, signerCount);
        // casting to 'uint128' is safe because k <= signerCount, a uint128
        // forge-lint: disable-next-line(unsafe-typecast)
        threshold = uint128(k);
        emit ThresholdSet(k, msg.sender);
    }
}
