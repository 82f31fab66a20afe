//! Reporting settled proofs to the Phala-side `phat-registry`, which credits the fee to the
//! prover's pool owner and stakers. The registry credits each (rollup, block) once and refuses a
//! repeat (`AlreadyCredited`), so a report repeated after a restart is harmless.

use alloy_primitives::{Address, B256};
use serde_json::json;

use crate::{config::RegistryConfig, error::RelayerError};

const REPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct RegistryReporter {
    url: String,
    rollup: u32,
    http: reqwest::Client,
}

/// What the registry said of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    /// Credited now, with this fee.
    Credited(u128),
    /// The registry already credited this block.
    AlreadyCredited,
}

impl RegistryReporter {
    pub fn new(config: &RegistryConfig) -> Self {
        Self {
            url: format!("{}/v1/registry/report", config.url.trim_end_matches('/')),
            rollup: config.rollup,
            // A registry that does not answer must not hold up relaying for long.
            http: reqwest::Client::builder().timeout(REPORT_TIMEOUT).build().unwrap_or_default(),
        }
    }

    /// Reports that L1 accepted the proof of `block` signed by `signer`, in transaction `l1_tx`.
    pub async fn report(&self, block: u64, signer: Address, l1_tx: B256) -> Result<Reported, RelayerError> {
        let fail = |e: String| RelayerError::Registry(format!("block {block}: {e}"));
        let body = json!({ "rollup": self.rollup, "block": block, "signer": signer, "l1Tx": l1_tx });
        let response = self.http.post(&self.url).json(&body).send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let answer: serde_json::Value = response.json().await.map_err(|e| fail(e.to_string()))?;
        if status.is_success() {
            let fee = answer["fee"].as_str().and_then(|f| f.parse().ok()).ok_or_else(|| fail(format!("{answer}")))?;
            return Ok(Reported::Credited(fee));
        }
        match answer["error"].as_str() {
            Some("AlreadyCredited") => Ok(Reported::AlreadyCredited),
            Some(e) => Err(fail(format!("{status}: {e}"))),
            None => Err(fail(format!("{status}: {answer}"))),
        }
    }
}
