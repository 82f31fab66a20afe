// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {TeeVerifier} from "../src/TeeVerifier.sol";
import {QuorumAttestationVerifier} from "../src/QuorumAttestationVerifier.sol";
import {NormalizedAttestation, TcbStatus} from "../src/interfaces/IAttestationVerifier.sol";
import {BlockClaim} from "../src/interfaces/ITeeVerifier.sol";

contract ProverRegistryTest is Fixture {
    address internal prover;
    uint256 internal proverKey;

    function setUp() public {
        setUpRegistry(address(0));
        proverKey = _newProverKey();
        prover = vm.addr(proverKey);
    }

    // ------------------------------------------------------------------ helpers

    function _try(NormalizedAttestation memory a) internal {
        tee.register(_registration(prover, _quorumEvidence(a, 2)));
    }

    function _expect(NormalizedAttestation memory a, bytes memory err) internal {
        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(a, 2));
        vm.expectRevert(err);
        tee.register(r);
    }

    // ------------------------------------------------------------------ registration

    function test_register_recordsTheInstance() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        vm.expectEmit(address(tee));
        emit ProverRegistry.InstanceRegistered(
            prover,
            beneficiary,
            measurement,
            uint32(block.timestamp + 24 hours),
            uint32(block.timestamp + 90 days),
            address(quorum),
            tee.reportId(a)
        );
        _try(a);
        ProverRegistry.Instance memory i = tee.instanceOf(prover);
        assertEq(i.beneficiary, beneficiary);
        assertEq(i.validSince, block.timestamp + 24 hours);
        assertEq(i.expiry, block.timestamp + 90 days);
        assertEq(tee.measurementOf(i.measurementId), measurement);
        assertEq(uint8(i.status), uint8(ProverRegistry.Status.Active));
        assertTrue(tee.reportUsed(tee.reportId(a)));
        assertFalse(tee.isActive(prover));
        assertTrue(tee.isTrustedSigner(prover));
        assertEq(tee.beneficiaryOf(prover), beneficiary);
        vm.warp(block.timestamp + 24 hours);
        assertTrue(tee.isActive(prover));
    }

    function test_register_anyoneMayRelay() public {
        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 2));
        vm.prank(makeAddr("relayer"));
        tee.register(r);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_refuses_zeroAddresses() public {
        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 2));
        r.prover = address(0);
        vm.expectRevert(ProverRegistry.ZeroAddress.selector);
        tee.register(r);
        r.prover = prover;
        r.beneficiary = address(0);
        vm.expectRevert(ProverRegistry.ZeroAddress.selector);
        tee.register(r);
    }

    function test_refuses_adapterNotAllowed() public {
        address[] memory signers = new address[](1);
        signers[0] = vm.addr(quorumKeys[0]);
        QuorumAttestationVerifier other = new QuorumAttestationVerifier(admin, signers, 1);
        ProverRegistry.Registration memory r = _registration(prover, "");
        r.adapter = other;
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.AttestationVerifierNotAllowed.selector, address(other)));
        tee.register(r);
        // and a removed one
        vm.prank(guardian);
        tee.setAttestationVerifier(address(quorum), false);
        r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 2));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.AttestationVerifierNotAllowed.selector, address(quorum)));
        tee.register(r);
    }

    function test_refuses_adapterRejection() public {
        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 1));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.NotEnoughSignatures.selector, 1, 2));
        tee.register(r);
    }

    function test_refuses_unknownTeeType() public {
        uint8[4] memory types = [uint8(0x80), 0x01, 0x82, 0xff];
        for (uint256 i = 0; i < 4; ++i) {
            NormalizedAttestation memory a = _goodTdxAttestation(prover);
            a.teeType = types[i];
            _expect(a, abi.encodeWithSelector(ProverRegistry.UnsupportedTeeType.selector, types[i]));
            // whatever the measurement fields: an SGX-shaped one too
            a = _goodAttestation(prover);
            a.teeType = types[i];
            _expect(a, abi.encodeWithSelector(ProverRegistry.UnsupportedTeeType.selector, types[i]));
        }
    }

    function test_refuses_debugProvisionKeyEinittoken() public {
        uint8[3] memory bits = [uint8(0x02), 0x10, 0x20];
        for (uint256 i = 0; i < 3; ++i) {
            NormalizedAttestation memory a = _goodAttestation(prover);
            a.attributes = bytes16(uint128(a.attributes) | (uint128(bits[i]) << 120));
            _expect(a, abi.encodeWithSelector(ProverRegistry.ForbiddenAttributes.selector, a.attributes));
        }
    }

    function test_refuses_revokedTcbAlways() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.tcbStatus = TcbStatus.REVOKED;
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 6, a.advisoriesHash));
        // no grace can be granted for Revoked (nor for unknown statuses)
        vm.startPrank(policy);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.TcbStatusNotGraceable.selector, 6));
        tee.setTcbGrace(TcbStatus.REVOKED, uint64(block.timestamp + 1 days));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.TcbStatusNotGraceable.selector, 7));
        tee.setTcbGrace(7, uint64(block.timestamp + 1 days));
        vm.stopPrank();
        a.tcbStatus = 7;
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 7, a.advisoriesHash));
    }

    function test_swHardening_needsAnAllowedAdvisorySet() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.tcbStatus = TcbStatus.SW_HARDENING_NEEDED;
        a.advisoriesHash = keccak256("INTEL-SA-00334,INTEL-SA-00615");
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 1, a.advisoriesHash));
        vm.prank(policy);
        tee.setAdvisoriesAllowed(a.advisoriesHash, true);
        _try(a);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_otherTcbStatuses_onlyWithinGovernanceGrace() public {
        uint8[4] memory statuses = [
            TcbStatus.CONFIGURATION_NEEDED,
            TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED,
            TcbStatus.OUT_OF_DATE,
            TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED
        ];
        for (uint256 i = 0; i < 4; ++i) {
            prover = vm.addr(_newProverKey());
            NormalizedAttestation memory a = _goodAttestation(prover);
            a.tcbStatus = statuses[i];
            _expect(
                a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, statuses[i], a.advisoriesHash)
            );
            vm.prank(policy);
            tee.setTcbGrace(statuses[i], uint64(block.timestamp + 7 days));
            _try(a);
        }
        // after the grace: refused again
        vm.warp(block.timestamp + 7 days + 1);
        vm.roll(block.number + 10);
        prover = vm.addr(_newProverKey());
        NormalizedAttestation memory b = _goodAttestation(prover);
        b.tcbStatus = TcbStatus.OUT_OF_DATE;
        _expect(b, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 4, b.advisoriesHash));
    }

    function test_tcbGrace_boundedAndWithdrawable() public {
        vm.startPrank(policy);
        uint64 tooLong = uint64(block.timestamp + 30 days + 1);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.GraceTooLong.selector, tooLong));
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, tooLong);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.TcbStatusNotGraceable.selector, 1));
        tee.setTcbGrace(TcbStatus.SW_HARDENING_NEEDED, uint64(block.timestamp + 1));
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, uint64(block.timestamp + 30 days));
        vm.stopPrank();
        // the guardian may withdraw, not grant
        vm.startPrank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, tee.POLICY_ROLE()
            )
        );
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, uint64(block.timestamp + 1 days));
        vm.expectEmit(address(tee));
        emit ProverRegistry.TcbGraceSet(TcbStatus.OUT_OF_DATE, 0, guardian);
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, 0);
        vm.stopPrank();
        assertEq(tee.tcbGraceUntil(TcbStatus.OUT_OF_DATE), 0);
    }

    function test_refuses_unknownOrUntrustedMeasurement() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.mrEnclave = keccak256("other enclave");
        bytes32 m = tee.measurementHash(a.mrEnclave, MR_SIGNER, PROD_ID, SVN);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        a = _goodAttestation(prover);
        a.isvSvn = SVN + 1;
        m = tee.measurementHash(MR_ENCLAVE, MR_SIGNER, PROD_ID, SVN + 1);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        vm.prank(guardian);
        tee.untrustMeasurement(measurement);
        _expect(
            _goodAttestation(prover), abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, measurement)
        );
    }

    function test_untrust_canBanInAdvance_andIsPermanent() public {
        bytes32 m = keccak256("never trusted");
        vm.prank(guardian);
        tee.untrustMeasurement(m);
        assertEq(uint8(tee.measurementTrust(m)), uint8(ProverRegistry.Trust.Untrusted));
        vm.prank(policy);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.MeasurementPermanentlyUntrusted.selector, m));
        tee.trustMeasurement(m);
    }

    function test_refuses_staleOrFutureAttestation() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.verifiedAt = uint64(block.timestamp - 1 hours - 1);
        _expect(a, abi.encodeWithSelector(ProverRegistry.AttestationNotFresh.selector, a.verifiedAt));
        a.verifiedAt = uint64(block.timestamp + 1);
        _expect(a, abi.encodeWithSelector(ProverRegistry.AttestationNotFresh.selector, a.verifiedAt));
        a.verifiedAt = uint64(block.timestamp - 1 hours);
        _try(a);
    }

    function test_refuses_reportDataLength() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.reportData = abi.encodePacked(bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataLength.selector, 32));
    }

    function test_refuses_reportDataNotBindingThisRegistration() public {
        bytes32 expected = tee.expectedReportData(prover, beneficiary, uint64(block.number - 1));
        NormalizedAttestation memory a = _goodAttestation(prover);
        // bound to another prover / beneficiary / block
        a.reportData =
            abi.encodePacked(tee.expectedReportData(makeAddr("x"), beneficiary, uint64(block.number - 1)), bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        a.reportData =
            abi.encodePacked(tee.expectedReportData(prover, makeAddr("x"), uint64(block.number - 1)), bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        a.reportData =
            abi.encodePacked(tee.expectedReportData(prover, beneficiary, uint64(block.number - 2)), bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        // second half not zero
        a.reportData = abi.encodePacked(expected, bytes32(uint256(1)));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        // bound to another chain: same registry address, other chain id
        uint256 chain = block.chainid;
        vm.chainId(chain + 1);
        bytes32 otherChain = tee.expectedReportData(prover, beneficiary, uint64(block.number - 1));
        vm.chainId(chain);
        a.reportData = abi.encodePacked(otherChain, bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
    }

    function test_refuses_reportDataForOtherRegistry() public {
        TeeVerifier other = new TeeVerifier(admin, policy, guardian);
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.reportData =
            abi.encodePacked(other.expectedReportData(prover, beneficiary, uint64(block.number - 1)), bytes32(0));
        _expect(
            a,
            abi.encodeWithSelector(
                ProverRegistry.ReportDataMismatch.selector,
                tee.expectedReportData(prover, beneficiary, uint64(block.number - 1))
            )
        );
    }

    function test_l1Block_mustBeLessThan256BlocksOld() public {
        _expectStaleBlock(uint64(block.number));
        _expectStaleBlock(uint64(block.number + 1));
        _expectStaleBlock(uint64(block.number - 256));
        // 255 blocks old is fine
        tee.register(_registrationAt(uint64(block.number - 255)));
    }

    /// @dev A registration whose report data binds L1 block `l1Block`.
    function _registrationAt(uint64 l1Block) internal view returns (ProverRegistry.Registration memory r) {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.reportData = abi.encodePacked(tee.expectedReportData(prover, beneficiary, l1Block), bytes32(0));
        r = _registration(prover, _quorumEvidence(a, 2));
        r.l1BlockNumber = l1Block;
    }

    function _expectStaleBlock(uint64 l1Block) internal {
        ProverRegistry.Registration memory r = _registrationAt(l1Block);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.L1BlockNotRecent.selector, l1Block));
        tee.register(r);
    }

    function test_refuses_sameReportTwice_andSameAddressTwice() public {
        bytes memory evidence = _quorumEvidence(_goodAttestation(prover), 2);
        tee.register(_registration(prover, evidence));
        bytes32 rid = tee.reportId(_goodAttestation(prover));
        ProverRegistry.Registration memory r = _registration(prover, evidence);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ReportAlreadyUsed.selector, rid));
        tee.register(r);
        // a fresh report (a later L1 block) for the same address
        vm.roll(block.number + 1);
        r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 2));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverAlreadyRegistered.selector, prover));
        tee.register(r);
        // also after revocation
        vm.prank(guardian);
        tee.revoke(prover);
        vm.roll(block.number + 1);
        r = _registration(prover, _quorumEvidence(_goodAttestation(prover), 2));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverAlreadyRegistered.selector, prover));
        tee.register(r);
    }

    // ------------------------------------------------------------------ TDX (dstack confidential VMs)

    function test_tdx_registersThroughTheQuorum_andProves() public {
        bytes32 m = _trustTdx();
        assertEq(m, keccak256(abi.encode(tee.TDX_MEASUREMENT_TAG(), TD_MEASUREMENT, TD_OWNER, COMPOSE_HASH)));
        assertEq(tee.TDX_MEASUREMENT_TAG(), keccak256("phat-sgx-prover.tdx-measurement.v1"));
        assertEq(tee.TEE_TYPE_TDX(), 0x81);
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        vm.expectEmit(address(tee));
        emit ProverRegistry.InstanceRegistered(
            prover,
            beneficiary,
            m,
            uint32(block.timestamp + 24 hours),
            uint32(block.timestamp + 90 days),
            address(quorum),
            tee.reportId(a)
        );
        _try(a);
        ProverRegistry.Instance memory i = tee.instanceOf(prover);
        assertEq(tee.measurementOf(i.measurementId), m);
        assertTrue(tee.reportUsed(tee.reportId(a)));
        assertTrue(tee.isTrustedSigner(prover));
        // the same delay as SGX, then it proves
        BlockClaim memory c = _claim(7);
        bytes memory proof = _blockProof(proverKey, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotYetActive.selector, prover, i.validSince));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        vm.warp(block.timestamp + 24 hours);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, proof), prover);
        // and expires as SGX instances do
        vm.warp(i.expiry);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverExpired.selector, prover, i.expiry));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
    }

    /// @dev A VM attested without event log carries no compose hash: its measurement is the one
    /// with a zero compose hash, which governance allow-lists separately.
    function test_tdx_withoutEventLog_needsItsOwnMeasurement() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.composeHash = bytes32(0);
        bytes32 m = tee.tdxMeasurementHash(TD_MEASUREMENT, TD_OWNER, bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        vm.prank(policy);
        tee.trustMeasurement(m);
        _try(a);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_tdx_refuses_tdUnderDebug() public {
        _trustTdx();
        // DEBUG (bit 0), the other TUD bits 1-7 one by one, and all of them
        uint8[9] memory bits = [uint8(0x01), 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff];
        for (uint256 i = 0; i < 9; ++i) {
            NormalizedAttestation memory a = _goodTdxAttestation(prover);
            a.attributes = bytes16(uint128(a.attributes) | (uint128(bits[i]) << 120));
            _expect(a, abi.encodeWithSelector(ProverRegistry.ForbiddenAttributes.selector, a.attributes));
        }
        // the SGX flag bits that are refused for SGX are TUD bits too, the ones SGX needs (INIT,
        // MODE64BIT) as well: an SGX-shaped attributes field is refused for a TD
        NormalizedAttestation memory b = _goodTdxAttestation(prover);
        b.attributes = GOOD_ATTRIBUTES;
        _expect(b, abi.encodeWithSelector(ProverRegistry.ForbiddenAttributes.selector, GOOD_ATTRIBUTES));
    }

    /// @dev Any TD-under-debug bit refuses, whatever the rest of td_attributes and XFAM.
    function testFuzz_tdx_refusesAnyTdUnderDebugBit(uint8 tud, uint120 rest) public {
        tud = uint8(bound(tud, 1, 255));
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.attributes = bytes16((uint128(tud) << 120) | uint128(rest));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ForbiddenAttributes.selector, a.attributes));
    }

    /// @dev Bits above byte 0 (other td_attributes bits, XFAM) are not the registry's to judge:
    /// dcap-qvl's rules and the measurement are.
    function test_tdx_otherAttributeBytesPass() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.attributes = bytes16(uint128(type(uint120).max));
        _try(a);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_tdx_refuses_serviceTdBound() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.serviceTdBound = true;
        _expect(a, abi.encodeWithSelector(ProverRegistry.ServiceTdBound.selector));
    }

    function test_tdx_tcbAsSgx() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.tcbStatus = TcbStatus.REVOKED;
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 6, a.advisoriesHash));
        a.tcbStatus = TcbStatus.OUT_OF_DATE;
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 4, a.advisoriesHash));
        a.tcbStatus = TcbStatus.SW_HARDENING_NEEDED;
        a.advisoriesHash = keccak256("INTEL-SA-00837");
        _expect(a, abi.encodeWithSelector(ProverRegistry.TcbStatusNotAccepted.selector, 1, a.advisoriesHash));
        vm.prank(policy);
        tee.setAdvisoriesAllowed(a.advisoriesHash, true);
        _try(a);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_tdx_refuses_unlistedMeasurement() public {
        _trustTdx();
        // another app (compose hash), another firmware / OS image / config id, another owner
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.composeHash = keccak256("app-compose.json v2");
        bytes32 m = tee.tdxMeasurementHash(TD_MEASUREMENT, TD_OWNER, a.composeHash);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        a = _goodTdxAttestation(prover);
        a.tdMeasurement = keccak256("td measurement v2");
        m = tee.tdxMeasurementHash(a.tdMeasurement, TD_OWNER, COMPOSE_HASH);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        a = _goodTdxAttestation(prover);
        a.tdOwner = keccak256("another owner");
        m = tee.tdxMeasurementHash(TD_MEASUREMENT, a.tdOwner, COMPOSE_HASH);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        // the fields are not interchangeable
        a = _goodTdxAttestation(prover);
        (a.tdMeasurement, a.composeHash) = (COMPOSE_HASH, TD_MEASUREMENT);
        m = tee.tdxMeasurementHash(COMPOSE_HASH, TD_OWNER, TD_MEASUREMENT);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
    }

    /// @dev An SGX measurement admits no TD and a TDX measurement no enclave, whatever else the
    /// attestation carries.
    function test_tdx_measurementsDoNotCrossTeeTypes() public {
        bytes32 tdxM = _trustTdx();
        // a TD carrying the trusted SGX enclave's fields
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        (a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn) = (MR_ENCLAVE, MR_SIGNER, PROD_ID, SVN);
        a.tdMeasurement = keccak256("td measurement v2");
        bytes32 m = tee.tdxMeasurementHash(a.tdMeasurement, TD_OWNER, COMPOSE_HASH);
        _expect(a, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        // an enclave carrying the trusted TD's fields
        vm.prank(guardian);
        tee.untrustMeasurement(measurement);
        NormalizedAttestation memory b = _goodAttestation(prover);
        (b.tdMeasurement, b.tdOwner, b.composeHash) = (TD_MEASUREMENT, TD_OWNER, COMPOSE_HASH);
        _expect(b, abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, measurement));
        assertEq(uint8(tee.measurementTrust(tdxM)), uint8(ProverRegistry.Trust.Trusted));
    }

    function test_tdx_untrustIsPermanent() public {
        bytes32 m = _trustTdx();
        _try(_goodTdxAttestation(prover));
        vm.warp(block.timestamp + 24 hours);
        assertTrue(tee.isActive(prover));
        vm.expectEmit(address(tee));
        emit ProverRegistry.MeasurementUntrusted(m, tee.measurementId(m), guardian);
        vm.prank(guardian);
        tee.untrustMeasurement(m);
        // its instance stops proving at once
        assertFalse(tee.isTrustedSigner(prover));
        BlockClaim memory c = _claim(7);
        bytes memory proof = _blockProof(proverKey, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverMeasurementUntrusted.selector, prover));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        // no new instance registers with it
        prover = vm.addr(_newProverKey());
        _expect(_goodTdxAttestation(prover), abi.encodeWithSelector(ProverRegistry.MeasurementNotAllowed.selector, m));
        // and it cannot be trusted again
        vm.prank(policy);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.MeasurementPermanentlyUntrusted.selector, m));
        tee.trustMeasurement(m);
    }

    function test_tdx_refuses_staleOrFutureAttestation() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.verifiedAt = uint64(block.timestamp - 1 hours - 1);
        _expect(a, abi.encodeWithSelector(ProverRegistry.AttestationNotFresh.selector, a.verifiedAt));
        a.verifiedAt = uint64(block.timestamp + 1);
        _expect(a, abi.encodeWithSelector(ProverRegistry.AttestationNotFresh.selector, a.verifiedAt));
        a.verifiedAt = uint64(block.timestamp - 1 hours);
        _try(a);
    }

    function test_tdx_refuses_reportDataNotBindingThisRegistration() public {
        _trustTdx();
        bytes32 expected = tee.expectedReportData(prover, beneficiary, uint64(block.number - 1));
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.reportData =
            abi.encodePacked(tee.expectedReportData(makeAddr("x"), beneficiary, uint64(block.number - 1)), bytes32(0));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        a.reportData = abi.encodePacked(expected, bytes32(uint256(1)));
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataMismatch.selector, expected));
        a.reportData = abi.encodePacked(expected);
        _expect(a, abi.encodeWithSelector(ProverRegistry.ReportDataLength.selector, 32));
    }

    function test_tdx_refuses_sameReportTwice() public {
        _trustTdx();
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        bytes memory evidence = _quorumEvidence(a, 2);
        tee.register(_registration(prover, evidence));
        bytes32 rid = tee.reportId(a);
        // the same report again
        ProverRegistry.Registration memory r = _registration(prover, evidence);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ReportAlreadyUsed.selector, rid));
        tee.register(r);
        // also once the instance was revoked (the address check would not stop it then: it is
        // the report that is spent)
        vm.prank(guardian);
        tee.revoke(prover);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ReportAlreadyUsed.selector, rid));
        tee.register(r);
    }

    /// @dev A TDX report's id is over its TEE type and TDX fields: two VMs whose reports differ
    /// only there (the SGX fields being zero for both) are two reports.
    function test_tdx_reportId() public view {
        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        bytes32 rid = tee.reportId(a);
        assertEq(
            rid,
            keccak256(abi.encode(uint8(0x81), TD_MEASUREMENT, TD_OWNER, COMPOSE_HASH, GOOD_TD_ATTRIBUTES, a.reportData))
        );
        NormalizedAttestation memory b = _goodTdxAttestation(prover);
        b.tdMeasurement = keccak256("td measurement v2");
        assertNotEq(tee.reportId(b), rid, "tdMeasurement");
        b = _goodTdxAttestation(prover);
        b.tdOwner = keccak256("another owner");
        assertNotEq(tee.reportId(b), rid, "tdOwner");
        b = _goodTdxAttestation(prover);
        b.composeHash = bytes32(0);
        assertNotEq(tee.reportId(b), rid, "composeHash");
        b = _goodTdxAttestation(prover);
        b.attributes = bytes16(uint128(b.attributes) ^ 1);
        assertNotEq(tee.reportId(b), rid, "attributes");
        b = _goodTdxAttestation(prover);
        b.reportData[63] = 0x01;
        assertNotEq(tee.reportId(b), rid, "reportData");
        // an SGX report with the same SGX fields (all zero), attributes and report_data is another
        b = _goodTdxAttestation(prover);
        b.teeType = 0;
        assertNotEq(tee.reportId(b), rid, "teeType");
    }

    /// @dev An SGX instance hands over to a TDX heir (and the heir must pass the TDX rules).
    function test_tdx_rotateFromSgxToTdx() public {
        _trustTdx();
        (uint256 oldKey, address oldProver) = _activeProver();
        uint256 newKey = _newProverKey();
        address newProver = vm.addr(newKey);
        bytes memory sig = _sign(oldKey, tee.handoverDigest(oldProver, newProver));
        NormalizedAttestation memory a = _goodTdxAttestation(newProver);
        a.serviceTdBound = true;
        ProverRegistry.Registration memory r = _registration(newProver, _quorumEvidence(a, 2));
        vm.expectRevert(ProverRegistry.ServiceTdBound.selector);
        tee.rotate(oldProver, sig, r);
        r = _registration(newProver, _quorumEvidence(_goodTdxAttestation(newProver), 2));
        tee.rotate(oldProver, sig, r);
        _assertHandedOver(oldKey, newKey);
    }

    // ------------------------------------------------------------------ revocation

    function test_revoke_isPermanentAndEmits() public {
        _register(prover);
        vm.expectEmit(address(tee));
        emit ProverRegistry.InstanceRevoked(prover, guardian);
        vm.prank(guardian);
        tee.revoke(prover);
        assertEq(uint8(tee.instanceOf(prover).status), uint8(ProverRegistry.Status.Revoked));
        vm.warp(block.timestamp + 2 days);
        assertFalse(tee.isActive(prover));
        assertFalse(tee.isTrustedSigner(prover));
    }

    function test_revoke_refusals() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotRegistered.selector, prover));
        tee.revoke(prover);
        _register(prover);
        address nobody = makeAddr("nobody");
        bytes32 role = tee.POLICY_ROLE();
        vm.prank(nobody);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role));
        tee.revoke(prover);
    }

    // ------------------------------------------------------------------ rotation

    function _rotation(address oldProver, uint256 oldKey, uint256 newKey)
        internal
        view
        returns (bytes memory sig, ProverRegistry.Registration memory r)
    {
        address newProver = vm.addr(newKey);
        sig = _sign(oldKey, tee.handoverDigest(oldProver, newProver));
        r = _registration(newProver, _quorumEvidence(_goodAttestation(newProver), 2));
    }

    function test_rotate_handsOverToANewlyAttestedKey() public {
        (uint256 oldKey, address oldProver) = _activeProver();
        uint256 newKey = _newProverKey();
        address newProver = vm.addr(newKey);
        (bytes memory sig, ProverRegistry.Registration memory r) = _rotation(oldProver, oldKey, newKey);
        vm.expectEmit(address(tee));
        emit ProverRegistry.InstanceHandedOver(oldProver, newProver);
        tee.rotate(oldProver, sig, r);
        assertTrue(tee.isActive(newProver), "new key active at once");
        assertFalse(tee.isActive(oldProver), "old key retired");
        assertTrue(tee.isTrustedSigner(oldProver), "old proofs still count");
        BlockClaim memory c = _claim(5);
        bytes memory oldProof = _blockProof(oldKey, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRetired.selector, oldProver));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, oldProof);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, _blockProof(newKey, L2, c)), newProver);
        assertEq(tee.instanceOf(newProver).expiry, block.timestamp + 90 days);
    }

    function test_rotate_refusals() public {
        (uint256 oldKey, address oldProver) = _activeProver();
        uint256 newKey = _newProverKey();
        address newProver = vm.addr(newKey);
        (bytes memory sig, ProverRegistry.Registration memory r) = _rotation(oldProver, oldKey, newKey);

        // signed by another key
        bytes memory wrong = _sign(newKey, tee.handoverDigest(oldProver, newProver));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.HandoverSignatureInvalid.selector, oldProver, newProver));
        tee.rotate(oldProver, wrong, r);
        // malformed
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.HandoverSignatureInvalid.selector, oldProver, newProver));
        tee.rotate(oldProver, hex"1234", r);
        // signed for another new key
        (bytes memory other,) = _rotation(oldProver, oldKey, _newProverKey());
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.HandoverSignatureInvalid.selector, oldProver, newProver));
        tee.rotate(oldProver, other, r);
        // the new key must pass the policy
        ProverRegistry.Registration memory bad = r;
        NormalizedAttestation memory a = _goodAttestation(newProver);
        a.attributes = bytes16(uint128(a.attributes) | (uint128(0x02) << 120));
        bad.evidence = _quorumEvidence(a, 2);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ForbiddenAttributes.selector, a.attributes));
        tee.rotate(oldProver, sig, bad);
        // the old one must be active
        vm.prank(guardian);
        tee.revoke(oldProver);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRevoked.selector, oldProver));
        tee.rotate(oldProver, sig, r);
    }

    function test_rotate_refusedBeforeTheDelay() public {
        uint256 oldKey = _newProverKey();
        address oldProver = vm.addr(oldKey);
        _register(oldProver);
        (bytes memory sig, ProverRegistry.Registration memory r) = _rotation(oldProver, oldKey, _newProverKey());
        vm.expectRevert(
            abi.encodeWithSelector(
                ProverRegistry.ProverNotYetActive.selector, oldProver, uint32(block.timestamp + 24 hours)
            )
        );
        tee.rotate(oldProver, sig, r);
    }

    /// @dev The heir's evidence is valid for register as well: whoever sees the rotation pending
    /// can register the heir first. The rotation still goes through, and leaves the registry as it
    /// would have without the front-run: the old key retired, the heir active at once.
    function test_rotate_takesOverARegistrationFrontRunWithTheHeirsEvidence() public {
        (uint256 oldKey, address oldProver) = _activeProver();
        uint256 newKey = _newProverKey();
        address newProver = vm.addr(newKey);
        (bytes memory sig, ProverRegistry.Registration memory r) = _rotation(oldProver, oldKey, newKey);
        bytes32 rid = tee.reportId(_goodAttestation(newProver));

        // What the rotation alone makes of the heir.
        uint256 before = vm.snapshotState();
        tee.rotate(oldProver, sig, r);
        ProverRegistry.Instance memory rotated = tee.instanceOf(newProver);
        assertTrue(vm.revertToState(before));

        // The front-run: the same evidence through register, an ordinary new instance.
        vm.prank(makeAddr("front-runner"));
        tee.register(r);
        assertTrue(tee.reportUsed(rid));
        assertEq(tee.instanceOf(newProver).validSince, block.timestamp + 24 hours);
        assertFalse(tee.isActive(newProver), "registered: waits out the delay");

        // The rotation lands after it, sent by anyone, and takes the registration over.
        vm.expectEmit(address(tee));
        emit ProverRegistry.InstanceHandedOver(oldProver, newProver);
        vm.expectEmit(address(tee));
        emit ProverRegistry.RegistrationTakenOver(
            newProver, uint32(block.timestamp), uint32(block.timestamp + 90 days), rid
        );
        vm.prank(makeAddr("relayer"));
        tee.rotate(oldProver, sig, r);

        ProverRegistry.Instance memory i = tee.instanceOf(newProver);
        assertEq(i.beneficiary, rotated.beneficiary);
        assertEq(i.validSince, rotated.validSince);
        assertEq(i.validSince, block.timestamp);
        assertEq(i.expiry, rotated.expiry);
        assertEq(i.measurementId, rotated.measurementId);
        assertEq(uint8(i.status), uint8(ProverRegistry.Status.Active));
        _assertHandedOver(oldKey, newKey);
    }

    /// @dev `oldKey` retired (its proofs refused, its earlier ones still counting), `newKey` active.
    function _assertHandedOver(uint256 oldKey, uint256 newKey) internal {
        address oldProver = vm.addr(oldKey);
        address newProver = vm.addr(newKey);
        assertEq(uint8(tee.instanceOf(oldProver).status), uint8(ProverRegistry.Status.Retired));
        assertTrue(tee.isActive(newProver), "new key active at once");
        assertFalse(tee.isActive(oldProver), "old key retired");
        assertTrue(tee.isTrustedSigner(oldProver), "old proofs still count");
        BlockClaim memory c = _claim(5);
        bytes memory oldProof = _blockProof(oldKey, L2, c);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverRetired.selector, oldProver));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, oldProof);
        assertEq(tee.verifyBlock(L2, CHAIN_CONFIG, c, _blockProof(newKey, L2, c)), newProver);
    }

    /// @dev The take-over activates a registered key early only with the old key's hand-over and
    /// evidence that passes every check now, and only while the registration from that very report
    /// is pending; otherwise the registration waits out its delay.
    function test_rotate_takeOverRefusals() public {
        (uint256 otherKey,) = _activeProver();
        (uint256 oldKey, address oldProver) = _activeProver();
        uint256 newKey = _newProverKey();
        address newProver = vm.addr(newKey);
        (bytes memory sig, ProverRegistry.Registration memory r) = _rotation(oldProver, oldKey, newKey);
        bytes32 rid = tee.reportId(_goodAttestation(newProver));
        uint32 validSince = uint32(block.timestamp + 24 hours);
        tee.register(r);

        // No hand-over, no early start: the heir's own signature is no consent, and the heir is not
        // active itself.
        {
            bytes memory own = _sign(newKey, tee.handoverDigest(oldProver, newProver));
            vm.expectRevert(
                abi.encodeWithSelector(ProverRegistry.HandoverSignatureInvalid.selector, oldProver, newProver)
            );
            tee.rotate(oldProver, own, r);
            own = _sign(newKey, tee.handoverDigest(newProver, newProver));
            vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverNotYetActive.selector, newProver, validSince));
            tee.rotate(newProver, own, r);
        }

        // Evidence no longer fresh: refused as any rotation would be; both keep their state.
        uint256 before = vm.snapshotState();
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ProverRegistry.AttestationNotFresh.selector, uint64(block.timestamp - 1 hours - 1))
        );
        tee.rotate(oldProver, sig, r);
        assertTrue(tee.isActive(oldProver));
        assertEq(tee.instanceOf(newProver).validSince, validSince);
        assertTrue(vm.revertToState(before));

        // The same key registered from another report (a later L1 block): that registration is not
        // this evidence's, so the address is taken.
        before = vm.snapshotState();
        vm.roll(block.number + 1);
        {
            ProverRegistry.Registration memory later =
                _registration(newProver, _quorumEvidence(_goodAttestation(newProver), 2));
            vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ProverAlreadyRegistered.selector, newProver));
            tee.rotate(oldProver, sig, later);
        }
        assertTrue(vm.revertToState(before));

        // A revoked registration is not revived.
        before = vm.snapshotState();
        vm.prank(guardian);
        tee.revoke(newProver);
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ReportAlreadyUsed.selector, rid));
        tee.rotate(oldProver, sig, r);
        assertTrue(vm.revertToState(before));

        // Taken over once, then never again: the heir is no longer pending.
        tee.rotate(oldProver, sig, r);
        assertTrue(tee.isActive(newProver));
        sig = _sign(otherKey, tee.handoverDigest(vm.addr(otherKey), newProver));
        vm.expectRevert(abi.encodeWithSelector(ProverRegistry.ReportAlreadyUsed.selector, rid));
        tee.rotate(vm.addr(otherKey), sig, r);
        assertTrue(tee.isActive(vm.addr(otherKey)));
    }

    // ------------------------------------------------------------------ governance

    function test_parameters_defaultsAndBounds() public {
        (uint32 delay, uint32 lifetime, uint32 age) = tee.parameters();
        assertEq(delay, 24 hours);
        assertEq(lifetime, 90 days);
        assertEq(age, 1 hours);
        vm.startPrank(policy);
        vm.expectRevert(ProverRegistry.ParameterOutOfBounds.selector);
        tee.setParameters(0, 90 days, 1 hours); // no delay
        vm.expectRevert(ProverRegistry.ParameterOutOfBounds.selector);
        tee.setParameters(24 hours, 366 days, 1 hours);
        vm.expectRevert(ProverRegistry.ParameterOutOfBounds.selector);
        tee.setParameters(2 days, 2 days, 1 hours); // lifetime must exceed the delay
        vm.expectRevert(ProverRegistry.ParameterOutOfBounds.selector);
        tee.setParameters(24 hours, 90 days, 2 days);
        vm.expectEmit(address(tee));
        emit ProverRegistry.ParametersSet(2 hours, 30 days, 10 minutes, policy);
        tee.setParameters(2 hours, 30 days, 10 minutes);
        vm.stopPrank();
        _register(prover);
        assertEq(tee.instanceOf(prover).validSince, block.timestamp + 2 hours);
        assertEq(tee.instanceOf(prover).expiry, block.timestamp + 30 days);
    }

    function test_governance_roles() public {
        address nobody = makeAddr("nobody");
        bytes memory notPolicy =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, tee.POLICY_ROLE());
        vm.startPrank(nobody);
        vm.expectRevert(notPolicy);
        tee.trustMeasurement(bytes32(uint256(1)));
        vm.expectRevert(notPolicy);
        tee.untrustMeasurement(measurement);
        vm.expectRevert(notPolicy);
        tee.setAttestationVerifier(address(1), true);
        vm.expectRevert(notPolicy);
        tee.setAttestationVerifier(address(quorum), false);
        vm.expectRevert(notPolicy);
        tee.setAdvisoriesAllowed(bytes32(0), true);
        vm.expectRevert(notPolicy);
        tee.setParameters(24 hours, 90 days, 1 hours);
        vm.stopPrank();
        // the guardian restricts but does not extend
        bytes memory guardianNotPolicy = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, tee.POLICY_ROLE()
        );
        vm.startPrank(guardian);
        vm.expectRevert(guardianNotPolicy);
        tee.trustMeasurement(bytes32(uint256(1)));
        vm.expectRevert(guardianNotPolicy);
        tee.setAttestationVerifier(address(1), true);
        vm.expectRevert(guardianNotPolicy);
        tee.setAdvisoriesAllowed(bytes32(0), true);
        tee.setAdvisoriesAllowed(bytes32(0), false);
        tee.setAttestationVerifier(address(quorum), false);
        vm.stopPrank();
        assertFalse(tee.isAttestationVerifier(address(quorum)));
    }

    function test_governance_events() public {
        bytes32 m = keccak256("m2");
        vm.startPrank(policy);
        vm.expectEmit(address(tee));
        emit ProverRegistry.MeasurementTrusted(m, 2, policy);
        tee.trustMeasurement(m);
        vm.expectEmit(address(tee));
        emit ProverRegistry.AttestationVerifierSet(address(5), true, policy);
        tee.setAttestationVerifier(address(5), true);
        vm.expectEmit(address(tee));
        emit ProverRegistry.AdvisoriesAllowedSet(bytes32(uint256(9)), true, policy);
        tee.setAdvisoriesAllowed(bytes32(uint256(9)), true);
        vm.stopPrank();
        vm.expectEmit(address(tee));
        emit ProverRegistry.MeasurementUntrusted(m, 2, guardian);
        vm.prank(guardian);
        tee.untrustMeasurement(m);
        vm.prank(policy);
        vm.expectRevert(ProverRegistry.ZeroAddress.selector);
        tee.setAttestationVerifier(address(0), true);
    }

    function test_constructor_refusesZeroRoles() public {
        vm.expectRevert(ProverRegistry.ZeroAddress.selector);
        new TeeVerifier(address(0), policy, guardian);
    }

    // ------------------------------------------------------------------ fuzz: attestation outputs

    /// @dev Whatever the adapter reports, the registry admits exactly what the policy allows.
    function testFuzz_policyOnAttestationOutputs(
        uint8 teeType,
        uint8 tcbStatus,
        bool advisoriesOk,
        bytes16 attributes,
        uint16 isvSvn,
        uint64 ageOrAhead,
        bool future
    ) public {
        // 1: unknown; 0x81: a TD carrying the SGX fields, which its TDX measurement does not admit
        teeType = uint8(bound(teeType, 0, 2)) == 2 ? 0x81 : uint8(bound(teeType, 0, 1));
        tcbStatus = uint8(bound(tcbStatus, 0, 8));
        isvSvn = uint16(bound(isvSvn, SVN, SVN + 1));
        ageOrAhead = uint64(bound(ageOrAhead, 0, 2 hours));
        bytes32 advisories = keccak256("INTEL-SA-00615");
        if (advisoriesOk) {
            vm.prank(policy);
            tee.setAdvisoriesAllowed(advisories, true);
        }
        vm.prank(policy);
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, uint64(block.timestamp + 1 days));

        NormalizedAttestation memory a = _goodAttestation(prover);
        a.teeType = teeType;
        a.tcbStatus = tcbStatus;
        a.advisoriesHash = advisories;
        a.attributes = attributes;
        a.isvSvn = isvSvn;
        a.verifiedAt = future ? uint64(block.timestamp + ageOrAhead) : uint64(block.timestamp - ageOrAhead);

        bool ok = teeType == 0 && (uint8(attributes[0]) & 0x32) == 0
            && (tcbStatus == 0 || (tcbStatus == 1 && advisoriesOk) || tcbStatus == 4) && isvSvn == SVN
            && (future ? ageOrAhead == 0 : ageOrAhead <= 1 hours);

        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(a, 2));
        try tee.register(r) {
            assertTrue(ok, "accepted against policy");
            assertTrue(tee.isTrustedSigner(prover));
        } catch {
            assertFalse(ok, "refused although allowed");
            assertFalse(tee.isTrustedSigner(prover));
        }
    }

    /// @dev Whatever the adapter reports for a TD, the registry admits exactly what the TDX policy
    /// allows.
    function testFuzz_tdxPolicyOnAttestationOutputs(
        uint8 tcbStatus,
        bool advisoriesOk,
        bytes16 attributes,
        bool serviceTdBound,
        uint8 which,
        uint64 ageOrAhead,
        bool future
    ) public {
        _trustTdx();
        tcbStatus = uint8(bound(tcbStatus, 0, 8));
        ageOrAhead = uint64(bound(ageOrAhead, 0, 2 hours));
        // 0: the trusted measurement; 1..3: one of its three parts changed
        which = uint8(bound(which, 0, 3));
        bytes32 advisories = keccak256("INTEL-SA-00837");
        if (advisoriesOk) {
            vm.prank(policy);
            tee.setAdvisoriesAllowed(advisories, true);
        }
        vm.prank(policy);
        tee.setTcbGrace(TcbStatus.OUT_OF_DATE, uint64(block.timestamp + 1 days));

        NormalizedAttestation memory a = _goodTdxAttestation(prover);
        a.tcbStatus = tcbStatus;
        a.advisoriesHash = advisories;
        a.attributes = attributes;
        a.serviceTdBound = serviceTdBound;
        if (which == 1) a.tdMeasurement = keccak256("other");
        if (which == 2) a.tdOwner = keccak256("other");
        if (which == 3) a.composeHash = keccak256("other");
        a.verifiedAt = future ? uint64(block.timestamp + ageOrAhead) : uint64(block.timestamp - ageOrAhead);

        bool ok = uint8(attributes[0]) == 0 && !serviceTdBound
            && (tcbStatus == 0 || (tcbStatus == 1 && advisoriesOk) || tcbStatus == 4) && which == 0
            && (future ? ageOrAhead == 0 : ageOrAhead <= 1 hours);

        ProverRegistry.Registration memory r = _registration(prover, _quorumEvidence(a, 2));
        try tee.register(r) {
            assertTrue(ok, "accepted against policy");
            assertTrue(tee.isTrustedSigner(prover));
        } catch {
            assertFalse(ok, "refused although allowed");
            assertFalse(tee.isTrustedSigner(prover));
        }
    }

    /// @dev The hand-decoded instance slot used by every proof agrees with the Solidity layout.
    function testFuzz_instanceSlotLayout(uint32 delay, uint32 lifetime, uint32 warp) public {
        delay = uint32(bound(delay, 1 hours, 30 days));
        lifetime = uint32(bound(lifetime, uint256(delay) + 1 > 1 days ? uint256(delay) + 1 : 1 days, 365 days));
        vm.prank(policy);
        tee.setParameters(delay, lifetime, 1 hours);
        _register(prover);
        vm.warp(block.timestamp + bound(warp, 0, 400 days));
        BlockClaim memory c = _claim(3);
        bytes memory proof = _blockProof(proverKey, L2, c);
        bool active = tee.isActive(prover);
        try tee.verifyBlock(L2, CHAIN_CONFIG, c, proof) returns (address p) {
            assertTrue(active);
            assertEq(p, prover);
        } catch {
            assertFalse(active);
        }
    }
}
