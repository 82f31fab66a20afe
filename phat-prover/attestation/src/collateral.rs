//! Collateral documents as files and on the wire: JSON with Intel's PEM chains and JSON bodies as
//! strings and the binary parts (CRLs, signatures) as hex — the layout of a PCCS response set and
//! of `dcap-qvl`'s published samples.

use dcap_qvl::QuoteCollateralV3;
use serde::{Deserialize, Serialize};

use crate::error::AttestError;

/// The collateral a quote is verified against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collateral {
    pub pck_crl_issuer_chain: String,
    /// DER, hex.
    pub root_ca_crl: String,
    /// DER, hex.
    pub pck_crl: String,
    pub tcb_info_issuer_chain: String,
    pub tcb_info: String,
    /// Raw `r ‖ s`, hex.
    pub tcb_info_signature: String,
    pub qe_identity_issuer_chain: String,
    pub qe_identity: String,
    /// Raw `r ‖ s`, hex.
    pub qe_identity_signature: String,
    /// The PCK chain (PEM) when the quote does not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pck_certificate_chain: Option<String>,
}

fn unhex(field: &str, s: &str) -> Result<Vec<u8>, AttestError> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| AttestError::Collateral(format!("{field}: {e}")))
}

impl Collateral {
    /// Parses the JSON document.
    pub fn from_json(text: &str) -> Result<Self, AttestError> {
        serde_json::from_str(text).map_err(|e| AttestError::Collateral(e.to_string()))
    }

    /// The form `dcap-qvl` verifies.
    pub fn to_dcap(&self) -> Result<QuoteCollateralV3, AttestError> {
        Ok(QuoteCollateralV3 {
            pck_crl_issuer_chain: self.pck_crl_issuer_chain.clone(),
            root_ca_crl: unhex("root_ca_crl", &self.root_ca_crl)?,
            pck_crl: unhex("pck_crl", &self.pck_crl)?,
            tcb_info_issuer_chain: self.tcb_info_issuer_chain.clone(),
            tcb_info: self.tcb_info.clone(),
            tcb_info_signature: unhex("tcb_info_signature", &self.tcb_info_signature)?,
            qe_identity_issuer_chain: self.qe_identity_issuer_chain.clone(),
            qe_identity: self.qe_identity.clone(),
            qe_identity_signature: unhex("qe_identity_signature", &self.qe_identity_signature)?,
            pck_certificate_chain: self.pck_certificate_chain.clone(),
        })
    }

    /// The file form of `c`.
    pub fn from_dcap(c: &QuoteCollateralV3) -> Self {
        Self {
            pck_crl_issuer_chain: c.pck_crl_issuer_chain.clone(),
            root_ca_crl: hex::encode(&c.root_ca_crl),
            pck_crl: hex::encode(&c.pck_crl),
            tcb_info_issuer_chain: c.tcb_info_issuer_chain.clone(),
            tcb_info: c.tcb_info.clone(),
            tcb_info_signature: hex::encode(&c.tcb_info_signature),
            qe_identity_issuer_chain: c.qe_identity_issuer_chain.clone(),
            qe_identity: c.qe_identity.clone(),
            qe_identity_signature: hex::encode(&c.qe_identity_signature),
            pck_certificate_chain: c.pck_certificate_chain.clone(),
        }
    }
}
