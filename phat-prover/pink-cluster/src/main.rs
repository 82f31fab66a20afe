//! `phat-cluster`: a local pink cluster serving `phat-prover` contracts (and `phat-registry`)
//! over HTTP — the stand-in for a Phala worker cluster, which no longer exists. N prover
//! contracts are deployed from the release wasm (distinct contracts, so distinct TEE key
//! derivations) and configured; with `--registry-wasm`, the registry is deployed with a pool and
//! two stakers per prover and the rollup subscribed.
//!
//! On start it prints one JSON line to stdout: `{"listen", "provers": [{contract, address,
//! keyEpoch}], "rollup"}`. Requests are served one at a time (one runtime):
//! - `GET  /v1/provers`                         the provers, as above
//! - `POST /v1/provers/{i}/prove`               body: a witness bundle → the contract's `Proved`,
//!   or 422 `{"error"}` when the contract refuses (nothing signed)
//! - `POST /v1/provers/{i}/prove-block/{n}`     the contract fetches block n and its witness from
//!   its L2 RPC itself (pink HTTP) → `Proved`, or 422
//! - `POST /v1/provers/{i}/prove-batch/{first}/{count}`  the contract fetches the blocks and signs
//!   one batch proof over them → `{firstBlock, lastBlock, …, blocksCommitment, digest, proof}`
//! - `POST /v1/provers/{i}/relay-block/{n}`     `prove_block(n)`, then `relay` of that proof: the
//!   contract submits it to L1 itself → `{txHash, proved}`, or 422
//! - `POST /v1/provers/{i}/rotate-key`          → the prover's new `{address, keyEpoch}`
//! - `GET  /v1/provers/{i}/handover`            after a rotation, the old key's signature over
//!   L1's handover digest → `{old, new, digest, signature}` (for `ProverRegistry.rotate`)
//! - `POST /v1/registry/report`                 `{rollup, block, signer, l1Tx}` → `{fee}` or 422
//! - `GET  /v1/registry/rollups/{id}`           the subscription and its deposit

use std::{io::Read, path::PathBuf};

use clap::Parser;
use phat_pink_cluster::{Cluster, Economy, ProverInfo, RuntimeError, accounts, subscription};
use phat_prover_contract::{Config, Proved};
use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

phat_pink_cluster::probestack!();

/// Largest request body accepted (a witness bundle of a large block fits with room to spare).
const MAX_BODY: usize = 8 << 20;

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
    #[arg(long)]
    l2_chain_id: u64,
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
    let verifier = parse_hex::<20>(&args.verifier).map_err(|e| err("--verifier", &e))?;
    let prover_wasm = std::fs::read(&args.prover_wasm).map_err(|e| err("--prover-wasm", &e))?;
    let multi_proof = match &args.multi_proof {
        Some(a) => parse_hex::<20>(a).map_err(|e| err("--multi-proof", &e))?,
        None => [0; 20],
    };
    let config = Config {
        l2_rpcs: vec![args.l2_rpc.clone()],
        l2_chain_id: args.l2_chain_id,
        l1_chain_id: args.l1_chain_id,
        l1_verifier: verifier,
        l1_rpcs: args.l1_rpc.iter().cloned().collect(),
        l1_multi_proof: multi_proof,
    };
    let mut cluster = Cluster::new()?;
    for i in 0..args.provers {
        let owner = accounts::worker_owner(i);
        cluster.mint(owner, 1_000_000_000_000)?;
        cluster.as_actor(owner, |c| c.deploy_prover(&prover_wasm, &[i as u8], config.clone()))?;
    }
    let rollup = match &args.registry_wasm {
        Some(path) => {
            cluster.deploy_registry(&std::fs::read(path).map_err(|e| err("--registry-wasm", &e))?)?;
            let sub = subscription(args.l2_chain_id, &args.l2_rpc, verifier);
            Some(Economy::default().set_up(&mut cluster, sub, args.deposit_blocks)?)
        }
        None => None,
    };

    let server = Server::http(&args.listen).map_err(|e| err("listen", &e))?;
    let listen = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_default();
    println!("{}", json!({ "listen": listen, "provers": provers_json(&mut cluster)?, "rollup": rollup }));
    for mut request in server.incoming_requests() {
        let (status, body) = match handle(&mut cluster, &mut request) {
            Ok(v) => (200, v),
            Err(Reply(status, message)) => (status, json!({ "error": message })),
        };
        let header = Header::from_bytes("content-type", "application/json").expect("static header");
        let _ = request.respond(Response::from_string(body.to_string()).with_status_code(status).with_header(header));
    }
    Ok(())
}

/// An HTTP error answer.
struct Reply(u16, String);

