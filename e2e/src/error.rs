//! Why the devnet could not start or run.

#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    #[error("{0}")]
    Node(#[from] phat_devkit::DevkitError),
    #[error("deploy: {0}")]
    Deploy(String),
    #[error("L1: {0}")]
    L1(String),
    #[error("pink cluster: {0}")]
    Cluster(String),
    #[error("relayer: {0}")]
    Relayer(#[from] phat_relayer::RelayerError),
}
