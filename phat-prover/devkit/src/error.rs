//! Why a devnet tool failed.

/// anvil could not be started, or the traffic generator's node refused a call.
#[derive(Debug, thiserror::Error)]
pub enum DevkitError {
    /// The anvil binary could not be started.
    #[error("starting {binary}: {source}")]
    Spawn {
        /// The binary.
        binary: String,
        /// What failed.
        source: std::io::Error,
    },
    /// anvil did not accept connections in time (or exited).
    #[error("anvil did not start listening on {0}")]
    NotListening(String),
    /// The key is not a secp256k1 secret key.
    #[error("the traffic key is not a private key")]
    Key,
    /// The node URL does not parse.
    #[error("node URL {0}: not a URL")]
    Url(String),
    /// The node refused or failed a call.
    #[error("{call}: {message}")]
    Node {
        /// What was being done.
        call: &'static str,
        /// What the node or the transport said.
        message: String,
    },
}
