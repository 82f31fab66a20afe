// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {ZkAttestationVerifier} from "../src/ZkAttestationVerifier.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {IZkVerifier} from "../src/interfaces/IZkVerifier.sol";
import {NormalizedAttestation} from "../src/interfaces/IAttestationVerifier.sol";
import {ZkVerifierStandIn} from "./standins/ZkVerifierStandIn.sol";

contract ZkAttestationVerifierTest is Fixture {
    bytes32 internal constant ROOT_CA = keccak256("Intel SGX Root CA");
    bytes32 internal constant PROGRAM = keccak256("dcap-qvl guest v1");

    ZkVerifierStandIn internal standIn;
    ZkAttestationVerifier internal zk;
    address internal prover;

    function setUp() public {
        setUpRegistry(address(0));
        standIn = new ZkVerifierStandIn();
        zk = new ZkAttestationVerifier(admin, standIn, ROOT_CA);
        prover = makeAddr("prover");
        NormalizedAttestation memory a = _goodAttestation(prover);
        vm.startPrank(admin);
        zk.setProgram(PROGRAM, true);
        zk.setCollateral(a.tcbInfoHash, uint64(block.timestamp + 30 days));
        zk.setCollateral(a.qeIdentityHash, uint64(block.timestamp + 30 days));
        zk.setCollateral(a.crlsHash, uint64(block.timestamp + 30 days));
        vm.stopPrank();
        vm.prank(policy);
        tee.setAttestationVerifier(address(zk), true);
    }

    function _evidence(NormalizedAttestation memory a, bytes32 root, bytes32 program)
        internal
        view
        returns (bytes memory)
    {
        bytes memory journal = abi.encode(a, root);
        return abi.encode(program, journal, standIn.sealFor(program, sha256(journal)));
    }

    function test_verifiesProofAndJournal() public view {
        NormalizedAttestation memory a = _goodAttestation(prover);
        NormalizedAttestation memory out = zk.verifyAttestation(_evidence(a, ROOT_CA, PROGRAM));
        assertEq(keccak256(abi.encode(out)), keccak256(abi.encode(a)));
    }

    function test_registersThroughTheRegistry() public {
        ProverRegistry.Registration memory r =
            _registration(prover, _evidence(_goodAttestation(prover), ROOT_CA, PROGRAM));
        r.adapter = zk;
        tee.register(r);
        assertTrue(tee.isTrustedSigner(prover));
    }

    function test_refuses_programNotAllowed() public {
        bytes32 other = keccak256("other program");
        bytes memory ev = _evidence(_goodAttestation(prover), ROOT_CA, other);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.ProgramNotAllowed.selector, other));
        zk.verifyAttestation(ev);
        vm.prank(admin);
        zk.setProgram(PROGRAM, false);
        ev = _evidence(_goodAttestation(prover), ROOT_CA, PROGRAM);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.ProgramNotAllowed.selector, PROGRAM));
        zk.verifyAttestation(ev);
    }

    function test_refuses_badProof() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        bytes memory journal = abi.encode(a, ROOT_CA);
        // a seal for another journal
        bytes memory seal = standIn.sealFor(PROGRAM, sha256(abi.encode(a, bytes32(0))));
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.ZkProofInvalid.selector, PROGRAM));
        zk.verifyAttestation(abi.encode(PROGRAM, journal, seal));
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.ZkProofInvalid.selector, PROGRAM));
        zk.verifyAttestation(abi.encode(PROGRAM, journal, bytes("")));
    }

    function test_refuses_otherRootCa() public {
        bytes32 fake = keccak256("attacker root");
        bytes memory ev = _evidence(_goodAttestation(prover), fake, PROGRAM);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.RootCaMismatch.selector, fake));
        zk.verifyAttestation(ev);
    }

    function test_refuses_unacceptedCollateral() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        a.tcbInfoHash = keccak256("unknown tcb info");
        bytes memory ev = _evidence(a, ROOT_CA, PROGRAM);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.CollateralNotAccepted.selector, a.tcbInfoHash));
        zk.verifyAttestation(ev);
        a = _goodAttestation(prover);
        a.qeIdentityHash = keccak256("unknown qe identity");
        ev = _evidence(a, ROOT_CA, PROGRAM);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.CollateralNotAccepted.selector, a.qeIdentityHash));
        zk.verifyAttestation(ev);
        a = _goodAttestation(prover);
        a.crlsHash = keccak256("stale crl");
        ev = _evidence(a, ROOT_CA, PROGRAM);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.CollateralNotAccepted.selector, a.crlsHash));
        zk.verifyAttestation(ev);
    }

    function test_collateral_expiresAndCanBeWithdrawn() public {
        NormalizedAttestation memory a = _goodAttestation(prover);
        bytes memory ev = _evidence(a, ROOT_CA, PROGRAM);
        vm.warp(block.timestamp + 30 days + 1);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.CollateralNotAccepted.selector, a.tcbInfoHash));
        zk.verifyAttestation(ev);
        vm.startPrank(admin);
        zk.setCollateral(a.tcbInfoHash, uint64(block.timestamp + 1 days));
        zk.setCollateral(a.qeIdentityHash, uint64(block.timestamp + 1 days));
        zk.setCollateral(a.crlsHash, uint64(block.timestamp + 1 days));
        zk.verifyAttestation(ev);
        vm.expectEmit(address(zk));
        emit ZkAttestationVerifier.CollateralSet(a.crlsHash, 0, admin);
        zk.setCollateral(a.crlsHash, 0);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.CollateralNotAccepted.selector, a.crlsHash));
        zk.verifyAttestation(ev);
    }

    function test_collateral_acceptanceBounded() public {
        uint64 tooLong = uint64(block.timestamp + 60 days + 1);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ZkAttestationVerifier.AcceptanceTooLong.selector, tooLong));
        zk.setCollateral(bytes32(uint256(1)), tooLong);
    }

    function test_admin_roles() public {
        address nobody = makeAddr("nobody");
        bytes32 programRole = zk.PROGRAM_ADMIN_ROLE();
        bytes32 collateralRole = zk.COLLATERAL_ROLE();
        vm.startPrank(nobody);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, programRole)
        );
        zk.setProgram(PROGRAM, true);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, collateralRole)
        );
        zk.setCollateral(bytes32(0), 1);
        vm.stopPrank();
    }

    function test_constructor_refusals() public {
        vm.expectRevert(ZkAttestationVerifier.ZeroAddress.selector);
        new ZkAttestationVerifier(admin, IZkVerifier(address(0x1234)), ROOT_CA); // no code
        vm.expectRevert(ZkAttestationVerifier.ZeroAddress.selector);
        new ZkAttestationVerifier(admin, standIn, bytes32(0));
        vm.expectRevert(ZkAttestationVerifier.ZeroAddress.selector);
        new ZkAttestationVerifier(address(0), standIn, ROOT_CA);
    }

    /// @dev Whatever journal the (stand-in) proof vouches for, the adapter returns it unchanged
    /// when root CA and collateral are accepted, and the registry still applies its own policy.
    function testFuzz_journalRoundTrip(NormalizedAttestation memory a) public {
        vm.startPrank(admin);
        zk.setCollateral(a.tcbInfoHash, uint64(block.timestamp + 1 days));
        zk.setCollateral(a.qeIdentityHash, uint64(block.timestamp + 1 days));
        zk.setCollateral(a.crlsHash, uint64(block.timestamp + 1 days));
        vm.stopPrank();
        NormalizedAttestation memory out = zk.verifyAttestation(_evidence(a, ROOT_CA, PROGRAM));
        assertEq(keccak256(abi.encode(out)), keccak256(abi.encode(a)));
    }
}
