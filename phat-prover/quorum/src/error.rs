//! Why a request gets no signature, and the HTTP status that says so.

use axum::{
    Json,
    http::{StatusCode, header::RETRY_AFTER},
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
    /// As many verifications as the service runs at once are in flight: try again shortly.
    #[error("busy: {0} verifications in flight, the most this service runs at once; retry later")]
    Busy(usize),
    /// Over the service's request rate.
    #[error("rate limit exceeded; retry after {retry_after} s")]
    RateLimited { retry_after: u64 },
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
            Self::Busy(_) | Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// When to ask again (`Retry-After`, seconds), for a refusal that says so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Busy(_) => Some(1),
            Self::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

impl IntoResponse for QuorumError {
    fn into_response(self) -> Response {
        match self {
            Self::Internal(_) | Self::L1Unavailable(_) | Self::Pccs(_) => {
                tracing::error!(error = %self, "request failed")
            }
            // A flood of these must not become a flood of log lines.
            Self::Busy(_) | Self::RateLimited { .. } => tracing::debug!(error = %self, "request refused"),
            _ => tracing::info!(error = %self, "request refused"),
        }
        let retry_after = self.retry_after();
        let mut response = (self.status(), Json(serde_json::json!({ "error": self.to_string() }))).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, seconds.into());
        }
        response
    }
}
