// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {QuorumAttestationVerifier} from "../src/QuorumAttestationVerifier.sol";
import {NormalizedAttestation} from "../src/interfaces/IAttestationVerifier.sol";

contract QuorumAttestationVerifierTest is Fixture {
    NormalizedAttestation internal a;
    bytes32 internal digest;

    function setUp() public {
        setUpRegistry(address(0));
        a = _goodAttestation(makeAddr("prover"));
        digest = quorum.attestationDigest(a);
    }

    function _sigs(uint256[] memory keys) internal view returns (bytes memory sigs) {
        for (uint256 i = 0; i < keys.length; ++i) {
            sigs = bytes.concat(sigs, _sign(keys[i], digest));
        }
    }

    function _keys(uint256 x, uint256 y) internal pure returns (uint256[] memory k) {
        k = new uint256[](2);
        (k[0], k[1]) = (x, y);
    }

    function _assertSame(NormalizedAttestation memory b) internal view {
        assertEq(keccak256(abi.encode(b)), keccak256(abi.encode(a)));
    }

    // ------------------------------------------------------------------ acceptance

    function test_kOfNAccepted() public view {
        _assertSame(quorum.verifyAttestation(abi.encode(a, _sigs(_keys(quorumKeys[0], quorumKeys[1])))));
        _assertSame(quorum.verifyAttestation(abi.encode(a, _sigs(_keys(quorumKeys[0], quorumKeys[2])))));
        _assertSame(quorum.verifyAttestation(abi.encode(a, _sigs(_keys(quorumKeys[1], quorumKeys[2])))));
        _assertSame(quorum.verifyAttestation(_quorumEvidence(a, 3)));
    }

    string internal constant TYPE = "NormalizedAttestation(uint8 teeType,uint8 tcbStatus,bytes32 advisoriesHash,"
        "bytes32 mrEnclave,bytes32 mrSigner,uint16 isvProdId,uint16 isvSvn,bytes16 attributes,bytes32 tdMeasurement,"
        "bytes32 tdOwner,bytes32 composeHash,bool serviceTdBound,bytes reportData,uint64 verifiedAt,"
        "bytes32 tcbInfoHash,bytes32 qeIdentityHash,bytes32 crlsHash)";

    function test_eip712DigestMatchesIndependentHashing() public view {
        assertEq(quorum.ATTESTATION_TYPEHASH(), keccak256(bytes(TYPE)));
        bytes32 structHash = vm.eip712HashStruct(TYPE, abi.encode(a));
        assertEq(structHash, quorum.hashAttestation(a));
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("PhatSgxProverQuorumAttestation"),
                keccak256("1"),
                block.chainid,
                address(quorum)
            )
        );
        assertEq(digest, keccak256(abi.encodePacked(hex"1901", domain, structHash)));
    }

    /// @dev A TDX attestation: every TDX field is in the signed struct, in the struct's order.
    function test_tdx_eip712MatchesIndependentHashing_andRoundTrips() public {
        NormalizedAttestation memory t = _goodTdxAttestation(makeAddr("prover"));
        t.serviceTdBound = true;
        assertEq(vm.eip712HashStruct(TYPE, abi.encode(t)), quorum.hashAttestation(t));
        NormalizedAttestation memory out = quorum.verifyAttestation(_quorumEvidence(t, 2));
        assertEq(keccak256(abi.encode(out)), keccak256(abi.encode(t)));
        assertEq(out.tdMeasurement, TD_MEASUREMENT);
        assertEq(out.tdOwner, TD_OWNER);
        assertEq(out.composeHash, COMPOSE_HASH);
        assertTrue(out.serviceTdBound);
    }

    /// @dev Signatures over a TDX attestation do not cover another value of any TDX field.
    function test_tdx_refuses_tamperedTdxFields() public {
        NormalizedAttestation memory t = _goodTdxAttestation(makeAddr("prover"));
        bytes memory sigs = _tdxSigs(t);
        for (uint256 i = 0; i < 4; ++i) {
            NormalizedAttestation memory u = _goodTdxAttestation(makeAddr("prover"));
            if (i == 0) u.tdMeasurement = keccak256("other");
            if (i == 1) u.tdOwner = keccak256("other");
            if (i == 2) u.composeHash = bytes32(0);
            if (i == 3) u.serviceTdBound = true;
            vm.expectPartialRevert(QuorumAttestationVerifier.UnknownSigner.selector);
            quorum.verifyAttestation(abi.encode(u, sigs));
        }
        // and the untampered one passes
        quorum.verifyAttestation(abi.encode(t, sigs));
    }

    function _tdxSigs(NormalizedAttestation memory t) internal view returns (bytes memory) {
        bytes32 d = quorum.attestationDigest(t);
        return bytes.concat(_sign(quorumKeys[0], d), _sign(quorumKeys[1], d));
    }

    // ------------------------------------------------------------------ refusals

    function test_refuses_tooFewSignatures() public {
        bytes memory ev = _quorumEvidence(a, 1);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.NotEnoughSignatures.selector, 1, 2));
        quorum.verifyAttestation(ev);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.NotEnoughSignatures.selector, 0, 2));
        quorum.verifyAttestation(abi.encode(a, ""));
    }

    function test_refuses_ragged() public {
        bytes memory sigs = _sigs(_keys(quorumKeys[0], quorumKeys[1]));
        bytes memory ev = abi.encode(a, bytes.concat(sigs, hex"00"));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignaturesLength.selector, 131));
        quorum.verifyAttestation(ev);
    }

    function test_refuses_duplicateOrUnordered() public {
        bytes memory ev = abi.encode(a, _sigs(_keys(quorumKeys[0], quorumKeys[0])));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignersNotAscending.selector, 1));
        quorum.verifyAttestation(ev);
        ev = abi.encode(a, _sigs(_keys(quorumKeys[1], quorumKeys[0])));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignersNotAscending.selector, 1));
        quorum.verifyAttestation(ev);
    }

    function test_refuses_outsider() public {
        uint256 outsider = uint256(keccak256("outsider"));
        address o = vm.addr(outsider);
        uint256[] memory keys =
            o > vm.addr(quorumKeys[0]) ? _keys(quorumKeys[0], outsider) : _keys(outsider, quorumKeys[0]);
        bytes memory ev = abi.encode(a, _sigs(keys));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.UnknownSigner.selector, o));
        quorum.verifyAttestation(ev);
    }

    function test_refuses_malleableOrBadV() public {
        bytes memory s0 = _sign(quorumKeys[0], digest);
        bytes memory s1 = _sign(quorumKeys[1], digest);
        // high-s twin of the first signature
        bytes32 r;
        bytes32 s;
        assembly {
            r := mload(add(s0, 0x20))
            s := mload(add(s0, 0x40))
        }
        bytes memory twin = abi.encodePacked(r, bytes32(N - uint256(s)), s0[64] == 0x1b ? uint8(28) : uint8(27));
        bytes memory ev = abi.encode(a, bytes.concat(twin, s1));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidSignature.selector, 0));
        quorum.verifyAttestation(ev);
        s1[64] = 0x01;
        ev = abi.encode(a, bytes.concat(s0, s1));
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidSignature.selector, 1));
        quorum.verifyAttestation(ev);
    }

    function test_refuses_tamperedAttestation() public {
        bytes memory sigs = _sigs(_keys(quorumKeys[0], quorumKeys[1]));
        NormalizedAttestation memory t = a;
        t.attributes = bytes16(uint128(t.attributes) & ~(uint128(0x02) << 120)) | bytes16(uint128(0x02) << 120);
        vm.expectPartialRevert(QuorumAttestationVerifier.UnknownSigner.selector);
        quorum.verifyAttestation(abi.encode(t, sigs));
    }

    function test_refuses_signaturesForAnotherAdapter() public {
        address[] memory signers = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            signers[i] = vm.addr(quorumKeys[i]);
        }
        QuorumAttestationVerifier other = new QuorumAttestationVerifier(admin, signers, 2);
        bytes memory ev = _quorumEvidence(a, 2); // signed for `quorum`'s domain
        vm.expectPartialRevert(QuorumAttestationVerifier.UnknownSigner.selector);
        other.verifyAttestation(ev);
    }

    function test_removedSignerNoLongerCounts() public {
        address gone = vm.addr(quorumKeys[0]);
        vm.expectEmit(address(quorum));
        emit QuorumAttestationVerifier.SignerRemoved(gone, admin);
        vm.prank(admin);
        quorum.removeSigner(gone);
        bytes memory ev = _quorumEvidence(a, 2);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.UnknownSigner.selector, gone));
        quorum.verifyAttestation(ev);
        _assertSame(quorum.verifyAttestation(abi.encode(a, _sigs(_keys(quorumKeys[1], quorumKeys[2])))));
    }

    // ------------------------------------------------------------------ administration

    function test_admin_boundsAndEvents() public {
        vm.startPrank(admin);
        address s1 = vm.addr(quorumKeys[1]);
        address s2 = vm.addr(quorumKeys[2]);
        quorum.removeSigner(s1);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidThreshold.selector, 2, 1));
        quorum.removeSigner(s2); // n would fall below k
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignerNotFound.selector, s1));
        quorum.removeSigner(s1);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidThreshold.selector, 0, 2));
        quorum.setThreshold(0);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidThreshold.selector, 3, 2));
        quorum.setThreshold(3);
        vm.expectEmit(address(quorum));
        emit QuorumAttestationVerifier.SignerAdded(s1, admin);
        quorum.addSigner(s1);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignerAlreadyAdded.selector, s1));
        quorum.addSigner(s1);
        vm.expectRevert(QuorumAttestationVerifier.ZeroAddress.selector);
        quorum.addSigner(address(0));
        vm.expectEmit(address(quorum));
        emit QuorumAttestationVerifier.ThresholdSet(3, admin);
        quorum.setThreshold(3);
        vm.stopPrank();
        assertEq(quorum.threshold(), 3);
        assertEq(quorum.signerCount(), 3);
        bytes memory ev = _quorumEvidence(a, 2);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.NotEnoughSignatures.selector, 2, 3));
        quorum.verifyAttestation(ev);
    }

    function test_admin_roles() public {
        address nobody = makeAddr("nobody");
        bytes32 role = quorum.QUORUM_ADMIN_ROLE();
        bytes memory err =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, nobody, role);
        vm.startPrank(nobody);
        vm.expectRevert(err);
        quorum.addSigner(nobody);
        vm.expectRevert(err);
        quorum.removeSigner(vm.addr(quorumKeys[0]));
        vm.expectRevert(err);
        quorum.setThreshold(1);
        vm.stopPrank();
    }

    function test_constructor_refusals() public {
        address[] memory signers = new address[](2);
        signers[0] = address(1);
        signers[1] = address(2);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidThreshold.selector, 3, 2));
        new QuorumAttestationVerifier(admin, signers, 3);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.InvalidThreshold.selector, 0, 2));
        new QuorumAttestationVerifier(admin, signers, 0);
        signers[1] = address(1);
        vm.expectRevert(abi.encodeWithSelector(QuorumAttestationVerifier.SignerAlreadyAdded.selector, address(1)));
        new QuorumAttestationVerifier(admin, signers, 1);
        vm.expectRevert(QuorumAttestationVerifier.ZeroAddress.selector);
        new QuorumAttestationVerifier(address(0), signers, 1);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev No blob of signatures made without the verifiers' keys is accepted.
    function testFuzz_randomSignaturesRefused(bytes calldata sigs) public view {
        try quorum.verifyAttestation(abi.encode(a, sigs)) returns (NormalizedAttestation memory) {
            revert("accepted random signatures");
        } catch {}
    }

    /// @dev Any attestation output the verifiers sign comes back unchanged.
    function testFuzz_roundTrip(NormalizedAttestation memory b) public view {
        bytes memory ev = _quorumEvidence(b, 2);
        NormalizedAttestation memory out = quorum.verifyAttestation(ev);
        assertEq(keccak256(abi.encode(out)), keccak256(abi.encode(b)));
    }
}
