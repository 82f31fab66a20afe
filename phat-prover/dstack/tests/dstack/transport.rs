//! The client against sockets that misbehave: none at all (not in a dstack VM), one nobody
//! listens on, one that accepts and never answers (the timeout), and canned answers that are too
//! large, refusals, not JSON, without a quote or for other report_data.

use std::time::{Duration, Instant};

use phat_dstack::{DEFAULT_SOCKET, DEFAULT_TIMEOUT, DstackClient, DstackError, MAX_ANSWER_BYTES};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::UnixListener,
};

use crate::socket_path;

/// Serves `answer` (a whole HTTP response) to every request on `socket`; the listener task ends
/// with the test's runtime.
fn canned(socket: &std::path::Path, answer: Vec<u8>) {
    let listener = UnixListener::bind(socket).expect("bind");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                // Read the request head and its body (Content-Length), then answer.
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                    if let Some(head) = text.find("\r\n\r\n") {
                        let len = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
                            .and_then(Result::ok)
                            .unwrap_or(0);
                        if request.len() >= head + 4 + len {
                            break;
                        }
                    }
                }
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
}

fn http(status: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len())
        .into_bytes()
}

#[tokio::test]
async fn no_socket_means_not_in_a_dstack_vm() {
    let socket = socket_path("absent");
    let err = DstackClient::new(&socket).get_quote([0; 64]).await.expect_err("no agent");
    assert!(matches!(&err, DstackError::NotInDstackVm { socket: s, .. } if *s == socket), "{err}");
    assert_eq!(err.to_string(), format!("not inside a dstack VM: no guest agent at {}", socket.display()));
    // A socket file nobody listens on any more (connection refused) means the same.
    let stale = socket_path("stale");
    drop(std::os::unix::net::UnixListener::bind(&stale).expect("bind"));
    assert!(stale.exists());
    let err = DstackClient::new(&stale).info().await.expect_err("no agent");
    assert!(matches!(err, DstackError::NotInDstackVm { .. }), "{err}");
    let _ = std::fs::remove_file(stale);
    // The defaults.
    let client = DstackClient::default();
    assert_eq!((client.socket().to_str(), client.timeout()), (Some(DEFAULT_SOCKET), DEFAULT_TIMEOUT));
    assert_eq!(
        DstackError::NotInDstackVm { socket: DEFAULT_SOCKET.into(), source: std::io::ErrorKind::NotFound.into() }
            .to_string(),
        "not inside a dstack VM: no guest agent at /var/run/dstack.sock"
    );
}

#[tokio::test]
async fn an_agent_that_never_answers_times_out() {
    let socket = socket_path("silent");
    let listener = UnixListener::bind(&socket).expect("bind");
    // Accepts every connection and holds it open without a byte.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let client = DstackClient::new(&socket).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = client.get_quote([7; 64]).await.expect_err("no answer");
    assert!(
        matches!(err, DstackError::Timeout { path: "/GetQuote", timeout } if timeout == Duration::from_millis(300)),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let _ = std::fs::remove_file(socket);
}

#[tokio::test]
async fn an_answer_over_the_cap_is_refused() {
    // Declared too large.
    let socket = socket_path("large-declared");
    canned(&socket, format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{{", MAX_ANSWER_BYTES + 1).into_bytes());
    let err = DstackClient::new(&socket).info().await.expect_err("too large");
    assert!(matches!(err, DstackError::TooLarge { path: "/Info", limit: MAX_ANSWER_BYTES }), "{err}");
    let _ = std::fs::remove_file(socket);
    // Sent too large, chunked (no declared length).
    let socket = socket_path("large-chunked");
    let chunk = vec![b' '; 1 << 20];
    let mut answer = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..5 {
        answer.extend(format!("{:x}\r\n", chunk.len()).bytes());
        answer.extend(&chunk);
        answer.extend(b"\r\n");
    }
    answer.extend(b"0\r\n\r\n");
    canned(&socket, answer);
    let err = DstackClient::new(&socket).info().await.expect_err("too large");
    assert!(matches!(err, DstackError::TooLarge { .. }), "{err}");
    let _ = std::fs::remove_file(socket);
}

/// A canned answer's name, its bytes, and the error it must give.
type Case = (&'static str, Vec<u8>, fn(&DstackError) -> bool);

#[tokio::test]
async fn refusals_and_bad_answers_are_typed() {
    let cases: [Case; 5] = [
        (
            "refused",
            http("400 Bad Request", r#"{"error":"Report data is too long"}"#),
            |e| matches!(e, DstackError::Status { path: "/GetQuote", status: 400, body } if body == "Report data is too long"),
        ),
        ("not-json", http("200 OK", "<html>"), |e| matches!(e, DstackError::Decode { path: "/GetQuote", .. })),
        ("no-quote", http("200 OK", r#"{"quote":"","event_log":"","report_data":"","vm_config":""}"#), |e| {
            matches!(e, DstackError::NoTdxQuote)
        }),
        (
            "other-report-data",
            http("200 OK", &format!(r#"{{"quote":"04","event_log":"[]","report_data":"{}"}}"#, "00".repeat(64))),
            |e| matches!(e, DstackError::ReportDataMismatch { .. }),
        ),
        ("not-http", b"SSH-2.0-OpenSSH\r\n".to_vec(), |e| matches!(e, DstackError::Http { path: "/GetQuote", .. })),
    ];
    for (name, answer, expected) in cases {
        let socket = socket_path(name);
        canned(&socket, answer);
        let err = DstackClient::new(&socket).get_quote([1; 64]).await.expect_err(name);
        assert!(expected(&err), "{name}: {err:?}");
        let _ = std::fs::remove_file(socket);
    }
}
