//! Errors of the `phat-prover` command line: one line each, and a non-zero exit.

/// A refusal or failure of a CLI command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// Malformed JSON or hex in an input.
    #[error("{0}")]
    Input(String),
    /// The STF refused the block: nothing was signed.
    #[error("block refused, nothing signed: {0}")]
    Refused(#[from] phat_prover_core::StfError),
    /// The command line lacks what the command needs.
    #[error("{0}")]
    Usage(&'static str),
    /// A TEE-proof could not be made or read.
    #[error("signature: {0}")]
    Signature(#[from] phat_prover_core::signature::SignatureError),
    /// A proof did not verify.
    #[error("proof rejected: {0}")]
    Verify(String),
    /// A witness could not be built from the node.
    #[error("rpc: {0}")]
    Fetch(#[from] phat_witness::FetchError),
    /// A proof file's proof does not verify.
    #[error("proof rejected: {0}")]
    Rejected(phat_witness::FileError),
    /// A witness or proof file is unusable.
    #[error("{0}")]
    File(#[from] phat_witness::FileError),
    /// `witness-rpc` failed.
    #[error(transparent)]
    Service(#[from] phat_prover_service::ServiceError),
    #[error(transparent)]
    Serve(#[from] phat_witness::ServeError),
    /// anvil or the traffic generator failed.
    #[error(transparent)]
    Devkit(#[from] phat_devkit::DevkitError),
    /// Conformance tests failed.
    #[error("{0} conformance test(s) failed")]
    TestsFailed(usize),
}

impl CliError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Io { path: path.to_string(), source }
    }
}
