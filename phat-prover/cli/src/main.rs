//! `phat-prover`: prove L2 blocks statelessly and check TEE-proofs, from the command line.

use std::{path::PathBuf, process::ExitCode};

use alloy_primitives::{Address, B256};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use phat_process as process;
use phat_prover_cli::{attest, bench, bundle, devnet, error::CliError, ethtest, vectors};
use phat_prover_core::{LocalSigner, ProofDomain, Signer, TeeProof, public_input::BlockPublicInput};
use phat_witness::{ProofFile, WitnessFile, fetch};

#[derive(Parser)]
#[command(name = "phat-prover", version, about = "Stateless STF and TEE-proofs of Phat SGX-Prover")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// SGX attestation: verify a DCAP quote, or compute the report_data a prover must embed.
    #[command(subcommand)]
    Attest(AttestCommand),
    /// Write witness bundles (the Phat contract's `prove` input): from a witness file, or for every
    /// accepted block of a BlockchainTests file (into a folder, with index.json).
    Bundle {
        /// A witness file from `phat-prover witness`.
        #[arg(long, conflicts_with_all = ["ethtest", "heavy"], required_unless_present_any = ["ethtest", "heavy"])]
        witness: Option<PathBuf>,
        /// A BlockchainTests JSON file.
        #[arg(long, conflicts_with = "heavy")]
        ethtest: Option<PathBuf>,
        /// Make heavy blocks on a fresh anvil (keccak loops of 5–30 M gas, storage writes of 10
        /// and 30 M gas) and write their bundles into the --out folder.
        #[arg(long)]
        heavy: bool,
        /// Output: a file (--witness) or a folder (--ethtest).
        #[arg(long)]
        out: PathBuf,
    },
    /// A chain config file (a geth genesis `config` object, or a genesis holding one): prints its
    /// chain id, its hash (what L1's MultiProofVerifier expects per rollup) and its canonical
    /// encoding (what the Phat contract's configuration takes), as JSON.
    ChainConfig {
        /// The file.
        path: PathBuf,
    },
    /// Run Ethereum BlockchainTests (files or folders) through the stateless executor.
    Ethtest {
        /// JSON files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Re-execute OP Stack blocks (files or folders in the format of `fixtures/op`) through the OP
    /// STF from their witness alone; each must reproduce its block hash.
    Optest {
        /// JSON files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run stateless inputs (block, ExecutionWitness, chain config: the zkEVM guests' input; files
    /// or folders) through the STF, each under its own chain config.
    Stateless {
        /// JSON files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Build the witness of an L2 block from its node (JSON to stdout or --out).
    Witness {
        #[command(flatten)]
        source: RpcBlock,
        #[command(flatten)]
        chain: ChainArgs,
        /// Write the witness here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Serve the witness calls a Phat prover contract's `prove_block` makes (debug_executionWitness,
    /// debug_getRawBlock, debug_getRawHeader, eth_chainId) for a node that lacks them (anvil).
    WitnessRpc {
        /// The L2 node's JSON-RPC endpoint.
        #[arg(long, env = "PHAT_L2_RPC", default_value = "http://127.0.0.1:8545")]
        rpc: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8547")]
        listen: std::net::SocketAddr,
        #[command(flatten)]
        chain: ChainArgs,
    },
    /// Execute a block statelessly and sign a TEE-proof (JSON to stdout or --out).
    Prove {
        /// Witness file from `phat-prover witness`.
        #[arg(long, conflicts_with = "rpc")]
        witness: Option<PathBuf>,
        #[command(flatten)]
        source: OptionalRpcBlock,
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        domain: DomainArgs,
        /// Hex secp256k1 secret of the prover (or env PHAT_PROVER_KEY).
        #[arg(long, env = "PHAT_PROVER_KEY", hide_env_values = true)]
        key: String,
        /// Write the proof here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The prover as a service in an Intel TDX confidential VM (dstack): its key made in memory at
    /// start, TDX quotes from the dstack guest agent, the relayer's prover API over HTTP.
    Serve {
        /// The service's config file (TOML: listen, l2_rpc, chain_config or rollup_config, dstack_socket, [l1]).
        #[arg(long)]
        config: PathBuf,
    },
    /// The main job: a local L2 (anvil) with real traffic, every block proven and verified.
    Devnet {
        /// L2 blocks to produce (0 = until Ctrl-C).
        #[arg(long, default_value_t = 20)]
        blocks: u64,
        /// Chain id of L1 the proofs are bound to.
        #[arg(long, default_value_t = 31337)]
        l1_chain_id: u64,
        /// L1 TeeVerifier address the proofs are bound to.
        #[arg(long, default_value_t = Address::ZERO)]
        verifier: Address,
    },
    /// Benchmark: the same blocks executed plainly (in-memory state) and statelessly (witness),
    /// time per block and the ratio, for small conformance-test blocks and heavy blocks.
    Bench {
        /// BlockchainTests files or folders whose valid blocks are executed (group "small").
        #[arg(long, num_args = 0.., default_value = "../shared/fixtures/ethereum-tests/BlockchainTests/ValidBlocks")]
        ethtest: Vec<PathBuf>,
        /// Stateless input files or folders (group "heavy").
        #[arg(long, num_args = 0.., default_value = "../shared/fixtures/stateless")]
        stateless: Vec<PathBuf>,
        /// Folders of witness bundles with their index.json (group "heavy"), e.g. from
        /// `phat-prover bundle --heavy`.
        #[arg(long)]
        bundles: Vec<PathBuf>,
        /// Passes over all blocks (each block's time is its fastest pass).
        #[arg(long, default_value_t = 5)]
        iterations: u32,
    },
    /// Write the cross-language TEE-proof test vectors (JSON) for the Solidity verifier.
    Vectors {
        /// Output file.
        #[arg(long, default_value = "evm-contracts/test/vectors/tee-proof-vectors.json")]
        out: PathBuf,
    },
    /// Check a proof offline: digest rebuilt from its public input, signature low-s and by the prover.
    Verify {
        /// Proof file from `phat-prover prove`.
        #[arg(long)]
        proof: PathBuf,
        /// The prover address the proof must come from.
        #[arg(long)]
        signer: Option<Address>,
    },
}

#[derive(Args)]
struct RpcBlock {
    /// JSON-RPC endpoint of the L2 node.
    #[arg(long)]
    rpc: String,
    /// Block number.
    #[arg(long)]
    block: u64,
}

#[derive(Args)]
struct ChainArgs {
    /// The L2's chain config (a geth genesis `config` object, or a genesis file): the rules the
    /// block is executed under, never taken from the block or the node.
    #[arg(long, env = "PHAT_CHAIN_CONFIG")]
    chain_config: PathBuf,
}

impl ChainArgs {
    fn load(&self) -> Result<phat_prover_core::ChainConfig, CliError> {
        Ok(phat_witness::files::read_chain_config(&self.chain_config)?)
    }
}

#[derive(Args)]
struct OptionalRpcBlock {
    /// JSON-RPC endpoint of the L2 node.
    #[arg(long, requires = "block")]
    rpc: Option<String>,
    /// Block number.
    #[arg(long, requires = "rpc")]
    block: Option<u64>,
}

#[derive(Subcommand)]
enum AttestCommand {
    /// Verify a quote against its collateral and the registry's policy; prints the fields and the
    /// verdict as JSON (exit status 1 when refused).
    Verify {
        /// The quote (binary).
        #[arg(long)]
        quote: PathBuf,
        /// The collateral (JSON: PEM chains and JSON bodies as strings, CRLs and signatures hex).
        #[arg(long)]
        collateral: PathBuf,
        /// Verify as of this unix time (default: now). Collateral expires: pin it for old quotes.
        #[arg(long)]
        at: Option<u64>,
        /// Policy file (TOML); default: the registry's defaults (UpToDate only).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Trust this root CA (DER) instead of Intel's: test PKIs only.
        #[arg(long)]
        test_root_ca: Option<PathBuf>,
        /// A dstack VM's event log (its guest agent's GetQuote answer, or the `event_log` array):
        /// replayed against the TDX quote's RTMRs, naming the app (compose hash, app id, key
        /// provider) that the policy's `[tdx] compose_hashes` is checked against.
        #[arg(long)]
        event_log: Option<PathBuf>,
    },
    /// Print the 64-byte report_data binding a prover key to a registration.
    Binding {
        /// The prover's address (its TEE-proof key).
        #[arg(long)]
        prover: Address,
        /// Who is paid for its proofs (default: the prover).
        #[arg(long)]
        beneficiary: Option<Address>,
        /// The L1 ProverRegistry (TeeVerifier) address.
        #[arg(long)]
        registry: Address,
        /// L1 chain id.
        #[arg(long)]
        chain_id: u64,
        /// A recent L1 block number (the registry accepts the last 256).
        #[arg(long)]
        block_number: u64,
        /// That block's hash.
        #[arg(long)]
        block_hash: B256,
    },
}

#[derive(Args)]
struct DomainArgs {
    /// Chain id of L1.
    #[arg(long, default_value_t = 31337)]
    l1_chain_id: u64,
    /// Address of the L1 TeeVerifier contract.
    #[arg(long)]
    verifier: Address,
}

fn main() -> ExitCode {
    process::init_tracing("info");
    process::exit_code(run(Cli::parse()))
}

/// `phat-prover serve`: refuses to start outside a dstack VM (no guest agent answering `Info`).
async fn serve(path: &std::path::Path) -> Result<(), CliError> {
    let config = phat_prover_service::Config::load(path)?;
    let settings = phat_prover_service::Settings::of(&config)?;
    let agent = phat_dstack::DstackClient::new(&config.dstack_socket);
    let info = agent.info().await.map_err(phat_prover_service::ServiceError::from)?;
    tracing::info!(app_id = %info.app_id, instance_id = %info.instance_id, "inside a dstack VM");
    let service = std::sync::Arc::new(phat_prover_service::ProverService::new(settings, Box::new(agent))?);
    Ok(phat_prover_service::serve(service, &config.listen).await?)
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Attest(AttestCommand::Verify { quote, collateral, at, policy, test_root_ca, event_log }) => {
            let at = match at {
                Some(at) => at,
                None => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_err(|e| CliError::Input(e.to_string()))?
                    .as_secs(),
            };
            let (report, accepted) = attest::verify(
                &quote,
                &collateral,
                at,
                (policy.as_deref(), test_root_ca.as_deref()),
                event_log.as_deref(),
            )?;
            write_json(&report, None)?;
            if accepted { Ok(()) } else { Err(CliError::Verify("attestation refused".into())) }
        }
        Command::Attest(AttestCommand::Binding {
            prover,
            beneficiary,
            registry,
            chain_id,
            block_number,
            block_hash,
        }) => {
            let binding = phat_attestation::Binding {
                chain_id,
                registry,
                prover,
                beneficiary: beneficiary.unwrap_or(prover),
                l1_block_number: block_number,
                l1_block_hash: block_hash,
            };
            write_json(&attest::binding(&binding), None)
        }
        Command::ChainConfig { path } => {
            let config = phat_witness::files::read_chain_config(&path)?;
            let report = serde_json::json!({
                "chainId": config.chain_id(),
                "hash": config.hash(),
                "canonical": alloy_primitives::Bytes::from(config.to_canonical()),
            });
            write_json(&report, None)
        }
        Command::Ethtest { paths } => run_ethtest(&paths),
        Command::Stateless { paths } => run_stateless(&paths),
        Command::Optest { paths } => run_optest(&paths),
        Command::Bundle { witness, ethtest, heavy, out } => match (witness, ethtest) {
            (Some(path), _) => {
                let bytes = read_json::<WitnessFile>(&path)?.bundle().to_bytes();
                std::fs::write(&out, &bytes).map_err(|e| CliError::io(out.display(), e))?;
                eprintln!("{}: {} bytes", out.display(), bytes.len());
                Ok(())
            }
            (None, Some(path)) => {
                let entries = bundle::from_ethtest(&path, &out)?;
                eprintln!("{} bundles in {}", entries.len(), out.display());
                Ok(())
            }
            (None, None) if heavy => {
                for e in runtime()?.block_on(bundle::heavy_blocks(&out))? {
                    eprintln!("block {}: {} gas, {} bytes", e.block_number, e.gas_used, e.bytes);
                }
                Ok(())
            }
            (None, None) => Err(CliError::Usage("give --witness FILE, --ethtest FILE or --heavy")),
        },
        Command::Witness { source, chain, out } => {
            let chain = chain.load()?;
            let file = runtime()?.block_on(fetch::fetch_witness(&source.rpc, source.block, &chain))?;
            write_json(&file, out)
        }
        Command::Serve { config } => runtime()?.block_on(serve(&config)),
        Command::WitnessRpc { rpc, listen, chain } => {
            let chain = chain.load()?;
            Ok(runtime()?.block_on(phat_witness::serve::run(listen, rpc, chain))?)
        }
        Command::Prove { witness, source, chain, domain, key, out } => {
            let chain = chain.load()?;
            let file = match (witness, source.rpc, source.block) {
                (Some(path), _, _) => read_json::<WitnessFile>(&path)?,
                (None, Some(url), Some(block)) => runtime()?.block_on(fetch::fetch_witness(&url, block, &chain))?,
                _ => return Err(CliError::Usage("give --witness FILE or --rpc URL --block N")),
            };
            let signer = parse_key(&key)?;
            let input = file.input(&chain)?;
            let outcome = phat_prover_core::execute(&chain, &input)?;
            let domain = ProofDomain {
                l1_chain_id: domain.l1_chain_id,
                verifier: domain.verifier,
                l2_chain_id: chain.chain_id(),
                prover: signer.address(),
            };
            let digest = BlockPublicInput::new(&domain, &outcome).digest();
            let proof = TeeProof::sign(&signer, digest)?;
            tracing::info!(block = outcome.number, hash = %outcome.block_hash, gas = outcome.gas_used, "proved");
            write_json(&ProofFile::new(&domain, &outcome, &proof), out)
        }
        Command::Devnet { blocks, l1_chain_id, verifier } => {
            runtime()?.block_on(devnet::run(&devnet::DevnetOptions { blocks, l1_chain_id, verifier }))
        }
        Command::Bench { ethtest, stateless, bundles, iterations } => {
            let mut blocks = bench::from_ethtests(&ethtest)?;
            blocks.extend(bench::from_stateless(&stateless)?);
            for dir in &bundles {
                blocks.extend(bench::from_bundles(dir)?);
            }
            let report = bench::run(&blocks, iterations)?;
            for g in &report.groups {
                eprintln!(
                    "{}: {} blocks, {} gas; plain {:.3} ms/block, stateless {:.3} ms/block; ratio {:.2} (per block {:.2}–{:.2})",
                    g.group,
                    g.blocks,
                    g.gas,
                    g.plain_ms_per_block,
                    g.stateless_ms_per_block,
                    g.ratio,
                    g.min_ratio,
                    g.max_ratio
                );
            }
            write_json(&report, None)
        }
        Command::Vectors { out } => {
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir.display(), e))?;
            }
            write_json(&vectors::generate()?, Some(out))
        }
        Command::Verify { proof, signer } => {
            let file = read_json::<ProofFile>(&proof)?;
            let proof = file.verify(signer).map_err(CliError::Rejected)?;
            let report = serde_json::json!({
                "valid": true,
                "prover": proof.prover,
                "digest": file.digest,
                "blockNumber": file.public_input.block_number,
                "blockHash": file.public_input.block_hash,
                "postStateRoot": file.public_input.post_state_root,
            });
            println!("{report:#}");
            Ok(())
        }
    }
}

