//! Why a request gets no signature, and the HTTP status that says so.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use phat_attestation::AttestError;
use thiserror::Error;

/// A refusal: the response carries this message and no signature.
#[derive(Debug, Error)]
pub enum QuorumError {
    /// The request is malformed (JSON, hex, sizes).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The quote, its collateral, its binding or the policy refused it.
    #[error(transparent)]
    Refused(#[from] AttestError),
    /// The L1 block of the binding is unknown, not canonical or too old.
    #[error("L1 block: {0}")]
    L1Block(String),
    /// The L1 node could not be asked.
    #[error("L1 node unavailable: {0}")]
    L1Unavailable(String),
    /// The PCCS could not supply the collateral.
    #[error("PCCS: {0}")]
    Pccs(String),
    /// Verification took longer than the configured limit.
    #[error("verification timed out")]
    Timeout,
    /// The service itself failed (signing, a crashed task).
    #[error("internal error: {0}")]
    Internal(String),
}

impl QuorumError {
    /// The HTTP status of this refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Refused(_) | Self::L1Block(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::L1Unavailable(_) | Self::Pccs(_) => StatusCode::BAD_GATEWAY,
            Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for QuorumError {
    fn into_response(self) -> Response {
        if matches!(self, Self::Internal(_) | Self::L1Unavailable(_) | Self::Pccs(_)) {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        (self.status(), Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}
