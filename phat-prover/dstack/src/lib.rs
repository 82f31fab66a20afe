//! A client of the dstack guest agent: the guest API a dstack (Phala Cloud) confidential VM serves
//! its app on the unix socket `/var/run/dstack.sock`, HTTP/1.1 with JSON bodies.
//!
//! What the prover needs from it is a TDX quote binding *its* report_data, with the event log that
//! names the app; [`DstackClient::get_quote`] asks the v0 `GetQuote`, which puts the caller's
//! report_data in the quote as given (zero-padded to 64 bytes) — never the legacy
//! `Tappd.TdxQuote`, which hashes a prefix and the data into it. The quote is then verified
//! (`phat-attestation`: `Verifier::verify_any`, `eventlog::check`); nothing the agent says is
//! trusted without it.
//!
//! # Paths and JSON
//! As the real agent serves them (Dstack-TEE/dstack; v0 read at `312dc605`, v1 in the 0.6.0
//! sources): the v0 surface, frozen at dstack 0.5.11 and served unversioned (`/GetQuote`, `/Info`,
//! `/GetKey`; `dstack/guest-agent/rpc/proto/agent_rpc.proto`, service `DstackGuest`, mounted at `/`
//! by `dstack/guest-agent/src/server.rs`; `sdk/curl/api.md`), and the v1 surface of dstack 0.6.0
//! at `/v1` (`/v1/Attest`, `/v1/GetKey`; `dstack/guest-agent/rpc/proto/agent_rpc_v1.proto`,
//! `docs/guest-api-v1.md`). Every call is a `POST` with `Content-Type: application/json`; byte
//! fields are hex strings; a failed call answers 400 `{"error": ...}`; an agent without v1 answers
//! `/v1/...` with a plain 404. v1 has no `GetQuote` (its `Attest` returns a MessagePack
//! attestation whose event log omits the boot events), so the quote path stays on v0, which a 0.6
//! agent keeps serving unchanged.
//!
//! # Why a client of its own
//! `dstack-sdk` 0.1.3 (crates.io) speaks the same v0 API, but pulls in alloy 1 and reqwest 0.12
//! beside this workspace's alloy 2 and reqwest 0.13, returns `anyhow` errors, and sets neither a
//! timeout nor a bound on the answer; a prover must not hang on, or buffer without limit, a local
//! socket. This one is a few hundred lines on hyper 1 (already in the workspace): one connection per
//! call over `tokio::net::UnixStream`, a timeout over the whole call ([`DEFAULT_TIMEOUT`]), answers
//! capped at [`MAX_ANSWER_BYTES`], typed errors ([`DstackError`]).

mod error;
mod types;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy_primitives::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::{
    Request, StatusCode,
    header::{CONTENT_LENGTH, CONTENT_TYPE, HOST},
};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use error::DstackError;
pub use types::{
    AttestResponse, GetKeyResponse, GetKeyV1Response, GetQuoteResponse, GpuEvidenceBundle, InfoResponse, KeyAlgorithm,
    KeyProviderInfo, TcbInfo,
};

/// Where dstack's guest agent listens inside a CVM.
pub const DEFAULT_SOCKET: &str = "/var/run/dstack.sock";
/// The longest a call may take, connect to last byte, unless [`DstackClient::with_timeout`] says
/// otherwise (a quote takes the TDX quoting service well under a second).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read (a quote with its event log is tens of kilobytes).
pub const MAX_ANSWER_BYTES: usize = 4 << 20;
/// How much of an error answer's body an error message keeps.
const MAX_ERROR_TEXT: usize = 512;

/// A client of the guest agent at one socket.
#[derive(Debug, Clone)]
pub struct DstackClient {
    socket: PathBuf,
    timeout: Duration,
}

impl Default for DstackClient {
    /// The agent at [`DEFAULT_SOCKET`].
    fn default() -> Self {
        Self::new(DEFAULT_SOCKET)
    }
}

impl DstackClient {
    /// The agent listening on the unix socket `socket`; nothing is connected until a call.
    pub fn new(socket: impl Into<PathBuf>) -> Self {
        Self { socket: socket.into(), timeout: DEFAULT_TIMEOUT }
    }

    /// The same client with `timeout` for every call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// v0 `GetQuote`: a TDX quote whose report_data is `report_data`, as given, with the VM's
    /// event log. Refuses an answer without a quote or for other report_data.
    pub async fn get_quote(&self, report_data: [u8; 64]) -> Result<GetQuoteResponse, DstackError> {
        const PATH: &str = "/GetQuote";
        let raw: types::RawGetQuote = self.call(PATH, json!({ "report_data": hex::encode(report_data) })).await?;
        if raw.quote.is_empty() {
            return Err(DstackError::NoTdxQuote);
        }
        if raw.report_data.as_ref() != report_data.as_slice() {
            return Err(DstackError::ReportDataMismatch {
                expected: Bytes::copy_from_slice(&report_data),
                got: raw.report_data,
            });
        }
        Ok(GetQuoteResponse {
            quote: raw.quote,
            event_log: raw.event_log,
            report_data: raw.report_data,
            vm_config: Some(raw.vm_config).filter(|c| !c.is_empty()),
        })
    }

