//! Collateral from a PCCS (Intel's Provisioning Certificate Caching Service, API v4) for a quote
//! that came without it: PCK CRL, TCB info, QE identity and root CA CRL, with their issuer chains.

use std::time::Duration;

use dcap_qvl::{QuoteCollateralV3, intel, quote::Quote};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::QuorumError;

/// Largest PCCS response accepted, in bytes.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A PCCS client.
#[derive(Debug, Clone)]
pub struct Pccs {
    base: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct TcbInfoResponse<'a> {
    #[serde(rename = "tcbInfo", borrow)]
    tcb_info: &'a RawValue,
    signature: String,
}

#[derive(Deserialize)]
struct QeIdentityResponse<'a> {
    #[serde(rename = "enclaveIdentity", borrow)]
    enclave_identity: &'a RawValue,
    signature: String,
}

fn pccs_err(what: &str, e: impl std::fmt::Display) -> QuorumError {
    QuorumError::Pccs(format!("{what}: {e}"))
}

impl Pccs {
    /// A client of the PCCS at `base` (e.g. `https://pccs.example:8081`), each request bounded by
    /// `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, QuorumError> {
        let http = reqwest::Client::builder().timeout(timeout).build().map_err(|e| pccs_err("client", e))?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http })
    }

    /// The collateral for `quote` (its FMSPC and PCK CA are read from the PCK certificate it carries).
    pub async fn fetch(&self, quote: &[u8]) -> Result<QuoteCollateralV3, QuorumError> {
        let refused = |e: String| QuorumError::Refused(phat_attestation::AttestError::Quote(e));
        let parsed = Quote::parse(quote).map_err(|e| refused(format!("{e:#}")))?;
        let chain = intel::extract_cert_chain(&parsed).map_err(|e| refused(format!("{e:#}")))?;
        let leaf = chain.first().ok_or_else(|| refused("empty PCK chain".into()))?;
        let fmspc = intel::parse_pck_extension(leaf).map_err(|e| refused(format!("{e:#}")))?.fmspc;
        let ca = intel::pck_ca(leaf).map_err(|e| refused(format!("{e:#}")))?.as_id_str();

        let (pck_crl_path, tcb_path) =
            (format!("pckcrl?ca={ca}&encoding=der"), format!("tcb?fmspc={}", hex::encode_upper(fmspc)));
        // The four documents are independent: fetched at once.
        let ((pck_crl, pck_crl_chain), (tcb, tcb_chain), (qe, qe_chain), (root_crl, _)) = tokio::try_join!(
            self.get(&pck_crl_path, &["SGX-PCK-CRL-Issuer-Chain"]),
            self.get(&tcb_path, &["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"]),
            self.get("qe/identity", &["SGX-Enclave-Identity-Issuer-Chain"]),
            self.get("rootcacrl", &[]),
        )?;

        let tcb: TcbInfoResponse = serde_json::from_slice(&tcb).map_err(|e| pccs_err("TCB info", e))?;
        let qe: QeIdentityResponse = serde_json::from_slice(&qe).map_err(|e| pccs_err("QE identity", e))?;
        // A PCCS serves the root CA CRL hex-encoded.
        let root_crl = std::str::from_utf8(&root_crl)
            .ok()
            .and_then(|s| hex::decode(s.trim()).ok())
            .ok_or_else(|| pccs_err("root CA CRL", "not hex"))?;
        Ok(QuoteCollateralV3 {
            pck_crl_issuer_chain: pck_crl_chain,
            root_ca_crl: root_crl,
            pck_crl,
            tcb_info_issuer_chain: tcb_chain,
            // The signature covers these exact bytes.
            tcb_info: tcb.tcb_info.get().to_owned(),
            tcb_info_signature: hex::decode(&tcb.signature).map_err(|e| pccs_err("TCB info signature", e))?,
            qe_identity_issuer_chain: qe_chain,
            qe_identity: qe.enclave_identity.get().to_owned(),
            qe_identity_signature: hex::decode(&qe.signature).map_err(|e| pccs_err("QE identity signature", e))?,
            pck_certificate_chain: None,
        })
    }

    /// GETs `path` under `/sgx/certification/v4/`; returns the body and the first of `headers`
    /// present, percent-decoded (empty when `headers` is empty).
    async fn get(&self, path: &str, headers: &[&str]) -> Result<(Vec<u8>, String), QuorumError> {
        let url = format!("{}/sgx/certification/v4/{path}", self.base);
        let res = self.http.get(&url).send().await.map_err(|e| pccs_err(&url, e))?;
        if !res.status().is_success() {
            return Err(pccs_err(&url, res.status()));
        }
        if res.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(pccs_err(&url, "response too large"));
        }
        let chain = match headers.iter().find_map(|h| res.headers().get(*h)) {
            Some(value) => {
                let value = value.to_str().map_err(|e| pccs_err(&url, e))?;
                percent_decode_str(value).decode_utf8().map_err(|e| pccs_err(&url, e))?.into_owned()
            }
            None if headers.is_empty() => String::new(),
            None => return Err(pccs_err(&url, format!("no {} header", headers.join(" / ")))),
        };
        // Read chunk by chunk: a body without (or with a false) length stops at the cap, not
        // after it has all been buffered.
        let mut res = res;
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| pccs_err(&url, e))? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(pccs_err(&url, "response too large"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, chain))
    }
}
