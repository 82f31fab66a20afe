//! `phat-relayer --config relayer.toml`: relays every new L2 block's TEE-proof to L1 and serves
//! the proof feed until Ctrl-C.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;
use phat_relayer::{Config, Relayer, RelayerError};
use tokio::sync::watch;

#[derive(Parser)]
#[command(version, about = "Relayer and proof feed of Phat SGX-Prover")]
struct Args {
    /// Config file (see relayer.example.toml)
    #[arg(long, env = "PHAT_RELAYER_CONFIG")]
    config: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    phat_process::init_tracing("phat_relayer=info");
    phat_process::exit_code(run(Args::parse()).await)
}

async fn run(args: Args) -> Result<(), RelayerError> {
    let config = Config::read(&args.config)?;
    let relayer = Relayer::new(&config, Vec::new()).await?;
    let listener = tokio::net::TcpListener::bind(config.relayer.feed)
        .await
        .map_err(|e| RelayerError::Feed(format!("{}: {e}", config.relayer.feed)))?;
    tracing::info!("proof feed on http://{}", config.relayer.feed);
    let (stop, stopped) = watch::channel(false);
    let mut feed_stopped = stopped.clone();
    let feed = relayer.feed();
    let server = tokio::spawn(async move {
        feed.serve(listener, async move {
            let _ = feed_stopped.changed().await;
        })
        .await
    });
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("Ctrl-C: stopping");
        let _ = stop.send(true);
    });
    let result = relayer.run(stopped).await;
    // The loop ended (Ctrl-C or error): stop the feed too.
    server.abort();
    result
}
