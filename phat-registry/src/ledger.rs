//! Stake-pool reward arithmetic, free of any contract environment.
//!
//! A pool pays its owner a commission (parts per million of each fee) and shares the rest among
//! its stakers pro rata to their stake, with a reward-per-share accumulator: crediting a fee is
//! O(1) whatever the number of stakers, and a staker's pending reward is
//! `stake × acc / ACC_PRECISION − debt`, where `debt` is that product at the staker's last change.
//! Every product and sum is checked; rounding always favours the contract (floors), and the
//! remainder a division leaves goes to the pool owner, so the split of each fee adds up exactly.

/// Parts per million: the commission's unit.
pub const PPM: u32 = 1_000_000;

/// Fixed-point scale of the reward-per-share accumulator.
pub const ACC_PRECISION: u128 = 1_000_000_000_000;

/// A product or sum left the `u128` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// How one fee is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Commission and rounding remainder, credited to the pool owner.
    pub owner: u128,
    /// Shared by the stakers (the accumulator grows by `acc_increment`).
    pub stakers: u128,
    /// Increase of the pool's reward per share, scaled by [`ACC_PRECISION`].
    pub acc_increment: u128,
}

/// Divides `fee` between a pool's owner (`commission_ppm`) and its stakers (`total_stake`).
/// With no stake the owner takes it all.
pub fn split_fee(fee: u128, commission_ppm: u32, total_stake: u128) -> Result<Split, Overflow> {
    if total_stake == 0 {
        return Ok(Split { owner: fee, stakers: 0, acc_increment: 0 });
    }
    let commission = mul_div(fee, u128::from(commission_ppm.min(PPM)), u128::from(PPM))?;
    let shared = fee - commission;
    let acc_increment = mul_div(shared, ACC_PRECISION, total_stake)?;
    let stakers = mul_div(acc_increment, total_stake, ACC_PRECISION)?;
    // stakers ≤ shared (two floors), so the remainder is never negative.
    Ok(Split { owner: commission + (shared - stakers), stakers, acc_increment })
}

/// `stake × acc / ACC_PRECISION`: what a stake has accrued since the accumulator was zero.
pub fn accrued(stake: u128, acc: u128) -> Result<u128, Overflow> {
    mul_div(stake, acc, ACC_PRECISION)
}

/// The reward a stake has earned since its debt was set.
pub fn pending(stake: u128, acc: u128, debt: u128) -> Result<u128, Overflow> {
    // The accumulator only grows, so accrued ≥ debt; saturate rather than trust that blindly.
    Ok(accrued(stake, acc)?.saturating_sub(debt))
}

/// `a × b / d`, floored, with a checked product.
fn mul_div(a: u128, b: u128, d: u128) -> Result<u128, Overflow> {
    a.checked_mul(b).ok_or(Overflow)?.checked_div(d).ok_or(Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_then_pro_rata_and_the_split_adds_up() {
        // 10 % commission, 300 staked: 1000 → 100 owner, 900 shared (3 per unit staked).
        let split = split_fee(1_000, 100_000, 300).unwrap();
        assert_eq!(split, Split { owner: 100, stakers: 900, acc_increment: 3 * ACC_PRECISION });
        assert_eq!(pending(100, split.acc_increment, 0).unwrap(), 300);
        assert_eq!(pending(200, split.acc_increment, 0).unwrap(), 600);
    }

    #[test]
    fn the_rounding_remainder_goes_to_the_owner() {
        // 10 shared among 3 units: 3.333… per unit floors; the owner gets the remainder.
        let split = split_fee(10, 0, 3).unwrap();
        assert_eq!(split.owner + split.stakers, 10);
        assert!(split.stakers <= 10 && split.owner <= 1, "{split:?}");
        assert!(pending(1, split.acc_increment, 0).unwrap() * 3 <= split.stakers);
    }

    #[test]
    fn no_stake_gives_all_to_the_owner_and_full_commission_leaves_stakers_nothing() {
        assert_eq!(split_fee(77, 0, 0).unwrap(), Split { owner: 77, stakers: 0, acc_increment: 0 });
        let split = split_fee(77, PPM, 5).unwrap();
        assert_eq!((split.owner, split.stakers), (77, 0));
        // A commission above 100 % is read as 100 %.
        assert_eq!(split_fee(77, PPM * 3, 5).unwrap(), split);
    }

    #[test]
    fn debt_excludes_rewards_from_before_the_stake() {
        let acc = split_fee(1_000, 0, 100).unwrap().acc_increment;
        let debt = accrued(50, acc).unwrap();
        assert_eq!(pending(50, acc, debt).unwrap(), 0);
        let acc2 = acc + split_fee(1_500, 0, 150).unwrap().acc_increment;
        assert_eq!(pending(50, acc2, debt).unwrap(), 500);
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(split_fee(u128::MAX, 0, 1), Err(Overflow));
        assert_eq!(accrued(u128::MAX, 2 * ACC_PRECISION), Err(Overflow));
    }
}
