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
};

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
    /// What L1 consumes.
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
            reportData: self.report_data.to_vec().into(),
            verifiedAt: self.verified_at,
            tcbInfoHash: self.tcb_info_hash,
            qeIdentityHash: self.qe_identity_hash,
            crlsHash: self.crls_hash,
        }
    }

    /// Checks that report_data carries `binding`.
    pub fn check_binding(&self, binding: &Binding) -> Result<(), AttestError> {
        if self.report_data.as_slice() == binding.report_data() {
            Ok(())
        } else {
            Err(AttestError::Binding { expected: binding.digest(), got: self.report_data.to_vec().into() })
        }
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
        if let Some(pck_chain) = chain::quote_chain(quote, &self.root_der)? {
            chain::crl_issuer_chain(&collateral.pck_crl_issuer_chain, &pck_chain, &self.root_der)?;
        }
        let verified = self.inner.verify(quote, collateral, at).map_err(|e| AttestError::Quote(format!("{e:#}")))?;
        let Report::SgxEnclave(report) = verified.report else {
            return Err(AttestError::NotSgx);
        };
        let tcb_status = TcbStatus::from_name(&verified.status)
            .ok_or_else(|| AttestError::Quote(format!("unexpected TCB status {}", verified.status)))?;
        Ok(VerifiedQuote {
            tcb_status,
            advisory_ids: verified.advisory_ids,
            mr_enclave: report.mr_enclave.into(),
            mr_signer: report.mr_signer.into(),
            isv_prod_id: report.isv_prod_id,
            isv_svn: report.isv_svn,
            attributes: report.attributes.into(),
            report_data: report.report_data.into(),
            verified_at: at,
            tcb_info_hash: keccak256(collateral.tcb_info.as_bytes()),
            qe_identity_hash: keccak256(collateral.qe_identity.as_bytes()),
            crls_hash: keccak256([collateral.pck_crl.as_slice(), collateral.root_ca_crl.as_slice()].concat()),
        })
    }
}
