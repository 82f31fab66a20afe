//! `phat-quorum`: one operator's attestation quorum service.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::Address;
use clap::Parser;
use phat_attestation::{Policy, Verifier};
use phat_quorum::{Clock, Config, Quorum};

#[derive(Parser)]
#[command(
    name = "phat-quorum",
    version,
    about = "Verify SGX quotes and sign attestations for QuorumAttestationVerifier"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// L1 chain id.
    #[arg(long)]
    chain_id: u64,
    /// The ProverRegistry (TeeVerifier) address.
    #[arg(long)]
    registry: Address,
    /// The QuorumAttestationVerifier address (EIP-712 domain).
    #[arg(long)]
    adapter: Address,
    /// Admission policy (TOML); default: the registry's defaults.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// PCCS (API v4) to fetch collateral from when a request brings none.
    #[arg(long)]
    pccs_url: Option<String>,
    /// L1 JSON-RPC endpoint: checks that a binding's block is canonical and recent.
    #[arg(long)]
    l1_rpc: Option<String>,
    /// Largest request body, bytes.
    #[arg(long, default_value_t = 256 * 1024)]
    max_body_bytes: usize,
    /// Longest verification, seconds.
    #[arg(long, default_value_t = 10)]
    verify_timeout_secs: u64,
    /// Take "now" from the L1 head's timestamp instead of this machine's clock (devnets that move
    /// L1 time; needs --l1-rpc).
    #[arg(long, requires = "l1_rpc")]
    l1_clock: bool,
    /// Trust this root CA (DER) instead of Intel's. Test PKIs only: never in production.
    #[arg(long)]
    test_root_ca: Option<PathBuf>,
    /// The operator's signing key, hex (or env PHAT_QUORUM_KEY).
    #[arg(long, env = "PHAT_QUORUM_KEY", hide_env_values = true)]
    key: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let signer: PrivateKeySigner = args.key.trim().parse().map_err(|e| format!("--key: {e}"))?;
    let mut config = Config::new(args.chain_id, args.registry, args.adapter);
    if let Some(path) = &args.policy {
        config.policy = Policy::load(path)?;
    }
    config.l1_rpc = args.l1_rpc;
    config.pccs_url = args.pccs_url;
    config.max_body_bytes = args.max_body_bytes;
    config.verify_timeout = Duration::from_secs(args.verify_timeout_secs);
    if args.l1_clock {
        config.clock = Clock::L1Head;
    }
    let verifier = match &args.test_root_ca {
        Some(path) => {
            tracing::warn!(root = %path.display(), "trusting a TEST root CA instead of Intel's: not for production");
            Verifier::with_root_ca(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => Verifier::intel(),
    };
    let quorum = Arc::new(Quorum::new(config, verifier, signer)?);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, signer = %quorum.signer(), "attestation quorum service listening");
    let limits = phat_process::http::Limits { max_body: quorum.config().max_body_bytes, ..Default::default() };
    phat_process::http::serve_until(listener, quorum.router(), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
