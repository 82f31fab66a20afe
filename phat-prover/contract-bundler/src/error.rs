//! Why a bundle could not be made.

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("malformed wasm: {0}")]
    Wasm(#[from] wasmparser::BinaryReaderError),
    /// The module does not fit what the pink runtime loads.
    #[error("the runtime would refuse this module: {0}")]
    Runtime(String),
    #[error("metadata: {0}")]
    Metadata(String),
    #[error("wasm-opt: {0}")]
    WasmOpt(String),
}

impl BundleError {
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Io { path: path.to_string(), source }
    }
}