impl From<RuntimeError> for Reply {
    fn from(e: RuntimeError) -> Self {
        Reply(500, e.0)
    }
}

fn handle(cluster: &mut Cluster, request: &mut Request) -> Result<Value, Reply> {
    let url = request.url().to_string();
    let parts: Vec<&str> = url.trim_matches('/').split('/').collect();
    let method = request.method().clone();
    match (method, parts.as_slice()) {
        (Method::Get, ["v1", "provers"]) => Ok(Value::Array(provers_json(cluster)?)),
        (Method::Post, ["v1", "provers", i, "prove"]) => {
            let i = prover_index(cluster, i)?;
            let bundle = body(request)?;
            match cluster.prove(i, bundle)? {
                Ok(proved) => Ok(proved_json(&proved)),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Post, ["v1", "provers", i, "prove-block", n]) => {
            let i = prover_index(cluster, i)?;
            let n = n.parse::<u64>().map_err(|_| Reply(400, format!("not a block number: {n}")))?;
            match cluster.prove_block(i, n)? {
                Ok(proved) => Ok(proved_json(&proved)),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Post, ["v1", "provers", i, "prove-batch", first, count]) => {
            let i = prover_index(cluster, i)?;
            let number = |n: &str| n.parse::<u64>().map_err(|_| Reply(400, format!("not a number: {n}")));
            match cluster.prove_batch(i, number(first)?, number(count)?)? {
                Ok(b) => Ok(json!({
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
                })),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Post, ["v1", "provers", i, "relay-block", n]) => {
            let i = prover_index(cluster, i)?;
            let n = n.parse::<u64>().map_err(|_| Reply(400, format!("not a block number: {n}")))?;
            match cluster.relay_block(i, n)? {
                Ok((proved, hash)) => Ok(json!({ "txHash": hex0x(&hash), "proved": proved_json(&proved) })),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Get, ["v1", "provers", i, "handover"]) => {
            let i = prover_index(cluster, i)?;
            match cluster.handover(i)? {
                Ok(h) => Ok(json!({
                    "old": hex0x(&h.old),
                    "new": hex0x(&h.new),
                    "digest": hex0x(&h.digest),
                    "signature": hex0x(&h.signature),
                })),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Post, ["v1", "provers", i, "rotate-key"]) => {
            let i = prover_index(cluster, i)?;
            cluster.rotate_key(i)?;
            Ok(prover_json(&cluster.prover_info(i)?))
        }
        (Method::Post, ["v1", "registry", "report"]) => {
            let v: Value = serde_json::from_slice(&body(request)?).map_err(|e| Reply(400, format!("not JSON: {e}")))?;
            let field = |name: &str| v.get(name).ok_or_else(|| Reply(400, format!("missing {name}")));
            let rollup = field("rollup")?.as_u64().and_then(|r| u32::try_from(r).ok());
            let block = field("block")?.as_u64();
            let signer = field("signer")?.as_str().and_then(|s| parse_hex::<20>(s).ok());
            let l1_tx = field("l1Tx")?.as_str().and_then(|s| parse_hex::<32>(s).ok());
            let (Some(rollup), Some(block), Some(signer), Some(l1_tx)) = (rollup, block, signer, l1_tx) else {
                return Err(Reply(400, "want {rollup: u32, block: u64, signer: 0x20 bytes, l1Tx: 0x32 bytes}".into()));
            };
            match cluster.report_proof(rollup, block, signer, l1_tx)? {
                Ok(fee) => Ok(json!({ "fee": fee.to_string() })),
                Err(e) => Err(Reply(422, format!("{e:?}"))),
            }
        }
        (Method::Get, ["v1", "registry", "rollups", id]) => {
            let id: u32 = id.parse().map_err(|_| Reply(400, "rollup id".into()))?;
            let (registry, session) = cluster.registry()?;
            use ink::codegen::TraitCallBuilder;
            use pink_drink::Callable;
            let info = registry.call().rollup_info(id).query(session).map_err(RuntimeError::from)?;
            let info = info.ok_or_else(|| Reply(404, format!("no rollup {id}")))?;
            Ok(json!({
                "l2ChainId": info.l2_chain_id,
                "feePerBlock": info.fee_per_block.to_string(),
                "deposit": info.deposit.to_string(),
                "proven": info.proven,
                "paused": info.paused,
            }))
        }
        _ => Err(Reply(404, format!("no route {} {url}", request.method()))),
    }
}

fn body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let mut buf = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Reply(400, format!("body: {e}")))?;
    if buf.len() > MAX_BODY {
        return Err(Reply(413, format!("body over {MAX_BODY} bytes")));
    }
    Ok(buf)
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
