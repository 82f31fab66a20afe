//! Intel TDX quotes (v4 with a TD 1.0 report, v5 with a TD 1.5 report): what a confidential VM
//! (a dstack CVM on Phala Cloud) attests, and the policy a prover VM must meet.
//!
//! dcap-qvl checks what Intel signs — the quote's signature chain to Intel's root, the QE report,
//! the collateral at the given time, the TCB level of the platform and of the TDX module — and
//! refuses a Revoked TCB. What it hands back is the TD report; this module keeps its measured
//! fields and applies the registry's rules to them, always:
//! - a TD under debug is refused: any TD-under-debug bit of `td_attributes` (bits 0-7; bit 0 is
//!   DEBUG, under which the host reads and writes the TD's memory);
//! - no service TD may be bound (`mr_service_td` zero; a TD 1.0 report has none): a migration or
//!   service TD could read the TD's state;
//! - the TCB status and advisories as for SGX (UpToDate, or what governance accepts);
//! - the measurement ([`TdMeasurement`]: the firmware `mr_td`, the boot chain `rtmr0..2`, the
//!   app's `mr_config_id`) in the allow-list when one is given (L1 always has one), and
//!   `mr_owner` / `mr_owner_config` when the policy names owners.
//!
//! `rtmr3` is the runtime register dstack extends with its event log (compose hash, app id, key
//! provider): it is not part of the measurement (the event log replay is to check it).
//!
//! On L1 a TD registers with [`VerifiedTdQuote::normalized`]: the measurement hash, the owner hash
//! and the compose hash of its replayed event log, which `ProverRegistry.tdxMeasurementHash`
//! combines into the value governance allow-lists ([`tdx_measurement_hash`]).

use alloy_primitives::{B256, FixedBytes, keccak256};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

pub use crate::attestation::TEE_TYPE_TDX;
use crate::{
    attestation::{NormalizedAttestation, TcbStatus, advisories_hash},
    binding::Binding,
    error::{AttestError, PolicyViolation},
    eventlog::DstackApp,
    policy::Policy,
};

/// `td_attributes` bits 0-7, the TD-under-debug group (bit 0: DEBUG).
pub const TD_UNDER_DEBUG_BITS: u8 = 0xff;

/// A 48-byte TDX measurement register.
pub type Mr = FixedBytes<48>;

/// The fields of a verified TDX quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedTdQuote {
    /// The quote's version: 4 (TD 1.0 report) or 5 (TD 1.5).
    pub quote_version: u16,
    pub tcb_status: TcbStatus,
    pub advisory_ids: Vec<String>,
    pub tee_tcb_svn: FixedBytes<16>,
    pub mr_seam: Mr,
    pub mr_signer_seam: Mr,
    pub seam_attributes: FixedBytes<8>,
    pub td_attributes: FixedBytes<8>,
    pub xfam: FixedBytes<8>,
    /// The TD's initial contents: its virtual firmware.
    pub mr_td: Mr,
    /// Set by the host at launch; dstack puts the app's compose hash in it.
    pub mr_config_id: Mr,
    pub mr_owner: Mr,
    pub mr_owner_config: Mr,
    /// The runtime measurement registers: 0 firmware configuration, 1 kernel, 2 kernel command
    /// line and initrd, 3 the app (dstack's event log).
    pub rtmr: [Mr; 4],
    pub report_data: FixedBytes<64>,
    /// The service TD bound to this TD (TD 1.5 reports; zero when none, and for TD 1.0).
    pub mr_service_td: Mr,
    /// The time the quote was verified at.
    pub verified_at: u64,
    pub tcb_info_hash: B256,
    pub qe_identity_hash: B256,
    pub crls_hash: B256,
}

/// What identifies a prover VM's code, as the allow-list names it: the firmware, the boot chain
/// and the app. `hash()` is the value L1 allow-lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TdMeasurement {
    pub mr_td: Mr,
    pub rtmr0: Mr,
    pub rtmr1: Mr,
    pub rtmr2: Mr,
    pub mr_config_id: Mr,
}

impl TdMeasurement {
    /// `keccak256(abi.encodePacked(mrTd, rtmr0, rtmr1, rtmr2, mrConfigId))` (240 bytes): the TDX
    /// measurement hash (`docs/security-model.md`).
    pub fn hash(&self) -> B256 {
        keccak256([self.mr_td, self.rtmr0, self.rtmr1, self.rtmr2, self.mr_config_id].concat())
    }
}

/// A TD owner a policy accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TdOwner {
    pub mr_owner: Mr,
    pub mr_owner_config: Mr,
}

impl TdOwner {
    /// `keccak256(abi.encodePacked(mrOwner, mrOwnerConfig))` (96 bytes): `tdOwner` of the
    /// normalized attestation.
    pub fn hash(&self) -> B256 {
        keccak256([self.mr_owner, self.mr_owner_config].concat())
    }
}

/// `keccak256("phat-sgx-prover.tdx-measurement.v1")`, `ProverRegistry.TDX_MEASUREMENT_TAG`.
pub fn tdx_measurement_tag() -> B256 {
    keccak256("phat-sgx-prover.tdx-measurement.v1")
}

