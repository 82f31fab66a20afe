//! The handover of a key rotation: `ProverRegistry.rotate` takes the old key's signature over
//! [`handover_digest`], so a prover that rotates its key consents with the key it retires.

use alloy_primitives::{Address, B256, U256, b256, keccak256};
use alloy_sol_types::SolValue;

/// `keccak256("phat-sgx-prover.handover.v1")`: `ProverRegistry.HANDOVER_TAG`.
pub const HANDOVER_TAG: B256 = b256!("0xa24a33ee40a04c90618d44e75d0cd1ec81f97d14e15ee32dd0439805d2f25d92");

/// `ProverRegistry.handoverDigest(old, new)` of the registry at `registry` on L1 `l1_chain_id`:
/// `keccak256(abi.encode(HANDOVER_TAG, chainid, registry, old, new))`. Its tag keeps it apart from
/// every proof digest.
pub fn handover_digest(l1_chain_id: u64, registry: Address, old: Address, new: Address) -> B256 {
    keccak256((HANDOVER_TAG, U256::from(l1_chain_id), registry, old, new).abi_encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_the_hash_of_its_string() {
        assert_eq!(keccak256("phat-sgx-prover.handover.v1"), HANDOVER_TAG);
    }
}
