//! DCAP verification with `dcap-qvl`: signatures, certificate chains to the root CA, CRLs,
//! collateral validity at a pinned time, TCB level matching; before it, the byte form of the quote
//! and of the certificate chains dcap-qvl does not read (`crate::chain`); then the normalized
//! attestation.

use alloy_primitives::{B256, FixedBytes, keccak256};
use dcap_qvl::{QuoteCollateralV3, quote::Report, verify::QuoteVerifier};
use serde::Serialize;

use crate::{
    attestation::{NormalizedAttestation, TEE_TYPE_SGX, TcbStatus, advisories_hash},
    binding::Binding,
    chain,
    error::AttestError,
    tdx::{Mr, VerifiedTdQuote},
};

/// A verified quote: an SGX enclave's or a TDX confidential VM's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "teeType", rename_all = "lowercase")]
// One value per verification, moved once: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum VerifiedAny {
    Sgx(VerifiedQuote),
    Tdx(VerifiedTdQuote),
}

/// Intel's SGX Root CA (`Intel_SGX_Provisioning_Certification_RootCA.der`, SHA-256
/// 44a0196b…b674d3), the root dcap-qvl pins in `new_prod`: the one production trust anchor.
pub const INTEL_SGX_ROOT_CA_DER: &[u8] = include_bytes!("intel_sgx_root_ca.der");

/// The fields of a verified SGX quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedQuote {
    pub tcb_status: TcbStatus,
    pub advisory_ids: Vec<String>,
    pub mr_enclave: B256,
    pub mr_signer: B256,
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    pub attributes: FixedBytes<16>,
    pub report_data: FixedBytes<64>,
    /// The time the quote was verified at.
    pub verified_at: u64,
    pub tcb_info_hash: B256,
    pub qe_identity_hash: B256,
    pub crls_hash: B256,
}