/// `ProverRegistry.tdxMeasurementHash(tdMeasurement, tdOwner, composeHash)`:
/// `keccak256(abi.encode(TDX_MEASUREMENT_TAG, tdMeasurement, tdOwner, composeHash))`, what L1
/// allow-lists for a TDX prover. `td_measurement` is [`TdMeasurement::hash`], `td_owner`
/// [`TdOwner::hash`], `compose_hash` the dstack app's (zero for a VM attested without event log).
pub fn tdx_measurement_hash(td_measurement: B256, td_owner: B256, compose_hash: B256) -> B256 {
    keccak256((tdx_measurement_tag(), td_measurement, td_owner, compose_hash).abi_encode())
}

/// What a prover VM must meet besides the TCB rules of [`Policy`] (its `[tdx]` table).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TdxPolicy {
    /// Trusted measurements; `None` leaves the allow-list to L1.
    #[serde(default)]
    pub measurements: Option<Vec<TdMeasurement>>,
    /// Accepted owners; `None`: any.
    #[serde(default)]
    pub owners: Option<Vec<TdOwner>>,
    /// Accepted dstack apps by compose hash, read from the VM's replayed event log (dstack 0.5
    /// leaves `mr_config_id` zero: the compose hash is then only in RTMR3); `None`: not checked.
    #[serde(default)]
    pub compose_hashes: Option<Vec<B256>>,
}

impl TdxPolicy {
    /// The app rule: with `compose_hashes` set, the VM's event log (replayed against its quote,
    /// [`crate::eventlog::check`]) must name one of them.
    pub fn check_app(&self, app: Option<&DstackApp>) -> Result<(), PolicyViolation> {
        match (&self.compose_hashes, app) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(PolicyViolation::NoEventLog),
            (Some(allowed), Some(app)) if allowed.contains(&app.compose_hash) => Ok(()),
            (Some(_), Some(app)) => Err(PolicyViolation::ComposeHashNotAllowed(app.compose_hash)),
        }
    }
}

impl VerifiedTdQuote {
    /// The quote's owner.
    pub fn owner(&self) -> TdOwner {
        TdOwner { mr_owner: self.mr_owner, mr_owner_config: self.mr_owner_config }
    }

    /// What L1 consumes: `attributes` = `td_attributes ‖ xfam`, `tdMeasurement` =
    /// [`TdMeasurement::hash`], `tdOwner` = [`TdOwner::hash`], `composeHash` = `app`'s (the event
    /// log replayed against this quote by [`crate::eventlog::check`]; zero without one),
    /// `serviceTdBound` = `mr_service_td` non-zero; the SGX fields zero.
    pub fn normalized(&self, app: Option<&DstackApp>) -> NormalizedAttestation {
        let mut attributes = FixedBytes::<16>::ZERO;
        attributes[..8].copy_from_slice(self.td_attributes.as_slice());
        attributes[8..].copy_from_slice(self.xfam.as_slice());
        NormalizedAttestation {
            teeType: TEE_TYPE_TDX,
            tcbStatus: self.tcb_status as u8,
            advisoriesHash: advisories_hash(&self.advisory_ids),
            mrEnclave: B256::ZERO,
            mrSigner: B256::ZERO,
            isvProdId: 0,
            isvSvn: 0,
            attributes,
            tdMeasurement: self.measurement().hash(),
            tdOwner: self.owner().hash(),
            composeHash: app.map_or(B256::ZERO, |app| app.compose_hash),
            serviceTdBound: self.mr_service_td != Mr::ZERO,
            reportData: self.report_data.to_vec().into(),
            verifiedAt: self.verified_at,
            tcbInfoHash: self.tcb_info_hash,
            qeIdentityHash: self.qe_identity_hash,
            crlsHash: self.crls_hash,
        }
    }

    /// Checks that report_data carries `binding`.
    pub fn check_binding(&self, binding: &Binding) -> Result<(), AttestError> {
        binding.check(self.report_data.as_slice())
    }

    /// The quote's measurement.
    pub fn measurement(&self) -> TdMeasurement {
        TdMeasurement {
            mr_td: self.mr_td,
            rtmr0: self.rtmr[0],
            rtmr1: self.rtmr[1],
            rtmr2: self.rtmr[2],
            mr_config_id: self.mr_config_id,
        }
    }

    /// Checks the quote against the TDX rules and `policy` at unix time `now`: TD under debug,
    /// service TD, TCB status (`policy`'s TCB rules, as for SGX), measurement and owner
    /// (`policy.tdx`), freshness.
    pub fn check(&self, policy: &Policy, now: u64) -> Result<(), PolicyViolation> {
        let (tcb, tdx) = (policy, &policy.tdx);
        if self.td_attributes[0] & TD_UNDER_DEBUG_BITS != 0 {
            return Err(PolicyViolation::TdUnderDebug(self.td_attributes.to_string()));
        }
        if self.mr_service_td != Mr::ZERO {
            return Err(PolicyViolation::ServiceTdBound(self.mr_service_td.to_string()));
        }
        tcb.check_tcb(self.tcb_status as u8, advisories_hash(&self.advisory_ids), now)?;
        let m = self.measurement();
        if let Some(allowed) = &tdx.measurements
            && !allowed.contains(&m)
        {
            return Err(PolicyViolation::TdMeasurementNotAllowed(m.hash()));
        }
        let owner = self.owner();
        if let Some(owners) = &tdx.owners
            && !owners.contains(&owner)
        {
            return Err(PolicyViolation::TdOwnerNotAllowed(owner.mr_owner.to_string()));
        }
        if let Some(max_age) = tcb.max_attestation_age
            && (self.verified_at > now || now - self.verified_at > max_age)
        {
            return Err(PolicyViolation::NotFresh { verified_at: self.verified_at, max_age, now });
        }
        Ok(())
    }
}
