//! `phat-devnet`: the main job. L1 and L2 on anvil, the L1 contracts, three registered provers
//! (`phat-prover` contracts in a local pink cluster with `phat-registry`, or development provers
//! without `--pink-cluster`), real L2 traffic, and the relayer settling every block through the
//! dual check, with the proof feed on HTTP. Ctrl-C stops everything.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use clap::Parser;
use phat_devkit::{DEV_KEY, Traffic};
use phat_e2e::{Devnet, DevnetError, cluster::ClusterFiles, devnet::Provers};
use tokio::sync::watch;

#[derive(Parser)]
#[command(version, about = "Local devnet of Phat SGX-Prover: L1 + L2, provers, relayer, proof feed")]
struct Args {
    /// The provers (1-of-N): a number N (Phat contracts with --pink-cluster, else development
    /// provers), or `tdx` / `tdx:N` for N prover services behind mock dstack guest agents
    /// issuing TDX quotes (default N = 3)
    #[arg(long, default_value = "3", value_parser = parse_provers)]
    provers: ProversArg,
    /// L2 blocks to produce, then stop (0: until Ctrl-C)
    #[arg(long, default_value_t = 0)]
    blocks: u64,
    /// Time between L2 transactions
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Where the proof feed listens
    #[arg(long, default_value = "127.0.0.1:8600")]
    feed: SocketAddr,
    /// The `phat-cluster` binary: the provers are `phat-prover` contracts in a local pink cluster
    /// (with `phat-registry`). Without it: development provers in this process.
    #[arg(long, requires = "bundles")]
    pink_cluster: Option<PathBuf>,
    /// The folder with `phat_prover.wasm` and `phat_registry.wasm` (`make contracts`).
    #[arg(long)]
    bundles: Option<PathBuf>,
    /// L1 block time in seconds (0: a block per transaction, anvil's automining)
    #[arg(long, default_value_t = 0)]
    l1_block_time: u64,
    /// Most blocks the relayer settles with one batch TEE-proof (1: a proof per block)
    #[arg(long, default_value_t = 1)]
    batch_blocks: u64,
    /// The L2: `ethereum` (anvil, Prague; settled through the dual check) or `optimism` (anvil in
    /// OP mode, proven with the OP STF; output roots proposed to an OpOutputOracle on L1)
    #[arg(long, value_enum, default_value_t = L2Kind::Ethereum)]
    l2: L2Kind,
}

/// `--l2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum L2Kind {
    Ethereum,
    Optimism,
}

/// `--provers`: how many, and whether they are TDX prover services.
#[derive(Debug, Clone, Copy)]
struct ProversArg {
    count: usize,
    tdx: bool,
}

fn parse_provers(text: &str) -> Result<ProversArg, String> {
    let (tdx, count) = match text.strip_prefix("tdx") {
        Some("") => (true, "3"),
        Some(rest) => (true, rest.strip_prefix(':').ok_or("expected N, tdx or tdx:N")?),
        None => (false, text),
    };
    let count = count.parse::<usize>().map_err(|e| format!("{count}: {e}"))?;
    if count == 0 {
        return Err("at least one prover".into());
    }
    Ok(ProversArg { count, tdx })
}

#[tokio::main]
async fn main() -> ExitCode {
    phat_process::init_tracing("warn");
    phat_process::exit_code(run(Args::parse()).await)
}

