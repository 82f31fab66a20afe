//! `phat-quorum`: one operator's attestation quorum service, as it runs in production.
//!
//! It trusts Intel's SGX root CA only and judges quotes at this machine's clock: it has no flag,
//! in any build, for another root or another clock (tests and the devnet run the library
//! in-process for those). The signing key comes from a file (`--key-file`) or the environment
//! (`PHAT_QUORUM_KEY`), never from the command line, which other users can read (`ps`).

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::Address;
use clap::Parser;
use phat_attestation::{Policy, Verifier};
use phat_quorum::{
    Config, Quorum,
    service::{DEFAULT_MAX_IN_FLIGHT, DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SEC},
};

/// The environment variable that may hold the signing key.
const KEY_ENV: &str = "PHAT_QUORUM_KEY";
/// A key file larger than this is not a key file.
const MAX_KEY_FILE_BYTES: u64 = 1024;

#[derive(Parser)]
#[command(
    name = "phat-quorum",
    version,
    about = "Verify SGX quotes (Intel's root CA, this machine's clock) and sign attestations for QuorumAttestationVerifier",
    after_help = "The signing key (hex) comes from --key-file or from the environment variable PHAT_QUORUM_KEY, \
                  never from the command line."
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
    /// Longest verification (and L1 answer, and PCCS request), seconds.
    #[arg(long, default_value_t = 10)]
    verify_timeout_secs: u64,
    /// Verifications in flight at most; a request beyond gets 429 with Retry-After.
    #[arg(long, default_value_t = DEFAULT_MAX_IN_FLIGHT as u16, value_parser = clap::value_parser!(u16).range(1..))]
    max_in_flight: u16,
    /// POST /v1/attest requests a second, on average; beyond, 429 with Retry-After.
    #[arg(long, default_value_t = DEFAULT_RATE_PER_SEC, value_parser = clap::value_parser!(u32).range(1..))]
    rate_per_sec: u32,
    /// POST /v1/attest requests at once before --rate-per-sec applies.
    #[arg(long, default_value_t = DEFAULT_RATE_BURST, value_parser = clap::value_parser!(u32).range(1..))]
    rate_burst: u32,
    /// A file holding the operator's signing key, hex; it must not be accessible to other users
    /// (chmod 600). Without it, the key comes from the environment variable PHAT_QUORUM_KEY.
    #[arg(long)]
    key_file: Option<PathBuf>,
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

/// The signing key, from `--key-file` or `PHAT_QUORUM_KEY` (exactly one of them). No error
/// message quotes what was read.
fn signing_key(key_file: Option<&PathBuf>) -> Result<PrivateKeySigner, String> {
    let parse = |source: &str, text: &str| {
        text.trim()
            .parse::<PrivateKeySigner>()
            .map_err(|_| format!("{source}: not a secp256k1 private key (32 bytes, hex)"))
    };
    match (key_file, std::env::var_os(KEY_ENV)) {
        (Some(_), Some(_)) => Err(format!("the key is given twice, by --key-file and by {KEY_ENV}: give one")),
        (None, None) => Err(format!("no signing key: give --key-file PATH or set {KEY_ENV}")),
        (None, Some(value)) => parse(KEY_ENV, value.to_str().ok_or_else(|| format!("{KEY_ENV}: not UTF-8"))?),
        (Some(path), None) => {
            let name = format!("--key-file {}", path.display());
            let text = read_key_file(path).map_err(|e| format!("{name}: {e}"))?;
            parse(&name, &text)
        }
    }
}

/// Reads a key file that only its owner may access, and that is small.
fn read_key_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            return Err(format!("accessible to other users (mode {mode:03o}): chmod o-rwx it (600 is usual)"));
        }
    }
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(format!("{} bytes: not a key file", meta.len()));
    }
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES).read_to_string(&mut text).map_err(|e| e.to_string())?;
    Ok(text)
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let signer = signing_key(args.key_file.as_ref())?;
    let mut config = Config::new(args.chain_id, args.registry, args.adapter);
    if let Some(path) = &args.policy {
        config.policy = Policy::load(path)?;
    }
    config.l1_rpc = args.l1_rpc;
    config.pccs_url = args.pccs_url;
    config.max_body_bytes = args.max_body_bytes;
    config.verify_timeout = Duration::from_secs(args.verify_timeout_secs);
    config.max_in_flight = args.max_in_flight.into();
    config.rate_per_sec = args.rate_per_sec;
    config.rate_burst = args.rate_burst;
    // Intel's root and the system clock (`Config::new`'s): the only ones this binary has.
    let quorum = Arc::new(Quorum::new(config, Verifier::intel(), signer)?);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, signer = %quorum.signer(), "attestation quorum service listening");
    let limits = phat_process::http::Limits { max_body: quorum.config().max_body_bytes, ..Default::default() };
    phat_process::http::serve_until(listener, quorum.router(), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