impl VerifiedQuote {
    /// What L1 consumes (the TDX fields zero).
    pub fn normalized(&self) -> NormalizedAttestation {
        NormalizedAttestation {
            teeType: TEE_TYPE_SGX,
            tcbStatus: self.tcb_status as u8,
            advisoriesHash: advisories_hash(&self.advisory_ids),
            mrEnclave: self.mr_enclave,
            mrSigner: self.mr_signer,
            isvProdId: self.isv_prod_id,
            isvSvn: self.isv_svn,
            attributes: self.attributes,
            tdMeasurement: B256::ZERO,
            tdOwner: B256::ZERO,
            composeHash: B256::ZERO,
            serviceTdBound: false,
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
}

/// Verifies quotes against one root CA: Intel's in production.
pub struct Verifier {
    inner: QuoteVerifier,
    root_der: Vec<u8>,
    /// keccak256 of a custom root (DER); `None`: Intel's SGX Root CA, as dcap-qvl ships it.
    custom_root: Option<B256>,
}

impl Verifier {
    /// Trusts Intel's SGX Root CA (the one production path).
    pub fn intel() -> Self {
        Self {
            inner: QuoteVerifier::new(INTEL_SGX_ROOT_CA_DER.to_vec()),
            root_der: INTEL_SGX_ROOT_CA_DER.to_vec(),
            custom_root: None,
        }
    }

    /// Trusts `root_ca_der` instead of Intel's root: for a test PKI only, never in production.
    pub fn with_root_ca(root_ca_der: Vec<u8>) -> Self {
        let hash = keccak256(&root_ca_der);
        Self { inner: QuoteVerifier::new(root_ca_der.clone()), root_der: root_ca_der, custom_root: Some(hash) }
    }

    /// What is trusted: `"Intel SGX Root CA"` or the keccak256 of the custom root.
    pub fn root_description(&self) -> String {
        match self.custom_root {
            None => "Intel SGX Root CA".into(),
            Some(hash) => format!("custom root CA (test PKI) {hash}"),
        }
    }

    /// Whether this verifier trusts Intel's production root.
    pub fn is_intel(&self) -> bool {
        self.custom_root.is_none()
    }

    /// Verifies `quote` against `collateral` at unix time `at`. DEBUG enclaves and Revoked TCBs
    /// are refused here already (dcap-qvl does); so is a quote with bytes after its end or with
    /// certificate chains in another byte form or to another root.
    pub fn verify(&self, quote: &[u8], collateral: &QuoteCollateralV3, at: u64) -> Result<VerifiedQuote, AttestError> {
        match self.verify_any(quote, collateral, at)? {
            VerifiedAny::Sgx(q) => Ok(q),
            VerifiedAny::Tdx(_) => Err(AttestError::NotSgx),
        }
    }

    /// [`Self::verify`] for an SGX enclave quote or a TDX quote (v4 with a TD 1.0 report, v5 with
    /// a TD 1.5 one): the same checks of what Intel signs; a TDX quote's policy is
    /// [`VerifiedTdQuote::check`].
    pub fn verify_any(
        &self,
        quote: &[u8],
        collateral: &QuoteCollateralV3,
        at: u64,
    ) -> Result<VerifiedAny, AttestError> {
        let pck_chain = chain::quote_chain(quote, &self.root_der)?;
        chain::crl_issuer_chain(&collateral.pck_crl_issuer_chain, &pck_chain, &self.root_der)?;
        let verified = self.inner.verify(quote, collateral, at).map_err(|e| AttestError::Quote(format!("{e:#}")))?;
        let tcb_status = TcbStatus::from_name(&verified.status)
            .ok_or_else(|| AttestError::Quote(format!("unexpected TCB status {}", verified.status)))?;
        let tcb_info_hash = keccak256(collateral.tcb_info.as_bytes());
        let qe_identity_hash = keccak256(collateral.qe_identity.as_bytes());
        let crls_hash = keccak256([collateral.pck_crl.as_slice(), collateral.root_ca_crl.as_slice()].concat());
        let (td, mr_service_td) = match verified.report {
            Report::SgxEnclave(report) => {
                return Ok(VerifiedAny::Sgx(VerifiedQuote {
                    tcb_status,
                    advisory_ids: verified.advisory_ids,
                    mr_enclave: report.mr_enclave.into(),
                    mr_signer: report.mr_signer.into(),
                    isv_prod_id: report.isv_prod_id,
                    isv_svn: report.isv_svn,
                    attributes: report.attributes.into(),
                    report_data: report.report_data.into(),
                    verified_at: at,
                    tcb_info_hash,
                    qe_identity_hash,
                    crls_hash,
                }));
            }
            Report::TD10(r) => (r, [0u8; 48]),
            Report::TD15(r) => (r.base, r.mr_service_td),
            Report::TD15Ex(r) => (r.base.base, r.base.mr_service_td),
        };
        // The version is the quote's first two bytes (little-endian): dcap-qvl parsed them.
        let quote_version = u16::from_le_bytes([quote[0], quote[1]]);
        Ok(VerifiedAny::Tdx(VerifiedTdQuote {
            quote_version,
            tcb_status,
            advisory_ids: verified.advisory_ids,
            tee_tcb_svn: td.tee_tcb_svn.into(),
            mr_seam: Mr::from(td.mr_seam),
            mr_signer_seam: Mr::from(td.mr_signer_seam),
            seam_attributes: td.seam_attributes.into(),
            td_attributes: td.td_attributes.into(),
            xfam: td.xfam.into(),
            mr_td: Mr::from(td.mr_td),
            mr_config_id: Mr::from(td.mr_config_id),
            mr_owner: Mr::from(td.mr_owner),
            mr_owner_config: Mr::from(td.mr_owner_config),
            rtmr: [td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3].map(Mr::from),
            report_data: td.report_data.into(),
            mr_service_td: Mr::from(mr_service_td),
            verified_at: at,
            tcb_info_hash,
            qe_identity_hash,
            crls_hash,
        }))
    }
}
