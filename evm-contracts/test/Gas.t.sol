// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {console} from "forge-std/console.sol";
import {Vm} from "forge-std/Vm.sol";
import {MultiProofFixture} from "./MultiProofVerifier.t.sol";
import {RollupSettlement} from "../src/RollupSettlement.sol";
import {ProverRewards} from "../src/ProverRewards.sol";
import {Transition} from "../src/interfaces/IRollupZkVerifier.sol";
import {TestToken} from "./standins/TestToken.sol";
import {ProverRegistry} from "../src/ProverRegistry.sol";
import {QuorumAttestationVerifier} from "../src/QuorumAttestationVerifier.sol";
import {ZkAttestationVerifier} from "../src/ZkAttestationVerifier.sol";
import {NormalizedAttestation} from "../src/interfaces/IAttestationVerifier.sol";
import {BlockClaim, BatchClaim, OpOutputClaim} from "../src/interfaces/ITeeVerifier.sol";
import {OpOutputOracle} from "../src/OpOutputOracle.sol";
import {MultiProofVerifier} from "../src/MultiProofVerifier.sol";
import {ZkVerifierStandIn} from "./standins/ZkVerifierStandIn.sol";

/// @notice The gas figures of docs/gas.md, measured and held to their goals. Call-frame gas is the
/// execution gas of the measured call with every account and slot cold (`vm.cool`), as in a
/// transaction that touches them first; a transaction adds 21 000 and calldata.
/// Run `forge test --match-contract GasTest -vv` to print them.
contract GasTest is MultiProofFixture {
    function setUp() public {
        setUpMultiProof();
    }

    function test_gas_verifyBlock() public {
        BlockClaim memory c = _claim(100);
        bytes memory proof = _blockProof(key, L2, c);
        vm.cool(address(tee));
        tee.verifyBlock(L2, CHAIN_CONFIG, c, proof);
        uint256 used = _lastCall();
        _report("verifyBlock (one TEE-proof), call frame", used, 10_000);
        _report(
            "verifyBlock, as a transaction",
            used + _txOverhead(abi.encodeCall(tee.verifyBlock, (L2, CHAIN_CONFIG, c, proof))),
            0
        );
        assertLe(used, 10_000);
    }

    function test_gas_verifyBatch64() public {
        BlockClaim[] memory blocks = _chain(1_000, 64);
        BatchClaim memory c = _batchOf(blocks);
        bytes memory proof = _batchProof(key, L2, c);
        vm.cool(address(tee));
        tee.verifyBatch(L2, CHAIN_CONFIG, c, proof);
        uint256 used = _lastCall();
        _report("verifyBatch, 64 blocks, call frame", used, 0);
        _report("  per block", used / 64, 1_000);
        uint256 txGas = used + _txOverhead(abi.encodeCall(tee.verifyBatch, (L2, CHAIN_CONFIG, c, proof)));
        _report("  per block, as a transaction", txGas / 64, 0);
        assertLe(used / 64, 1_000);
    }

    function test_gas_verifyBatchBlocks64() public {
        BlockClaim[] memory blocks = _chain(1_000, 64);
        bytes memory proof = _batchProof(key, L2, _batchOf(blocks));
        vm.cool(address(tee));
        tee.verifyBatchBlocks(L2, CHAIN_CONFIG, blocks, proof);
        uint256 used = _lastCall();
        _report("verifyBatchBlocks (commitment rebuilt), 64 blocks, call frame", used, 0);
        _report("  per block", used / 64, 1_000);
        uint256 txGas = used + _txOverhead(abi.encodeCall(tee.verifyBatchBlocks, (L2, CHAIN_CONFIG, blocks, proof)));
        _report("  per block, as a transaction (6 words of calldata per block)", txGas / 64, 0);
        assertLe(used / 64, 1_000);
    }

    function test_gas_verifyOpOutput() public {
        OpOutputClaim memory c = _opClaim(100, 110);
        bytes memory proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        vm.cool(address(tee));
        tee.verifyOpOutput(L2, CHAIN_CONFIG, c, proof);
        uint256 used = _lastCall();
        _report("verifyOpOutput (one OP output-root TEE-proof), call frame", used, 0);
        _report(
            "verifyOpOutput, as a transaction",
            used + _txOverhead(abi.encodeCall(tee.verifyOpOutput, (L2, CHAIN_CONFIG, c, proof))),
            0
        );
    }

    /// @notice An OP output root proven into an {OpOutputOracle}: the L1 origin check, the TEE-proof
    /// and the record of the new output (a new slot and the latest block number).
    function test_gas_opOutputPropose() public {
        OpOutputOracle oracle = new OpOutputOracle(tee, L2, CHAIN_CONFIG, 100, _outputRoot(100));
        OpOutputClaim memory c = _opClaim(100, 110);
        bytes memory proof = _opOutputProof(key, L2, CHAIN_CONFIG, c);
        vm.cool(address(oracle));
        vm.cool(address(tee));
        oracle.propose(c, proof);
        uint256 used = _lastCall();
        _report("OpOutputOracle.propose, call frame", used, 0);
        _report("  as a transaction", used + _txOverhead(abi.encodeCall(oracle.propose, (c, proof))), 0);
    }

    function test_gas_registerQuorum2of3() public {
        _measureQuorumRegistration(2);
    }

    /// @notice A TDX prover VM (dstack CVM) registering through the same 2-of-3 quorum.
    function test_gas_registerQuorum2of3Tdx() public {
        _trustTdx();
        address p = vm.addr(_newProverKey());
        _measureQuorumRegistration(p, _goodTdxAttestation(p), 2, "register TDX via quorum 2-of-n, call frame");
    }

    function test_gas_registerQuorum3of5() public {
        uint256[] memory keys = _sortedKeys("quorum5", 5);
        address[] memory signers = new address[](5);
        for (uint256 i = 0; i < 5; ++i) {
            signers[i] = vm.addr(keys[i]);
        }
        quorum = new QuorumAttestationVerifier(admin, signers, 3);
        quorumKeys = keys;
        vm.prank(policy);
        tee.setAttestationVerifier(address(quorum), true);
        _measureQuorumRegistration(3);
    }

    function test_gas_registerZk() public {
        ZkVerifierStandIn standIn = new ZkVerifierStandIn();
        ZkAttestationVerifier zk = new ZkAttestationVerifier(admin, standIn, keccak256("intel root ca"));
        bytes32 program = keccak256("dcap program");
        vm.startPrank(admin);
        zk.setProgram(program, true);
        NormalizedAttestation memory a = _goodAttestation(address(0));
        zk.setCollateral(a.tcbInfoHash, uint64(block.timestamp + 30 days));
        zk.setCollateral(a.qeIdentityHash, uint64(block.timestamp + 30 days));
        zk.setCollateral(a.crlsHash, uint64(block.timestamp + 30 days));
        vm.stopPrank();
        vm.prank(policy);
        tee.setAttestationVerifier(address(zk), true);

        address p = vm.addr(_newProverKey());
        a = _goodAttestation(p);
        bytes memory journal = abi.encode(a, keccak256("intel root ca"));
        bytes memory evidence = abi.encode(program, journal, standIn.sealFor(program, sha256(journal)));
        ProverRegistry.Registration memory r = _registration(p, evidence);
        r.adapter = zk;
        vm.cool(address(tee));
        vm.cool(address(zk));
        vm.cool(address(standIn));
        tee.register(r);
        uint256 used = _lastCall();
        _report("register via ZkAttestationVerifier (stand-in zk verifier), call frame", used, 0);
        _report(
            "  as a transaction (+ the real zk verifier's ~250-300k)",
            used + _txOverhead(abi.encodeCall(tee.register, (r))),
            0
        );
    }

    function test_gas_settlementFlow() public {
        TestToken token = new TestToken();
        ProverRewards rewards = new ProverRewards(admin, token, tee);
        RollupSettlement settlement = new RollupSettlement(
            admin, admin, L2, mpv, rewards, RollupSettlement.Proposal(9, _claim(9).blockHash, _claim(9).postStateRoot)
        );
        vm.prank(admin);
        rewards.createPool(L2, address(settlement), 1, 0);
        token.mint(address(this), 1e18);
        token.approve(address(rewards), 1e18);
        rewards.fund(L2, 1e18);
        BlockClaim memory b = _claim(10);

        vm.cool(address(settlement));
        vm.prank(admin);
        settlement.propose(10, b.blockHash, b.postStateRoot);
        _report("RollupSettlement.propose, call frame", _lastCall(), 0);

        Transition memory t = settlement.transitionOf(1);
        bytes memory zkProof = _zk(t);
        MultiProofVerifier.TeeEvidence memory ev = _tee(key, t);
        _coolAll(address(settlement), address(rewards));
        settlement.prove(1, zkProof, ev);
        _report("RollupSettlement.prove (zk stand-in + TEE-proof, dual check), call frame", _lastCall(), 0);

        _coolAll(address(settlement), address(rewards));
        settlement.finalize(1);
        _report("RollupSettlement.finalize (1 proposal, rewards credited), call frame", _lastCall(), 0);
    }

    /// @notice The TEE-first path: a TEE-proof alone, the proof-mix draw from the L1 block hash
    /// after the proposal, finality asked once the delay passed, and the finalization.
    function test_gas_teeFirstFlow() public {
        RollupSettlement settlement = new RollupSettlement(
            admin,
            admin,
            L2,
            mpv,
            ProverRewards(address(0)),
            RollupSettlement.Proposal(9, _claim(9).blockHash, _claim(9).postStateRoot)
        );
        vm.startPrank(admin);
        mpv.setInbox(L2, address(settlement));
        uint256 proposedAt = block.number;
        settlement.propose(10, _claim(10).blockHash, _claim(10).postStateRoot);
        vm.stopPrank();
        Transition memory t = settlement.transitionOf(1);
        MultiProofVerifier.TeeEvidence memory ev = _tee(key, t);

        _coolAll(address(settlement), address(0));
        mpv.submitTeeProof(L2, t, ev);
        _report("MultiProofVerifier.submitTeeProof (TEE-first), call frame", _lastCall(), 0);

        _drawBlockFor(t, proposedAt, false);
        _coolAll(address(settlement), address(0));
        settlement.drawZk(1);
        _report("RollupSettlement.drawZk (proof-mix draw), call frame", _lastCall(), 0);

        vm.warp(block.timestamp + mpv.DEFAULT_SOFT_FINALITY_DELAY());
        _coolAll(address(settlement), address(0));
        assertTrue(mpv.isFinal(L2, t));
        _report("MultiProofVerifier.isFinal (TEE-first, drawn, after the delay), call frame", _lastCall(), 0);

        _coolAll(address(settlement), address(0));
        settlement.finalize(1);
        _report("RollupSettlement.finalize (1 TEE-first proposal, no rewards), call frame", _lastCall(), 0);
    }

    /// @notice What a relayer pays per L2 block when it settles in one transaction
    /// (`multicall(propose, prove, finalize)`): one block per proposal with a block proof, against
    /// 64 blocks per proposal with one batch proof. Everything starts cold.
    function test_gas_settlementSingleVsBatch64() public {
        uint256 single = _settleInOneTransaction(10, 10);
        uint256 batch = _settleInOneTransaction(10, 73);
        _report("settle 1 block in one transaction (propose+prove+finalize), as a transaction", single, 0);
        _report("settle 64 blocks in one transaction with a batch proof, as a transaction", batch, 0);
        _report("  per block", batch / 64, 0);
        assertLt(batch / 64, single / 10, "per block, a 64-block batch costs under a tenth of a single block");
    }

    function _settleInOneTransaction(uint64 first, uint64 last) internal returns (uint256 txGas) {
        TestToken token = new TestToken();
        ProverRewards rewards = new ProverRewards(admin, token, tee);
        BlockClaim memory genesis = _claim(first - 1);
        RollupSettlement settlement = new RollupSettlement(
            admin,
            admin,
            L2,
            mpv,
            rewards,
            RollupSettlement.Proposal(first - 1, genesis.blockHash, genesis.postStateRoot)
        );
        vm.prank(admin);
        rewards.createPool(L2, address(settlement), 1, 0);
        token.mint(address(this), 1e18);
        token.approve(address(rewards), 1e18);
        rewards.fund(L2, 1e18);
        BlockClaim memory b = _claim(last);
        Transition memory t =
            Transition(first, last, genesis.blockHash, genesis.postStateRoot, b.blockHash, b.postStateRoot);
        bytes[] memory calls = new bytes[](3);
        calls[0] = abi.encodeCall(settlement.propose, (last, b.blockHash, b.postStateRoot));
        calls[1] = abi.encodeCall(settlement.prove, (1, _zk(t), first == last ? _tee(key, t) : _teeBatch(key, t)));
        calls[2] = abi.encodeCall(settlement.finalize, (1));
        _coolAll(address(settlement), address(rewards));
        vm.prank(admin);
        settlement.multicall(calls);
        txGas = _lastCall() + _txOverhead(abi.encodeCall(settlement.multicall, (calls)));
        (uint64 head,,) = settlement.finalizedHead();
        assertEq(head, last);
    }

    function _coolAll(address settlement, address rewards) internal {
        vm.cool(settlement);
        vm.cool(rewards);
        vm.cool(address(mpv));
        vm.cool(address(tee));
        vm.cool(address(zkStandIn));
    }

    function _measureQuorumRegistration(uint256 k) internal {
        address p = vm.addr(_newProverKey());
        _measureQuorumRegistration(
            p, _goodAttestation(p), k, string.concat("register via quorum ", vm.toString(k), "-of-n, call frame")
        );
    }

    function _measureQuorumRegistration(address p, NormalizedAttestation memory a, uint256 k, string memory what)
        internal
    {
        ProverRegistry.Registration memory r = _registration(p, _quorumEvidence(a, k));
        vm.cool(address(tee));
        vm.cool(address(quorum));
        tee.register(r);
        uint256 used = _lastCall();
        uint256 txGas = used + _txOverhead(abi.encodeCall(tee.register, (r)));
        _report(what, used, 0);
        _report("  as a transaction", txGas, 150_000);
        assertLe(txGas, 150_000);
    }

    // ------------------------------------------------------------------ helpers

    function _lastCall() internal view returns (uint256) {
        Vm.Gas memory g = vm.lastCallGas();
        return g.gasTotalUsed;
    }

    /// @dev 21 000 + calldata (EIP-2028 4/16 per byte; the EIP-7623 floor never binds here).
    function _txOverhead(bytes memory data) internal pure returns (uint256 gas) {
        gas = 21_000;
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    function _report(string memory what, uint256 gas, uint256 goal) internal pure {
        if (goal == 0) console.log("%s: %d", what, gas);
        else console.log("%s: %d (goal <= %d)", what, gas, goal);
    }
}
