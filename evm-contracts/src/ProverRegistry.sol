// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProverRegistry} from "./interfaces/IProverRegistry.sol";
import {IAttestationVerifier, NormalizedAttestation, TcbStatus} from "./interfaces/IAttestationVerifier.sol";

/// @title ProverRegistry
/// @notice The set of prover instances (the signing keys of SGX enclaves and of Intel TDX
/// confidential VMs, dstack CVMs) whose TEE-proofs count, and the attestation policy that admits
/// them. The policy is always on: there is no switch that turns a check off, only an allow-list
/// that governance extends and a guardian can shrink.
/// @dev Abstract: {TeeVerifier} extends it so that a proof reads an instance with two storage
/// loads and no external call. Instance = one storage slot; measurement trust = one slot.
///
/// Registration (only through an allowed {IAttestationVerifier}) requires:
/// - TEE type SGX or TDX (any other is refused);
/// - SGX: none of the DEBUG, PROVISION_KEY, EINITTOKEN_KEY attribute bits; TDX: none of the
///   TD-under-debug bits (td_attributes bits 0-7, DEBUG among them: the host could read and write
///   the TD) and no service TD bound;
/// - TCB status UpToDate, or SWHardeningNeeded with an allowed advisory set, or another status that
///   governance allowed until a deadline (at most {MAX_TCB_GRACE} ahead); Revoked never;
/// - a trusted measurement: SGX {measurementHash}(mr_enclave, mr_signer, isv_prod_id, isv_svn); TDX
///   {tdxMeasurementHash}(tdMeasurement, tdOwner, composeHash): the firmware, boot chain and app
///   configuration id, the owner, and the dstack app's compose hash from its replayed event log;
///   both in the one allow-list, and untrusting either is permanent;
/// - a verification time at most `maxAttestationAge` old;
/// - report_data = {expectedReportData}(prover, beneficiary, l1BlockNumber) ‖ 32 zero bytes, which
///   binds the prover key, its beneficiary, this registry, this chain and an L1 block hash less
///   than 256 blocks old;
/// - a report and an address that never registered before.
/// An instance may prove from `registrationDelay` after registration until `instanceLifetime` after
/// it. Untrusting a measurement and revoking an instance are permanent.
///
/// {rotate} admits the heir of an active instance under the same checks, active at once. The
/// heir's evidence does not say whether it is meant for {register} or {rotate}, so anyone may
/// submit it to {register} first; {rotate} then takes over that pending registration (see there)
/// instead of failing on the used report, so a front-run neither blocks a hand-over nor keeps the
/// old key active.
abstract contract ProverRegistry is AccessControl, IProverRegistry {
    // ------------------------------------------------------------------ roles

    /// @notice Extends what is accepted: measurements, attestation adapters, advisory sets, TCB
    /// grace, parameters.
    bytes32 public constant POLICY_ROLE = keccak256("POLICY_ROLE");
    /// @notice Only restricts: untrusts measurements, revokes instances, removes adapters and
    /// advisory sets, withdraws TCB grace. (POLICY_ROLE may restrict too.)
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    // ------------------------------------------------------------------ types

    /// @notice Lifecycle of an instance. Revoked and Retired are final.
    enum Status {
        None,
        Active,
        Revoked,
        /// @dev Handed over to a new key by {rotate}: its earlier proofs still count, new ones do not.
        Retired
    }

    /// @notice Trust in a measurement. Untrusted is final.
    enum Trust {
        Unknown,
        Trusted,
        Untrusted
    }

    /// @notice A registered prover instance; exactly one storage slot.
    struct Instance {
        /// @notice Who collects the instance's rewards.
        address beneficiary;
        /// @notice Unix time from which its proofs count.
        uint32 validSince;
        /// @notice Unix time from which its proofs no longer count.
        uint32 expiry;
        /// @notice Index of its measurement (see {measurementOf}).
        uint24 measurementId;
        /// @notice Lifecycle status.
        Status status;
    }

    /// @notice Registration parameters; one storage slot.
    struct Parameters {
        /// @notice Seconds between registration and the first proof that counts.
        uint32 registrationDelay;
        /// @notice Seconds between registration and expiry.
        uint32 instanceLifetime;
        /// @notice Largest accepted age, in seconds, of an attestation's verification time.
        uint32 maxAttestationAge;
    }

    /// @notice A request to register the key `prover`, attested by `evidence` for `adapter`.
    struct Registration {
        /// @notice An allowed attestation adapter.
        IAttestationVerifier adapter;
        /// @notice The adapter's evidence (signatures, ZK proof, ...).
        bytes evidence;
        /// @notice The enclave's signing key (Ethereum address).
        address prover;
        /// @notice Who collects the instance's rewards (bound in report_data).
        address beneficiary;
        /// @notice The L1 block whose hash report_data binds.
        uint64 l1BlockNumber;
    }

    // ------------------------------------------------------------------ constants

    /// @notice Domain tag of {expectedReportData}.
    bytes32 public constant REPORT_DATA_TAG = keccak256("phat-sgx-prover.registration.v1");
    /// @notice Domain tag of {handoverDigest}.
    bytes32 public constant HANDOVER_TAG = keccak256("phat-sgx-prover.handover.v1");
    /// @notice Domain tag of {tdxMeasurementHash}.
    bytes32 public constant TDX_MEASUREMENT_TAG = keccak256("phat-sgx-prover.tdx-measurement.v1");
    /// @notice TEE type of an Intel SGX enclave.
    uint8 public constant TEE_TYPE_SGX = 0;
    /// @notice TEE type of an Intel TDX trust domain (a confidential VM).
    uint8 public constant TEE_TYPE_TDX = 0x81;
    /// @notice SGX: attribute flag bits refused in byte 0: DEBUG (0x02), PROVISION_KEY (0x10),
    /// EINITTOKEN_KEY (0x20).
    uint8 public constant FORBIDDEN_ATTRIBUTE_BITS = 0x32;
    /// @notice TDX: td_attributes bits refused in byte 0: the TD-under-debug group, bits 0-7 (bit 0
    /// DEBUG).
    uint8 public constant TD_FORBIDDEN_ATTRIBUTE_BITS = 0xff;
    /// @notice report_data's L1 block must be less than 256 blocks old.
    uint256 public constant MAX_L1_BLOCK_AGE = 255;
    /// @notice Longest TCB grace governance can grant at once.
    uint64 public constant MAX_TCB_GRACE = 30 days;

    uint32 public constant DEFAULT_REGISTRATION_DELAY = 24 hours;
    uint32 public constant MIN_REGISTRATION_DELAY = 1 hours;
    uint32 public constant MAX_REGISTRATION_DELAY = 30 days;
    uint32 public constant DEFAULT_INSTANCE_LIFETIME = 90 days;
    uint32 public constant MIN_INSTANCE_LIFETIME = 1 days;
    uint32 public constant MAX_INSTANCE_LIFETIME = 365 days;
    uint32 public constant DEFAULT_MAX_ATTESTATION_AGE = 1 hours;
    uint32 public constant MIN_MAX_ATTESTATION_AGE = 1 minutes;
    uint32 public constant MAX_MAX_ATTESTATION_AGE = 1 days;

    // ------------------------------------------------------------------ storage

    mapping(address prover => Instance) internal _instances;
    mapping(uint24 id => Trust) internal _trust;
    /// @notice Index of a measurement hash (0 = never seen).
    mapping(bytes32 measurement => uint24 id) public measurementId;
    /// @notice Measurement hash of an index.
    mapping(uint24 id => bytes32 measurement) public measurementOf;
    /// @notice Number of measurements ever seen (indexes are 1..count).
    uint24 public measurementCount;
    /// @notice Whether a report (see {reportId}) has registered an instance.
    mapping(bytes32 reportId => bool) public reportUsed;
    /// @notice Allowed attestation adapters.
    mapping(address adapter => bool) public isAttestationVerifier;
    /// @notice Advisory sets (see {NormalizedAttestation.advisoriesHash}) accepted with
    /// SWHardeningNeeded.
    mapping(bytes32 advisoriesHash => bool) public advisoriesAllowed;
    /// @notice Until when a TCB status other than UpToDate/SWHardeningNeeded/Revoked is accepted.
    mapping(uint8 tcbStatus => uint64 until) public tcbGraceUntil;
    /// @notice Registration parameters.
    Parameters public parameters;

    // ------------------------------------------------------------------ events

    /// @notice `prover` joined; it may prove from `validSince` until `expiry`.
    event InstanceRegistered(
        address indexed prover,
        address indexed beneficiary,
        bytes32 indexed measurement,
        uint32 validSince,
        uint32 expiry,
        address adapter,
        bytes32 reportId
    );
    /// @notice `oldProver` handed over to `newProver` and retired.
    event InstanceHandedOver(address indexed oldProver, address indexed newProver);
    /// @notice {rotate} took over `prover`'s pending registration from report `reportId` (submitted
    /// to {register} before the hand-over): it may prove from `validSince` (the hand-over) until
    /// `expiry`, as if the rotation had registered it.
    event RegistrationTakenOver(address indexed prover, uint32 validSince, uint32 expiry, bytes32 reportId);
    /// @notice `prover` was revoked (permanently).
    event InstanceRevoked(address indexed prover, address indexed by);
    /// @notice `measurement` (index `id`) is trusted.
    event MeasurementTrusted(bytes32 indexed measurement, uint24 id, address indexed by);
    /// @notice `measurement` (index `id`) is untrusted, permanently.
    event MeasurementUntrusted(bytes32 indexed measurement, uint24 id, address indexed by);
    /// @notice An attestation adapter was allowed or removed.
    event AttestationVerifierSet(address indexed adapter, bool allowed, address indexed by);
    /// @notice An advisory set was allowed or removed for SWHardeningNeeded.
    event AdvisoriesAllowedSet(bytes32 indexed advisoriesHash, bool allowed, address indexed by);
    /// @notice TCB status `tcbStatus` is accepted until `until` (0: not at all).
    event TcbGraceSet(uint8 indexed tcbStatus, uint64 until, address indexed by);
    /// @notice Registration parameters changed.
    event ParametersSet(
        uint32 registrationDelay, uint32 instanceLifetime, uint32 maxAttestationAge, address indexed by
    );

    // ------------------------------------------------------------------ errors

    error ZeroAddress();
    error AttestationVerifierNotAllowed(address adapter);
    error UnsupportedTeeType(uint8 teeType);
    error ForbiddenAttributes(bytes16 attributes);
    /// @notice A TDX attestation of a TD with a service TD bound (`mr_service_td` non-zero), which
    /// could read the TD's state.
    error ServiceTdBound();
    error TcbStatusNotAccepted(uint8 tcbStatus, bytes32 advisoriesHash);
    error MeasurementNotAllowed(bytes32 measurement);
    error AttestationNotFresh(uint64 verifiedAt);
    error ReportDataLength(uint256 length);
    error ReportDataMismatch(bytes32 expected);
    error L1BlockNotRecent(uint64 l1BlockNumber);
    error ReportAlreadyUsed(bytes32 reportId);
    error ProverAlreadyRegistered(address prover);
    error HandoverSignatureInvalid(address oldProver, address newProver);
    error ProverNotRegistered(address prover);
    error ProverNotYetActive(address prover, uint32 validSince);
    error ProverExpired(address prover, uint32 expiry);
    error ProverRevoked(address prover);
    error ProverRetired(address prover);
    error ProverMeasurementUntrusted(address prover);
    error MeasurementPermanentlyUntrusted(bytes32 measurement);
    error TcbStatusNotGraceable(uint8 tcbStatus);
    error GraceTooLong(uint64 until);
    error ParameterOutOfBounds();

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants and revokes roles).
    /// @param policy Holder of POLICY_ROLE.
    /// @param guardian Holder of GUARDIAN_ROLE.
    constructor(address admin, address policy, address guardian) {
        if (admin == address(0) || policy == address(0) || guardian == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POLICY_ROLE, policy);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setParameters(DEFAULT_REGISTRATION_DELAY, DEFAULT_INSTANCE_LIFETIME, DEFAULT_MAX_ATTESTATION_AGE);
    }

    /// @dev POLICY_ROLE or GUARDIAN_ROLE: for changes that only restrict.
    modifier onlyRestrictor() {
        if (!hasRole(GUARDIAN_ROLE, msg.sender)) _checkRole(POLICY_ROLE);
        _;
    }

    // ------------------------------------------------------------------ registration

    /// @notice Registers `r.prover` if its attestation passes the policy. Anyone may relay.
    /// @return validSince When the instance may start proving.
    function register(Registration calldata r) external returns (uint32 validSince) {
        (uint24 id, bytes32 rid) = _verify(r);
        if (reportUsed[rid]) revert ReportAlreadyUsed(rid);
        if (_instances[r.prover].status != Status.None) revert ProverAlreadyRegistered(r.prover);
        validSince = SafeCast.toUint32(block.timestamp + parameters.registrationDelay);
        _addInstance(r, id, rid, validSince);
    }

    /// @notice Hands over from the active instance `oldProver` to a newly attested key `r.prover`,
    /// which is active at once (the old one already went through its delay); `oldProver` retires.
    /// Anyone may relay.
    /// @dev `r` must pass every check of {register}. Its report_data does not say whether it is
    /// meant for {register} or for a rotation, so whoever sees the rotation pending can submit the
    /// same evidence to {register} first. The rotation then takes that registration over instead of
    /// failing on the used report: a used report whose report_data binds `r.prover` is the one that
    /// registered `r.prover`, and while that registration is pending (Active, before its
    /// `validSince`) the heir starts now and expires one lifetime from now, as if this rotation had
    /// registered it ({RegistrationTakenOver} instead of {InstanceRegistered}). This grants nothing
    /// a rotation with the same evidence at the same time would not: only `oldProver`'s hand-over
    /// signature, with evidence that passes every check now, starts a key before its delay.
    /// @param handoverSignature `oldProver`'s signature (65 bytes, low s) over
    /// {handoverDigest}(oldProver, r.prover).
    function rotate(address oldProver, bytes calldata handoverSignature, Registration calldata r) external {
        _requireActive(oldProver);
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(handoverDigest(oldProver, r.prover), handoverSignature);
        if (err != ECDSA.RecoverError.NoError || signer != oldProver) {
            revert HandoverSignatureInvalid(oldProver, r.prover);
        }
        (uint24 id, bytes32 rid) = _verify(r);
        Instance storage heir = _instances[r.prover];
        bool takeOver = reportUsed[rid];
        if (takeOver) {
            if (heir.status != Status.Active || block.timestamp >= heir.validSince) revert ReportAlreadyUsed(rid);
        } else if (heir.status != Status.None) {
            revert ProverAlreadyRegistered(r.prover);
        }

        _instances[oldProver].status = Status.Retired;
        emit InstanceHandedOver(oldProver, r.prover);
        uint32 since = SafeCast.toUint32(block.timestamp);
        if (takeOver) {
            uint32 expiry = SafeCast.toUint32(block.timestamp + parameters.instanceLifetime);
            heir.validSince = since;
            heir.expiry = expiry;
            emit RegistrationTakenOver(r.prover, since, expiry, rid);
        } else {
            _addInstance(r, id, rid, since);
        }
    }

    /// @notice The first 32 bytes of report_data an enclave must produce to register `prover`
    /// with `beneficiary` here, bound to the hash of L1 block `l1BlockNumber`; the last 32 bytes
    /// are zero.
    /// @dev keccak256(abi.encode(REPORT_DATA_TAG, chainid, registry, prover, beneficiary,
    /// l1BlockNumber, blockhash(l1BlockNumber))).
    function expectedReportData(address prover, address beneficiary, uint64 l1BlockNumber)
        public
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                REPORT_DATA_TAG,
                block.chainid,
                address(this),
                prover,
                beneficiary,
                l1BlockNumber,
                blockhash(l1BlockNumber)
            )
        );
    }

    /// @notice What `oldProver` signs to hand over to `newProver`.
    function handoverDigest(address oldProver, address newProver) public view returns (bytes32) {
        return keccak256(abi.encode(HANDOVER_TAG, block.chainid, address(this), oldProver, newProver));
    }

    /// @notice The measurement an SGX attestation is judged by.
    function measurementHash(bytes32 mrEnclave, bytes32 mrSigner, uint16 isvProdId, uint16 isvSvn)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(mrEnclave, mrSigner, isvProdId, isvSvn));
    }

    /// @notice The measurement a TDX attestation is judged by (see {NormalizedAttestation}): what
    /// governance allow-lists for a TDX prover, in the same allow-list as SGX's {measurementHash}.
    /// @param tdMeasurement keccak256(mrTd ‖ rtmr0 ‖ rtmr1 ‖ rtmr2 ‖ mrConfigId).
    /// @param tdOwner keccak256(mrOwner ‖ mrOwnerConfig).
    /// @param composeHash The dstack app's compose hash (zero: a VM attested without event log).
    function tdxMeasurementHash(bytes32 tdMeasurement, bytes32 tdOwner, bytes32 composeHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(TDX_MEASUREMENT_TAG, tdMeasurement, tdOwner, composeHash));
    }

    /// @notice The identity of a report: a report registers at most once. SGX: its measurement,
    /// attributes and report_data; TDX: its TEE type, measurement, owner, compose hash, attributes
    /// and report_data.
    function reportId(NormalizedAttestation memory a) public pure returns (bytes32) {
        if (a.teeType == TEE_TYPE_TDX) {
            return
                keccak256(abi.encode(a.teeType, a.tdMeasurement, a.tdOwner, a.composeHash, a.attributes, a.reportData));
        }
        return keccak256(abi.encode(a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn, a.attributes, a.reportData));
    }

    // ------------------------------------------------------------------ views

    /// @notice The instance record of `prover`.
    function instanceOf(address prover) external view returns (Instance memory) {
        return _instances[prover];
    }

    /// @notice Trust in `measurement`.
    function measurementTrust(bytes32 measurement) external view returns (Trust) {
        return _trust[measurementId[measurement]];
    }

    /// @inheritdoc IProverRegistry
    function isActive(address prover) public view returns (bool) {
        Instance memory i = _instances[prover];
        return i.status == Status.Active && block.timestamp >= i.validSince && block.timestamp < i.expiry
            && _trust[i.measurementId] == Trust.Trusted;
    }

    /// @inheritdoc IProverRegistry
    function isTrustedSigner(address prover) public view returns (bool) {
        Instance memory i = _instances[prover];
        return (i.status == Status.Active || i.status == Status.Retired) && _trust[i.measurementId] == Trust.Trusted;
    }

    /// @inheritdoc IProverRegistry
    function beneficiaryOf(address prover) external view returns (address) {
        return _instances[prover].beneficiary;
    }

    // ------------------------------------------------------------------ governance

    /// @notice Trusts `measurement` (see {measurementHash} for SGX, {tdxMeasurementHash} for TDX).
    /// Refused once it was untrusted.
    /// @return id The measurement's index.
    function trustMeasurement(bytes32 measurement) external onlyRole(POLICY_ROLE) returns (uint24 id) {
        id = _measurementIndex(measurement);
        Trust t = _trust[id];
        if (t == Trust.Untrusted) revert MeasurementPermanentlyUntrusted(measurement);
        if (t == Trust.Trusted) return id;
        _trust[id] = Trust.Trusted;
        emit MeasurementTrusted(measurement, id, msg.sender);
    }

    /// @notice Untrusts `measurement` for good (also one never trusted, to ban it in advance).
    /// Proofs from its instances stop counting at once, including accepted ones not yet final.
    function untrustMeasurement(bytes32 measurement) external onlyRestrictor {
        uint24 id = _measurementIndex(measurement);
        if (_trust[id] == Trust.Untrusted) return;
        _trust[id] = Trust.Untrusted;
        emit MeasurementUntrusted(measurement, id, msg.sender);
    }

    /// @notice Revokes `prover` for good.
    function revoke(address prover) external onlyRestrictor {
        Instance storage i = _instances[prover];
        if (i.status == Status.None) revert ProverNotRegistered(prover);
        if (i.status == Status.Revoked) return;
        i.status = Status.Revoked;
        emit InstanceRevoked(prover, msg.sender);
    }

    /// @notice Allows (POLICY_ROLE) or removes (POLICY_ROLE or GUARDIAN_ROLE) an attestation adapter.
    function setAttestationVerifier(address adapter, bool allowed) external {
        _checkExtendOrRestrict(allowed);
        if (adapter == address(0)) revert ZeroAddress();
        isAttestationVerifier[adapter] = allowed;
        emit AttestationVerifierSet(adapter, allowed, msg.sender);
    }

    /// @notice Allows (POLICY_ROLE) or removes (POLICY_ROLE or GUARDIAN_ROLE) an advisory set for
    /// SWHardeningNeeded platforms.
    function setAdvisoriesAllowed(bytes32 advisoriesHash, bool allowed) external {
        _checkExtendOrRestrict(allowed);
        advisoriesAllowed[advisoriesHash] = allowed;
        emit AdvisoriesAllowedSet(advisoriesHash, allowed, msg.sender);
    }

    /// @notice Accepts TCB status `tcbStatus` (ConfigurationNeeded, ConfigurationAndSWHardeningNeeded,
    /// OutOfDate or OutOfDateConfigurationNeeded) until `until`, at most {MAX_TCB_GRACE} ahead
    /// (POLICY_ROLE); `until` = 0 withdraws it (POLICY_ROLE or GUARDIAN_ROLE).
    function setTcbGrace(uint8 tcbStatus, uint64 until) external {
        _checkExtendOrRestrict(until != 0);
        if (tcbStatus < TcbStatus.CONFIGURATION_NEEDED || tcbStatus > TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED) {
            revert TcbStatusNotGraceable(tcbStatus);
        }
        if (until > block.timestamp + MAX_TCB_GRACE) revert GraceTooLong(until);
        tcbGraceUntil[tcbStatus] = until;
        emit TcbGraceSet(tcbStatus, until, msg.sender);
    }

    /// @notice Sets the registration parameters, each within its bounds (lifetime above delay).
    /// Instances already registered keep their times.
    function setParameters(uint32 registrationDelay, uint32 instanceLifetime, uint32 maxAttestationAge)
        external
        onlyRole(POLICY_ROLE)
    {
        _setParameters(registrationDelay, instanceLifetime, maxAttestationAge);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts unless `prover` may sign a proof now. Two storage loads: the instance slot,
    /// decoded by hand (one SLOAD; the layout of {Instance} from the low-order bytes up:
    /// beneficiary 160 bits, validSince 32, expiry 32, measurementId 24, status 8 — checked against
    /// {instanceOf} by the tests), and the measurement's trust.
    function _requireActive(address prover) internal view {
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, prover)
            mstore(0x20, _instances.slot)
            word := sload(keccak256(0x00, 0x40))
        }
        uint256 status = word >> 248;
        if (status != uint256(Status.Active)) {
            if (status == uint256(Status.None)) revert ProverNotRegistered(prover);
            if (status == uint256(Status.Revoked)) revert ProverRevoked(prover);
            revert ProverRetired(prover);
        }
        // The truncating casts below extract the packed fields: truncation is the point.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint32 validSince = uint32(word >> 160);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint32 expiry = uint32(word >> 192);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint24 id = uint24(word >> 224);
        if (block.timestamp < validSince) revert ProverNotYetActive(prover, validSince);
        if (block.timestamp >= expiry) revert ProverExpired(prover, expiry);
        if (_trust[id] != Trust.Trusted) revert ProverMeasurementUntrusted(prover);
    }

    /// @dev Every registration check but the single use of the report and of the address, which
    /// {register} and {rotate} each add; returns the measurement index and the report id. The
    /// adapter is called with STATICCALL (its function is `view`), so it cannot re-enter.
    function _verify(Registration calldata r) internal view returns (uint24 id, bytes32 rid) {
        if (r.prover == address(0) || r.beneficiary == address(0)) revert ZeroAddress();
        if (!isAttestationVerifier[address(r.adapter)]) revert AttestationVerifierNotAllowed(address(r.adapter));
        NormalizedAttestation memory a = r.adapter.verifyAttestation(r.evidence);
        id = _checkPolicy(a);
        _checkBinding(a, r);
        rid = reportId(a);
    }

    /// @dev What the enclave or TD is and runs on.
    function _checkPolicy(NormalizedAttestation memory a) internal view returns (uint24 id) {
        bytes32 m;
        if (a.teeType == TEE_TYPE_SGX) {
            if (uint8(a.attributes[0]) & FORBIDDEN_ATTRIBUTE_BITS != 0) revert ForbiddenAttributes(a.attributes);
            _checkTcb(a.tcbStatus, a.advisoriesHash);
            m = measurementHash(a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn);
        } else if (a.teeType == TEE_TYPE_TDX) {
            if (uint8(a.attributes[0]) & TD_FORBIDDEN_ATTRIBUTE_BITS != 0) revert ForbiddenAttributes(a.attributes);
            if (a.serviceTdBound) revert ServiceTdBound();
            _checkTcb(a.tcbStatus, a.advisoriesHash);
            m = tdxMeasurementHash(a.tdMeasurement, a.tdOwner, a.composeHash);
        } else {
            revert UnsupportedTeeType(a.teeType);
        }
        id = measurementId[m];
        if (id == 0 || _trust[id] != Trust.Trusted) revert MeasurementNotAllowed(m);
        if (a.verifiedAt > block.timestamp || block.timestamp - a.verifiedAt > parameters.maxAttestationAge) {
            revert AttestationNotFresh(a.verifiedAt);
        }
    }

    /// @dev TCB status policy. Revoked (and any unknown value) is never accepted.
    function _checkTcb(uint8 status, bytes32 advisoriesHash) internal view {
        if (status == TcbStatus.UP_TO_DATE) return;
        if (status == TcbStatus.SW_HARDENING_NEEDED) {
            if (advisoriesAllowed[advisoriesHash]) return;
        } else if (status < TcbStatus.REVOKED && block.timestamp <= tcbGraceUntil[status]) {
            return;
        }
        revert TcbStatusNotAccepted(status, advisoriesHash);
    }

    /// @dev report_data binds the key, the beneficiary, this registry, this chain and a recent L1
    /// block.
    function _checkBinding(NormalizedAttestation memory a, Registration calldata r) internal view {
        bytes memory data = a.reportData;
        if (data.length != 64) revert ReportDataLength(data.length);
        if (r.l1BlockNumber >= block.number || block.number - r.l1BlockNumber > MAX_L1_BLOCK_AGE) {
            revert L1BlockNotRecent(r.l1BlockNumber);
        }
        bytes32 expected = expectedReportData(r.prover, r.beneficiary, r.l1BlockNumber);
        bytes32 first;
        bytes32 second;
        assembly ("memory-safe") {
            first := mload(add(data, 0x20))
            second := mload(add(data, 0x40))
        }
        if (first != expected || second != bytes32(0)) revert ReportDataMismatch(expected);
    }

    /// @dev Effects of a registration.
    function _addInstance(Registration calldata r, uint24 id, bytes32 rid, uint32 validSince) internal {
        uint32 expiry = SafeCast.toUint32(block.timestamp + parameters.instanceLifetime);
        reportUsed[rid] = true;
        _instances[r.prover] = Instance({
            beneficiary: r.beneficiary, validSince: validSince, expiry: expiry, measurementId: id, status: Status.Active
        });
        emit InstanceRegistered(r.prover, r.beneficiary, measurementOf[id], validSince, expiry, address(r.adapter), rid);
    }

    /// @dev The index of `measurement`, allotting one on first sight.
    function _measurementIndex(bytes32 measurement) internal returns (uint24 id) {
        id = measurementId[measurement];
        if (id == 0) {
            id = ++measurementCount;
            measurementId[measurement] = id;
            measurementOf[id] = measurement;
        }
    }

    /// @dev Extending needs POLICY_ROLE; restricting POLICY_ROLE or GUARDIAN_ROLE.
    function _checkExtendOrRestrict(bool extends) internal view {
        if (extends || !hasRole(GUARDIAN_ROLE, msg.sender)) _checkRole(POLICY_ROLE);
    }

    function _setParameters(uint32 delay, uint32 lifetime, uint32 maxAge) internal {
        if (
            delay < MIN_REGISTRATION_DELAY || delay > MAX_REGISTRATION_DELAY || lifetime < MIN_INSTANCE_LIFETIME
                || lifetime > MAX_INSTANCE_LIFETIME || lifetime <= delay || maxAge < MIN_MAX_ATTESTATION_AGE
                || maxAge > MAX_MAX_ATTESTATION_AGE
        ) revert ParameterOutOfBounds();
        parameters = Parameters(delay, lifetime, maxAge);
        emit ParametersSet(delay, lifetime, maxAge, msg.sender);
    }
}
