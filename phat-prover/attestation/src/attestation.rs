//! The normalized attestation: what every L1 attestation adapter returns and the quorum signs.
//! `NormalizedAttestation` of `evm-contracts/src/interfaces/IAttestationVerifier.sol`, through the
//! generated bindings.

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::{Eip712Domain, SolValue, eip712_domain};
use serde::{Deserialize, Serialize};

/// A DCAP quote reduced to what the registry's policy needs: the L1 type (`phat-l1`, generated
/// from the contracts), with serde for the quorum's JSON.
pub use phat_l1::NormalizedAttestation;

/// `teeType` of an SGX enclave quote.
pub const TEE_TYPE_SGX: u8 = 0;

/// `teeType` of a TDX quote (a trust domain: a confidential VM).
pub const TEE_TYPE_TDX: u8 = 0x81;

/// ATTRIBUTES flag bits the registry refuses: DEBUG 0x02, PROVISION_KEY 0x10, EINITTOKEN_KEY 0x20.
pub const FORBIDDEN_ATTRIBUTE_BITS: u8 = 0x32;

/// The EIP-712 domain of a `QuorumAttestationVerifier` deployed at `adapter` on chain `chain_id`.
pub fn quorum_domain(chain_id: u64, adapter: Address) -> Eip712Domain {
    eip712_domain! {
        name: "PhatSgxProverQuorumAttestation",
        version: "1",
        chain_id: chain_id,
        verifying_contract: adapter,
    }
}

/// `ProverRegistry.reportId(a)`: the identity of a report, which registers at most once. SGX:
/// `keccak256(abi.encode(mrEnclave, mrSigner, isvProdId, isvSvn, attributes, reportData))`; TDX:
/// `keccak256(abi.encode(teeType, tdMeasurement, tdOwner, composeHash, attributes, reportData))`.
pub fn report_id(a: &NormalizedAttestation) -> B256 {
    if a.teeType == TEE_TYPE_TDX {
        keccak256(
            // uint8 teeType, padded to a word as abi.encode does
            (U256::from(a.teeType), a.tdMeasurement, a.tdOwner, a.composeHash, a.attributes, a.reportData.clone())
                .abi_encode_params(),
        )
    } else {
        keccak256(
            (a.mrEnclave, a.mrSigner, a.isvProdId, a.isvSvn, a.attributes, a.reportData.clone()).abi_encode_params(),
        )
    }
}

/// `advisoriesHash`: keccak256 of the advisory ids sorted ascending and joined with ",".
pub fn advisories_hash(ids: &[String]) -> B256 {
    let mut ids = ids.to_vec();
    ids.sort();
    keccak256(ids.join(",").as_bytes())
}

/// Intel's TCB statuses, numbered as `TcbStatus` in `IAttestationVerifier.sol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum TcbStatus {
    UpToDate = 0,
    SWHardeningNeeded = 1,
    ConfigurationNeeded = 2,
    ConfigurationAndSWHardeningNeeded = 3,
    OutOfDate = 4,
    OutOfDateConfigurationNeeded = 5,
    Revoked = 6,
}

impl TcbStatus {
    /// All statuses, in their L1 numbering.
    pub const ALL: [TcbStatus; 7] = [
        Self::UpToDate,
        Self::SWHardeningNeeded,
        Self::ConfigurationNeeded,
        Self::ConfigurationAndSWHardeningNeeded,
        Self::OutOfDate,
        Self::OutOfDateConfigurationNeeded,
        Self::Revoked,
    ];

    /// Intel's name of the status (as in TCB info JSON).
    pub fn name(self) -> &'static str {
        match self {
            Self::UpToDate => "UpToDate",
            Self::SWHardeningNeeded => "SWHardeningNeeded",
            Self::ConfigurationNeeded => "ConfigurationNeeded",
            Self::ConfigurationAndSWHardeningNeeded => "ConfigurationAndSWHardeningNeeded",
            Self::OutOfDate => "OutOfDate",
            Self::OutOfDateConfigurationNeeded => "OutOfDateConfigurationNeeded",
            Self::Revoked => "Revoked",
        }
    }

    /// The status named `name`, if it is one an SGX platform can have.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The L1 number of `n`, if any.
    pub fn from_u8(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }
}

impl core::fmt::Display for TcbStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
