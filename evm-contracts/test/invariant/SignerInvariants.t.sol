// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {ProverRegistry} from "../../src/ProverRegistry.sol";
import {NormalizedAttestation} from "../../src/interfaces/IAttestationVerifier.sol";
import {BlockClaim} from "../../src/interfaces/ITeeVerifier.sol";

/// @notice Drives the registry at random (register, rotate — some front-run by a registration of
/// the heir —, revoke, untrust, time) and keeps its own model of who may sign; every verification
/// attempt is checked against the model.
contract SignerHandler is Fixture {
    struct Model {
        uint256 key;
        uint256 validSince;
        uint256 expiry;
        uint16 svn;
        bool revoked;
        bool retired;
    }

    Model[] internal models;
    mapping(uint16 svn => bool) public untrusted;
    /// @notice Verifications that passed although the model says the signer may not sign.
    uint256 public acceptedBadSigner;
    /// @notice Verifications refused although the model says the signer may sign.
    uint256 public refusedGoodSigner;
    uint256 public verified;

    constructor() {
        setUpRegistry(address(0));
        bytes32 m = tee.measurementHash(MR_ENCLAVE, MR_SIGNER, PROD_ID, SVN + 1);
        vm.prank(policy);
        tee.trustMeasurement(m);
    }

    function registry() external view returns (address) {
        return address(tee);
    }

    function count() external view returns (uint256) {
        return models.length;
    }

    function proverAt(uint256 i) external view returns (address) {
        return vm.addr(models[i].key);
    }

    function modelSays(uint256 i) public view returns (bool) {
        Model storage m = models[i];
        return
            !m.revoked && !m.retired && !untrusted[m.svn] && block.timestamp >= m.validSince
                && block.timestamp < m.expiry;
    }

    // ------------------------------------------------------------------ actions

    function register(bool newVersion) external {
        uint16 svn = newVersion ? SVN + 1 : SVN;
        if (untrusted[svn]) return;
        uint256 k = _newProverKey();
        _registerKey(k, svn);
        models.push(Model(k, block.timestamp + 24 hours, block.timestamp + 90 days, svn, false, false));
    }

    /// @dev With `frontRun`, someone registers the heir from its evidence first: the rotation ends
    /// the same.
    function rotate(uint256 i, bool newVersion, bool frontRun) external {
        if (models.length == 0) return;
        i = bound(i, 0, models.length - 1);
        uint16 svn = newVersion ? SVN + 1 : SVN;
        if (!modelSays(i) || untrusted[svn]) return;
        Model storage old = models[i];
        uint256 k = _newProverKey();
        address p = vm.addr(k);
        NormalizedAttestation memory a = _goodAttestation(p);
        a.isvSvn = svn;
        ProverRegistry.Registration memory r = _registration(p, _quorumEvidence(a, 2));
        if (frontRun) tee.register(r);
        tee.rotate(vm.addr(old.key), _sign(old.key, tee.handoverDigest(vm.addr(old.key), p)), r);
        old.retired = true;
        models.push(Model(k, block.timestamp, block.timestamp + 90 days, svn, false, false));
    }

    function revoke(uint256 i) external {
        if (models.length == 0) return;
        i = bound(i, 0, models.length - 1);
        address p = vm.addr(models[i].key);
        vm.prank(guardian);
        tee.revoke(p);
        models[i].revoked = true;
    }

    /// @dev Rare (1 call in 8), so that most runs keep a trusted version to verify with.
    function untrust(bool newVersion, uint8 dice) external {
        if (dice >= 32) return;
        uint16 svn = newVersion ? SVN + 1 : SVN;
        bytes32 m = tee.measurementHash(MR_ENCLAVE, MR_SIGNER, PROD_ID, svn);
        vm.prank(guardian);
        tee.untrustMeasurement(m);
        untrusted[svn] = true;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 45 days));
        vm.roll(block.number + 1);
    }

    function verify(uint256 i, uint64 n) external {
        if (models.length == 0) return;
        i = bound(i, 0, models.length - 1);
        BlockClaim memory c = _claim(uint64(bound(n, 1, 1e9)));
        bytes memory proof = _blockProof(models[i].key, L2, c);
        bool allowed = modelSays(i);
        try tee.verifyBlock(L2, CHAIN_CONFIG, c, proof) returns (address p) {
            assertEq(p, vm.addr(models[i].key));
            if (!allowed) ++acceptedBadSigner;
            ++verified;
        } catch {
            if (allowed) ++refusedGoodSigner;
        }
    }

    function _registerKey(uint256 k, uint16 svn) internal {
        address p = vm.addr(k);
        NormalizedAttestation memory a = _goodAttestation(p);
        a.isvSvn = svn;
        tee.register(_registration(p, _quorumEvidence(a, 2)));
    }
}

/// @notice A revoked, expired, retired, not-yet-active or untrusted signer never passes; an
/// allowed one always does.
contract SignerInvariantsTest is Test {
    SignerHandler internal handler;

    function setUp() public {
        handler = new SignerHandler();
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = SignerHandler.register.selector;
        selectors[1] = SignerHandler.rotate.selector;
        selectors[2] = SignerHandler.revoke.selector;
        selectors[3] = SignerHandler.untrust.selector;
        selectors[4] = SignerHandler.warp.selector;
        selectors[5] = SignerHandler.verify.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_badSignerNeverPasses() public view {
        assertEq(handler.acceptedBadSigner(), 0);
    }

    function invariant_goodSignerAlwaysPasses() public view {
        assertEq(handler.refusedGoodSigner(), 0);
    }

    function invariant_isActiveMatchesTheModel() public view {
        ProverRegistry r = ProverRegistry(handler.registry());
        for (uint256 i = 0; i < handler.count(); ++i) {
            assertEq(r.isActive(handler.proverAt(i)), handler.modelSays(i));
        }
    }
}
