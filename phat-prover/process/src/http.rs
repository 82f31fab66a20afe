//! The HTTP server every service of this workspace runs its axum router on, bounded against
//! clients that never finish: `axum::serve` has no header or body read timeout, no connection
//! limit and answers an over-long declared body only once it has been read.
//!
//! Each connection is served by hyper's HTTP/1.1 server with a header read timeout; a request
//! body must arrive within [`Limits::body_read`] and fit [`Limits::max_body`] (a declared
//! `Content-Length` over the cap is answered 413 at once, before any body byte is read); past
//! [`Limits::max_connections`] open connections, a new one is closed on accept. What is not
//! HTTP/1.x (an HTTP/2 preface, a TLS ClientHello, garbage) gets hyper's 4xx/5xx and a close.

use std::{future::Future, io, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, Request},
    http::{StatusCode, header::CONTENT_LENGTH},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt as _;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// How long and how much one client may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// From the connection's first byte (or the previous response) to the end of the headers.
    pub header_read: Duration,
    /// From the end of the headers to the end of the body.
    pub body_read: Duration,
    /// The largest request body, in bytes (413 above it).
    pub max_body: usize,
    /// Connections served at once; more are closed as they are accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            max_body: 2 << 20,
            max_connections: 512,
        }
    }
}

/// Serves `router` on `listener` under `limits`, until the listener fails.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) -> io::Result<()> {
    serve_until(listener, router, limits, std::future::pending()).await
}

/// Serves `router` on `listener` under `limits` until `shutdown` completes; then it stops
/// accepting (connections already open finish on the runtime).
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let max_body = limits.max_body;
    let router = router
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(move |request: Request, next: Next| declared_length(request, next, max_body)))
        .layer(RequestBodyTimeoutLayer::new(limits.body_read));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: the listener itself is fine.
                Err(e) if is_transient(&e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            },
            () = &mut shutdown => return Ok(()),
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!("connection limit reached: closing a new connection");
            continue;
        };
        let service = router.clone().map_request(|request: Request<Incoming>| request.map(Body::new));
        let service = TowerToHyperService::new(service);
        let header_read = limits.header_read;
        tokio::spawn(async move {
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!("connection: {e}");
            }
            drop(slot);
        });
    }
}

/// 413 before the body is read when the declared length is over the cap (axum's body limit
/// answers only once it has read that far); a length that is not a number is a 400.
async fn declared_length(request: Request, next: Next, max_body: usize) -> Response {
    if let Some(value) = request.headers().get(CONTENT_LENGTH) {
        match value.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(length) if length > max_body as u64 => {
                return (StatusCode::PAYLOAD_TOO_LARGE, format!("body over {max_body} bytes")).into_response();
            }
            Some(_) => {}
            None => return (StatusCode::BAD_REQUEST, "invalid content-length").into_response(),
        }
    }
    next.run(request).await
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::OutOfMemory
    ) || e.raw_os_error().is_some_and(|code| code == 24 || code == 23) // EMFILE, ENFILE
}
