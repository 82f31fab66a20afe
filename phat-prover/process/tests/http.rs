//! The bounded server against clients that never finish, over real sockets: a slow header or
//! body is cut at its timeout and delays no other request; an over-long body is a 413, at once
//! when declared; what is not HTTP/1.x is answered and closed; past the connection limit a new
//! connection is closed.

use std::time::{Duration, Instant};

use axum::{Router, body::Bytes, routing::post};
use phat_process::http::{Limits, serve};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const LIMITS: Limits = Limits {
    header_read: Duration::from_millis(400),
    body_read: Duration::from_millis(400),
    max_body: 1024,
    max_connections: 4,
};

async fn start(limits: Limits) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let router = Router::new().route("/echo", post(|body: Bytes| async move { body.len().to_string() }));
    tokio::spawn(serve(listener, router, limits));
    addr
}

/// Sends `bytes` on a new connection and reads until the server closes it (or 5 s pass):
/// the status line's code, or `None` when it closed without an answer.
async fn exchange(addr: &str, bytes: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // A server that closes at once may reset the connection before the write.
    if stream.write_all(bytes).await.is_err() {
        return None;
    }
    read_status(&mut stream).await
}

async fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server kept the connection open: {:?}", String::from_utf8_lossy(&answer));
    let line = String::from_utf8_lossy(&answer);
    line.strip_prefix("HTTP/1.1 ").and_then(|rest| rest.get(..3)).and_then(|code| code.parse().ok())
}

/// A valid request, answered (with the body's length), and how long it took.
async fn valid(addr: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = exchange(addr, b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc")
        .await
        .expect("an answer");
    (status, started.elapsed())
}

#[tokio::test]
async fn a_slow_header_or_body_is_cut_at_its_timeout_and_delays_no_one() {
    let addr = start(LIMITS).await;
    let mut slow_head = TcpStream::connect(&addr).await.expect("connect");
    slow_head.write_all(b"POST /echo HTTP/1.1\r\nhost: x\r\n").await.expect("write");
    let mut slow_body = TcpStream::connect(&addr).await.expect("connect");
    slow_body
        .write_all(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly ten..")
        .await
        .expect("write");

    let (status, took) = valid(&addr).await;
    assert_eq!(status, 200);
    assert!(took < LIMITS.header_read, "a valid request waited {took:?} behind slow clients");

    let started = Instant::now();
    let head = read_status(&mut slow_head).await;
    assert!(head.is_none_or(|s| s == 408), "{head:?}");
    let body = read_status(&mut slow_body).await;
    assert!(body.is_none_or(|s| (400..500).contains(&s)), "{body:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "slow clients held for {:?}", started.elapsed());
}

#[tokio::test]
async fn a_body_over_the_cap_is_413_at_once_when_declared_and_when_chunked() {
    let addr = start(LIMITS).await;
    // Declared: answered before a single body byte is sent.
    let declared = exchange(&addr, b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 1025\r\n\r\n").await;
    assert_eq!(declared, Some(413));
    let bogus = exchange(&addr, b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: lots\r\n\r\n").await;
    assert!(bogus.is_none_or(|s| s == 400), "{bogus:?}");
    // Chunked: cut once the cap is passed.
    let mut chunked =
        b"POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(b"200\r\n");
        chunked.extend_from_slice(&[b'a'; 0x200]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(exchange(&addr, &chunked).await, Some(413));
    // At the cap: served.
    let mut at_cap = b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 1024\r\nconnection: close\r\n\r\n".to_vec();
    at_cap.extend_from_slice(&[b'a'; 1024]);
    assert_eq!(exchange(&addr, &at_cap).await, Some(200));
}

#[tokio::test]
async fn what_is_not_http1_is_answered_and_closed() {
    let addr = start(LIMITS).await;
    let h2_preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".as_slice();
    // The first bytes of a TLS 1.2/1.3 ClientHello.
    let client_hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xab, 0xcd].as_slice();
    let garbage = b"\x00\xff\x13garbage that is not a request line\r\n\r\n".as_slice();
    let unknown_coding = b"POST /echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\n".as_slice();
    for junk in [h2_preface, client_hello, garbage, unknown_coding] {
        let status = exchange(&addr, junk).await;
        assert!(status.is_none_or(|s| (400..600).contains(&s)), "{status:?} for {junk:?}");
    }
    assert_eq!(valid(&addr).await.0, 200);
}

#[tokio::test]
async fn past_the_connection_limit_a_new_connection_is_closed() {
    let addr = start(LIMITS).await;
    let mut held = Vec::new();
    for _ in 0..LIMITS.max_connections {
        let mut s = TcpStream::connect(&addr).await.expect("connect");
        s.write_all(b"POST /echo HTTP/1.1\r\n").await.expect("write");
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let over = exchange(&addr, b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n").await;
    assert_eq!(over, None, "a connection over the limit was served");
    assert!(started.elapsed() < LIMITS.header_read, "closed only after {:?}", started.elapsed());
    // Once the held connections time out, their slots are free again.
    for mut s in held {
        read_status(&mut s).await;
    }
    assert_eq!(valid(&addr).await.0, 200);
}
