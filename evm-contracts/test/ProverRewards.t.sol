// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Fixture} from "./utils/Fixture.sol";
import {ProverRewards} from "../src/ProverRewards.sol";
import {IProverRegistry} from "../src/interfaces/IProverRegistry.sol";
import {TestToken} from "./standins/TestToken.sol";

contract ProverRewardsTest is Fixture {
    ProverRewards internal rewards;
    TestToken internal token;
    address internal crediter = makeAddr("settlement");
    address internal prover;

    function setUp() public {
        setUpRegistry(address(0));
        (, prover) = _activeProver();
        token = new TestToken();
        rewards = new ProverRewards(admin, token, tee);
        vm.prank(admin);
        rewards.createPool(L2, crediter, 10, 100);
        token.mint(address(this), 1_000);
        token.approve(address(rewards), type(uint256).max);
    }

    function _credit(uint64 first, uint64 last) internal returns (uint256) {
        vm.prank(crediter);
        return rewards.credit(L2, first, last, prover);
    }

    function test_fundCreditClaim() public {
        vm.expectEmit(address(rewards));
        emit ProverRewards.PoolFunded(L2, address(this), 500);
        rewards.fund(L2, 500);
        vm.expectEmit(address(rewards));
        emit ProverRewards.Credited(L2, 100, 104, prover, beneficiary, 50);
        assertEq(_credit(100, 104), 50);
        assertEq(rewards.poolOf(L2).balance, 450);
        assertEq(rewards.poolOf(L2).nextBlock, 105);
        assertEq(rewards.owed(beneficiary), 50);
        address to = makeAddr("cold wallet");
        vm.expectEmit(address(rewards));
        emit ProverRewards.Claimed(beneficiary, to, 50);
        vm.prank(beneficiary);
        assertEq(rewards.claim(to), 50);
        assertEq(token.balanceOf(to), 50);
        assertEq(rewards.owed(beneficiary), 0);
        assertEq(rewards.totalOwed(), 0);
    }

    function test_noDoubleCredit() public {
        rewards.fund(L2, 1_000);
        _credit(100, 109);
        vm.prank(crediter);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.AlreadyCredited.selector, 109, 110));
        rewards.credit(L2, 100, 109, prover);
        vm.prank(crediter);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.AlreadyCredited.selector, 105, 110));
        rewards.credit(L2, 105, 105, prover);
        // an overlapping range pays only the new blocks
        vm.expectEmit(address(rewards));
        emit ProverRewards.Credited(L2, 110, 114, prover, beneficiary, 50);
        assertEq(_credit(105, 114), 50);
        assertEq(rewards.owed(beneficiary), 150);
    }

    function test_blocksBeforeTheStartAreNotPaid() public {
        rewards.fund(L2, 1_000);
        vm.prank(crediter);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.AlreadyCredited.selector, 99, 100));
        rewards.credit(L2, 1, 99, prover);
        assertEq(_credit(90, 100), 10);
    }

    function test_creditNeverExceedsThePool() public {
        rewards.fund(L2, 25);
        assertEq(_credit(100, 104), 25);
        assertEq(rewards.poolOf(L2).balance, 0);
        assertEq(_credit(105, 200), 0);
        assertEq(rewards.owed(beneficiary), 25);
    }

    function test_credit_refusals() public {
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.NotCrediter.selector, address(this)));
        rewards.credit(L2, 100, 100, prover);
        vm.startPrank(crediter);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.InvalidRange.selector, 101, 100));
        rewards.credit(L2, 101, 100, prover);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.UnknownProver.selector, address(7)));
        rewards.credit(L2, 100, 100, address(7));
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.PoolUnknown.selector, L2 + 1));
        rewards.credit(L2 + 1, 100, 100, prover);
        vm.stopPrank();
    }

    function test_fundAndClaim_refusals() public {
        vm.expectRevert(ProverRewards.ZeroAmount.selector);
        rewards.fund(L2, 0);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.PoolUnknown.selector, L2 + 1));
        rewards.fund(L2 + 1, 1);
        vm.expectRevert(ProverRewards.NothingToClaim.selector);
        rewards.claim(address(this));
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        rewards.claim(address(0));
    }

    function test_admin() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.PoolExists.selector, L2));
        rewards.createPool(L2, crediter, 1, 0);
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        rewards.createPool(L2 + 1, address(0), 1, 0);
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        rewards.setCrediter(L2, address(0));
        vm.expectEmit(address(rewards));
        emit ProverRewards.CrediterSet(L2, address(9));
        rewards.setCrediter(L2, address(9));
        vm.expectEmit(address(rewards));
        emit ProverRewards.RewardPerBlockSet(L2, 77);
        rewards.setRewardPerBlock(L2, 77);
        vm.expectRevert(abi.encodeWithSelector(ProverRewards.PoolUnknown.selector, L2 + 1));
        rewards.setRewardPerBlock(L2 + 1, 77);
        vm.stopPrank();
        bytes32 role = rewards.REWARDS_ADMIN_ROLE();
        bytes memory err =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), role);
        vm.expectRevert(err);
        rewards.createPool(5, crediter, 1, 0);
        vm.expectRevert(err);
        rewards.setCrediter(L2, crediter);
        vm.expectRevert(err);
        rewards.setRewardPerBlock(L2, 1);
    }

    function test_constructor_refusals() public {
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        new ProverRewards(admin, IERC20(address(0)), tee);
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        new ProverRewards(admin, token, IProverRegistry(address(0)));
        vm.expectRevert(ProverRewards.ZeroAddress.selector);
        new ProverRewards(address(0), token, tee);
    }

    /// @dev Any sequence of credits pays each block at most once and never more than was funded.
    function testFuzz_creditsBoundedByPool(uint64[8] memory lengths, uint256 funded) public {
        funded = bound(funded, 0, 1_000);
        if (funded > 0) rewards.fund(L2, funded);
        uint64 next = 100;
        uint256 total;
        for (uint256 i = 0; i < lengths.length; ++i) {
            uint64 len = uint64(bound(lengths[i], 1, 30));
            total += _credit(next, next + len - 1);
            next += len;
        }
        assertLe(total, funded);
        assertEq(total, rewards.totalOwed());
        assertEq(token.balanceOf(address(rewards)), rewards.poolOf(L2).balance + rewards.totalOwed());
    }
}
