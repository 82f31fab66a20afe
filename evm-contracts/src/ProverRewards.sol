// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProverRegistry} from "./interfaces/IProverRegistry.sol";

/// @title ProverRewards
/// @notice Fee pools in one ERC-20 (PHA on Ethereum): a rollup funds its pool; each block finalized
/// with an accepted TEE-proof credits `rewardPerBlock` to the proving instance's beneficiary (as the
/// registry records it), once per block; beneficiaries claim.
/// @dev Accounting: the token balance always covers every pool balance plus everything owed
/// (funding counts what actually arrived). A credit never exceeds the pool: when the pool runs
/// short it credits what is left.
contract ProverRewards is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Creates pools, sets their crediter and reward.
    bytes32 public constant REWARDS_ADMIN_ROLE = keccak256("REWARDS_ADMIN_ROLE");

    /// @notice A rollup's pool.
    struct Pool {
        /// @notice The only account that may credit (the rollup's settlement contract).
        address crediter;
        /// @notice The first block not credited yet: blocks before it are never credited again.
        uint64 nextBlock;
        /// @notice Tokens in the pool, not yet credited.
        uint128 balance;
        /// @notice Tokens per proven block.
        uint128 rewardPerBlock;
    }

    /// @notice The reward token.
    IERC20 public immutable token;
    /// @notice Where beneficiaries are looked up.
    IProverRegistry public immutable registry;

    mapping(uint256 l2ChainId => Pool) internal _pools;
    /// @notice Credited and not yet claimed, per beneficiary.
    mapping(address beneficiary => uint256) public owed;
    /// @notice Sum of {owed}.
    uint256 public totalOwed;

    /// @notice A pool for `l2ChainId` was created.
    event PoolCreated(uint256 indexed l2ChainId, address crediter, uint128 rewardPerBlock, uint64 startBlock);
    /// @notice The pool's crediter changed.
    event CrediterSet(uint256 indexed l2ChainId, address crediter);
    /// @notice The pool's reward per block changed.
    event RewardPerBlockSet(uint256 indexed l2ChainId, uint128 rewardPerBlock);
    /// @notice `amount` tokens arrived in the pool from `funder`.
    event PoolFunded(uint256 indexed l2ChainId, address indexed funder, uint256 amount);
    /// @notice Blocks `fromBlock..toBlock` proven by `prover` credited `amount` to `beneficiary`.
    event Credited(
        uint256 indexed l2ChainId,
        uint64 fromBlock,
        uint64 toBlock,
        address indexed prover,
        address indexed beneficiary,
        uint256 amount
    );
    /// @notice `beneficiary` claimed `amount` to `to`.
    event Claimed(address indexed beneficiary, address indexed to, uint256 amount);

    error ZeroAddress();
    error PoolUnknown(uint256 l2ChainId);
    error PoolExists(uint256 l2ChainId);
    error NotCrediter(address caller);
    error InvalidRange(uint64 firstBlock, uint64 lastBlock);
    error AlreadyCredited(uint64 lastBlock, uint64 nextBlock);
    error UnknownProver(address prover);
    error NothingToClaim();
    error ZeroAmount();

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and REWARDS_ADMIN_ROLE.
    /// @param rewardToken The ERC-20 paid out.
    /// @param proverRegistry The registry holding each instance's beneficiary.
    constructor(address admin, IERC20 rewardToken, IProverRegistry proverRegistry) {
        if (admin == address(0) || address(rewardToken) == address(0) || address(proverRegistry) == address(0)) {
            revert ZeroAddress();
        }
        token = rewardToken;
        registry = proverRegistry;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REWARDS_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ pools

    /// @notice Creates the pool of rollup `l2ChainId`, credited by `crediter`, paying
    /// `rewardPerBlock` for every block from `startBlock` on.
    function createPool(uint256 l2ChainId, address crediter, uint128 rewardPerBlock, uint64 startBlock)
        external
        onlyRole(REWARDS_ADMIN_ROLE)
    {
        Pool storage p = _pools[l2ChainId];
        if (p.crediter != address(0)) revert PoolExists(l2ChainId);
        if (crediter == address(0)) revert ZeroAddress();
        p.crediter = crediter;
        p.nextBlock = startBlock;
        p.rewardPerBlock = rewardPerBlock;
        emit PoolCreated(l2ChainId, crediter, rewardPerBlock, startBlock);
    }

    /// @notice Sets the pool's crediter.
    function setCrediter(uint256 l2ChainId, address crediter) external onlyRole(REWARDS_ADMIN_ROLE) {
        if (crediter == address(0)) revert ZeroAddress();
        _pool(l2ChainId).crediter = crediter;
        emit CrediterSet(l2ChainId, crediter);
    }

    /// @notice Sets the pool's reward per block (for blocks credited from now on).
    function setRewardPerBlock(uint256 l2ChainId, uint128 rewardPerBlock) external onlyRole(REWARDS_ADMIN_ROLE) {
        _pool(l2ChainId).rewardPerBlock = rewardPerBlock;
        emit RewardPerBlockSet(l2ChainId, rewardPerBlock);
    }

    /// @notice Adds `amount` tokens (pulled from the caller, who must have approved them) to the
    /// pool of `l2ChainId`. Counts what actually arrived.
    function fund(uint256 l2ChainId, uint256 amount) external nonReentrant {
        Pool storage p = _pool(l2ChainId);
        if (amount == 0) revert ZeroAmount();
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        p.balance += SafeCast.toUint128(received);
        emit PoolFunded(l2ChainId, msg.sender, received);
    }

    // ------------------------------------------------------------------ credit and claim

    /// @notice Credits `prover`'s beneficiary for blocks `firstBlock..lastBlock`, skipping any block
    /// before the pool's `nextBlock` (already credited). Only the pool's crediter.
    /// @return amount What was credited (less than the full reward if the pool ran short).
    function credit(uint256 l2ChainId, uint64 firstBlock, uint64 lastBlock, address prover)
        external
        returns (uint256 amount)
    {
        Pool storage p = _pool(l2ChainId);
        if (msg.sender != p.crediter) revert NotCrediter(msg.sender);
        if (firstBlock > lastBlock) revert InvalidRange(firstBlock, lastBlock);
        uint64 from = p.nextBlock;
        if (lastBlock < from) revert AlreadyCredited(lastBlock, from);
        if (firstBlock > from) from = firstBlock;
        address beneficiary = registry.beneficiaryOf(prover);
        if (beneficiary == address(0)) revert UnknownProver(prover);

        amount = (uint256(lastBlock) - from + 1) * p.rewardPerBlock;
        if (amount > p.balance) amount = p.balance;
        p.nextBlock = lastBlock + 1;
        // casting to 'uint128' is safe because amount <= p.balance, a uint128
        // forge-lint: disable-next-line(unsafe-typecast)
        p.balance -= uint128(amount);
        owed[beneficiary] += amount;
        totalOwed += amount;
        emit Credited(l2ChainId, from, lastBlock, prover, beneficiary, amount);
    }

    /// @notice Pays everything owed to the caller to `to`.
    function claim(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = owed[msg.sender];
        if (amount == 0) revert NothingToClaim();
        owed[msg.sender] = 0;
        totalOwed -= amount;
        emit Claimed(msg.sender, to, amount);
        token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The pool of `l2ChainId`.
    function poolOf(uint256 l2ChainId) external view returns (Pool memory) {
        return _pools[l2ChainId];
    }

    function _pool(uint256 l2ChainId) private view returns (Pool storage p) {
        p = _pools[l2ChainId];
        if (p.crediter == address(0)) revert PoolUnknown(l2ChainId);
    }
}