fn run_ethtest(paths: &[PathBuf]) -> Result<(), CliError> {
    let files = ethtest::collect_files(paths)?;
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut passed, mut failed, mut skipped, mut blocks) = (0usize, 0usize, 0usize, 0usize);
    let mut skip_reasons: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for file in &files {
        bar.set_message(file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
        match ethtest::run_file(file) {
            Ok(cases) => {
                for case in cases {
                    match case.verdict {
                        ethtest::Verdict::Passed => {
                            passed += 1;
                            blocks += case.blocks;
                        }
                        ethtest::Verdict::Failed(reason) => {
                            failed += 1;
                            blocks += case.blocks;
                            bar.suspend(|| println!("FAIL {}: {reason}", case.name));
                        }
                        ethtest::Verdict::Skipped(reason) => {
                            skipped += 1;
                            *skip_reasons.entry(reason).or_default() += 1;
                        }
                    }
                }
            }
            Err(e) => {
                failed += 1;
                bar.suspend(|| println!("FAIL {}: {e}", file.display()));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for (reason, count) in &skip_reasons {
        println!("SKIP {count}: {reason}");
    }
    println!("{} files, {blocks} blocks", files.len());
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 { Ok(()) } else { Err(CliError::TestsFailed(failed)) }
}

fn run_stateless(paths: &[PathBuf]) -> Result<(), CliError> {
    run_files(paths, phat_prover_cli::stateless::run_file)
}

fn run_optest(paths: &[PathBuf]) -> Result<(), CliError> {
    run_files(paths, |file| phat_prover_cli::optest::run_file(file).map(|(name, verdict, _)| (name, verdict)))
}

/// Runs every JSON file under `paths` through `run`: a line per failure, then `N passed, M failed`.
fn run_files(
    paths: &[PathBuf],
    run: impl Fn(&std::path::Path) -> Result<(String, ethtest::Verdict), CliError>,
) -> Result<(), CliError> {
    let files = ethtest::collect_files(paths)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        match run(file) {
            Ok((_, ethtest::Verdict::Passed)) => passed += 1,
            Ok((name, verdict)) => {
                failed += 1;
                println!("FAIL {name}: {verdict:?}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {}: {e}", file.display());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(CliError::TestsFailed(failed)) }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("tokio runtime: {e}")))
}

fn parse_key(key: &str) -> Result<LocalSigner, CliError> {
    let secret: B256 = key.trim().parse().map_err(|_| CliError::Usage("--key: expected 32 bytes of hex"))?;
    LocalSigner::from_bytes(&secret).map_err(|e| CliError::Input(format!("--key: {e}")))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::io(path.display(), e))?;
    serde_json::from_str(&text).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

fn write_json<T: serde::Serialize>(value: &T, out: Option<PathBuf>) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Input(e.to_string()))?;
    match out {
        Some(path) => std::fs::write(&path, text + "\n").map_err(|e| CliError::io(path.display(), e)),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}
