// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DeployL1} from "./DeployL1.s.sol";
import {RollupSettlement} from "../src/RollupSettlement.sol";
import {RollupZkVerifierStandIn} from "../test/standins/RollupZkVerifierStandIn.sol";
import {TestToken} from "../test/standins/TestToken.sol";

/// @title DeployDevnet
/// @notice The local devnet's L1: the stand-ins for what lies outside the system — the rollup's zk
/// verifier (`RollupZkVerifierStandIn`) and PHA (`TestToken`) — then everything else through
/// {DeployL1} from the same config file as a real deployment, anchored at the devnet L2's genesis,
/// with a funded reward pool. Local use only.
///
///   forge script script/DeployDevnet.s.sol --sig "devnet(string,uint64,bytes32,bytes32,bytes32,uint256)" \
///     ../deploy/l1.toml <genesis block> <its hash> <its state root> <L2 chain config hash> <pool funding> \
///     --rpc-url $L1_RPC --broadcast --private-key $KEY --json
contract DeployDevnet is DeployL1 {
    /// @return tee TeeVerifier (the prover registry).
    /// @return quorum QuorumAttestationVerifier.
    /// @return multiProof MultiProofVerifier.
    /// @return rewards ProverRewards.
    /// @return settlement RollupSettlement.
    /// @return zkStandIn RollupZkVerifierStandIn (stand-in for the rollup's zk verifier).
    /// @return token TestToken (stand-in for PHA).
    function devnet(
        string memory configPath,
        uint64 genesisBlock,
        bytes32 genesisHash,
        bytes32 genesisRoot,
        bytes32 chainConfigHash,
        uint256 fund
    )
        external
        returns (
            address tee,
            address quorum,
            address multiProof,
            address rewards,
            address settlement,
            address zkStandIn,
            address token
        )
    {
        RollupSettlement.Proposal memory genesis = RollupSettlement.Proposal({
            lastBlock: genesisBlock, blockHash: genesisHash, postStateRoot: genesisRoot
        });
        return _devnet(configPath, genesis, chainConfigHash, fund);
    }

    function _devnet(
        string memory configPath,
        RollupSettlement.Proposal memory genesis,
        bytes32 chainConfigHash,
        uint256 fund
    )
        private
        returns (
            address tee,
            address quorum,
            address multiProof,
            address rewards,
            address settlement,
            address zkStandIn,
            address token
        )
    {
        Config memory c = readConfig(vm.readFile(configPath));
        c.chainConfigHash = chainConfigHash;
        c.genesis = genesis;
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        zkStandIn = address(new RollupZkVerifierStandIn());
        token = address(new TestToken());
        c.rollupZkVerifier = zkStandIn;
        c.rewardToken = token;
        Deployment memory d = deploy(c, deployer);
        TestToken(token).mint(deployer, fund);
        TestToken(token).approve(address(d.rewards), fund);
        d.rewards.fund(c.l2ChainId, fund);
        vm.stopBroadcast();
        return (
            address(d.tee),
            address(d.quorum),
            address(d.multiProof),
            address(d.rewards),
            address(d.settlement),
            zkStandIn,
            token
        );
    }
}
