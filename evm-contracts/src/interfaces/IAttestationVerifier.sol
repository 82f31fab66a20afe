// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice What an attestation adapter vouches for: an Intel DCAP quote, checked against Intel's
/// collateral, reduced to the fields the registry's policy needs. Every adapter returns this shape;
/// the registry, not the adapter, decides whether it is acceptable.
/// @dev Field meanings follow Intel's quote v3 (SGX) and v4/v5 (TDX) / dcap-qvl's `VerifiedReport`.
/// An SGX enclave fills the SGX fields (mrEnclave, mrSigner, isvProdId, isvSvn) and leaves the TDX
/// ones zero (tdMeasurement, tdOwner, composeHash, serviceTdBound false); a TDX confidential VM
/// (a dstack CVM) the other way round.
struct NormalizedAttestation {
    /// @notice TEE type from the quote header: 0 = SGX, 0x81 = TDX.
    uint8 teeType;
    /// @notice TCB status of the platform (see {TcbStatus}).
    uint8 tcbStatus;
    /// @notice keccak256 of the advisory ids (e.g. "INTEL-SA-00615"), sorted ascending and joined
    /// with ",", as UTF-8; keccak256("") when there are none.
    bytes32 advisoriesHash;
    /// @notice MRENCLAVE of the enclave (SGX; zero for TDX).
    bytes32 mrEnclave;
    /// @notice MRSIGNER of the enclave (SGX; zero for TDX).
    bytes32 mrSigner;
    /// @notice ISVPRODID (SGX; zero for TDX).
    uint16 isvProdId;
    /// @notice ISVSVN (SGX; zero for TDX).
    uint16 isvSvn;
    /// @notice SGX: the report's 16-byte ATTRIBUTES field as in the quote: flags (u64
    /// little-endian), then XFRM. Byte 0 holds flag bits 0-7: INIT 0x01, DEBUG 0x02, MODE64BIT 0x04,
    /// PROVISION_KEY 0x10, EINITTOKEN_KEY 0x20.
    /// TDX: the TD report's TD_ATTRIBUTES (8 bytes, u64 little-endian) then XFAM (8 bytes), as in
    /// the quote. Byte 0 holds the TD-under-debug bits 0-7 (bit 0, 0x01, is DEBUG).
    bytes16 attributes;
    /// @notice TDX: keccak256(mrTd ‖ rtmr0 ‖ rtmr1 ‖ rtmr2 ‖ mrConfigId), the five 48-byte
    /// registers packed (240 bytes): the virtual firmware, the boot chain (the dstack OS image) and
    /// the app's configuration id. rtmr3 (the runtime event log, per instance) is not in it. Zero
    /// for SGX.
    bytes32 tdMeasurement;
    /// @notice TDX: keccak256(mrOwner ‖ mrOwnerConfig), the two 48-byte registers packed (96
    /// bytes). Zero for SGX.
    bytes32 tdOwner;
    /// @notice TDX: the dstack app's compose hash (sha256 of its app-compose.json), read from the
    /// VM's event log after the adapter replayed it against the quote's RTMRs; zero when the quote
    /// came without a log, and for SGX.
    bytes32 composeHash;
    /// @notice TDX 1.5: whether a service TD is bound to the TD (`mr_service_td` non-zero). False
    /// for a TD 1.0 report and for SGX.
    bool serviceTdBound;
    /// @notice The report's 64-byte REPORT_DATA.
    bytes reportData;
    /// @notice Unix time at which the quote was verified against the collateral.
    uint64 verifiedAt;
    /// @notice keccak256 of the TCB info JSON used.
    bytes32 tcbInfoHash;
    /// @notice keccak256 of the QE identity JSON used.
    bytes32 qeIdentityHash;
    /// @notice keccak256 of the PCK CRL and root CA CRL used (DER, concatenated in that order).
    bytes32 crlsHash;
}

/// @notice Intel TCB statuses as carried in {NormalizedAttestation.tcbStatus}.
library TcbStatus {
    uint8 internal constant UP_TO_DATE = 0;
    uint8 internal constant SW_HARDENING_NEEDED = 1;
    uint8 internal constant CONFIGURATION_NEEDED = 2;
    uint8 internal constant CONFIGURATION_AND_SW_HARDENING_NEEDED = 3;
    uint8 internal constant OUT_OF_DATE = 4;
    uint8 internal constant OUT_OF_DATE_CONFIGURATION_NEEDED = 5;
    uint8 internal constant REVOKED = 6;
}

/// @notice An attestation adapter: checks evidence that a quote is genuine (off-chain verifier
/// signatures, a ZK proof of DCAP verification, ...) and returns what the quote says.
/// @dev Must revert when the evidence does not hold. Called with STATICCALL by the registry.
interface IAttestationVerifier {
    /// @notice Checks `evidence` and returns the attestation it proves.
    /// @param evidence Adapter-specific encoding.
    /// @return attestation The normalized attestation.
    function verifyAttestation(bytes calldata evidence) external view returns (NormalizedAttestation memory attestation);
}
