//! The proof feed a subscribing rollup (or a dashboard) reads: HTTP JSON, server-sent events and
//! Prometheus metrics.
//!
//! - `GET /status`: heads, counts and per-prover figures;
//! - `GET /proofs/{block}`: the proof of a block and what was done on L1 (404 if not relayed);
//! - `GET /events`: a server-sent event `proof` per relayed block, as it happens;
//! - `GET /metrics`: Prometheus text format.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use futures_util::{Stream, StreamExt};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use serde::Serialize;
use tokio::sync::{RwLock, broadcast, watch};
use tokio_stream::wrappers::BroadcastStream;

use crate::{
    error::RelayerError,
    prover::ProverStats,
    store::{BlockRecord, Store},
};

/// Heads and counts, as `/status` serves them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub l2_chain_id: u64,
    pub l2_head: u64,
    pub next_block: u64,
    pub finalized_block: u64,
    pub relayed: u64,
    /// The block the relayer is stuck on, and why (no prover answered, L1 refused, …).
    pub stalled: Option<String>,
    pub provers: Vec<ProverStats>,
    /// Blocks credited by the Phala-side registry in this run, and its last refusal or failure.
    pub registry_credited: u64,
    pub registry_error: Option<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProverLabel {
    prover: String,
}

/// The relayer's metrics.
pub struct Metrics {
    registry: Registry,
    relayed: Counter,
    finalized_block: Gauge,
    l1_gas: Counter,
    latency: Histogram,
    prove: Histogram,
    answers: Family<ProverLabel, Counter>,
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("phat_relayer");
        let buckets = || Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0]);
        let (relayed, finalized_block, l1_gas) = (Counter::default(), Gauge::default(), Counter::default());
        let (latency, prove, answers) = (buckets(), buckets(), Family::<ProverLabel, Counter>::default());
        registry.register("blocks_relayed", "L2 blocks proven and settled on L1", relayed.clone());
        registry.register("finalized_block", "Last L2 block final on L1", finalized_block.clone());
        registry.register("l1_gas", "L1 gas spent by the relayer", l1_gas.clone());
        registry.register("latency_seconds", "From seeing an L2 block to its L1 settlement", latency.clone());
        registry.register("prove_seconds", "Time to a prover's answer", prove.clone());
        registry.register("prover_answers", "Proofs accepted from each prover", answers.clone());
        Self { registry, relayed, finalized_block, l1_gas, latency, prove, answers }
    }
}

/// Everything the feed serves.
pub struct Feed {
    pub store: Arc<Store>,
    pub status: RwLock<Status>,
    events: broadcast::Sender<BlockRecord>,
    /// Turns true when the server shuts down: open event streams end, so shutdown does not wait
    /// on subscribers.
    closing: watch::Sender<bool>,
    metrics: Metrics,
}

impl Feed {
    pub fn new(store: Arc<Store>) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        let (closing, _) = watch::channel(false);
        Arc::new(Self { store, status: RwLock::new(Status::default()), events, closing, metrics: Metrics::new() })
    }

    /// Publishes a relayed block: metrics, subscribers.
    pub fn publish(&self, record: &BlockRecord, finalized_block: u64) {
        let m = &self.metrics;
        m.relayed.inc();
        m.finalized_block.set(finalized_block as i64);
        m.l1_gas.inc_by(record.l1.gas);
        m.latency.observe(record.latency_ms as f64 / 1e3);
        m.prove.observe(record.prove_ms as f64 / 1e3);
        m.answers.get_or_create(&ProverLabel { prover: record.prover.clone() }).inc();
        // No subscriber is not an error.
        let _ = self.events.send(record.clone());
    }

    /// Relayed blocks as they are published.
    pub fn subscribe(&self) -> broadcast::Receiver<BlockRecord> {
        self.events.subscribe()
    }

    /// The HTTP routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/status", get(status))
            .route("/proofs/{block}", get(proof))
            .route("/events", get(events))
            .route("/metrics", get(metrics))
            .with_state(self.clone())
    }

    /// Serves the feed on `listener` until `shutdown` resolves.
    pub async fn serve(
        self: &Arc<Self>,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayerError> {
        let feed = self.clone();
        let shutdown = async move {
            shutdown.await;
            feed.closing.send_replace(true);
        };
        phat_process::http::serve_until(listener, self.router(), phat_process::http::Limits::default(), shutdown)
            .await
            .map_err(|e| RelayerError::Feed(e.to_string()))
    }
}

async fn status(State(feed): State<Arc<Feed>>) -> Json<Status> {
    Json(feed.status.read().await.clone())
}

async fn proof(State(feed): State<Arc<Feed>>, Path(block): Path<u64>) -> Response {
    match feed.store.get(block) {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("block {block} has not been relayed")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn events(State(feed): State<Arc<Feed>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut closing = feed.closing.subscribe();
    let stream = BroadcastStream::new(feed.events.subscribe())
        .filter_map(|r| async move {
            // A lagging subscriber skips what it missed; it can fetch those from /proofs/{block}.
            let record = r.ok()?;
            Event::default().event("proof").id(record.block.to_string()).json_data(&record).ok().map(Ok)
        })
        .take_until(async move {
            let _ = closing.wait_for(|closing| *closing).await;
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn metrics(State(feed): State<Arc<Feed>>) -> Response {
    let mut text = String::new();
    match encode(&mut text, &feed.metrics.registry) {
        Ok(()) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