/// `--l2 optimism`: the OP devnet ([`phat_e2e::op`]), its relayer proposing output roots after each
/// L2 block, `--batch-blocks` blocks per proof at most.
async fn run_optimism(repo: &std::path::Path, n: usize, args: &Args) -> Result<(), DevnetError> {
    use phat_e2e::op::{OP_L2_CHAIN_ID, OpDevnet};
    println!("starting: L1 (anvil), L1 contracts from deploy/l1.toml, {n} provers, an OP L2 (anvil --optimism) …");
    let mut op = OpDevnet::start(repo, n).await?;
    println!("L1  {} (chain 31337)   OP L2  {} (chain {OP_L2_CHAIN_ID}, Isthmus)", op.devnet.l1.url, op.l2.url);
    println!(
        "    TeeVerifier {}  OpOutputOracle {} (rollup config {})",
        op.devnet.addresses.tee,
        op.oracle,
        op.chain.hash()
    );
    println!("STAND-INS, not the real thing:");
    println!(
        "  - provers: the OP STF in this process with development keys, registered through the quorum (test PKI quotes)"
    );
    println!(
        "  - the L2 derives nothing from L1: the devnet builds its blocks as a sequencer would (L1-attributes deposit"
    );
    println!("    naming the L1 head, user deposits, transactions); its chain config carries the named relaxation");
    println!(
        "    phatDevnetAnvilOp (anvil's EIP-1559 parameters and deposit-receipt nonce), so L1 accepts these proofs"
    );
    println!("    only under that config's hash");
    let relayer = op.relayer(op.provers()?, args.batch_blocks.max(1)).await?;
    println!("{:>6} {:>14} {:>9} {:>66}", "block", "prover", "prove ms", "output root");
    let (mut made, mut times) = (0u64, Vec::new());
    let mut ticker = tokio::time::interval(Duration::from_millis(args.interval_ms));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = ticker.tick() => {
                op.block().await?;
                made += 1;
                let t = std::time::Instant::now();
                if let Some(p) = relayer.step().await? {
                    let ms = t.elapsed().as_millis() as u64;
                    times.push(ms);
                    println!("{:>6} {:>14} {:>9} {:>66}", p.block, p.prover, ms, p.output_root.to_string());
                }
                if args.blocks > 0 && made >= args.blocks {
                    break;
                }
            }
        }
    }
    times.sort_unstable();
    if !times.is_empty() {
        println!(
            "{} proposals: prove + propose p50 {} ms, p95 {} ms",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(args: Args) -> Result<(), DevnetError> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let n = args.provers.count;
    if args.l2 == L2Kind::Optimism {
        if args.provers.tdx || args.pink_cluster.is_some() {
            return Err(DevnetError::L1(
                "--l2 optimism runs development provers only (no tdx, no pink cluster)".into(),
            ));
        }
        return run_optimism(&repo, n, &args).await;
    }
    let provers = match (&args.pink_cluster, &args.bundles) {
        _ if args.provers.tdx => Provers::Tdx(n),
        (Some(bin), Some(bundles)) => Provers::Cluster(n, ClusterFiles { bin: bin.clone(), bundles: bundles.clone() }),
        _ => Provers::Local(n),
    };
    println!("starting: L1 and L2 (anvil), L1 contracts from deploy/l1.toml, {n} provers …");
    let devnet = Devnet::start_with(&repo, provers, (args.l1_block_time > 0).then_some(args.l1_block_time)).await?;
    let a = &devnet.addresses;
    println!("L1  {} (chain 31337)   L2  {} (chain 167001, Prague)", devnet.l1.url, devnet.l2.url);
    println!("    TeeVerifier {}  MultiProofVerifier {}  RollupSettlement {}", a.tee, a.multi_proof, a.settlement);
    match &devnet.cluster {
        Some(c) => {
            println!(
                "provers: phat-prover contracts (release wasm) in a local pink cluster {}, keys derived in the runtime;",
                c.url
            );
            if let Some(w) = &devnet.witness_rpc {
                println!(
                    "         each contract fetches its block's witness itself over pink HTTP from {} (witness-rpc)",
                    w.url
                );
            }
            println!("         phat-registry credits each settled proof to the prover's pool (rollup {})", c.rollup);
            println!("STAND-INS, not the real thing:");
            println!(
                "  - the pink cluster is pink-drink in one process (the Phala parachain was sunset on 2025-11-20)"
            );
        }
        None if !devnet.tdx.is_empty() => {
            println!(
                "provers: {n} prover services (phat-prover serve), each key made in memory at start, registered with TDX quotes"
            );
            println!("         (event log replayed by the quorum; L1 trusts the app's TDX measurement)");
            println!("STAND-INS, not the real thing:");
            println!(
                "  - TDX: no TDX hardware here; each service's dstack guest agent is a MOCK on a unix socket quoting with a TEST PKI"
            );
        }
        None => {
            println!("STAND-INS, not the real thing:");
            println!(
                "  - provers: the stateless STF in this process with development keys (run with --pink-cluster for the contracts)"
            );
        }
    }
    println!(
        "  - {} quotes: issued by a TEST PKI (no {} hardware here); the 3 quorum services {} verify",
        if devnet.tdx.is_empty() { "SGX" } else { "TDX" },
        if devnet.tdx.is_empty() { "SGX" } else { "TDX" },
        devnet.quorum.urls.join(" ")
    );
    println!("    them with dcap-qvl under that test root (production trusts Intel's root only), 2 of 3 sign");
    println!("  - the rollup's zk verifier {} and PHA {} are stand-in contracts", a.zk_stand_in, a.token);
    let provers = devnet.provers()?;
    for (p, beneficiary) in provers.iter().zip(&devnet.beneficiaries) {
        println!("  {} {} → L1 rewards to {beneficiary}", p.name(), p.address());
    }
    let data = std::env::temp_dir().join(format!("phat-devnet-{}", std::process::id()));
    std::fs::create_dir_all(&data).map_err(|e| DevnetError::L1(e.to_string()))?;
    let mut config = devnet.relayer_config(&data.join("relayer.redb"), args.feed)?;
    config.relayer.batch_blocks = args.batch_blocks;
    let relayer = Arc::new(phat_relayer::Relayer::with_key(&config, phat_e2e::l1::keys::PROPOSER, provers).await?);
    let feed = relayer.feed();
    let listener = tokio::net::TcpListener::bind(args.feed).await.map_err(|e| DevnetError::L1(e.to_string()))?;
    println!("proof feed: http://{0}/status  /proofs/{{block}}  /events  /metrics", args.feed);
    let (stop, stopped) = watch::channel(false);
    let server = {
        let (feed, mut s) = (feed.clone(), stopped.clone());
        tokio::spawn(async move {
            feed.serve(listener, async move {
                let _ = s.changed().await;
            })
            .await
        })
    };
    let relaying = {
        let (relayer, s) = (relayer.clone(), stopped.clone());
        tokio::spawn(async move { relayer.run(s).await })
    };
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop.send(true);
        });
    }
    let mut events = feed.subscribe();
    println!(
        "{:>6} {:>10} {:>9} {:>11} {:>10} {:>8}  finalized",
        "block", "prover", "prove ms", "latency ms", "L1 blocks", "L1 gas"
    );
    let mut traffic = Traffic::new(&devnet.l2.url, DEV_KEY)?;
    let mut ticker = tokio::time::interval(Duration::from_millis(args.interval_ms));
    let (mut sent, mut latencies, mut l1_blocks, mut gas) = (0u64, Vec::new(), Vec::new(), 0u64);
    let (mut first, mut last) = (None, std::time::Instant::now());
    let mut stopped_rx = stopped.clone();
    loop {
        tokio::select! {
            _ = stopped_rx.changed() => break,
            _ = ticker.tick(), if args.blocks == 0 || sent < args.blocks => {
                traffic.step().await?;
                sent += 1;
            }
            Ok(r) = events.recv() => {
                let blocks = r.latency_l1_blocks.map(|b| b.to_string()).unwrap_or_else(|| "-".into());
                println!(
                    "{:>6} {:>10} {:>9} {:>11} {:>10} {:>8}  {}",
                    r.block, r.prover, r.prove_ms, r.latency_ms, blocks, r.l1.gas, r.l1.finalized
                );
                latencies.push(r.latency_ms);
                l1_blocks.extend(r.latency_l1_blocks);
                first.get_or_insert_with(std::time::Instant::now);
                last = std::time::Instant::now();
                gas += r.l1.gas;
                // Block 1 is the genesis; the traffic makes blocks 2..=blocks+1.
                if args.blocks > 0 && r.block > args.blocks {
                    let _ = stop.send(true);
                }
            }
        }
    }
    let _ = stop.send(true);
    relaying.await.map_err(|e| DevnetError::L1(e.to_string()))??;
    let _ = server.await;
    latencies.sort_unstable();
    l1_blocks.sort_unstable();
    if !latencies.is_empty() {
        println!(
            "{} blocks relayed: latency p50 {} ms, p95 {} ms; in L1 blocks p50 {}, p95 {}{}; L1 gas per block {}",
            latencies.len(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&l1_blocks, 0.5),
            percentile(&l1_blocks, 0.95),
            if args.l1_block_time > 0 { format!(" ({} s blocks)", args.l1_block_time) } else { " (automining)".into() },
            gas / latencies.len() as u64
        );
        if let Some(first) = first.filter(|_| latencies.len() > 1) {
            let secs = last.duration_since(first).as_secs_f64();
            println!(
                "throughput: {:.1} blocks/s ({} blocks in {secs:.2} s)",
                (latencies.len() - 1) as f64 / secs,
                latencies.len() - 1
            );
        }
    }
    if devnet.cluster.is_some() {
        let status = feed.status.read().await;
        println!(
            "phat-registry credited {} blocks to the provers' pools{}",
            status.registry_credited,
            status.registry_error.as_ref().map(|e| format!(" (last error: {e})")).unwrap_or_default()
        );
    }
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
