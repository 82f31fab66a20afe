//! The report_data a prover enclave must put in its quote to register on L1: it binds the prover's
//! key to one registry, one chain, one beneficiary and a recent L1 block, so a quote can be used
//! for exactly one registration.

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

/// `keccak256("phat-sgx-prover.registration.v1")`, `ProverRegistry.REPORT_DATA_TAG`.
pub fn report_data_tag() -> B256 {
    keccak256("phat-sgx-prover.registration.v1")
}

/// What a registration binds; `ProverRegistry.expectedReportData` rebuilds the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// L1 chain id.
    pub chain_id: u64,
    /// The `ProverRegistry` (TeeVerifier) address.
    pub registry: Address,
    /// The prover's Ethereum address (its TEE-proof signing key).
    pub prover: Address,
    /// Who is paid for its proofs.
    pub beneficiary: Address,
    /// A recent L1 block (the registry accepts the last 256).
    pub l1_block_number: u64,
    /// That block's hash.
    pub l1_block_hash: B256,
}

impl Binding {
    /// `keccak256(abi.encode(REPORT_DATA_TAG, chainid, registry, prover, beneficiary,
    /// l1BlockNumber, blockhash(l1BlockNumber)))`.
    pub fn digest(&self) -> B256 {
        keccak256(
            (
                report_data_tag(),
                alloy_primitives::U256::from(self.chain_id),
                self.registry,
                self.prover,
                self.beneficiary,
                self.l1_block_number,
                self.l1_block_hash,
            )
                .abi_encode(),
        )
    }

    /// Checks that a quote's `report_data` carries this binding.
    pub fn check(&self, report_data: &[u8]) -> Result<(), crate::AttestError> {
        if report_data == self.report_data() {
            Ok(())
        } else {
            Err(crate::AttestError::Binding { expected: self.digest(), got: report_data.to_vec().into() })
        }
    }

    /// The 64-byte report_data: the digest, then 32 zero bytes.
    pub fn report_data(&self) -> [u8; 64] {
        let mut data = [0u8; 64];
        data[..32].copy_from_slice(self.digest().as_slice());
        data
    }
}
