//! `phat-cluster`: a local pink cluster serving `phat-prover` contracts (and `phat-registry`)
//! over HTTP — the stand-in for a Phala worker cluster, which no longer exists. N prover
//! contracts are deployed from the release wasm (distinct contracts, so distinct TEE key
//! derivations) and configured; with `--registry-wasm`, the registry is deployed with a pool and
//! two stakers per prover and the rollup subscribed.
//!
//! The contracts execute every block under the chain config given with `--chain-config` (its
//! canonical encoding in hex, what `phat-prover chain-config FILE` prints as `canonical`), and
//! every proof commits to its hash.
//!
//! On start it prints one JSON line to stdout: `{"listen", "chainId", "chainConfigHash",
//! "provers": [{contract, address, keyEpoch}], "rollup"}`. axum serves the routes on
//! phat-process's bounded server (header and body read timeouts, 413 over the runtime's input
//! buffer, a connection limit), so a slow client delays no other; one thread owns the runtime and
//! runs the requests one at a time, in arrival order, with at most 64 waiting (503 beyond):
//! - `GET  /v1/provers`                         the provers, as above
//! - `POST /v1/provers/{i}/prove`               body: a witness bundle → the contract's `Proved`
//!   (its `chainConfigHash` included), or 422 `{"error"}` when the contract refuses (nothing signed)
//! - `POST /v1/provers/{i}/prove-block/{n}`     the contract fetches block n and its witness from
//!   its L2 RPC itself (pink HTTP) → `Proved`, or 422
//! - `POST /v1/provers/{i}/prove-batch/{first}/{count}`  the contract fetches the blocks and signs
//!   one batch proof over them → `{firstBlock, lastBlock, …, blocksCommitment, digest, proof}`
//! - `POST /v1/provers/{i}/refuse`              body: a witness bundle → the contract's `Refusal`
//!   (the block is invalid: a signed TEE refusal), or 422 (`BlockValid`, or why nothing was signed)
//! - `POST /v1/provers/{i}/refuse-block/{n}`    the same for block n, fetched by the contract
//! - `POST /v1/provers/{i}/relay-block/{n}`     `prove_block(n)`, then `relay` of that proof: the
//!   contract submits it to L1 itself → `{txHash, proved}`, or 422
//! - `POST /v1/provers/{i}/rotate-key`          → the prover's new `{address, keyEpoch}`
//! - `GET  /v1/provers/{i}/handover`            after a rotation, the old key's signature over
//!   L1's handover digest → `{old, new, digest, signature}` (for `ProverRegistry.rotate`)
//! - `POST /v1/registry/report`                 `{rollup, block, input, proof, l1Tx}` → `{fee}`, or
//!   422 `{"error"}` with the registry's refusal (`AlreadyCredited`, `BadSignature`,
//!   `RollupPaused`, …). `proof`: the 85-byte TEE-proof (hex); `input`: the public input it signed,
//!   `{"kind": "block", l1ChainId, verifier, l2ChainId, chainConfigHash, blockNumber, parentHash,
//!   blockHash, preStateRoot, postStateRoot, witnessCommitment}` or `{"kind": "batch", l1ChainId,
//!   verifier, l2ChainId, chainConfigHash, firstBlock, lastBlock, firstParentHash, lastBlockHash,
//!   firstPreStateRoot, lastPostStateRoot, blocksCommitment}` (a batch's blocks are reported one
//!   by one, each with the batch's proof)
//! - `GET  /v1/registry/rollups/{id}`           the subscription (`l2ChainId`, `rpc`, `l1ChainId`,
//!   `l1Verifier`, `policy`, `paused`) and its deposit

