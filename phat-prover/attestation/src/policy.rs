//! The registry's admission policy, off-chain: the same rules `ProverRegistry._checkPolicy`
//! applies, so what passes here passes there (given the same allow-lists).

use std::path::Path;

use alloy_primitives::{B256, FixedBytes};
use serde::{Deserialize, Serialize};

use crate::{
    attestation::{
        FORBIDDEN_ATTRIBUTE_BITS, NormalizedAttestation, TEE_TYPE_SGX, TEE_TYPE_TDX, TcbStatus, advisories_hash,
    },
    error::{AttestError, PolicyViolation},
    tdx::{TD_UNDER_DEBUG_BITS, TdxPolicy},
};

/// An enclave build L1 trusts: `ProverRegistry.measurementHash(mrEnclave, mrSigner, isvProdId, isvSvn)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    pub mr_enclave: B256,
    pub mr_signer: B256,
    pub isv_prod_id: u16,
    pub isv_svn: u16,
}

/// A TCB status accepted by governance until a deadline (`ProverRegistry.setTcbGrace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grace {
    pub status: TcbStatus,
    /// Unix time after which the status is refused again.
    pub until: u64,
}

/// What is admitted. The default is the registry's default: UpToDate only, no advisory set, no
/// grace, and no measurement allow-list (`measurements` absent: the check is left to L1, which
/// always has one; present: the measurement must be in it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Trusted measurements; `None` leaves the allow-list to L1.
    #[serde(default)]
    pub measurements: Option<Vec<Measurement>>,
    /// Advisory sets accepted with SWHardeningNeeded (each set as Intel lists it).
    #[serde(default)]
    pub advisory_sets: Vec<Vec<String>>,
    /// Statuses accepted for a while (ConfigurationNeeded .. OutOfDateConfigurationNeeded).
    #[serde(default)]
    pub grace: Vec<Grace>,
    /// Largest accepted age of an attestation, in seconds (L1: `maxAttestationAge`). `None`:
    /// not checked.
    #[serde(default)]
    pub max_attestation_age: Option<u64>,
    /// The TDX allow-lists (measurements, owners), for TDX quotes.
    #[serde(default)]
    pub tdx: TdxPolicy,
}

impl Policy {
    /// Reads a policy from TOML.
    pub fn from_toml(text: &str) -> Result<Self, AttestError> {
        toml::from_str(text).map_err(|e| AttestError::PolicyFile(e.to_string()))
    }

    /// Reads a policy file (TOML).
    pub fn load(path: &Path) -> Result<Self, AttestError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| AttestError::PolicyFile(format!("{}: {e}", path.display())))?;
        Self::from_toml(&text)
    }

    /// Checks `a` at unix time `now`, in the registry's order: TEE type, attributes (SGX: DEBUG,
    /// PROVISION_KEY, EINITTOKEN_KEY; TDX: the TD-under-debug bits, then no service TD bound), TCB
    /// status, measurement, freshness. The measurement allow-list here is SGX's; a TDX quote's
    /// allow-lists (measurement, owner, compose hash) are [`crate::VerifiedTdQuote::check`]'s, and
    /// L1 keeps its own (`tdxMeasurementHash`).
    pub fn check(&self, a: &NormalizedAttestation, now: u64) -> Result<(), PolicyViolation> {
        match a.teeType {
            TEE_TYPE_SGX => {
                if a.attributes[0] & FORBIDDEN_ATTRIBUTE_BITS != 0 {
                    return Err(PolicyViolation::ForbiddenAttributes(a.attributes.to_string()));
                }
            }
            TEE_TYPE_TDX => {
                if a.attributes[0] & TD_UNDER_DEBUG_BITS != 0 {
                    return Err(PolicyViolation::TdUnderDebug(
                        FixedBytes::<8>::from_slice(&a.attributes[..8]).to_string(),
                    ));
                }
                if a.serviceTdBound {
                    return Err(PolicyViolation::ServiceTdBound("non-zero".into()));
                }
            }
            other => return Err(PolicyViolation::UnsupportedTeeType(other)),
        }
        self.check_tcb(a.tcbStatus, a.advisoriesHash, now)?;
        if a.teeType == TEE_TYPE_SGX
            && let Some(allowed) = &self.measurements
        {
            let m = Measurement {
                mr_enclave: a.mrEnclave,
                mr_signer: a.mrSigner,
                isv_prod_id: a.isvProdId,
                isv_svn: a.isvSvn,
            };
            if !allowed.contains(&m) {
                return Err(PolicyViolation::MeasurementNotAllowed {
                    mr_enclave: m.mr_enclave,
                    mr_signer: m.mr_signer,
                    isv_prod_id: m.isv_prod_id,
                    isv_svn: m.isv_svn,
                });
            }
        }
        if let Some(max_age) = self.max_attestation_age
            && (a.verifiedAt > now || now - a.verifiedAt > max_age)
        {
            return Err(PolicyViolation::NotFresh { verified_at: a.verifiedAt, max_age, now });
        }
        Ok(())
    }

    /// The TCB rules alone: UpToDate, SWHardeningNeeded with an accepted advisory set, or a status
    /// under grace until its deadline; never Revoked.
    pub(crate) fn check_tcb(&self, status: u8, advisories: B256, now: u64) -> Result<(), PolicyViolation> {
        let refused = |status| PolicyViolation::TcbStatusNotAccepted { status, advisories: advisories.to_string() };
        let Some(status) = TcbStatus::from_u8(status) else {
            return Err(refused(TcbStatus::Revoked));
        };
        let accepted = match status {
            TcbStatus::UpToDate => true,
            TcbStatus::SWHardeningNeeded => self.advisory_sets.iter().any(|set| advisories_hash(set) == advisories),
            TcbStatus::Revoked => false,
            graceable => self.grace.iter().any(|g| g.status == graceable && now <= g.until),
        };
        if accepted { Ok(()) } else { Err(refused(status)) }
    }
}
