//! Why a call to the dstack guest agent gave no usable answer.

use std::{path::PathBuf, time::Duration};

use alloy_primitives::Bytes;
use thiserror::Error;

/// A failed guest-agent call. Nothing in it is attested: the agent's answers are checked by
/// verifying the quote they carry (`phat-attestation`), this only says why there is none.
#[derive(Debug, Error)]
pub enum DstackError {
    /// No guest agent listens at the socket: the socket file is absent, or nothing accepts on it.
    #[error("not inside a dstack VM: no guest agent at {}", socket.display())]
    NotInDstackVm {
        socket: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The socket is there but could not be connected to for another reason (permissions, ...).
    #[error("cannot connect to the dstack guest agent at {}: {source}", socket.display())]
    Connect {
        socket: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The whole call (connect, request, answer) took longer than the client's timeout.
    #[error("the dstack guest agent did not answer {path} within {timeout:?}")]
    Timeout { path: &'static str, timeout: Duration },
    /// The HTTP/1.1 exchange failed (the agent closed the connection, sent no HTTP, ...).
    #[error("HTTP exchange with the dstack guest agent for {path} failed: {source}")]
    Http {
        path: &'static str,
        #[source]
        source: hyper::Error,
    },
    /// The answer is larger than the client reads.
    #[error("the dstack guest agent's answer to {path} exceeds {limit} bytes")]
    TooLarge { path: &'static str, limit: usize },
    /// The agent answered with an error status; `body` is its `error` message (or the start of
    /// the body when it is not JSON).
    #[error("the dstack guest agent answered {path} with HTTP {status}: {body}")]
    Status { path: &'static str, status: u16, body: String },
    /// `/v1/...` is not mounted: a guest agent older than dstack 0.6.0, which has no v1 API.
    #[error("the dstack guest agent has no v1 API (dstack < 0.6.0): {path} not found")]
    NoV1Api { path: &'static str },
    /// The answer is not the JSON the method returns.
    #[error("the dstack guest agent's answer to {path} does not decode: {source}")]
    Decode {
        path: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The request is invalid before it is sent (a report_data over 64 bytes, ...).
    #[error("invalid request to {path}: {reason}")]
    InvalidRequest { path: &'static str, reason: &'static str },
    /// `GetQuote` returned no TDX quote: the VM is not an Intel TDX VM (dstack on AMD SEV-SNP or
    /// AWS Nitro answers with an attestation instead).
    #[error("the dstack guest agent returned no TDX quote (not an Intel TDX VM)")]
    NoTdxQuote,
    /// `GetQuote` answered for other report_data than asked.
    #[error("the dstack guest agent quoted report_data {got}, not the requested {expected}")]
    ReportDataMismatch { expected: Bytes, got: Bytes },
}