use std::{path::PathBuf, sync::mpsc as std_mpsc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use clap::Parser;
use phat_pink_cluster::{Cluster, Economy, ProverInfo, RuntimeError, accounts, chain_config_from_hex, subscription};
use phat_prover_contract::{Config, Proved};
use phat_registry::{BatchInput, BlockInput, ProvenInput};
use serde_json::{Value, json};
use tokio::sync::oneshot;

phat_pink_cluster::probestack!();

/// Largest request body accepted: what fits the runtime's 512 KiB input buffer with the call's
/// own encoding (a larger bundle would fail inside the runtime as a 500); above it, 413.
const MAX_BODY: usize = (512 << 10) - 64;
/// Requests waiting for the runtime thread; more are answered 503 at once.
const QUEUE: usize = 64;

#[derive(Parser)]
#[command(name = "phat-cluster", about = "A local pink cluster serving phat-prover contracts over HTTP")]
struct Args {
    /// The `phat_prover.wasm` bundle (`make contracts`).
    #[arg(long)]
    prover_wasm: PathBuf,
    /// The `phat_registry.wasm` bundle; without it no registry is deployed.
    #[arg(long)]
    registry_wasm: Option<PathBuf>,
    /// How many prover contracts.
    #[arg(long, default_value_t = 3)]
    provers: usize,
    /// The L2's chain config: its canonical encoding in hex (`phat-prover chain-config FILE`
    /// prints it as `canonical`). The chain id and the rules the contracts execute blocks under,
    /// which every proof commits to (by its hash).
    #[arg(long, value_name = "HEX")]
    chain_config: String,
    /// The L2 RPC the contracts are configured with.
    #[arg(long, default_value = "http://127.0.0.1:8546")]
    l2_rpc: String,
    #[arg(long)]
    l1_chain_id: u64,
    /// The L1 `TeeVerifier` the proofs are bound to (0x…).
    #[arg(long)]
    verifier: String,
    /// The L1 RPC the contracts' `relay` sends through (with --multi-proof).
    #[arg(long)]
    l1_rpc: Option<String>,
    /// The L1 `MultiProofVerifier` the contracts' `relay` submits to (0x…).
    #[arg(long)]
    multi_proof: Option<String>,
    /// Highest fee cap (max fee per gas) of a contract's relay transaction, in gwei.
    #[arg(long, default_value_t = 1_000)]
    relay_max_fee_gwei: u64,
    /// Proofs the rollup's deposit pays for.
    #[arg(long, default_value_t = 1_000_000)]
    deposit_blocks: u128,
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), RuntimeError> {
    let err = |what: &str, e: &dyn std::fmt::Display| RuntimeError(format!("{what}: {e}"));
    let chain = chain_config_from_hex(&args.chain_config).map_err(|e| err("--chain-config", &e))?;
    let verifier = parse_hex::<20>(&args.verifier).map_err(|e| err("--verifier", &e))?;
    let prover_wasm = std::fs::read(&args.prover_wasm).map_err(|e| err("--prover-wasm", &e))?;
    let registry_wasm = match &args.registry_wasm {
        Some(path) => Some(std::fs::read(path).map_err(|e| err("--registry-wasm", &e))?),
        None => None,
    };
    let multi_proof = match &args.multi_proof {
        Some(a) => parse_hex::<20>(a).map_err(|e| err("--multi-proof", &e))?,
        None => [0; 20],
    };
    let config = Config {
        l2_rpcs: vec![args.l2_rpc.clone()],
        chain_config: chain.to_canonical(),
        l1_chain_id: args.l1_chain_id,
        l1_verifier: verifier,
        l1_rpcs: args.l1_rpc.iter().cloned().collect(),
        l1_multi_proof: multi_proof,
        // Set below to the account the service relays as.
        relay_callers: Vec::new(),
        relay_max_fee_per_gas: u128::from(args.relay_max_fee_gwei) * 1_000_000_000,
    };

    // The runtime lives on its own thread (pink's HTTP from a contract blocks, and one runtime
    // runs one call at a time); the HTTP handlers send it jobs and await the answers.
    let (jobs, queue) = std_mpsc::sync_channel::<Job>(QUEUE);
    let (ready_tx, ready) = std_mpsc::channel::<Result<Value, RuntimeError>>();
    std::thread::spawn(move || {
        let set_up = || -> Result<(Cluster, Value), RuntimeError> {
            let mut cluster = Cluster::new()?;
            let config = Config { relay_callers: vec![cluster.actor()], ..config };
            for i in 0..args.provers {
                let owner = accounts::worker_owner(i);
                cluster.mint(owner, 1_000_000_000_000)?;
                cluster.as_actor(owner, |c| c.deploy_prover(&prover_wasm, &[i as u8], config.clone()))?;
            }
            let rollup = match registry_wasm {
                Some(wasm) => {
                    cluster.deploy_registry(&wasm)?;
                    let sub = subscription(&chain, &args.l2_rpc, (args.l1_chain_id, verifier));
                    Some(Economy::default().set_up(&mut cluster, sub, args.deposit_blocks)?)
                }
                None => None,
            };
            let started = json!({
                "chainId": chain.chain_id(),
                "chainConfigHash": hex0x(chain.hash().as_slice()),
                "provers": provers_json(&mut cluster)?,
                "rollup": rollup,
            });
            Ok((cluster, started))
        };
        let mut cluster = match set_up() {
            Ok((cluster, started)) => {
                let _ = ready_tx.send(Ok(started));
                cluster
            }
            Err(e) => {
                let _ = ready_tx.send(Err(e));
                return;
            }
        };
        for job in queue {
            job(&mut cluster);
        }
    });
    let mut started = ready.recv().map_err(|e| err("cluster thread", &e))??;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| err("tokio", &e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| err("listen", &e))?;
        let listen = listener.local_addr().map_err(|e| err("listen", &e))?;
        started["listen"] = json!(listen.to_string());
        println!("{started}");
        let limits = phat_process::http::Limits { max_body: MAX_BODY, ..Default::default() };
        phat_process::http::serve(listener, router(jobs), limits).await.map_err(|e| err("serve", &e))
    })
}

