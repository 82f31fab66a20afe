//! `phat-prover witness-rpc`: the four JSON-RPC calls a Phat prover contract's `prove_block` makes
//! (`eth_chainId`, `debug_getRawBlock`, `debug_getRawHeader`, `debug_executionWitness`, see
//! `phat_rpc`), served for an L2 node that lacks `debug_executionWitness` (anvil) from its standard
//! calls, by [`crate::fetch::fetch_witness`] (the `eth_getProof` path).
//!
//! It is as untrusted as the node behind it: the contract checks the parent-hash link and the STF
//! checks every node, code and header against the parent's state root. Any other method is answered
//! "method not found".
//!
//! Bounded as a public endpoint: the HTTP limits of [`phat_process::http`] (read timeouts, 2 MiB
//! bodies, a connection limit), at most [`MAX_BATCH`] calls per batch, one pooled client to the
//! node with at most [`UPSTREAM_CONCURRENCY`] calls to it at once. JSON-RPC 2.0's errors: -32700
//! for what is not JSON, -32600 for what is not a request (an empty or oversized batch too),
//! -32601 for another method, -32602 for a bad block number, -32000 when the node fails.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use alloy::eips::BlockNumberOrTag;
use axum::{Json, Router, body::Bytes, extract::State, routing::post};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::Semaphore};

use alloy::primitives::{B256, keccak256};
use phat_prover_core::{
    ChainConfig,
    witness::{L2Block, decode_exact},
};

use crate::{
    error::{FetchError, ServeError},
    fetch::Node,
    files::WitnessFile,
};

/// Witnesses kept for the calls that follow (a batch asks for a block and its witness apart).
const CACHED_BLOCKS: usize = 32;
/// Calls in one batch (a prover contract asks for at most a few blocks, four calls each).
pub const MAX_BATCH: usize = 64;
/// Calls to the node in flight at once, over all requests.
pub const UPSTREAM_CONCURRENCY: usize = 8;

struct Service {
    node: Node,
    chain: ChainConfig,
    upstream: Semaphore,
    /// By block number, with the hash of the block each was built for.
    witnesses: Mutex<BTreeMap<u64, (B256, Arc<WitnessFile>)>>,
}

/// Serves the witness calls for the node at `l2_rpc` (of chain `chain`) on `listener` until the
/// task is dropped.
pub async fn serve(listener: TcpListener, l2_rpc: String, chain: ChainConfig) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_or_else(|_| "?".into(), |a| a.to_string());
    let node = Node::connect(&l2_rpc)?;
    let service = Arc::new(Service {
        node,
        chain,
        upstream: Semaphore::new(UPSTREAM_CONCURRENCY),
        witnesses: Mutex::new(BTreeMap::new()),
    });
    let app = Router::new().route("/", post(answer)).with_state(service);
    phat_process::http::serve(listener, app, phat_process::http::Limits::default())
        .await
        .map_err(|source| ServeError::Io { addr, source })
}

/// Binds `listen` and serves (the `witness-rpc` command).
pub async fn run(listen: SocketAddr, l2_rpc: String, chain: ChainConfig) -> Result<(), ServeError> {
    let listener =
        TcpListener::bind(listen).await.map_err(|source| ServeError::Io { addr: listen.to_string(), source })?;
    tracing::info!(%listen, l2 = %l2_rpc, "serving debug_executionWitness, debug_getRawBlock, debug_getRawHeader");
    serve(listener, l2_rpc, chain).await
}

/// One call, or a batch of calls answered in order.
async fn answer(State(service): State<Arc<Service>>, body: Bytes) -> Json<Value> {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return Json(fault(Value::Null, -32700, "Parse error"));
    };
    Json(match request {
        Value::Array(calls) if calls.is_empty() => fault(Value::Null, -32600, "Invalid Request: empty batch"),
        Value::Array(calls) if calls.len() > MAX_BATCH => {
            fault(Value::Null, -32600, &format!("Invalid Request: more than {MAX_BATCH} calls in a batch"))
        }
        Value::Array(calls) => {
            let mut answers = Vec::with_capacity(calls.len());
            for call in calls {
                answers.push(service.call(call).await);
            }
            Value::Array(answers)
        }
        call => service.call(call).await,
    })
}

impl Service {
    async fn call(&self, call: Value) -> Value {
        let Value::Object(call) = call else {
            return fault(Value::Null, -32600, "Invalid Request");
        };
        let id = call.get("id").cloned().unwrap_or(Value::Null);
        let (Some("2.0"), Some(method)) =
            (call.get("jsonrpc").and_then(Value::as_str), call.get("method").and_then(Value::as_str))
        else {
            return fault(id, -32600, "Invalid Request");
        };
        let param = call.get("params").and_then(|p| p.get(0)).cloned();
        let result = match method {
            "eth_chainId" => self.upstream(self.node.chain_id()).await.map(|id| json!(format!("{id:#x}"))),
            "debug_getRawBlock" | "debug_executionWitness" | "debug_getRawHeader" => match block_number(param) {
                Err(message) => return fault(id, -32602, &message),
                Ok(n) if method == "debug_getRawHeader" => {
                    self.upstream(self.node.raw_header(n)).await.map(|h| json!(h))
                }
                Ok(n) => self.witness(n).await.map(|w| match method {
                    "debug_getRawBlock" => json!(w.block),
                    _ => json!(w.witness),
                }),
            },
            _ => return fault(id, -32601, "Method not found"),
        };
        match result {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(e) => fault(id, -32000, &e.to_string()),
        }
    }

    /// `work` against the node, once one of the upstream slots is free.
    async fn upstream<T>(&self, work: impl Future<Output = Result<T, FetchError>>) -> Result<T, FetchError> {
        // `None` only if the semaphore were closed, which it never is.
        let _slot = self.upstream.acquire().await.ok();
        work.await
    }

    /// The witness of block `n`, from the cache when it was built for the block the node has at
    /// `n` now (after a reorg the old fork's witness is never served), or built now.
    async fn witness(&self, n: u64) -> Result<Arc<WitnessFile>, FetchError> {
        let cached = self.cache().get(&n).cloned();
        if let Some((hash, file)) = cached {
            let current = keccak256(self.upstream(self.node.raw_header(n)).await?);
            if current == hash {
                return Ok(file);
            }
        }
        let file = Arc::new(self.upstream(self.node.witness(n, &self.chain)).await?);
        let hash = decode_exact::<L2Block>(&file.block)
            .map(|b| b.header.hash_slow())
            .map_err(|source| FetchError::RawBlock { number: n, source })?;
        let mut cache = self.cache();
        cache.insert(n, (hash, file.clone()));
        while cache.len() > CACHED_BLOCKS {
            cache.pop_first();
        }
        Ok(file)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, (B256, Arc<WitnessFile>)>> {
        // A poisoned cache only holds finished witnesses: keep using it.
        self.witnesses.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn block_number(param: Option<Value>) -> Result<u64, String> {
    let param = param.ok_or("missing block number")?;
    let block: BlockNumberOrTag = serde_json::from_value(param).map_err(|e| format!("block number: {e}"))?;
    block.as_number().ok_or_else(|| format!("block {block}: only numbers are served"))
}

fn fault(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}
