//! The L1-attributes deposit: the first transaction of every OP Stack block, which writes the L1
//! origin (number, time, base fees, hash) and the fee scalars into the L1Block predeploy.
//!
//! Its calldata layout is fixed by the OP specs (`specs/protocol/{ecotone,isthmus,jovian}/l1-attributes.md`):
//! packed big-endian fields behind a 4-byte selector. No crate in our tree decodes it without
//! std and serde (kona's `L1BlockInfoTx` lives in kona-protocol), so it is read here.

use alloy_primitives::{Address, B256, U256, address};

use crate::{error::OpBlockError, op::OpFork};

/// Sender of the L1-attributes deposit.
pub const L1_INFO_DEPOSITOR: Address = address!("0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");
/// The L1Block predeploy it calls.
pub const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");

/// `setL1BlockValuesEcotone()` (Ecotone … Holocene): 164 bytes.
pub const ECOTONE_SELECTOR: [u8; 4] = [0x44, 0x0a, 0x5e, 0x20];
/// `setL1BlockValuesIsthmus()`: adds the operator fee scalar and constant, 176 bytes.
pub const ISTHMUS_SELECTOR: [u8; 4] = [0x09, 0x89, 0x99, 0xbe];
/// `setL1BlockValuesJovian()`: adds the DA footprint gas scalar, 178 bytes.
pub const JOVIAN_SELECTOR: [u8; 4] = [0x3d, 0xb6, 0xbe, 0x2b];

/// The L1 origin as the L1-attributes deposit states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Origin {
    /// L1 block number.
    pub number: u64,
    /// L1 block timestamp.
    pub timestamp: u64,
    /// L1 base fee.
    pub base_fee: U256,
    /// L1 blob base fee.
    pub blob_base_fee: U256,
    /// L1 block hash.
    pub hash: B256,
}

/// The layout `calldata` must have in a block whose parent is under `parent_fork` (`None`: before
/// Holocene). An activation block still carries the previous layout: its L1Block contract is
/// upgraded only by that block's own upgrade deposits, after the L1-attributes deposit.
pub fn decode(calldata: &[u8], parent_fork: Option<OpFork>) -> Result<L1Origin, OpBlockError> {
    let (selector, len, name) = match parent_fork {
        None | Some(OpFork::Holocene) => (ECOTONE_SELECTOR, 164, "Ecotone"),
        Some(OpFork::Isthmus) => (ISTHMUS_SELECTOR, 176, "Isthmus"),
        Some(OpFork::Jovian) => (JOVIAN_SELECTOR, 178, "Jovian"),
    };
    if calldata.len() != len || calldata[..4] != selector {
        return Err(OpBlockError::L1InfoCalldata { expected: name });
    }
    // selector 4 | baseFeeScalar 4 | blobBaseFeeScalar 4 | sequenceNumber 8 | timestamp 8 |
    // number 8 | basefee 32 | blobBaseFee 32 | hash 32 | batcherHash 32 | (Isthmus, Jovian: …)
    let u64_at = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&calldata[at..at + 8]);
        u64::from_be_bytes(word)
    };
    Ok(L1Origin {
        timestamp: u64_at(20),
        number: u64_at(28),
        base_fee: U256::from_be_slice(&calldata[36..68]),
        blob_base_fee: U256::from_be_slice(&calldata[68..100]),
        hash: B256::from_slice(&calldata[100..132]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, hex};

    #[test]
    fn decodes_a_real_ecotone_deposit_and_refuses_other_layouts() {
        // A real L1-attributes deposit's calldata (op-alloy-consensus' RPC test vector).
        let input = hex!(
            "440a5e20000008dd00101c1200000000000000030000000067acc63f00000000014d1f2d000000000000000000000000000000000000000000000000000000005ba4c0eb00000000000000000000000000000000000000000000000000000001ce2291bdcbb8f62c15343b39cfacdbf81c4747822ebb16c2518126e47d984422a82defc10000000000000000000000005050f69a9786f081509234f1a7f4684b5e5b76c9"
        );
        let origin = decode(&input, Some(OpFork::Holocene)).unwrap();
        assert_eq!(origin.number, 0x014d1f2d);
        assert_eq!(origin.timestamp, 0x67acc63f);
        assert_eq!(origin.base_fee, U256::from(0x5ba4c0ebu64));
        assert_eq!(origin.blob_base_fee, U256::from(0x1_ce22_91bdu64));
        assert_eq!(origin.hash, b256!("0xcbb8f62c15343b39cfacdbf81c4747822ebb16c2518126e47d984422a82defc1"));
        assert_eq!(decode(&input, None), Ok(origin));
        // An Isthmus parent needs the Isthmus layout; a cut or longer calldata is refused.
        assert_eq!(decode(&input, Some(OpFork::Isthmus)), Err(OpBlockError::L1InfoCalldata { expected: "Isthmus" }));
        assert!(decode(&input[..163], Some(OpFork::Holocene)).is_err());
        let mut long = input.to_vec();
        long.push(0);
        assert!(decode(&long, Some(OpFork::Holocene)).is_err());
        let mut other = input;
        other[0] ^= 1;
        assert!(decode(&other, Some(OpFork::Holocene)).is_err());
    }
}