/// Work for the runtime thread.
type Job = Box<dyn FnOnce(&mut Cluster) + Send>;

/// The handle the HTTP handlers share: a queue to the runtime thread.
#[derive(Clone)]
struct Runtime(std_mpsc::SyncSender<Job>);

impl Runtime {
    /// Runs `f` on the runtime thread and answers with its result as JSON.
    async fn run(
        &self,
        f: impl FnOnce(&mut Cluster) -> Result<Value, Reply> + Send + 'static,
    ) -> Result<Json<Value>, Reply> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |c| {
            let _ = tx.send(f(c));
        });
        self.0.try_send(job).map_err(|e| match e {
            std_mpsc::TrySendError::Full(_) => {
                Reply(503, format!("{QUEUE} requests are waiting for the runtime: retry"))
            }
            std_mpsc::TrySendError::Disconnected(_) => Reply(503, "the runtime thread has stopped".into()),
        })?;
        rx.await.map_err(|_| Reply(500, "the runtime thread dropped the request".into()))?.map(Json)
    }
}

fn router(jobs: std_mpsc::SyncSender<Job>) -> Router {
    Router::new()
        .route(
            "/v1/provers",
            get(|State(rt): State<Runtime>| async move { rt.run(|c| Ok(Value::Array(provers_json(c)?))).await }),
        )
        .route("/v1/provers/{i}/prove", post(prove))
        .route("/v1/provers/{i}/prove-block/{n}", post(prove_block))
        .route("/v1/provers/{i}/prove-batch/{first}/{count}", post(prove_batch))
        .route("/v1/provers/{i}/refuse", post(refuse))
        .route("/v1/provers/{i}/refuse-block/{n}", post(refuse_block))
        .route("/v1/provers/{i}/relay-block/{n}", post(relay_block))
        .route("/v1/provers/{i}/handover", get(handover))
        .route("/v1/provers/{i}/rotate-key", post(rotate_key))
        .route("/v1/registry/report", post(report))
        .route("/v1/registry/rollups/{id}", get(rollup))
        .fallback(|uri: axum::http::Uri| async move { Reply(404, format!("no route {uri}")) })
        .with_state(Runtime(jobs))
}

/// An HTTP error answer: `{"error"}` with a status.
struct Reply(u16, String);

impl From<RuntimeError> for Reply {
    fn from(e: RuntimeError) -> Self {
        Reply(500, e.0)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// A contract's refusal (nothing signed): 422 with the error.
fn refused(e: impl std::fmt::Debug) -> Reply {
    Reply(422, format!("{e:?}"))
}

fn number(n: &str) -> Result<u64, Reply> {
    n.parse::<u64>().map_err(|_| Reply(400, format!("not a number: {n}")))
}

async fn prove(State(rt): State<Runtime>, Path(i): Path<String>, bundle: Bytes) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        c.prove(i, bundle.to_vec())?.map(|p| proved_json(&p)).map_err(refused)
    })
    .await
}

async fn prove_block(State(rt): State<Runtime>, Path((i, n)): Path<(String, String)>) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        c.prove_block(i, number(&n)?)?.map(|p| proved_json(&p)).map_err(refused)
    })
    .await
}

