//! `phat-prover witness-rpc`: the four JSON-RPC calls a Phat prover contract's `prove_block` makes
//! (`eth_chainId`, `debug_getRawBlock`, `debug_getRawHeader`, `debug_executionWitness`, see
//! `phat_rpc`), served for an L2 node that lacks `debug_executionWitness` (anvil) from its standard
//! calls, by [`crate::fetch::fetch_witness`] (the `eth_getProof` path).
//!
//! It is as untrusted as the node behind it: the contract checks the parent-hash link and the STF
//! checks every node, code and header against the parent's state root. Any other method is answered
//! "method not found".

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use alloy::eips::BlockNumberOrTag;
use axum::{Json, Router, extract::State, routing::post};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::{
    error::{FetchError, ServeError},
    fetch,
    files::WitnessFile,
};

/// Witnesses kept for the calls that follow (a batch asks for a block and its witness apart).
const CACHED_BLOCKS: usize = 32;

struct Service {
    l2_rpc: String,
    witnesses: Mutex<BTreeMap<u64, Arc<WitnessFile>>>,
}

/// Serves the witness calls for the node at `l2_rpc` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, l2_rpc: String) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_or_else(|_| "?".into(), |a| a.to_string());
    let service = Arc::new(Service { l2_rpc, witnesses: Mutex::new(BTreeMap::new()) });
    let app = Router::new().route("/", post(answer)).with_state(service);
    axum::serve(listener, app).await.map_err(|source| ServeError::Io { addr, source })
}

/// Binds `listen` and serves (the `witness-rpc` command).
pub async fn run(listen: SocketAddr, l2_rpc: String) -> Result<(), ServeError> {
    let listener =
        TcpListener::bind(listen).await.map_err(|source| ServeError::Io { addr: listen.to_string(), source })?;
    tracing::info!(%listen, l2 = %l2_rpc, "serving debug_executionWitness, debug_getRawBlock, debug_getRawHeader");
    serve(listener, l2_rpc).await
}

/// One call, or a batch of calls answered in order.
async fn answer(State(service): State<Arc<Service>>, Json(request): Json<Value>) -> Json<Value> {
    Json(match request {
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
        let id = call.get("id").cloned().unwrap_or(Value::Null);
        let method = call.get("method").and_then(Value::as_str).unwrap_or_default();
        let param = call.get("params").and_then(|p| p.get(0)).cloned();
        let result = match method {
            "eth_chainId" => fetch::chain_id(&self.l2_rpc).await.map(|id| json!(format!("{id:#x}"))),
            "debug_getRawBlock" | "debug_executionWitness" | "debug_getRawHeader" => match block_number(param) {
                Err(message) => return fault(id, -32602, &message),
                Ok(n) if method == "debug_getRawHeader" => fetch::raw_header(&self.l2_rpc, n).await.map(|h| json!(h)),
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

    /// The witness of block `n`, from the cache or built now.
    async fn witness(&self, n: u64) -> Result<Arc<WitnessFile>, FetchError> {
        if let Some(w) = self.cache().get(&n) {
            return Ok(w.clone());
        }
        let file = Arc::new(fetch::fetch_witness(&self.l2_rpc, n, None).await?);
        let mut cache = self.cache();
        cache.insert(n, file.clone());
        while cache.len() > CACHED_BLOCKS {
            cache.pop_first();
        }
        Ok(file)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<WitnessFile>>> {
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
