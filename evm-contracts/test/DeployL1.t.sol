// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {DeployL1} from "../script/DeployL1.s.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {MultiProofVerifier} from "../src/MultiProofVerifier.sol";
import {ProverRewards} from "../src/ProverRewards.sol";
import {QuorumAttestationVerifier} from "../src/QuorumAttestationVerifier.sol";
import {RollupZkVerifierStandIn} from "./standins/RollupZkVerifierStandIn.sol";
import {ZkVerifierStandIn} from "./standins/ZkVerifierStandIn.sol";
import {TestToken} from "./standins/TestToken.sol";
import {pragueFromGenesisConfigHash} from "./utils/Fixture.sol";

/// @notice The deploy script on the committed `deploy/l1.toml`: every contract wired as configured,
/// governance holding its roles and the deployer none.
contract DeployL1Test is Test {
    DeployL1 internal script;
    DeployL1.Config internal c;

    function setUp() public {
        script = new DeployL1();
        c = script.readConfig(vm.readFile("../deploy/l1.toml"));
        // Parties outside the system, at the configured addresses.
        vm.etch(c.rollupZkVerifier, address(new RollupZkVerifierStandIn()).code);
        vm.etch(c.rewardToken, address(new TestToken()).code);
    }

    function test_configIsRead() public view {
        assertEq(c.l2ChainId, 167001);
        // the devnet L2's chain config: chain 167001, every fork through Prague from genesis
        assertEq(c.chainConfigHash, pragueFromGenesisConfigHash(167001));
        assertEq(c.quorumSigners.length, 3);
        assertEq(c.quorumThreshold, 2);
        assertEq(c.measurements.length, 1);
        assertEq(c.registrationDelay, 24 hours);
        assertEq(c.instanceLifetime, 90 days);
        assertEq(c.zkVmVerifier, address(0));
    }

    function test_deploysAndHandsOver() public {
        address deployer = address(script);
        DeployL1.Deployment memory d = script.deploy(c, deployer);

        (uint32 delay, uint32 lifetime, uint32 maxAge) = d.tee.parameters();
        assertEq(delay, c.registrationDelay);
        assertEq(lifetime, c.instanceLifetime);
        assertEq(maxAge, c.maxAttestationAge);
        assertEq(uint8(d.tee.measurementTrust(c.measurements[0])), uint8(ProverRegistry.Trust.Trusted));
        assertTrue(d.tee.isAttestationVerifier(address(d.quorum)));
        assertEq(address(d.zkAttestation), address(0));
        assertEq(d.quorum.threshold(), c.quorumThreshold);

        MultiProofVerifier.Rollup memory r = d.multiProof.rollupOf(c.l2ChainId);
        assertEq(address(r.zkVerifier), c.rollupZkVerifier);
        assertEq(r.chainConfigHash, c.chainConfigHash);
        assertEq(r.zkShareBps, c.zkShareBps);
        assertEq(r.softFinalityDelay, c.softFinalityDelay);
        assertEq(r.inbox, address(d.settlement), "the settlement draws the proof mix");
        assertEq(address(d.multiProof.teeVerifier()), address(d.tee));

        ProverRewards.Pool memory p = d.rewards.poolOf(c.l2ChainId);
        assertEq(p.crediter, address(d.settlement));
        assertEq(p.rewardPerBlock, c.rewardPerBlock);
        (uint64 head, bytes32 hash, bytes32 root) = d.settlement.finalizedHead();
        assertEq(head, c.genesis.lastBlock);
        assertEq(hash, c.genesis.blockHash);
        assertEq(root, c.genesis.postStateRoot);

        // Governance holds the roles, the deployer none.
        assertTrue(d.tee.hasRole(d.tee.DEFAULT_ADMIN_ROLE(), c.admin));
        assertTrue(d.tee.hasRole(d.tee.POLICY_ROLE(), c.policy));
        assertTrue(d.tee.hasRole(d.tee.GUARDIAN_ROLE(), c.guardian));
        assertTrue(d.multiProof.hasRole(d.multiProof.RESOLVER_ROLE(), c.admin));
        assertTrue(d.settlement.hasRole(d.settlement.PROPOSER_ROLE(), c.proposer));
        assertTrue(d.rewards.hasRole(d.rewards.REWARDS_ADMIN_ROLE(), c.admin));
        assertFalse(d.tee.hasRole(d.tee.DEFAULT_ADMIN_ROLE(), deployer));
        assertFalse(d.tee.hasRole(d.tee.POLICY_ROLE(), deployer));
        assertFalse(d.multiProof.hasRole(d.multiProof.DEFAULT_ADMIN_ROLE(), deployer));
        assertFalse(d.multiProof.hasRole(d.multiProof.ROLLUP_ADMIN_ROLE(), deployer));
        assertFalse(d.multiProof.hasRole(d.multiProof.RESOLVER_ROLE(), deployer));
        assertFalse(d.rewards.hasRole(d.rewards.DEFAULT_ADMIN_ROLE(), deployer));
        assertFalse(d.rewards.hasRole(d.rewards.REWARDS_ADMIN_ROLE(), deployer));
    }

    function test_deployerThatIsGovernanceKeepsItsRoles() public {
        address deployer = address(script);
        c.admin = deployer;
        DeployL1.Deployment memory d = script.deploy(c, deployer);
        assertTrue(d.tee.hasRole(d.tee.DEFAULT_ADMIN_ROLE(), deployer));
        assertTrue(d.multiProof.hasRole(d.multiProof.RESOLVER_ROLE(), deployer));
        assertTrue(d.rewards.hasRole(d.rewards.DEFAULT_ADMIN_ROLE(), deployer));
        assertFalse(d.tee.hasRole(d.tee.POLICY_ROLE(), deployer)); // policy is another account
    }

    function test_optionalPartsOff() public {
        c.rewardToken = address(0);
        c.zkVmVerifier = address(new ZkVerifierStandIn());
        c.intelRootCaHash = keccak256("root");
        DeployL1.Deployment memory d = script.deploy(c, address(script));
        assertEq(address(d.rewards), address(0));
        assertEq(address(d.settlement.rewards()), address(0));
        assertTrue(d.tee.isAttestationVerifier(address(d.zkAttestation)));
    }

    function test_zeroChainConfigHashIsRefused() public {
        c.chainConfigHash = bytes32(0);
        vm.expectRevert(MultiProofVerifier.ZeroChainConfigHash.selector);
        script.deploy(c, address(script));
    }

    function test_badConfigIsRefused() public {
        c.quorumThreshold = 4; // more than the 3 signers
        vm.expectRevert();
        script.deploy(c, address(script));
        c.quorumThreshold = 2;
        c.softFinalityDelay = 0; // instant TEE finality is never allowed
        vm.expectRevert(MultiProofVerifier.ParameterOutOfBounds.selector);
        script.deploy(c, address(script));
    }
}
