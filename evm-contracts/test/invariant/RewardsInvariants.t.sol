// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {ProverRewards} from "../../src/ProverRewards.sol";
import {TestToken} from "../standins/TestToken.sol";

/// @notice Drives the reward pools at random: funding two pools, credits over arbitrary (also
/// overlapping and repeated) ranges by two provers with different beneficiaries, claims, reward
/// changes.
contract RewardsHandler is Fixture {
    ProverRewards public rewards;
    TestToken public token;
    address internal crediter = makeAddr("settlement");
    address[2] internal provers;
    address[2] internal beneficiaries;

    uint256 public funded;
    uint256 public claimed;
    uint256 public credited;
    /// @notice Blocks paid more than once (per pool).
    uint256 public doublePaid;
    mapping(uint256 pool => mapping(uint64 block_ => bool)) internal paid;

    constructor() {
        setUpRegistry(address(0));
        for (uint256 i = 0; i < 2; ++i) {
            beneficiaries[i] = makeAddr(string.concat("beneficiary", vm.toString(i)));
            beneficiary = beneficiaries[i];
            (, provers[i]) = _activeProver();
        }
        token = new TestToken();
        rewards = new ProverRewards(admin, token, tee);
        vm.startPrank(admin);
        rewards.createPool(1, crediter, 3, 0);
        rewards.createPool(2, crediter, 7, 100);
        vm.stopPrank();
        token.approve(address(rewards), type(uint256).max);
    }

    function fund(bool second, uint256 amount) external {
        amount = bound(amount, 1, 1_000);
        token.mint(address(this), amount);
        rewards.fund(second ? 2 : 1, amount);
        funded += amount;
    }

    function credit(bool second, uint64 first, uint64 len, bool otherProver) external {
        uint256 pool = second ? 2 : 1;
        first = uint64(bound(first, 0, 400));
        uint64 last = first + uint64(bound(len, 0, 40));
        ProverRewards.Pool memory before = rewards.poolOf(pool);
        vm.prank(crediter);
        try rewards.credit(pool, first, last, provers[otherProver ? 1 : 0]) returns (uint256 amount) {
            credited += amount;
            uint64 from = first > before.nextBlock ? first : before.nextBlock;
            for (uint64 b = from; b <= last; ++b) {
                if (paid[pool][b]) ++doublePaid;
                paid[pool][b] = true;
            }
            // never more than the blocks newly paid, never more than the pool held
            assertLe(amount, uint256(last - from + 1) * before.rewardPerBlock);
            assertLe(amount, before.balance);
        } catch {}
    }

    function claim(bool other) external {
        address who = beneficiaries[other ? 1 : 0];
        if (rewards.owed(who) == 0) return;
        vm.prank(who);
        claimed += rewards.claim(who);
    }

    function setReward(bool second, uint128 reward) external {
        vm.prank(admin);
        rewards.setRewardPerBlock(second ? 2 : 1, uint128(bound(reward, 0, 50)));
    }
}

/// @notice Rewards never exceed the pool: what is credited never exceeds what was funded, every
/// token is accounted for, and no block is paid twice.
contract RewardsInvariantsTest is Test {
    RewardsHandler internal handler;

    function setUp() public {
        handler = new RewardsHandler();
        bytes4[] memory selectors = new bytes4[](4);
        selectors[0] = RewardsHandler.fund.selector;
        selectors[1] = RewardsHandler.credit.selector;
        selectors[2] = RewardsHandler.claim.selector;
        selectors[3] = RewardsHandler.setReward.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_creditedNeverExceedsFunded() public view {
        assertLe(handler.credited(), handler.funded());
    }

    function invariant_everyTokenAccountedFor() public view {
        ProverRewards r = handler.rewards();
        uint256 pools = r.poolOf(1).balance + r.poolOf(2).balance;
        assertEq(handler.token().balanceOf(address(r)), pools + r.totalOwed());
        assertEq(handler.funded(), pools + r.totalOwed() + handler.claimed());
        assertEq(handler.credited(), r.totalOwed() + handler.claimed());
    }

    function invariant_noBlockPaidTwice() public view {
        assertEq(handler.doublePaid(), 0);
    }
}
