//! Collateral from a PCCS (Intel's Provisioning Certificate Caching Service, API v4) for a quote
//! that came without it: dcap-qvl's `CollateralClient` (PCK CRL, TCB info, QE identity, root CA
//! CRL, with their issuer chains) over this service's own transport, which bounds every request
//! in time and every response in size — a PCCS answer is hostile input like any other.

use std::{collections::BTreeMap, time::Duration};

use dcap_qvl::{
    QuoteCollateralV3,
    collateral::CollateralClient,
    configs::DefaultConfig,
    http::{HttpClient, HttpResponse},
    quote::Quote,
};

use crate::error::QuorumError;

/// Largest PCCS response accepted, in bytes.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A PCCS client.
#[derive(Clone)]
pub struct Pccs {
    client: CollateralClient<DefaultConfig, CappedHttp>,
}

impl std::fmt::Debug for Pccs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pccs")
    }
}

/// The transport: `reqwest` with a per-request timeout, reading the body chunk by chunk up to
/// [`MAX_RESPONSE_BYTES`] (a body without, or with a false, length stops at the cap rather than
/// after it has all been buffered).
#[derive(Debug, Clone)]
struct CappedHttp(reqwest::Client);

impl HttpClient for CappedHttp {
    async fn get(&self, url: &str) -> anyhow::Result<HttpResponse> {
        let mut res = self.0.get(url).send().await?;
        if res.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            anyhow::bail!("{url}: response too large");
        }
        let status = res.status().as_u16();
        let headers: BTreeMap<String, String> = res
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                anyhow::bail!("{url}: response too large");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { status, headers, body })
    }
}

impl Pccs {
    /// A client of the PCCS at `base` (e.g. `https://pccs.example:8081`), each request bounded by
    /// `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, QuorumError> {
        let http = reqwest::Client::builder().timeout(timeout).build().map_err(|e| QuorumError::Pccs(e.to_string()))?;
        Ok(Self { client: CollateralClient::new(CappedHttp(http), base.trim_end_matches('/')) })
    }

    /// The collateral for `quote` (its FMSPC and PCK CA are read from the PCK certificate it
    /// carries). A quote that does not parse is refused before anything is fetched.
    pub async fn fetch(&self, quote: &[u8]) -> Result<QuoteCollateralV3, QuorumError> {
        Quote::parse(quote)
            .map_err(|e| QuorumError::Refused(phat_attestation::AttestError::Quote(format!("{e:#}"))))?;
        self.client.fetch(quote).await.map_err(|e| QuorumError::Pccs(format!("{e:#}")))
    }
}
