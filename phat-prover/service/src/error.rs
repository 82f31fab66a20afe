//! Why the prover service did not start, or did not answer a request with a signature.

use std::path::PathBuf;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// What failed. Each refusal of a request signs nothing.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The config file cannot be read.
    #[error("config {path}: {source}")]
    ConfigRead { path: PathBuf, source: std::io::Error },
    /// The config file is not the service's TOML.
    #[error("config: {0}")]
    ConfigParse(#[from] toml::de::Error),
    /// The chain config file is not usable.
    #[error("chain config: {0}")]
    ChainConfig(phat_witness::FileError),
    /// No key could be made (the system's randomness failed).
    #[error("no signing key: {0}")]
    Key(&'static str),
    /// The TEE would not quote (no guest agent, a refusal, a timeout).
    #[error("TEE quote: {0}")]
    Quote(#[from] phat_dstack::DstackError),
    /// The block or its witness could not be fetched from the L2 node.
    #[error("fetching block {block}: {source}")]
    Fetch { block: u64, source: phat_witness::FetchError },
    /// The STF refused, or nothing was signed ([`phat_witness::ProveError`]).
    #[error(transparent)]
    Prove(#[from] phat_witness::ProveError),
    /// A batch of more blocks than the service proves at once, or of none.
    #[error("a batch of {count} blocks: 1 to {max} only")]
    BatchSize { count: u64, max: u64 },
    /// The request is for the other kind of chain (an Ethereum-rules route on an OP prover, or
    /// the reverse).
    #[error("this service proves {serves} blocks")]
    WrongChainKind { serves: &'static str },
    /// Every STF slot is busy.
    #[error("busy: {0} blocks being proven, try again")]
    Busy(usize),
    /// A request body that does not parse.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The STF's worker thread failed.
    #[error("internal: {0}")]
    Internal(String),
    /// Listening or serving failed.
    #[error("serving on {addr}: {source}")]
    Serve { addr: String, source: std::io::Error },
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Prove(_) | Self::BatchSize { .. } | Self::WrongChainKind { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Fetch { .. } | Self::Quote(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}
