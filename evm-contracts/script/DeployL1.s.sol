// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Script, console} from "forge-std/Script.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {TeeVerifier} from "../src/TeeVerifier.sol";
import {QuorumAttestationVerifier} from "../src/QuorumAttestationVerifier.sol";
import {ZkAttestationVerifier} from "../src/ZkAttestationVerifier.sol";
import {MultiProofVerifier} from "../src/MultiProofVerifier.sol";
import {ProverRewards} from "../src/ProverRewards.sol";
import {RollupSettlement} from "../src/RollupSettlement.sol";
import {IRollupZkVerifier} from "../src/interfaces/IRollupZkVerifier.sol";
import {IZkVerifier} from "../src/interfaces/IZkVerifier.sol";

/// @title DeployL1
/// @notice Deploys and wires the L1 contracts of one rollup from a TOML file (`deploy/l1.toml`
/// shows every key), then hands every role to the configured governance addresses and renounces
/// the deployer's. Without `--broadcast` forge only simulates it (the dry run).
///
/// Usage, from `evm-contracts/`:
///   DEPLOY_CONFIG=../deploy/l1.toml ../node_modules/.bin/forge script script/DeployL1.s.sol --rpc-url $L1_RPC
///   ... --broadcast --private-key $DEPLOYER_KEY   # to deploy for real
contract DeployL1 is Script {
    /// @notice Everything a deployment needs; see `deploy/l1.toml`.
    struct Config {
        // governance
        address admin;
        address policy;
        address guardian;
        address proposer;
        // registry
        bytes32[] measurements;
        uint32 registrationDelay;
        uint32 instanceLifetime;
        uint32 maxAttestationAge;
        // attestation adapters
        address[] quorumSigners;
        uint256 quorumThreshold;
        address zkVmVerifier; // zero: no ZK attestation path
        bytes32 intelRootCaHash;
        // rollup
        uint256 l2ChainId;
        bytes32 chainConfigHash; // keccak256 of the L2's canonical chain config
        address rollupZkVerifier;
        uint16 zkShareBps;
        uint32 softFinalityDelay;
        RollupSettlement.Proposal genesis;
        // rewards
        address rewardToken; // zero: no reward pool
        uint128 rewardPerBlock;
    }

    /// @notice The deployed contracts.
    struct Deployment {
        TeeVerifier tee;
        QuorumAttestationVerifier quorum;
        ZkAttestationVerifier zkAttestation;
        MultiProofVerifier multiProof;
        ProverRewards rewards;
        RollupSettlement settlement;
    }

    /// @notice Reads `DEPLOY_CONFIG` (default `../deploy/l1.toml`) and deploys as the broadcaster.
    function run() external returns (Deployment memory d) {
        Config memory c = readConfig(vm.readFile(vm.envOr("DEPLOY_CONFIG", string("../deploy/l1.toml"))));
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        d = deploy(c, deployer);
        vm.stopBroadcast();
        console.log("TeeVerifier (registry)    ", address(d.tee));
        console.log("QuorumAttestationVerifier ", address(d.quorum));
        console.log("ZkAttestationVerifier     ", address(d.zkAttestation));
        console.log("MultiProofVerifier        ", address(d.multiProof));
        console.log("ProverRewards             ", address(d.rewards));
        console.log("RollupSettlement          ", address(d.settlement));
    }

    /// @notice Parses a config file's text.
    function readConfig(string memory toml) public view returns (Config memory c) {
        c.admin = vm.parseTomlAddress(toml, ".governance.admin");
        c.policy = vm.parseTomlAddress(toml, ".governance.policy");
        c.guardian = vm.parseTomlAddress(toml, ".governance.guardian");
        c.proposer = vm.parseTomlAddress(toml, ".governance.proposer");
        c.measurements = vm.parseTomlBytes32Array(toml, ".registry.measurements");
        c.registrationDelay = uint32(vm.parseTomlUint(toml, ".registry.registration_delay"));
        c.instanceLifetime = uint32(vm.parseTomlUint(toml, ".registry.instance_lifetime"));
        c.maxAttestationAge = uint32(vm.parseTomlUint(toml, ".registry.max_attestation_age"));
        c.quorumSigners = vm.parseTomlAddressArray(toml, ".quorum.signers");
        c.quorumThreshold = vm.parseTomlUint(toml, ".quorum.threshold");
        c.zkVmVerifier = vm.parseTomlAddress(toml, ".zk_attestation.verifier");
        c.intelRootCaHash = vm.parseTomlBytes32(toml, ".zk_attestation.intel_root_ca_hash");
        c.l2ChainId = vm.parseTomlUint(toml, ".rollup.l2_chain_id");
        c.chainConfigHash = vm.parseTomlBytes32(toml, ".rollup.chain_config_hash");
        c.rollupZkVerifier = vm.parseTomlAddress(toml, ".rollup.zk_verifier");
        c.zkShareBps = uint16(vm.parseTomlUint(toml, ".rollup.zk_share_bps"));
        c.softFinalityDelay = uint32(vm.parseTomlUint(toml, ".rollup.soft_finality_delay"));
        c.genesis = RollupSettlement.Proposal({
            lastBlock: uint64(vm.parseTomlUint(toml, ".rollup.genesis_block")),
            blockHash: vm.parseTomlBytes32(toml, ".rollup.genesis_block_hash"),
            postStateRoot: vm.parseTomlBytes32(toml, ".rollup.genesis_state_root")
        });
        c.rewardToken = vm.parseTomlAddress(toml, ".rewards.token");
        c.rewardPerBlock = uint128(vm.parseTomlUint(toml, ".rewards.reward_per_block"));
    }

    /// @notice Deploys and wires everything; `deployer` is the account whose calls these are (the
    /// broadcaster in a script, the caller in a test). It holds roles only until the hand-over at
    /// the end.
    function deploy(Config memory c, address deployer) public returns (Deployment memory d) {
        d.tee = new TeeVerifier(deployer, deployer, c.guardian);
        d.tee.setParameters(c.registrationDelay, c.instanceLifetime, c.maxAttestationAge);
        for (uint256 i; i < c.measurements.length; ++i) {
            d.tee.trustMeasurement(c.measurements[i]);
        }
        d.quorum = new QuorumAttestationVerifier(c.admin, c.quorumSigners, c.quorumThreshold);
        d.tee.setAttestationVerifier(address(d.quorum), true);
        if (c.zkVmVerifier != address(0)) {
            d.zkAttestation = new ZkAttestationVerifier(c.admin, IZkVerifier(c.zkVmVerifier), c.intelRootCaHash);
            d.tee.setAttestationVerifier(address(d.zkAttestation), true);
        }

        d.multiProof = new MultiProofVerifier(deployer, d.tee);
        d.multiProof.addRollup(c.l2ChainId, c.chainConfigHash, IRollupZkVerifier(c.rollupZkVerifier));
        d.multiProof.setProofMix(c.l2ChainId, c.zkShareBps, c.softFinalityDelay);

        if (c.rewardToken != address(0)) {
            d.rewards = new ProverRewards(deployer, IERC20(c.rewardToken), d.tee);
        }
        d.settlement = new RollupSettlement(c.admin, c.proposer, c.l2ChainId, d.multiProof, d.rewards, c.genesis);
        // The settlement records when each transition is proposed: the proof mix is drawn from a
        // later L1 block hash through it, and through nothing else.
        d.multiProof.setInbox(c.l2ChainId, address(d.settlement));
        if (address(d.rewards) != address(0)) {
            d.rewards.createPool(c.l2ChainId, address(d.settlement), c.rewardPerBlock, c.genesis.lastBlock + 1);
        }

        // Hand over: governance gets its roles, the deployer keeps none (unless it is governance).
        _handOver(d.tee, d.tee.POLICY_ROLE(), c.policy, deployer);
        _handOver(d.tee, d.tee.DEFAULT_ADMIN_ROLE(), c.admin, deployer);
        _handOver(d.multiProof, d.multiProof.ROLLUP_ADMIN_ROLE(), c.admin, deployer);
        _handOver(d.multiProof, d.multiProof.RESOLVER_ROLE(), c.admin, deployer);
        _handOver(d.multiProof, d.multiProof.DEFAULT_ADMIN_ROLE(), c.admin, deployer);
        if (address(d.rewards) != address(0)) {
            _handOver(d.rewards, d.rewards.REWARDS_ADMIN_ROLE(), c.admin, deployer);
            _handOver(d.rewards, d.rewards.DEFAULT_ADMIN_ROLE(), c.admin, deployer);
        }
    }

    /// @dev Grants `role` to `to` and, unless `to` is the deployer itself, drops the deployer's.
    /// The admin role is handed over last on each contract, as renouncing it ends the deployer's
    /// power to grant.
    function _handOver(AccessControl target, bytes32 role, address to, address deployer) private {
        target.grantRole(role, to);
        if (to != deployer) target.renounceRole(role, deployer);
    }
}
