//! The guest agent's answers, as its JSON carries them: byte fields are hex strings (no prefix),
//! documents (event log, vm config, tcb info, key provider) are JSON text inside a string. Unknown
//! fields are ignored and absent ones default, so an agent that adds fields still decodes.

use alloy_primitives::Bytes;
use serde::{Deserialize, Serialize};

/// v0 `GetQuote`: a TDX quote over the caller's raw report_data, with the VM's event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetQuoteResponse {
    /// The TDX quote (v4 or v5).
    pub quote: Bytes,
    /// The event log, dstack's JSON text (a JSON array of events): replay it against the quote's
    /// RTMRs (`phat_attestation::eventlog`).
    pub event_log: String,
    /// The 64 bytes the quote reports (what was asked, zero-padded).
    pub report_data: Bytes,
    /// The VM's hardware configuration (a JSON document of the VMM), when given.
    pub vm_config: Option<String>,
}

/// The wire form of [`GetQuoteResponse`].
#[derive(Debug, Deserialize)]
pub(crate) struct RawGetQuote {
    #[serde(default)]
    pub quote: Bytes,
    #[serde(default)]
    pub event_log: String,
    #[serde(default)]
    pub report_data: Bytes,
    #[serde(default)]
    pub vm_config: String,
}

/// v0 `Info`: what the VM and its app are (not attested: confirm it against a quote).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfoResponse {
    pub app_id: Bytes,
    pub instance_id: Bytes,
    pub app_cert: String,
    /// JSON text: registers, event log, app compose, ... ([`InfoResponse::tcb_info`]); empty when
    /// the app does not publish it.
    pub tcb_info: String,
    pub app_name: String,
    pub device_id: Bytes,
    pub mr_aggregated: Bytes,
    pub os_image_hash: Bytes,
    /// JSON text `{"name": ..., "id": ...}` ([`InfoResponse::key_provider`]).
    pub key_provider_info: String,
    pub compose_hash: Bytes,
    pub vm_config: String,
    pub cloud_vendor: String,
    pub cloud_product: String,
}

/// The `tcb_info` document of [`InfoResponse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TcbInfo {
    pub mrtd: Bytes,
    pub rtmr0: Bytes,
    pub rtmr1: Bytes,
    pub rtmr2: Bytes,
    pub rtmr3: Bytes,
    pub mr_aggregated: Bytes,
    pub os_image_hash: Bytes,
    pub compose_hash: Bytes,
    pub device_id: Bytes,
    /// The event log (a JSON array), as given.
    pub event_log: serde_json::Value,
    /// The app's `app-compose.json`, verbatim (its sha256 is the compose hash).
    pub app_compose: String,
}

/// The key provider a VM got its keys from (`kms`, `local-sgx`, `tpm`, `none`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyProviderInfo {
    pub name: String,
    pub id: String,
}

impl InfoResponse {
    /// The `tcb_info` document; `None` when the agent left it empty.
    pub fn tcb_info(&self) -> Result<Option<TcbInfo>, serde_json::Error> {
        if self.tcb_info.is_empty() { Ok(None) } else { serde_json::from_str(&self.tcb_info).map(Some) }
    }

    /// The key provider document; `None` when empty.
    pub fn key_provider(&self) -> Result<Option<KeyProviderInfo>, serde_json::Error> {
        if self.key_provider_info.is_empty() {
            Ok(None)
        } else {
            serde_json::from_str(&self.key_provider_info).map(Some)
        }
    }
}

/// v0 `GetKey`: a secp256k1 key derived from the app root key and a path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GetKeyResponse {
    /// The 32-byte private key.
    pub key: Bytes,
    /// `[app root key's signature over keccak256("{purpose}:{hex(compressed pubkey)}"), KMS
    /// root's signature over keccak256("dstack-kms-issued:" ‖ app_id ‖ app root pubkey)]`, each
    /// `r ‖ s ‖ v`.
    #[serde(default)]
    pub signature_chain: Vec<Bytes>,
}

/// The algorithm of a v1 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Secp256k1,
    Ed25519,
}

impl KeyAlgorithm {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::Secp256k1 => "secp256k1",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// v1 `GetKey`: a key derived from the app root key under `(domain, algorithm)`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GetKeyV1Response {
    /// The 32-byte private key (secp256k1 scalar or ed25519 seed).
    pub key: Bytes,
    /// SEC1 compressed (33 bytes) for secp256k1, raw (32 bytes) for ed25519.
    #[serde(default)]
    pub public_key: Bytes,
    /// `[app root key's signature over keccak256 of the v1 key claim, KMS root's signature over
    /// the app root public key]` (`docs/guest-api-v1.md` of dstack).
    #[serde(default)]
    pub signature_chain: Vec<Bytes>,
}

/// v1 `Attest`: dstack's versioned attestation over the caller's raw report_data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AttestResponse {
    /// The versioned attestation: MessagePack (`{version, platform: {kind, data: {quote,
    /// event_log}}, stack: {kind, data: {report_data, runtime_events, config}}}`), not decoded
    /// here.
    pub attestation: Bytes,
    /// Boot-time GPU evidence (only when asked for; never, here).
    #[serde(default)]
    pub boottime_gpu_evidence: Vec<GpuEvidenceBundle>,
}

/// One vendor's GPU evidence (v1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GpuEvidenceBundle {
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub evidence: Bytes,
}