async fn refuse(State(rt): State<Runtime>, Path(i): Path<String>, bundle: Bytes) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        c.refuse(i, bundle.to_vec())?.map(|r| refusal_json(&r)).map_err(refused)
    })
    .await
}

async fn refuse_block(State(rt): State<Runtime>, Path((i, n)): Path<(String, String)>) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        c.refuse_block(i, number(&n)?)?.map(|r| refusal_json(&r)).map_err(refused)
    })
    .await
}

/// A refusal as JSON: the L1 `RefusalClaim` fields (camelCase), the chain config, what failed,
/// the digest signed and the signature.
fn refusal_json(r: &phat_prover_contract::Refusal) -> Value {
    json!({
        "blockNumber": r.block_number,
        "parentHash": hex0x(&r.parent_hash),
        "blockHash": hex0x(&r.block_hash),
        "preStateRoot": hex0x(&r.pre_state_root),
        "reason": r.reason,
        "chainConfigHash": hex0x(&r.chain_config_hash),
        "detail": r.detail,
        "digest": hex0x(&r.digest),
        "proof": hex0x(&r.proof),
    })
}

async fn prove_batch(
    State(rt): State<Runtime>,
    Path((i, first, count)): Path<(String, String, String)>,
) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        let b = c.prove_batch(i, number(&first)?, number(&count)?)?.map_err(refused)?;
        Ok(json!({
            "firstBlock": b.first_block,
            "lastBlock": b.last_block,
            "firstParentHash": hex0x(&b.first_parent_hash),
            "lastBlockHash": hex0x(&b.last_block_hash),
            "firstPreStateRoot": hex0x(&b.first_pre_state_root),
            "lastPostStateRoot": hex0x(&b.last_post_state_root),
            "blocksCommitment": hex0x(&b.blocks_commitment),
            "gasUsed": b.gas_used,
            "digest": hex0x(&b.digest),
            "proof": hex0x(&b.proof),
        }))
    })
    .await
}

async fn relay_block(State(rt): State<Runtime>, Path((i, n)): Path<(String, String)>) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        let (proved, hash) = c.relay_block(i, number(&n)?)?.map_err(refused)?;
        Ok(json!({ "txHash": hex0x(&hash), "proved": proved_json(&proved) }))
    })
    .await
}

async fn handover(State(rt): State<Runtime>, Path(i): Path<String>) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        let h = c.handover(i)?.map_err(refused)?;
        Ok(json!({
            "old": hex0x(&h.old),
            "new": hex0x(&h.new),
            "digest": hex0x(&h.digest),
            "signature": hex0x(&h.signature),
        }))
    })
    .await
}

async fn rotate_key(State(rt): State<Runtime>, Path(i): Path<String>) -> Result<Json<Value>, Reply> {
    rt.run(move |c| {
        let i = prover_index(c, &i)?;
        c.rotate_key(i)?;
        Ok(prover_json(&c.prover_info(i)?))
    })
    .await
}

async fn report(State(rt): State<Runtime>, body: Bytes) -> Result<Json<Value>, Reply> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| Reply(400, format!("not JSON: {e}")))?;
    let field = |name: &str| v.get(name).ok_or_else(|| Reply(400, format!("missing {name}")));
    let rollup = field("rollup")?.as_u64().and_then(|r| u32::try_from(r).ok());
    let block = field("block")?.as_u64();
    let proof = field("proof")?.as_str().and_then(|s| parse_hex::<85>(s).ok());
    let l1_tx = field("l1Tx")?.as_str().and_then(|s| parse_hex::<32>(s).ok());
    let (Some(rollup), Some(block), Some(proof), Some(l1_tx)) = (rollup, block, proof, l1_tx) else {
        return Err(Reply(
            400,
            "want {rollup: u32, block: u64, input: {kind, …}, proof: 0x85 bytes, l1Tx: 0x32 bytes}".into(),
        ));
    };
    let input = proven_input(field("input")?).map_err(|e| Reply(400, format!("input: {e}")))?;
    rt.run(move |c| {
        let fee = c.report_proof(rollup, block, (input, proof), l1_tx)?.map_err(refused)?;
        Ok(json!({ "fee": fee.to_string() }))
    })
    .await
}