    /// v0 `Info`: the app's and the VM's identity and configuration (unattested).
    pub async fn info(&self) -> Result<InfoResponse, DstackError> {
        self.call("/Info", json!({})).await
    }

    /// v0 `GetKey`: the secp256k1 key derived from the app root key at `path`, with its signature
    /// chain naming `purpose` (which does not change the key).
    pub async fn get_key(&self, path: &str, purpose: &str) -> Result<GetKeyResponse, DstackError> {
        self.call("/GetKey", json!({ "path": path, "purpose": purpose, "algorithm": "secp256k1" })).await
    }

    /// v1 `Attest` (dstack 0.6.0 on): dstack's versioned attestation over `report_data`.
    pub async fn attest(&self, report_data: [u8; 64]) -> Result<AttestResponse, DstackError> {
        self.call("/v1/Attest", json!({ "report_data": hex::encode(report_data) })).await
    }

    /// v1 `GetKey` (dstack 0.6.0 on): the key derived under `(domain, algorithm)` (not the v0 key
    /// of the same name), with its public key and signature chain.
    pub async fn get_key_v1(&self, domain: &str, algorithm: KeyAlgorithm) -> Result<GetKeyV1Response, DstackError> {
        self.call("/v1/GetKey", json!({ "domain": domain, "algorithm": algorithm.name() })).await
    }

    /// POSTs `request` to `path` and decodes the answer, within the timeout.
    async fn call<T: DeserializeOwned>(&self, path: &'static str, request: Value) -> Result<T, DstackError> {
        let body = request.to_string().into_bytes();
        let answer = match tokio::time::timeout(self.timeout, self.exchange(path, body)).await {
            Ok(answer) => answer?,
            Err(_) => return Err(DstackError::Timeout { path, timeout: self.timeout }),
        };
        serde_json::from_slice(&answer).map_err(|source| DstackError::Decode { path, source })
    }

    /// One request on a fresh connection: the answer's body when its status is a success.
    async fn exchange(&self, path: &'static str, body: Vec<u8>) -> Result<Vec<u8>, DstackError> {
        let stream = tokio::net::UnixStream::connect(&self.socket).await.map_err(|source| {
            let socket = self.socket.clone();
            match source.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
                    DstackError::NotInDstackVm { socket, source }
                }
                _ => DstackError::Connect { socket, source },
            }
        })?;
        let http = |source| DstackError::Http { path, source };
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(http)?;
        let request = Request::post(path)
            .header(HOST, "dstack")
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(hyper::body::Bytes::from(body)))
            .expect("a static path and headers make a valid request");
        let exchange = async {
            let response = sender.send_request(request).await.map_err(http)?;
            let status = response.status();
            let declared = response.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|len| len > MAX_ANSWER_BYTES as u64) {
                return Err(DstackError::TooLarge { path, limit: MAX_ANSWER_BYTES });
            }
            let collected = Limited::new(response.into_body(), MAX_ANSWER_BYTES).collect().await.map_err(|e| {
                if e.is::<LengthLimitError>() {
                    return DstackError::TooLarge { path, limit: MAX_ANSWER_BYTES };
                }
                match e.downcast::<hyper::Error>() {
                    Ok(source) => DstackError::Http { path, source: *source },
                    // `Limited` over a hyper body fails with one of the two
                    Err(_) => DstackError::TooLarge { path, limit: MAX_ANSWER_BYTES },
                }
            })?;
            Ok((status, collected.to_bytes()))
        };
        // The connection is driven in this task, beside the exchange: dropping the call (its
        // timeout) drops the connection with it.
        let mut exchange = std::pin::pin!(exchange);
        let mut connection = std::pin::pin!(connection);
        let mut driving = true;
        let (status, answer) = loop {
            tokio::select! {
                done = &mut exchange => break done?,
                closed = &mut connection, if driving => {
                    driving = false;
                    closed.map_err(http)?;
                }
            }
        };
        if status.is_success() {
            return Ok(answer.to_vec());
        }
        Err(refusal(path, status, &answer))
    }
}

/// The error an unsuccessful answer means.
fn refusal(path: &'static str, status: StatusCode, answer: &[u8]) -> DstackError {
    let message = serde_json::from_slice::<Value>(answer).ok().and_then(|v| v["error"].as_str().map(String::from));
    if status == StatusCode::NOT_FOUND && path.starts_with("/v1/") && message.is_none() {
        return DstackError::NoV1Api { path };
    }
    let mut body = message.unwrap_or_else(|| String::from_utf8_lossy(answer).into_owned());
    if body.len() > MAX_ERROR_TEXT {
        let cut = (0..=MAX_ERROR_TEXT).rev().find(|i| body.is_char_boundary(*i)).unwrap_or(0);
        body.truncate(cut);
        body.push('…');
    }
    DstackError::Status { path, status: status.as_u16(), body }
}