async fn rollup(State(rt): State<Runtime>, Path(id): Path<String>) -> Result<Json<Value>, Reply> {
    let id: u32 = id.parse().map_err(|_| Reply(400, "rollup id".into()))?;
    rt.run(move |c| {
        let (registry, session) = c.registry()?;
        use ink::codegen::TraitCallBuilder;
        use pink_drink::Callable;
        let info = registry.call().rollup_info(id).query(session).map_err(RuntimeError::from)?;
        let info = info.ok_or_else(|| Reply(404, format!("no rollup {id}")))?;
        Ok(json!({
            "l2ChainId": info.l2_chain_id,
            "rpc": info.rpc,
            "l1ChainId": info.l1_chain_id,
            "l1Verifier": hex0x(&info.l1_verifier),
            "policy": {
                "zkShareBps": info.policy.zk_share_bps,
                "teeFinalityDelayS": info.policy.tee_finality_delay_s,
            },
            "feePerBlock": info.fee_per_block.to_string(),
            "deposit": info.deposit.to_string(),
            "proven": info.proven,
            "paused": info.paused,
        }))
    })
    .await
}

/// The public input of a reported proof, from its JSON (see the route list above).
fn proven_input(v: &Value) -> Result<ProvenInput, String> {
    let number = |k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| format!("want {k}: u64"));
    let word = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| format!("want {k}: 0x32 bytes"));
    let word = |k: &str| word(k).and_then(parse_hex::<32>);
    let verifier = v.get("verifier").and_then(Value::as_str).ok_or("want verifier: 0x20 bytes")?;
    let (l1_chain_id, verifier, l2_chain_id) = (number("l1ChainId")?, parse_hex::<20>(verifier)?, number("l2ChainId")?);
    let chain_config_hash = word("chainConfigHash")?;
    match v.get("kind").and_then(Value::as_str) {
        Some("block") => Ok(ProvenInput::Block(BlockInput {
            l1_chain_id,
            verifier,
            l2_chain_id,
            chain_config_hash,
            block_number: number("blockNumber")?,
            parent_hash: word("parentHash")?,
            block_hash: word("blockHash")?,
            pre_state_root: word("preStateRoot")?,
            post_state_root: word("postStateRoot")?,
            witness_commitment: word("witnessCommitment")?,
        })),
        Some("batch") => Ok(ProvenInput::Batch(BatchInput {
            l1_chain_id,
            verifier,
            l2_chain_id,
            chain_config_hash,
            first_block: number("firstBlock")?,
            last_block: number("lastBlock")?,
            first_parent_hash: word("firstParentHash")?,
            last_block_hash: word("lastBlockHash")?,
            first_pre_state_root: word("firstPreStateRoot")?,
            last_post_state_root: word("lastPostStateRoot")?,
            blocks_commitment: word("blocksCommitment")?,
        })),
        _ => Err("want kind: \"block\" or \"batch\"".into()),
    }
}

fn prover_index(cluster: &Cluster, i: &str) -> Result<usize, Reply> {
    i.parse::<usize>().ok().filter(|i| *i < cluster.prover_count()).ok_or_else(|| Reply(404, format!("no prover {i}")))
}

fn provers_json(cluster: &mut Cluster) -> Result<Vec<Value>, RuntimeError> {
    (0..cluster.prover_count()).map(|i| Ok(prover_json(&cluster.prover_info(i)?))).collect()
}

fn prover_json(p: &ProverInfo) -> Value {
    json!({
        "contract": hex0x(&p.contract),
        "address": hex0x(&p.address),
        "relayAddress": hex0x(&p.relay_address),
        "keyEpoch": p.key_epoch,
        "registryId": p.registry_id,
    })
}

fn proved_json(p: &Proved) -> Value {
    json!({
        "blockNumber": p.block_number,
        "parentHash": hex0x(&p.parent_hash),
        "blockHash": hex0x(&p.block_hash),
        "preStateRoot": hex0x(&p.pre_state_root),
        "postStateRoot": hex0x(&p.post_state_root),
        "witnessCommitment": hex0x(&p.witness_commitment),
        "chainConfigHash": hex0x(&p.chain_config_hash),
        "gasUsed": p.gas_used,
        "digest": hex0x(&p.digest),
        "proof": hex0x(&p.proof),
    })
}

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn parse_hex<const N: usize>(s: &str) -> Result<[u8; N], String> {
    let bytes = hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| format!("{s}: {e}"))?;
    bytes.try_into().map_err(|_| format!("{s}: want {N} bytes"))
}
